/**
 * The fixture's `change:` rules, compiled: which rule governs a path (the first whose glob
 * matches, as a .gitignore is read; a preset's rule that names the files a config reads or the
 * compose files matches exactly those), the key paths each rule parses to (a bad one is refused
 * with its reason), and whether a changed line matches a rule's patterns (without its line
 * ending; a line too long to match never does).
 */
import { describe, expect, it } from "vitest";
import { compileRules, lineMatches, MAX_MATCHED_LINE, ruleFor } from "../../src/engine/rules.ts";
import type { ChangeRule } from "../../src/shared/fixture.ts";

const rule = (path: string, extra: Partial<ChangeRule> = {}): ChangeRule => ({
  path,
  lines: [],
  keys: [],
  maxLines: null,
  allow: [],
  ...extra,
});
const configSources = rule("(files a config or secret reads)", { sources: "config-sources" });
const composeFiles = rule("(the recipe's compose files)", { sources: "compose-files" });
const context = {
  configSources: new Set(["nginx.conf.tmpl"]),
  composeFiles: new Set(["compose.yml", "compose.smtp.yml"]),
};

describe("compileRules and ruleFor: which rule governs a path", () => {
  const rules = [
    rule("compose.yml"),
    rule("*.yml"),
    rule("docs/**"),
    configSources,
    composeFiles,
    rule("**"),
  ];
  it.each<[string, ChangeRule[], Parameters<typeof compileRules>[1], string, number | null]>([
    ["the first matching glob wins", rules, context, "compose.yml", 0],
    ["a later glob when the first does not match", rules, context, "compose.smtp.yml", 1],
    ["a directory glob", rules, context, "docs/a/b.md", 2],
    ["a file a config reads", rules, context, "nginx.conf.tmpl", 3],
    ["nothing before the catch-all", rules, context, "abra.sh", 5],
    ["no rule at all", [rule("compose.yml")], context, "abra.sh", null],
    ["config-sources matches what a config reads", [configSources], context, "nginx.conf.tmpl", 0],
    ["config-sources does not match a compose file", [configSources], context, "compose.yml", null],
    ["config-sources without the context matches nothing", [configSources], {}, "x.conf", null],
    ["config-sources without a context at all", [configSources], undefined, "x.conf", null],
    ["compose-files matches a compose file", [composeFiles], context, "compose.smtp.yml", 0],
    [
      "compose-files does not match a config's file",
      [composeFiles],
      context,
      "nginx.conf.tmpl",
      null,
    ],
    ["compose-files without the context matches nothing", [composeFiles], {}, "compose.yml", null],
    [
      "a rule named like its description is not a glob",
      [composeFiles],
      context,
      "(the recipe's compose files)",
      null,
    ],
  ])("%s", (_name, input, ctx, path, index) => {
    const compiled = compileRules(input, ctx);
    const found = ruleFor(compiled, path);
    expect(found === null ? null : [found.index, found.rule]).toEqual(
      index === null ? null : [index, input[index]],
    );
  });

  it("keeps each rule, its place, its compiled patterns and key paths", () => {
    const input = [
      rule("compose.yml", {
        lines: ["^a$", "b"],
        keys: ['services.*.deploy.labels."backupbot.*"'],
      }),
      rule("abra.sh"),
    ];
    const compiled = compileRules(input);
    expect(
      compiled.map((c) => ({
        rule: c.rule,
        index: c.index,
        patterns: c.patterns.map((p) => p.pattern()),
        keyPatterns: c.keyPatterns,
      })),
    ).toEqual([
      {
        rule: input[0],
        index: 0,
        patterns: ["^a$", "b"],
        keyPatterns: [
          [
            { kind: "word", word: "services" },
            { kind: "any" },
            { kind: "word", word: "deploy" },
            { kind: "word", word: "labels" },
            { kind: "glob", pattern: "backupbot.*", regex: /^backupbot\..*$/s },
          ],
        ],
      },
      { rule: input[1], index: 1, patterns: [], keyPatterns: [] },
    ]);
  });

  it.each<[string, string]>([
    [
      "services..image",
      'key path "services..image" has an empty key (two dots in a row, or a dot at either end)',
    ],
    ['services."app', 'key path "services.\\"app" has an unclosed quote at character 10'],
  ])("refuses the key path %j", (key, message) => {
    expect(() => compileRules([rule("compose.yml", { keys: [key] })])).toThrow(new Error(message));
  });
});

describe("lineMatches", () => {
  const long = "x".repeat(MAX_MATCHED_LINE);
  it.each<[string, string[], string, boolean]>([
    ["a matching line", ["^image: nginx:1\\.27$"], "image: nginx:1.27", true],
    ["a line that does not match", ["^image: nginx:1\\.27$"], "image: nginx:1.28", false],
    ["a rule with no patterns matches nothing", [], "anything", false],
    ["one of several patterns is enough", ["^a$", "^b$"], "b", true],
    ["none of several", ["^a$", "^b$"], "c", false],
    ["a CRLF line: $ anchors before the CR", ["^image: nginx$"], "image: nginx\r", true],
    ["the CR is not part of the text", ["\\r"], "image: nginx\r", false],
    ["a line with no CR keeps its last character", ["^abc$"], "abc", true],
    ["only the one CR at the end is dropped", ["^a\\r$"], "a\r\r", true],
    ["a find, not a whole match", ["nginx"], "image: nginx:1.27", true],
    ["exactly the longest line matched", ["^x+$"], long, true],
    ["the longest line, with a CR", ["^x+$"], `${long}\r`, true],
    ["one character longer is never matched", ["x"], `${long}x`, false],
  ])("%s", (_name, lines, line, expected) => {
    const [compiled] = compileRules([rule("compose.yml", { lines })]);
    expect(compiled && lineMatches(compiled, line)).toBe(expected);
  });

  it("is 10 000 characters", () => {
    expect(MAX_MATCHED_LINE).toBe(10_000);
  });
});
