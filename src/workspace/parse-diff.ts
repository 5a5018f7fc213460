/**
 * Parsers for git's machine-readable output (-z, NUL-separated, so any path survives).
 */
import type { FileChange, FileStatus, TreeEntry } from "../shared/git-facts.ts";

type RawEntry = {
  oldMode: string;
  newMode: string;
  oldBlob: string | null;
  newBlob: string | null;
  status: FileStatus;
  similarity: number | null;
  path: string;
  oldPath: string | null;
};

const STATUS: Record<string, FileStatus> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type-changed",
};

const ZERO_OID = /^0+$/;

/**
 * Parse `git diff-tree -r -z -M --raw --numstat A B`: first one raw record per file
 * (`:mode mode oid oid S\0path\0` or `...R86\0old\0new\0`), then one numstat record per file in
 * the same order (`added\tremoved\tpath\0` or `added\tremoved\t\0old\0new\0`; `-` for binary).
 */
export function parseRawNumstat(output: string): Omit<FileChange, "oldSize" | "newSize">[] {
  const tokens = output.split("\0");
  const raws: RawEntry[] = [];
  const stats: { added: number; removed: number; binary: boolean }[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] ?? "";
    if (token === "" || token === "\n") {
      i += 1;
      continue;
    }
    if (token.startsWith(":")) {
      const [oldMode, newMode, oldBlob, newBlob, code] = token.slice(1).split(" ");
      const letter = (code ?? "").charAt(0);
      const status = STATUS[letter];
      if (!status || !oldMode || !newMode || !oldBlob || !newBlob) {
        throw new Error(`unexpected diff-tree record: ${JSON.stringify(token.slice(0, 100))}`);
      }
      const similarity =
        letter === "R" || letter === "C" ? Number.parseInt(code?.slice(1) ?? "", 10) : null;
      const twoPaths = letter === "R" || letter === "C";
      const oldPath = twoPaths ? (tokens[i + 1] ?? "") : null;
      const path = (twoPaths ? tokens[i + 2] : tokens[i + 1]) ?? "";
      raws.push({
        oldMode,
        newMode,
        oldBlob: ZERO_OID.test(oldBlob) ? null : oldBlob,
        newBlob: ZERO_OID.test(newBlob) ? null : newBlob,
        status,
        similarity: Number.isNaN(similarity) ? null : similarity,
        path,
        oldPath,
      });
      i += twoPaths ? 3 : 2;
      continue;
    }
    const [added, removed, path] = token.split("\t");
    const binary = added === "-" && removed === "-";
    stats.push({
      added: binary ? 0 : Number.parseInt(added ?? "0", 10),
      removed: binary ? 0 : Number.parseInt(removed ?? "0", 10),
      binary,
    });
    // A rename's numstat record has an empty path field followed by the two paths.
    i += path === "" ? 3 : 1;
  }
  if (stats.length !== raws.length) {
    throw new Error(
      `diff-tree gave ${raws.length} raw records but ${stats.length} numstat records`,
    );
  }
  return raws.map((raw, n) => {
    const s = stats[n] ?? { added: 0, removed: 0, binary: false };
    return { ...raw, ...s };
  });
}

/** Parse `git ls-tree -r -l -z`: `mode type oid size\tpath\0` -> path -> size (blobs only). */
export function parseLsTreeSizes(output: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const record of output.split("\0")) {
    if (record === "") continue;
    const tab = record.indexOf("\t");
    if (tab === -1) continue;
    const [, type, , size] = record.slice(0, tab).split(/\s+/);
    if (type === "blob" && size !== undefined && size !== "-") {
      sizes.set(record.slice(tab + 1), Number.parseInt(size, 10));
    }
  }
  return sizes;
}

/** Parse `git ls-tree -l -z` (not recursive): one entry per record, with blob sizes. */
export function parseLsTree(output: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.split("\0")) {
    const tab = record.indexOf("\t");
    if (tab === -1) continue;
    const [mode, type, oid, size] = record.slice(0, tab).split(/\s+/);
    if (!mode || !type || !oid) continue;
    const bytes = size === undefined || size === "-" ? null : Number.parseInt(size, 10);
    entries.push({
      path: record.slice(tab + 1),
      mode,
      type,
      oid,
      size: Number.isFinite(bytes) ? bytes : null,
    });
  }
  return entries;
}
