/**
 * The mirror's long-lived `git cat-file --batch-command`, on real git: it answers like the one-shot
 * commands it replaces, a batch that stops answering is a timeout (never a hang, never a pass), a
 * git without --batch-command is asked one process at a time, and a verification starts the
 * number of git processes it should (a regression guard for issue 11's speed).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseManifest } from "../../src/config/load-manifest.ts";
import { buildDemo, type DemoSetup } from "../../src/demo/demo.ts";
import { git, ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { DEFAULT_LIMITS } from "../../src/engine/inspect-files.ts";
import { verifyFixtures } from "../../src/pipeline/verify-fixture.ts";
import { GitError } from "../../src/shared/errors.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import { createGitBatch } from "../../src/workspace/git-batch.ts";
import { buildGitEnv } from "../../src/workspace/git-runner.ts";
import { createWorkspace } from "../../src/workspace/workspace.ts";
import { createTestEnv, type TestEnv } from "../helpers/recipes.ts";

let env: TestEnv;
let demo: DemoSetup;

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-batch-");
  demo = await buildDemo(join(env.root, "demo"));
});

afterAll(async () => {
  await env?.cleanup();
});

/** The git verbs (`cat-file --batch-command` as one) a verification of the demo starts. */
async function verbsOfDemo(options: { dataDir: string; path?: string }): Promise<{
  verbs: Record<string, number>;
  verdicts: Record<string, string>;
}> {
  const verbs: Record<string, number> = {};
  const workspace = createWorkspace({
    dataDir: options.dataDir,
    giteaUrl: demo.giteaUrl,
    redact: createRedactor([]),
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
    env: options.path ? { ...process.env, PATH: options.path } : process.env,
    onGit: (args) => {
      const verb = args.includes("--batch-command") ? "cat-file --batch-command" : String(args[0]);
      verbs[verb] = (verbs[verb] ?? 0) + 1;
    },
  });
  const manifest = parseManifest(await readFile(demo.manifestPath, "utf8"), demo.manifestPath);
  const results = await verifyFixtures(manifest.fixtures, {
    workspace,
    limits: DEFAULT_LIMITS,
    log: silentLogger,
  });
  return { verbs, verdicts: Object.fromEntries(results.map((r) => [r.name, r.verdict])) };
}

describe("a verification's git processes", () => {
  // Before issue 11 every question was a process of its own: about 12 per fixture, whatever its
  // size. Now a sync costs a fixed few, and each fixture four: where its pin is against its
  // branch (rev-list --left-right --count), its merge-base, the commits since it (rev-list
  // --count), and the changed files (diff-tree). Contents, sizes, directories and tips come from
  // the one cat-file and the one for-each-ref the fixtures share.
  const perFixture = { "rev-list": 2, "merge-base": 1, "diff-tree": 1 };
  const times = (n: number) =>
    Object.fromEntries(Object.entries(perFixture).map(([verb, count]) => [verb, count * n]));

  it("is a fixed few per sync and four per fixture, cold and warm", async () => {
    const dataDir = join(env.root, "count-data");
    const fixtures = Object.keys(demo.expected).length;
    expect(fixtures).toBe(6);
    // for-each-ref: all tips, and once more (--contains) for bad-restore, whose pin left its branch.
    const shared = { "cat-file --batch-command": 1, "for-each-ref": 2 };

    const cold = await verbsOfDemo({ dataDir });
    expect(cold.verdicts).toEqual(demo.expected);
    expect(cold.verbs).toEqual({ clone: 1, ...shared, ...times(fixtures) });

    // A new workspace (a new process) checks the mirror's remote URL once; a running service
    // remembers it.
    const warm = await verbsOfDemo({ dataDir });
    expect(warm.verdicts).toEqual(demo.expected);
    expect(warm.verbs).toEqual({ config: 1, fetch: 1, ...shared, ...times(fixtures) });
  });

  it("gives the same verdicts, one process per question, on a git without --batch-command", async () => {
    const dir = join(env.root, "old-git");
    await mkdir(dir, { recursive: true });
    const real = spawnSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).stdout.trim();
    // git 2.35 and older answer an unknown option with its usage and exit 129.
    await writeFile(
      join(dir, "git"),
      `#!/bin/sh
for arg in "$@"; do
  if [ "$arg" = "--batch-command" ]; then
    echo "error: unknown option \\\`batch-command'" >&2
    echo "usage: git cat-file <type> <object>" >&2
    exit 129
  fi
done
exec ${real} "$@"
`,
    );
    await chmod(join(dir, "git"), 0o755);
    const old = await verbsOfDemo({
      dataDir: join(env.root, "old-git-data"),
      path: `${dir}:${process.env.PATH}`,
    });
    expect(old.verdicts).toEqual(demo.expected);
    // One try of the batch, then the questions one at a time.
    expect(old.verbs["cat-file --batch-command"]).toBe(1);
    expect(old.verbs["cat-file"]).toBeGreaterThan(6);
  });
});

