/** `fixture-bot verify --json`: stable, snake_case, one object for the whole run. */
import { type FixtureResult, summarize } from "../shared/result.ts";

export function renderJson(results: readonly FixtureResult[]): string {
  const body = {
    // The shape of this document; a change that would break a reader bumps it.
    schema: 1,
    fixtures: results.map((r) => ({
      name: r.name,
      repo: r.repo,
      branch: r.branch,
      sha: r.sha,
      resolved_sha: r.resolvedSha,
      base: r.base,
      merge_base: r.mergeBase,
      expect: r.expect,
      tier: r.tier ?? null,
      verdict: r.verdict,
      error: r.error,
      checks: r.checks.map((c) => ({
        id: c.id,
        status: c.status,
        message: c.message,
        ...(c.details ? { details: c.details } : {}),
        ...(c.causes
          ? {
              causes: c.causes.map(({ keyPath, ...rest }) => ({
                ...rest,
                ...(keyPath ? { key_path: keyPath } : {}),
              })),
            }
          : {}),
      })),
      deployment: r.deployment
        ? {
            title: r.deployment.title,
            changes: r.deployment.changes.map((c) => ({
              what: c.what,
              before: c.before,
              after: c.after,
              kind: c.kind,
              read_by: c.readBy,
              why: c.why,
            })),
          }
        : null,
      changes: r.files.map((f) => ({
        path: f.path,
        old_path: f.oldPath,
        status: f.status,
        added: f.added,
        removed: f.removed,
        binary: f.binary,
      })),
    })),
    summary: summarize(results),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
