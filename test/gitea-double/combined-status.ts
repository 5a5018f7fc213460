/** GET commits/{ref}/status: latest status per context, combined by each version's rule (CONTRACT §4.6). */
import { versionAtLeast } from "./permissions.ts";
import type { StoredStatus } from "./state.ts";
import type { GiteaVersion } from "./types.ts";

/** Newest first, one per context. */
export function latestPerContext(statuses: readonly StoredStatus[]): StoredStatus[] {
  const latest = new Map<string, StoredStatus>();
  for (const status of statuses) {
    const seen = latest.get(status.context);
    if (!seen || status.index > seen.index) latest.set(status.context, status);
  }
  return [...latest.values()].sort((a, b) => b.index - a.index);
}

/** ≤1.24: the worst state wins, in the order error < failure < warning < pending < success. */
const LEGACY_ORDER = ["error", "failure", "warning", "pending", "success"];

export function combineStates(states: readonly string[], version: GiteaVersion): string {
  if (states.length === 0) return versionAtLeast(version, "1.26") ? "pending" : "";
  if (!versionAtLeast(version, "1.25")) {
    const rank = (s: string) => {
      const i = LEGACY_ORDER.indexOf(s);
      return i < 0 ? LEGACY_ORDER.indexOf("pending") : i;
    };
    const worst = states.reduce((a, b) => (rank(b) < rank(a) ? b : a));
    return worst === "error" ? "failure" : worst;
  }
  const failing = versionAtLeast(version, "1.26")
    ? ["error", "failure", "warning"]
    : ["error", "failure"];
  const passing = versionAtLeast(version, "1.26")
    ? ["success", "skipped"]
    : ["success", "warning", "skipped"];
  if (states.some((s) => failing.includes(s))) return "failure";
  if (states.every((s) => passing.includes(s))) return "success";
  return "pending";
}

export function toCombinedStatus(input: {
  version: GiteaVersion;
  sha: string;
  latest: readonly StoredStatus[];
  page: unknown[];
  repository: unknown;
  apiRepoUrl: string;
}) {
  const state = combineStates(
    input.latest.map((s) => s.state),
    input.version,
  );
  if (!versionAtLeast(input.version, "1.25")) {
    const none = input.latest.length === 0;
    return {
      state,
      sha: none ? "" : input.sha,
      total_count: input.latest.length,
      statuses: none ? null : input.page,
      repository: none ? null : input.repository,
      commit_url: "",
      url: "",
    };
  }
  const commit = `${input.apiRepoUrl}/commits/${input.sha}`;
  return {
    state,
    sha: input.sha,
    total_count: input.latest.length,
    statuses: input.page,
    repository: input.repository,
    commit_url: commit,
    url: `${commit}/status`,
  };
}
