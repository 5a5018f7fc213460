import { describe, expect, it } from "vitest";
import type { Job, PullJob } from "../../src/queue/job.ts";
import { createJobQueue } from "../../src/queue/job-queue.ts";
import { silentLogger } from "../../src/shared/logger.ts";

let n = 0;
function pull(overrides: Partial<PullJob> = {}): PullJob {
  n += 1;
  return {
    id: `job-${n}`,
    deliveryId: `delivery-${n}`,
    repo: "o/r",
    receivedAt: "2026-11-26T00:00:00Z",
    kind: "pull",
    number: 1,
    headSha: "a".repeat(40),
    headRef: "fx",
    baseRef: "main",
    trigger: "opened",
    only: null,
    ...overrides,
  };
}

/** A handler whose jobs finish only when the test says so. */
function gated() {
  const started: Job[] = [];
  const gates = new Map<string, () => void>();
  const handle = (job: Job) =>
    new Promise<void>((resolve) => {
      started.push(job);
      gates.set(job.id, resolve);
    });
  const finish = (job: Job) => gates.get(job.id)?.();
  return { started, handle, finish };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("createJobQueue", () => {
  it("runs the same delivery once", async () => {
    const g = gated();
    const q = createJobQueue({ handle: g.handle, concurrency: 2, log: silentLogger });
    const job = pull();
    expect(q.enqueue(job)).toEqual({ queued: true, jobId: job.id });
    expect(q.enqueue({ ...job, id: "again" })).toEqual({
      queued: false,
      reason: `delivery ${job.deliveryId} was already received`,
    });
    await tick();
    expect(g.started.map((j) => j.id)).toEqual([job.id]);
  });

  it("drops a repeat of queued work (same PR and head) and replaces an older head with a newer one", async () => {
    const g = gated();
    const q = createJobQueue({ handle: g.handle, concurrency: 1, log: silentLogger });
    const blocker = pull({ number: 9 });
    q.enqueue(blocker); // occupies the only slot
    const old = pull({ headSha: "1".repeat(40) });
    q.enqueue(old);
    expect(q.enqueue(pull({ headSha: "1".repeat(40) }))).toMatchObject({
      queued: false,
      reason: "the same verification is already queued",
    });
    const newer = pull({ headSha: "2".repeat(40) });
    expect(q.enqueue(newer)).toMatchObject({ queued: true });
    expect(q.stats()).toEqual({ queued: 1, running: 1 });
    g.finish(blocker);
    await tick();
    await tick();
    expect(g.started.map((j) => j.id)).toEqual([blocker.id, newer.id]);
  });

  it("never runs two jobs with one key at once, but runs other keys in parallel", async () => {
    const g = gated();
    const q = createJobQueue({ handle: g.handle, concurrency: 3, log: silentLogger });
    const a1 = pull({ number: 1, headSha: "1".repeat(40) });
    const b = pull({ number: 2 });
    q.enqueue(a1);
    await tick();
    const a2 = pull({ number: 1, headSha: "2".repeat(40) });
    q.enqueue(a2);
    q.enqueue(b);
    await tick();
    expect(g.started.map((j) => j.id)).toEqual([a1.id, b.id]);
    g.finish(a1);
    await tick();
    await tick();
    expect(g.started.map((j) => j.id)).toEqual([a1.id, b.id, a2.id]);
  });

  it("keeps running after a handler throws", async () => {
    const seen: string[] = [];
    const q = createJobQueue({
      handle: async (job) => {
        seen.push(job.id);
        if (seen.length === 1) throw new Error("boom");
      },
      concurrency: 1,
      log: silentLogger,
    });
    q.enqueue(pull({ number: 1 }));
    q.enqueue(pull({ number: 2 }));
    await q.idle();
    expect(seen).toHaveLength(2);
  });

  it("drain stops new work, waits for running jobs up to a deadline, and reports what did not finish", async () => {
    const g = gated();
    const q = createJobQueue({ handle: g.handle, concurrency: 1, log: silentLogger });
    const running = pull({ number: 1 });
    q.enqueue(running);
    q.enqueue(pull({ number: 2 }));
    await tick();
    const drained = q.drain(50);
    expect(q.enqueue(pull({ number: 3 }))).toEqual({ queued: false, reason: "shutting down" });
    expect(await drained).toEqual({ unfinished: 2 });
    g.finish(running);
    await tick();
    expect(g.started).toHaveLength(1); // the queued one was not started during the drain
  });
});
