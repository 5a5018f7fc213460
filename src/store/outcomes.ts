/**
 * Each canary's latest outcome in the recipe CI (what the dashboard shows beside its verdict),
 * and the `<STATUS_CONTEXT>/outcomes` status last posted on the fixtures repository, so that it
 * is posted again only when something changed.
 */
import type { CanaryOutcome } from "../outcome/canary-outcome.ts";
import type { Db } from "./database.ts";

export type StoredOutcome = CanaryOutcome & { checkedAt: string };

export type PostedOutcomeStatus = { headSha: string; state: string; description: string };

export type OutcomeStore = {
  save(outcomes: readonly CanaryOutcome[]): void;
  /** The latest outcome of each canary, by name. */
  all(): Map<string, StoredOutcome>;
  /** Forget the canaries not in `names` (they left the manifest). */
  retain(names: readonly string[]): void;
  lastPosted(): PostedOutcomeStatus | null;
  setPosted(status: PostedOutcomeStatus): void;
};

export function createOutcomeStore(
  db: Db,
  now: () => string = () => new Date().toISOString(),
): OutcomeStore {
  const upsert = db.prepare(
    `INSERT INTO canary_outcomes (name, body, checked_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET body = excluded.body, checked_at = excluded.checked_at`,
  );
  const select = db.prepare<[], { name: string; body: string; checked_at: string }>(
    "SELECT name, body, checked_at FROM canary_outcomes",
  );
  const remove = db.prepare("DELETE FROM canary_outcomes WHERE name = ?");
  const posted = db.prepare<[], { head_sha: string; state: string; description: string }>(
    "SELECT head_sha, state, description FROM outcome_status WHERE id = 1",
  );
  const setPosted = db.prepare(
    `INSERT INTO outcome_status (id, head_sha, state, description, posted_at) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET head_sha = excluded.head_sha, state = excluded.state,
       description = excluded.description, posted_at = excluded.posted_at`,
  );
  const saveAll = db.transaction((outcomes: readonly CanaryOutcome[]) => {
    const at = now();
    for (const o of outcomes) upsert.run(o.name, JSON.stringify(o), at);
  });
  return {
    save: (outcomes) => saveAll(outcomes),
    all() {
      const out = new Map<string, StoredOutcome>();
      for (const row of select.all())
        out.set(row.name, {
          ...(JSON.parse(row.body) as CanaryOutcome),
          checkedAt: row.checked_at,
        });
      return out;
    },
    retain(names) {
      const keep = new Set(names);
      for (const row of select.all()) if (!keep.has(row.name)) remove.run(row.name);
    },
    lastPosted() {
      const row = posted.get();
      return row ? { headSha: row.head_sha, state: row.state, description: row.description } : null;
    },
    setPosted: (s) => void setPosted.run(s.headSha, s.state, s.description, now()),
  };
}
