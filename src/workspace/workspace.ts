/**
 * One bare, blob-less mirror per repository under `<dataDir>/mirrors/<owner>/<name>.git`, fetched
 * (never re-cloned) on each sync, under a lock. Nothing here knows about fixtures or checks: it
 * answers git questions about commits, refs and trees.
 *
 * What is fetched: every branch and tag, commits and trees only (`--filter=blob:none`). The commit
 * graph is what the ref checks need (is the pin on its branch? on which other branch? how far is
 * the tip?); blobs are fetched lazily, and only for the files a fixture changes.
 */
import { mkdir, realpath, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { repoSlugProblem } from "../config/names.ts";
import { GitError, type GitFailure } from "../shared/errors.ts";
import type { Redact } from "../shared/redact.ts";
import { createGitBatch } from "./git-batch.ts";
import { createGitRunner, type GitRunner } from "./git-runner.ts";
import { createLocks } from "./lock.ts";
import { createMirror, type Mirror } from "./mirror.ts";
import { createProcessGroups } from "./process-groups.ts";

export type { Mirror } from "./mirror.ts";

export type WorkspaceOptions = {
  dataDir: string;
  /** `https://gitea.example` (optionally with a sub-path) or `file:///dir/of/owner/name.git`. */
  giteaUrl: string;
  token?: string | undefined;
  redact: Redact;
  /** Files larger than this are treated as binary by git's diff (core.bigFileThreshold). */
  maxBlobBytes: number;
  timeouts?: Partial<Timeouts>;
  /** Parent environment for git (proxies, CA bundles, test isolation); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Told of every git process started (tests and benchmarks count them). */
  onGit?: (args: readonly string[]) => void;
  /**
   * What a fetch leaves out. `blob:none` (the default): file contents come on demand, commits and
   * trees with every fetch. `tree:0` leaves out trees too; `npm run bench` compares the two.
   */
  filter?: "blob:none" | "tree:0";
  /**
   * Whether a mirror answers ancestry, distances and merge-bases from its commit graph held in
   * memory (default true: one rev-list for all of a repository's fixtures). false: git answers
   * each one in its own process. The service's own process asks few such questions and must not
   * parse a large history on the thread that answers deliveries; its verification processes do.
   */
  commitGraph?: boolean;
};

export type Timeouts = {
  /** A fetch may run this long in total. */
  fetchMs: number;
  /** Any other git call may run this long. */
  commandMs: number;
  /** Any git call that prints nothing for this long is killed. */
  idleMs: number;
  /** Waiting for another process's lock on a mirror gives up after this long. */
  lockMs: number;
};

export const DEFAULT_TIMEOUTS: Timeouts = {
  fetchMs: 180_000,
  commandMs: 30_000,
  idleMs: 60_000,
  lockMs: 300_000,
};

export type SyncOptions = {
  /** Extra refspecs to fetch, e.g. `+refs/pull/7/head:refs/pull/7/head`. */
  refspecs?: readonly string[];
  /**
   * A job's deadline: when it aborts, the fetch and every git call of the returned mirror end
   * (git and what it started) and reject as timed out. Waiting for another process's lock on the
   * mirror is not cut short by it (that wait is bounded by `lockMs`).
   */
  signal?: AbortSignal | undefined;
  /**
   * The caller will ask about one or two fixtures: git answers their ancestry questions directly
   * (a few short walks near the tips) rather than the mirror reading the whole history into a
   * graph, which in a 10,000-commit repository costs more than the questions it would answer.
   */
  fewQuestions?: boolean;
};

/**
 * The sync options of each repository of `repos` (one entry per fixture): `fewQuestions` where it
 * has one or two fixtures, whose ancestry git answers directly; more share one read of the
 * history (the mirror's commit graph). The CLI's fetches started ahead and the pipeline's own
 * syncs both take them from here, so they ask for the same mirror.
 */
export function syncOptionsFor(
  repos: readonly string[],
): (repo: string) => Pick<SyncOptions, "fewQuestions"> {
  const count = new Map<string, number>();
  for (const repo of repos) count.set(repo, (count.get(repo) ?? 0) + 1);
  return (repo) => ((count.get(repo) ?? 0) <= 2 ? { fewQuestions: true } : {});
}

export type Workspace = {
  /** Fetch `repo` into its mirror (creating it on first use) and return a reader for it. */
  sync(repo: string, options?: SyncOptions): Promise<Mirror>;
  /** Where a repository's mirror lives (it may not exist yet). */
  mirrorPath(repo: string): string;
  /**
   * Kill every git this workspace started that is still running (its whole process group):
   * for the service's exit. Returns how many were ended.
   */
  endGit(): number;
};

const REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
const INTERRUPTED: ReadonlySet<GitFailure> = new Set(["timeout", "killed"]);
const EXTRA_REFSPEC = /^\+?refs\/[A-Za-z0-9._/-]+:refs\/[A-Za-z0-9._/-]+$/;

export function createWorkspace(options: WorkspaceOptions): Workspace {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const filter = options.filter ?? "blob:none";
  const dataDir = resolve(options.dataDir);
  const base = options.giteaUrl.replace(/\/+$/, "");
  const protocol = /^([a-z][a-z0-9+.-]*):/i.exec(base)?.[1]?.toLowerCase();
  if (protocol !== "https" && protocol !== "http" && protocol !== "file") {
    throw new GitError("other", "GITEA_URL must start with https://, http:// or file://");
  }
  const config: Record<string, string> = {
    "core.bigFileThreshold": String(options.maxBlobBytes),
    "credential.helper": "",
    "protocol.version": "2",
    "gc.autoDetach": "false",
    // A transfer that stalls completely ends on its own even if nothing is left to kill it (the
    // runner ends git and git-remote-http together on a deadline; this covers a bot that died).
    // Any byte counts as progress, and the runner's inactivity timeout comes first: a slow link
    // is ended by the total deadline, not here.
    "http.lowSpeedLimit": "1",
    "http.lowSpeedTime": String(2 * Math.max(1, Math.ceil(timeouts.idleMs / 1000))),
  };
  if (options.token) config["http.extraHeader"] = `Authorization: token ${options.token}`;
  const locks = createLocks({ timeoutMs: timeouts.lockMs });
  const groups = createProcessGroups();

  const runnerFor = (
    cwd: string,
    timeoutMs = timeouts.commandMs,
    signal?: AbortSignal | undefined,
  ): GitRunner =>
    createGitRunner({
      signal,
      cwd,
      config,
      protocols: [protocol],
      idleTimeoutMs: timeouts.idleMs,
      timeoutMs,
      redact: options.redact,
      inherit: options.env ?? process.env,
      onGit: options.onGit,
      groups,
    });

  function mirrorPath(repo: string): string {
    const problem = repoSlugProblem(repo);
    if (problem) throw new GitError("other", `repo ${JSON.stringify(repo)} ${problem}`);
    return join(dataDir, "mirrors", `${repo}.git`);
  }

  /**
   * Create the mirror in one step: a bare, blob-less clone (commits and trees, no file contents)
   * is the mirror's configuration and its first fetch at once. Built beside its final place and
   * renamed, so a crash never leaves a half-made mirror.
   */
  async function cloneMirror(path: string, url: string, signal?: AbortSignal): Promise<void> {
    const temp = `${path}.init-${process.pid}-${Date.now()}`;
    await mkdir(dirname(path), { recursive: true });
    try {
      await runnerFor(dirname(path), timeouts.fetchMs, signal).run(
        ["clone", "--bare", `--filter=${filter}`, "--progress", "--", url, temp],
        { quietNo: false },
      );
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
  }

  /** Mirrors whose remote URL was found right in this process: not asked again. */
  const checkedUrl = new Set<string>();

  async function sync(repo: string, syncOptions: SyncOptions = {}): Promise<Mirror> {
    const path = mirrorPath(repo);
    const url = `${base}/${repo}.git`;
    const extra = syncOptions.refspecs ?? [];
    const { signal } = syncOptions;
    for (const spec of extra) {
      if (!EXTRA_REFSPEC.test(spec) || spec.includes("..")) {
        throw new GitError("other", `refusing refspec ${JSON.stringify(spec)}`);
      }
    }
    await mkdir(dirname(path), { recursive: true });
    await locks.withLock(`${path}.lock`, async () => {
      signal?.throwIfAborted();
      if (!(await exists(path))) {
        await cloneMirror(path, url, signal);
        checkedUrl.add(path);
        // The clone was the fetch, unless a pull request's ref is wanted too.
        if (extra.length === 0) return;
      }
      if (!checkedUrl.has(path)) {
        const git = runnerFor(path, timeouts.commandMs, signal);
        const current = (await git.run(["config", "--get", "remote.origin.url"])).trim();
        if (current !== url) await git.run(["config", "remote.origin.url", url]);
        checkedUrl.add(path);
      }
      // --atomic: the refs move all together or not at all, so a fetch that is interrupted
      // leaves the mirror on its old tips, never on a mix. Such a fetch rejects (the runner
      // makes a killed git an error), so nothing is verified against those tips, and the next
      // sync fetches again. --progress: git reports progress even though stderr is not a
      // terminal, and that output is what keeps a slow but moving transfer from looking idle.
      const fetch = () =>
        runnerFor(path, timeouts.fetchMs, signal).run(
          [
            "fetch",
            "--progress",
            "--atomic",
            "--prune",
            "--no-tags",
            "--no-write-fetch-head",
            `--filter=${filter}`,
            "origin",
            ...REFSPECS,
            ...extra,
          ],
          { quietNo: false },
        );
      try {
        await fetch();
      } catch (error) {
        // A git killed while it updated refs (SIGKILL gives it no time to clean up) leaves their
        // lock files behind, and every later fetch fails on them. Remove the ones no git can
        // still hold (older than any git of the bot may run), and fetch again.
        const longestGit = Math.max(timeouts.fetchMs, timeouts.commandMs);
        if (!(await removeStaleLocks(path, error, longestGit + STALE_LOCK_MARGIN_MS))) throw error;
        await fetch();
      }
    });
    const git = runnerFor(path, timeouts.commandMs, signal);
    return createMirror({
      repo,
      git,
      commitGraph: (options.commitGraph ?? true) && syncOptions.fewQuestions !== true,
      batch: createGitBatch({
        cwd: path,
        env: { ...git.env },
        timeoutMs: timeouts.commandMs,
        redact: options.redact,
        signal,
        onGit: options.onGit,
        groups,
      }),
      fetchCommit: (sha) =>
        locks.withLock(`${path}.lock`, () =>
          runnerFor(path, timeouts.fetchMs, signal)
            .run(
              [
                "fetch",
                "--progress",
                "--no-tags",
                "--no-write-fetch-head",
                `--filter=${filter}`,
                "origin",
                sha,
              ],
              { quietNo: false },
            )
            .then(
              () => true,
              // The server would not give it: the commit is missing. A fetch that was cut short
              // says nothing about the commit, so it is an error, not a missing pin.
              (error: unknown) => {
                if (error instanceof GitError && INTERRUPTED.has(error.failure)) throw error;
                return false;
              },
            ),
        ),
    });
  }

  return { sync, mirrorPath, endGit: () => groups.endAll() };
}

/** How much older than the longest git deadline a lock file must be to count as left behind. */
const STALE_LOCK_MARGIN_MS = 30_000;
const LEFT_LOCK = /Unable to create '([^'\n]+\.lock)': File exists/g;

/** Removes the lock files in `mirror` that `error` names, if they are old enough; true if any. */
async function removeStaleLocks(mirror: string, error: unknown, olderThanMs: number) {
  if (!(error instanceof GitError) || !(error.cause instanceof Error)) return false;
  const roots = [mirror, await realpath(mirror).catch(() => mirror)].map((r) => `${r}/`);
  let removed = false;
  for (const [, named] of error.cause.message.matchAll(LEFT_LOCK)) {
    const file = resolve(named as string);
    if (!roots.some((root) => file.startsWith(root))) continue;
    const info = await stat(file).catch(() => null);
    if (!info?.isFile() || Date.now() - info.mtimeMs < olderThanMs) continue;
    await rm(file, { force: true });
    removed = true;
  }
  return removed;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
