/**
 * Facts git establishes and the checks judge: how a pin resolved, and what changed between two
 * commits, file by file. `workspace/` produces them and `engine/` reads them; they live in shared/
 * because both sides speak them and neither may import the other.
 */

/** What a pinned id or prefix turned out to be. */
export type Resolution =
  | { kind: "commit"; sha: string; via: "commit" | "tag" }
  | { kind: "missing" }
  /** More than one object starts with it, or a branch or tag has it as its name (`ref`). */
  | { kind: "ambiguous"; candidates: { sha: string; type: string; ref?: string }[] }
  | { kind: "not-commit"; sha: string; type: string };

export type FileStatus = "added" | "modified" | "deleted" | "renamed" | "copied" | "type-changed";

/** Git file modes as git prints them. `000000` means "absent on this side". */
export const MODE = {
  absent: "000000",
  file: "100644",
  executable: "100755",
  symlink: "120000",
  submodule: "160000",
} as const;

export type FileChange = {
  status: FileStatus;
  /** Path after the change (for a deletion: the deleted path). */
  path: string;
  /** Path before a rename or copy; null otherwise. */
  oldPath: string | null;
  oldMode: string;
  newMode: string;
  /** Blob ids; null on the side where the file is absent. */
  oldBlob: string | null;
  newBlob: string | null;
  /** Sizes in bytes; null on the side where the file is absent. */
  oldSize: number | null;
  newSize: number | null;
  /** Git could not diff it line by line (binary content, or larger than the inspection limit). */
  binary: boolean;
  /** Lines added and removed, as `git diff --numstat` counts them (0 for binary). */
  added: number;
  removed: number;
  /** Rename/copy similarity percentage; null otherwise. */
  similarity: number | null;
};

/** One entry of a directory at a commit, as `git ls-tree -l` lists it. */
export type TreeEntry = {
  /** Path from the repository root. */
  path: string;
  mode: string;
  /** blob, tree or commit (a submodule). */
  type: string;
  oid: string;
  /** Bytes, for blobs; null otherwise. */
  size: number | null;
};
