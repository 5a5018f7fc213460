/** The commit status: a state and a description under 140 characters that names what failed. */
import { type RunReport, runState, summarize } from "../shared/result.ts";

export const MAX_DESCRIPTION = 139;

export function renderStatus(report: RunReport): {
  state: "success" | "failure" | "error";
  description: string;
} {
  const state = runState(report);
  return { state, description: clamp(describe(report, state)) };
}

function describe(report: RunReport, state: string): string {
  const { results } = report;
  if (report.manifestErrors.length > 0) {
    const n = report.manifestErrors.length;
    return `manifest does not load: ${n} ${n === 1 ? "problem" : "problems"}`;
  }
  const s = summarize(results);
  if (state === "success") {
    if (results.length === 0) return "no fixture to verify";
    return results.length === 1 ? `${results[0]?.name} passes` : `${results.length} fixtures pass`;
  }
  const failed = results.filter((r) => r.verdict === "fail");
  if (failed.length > 0) {
    const parts = failed.map((r) => {
      const ids = r.checks.filter((c) => c.status === "fail").map((c) => c.id);
      const shown = ids.slice(0, 3).join(", ") + (ids.length > 3 ? ` +${ids.length - 3}` : "");
      return `${r.name} (${shown})`;
    });
    const prefix = results.length > 1 ? `${failed.length} of ${results.length} fail: ` : "failed: ";
    return prefix + parts.join("; ");
  }
  const errored = results.filter((r) => r.verdict === "error").map((r) => r.name);
  return `could not check ${errored.join(", ")}${s.pass > 0 ? ` (${s.pass} pass)` : ""}`;
}

function clamp(text: string): string {
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}
