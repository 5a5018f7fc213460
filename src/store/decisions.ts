/**
 * What the bot last decided for each head of a pull request: the final status it posted (and the
 * run that holds the report), or that there was nothing to report. The reconcile compares it with
 * what Gitea shows for the PR's head, and posts it again when Gitea lost it; it is not verified
 * again unless the manifest changed since (`manifest` is its fingerprint then).
 */
import type { Db } from "./database.ts";

export type DecisionState = "success" | "failure" | "error" | "nothing";

export type Decision = {
  repo: string;
  number: number;
  headSha: string;
  state: DecisionState;
  /** The status description posted (empty for nothing). */
  description: string;
  /** The run that holds the report, when one was recorded. */
  runId: number | null;
  /** The manifest's fingerprint when the decision was made. */
  manifest: string;
  decidedAt: string;
};

export type DecisionStore = {
  record(decision: Omit<Decision, "decidedAt">): void;
  get(repo: string, number: number, headSha: string): Decision | null;
  /** Forget decisions older than `before` (ISO time). */
  prune(before: string): void;
};

type Row = {
  repo: string;
  number: number;
  head_sha: string;
  state: DecisionState;
  description: string;
  run_id: number | null;
  manifest: string;
  decided_at: string;
};

export function createDecisionStore(
  db: Db,
  now: () => string = () => new Date().toISOString(),
): DecisionStore {
  const upsert = db.prepare(
    `INSERT INTO pull_decisions (repo, number, head_sha, state, description, run_id, manifest, decided_at)
     VALUES (@repo, @number, @headSha, @state, @description, @runId, @manifest, @decidedAt)
     ON CONFLICT (repo, number, head_sha) DO UPDATE SET
       state = excluded.state, description = excluded.description, run_id = excluded.run_id,
       manifest = excluded.manifest, decided_at = excluded.decided_at`,
  );
  const select = db.prepare<[string, number, string], Row>(
    "SELECT * FROM pull_decisions WHERE repo = ? AND number = ? AND head_sha = ?",
  );
  const prune = db.prepare("DELETE FROM pull_decisions WHERE decided_at < ?");
  return {
    record: (d) => void upsert.run({ ...d, decidedAt: now() }),
    get(repo, number, headSha) {
      const row = select.get(repo, number, headSha);
      return row
        ? {
            repo: row.repo,
            number: row.number,
            headSha: row.head_sha,
            state: row.state,
            description: row.description,
            runId: row.run_id,
            manifest: row.manifest,
            decidedAt: row.decided_at,
          }
        : null;
    },
    prune: (before) => void prune.run(before),
  };
}
