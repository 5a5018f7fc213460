/**
 * git under faults, on real git over real smart HTTP: a git killed from outside is an error and
 * never a success (so a fetch cut short cannot leave the bot verifying old tips: the false green
 * of issue 8), and a fetch is ended by its deadlines only when it is truly stuck or truly too
 * long, never while data still flows.
 */
import { existsSync } from "node:fs";
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { git, ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { DEFAULT_LIMITS } from "../../src/engine/inspect-files.ts";
import { verifyFixtures } from "../../src/pipeline/verify-fixture.ts";
import { GitError } from "../../src/shared/errors.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import { createGitRunner } from "../../src/workspace/git-runner.ts";
import { createWorkspace, type Timeouts } from "../../src/workspace/workspace.ts";
import { processesUnder } from "../helpers/processes.ts";
import { createTestEnv, fixture, type TestEnv } from "../helpers/recipes.ts";
import { type FaultyGitServer, startFaultyGitServer } from "./faulty-git-server.ts";

const TOKEN = "tok_5a4b3c2d1e0f99887766";
let env: TestEnv;
let server: FaultyGitServer;

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-git-faults-");
  await manyCommits(join(env.root, "remote"), "o/long", 200);
  server = await startFaultyGitServer(join(env.root, "remote"));
});

beforeEach(() => {
  server.mode = { kind: "pass" };
});

afterAll(async () => {
  await server?.close();
  await env?.cleanup();
});

/** A bare repository whose main has `count` commits, each with its own tree (fast-import). */
async function manyCommits(remoteRoot: string, slug: string, count: number): Promise<void> {
  const dir = join(remoteRoot, `${slug}.git`);
  await mkdir(dir, { recursive: true });
  await git(dir, ["init", "--bare", "--quiet", "-b", "main"]);
  await git(dir, ["config", "uploadpack.allowFilter", "true"]);
  let stream = "";
  for (let i = 1; i <= count; i++) {
    const message = `commit ${i}\n`;
    const content = `line ${i}\n`;
    stream += `commit refs/heads/main\ncommitter M <m@example.org> ${1_700_000_000 + i} +0000\n`;
    stream += `data ${message.length}\n${message}M 644 inline file-${i % 7}\n`;
    stream += `data ${content.length}\n${content}\n`;
  }
  await git(dir, ["fast-import", "--quiet"], { input: stream });
}

let dataDirs = 0;
function workspaceFor(timeouts: Partial<Timeouts>) {
  return createWorkspace({
    dataDir: join(env.root, `data-${++dataDirs}`),
    giteaUrl: server.url,
    token: TOKEN,
    redact: createRedactor([TOKEN]),
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
    timeouts,
  });
}

/**
 * The processes working in `mirror` or beside it (a first sync clones from the mirror's parent
 * into a temporary directory there).
 */
const processesIn = (mirror: string) => processesUnder(dirname(mirror));

/** The `git fetch` (or, on a first sync, `git clone`) the workspace started for this mirror. */
async function gitProcess(mirror: string, verb: "fetch" | "clone"): Promise<number> {
  const fetches = (await processesIn(mirror)).filter(
    (p) => p.argv[0] === "git" && p.argv[1] === verb,
  );
  expect(fetches).toHaveLength(1);
  return (fetches[0] as { pid: number }).pid;
}

async function failure(work: Promise<unknown>): Promise<GitError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitError);
  return error as GitError;
}

