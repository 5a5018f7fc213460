/**
 * What every job kind reports to Gitea: the commit status (pending first, and always a final one)
 * and, for pull requests, the one report comment.
 */
import { ensureComment } from "../gitea/ensure-comment.ts";
import type { StatusState } from "../gitea/schemas.ts";
import type { Job, PullJob } from "../queue/job.ts";
import { REPORT_MARKER, renderComment } from "../report/render-comment.ts";
import { renderStatus } from "../report/render-status.ts";
import { errorMessage, GitError, GiteaApiError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { type FixtureResult, type RunReport, sanitizeResult } from "../shared/result.ts";
import type { HandlerDeps } from "./handle-job.ts";

export type Reporter = {
  /** Set `pending`, run `work`, and always end in a final status (an error status if work throws). */
  withStatus(
    job: Job,
    target: { sha: string; context: string; pending: string },
    log: Logger,
    work: () => Promise<RunReport>,
  ): Promise<{ report: RunReport; runId: number | null; statusPosted: boolean } | null>;
  /** Create or edit the PR's report comment, unless the PR has moved on to another head. */
  postComment(job: PullJob, report: RunReport, log: Logger): Promise<void>;
  /** A short answer to a comment (a refused /verify, say). */
  reply(repo: string, number: number, text: string, log: Logger): Promise<void>;
  sanitizeResult(result: FixtureResult): FixtureResult;
};

class TimeoutError extends Error {}

export function createReporter(deps: HandlerDeps): Reporter {
  const { gitea, config } = deps;

  const linkTo = (runId: number | null): string | null =>
    !config.publicUrl
      ? null
      : runId === null
        ? config.publicUrl
        : `${config.publicUrl}/runs/${runId}`;

  async function postStatus(
    job: Job,
    sha: string,
    context: string,
    state: StatusState,
    description: string,
    link: string | null,
    log: Logger,
  ): Promise<boolean> {
    if (deps.bot === null) {
      log.info({ sha, context, state, description }, "dry run: would set commit status");
      return true;
    }
    try {
      await gitea.createStatus(job.repo, sha, {
        state,
        context,
        description: deps.sanitize(description).slice(0, 139),
        ...(link ? { target_url: link } : {}),
      });
      return true;
    } catch (error) {
      // The reconcile re-queues a PR whose status is missing or stuck at pending.
      log.error(
        { err: deps.sanitize(errorMessage(error)), state },
        "could not set the commit status",
      );
      return false;
    }
  }

  function record(job: Job, report: RunReport, log: Logger): number | null {
    try {
      return deps.record?.(job, report) ?? null;
    } catch (error) {
      log.error({ err: errorMessage(error) }, "could not store the run");
      return null;
    }
  }

  return {
    async withStatus(job, target, log, work) {
      const started = Date.now();
      await postStatus(
        job,
        target.sha,
        target.context,
        "pending",
        target.pending,
        linkTo(null),
        log,
      );
      try {
        const report = await withTimeout(work(), config.jobTimeoutMs);
        const runId = record(job, report, log);
        const status = renderStatus(report);
        const statusPosted = await postStatus(
          job,
          target.sha,
          target.context,
          status.state,
          status.description,
          linkTo(runId),
          log,
        );
        log.info(
          { state: status.state, description: status.description, run: runId },
          "job finished",
        );
        deps.observe?.(job, report, Date.now() - started);
        return { report, runId, statusPosted };
      } catch (error) {
        const reason = error instanceof TimeoutError ? "timed out" : "could not finish";
        log.error(
          {
            err: deps.sanitize(errorMessage(error)),
            stack: error instanceof Error ? error.stack : undefined,
          },
          `job ${reason}`,
        );
        const posted = await postStatus(
          job,
          target.sha,
          target.context,
          "error",
          `fixture-bot ${reason}: ${shortReason(error)}`,
          linkTo(null),
          log,
        );
        deps.observe?.(job, "error", Date.now() - started);
        // A job whose final state never reached Gitea is failed, so the reconcile picks it up.
        if (!posted) throw new Error("the final commit status could not be posted");
        return null;
      }
    },

    async postComment(job, report, log) {
      if (deps.bot === null) {
        log.info({ comment: renderComment(report) }, "dry run: would post this report comment");
        return;
      }
      try {
        // A result for a head that is no longer the PR's head must not overwrite a newer report.
        const pr = await gitea.getPull(job.repo, job.number);
        if (pr.head.sha !== job.headSha) {
          log.info(
            { head: pr.head.sha },
            "the pull request moved on; not posting this older report",
          );
          return;
        }
        // A stable link (the PR's latest run), so an unchanged report is not edited for a new run id.
        const detailsUrl = config.publicUrl
          ? `${config.publicUrl}/pulls/${job.repo}/${job.number}`
          : null;
        const result = await ensureComment(
          gitea,
          { repo: job.repo, number: job.number, botLogin: deps.bot.login, marker: REPORT_MARKER },
          renderComment(report, { detailsUrl }),
        );
        log.info({ comment: result.commentId, action: result.action }, "report comment");
      } catch (error) {
        log.error({ err: deps.sanitize(errorMessage(error)) }, "could not post the report comment");
      }
    },

    async reply(repo, number, text, log) {
      if (deps.bot === null) {
        log.info({ number, text }, "dry run: would reply");
        return;
      }
      try {
        await gitea.createComment(repo, number, text);
      } catch (error) {
        log.error({ err: deps.sanitize(errorMessage(error)) }, "could not reply to the command");
      }
    },

    sanitizeResult: (result) => sanitizeResult(result, deps.sanitize),
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no result after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function shortReason(error: unknown): string {
  if (error instanceof TimeoutError) return "the job took too long";
  if (error instanceof GiteaApiError)
    return `Gitea API error${error.status ? ` ${error.status}` : ""}`;
  if (error instanceof GitError) return `git failed (${error.failure})`;
  return "internal error (see the bot's log)";
}
