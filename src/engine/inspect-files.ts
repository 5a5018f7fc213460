/**
 * Turn a change set into the facts the checks judge: for every changed file, its content on both
 * sides (within size limits, decoded strictly as UTF-8, a byte-order mark kept as a character) and
 * the line diff; and, for both ends (the merge-base and the pin), a snapshot holding those sides,
 * which load-recipe.ts completes with what the recipe model needs. The only I/O is the injected
 * `TreeReader`.
 *
 * Nothing fails open: a side that was not read (over a limit) says why, and every check that needs
 * its content fails with that reason instead of passing.
 */
import { structuredPatch } from "diff";
import { type FileChange, MODE, type TreeEntry } from "../shared/git-facts.ts";
import type { Hunk } from "../shared/result.ts";
import type { Side, Snapshot } from "../shared/tree.ts";
import { type CompiledRule, ruleFor } from "./rules.ts";

export type { Side, Snapshot };

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
  /** At most this many directories are listed at each end for the recipe model (load-recipe.ts). */
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

export type Inspection = {
  files: FileAnalysis[];
  base: Snapshot;
  pin: Snapshot;
  /** Bytes of the read budget left for the recipe around the change. */
  budget: number;
};

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
  // Both sides of every changed file, in one read, within the per-file and total budgets.
  const budget = { left: limits.maxTotalBytes };
  const sides = await readSides(
    reader,
    changes.flatMap((c) => [
      { mode: c.oldMode, oid: c.oldBlob, size: c.oldSize },
      { mode: c.newMode, oid: c.newBlob, size: c.newSize },
    ]),
    limits,
    budget,
  );
  const deadline = Date.now() + limits.totalDiffMs;
  const files = changes.map((change, i) => {
    const b = sides[2 * i] as Side;
    const a = sides[2 * i + 1] as Side;
    const timeout = Math.min(limits.diffTimeoutMs, deadline - Date.now());
    const diff = timeout > 0 ? lineDiff(change, b, a, limits.maxEditLength, timeout) : NO_DIFF;
    return { change, rule: null, oldRule: null, before: b, after: a, ...diff };
  });
  const snapshot = (commit: string, end: "before" | "after"): Snapshot => {
    const known = new Map<string, Side>();
    for (const f of files) {
      const path = end === "before" ? (f.change.oldPath ?? f.change.path) : f.change.path;
      known.set(path, end === "before" ? f.before : f.after);
    }
    return { commit, dirs: new Map(), files: known };
  };
  return {
    files,
    base: snapshot(ends.base, "before"),
    pin: snapshot(ends.pin, "after"),
    budget: budget.left,
  };
}

export type BlobRequest = { mode: string; oid: string | null; size: number | null };

/**
 * Read blobs as sides, in the order asked, in one read: each within the per-file limit and what
 * is left of `budget` (taken from it in order); a blob whose size is unknown is sized first.
 */
export async function readSides(
  reader: TreeReader,
  requests: readonly BlobRequest[],
  limits: Pick<Limits, "maxBlobBytes">,
  budget: { left: number },
): Promise<Side[]> {
  const unsized = requests
    .filter(
      (r) =>
        r.size === null &&
        r.oid !== null &&
        r.mode !== MODE.absent &&
        r.mode !== MODE.submodule &&
        r.mode !== MODE.symlink,
    )
    .map((r) => r.oid as string);
  const sizes = unsized.length > 0 ? await reader.sizes(unsized) : new Map<string, number>();
  const planned = requests.map((r) => {
    const size = r.size ?? (r.oid === null ? null : (sizes.get(r.oid) ?? null));
    const plan = planSide(r.mode, r.oid, size, limits.maxBlobBytes, budget.left);
    if (plan.read) budget.left -= plan.size;
    return plan;
  });
  const wanted = [...new Set(planned.flatMap((p) => (p.read ? [p.oid] : [])))];
  const blobs = wanted.length > 0 ? await reader.readBlobs(wanted) : new Map<string, Buffer>();
  return planned.map((p) => resolveSide(p, blobs));
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

// A byte-order mark stays in the text: it is a change beside the targeted one, and lines see it.
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

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
