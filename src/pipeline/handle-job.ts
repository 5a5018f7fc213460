/**
 * The one place a job becomes git work, checks and Gitea reports: it dispatches to the handler of
 * each job kind (handle-pull.ts, handle-command.ts, handle-push.ts), which share the reporting in
 * reporter.ts. Every job that sets a `pending` status ends it in `success`, `failure` or `error`,
 * whatever happens on the way: a status never stays pending.
 */
import type { Limits } from "../engine/inspect-files.ts";
import type { GiteaClient } from "../gitea/client.ts";
import type { Job } from "../queue/job.ts";
import { errorMessage } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { FixtureResult, RunReport } from "../shared/result.ts";
import type { Workspace } from "../workspace/workspace.ts";
import { handleCommand } from "./handle-command.ts";
import { handlePull } from "./handle-pull.ts";
import { handlePush } from "./handle-push.ts";
import type { ManifestSource } from "./manifest-source.ts";
import { createReporter } from "./reporter.ts";
import type { VerifyDeps } from "./verify-fixture.ts";

export type HandlerConfig = {
  /** Context of the status on a PR head (the candidate pins). */
  statusContext: string;
  publicUrl: string | null;
  jobTimeoutMs: number;
};

export type HandlerDeps = {
  gitea: GiteaClient;
  workspace: Workspace;
  manifests: ManifestSource;
  /** The bot's Gitea user; null in dry-run mode (no token). */
  bot: { id: number; login: string } | null;
  config: HandlerConfig;
  limits: Limits;
  log: Logger;
  /** Removes secrets and local paths from text that will be shown in Gitea. */
  sanitize: (text: string) => string;
  /** Stores a finished report and returns its run id (its page is PUBLIC_URL/runs/<id>). */
  record?: (job: Job, report: RunReport) => number | null;
  /** The results of the latest run for this PR head, to complete a /verify of some fixtures. */
  previousResults?: (repo: string, number: number, sha: string) => FixtureResult[];
  /** Told of every fixture verification, how long it took, and whether it was a pin (metrics). */
  onVerified?: (result: FixtureResult, ms: number | null, source: "pin" | "candidate") => void;
  /** Told how each job ended (metrics). */
  observe?: (job: Job, outcome: RunReport | "error", durationMs: number) => void;
};

export function createJobHandler(deps: HandlerDeps): (job: Job) => Promise<void> {
  const reporter = createReporter(deps);
  return async function handle(job) {
    const log = deps.log.child({
      job: job.id,
      delivery: job.deliveryId,
      kind: job.kind,
      repo: job.repo,
    });
    log.info({}, "job started");
    try {
      switch (job.kind) {
        case "pull":
          await handlePull(job, deps, reporter, log);
          return;
        case "command":
          return await handleCommand(job, deps, reporter, log);
        case "push":
          return await handlePush(job, deps, reporter, log);
      }
    } catch (error) {
      // Work outside withStatus (before a pending status was set) failed: no status to repair.
      log.error(
        {
          err: deps.sanitize(errorMessage(error)),
          stack: error instanceof Error ? error.stack : undefined,
        },
        "job failed",
      );
      throw error;
    }
  };
}

/** What verifyFixture(s) need, logging on the job's logger and reporting metrics by source. */
export function verifyDepsFor(
  deps: HandlerDeps,
  log: Logger,
  source: "pin" | "candidate",
): VerifyDeps {
  return {
    workspace: deps.workspace,
    limits: deps.limits,
    log,
    onVerified: (result, ms) => deps.onVerified?.(result, ms, source),
  };
}
