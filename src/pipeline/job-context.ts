/**
 * What every job handler works with, built once per job by `run-job.ts`: the dependencies, the
 * job's logger, the job's deadline (a signal every Gitea call and every git call obeys), and the
 * job's publication (where its status and comment go). Handlers decide what to verify; they never
 * post a final status themselves.
 */

import type { Limits } from "../engine/inspect-files.ts";
import type { GiteaClient } from "../gitea/client.ts";
import type { Job } from "../queue/job.ts";
import type { Logger } from "../shared/logger.ts";
import type { Sanitizer } from "../shared/redact.ts";
import type { FixtureResult, RunReport } from "../shared/result.ts";
import type { Workspace } from "../workspace/workspace.ts";
import type { ManifestSource } from "./manifest-source.ts";
import type { OutcomeWatch } from "./outcome-watch.ts";
import type { Verifier, VerifyRequest } from "./verifier.ts";

export type PipelineConfig = {
  /** Context of the status on a PR head (the candidate pins); pushes use `<context>/pins`. */
  statusContext: string;
  publicUrl: string | null;
  /** One deadline for the whole job: fetch, verification and every Gitea call. */
  jobTimeoutMs: number;
  /** How long the final status may take once the job's deadline has passed. */
  finalStatusMs?: number;
  /**
   * When a status POST of the job got no answer (Gitea may still store it, after the final one),
   * the statuses are read back again this long after the final one, in the background.
   */
  settleMs?: number;
};

export type PipelineDeps = {
  /** Gitea, or its dry-run stand-in (which logs instead of writing). */
  gitea: GiteaClient;
  workspace: Workspace;
  manifests: ManifestSource;
  /** The bot's Gitea user: its own comments are found, and ignored, by this login. */
  bot: { id: number; login: string };
  config: PipelineConfig;
  limits: Limits;
  log: Logger;
  /**
   * Removes secrets and local paths from text shown outside the machine; its `.secrets` removes
   * secrets only, for text from a repository (see shared/redact.ts).
   */
  sanitize: Sanitizer;
  /** Stores a finished report and returns its run id (its page is PUBLIC_URL/runs/<id>). */
  record?: (job: Job, report: RunReport) => number | null;
  /** The results of the latest run for this PR head, to complete a /verify of some fixtures. */
  previousResults?: (repo: string, number: number, sha: string) => FixtureResult[];
  /**
   * Remembers what was decided for a pull request's head: the final status (and its run), or
   * that there was nothing to report. The reconcile compares what Gitea shows with it.
   */
  decided?: (decision: PullDecision) => void;
  /** Where verifications run (the service's pool of processes); absent: in process. */
  verifier?: Verifier;
  /** Keeps the canaries' outcomes in the recipe CI current (issue 18); absent: not watched. */
  outcomes?: OutcomeWatch;
  /** Told of every fixture verification, how long it took, and whether it was a pin (metrics). */
  onVerified?: (result: FixtureResult, ms: number | null, source: "pin" | "candidate") => void;
  /** Told how each job ended (metrics). */
  observe?: (job: Job, outcome: RunReport | "error" | "nothing", durationMs: number) => void;
};

export type JobContext<J extends Job = Job> = {
  job: J;
  deps: PipelineDeps;
  log: Logger;
  /** Aborted when the job's deadline passes. */
  signal: AbortSignal;
  /** Gitea, every call bounded by the job's deadline. */
  gitea: GiteaClient;
  publication: Publication;
  /**
   * Verify fixtures (each repository fetched once, with `refspecs` too), under the job's deadline
   * and on its logger, with metrics by source: in a verification process in the service
   * (`deps.verifier`), in process otherwise.
   */
  verify(request: VerifyRequest, source: "pin" | "candidate"): Promise<FixtureResult[]>;
};

export type StatusTarget = {
  repo: string;
  sha: string;
  context: string;
  /** The pull request whose report comment this job writes, and the head it verified. */
  pull: { number: number; headSha: string } | null;
};

/** Where a job reports, and how it ends (implemented in publish.ts). */
export type Publication = {
  /** Where this job reports a failure, before it has posted anything. */
  aim(target: StatusTarget): void;
  /** Post `pending` on the target (and aim there). Never throws. */
  begin(target: StatusTarget, pending: string): Promise<void>;
  /** A short answer in the pull request (a refused /verify, nothing to verify). Never throws. */
  reply(number: number, text: string): Promise<void>;
  /** The job produced a report: record it, post the final status and the comment. */
  finish(report: RunReport): Promise<void>;
  /** The job found nothing to report on (no status is posted). */
  nothing(reason: string, options?: { decided?: boolean }): void;
  /** The job failed or ran out of time: an `error` status where it reports, if anywhere. */
  fail(error: unknown): Promise<void>;
};

/** What was decided for one head of a pull request (store/decisions.ts keeps it). */
export type PullDecision = {
  repo: string;
  number: number;
  headSha: string;
  state: "success" | "failure" | "error" | "nothing";
  description: string;
  runId: number | null;
};

/**
 * What a handler decided: a report to publish, or nothing to report on. `decided: false`: the
 * nothing says nothing about the head (it was not the PR's head any more), so it is not
 * remembered as the decision for it.
 */
export type Outcome =
  | { kind: "report"; report: RunReport }
  | { kind: "nothing"; reason: string; decided?: boolean };
