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
import type { Fixture } from "../../src/config/manifest.ts";
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
import { createTestEnv, type TestEnv, fixture as testFixture } from "../helpers/recipes.ts";

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
async function verbsOfDemo(options: {
  dataDir: string;
  path?: string;
  commandMs?: number;
  commitGraph?: boolean;
}): Promise<{
  verbs: Record<string, number>;
  revLists: string[];
  verdicts: Record<string, string>;
  errors: Record<string, string | null>;
}> {
  const verbs: Record<string, number> = {};
  const revLists: string[] = [];
  const workspace = createWorkspace({
    dataDir: options.dataDir,
    ...(options.commitGraph === undefined ? {} : { commitGraph: options.commitGraph }),
    giteaUrl: demo.giteaUrl,
    redact: createRedactor([]),
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
    env: options.path ? { ...process.env, PATH: options.path } : process.env,
    ...(options.commandMs ? { timeouts: { commandMs: options.commandMs } } : {}),
    onGit: (args) => {
      const verb = args.includes("--batch-command") ? "cat-file --batch-command" : String(args[0]);
      verbs[verb] = (verbs[verb] ?? 0) + 1;
      if (verb === "rev-list") revLists.push(args.filter((a) => a.startsWith("--")).join(" "));
    },
  });
  const manifest = parseManifest(await readFile(demo.manifestPath, "utf8"), demo.manifestPath);
  const results = await verifyFixtures(manifest.fixtures, {
    workspace,
    limits: DEFAULT_LIMITS,
    log: silentLogger,
  });
  return {
    verbs,
    revLists,
    verdicts: Object.fromEntries(results.map((r) => [r.name, r.verdict])),
    errors: Object.fromEntries(results.map((r) => [r.name, r.error])),
  };
}

/**
 * A repository `o/<name>` under env.root with `count` install canaries, each on its own branch
 * cut from main and changing the image: the fixtures that pin them.
 */
async function canaries(name: string, count: number): Promise<Fixture[]> {
  const repo = await ScratchRepo.create(join(env.root, name), `o/${name}`);
  await repo.write({ "compose.yml": "services:\n  app:\n    image: nginx:1.27\n" });
  await repo.commit("chore: publish");
  await repo.push("main");
  const fixtures: Fixture[] = [];
  for (let i = 0; i < count; i++) {
    const branch = `regression-${i}`;
    await repo.checkout(branch, { create: true, from: "main" });
    await repo.write({ "compose.yml": `services:\n  app:\n    image: nginx:1.27-broken-${i}\n` });
    const sha = await repo.commit(`canary ${i}`);
    await repo.push(branch);
    fixtures.push(
      testFixture({ name: `f${i}`, repo: `o/${name}`, branch, sha, base: "main", tier: "install" }),
    );
  }
  return fixtures;
}

