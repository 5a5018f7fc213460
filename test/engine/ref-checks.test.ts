/**
 * Where the pin is, as pure functions: the facts git gave in, each check's whole result out
 * (status, message, details, cause), one row per case. The same cases run on real repositories in
 * test/pipeline/scenarios.test.ts; here every branch of every check is pinned word for word.
 */
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/engine/check-result.ts";
import {
  checkBaseExists,
  checkBranchTip,
  checkMaxCommits,
  checkShaExists,
  checkShaOnBranch,
  type RefFacts,
} from "../../src/engine/ref-checks.ts";

const PIN = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0";
const TIP = "ffffeeeeddddccccbbbbaaaa9999888877776666";
const BASE = "0123456789abcdef0123456789abcdef01234567";
const MB = "4e250b04f0c6d0c6a7e2a1b5d9f3c8e7a6b5c4d3";

const facts = (over: Partial<RefFacts> = {}): RefFacts => ({
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
  commitsSinceMergeBase: 1,
  maxCommits: null,
  ...over,
});

type Row = [string, Partial<RefFacts>, CheckResult];

describe("sha-exists", () => {
  it.each<Row>([
    [
      "a full id",
      {},
      { id: "sha-exists", status: "pass", message: `${PIN} resolves to commit a1b2c3d4e5f6` },
    ],
    [
      "a prefix: pass, and the full id suggested",
      { pinned: "a1b2c3d" },
      {
        id: "sha-exists",
        status: "pass",
        message: `a1b2c3d resolves to commit a1b2c3d4e5f6; consider pinning the full id ${PIN} so it can never become ambiguous`,
      },
    ],
    [
      "an annotated tag's id, peeled",
      { pinned: "1111111", resolution: { kind: "commit", sha: PIN, via: "tag" } },
      {
        id: "sha-exists",
        status: "pass",
        message: `1111111 resolves to annotated tag 1111111 peeled to commit a1b2c3d4e5f6; consider pinning the full id ${PIN} so it can never become ambiguous`,
      },
    ],
    [
      "missing",
      { resolution: { kind: "missing" } },
      {
        id: "sha-exists",
        status: "fail",
        message: `no commit ${PIN} in o/r: no branch or tag reaches it (never pushed, or force-pushed away and since deleted by the server)`,
        causes: [{ kind: "no-commit" }],
      },
    ],
    [
      "ambiguous between objects",
      {
        pinned: "a1b2",
        resolution: {
          kind: "ambiguous",
          candidates: [
            { sha: PIN, type: "commit" },
            { sha: TIP, type: "blob" },
          ],
        },
      },
      {
        id: "sha-exists",
        status: "fail",
        message: "a1b2 is ambiguous: 2 objects start with it; pin the full 40-character id",
        details: [`${PIN} commit`, `${TIP} blob`],
        causes: [{ kind: "ambiguous-pin" }],
      },
    ],
    [
      "the name of a branch, and no object",
      {
        pinned: "deadbee",
        resolution: {
          kind: "ambiguous",
          candidates: [{ sha: TIP, type: "commit", ref: "refs/heads/deadbee" }],
        },
      },
      {
        id: "sha-exists",
        status: "fail",
        message:
          "deadbee is ambiguous: it is the name of refs/heads/deadbee (commit ffffeeeedddd), not a commit id; pin the full 40-character id",
        details: [`${TIP} commit (refs/heads/deadbee)`],
        causes: [{ kind: "ambiguous-pin", ref: "refs/heads/deadbee" }],
      },
    ],
    [
      "a branch's name and an object's prefix at once",
      {
        pinned: "a1b2c3d",
        resolution: {
          kind: "ambiguous",
          candidates: [
            { sha: TIP, type: "commit", ref: "refs/tags/a1b2c3d" },
            { sha: PIN, type: "commit" },
          ],
        },
      },
      {
        id: "sha-exists",
        status: "fail",
        message:
          "a1b2c3d is ambiguous: refs/tags/a1b2c3d has that name, and git would take it (commit ffffeeeedddd) over the 1 object starting with it; pin the full 40-character id",
        details: [`${TIP} commit (refs/tags/a1b2c3d)`, `${PIN} commit`],
        causes: [{ kind: "ambiguous-pin", ref: "refs/tags/a1b2c3d" }],
      },
    ],
    [
      "not a commit",
      { resolution: { kind: "not-commit", sha: TIP, type: "tree" } },
      {
        id: "sha-exists",
        status: "fail",
        message: `${PIN} is a tree (ffffeeeedddd), not a commit`,
        causes: [{ kind: "not-a-commit", detail: "tree" }],
      },
    ],
  ])("%s", (_name, over, expected) => {
    expect(checkShaExists(facts(over))).toEqual(expected);
  });
});

