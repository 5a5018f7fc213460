/**
 * The README's five-minute path, word for word, on a fresh repository: its `sh` block is read from
 * the README and each `fixture-bot` line run as a process in the new checkout (only GITEA_URL's
 * value is the test's, a file:// remote of real repositories). Then what the path promises
 * around it: a refused `add`, the cause and fix lines of an emptied compose.yml, the GitHub
 * annotations, and a checkout that `git status` still calls clean.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEMA_LINE } from "../../src/config/schema.ts";
import { git, ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { applyPatch, fixtureBranch, readPatch, recipeRepo } from "../helpers/recipes.ts";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "src/cli.ts");
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

let root: string;
let checkout: string;
let env: NodeJS.ProcessEnv;
let recipe: ScratchRepo;

/** The README's five-minute commands: continuation lines joined, comments dropped. */
async function fiveMinutes(): Promise<string[]> {
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Five minutes with your fixtures"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

/** Run `fixture-bot ARGS` as a process in the checkout; never throws, returns what it said. */
async function fixtureBot(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", TSX, CLI, ...args], {
      cwd: checkout,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "fixture-bot-five-minutes-"));
  recipe = await recipeRepo(root, "custom-html", "coop-cloud/custom-html");
  await fixtureBranch(recipe, "regression-bad-backup", applyPatch("custom-html/bad-backup.patch"));
  await fixtureBranch(
    recipe,
    "regression-emptied",
    applyPatch("broken/custom-html--emptied-compose.patch"),
  );
  checkout = join(root, "checkout");
  await mkdir(checkout);
  await git(checkout, ["init", "--quiet", "--initial-branch=main"]);
  env = {
    PATH: process.env.PATH,
    HOME: join(root, "home"),
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
  };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the README's five minutes, on a fresh repository", () => {
  it("init, add, verify and pin do what the README says", async () => {
    const lines = await fiveMinutes();
    expect(lines.map((l) => l.split(" ").slice(0, 2).join(" "))).toEqual([
      "export GITEA_URL=https://git.coopcloud.tech",
      "fixture-bot init",
      "fixture-bot add",
      "fixture-bot verify",
      "fixture-bot pin",
    ]);
    const results: Record<string, Awaited<ReturnType<typeof fixtureBot>>> = {};
    for (const line of lines) {
      if (line.startsWith("export GITEA_URL=")) {
        env.GITEA_URL = ScratchRepo.remoteRoot(root); // the one word that is the test's
        continue;
      }
      const [command, ...args] = line.split(/\s+/);
      expect(command).toBe("fixture-bot");
      if (args[0] === "pin") {
        // "after a fix on the branch": the branch is cut again, so its tip is a new commit.
        await recipe.checkout("regression-bad-backup");
        await recipe.git("reset", "--hard", "--quiet", "main");
        await recipe.apply(await readPatch("custom-html/bad-backup.patch"));
        await recipe.commit("canary: bad-backup, cut again");
        await recipe.git("push", "--force", "--quiet", "origin", "regression-bad-backup");
        await recipe.checkout("main");
      }
      results[args[0] as string] = await fixtureBot(args);
    }
    const manifest = () => readFile(join(checkout, "fixtures.yaml"), "utf8");

    expect(results.init).toMatchObject({ code: 0, stderr: "" });
    expect(results.init?.stdout).toMatch(/^wrote fixtures\.yaml; now add a fixture/);

    const tip = async () => (await recipe.git("rev-parse", "regression-bad-backup")).trim();
    expect(results.add).toMatchObject({ code: 0, stderr: "" });
    expect((await manifest()).split("\n")[0]).toBe(SCHEMA_LINE);

    expect(results.verify).toMatchObject({ code: 0, stderr: "" });
    expect(results.verify?.stdout).toMatch(
      /^bad-backup +pass +coop-cloud\/custom-html regression-bad-backup @ /m,
    );

    // pin moved the pin to the branch's new tip, and only the sha line changed.
    expect(results.pin).toMatchObject({ code: 0, stderr: "" });
    const pinned = await manifest();
    expect(pinned).toContain(`    sha: ${await tip()}\n`);
    expect(pinned).toContain("    tier: backup\n");
  });

  it("add refuses a tip that fails, shows why, and leaves the manifest alone", async () => {
    const before = await readFile(join(checkout, "fixtures.yaml"), "utf8");
    const refused = await fixtureBot([
      "add",
      "bad-backup-emptied",
      "--repo",
      "coop-cloud/custom-html",
      "--branch",
      "regression-emptied",
      "--base",
      "main",
      "--tier",
      "backup",
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^refusing to add bad-backup-emptied: the tip of regression-emptied \([0-9a-f]{12}\) does not pass\n$/,
    );
    const lines = refused.stdout.split("\n");
    expect(lines.filter((l) => /^ {2}(cause|fix):/.test(l))).toEqual([
      "  cause: compose.yml was emptied",
      expect.stringMatching(
        /^ {2}fix: {3}restore it from `main` \(`git checkout [0-9a-f]{12} -- compose\.yml`\), then change only `services\.\*\.deploy\.labels\."backupbot\.backup\*"`$/,
      ),
    ]);
    expect(await readFile(join(checkout, "fixtures.yaml"), "utf8")).toBe(before);
  });

  it("--format github annotates the cause and the fix; the checkout stays clean", async () => {
    // Add the emptied canary by hand (add refuses it), as someone would to see it fail in CI.
    const { addFixture } = await import("../../src/config/add-fixture.ts");
    const { writeFile } = await import("node:fs/promises");
    const file = join(checkout, "fixtures.yaml");
    const emptied = (await recipe.git("rev-parse", "regression-emptied")).trim();
    await writeFile(
      file,
      addFixture(await readFile(file, "utf8"), {
        name: "bad-backup-emptied",
        repo: "coop-cloud/custom-html",
        branch: "regression-emptied",
        sha: emptied,
        base: "main",
        tier: "backup",
      }),
    );
    await git(checkout, ["add", "fixtures.yaml"]);
    await git(checkout, [
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@t",
      "commit",
      "--quiet",
      "-m",
      "canaries",
    ]);

    const github = await fixtureBot(["verify", "--format", "github"]);
    expect(github.code).toBe(1);
    expect(github.stdout.split("\n").filter((l) => l.startsWith("::"))).toEqual([
      expect.stringMatching(
        /^::error title=fixture-bot%3A bad-backup-emptied%3A not-emptied::compose\.yml was emptied: restore it from `main` \(`git checkout [0-9a-f]{12} -- compose\.yml`\), then change only `services\.\*\.deploy\.labels\."backupbot\.backup\*"`$/,
      ),
    ]);
    // The mirrors went to the cache directory, not into the checkout.
    expect((await git(checkout, ["status", "--porcelain", "--ignored"])).trim()).toBe("");
    expect(
      (await run("ls", [join(env.HOME as string, ".cache", "fixture-bot", "mirrors")])).stdout,
    ).toContain("coop-cloud");
  });
});
