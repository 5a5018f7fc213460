/**
 * The package as its users get it: `npm pack` (whose prepack builds dist/) in a copy of the
 * project, so that nothing is written into the source tree; `npm install -g` of the tarball into a
 * fresh prefix; then the installed fixture-bot, run from the prefix's bin/ against a file://
 * repository. Slow (a full tsc build and an install: ~30 s on an idle 2-core machine), so it is one
 * test.
 *
 * The install runs offline from npm's cache when the cache holds every package it needs, else it
 * asks the registry for what is missing. It skips install scripts: the only one is better-sqlite3's
 * native build, which only `serve` needs (and that verify runs without it shows that verify does
 * not load the service).
 */
import { execFile } from "node:child_process";
import { cp, mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  applyPatch,
  createTestEnv,
  fixtureBranch,
  recipeRepo,
  type TestEnv,
} from "./helpers/recipes.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
/** Not part of a checkout, or rebuilt by the pack itself. */
const LEFT_OUT = new Set(["node_modules", ".git", "dist", "data", "test-artifacts", "scratch"]);

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-package-");
});

afterAll(async () => {
  await env?.cleanup();
});

async function npm(args: readonly string[], cwd: string) {
  return run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    maxBuffer: 16 * 1024 * 1024,
  });
}

it("packs, installs globally, and runs --version and verify from the installed copy", async () => {
  const project = join(env.root, "project");
  await cp(ROOT, project, {
    recursive: true,
    filter: (source) => !LEFT_OUT.has(basename(source)) && !basename(source).startsWith(".build-"),
  });
  await symlink(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");

  const { stdout: packed } = await npm(["pack", "--json", "--pack-destination", env.root], project);
  const [{ filename, files }] = JSON.parse(packed.slice(packed.indexOf("["))) as [
    { filename: string; files: { path: string }[] },
  ];
  const paths = files.map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining(["bin/fixture-bot.js", "dist/cli.js"]));
  // The README's links lead into docs/, so the manual ships with it; the licence; the schema.
  const docs = (await readdir(join(ROOT, "docs"))).map((name) => `docs/${name}`);
  expect(paths.filter((p) => !/^(bin|dist)\//.test(p)).sort()).toEqual(
    ["LICENSE", "README.md", ...docs, "package.json", "schema/fixtures.schema.json"].sort(),
  );
  expect(paths.filter((p) => /(^|\/)test\/|\.test\.[jt]s$|\.ts$/.test(p))).toEqual([]);

  const prefix = join(env.root, "prefix");
  await mkdir(prefix);
  const install = [
    "install",
    "-g",
    "--prefix",
    prefix,
    join(env.root, filename),
    "--ignore-scripts",
  ];
  await npm([...install, "--offline"], env.root).catch(async (error) => {
    if (!String(error.stderr).includes("ENOTCACHED")) throw error;
    await npm([...install, "--prefer-offline"], env.root);
  });
  const bin = join(prefix, "bin", "fixture-bot");

  const { version } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
  expect((await run(bin, ["--version"])).stdout).toBe(`fixture-bot ${version}\n`);

  const repo = await recipeRepo(env.root, "custom-html", "recipe-maintainers/custom-html");
  const good = await fixtureBranch(
    repo,
    "regression-bad-backup",
    applyPatch("custom-html/bad-backup.patch"),
  );
  const emptied = await fixtureBranch(
    repo,
    "regression-emptied",
    applyPatch("broken/custom-html--emptied-compose.patch"),
  );
  const manifest = join(env.root, "fixtures.yaml");
  await writeFile(
    manifest,
    `version: 1
defaults:
  repo: recipe-maintainers/custom-html
  base: main
fixtures:
  - name: bad-backup
    branch: regression-bad-backup
    sha: ${good}
    tier: backup
  - name: bad-backup-emptied
    branch: regression-emptied
    sha: ${emptied}
    tier: backup
`,
  );
  const verify = run(bin, ["verify", "--config", manifest], {
    env: { ...process.env, GITEA_URL: env.giteaUrl, DATA_DIR: env.dataDir },
  });
  await expect(verify).rejects.toMatchObject({ code: 1, stderr: "" });
  const { stdout } = (await verify.catch((error) => error)) as { stdout: string };
  expect(stdout).toMatch(
    /^bad-backup +pass +recipe-maintainers\/custom-html regression-bad-backup/m,
  );
  expect(stdout).toMatch(/^bad-backup-emptied +FAIL/m);
  expect(stdout).toContain("✗ not-emptied");
  expect(stdout).toContain("2 fixtures: 1 pass, 1 fail, 0 error");

  // serve verifies in processes forked from the compiled worker beside the installed pool: the
  // installed copy runs it (no tsx, no sources), and answers what verify did.
  const installed = join(prefix, "lib", "node_modules", "fixture-bot", "dist", "pipeline");
  const script = join(env.root, "pool.mjs");
  await writeFile(
    script,
    `const { createVerifierPool } = await import(${JSON.stringify(join(installed, "verifier-pool.js"))});
const { DEFAULT_LIMITS } = await import(${JSON.stringify(join(installed, "..", "engine", "inspect-files.js"))});
const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } };
const pool = createVerifierPool({ size: 1, log, config: { dataDir: ${JSON.stringify(env.dataDir)}, giteaUrl: ${JSON.stringify(env.giteaUrl)}, token: null, limits: DEFAULT_LIMITS, secrets: [] } });
const fixture = (name, branch, sha) => ({ name, repo: "recipe-maintainers/custom-html", branch, sha, base: "main", expect: null, maxCommits: null, tier: "backup", change: [] });
const results = await pool.verify({ fixtures: [fixture("a", "regression-bad-backup", ${JSON.stringify(good)}), fixture("b", "regression-emptied", ${JSON.stringify(emptied)})] });
await pool.close();
process.stdout.write(JSON.stringify(results.map((r) => r.verdict)));
`,
  );
  const pooled = await run(process.execPath, [script]);
  expect(pooled.stdout).toBe('["pass","fail"]');
}, 300_000);
