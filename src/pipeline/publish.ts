/**
 * How every job ends, in one place. A job's publication knows where the job reports (its target:
 * a commit and a status context, and for a pull request the report comment) and does, in order:
 * `pending` (before any git work), then, whatever happened, the sanitised report recorded, the
 * final status (`success`, `failure` or `error`), the status read back (a late-stored `pending`
 * must not win), and the report comment. A job whose final status never reached Gitea throws one
 * error, so the queue marks it failed and the reconcile picks the PR up again.
 */

import type { GiteaClient } from "../gitea/client.ts";
import { ensureComment } from "../gitea/ensure-comment.ts";
import type { CommitStatus, StatusState } from "../gitea/schemas.ts";
import type { Job } from "../queue/job.ts";
import { REPORT_MARKER, renderComment } from "../render/render-comment.ts";
import { renderStatus } from "../render/render-status.ts";
import { errorMessage, GitError, GiteaApiError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { type Redact, type Sanitizer, secretsOf } from "../shared/redact.ts";
import { type RunReport, sanitizeResult } from "../shared/result.ts";
import { JobGivenUp } from "./handle-given-up.ts";
import type { PipelineDeps, Publication, PullDecision, StatusTarget } from "./job-context.ts";
import { VerifierDied } from "./verifier.ts";

/** The job's deadline passed: what `signal.reason` is when run-job aborts a job. */
export class JobTimeout extends Error {
  constructor(ms: number) {
    super(`no result after ${ms} ms`);
    this.name = "JobTimeout";
  }
}

/** The one error a job ends with when its final status could not be posted. */
export class FinalStatusLost extends Error {
  constructor(cause: unknown) {
    super("the final commit status could not be posted", { cause });
    this.name = "FinalStatusLost";
  }
}

/** A report fit to publish: every text from git, the repository or the file system sanitised. */
export function sanitizeReport(report: RunReport, sanitize: Redact | Sanitizer): RunReport {
  return {
    ...report,
    results: report.results.map((r) => sanitizeResult(r, sanitize)),
    // Manifest errors quote the manifest (repository text): secrets go, paths stay as written.
    manifestErrors: report.manifestErrors.map(secretsOf(sanitize)),
  };
}

export function createPublication(options: {
  deps: PipelineDeps;
  job: Job;
  log: Logger;
  /** Gitea bounded by the job's deadline (pending, replies, comment). */
  gitea: GiteaClient;
  startedAt: number;
}): Publication {
  const { deps, job, log, gitea } = options;
  const { config } = deps;
  let target: StatusTarget | null = null;
  let pending: Promise<void> | null = null;
  /** A status POST of this job got no answer: Gitea may still store it, later. */
  let unanswered = false;
  let closed = false;

  const linkTo = (runId: number | null): string | null =>
    !config.publicUrl
      ? null
      : runId === null
        ? config.publicUrl
        : `${config.publicUrl}/runs/${runId}`;

  /** The final status may outlive the job's deadline, by its own bounded time. */
  const finalGitea = () => {
    const ms = config.finalStatusMs ?? 30_000;
    return deps.gitea.bound(AbortSignal.timeout(ms), Date.now() + ms);
  };

  async function post(
    client: GiteaClient,
    to: StatusTarget,
    state: StatusState,
    description: string,
    link: string | null,
    retry: boolean,
  ): Promise<boolean> {
    try {
      await client.createStatus(
        to.repo,
        to.sha,
        {
          state,
          context: to.context,
          description: deps.sanitize(description).slice(0, 139),
          ...(link ? { target_url: link } : {}),
        },
        { retry },
      );
      return true;
    } catch (error) {
      // No answer (a timeout, a dropped connection) is not a refusal: Gitea may store it yet.
      if (!(error instanceof GiteaApiError && error.status !== null && error.status < 500))
        unanswered = true;
      log.error(
        { err: deps.sanitize(errorMessage(error)), state },
        "could not set the commit status",
      );
      return false;
    }
  }

  /**
   * Post the final state, then read the statuses back: when an older state of this job is the
   * latest (a `pending` Gitea stored after the final one), post the final state again. When a
   * status POST of this job went unanswered, Gitea may store it later still: look again once it
   * has surely landed, in the background (the worker is not held; the reconcile is the backstop
   * should the process stop first).
   */
  async function postFinal(
    to: StatusTarget,
    state: StatusState,
    description: string,
    link: string | null,
  ): Promise<boolean> {
    // A pending still in flight lands before the final state, not after it.
    if (pending) await pending;
    const client = finalGitea();
    if (!(await post(client, to, state, description, link, true))) return false;
    const confirm = async (c: GiteaClient) => {
      try {
        const latest = latestOwn(await c.listStatuses(to.repo, to.sha), to.context);
        if (latest && latest.status !== state) {
          log.warn(
            { latest: latest.status, state },
            "an older status of this job landed after the final one; posting the final one again",
          );
          await post(c, to, state, description, link, true);
        }
      } catch (error) {
        log.warn({ err: deps.sanitize(errorMessage(error)) }, "could not read the statuses back");
      }
    };
    await confirm(client);
    if (unanswered) {
      const later = setTimeout(() => void confirm(finalGitea()), config.settleMs ?? 30_000);
      later.unref();
    }
    return true;
  }

  async function comment(to: StatusTarget, report: RunReport): Promise<void> {
    const pull = to.pull;
    if (!pull) return;
    try {
      // A result for a head that is no longer the PR's head must not overwrite a newer report.
      const pr = await gitea.getPull(to.repo, pull.number);
      if (pr.head.sha !== pull.headSha) {
        log.info({ head: pr.head.sha }, "the pull request moved on; not posting this older report");
        return;
      }
      const result = await postReportComment(
        gitea,
        { repo: to.repo, number: pull.number, headSha: pull.headSha },
        report,
        { botLogin: deps.bot.login, publicUrl: config.publicUrl },
      );
      log.info({ comment: result.commentId, action: result.action }, "report comment");
    } catch (error) {
      // The reconcile notices a PR with a final status and no report comment, and runs it again.
      log.error({ err: deps.sanitize(errorMessage(error)) }, "could not post the report comment");
    }
  }

  /** Remember what was decided for the PR head this job reports on (never fails the job). */
  function decide(
    to: StatusTarget | null,
    state: PullDecision["state"],
    description: string,
    runId: number | null,
  ) {
    if (!to?.pull) return;
    try {
      deps.decided?.({
        repo: to.repo,
        number: to.pull.number,
        headSha: to.pull.headSha,
        state,
        // As the status says it: sanitised, at most Gitea's 139 characters.
        description: deps.sanitize(description).slice(0, 139),
        runId,
      });
    } catch (error) {
      log.error({ err: errorMessage(error) }, "could not store the decision");
    }
  }

  function record(report: RunReport): number | null {
    try {
      return deps.record?.(job, report) ?? null;
    } catch (error) {
      log.error({ err: errorMessage(error) }, "could not store the run");
      return null;
    }
  }

  const elapsed = () => Date.now() - options.startedAt;

  return {
    aim(to) {
      target ??= to;
    },

    async begin(to, text) {
      target = to;
      // One attempt: a pending repeated after a timeout is one more late write.
      pending = post(gitea, to, "pending", text, linkTo(null), false).then(() => undefined);
      await pending;
    },

    async reply(number, text) {
      try {
        await gitea.createComment(job.repo, number, deps.sanitize(text));
      } catch (error) {
        log.error(
          { err: deps.sanitize(errorMessage(error)) },
          "could not reply in the pull request",
        );
      }
    },

    async finish(raw) {
      if (closed) return;
      closed = true;
      const report = sanitizeReport(raw, deps.sanitize);
      const runId = record(report);
      const status = renderStatus(report);
      const to = target;
      if (!to) throw new Error("a job finished with a report but no status target");
      decide(to, status.state, status.description, runId);
      const posted = await postFinal(to, status.state, status.description, linkTo(runId));
      log.info(
        { state: status.state, description: status.description, run: runId },
        "job finished",
      );
      deps.observe?.(job, report, elapsed());
      await comment(to, report);
      if (!posted) throw new FinalStatusLost(null);
    },

    nothing(reason, nothingOptions = {}) {
      if (closed) return;
      closed = true;
      log.info({ reason }, "nothing to verify");
      // A pull job's "nothing" is its decision for that head (a PR that does not touch the
      // manifest): the reconcile then expects no status there.
      if (job.kind === "pull" && nothingOptions.decided !== false) {
        decide(
          {
            repo: job.repo,
            sha: job.headSha,
            context: config.statusContext,
            pull: { number: job.number, headSha: job.headSha },
          },
          "nothing",
          "",
          null,
        );
      }
      deps.observe?.(job, "nothing", elapsed());
    },

    async fail(error) {
      if (closed) return;
      closed = true;
      deps.observe?.(job, "error", elapsed());
      const to = target;
      // Nowhere to report (it failed before it knew): the queue records and logs the failure.
      if (!to) throw error;
      const timedOut = error instanceof JobTimeout;
      const reason = timedOut
        ? "timed out"
        : error instanceof JobGivenUp
          ? "gave up"
          : "could not finish";
      log.error(
        {
          err: deps.sanitize(errorMessage(error)),
          stack:
            !timedOut && !(error instanceof JobGivenUp) && error instanceof Error
              ? error.stack
              : undefined,
        },
        `job ${reason}`,
      );
      const description = `fixture-bot ${reason}: ${shortReason(error)}`;
      decide(to, "error", description, null);
      const posted = await postFinal(to, "error", description, linkTo(null));
      if (!posted) throw new FinalStatusLost(error);
    },
  };
}

/**
 * The one report comment of a pull request, written or edited to say this report. Its link leads
 * to this head's run (not to whatever ran last), stable across runs of the head, so an unchanged
 * report is not edited for a new run id.
 */
export function postReportComment(
  gitea: GiteaClient,
  pull: { repo: string; number: number; headSha: string },
  report: RunReport,
  options: { botLogin: string; publicUrl: string | null },
): ReturnType<typeof ensureComment> {
  const detailsUrl = options.publicUrl
    ? `${options.publicUrl}/pulls/${pull.repo}/${pull.number}/${pull.headSha}`
    : null;
  return ensureComment(
    gitea,
    { repo: pull.repo, number: pull.number, botLogin: options.botLogin, marker: REPORT_MARKER },
    renderComment(report, { detailsUrl }),
  );
}

/** The newest status in `context` (times compared as instants; ties broken by id). */
export function latestOwn(statuses: readonly CommitStatus[], context: string): CommitStatus | null {
  let latest: CommitStatus | null = null;
  for (const s of statuses) {
    if (s.context !== context) continue;
    const t = Date.parse(s.created_at);
    const l = latest === null ? Number.NEGATIVE_INFINITY : Date.parse(latest.created_at);
    if (latest === null || t > l || (t === l && s.id > latest.id)) latest = s;
  }
  return latest;
}

function shortReason(error: unknown): string {
  if (error instanceof JobTimeout) return "the job took too long";
  if (error instanceof JobGivenUp)
    return `the service stopped ${error.attempts} times while this ran; push or /verify to run it again`;
  if (error instanceof GiteaApiError)
    return `Gitea API error${error.status ? ` ${error.status}` : ""}${error.note ? ` (${error.note})` : ""}`;
  if (error instanceof GitError) return `git failed (${error.failure})`;
  if (error instanceof VerifierDied)
    return `the verification process died (${error.signal ?? `exit code ${error.code}`})`;
  return "internal error (see the bot's log)";
}
