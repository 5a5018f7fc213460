/**
 * Runs one job: builds its context once (logger, deadline, publication), hands it to the handler
 * of its kind, and ends it through the publication, whatever happened. One deadline bounds the
 * whole job; when it passes, the job's Gitea and git calls are aborted, its status ends in
 * `error`, and the worker is free, even if some call inside never returns.
 */
import type { Job } from "../queue/job.ts";
import { handleCommand } from "./handle-command.ts";
import { handleGivenUp } from "./handle-given-up.ts";
import { handleOutcome } from "./handle-outcome.ts";
import { handlePull } from "./handle-pull.ts";
import { handlePush } from "./handle-push.ts";
import type { JobContext, Outcome, PipelineDeps } from "./job-context.ts";
import { createPublication, JobTimeout } from "./publish.ts";
import { createInProcessVerifier } from "./verifier.ts";

export function createJobRunner(deps: PipelineDeps): (job: Job) => Promise<void> {
  return (job) => runWith(deps, job, dispatch);
}

/**
 * Ends a job that was interrupted `attempts` times without running it again: an `error` status
 * where it would have reported (handle-given-up.ts), under the same deadline and publication.
 */
export function createGiveUp(deps: PipelineDeps): (job: Job, attempts: number) => Promise<void> {
  return (job, attempts) => runWith(deps, job, (ctx) => handleGivenUp(ctx, attempts));
}

async function runWith(
  deps: PipelineDeps,
  job: Job,
  work: (ctx: JobContext) => Promise<Outcome>,
): Promise<void> {
  const startedAt = Date.now();
  const log = deps.log.child({
    job: job.id,
    delivery: job.deliveryId,
    kind: job.kind,
    repo: job.repo,
  });
  const deadline = new AbortController();
  const ms = deps.config.jobTimeoutMs;
  const timer = setTimeout(() => deadline.abort(new JobTimeout(ms)), ms);
  const gitea = deps.gitea.bound(deadline.signal, startedAt + ms);
  const publication = createPublication({ deps, job, log, gitea, startedAt });
  const verifier =
    deps.verifier ??
    createInProcessVerifier({ workspace: deps.workspace, limits: deps.limits, log });
  const ctx: JobContext = {
    job,
    deps,
    log,
    signal: deadline.signal,
    gitea,
    publication,
    verify: (request, source) =>
      verifier.verify(request, {
        signal: deadline.signal,
        log,
        onVerified: (result, ms) => deps.onVerified?.(result, ms, source),
      }),
  };
  log.info({}, "job started");
  try {
    const outcome = await untilAborted(work(ctx), deadline.signal);
    if (outcome.kind === "report") await publication.finish(outcome.report);
    else publication.nothing(outcome.reason, { decided: outcome.decided !== false });
  } catch (error) {
    await publication.fail(deadline.signal.aborted ? deadline.signal.reason : error);
  } finally {
    clearTimeout(timer);
    // Whatever the handler still has in flight is cut off: the job is over.
    if (!deadline.signal.aborted) deadline.abort(new Error("the job has ended"));
  }
}

async function dispatch(ctx: JobContext): Promise<Outcome> {
  const { job } = ctx;
  switch (job.kind) {
    case "pull": {
      const outcome = await handlePull(ctx, job);
      // Names only come with /verify, which is a command job.
      return outcome.kind === "unknown-names"
        ? { kind: "nothing", reason: "unknown names", decided: false }
        : outcome;
    }
    case "command":
      return handleCommand({ ...ctx, job });
    case "push":
      return handlePush({ ...ctx, job });
    case "outcome":
      return handleOutcome({ ...ctx, job });
  }
}

/** `work`, or the signal's reason as soon as it aborts (the worker does not wait for `work`). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
