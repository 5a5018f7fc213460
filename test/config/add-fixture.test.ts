/** Adding a fixture to fixtures.yaml changes nothing else: facts in, the file's text out. */
import { describe, expect, it } from "vitest";
import { addFixture, type NewFixture } from "../../src/config/add-fixture.ts";
import { parseManifest } from "../../src/config/load-manifest.ts";
import { STARTER_MANIFEST } from "../../src/config/starter.ts";
import { ConfigError } from "../../src/shared/errors.ts";

const SHA = "2e331e46e66b7adb822fe7b79aae37ed2459b251";
const bad: NewFixture = {
  name: "bad-backup",
  repo: "coop-cloud/custom-html",
  branch: "regression-bad-backup",
  sha: SHA,
  base: "main",
  tier: "backup",
};

describe("addFixture", () => {
  it("fills in the starter's empty list, keeping every comment", () => {
    const out = addFixture(STARTER_MANIFEST, bad);
    expect(out.replace(/\n {2}- name[\s\S]*?tier: backup\n/, "\n")).toBe(
      STARTER_MANIFEST.replace("fixtures: []\n", "fixtures:\n"),
    );
    expect(out).toContain(`fixtures:
  - name: bad-backup
    repo: coop-cloud/custom-html
    branch: regression-bad-backup
    sha: ${SHA}
    base: main
    tier: backup
# Each fixture, as`);
    expect(parseManifest(out).fixtures.map((f) => [f.name, f.sha, f.tier])).toEqual([
      ["bad-backup", SHA, "backup"],
    ]);
  });

  it("appends after the last entry at its indentation; comments and quoting stay", () => {
    const source = `version: 1 # the format
fixtures:
    # the first one
    - name: "good"   # quoted, as written
      repo: coop-cloud/custom-html
      branch: main
      sha: 'abcdef1'
      base: null
# after the list
`;
    expect(
      addFixture(source, { ...bad, name: "good-2", base: null, tier: null }),
    ).toBe(`version: 1 # the format
fixtures:
    # the first one
    - name: "good"   # quoted, as written
      repo: coop-cloud/custom-html
      branch: main
      sha: 'abcdef1'
      base: null
    - name: good-2
      repo: coop-cloud/custom-html
      branch: regression-bad-backup
      sha: ${SHA}
      base: null
# after the list
`);
  });

  it("quotes a commit id of digits only, which YAML would read as a number", () => {
    const digits = "1234567890".repeat(4);
    const out = addFixture("version: 1\nfixtures: []\n", { ...bad, sha: digits });
    expect(out).toContain(`    sha: "${digits}"\n`);
    expect(parseManifest(out).fixtures[0]?.sha).toBe(digits);
  });

  it("quotes a value that would not read back as the same string", () => {
    const out = addFixture("version: 1\nfixtures: []\n", { ...bad, branch: "yes", base: "on" });
    expect(out).toContain('    branch: "yes"\n    sha: ');
    expect(out).toContain('    base: "on"\n');
    expect(parseManifest(out).fixtures[0]).toMatchObject({ branch: "yes", base: "on" });
  });

  it.each([
    [
      "a name already there",
      `version: 1\nfixtures:\n  - name: bad-backup\n    repo: a/b\n    branch: x\n    sha: abcdef1\n    base: null\n`,
      'there is already a fixture named "bad-backup"',
    ],
    ["no fixtures list", "version: 1\n", "the manifest has no fixtures list"],
    [
      "a flow list with entries",
      "version: 1\nfixtures: [{name: a, repo: a/b, branch: x, sha: abcdef1}]\n",
      "fixtures: is written as a [flow] list; write it as a block list first",
    ],
  ])("refuses %s", (_name, source, message) => {
    expect(() => addFixture(source, bad)).toThrow(new ConfigError(message));
  });
});