describe("git cat-file --batch-command", () => {
  let repo: ScratchRepo;
  let tip: string;
  const binary = Buffer.from([0, 1, 2, 255, 10, 13, 10, 0]);

  beforeAll(async () => {
    repo = await ScratchRepo.create(join(env.root, "objects"), "o/objects");
    await repo.write({
      "compose.yml": "services:\n  app: {}\n",
      "dir with space/file name.txt": "hello\n",
      "logo.bin": binary,
    });
    tip = await repo.commit("objects");
  });

  const batchIn = (cwd: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}) => {
    const started: string[][] = [];
    const batch = createGitBatch({
      cwd,
      env: buildGitEnv({}, ["file"]),
      timeoutMs: options.timeoutMs ?? 10_000,
      redact: createRedactor([]),
      signal: options.signal,
      onGit: (args) => started.push([...args]),
    });
    return { batch, started };
  };

  it("answers info, contents and missing like the one-shot commands, in one process", async () => {
    const { batch, started } = batchIn(repo.dir);
    try {
      const commit = await batch.info(`${tip}^{commit}`);
      expect(commit).toEqual({ oid: tip, type: "commit", size: expect.any(Number) });
      const spaced = await batch.contents(`${tip}:dir with space/file name.txt`);
      expect(typeof spaced !== "string" && spaced.data.toString()).toBe("hello\n");
      // Bytes come back exactly, newlines and NULs included, and the answers after them line up.
      const [bin, compose, missing, tree] = await Promise.all([
        batch.contents(`${tip}:logo.bin`),
        batch.contents(`${tip}:compose.yml`),
        batch.info(`${tip}:no-such-file`),
        batch.info(`${tip}:dir with space`),
      ]);
      expect(typeof bin !== "string" && bin.data).toEqual(binary);
      expect(typeof compose !== "string" && compose.data.toString()).toBe("services:\n  app: {}\n");
      expect(missing).toBe("missing");
      expect(typeof tree !== "string" && tree.type).toBe("tree");
      const expected = (await git(repo.dir, ["rev-parse", `${tip}:logo.bin`])).trim();
      expect(typeof bin !== "string" && bin.oid).toBe(expected);
      expect(started).toEqual([["cat-file", "--batch-command", "-z"]]);
    } finally {
      batch.close();
    }
  });

  it("refuses a name with a newline (it would be read as two questions)", async () => {
    const { batch, started } = batchIn(repo.dir);
    const error = await batch.info(`${tip}:a\ninfo HEAD`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toBe("a name with a newline cannot be asked in a batch");
    expect(started).toEqual([]);
  });

  it("starts again after close, and answers", async () => {
    const { batch, started } = batchIn(repo.dir);
    expect(await batch.info(tip)).not.toBe("missing");
    batch.close();
    batch.close();
    expect(await batch.info(tip)).not.toBe("missing");
    batch.close();
    expect(started).toHaveLength(2);
  });

  it("that stops answering fails its questions as a timeout, and is killed", async () => {
    const { batch } = batchIn(repo.dir, { timeoutMs: 500 });
    expect(await batch.info(tip)).not.toBe("missing");
    const pid = catFilePid(repo.dir);
    process.kill(pid, "SIGSTOP");
    const started = Date.now();
    const error = await batch.contents(`${tip}:compose.yml`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).failure).toBe("timeout");
    expect((error as GitError).message).toBe("git cat-file did not answer within 500 ms");
    expect(Date.now() - started).toBeLessThan(5_000);
    // Every later question fails the same way: nothing reads as an answer.
    await expect(batch.info(tip)).rejects.toThrow("git cat-file did not answer within 500 ms");
    await waitUntil(() => !alive(pid));
  });

  it("killed from outside fails its pending questions as killed", async () => {
    const { batch } = batchIn(repo.dir);
    expect(await batch.info(tip)).not.toBe("missing");
    const pid = catFilePid(repo.dir);
    process.kill(pid, "SIGSTOP");
    const pending = batch.info(`${tip}:compose.yml`).catch((e: unknown) => e);
    process.kill(pid, "SIGKILL");
    const error = await pending;
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).failure).toBe("killed");
    expect((error as GitError).message).toBe("git cat-file was killed (SIGKILL)");
  });

  it("ends with the job's signal", async () => {
    const job = new AbortController();
    const { batch } = batchIn(repo.dir, { signal: job.signal });
    expect(await batch.info(tip)).not.toBe("missing");
    const pid = catFilePid(repo.dir);
    process.kill(pid, "SIGSTOP");
    const pending = batch.info(`${tip}:compose.yml`).catch((e: unknown) => e);
    job.abort();
    const error = await pending;
    expect((error as GitError).failure).toBe("timeout");
    expect((error as GitError).message).toBe("git cat-file: the job's deadline passed");
    await waitUntil(() => !alive(pid));
    await expect(batch.info(tip)).rejects.toThrow("git cat-file: the job's deadline passed");
  });
});

/** The one `git cat-file --batch-command` working in `dir`, as Linux's /proc shows it. */
function catFilePid(dir: string): number {
  const real = realpathSync(dir);
  const pids = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
        return (
          argv[1] === "cat-file" &&
          argv[2] === "--batch-command" &&
          readlinkSync(`/proc/${name}/cwd`) === real
        );
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  expect(pids).toHaveLength(1);
  return pids[0] as number;
}

/** Running or stopped; not gone and not a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(done()).toBe(true);
}
