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

type Change = Omit<FileChange, "oldSize" | "newSize">;

/**
 * Parse `git diff-tree -r -z -M --raw --numstat A B`: first one raw record per file
 * (`:mode mode oid oid S\0path\0` or `...R86\0old\0new\0`), then one numstat record per file in
 * the same order (`added\tremoved\tpath\0` or `added\tremoved\t\0old\0new\0`; `-` for binary).
 */
export function parseRawNumstat(output: string): Change[] {
  const tokens = output.split("\0");
  const { changes, next } = readDiff(tokens, 0);
  if (tokens.slice(next).some((t) => t !== "" && t !== "\n")) {
    throw new Error(
      `unexpected diff-tree output after the diff: ${JSON.stringify(tokens[next]?.slice(0, 100))}`,
    );
  }
  return changes;
}

/**
 * Parse `git diff-tree --stdin --always -r -z -M --raw --numstat` fed `count` lines: each diff
 * comes after its line's first commit id (`<id>\0`), in the order of the lines, an empty one
 * with its id alone (--always).
 */
export function parseDiffSections(output: string, count: number): Change[][] {
  const tokens = output.split("\0");
  const sections: Change[][] = [];
  let at = 0;
  while (sections.length < count) {
    const header = tokens[at] ?? "";
    if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(header)) {
      throw new Error(
        `diff-tree --stdin gave ${sections.length} of ${count} diffs, then ${JSON.stringify(header.slice(0, 100))}`,
      );
    }
    const { changes, next } = readDiff(tokens, at + 1);
    sections.push(changes);
    at = next;
  }
  if (tokens.slice(at).some((t) => t !== "")) {
    throw new Error(`diff-tree --stdin gave more than ${count} diffs`);
  }
  return sections;
}

/** One diff's records from `tokens[start]` on: its raw records, then as many numstat records. */
function readDiff(tokens: readonly string[], start: number): { changes: Change[]; next: number } {
  const raws: RawEntry[] = [];
  let i = start;
  while ((tokens[i] ?? "").startsWith(":")) {
    const token = tokens[i] as string;
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
  }
  const changes: Change[] = [];
  for (const raw of raws) {
    const token = tokens[i];
    const match = token === undefined ? null : /^(-|\d+)\t(-|\d+)\t/.exec(token);
    if (!match || token === undefined) {
      throw new Error(
        `diff-tree gave ${raws.length} raw records but ${changes.length} numstat records`,
      );
    }
    const binary = match[1] === "-" && match[2] === "-";
    changes.push({
      ...raw,
      added: binary ? 0 : Number.parseInt(match[1] as string, 10),
      removed: binary ? 0 : Number.parseInt(match[2] as string, 10),
      binary,
    });
    // A rename's numstat record has an empty path field followed by the two paths.
    i += token.length === match[0].length ? 3 : 1;
  }
  return { changes, next: i };
}

/**
 * Parse a raw git tree object (what `cat-file` gives for a tree): `<mode> <name>\0<20-byte id>`
 * per entry, paths joined to `dir`. Sizes are unknown (null): in a blob-less mirror, knowing one
 * means fetching the blob, so they are asked for only of the files that will be read.
 */
export function parseTree(data: Buffer, dir: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const nul = space === -1 ? -1 : data.indexOf(0, space);
    if (nul === -1 || nul + 21 > data.length) {
      throw new Error(`a tree entry at byte ${at} is cut short`);
    }
    const mode = data.subarray(at, space).toString("ascii").padStart(6, "0");
    const name = data.subarray(space + 1, nul).toString("utf8");
    const oid = data.subarray(nul + 1, nul + 21).toString("hex");
    const type = mode === "040000" ? "tree" : mode === "160000" ? "commit" : "blob";
    entries.push({ path: dir === "" ? name : `${dir}/${name}`, mode, type, oid, size: null });
    at = nul + 21;
  }
  return entries;
}
