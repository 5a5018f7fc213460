/**
 * Bad input gets a clear error or a bounded result, and nothing hangs or runs: option injection,
 * path traversal and URLs where a repo belongs, a pattern built to backtrack, a 50 MB file, a
 * huge diff, paths that look like options or hold newlines.
 */
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.ts";
import type { Fixture } from "../src/config/manifest.ts";
import type { ScratchRepo } from "../src/demo/scratch-repo.ts";
import { compileRules, lineMatches } from "../src/engine/rules.ts";
import {
  applyPatch,
  createTestEnv,
  fixture,
  fixtureBranch,
  idsWith,
  recipeRepo,
  rule,
  type TestEnv,
} from "./helpers/recipes.ts";

const HTML = "recipe-maintainers/custom-html";
let env: TestEnv;
let repo: ScratchRepo;
let canary: string;

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-hostile-");
  repo = await recipeRepo(env.root, "custom-html", HTML);
  canary = join(env.root, "pwned");
});

afterAll(async () => {
  await env?.cleanup();
});

function cliIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      env: { GITEA_URL: env.giteaUrl, DATA_DIR: env.dataDir },
      isTTY: false,
    },
    out,
    err,
  };
}

describe("option injection", () => {
  it("a branch named like a git option is a config error, and git never runs", async () => {
    const manifest = join(env.root, "inject.yaml");
    await writeFile(
      manifest,
      `version: 1\nfixtures:\n  - name: x\n    repo: ${HTML}\n    branch: "--upload-pack=touch ${canary}"\n    sha: abcdef1\n`,
    );
    const { io, err } = cliIo();
    expect(await main(["verify", "--config", manifest], io)).toBe(2);
    expect(err.join("")).toContain('branch "--upload-pack=touch');
    expect(err.join("")).toContain('must not start with "-"');
    expect(existsSync(canary)).toBe(false);
    expect(existsSync(env.dataDir)).toBe(false); // nothing was fetched either
  });

  // Each refusal with its reason: an option as a ref is an error before git runs; an option
  // as a pin is no commit (git is asked only with --end-of-options, so it is read as a name).
  it.each([
    [
      "an option as branch",
      { branch: "--upload-pack=touch /tmp/x" },
      "error",
      'branch "--upload-pack=touch /tmp/x" must not start with "-" (it would be read as a git option)',
      [],
    ],
    [
      "an option as pin",
      { sha: "--output=/tmp/x" },
      "fail",
      null,
      [
        "sha-exists: no commit --output=/tmp/x in recipe-maintainers/custom-html: no branch or tag reaches it (never pushed, or force-pushed away and since deleted by the server)",
      ],
    ],
    [
      "an option as base",
      { base: "--exec=touch /tmp/x" },
      "error",
      'branch "--exec=touch /tmp/x" must not start with "-" (it would be read as a git option)',
      [],
    ],
  ])(
    "%s that bypasses the manifest still cannot reach git",
    async (_, override, verdict, error, failing) => {
      const sha = await fixtureBranch(
        repo,
        "regression-ok",
        applyPatch("custom-html/bad-backup.patch"),
      );
      const f: Fixture = fixture({
        name: "x",
        repo: HTML,
        branch: "regression-ok",
        sha,
        base: "main",
        change: [rule("compose.yml")],
        ...override,
      });
      const [result] = await env.verify([f]);
      expect({
        verdict: result?.verdict,
        error: result?.error,
        failing: result?.checks
          .filter((c) => c.status === "fail")
          .map((c) => `${c.id}: ${c.message}`),
      }).toEqual({ verdict, error, failing });
      expect(existsSync("/tmp/x")).toBe(false);
    },
  );

  const SLUG = 'must be exactly "owner/name"';
  const URL_ = 'must be "owner/name" on the configured Gitea host, not a URL';
  it.each([
    ["path traversal", "../../etc", SLUG],
    ["an absolute path", "/etc/passwd", SLUG],
    ["a URL", "https://evil.example/o/r", URL_],
    ["an ext:: transport", "ext::sh -c touch% /tmp/pwned", URL_],
  ])("a repo given as %s is refused before any directory or git call", async (_, hostile, why) => {
    const [result] = await env.verify([
      fixture({ name: "x", repo: hostile, branch: "main", sha: "abcdef1" }),
    ]);
    expect(result?.verdict).toBe("error");
    expect(result?.error).toBe(
      `could not fetch ${hostile}: repo ${JSON.stringify(hostile)} ${why}`,
    );
    const mirrors = existsSync(join(env.dataDir, "mirrors"))
      ? await readdir(join(env.dataDir, "mirrors"))
      : [];
    expect(mirrors.filter((m) => m !== "recipe-maintainers")).toEqual([]);
    expect(existsSync(join(env.root, "etc"))).toBe(false);
  });
});

