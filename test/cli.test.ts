/**
 * The CLI in-process (main(argv, io)), on real repositories: exit codes, JSON shape, validate,
 * pin (rewrites one sha and keeps every comment), help and --version, the progress line, the demo.
 * Two tests run a real process: the binary, and the modules a command loads (no service).
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, wantsColor } from "../src/cli.ts";
import type { ScratchRepo } from "../src/demo/scratch-repo.ts";
import { captureIo } from "./helpers/cli-io.ts";
import {
  applyPatch,
  createTestEnv,
  fixtureBranch,
  recipeRepo,
  type TestEnv,
} from "./helpers/recipes.ts";

const HTML = "recipe-maintainers/custom-html";
let env: TestEnv;
let repo: ScratchRepo;
let good: string;
let emptied: string;
let manifestPath: string;

const manifest = (pins: { good: string; emptied: string }) => `# Canaries for the CLI tests.
version: 1
defaults:
  repo: ${HTML}
  base: main   # every fixture is cut from main

fixtures:
  # the correct one
  - name: bad-backup
    branch: regression-bad-backup
    sha: ${pins.good}   # pinned by hand
    expect: red at backup
    change:
      - path: compose.yml
        lines: 'backupbot\\.backup'
        max_lines: 2

  # the incident
  - name: bad-backup-emptied
    branch: regression-emptied
    sha: "${pins.emptied}"
    change:
      - path: compose.yml
        lines: 'backupbot\\.backup'
`;

/** The CLI's io with the test's recipe repositories as GITEA_URL. */
const capture = (extraEnv: Record<string, string> = {}) =>
  captureIo({ GITEA_URL: env.giteaUrl, DATA_DIR: env.dataDir, ...extraEnv });

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-cli-");
  repo = await recipeRepo(env.root, "custom-html", HTML);
  good = await fixtureBranch(
    repo,
    "regression-bad-backup",
    applyPatch("custom-html/bad-backup.patch"),
  );
  emptied = await fixtureBranch(
    repo,
    "regression-emptied",
    applyPatch("broken/custom-html--emptied-compose.patch"),
  );
  manifestPath = join(env.root, "fixtures.yaml");
  await writeFile(manifestPath, manifest({ good, emptied }));
});

afterAll(async () => {
  await env?.cleanup();
});

