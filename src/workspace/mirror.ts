/**
 * Read-only questions to one mirror. Every value placed on a git command line is either a
 * validated object id, `refs/heads/<validated branch>`, or follows `--end-of-options`, so nothing
 * from fixtures.yaml or a webhook can be read as an option.
 */
import { branchNameProblem, isObjectId, isObjectIdPrefix } from "../config/names.ts";
import { GitError } from "../shared/errors.ts";
import type { FileChange, Resolution, TreeEntry } from "../shared/git-facts.ts";
import type { GitRunner } from "./git-runner.ts";
import { parseLsTree, parseLsTreeSizes, parseRawNumstat } from "./parse-diff.ts";

export type Mirror = {
  readonly repo: string;
  /**
   * Resolve a pinned id or unique prefix to a commit, peeling annotated tags. A full id that no
   * branch or tag reaches (force-pushed away) is fetched by id, so it is still found while the
   * server keeps it.
   */
  resolveCommit(idOrPrefix: string): Promise<Resolution>;
  /** The commit a branch points at, or null when there is no such branch. */
  branchTip(branch: string): Promise<string | null>;
  /** The commit a tag points at (annotated tags peeled), or null when there is no such tag. */
  tagCommit(tag: string): Promise<string | null>;
  /** A branch name or a full commit id (a base), resolved to a commit, or null. */
  resolveBase(ref: string): Promise<string | null>;
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  mergeBase(a: string, b: string): Promise<string | null>;
  /** Number of commits reachable from `to` but not from `from`. */
  countCommits(from: string, to: string): Promise<number>;
  /** Branches whose tip contains `sha`. */
  branchesContaining(sha: string): Promise<string[]>;
  /** Files changed from `from` to `to` (renames detected), with blob sizes. */
  diff(from: string, to: string): Promise<FileChange[]>;
  /** The entries of a directory ("" for the root) at a commit; empty when there is none. */
  listDir(commit: string, dir: string): Promise<TreeEntry[]>;
  /** A file's text at a commit, or null when the commit has no such file. */
  readFile(commit: string, path: string): Promise<string | null>;
  /** Blob contents by id; `sizes` are the blob sizes `diff` reported. */
  readBlobs(
    oids: readonly string[],
    sizes: ReadonlyMap<string, number>,
  ): Promise<Map<string, Buffer>>;
};

export type MirrorOptions = {
  repo: string;
  git: GitRunner;
  /** Fetch one commit by id (under the mirror's lock); false when the server will not give it. */
  fetchCommit: (sha: string) => Promise<boolean>;
};

