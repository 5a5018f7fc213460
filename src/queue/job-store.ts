/**
 * Durable jobs. A job is written here before the delivery is answered, so a restart never loses
 * one: what was queued or running when the process stopped is queued again on the next start.
 * De-duplication and coalescing happen in one transaction with the insert.
 */
import type { Db } from "../store/database.ts";
import { compareHeads, type EnqueueResult, type Job } from "./job.ts";

export type JobState = "queued" | "running" | "done" | "failed" | "replaced";

export type JobStore = {
  /** Insert a job unless it repeats a delivery or queued work; a newer revision replaces a queued one. */
  add(job: Job, key: string, revision: string): EnqueueResult & { replaced?: string };
  /** The oldest queued job whose key is not running, marked running; null when there is none. */
  claimNext(runningKeys: ReadonlySet<string>): { job: Job; key: string } | null;
  finish(id: string, state: "done" | "failed", error?: string): void;
  /**
   * After a restart: jobs left running go back to the queue, unless they were interrupted
   * `maxAttempts` times already. `ownIds` are running in this process and are left alone.
   */
  requeueInterrupted(
    maxAttempts: number,
    ownIds: ReadonlySet<string>,
  ): { requeued: number; abandoned: Abandoned[] };
  queuedCount(): number;
  /** Jobs queued and running, for the metrics (running: as the database last recorded it). */
  counts(): { queued: number; running: number };
  /** Whether a job with this key is queued or running (it will report; the reconcile waits). */
  busy(key: string): boolean;
  /**
   * The head of a pull request as the newest of its jobs says it (by Gitea's updated_at, then by
   * arrival), or null when no job for it is known.
   */
  newestHead(key: string): string | null;
  /** Forget delivery ids (and finished jobs) older than `before` (ISO time). */
  prune(before: string): void;
};

/** A job given up after it was interrupted `attempts` times (marked failed). */
export type Abandoned = { job: Job; attempts: number };

type JobRow = { id: string; key: string; payload: string; attempts: number };