describe("fixture-bot verify", () => {
  it("exits 0 when every named fixture passes", async () => {
    const io = capture();
    expect(await main(["verify", "--config", manifestPath, "bad-backup"], io)).toBe(0);
    expect(io.out()).toMatch(
      /^bad-backup +pass +recipe-maintainers\/custom-html regression-bad-backup @ [0-9a-f]{12} \(cut from main at [0-9a-f]{12}\)$/m,
    );
    expect(io.out()).toContain("| compose.yml  +1 -0");
    expect(io.out()).toContain("1 fixture: 1 pass, 0 fail, 0 error");
  });

  it("exits 1 when a fixture fails, naming the failing checks", async () => {
    const io = capture();
    expect(await main(["verify", "--config", manifestPath], io)).toBe(1);
    expect(io.out()).toMatch(/bad-backup-emptied +FAIL/);
    // The cause and the fix lead, as in the PR comment; the follow-on failures fold under it.
    const block = io.out().slice(io.out().indexOf("bad-backup-emptied"));
    expect(block.split("\n").slice(1, 6)).toEqual([
      "  cause: compose.yml was emptied",
      "  fix:   restore it from `main` (`git checkout 4e250b04f0c6 -- compose.yml`), then make only the targeted change",
      "  ✗ not-emptied  compose.yml was emptied (48 lines at the merge-base, none now)",
      "      also failing because of this: yaml-valid, compose-valid, lines",
      "  | compose.yml  +0 -48",
    ]);
    expect(io.out()).not.toContain("\u001b["); // no colour when not a TTY
  });

  it("colours the output on a TTY", async () => {
    const io = { ...capture(), isTTY: true };
    await main(["verify", "--config", manifestPath], io);
    expect(io.out()).toContain("\u001b[31mFAIL");
  });

  it("prints the documented JSON shape", async () => {
    const io = capture();
    expect(await main(["verify", "--config", manifestPath, "--json"], io)).toBe(1);
    const json = JSON.parse(io.out());
    expect(json.summary).toEqual({ pass: 1, fail: 1, error: 0 });
    const [first, second] = json.fixtures;
    expect(Object.keys(json)).toEqual(["schema", "fixtures", "summary"]);
    expect(json.schema).toBe(1);
    // The documented shape, key for key (a key more or less is a change for a reader).
    expect(Object.keys(first)).toEqual([
      "name",
      "repo",
      "branch",
      "sha",
      "resolved_sha",
      "base",
      "merge_base",
      "expect",
      "tier",
      "verdict",
      "error",
      "checks",
      "deployment",
      "changes",
    ]);
    expect(first).toMatchObject({
      name: "bad-backup",
      sha: good,
      resolved_sha: good,
      base: "main",
      verdict: "pass",
    });
    expect(first.changes).toEqual([
      {
        path: "compose.yml",
        old_path: null,
        status: "modified",
        added: 1,
        removed: 0,
        binary: false,
      },
    ]);
    expect(second.checks.find((c: { id: string }) => c.id === "not-emptied")).toMatchObject({
      status: "fail",
    });
    for (const c of first.checks)
      expect(Object.keys(c).sort()).toEqual(["id", "message", "status"]);
  });

  it("exits 2 when a repository cannot be reached", async () => {
    const io = capture({ GITEA_URL: `file://${join(env.root, "nowhere")}` });
    expect(await main(["verify", "--config", manifestPath, "bad-backup"], io)).toBe(2);
    expect(io.out()).toMatch(/bad-backup +ERROR/);
    expect(io.out()).toContain("could not check");
  });

  it("exits 2 on an unknown fixture name, a broken manifest, or bad usage", async () => {
    let io = capture();
    expect(await main(["verify", "--config", manifestPath, "nope"], io)).toBe(2);
    expect(io.err()).toContain('no fixture named "nope" (known: bad-backup, bad-backup-emptied)');
    const broken = join(env.root, "broken.yaml");
    await writeFile(
      broken,
      "version: 1\nfixtures:\n  - name: x\n    repo: a/b\n    branch: main\n    sha: xyz\n",
    );
    io = capture();
    expect(await main(["verify", "--config", broken], io)).toBe(2);
    expect(io.err()).toBe(`${broken}:6:10 fixture "x": sha "xyz" must be 7 to 40 hex characters\n`);
    io = capture();
    expect(await main(["verify", "--bogus"], io)).toBe(2);
    expect(io.err()).toBe(
      'fixture-bot verify: unknown option --bogus (an argument that starts with "-" goes after --)\n\nUsage: fixture-bot verify [--config FILE] [NAME...] [--format text|json|markdown|github] [--verbose]\n(fixture-bot verify --help says more)\n',
    );
    for (const [args, problem] of [
      [["verify", "--config"], "--config needs a value"],
      [["verify", "-c"], "--config needs a value"],
      [["verify", "--json=yes"], "--json takes no value"],
    ] as const) {
      io = capture();
      expect(await main([...args], io)).toBe(2);
      expect(io.err().split("\n")[0]).toBe(`fixture-bot verify: ${problem}`);
    }
    io = capture({ GITEA_URL: "" });
    expect(
      await main(["verify", "--config", manifestPath], { ...io, env: { DATA_DIR: env.dataDir } }),
    ).toBe(2);
    expect(io.err()).toBe(
      "GITEA_URL is required: the Gitea server, e.g. GITEA_URL=https://git.example.org (or file:///dir holding owner/name.git repositories, for local use)\n",
    );
  });
});

describe("fixture-bot validate", () => {
  it("checks the manifest without touching the network", async () => {
    const io = capture({ GITEA_URL: "https://unreachable.invalid" });
    expect(await main(["validate", "--config", manifestPath], io)).toBe(0);
    expect(io.out()).toBe(`${manifestPath}: ok, 2 fixtures (bad-backup, bad-backup-emptied)\n`);
  });
});