describe("untrusted patterns", () => {
  it("a pattern built to backtrack matches in linear time", () => {
    // (a+)+$ against "aaaa...b" is exponential in a backtracking engine; RE2 answers at once.
    const [compiled] = compileRules([
      rule("x", { lines: ["(a+)+$", "(x+x+)+y", "^(\\w+\\s?)*$"] }),
    ]);
    const line = `${"a".repeat(5_000)}!`;
    expect(lineMatches(compiled as never, line)).toBe(false);
    expect(lineMatches(compiled as never, `${"x".repeat(5_000)}!`)).toBe(false);
    expect(lineMatches(compiled as never, "a".repeat(5_000))).toBe(true);
  });

  it("the same pattern in a fixture on a file of long lines gives a bounded result", async () => {
    const sha = await fixtureBranch(repo, "regression-backtrack", async (r) => {
      await r.write({
        "compose.yml": `${await r.git("show", "main:compose.yml")}# ${"a".repeat(9_000)}!\n`,
      });
    });
    const [result] = await env.verify([
      fixture({
        name: "backtrack",
        repo: HTML,
        branch: "regression-backtrack",
        sha,
        base: "main",
        change: [rule("compose.yml", { lines: ["^# (a+)+$"] })],
      }),
    ]);
    expect(result?.verdict).toBe("fail");
    // A comment is all that changed: nothing deployed changes either.
    expect(idsWith(result as never, "fail")).toEqual(["lines", "effective-change"]);
  });
});

describe("size limits", () => {
  it("a file over the 1 MiB limit is not read: it fails the binary check with its size", async () => {
    // 3 MiB proves the rule; the 50 MB case, and what it costs in memory, is `npm run bench`'s.
    const sha = await fixtureBranch(repo, "regression-huge-file", async (r) => {
      await r.write({ "content.txt": "0123456789abcdef\n".repeat((3 * 1024 * 1024) / 17) });
    });
    const [result] = await env.verify([
      fixture({
        name: "huge",
        repo: HTML,
        branch: "regression-huge-file",
        sha,
        base: "main",
        change: [rule("*.txt")],
      }),
    ]);
    expect(result?.verdict).toBe("fail");
    const binary = result?.checks.find((c) => c.id === "binary");
    expect(binary?.message).toMatch(/content\.txt is 3\.0 MiB, over the 1\.0 MiB inspection limit/);
    expect(result?.files[0]).toMatchObject({ path: "content.txt", binary: true, hunks: null });
  });

  it("a huge diff (1,000 files) is inspected whole and reported in bounded form", async () => {
    const sha = await fixtureBranch(repo, "regression-huge-diff", async (r) => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 1000; i++) files[`junk/file-${i}.yml`] = `key: ${i}\n`;
      await r.write(files);
    });
    const [result] = await env.verify([
      fixture({
        name: "wide",
        repo: HTML,
        branch: "regression-huge-diff",
        sha,
        base: "main",
        change: [rule("compose.yml")],
      }),
    ]);
    expect(result?.verdict).toBe("fail");
    expect(result?.files).toHaveLength(1000);
    const paths = result?.checks.find((c) => c.id === "paths");
    expect(paths?.message).toMatch(/^1000 paths outside the targeted change/);
    expect(paths?.details?.length).toBeLessThanOrEqual(21);
    // Every file is inspected (none passes unread), and the pass message stays one short line.
    const yaml = result?.checks.find((c) => c.id === "yaml-valid");
    expect(yaml).toEqual({
      id: "yaml-valid",
      status: "pass",
      message:
        "junk/file-0.yml, junk/file-1.yml, junk/file-10.yml, junk/file-100.yml, junk/file-101.yml and 995 more parse",
    });
    for (const c of result?.checks ?? []) expect(c.message.length).toBeLessThan(400);
  });
});

describe("paths that look like trouble", () => {
  it("file names with newlines, spaces, globs and leading dashes are reported, not interpreted", async () => {
    const names = ["--output=x", "a\nb.yml", "sp ace.txt", "[ab]*.yml", "ünïcode.yml"];
    const sha = await fixtureBranch(repo, "regression-odd-paths", async (r) => {
      await r.write(Object.fromEntries(names.map((n) => [n, "a: 1\n"])));
    });
    const [result] = await env.verify([
      fixture({
        name: "odd",
        repo: HTML,
        branch: "regression-odd-paths",
        sha,
        base: "main",
        change: [rule("compose.yml")],
      }),
    ]);
    expect(result?.verdict).toBe("fail");
    expect(result?.files.map((f) => f.path).sort()).toEqual([...names].sort());
    expect(result?.files.every((f) => f.added === 1)).toBe(true);
    expect(existsSync(join(repo.dir, "x"))).toBe(false);
  });
});
