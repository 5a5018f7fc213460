/**
 * Runs jobs from the durable store with bounded concurrency. Deliveries that repeat run once (the
 * store refuses a delivery id it has seen, and work identical to a queued job); a newer job for the
 * same key (a new head for the same PR) replaces the queued older one; two jobs with one key never
 * run at once. On start, jobs that were queued or running when the process stopped are resumed.
 */
import type { Logger } from "../shared/logger.ts";
import { asStorageError } from "../store/storage-errors.ts";
import { type EnqueueResult, type Job, jobKey, jobRevision } from "./job.ts";
import type { Abandoned, JobStore } from "./job-store.ts";

export type JobQueueOptions = {
  handle: (job: Job) => Promise<void>;
  store: JobStore;
  concurrency: number;
  log: Logger;
  /** A job interrupted this many times (the process died under it) is given up. */
  maxAttempts?: number;
  /**
   * Tells where a given-up job would have reported that it was given up (an `error` status), without
   * running it. Never throws; `idle()` waits for it.
   */
  giveUp?: (job: Job, attempts: number) => Promise<void>;
};

export type JobQueue = {
  /** Store the job and start it when a worker is free; throws StorageError when it cannot be stored. */
  enqueue(job: Job): EnqueueResult;
  /** Queue again what a previous process left queued or running, and start working. */
  resume(): { requeued: number; abandoned: Abandoned[] };
  stats(): { queued: number; running: number };
  /** Stop starting jobs; wait for running ones up to `deadlineMs`. Returns how many did not finish. */
  drain(deadlineMs: number): Promise<{ unfinished: number }>;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
};

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { store, log } = options;
  const running = new Map<string, Promise<void>>();
  const runningIds = new Set<string>();
  const givingUp = new Set<Promise<void>>();
  let draining = false;
  let idleWaiters: (() => void)[] = [];

  /**
   * A store write that fails (disk full, a locked or damaged database) must not take the process
   * and every other running job down: log it. The job stays as it was in the database and is
   * resumed, or repaired by the reconcile, later.
   */
  function safely<T>(what: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (error) {
      log.error(
        { err: error instanceof Error ? error.message : String(error) },
        `job store: ${what} failed`,
      );
      return fallback;
    }
  }

  const queuedCount = () => safely("counting queued jobs", () => store.queuedCount(), 0);

  const busy = () => running.size > 0 || givingUp.size > 0 || queuedCount() > 0;

  function settleIdle(): void {
    if (busy()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function pump(): void {
    while (!draining && running.size < options.concurrency) {
      const next = safely("claiming a job", () => store.claimNext(new Set(running.keys())), null);
      if (next === null) break;
      const { job, key } = next;
      runningIds.add(job.id);
      const run = options
        .handle(job)
        .then(
          () => safely("finishing a job", () => store.finish(job.id, "done"), undefined),
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            log.error({ job: job.id, err: message }, "job failed");
            safely("finishing a job", () => store.finish(job.id, "failed", message), undefined);
          },
        )
        .finally(() => {
          running.delete(key);
          runningIds.delete(job.id);
          pump();
          settleIdle();
        });
      running.set(key, run);
    }
  }

  return {
    enqueue(job) {
      // While draining, a delivery is still written (the 202 promises it is kept) but not started:
      // the next process runs it.
      let result: ReturnType<JobStore["add"]>;
      try {
        result = store.add(job, jobKey(job), jobRevision(job));
      } catch (error) {
        // Not stored, so not accepted: the intake answers 503 and says why.
        throw asStorageError(error) ?? error;
      }
      if (result.queued && result.replaced) {
        log.info({ replaced: result.replaced, by: job.id }, "newer job replaces a queued one");
      }
      pump();
      return result.queued ? { queued: true, jobId: result.jobId } : result;
    },
    resume() {
      const outcome = store.requeueInterrupted(options.maxAttempts ?? 3, runningIds);
      for (const { job, attempts } of outcome.abandoned) {
        log.error(
          { job: job.id, kind: job.kind, repo: job.repo, attempts },
          "job given up: it was interrupted too many times",
        );
        if (!options.giveUp) continue;
        const told: Promise<void> = options
          .giveUp(job, attempts)
          .catch((error: unknown) => {
            log.error(
              { job: job.id, err: error instanceof Error ? error.message : String(error) },
              "could not say that the job was given up",
            );
          })
          .finally(() => {
            givingUp.delete(told);
            settleIdle();
          });
        givingUp.add(told);
      }
      if (outcome.requeued > 0 || queuedCount() > 0) {
        log.info(
          { requeued: outcome.requeued, queued: queuedCount() },
          "resuming jobs from the last run",
        );
      }
      pump();
      return outcome;
    },
    stats: () => ({ queued: queuedCount(), running: running.size }),
    async drain(deadlineMs) {
      draining = true;
      const all = Promise.allSettled([...running.values()]);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
      });
      await Promise.race([all, timeout]);
      clearTimeout(timer);
      return { unfinished: running.size + queuedCount() };
    },
    idle() {
      if (!busy()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