export function createMirror({ repo, git, fetchCommit }: MirrorOptions): Mirror {
  const oid = (value: string): string => {
    if (!isObjectId(value))
      throw new GitError("other", `not an object id: ${JSON.stringify(value)}`);
    return value;
  };
  const refOf = (kind: "heads" | "tags", name: string): string => {
    const problem = branchNameProblem(name);
    if (problem)
      throw new GitError(
        "other",
        `${kind === "heads" ? "branch" : "tag"} ${JSON.stringify(name)} ${problem}`,
      );
    return `refs/${kind}/${name}`;
  };

  async function commitOf(ref: string): Promise<string | null> {
    const out = await git.run([
      "rev-parse",
      "--verify",
      "--quiet",
      "--end-of-options",
      `${ref}^{commit}`,
    ]);
    const sha = out.trim();
    return isObjectId(sha) ? sha : null;
  }

  /** The objects this mirror has whose id starts with `prefix`, without a lazy fetch. */
  async function disambiguate(prefix: string): Promise<string[]> {
    const out = await git.run(["rev-parse", `--disambiguate=${prefix}`]);
    return out
      .split("\n")
      .map((l) => l.trim())
      .filter(isObjectId);
  }

  async function typeOf(id: string): Promise<string> {
    return (await git.run(["cat-file", "-t", oid(id)])).trim();
  }

  async function peel(id: string): Promise<string | null> {
    const out = await git.run([
      "rev-parse",
      "--verify",
      "--quiet",
      "--end-of-options",
      `${oid(id)}^{commit}`,
    ]);
    const sha = out.trim();
    return isObjectId(sha) ? sha : null;
  }

  const mirror: Mirror = {
    repo,

    async resolveCommit(idOrPrefix) {
      const prefix = idOrPrefix.toLowerCase();
      if (!isObjectIdPrefix(prefix)) return { kind: "missing" };
      let listed = await disambiguate(prefix);
      if (listed.length === 0 && isObjectId(prefix) && (await fetchCommit(prefix))) {
        listed = await disambiguate(prefix);
      }
      if (listed.length === 0) return { kind: "missing" };
      const typed = await Promise.all(
        listed.map(async (sha) => ({ sha, type: await typeOf(sha) })),
      );
      const commitish = typed.filter((t) => t.type === "commit" || t.type === "tag");
      if (commitish.length > 1) return { kind: "ambiguous", candidates: typed };
      const only = commitish[0];
      if (!only) {
        const first = typed[0] as { sha: string; type: string };
        return typed.length > 1
          ? { kind: "ambiguous", candidates: typed }
          : { kind: "not-commit", sha: first.sha, type: first.type };
      }
      if (only.type === "commit") return { kind: "commit", sha: only.sha, via: "commit" };
      const peeled = await peel(only.sha);
      return peeled
        ? { kind: "commit", sha: peeled, via: "tag" }
        : { kind: "not-commit", sha: only.sha, type: "tag of a non-commit" };
    },

    branchTip: (branch) => commitOf(refOf("heads", branch)),

    tagCommit: (tag) => commitOf(refOf("tags", tag)),

    async resolveBase(ref) {
      const lower = ref.toLowerCase();
      if (isObjectId(lower)) {
        const listed = await disambiguate(lower);
        return listed.includes(lower) ? peel(lower) : null;
      }
      return mirror.branchTip(ref);
    },

    async isAncestor(ancestor, descendant) {
      // `merge-base --is-ancestor` answers by exit code only, which the runner cannot see;
      // the merge-base of an ancestor and its descendant is the ancestor itself.
      return (await mirror.mergeBase(ancestor, descendant)) === oid(ancestor);
    },

    async mergeBase(a, b) {
      const out = await git.run(["merge-base", oid(a), oid(b)]);
      const sha = out.trim().split("\n")[0] ?? "";
      return isObjectId(sha) ? sha : null;
    },

    async countCommits(from, to) {
      const out = await git.run(["rev-list", "--count", `${oid(from)}..${oid(to)}`]);
      return Number.parseInt(out.trim(), 10);
    },

    async branchesContaining(sha) {
      const out = await git.run([
        "for-each-ref",
        "--format=%(refname:lstrip=2)",
        `--contains=${oid(sha)}`,
        "refs/heads/",
      ]);
      return out.split("\n").filter((l) => l.length > 0);
    },

    async diff(from, to) {
      const out = await git.run([
        "diff-tree",
        "-r",
        "-z",
        "-M",
        "--raw",
        "--numstat",
        oid(from),
        oid(to),
      ]);
      const entries = parseRawNumstat(out);
      if (entries.length === 0) return [];
      const oldSizes = await sizesAt(
        from,
        entries.map((e) => e.oldPath ?? e.path),
      );
      const newSizes = await sizesAt(
        to,
        entries.map((e) => e.path),
      );
      const changes = entries.map((e) => ({
        ...e,
        oldSize: e.oldBlob === null ? null : (oldSizes.get(e.oldPath ?? e.path) ?? null),
        newSize: e.newBlob === null ? null : (newSizes.get(e.path) ?? null),
      }));
      // A path that is not valid UTF-8 does not survive the round trip through text; ask by blob id.
      for (const c of changes) {
        if (c.oldBlob !== null && c.oldSize === null && c.oldMode !== "160000")
          c.oldSize = await sizeOf(c.oldBlob);
        if (c.newBlob !== null && c.newSize === null && c.newMode !== "160000")
          c.newSize = await sizeOf(c.newBlob);
      }
      return changes;
    },

    async listDir(commit, dir) {
      if (dir.startsWith("/") || dir.split("/").includes("..") || dir.includes("\0")) {
        throw new GitError("other", `refusing path ${JSON.stringify(dir)}`);
      }
      const args = ["ls-tree", "-l", "-z", oid(commit)];
      // :(literal) so a directory with glob characters names only itself; the trailing slash
      // lists what is inside it.
      if (dir !== "") args.push("--", `:(literal)${dir}/`);
      return parseLsTree(await git.run(args));
    },

    async readFile(commit, path) {
      if (path.startsWith("/") || path.split("/").includes("..") || path.includes("\0")) {
        throw new GitError("other", `refusing path ${JSON.stringify(path)}`);
      }
      const spec = `${oid(commit)}:${path}`;
      // "No such path" is an answer; a git that was killed or timed out is not.
      const type = await git.run(["cat-file", "-t", spec]).catch((error: unknown) => {
        if (error instanceof GitError && error.failure !== "other") throw error;
        return "";
      });
      if (type.trim() !== "blob") return null;
      return git.run(["cat-file", "blob", spec]);
    },

    async readBlobs(oids, sizes) {
      const wanted = [...new Set(oids.map(oid))];
      const out = new Map<string, Buffer>();
      if (wanted.length === 0) return out;
      // `git show A B C` prints the blobs back to back; their sizes say where each one ends.
      const all = await git.showBlobs(wanted);
      let offset = 0;
      for (const id of wanted) {
        const size = sizes.get(id);
        if (size === undefined) throw new GitError("other", `no size known for blob ${id}`);
        out.set(id, all.subarray(offset, offset + size));
        offset += size;
      }
      if (offset !== all.length) {
        throw new GitError("other", `git show returned ${all.length} bytes, expected ${offset}`);
      }
      return out;
    },
  };
  return memoize(mirror);

  async function sizeOf(blob: string): Promise<number | null> {
    const size = Number.parseInt((await git.run(["cat-file", "-s", oid(blob)])).trim(), 10);
    return Number.isFinite(size) ? size : null;
  }

  async function sizesAt(commit: string, paths: string[]): Promise<Map<string, number>> {
    const unique = [...new Set(paths)];
    const sizes = new Map<string, number>();
    // In batches, to stay far below the command-line length limit on a huge diff.
    for (let i = 0; i < unique.length; i += 500) {
      const batch = unique.slice(i, i + 500);
      // :(literal) so a path with glob characters names only itself.
      const out = await git.run([
        "ls-tree",
        "-r",
        "-l",
        "-z",
        oid(commit),
        "--",
        ...batch.map((p) => `:(literal)${p}`),
      ]);
      for (const [path, size] of parseLsTreeSizes(out)) sizes.set(path, size);
    }
    return sizes;
  }
}