describe("sha-on-branch", () => {
  it.each<Row>([
    [
      "on its branch",
      {},
      { id: "sha-on-branch", status: "pass", message: "a1b2c3d4e5f6 is on regression-bad-backup" },
    ],
    [
      "no such branch",
      { branchTip: null, onBranch: null },
      {
        id: "sha-on-branch",
        status: "fail",
        message: "branch regression-bad-backup does not exist in o/r",
        causes: [{ kind: "no-branch" }],
      },
    ],
    [
      "the pin was not resolved",
      { resolution: { kind: "missing" }, onBranch: null },
      {
        id: "sha-on-branch",
        status: "skip",
        message: "not checked: the pinned commit was not resolved",
      },
    ],
    [
      "resolved, but git could not say (onBranch null)",
      { onBranch: null },
      {
        id: "sha-on-branch",
        status: "skip",
        message: "not checked: the pinned commit was not resolved",
      },
    ],
    [
      "force-pushed away, on nothing else",
      { onBranch: false, branchTip: TIP },
      {
        id: "sha-on-branch",
        status: "fail",
        message:
          "a1b2c3d4e5f6 exists but is no longer on regression-bad-backup (tip ffffeeeedddd): the branch was force-pushed or rebased after the pin was taken.",
        causes: [{ kind: "force-pushed" }],
      },
    ],
    [
      "force-pushed away, merged into the base",
      { onBranch: false, branchTip: TIP, containedIn: ["main"] },
      {
        id: "sha-on-branch",
        status: "fail",
        message:
          "a1b2c3d4e5f6 exists but is no longer on regression-bad-backup (tip ffffeeeedddd): the branch was force-pushed or rebased after the pin was taken. It is on main.",
        causes: [{ kind: "force-pushed" }],
      },
    ],
    [
      "on another fixture's branch: the wrong branch",
      { onBranch: false, branchTip: TIP, containedIn: ["main", "regression-bad-restore"] },
      {
        id: "sha-on-branch",
        status: "fail",
        message:
          "a1b2c3d4e5f6 is on regression-bad-restore, not on regression-bad-backup: the manifest names the wrong branch for this pin (set branch: regression-bad-restore), or the pin was copied from another fixture",
        causes: [{ kind: "wrong-branch", ref: "regression-bad-restore" }],
      },
    ],
    [
      "facts that disagree (not resolved, yet off the branch): not checked",
      { resolution: { kind: "missing" }, onBranch: false },
      {
        id: "sha-on-branch",
        status: "skip",
        message: "not checked: the pinned commit was not resolved",
      },
    ],
    [
      "on exactly five other branches: all named, no ellipsis",
      { onBranch: false, branchTip: TIP, containedIn: ["a", "b", "c", "d", "e"], base: null },
      {
        id: "sha-on-branch",
        status: "fail",
        message:
          "a1b2c3d4e5f6 is on a, b, c, d, e, not on regression-bad-backup: the manifest names the wrong branch for this pin (set branch: a), or the pin was copied from another fixture",
        causes: [{ kind: "wrong-branch", ref: "a" }],
      },
    ],
    [
      "on six other branches: five named",
      { onBranch: false, branchTip: TIP, containedIn: ["a", "b", "c", "d", "e", "f"], base: null },
      {
        id: "sha-on-branch",
        status: "fail",
        message:
          "a1b2c3d4e5f6 is on a, b, c, d, e, ..., not on regression-bad-backup: the manifest names the wrong branch for this pin (set branch: a), or the pin was copied from another fixture",
        causes: [{ kind: "wrong-branch", ref: "a" }],
      },
    ],
  ])("%s", (_name, over, expected) => {
    expect(checkShaOnBranch(facts(over))).toEqual(expected);
  });
});

