/**
 * Turn a change set into the facts the checks judge: for every changed file, the rule that governs
 * it, its content on both sides (within size limits, decoded strictly as UTF-8) and the line diff;
 * and for both ends (the merge-base and the pin), a snapshot of the files around the change that
 * give it meaning: the compose files beside it, so that an overlay can be merged onto its base and
 * a config known to be a template. The only I/O is the injected `TreeReader`.
 *
 * Nothing fails open: a side that was not read (over a limit) says why, and every check that needs
 * its content fails with that reason instead of passing.
 */
import { structuredPatch } from "diff";
import { type FileChange, MODE, type TreeEntry } from "../shared/git-facts.ts";
import type { Hunk } from "../shared/result.ts";
import { type CompiledRule, ruleFor } from "./rules.ts";

/** Root files that give compose files their values. */
const RECIPE_FILES = new Set([".env.sample", "abra.sh"]);

/** The change rules that govern each file (assigned once the recipe around it is known). */
export function withRules(
  files: readonly FileAnalysis[],
  rules: readonly CompiledRule[],
): FileAnalysis[] {
  return files.map((f) => ({
    ...f,
    rule: ruleFor(rules, f.change.path),
    oldRule: f.change.oldPath === null ? null : ruleFor(rules, f.change.oldPath),
  }));
}

/** A text file of a snapshot, or null when it is absent or not readable text. */
export function textAt(snapshot: Snapshot, path: string): string | null {
  const side = snapshot.files.get(path);
  return side?.state === "text" ? side.text : null;
}

import { dirname, isComposePath, isYamlPath } from "./yaml-doc.ts";

export type Limits = {
  /** Files bigger than this are not read, diffed or parsed (git is told the same). */
  maxBlobBytes: number;
  /** At most this many bytes are read for one fixture, all files together. */
  maxTotalBytes: number;
  /** A line diff needing more edits than this is given up (bounds memory). */
  maxEditLength: number;
  /** A line diff taking longer than this is given up (bounds time: Myers is O(N*D)). */
  diffTimeoutMs: number;
  /** All line diffs of one fixture together stop after this long. */
  totalDiffMs: number;
  /** At most this many directories are looked at around the change (for compose files). */
  maxContextDirs: number;
};

export const DEFAULT_LIMITS: Limits = {
  maxBlobBytes: 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024,
  maxEditLength: 5_000,
  diffTimeoutMs: 1_000,
  totalDiffMs: 5_000,
  maxContextDirs: 50,
};

export type Side =
  | { state: "absent" }
  /** `invalidUtf8At`: the byte offset of the first byte that is not valid UTF-8, if any. */
  | { state: "text"; text: string; invalidUtf8At: number | null }
  | { state: "binary" }
  | { state: "symlink" }
  | { state: "submodule" }
  | { state: "too-large"; size: number }
  /** Not read, and why (the total read budget was spent, git did not return it). */
  | { state: "unread"; reason: string };

export type FileAnalysis = {
  change: FileChange;
  /** The rule that governs the (new) path, and the old path of a rename or copy. */
  rule: CompiledRule | null;
  oldRule: CompiledRule | null;
  before: Side;
  after: Side;
  /** null when there is no line diff: binary, too large, unread, or too different to diff
   * within the limits (then the checks that need lines fail rather than pass). */
  hunks: Hunk[] | null;
  added: string[];
  removed: string[];
};

/** The files around the change at one end: which names each looked-at directory holds, and the
 * content of the ones that matter (compose files). */
export type Snapshot = {
  commit: string;
  /** Directory ("" for the root) -> its entries. Only directories around the change are listed. */
  dirs: Map<string, TreeEntry[]>;
  /** Path -> content, for changed files and the context files. */
  files: Map<string, Side>;
};

export type Inspection = { files: FileAnalysis[]; base: Snapshot; pin: Snapshot };

