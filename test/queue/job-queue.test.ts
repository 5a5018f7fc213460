import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Job, PullJob } from "../../src/queue/job.ts";
import { createJobQueue } from "../../src/queue/job-queue.ts";
import { createJobStore } from "../../src/queue/job-store.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { migrate, openDatabase, SCHEMA_VERSION } from "../../src/store/database.ts";

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
    fromFork: false,
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
const memoryStore = () => createJobStore(openDatabase(":memory:"));

describe("createJobQueue", () => {
  it("runs the same delivery once", async () => {
    const g = gated();
    const q = createJobQueue({
      handle: g.handle,
      store: memoryStore(),
      concurrency: 2,
      log: silentLogger,
    });
    const job = pull();
    expect(q.enqueue(job)).toEqual({ queued: true, jobId: job.id });
    expect(q.enqueue({ ...job, id: "again" })).toEqual({
      queued: false,
      reason: `delivery ${job.deliveryId} was already received`,
    });
    await tick();
    expect(g.started.map((j) => j.id)).toEqual([job.id]);
  });

  // Issue 17, item 1: the head decides, not the arrival. Gitea's updated_at says which of two
  // deliveries speaks of the newer head; arrival order (several webhook workers, a Redelivery)
  // does not.
  const T1 = "2026-11-26T10:00:01Z";
  const T2 = "2026-11-26T10:00:02Z";
  const A = "1".repeat(40);
  const B = "2".repeat(40);

  it.each([
    {
      case: "the newer head arrives last: it replaces the queued older one",
      first: { headSha: A, updatedAt: T1 },
      second: { headSha: B, updatedAt: T2 },
      second_queued: true,
      runs: [B],
    },
    {
      case: "the older head arrives last (a late delivery): it is not queued, the newer one stays",
      first: { headSha: B, updatedAt: T2 },
      second: { headSha: A, updatedAt: T1 },
      second_queued: false,
      runs: [B],
    },
    {
      case: "the same second (Gitea cannot tell): both wait, and each asks Gitea before it reports",
      first: { headSha: A, updatedAt: T2 },
      second: { headSha: B, updatedAt: T2 },
      second_queued: true,
      runs: [A, B],
    },
    {
      case: "no time (an older Gitea): both wait",
      first: { headSha: A, updatedAt: null },
      second: { headSha: B, updatedAt: null },
      second_queued: true,
      runs: [A, B],
    },
  ])("$case", async ({ first, second, second_queued, runs }) => {
    const g = gated();
    const q = createJobQueue({
      handle: g.handle,
      store: memoryStore(),
      concurrency: 1,
      log: silentLogger,
    });
    const blocker = pull({ number: 9 });
    q.enqueue(blocker); // occupies the only slot
    q.enqueue(pull(first));
    expect(q.enqueue(pull(second)).queued).toBe(second_queued);
    g.finish(blocker);
    for (let i = 0; i < 6; i++) {
      await tick();
      for (const j of g.started) g.finish(j);
    }
    expect(g.started.slice(1).map((j) => (j as PullJob).headSha)).toEqual(runs);
  });

  it("refuses a redelivery of an older head while the newer one waits, and a repeat of queued work", () => {
    const store = memoryStore();
    const newer = pull({ headSha: B, updatedAt: T2 });
    store.add(newer, "pr:o/r#1", `${B}:main:`);
    // Redelivery: the same payload under a new delivery id.
    expect(store.add(pull({ headSha: A, updatedAt: T1 }), "pr:o/r#1", `${A}:main:`)).toEqual({
      queued: false,
      reason: "a job for a newer head of this pull request is already queued",
    });
    expect(store.add(pull({ headSha: B, updatedAt: T2 }), "pr:o/r#1", `${B}:main:`)).toEqual({
      queued: false,
      reason: "the same verification is already queued",
    });
    expect(store.queuedCount()).toBe(1);
  });

  it("never runs two jobs with one key at once, but runs other keys in parallel", async () => {
    const g = gated();
    const q = createJobQueue({
      handle: g.handle,
      store: memoryStore(),
      concurrency: 3,
      log: silentLogger,
    });
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

  it("never runs a /verify and a pull job of the same PR at once", async () => {
    const g = gated();
    const q = createJobQueue({
      handle: g.handle,
      store: memoryStore(),
      concurrency: 4,
      log: silentLogger,
    });
    const p = pull({ number: 7 });
    q.enqueue(p);
    const command: Job = {
      id: "cmd",
      deliveryId: "d-cmd",
      repo: "O/R",
      receivedAt: "",
      kind: "command",
      number: 7,
      commentId: 1,
      user: "u",
      only: null,
    };
    q.enqueue(command);
    await tick();
    expect(g.started.map((j) => j.id)).toEqual([p.id]);
    g.finish(p);
    await tick();
    await tick();
    expect(g.started.map((j) => j.id)).toEqual([p.id, "cmd"]);
  });

  it("keeps running after a handler throws", async () => {
    const seen: string[] = [];
    const q = createJobQueue({
      handle: async (job) => {
        seen.push(job.id);
        if (seen.length === 1) throw new Error("boom");
      },
      store: memoryStore(),
      concurrency: 1,
      log: silentLogger,
    });
    q.enqueue(pull({ number: 1 }));
    q.enqueue(pull({ number: 2 }));
    await q.idle();
    expect(seen).toHaveLength(2);
  });

  it("drain starts no new work but still keeps what is delivered, and reports what did not finish", async () => {
    const g = gated();
    const q = createJobQueue({
      handle: g.handle,
      store: memoryStore(),
      concurrency: 1,
      log: silentLogger,
    });
    const running = pull({ number: 1 });
    q.enqueue(running);
    q.enqueue(pull({ number: 2 }));
    await tick();
    const drained = q.drain(50);
    const late = pull({ number: 3 });
    expect(q.enqueue(late)).toEqual({ queued: true, jobId: late.id }); // answered 202: it must be kept
    expect(await drained).toEqual({ unfinished: 3 });
    g.finish(running);
    await tick();
    expect(g.started).toHaveLength(1); // the queued one was not started during the drain
  });

  it("keeps jobs across a restart: queued ones wait, running ones are resumed, a crash loop is given up", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fixture-bot-queue-"));
    try {
      const file = join(dir, "bot.sqlite");
      const g = gated();
      const first = createJobQueue({
        handle: g.handle,
        store: createJobStore(openDatabase(file)),
        concurrency: 1,
        log: silentLogger,
      });
      const a = pull({ number: 1 });
      const b = pull({ number: 2 });
      first.enqueue(a);
      first.enqueue(b);
      await tick();
      expect(g.started.map((j) => j.id)).toEqual([a.id]); // a is running, b queued; then the process dies

      const seen: string[] = [];
      const second = createJobQueue({
        handle: async (job) => void seen.push(job.id),
        store: createJobStore(openDatabase(file)),
        concurrency: 1,
        log: silentLogger,
      });
      expect(second.resume()).toEqual({ requeued: 1, abandoned: [] });
      expect(second.enqueue({ ...a, id: "redelivered" })).toMatchObject({ queued: false }); // delivery id remembered
      await second.idle();
      expect(seen.sort()).toEqual([a.id, b.id].sort());

      // A job that was running when the process died three times is given up, not retried forever.
      const db = openDatabase(file);
      const store = createJobStore(db);
      const c = pull({ number: 3 });
      store.add(c, "k", "r");
      db.prepare("UPDATE jobs SET state = 'running', attempts = 3 WHERE id = ?").run(c.id);
      const third = createJobQueue({
        handle: async () => undefined,
        store,
        concurrency: 1,
        log: silentLogger,
      });
      expect(third.resume()).toEqual({ requeued: 0, abandoned: [{ job: c, attempts: 3 }] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("when the store fails", () => {
  it("a failing write is logged, and neither the process nor the other jobs go down with it", async () => {
    const store = memoryStore();
    const errors: string[] = [];
    const log = {
      ...silentLogger,
      error: (_o: Record<string, unknown>, msg?: string) => void errors.push(msg ?? ""),
    };
    let failFinish = true;
    const flaky = {
      ...store,
      finish: (id: string, state: "done" | "failed", error?: string) => {
        if (failFinish) {
          failFinish = false;
          throw new Error("SQLITE_FULL: database or disk is full");
        }
        store.finish(id, state, error);
      },
    };
    const seen: string[] = [];
    const q = createJobQueue({
      handle: async (job) => void seen.push(job.id),
      store: flaky,
      concurrency: 1,
      log,
    });
    q.enqueue(pull({ number: 1 }));
    q.enqueue(pull({ number: 2 }));
    await q.idle();
    expect(seen).toHaveLength(2);
    expect(errors).toContain("job store: finishing a job failed");
  });
});

describe("coalescing by kind", () => {
  it("a /verify never cancels a queued verification, nor the other way round", () => {
    const store = memoryStore();
    const p = pull({ number: 7, updatedAt: "2026-11-26T10:00:01Z" });
    const command: Job = {
      id: "c1",
      deliveryId: "dc1",
      repo: "o/r",
      receivedAt: "",
      kind: "command",
      number: 7,
      commentId: 1,
      user: "stranger",
      only: null,
    };
    store.add(p, "pr:o/r#7", "rev-a");
    expect(store.add(command, "pr:o/r#7", "command:1")).toEqual({ queued: true, jobId: "c1" });
    const newer = pull({ number: 7, headSha: "2".repeat(40), updatedAt: "2026-11-26T10:00:09Z" });
    expect(store.add(newer, "pr:o/r#7", "rev-b")).toEqual({
      queued: true,
      jobId: newer.id,
      replaced: p.id,
    });
    expect(store.queuedCount()).toBe(2); // the newer pull job and the command
  });
});

describe("the database", () => {
  it("is migrated to the current schema version, and a newer one is refused", () => {
    const db = openDatabase(":memory:");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma("journal_mode", { simple: true })).toBe("memory"); // WAL for files; :memory: has none
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(/newer than this fixture-bot/);
  });

  it("uses WAL on disk", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fixture-bot-db-"));
    try {
      expect(openDatabase(join(dir, "x.sqlite")).pragma("journal_mode", { simple: true })).toBe(
        "wal",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
