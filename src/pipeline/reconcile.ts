/**
 * The reconcile makes missed deliveries and lost statuses stop mattering. At start and then every
 * interval it (1) verifies every fixture's pin, which catches a pin lost to a force-push or a base
 * that moved when no webhook came, and records the run for the dashboard; and (2) compares, for
 * every open pull request fixture-bot should report on, what Gitea shows for the PR's head (the
 * bot's status in STATUS_CONTEXT, its report comment) with what the bot last decided for that
 * head. A missing or different status is posted again from the decision, a missing comment is
 * written again from the decision's run (no verification, when the manifest is the one it was
 * decided with); a head with no decision (its delivery was lost), an `error`, or a decision of an
 * older manifest is verified again when Gitea does not show its final state. So a lost status is
 * back within one interval, and a new STATUS_CONTEXT is filled in at the first reconcile.
 */
import { randomUUID } from "node:crypto";
import type { Manifest } from "../config/manifest.ts";
import { manifestFingerprint } from "../config/manifest.ts";
import { pullRole } from "../config/pull-role.ts";
import type { Limits } from "../engine/inspect-files.ts";
import type { GiteaClient } from "../gitea/client.ts";
import type { PullRequest } from "../gitea/schemas.ts";
import type { EnqueueResult, Job } from "../queue/job.ts";
import { REPORT_MARKER } from "../render/render-comment.ts";
import { errorMessage } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { type FixtureResult, type RunReport, summarize } from "../shared/result.ts";
import type { Workspace } from "../workspace/workspace.ts";
import type { PullDecision } from "./job-context.ts";
import type { ManifestSource } from "./manifest-source.ts";
import type { OutcomeWatch } from "./outcome-watch.ts";
import { latestOwn, postReportComment, sanitizeReport } from "./publish.ts";
import { createInProcessVerifier, type Verifier } from "./verifier.ts";

export type ReconcileDeps = {
  gitea: GiteaClient;
  workspace: Workspace;
  manifests: ManifestSource;
  enqueue: (job: Job) => EnqueueResult;
  /** What the bot last decided for this PR head, with the manifest fingerprint of then. */
  decision?: (
    repo: string,
    number: number,
    headSha: string,
  ) => (PullDecision & { manifest: string }) | null;
  /** Whether a job for this PR is queued or running (it will report; nothing to repair now). */
  busy?: (repo: string, number: number) => boolean;
  /** The report a run holds, to write a lost comment again. */
  report?: (runId: number) => RunReport | null;
  record: (report: RunReport) => number | null;
  limits: Limits;
  log: Logger;
  sanitize: (text: string) => string;
  onVerified?: (result: FixtureResult, ms: number | null, source: "pin") => void;
  /** Where the pins are verified (the service's pool of processes); absent: in process. */
  verifier?: Verifier;
  /** Reads every canary's outcome in the recipe CI again (a missed `status` delivery stops mattering). */
  outcomes?: OutcomeWatch;
  /** Runs after each reconcile: forget old deliveries, jobs and runs. */
  housekeeping?: () => void;
  config: {
    statusContext: string;
    /** The bot's own login: its report comment is the one it wrote with the report marker. */
    botLogin: string;
    /** A `pending` status older than this is a job that was lost. */
    pendingAfterMs: number;
    /** false in dry-run mode: statuses cannot be read back, so no PR is re-queued. */
    requeuePulls: boolean;
    /** The bot's public address: the links of the statuses and comments it repairs. */
    publicUrl?: string | null;
  };
  now?: () => Date;
};

export type ReconcileSummary = {
  fixtures: number;
  pass: number;
  fail: number;
  error: number;
  runId: number | null;
  requeued: { repo: string; number: number; reason: string }[];
  /** What Gitea had lost and was put back from the bot's decision, without a verification. */
  repaired: { repo: string; number: number; what: "status" | "comment" }[];
  /** Each canary's outcome in the recipe CI, as read again (empty without a ci: block). */
  outcomes: { name: string; outcome: string }[];
};

