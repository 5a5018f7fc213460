/**
 * Checks about where the pin is: sha-exists, sha-on-branch, branch-tip, base-exists, max-commits.
 * Pure: the pipeline asks git the questions and hands the answers in as `RefFacts`. They run from
 * the table in checks.ts.
 */
import type { Resolution } from "../shared/git-facts.ts";
import type { CheckCause } from "../shared/result.ts";
import { type CheckResult, capDetails, check, plural, shortSha } from "./check-result.ts";

export type RefFacts = {
  repo: string;
  /** The pin as written in the manifest (full id or prefix). */
  pinned: string;
  branch: string;
  resolution: Resolution;
  /** Tip of the fixture branch; null when the branch does not exist. */
  branchTip: string | null;
  /** Whether the resolved pin is reachable from the branch; null when either is missing. */
  onBranch: boolean | null;
  /** Other branches that contain the pin (asked only when it is not on its own branch). */
  containedIn: string[];
  /** How many commits the branch tip is ahead of the pin. */
  commitsPastPin: number | null;
  /** null for a good canary (no base). `tagCommit`: when `ref` is not a branch but a tag, the
   * commit it tags. */
  base: { ref: string; sha: string | null; tagCommit?: string | null } | null;
  mergeBase: string | null;
  commitsSinceMergeBase: number | null;
  maxCommits: number | null;
};

export function checkShaExists({ repo, pinned, resolution }: RefFacts): CheckResult {
  switch (resolution.kind) {
    case "commit": {
      const full = resolution.sha;
      const via = resolution.via === "tag" ? `annotated tag ${pinned} peeled to commit` : "commit";
      const hint =
        pinned.length < full.length
          ? `; consider pinning the full id ${full} so it can never become ambiguous`
          : "";
      return check("sha-exists", "pass", `${pinned} resolves to ${via} ${shortSha(full)}${hint}`);
    }
    case "missing":
      return failed(
        check(
          "sha-exists",
          "fail",
          `no commit ${pinned} in ${repo}: no branch or tag reaches it (never pushed, or force-pushed away and since deleted by the server)`,
        ),
        { kind: "no-commit" },
      );
    case "ambiguous": {
      const named = resolution.candidates.find((c) => c.ref !== undefined);
      const objects = resolution.candidates.filter((c) => c.ref === undefined);
      const why = !named
        ? `${plural(resolution.candidates.length, "object")} start with it`
        : objects.length === 0
          ? `it is the name of ${named.ref} (commit ${shortSha(named.sha)}), not a commit id`
          : `${named.ref} has that name, and git would take it (commit ${shortSha(named.sha)}) over the ${plural(objects.length, "object")} starting with it`;
      return failed(
        check(
          "sha-exists",
          "fail",
          `${pinned} is ambiguous: ${why}; pin the full 40-character id`,
          capDetails(
            resolution.candidates.map((c) => `${c.sha} ${c.type}${c.ref ? ` (${c.ref})` : ""}`),
          ),
        ),
        { kind: "ambiguous-pin", ...(named?.ref ? { ref: named.ref } : {}) },
      );
    }
    case "not-commit":
      return failed(
        check(
          "sha-exists",
          "fail",
          `${pinned} is a ${resolution.type} (${shortSha(resolution.sha)}), not a commit`,
        ),
        { kind: "not-a-commit", detail: resolution.type },
      );
  }
}