describe("a verification's git processes", () => {
  // Before issue 11 every question was a process of its own: about 12 per fixture, one after the
  // other. Now a repository costs a fixed few, however many fixtures it has: its fetch (a clone
  // the first time), one for-each-ref for every tip, one cat-file --batch-command for contents,
  // sizes and directories, one rev-list for the commit graph (ancestry, distances, merge-bases in
  // memory), and one diff-tree for every fixture's diff.
  const perRepository = {
    "for-each-ref": 1,
    "cat-file --batch-command": 1,
    "rev-list": 1,
    "diff-tree": 1,
  };

  it("is a fixed few per repository, however many fixtures it has", async () => {
    const fixtures = await canaries("many", 12);
    const verbs: Record<string, number> = {};
    const workspace = createWorkspace({
      dataDir: join(env.root, "many-data"),
      giteaUrl: ScratchRepo.remoteRoot(join(env.root, "many")),
      redact: createRedactor([]),
      maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
      onGit: (args) => {
        const verb = args.includes("--batch-command")
          ? "cat-file --batch-command"
          : String(args[0]);
        verbs[verb] = (verbs[verb] ?? 0) + 1;
      },
    });
    const results = await verifyFixtures(fixtures, {
      workspace,
      limits: DEFAULT_LIMITS,
      log: silentLogger,
    });
    expect(results.map((r) => r.verdict)).toEqual(fixtures.map(() => "pass"));
    expect(verbs).toEqual({ clone: 1, ...perRepository });
  });

  it("on the demo, cold and warm: the fixed few, and git asked directly about the one pin no ref reaches", async () => {
    const dataDir = join(env.root, "count-data");
    expect(Object.keys(demo.expected)).toHaveLength(6);
    // bad-restore's branch was force-pushed: its pin is in the mirror (fetched by id) but on no
    // branch, so the graph does not hold it, and git answers its distance, count, merge-base and
    // the branches that contain it.
    const offBranch = { "rev-list": 2, "merge-base": 1, "for-each-ref": 1 };
    const expected = (sync: Record<string, number>) => {
      const out: Record<string, number> = { ...sync, ...perRepository };
      for (const [verb, n] of Object.entries(offBranch)) out[verb] = (out[verb] ?? 0) + n;
      return out;
    };

    const cold = await verbsOfDemo({ dataDir });
    expect(cold.verdicts).toEqual(demo.expected);
    expect(cold.verbs).toEqual(expected({ clone: 1 }));

    // A new workspace (a new process) checks the mirror's remote URL once; a running service
    // remembers it.
    const warm = await verbsOfDemo({ dataDir });
    expect(warm.verdicts).toEqual(demo.expected);
    expect(warm.verbs).toEqual(expected({ config: 1, fetch: 1 }));
  });

  /** A git whose `cat-file --batch-command` does `behaviour` instead; every other command is git's. */
  async function gitWhoseBatch(name: string, behaviour: string): Promise<string> {
    const dir = join(env.root, name);
    await mkdir(dir, { recursive: true });
    const real = spawnSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).stdout.trim();
    await writeFile(
      join(dir, "git"),
      `#!/bin/sh\nfor arg in "$@"; do\n  if [ "$arg" = "--batch-command" ]; then\n${behaviour}\n  fi\ndone\nexec ${real} "$@"\n`,
    );
    await chmod(join(dir, "git"), 0o755);
    return `${dir}:${process.env.PATH}`;
  }

  it("gives the same verdicts, one process per question, on a git without --batch-command", async () => {
    // git 2.35 and older answer an unknown option with its usage and exit 129.
    const path = await gitWhoseBatch(
      "old-git",
      `    echo "error: unknown option \\\`batch-command'" >&2\n    echo "usage: git cat-file <type> <object>" >&2\n    exit 129`,
    );
    const old = await verbsOfDemo({ dataDir: join(env.root, "old-git-data"), path });
    expect(old.verdicts).toEqual(demo.expected);
    // One try of the batch, then the questions one at a time.
    expect(old.verbs["cat-file --batch-command"]).toBe(1);
    expect(old.verbs["cat-file"]).toBeGreaterThan(6);
  });

  it("ends every fixture in error, not a verdict, when the batch stops answering", async () => {
    // A cat-file that reads its questions and never answers (a hung disk, a stopped process).
    const path = await gitWhoseBatch("stuck-git", "    exec sleep 600");
    const dataDir = join(env.root, "stuck-git-data");
    await verbsOfDemo({ dataDir }); // the mirror, made by a working git
    const stuck = await verbsOfDemo({ dataDir, path, commandMs: 1_000 });
    expect(stuck.verdicts).toEqual(
      Object.fromEntries(Object.keys(demo.expected).map((name) => [name, "error"])),
    );
    expect(new Set(Object.values(stuck.errors))).toEqual(
      new Set(["git cat-file did not answer within 1000 ms"]),
    );
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

  /** A repository of its own (a bare copy), so the process a test looks for is its own. */
  let copies = 0;
  const ownCopy = async (): Promise<string> => {
    const dir = join(env.root, `objects-copy-${++copies}.git`);
    await git(env.root, ["clone", "--bare", "--quiet", repo.dir, dir]);
    return dir;
  };

  const batchIn = (
    cwd: string,
    options: { timeoutMs?: number; signal?: AbortSignal; idleCloseMs?: number } = {},
  ) => {
    const started: string[][] = [];
    const batch = createGitBatch({
      cwd,
      env: buildGitEnv({}, ["file"]),
      timeoutMs: options.timeoutMs ?? 10_000,
      redact: createRedactor([]),
      signal: options.signal,
      onGit: (args) => started.push([...args]),
      ...(options.idleCloseMs ? { idleCloseMs: options.idleCloseMs } : {}),
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

  it("that nobody closes ends itself once idle, and starts again when asked", async () => {
    const dir = await ownCopy();
    const { batch, started } = batchIn(dir, { idleCloseMs: 100 });
    expect(await batch.info(tip)).not.toBe("missing");
    const pid = catFilePid(dir);
    await waitUntil(() => !alive(pid));
    expect(await batch.info(tip)).not.toBe("missing");
    expect(started).toHaveLength(2);
    batch.close();
  });

  it("that stops answering fails its questions as a timeout, and is killed", async () => {
    const dir = await ownCopy();
    const { batch } = batchIn(dir, { timeoutMs: 500 });
    expect(await batch.info(tip)).not.toBe("missing");
    const pid = catFilePid(dir);
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
    const dir = await ownCopy();
    const { batch } = batchIn(dir);
    expect(await batch.info(tip)).not.toBe("missing");
    const pid = catFilePid(dir);
    process.kill(pid, "SIGSTOP");
    const pending = batch.info(`${tip}:compose.yml`).catch((e: unknown) => e);
    process.kill(pid, "SIGKILL");
    const error = await pending;
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).failure).toBe("killed");
    expect((error as GitError).message).toBe("git cat-file was killed (SIGKILL)");
  });

  it("ends with the job's signal", async () => {
    const dir = await ownCopy();
    const job = new AbortController();
    const { batch } = batchIn(dir, { signal: job.signal });
    expect(await batch.info(tip)).not.toBe("missing");
    const pid = catFilePid(dir);
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

describe("several diffs from one diff-tree --stdin", () => {
  it("equal each pair's own diff: renames, binaries, deletions, modes, an empty diff, one pin twice", async () => {
    const root = join(env.root, "diffs");
    const repo = await ScratchRepo.create(root, "o/diffs");
    await repo.write({
      "compose.yml": "services:\n  app: {}\n",
      "abra.sh": "#!/bin/sh\necho one\n",
      "old name.txt": "a\nb\nc\nd\ne\nf\ng\n",
      "gone.txt": "bye\n",
    });
    const base = await repo.commit("base");
    await repo.push("main");
    await repo.checkout("fx", { create: true });
    await repo.git("mv", "old name.txt", "new name.txt");
    await repo.write({
      "compose.yml": "services:\n  app: {image: x}\n",
      "logo.bin": Buffer.from([0, 1, 2, 255]),
    });
    await repo.git("rm", "-q", "gone.txt");
    await chmod(join(repo.dir, "compose.yml"), 0o755);
    const pin = await repo.commit("everything at once");
    const empty = await repo.commit("nothing");
    await repo.push("fx");
    const workspace = createWorkspace({
      dataDir: join(root, "data"),
      giteaUrl: ScratchRepo.remoteRoot(root),
      redact: createRedactor([]),
      maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
    });
    const pairs = [
      { from: base, to: pin },
      { from: pin, to: empty },
      { from: pin, to: base },
      { from: base, to: pin },
    ];
    const together = await (await workspace.sync("o/diffs")).diffs(pairs);
    const alone = [];
    for (const p of pairs) alone.push(...(await (await workspace.sync("o/diffs")).diffs([p])));
    expect(together).toEqual(alone);
    expect(together[1]).toEqual([]);
    expect(together[0]?.map((c) => [c.status, c.path, c.oldPath])).toEqual([
      ["modified", "compose.yml", null],
      ["deleted", "gone.txt", null],
      ["added", "logo.bin", null],
      ["renamed", "new name.txt", "old name.txt"],
    ]);
  });
});

describe("a workspace without the commit graph (the service's own process)", () => {
  it("never reads the whole history: git answers each question, with the same verdicts", async () => {
    const { revLists, verdicts, errors } = await verbsOfDemo({
      dataDir: join(env.root, "no-graph-data"),
      commitGraph: false,
    });
    expect(verdicts).toEqual(demo.expected);
    expect(Object.values(errors).filter((e) => e !== null)).toEqual([]);
    expect(revLists.filter((flags) => flags.includes("--parents"))).toEqual([]);
    expect(new Set(revLists)).toEqual(new Set(["--count", "--left-right --count"]));
  });
});

describe("one or two fixtures in a repository", () => {
  it("git answers their ancestry directly; three or more share one read of the history", async () => {
    const fixtures = await canaries("few", 3);
    const whole = async (count: number) => {
      const revLists: string[] = [];
      const workspace = createWorkspace({
        dataDir: join(env.root, `few-data-${count}`),
        giteaUrl: ScratchRepo.remoteRoot(join(env.root, "few")),
        redact: createRedactor([]),
        maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
        onGit: (args) => {
          if (args[0] === "rev-list")
            revLists.push(args.filter((a) => a.startsWith("--")).join(" "));
        },
      });
      const results = await verifyFixtures(fixtures.slice(0, count), {
        workspace,
        limits: DEFAULT_LIMITS,
        log: silentLogger,
      });
      return {
        verdicts: results.map((r) => r.verdict),
        graphReads: revLists.filter((flags) => flags.includes("--parents")).length,
      };
    };
    expect(await whole(1)).toEqual({ verdicts: ["pass"], graphReads: 0 });
    expect(await whole(2)).toEqual({ verdicts: ["pass", "pass"], graphReads: 0 });
    expect(await whole(3)).toEqual({ verdicts: ["pass", "pass", "pass"], graphReads: 1 });
  });
});
