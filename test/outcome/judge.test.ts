/**
 * Did the canary go red where it should: expected + observed in, outcome and words out. The
 * expected outcomes are written from what the canary is for (docs/outcomes.md, "Did the canary go red where
 * it should?"), not from the code: a bad canary for a tier is red at that tier with every earlier
 * tier passing; a good canary is green at every tier it ran.
 */
import { describe, expect, it } from "vitest";
import {
  BAD_OUTCOMES,
  type Expected,
  expectedOf,
  type JudgeInput,
  judgeOutcome,
  OUTCOMES,
} from "../../src/outcome/judge.ts";
import { NOTHING_OBSERVED, type Observed, type TierState } from "../../src/outcome/observed.ts";
import type { Tier } from "../../src/shared/fixture.ts";

const SHA = "2e331e46e66b7adb822fe7b79aae37ed2459b251";
const marks: Record<string, TierState> = {
  "✓": "pass",
  "✗": "fail",
  "…": "running",
  "-": "not-run",
};
/** "✓✗---": install pass, upgrade fail, the rest not run (install upgrade backup restore custom). */
function obs(five: string): Observed {
  const tiers: Tier[] = ["install", "upgrade", "backup", "restore", "custom"];
  const chars = [...five];
  expect(chars).toHaveLength(5);
  return Object.fromEntries(tiers.map((t, i) => [t, marks[chars[i] as string]])) as Observed;
}
const bad = (tier: Tier | null): Expected => ({ tier, green: false });
const GOOD: Expected = { tier: null, green: true };

type Row = {
  name: string;
  expected: Expected;
  observed: string;
  verdict?: JudgeInput["verdict"];
  outcome: (typeof OUTCOMES)[number];
  message: string;
  advice: string | null;
  gap?: string | null;
};

const WRONG_TIER_BACKUP =
  "fix the fixture so that it changes only what the backup tier reads: `fixture-bot verify c` shows what else it changes";
const AGAIN = "run `fixture-bot outcome` again once the CI has finished";

