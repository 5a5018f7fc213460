/**
 * interpolate.ts as tables: a string in, docker/cli's result out (cli/compose/template:
 * SubstituteWith with softDefault, hardDefault, requiredNonEmpty, required, in that order). One
 * quirk of docker/cli pinned here: each substitution sets the error anew (`value, applied, err =
 * f(...)`), so only the last one's failure fails the deploy; an earlier one gave "" and is
 * forgotten.
 */
import { describe, expect, it } from "vitest";
import {
  type Interpolated,
  interpolate,
  interpolationProblem,
  stringsIn,
} from "../../src/recipe/interpolate.ts";

const env: Record<string, string> = { DOMAIN: "example.org", EMPTY: "", PORT: "8080" };
const lookup = (name: string) => env[name];

const ACCEPTS =
  "Docker accepts $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, and $$ for a literal $";
const invalid = (snippet: string) =>
  `invalid interpolation ${JSON.stringify(snippet)} (${ACCEPTS})`;
const ok = (value: string, missing: string[] = []): Interpolated => ({
  value,
  missing,
  error: null,
});

describe("interpolate: the value, the variables with no value, the error", () => {
  it.each<[string, Interpolated]>([
    ["no dollar at all", ok("no dollar at all")],
    ["$DOMAIN:$PORT", ok("example.org:8080")],
    ["${domain}", ok("", ["domain"])],
    ["$UNSET and ${UNSET} and $OTHER", ok(" and  and ", ["UNSET", "OTHER"])],
    ["$$ $$$$", ok("$ $$")],
    ["${EMPTY:-d}|${EMPTY-d}|${UNSET-d}|${UNSET:-d}", ok("d||d|d")],
    ["${DOMAIN:-a:-b}", ok("example.org")],
    ["${UNSET:-a:-b}", ok("a:-b")],
    ["${UNSET-a-b}", ok("a-b")],
    ["${DOMAIN?must}|${EMPTY?must}|${DOMAIN:?must}", ok("example.org||example.org")],
    // `-` is tried before `?`: the name is `UNSET:?a`, unset, so the default is `b`.
    ["${UNSET:?a-b}", ok("b")],
    // A required variable's failure gives "", and fails the deploy when it is the last one.
    [
      "a${UNSET:?set it}b",
      { value: "ab", missing: [], error: "required variable UNSET is missing a value: set it" },
    ],
    [
      "${EMPTY:?must} $$",
      { value: " $", missing: [], error: "required variable EMPTY is missing a value: must" },
    ],
    [
      "${DOMAIN} ${UNSET?x}",
      {
        value: "example.org ",
        missing: [],
        error: "required variable UNSET is missing a value: x",
      },
    ],
    // ... and is forgotten once a later substitution succeeds: Docker deploys with "" there.
    ["${UNSET:?x}-${DOMAIN}", ok("-example.org", ["UNSET"])],
    ["${UNSET:?x}${EMPTY:?y}${DOMAIN}", ok("example.org", ["UNSET", "EMPTY"])],
    [
      "${UNSET:?x}${EMPTY:?y}",
      { value: "", missing: ["UNSET"], error: "required variable EMPTY is missing a value: y" },
    ],
    // An invalid `$` is removed; it fails the deploy unless a later substitution succeeds.
    ["price: $5", { value: "price: 5", missing: [], error: invalid("$5") }],
    ["$5 for ${DOMAIN}", ok("5 for example.org")],
    ["${DOMAIN} $5 $$", { value: "example.org 5 $", missing: [], error: invalid("$5 $$") }],
    [
      "$5 then ${UNSET:?x}",
      { value: "5 then ", missing: [], error: "required variable UNSET is missing a value: x" },
    ],
    ["${UNSET:?x} then $5", { value: " then 5", missing: ["UNSET"], error: invalid("$5") }],
    ["$UNSET $UNSET", ok(" ", ["UNSET"])],
  ])("%j", (text, expected) => {
    expect(interpolate(text, lookup)).toEqual(expected);
  });
});

describe("interpolationProblem: what an invalid `$` shows", () => {
  it.each<[string, string | null]>([
    ["no dollar", null],
    ["$DOMAIN ${DOMAIN:-x} $$", null],
    // The text up to the next `}` when it is near, else 20 characters.
    ["${} and then some more text", invalid("${}")],
    [`ab $-${"x".repeat(57)}} tail`, invalid(`$-${"x".repeat(57)}}`)],
    [`$-${"x".repeat(58)}} tail`, invalid(`$-${"x".repeat(18)}`)],
    [`$-${"x".repeat(80)}}`, invalid(`$-${"x".repeat(18)}`)],
    ["$5 and more text without a brace", invalid("$5 and more text wit")],
    ["a ${ok} b $ c", invalid("$ c")],
    // Docker forgets an invalid `$` that a later substitution follows.
    ["$5 for ${DOMAIN}", null],
    ["$5 $$", invalid("$5 $$")],
  ])("%j", (text, problem) => {
    expect(interpolationProblem(text)).toBe(problem);
  });
});

describe("stringsIn: every string value with its key path", () => {
  it.each<[unknown, [string[], string][]]>([
    ["top", [[[], "top"]]],
    [null, []],
    [undefined, []], // a value that is not there has no strings (and is no object to walk)
    [42, []],
    [
      { a: "x", b: [1, "y", { c: "z" }], d: null, e: { f: true, g: "w" } },
      [
        [["a"], "x"],
        [["b", "1"], "y"],
        [["b", "2", "c"], "z"],
        [["e", "g"], "w"],
      ],
    ],
    [
      ["p", ["q"]],
      [
        [["0"], "p"],
        [["1", "0"], "q"],
      ],
    ],
  ])("%j", (value, expected) => {
    expect([...stringsIn(value)]).toEqual(expected);
  });

  it("starts from the path it is given", () => {
    expect([...stringsIn({ k: "v" }, ["root"])]).toEqual([[["root", "k"], "v"]]);
  });
});
