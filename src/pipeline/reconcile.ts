/**
 * The reconcile makes missed deliveries stop mattering. At start and then every interval it
 * (1) verifies every fixture's pin, which catches a pin lost to a force-push or a base that moved
 * when no webhook came, and records the run for the dashboard; and (2) looks at every open pull
 * request that fixture-bot should report on, and queues it again when its latest status is missing
 * or has been `pending` for longer than a job can take, or when it has a final status but no report
 * comment for its head (the comment calls failed after the status was posted).
 */
import { randomUUID } from "node:crypto";
import type { Manifest } from "../config/manifest.ts";
import { pullRole } from "../config/pull-role.ts";
import type { Limits } from "../engine/inspect-files.ts";
import type { GiteaClient } from "../gitea/client.ts";
import type { CommitStatus, PullRequest } from "../gitea/schemas.ts";
import type { EnqueueResult, Job } from "../queue/job.ts";
import { REPORT_MARKER } from "../render/render-comment.ts";
import { errorMessage } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { type FixtureResult, type RunReport, summarize } from "../shared/result.ts";
import type { Workspace } from "../workspace/workspace.ts";
import type { ManifestSource } from "./manifest-source.ts";
import { latestOwn, sanitizeReport } from "./publish.ts";
import { verifyFixtures } from "./verify-fixture.ts";

export type ReconcileDeps = {
  gitea: GiteaClient;
  workspace: Workspace;
  manifests: ManifestSource;
  enqueue: (job: Job) => EnqueueResult;
  /** Whether a job already finished for this PR head (it found nothing to report, say). */
  handled?: (repo: string, number: number, headSha: string) => boolean;
  record: (report: RunReport) => number | null;
  limits: Limits;
  log: Logger;
  sanitize: (text: string) => string;
  onVerified?: (result: FixtureResult, ms: number | null, source: "pin") => void;
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

  async function verifyPins(manifest: Manifest): Promise<Omit<ReconcileSummary, "requeued">> {
    const verify = {
      ...deps,
      onVerified: (r: FixtureResult, ms: number | null) => deps.onVerified?.(r, ms, "pin"),
    };
    const report = sanitizeReport(
      {
        kind: "reconcile",
        repo: "*",
        sha: "",
        number: null,
        trigger: "reconcile",
        results: await verifyFixtures(manifest.fixtures, verify),
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

  async function requeueStuckPulls(manifest: Manifest): Promise<ReconcileSummary["requeued"]> {
    const repos = new Set(manifest.fixtures.map((f) => f.repo));
    if (deps.manifests.repo) repos.add(deps.manifests.repo);
    const requeued: ReconcileSummary["requeued"] = [];
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
        if (!role.watched) continue;
        let latest: CommitStatus | null;
        let reported = true;
        try {
          latest = latestOwn(
            await deps.gitea.listStatuses(repo, pr.head.sha),
            deps.config.statusContext,
          );
          // A verdict (not an error) was posted: its report comment must be there too.
          if (latest !== null && (latest.status === "success" || latest.status === "failure"))
            reported = await hasReport(repo, pr);
        } catch (error) {
          deps.log.warn(
            { repo, number: pr.number, err: deps.sanitize(errorMessage(error)) },
            "reconcile: cannot read statuses",
          );
          continue;
        }
        const age = latest
          ? now().getTime() - new Date(latest.created_at).getTime()
          : Number.POSITIVE_INFINITY;
        // No status and no finished job: the delivery was lost. No status but a finished job: there
        // was nothing to report (a PR that does not touch the manifest), so do not run it forever.
        const lost = latest === null && !(deps.handled?.(repo, pr.number, pr.head.sha) ?? false);
        const stuck =
          latest !== null && latest.status === "pending" && age > deps.config.pendingAfterMs;
        const reason = lost
          ? "no status"
          : stuck
            ? "status stuck at pending"
            : !reported
              ? "no report comment"
              : null;
        if (reason === null) continue;
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
          fromFork: role.fork,
          updatedAt: pr.updated_at ?? null,
        });
        if (result.queued) requeued.push({ repo, number: pr.number, reason });
      }
    }
    return requeued;
  }

  async function runOnce(): Promise<ReconcileSummary> {
    const started = Date.now();
    const manifest = deps.manifests.current();
    const pins = await verifyPins(manifest);
    const requeued = deps.config.requeuePulls ? await requeueStuckPulls(manifest) : [];
    const summary = { ...pins, requeued };
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
