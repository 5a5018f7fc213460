/**
 * app-env.ts as tables: abra.sh's text in, the exports abra reads and the commands the script runs
 * out; and the app env createAppEnv builds from them. abra.sh is a bash script: a value is one
 * shell word (its quotes removed, ended by a blank, a ` # comment` dropped), and a lone CR inside a
 * line is an ordinary character (bash, and Go's line scanner, only drop the CR of a CRLF).
 */
import { describe, expect, it } from "vitest";
import { abraCommands, createAppEnv, parseAbraExports } from "../../src/recipe/app-env.ts";

describe("parseAbraExports: the first-column exports, as values", () => {
  it.each<[string, [string, string][]]>([
    ["export A='v'", [["A", "v"]]], // single quotes are quotes too
    ["export A=v ", [["A", "v"]]], // a trailing blank ends the word
    ["export A=v  # c", [["A", "v"]]], // the comment and every blank before it
    ["export  A=v", [["A", "v"]]], // any run of blanks after `export`
    ["export A=1\rB", [["A", "1\rB"]]], // a lone CR is part of the value
    ["export A=v # c\rd", [["A", "v"]]], // ... and of the comment
  ])("%j", (text, expected) => {
    expect([...parseAbraExports(text)]).toEqual(expected);
  });
});

describe("abraCommands: what abra.sh runs besides its first-column exports", () => {
  it.each<[string, string]>([
    ["echo a\necho b", "echo a\necho b"],
    ["  # an indented comment\necho hi", "echo hi"], // a comment after blanks is still one
    // An indented export is a command (a function's body), not a value abra reads.
    ["f() {\n  export X=1\n}", "f() {\n  export X=1\n}"],
    ["export  X=1\necho hi", "echo hi"], // the exports parseAbraExports reads as values
  ])("%j", (text, expected) => {
    expect(abraCommands(text)).toBe(expected);
  });
});

describe("createAppEnv: .env.sample, then abra.sh, then STACK_NAME", () => {
  it("takes abra.sh's exports already read", () => {
    const env = createAppEnv(null, new Map([["A", "1"]]));
    expect(env.get("A")).toEqual({ value: "1", from: "abra.sh" });
  });

  it("lists every variable set", () => {
    expect(createAppEnv("A=1\n", "export B=2\n").all()).toEqual(
      new Map([
        ["A", { value: "1", from: ".env.sample" }],
        ["B", { value: "2", from: "abra.sh" }],
        ["STACK_NAME", { value: "${STACK_NAME}", from: "abra" }],
      ]),
    );
  });
});