export type Reconciler = {
  run(): Promise<ReconcileSummary>;
  /** Run now, then every `intervalMs` (0: only now). Runs never overlap. */
  start(intervalMs: number): void;
  /** No more runs; resolves when the one under way (if any) has finished. */
  stop(): Promise<void>;
};

export function createReconciler(deps: ReconcileDeps): Reconciler {
  const now = deps.now ?? (() => new Date());
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<ReconcileSummary> | null = null;

  async function verifyPins(
    manifest: Manifest,
  ): Promise<Omit<ReconcileSummary, "requeued" | "repaired" | "outcomes">> {
    const verifier = deps.verifier ?? createInProcessVerifier(deps);
    const onVerified = (r: FixtureResult, ms: number | null) => deps.onVerified?.(r, ms, "pin");
    const report = sanitizeReport(
      {
        kind: "reconcile",
        repo: "*",
        sha: "",
        number: null,
        trigger: "reconcile",
        results: await verifier.verify(
          { fixtures: manifest.fixtures },
          { onVerified, log: deps.log },
        ),
        manifestErrors: [],
        pins: [],
        unknownNames: [],
      },
      deps.sanitize,
    );
    const { results } = report;
    const runId = deps.record(report);
    const s = summarize(results);
    return { fixtures: results.length, ...s, runId };
  }

  /** Whether the PR's report comment is there and speaks of its current head. */
  async function hasReport(repo: string, pr: PullRequest): Promise<boolean> {
    const comments = await deps.gitea.listComments(repo, pr.number);
    const short = pr.head.sha.slice(0, 12);
    return comments.some(
      (c) =>
        c.user?.login === deps.config.botLogin &&
        c.body.startsWith(REPORT_MARKER) &&
        c.body.includes(short),
    );
  }

  type Repairs = Pick<ReconcileSummary, "requeued" | "repaired">;

  async function repairPulls(manifest: Manifest): Promise<Repairs> {
    const repos = new Set(manifest.fixtures.map((f) => f.repo));
    if (deps.manifests.repo) repos.add(deps.manifests.repo);
    const out: Repairs = { requeued: [], repaired: [] };
    const fingerprint = manifestFingerprint(manifest);
    for (const repo of repos) {
      let pulls: PullRequest[];
      try {
        pulls = await deps.gitea.listOpenPulls(repo);
      } catch (error) {
        deps.log.warn(
          { repo, err: deps.sanitize(errorMessage(error)) },
          "reconcile: cannot list open pull requests",
        );
        continue;
      }
      for (const pr of pulls) {
        const role = pullRole(manifest, deps.manifests.repo, {
          repo,
          head: { ref: pr.head.ref, repoFullName: pr.head.repo?.full_name },
        });
        // A PR whose job is queued or running reports soon: nothing to repair now.
        if (!role.watched || deps.busy?.(repo, pr.number)) continue;
        try {
          const reason = await repairPull(repo, pr, fingerprint, out);
          if (reason !== null) requeue(repo, pr, role.fork, reason, out);
        } catch (error) {
          deps.log.warn(
            { repo, number: pr.number, err: deps.sanitize(errorMessage(error)) },
            "reconcile: cannot compare the pull request with Gitea",
          );
        }
      }
    }
    return out;
  }

  /**
   * Compare what Gitea shows for the PR's head with what the bot decided for it; put back what
   * can be put back, and return why the head must be verified again (null: nothing to do).
   */
  async function repairPull(
    repo: string,
    pr: PullRequest,
    fingerprint: string,
    out: Repairs,
  ): Promise<string | null> {
    const decision = deps.decision?.(repo, pr.number, pr.head.sha) ?? null;
    if (decision?.state === "nothing") return null; // nothing to report on this head
    const latest = latestOwn(
      await deps.gitea.listStatuses(repo, pr.head.sha),
      deps.config.statusContext,
    );
    const shown =
      decision !== null &&
      latest?.status === decision.state &&
      latest.description === decision.description;
    if (decision !== null && decision.state !== "error" && decision.manifest === fingerprint) {
      if (!shown) {
        await deps.gitea.createStatus(repo, pr.head.sha, {
          state: decision.state,
          context: deps.config.statusContext,
          description: decision.description,
          ...(deps.config.publicUrl && decision.runId !== null
            ? { target_url: `${deps.config.publicUrl}/runs/${decision.runId}` }
            : {}),
        });
        out.repaired.push({ repo, number: pr.number, what: "status" });
        deps.log.info(
          { repo, number: pr.number, state: decision.state },
          "reconcile: status put back from the decision for this head",
        );
      }
      if (!(await hasReport(repo, pr))) {
        const report = decision.runId === null ? null : (deps.report?.(decision.runId) ?? null);
        if (report === null) return "no report comment";
        await postReportComment(
          deps.gitea,
          { repo, number: pr.number, headSha: pr.head.sha },
          report,
          { botLogin: deps.config.botLogin, publicUrl: deps.config.publicUrl ?? null },
        );
        out.repaired.push({ repo, number: pr.number, what: "comment" });
        deps.log.info({ repo, number: pr.number }, "reconcile: report comment written again");
      }
      return null;
    }
    // No decision for this head (its delivery was lost), an error, or a decision made with
    // another manifest: verify again, unless Gitea shows its final state.
    if (latest === null) return decision === null ? "no status" : "its status is gone";
    const age = now().getTime() - new Date(latest.created_at).getTime();
    if (latest.status === "pending")
      return age > deps.config.pendingAfterMs || decision !== null
        ? "status stuck at pending"
        : null;
    if (decision !== null && !shown) return "its status is not the one decided";
    if (decision === null && (latest.status === "success" || latest.status === "failure"))
      return (await hasReport(repo, pr)) ? null : "no report comment";
    return null;
  }

  function requeue(repo: string, pr: PullRequest, fork: boolean, reason: string, out: Repairs) {
    const result = deps.enqueue({
      id: randomUUID(),
      deliveryId: "",
      repo,
      receivedAt: now().toISOString(),
      kind: "pull",
      number: pr.number,
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      trigger: `reconcile (${reason})`,
      only: null,
      fromFork: fork,
      updatedAt: pr.updated_at ?? null,
    });
    if (result.queued) out.requeued.push({ repo, number: pr.number, reason });
  }

  /** After the pins (so fixture-bot's verdicts beside them are fresh). Never fails the reconcile. */
  async function readOutcomes(): Promise<ReconcileSummary["outcomes"]> {
    if (!deps.outcomes) return [];
    try {
      const read = await deps.outcomes.refresh(null);
      return read.map((o) => ({ name: o.name, outcome: o.outcome }));
    } catch (error) {
      deps.log.warn(
        { err: deps.sanitize(errorMessage(error)) },
        "reconcile: cannot read the canaries' outcomes",
      );
      return [];
    }
  }

  async function runOnce(): Promise<ReconcileSummary> {
    const started = Date.now();
    const manifest = deps.manifests.current();
    const pins = await verifyPins(manifest);
    const repairs = deps.config.requeuePulls
      ? await repairPulls(manifest)
      : { requeued: [], repaired: [] };
    const outcomes = await readOutcomes();
    const summary = { ...pins, ...repairs, outcomes };
    deps.housekeeping?.();
    deps.log.info({ ...summary, ms: Date.now() - started }, "reconcile finished");
    return summary;
  }

  return {
    run() {
      if (running) return running;
      running = runOnce().finally(() => {
        running = null;
      });
      return running;
    },
    start(intervalMs) {
      const tick = () =>
        void this.run().catch((error: unknown) => {
          deps.log.error({ err: deps.sanitize(errorMessage(error)) }, "reconcile failed");
        });
      tick();
      if (intervalMs > 0) {
        timer = setInterval(tick, intervalMs);
        timer.unref();
      }
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      // A run under way finishes first: it may be writing into the mirrors.
      await running?.catch(() => undefined);
    },
  };
}