describe("fixture-bot pin", () => {
  it("moves the pin to a passing branch tip and changes nothing else in the file", async () => {
    const file = join(env.root, "pin.yaml");
    await writeFile(file, manifest({ good: good.slice(0, 12), emptied }));
    const before = await readFile(file, "utf8");
    const io = capture();
    expect(await main(["pin", "bad-backup", "--config", file], io)).toBe(0);
    expect(io.out()).toContain(`pinned bad-backup: ${good.slice(0, 12)} -> ${good}`);
    const after = await readFile(file, "utf8");
    expect(after).toBe(
      before.replace(
        `sha: ${good.slice(0, 12)}   # pinned by hand`,
        `sha: ${good}   # pinned by hand`,
      ),
    );
  });

  it("keeps the quoting style of the sha it rewrites", async () => {
    const file = join(env.root, "pin-quoted.yaml");
    const text = manifest({ good, emptied }).replace(`sha: ${good}`, `sha: '${good.slice(0, 8)}'`);
    await writeFile(file, text);
    expect(await main(["pin", "bad-backup", "--config", file], capture())).toBe(0);
    expect(await readFile(file, "utf8")).toBe(text.replace(`'${good.slice(0, 8)}'`, `'${good}'`));
  });

  it("refuses to pin a tip that fails its checks, and leaves the file alone", async () => {
    const file = join(env.root, "pin-refuse.yaml");
    const text = manifest({ good, emptied: emptied.slice(0, 10) });
    await writeFile(file, text);
    const io = capture();
    expect(await main(["pin", "bad-backup-emptied", "--config", file], io)).toBe(1);
    expect(io.err()).toContain("refusing to pin bad-backup-emptied");
    expect(io.out()).toContain("not-emptied");
    expect(await readFile(file, "utf8")).toBe(text);
  });

  it("says so when the pin already is the tip", async () => {
    const io = capture();
    expect(await main(["pin", "bad-backup", "--config", manifestPath], io)).toBe(0);
    expect(io.out()).toContain("already pinned");
  });

  it("verifies a tip that already is the pin, and exits 1 when it fails", async () => {
    const io = capture();
    expect(await main(["pin", "bad-backup-emptied", "--config", manifestPath], io)).toBe(1);
    expect(io.out()).not.toContain("already pinned");
    expect(io.out()).toMatch(/bad-backup-emptied +FAIL/);
    expect(io.out()).toContain("not-emptied");
    expect(io.err()).toBe(
      `bad-backup-emptied is pinned to the tip of regression-emptied (${emptied.slice(0, 12)}), and the tip does not pass\n`,
    );
  });
});

describe("fixture-bot verify on a terminal", () => {
  it("shows which repository it fetches and for how long, and nothing on a pipe or with --json", async () => {
    const tty = { ...capture(), isTTY: true };
    expect(await main(["verify", "--config", manifestPath], tty)).toBe(1);
    // Fetched once: the fetch started ahead is the one the checks use (the same sync options,
    // from syncOptionsFor), not a second fetch after it.
    expect(tty.out().split(`\r\u001b[Kfetching ${HTML}… `).length - 1).toBe(1);
    expect(tty.out()).toMatch(
      new RegExp(`\r\u001b\\[Kfetched ${HTML} in \\d+\\.\\d s\n(.|\n)*bad-backup-emptied`),
    );

    const pipe = capture();
    expect(await main(["verify", "--config", manifestPath], pipe)).toBe(1);
    expect(pipe.out()).not.toContain("fetch");
    expect(pipe.out()).not.toContain("\r");

    const json = { ...capture(), isTTY: true };
    expect(await main(["verify", "--config", manifestPath, "--json"], json)).toBe(1);
    expect(JSON.parse(json.out()).summary).toEqual({ pass: 1, fail: 1, error: 0 });
    expect(json.err()).toBe("");
  });

  it("warns on stderr when GITEA_TOKEN is set but a file:// GITEA_URL has no use for it", async () => {
    const io = capture({ GITEA_TOKEN: "secret-token-0123456789" });
    expect(await main(["verify", "--config", manifestPath, "bad-backup"], io)).toBe(0);
    expect(io.err()).toBe(
      "fixture-bot: warning: GITEA_TOKEN is set but not used: GITEA_URL is a file:// URL, whose repositories are read without a token\n",
    );
    const quiet = capture();
    expect(await main(["verify", "--config", manifestPath, "bad-backup"], quiet)).toBe(0);
    expect(quiet.err()).toBe("");
  });
});

