/**
 * The helpers every check builds its result with, as pure functions: a result carries `details`
 * only when there are some; a fixture's verdict is `fail` as soon as one check fails (a warning or
 * a skip never fails it); long detail lists are capped and say how many were left out; counts,
 * and short commit ids, as reports print them.
 */
import { describe, expect, it } from "vitest";
import {
  type CheckResult,
  capDetails,
  check,
  MAX_DETAILS,
  plural,
  shortSha,
  toVerdict,
} from "../../src/engine/check-result.ts";

describe("check", () => {
  it.each<[string, string[] | undefined, CheckResult]>([
    [
      "no details: no details key",
      undefined,
      { id: "paths", status: "pass", message: "every changed path is covered" },
    ],
    [
      "an empty list of details: no details key",
      [],
      { id: "paths", status: "pass", message: "every changed path is covered" },
    ],
    [
      "one detail line",
      ["README.md"],
      {
        id: "paths",
        status: "pass",
        message: "every changed path is covered",
        details: ["README.md"],
      },
    ],
  ])("%s", (_name, details, expected) => {
    expect(check("paths", "pass", "every changed path is covered", details)).toEqual(expected);
  });
});

describe("toVerdict", () => {
  const result = (status: CheckResult["status"]): CheckResult => ({
    id: "paths",
    status,
    message: status,
  });
  it.each<[string, CheckResult["status"][], "pass" | "fail"]>([
    ["no checks at all", [], "pass"],
    ["every check passes", ["pass", "pass"], "pass"],
    ["a warning does not fail a fixture", ["pass", "warn"], "pass"],
    ["a skipped check does not fail a fixture", ["skip", "pass"], "pass"],
    ["only warnings and skips", ["warn", "skip"], "pass"],
    ["one failure among passes fails it", ["pass", "fail", "warn"], "fail"],
    ["a failure as the last check fails it", ["pass", "pass", "fail"], "fail"],
    ["every check fails", ["fail", "fail"], "fail"],
  ])("%s", (_name, statuses, verdict) => {
    expect(toVerdict(statuses.map(result))).toBe(verdict);
  });
});

describe("capDetails", () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);
  it.each<[string, string[], number | undefined, string[]]>([
    ["nothing to cap", [], undefined, []],
    ["under the cap", lines(3), 5, lines(3)],
    ["exactly at the cap: all of them, nothing said", lines(5), 5, lines(5)],
    ["one over the cap", lines(6), 5, [...lines(5), "... and 1 more"]],
    ["many over the cap", lines(12), 5, [...lines(5), "... and 7 more"]],
    ["the default cap, exactly", lines(MAX_DETAILS), undefined, lines(20)],
    ["the default cap, one over", lines(21), undefined, [...lines(20), "... and 1 more"]],
  ])("%s", (_name, input, max, expected) => {
    expect(capDetails(input, max)).toEqual(expected);
  });

  it("returns a copy, never the list it was given", () => {
    const input = lines(2);
    const out = capDetails(input);
    out.push("more");
    expect(input).toEqual(["line 1", "line 2"]);
  });

  it("is 20 lines by default", () => {
    expect(MAX_DETAILS).toBe(20);
  });
});

describe("plural", () => {
  it.each<[number, string, string | undefined, string]>([
    [0, "file", undefined, "0 files"],
    [1, "file", undefined, "1 file"],
    [2, "file", undefined, "2 files"],
    [1, "commit", "commits", "1 commit"],
    [3, "directory", "directories", "3 directories"],
  ])("%i %s", (n, one, many, expected) => {
    expect(plural(n, one, many)).toBe(expected);
  });
});

describe("shortSha", () => {
  it.each<[string, string | null | undefined, string]>([
    [
      "a full id: its first 12 characters",
      "b6cd73d72612e8a39e5d4a0e67b9847beb389420",
      "b6cd73d72612",
    ],
    ["a short prefix: as it is", "b6cd73d", "b6cd73d"],
    ["no id (null)", null, "?"],
    ["no id (undefined)", undefined, "?"],
    ["an empty id", "", "?"],
  ])("%s", (_name, sha, expected) => {
    expect(shortSha(sha)).toBe(expected);
  });
});
