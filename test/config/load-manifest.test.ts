import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/config/load-manifest.ts";
import { ConfigError } from "../../src/shared/errors.ts";

const ROOT_MANIFEST = new URL("../../fixtures.yaml", import.meta.url);

function errorsOf(text: string): string[] {
  try {
    parseManifest(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error("expected the manifest to be rejected");
}

/** A valid bad-backup fixture; rows below change one thing in it. */
const fixture = (lines: string[] = []) => `version: 1
fixtures:
  - name: bad-backup
    repo: recipe-maintainers/custom-html
    branch: regression-bad-backup
    sha: e1e3c5fc5e2bd414
    base: main
${lines.map((l) => `    ${l}\n`).join("")}    change:
      - path: compose.yml
        lines: 'backupbot\\.backup'
`;

describe("fixtures.yaml", () => {
  it("accepts the project's own manifest (the real cc-ci canaries)", async () => {
    const manifest = parseManifest(await readFile(ROOT_MANIFEST, "utf8"));
    expect(manifest.fixtures.map((f) => f.name)).toEqual([
      "good-simple",
      "good-significant",
      "bad-false-green",
      "bad-install",
      "bad-upgrade",
      "bad-backup",
      "bad-restore",
    ]);
    const backup = manifest.fixtures.find((f) => f.name === "bad-backup");
    expect(backup).toMatchObject({
      base: "main",
      sha: "e1e3c5fc5e2bd414",
      branch: "regression-bad-backup",
    });
    expect(manifest.fixtures.find((f) => f.name === "good-simple")?.base).toBeNull();
  });

  it("applies defaults, lets base: null opt out, and normalises lines to a list", () => {
    const manifest = parseManifest(`version: 1
defaults:
  repo: o/r
  base: main
  max_commits: 3
fixtures:
  - name: a
    branch: b
    sha: ABCDEF0
    change: [{ path: compose.yml, lines: x, allow: [whitespace] }]
  - name: good
    branch: main
    sha: abcdef1
    base: null
`);
    expect(manifest.fixtures).toEqual([
      {
        name: "a",
        repo: "o/r",
        branch: "b",
        sha: "abcdef0",
        base: "main",
        expect: null,
        maxCommits: 3,
        tier: null,
        change: [
          { path: "compose.yml", lines: ["x"], keys: [], maxLines: null, allow: ["whitespace"] },
        ],
      },
      expect.objectContaining({ name: "good", base: null, change: [] }),
    ]);
  });

  it("gives file:line:col, the fixture, the key and what is allowed", () => {
    const text = fixture().replace("sha: e1e3c5fc5e2bd414", "sha: e1e3");
    expect(errorsOf(text)).toEqual([
      'fixtures.yaml:6:10 fixture "bad-backup": sha "e1e3" must be 7 to 40 hex characters',
    ]);
  });

  it("rejects an unknown key and suggests the one meant", () => {
    const text = fixture().replace("    change:", "    chnage:");
    expect(errorsOf(text)).toContain(
      'fixtures.yaml:8:5 fixture "bad-backup": unknown key "chnage" (did you mean "change"?); allowed: name, repo, branch, sha, base, expect, max_commits, tier, change',
    );
  });

  it.each([
    ["a name with capitals", ["name: Bad"], 'name "Bad" must match'],
    [
      "a URL as repo",
      ["repo: https://git.example.org/o/r"],
      'repo "https://git.example.org/o/r" must be "owner/name" on the configured Gitea host, not a URL',
    ],
    ["an ssh URL as repo", ["repo: git@git.example.org:o/r"], "not a URL"],
    ["path traversal in repo", ["repo: ../etc"], 'must not contain ".." (path traversal)'],
    ["a repo with three parts", ["repo: a/b/c"], 'must be exactly "owner/name"'],
    ["a .git suffix", ["repo: a/b.git"], 'must not end with ".git"'],
    ["an option as branch", ["branch: --upload-pack=touch /tmp/pwned"], 'must not start with "-"'],
    ["a branch with ..", ["branch: a..b"], 'must not contain ".."'],
    ["a branch with a space", ["branch: a b"], 'must not contain " "'],
    ["a branch ending in .lock", ["branch: x.lock"], 'no path component may end with ".lock"'],
    ["a branch with @{", ["branch: a@{1}"], 'must not contain "@{"'],
    ["a non-hex sha", ["sha: zzzzzzzz"], 'sha "zzzzzzzz" must be 7 to 40 hex characters'],
    [
      "an abbreviated base commit",
      ["base: abcdef12"],
      "a base commit must be the full 40 hex characters",
    ],
    ["a negative max_commits", ["max_commits: -1"], "max_commits -1 must be 0 or more"],
    ["a fractional max_commits", ["max_commits: 1.5"], "max_commits 1.5 must be a whole number"],
    ["an expect that is not text", ["expect: [red]"], "expect must be a string"],
  ])("rejects %s", (_, overrides, message) => {
    const lines = fixture().split("\n");
    for (const line of overrides) {
      const key = line.split(":")[0] as string;
      const index = lines.findIndex((l) => l.replace(/^\s*(- )?/, "").startsWith(`${key}:`));
      if (index === -1) lines.splice(7, 0, `    ${line}`);
      else lines[index] = (lines[index] as string).replace(/^(\s*(- )?).*$/, `$1${line}`);
    }
    const errors = errorsOf(lines.join("\n"));
    expect(errors.join("\n")).toContain(message);
    for (const e of errors) expect(e).toMatch(/^fixtures\.yaml:\d+:\d+ /);
  });

  it.each([
    ["a missing version", "fixtures: []\n", "version"],
    ["version 2", "version: 2\nfixtures: []\n", "version 2 must be 1"],
    ["a list at the top", "- a\n- b\n", "the manifest must be a mapping"],
    ["an empty file", "", "the manifest must be a mapping"],
    ["a YAML syntax error", "version: 1\nfixtures: [\n", "fixtures.yaml:"],
    ["duplicate keys", "version: 1\nversion: 1\nfixtures: []\n", "Map keys must be unique"],
  ])("rejects %s", (_, text, message) => {
    expect(errorsOf(text).join("\n")).toContain(message);
  });

  it.each([
    ["change without base", fixture().replace("    base: main\n", ""), "change needs a base"],
    [
      "base without change",
      fixture().replace(/ {4}change:[\s\S]*$/, ""),
      "change is required when base is set",
    ],
    [
      "a duplicate name",
      `${fixture()}  - name: bad-backup\n    repo: a/b\n    branch: x\n    sha: abcdef1\n`,
      'name "bad-backup" is already used by fixtures[0]',
    ],
    [
      "missing sha",
      fixture().replace("    sha: e1e3c5fc5e2bd414\n", ""),
      'fixture "bad-backup": sha is required',
    ],
    [
      "missing repo",
      fixture().replace("    repo: recipe-maintainers/custom-html\n", ""),
      "repo is required (or set defaults.repo)",
    ],
    [
      "keys on a non-YAML path",
      fixture().replace("path: compose.yml", "path: abra.sh\n        keys: [a]"),
      "only applies to YAML files",
    ],
    [
      "a lookahead pattern",
      fixture().replace("'backupbot\\.backup'", "'(?=x)'"),
      "is not a valid RE2 regular expression",
    ],
    [
      "a backreference",
      fixture().replace("'backupbot\\.backup'", "'(a)\\1'"),
      "lookaround and backreferences are not supported",
    ],
    [
      "an over-long pattern",
      fixture().replace("'backupbot\\.backup'", `'${"a".repeat(600)}'`),
      "must be at most 500 characters",
    ],
    [
      "an unknown allowance",
      fixture().replace("path: compose.yml", "path: compose.yml\n        allow: [everything]"),
      "must be one of delete, empty, mode, binary, invalid-yaml, whitespace",
    ],
    [
      "an absolute glob",
      fixture().replace("path: compose.yml", "path: /etc/passwd"),
      "must be relative to the repository root",
    ],
    [
      "an unknown rule key",
      fixture().replace("path: compose.yml", "path: compose.yml\n        max_line: 2"),
      'unknown key "max_line" (did you mean "max_lines"?)',
    ],
  ])("rejects %s", (_, text, message) => {
    expect(errorsOf(text).join("\n")).toContain(message);
  });

  it("refuses a YAML alias bomb instead of expanding it", () => {
    const bomb = [
      "version: 1",
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from({ length: 9 }, (_, i) => {
        const prev = i === 0 ? "a" : `l${i - 1}`;
        return `l${i}: &l${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
      }),
      "fixtures: *l8",
    ].join("\n");
    const errors = errorsOf(bomb);
    expect(errors.join("\n")).toMatch(/alias/i);
  });

  it("refuses a manifest over 1 MiB", () => {
    expect(errorsOf(`version: 1\n# ${"x".repeat(1024 * 1024)}\n`).join()).toContain("larger than");
  });
});

describe("tier:", () => {
  const tierFixture = (lines: string[]) => `version: 1
fixtures:
  - name: bad-backup
    repo: recipe-maintainers/custom-html
    branch: regression-bad-backup
    sha: e1e3c5fc5e2bd414
${lines.map((l) => `    ${l}\n`).join("")}`;

  it("with a base and no change, is all a fixture needs (the preset applies)", () => {
    const manifest = parseManifest(tierFixture(["base: main", "tier: backup"]));
    expect(manifest.fixtures[0]).toMatchObject({ base: "main", tier: "backup", change: [] });
  });

  it.each([
    [
      ["base: main", "tier: bakup"],
      'fixtures.yaml:8:11 fixture "bad-backup": tier "bakup" must be one of install, upgrade, backup, restore, custom',
    ],
    [
      ["tier: backup"],
      'fixtures.yaml:7:11 fixture "bad-backup": tier "backup" needs a base: a tier\'s checks compare the fixture with the branch it was cut from (a good canary has no tier)',
    ],
    [
      ["base: main", "tier: [backup]"],
      'fixtures.yaml:8:11 fixture "bad-backup": tier must be one of install, upgrade, backup, restore, custom',
    ],
  ])("refuses %j", (lines, message) => {
    expect(errorsOf(tierFixture(lines))).toEqual([message]);
  });
});

describe("ci: where the recipe CI's results are read", () => {
  const withCi = (ci: string) => `version: 1\nci:\n${ci}${fixture().replace("version: 1\n", "")}`;

  it("reads status_context and results", () => {
    expect(
      parseManifest(
        withCi(
          '  status_context: "recipe-ci/{tier}"\n  results: "https://ci.example/{owner}/{repo}/{sha}.json"\n',
        ),
      ).ci,
    ).toEqual({
      statusContext: "recipe-ci/{tier}",
      results: "https://ci.example/{owner}/{repo}/{sha}.json",
    });
    expect(parseManifest(withCi("  results: results/{name}.json\n")).ci).toEqual({
      statusContext: null,
      results: "results/{name}.json",
    });
    expect(parseManifest(fixture()).ci).toBeUndefined();
  });

  it.each([
    [
      "no {tier}",
      '  status_context: "recipe-ci"\n',
      'fixtures.yaml:3:19 ci.status_context "recipe-ci" must contain "{tier}", e.g. "recipe-ci/{tier}"',
    ],
    [
      "{tier} twice",
      '  status_context: "{tier}/{tier}"\n',
      'fixtures.yaml:3:19 ci.status_context "{tier}/{tier}" must contain "{tier}" once and no other placeholder (e.g. "recipe-ci/{tier}")',
    ],
    [
      "another placeholder in the context",
      '  status_context: "{sha}/{tier}"\n',
      'fixtures.yaml:3:19 ci.status_context "{sha}/{tier}" must contain "{tier}" once and no other placeholder (e.g. "recipe-ci/{tier}")',
    ],
    [
      "an unknown placeholder in results",
      "  results: results/{branch}.json\n",
      'fixtures.yaml:3:12 ci.results "results/{branch}.json" uses {branch}; the placeholders are {owner}, {repo}, {sha}, {name}',
    ],
    [
      "a scheme other than http(s)",
      "  results: file:///etc/{sha}\n",
      'fixtures.yaml:3:12 ci.results "file:///etc/{sha}" must be a path, or an http:// or https:// URL',
    ],
    [
      "an absolute path",
      "  results: /etc/passwd\n",
      `fixtures.yaml:3:12 ci.results "/etc/passwd" must be a path relative to the manifest's directory, without "..", or a URL`,
    ],
    [
      "a path out of the manifest's directory",
      "  results: ../secrets/{sha}.json\n",
      `fixtures.yaml:3:12 ci.results "../secrets/{sha}.json" must be a path relative to the manifest's directory, without "..", or a URL`,
    ],
    [
      "neither source",
      "  {}\n",
      "fixtures.yaml:3:3 ci needs status_context (the recipe CI's commit statuses) or results (its results documents), or both",
    ],
  ])("rejects %s", (_name, ci, message) => {
    expect(errorsOf(withCi(ci))).toEqual([message]);
  });

  it("an unknown key in ci: names the mapping and its keys", () => {
    expect(errorsOf(withCi('  status: "recipe-ci/{tier}"\n'))).toEqual([
      'fixtures.yaml:3:3 ci: unknown key "status"; allowed: status_context, results',
      "fixtures.yaml:3:3 ci needs status_context (the recipe CI's commit statuses) or results (its results documents), or both",
    ]);
  });
});

describe("an empty manifest", () => {
  it("loads with no fixtures (init writes one; add fills it in)", () => {
    expect(parseManifest("version: 1\nfixtures: []\n")).toEqual({ version: 1, fixtures: [] });
  });
});

describe("unknown keys outside a fixture (issue 21, break 4)", () => {
  it.each([
    [
      "at the top level",
      "version: 1\nfixturez: []\nfixtures: []\n",
      'fixtures.yaml:2:1 unknown key "fixturez" (did you mean "fixtures"?); allowed: version, defaults, ci, placeholder, fixtures',
    ],
    [
      "under defaults:",
      "version: 1\ndefaults:\n  bse: main\nfixtures: []\n",
      'fixtures.yaml:3:3 defaults: unknown key "bse" (did you mean "base"?); allowed: repo, base, max_commits',
    ],
  ])("are refused %s, with the keys allowed there", (_where, text, message) => {
    expect(errorsOf(text)).toEqual([message]);
  });
});
