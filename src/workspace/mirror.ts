/**
 * Read-only questions to one mirror, asked as few git processes as the answers allow: every
 * branch and tag tip from one `for-each-ref`, object types, sizes, contents and directories from
 * one long-lived `git cat-file --batch-command` (git-batch.ts; one process per call on a git too
 * old for it), ancestry and distance from one `rev-list --left-right --count`. Every value placed
 * on a git command line is either a validated object id, `refs/heads/<validated branch>`, or
 * follows `--end-of-options`, so nothing from fixtures.yaml or a webhook can be read as an option.
 */
import { branchNameProblem, isObjectId, isObjectIdPrefix } from "../config/names.ts";
import { GitError } from "../shared/errors.ts";
import type { FileChange, Resolution, TreeEntry } from "../shared/git-facts.ts";
import { type CommitGraph, createCommitGraph, parseParents } from "./commit-graph.ts";
import type { Answer, GitBatch, ObjectInfo } from "./git-batch.ts";
import type { GitRunner } from "./git-runner.ts";
import { parseDiffSections, parseRawNumstat, parseTree } from "./parse-diff.ts";

/** Histories up to this many commits are walked in memory; larger ones are asked of git. */
const MAX_GRAPH_COMMITS = 50_000;

const DIFF = ["-r", "-z", "-M", "--raw", "--numstat"] as const;

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
  /**
   * How `from` and `to` relate: commits only `from` has, and commits only `to` has. `from` is an
   * ancestor of `to` exactly when `onlyFrom` is 0; `onlyTo` is then how far `to` is past it.
   */
  distance(from: string, to: string): Promise<{ onlyFrom: number; onlyTo: number }>;
  mergeBase(a: string, b: string): Promise<string | null>;
  /** Number of commits reachable from `to` but not from `from`. */
  countCommits(from: string, to: string): Promise<number>;
  /** Branches whose tip contains `sha`. */
  branchesContaining(sha: string): Promise<string[]>;
  /**
   * Files changed from `from` to `to` (renames detected), with blob sizes, for each pair, from one
   * git process, in the order asked.
   */
  diffs(pairs: readonly { from: string; to: string }[]): Promise<FileChange[][]>;
  /** The entries of a directory ("" for the root) at a commit, sizes unknown (null). */
  listDir(commit: string, dir: string): Promise<TreeEntry[]>;
  /** Sizes of blobs by id. */
  sizes(oids: readonly string[]): Promise<Map<string, number>>;
  /** A file's text at a commit, or null when the commit has no such file. */
  readFile(commit: string, path: string): Promise<string | null>;
  /** Blob contents by id. */
  readBlobs(oids: readonly string[]): Promise<Map<string, Buffer>>;
  /** Ends the mirror's long-lived git (its answers so far stay remembered). */
  close(): void;
};

export type MirrorOptions = {
  repo: string;
  git: GitRunner;
  /** The mirror's long-lived `cat-file --batch-command`, started on first use. */
  batch: GitBatch;
  /** Fetch one commit by id (under the mirror's lock); false when the server will not give it. */
  fetchCommit: (sha: string) => Promise<boolean>;
  /** Answer ancestry from the commit graph in memory (default), or ask git each question. */
  commitGraph?: boolean;
};

/** Object questions: asked of the batch, or one process each where the batch cannot be used. */
type Objects = {
  info(name: string): Promise<Answer<ObjectInfo>>;
  contents(name: string): Promise<Answer<ObjectInfo & { data: Buffer }>>;
};

