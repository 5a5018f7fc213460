/** Reading the bare repositories the double serves: plain `git`, isolated from any user config. */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    ...extra,
  };
}

/** A ref or sha as the user wrote it; never an option (git would read `-x` as one). */
function safeRev(rev: string): boolean {
  return rev.length > 0 && !rev.startsWith("-") && !/[\s\0]/.test(rev);
}

/** The full commit id `rev` names in the bare repo at `dir`, or null. */
export function resolveCommitSync(dir: string, rev: string): string | null {
  if (!safeRev(rev)) return null;
  try {
    const out = execFileSync("git", ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], {
      cwd: dir,
      env: gitEnv(),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.trim() || null;
  } catch {
    return null;
  }
}

export async function resolveCommit(dir: string, rev: string): Promise<string | null> {
  if (!safeRev(rev)) return null;
  try {
    const { stdout } = await run("git", ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], {
      cwd: dir,
      env: gitEnv(),
      encoding: "utf8",
    });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

export function branchTipSync(dir: string, branch: string): string | null {
  return resolveCommitSync(dir, `refs/heads/${branch}`);
}

export function mergeBaseSync(dir: string, a: string, b: string): string {
  try {
    return execFileSync("git", ["merge-base", a, b], {
      cwd: dir,
      env: gitEnv(),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "";
  }
}

/** Gitea keeps `refs/pull/<n>/head` in the base repo for every pull request. */
export function updateRefSync(dir: string, ref: string, sha: string): void {
  execFileSync("git", ["update-ref", ref, sha], { cwd: dir, env: gitEnv(), stdio: "ignore" });
}

/** The branch HEAD points at, or null for a detached or unreadable HEAD. */
export function headBranchSync(dir: string): string | null {
  try {
    const out = execFileSync("git", ["symbolic-ref", "--short", "HEAD"], {
      cwd: dir,
      env: gitEnv(),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.trim() || null;
  } catch {
    return null;
  }
}

export async function countBranches(dir: string): Promise<number> {
  try {
    const { stdout } = await run("git", ["for-each-ref", "--format=%(refname)", "refs/heads/"], {
      cwd: dir,
      env: gitEnv(),
      encoding: "utf8",
    });
    return stdout.split("\n").filter((line) => line.length > 0).length;
  } catch {
    return 0;
  }
}