export type TreeReader = {
  /**
   * The entries of `dir` ("" for the root) at `commit`; empty when there is no such directory.
   * Sizes may be unknown (null): in a partial clone, knowing one means fetching the blob.
   */
  listDir(commit: string, dir: string): Promise<TreeEntry[]>;
  /** Sizes of blobs by id (only of the ones the inspection will read). */
  sizes(oids: readonly string[]): Promise<Map<string, number>>;
  /** Blob contents by id. */
  readBlobs(oids: readonly string[]): Promise<Map<string, Buffer>>;
};

export async function inspectFiles(
  changes: readonly FileChange[],
  ends: { base: string; pin: string },
  reader: TreeReader,
  limits: Limits = DEFAULT_LIMITS,
): Promise<Inspection> {
  const dirs = contextDirs(changes, limits.maxContextDirs);
  const [baseDirs, pinDirs] = await Promise.all(
    [ends.base, ends.pin].map(async (commit) => {
      const listed = new Map<string, TreeEntry[]>();
      for (const dir of dirs) listed.set(dir, await reader.listDir(commit, dir));
      return listed;
    }),
  );

  // Plan every read first, changed files before context, within the per-file and total budgets;
  // then read them all in one go.
  let budget = limits.maxTotalBytes;
  const plan = (mode: string, oid: string | null, size: number | null): PlannedSide => {
    const planned = planSide(mode, oid, size, limits.maxBlobBytes, budget);
    if (planned.read) budget -= planned.size;
    return planned;
  };
  const changed = changes.map((change) => ({
    change,
    before: plan(change.oldMode, change.oldBlob, change.oldSize),
    after: plan(change.newMode, change.newBlob, change.newSize),
  }));
  // Context files' sizes are asked for only now, of the few that will be read.
  const contextEntries = (listed: Map<string, TreeEntry[]>, changedPaths: Set<string>) =>
    [...listed.values()]
      .flat()
      .filter(
        (e) =>
          e.type === "blob" &&
          (isComposePath(e.path) || RECIPE_FILES.has(e.path)) &&
          !changedPaths.has(e.path),
      );
  const baseEntries = contextEntries(
    baseDirs as Map<string, TreeEntry[]>,
    new Set(changes.map((c) => c.oldPath ?? c.path)),
  );
  const pinEntries = contextEntries(
    pinDirs as Map<string, TreeEntry[]>,
    new Set(changes.map((c) => c.path)),
  );
  const unsized = [...baseEntries, ...pinEntries].filter((e) => e.size === null).map((e) => e.oid);
  const sizes = unsized.length > 0 ? await reader.sizes(unsized) : new Map<string, number>();
  const sized = (entries: TreeEntry[]) =>
    entries.map((e) => ({
      path: e.path,
      planned: plan(e.mode, e.oid, e.size ?? sizes.get(e.oid) ?? null),
    }));
  const baseContext = sized(baseEntries);
  const pinContext = sized(pinEntries);

  const wanted = new Set<string>();
  const want = (p: PlannedSide) => {
    if (p.read) wanted.add(p.oid);
  };
  for (const c of changed) [c.before, c.after].forEach(want);
  for (const c of [...baseContext, ...pinContext]) want(c.planned);
  const blobs = wanted.size > 0 ? await reader.readBlobs([...wanted]) : new Map<string, Buffer>();

  const deadline = Date.now() + limits.totalDiffMs;
  const files = changed.map(({ change, before, after }) => {
    const b = resolveSide(before, blobs);
    const a = resolveSide(after, blobs);
    const timeout = Math.min(limits.diffTimeoutMs, deadline - Date.now());
    const diff = timeout > 0 ? lineDiff(change, b, a, limits.maxEditLength, timeout) : NO_DIFF;
    return {
      change,
      rule: null,
      oldRule: null,
      before: b,
      after: a,
      ...diff,
    };
  });

  const snapshot = (
    commit: string,
    listed: Map<string, TreeEntry[]>,
    contextFiles: typeof baseContext,
    end: "before" | "after",
  ): Snapshot => {
    const sides = new Map<string, Side>();
    for (const c of contextFiles) sides.set(c.path, resolveSide(c.planned, blobs));
    for (const f of files) {
      const path = end === "before" ? (f.change.oldPath ?? f.change.path) : f.change.path;
      sides.set(path, end === "before" ? f.before : f.after);
    }
    return { commit, dirs: listed, files: sides };
  };
  return {
    files,
    base: snapshot(ends.base, baseDirs as Map<string, TreeEntry[]>, baseContext, "before"),
    pin: snapshot(ends.pin, pinDirs as Map<string, TreeEntry[]>, pinContext, "after"),
  };
}