describe("branch-tip", () => {
  it.each<Row>([
    [
      "the tip is the pin",
      {},
      { id: "branch-tip", status: "pass", message: "regression-bad-backup ends at the pin" },
    ],
    [
      "another tip, no commit past the pin (a merge's second parent, say)",
      { branchTip: TIP, commitsPastPin: 0 },
      { id: "branch-tip", status: "pass", message: "regression-bad-backup ends at the pin" },
    ],
    [
      "one commit past the pin",
      { branchTip: TIP, commitsPastPin: 1 },
      {
        id: "branch-tip",
        status: "warn",
        message:
          "regression-bad-backup has moved 1 commit past the pin (tip ffffeeeedddd); the pin is what CI runs, re-pin if the tip is the fixture you want",
      },
    ],
    [
      "an unknown number past the pin",
      { branchTip: TIP, commitsPastPin: null },
      {
        id: "branch-tip",
        status: "warn",
        message:
          "regression-bad-backup has moved some commits past the pin (tip ffffeeeedddd); the pin is what CI runs, re-pin if the tip is the fixture you want",
      },
    ],
    [
      "the tip is the pin, though git could not count (commitsPastPin null)",
      { commitsPastPin: null },
      { id: "branch-tip", status: "pass", message: "regression-bad-backup ends at the pin" },
    ],
    [
      "facts that disagree (no branch, yet on it): not checked",
      { branchTip: null, onBranch: true },
      { id: "branch-tip", status: "skip", message: "not checked: the pin is not on its branch" },
    ],
    [
      "the pin is not on its branch",
      { branchTip: TIP, onBranch: false },
      { id: "branch-tip", status: "skip", message: "not checked: the pin is not on its branch" },
    ],
    [
      "no branch",
      { branchTip: null, onBranch: null },
      { id: "branch-tip", status: "skip", message: "not checked: the pin is not on its branch" },
    ],
    [
      "the pin not resolved",
      { resolution: { kind: "missing" } },
      { id: "branch-tip", status: "skip", message: "not checked: the pin is not on its branch" },
    ],
  ])("%s", (_name, over, expected) => {
    expect(checkBranchTip(facts(over))).toEqual(expected);
  });
});

describe("base-exists", () => {
  it.each<Row>([
    [
      "cut from its base",
      {},
      {
        id: "base-exists",
        status: "pass",
        message: "base main is 0123456789ab; the fixture was cut from it at 4e250b04f0c6",
      },
    ],
    [
      "a good canary",
      { base: null },
      { id: "base-exists", status: "skip", message: "no base: a good canary is not compared" },
    ],
    [
      "no such base",
      { base: { ref: "mian", sha: null } },
      {
        id: "base-exists",
        status: "fail",
        message: "base mian does not exist in o/r",
        causes: [{ kind: "no-base" }],
      },
    ],
    [
      "a tag, not a branch",
      { base: { ref: "1.0.0", sha: null, tagCommit: TIP } },
      {
        id: "base-exists",
        status: "fail",
        message: `base 1.0.0 is a tag, not a branch: write base: ${TIP} (the commit it tags) to compare against it, or name the branch the fixture was cut from`,
        causes: [{ kind: "base-is-tag", ref: TIP }],
      },
    ],
    [
      "a branch and a tag of the same name: the branch is the base",
      { base: { ref: "main", sha: BASE, tagCommit: TIP } },
      {
        id: "base-exists",
        status: "pass",
        message: "base main is 0123456789ab; the fixture was cut from it at 4e250b04f0c6",
      },
    ],
    [
      "no shared history",
      { mergeBase: null },
      {
        id: "base-exists",
        status: "fail",
        message:
          "base main (0123456789ab) shares no history with the pin: the fixture was not cut from it",
        causes: [{ kind: "unrelated-base" }],
      },
    ],
    [
      "the pin not resolved: only the base is said",
      { resolution: { kind: "missing" }, mergeBase: null },
      { id: "base-exists", status: "pass", message: "base main is 0123456789ab" },
    ],
  ])("%s", (_name, over, expected) => {
    expect(checkBaseExists(facts(over))).toEqual(expected);
  });
});

describe("max-commits, beyond its boundary rows (limits.test.ts)", () => {
  it.each<Row>([
    [
      "a good canary (no base)",
      { base: null, maxCommits: 1 },
      { id: "max-commits", status: "skip", message: "no max_commits set" },
    ],
    [
      "no merge-base",
      { maxCommits: 1, commitsSinceMergeBase: null },
      { id: "max-commits", status: "skip", message: "not checked: no merge-base" },
    ],
    [
      "within",
      { maxCommits: 2, commitsSinceMergeBase: 2 },
      { id: "max-commits", status: "pass", message: "2 commits since the merge-base (at most 2)" },
    ],
    [
      "over: the count and the limit as a cause",
      { maxCommits: 1, commitsSinceMergeBase: 3 },
      {
        id: "max-commits",
        status: "fail",
        message: "3 commits between the merge-base and the pin; at most 1 allowed",
        causes: [{ kind: "too-many-commits", count: 3, limit: 1 }],
      },
    ],
  ])("%s", (_name, over, expected) => {
    expect(checkMaxCommits(facts(over))).toEqual(expected);
  });
});
