/**
 * Did the canary go red where it should? What the recipe CI observed, tier by tier, against what
 * the fixture is for: a bad canary (a `base`) with a `tier` must be red at that tier with every
 * earlier tier (install, upgrade, backup, restore, custom, in that order) passing; a good canary
 * (no `base`) must be green at every tier it ran. Pure: facts in, outcome and words out
 * (test/outcome/judge.test.ts pins every message).
 */
import { TIERS, type Tier } from "../shared/fixture.ts";
import type { Observed, TierState } from "./observed.ts";

export const OUTCOMES = [
  "as-expected",
  "wrong-tier",
  "not-red",
  "red",
  "incomplete",
  "no-results",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcomes that mean the canary does not do its job (exit 1, a failing `…/outcomes`). */
export const BAD_OUTCOMES: ReadonlySet<Outcome> = new Set(["wrong-tier", "not-red", "red"]);

/** What the fixture says the CI should observe. `tier` null: no tier is expected. */
export type Expected = { tier: Tier | null; green: boolean };

export function expectedOf(fixture: { base: string | null; tier: Tier | null }): Expected {
  return fixture.base === null ? { tier: null, green: true } : { tier: fixture.tier, green: false };
}

export type Judgement = {
  outcome: Outcome;
  /** What was observed, in one line: "red at upgrade, expected at backup: backup never ran". */
  message: string;
  /** What to do about it; null when nothing is to be done. */
  advice: string | null;
  /** fixture-bot's own checks passed a canary that the CI showed does not do its job. */
  gap: string | null;
};

export type JudgeInput = {
  name: string;
  sha: string;
  expected: Expected;
  observed: Observed;
  /** fixture-bot's own verdict on the pin, when known. */
  verdict: "pass" | "fail" | "error" | null;
};

const list = (tiers: readonly Tier[]) =>
  tiers.length <= 1
    ? (tiers[0] ?? "")
    : `${tiers.slice(0, -1).join(", ")} and ${tiers[tiers.length - 1]}`;

const where = (observed: Observed, state: TierState) => TIERS.filter((t) => observed[t] === state);

/** "upgrade is still running, backup has not run" for the tiers that have not finished. */
function unfinished(observed: Observed, tiers: readonly Tier[]): string {
  return tiers
    .filter((t) => observed[t] === "running" || observed[t] === "not-run")
    .map((t) => `${t} ${observed[t] === "running" ? "is still running" : "has not run"}`)
    .join(", ");
}

const AGAIN = "run `fixture-bot outcome` again once the CI has finished";

export function judgeOutcome(input: JudgeInput): Judgement {
  const { observed, expected, name } = input;
  const judged = judge(input);
  const gap =
    input.verdict === "pass" && (judged.outcome === "wrong-tier" || judged.outcome === "not-red")
      ? `fixture-bot passed this fixture, but ${
          judged.outcome === "wrong-tier"
            ? `it went red at ${list(where(observed, "fail"))}`
            : `it did not go red at ${expected.tier ?? "any tier"}`
        }: that is a gap in fixture-bot's checks; please report it with the fixture's diff (\`fixture-bot verify ${name} --verbose\`)`
      : null;
  return { ...judged, gap };
}

function judge(input: JudgeInput): Omit<Judgement, "gap"> {
  const { observed, expected, name } = input;
  const failed = where(observed, "fail");
  const running = where(observed, "running");
  const ran = TIERS.filter((t) => observed[t] !== "not-run");
  if (ran.length === 0) {
    return {
      outcome: "no-results",
      message: `no CI results for ${input.sha.slice(0, 12)}`,
      advice:
        "check that the recipe CI ran on this commit, and where the manifest's ci: block says its results are",
    };
  }

  if (expected.green) {
    if (failed.length > 0) {
      return {
        outcome: "red",
        message: `red at ${list(failed)}: a good canary must be green`,
        advice: `the recipe or the CI is broken, not the fixture: read the CI's ${failed[0]} log`,
      };
    }
    if (running.length > 0) {
      return {
        outcome: "incomplete",
        message: `waiting for the CI: ${unfinished(observed, running)}`,
        advice: AGAIN,
      };
    }
    const skipped = where(observed, "not-run");
    return {
      outcome: "as-expected",
      message: `green at ${list(where(observed, "pass"))}${skipped.length > 0 ? ` (${list(skipped)} did not run)` : ""}`,
      advice: null,
    };
  }

  const tier = expected.tier;
  if (tier === null) {
    // A bad canary with no tier: only whether some tier is red can be judged.
    if (failed.length > 0) {
      return {
        outcome: "as-expected",
        message: `red at ${list(failed)}; no tier: is set, so whether that is the intended tier is not checked`,
        advice: `set tier: in the manifest to check that ${name} goes red at the tier it is for`,
      };
    }
    if (running.length > 0) {
      return {
        outcome: "incomplete",
        message: `waiting for the CI: ${unfinished(observed, running)}`,
        advice: AGAIN,
      };
    }
    return {
      outcome: "not-red",
      message: `no tier went red (${list(where(observed, "pass"))} passed)`,
      advice:
        "the canary's change breaks nothing the CI tests: make it a change a tier reads (`fixture-bot tiers`), and set tier:",
    };
  }

  const at = TIERS.indexOf(tier);
  const earlier = TIERS.slice(0, at);
  const later = TIERS.slice(at + 1);
  const failedEarlier = earlier.filter((t) => observed[t] === "fail");
  if (failedEarlier.length > 0) {
    const then =
      observed[tier] === "not-run"
        ? "never ran"
        : observed[tier] === "running"
          ? "is still running"
          : observed[tier] === "pass"
            ? "passed"
            : "failed too";
    return {
      outcome: "wrong-tier",
      message: `red at ${list(failedEarlier)}, expected at ${tier}: ${tier} ${then}`,
      advice: `fix the fixture so that it changes only what the ${tier} tier reads: \`fixture-bot verify ${name}\` shows what else it changes`,
    };
  }
  const waiting = [...earlier, tier].filter(
    (t) => observed[t] === "running" || observed[t] === "not-run",
  );
  if (waiting.length > 0) {
    return {
      outcome: "incomplete",
      message: `waiting for the CI: ${unfinished(observed, waiting)}`,
      advice: AGAIN,
    };
  }
  if (observed[tier] === "fail") {
    return {
      outcome: "as-expected",
      message:
        earlier.length > 0
          ? `red at ${tier}, and ${list(earlier)} passed`
          : `red at ${tier}, the first tier`,
      advice: null,
    };
  }
  // The intended tier passed.
  const failedLater = later.filter((t) => observed[t] === "fail");
  if (failedLater.length > 0) {
    return {
      outcome: "wrong-tier",
      message: `red at ${list(failedLater)}, expected at ${tier}: ${tier} passed`,
      advice: `the change does not break ${tier} but ${list(failedLater)}: make it a change the ${tier} tier reads (\`fixture-bot tiers\`)`,
    };
  }
  return {
    outcome: "not-red",
    message: `${tier} passed: the canary did not go red${
      later.some((t) => observed[t] === "running") ? ` (${unfinished(observed, later)})` : ""
    }`,
    advice: `the change does not break ${tier}: make it a change the ${tier} tier reads (\`fixture-bot tiers\` lists them), then pin it again`,
  };
}