describe("fixture-bot help and --version", () => {
  const commands = ["verify", "validate", "pin", "outcome", "tiers", "demo", "serve"];

  it("prints the version from package.json", async () => {
    const { version } = JSON.parse(
      await readFile(new URL("../package.json", import.meta.url), "utf8"),
    );
    const io = capture();
    expect(await main(["--version"], io)).toBe(0);
    expect(io.out()).toBe(`fixture-bot ${version}\n`);
  });

  it("prints each command's help for help COMMAND and COMMAND --help, and runs nothing", async () => {
    for (const command of commands) {
      const viaHelp = capture();
      expect(await main(["help", command], viaHelp)).toBe(0);
      expect(viaHelp.out()).toMatch(new RegExp(`^Usage: fixture-bot ${command}\\b`));
      for (const flag of ["--help", "-h"]) {
        // No environment at all: a command that ran instead would fail (exit 2, on stderr).
        const io = { ...capture(), env: {} };
        expect(await main([command, flag], io), `${command} ${flag}`).toBe(0);
        expect(io.out()).toBe(viaHelp.out());
        expect(io.err()).toBe("");
      }
    }
    const verify = capture();
    expect(await main(["verify", "--json", "--help", "bad-backup"], verify)).toBe(0);
    expect(verify.out()).toContain("--json         the same as --format json");
    const unknown = capture();
    expect(await main(["help", "nope"], unknown)).toBe(2);
    expect(unknown.err()).toContain('unknown command "nope"');
  });
});

describe("fixture-bot tiers", () => {
  it("prints every tier's preset, as text and as JSON", async () => {
    const io = capture();
    expect(await main(["tiers"], io)).toBe(0);
    const text = io.out();
    for (const tier of ["install", "upgrade", "backup", "restore", "custom"])
      expect(text).toMatch(new RegExp(`^${tier}\n  may touch: `, "m"));
    expect(text).toContain('services.*.deploy.labels."backupbot.backup*"');
    const json = capture();
    expect(await main(["tiers", "--json"], json)).toBe(0);
    const { tiers } = JSON.parse(json.out()) as { tiers: { tier: string; change: unknown[] }[] };
    expect(tiers.map((t) => t.tier)).toEqual(["install", "upgrade", "backup", "restore", "custom"]);
    expect(tiers.every((t) => t.change.length > 0)).toBe(true);
  });
});

describe("fixture-bot demo", () => {
  it("replays the incident and catches each bad fixture", async () => {
    const io = capture();
    expect(await main(["demo"], io)).toBe(0);
    const out = io.out();
    expect(out).toMatch(/^bad-backup +pass/m);
    expect(out).toMatch(/^bad-backup-emptied +FAIL/m);
    expect(out).toContain("✗ not-emptied");
    expect(out).toMatch(/^bad-restore +FAIL/m);
    expect(out).toMatch(
      /sha-on-branch +[0-9a-f]{12} exists but is no longer on regression-bad-restore/,
    );
    expect(out).toMatch(/^bad-backup-truncated +FAIL/m);
    expect(out).toContain('volume "content" used by service "app" is not declared');
    expect(out).toContain("Every scenario got the verdict it should");
    // ...and shows the comment the service would post for the incident.
    expect(out).toContain("    <!-- fixture-bot:report -->");
    expect(out).toContain(
      "    - ❌ **`not-emptied`** compose.yml was emptied (48 lines at the merge-base, none now)",
    );
  });
});