function createObjects(git: GitRunner, batch: GitBatch): Objects {
  let batchWorks = true;
  /** One process per question: for a name with a newline, or a git without --batch-command. */
  const single: Objects = {
    async info(name) {
      const type = (
        await git.run(["cat-file", "-t", "--end-of-options", name]).catch(quietNo)
      ).trim();
      if (type === "") return "missing";
      const [oid, size] = await Promise.all([
        git.run(["rev-parse", "--verify", "--quiet", "--end-of-options", name]),
        git.run(["cat-file", "-s", "--end-of-options", name]),
      ]);
      return { oid: oid.trim(), type, size: Number.parseInt(size.trim(), 10) };
    },
    async contents(name) {
      const info = await single.info(name);
      if (typeof info === "string") return info;
      const data = await git.raw(["cat-file", info.type, info.oid], { quietNo: false });
      return { ...info, data };
    },
  };
  const viaBatch = <K extends keyof Objects>(key: K): Objects[K] =>
    (async (name: string) => {
      if (!batchWorks || /[\0\n]/.test(name)) return single[key](name);
      try {
        return await batch[key](name);
      } catch (error) {
        if (error instanceof GitError && error.failure === "unsupported") {
          batchWorks = false;
          return single[key](name);
        }
        throw error;
      }
    }) as Objects[K];
  return { info: viaBatch("info"), contents: viaBatch("contents") };
}

/** "No such object" is an answer; a git that was killed or timed out is not. */
function quietNo(error: unknown): string {
  if (error instanceof GitError && error.failure !== "other") throw error;
  return "";
}

