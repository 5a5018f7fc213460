/**
 * The recipe model's view of a snapshot: an entry or a file, or "not known yet". Whatever it is
 * asked and does not know, it records in `needs`, so that the caller can list those directories
 * and read those files and ask again (engine/load-recipe.ts does, in a few rounds). Pure.
 */
import type { TreeEntry } from "../shared/git-facts.ts";
import { basename, dirname, type Side, type Snapshot } from "../shared/tree.ts";

export type Needs = { dirs: Set<string>; files: Set<string> };

export type TreeLookup = {
  /** The entry at a path: null when its directory has no such entry, undefined when unknown. */
  entry(path: string): TreeEntry | null | undefined;
  /** The names in a directory, or undefined when it is not listed yet. */
  names(dir: string): string[] | undefined;
  /** A file's content, or undefined when it has not been read. */
  side(path: string): Side | undefined;
  needs: Needs;
};

export function createTreeLookup(snapshot: Snapshot): TreeLookup {
  const needs: Needs = { dirs: new Set(), files: new Set() };
  const listing = (dir: string) => {
    const entries = snapshot.dirs.get(dir);
    if (entries === undefined) needs.dirs.add(dir);
    return entries;
  };
  return {
    entry(path) {
      // A path under a directory that does not exist is simply absent.
      const dir = dirname(path);
      if (dir !== "") {
        const parent = this.entry(dir);
        if (parent === undefined) return undefined;
        if (parent === null || parent.type !== "tree") return null;
      }
      const entries = listing(dir);
      if (entries === undefined) return undefined;
      return entries.find((e) => e.path === path) ?? null;
    },
    names(dir) {
      return listing(dir)?.map((e) => basename(e.path));
    },
    side(path) {
      const side = snapshot.files.get(path);
      if (side === undefined) needs.files.add(path);
      return side;
    },
    needs,
  };
}
