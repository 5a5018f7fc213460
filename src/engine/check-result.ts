/** Small helpers every check uses to build its result. */
import type { CheckId, CheckResult, CheckStatus, Verdict } from "../shared/result.ts";

export type { CheckId, CheckResult, CheckStatus, Verdict };

export function check(
  id: CheckId,
  status: CheckStatus,
  message: string,
  details?: string[],
): CheckResult {
  return details && details.length > 0 ? { id, status, message, details } : { id, status, message };
}

/** A verdict is `fail` as soon as one check fails; warnings do not fail a fixture. */
export function toVerdict(checks: readonly CheckResult[]): Exclude<Verdict, "error"> {
  return checks.some((c) => c.status === "fail") ? "fail" : "pass";
}

export const MAX_DETAILS = 20;

/** Cap a list of detail lines, saying how many were left out. */
export function capDetails(lines: readonly string[], max = MAX_DETAILS): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max), `... and ${lines.length - max} more`];
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 12) : "?";
}
