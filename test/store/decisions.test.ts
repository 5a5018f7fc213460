/** What the bot decided per pull request head: one row per head, the latest decision wins, forgotten with the runs. */
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import { createDecisionStore } from "../../src/store/decisions.ts";
import { forgetOld } from "../../src/store/retention.ts";

const head = "c".repeat(40);
const decision = {
  repo: "o/r",
  number: 4,
  headSha: head,
  state: "failure" as const,
  description: "bad-backup fails",
  runId: 7,
  manifest: "0123456789abcdef",
};

describe("the decision store", () => {
  it("keeps one decision per head: a later one replaces it, other heads and PRs are apart", () => {
    let clock = "2026-12-01T00:00:00.000Z";
    const store = createDecisionStore(openDatabase(":memory:"), () => clock);
    expect(store.get("o/r", 4, head)).toBeNull();
    store.record(decision);
    clock = "2026-12-02T00:00:00.000Z";
    store.record({ ...decision, state: "success", description: "bad-backup passes", runId: 8 });
    store.record({
      ...decision,
      headSha: "d".repeat(40),
      state: "nothing",
      description: "",
      runId: null,
    });
    expect(store.get("o/r", 4, head)).toEqual({
      ...decision,
      state: "success",
      description: "bad-backup passes",
      runId: 8,
      decidedAt: "2026-12-02T00:00:00.000Z",
    });
    expect(store.get("o/r", 4, "d".repeat(40))?.state).toBe("nothing");
    expect(store.get("o/r", 5, head)).toBeNull();
    expect(store.get("o/other", 4, head)).toBeNull();
  });

  it("forgets decisions when their runs are forgotten (90 days), not with the jobs (30)", () => {
    let clock = "2026-01-01T00:00:00.000Z";
    const store = createDecisionStore(openDatabase(":memory:"), () => clock);
    store.record(decision);
    clock = "2026-03-01T00:00:00.000Z";
    store.record({ ...decision, number: 5 });
    const none = { prune: () => undefined };
    // 60 days after the first: both kept.
    forgetOld({ jobs: none, runs: none, decisions: store }, new Date("2026-03-02T00:00:00Z"));
    expect([store.get("o/r", 4, head) !== null, store.get("o/r", 5, head) !== null]).toEqual([
      true,
      true,
    ]);
    // 91 days after the first: only the second is kept.
    forgetOld({ jobs: none, runs: none, decisions: store }, new Date("2026-04-02T00:00:00Z"));
    expect([store.get("o/r", 4, head) !== null, store.get("o/r", 5, head) !== null]).toEqual([
      false,
      true,
    ]);
  });
});
