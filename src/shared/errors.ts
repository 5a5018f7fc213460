/**
 * One small error hierarchy. Every error carries a `cause` where there is one, and is mapped to
 * an exit code or HTTP status in exactly one place (`exitCodeFor` here, the HTTP edge later).
 *
 * A fixture that fails its checks is a result, not an exception: none of these is thrown for it.
 */

export type ErrorKind = "config" | "git" | "gitea-api" | "storage" | "internal";

export class BotError extends Error {
  readonly kind: ErrorKind = "internal";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A problem with fixtures.yaml or the environment. `issues` holds one line per problem. */
export class ConfigError extends BotError {
  override readonly kind = "config";
  readonly issues: readonly string[];
  constructor(issues: string | readonly string[], options?: { cause?: unknown }) {
    const list = typeof issues === "string" ? [issues] : issues;
    super(list.join("\n"), options);
    this.issues = list;
  }
}

/**
 * Why git could not do what was asked. `unreachable`, `auth`, `timeout` and `killed` (git, or a
 * git it started, ended by a signal the bot did not send: the OOM killer, an operator's `kill`)
 * are failures of the outside world (verdict `error`); `not-found` means the repository does not
 * exist (or is hidden).
 */
export type GitFailure =
  | "unreachable"
  | "auth"
  | "timeout"
  | "killed"
  | "not-found"
  | "unsupported"
  | "other";

export class GitError extends BotError {
  override readonly kind = "git";
  readonly failure: GitFailure;
  constructor(failure: GitFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.failure = failure;
  }
}

export class GiteaApiError extends BotError {
  override readonly kind = "gitea-api";
  readonly status: number | null;
  readonly method: string;
  readonly path: string;
  /** How the client gave up, when it tried more than once ("4 attempts", "asked to wait…"). */
  readonly note: string | null;
  constructor(
    method: string,
    path: string,
    status: number | null,
    message: string,
    options?: { cause?: unknown; note?: string | null },
  ) {
    super(`${method} ${path}: ${message}${options?.note ? ` (${options.note})` : ""}`, options);
    this.method = method;
    this.path = path;
    this.status = status;
    this.note = options?.note ?? null;
  }
}

/**
 * The database cannot store anything now: a full disk, a read-only file system, a lock held too
 * long (store/storage-errors.ts tells them apart). `problem` says which, for whoever waits.
 */
export class StorageError extends BotError {
  override readonly kind = "storage";
  /** SQLite's or the system's code: SQLITE_FULL, ENOSPC, SQLITE_READONLY... */
  readonly code: string;
  /** What an operator reads: "the disk is full". */
  readonly problem: string;
  constructor(code: string, problem: string, options?: { cause?: unknown }) {
    super(`${problem} (${code})`, options);
    this.code = code;
    this.problem = problem;
  }
}

/** CLI exit codes: 0 all pass, 1 a fixture failed, 2 could not check or bad configuration. */
export const EXIT = { ok: 0, fail: 1, error: 2 } as const;

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
