/**
 * Every finished run and its fixture verifications, for the dashboard (the latest verdict of each
 * pinned fixture, a page per run) and for the reconcile. Reports are stored as JSON with their
 * diffs capped.
 */
import {
  capReportDiffs,
  type FixtureResult,
  type RunReport,
  type RunState,
  runState,
  type Verdict,
} from "../shared/result.ts";
import type { Db } from "./database.ts";

export type StoredRun = {
  id: number;
  jobId: string | null;
  repo: string;
  sha: string;
  number: number | null;
  trigger: string;
  state: RunState;
  report: RunReport;
  createdAt: string;
};

export type LatestVerification = {
  runId: number;
  fixture: string;
  repo: string;
  branch: string;
  sha: string;
  resolvedSha: string | null;
  verdict: Verdict;
  failing: string[];
  /** The checks that warned (a pass can warn: the branch moved past its pin). */
  warnings: string[];
  createdAt: string;
};

/** A verification's check ids as stored: { fail, warn }, or (before warnings were kept) a list. */
function checkIds(stored: string): { failing: string[]; warnings: string[] } {
  const parsed = JSON.parse(stored) as string[] | { fail: string[]; warn: string[] };
  return Array.isArray(parsed)
    ? { failing: parsed, warnings: [] }
    : { failing: parsed.fail, warnings: parsed.warn };
}

export type RunStore = {
  record(report: RunReport, jobId: string | null): number;
  get(id: number): StoredRun | null;
  /** The latest verification of each fixture's pin (push and reconcile runs, not PR candidates). */
  latestPins(): Map<string, LatestVerification>;
  /** The latest runs, each with the fixtures it verified. */
  recent(limit: number): (Omit<StoredRun, "report"> & { fixtures: string[] })[];
  /** The fixture results of the latest run for a pull request's head, or []. */
  resultsFor(repo: string, number: number, sha: string): FixtureResult[];
  /** The id of the latest run for a pull request, or null. */
  latestForPull(repo: string, number: number): number | null;
  /** The id of the latest run for one head of a pull request, or null. */
  latestForPullHead(repo: string, number: number, sha: string): number | null;
  /** Forget runs older than `before` (ISO time). */
  prune(before: string): void;
};

type RunRow = {
  id: number;
  job_id: string | null;
  repo: string;
  sha: string;
  number: number | null;
  trigger: string;
  state: RunState;
  report: string;
  created_at: string;
};

export function createRunStore(
  db: Db,
  now: () => string = () => new Date().toISOString(),
): RunStore {
  const insertRun = db.prepare(
    `INSERT INTO runs (job_id, repo, sha, number, trigger, state, report, created_at)
     VALUES (@jobId, @repo, @sha, @number, @trigger, @state, @report, @createdAt)`,
  );
  const insertVerification = db.prepare(
    `INSERT INTO verifications (run_id, fixture, repo, branch, sha, resolved_sha, source, verdict, checks, created_at)
     VALUES (@runId, @fixture, @repo, @branch, @sha, @resolvedSha, @source, @verdict, @checks, @createdAt)`,
  );
  const getRun = db.prepare<[number], RunRow>("SELECT * FROM runs WHERE id = ?");
  const latest = db.prepare<
    [],
    {
      run_id: number;
      fixture: string;
      repo: string;
      branch: string;
      sha: string;
      resolved_sha: string | null;
      verdict: Verdict;
      checks: string;
      created_at: string;
    }
  >(
    `SELECT v.* FROM verifications v
     JOIN (SELECT fixture, max(id) AS id FROM verifications WHERE source = 'pin' GROUP BY fixture) last
       ON last.id = v.id`,
  );
  const recent = db.prepare<[number], Omit<RunRow, "report"> & { fixtures: string | null }>(
    `SELECT id, job_id, repo, sha, number, trigger, state, created_at,
       (SELECT json_group_array(fixture) FROM verifications v WHERE v.run_id = runs.id) AS fixtures
     FROM runs ORDER BY id DESC LIMIT ?`,
  );
  const prune = db.prepare("DELETE FROM runs WHERE created_at < ?");
  const latestForHead = db.prepare<[string, number, string], { report: string }>(
    "SELECT report FROM runs WHERE repo = ? AND number = ? AND sha = ? ORDER BY id DESC LIMIT 1",
  );
  const latestPull = db.prepare<[string, number], { id: number }>(
    "SELECT id FROM runs WHERE repo = ? AND number = ? ORDER BY id DESC LIMIT 1",
  );
  const latestPullHead = db.prepare<[string, number, string], { id: number }>(
    "SELECT id FROM runs WHERE repo = ? AND number = ? AND sha = ? ORDER BY id DESC LIMIT 1",
  );

  const record = db.transaction((report: RunReport, jobId: string | null): number => {
    const createdAt = now();
    const { lastInsertRowid } = insertRun.run({
      jobId,
      repo: report.repo,
      sha: report.sha,
      number: report.number,
      trigger: report.trigger,
      state: runState(report),
      report: JSON.stringify(capReportDiffs(report)),
      createdAt,
    });
    const runId = Number(lastInsertRowid);
    for (const r of report.results) {
      insertVerification.run({
        runId,
        fixture: r.name,
        repo: r.repo,
        branch: r.branch,
        sha: r.sha,
        resolvedSha: r.resolvedSha,
        source: report.kind === "pull" ? "candidate" : "pin",
        verdict: r.verdict,
        // The ids of the checks that failed and warned (older rows hold the failed ones as a list).
        checks: JSON.stringify({
          fail: r.checks.filter((c) => c.status === "fail").map((c) => c.id),
          warn: r.checks.filter((c) => c.status === "warn").map((c) => c.id),
        }),
        createdAt,
      });
    }
    return runId;
  });

  const toSummary = (row: Omit<RunRow, "report">): Omit<StoredRun, "report"> => ({
    id: row.id,
    jobId: row.job_id,
    repo: row.repo,
    sha: row.sha,
    number: row.number,
    trigger: row.trigger,
    state: row.state,
    createdAt: row.created_at,
  });

  return {
    record: (report, jobId) => record(report, jobId),
    get(id) {
      const row = getRun.get(id);
      return row ? { ...toSummary(row), report: JSON.parse(row.report) as RunReport } : null;
    },
    latestPins() {
      const out = new Map<string, LatestVerification>();
      for (const row of latest.all()) {
        out.set(row.fixture, {
          runId: row.run_id,
          fixture: row.fixture,
          repo: row.repo,
          branch: row.branch,
          sha: row.sha,
          resolvedSha: row.resolved_sha,
          verdict: row.verdict,
          ...checkIds(row.checks),
          createdAt: row.created_at,
        });
      }
      return out;
    },
    recent: (limit) =>
      recent.all(limit).map((row) => ({
        ...toSummary(row),
        fixtures: row.fixtures ? (JSON.parse(row.fixtures) as string[]) : [],
      })),
    latestForPull: (repo, number) => latestPull.get(repo, number)?.id ?? null,
    latestForPullHead: (repo, number, sha) => latestPullHead.get(repo, number, sha)?.id ?? null,
    resultsFor(repo, number, sha) {
      const row = latestForHead.get(repo, number, sha);
      return row ? (JSON.parse(row.report) as RunReport).results : [];
    },
    prune: (before) => void prune.run(before),
  };
}