export function createMirror({
  repo,
  git,
  batch,
  fetchCommit,
  commitGraph: useGraph = true,
}: MirrorOptions): Mirror {
  const objects = createObjects(git, batch);
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

  /**
   * The commit graph of every ref, from one rev-list, for ancestry, distances and merge-bases in
   * memory; null (git is asked each question) for a history too large to hold, or when the
   * mirror was made without one.
   */
  let commitGraph: Promise<CommitGraph | null> | null = null;
  function graph(): Promise<CommitGraph | null> {
    if (!useGraph) return Promise.resolve(null);
    commitGraph ??= git
      .run(["rev-list", "--parents", `--max-count=${MAX_GRAPH_COMMITS + 1}`, "--all"])
      .then((out) => {
        const parents = parseParents(out);
        return parents.size > MAX_GRAPH_COMMITS ? null : createCommitGraph(parents);
      });
    commitGraph.catch(() => {
      commitGraph = null;
    });
    return commitGraph;
  }

  /** Diffs by `from\0to`: a snapshot's diff never changes, and a failure is not remembered. */
  const diffs = new Map<string, Promise<FileChange[]>>();

  /** The diffs of `pairs` from one git process: `diff-tree A B`, or `--stdin` for several. */
  async function diffTrees(pairs: readonly { from: string; to: string }[]) {
    if (pairs.length === 1) {
      const [only] = pairs as [{ from: string; to: string }];
      return [parseRawNumstat(await git.run(["diff-tree", ...DIFF, only.from, only.to]))];
    }
    // One line per diff, `<to> <from>`: git compares the commit with the "parent" given.
    const input = pairs.map((p) => `${p.to} ${p.from}\n`).join("");
    const out = await git.run(["diff-tree", "--stdin", "--always", ...DIFF], {
      input,
      quietNo: false,
    });
    return parseDiffSections(out, pairs.length);
  }

  /** Blob sizes for a diff's files, by the blob ids diff-tree gave. */
  async function withSizes(
    entries: Omit<FileChange, "oldSize" | "newSize">[],
  ): Promise<FileChange[]> {
    if (entries.length === 0) return [];
    const blobs = entries.flatMap((e) => [
      ...(e.oldBlob !== null && e.oldMode !== "160000" ? [e.oldBlob] : []),
      ...(e.newBlob !== null && e.newMode !== "160000" ? [e.newBlob] : []),
    ]);
    const sizes = await mirror.sizes(blobs);
    return entries.map((e) => ({
      ...e,
      oldSize: e.oldBlob === null ? null : (sizes.get(e.oldBlob) ?? null),
      newSize: e.newBlob === null ? null : (sizes.get(e.newBlob) ?? null),
    }));
  }

  /** Every branch and tag, and the commit it points at (tags peeled), from one for-each-ref. */
  let refs: Promise<Map<string, string>> | null = null;
  function commits(): Promise<Map<string, string>> {
    refs ??= git
      .run([
        "for-each-ref",
        "--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)",
        "refs/heads/",
        "refs/tags/",
      ])
      .then((out) => {
        const map = new Map<string, string>();
        for (const line of out.split("\n")) {
          const [sha, type, peeled, peeledType, ...name] = line.split(" ");
          const ref = name.join(" ");
          if (!ref || !sha) continue;
          if (type === "commit") map.set(ref, sha);
          else if (type === "tag" && peeledType === "commit" && peeled) map.set(ref, peeled);
        }
        return map;
      });
    refs.catch(() => {
      refs = null;
    });
    return refs;
  }

  /** Commit ids this mirror has that start with `prefix`, without a lazy fetch. */
  async function disambiguate(prefix: string): Promise<string[]> {
    const out = await git.run(["rev-parse", `--disambiguate=${prefix}`]);
    return out
      .split("\n")
      .map((l) => l.trim())
      .filter(isObjectId);
  }

  async function typed(sha: string): Promise<{ sha: string; type: string }> {
    const info = await objects.info(sha);
    return { sha, type: typeof info === "string" ? "missing" : info.type };
  }

  async function peeled(sha: string): Promise<string | null> {
    const info = await objects.info(`${oid(sha)}^{commit}`);
    return typeof info === "string" ? null : info.oid;
  }

  async function fromCandidates(candidates: { sha: string; type: string }[]): Promise<Resolution> {
    const commitish = candidates.filter((t) => t.type === "commit" || t.type === "tag");
    if (commitish.length > 1) return { kind: "ambiguous", candidates };
    const only = commitish[0];
    if (!only) {
      const first = candidates[0] as { sha: string; type: string };
      return candidates.length > 1
        ? { kind: "ambiguous", candidates }
        : { kind: "not-commit", sha: first.sha, type: first.type };
    }
    if (only.type === "commit") return { kind: "commit", sha: only.sha, via: "commit" };
    const commit = await peeled(only.sha);
    return commit
      ? { kind: "commit", sha: commit, via: "tag" }
      : { kind: "not-commit", sha: only.sha, type: "tag of a non-commit" };
  }

  const mirror: Mirror = {
    repo,

    async resolveCommit(idOrPrefix) {
      const prefix = idOrPrefix.toLowerCase();
      if (!isObjectIdPrefix(prefix)) return { kind: "missing" };
      // git takes a branch or tag of that name over the commits that start with it, so a pin that
      // is also a ref's name cannot say which one its author meant.
      if (!isObjectId(prefix)) {
        const known = await commits();
        const named = ["heads", "tags"].flatMap((kind) => {
          const sha = known.get(`refs/${kind}/${prefix}`);
          const ref = `${kind === "heads" ? "branch" : "tag"} ${prefix}`;
          return sha ? [{ sha, type: "commit", ref }] : [];
        });
        if (named.length > 0) {
          const listed = await disambiguate(prefix);
          return {
            kind: "ambiguous",
            candidates: [...named, ...(await Promise.all(listed.map(typed)))],
          };
        }
      }
      // A prefix that names one object (the usual case) is answered by the batch alone.
      const info = await objects.info(prefix);
      if (typeof info !== "string") return fromCandidates([{ sha: info.oid, type: info.type }]);
      let listed = await disambiguate(prefix);
      if (listed.length === 0 && isObjectId(prefix) && (await fetchCommit(prefix))) {
        listed = await disambiguate(prefix);
      }
      if (listed.length === 0) return { kind: "missing" };
      return fromCandidates(await Promise.all(listed.map(typed)));
    },

    branchTip: async (branch) => (await commits()).get(refOf("heads", branch)) ?? null,

    tagCommit: async (tag) => (await commits()).get(refOf("tags", tag)) ?? null,

    async resolveBase(ref) {
      const lower = ref.toLowerCase();
      if (isObjectId(lower)) {
        const info = await objects.info(lower);
        return typeof info === "string" || info.oid !== lower ? null : peeled(lower);
      }
      return mirror.branchTip(ref);
    },

    async distance(from, to) {
      const known = (await graph())?.distance(oid(from), oid(to));
      if (known) return known;
      const out = await git.run([
        "rev-list",
        "--left-right",
        "--count",
        `${oid(from)}...${oid(to)}`,
      ]);
      const [onlyFrom, onlyTo] = out
        .trim()
        .split(/\s+/)
        .map((n) => Number.parseInt(n, 10));
      if (!Number.isFinite(onlyFrom) || !Number.isFinite(onlyTo)) {
        throw new GitError("other", `git rev-list answered ${JSON.stringify(out.trim())}`);
      }
      return { onlyFrom: onlyFrom as number, onlyTo: onlyTo as number };
    },

    async mergeBase(a, b) {
      const bases = (await graph())?.mergeBases(oid(a), oid(b));
      // More than one best merge-base (a criss-cross): git's choice among them.
      if (bases && bases.length <= 1) return bases[0] ?? null;
      const out = await git.run(["merge-base", oid(a), oid(b)]);
      const sha = out.trim().split("\n")[0] ?? "";
      return isObjectId(sha) ? sha : null;
    },

    async countCommits(from, to) {
      const known = (await graph())?.count(oid(from), oid(to));
      if (known !== undefined && known !== null) return known;
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

    async diffs(pairs) {
      const key = (p: { from: string; to: string }) => `${oid(p.from)}\0${oid(p.to)}`;
      const wanted = [...new Map(pairs.map((p) => [key(p), p])).entries()].filter(
        ([k]) => !diffs.has(k),
      );
      if (wanted.length > 0) {
        const run = diffTrees(wanted.map(([, p]) => p));
        wanted.forEach(([k], i) => {
          const one = run.then((all) => withSizes(all[i] ?? []));
          diffs.set(k, one);
          one.catch(() => diffs.delete(k));
        });
      }
      return Promise.all(pairs.map((p) => diffs.get(key(p)) as Promise<FileChange[]>));
    },

    async listDir(commit, dir) {
      if (dir.startsWith("/") || dir.split("/").includes("..") || /[\0\n]/.test(dir)) {
        throw new GitError("other", `refusing path ${JSON.stringify(dir)}`);
      }
      const tree = await objects.contents(
        dir === "" ? `${oid(commit)}^{tree}` : `${oid(commit)}:${dir}`,
      );
      if (typeof tree === "string" || tree.type !== "tree") return [];
      return parseTree(tree.data, dir);
    },

    async sizes(oids) {
      const unique = [...new Set(oids.map(oid))];
      const answers = await Promise.all(unique.map((id) => objects.info(id)));
      const out = new Map<string, number>();
      answers.forEach((info, i) => {
        if (typeof info !== "string") out.set(unique[i] as string, info.size);
      });
      return out;
    },

    async readFile(commit, path) {
      if (path.startsWith("/") || path.split("/").includes("..") || path.includes("\0")) {
        throw new GitError("other", `refusing path ${JSON.stringify(path)}`);
      }
      const blob = await objects.contents(`${oid(commit)}:${path}`);
      return typeof blob === "string" || blob.type !== "blob" ? null : blob.data.toString("utf8");
    },

    async readBlobs(oids) {
      const unique = [...new Set(oids.map(oid))];
      const answers = await Promise.all(unique.map((id) => objects.contents(id)));
      const out = new Map<string, Buffer>();
      answers.forEach((blob, i) => {
        if (typeof blob !== "string") out.set(unique[i] as string, blob.data);
      });
      return out;
    },

    close: () => batch.close(),
  };
  return memoize(mirror);
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
    distance: once("distance", mirror.distance),
    countCommits: once("countCommits", mirror.countCommits),
    branchesContaining: once("branchesContaining", mirror.branchesContaining),
    listDir: once("listDir", mirror.listDir),
  };
}
