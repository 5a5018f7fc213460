/**
 * `.env.sample` as abra reads it (joho/godotenv's format), abra.sh's exports, and which compose
 * files abra deploys from them: facts about godotenv and abra in, values out.
 */
import { describe, expect, it } from "vitest";
import { createAppEnv, parseAbraExports } from "../../src/recipe/app-env.ts";
import { deploymentSpecs } from "../../src/recipe/compose-files.ts";
import { commentedComposeFileLines, parseEnvFile, withLine } from "../../src/recipe/env-file.ts";

const value = (text: string, key = "K") => parseEnvFile(text).values.get(key);

describe("parseEnvFile, as godotenv reads an app's env", () => {
  it.each([
    ["K=v", "v"],
    ["export K=v", "v"],
    ["K: v", "v"],
    ["  K = v  ", "v"],
    ["K=v # a comment", "v"],
    ["K=v#not-a-comment", "v#not-a-comment"],
    ["K=a # b # c", "a # b"], // the last ` #` starts the comment
    ["K=", ""],
    ["K='single $V \\n kept'", "single $V \\n kept"],
    ['K="double # not a comment"', "double # not a comment"],
    ['K="line\\nbreak"', "line\nbreak"],
    ['K="quote \\" inside"', 'quote " inside'],
    ['K="two\nlines"', "two\nlines"],
    ['K="v" # comment after the quote', "v"],
    ["V=x\nK=$V", "x"],
    ["V=x\nK=${V}y", "xy"],
    ['V=x\nK="$V:y"', "x:y"],
    ["K=$UNSET", ""],
    ["K=\\$V", "$V"],
    ["V=x\nK=$v", "$v"], // only capitals, digits and _ expand
    ["V=x\nK='$V'", "$V"],
    ["K=first\nK=second", "second"],
    ["K=a\r\nJ=b", "a"],
    ["K=a\rJ=b", "a"], // a lone CR ends an unquoted value (godotenv's isLineEnd)
    ["\u0085K=v", "v"], // Go's unicode.IsSpace skips NEL before a statement
    ["# K=commented\nJ=1", undefined],
    // extractVarValue trims every quote at both ends of the quoted text: `"a\"` loses its last `"`.
    ['K="a\\""', "a\\"],
    ['K="a\\rb"', "a\rb"], // expandEscapes: `\r` in double quotes is a carriage return
    ['K= "v"', "v"], // locateKeyName skips the spaces after `=` before the quote is looked for
    ["K=v #comment", "v"], // a `#` after a space starts the comment, whatever follows it
    // godotenv's isSpace: each of these before a `#` starts a comment, and is trimmed.
    ["K=v\t# c", "v"],
    ["K=v\v# c", "v"],
    ["K=v\f# c", "v"],
    ["K=v\u0085# c", "v"],
    ["K=v\u00a0# c", "v"],
    ["K\r=v", "v"], // a CR in the name is a space to locateKeyName, trimmed off the key
  ])("%j -> %j", (text, expected) => {
    const parsed = parseEnvFile(text);
    expect(parsed.error).toBeNull();
    expect(parsed.values.get("K")).toBe(expected);
  });

  it("chains a variable onto its value above, as recipes chain COMPOSE_FILE", () => {
    const text = [
      'COMPOSE_FILE="compose.yml"',
      'COMPOSE_FILE="$COMPOSE_FILE:compose.postgres.yml"',
      '#COMPOSE_FILE="$COMPOSE_FILE:compose.smtp.yml"',
    ].join("\n");
    expect(value(text, "COMPOSE_FILE")).toBe("compose.yml:compose.postgres.yml");
    expect(parseEnvFile(text).lines.get("COMPOSE_FILE")).toBe(2);
  });

  it.each([
    ["BARE_WORD\nK=1", 'line 1: unexpected character "\\n" in variable name near "BARE_WORD"'],
    ["BARE_WORD", "line 1: a variable name with no = after it"],
    ["OK=1\nK-EBAB=1", 'line 2: unexpected character "-" in variable name near "K-EBAB=1"'],
    ["K='open\nJ=1", "line 1: unterminated quoted value 'open"],
    ["K='open", "line 1: unterminated quoted value 'open"], // up to the end of the file
    ["K", "line 1: a variable name with no = after it"],
    // A byte-order mark is no space to Go's unicode.IsSpace: godotenv fails on it in the name.
    ["\ufeffK=v", 'line 1: unexpected character "\ufeff" in variable name near "\ufeffK=v"'],
  ])("refuses %j: %s", (text, message) => {
    const { error } = parseEnvFile(text);
    expect(error && `line ${error.line}: ${error.message}`).toBe(message);
  });

  it.each([
    // locateKeyName keeps the spaces inside a name and trims those after it (TrimRightFunc).
    ["A B=v", [["A B", "v"]]],
    ["K  =v", [["K", "v"]]],
  ])("names of %j", (text, expected) => {
    const parsed = parseEnvFile(text);
    expect(parsed.error).toBeNull();
    expect([...parsed.values]).toEqual(expected);
  });

  it.each([
    // A commented line switched on in place keeps the file's line ends, CRLF or LF.
    ["A=1\r\n#B=2\r\n", 2, "B=2", "A=1\r\nB=2\r\n"],
    ["A=1\n#B=2\n", 2, "B=2", "A=1\nB=2\n"],
    ["#A=1\nB=2", 1, "A=1", "A=1\nB=2"],
    // A line the file does not have changes nothing.
    ["A=1\n", 0, "X=1", "A=1\n"],
    ["A=1\n", 3, "X=1", "A=1\n"],
  ])("withLine(%j, %j, %j) -> %j", (text, line, replacement, expected) => {
    expect(withLine(text, line, replacement)).toBe(expected);
  });

  it("finds the commented COMPOSE_FILE lines, as they read switched on", () => {
    expect(
      commentedComposeFileLines(
        'A=1\n#COMPOSE_FILE="$COMPOSE_FILE:compose.smtp.yml"\n  ## COMPOSE_FILE=x.yml\n# COMPOSE_FILE lists the files\n#export COMPOSE_FILE=y.yml\n',
      ),
    ).toEqual([
      { line: 2, text: 'COMPOSE_FILE="$COMPOSE_FILE:compose.smtp.yml"' },
      { line: 3, text: "COMPOSE_FILE=x.yml" },
      { line: 5, text: "export COMPOSE_FILE=y.yml" },
    ]);
  });
});

