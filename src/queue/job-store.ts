/**
 * Durable jobs. A job is written here before the delivery is answered, so a restart never loses
 * one: what was queued or running when the process stopped is queued again on the next start.
 * De-duplication and coalescing happen in one transaction with the insert.
 */
import type { Db } from "../store/database.ts";
import type { EnqueueResult, Job } from "./job.ts";

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
  ): { requeued: number; abandoned: Job[] };
  queuedCount(): number;
  /** Jobs queued and running, for the metrics (running: as the database last recorded it). */
  counts(): { queued: number; running: number };
  /** Whether a pull job for this PR head finished (so a missing status means it had nothing to say). */
  handled(key: string, headSha: string): boolean;
  /** Forget delivery ids (and finished jobs) older than `before` (ISO time). */
  prune(before: string): void;
};

type JobRow = { id: string; key: string; payload: string; attempts: number };

export function createJobStore(
  db: Db,
  now: () => string = () => new Date().toISOString(),
): JobStore {
  const seenDelivery = db.prepare<[string], { id: string }>(
    "SELECT id FROM deliveries WHERE id = ?",
  );
  const addDelivery = db.prepare("INSERT INTO deliveries (id, received_at) VALUES (?, ?)");
  const queuedWithKey = db.prepare<[string], { id: string; revision: string; kind: string }>(
    "SELECT id, revision, kind FROM jobs WHERE key = ? AND state = 'queued' ORDER BY rowid",
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
  const doneFor = db.prepare<[string, string], { n: number }>(
    "SELECT count(*) AS n FROM jobs WHERE key = ? AND kind = 'pull' AND state = 'done' AND json_extract(payload, '$.headSha') = ?",
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
      const waiting = queuedWithKey.all(key).find((w) => w.kind === job.kind);
      if (waiting && waiting.revision === revision) {
        return { queued: false, reason: "the same verification is already queued" };
      }
      const replaces = waiting && job.kind !== "command" ? waiting.id : undefined;
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
    const abandoned: Job[] = [];
    let requeued = 0;
    for (const row of running.all()) {
      if (ownIds.has(row.id)) continue;
      if (row.attempts >= maxAttempts) {
        markFinished.run("failed", now(), `interrupted ${row.attempts} times`, row.id);
        abandoned.push(JSON.parse(row.payload) as Job);
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
    handled: (key, headSha) => (doneFor.get(key, headSha)?.n ?? 0) > 0,
    prune(before) {
      pruneDeliveries.run(before);
      pruneJobs.run(before);
    },
  };
}