const ROWS: Row[] = [
  // A bad canary for backup.
  {
    name: "the incident: upgrade failed, backup never ran",
    expected: bad("backup"),
    observed: "✓✗---",
    outcome: "wrong-tier",
    message: "red at upgrade, expected at backup: backup never ran",
    advice: WRONG_TIER_BACKUP,
  },
  {
    name: "install failed: wrong tier",
    expected: bad("backup"),
    observed: "✗----",
    outcome: "wrong-tier",
    message: "red at install, expected at backup: backup never ran",
    advice: WRONG_TIER_BACKUP,
  },
  {
    name: "two earlier tiers failed (a CI that goes on after a failure)",
    expected: bad("backup"),
    observed: "✗✗✗--",
    outcome: "wrong-tier",
    message: "red at install and upgrade, expected at backup: backup failed too",
    advice: WRONG_TIER_BACKUP,
  },
  {
    name: "upgrade failed and backup passed",
    expected: bad("backup"),
    observed: "✓✗✓--",
    outcome: "wrong-tier",
    message: "red at upgrade, expected at backup: backup passed",
    advice: WRONG_TIER_BACKUP,
  },
  {
    name: "upgrade failed while backup still runs: wrong already",
    expected: bad("backup"),
    observed: "✓✗…--",
    outcome: "wrong-tier",
    message: "red at upgrade, expected at backup: backup is still running",
    advice: WRONG_TIER_BACKUP,
  },
  {
    name: "red at backup, install and upgrade passed",
    expected: bad("backup"),
    observed: "✓✓✗--",
    outcome: "as-expected",
    message: "red at backup, and install and upgrade passed",
    advice: null,
  },
  {
    name: "red at backup; restore and custom ran anyway",
    expected: bad("backup"),
    observed: "✓✓✗✓✗",
    outcome: "as-expected",
    message: "red at backup, and install and upgrade passed",
    advice: null,
  },
  {
    name: "backup passed, restore failed: red later than meant",
    expected: bad("backup"),
    observed: "✓✓✓✗-",
    outcome: "wrong-tier",
    message: "red at restore, expected at backup: backup passed",
    advice:
      "the change does not break backup but restore: make it a change the backup tier reads (`fixture-bot tiers`)",
  },
  {
    name: "every tier passed",
    expected: bad("backup"),
    observed: "✓✓✓✓✓",
    outcome: "not-red",
    message: "backup passed: the canary did not go red",
    advice:
      "the change does not break backup: make it a change the backup tier reads (`fixture-bot tiers` lists them), then pin it again",
  },
  {
    name: "backup passed, later tiers still running",
    expected: bad("backup"),
    observed: "✓✓✓…-",
    outcome: "not-red",
    message:
      "backup passed: the canary did not go red (restore is still running, custom has not run)",
    advice:
      "the change does not break backup: make it a change the backup tier reads (`fixture-bot tiers` lists them), then pin it again",
  },
  {
    name: "upgrade still running",
    expected: bad("backup"),
    observed: "✓…---",
    outcome: "incomplete",
    message: "waiting for the CI: upgrade is still running, backup has not run",
    advice: AGAIN,
  },
  {
    name: "backup running",
    expected: bad("backup"),
    observed: "✓✓…--",
    outcome: "incomplete",
    message: "waiting for the CI: backup is still running",
    advice: AGAIN,
  },
  {
    name: "install skipped but upgrade passed (a tier the CI left out)",
    expected: bad("backup"),
    observed: "-✓✗--",
    outcome: "incomplete",
    message: "waiting for the CI: install has not run",
    advice: AGAIN,
  },
  {
    name: "nothing ran",
    expected: bad("backup"),
    observed: "-----",
    outcome: "no-results",
    message: "no CI results for 2e331e46e66b",
    advice:
      "check that the recipe CI ran on this commit, and where the manifest's ci: block says its results are",
  },
  // The first and the last tier.
  {
    name: "a canary for install, red at install",
    expected: bad("install"),
    observed: "✗----",
    outcome: "as-expected",
    message: "red at install, the first tier",
    advice: null,
  },
  {
    name: "a canary for custom, red at custom",
    expected: bad("custom"),
    observed: "✓✓✓✓✗",
    outcome: "as-expected",
    message: "red at custom, and install, upgrade, backup and restore passed",
    advice: null,
  },
  {
    name: "a canary for custom, red at restore",
    expected: bad("custom"),
    observed: "✓✓✓✗-",
    outcome: "wrong-tier",
    message: "red at restore, expected at custom: custom never ran",
    advice:
      "fix the fixture so that it changes only what the custom tier reads: `fixture-bot verify c` shows what else it changes",
  },
  // A bad canary with no tier.
  {
    name: "no tier, red somewhere",
    expected: bad(null),
    observed: "✓✗---",
    outcome: "as-expected",
    message: "red at upgrade; no tier: is set, so whether that is the intended tier is not checked",
    advice: "set tier: in the manifest to check that c goes red at the tier it is for",
  },
  {
    name: "no tier, all passed",
    expected: bad(null),
    observed: "✓✓✓✓✓",
    outcome: "not-red",
    message: "no tier went red (install, upgrade, backup, restore and custom passed)",
    advice:
      "the canary's change breaks nothing the CI tests: make it a change a tier reads (`fixture-bot tiers`), and set tier:",
  },
  {
    name: "no tier, one still running",
    expected: bad(null),
    observed: "✓…---",
    outcome: "incomplete",
    message: "waiting for the CI: upgrade is still running",
    advice: AGAIN,
  },
  // A good canary.
  {
    name: "good and green everywhere",
    expected: GOOD,
    observed: "✓✓✓✓✓",
    outcome: "as-expected",
    message: "green at install, upgrade, backup, restore and custom",
    advice: null,
  },
  {
    name: "good, green where it ran",
    expected: GOOD,
    observed: "✓✓✓--",
    outcome: "as-expected",
    message: "green at install, upgrade and backup (restore and custom did not run)",
    advice: null,
  },
  {
    name: "good, red at backup",
    expected: GOOD,
    observed: "✓✓✗--",
    outcome: "red",
    message: "red at backup: a good canary must be green",
    advice: "the recipe or the CI is broken, not the fixture: read the CI's backup log",
  },
  {
    name: "good, running",
    expected: GOOD,
    observed: "✓…---",
    outcome: "incomplete",
    message: "waiting for the CI: upgrade is still running",
    advice: AGAIN,
  },
  {
    name: "good, nothing ran",
    expected: GOOD,
    observed: "-----",
    outcome: "no-results",
    message: "no CI results for 2e331e46e66b",
    advice:
      "check that the recipe CI ran on this commit, and where the manifest's ci: block says its results are",
  },
  // The prediction beside the observation.
  {
    name: "fixture-bot passed it, and it went red at the wrong tier: a gap",
    expected: bad("backup"),
    observed: "✓✗---",
    verdict: "pass",
    outcome: "wrong-tier",
    message: "red at upgrade, expected at backup: backup never ran",
    advice: WRONG_TIER_BACKUP,
    gap: "fixture-bot passed this fixture, but it went red at upgrade: that is a gap in fixture-bot's checks; please report it with the fixture's diff (`fixture-bot verify c --verbose`)",
  },
  {
    name: "fixture-bot passed it, and it did not go red: a gap",
    expected: bad("backup"),
    observed: "✓✓✓✓✓",
    verdict: "pass",
    outcome: "not-red",
    message: "backup passed: the canary did not go red",
    advice:
      "the change does not break backup: make it a change the backup tier reads (`fixture-bot tiers` lists them), then pin it again",
    gap: "fixture-bot passed this fixture, but it did not go red at backup: that is a gap in fixture-bot's checks; please report it with the fixture's diff (`fixture-bot verify c --verbose`)",
  },
  {
    name: "fixture-bot failed it, and CI agrees it is at the wrong tier: no gap",
    expected: bad("backup"),
    observed: "✓✗---",
    verdict: "fail",
    outcome: "wrong-tier",
    message: "red at upgrade, expected at backup: backup never ran",
    advice: WRONG_TIER_BACKUP,
    gap: null,
  },
  {
    name: "fixture-bot passed it, and it is as expected: no gap",
    expected: bad("backup"),
    observed: "✓✓✗--",
    verdict: "pass",
    outcome: "as-expected",
    message: "red at backup, and install and upgrade passed",
    advice: null,
    gap: null,
  },
];

describe("judgeOutcome", () => {
  it.each(ROWS)("$name", (row) => {
    expect(
      judgeOutcome({
        name: "c",
        sha: SHA,
        expected: row.expected,
        observed: obs(row.observed),
        verdict: row.verdict ?? null,
      }),
    ).toEqual({
      outcome: row.outcome,
      message: row.message,
      advice: row.advice,
      gap: row.gap ?? null,
    });
  });

  it("the table covers every outcome, and the bad ones are exactly these", () => {
    expect(new Set(ROWS.map((r) => r.outcome))).toEqual(new Set(OUTCOMES));
    expect(BAD_OUTCOMES).toEqual(new Set(["wrong-tier", "not-red", "red"]));
  });

  it("a canary is bad with a base, good without; the tier comes with the base only", () => {
    expect([
      expectedOf({ base: "main", tier: "backup" }),
      expectedOf({ base: "main", tier: null }),
      expectedOf({ base: null, tier: null }),
    ]).toEqual([
      { tier: "backup", green: false },
      { tier: null, green: false },
      { tier: null, green: true },
    ]);
    expect(NOTHING_OBSERVED).toEqual(obs("-----"));
  });
});
