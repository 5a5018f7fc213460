/**
 * The one table of checks, as data: which checks judge the refs (run on git's facts alone) and
 * which judge the change from the merge-base; and `runChecks` when the change is not judged: every
 * ref check still runs on the facts, every change check is skipped with the reason given (never
 * passed), all in the order reports list them.
 */
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/engine/check-result.ts";
import { CHECK_TABLE, runChecks } from "../../src/engine/checks.ts";
import type { RefFacts } from "../../src/engine/ref-checks.ts";
import { CHECK_IDS } from "../../src/shared/result.ts";

const PIN = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0";
const BASE = "0123456789abcdef0123456789abcdef01234567";
const MB = "4e250b04f0c6d0c6a7e2a1b5d9f3c8e7a6b5c4d3";
const facts: RefFacts = {
  repo: "o/r",
  pinned: PIN,
  branch: "regression-bad-backup",
  resolution: { kind: "commit", sha: PIN, via: "commit" },
  branchTip: PIN,
  onBranch: true,
  containedIn: [],
  commitsPastPin: 0,
  base: { ref: "main", sha: BASE },
  mergeBase: MB,
  commitsSinceMergeBase: 2,
  maxCommits: 1,
};

describe("CHECK_TABLE", () => {
  it("runs the pin's and the base's checks on the refs, every other check on the change", () => {
    expect(CHECK_IDS.map((id) => [id, CHECK_TABLE[id].kind])).toEqual([
      ["sha-exists", "ref"],
      ["sha-on-branch", "ref"],
      ["branch-tip", "ref"],
      ["base-exists", "ref"],
      ["change-present", "change"],
      ["paths", "change"],
      ["not-emptied", "change"],
      ["yaml-valid", "change"],
      ["compose-valid", "change"],
      ["whitespace-churn", "change"],
      ["mode", "change"],
      ["binary", "change"],
      ["lines", "change"],
      ["keys", "change"],
      ["max-lines", "change"],
      ["max-commits", "ref"],
      ["earlier-tiers", "change"],
      ["config-version", "change"],
      ["effective-change", "change"],
    ]);
  });
});

describe("runChecks, the change not judged", () => {
  const skip = (id: CheckResult["id"], message: string): CheckResult => ({
    id,
    status: "skip",
    message,
  });
  it.each<[string, string]>([
    ["a good canary", "no base: a good canary is not compared"],
    ["an unknown merge-base", "not checked: the pin or its merge-base with the base is unknown"],
  ])("%s: ref checks on the facts, change checks skipped with the reason", (_name, why) => {
    expect(runChecks(facts, { skip: why })).toEqual([
      { id: "sha-exists", status: "pass", message: `${PIN} resolves to commit a1b2c3d4e5f6` },
      { id: "sha-on-branch", status: "pass", message: "a1b2c3d4e5f6 is on regression-bad-backup" },
      { id: "branch-tip", status: "pass", message: "regression-bad-backup ends at the pin" },
      {
        id: "base-exists",
        status: "pass",
        message: "base main is 0123456789ab; the fixture was cut from it at 4e250b04f0c6",
      },
      skip("change-present", why),
      skip("paths", why),
      skip("not-emptied", why),
      skip("yaml-valid", why),
      skip("compose-valid", why),
      skip("whitespace-churn", why),
      skip("mode", why),
      skip("binary", why),
      skip("lines", why),
      skip("keys", why),
      skip("max-lines", why),
      {
        id: "max-commits",
        status: "fail",
        message: "2 commits between the merge-base and the pin; at most 1 allowed",
        causes: [{ kind: "too-many-commits", count: 2, limit: 1 }],
      },
      skip("earlier-tiers", why),
      skip("config-version", why),
      skip("effective-change", why),
    ]);
  });
});