describe("a git killed from outside", () => {
  it.each(["SIGKILL", "SIGTERM"] as const)(
    "(%s) fails the sync instead of verifying the old tips, and the next sync sees the new ones",
    async (signal) => {
      // A canary pinned on its branch, verified green through a first sync.
      const repo = await ScratchRepo.create(env.root, `o/canary-${signal.toLowerCase()}`);
      await repo.write({ "compose.yml": "services: {}\n" });
      await repo.commit("chore: publish");
      await repo.push("main");
      await repo.checkout("regression-bad", { create: true });
      await repo.write({ "compose.yml": "services: {app: {}}\n" });
      const pin = await repo.commit("canary");
      await repo.push("regression-bad");
      const workspace = workspaceFor({ idleMs: 10_000, fetchMs: 20_000 });
      const canary = fixture({
        name: "canary",
        repo: repo.slug,
        branch: "regression-bad",
        sha: pin,
      });
      const deps = { workspace, limits: DEFAULT_LIMITS, log: silentLogger };
      expect((await verifyFixtures([canary], deps))[0]?.verdict).toBe("pass");

      // The branch is force-pushed: the pin is on it no more.
      await repo.checkout("regression-bad", { create: true, from: "main" });
      await repo.write({ "compose.yml": "services: {web: {}}\n" });
      await repo.commit("canary, redone");
      await repo.push("regression-bad");

      // The fetch that would bring the new tip is killed while it waits for the pack.
      server.mode = { kind: "stall" };
      const stalled = server.nextStall();
      const verifying = verifyFixtures([canary], deps);
      await stalled;
      const mirror = workspace.mirrorPath(repo.slug);
      process.kill(await gitProcess(mirror, "fetch"), signal);
      const [killed] = await verifying;
      expect(killed?.verdict).toBe("error");
      expect(killed?.error).toBe(`could not fetch ${repo.slug}: git fetch was killed (${signal})`);
      // What git had started (git-remote-http) went with it.
      expect(await processesIn(mirror)).toEqual([]);

      // The next sync fetches again, and sees that the pin left its branch.
      server.mode = { kind: "pass" };
      const [after] = await verifyFixtures([canary], deps);
      expect(after?.verdict).toBe("fail");
      expect(after?.checks.find((c) => c.id === "sha-on-branch")?.status).toBe("fail");
    },
  );

  it("on a first sync (the clone) is a GitError of kind killed, whose message names the signal", async () => {
    const workspace = workspaceFor({ idleMs: 10_000, fetchMs: 20_000 });
    server.mode = { kind: "stall" };
    const stalled = server.nextStall();
    const syncing = workspace.sync("o/long");
    await stalled;
    process.kill(await gitProcess(workspace.mirrorPath("o/long"), "clone"), "SIGKILL");
    const error = await failure(syncing);
    expect(error.failure).toBe("killed");
    expect(error.message).toBe("git clone was killed (SIGKILL)");
    // No half-made mirror is left to be taken for a whole one.
    expect(existsSync(workspace.mirrorPath("o/long"))).toBe(false);
    expect(await processesIn(workspace.mirrorPath("o/long"))).toEqual([]);
  });
});

describe("a mirror after a git killed mid-update", () => {
  it("is fetched again once the ref locks git left behind are older than any git may run", async () => {
    const repo = await ScratchRepo.create(env.root, "o/locked");
    await repo.write({ "compose.yml": "services: {}\n" });
    await repo.commit("chore: publish");
    await repo.push("main");
    const workspace = workspaceFor({ idleMs: 10_000, fetchMs: 20_000 });
    await workspace.sync(repo.slug);
    await repo.write({ "compose.yml": "services: {app: {}}\n" });
    const tip = await repo.commit("next");
    await repo.push("main");
    // What a SIGKILL between taking the ref's lock and renaming it into place leaves.
    const lock = join(workspace.mirrorPath(repo.slug), "refs", "heads", "main.lock");
    await writeFile(lock, `${"0".repeat(40)}\n`);

    // A fresh lock may be a live git's: the sync fails, and says why.
    const error = await failure(workspace.sync(repo.slug));
    expect(error.message).toMatch(/^git fetch failed: error: cannot lock ref 'refs\/heads\/main'/);

    // An old one cannot be: it is removed, and the mirror catches up.
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const mirror = await workspace.sync(repo.slug);
    expect(await mirror.branchTip("main")).toBe(tip);
    expect(existsSync(lock)).toBe(false);
  });
});

