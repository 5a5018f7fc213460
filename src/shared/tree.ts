/**
 * What is known of the files of one commit: the directories listed so far and the files read so
 * far. The engine fills it (through its reader port, in rounds, within its read budget) and the
 * recipe model reads it; it lives in shared/ because both speak it and recipe/ must not import
 * engine/.
 */
import type { TreeEntry } from "./git-facts.ts";

/** A file's content as read at one end, or why it was not. */
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

export type Snapshot = {
  commit: string;
  /** Directory ("" for the root) -> its entries. Only the directories asked for are listed. */
  dirs: Map<string, TreeEntry[]>;
  /** Path -> content, for the files read. */
  files: Map<string, Side>;
};

export function emptySnapshot(commit: string): Snapshot {
  return { commit, dirs: new Map(), files: new Map() };
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * A path as written in a recipe (`./traefik.yml`, `conf/../x`), from `fromDir` to a path from the
 * repository root; null when it leaves the repository or names the root itself.
 */
export function resolveRepoPath(fromDir: string, file: string): string | null {
  const parts = fromDir === "" ? [] : fromDir.split("/");
  for (const part of file.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length === 0 ? null : parts.join("/");
}