describe("abra.sh's exports, and the app env", () => {
  it("reads export lines at the first column, without quotes or a trailing comment", () => {
    const exports = parseAbraExports(
      [
        "export A=v1",
        'export B="v2"',
        "export C=v3 # bump me",
        "  export INDENTED=no",
        "f() {",
        "  export IN_FUNCTION=no",
        "}",
        "exported=no",
      ].join("\n"),
    );
    expect([...exports]).toEqual([
      ["A", "v1"],
      ["B", "v2"],
      ["C", "v3"],
    ]);
  });

  it("lets abra.sh win over .env.sample, and sets STACK_NAME", () => {
    const env = createAppEnv("V=sample\nONLY=sample\n", "export V=abra\n");
    expect(env.get("V")).toEqual({ value: "abra", from: "abra.sh" });
    expect(env.get("ONLY")).toEqual({ value: "sample", from: ".env.sample" });
    expect(env.get("STACK_NAME")).toEqual({ value: "${STACK_NAME}", from: "abra" });
    expect(env.error).toBeNull();
    expect(createAppEnv("oops\n", null).error).toEqual({
      line: 1,
      message: 'unexpected character "\\n" in variable name near "oops"',
    });
  });
});

describe("deploymentSpecs: the default deployment, then the optional ones", () => {
  const specs = (sample: string | null, names: string[], abra: string | null = null) =>
    deploymentSpecs(sample, abra, names).map((s) => ({
      id: s.id,
      files: s.files,
      optional: s.optional,
      origin: s.origin,
      problems: s.problems,
    }));

  it("is compose.yml alone when .env.sample sets no COMPOSE_FILE", () => {
    expect(specs("DOMAIN=x\n", ["compose.yml"])).toEqual([
      {
        id: "default",
        files: ["compose.yml"],
        optional: false,
        origin: "compose.yml, abra's default (.env.sample sets no COMPOSE_FILE)",
        problems: [],
      },
    ]);
    expect(specs(null, ["compose.yml"])[0]?.files).toEqual(["compose.yml"]);
  });

  it("reads a chained COMPOSE_FILE, subfolders, commented lines switched on in place, and unnamed overlays", () => {
    const sample = [
      'COMPOSE_FILE="compose.yml"',
      'COMPOSE_FILE="$COMPOSE_FILE:postgres/compose.postgres.tune.yml"',
      "## Optional: mail",
      '#COMPOSE_FILE="$COMPOSE_FILE:compose.smtp.yml"',
    ].join("\n");
    const names = ["compose.yml", "compose.smtp.yml", "compose.ldap.yml", "postgres"];
    expect(specs(sample, names)).toEqual([
      {
        id: "default",
        files: ["compose.yml", "postgres/compose.postgres.tune.yml"],
        optional: false,
        origin: "COMPOSE_FILE on line 2 of .env.sample",
        problems: [],
      },
      {
        id: ".env.sample:4",
        files: ["compose.yml", "postgres/compose.postgres.tune.yml", "compose.smtp.yml"],
        optional: true,
        origin: "COMPOSE_FILE on line 4 of .env.sample, commented out",
        problems: [],
      },
      {
        id: "overlay:compose.ldap.yml",
        files: ["compose.yml", "postgres/compose.postgres.tune.yml", "compose.ldap.yml"],
        optional: true,
        origin: "compose.ldap.yml, which no COMPOSE_FILE line names",
        problems: [],
      },
    ]);
  });

  it("takes COMPOSE_FILE from abra.sh when it exports one (abra.sh wins)", () => {
    expect(
      specs(
        'COMPOSE_FILE="compose.yml"\n',
        ["compose.yml", "compose.x.yml"],
        'export COMPOSE_FILE="compose.yml:compose.x.yml"\n',
      ),
    ).toEqual([
      {
        id: "default",
        files: ["compose.yml", "compose.x.yml"],
        optional: false,
        origin: "COMPOSE_FILE exported by abra.sh",
        problems: [],
      },
    ]);
  });

  it.each([
    ['COMPOSE_FILE=""', [], ["COMPOSE_FILE is set but empty: abra has no file to deploy"]],
    [
      'COMPOSE_FILE="compose.yml:"',
      ["compose.yml"],
      ['COMPOSE_FILE "compose.yml:" has an empty name between its colons'],
    ],
    [
      'COMPOSE_FILE="compose.yml:../other/compose.yml"',
      ["compose.yml"],
      ['COMPOSE_FILE names "../other/compose.yml", which is outside the recipe'],
    ],
    ["COMPOSE_FILE=./compose.yml", ["compose.yml"], []],
    [
      "DOMAIN x\n",
      ["compose.yml"],
      // godotenv skips spaces inside a name, and stops at the line break.
      ['.env.sample line 1: unexpected character "\\n" in variable name near "DOMAIN x"'],
    ],
  ])("%j: files %j, problems %j", (sample, files, problems) => {
    const [first] = specs(sample, ["compose.yml"]);
    expect(first?.files).toEqual(files);
    expect(first?.problems).toEqual(problems);
  });
});
