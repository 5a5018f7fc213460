/**
 * A lock per mirror, so two verifications never fetch into the same bare repository at once.
 * In-process callers queue on a promise chain; other processes (a CLI run beside the service on
 * the same DATA_DIR) are kept out by a lock file holding the owner's pid. A lock file whose owner
 * is dead is stale and taken over.
 */
import { open, readFile, rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { GitError } from "../shared/errors.ts";

export type Locks = {
  withLock<T>(path: string, fn: () => Promise<T>): Promise<T>;
};

export function createLocks(options: { timeoutMs: number; pollMs?: number }): Locks {
  const tails = new Map<string, Promise<unknown>>();
  const pollMs = options.pollMs ?? 50;

  async function acquireFile(path: string): Promise<() => Promise<void>> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      try {
        const handle = await open(path, "wx");
        await handle.writeFile(String(process.pid));
        await handle.close();
        return () => rm(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      if (await isStale(path)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new GitError("timeout", `mirror is locked by another process (${path})`);
      }
      await sleep(pollMs);
    }
  }

  return {
    async withLock(path, fn) {
      const previous = tails.get(path) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tail = previous.then(() => mine);
      tails.set(path, tail);
      await previous.catch(() => undefined);
      try {
        const unlock = await acquireFile(path);
        try {
          return await fn();
        } finally {
          await unlock();
        }
      } finally {
        release();
        if (tails.get(path) === tail) tails.delete(path);
      }
    },
  };
}

async function isStale(path: string): Promise<boolean> {
  let text: string;
  let ageMs: number;
  try {
    text = await readFile(path, "utf8");
    ageMs = Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return false; // just removed by its owner: try again
  }
  const pid = Number.parseInt(text, 10);
  // An empty file is being written by its owner right now, unless it has been empty for a while.
  if (!Number.isInteger(pid) || pid <= 0) return ageMs > 5_000;
  // Our own pid: calls in this process are serialised before they get here, so this file was left
  // by an earlier process that had the same pid (pid 1 in every container, say).
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
