/**
 * The embedded SQLite database (better-sqlite3, WAL) under DATA_DIR: durable jobs, and the result
 * of every verification for the dashboard and the reconcile. The schema is versioned with
 * `PRAGMA user_version` and moved forward by the numbered migrations below, each in a transaction;
 * a database from a newer fixture-bot is refused rather than guessed at.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ConfigError } from "../shared/errors.ts";

export type Db = Database.Database;

const MIGRATIONS: readonly string[] = [
  // 1: jobs, delivery ids, runs and their fixture verifications.
  `CREATE TABLE jobs (
     id          TEXT PRIMARY KEY,
     key         TEXT NOT NULL,
     revision    TEXT NOT NULL,
     kind        TEXT NOT NULL,
     delivery_id TEXT NOT NULL,
     payload     TEXT NOT NULL,
     state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'replaced')),
     attempts    INTEGER NOT NULL DEFAULT 0,
     created_at  TEXT NOT NULL,
     started_at  TEXT,
     finished_at TEXT,
     error       TEXT
   );
   CREATE INDEX jobs_state ON jobs (state, created_at);
   CREATE INDEX jobs_key ON jobs (key, state);
   CREATE TABLE deliveries (
     id          TEXT PRIMARY KEY,
     received_at TEXT NOT NULL
   );
   CREATE TABLE runs (
     id         INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id     TEXT,
     repo       TEXT NOT NULL,
     sha        TEXT NOT NULL,
     number     INTEGER,
     trigger    TEXT NOT NULL,
     state      TEXT NOT NULL,
     report     TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE verifications (
     id           INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     fixture      TEXT NOT NULL,
     repo         TEXT NOT NULL,
     branch       TEXT NOT NULL,
     sha          TEXT NOT NULL,
     resolved_sha TEXT,
     source       TEXT NOT NULL CHECK (source IN ('pin', 'candidate')),
     verdict      TEXT NOT NULL,
     checks       TEXT NOT NULL,
     created_at   TEXT NOT NULL
   );
   CREATE INDEX verifications_fixture ON verifications (fixture, source, id);`,
  // 2: what the bot last decided for each pull request head, for the reconcile to compare with
  //    what Gitea shows (and to put back what Gitea lost).
  `CREATE TABLE pull_decisions (
     repo        TEXT NOT NULL,
     number      INTEGER NOT NULL,
     head_sha    TEXT NOT NULL,
     state       TEXT NOT NULL CHECK (state IN ('success', 'failure', 'error', 'nothing')),
     description TEXT NOT NULL,
     run_id      INTEGER,
     manifest    TEXT NOT NULL,
     decided_at  TEXT NOT NULL,
     PRIMARY KEY (repo, number, head_sha)
   );`,
  // 3: each canary's outcome in the recipe CI (issue 18), and the `…/outcomes` status last posted.
  `CREATE TABLE canary_outcomes (
     name       TEXT PRIMARY KEY,
     body       TEXT NOT NULL,
     checked_at TEXT NOT NULL
   );
   CREATE TABLE outcome_status (
     id          INTEGER PRIMARY KEY CHECK (id = 1),
     head_sha    TEXT NOT NULL,
     state       TEXT NOT NULL,
     description TEXT NOT NULL,
     posted_at   TEXT NOT NULL
   );`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Open (or create) the database. A file that cannot be used (corrupt, unreadable, read-only, in
 * a directory that cannot be written) is a ConfigError of one line naming the file and what to do,
 * never a stack trace: the service cannot run without it, and restarting will not help.
 */
export function openDatabase(file: string): Db {
  let db: Db | null = null;
  try {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL"); // durable across process crashes in WAL mode
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    migrate(db);
    // Reading every table once finds a damaged file now, not in the middle of a job.
    db.pragma("quick_check");
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `the database ${file} cannot be used (${describe(error)}): restore it from a backup, or move it aside (mv ${file} ${file}.bad) to start with an empty one, since the reconcile rebuilds the pins' results and re-queues open pull requests`,
      { cause: error },
    );
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${code}: ${message}` : message;
}

export function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new ConfigError(
      `the database in DATA_DIR has schema version ${current}, newer than this fixture-bot (${SCHEMA_VERSION}); run a newer version or move the database away`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
