/** Which database and system errors mean "cannot store now", and what they are called. */
import { describe, expect, it } from "vitest";
import { StorageError } from "../../src/shared/errors.ts";
import { asStorageError } from "../../src/store/storage-errors.ts";

const coded = (code: string) => Object.assign(new Error(`boom ${code}`), { code });

describe("asStorageError", () => {
  it.each([
    ["SQLITE_FULL", "the disk is full"],
    ["ENOSPC", "the disk is full"],
    ["EDQUOT", "the disk is full"],
    ["SQLITE_READONLY", "the database cannot be written (read-only)"],
    ["SQLITE_READONLY_DBMOVED", "the database cannot be written (read-only)"],
    ["EROFS", "the database cannot be written (read-only)"],
    ["EACCES", "the database cannot be written (read-only)"],
    ["SQLITE_IOERR", "the disk could not be written (I/O error)"],
    ["SQLITE_IOERR_WRITE", "the disk could not be written (I/O error)"],
    ["EIO", "the disk could not be written (I/O error)"],
    ["SQLITE_BUSY", "the database is locked by another process"],
    ["SQLITE_LOCKED_SHAREDCACHE", "the database is locked by another process"],
    ["SQLITE_CORRUPT", "the database is damaged"],
    ["SQLITE_NOTADB", "the database is damaged"],
    ["SQLITE_CANTOPEN", "the database cannot be opened"],
  ])("%s: %s", (code, problem) => {
    const error = asStorageError(coded(code));
    expect(error).toBeInstanceOf(StorageError);
    expect([error?.code, error?.problem, error?.message]).toEqual([
      code,
      problem,
      `${problem} (${code})`,
    ]);
  });

  it.each([
    ["a constraint (a bug, not the disk)", coded("SQLITE_CONSTRAINT_PRIMARYKEY")],
    ["a misuse", coded("SQLITE_MISUSE")],
    ["a network error", coded("ECONNRESET")],
    ["a plain error", new Error("SQLITE_FULL in the message only")],
    ["not an error", "SQLITE_FULL"],
    ["null", null],
    ["a numeric code", Object.assign(new Error("x"), { code: 13 })],
    // A prefix or a suffix of a code is not the code.
    ["XSQLITE_FULL", coded("XSQLITE_FULL")],
    ["SQLITE_FULLNESS", coded("SQLITE_FULLNESS")],
  ])("%s is not a storage problem", (_name, error) => {
    expect(asStorageError(error)).toBeNull();
  });

  it("keeps a StorageError as it is", () => {
    const error = new StorageError("ENOSPC", "the disk is full");
    expect(asStorageError(error)).toBe(error);
  });
});
