/**
 * From per-file findings to one check result. A finding the merge-base already had (a template
 * that never parsed as YAML, an overlay that was already broken) is not the fixture's doing: it is
 * shown, as a warning, and never fails the fixture unless the change made it worse.
 */
import { showName } from "../shared/display.ts";
import type { CheckCause } from "../shared/result.ts";
import { type CheckId, type CheckResult, capDetails, check } from "./check-result.ts";
import type { FileAnalysis, Side } from "./inspect-files.ts";

/** One problem a check found: its words, its cause as data, and whether the merge-base had it. */
export type Finding = { text: string; cause?: CheckCause; preexisting?: boolean };

const ALREADY = "already so at the merge-base, so not caused by this change";

export function fromFindings(
  id: CheckId,
  findings: readonly Finding[],
  passMessage: string,
  summary: (n: number) => string,
): CheckResult {
  const failing = findings.filter((f) => !f.preexisting);
  const fresh = failing.map((f) => f.text);
  const old = findings.filter((f) => f.preexisting).map((f) => `${f.text} (${ALREADY})`);
  const [first, ...rest] = fresh;
  if (first !== undefined) {
    const causes = failing.flatMap((f) => (f.cause ? [f.cause] : []));
    const withCauses = (result: CheckResult): CheckResult =>
      causes.length > 0 ? { ...result, causes } : result;
    const others = [...rest, ...old];
    if (others.length === 0) return withCauses(check(id, "fail", first));
    const more = rest.length > 0 ? ` (and ${rest.length} more)` : "";
    return withCauses(
      check(id, "fail", `${summary(fresh.length)}: ${first}${more}`, capDetails(others)),
    );
  }
  const [firstOld, ...restOld] = old;
  if (firstOld === undefined) return check(id, "pass", passMessage);
  if (restOld.length === 0) return check(id, "warn", firstOld);
  return check(
    id,
    "warn",
    `${restOld.length + 1} problems the merge-base already had: ${firstOld}`,
    capDetails(restOld),
  );
}

export function allows(
  file: FileAnalysis,
  what: NonNullable<FileAnalysis["rule"]>["rule"]["allow"][number],
): boolean {
  return file.rule?.rule.allow.includes(what) ?? false;
}

/** Names in a message, at most `max` of them: `a, b, c and 12 more`. */
export function listNames(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/** A changed file's path as reports show it. */
export function pathOf(file: FileAnalysis): string {
  return showName(file.change.path);
}

export function stat(file: FileAnalysis): string {
  return `+${file.change.added} -${file.change.removed}`;
}

/** Why a side's content is not available to a check; null when it is text. */
export function unreadable(side: Side, maxBlobBytes: number): string | null {
  switch (side.state) {
    case "binary":
      return "is binary (re-encoded, e.g. as UTF-16?)";
    case "too-large":
      return `is ${formatBytes(side.size)}, over the ${formatBytes(maxBlobBytes)} inspection limit`;
    case "unread":
      return `was ${side.reason}`;
    case "symlink":
    case "submodule":
      return `is now a ${side.state}`;
    default:
      return null;
  }
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "an unknown size";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
