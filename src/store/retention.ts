/** How long the database keeps what it no longer needs, and the one function that forgets it. */

/** Finished jobs (with their delivery ids) are kept 30 days; runs, and the decisions that name them, 90. */
export const RETENTION = { jobsDays: 30, runsDays: 90 };

type Prunable = { prune(before: string): void };

export function forgetOld(
  stores: { jobs: Prunable; runs: Prunable; decisions?: Prunable },
  now: Date,
  policy = RETENTION,
): void {
  const day = 86_400_000;
  stores.jobs.prune(new Date(now.getTime() - policy.jobsDays * day).toISOString());
  const runsBefore = new Date(now.getTime() - policy.runsDays * day).toISOString();
  stores.runs.prune(runsBefore);
  stores.decisions?.prune(runsBefore);
}
