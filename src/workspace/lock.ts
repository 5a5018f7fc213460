/**
 * A lock per mirror, so two verifications never fetch into the same bare repository at once.
 * Callers in one workspace queue on a promise chain; everyone else (another workspace in this
 * process, a CLI run beside the service, another container on the same volume) is kept out by a
 * lock file created with O_EXCL.
 *
 * The lock file says who holds it ({host, pid, started, instance}) and its holder touches it every
 * few seconds. It is stale, and taken over, when its holder is gone: a dead pid on this host, an
 * earlier process that had our pid (pid 1 in every container), or, for a holder on another host or
 * in another pid namespace that cannot be asked, no touch for `staleAfterMs`.
 */
import { randomUUID } from "node:crypto";
import { open, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { GitError } from "../shared/errors.ts";

export type Locks = {
  withLock<T>(path: string, fn: () => Promise<T>): Promise<T>;
};

export type LockOptions = {
  /** Give up waiting for another holder after this long. */
  timeoutMs: number;
  pollMs?: number;
  /** How often a holder touches its lock file. */
  refreshMs?: number;
  /** A lock file untouched for this long is stale, whoever wrote it. */
  staleAfterMs?: number;
};

type Owner = { host: string; pid: number; started: number; instance: string };

const STARTED = Math.round(Date.now() - process.uptime() * 1000);

export function createLocks(options: LockOptions): Locks {
  const tails = new Map<string, Promise<unknown>>();
  const pollMs = options.pollMs ?? 50;
  const refreshMs = options.refreshMs ?? 5_000;
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const me: Owner = {
    host: hostname(),
    pid: process.pid,
    started: STARTED,
    instance: randomUUID(),
  };

  function isStale(owner: Owner | null, ageMs: number): boolean {
    if (ageMs > staleAfterMs) return true;
    if (owner === null) return false; // being written right now
    if (owner.host !== me.host) return false; // cannot ask; wait for it to age out
    if (owner.pid === me.pid) return owner.started !== me.started; // an earlier process with our pid
    try {
      process.kill(owner.pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "ESRCH";
    }
  }

  async function readOwner(
    path: string,
  ): Promise<{ text: string; owner: Owner | null; ageMs: number } | null> {
    try {
      const text = await readFile(path, "utf8");
      const ageMs = Date.now() - (await stat(path)).mtimeMs;
      let owner: Owner | null = null;
      try {
        owner = JSON.parse(text) as Owner;
      } catch {
        owner = null;
      }
      return { text, owner, ageMs };
    } catch {
      return null; // released meanwhile
    }
  }

  /** Move a stale lock aside, then make sure what was moved is the lock judged stale. */
  async function takeOver(path: string, judged: string): Promise<void> {
    const aside = `${path}.stale-${randomUUID()}`;
    try {
      await rename(path, aside);
    } catch {
      return; // someone else took it over first
    }
    const moved = await readFile(aside, "utf8").catch(() => "");
    if (moved === judged) {
      await rm(aside, { force: true });
      return;
    }
    // We moved a fresh lock that replaced the stale one in between: put it back.
    await rename(aside, path).catch(() => rm(aside, { force: true }));
  }

  async function acquireFile(path: string): Promise<() => Promise<void>> {
    const deadline = Date.now() + options.timeoutMs;
    const content = JSON.stringify(me);
    for (;;) {
      try {
        const handle = await open(path, "wx");
        await handle.writeFile(content);
        await handle.close();
        const refresh = setInterval(() => {
          const now = new Date();
          utimes(path, now, now).catch(() => undefined);
        }, refreshMs);
        refresh.unref();
        return async () => {
          clearInterval(refresh);
          const current = await readFile(path, "utf8").catch(() => "");
          if (current === content) await rm(path, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const seen = await readOwner(path);
      if (seen && isStale(seen.owner, seen.ageMs)) {
        await takeOver(path, seen.text);
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
