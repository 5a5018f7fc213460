/**
 * From per-file findings to one check result, as pure functions: a new problem fails the check,
 * one the merge-base already had only warns (and says so), causes are kept for the new problems
 * only; and the small words reports share: what a rule allows, lists of names, a file's path and
 * line counts, why a side could not be read, and sizes in bytes.
 */
import { describe, expect, it } from "vitest";
import { type CheckResult, plural } from "../../src/engine/check-result.ts";
import {
  allows,
  type Finding,
  formatBytes,
  fromFindings,
  listNames,
  pathOf,
  stat,
  unreadable,
} from "../../src/engine/findings.ts";
import type { FileAnalysis, Side } from "../../src/engine/inspect-files.ts";
import { compileRules } from "../../src/engine/rules.ts";
import type { Allowance } from "../../src/shared/fixture.ts";
import { MODE } from "../../src/shared/git-facts.ts";

const ALREADY = "(already so at the merge-base, so not caused by this change)";
const summary = (n: number) => `${plural(n, "file")} deleted or emptied`;
const PASS = "no file was deleted or emptied";

const fresh = (text: string, path?: string): Finding =>
  path === undefined ? { text } : { text, cause: { kind: "emptied", path } };
const old = (text: string, path?: string): Finding => ({
  ...fresh(text, path),
  preexisting: true,
});

describe("fromFindings", () => {
  const many = Array.from({ length: 23 }, (_, i) => fresh(`f${i + 1}.yml was emptied`));
  it.each<[string, Finding[], CheckResult]>([
    ["no findings: pass", [], { id: "not-emptied", status: "pass", message: PASS }],
    [
      "one new finding, no cause: its text is the message",
      [fresh("compose.yml was emptied")],
      { id: "not-emptied", status: "fail", message: "compose.yml was emptied" },
    ],
    [
      "one new finding with a cause: the cause is kept",
      [fresh("compose.yml was emptied", "compose.yml")],
      {
        id: "not-emptied",
        status: "fail",
        message: "compose.yml was emptied",
        causes: [{ kind: "emptied", path: "compose.yml" }],
      },
    ],
    [
      "two new findings: counted, the first named, the second in the details",
      [fresh("compose.yml was emptied", "compose.yml"), fresh("abra.sh was deleted", "abra.sh")],
      {
        id: "not-emptied",
        status: "fail",
        message: "2 files deleted or emptied: compose.yml was emptied (and 1 more)",
        details: ["abra.sh was deleted"],
        causes: [
          { kind: "emptied", path: "compose.yml" },
          { kind: "emptied", path: "abra.sh" },
        ],
      },
    ],
    [
      "two new findings, only the second with a cause: only that cause",
      [fresh("compose.yml was emptied"), fresh("abra.sh was deleted", "abra.sh")],
      {
        id: "not-emptied",
        status: "fail",
        message: "2 files deleted or emptied: compose.yml was emptied (and 1 more)",
        details: ["abra.sh was deleted"],
        causes: [{ kind: "emptied", path: "abra.sh" }],
      },
    ],
    [
      "two new findings, no causes: no causes key",
      [fresh("compose.yml was emptied"), fresh("abra.sh was deleted")],
      {
        id: "not-emptied",
        status: "fail",
        message: "2 files deleted or emptied: compose.yml was emptied (and 1 more)",
        details: ["abra.sh was deleted"],
      },
    ],
    [
      "a new finding and an old one: the new fails, the old is a detail, no 'more' is claimed",
      [old("README.md was emptied", "README.md"), fresh("compose.yml was emptied", "compose.yml")],
      {
        id: "not-emptied",
        status: "fail",
        message: "1 file deleted or emptied: compose.yml was emptied",
        details: [`README.md was emptied ${ALREADY}`],
        causes: [{ kind: "emptied", path: "compose.yml" }],
      },
    ],
    [
      "new findings before old ones in the details",
      [old("README.md was emptied"), fresh("a.yml was emptied"), fresh("b.yml was emptied")],
      {
        id: "not-emptied",
        status: "fail",
        message: "2 files deleted or emptied: a.yml was emptied (and 1 more)",
        details: ["b.yml was emptied", `README.md was emptied ${ALREADY}`],
      },
    ],
    [
      "one old finding only: a warning, never a failure",
      [old("README.md was emptied", "README.md")],
      { id: "not-emptied", status: "warn", message: `README.md was emptied ${ALREADY}` },
    ],
    [
      "two old findings: a warning that counts them",
      [old("README.md was emptied"), old("docs/x.md was deleted")],
      {
        id: "not-emptied",
        status: "warn",
        message: `2 problems the merge-base already had: README.md was emptied ${ALREADY}`,
        details: [`docs/x.md was deleted ${ALREADY}`],
      },
    ],
    [
      "three old findings",
      [old("a was emptied"), old("b was emptied"), old("c was emptied")],
      {
        id: "not-emptied",
        status: "warn",
        message: `3 problems the merge-base already had: a was emptied ${ALREADY}`,
        details: [`b was emptied ${ALREADY}`, `c was emptied ${ALREADY}`],
      },
    ],
    [
      "many new findings: the details are capped",
      many,
      {
        id: "not-emptied",
        status: "fail",
        message: "23 files deleted or emptied: f1.yml was emptied (and 22 more)",
        details: [...many.slice(1, 21).map((f) => f.text), "... and 2 more"],
      },
    ],
  ])("%s", (_name, findings, expected) => {
    expect(fromFindings("not-emptied", findings, PASS, summary)).toEqual(expected);
  });
});

