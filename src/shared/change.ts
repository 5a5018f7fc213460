/**
 * What changed between two commits, file by file: the data `workspace/` produces from git and
 * `engine/` judges. It lives in shared/ because both sides speak it and neither may import the other.
 */

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

/** Reads a blob by id. The engine only asks for blobs within its size limit. */
export type ReadBlob = (oid: string) => Promise<Buffer>;