export function createJobStore(
  db: Db,
  now: () => string = () => new Date().toISOString(),
): JobStore {
  const seenDelivery = db.prepare<[string], { id: string }>(
    "SELECT id FROM deliveries WHERE id = ?",
  );
  const addDelivery = db.prepare("INSERT INTO deliveries (id, received_at) VALUES (?, ?)");
  const queuedWithKey = db.prepare<
    [string],
    { id: string; revision: string; kind: string; payload: string }
  >(
    "SELECT id, revision, kind, payload FROM jobs WHERE key = ? AND state = 'queued' ORDER BY rowid",
  );
  const markReplaced = db.prepare(
    "UPDATE jobs SET state = 'replaced', finished_at = ? WHERE id = ?",
  );
  const insert = db.prepare(
    `INSERT INTO jobs (id, key, revision, kind, delivery_id, payload, state, created_at)
     VALUES (@id, @key, @revision, @kind, @deliveryId, @payload, 'queued', @createdAt)`,
  );
  const queued = db.prepare<[], JobRow>(
    "SELECT id, key, payload, attempts FROM jobs WHERE state = 'queued' ORDER BY rowid",
  );
  const markRunning = db.prepare(
    "UPDATE jobs SET state = 'running', started_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'queued'",
  );
  const markFinished = db.prepare(
    "UPDATE jobs SET state = ?, finished_at = ?, error = ? WHERE id = ?",
  );
  const running = db.prepare<[], JobRow>(
    "SELECT id, key, payload, attempts FROM jobs WHERE state = 'running'",
  );
  const requeue = db.prepare("UPDATE jobs SET state = 'queued' WHERE id = ?");
  const countQueued = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM jobs WHERE state = 'queued'",
  );
  const countRunning = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM jobs WHERE state = 'running'",
  );
  const pruneDeliveries = db.prepare("DELETE FROM deliveries WHERE received_at < ?");
  const activeFor = db.prepare<[string], { n: number }>(
    "SELECT count(*) AS n FROM jobs WHERE key = ? AND state IN ('queued', 'running')",
  );
  const pullPayloads = db.prepare<[string], { payload: string }>(
    "SELECT payload FROM jobs WHERE key = ? AND kind = 'pull' ORDER BY rowid",
  );
  const pruneJobs = db.prepare(
    "DELETE FROM jobs WHERE state IN ('done', 'failed', 'replaced') AND created_at < ?",
  );

  const add = db.transaction(
    (job: Job, key: string, revision: string): EnqueueResult & { replaced?: string } => {
      if (job.deliveryId) {
        if (seenDelivery.get(job.deliveryId)) {
          return { queued: false, reason: `delivery ${job.deliveryId} was already received` };
        }
        addDelivery.run(job.deliveryId, now());
      }
      // Only a job of the same kind repeats or supersedes a queued one: a /verify (which may be
      // refused) never cancels a queued verification, nor a verification a queued /verify.
      const waiting = queuedWithKey.all(key).filter((w) => w.kind === job.kind);
      if (waiting.some((w) => w.revision === revision)) {
        return { queued: false, reason: "the same verification is already queued" };
      }
      // For a pull request, the head decides, not the arrival: a delivery of an older head never
      // replaces a newer one's job (it is not queued at all); a newer head replaces the queued
      // older one; when Gitea's times cannot tell (the same second), both wait, and each job asks
      // Gitea for the PR's head before it posts anything.
      const order = waiting.map((w) => ({
        id: w.id,
        order: compareHeads(job, JSON.parse(w.payload) as Job),
      }));
      const newer = order.find((o) => o.order === "older");
      if (job.kind === "pull" && newer) {
        return {
          queued: false,
          reason: "a job for a newer head of this pull request is already queued",
        };
      }
      const older = order.filter((o) => o.order === "newer");
      const replaces =
        job.kind === "pull" ? older[0]?.id : job.kind === "push" ? waiting[0]?.id : undefined;
      for (const o of job.kind === "pull" ? older.slice(1) : []) markReplaced.run(now(), o.id);
      if (replaces) markReplaced.run(now(), replaces);
      insert.run({
        id: job.id,
        key,
        revision,
        kind: job.kind,
        deliveryId: job.deliveryId,
        payload: JSON.stringify(job),
        createdAt: now(),
      });
      return replaces
        ? { queued: true, jobId: job.id, replaced: replaces }
        : { queued: true, jobId: job.id };
    },
  );

  const claim = db.transaction((runningKeys: ReadonlySet<string>) => {
    for (const row of queued.all()) {
      if (runningKeys.has(row.key)) continue;
      markRunning.run(now(), row.id);
      return { job: JSON.parse(row.payload) as Job, key: row.key };
    }
    return null;
  });

  const requeueAll = db.transaction((maxAttempts: number, ownIds: ReadonlySet<string>) => {
    const abandoned: Abandoned[] = [];
    let requeued = 0;
    for (const row of running.all()) {
      if (ownIds.has(row.id)) continue;
      if (row.attempts >= maxAttempts) {
        markFinished.run("failed", now(), `interrupted ${row.attempts} times`, row.id);
        abandoned.push({ job: JSON.parse(row.payload) as Job, attempts: row.attempts });
      } else {
        requeue.run(row.id);
        requeued += 1;
      }
    }
    return { requeued, abandoned };
  });

  return {
    add: (job, key, revision) => add(job, key, revision),
    claimNext: (keys) => claim(keys),
    finish: (id, state, error) => void markFinished.run(state, now(), error ?? null, id),
    requeueInterrupted: (maxAttempts, ownIds) => requeueAll(maxAttempts, ownIds),
    queuedCount: () => countQueued.get()?.n ?? 0,
    counts: () => ({ queued: countQueued.get()?.n ?? 0, running: countRunning.get()?.n ?? 0 }),
    busy: (key) => (activeFor.get(key)?.n ?? 0) > 0,
    newestHead(key) {
      let newest: Job | null = null;
      for (const row of pullPayloads.all(key)) {
        const job = JSON.parse(row.payload) as Job;
        if (newest === null || compareHeads(job, newest) !== "older") newest = job;
      }
      return newest?.kind === "pull" ? newest.headSha : null;
    },
    prune(before) {
      pruneDeliveries.run(before);
      pruneJobs.run(before);
    },
  };
}
