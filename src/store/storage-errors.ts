/**
 * Whether an error from the database means it cannot store anything now (a full disk, a
 * read-only or failing file system, a lock held too long), and how to say so to whoever is
 * waiting: Gitea's delivery log, the operator's. Pure: better-sqlite3's SqliteError and Node's
 * system errors carry a `code`.
 */
import { StorageError } from "../shared/errors.ts";

const CAUSES: readonly [RegExp, string][] = [
  [/^(SQLITE_FULL|ENOSPC|EDQUOT)$/, "the disk is full"],
  [/^(SQLITE_READONLY(_\w+)?|EROFS|EACCES|EPERM)$/, "the database cannot be written (read-only)"],
  [/^SQLITE_IOERR(_\w+)?$|^EIO$/, "the disk could not be written (I/O error)"],
  [/^SQLITE_(BUSY|LOCKED)(_\w+)?$/, "the database is locked by another process"],
  [/^SQLITE_(CORRUPT|NOTADB)(_\w+)?$/, "the database is damaged"],
  [/^SQLITE_CANTOPEN(_\w+)?$/, "the database cannot be opened"],
];

/** The StorageError that `error` is, or null when it is not a storage problem. */
export function asStorageError(error: unknown): StorageError | null {
  if (error instanceof StorageError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return null;
  for (const [pattern, problem] of CAUSES)
    if (pattern.test(code)) return new StorageError(code, problem, { cause: error });
  return null;
}
