/**
 * Turn a change set into per-file facts the checks judge: the rule that governs each path, the text
 * on both sides (within size limits), and the line diff. The only I/O is the injected `readBlobs`.
 */
import { structuredPatch } from "diff";
import { type FileChange, MODE } from "../shared/git-facts.ts";
import type { Hunk } from "../shared/result.ts";
import { type CompiledRule, ruleFor } from "./rules.ts";

export type Limits = {
  /** Files bigger than this are not read, diffed or parsed (git is told the same). */
  maxBlobBytes: number;
  /** At most this many bytes are read for one fixture, all files together. */
  maxTotalBytes: number;
  /** At most this many changed files are inspected line by line. */
  maxInspectedFiles: number;
  /** A line diff needing more edits than this is given up (bounds memory). */
  maxEditLength: number;
  /** A line diff taking longer than this is given up (bounds time: Myers is O(N*D)). */
  diffTimeoutMs: number;
  /** All line diffs of one fixture together stop after this long. */
  totalDiffMs: number;
};

export const DEFAULT_LIMITS: Limits = {
  maxBlobBytes: 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024,
  maxInspectedFiles: 200,
  maxEditLength: 5_000,
  diffTimeoutMs: 1_000,
  totalDiffMs: 5_000,
};

export type Side =
  | { state: "absent" }
  | { state: "text"; text: string }
  | { state: "binary" }
  | { state: "symlink" }
  | { state: "submodule" }
  | { state: "too-large"; size: number }
  | { state: "not-inspected" };

export type FileAnalysis = {
  change: FileChange;
  /** The rule that governs the (new) path, and the old path of a rename or copy. */
  rule: CompiledRule | null;
  oldRule: CompiledRule | null;
  before: Side;
  after: Side;
  /** null when there is no line diff: binary, too large, not inspected, or too different to diff
   * within the limits (then the checks that need lines fail rather than pass). */
  hunks: Hunk[] | null;
  added: string[];
  removed: string[];
};

export type ReadBlobs = (oids: readonly string[]) => Promise<Map<string, Buffer>>;

export async function inspectFiles(
  changes: readonly FileChange[],
  rules: readonly CompiledRule[],
  readBlobs: ReadBlobs,
  limits: Limits = DEFAULT_LIMITS,
): Promise<FileAnalysis[]> {
  // Decide first which blobs to read, within the per-file and total budgets, then read them in one go.
  let budget = limits.maxTotalBytes;
  const plan = changes.map((change, index) => {
    const inspect = index < limits.maxInspectedFiles;
    const side = (mode: string, oid: string | null, size: number | null) => {
      const planned = planSide(mode, oid, size, inspect, limits.maxBlobBytes, budget);
      if (planned.read) budget -= size ?? 0;
      return planned;
    };
    return {
      change,
      before: side(change.oldMode, change.oldBlob, change.oldSize),
      after: side(change.newMode, change.newBlob, change.newSize),
    };
  });
  const wanted = plan.flatMap((p) => [p.before, p.after]).flatMap((s) => (s.read ? [s.oid] : []));
  const blobs =
    wanted.length > 0 ? await readBlobs([...new Set(wanted)]) : new Map<string, Buffer>();

  const deadline = Date.now() + limits.totalDiffMs;
  return plan.map(({ change, before, after }) => {
    const b = resolveSide(before, blobs, change.binary);
    const a = resolveSide(after, blobs, change.binary);
    const timeout = Math.min(limits.diffTimeoutMs, deadline - Date.now());
    const diff = timeout > 0 ? lineDiff(change, b, a, limits.maxEditLength, timeout) : NO_DIFF;
    return {
      change,
      rule: ruleFor(rules, change.path),
      oldRule: change.oldPath === null ? null : ruleFor(rules, change.oldPath),
      before: b,
      after: a,
      ...diff,
    };
  });
}

type PlannedSide = { read: true; oid: string } | { read: false; side: Side };

function planSide(
  mode: string,
  oid: string | null,
  size: number | null,
  inspect: boolean,
  maxBlobBytes: number,
  budget: number,
): PlannedSide {
  if (mode === MODE.absent || oid === null) return { read: false, side: { state: "absent" } };
  if (mode === MODE.submodule) return { read: false, side: { state: "submodule" } };
  if (mode === MODE.symlink) return { read: false, side: { state: "symlink" } };
  if (!inspect) return { read: false, side: { state: "not-inspected" } };
  if (size === null || size > maxBlobBytes || size > budget) {
    return { read: false, side: { state: "too-large", size: size ?? Number.NaN } };
  }
  return { read: true, oid };
}

function resolveSide(
  planned: PlannedSide,
  blobs: Map<string, Buffer>,
  gitSaysBinary: boolean,
): Side {
  if (!planned.read) return planned.side;
  const buffer = blobs.get(planned.oid);
  if (buffer === undefined) return { state: "not-inspected" };
  if (gitSaysBinary || looksBinary(buffer)) return { state: "binary" };
  return { state: "text", text: buffer.toString("utf8") };
}

/** Git's own heuristic: a NUL byte in the first 8000 bytes means binary. */
function looksBinary(buffer: Buffer): boolean {
  return buffer.subarray(0, 8000).includes(0);
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
    {
      context: 3,
      maxEditLength,
      timeout,
    },
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