const change = (path: string, oldPath: string | null = null) => ({
  status: oldPath === null ? ("modified" as const) : ("renamed" as const),
  path,
  oldPath,
  oldMode: MODE.file,
  newMode: MODE.file,
  oldBlob: "a".repeat(40),
  newBlob: "b".repeat(40),
  oldSize: 10,
  newSize: 12,
  binary: false,
  added: 3,
  removed: 1,
  similarity: null,
});

const analysis = (path: string, allow: Allowance[] | null): FileAnalysis => {
  const rules =
    allow === null
      ? []
      : compileRules([{ path: "**", lines: [], keys: [], maxLines: null, allow }]);
  return {
    change: change(path),
    rule: rules[0] ?? null,
    oldRule: null,
    before: { state: "absent" },
    after: { state: "absent" },
    hunks: null,
    added: [],
    removed: [],
  };
};

describe("allows", () => {
  it.each<[string, Allowance[] | null, Allowance, boolean]>([
    ["no rule governs the file", null, "delete", false],
    ["a rule that allows nothing", [], "delete", false],
    ["a rule that allows it", ["delete"], "delete", true],
    ["a rule that allows something else", ["empty", "mode"], "delete", false],
    ["a rule that allows several, this among them", ["empty", "binary"], "binary", true],
  ])("%s", (_name, allow, what, expected) => {
    expect(allows(analysis("compose.yml", allow), what)).toBe(expected);
  });
});

describe("listNames", () => {
  it.each<[string[], number | undefined, string]>([
    [[], undefined, ""],
    [["a"], undefined, "a"],
    [["a", "b", "c"], undefined, "a, b, c"],
    [["a", "b", "c", "d", "e"], undefined, "a, b, c, d, e"],
    [["a", "b", "c", "d", "e", "f"], undefined, "a, b, c, d, e and 1 more"],
    [["a", "b", "c", "d", "e", "f", "g", "h"], undefined, "a, b, c, d, e and 3 more"],
    [["a", "b", "c"], 3, "a, b, c"],
    [["a", "b", "c", "d"], 3, "a, b, c and 1 more"],
  ])("%j (at most %s)", (names, max, expected) => {
    expect(listNames(names, max)).toBe(expected);
  });
});

describe("pathOf and stat", () => {
  it.each<[string, string, string]>([
    ["compose.yml", "compose.yml", "+3 -1"],
    ["notes\nREADME.md", "notes\\nREADME.md", "+3 -1"],
  ])("%j", (path, shown, counts) => {
    const file = analysis(path, null);
    expect([pathOf(file), stat(file)]).toEqual([shown, counts]);
  });
});

describe("unreadable", () => {
  it.each<[string, Side, string | null]>([
    ["text is readable", { state: "text", text: "x", invalidUtf8At: null }, null],
    ["an absent side has nothing unreadable", { state: "absent" }, null],
    ["binary", { state: "binary" }, "is binary (re-encoded, e.g. as UTF-16?)"],
    [
      "too large",
      { state: "too-large", size: 2 * 1024 * 1024 },
      "is 2.0 MiB, over the 1.0 MiB inspection limit",
    ],
    [
      "too large, its size unknown",
      { state: "too-large", size: Number.NaN },
      "is an unknown size, over the 1.0 MiB inspection limit",
    ],
    [
      "not read",
      { state: "unread", reason: "not read: git did not return its content" },
      "was not read: git did not return its content",
    ],
    ["a symlink", { state: "symlink" }, "is now a symlink"],
    ["a submodule", { state: "submodule" }, "is now a submodule"],
  ])("%s", (_name, side, expected) => {
    expect(unreadable(side, 1024 * 1024)).toBe(expected);
  });
});

describe("formatBytes", () => {
  it.each<[number, string]>([
    [Number.NaN, "an unknown size"],
    [Number.POSITIVE_INFINITY, "an unknown size"],
    [0, "0 B"],
    [64, "64 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [1000 * 1024, "1000.0 KiB"],
    [1024 * 1024, "1.0 MiB"],
    [1024 * 1024 + 1, "1.0 MiB"],
    [16 * 1024 * 1024, "16.0 MiB"],
    [3.5 * 1024 * 1024, "3.5 MiB"],
  ])("%d -> %s", (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});
