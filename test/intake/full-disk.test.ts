/**
 * Issue 17, "also": a full disk answers `503` naming the cause, logs it at most once a minute, and
 * accepts nothing it could not store, so the delivery can be redelivered once there is room. The
 * disk fills for real: SQLite's `max_page_count` caps the job store's file, and inserts fail with
 * SQLITE_FULL as they do on a full file system.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/intake/app.ts";
import { createSignatureVerifier } from "../../src/intake/signature.ts";
import type { Job } from "../../src/queue/job.ts";
import { createJobQueue } from "../../src/queue/job-queue.ts";
import { createJobStore } from "../../src/queue/job-store.ts";
import { createLogger } from "../../src/shared/logger.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import { type Db, openDatabase } from "../../src/store/database.ts";
import { CAPTURE_SECRET, captured } from "../helpers/deliveries.ts";
import { capturedManifest } from "../helpers/intake.ts";

let dir: string | null = null;
let db: Db | null = null;
afterEach(async () => {
  db?.close();
  db = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

/** A job store on a real file, filled until SQLite refuses to grow it (SQLITE_FULL). */
async function fullStore() {
  dir = await mkdtemp(join(tmpdir(), "fixture-bot-full-"));
  const file = openDatabase(join(dir, "fixture-bot.sqlite"));
  db = file;
  const pages = (file.pragma("page_count", { simple: true }) as number) + 2;
  file.pragma(`max_page_count = ${pages}`);
  const store = createJobStore(file);
  const filler = (n: number, size: number): Job => ({
    id: `filler-${n}`,
    deliveryId: "",
    repo: "o/r",
    receivedAt: new Date(0).toISOString(),
    kind: "push",
    branch: "b".repeat(size),
    after: "a".repeat(40),
    defaultBranch: "main",
  });
  // Large rows until one does not fit, then smaller ones, until not even a small one does.
  let n = 0;
  for (const size of [2000, 500, 100, 1]) {
    try {
      for (; n < 100_000; n++) store.add(filler(n, size), `k${n}`, `r${n}`);
    } catch (error) {
      expect((error as { code?: string }).code).toBe("SQLITE_FULL");
    }
  }
  expect(n).toBeLessThan(100_000);
  return {
    store,
    pages,
    jobCount: () => (file.prepare("SELECT count(*) AS n FROM jobs").get() as { n: number }).n,
  };
}

function intake(store: ReturnType<typeof createJobStore>) {
  let clock = Date.parse("2026-12-07T10:00:00Z");
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    level: "info",
    redact: createRedactor([CAPTURE_SECRET]),
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const queue = createJobQueue({ handle: async () => undefined, store, concurrency: 1, log });
  const outcomes: string[] = [];
  const app = createApp({
    verifySignature: createSignatureVerifier(CAPTURE_SECRET),
    enqueue: (job) => queue.enqueue(job),
    routeContext: () => ({ manifest: capturedManifest, fixturesRepo: null, botUserId: null }),
    log,
    onDelivery: (_event, outcome) => void outcomes.push(outcome),
    now: () => clock,
  });
  const deliver = () => {
    const { body, headers } = captured("pull_request.opened");
    return app.request("/webhook", { method: "POST", body, headers });
  };
  return {
    deliver,
    lines,
    outcomes,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("a full disk", () => {
  it("answers 503 naming the cause, stores nothing, and takes the redelivery once there is room", async () => {
    const { store, pages, jobCount } = await fullStore();
    const before = jobCount();
    const bot = intake(store);

    const res = await bot.deliver();
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error:
        "fixture-bot cannot store the delivery: the disk is full (SQLITE_FULL); redeliver from Gitea's webhook page once that is fixed",
    });
    expect(bot.outcomes).toEqual(["not_stored"]);
    expect(jobCount()).toBe(before);

    // Room again: Gitea's Redelivery sends the same delivery id, and it is accepted (it was not
    // remembered as received when it could not be stored).
    db?.pragma(`max_page_count = ${pages + 100}`);
    const again = await bot.deliver();
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ queued: expect.any(String) });
    expect(jobCount()).toBe(before + 1);
  });

  it("logs the refusal at most once a minute, with how many were refused in between", async () => {
    const { store } = await fullStore();
    const bot = intake(store);
    for (let i = 0; i < 3; i++) expect((await bot.deliver()).status).toBe(503);
    bot.advance(59_000);
    expect((await bot.deliver()).status).toBe(503);
    bot.advance(1_000);
    expect((await bot.deliver()).status).toBe(503);
    const refused = bot.lines.filter((l) => String(l.msg).startsWith("deliveries refused"));
    expect(refused.map((l) => [l.level, l.msg, l.code, l.refusedSinceLastLine])).toEqual([
      ["error", "deliveries refused: the disk is full", "SQLITE_FULL", 0],
      ["error", "deliveries refused: the disk is full", "SQLITE_FULL", 3],
    ]);
    // Nothing else was logged as an error ("unhandled error in the HTTP edge" was the 500's).
    expect(bot.lines.filter((l) => l.level === "error" || l.level === "fatal")).toHaveLength(2);
  });
});
