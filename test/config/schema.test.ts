/**
 * The JSON Schema of fixtures.yaml agrees with the parser: the shipped file is what
 * `fixture-bot schema` prints (generated from the parser's zod schema), it is a valid draft
 * 2020-12 schema, it accepts every manifest the project ships, and it refuses the structural
 * errors the parser refuses. (The parser checks more than a schema can say: those cases are
 * listed, and the schema must accept them, so an editor never flags what the parser takes.)
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { main } from "../../src/cli.ts";
import { parseManifest } from "../../src/config/load-manifest.ts";
import { manifestJsonSchema, SCHEMA_LINE } from "../../src/config/schema.ts";
import { STARTER_MANIFEST } from "../../src/config/starter.ts";
import { captureIo } from "../helpers/cli-io.ts";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), "utf8");
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(manifestJsonSchema());
const schemaAccepts = (text: string) => validate(parseYaml(text)) === true;

/** The manifest example in docs/manifest.md (its first YAML block). */
const docExample = () => /```yaml\n([\s\S]*?)```/.exec(read("docs/manifest.md"))?.[1] ?? "";

describe("the JSON Schema of fixtures.yaml", () => {
  it("is what `fixture-bot schema` prints, and what the package ships", async () => {
    const io = captureIo({});
    expect(await main(["schema"], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual(manifestJsonSchema());
    // `npm run schema` writes it; a change to the parser's schema shows up here until it is run.
    expect(JSON.parse(read("schema/fixtures.schema.json"))).toEqual(JSON.parse(io.out()));
  });

  it.each([
    ["fixtures.yaml", () => read("fixtures.yaml")],
    ["docs/manifest.md's example", docExample],
    ["the starter `init` writes", () => STARTER_MANIFEST],
  ])("accepts %s, as the parser does", (_name, text) => {
    expect(() => parseManifest(text())).not.toThrow();
    expect(validate(parseYaml(text())), JSON.stringify(validate.errors)).toBe(true);
  });

  it("the starter and the docs' example point editors at it", () => {
    expect(STARTER_MANIFEST.split("\n")[0]).toBe(SCHEMA_LINE);
    expect(docExample().split("\n")[0]).toBe(SCHEMA_LINE);
  });

  const fixture = `  - name: bad-backup
    repo: coop-cloud/custom-html
    branch: regression-bad-backup
    sha: e1e3c5fc5e2bd414
    base: main
    tier: backup
`;
  const manifest = (fixtures = fixture, top = "") => `version: 1\n${top}fixtures:\n${fixtures}`;
  const edit = (from: string, to: string) => manifest(fixture.replace(from, to));

  it.each([
    ["version 2", "version: 2\nfixtures: []\n"],
    ["no version", "fixtures: []\n"],
    ["no fixtures", "version: 1\n"],
    ["an unknown top-level key", manifest(fixture, "fixturez: []\n")],
    ["an unknown fixture key", edit("    tier: backup\n", "    tier: backup\n    chnage: []\n")],
    ["a name with capitals", edit("name: bad-backup", "name: Bad-Backup")],
    ["a sha that is not hex", edit("sha: e1e3c5fc5e2bd414", "sha: zzzzzzz")],
    ["a short sha", edit("sha: e1e3c5fc5e2bd414", "sha: e1e3c5")],
    ["an unknown tier", edit("tier: backup", "tier: backups")],
    ["a missing branch", edit("    branch: regression-bad-backup\n", "")],
    ["a change without a path", edit("    tier: backup\n", "    change:\n      - lines: x\n")],
    [
      "an unknown allow",
      edit("    tier: backup\n", "    change:\n      - path: a\n        allow: [everything]\n"),
    ],
    [
      "a negative max_commits",
      edit("    tier: backup\n", "    tier: backup\n    max_commits: -1\n"),
    ],
    ["a ci block with an unknown key", manifest(fixture, "ci:\n  status: x\n")],
    ["a ci context without {tier}", manifest(fixture, 'ci:\n  status_context: "recipe-ci"\n')],
  ])("refuses %s, as the parser does", (_name, text) => {
    expect(() => parseManifest(text)).toThrow();
    expect(schemaAccepts(text)).toBe(false);
  });

  // What only the parser can check; the schema must not refuse these (an editor would flag a
  // manifest for the wrong reason), and the parser does.
  it.each([
    ["a duplicate name", manifest(fixture + fixture)],
    ["a base with neither change nor tier", edit("    tier: backup\n", "")],
    [
      "a repo that is a URL",
      edit("repo: coop-cloud/custom-html", "repo: https://git.example.org/o/r"),
    ],
    [
      "a lines pattern that does not compile",
      edit("    tier: backup\n", "    change:\n      - path: a\n        lines: '(?<=x)'\n"),
    ],
  ])("leaves %s to the parser", (_name, text) => {
    expect(() => parseManifest(text)).toThrow();
    expect(schemaAccepts(text)).toBe(true);
  });
});
