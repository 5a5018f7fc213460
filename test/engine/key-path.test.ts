/** Key paths are matched key by key: a pattern never covers a sibling whose name starts the same. */
import { describe, expect, it } from "vitest";
import { disallowedKeyChanges } from "../../src/engine/yaml-keys.ts";
import {
  formatKeyPath,
  type KeyToken,
  keyPathCovered,
  parseKeyPattern,
} from "../../src/shared/key-path.ts";
import { differingPaths } from "../../src/shared/value-diff.ts";

const tokens = (pattern: string): KeyToken[] => {
  const parsed = parseKeyPattern(pattern);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
};

describe("keyPathCovered", () => {
  const labels = ["services", "app", "deploy", "labels"];
  it.each([
    // The path itself, and everything below it.
    [labels, "services.app.deploy.labels", true],
    [[...labels, "3"], "services.app.deploy.labels", true],
    [[...labels, "backupbot.backup"], "services.*.deploy.labels", true],
    // A run of words stands for one dotted key, but only the whole key.
    [[...labels, "backupbot.backup"], "services.app.deploy.labels.backupbot.backup", true],
    [[...labels, "backupbot", "backup"], "services.app.deploy.labels.backupbot.backup", true],
    [[...labels, "backupbot.backup.path"], "services.app.deploy.labels.backupbot.backup", false],
    [
      [...labels, "backupbot.backup.pre-hook"],
      "services.app.deploy.labels.backupbot.backup",
      false,
    ],
    [
      [...labels, "backupbot.backup.volumes.content.path"],
      "services.app.deploy.labels.backupbot.backup",
      false,
    ],
    // A quoted key is exactly one key.
    [[...labels, "backupbot.backup"], 'services.app.deploy.labels."backupbot.backup"', true],
    [[...labels, "backupbot", "backup"], 'services.app.deploy.labels."backupbot.backup"', false],
    [[...labels, "backupbot.backup.path"], 'services.app.deploy.labels."backupbot.backup"', false],
    // A new service whose name starts like an allowed one is not allowed.
    [["services", "app.sidecar"], "services.app", false],
    [["services", "app.sidecar", "image"], "services.app", false],
    [["services", "app", "image"], "services.app", true],
    // Siblings and parents are not covered.
    [["services", "app", "deploy", "labelsx"], "services.app.deploy.labels", false],
    [["services", "app", "image"], "services.app.deploy.labels", false],
    [["services", "app"], "services.app.deploy", false],
    // A key with `*` inside is a glob over that one key (presets use it).
    [["x-backend", "image"], "x-*.image", true],
    [["y-backend", "image"], "x-*.image", false],
    [
      [...labels, "backupbot.restore.post-hook"],
      'services.app.deploy.labels."backupbot.restore*"',
      true,
    ],
    [
      [...labels, "backupbot.backup.volumes.content.path"],
      'services.*.deploy.labels."backupbot.backup.volumes.*.path"',
      true,
    ],
    [
      [...labels, "backupbot.backup.volumes.content"],
      'services.*.deploy.labels."backupbot.backup.volumes.*.path"',
      false,
    ],
    [["a*b"], '"a\\*b"', true],
    [["axb"], '"a\\*b"', false],
    // `*` is one key, whatever it holds (dots included).
    [["services", "a.b", "image"], "services.*.image", true],
    [["services", "a", "b", "image"], "services.*.image", false],
  ])("%j covered by %s: %s", (keys, pattern, expected) => {
    expect(keyPathCovered(keys, tokens(pattern))).toBe(expected);
  });
});