/**
 * A mirror is a snapshot taken right after a fetch, so a question asked twice has the same answer:
 * fixtures that share a pin and a base (bad-install and bad-upgrade share one commit) ask git once.
 * Blob contents are not kept: they are the large part, and are read once per fixture anyway.
 */
function memoize(mirror: Mirror): Mirror {
  const answers = new Map<string, Promise<unknown>>();
  const once =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const key = `${name}\0${args.join("\0")}`;
      let answer = answers.get(key) as Promise<R> | undefined;
      if (!answer) {
        answer = fn(...args);
        answers.set(key, answer);
        answer.catch(() => answers.delete(key)); // a failure is not remembered
      }
      return answer;
    };
  return {
    ...mirror,
    resolveCommit: once("resolveCommit", mirror.resolveCommit),
    branchTip: once("branchTip", mirror.branchTip),
    tagCommit: once("tagCommit", mirror.tagCommit),
    resolveBase: once("resolveBase", mirror.resolveBase),
    mergeBase: once("mergeBase", mirror.mergeBase),
    isAncestor: once("isAncestor", mirror.isAncestor),
    countCommits: once("countCommits", mirror.countCommits),
    branchesContaining: once("branchesContaining", mirror.branchesContaining),
    diff: once("diff", mirror.diff),
    listDir: once("listDir", mirror.listDir),
  };
}
