/**
 * Runs jobs with bounded concurrency. Deliveries that repeat run once: the same delivery id is
 * refused, and a job identical to one already queued (same key and revision) is dropped. A newer
 * job for the same key (a new head for the same PR) replaces the queued older one. Two jobs with
 * one key never run at once.
 */
import type { Logger } from "../shared/logger.ts";
import { type EnqueueResult, type Job, jobKey, jobRevision } from "./job.ts";

export type JobQueueOptions = {
  handle: (job: Job) => Promise<void>;
  concurrency: number;
  log: Logger;
  /** How many delivery ids to remember for de-duplication. */
  rememberDeliveries?: number;
};

export type JobQueue = {
  enqueue(job: Job): EnqueueResult;
  stats(): { queued: number; running: number };
  /** Stop starting jobs; wait for running ones up to `deadlineMs`. Returns how many did not finish. */
  drain(deadlineMs: number): Promise<{ unfinished: number }>;
  /** Resolves when nothing is queued or running (tests). */
  idle(): Promise<void>;
};

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const queued = new Map<string, Job>();
  const running = new Map<string, Promise<void>>();
  const deliveries = new Set<string>();
  const limit = options.rememberDeliveries ?? 10_000;
  let draining = false;
  let idleWaiters: (() => void)[] = [];

  function remember(id: string): void {
    deliveries.add(id);
    if (deliveries.size > limit) deliveries.delete(deliveries.values().next().value as string);
  }

  function pump(): void {
    if (draining) return;
    for (const [key, job] of queued) {
      if (running.size >= options.concurrency) break;
      if (running.has(key)) continue;
      queued.delete(key);
      const run = options
        .handle(job)
        .catch((error: unknown) => {
          options.log.error(
            { job: job.id, err: error instanceof Error ? error.message : String(error) },
            "job failed",
          );
        })
        .finally(() => {
          running.delete(key);
          pump();
          if (queued.size === 0 && running.size === 0) {
            const waiters = idleWaiters;
            idleWaiters = [];
            for (const w of waiters) w();
          }
        });
      running.set(key, run);
    }
  }

  return {
    enqueue(job) {
      if (draining) return { queued: false, reason: "shutting down" };
      if (job.deliveryId && deliveries.has(job.deliveryId)) {
        return { queued: false, reason: `delivery ${job.deliveryId} was already received` };
      }
      if (job.deliveryId) remember(job.deliveryId);
      const key = jobKey(job);
      const waiting = queued.get(key);
      if (waiting && jobRevision(waiting) === jobRevision(job)) {
        return { queued: false, reason: "the same verification is already queued" };
      }
      if (waiting) {
        queued.delete(key); // the newer one goes to the back of the line, replacing the older
        options.log.info({ replaced: waiting.id, by: job.id }, "newer job replaces a queued one");
      }
      queued.set(key, job);
      pump();
      return { queued: true, jobId: job.id };
    },
    stats: () => ({ queued: queued.size, running: running.size }),
    async drain(deadlineMs) {
      draining = true;
      const all = Promise.allSettled([...running.values()]);
      const timeout = new Promise<"timeout">((resolve) =>
        setTimeout(() => resolve("timeout"), deadlineMs).unref(),
      );
      await Promise.race([all, timeout]);
      return { unfinished: running.size + queued.size };
    },
    idle() {
      if (queued.size === 0 && running.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
