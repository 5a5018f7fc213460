/**
 * Every limit at its boundary: at the limit passes, one over fails, each message pinned
 * (issue 21, break 7: `max_commits` compared with `>=` was caught only by a performance test).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/engine/inspect-files.ts";
import { checkMaxCommits, type RefFacts } from "../../src/engine/ref-checks.ts";
import { RECIPES } from "../helpers/recipes.ts";
import { LABEL } from "../helpers/snippets.ts";
import { changeChecks, problems, rule, type Tree } from "../helpers/trees.ts";

describe("max_commits", () => {
  const facts = (count: number, max: number | null): RefFacts => ({
    repo: "o/r",
    pinned: "p".repeat(40),
    branch: "b",
    resolution: { kind: "commit", sha: "p".repeat(40), via: "commit" },
    branchTip: "p".repeat(40),
    onBranch: true,
    containedIn: [],
    commitsPastPin: 0,
    base: { ref: "main", sha: "m".repeat(40) },
    mergeBase: "m".repeat(40),
    commitsSinceMergeBase: count,
    maxCommits: max,
  });
  it.each([
    [1, 1, "pass", "1 commit since the merge-base (at most 1)"],
    [2, 1, "fail", "2 commits between the merge-base and the pin; at most 1 allowed"],
    [3, 3, "pass", "3 commits since the merge-base (at most 3)"],
    [4, 3, "fail", "4 commits between the merge-base and the pin; at most 3 allowed"],
    [0, 0, "pass", "0 commits since the merge-base (at most 0)"],
    [1, 0, "fail", "1 commit between the merge-base and the pin; at most 0 allowed"],
    [5, null, "skip", "no max_commits set"],
  ] as const)("%i commits, at most %s: %s", (count, max, status, message) => {
    const result = checkMaxCommits(facts(count, max));
    expect([result.status, result.message]).toEqual([status, message]);
  });
});

const COMPOSE = readFileSync(join(RECIPES, "custom-html/compose.yml"), "utf8");
const RECIPE: Tree = {
  "compose.yml": COMPOSE,
  "abra.sh": "export NGINX_CONF_VERSION=v1\n",
  "nginx.conf.tmpl": "server {}\n",
};

describe("max_lines", () => {
  // The backup label's value changed: one line removed, one added (2). With a second label: 3.
  const changedLabel = LABEL.replace("${ENABLE_BACKUPS:-true}", "false");
  const twoLines: Tree = { ...RECIPE, "compose.yml": COMPOSE.replace(LABEL, changedLabel) };
  const threeLines: Tree = {
    ...RECIPE,
    "compose.yml": COMPOSE.replace(
      LABEL,
      `${changedLabel}        - "backupbot.backup.path=/srv"\n`,
    ),
  };
  it.each([
    ["2 lines, at most 2", twoLines, 2, []],
    [
      "3 lines, at most 2",
      threeLines,
      2,
      ["fail max-lines: compose.yml: 3 lines changed (+2 -1); at most 2 allowed"],
    ],
    ["3 lines, at most 3", threeLines, 3, []],
  ] as const)("%s", async (_name, pin, max, expected) => {
    const checks = await changeChecks(RECIPE, pin, [rule("compose.yml", { maxLines: max })]);
    expect(problems(checks).filter((p) => p.startsWith("fail max-lines"))).toEqual(expected);
  });
});

describe("the inspection limits", () => {
  const limits = { ...DEFAULT_LIMITS, maxBlobBytes: 64, maxTotalBytes: 1024 };
  const file = (bytes: number) => `${"x".repeat(bytes - 1)}\n`;
  it.each([
    ["a file of exactly maxBlobBytes is read", 64, []],
    [
      "one byte over is not",
      65,
      [
        "fail binary: notes.txt is 65 B, over the 64 B inspection limit: it cannot be reviewed as a targeted change",
      ],
    ],
  ] as const)("%s", async (_name, bytes, expected) => {
    const checks = await changeChecks(
      { ...RECIPE, "notes.txt": "x\n" },
      { ...RECIPE, "notes.txt": file(bytes) },
      [rule("notes.txt")],
      limits,
    );
    expect(problems(checks).filter((p) => p.startsWith("fail binary"))).toEqual(expected);
  });
});