describe("parseKeyPattern", () => {
  it.each([
    [
      "services.app",
      [
        { kind: "word", word: "services" },
        { kind: "word", word: "app" },
      ],
    ],
    [
      'labels."a.b"',
      [
        { kind: "word", word: "labels" },
        { kind: "key", key: "a.b" },
      ],
    ],
    [
      '"a\\"b".c',
      [
        { kind: "key", key: 'a"b' },
        { kind: "word", word: "c" },
      ],
    ],
    ["*.image", [{ kind: "any" }, { kind: "word", word: "image" }]],
  ])("%s", (pattern, expected) => expect(parseKeyPattern(pattern)).toEqual(expected));

  it.each([
    ["a..b", "has an empty key (two dots in a row, or a dot at either end)"],
    [".a", "has an empty key (two dots in a row, or a dot at either end)"],
    ["a.", "has an empty key (two dots in a row, or a dot at either end)"],
    ['a."b', "has an unclosed quote at character 3"],
    ['a.""', "has an empty quoted key at character 3"],
    ['a."b"c', "needs a dot after the quoted key at character 5"],
    ["a.b c", 'key "b c" has a space or a quote in it; write it in double quotes'],
  ])("refuses %s", (pattern, problem) => expect(parseKeyPattern(pattern)).toBe(problem));
});

describe("formatKeyPath", () => {
  it.each([
    [["services", "app", "image"], "services.app.image"],
    [
      ["services", "db", "deploy", "labels", "backupbot.backup"],
      'services.db.deploy.labels."backupbot.backup"',
    ],
    [["services", "app", "\u0456mage"], "services.app.\\u{456}mage"],
    [["a", 'say "hi"'], 'a."say \\"hi\\""'],
    [[], "(document)"],
  ])("%j -> %s", (keys, shown) => expect(formatKeyPath(keys)).toBe(shown));
});

const changedKeyPaths = (a: unknown, b: unknown) => differingPaths(a, b).paths;

describe("differingPaths / disallowedKeyChanges", () => {
  it("reports the deepest differing paths, and a resized list as the list itself", () => {
    const before = {
      services: { app: { image: "a", deploy: { labels: ["x", "y"] } }, db: { image: "pg" } },
    };
    const after = {
      services: { app: { image: "b", deploy: { labels: ["x", "y", "z"] } }, db: { image: "pg" } },
    };
    expect(changedKeyPaths(before, after)).toEqual([
      ["services", "app", "image"],
      ["services", "app", "deploy", "labels"],
    ]);
    expect(changedKeyPaths({ l: ["a", "b"] }, { l: ["a", "c"] })).toEqual([["l", "1"]]);
    expect(changedKeyPaths({ a: 1 }, { a: 1 })).toEqual([]);
    expect(changedKeyPaths({ a: 1 }, { b: 1 })).toEqual([["a"], ["b"]]);
  });

  // Issue 16, item 7: a label added under a deploy: (or labels:) the service did not have is the
  // label, so a rule that allows that label allows it.
  it("walks into a map that exists on one side only", () => {
    const before = { services: { app: { image: "a" } } };
    const after = {
      services: { app: { image: "a", deploy: { labels: { "backupbot.backup": "true" } } } },
    };
    expect(changedKeyPaths(before, after)).toEqual([
      ["services", "app", "deploy", "labels", "backupbot.backup"],
    ]);
    expect(changedKeyPaths(after, before)).toEqual([
      ["services", "app", "deploy", "labels", "backupbot.backup"],
    ]);
    const allowed = [tokens('services.*.deploy.labels."backupbot.backup*"')];
    expect(disallowedKeyChanges(before, after, allowed)).toEqual({ paths: [], truncated: false });
    // A value that becomes a map, or a list that comes, is still the key itself.
    expect(changedKeyPaths({ a: "x" }, { a: { b: 1 } })).toEqual([["a"]]);
    expect(changedKeyPaths({}, { l: [1] })).toEqual([["l"]]);
  });

  it("lets an allowed label change and catches the sibling labels that only share its prefix", () => {
    const labels = (extra: Record<string, string>) => ({
      services: { app: { deploy: { labels: { "backupbot.backup": "true", ...extra } } } },
    });
    const allowed = [tokens("services.app.deploy.labels.backupbot.backup")];
    expect(
      disallowedKeyChanges(labels({}), labels({ "backupbot.backup.path": "/x" }), allowed).paths,
    ).toEqual([["services", "app", "deploy", "labels", "backupbot.backup.path"]]);
    expect(
      disallowedKeyChanges(
        { services: { app: { image: "a" } } },
        { services: { app: { image: "a" }, "app.sidecar": { image: "evil" } } },
        [tokens("services.app")],
      ).paths,
    ).toEqual([["services", "app.sidecar", "image"]]);
  });
});
