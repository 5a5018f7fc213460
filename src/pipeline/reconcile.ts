/**
 * The reconcile makes missed deliveries stop mattering. At start and then every interval it
 * (1) verifies every fixture's pin, which catches a pin lost to a force-push or a base that moved
 * when no webhook came, and records the run for the dashboard; and (2) looks at every open pull
 * request that fixture-bot should report on, and queues it again when its latest status is missing
 * or has been `pending` for longer than a job can take.
 */
import { randomUUID } from "node:crypto";
import { fixturesOnBranch, type Manifest } from "../config/manifest.ts";
import { sameRepoName } from "../config/names.ts";
import type { Limits } from "../engine/inspect-files.ts";
import type { GiteaClient } from "../gitea/client.ts";
import type { CommitStatus, PullRequest } from "../gitea/schemas.ts";
import type { EnqueueResult, Job } from "../queue/job.ts";
import { errorMessage } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { type FixtureResult, type RunReport, sanitizeResult, summarize } from "../shared/result.ts";
import type { Workspace } from "../workspace/workspace.ts";
import type { ManifestSource } from "./manifest-source.ts";
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
  stop(): void;
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
    const results = (await verifyFixtures(manifest.fixtures, verify)).map((r) =>
      sanitizeResult(r, deps.sanitize),
    );
    const runId = deps.record({
      kind: "reconcile",
      repo: "*",
      sha: "",
      number: null,
      trigger: "reconcile",
      results,
      manifestErrors: [],
      pins: [],
      unknownNames: [],
    });
    const s = summarize(results);
    return { fixtures: results.length, ...s, runId };
  }

  function latestOwnStatus(statuses: CommitStatus[]): CommitStatus | null {
    let latest: CommitStatus | null = null;
    for (const s of statuses) {
      if (s.context !== deps.config.statusContext) continue;
      // Times carry the server's UTC offset (+02:00): compare instants, not strings.
      const t = Date.parse(s.created_at);
      const l = latest === null ? Number.NEGATIVE_INFINITY : Date.parse(latest.created_at);
      if (latest === null || t > l || (t === l && s.id > latest.id)) {
        latest = s;
      }
    }
    return latest;
  }

  function isWatched(manifest: Manifest, repo: string, pr: PullRequest): boolean {
    const fromFork = !sameRepoName(pr.head.repo?.full_name ?? repo, repo);
    // A fork's PR to the manifest repository waits for a writer's /verify (see gitea-events.ts).
    if (sameRepoName(repo, deps.manifests.repo)) return !fromFork;
    return !fromFork && fixturesOnBranch(manifest, repo, pr.head.ref).length > 0;
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
      for (const pr of pulls.filter((p) => isWatched(manifest, repo, p))) {
        let latest: CommitStatus | null;
        try {
          latest = latestOwnStatus(await deps.gitea.listStatuses(repo, pr.head.sha));
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
        const reason = lost ? "no status" : stuck ? "status stuck at pending" : null;
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
          fromFork: !sameRepoName(pr.head.repo?.full_name ?? repo, repo),
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
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
