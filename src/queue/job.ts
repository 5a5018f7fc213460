/**
 * A job is the unit of work one webhook delivery turns into. It carries only what the handler
 * needs (plain JSON, so a durable store can keep it), and a key: jobs with the same key are never
 * run at once, and a newer queued job replaces an older one with the same key.
 */

type JobBase = {
  /** Unique per job. */
  id: string;
  /** X-Gitea-Delivery of the delivery that created it ("" when made by the bot itself). */
  deliveryId: string;
  /** owner/name of the repository the event happened in. */
  repo: string;
  receivedAt: string;
};

/** Verify a pull request: its head as the candidate pin (trigger 1) and/or its manifest changes (trigger 2). */
export type PullJob = JobBase & {
  kind: "pull";
  number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  /** What caused it: opened, synchronized, reopened, edited, verify-command. */
  trigger: string;
  /** Fixture names given after /verify; null for all. */
  only: string[] | null;
  /** The head branch lives in a fork: it is no fixture branch, and a fork's manifest is not trusted. */
  fromFork: boolean;
  /**
   * The PR's `updated_at` as the delivery (or the API) gave it: of two jobs for one PR, the one
   * with the later time speaks of the newer head. Null when unknown (older Gitea, older jobs).
   */
  updatedAt?: string | null;
};

/** A `/verify` comment: check the commenter may run it, then run the pull job for that PR. */
export type CommandJob = JobBase & {
  kind: "command";
  number: number;
  commentId: number;
  user: string;
  only: string[] | null;
};

/** A push to a fixture branch (re-verify its fixtures) or to the manifest's branch (reload it). */
export type PushJob = JobBase & {
  kind: "push";
  branch: string;
  after: string;
  defaultBranch: string | null;
};

/**
 * The recipe CI posted a status on a canary's pinned commit (a `status` delivery): read the
 * outcomes of the canaries pinned there again.
 */
export type OutcomeJob = JobBase & {
  kind: "outcome";
  sha: string;
  /** The canaries pinned at `sha`. */
  names: string[];
};

export type Job = PullJob | CommandJob | PushJob | OutcomeJob;

/** The key of every job about one pull request. */
export function pullKey(repo: string, number: number): string {
  return `pr:${repo.toLowerCase()}#${number}`;
}

/** Same key = same thing being verified: never run twice at once; the newest queued one wins. */
export function jobKey(job: Job): string {
  switch (job.kind) {
    // A /verify runs the pull request's verification: it shares the PR's key, so the two never
    // run at once (they would race to create the report comment).
    case "pull":
    case "command":
      return pullKey(job.repo, job.number);
    case "push":
      return `push:${job.repo.toLowerCase()}:${job.branch}`;
    // Statuses come one per tier, in bursts: while one reading waits, the others add nothing.
    case "outcome":
      return `outcome:${job.repo.toLowerCase()}:${job.sha}`;
  }
}

/**
 * Of two jobs for one pull request, which speaks of the newer head, by Gitea's `updated_at` (the
 * arrival order says nothing: Gitea delivers from several workers, and a person can press
 * Redelivery): "newer", "older", or "unknown" (a time missing, or the same second).
 */
export function compareHeads(job: Job, other: Job): "newer" | "older" | "unknown" {
  if (job.kind !== "pull" || other.kind !== "pull") return "unknown";
  const a = job.updatedAt ? Date.parse(job.updatedAt) : Number.NaN;
  const b = other.updatedAt ? Date.parse(other.updatedAt) : Number.NaN;
  if (Number.isNaN(a) || Number.isNaN(b) || a === b) return "unknown";
  return a > b ? "newer" : "older";
}

/** What makes two jobs with the same key the same work (a repeat rather than a newer version). */
export function jobRevision(job: Job): string {
  switch (job.kind) {
    case "pull":
      return `${job.headSha}:${job.baseRef}:${(job.only ?? []).join(",")}`;
    case "command":
      return `command:${job.commentId}`;
    case "push":
      return job.after;
    // A queued reading reads the statuses as they are when it runs: one is enough.
    case "outcome":
      return "outcome";
  }
}

/** What the queue says about a job it was handed. */
export type EnqueueResult = { queued: true; jobId: string } | { queued: false; reason: string };
