/** One canary's outcome as the CLI, the dashboard and the JSON show it. */
import { type Expected, judgeOutcome, type Outcome } from "./judge.ts";

export { BAD_OUTCOMES } from "./judge.ts";

import type { Observed } from "./observed.ts";

export type CanaryOutcome = {
  name: string;
  repo: string;
  /** The pin, as the manifest writes it. */
  sha: string;
  expected: Expected;
  observed: Observed;
  outcome: Outcome;
  message: string;
  advice: string | null;
  /** fixture-bot passed a canary the CI shows does not do its job. */
  gap: string | null;
  /** Where the observations were read: "statuses recipe-ci/{tier}", "results/x.json". */
  source: string;
  /** Why the observations could not be read (then the outcome is no-results). */
  error: string | null;
};

/** The same outcome judged again with fixture-bot's own verdict on the pin beside it. */
export function withVerdict(
  outcome: CanaryOutcome,
  verdict: "pass" | "fail" | "error" | null,
): CanaryOutcome {
  if (outcome.error !== null) return outcome;
  return { ...outcome, ...judgeOutcome({ ...outcome, verdict }) };
}
