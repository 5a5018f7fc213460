/**
 * yaml-doc.ts as tables: one YAML text parsed as a careful loader parses it. The expected values
 * are the `yaml` library's own (parseAllDocuments, Document#toJS with maxAliasCount): an empty
 * stream holds no document, duplicate keys and unresolved aliases are errors with the library's
 * message (its first line, no trailing colon), and a bounded number of aliases (1000, not the
 * library's default of 100) resolve.
 */
import { describe, expect, it } from "vitest";
import { isYamlPath, type ParsedYaml, parseYaml } from "../../src/recipe/yaml-doc.ts";

const aliases = (n: number) => `a: &a 1\nb: [${Array(n).fill("*a").join(", ")}]\n`;

describe("parseYaml: one text, every document", () => {
  it.each<[string, string, ParsedYaml]>([
    // An empty stream, or one of comments only, holds no document: null, not undefined.
    ["empty", "", { ok: true, value: null, documents: 0 }],
    ["comments only", "# nothing yet\n", { ok: true, value: null, documents: 0 }],
    ["one document", "a: 1\n", { ok: true, value: { a: 1 }, documents: 1 }],
    [
      "several documents: the list of their values",
      "a: 1\n---\nb: 2\n",
      { ok: true, value: [{ a: 1 }, { b: 2 }], documents: 2 },
    ],
    // uniqueKeys: the library reports the second key, with its line.
    [
      "a duplicate key",
      "a: 1\na: 2\n",
      { ok: false, error: "Map keys must be unique at line 2, column 1", line: 2, errors: 1 },
    ],
    // An alias to an anchor set nowhere fails when the value is built (toJS), with no position;
    // the colon inside the library's message stays.
    [
      "an alias to no anchor",
      "a: *x\n",
      {
        ok: false,
        error: "Unresolved alias (the anchor must be set before the alias): x",
        line: null,
        errors: 1,
      },
    ],
    // maxAliasCount 1000: more than the library's default of 100 resolve, more than 1000 do not.
    [
      "150 aliases",
      aliases(150),
      { ok: true, value: { a: 1, b: Array(150).fill(1) }, documents: 1 },
    ],
    [
      "1001 aliases",
      aliases(1001),
      {
        ok: false,
        error: "Excessive alias count indicates a resource exhaustion attack",
        line: null,
        errors: 1,
      },
    ],
  ])("%s", (_name, text, expected) => expect(parseYaml(text)).toEqual(expected));
});

describe("isYamlPath: a file named as YAML", () => {
  it.each<[string, boolean]>([
    ["compose.yml", true],
    ["compose.YAML", true],
    [".drone.yml", true],
    // Only the extension counts: a backup or a template of a YAML file is not one.
    ["compose.yml.bak", false],
    ["compose.yml.tmpl", false],
    ["compose.yam", false],
  ])("%s -> %s", (path, yaml) => expect(isYamlPath(path)).toBe(yaml));
});