describe("the fixture-bot binary", () => {
  it("runs from package.json's bin and exits with the verdict's code", async () => {
    const bin = new URL("../bin/fixture-bot.js", import.meta.url).pathname;
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [bin, "validate", "--config", manifestPath]);
    expect(stdout).toContain("ok, 2 fixtures");
    await expect(
      run(process.execPath, [bin, "verify", "--config", manifestPath], {
        env: { ...process.env, GITEA_URL: env.giteaUrl, DATA_DIR: env.dataDir },
      }),
    ).rejects.toMatchObject({ code: 1 });
  });
});

describe("start-up", () => {
  it("loads none of the service (hono, pino, prom-client, better-sqlite3, undici) but for serve", async () => {
    // A real process (vitest's own module graph would hide what the CLI loads): a loader hook logs
    // every module loaded while main() runs each command in turn.
    const dir = join(env.root, "modules");
    const log = join(dir, "loaded.log");
    const cli = new URL("../src/cli.ts", import.meta.url).href;
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "hooks.mjs"),
      `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(log)}, url + "\\n");
  return next(url, context);
}\n`,
    );
    await writeFile(
      join(dir, "register.mjs"),
      `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`,
    );
    const commands = {
      help: ["--help"],
      version: ["--version"],
      helpServe: ["serve", "--help"],
      validate: ["validate", "--config", manifestPath],
      tiers: ["tiers"],
      verify: ["verify", "--config", manifestPath],
      verifyJson: ["verify", "--config", manifestPath, "--json"],
      pin: ["pin", "bad-backup", "--config", manifestPath],
    };
    await writeFile(
      join(dir, "run.mjs"),
      `const { main } = await import(${JSON.stringify(cli)});
const io = { stdout() {}, stderr() {}, env: process.env, isTTY: true };
const codes = {};
for (const [name, argv] of Object.entries(${JSON.stringify(commands)})) codes[name] = await main(argv, io);
process.stdout.write(JSON.stringify(codes));\n`,
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--import", join(dir, "register.mjs"), join(dir, "run.mjs")],
      {
        cwd: new URL("..", import.meta.url).pathname,
        env: { ...process.env, GITEA_URL: env.giteaUrl, DATA_DIR: env.dataDir },
        timeout: 30_000, // a command that leaves a git running keeps the process alive
      },
    );
    const loaded = (await readFile(log, "utf8")).split("\n");
    expect(loaded).toContain(cli);
    expect(loaded.some((url) => url.includes("/node_modules/zod/"))).toBe(true);
    const service = loaded.filter(
      (url) =>
        /\/node_modules\/(hono|@hono\/node-server|pino|prom-client|better-sqlite3|undici)\//.test(
          url,
        ) || /\/src\/(main|lifecycle)\.ts$|\/src\/(intake|web|store|ops|gitea|queue)\//.test(url),
    );
    expect(service).toEqual([]);
    // ...and each command ran to its end.
    expect(JSON.parse(stdout)).toEqual({
      help: 0,
      version: 0,
      helpServe: 0,
      validate: 0,
      tiers: 0,
      verify: 1,
      verifyJson: 1,
      pin: 0,
    });
  });
});

describe("colour", () => {
  it.each([
    [{ isTTY: true, env: {} }, true],
    [{ isTTY: true, env: { NO_COLOR: "1" } }, false],
    [{ isTTY: false, env: {} }, false],
    // FORCE_COLOR decides, piped or not, over NO_COLOR; 0 and false turn it off.
    [{ isTTY: false, env: { FORCE_COLOR: "1" } }, true],
    [{ isTTY: false, env: { FORCE_COLOR: "3", NO_COLOR: "1" } }, true],
    [{ isTTY: true, env: { FORCE_COLOR: "0" } }, false],
    [{ isTTY: true, env: { FORCE_COLOR: "false" } }, false],
    [{ isTTY: false, env: { FORCE_COLOR: "" } }, false],
  ])("%j -> %s", (io, expected) => {
    expect(wantsColor(io)).toBe(expected);
  });
});
