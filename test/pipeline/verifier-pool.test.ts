/**
 * Verifications in processes (issue 20): the pool answers what verifying in process answers, at a
 * lower scheduling priority; and each way a verification process can fail ends the verification
 * with a clear error, never a stuck promise: killed from outside, past its deadline, the pool
 * closed. Real git (file:// remotes), real processes.
 */
import { readFile } from "node:fs/promises";
import { getPriority } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fixture } from "../../src/config/manifest.ts";
import { DEFAULT_LIMITS } from "../../src/engine/inspect-files.ts";
import { VerifierDied } from "../../src/pipeline/verifier.ts";
import { createVerifierPool, type VerifierPool } from "../../src/pipeline/verifier-pool.ts";
import {
  applyPatch,
  createTestEnv,
  fixture,
  fixtureBranch,
  recipeRepo,
  rule,
  type TestEnv,
} from "../helpers/recipes.ts";

const HTML = "recipe-maintainers/custom-html";
let env: TestEnv;
let fixtures: Fixture[];

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-pool-");
  const repo = await recipeRepo(env.root, "custom-html", HTML);
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
  fixtures = [
    fixture({
      name: "bad-backup",
      repo: HTML,
      branch: "regression-bad-backup",
      sha: good,
      base: "main",
      tier: "backup",
    }),
    fixture({
      name: "emptied",
      repo: HTML,
      branch: "regression-emptied",
      sha: emptied,
      base: "main",
      change: [rule("compose.yml")],
    }),
  ];
});

afterAll(() => env.cleanup());

function pool(size = 1): VerifierPool {
  return createVerifierPool({
    size,
    config: {
      dataDir: env.dataDir,
      giteaUrl: env.giteaUrl,
      token: null,
      limits: DEFAULT_LIMITS,
      secrets: [],
    },
    log: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child() {
        return this;
      },
    },
    killGraceMs: 500,
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The pool's process, once it has started. */
async function started(p: VerifierPool): Promise<number> {
  for (let i = 0; i < 200 && p.pids().length === 0; i++) await sleep(5);
  const [pid] = p.pids();
  expect(pid).toBeDefined();
  return pid as number;
}

describe("the verifier pool", () => {
  it("answers what verifying in process answers, from a process at a lower priority", async () => {
    const p = pool();
    try {
      const seen: string[] = [];
      const results = await p.verify(
        { fixtures },
        { onVerified: (r) => void seen.push(`${r.name} ${r.verdict}`) },
      );
      const inProcess = await env.verify(fixtures);
      expect(results).toEqual(inProcess);
      expect(results.map((r) => r.verdict)).toEqual(["pass", "fail"]);
      expect(seen.sort()).toEqual(["bad-backup pass", "emptied fail"]);
      const [pid] = p.pids();
      expect(getPriority(pid as number)).toBe(10);
      // Kept for the next verification: the same process answers it.
      await p.verify({ fixtures: fixtures.slice(0, 1) });
      expect(p.pids()).toEqual([pid]);
    } finally {
      await p.close();
    }
  });

  it("a process killed from outside fails its verification with VerifierDied; the next one gets a new process", async () => {
    const p = pool();
    try {
      const verifying = p.verify({ fixtures });
      const pid = await started(p);
      process.kill(pid, "SIGKILL");
      const error = await verifying.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(VerifierDied);
      expect((error as VerifierDied).message).toBe(
        "the verification process died (SIGKILL) before it answered",
      );
      const again = await p.verify({ fixtures: fixtures.slice(0, 1) });
      expect(again.map((r) => r.verdict)).toEqual(["pass"]);
      expect(p.pids()).not.toContain(pid);
    } finally {
      await p.close();
    }
  });

  it("a deadline ends the verification with its reason, and the process with it (SIGTERM, then SIGKILL)", async () => {
    const p = pool();
    try {
      const deadline = new AbortController();
      const verifying = p.verify({ fixtures }, { signal: deadline.signal });
      const pid = await started(p);
      deadline.abort(new Error("no result after 100 ms"));
      await expect(verifying).rejects.toThrow("no result after 100 ms");
      for (let i = 0; i < 200 && alive(pid); i++) await sleep(10);
      expect(alive(pid)).toBe(false);
      const again = await p.verify({ fixtures: fixtures.slice(1) });
      expect(again.map((r) => r.verdict)).toEqual(["fail"]);
    } finally {
      await p.close();
    }
  });

  it("close() ends every process; a verification asked after it is refused", async () => {
    const p = pool(2);
    await Promise.all([
      p.verify({ fixtures: fixtures.slice(0, 1) }),
      p.verify({ fixtures: fixtures.slice(1) }),
    ]);
    const pids = p.pids();
    expect(pids).toHaveLength(2);
    await p.close();
    expect(pids.map(alive)).toEqual([false, false]);
    await expect(p.verify({ fixtures })).rejects.toThrow("the verifier pool is closed");
  });

  it("passes secrets to no one: the process gets them in its init message, not its argv or environment", async () => {
    const p = createVerifierPool({
      size: 1,
      config: {
        dataDir: env.dataDir,
        giteaUrl: env.giteaUrl,
        token: "secret-token-0123456789abcdef",
        limits: DEFAULT_LIMITS,
        secrets: ["secret-token-0123456789abcdef"],
      },
      log: {
        debug() {},
        info() {},
        warn() {},
        error() {},
        child() {
          return this;
        },
      },
    });
    try {
      await p.verify({ fixtures: fixtures.slice(0, 1) });
      const [pid] = p.pids();
      const [argv, environ] = await Promise.all([
        readFile(`/proc/${pid}/cmdline`, "utf8"),
        readFile(`/proc/${pid}/environ`, "utf8"),
      ]);
      expect(argv).not.toContain("secret-token");
      expect(environ).not.toContain("secret-token");
    } finally {
      await p.close();
    }
  });
});
