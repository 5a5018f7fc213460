/** The run history: latest pin per fixture for the dashboard, results per PR head, and forgetting. */
import { describe, expect, it } from "vitest";
import type { Job } from "../../src/queue/job.ts";
import { createJobStore } from "../../src/queue/job-store.ts";
import type { FixtureResult, RunReport } from "../../src/shared/result.ts";
import { openDatabase } from "../../src/store/database.ts";
import { createRunStore } from "../../src/store/runs.ts";

const result = (
  name: string,
  verdict: FixtureResult["verdict"],
  sha = "a".repeat(40),
): FixtureResult => ({
  name,
  repo: "o/r",
  branch: `b-${name}`,
  sha,
  base: "main",
  expect: null,
  resolvedSha: sha,
  mergeBase: null,
  verdict,
  checks: verdict === "fail" ? [{ id: "not-emptied", status: "fail", message: "x" }] : [],
  files: [],
  error: null,
});

const report = (
  kind: RunReport["kind"],
  results: FixtureResult[],
  extra: Partial<RunReport> = {},
): RunReport => ({
  kind,
  repo: "o/r",
  sha: "c".repeat(40),
  number: null,
  trigger: kind,
  results,
  manifestErrors: [],
  pins: [],
  unknownNames: [],
  ...extra,
});

describe("the run store", () => {
  it("keeps the latest pin verification of each fixture, not PR candidates", () => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    const tick = () => {
      clock += 1000;
      return new Date(clock).toISOString();
    };
    const runs = createRunStore(openDatabase(":memory:"), tick);
    runs.record(report("reconcile", [result("a", "fail"), result("b", "pass")]), null);
    const second = runs.record(report("push", [result("a", "pass")]), "job-1");
    runs.record(report("pull", [result("a", "fail", "d".repeat(40))], { number: 3 }), "job-2");
    const latest = runs.latestPins();
    expect(latest.get("a")).toMatchObject({ runId: second, verdict: "pass", failing: [] });
    expect(latest.get("b")).toMatchObject({ verdict: "pass" });
    expect(runs.recent(10).map((r) => r.trigger)).toEqual(["pull", "push", "reconcile"]);
    expect(runs.resultsFor("o/r", 3, "c".repeat(40)).map((r) => r.sha)).toEqual(["d".repeat(40)]);
    expect(runs.latestForPull("o/r", 3)).toBe(second + 1);
  });

  it("keeps the checks that warned beside those that failed, and reads the older rows' lists", () => {
    const db = openDatabase(":memory:");
    const runs = createRunStore(db);
    const warned = result("a", "pass");
    warned.checks = [{ id: "branch-tip", status: "warn", message: "moved on" }];
    runs.record(report("reconcile", [warned, result("b", "fail")]), null);
    expect([...runs.latestPins().values()].map((v) => [v.fixture, v.failing, v.warnings])).toEqual([
      ["a", [], ["branch-tip"]],
      ["b", ["not-emptied"], []],
    ]);
    // A row written before warnings were kept holds the failing ids as a plain list.
    db.prepare("UPDATE verifications SET checks = ? WHERE fixture = 'b'").run('["not-emptied"]');
    expect(runs.latestPins().get("b")).toMatchObject({ failing: ["not-emptied"], warnings: [] });
  });

  it("names the fixtures each recent run verified", () => {
    const runs = createRunStore(openDatabase(":memory:"));
    runs.record(report("reconcile", [result("a", "pass"), result("b", "fail")]), null);
    runs.record(report("pull", [], { number: 3 }), "job");
    expect(runs.recent(5).map((r) => r.fixtures)).toEqual([[], ["a", "b"]]);
  });

  it("caps the diffs it stores", () => {
    const runs = createRunStore(openDatabase(":memory:"));
    const big = result("a", "fail");
    big.files = [
      {
        path: "x",
        oldPath: null,
        status: "modified",
        added: 9000,
        removed: 0,
        binary: false,
        hunks: [
          {
            oldStart: 1,
            oldLines: 0,
            newStart: 1,
            newLines: 9000,
            lines: Array.from({ length: 9000 }, (_, i) => `+${i}`),
          },
        ],
      },
    ];
    const id = runs.record(report("reconcile", [big]), null);
    const stored = runs.get(id)?.report.results[0]?.files[0]?.hunks?.[0]?.lines;
    expect(stored).toHaveLength(2000);
  });

  it("forgets runs, finished jobs and delivery ids older than the retention", () => {
    const db = openDatabase(":memory:");
    let now = "2026-01-01T00:00:00.000Z";
    const runs = createRunStore(db, () => now);
    const jobs = createJobStore(db, () => now);
    const job: Job = {
      id: "j1",
      deliveryId: "d1",
      repo: "o/r",
      receivedAt: now,
      kind: "push",
      branch: "b",
      after: "e".repeat(40),
      defaultBranch: "main",
    };
    jobs.add(job, "k", "r");
    jobs.finish("j1", "done");
    runs.record(report("reconcile", [result("a", "fail")]), null);
    now = "2026-06-01T00:00:00.000Z";
    const kept = runs.record(report("reconcile", [result("a", "pass")]), null);
    jobs.add({ ...job, id: "j2", deliveryId: "d2" }, "k", "r2");

    runs.prune("2026-03-01T00:00:00.000Z");
    jobs.prune("2026-03-01T00:00:00.000Z");
    expect(runs.recent(10).map((r) => r.id)).toEqual([kept]);
    expect(runs.latestPins().get("a")?.verdict).toBe("pass");
    expect(db.prepare("SELECT id FROM jobs ORDER BY id").all()).toEqual([{ id: "j2" }]);
    // The forgotten delivery id may come again (a redelivery months later runs, which is right).
    expect(jobs.add({ ...job, id: "j3" }, "k2", "r3")).toMatchObject({ queued: true });
  });
});