export function checkShaOnBranch(facts: RefFacts): CheckResult {
  const { repo, branch, resolution, branchTip, onBranch, containedIn } = facts;
  if (branchTip === null) {
    return failed(check("sha-on-branch", "fail", `branch ${branch} does not exist in ${repo}`), {
      kind: "no-branch",
    });
  }
  if (resolution.kind !== "commit" || onBranch === null) {
    return check("sha-on-branch", "skip", "not checked: the pinned commit was not resolved");
  }
  if (onBranch) {
    return check("sha-on-branch", "pass", `${shortSha(resolution.sha)} is on ${branch}`);
  }
  const list = (names: readonly string[]) =>
    `${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}`;
  // On another fixture branch (not merely merged into the base): the manifest names the wrong
  // branch, or this fixture's pin was copied from another one.
  const others = containedIn.filter((b) => b !== facts.base?.ref);
  if (others.length > 0) {
    return failed(
      check(
        "sha-on-branch",
        "fail",
        `${shortSha(resolution.sha)} is on ${list(others)}, not on ${branch}: the manifest names the wrong branch for this pin (set branch: ${others[0]}), or the pin was copied from another fixture`,
      ),
      { kind: "wrong-branch", ref: others[0] as string },
    );
  }
  const onBase = containedIn.length > 0 ? ` It is on ${list(containedIn)}.` : "";
  return failed(
    check(
      "sha-on-branch",
      "fail",
      `${shortSha(resolution.sha)} exists but is no longer on ${branch} (tip ${shortSha(branchTip)}): the branch was force-pushed or rebased after the pin was taken.${onBase}`,
    ),
    { kind: "force-pushed" },
  );
}

export function checkBranchTip(facts: RefFacts): CheckResult {
  const { branch, resolution, branchTip, onBranch, commitsPastPin } = facts;
  if (branchTip === null || resolution.kind !== "commit" || onBranch !== true) {
    return check("branch-tip", "skip", "not checked: the pin is not on its branch");
  }
  if (branchTip === resolution.sha || commitsPastPin === 0) {
    return check("branch-tip", "pass", `${branch} ends at the pin`);
  }
  const count = commitsPastPin === null ? "some commits" : plural(commitsPastPin, "commit");
  return check(
    "branch-tip",
    "warn",
    `${branch} has moved ${count} past the pin (tip ${shortSha(branchTip)}); the pin is what CI runs, re-pin if the tip is the fixture you want`,
  );
}

export function checkBaseExists(facts: RefFacts): CheckResult {
  const { repo, base, resolution, mergeBase } = facts;
  if (base === null) return check("base-exists", "skip", "no base: a good canary is not compared");
  if (base.sha === null && base.tagCommit) {
    return failed(
      check(
        "base-exists",
        "fail",
        `base ${base.ref} is a tag, not a branch: write base: ${base.tagCommit} (the commit it tags) to compare against it, or name the branch the fixture was cut from`,
      ),
      { kind: "base-is-tag", ref: base.tagCommit },
    );
  }
  if (base.sha === null)
    return failed(check("base-exists", "fail", `base ${base.ref} does not exist in ${repo}`), {
      kind: "no-base",
    });
  if (resolution.kind !== "commit") {
    return check("base-exists", "pass", `base ${base.ref} is ${shortSha(base.sha)}`);
  }
  if (mergeBase === null) {
    return failed(
      check(
        "base-exists",
        "fail",
        `base ${base.ref} (${shortSha(base.sha)}) shares no history with the pin: the fixture was not cut from it`,
      ),
      { kind: "unrelated-base" },
    );
  }
  return check(
    "base-exists",
    "pass",
    `base ${base.ref} is ${shortSha(base.sha)}; the fixture was cut from it at ${shortSha(mergeBase)}`,
  );
}

export function checkMaxCommits(facts: RefFacts): CheckResult {
  const { base, maxCommits, commitsSinceMergeBase } = facts;
  if (base === null || maxCommits === null)
    return check("max-commits", "skip", "no max_commits set");
  if (commitsSinceMergeBase === null)
    return check("max-commits", "skip", "not checked: no merge-base");
  if (commitsSinceMergeBase > maxCommits) {
    return failed(
      check(
        "max-commits",
        "fail",
        `${plural(commitsSinceMergeBase, "commit")} between the merge-base and the pin; at most ${maxCommits} allowed`,
      ),
      { kind: "too-many-commits", count: commitsSinceMergeBase, limit: maxCommits },
    );
  }
  return check(
    "max-commits",
    "pass",
    `${plural(commitsSinceMergeBase, "commit")} since the merge-base (at most ${maxCommits})`,
  );
}

function failed(result: CheckResult, cause: CheckCause): CheckResult {
  return { ...result, causes: [cause] };
}