/** The root, and the directory of every changed YAML file (where its compose files would be). */
function contextDirs(changes: readonly FileChange[], max: number): string[] {
  const dirs = new Set<string>([""]);
  for (const c of changes) {
    for (const path of [c.path, c.oldPath]) {
      if (path !== null && isYamlPath(path) && dirs.size < max) dirs.add(dirname(path));
    }
  }
  return [...dirs];
}

type PlannedSide = { read: true; oid: string; size: number } | { read: false; side: Side };

function planSide(
  mode: string,
  oid: string | null,
  size: number | null,
  maxBlobBytes: number,
  budget: number,
): PlannedSide {
  if (mode === MODE.absent || oid === null) return { read: false, side: { state: "absent" } };
  if (mode === MODE.submodule) return { read: false, side: { state: "submodule" } };
  if (mode === MODE.symlink) return { read: false, side: { state: "symlink" } };
  if (size === null || size > maxBlobBytes) {
    return { read: false, side: { state: "too-large", size: size ?? Number.NaN } };
  }
  if (size > budget) {
    return {
      read: false,
      side: {
        state: "unread",
        reason: "not read: the fixture's files together exceed the inspection budget",
      },
    };
  }
  return { read: true, oid, size };
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A side's content, judged on its own bytes (git's "binary" is said of the pair of sides). */
function resolveSide(planned: PlannedSide, blobs: Map<string, Buffer>): Side {
  if (!planned.read) return planned.side;
  const buffer = blobs.get(planned.oid);
  if (buffer === undefined)
    return { state: "unread", reason: "not read: git did not return its content" };
  if (looksBinary(buffer)) return { state: "binary" };
  try {
    return { state: "text", text: STRICT_UTF8.decode(buffer), invalidUtf8At: null };
  } catch {
    return {
      state: "text",
      text: buffer.toString("utf8"),
      invalidUtf8At: firstInvalidUtf8(buffer),
    };
  }
}

/** Git's own heuristic: a NUL byte in the first 8000 bytes means binary. */
function looksBinary(buffer: Buffer): boolean {
  return buffer.subarray(0, 8000).includes(0);
}

/** The offset of the first byte that does not belong to a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (need === -1) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < 0x80 || c > 0xbf) return i;
    }
    // Overlong three- and four-byte forms, surrogates and code points past U+10FFFF.
    const c1 = bytes[i + 1] as number;
    if (
      (b === 0xe0 && c1 < 0xa0) ||
      (b === 0xed && c1 > 0x9f) ||
      (b === 0xf0 && c1 < 0x90) ||
      (b === 0xf4 && c1 > 0x8f)
    )
      return i;
    i += need + 1;
  }
  return -1;
}

const NO_DIFF = { hunks: null, added: [], removed: [] };

function lineDiff(
  change: FileChange,
  before: Side,
  after: Side,
  maxEditLength: number,
  timeout: number,
): Pick<FileAnalysis, "hunks" | "added" | "removed"> {
  const oldText = before.state === "text" ? before.text : before.state === "absent" ? "" : null;
  const newText = after.state === "text" ? after.text : after.state === "absent" ? "" : null;
  if (oldText === null || newText === null) return NO_DIFF;
  const patch = structuredPatch(
    change.oldPath ?? change.path,
    change.path,
    oldText,
    newText,
    "",
    "",
    { context: 3, maxEditLength, timeout },
  );
  if (patch === undefined) return NO_DIFF;
  const added: string[] = [];
  const removed: string[] = [];
  for (const hunk of patch.hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith("+")) added.push(line.slice(1));
      else if (line.startsWith("-")) removed.push(line.slice(1));
    }
  }
  return { hunks: patch.hunks, added, removed };
}