describe("a transfer's deadlines (a first sync's clone: a later fetch runs under the same runner)", () => {
  // ~3 s of transfer, a slice every 150 ms, against an inactivity limit of 1.5 s (git prints
  // nothing while it asks for the refs and the pack: a busy machine must not make that 1.5 s).
  const SLOW = { kind: "throttle", slices: 20, intervalMs: 150 } as const;
  const IDLE_MS = 1_500;

  it("let a slow fetch that keeps making progress run past the inactivity limit", async () => {
    server.mode = SLOW;
    const workspace = workspaceFor({ idleMs: IDLE_MS, fetchMs: 20_000 });
    const started = Date.now();
    const mirror = await workspace.sync("o/long");
    expect(Date.now() - started).toBeGreaterThan(IDLE_MS + 1_000);
    const tip = await mirror.branchTip("main");
    expect(tip).toBe(await tipOf("o/long", 0));
    expect(await mirror.countCommits(await tipOf("o/long", 199), tip as string)).toBe(199);
  });

  it("end a fetch that receives nothing at the inactivity limit, and everything it started", async () => {
    server.mode = { kind: "stall" };
    const workspace = workspaceFor({ idleMs: IDLE_MS, fetchMs: 20_000 });
    const started = Date.now();
    const error = await failure(workspace.sync("o/long"));
    expect(error.failure).toBe("timeout");
    expect(error.message).toBe("git clone timed out");
    expect(String(error.cause)).toContain(`no output for ${IDLE_MS} ms`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await processesIn(workspace.mirrorPath("o/long"))).toEqual([]);
  });

  it("end a slow fetch that is still making progress at the total deadline", async () => {
    server.mode = SLOW;
    const workspace = workspaceFor({ idleMs: IDLE_MS, fetchMs: 2_000 });
    const started = Date.now();
    const error = await failure(workspace.sync("o/long"));
    expect(error.failure).toBe("timeout");
    expect(error.message).toBe("git clone timed out");
    expect(String(error.cause)).toContain("still running after 2000 ms");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(await processesIn(workspace.mirrorPath("o/long"))).toEqual([]);
  });

  it("end a fetch when the job's signal aborts, and everything it started", async () => {
    server.mode = { kind: "stall" };
    const workspace = workspaceFor({ idleMs: 10_000, fetchMs: 20_000 });
    const job = new AbortController();
    const stalled = server.nextStall();
    const syncing = workspace.sync("o/long", { signal: job.signal });
    await stalled;
    job.abort(new Error("the job's deadline passed"));
    const error = await failure(syncing);
    expect(error.failure).toBe("timeout");
    expect(String(error.cause)).toContain("stopped: the job's deadline passed");
    expect(await processesIn(workspace.mirrorPath("o/long"))).toEqual([]);
  });
});

describe("what counts as an answer", () => {
  it("exit 1 without a word is git's quiet no for a question, and an error for a command", async () => {
    const runner = createGitRunner({
      cwd: join(env.root, "remote", "o", "long.git"),
      protocols: ["file"],
      idleTimeoutMs: 5_000,
      timeoutMs: 5_000,
      redact: createRedactor([]),
    });
    const missing = ["rev-parse", "--verify", "--quiet", "refs/heads/none"];
    await expect(runner.run(missing)).resolves.toBe("");
    const error = await failure(runner.run(missing, { quietNo: false }));
    expect(error.message).toBe("git rev-parse failed: exit code 1 and no message");
  });
});

describe("a git ended by a signal, as a wrapper reports it (issue 21, break 2)", () => {
  // A shell (or a wrapper script in front of git) reports a child killed by signal N as exit
  // 128 + N: that is a killed git, never an answer and never a plain failure.
  it.each([
    [137, "", { failure: "killed", message: "git rev-parse was killed (SIGKILL)" }],
    [143, "", { failure: "killed", message: "git rev-parse was killed (SIGTERM)" }],
    [130, "", { failure: "killed", message: "git rev-parse was killed (SIGINT)" }],
    // 128 is no signal (git's own fatal exit); with a message, git said why.
    [128, "", { failure: "other", message: "git rev-parse failed: exit code 128 and no message" }],
    [137, "fatal: not a git repository", { failure: "not-found" }],
  ])("exit %i, stderr %j", async (code, stderr, expected) => {
    const bin = join(env.root, `fake-git-${code}-${stderr.length}`);
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, "git"),
      `#!/bin/sh\n${stderr ? `echo '${stderr}' >&2\n` : ""}exit ${code}\n`,
      { mode: 0o755 },
    );
    const runner = createGitRunner({
      cwd: env.root,
      protocols: ["file"],
      idleTimeoutMs: 5_000,
      timeoutMs: 5_000,
      redact: createRedactor([]),
      inherit: { PATH: `${bin}:${process.env.PATH}` },
    });
    const error = await failure(runner.run(["rev-parse", "HEAD"]));
    expect({ failure: error.failure, message: error.message }).toMatchObject(expected);
  });
});

/** The commit `back` commits below main in the served repository. */
async function tipOf(slug: string, back: number): Promise<string> {
  const dir = join(env.root, "remote", `${slug}.git`);
  return (await git(dir, ["rev-parse", `main~${back}`])).trim();
}
