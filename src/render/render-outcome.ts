/**
 * `fixture-bot outcome`'s output: one block per canary with the tiers the recipe CI observed and
 * the outcome, then what to do; or the same as JSON for tools.
 */
import type { CanaryOutcome } from "../outcome/canary-outcome.ts";
import type { Outcome } from "../outcome/judge.ts";
import { BAD_OUTCOMES } from "../outcome/judge.ts";
import type { TierState } from "../outcome/observed.ts";
import { showName } from "../shared/display.ts";
import { TIERS } from "../shared/fixture.ts";

export const TIER_MARK: Record<TierState, string> = {
  pass: "✓",
  fail: "✗",
  running: "…",
  "not-run": "–",
};

/** `install ✓ upgrade ✗ backup – restore – custom –` */
export function observedLine(observed: CanaryOutcome["observed"]): string {
  return TIERS.map((t) => `${t} ${TIER_MARK[observed[t]]}`).join(" ");
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
const OUTCOME_COLOUR: Record<Outcome, keyof typeof CODES> = {
  "as-expected": "green",
  "wrong-tier": "red",
  "not-red": "red",
  red: "red",
  incomplete: "yellow",
  "no-results": "yellow",
};

export function renderOutcomeText(
  outcomes: readonly CanaryOutcome[],
  options: { color: boolean },
): string {
  const paint = (colour: keyof typeof CODES, text: string) =>
    options.color ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
  const width = Math.max(6, ...outcomes.map((o) => showName(o.name).length));
  const lines: string[] = [`${"CANARY".padEnd(width)}  OBSERVED IN CI${" ".repeat(34)}OUTCOME`];
  for (const o of outcomes) {
    const expected = o.expected.green
      ? "green"
      : o.expected.tier
        ? `red at ${o.expected.tier}`
        : "red (no tier)";
    lines.push(
      `${showName(o.name).padEnd(width)}  ${observedLine(o.observed).padEnd(48)}${paint(OUTCOME_COLOUR[o.outcome], o.outcome)}`,
    );
    lines.push(
      paint("dim", `  ${o.repo} @ ${o.sha.slice(0, 12)}, should be ${expected} (from ${o.source})`),
    );
    lines.push(`  ${o.message}`);
    if (o.gap) lines.push(`  ${paint("yellow", "!")} ${o.gap}`);
    if (o.advice) lines.push(`  ${paint("bold", "what to do:")} ${o.advice}`);
  }
  const counts = new Map<Outcome, number>();
  for (const o of outcomes) counts.set(o.outcome, (counts.get(o.outcome) ?? 0) + 1);
  const bad = outcomes.filter((o) => BAD_OUTCOMES.has(o.outcome)).length;
  lines.push(
    "",
    `${outcomes.length} canar${outcomes.length === 1 ? "y" : "ies"}: ${[...counts]
      .map(([outcome, n]) => `${n} ${outcome}`)
      .join(
        ", ",
      )}${bad > 0 ? paint("red", ` (${bad} not doing ${bad === 1 ? "its" : "their"} job)`) : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

export function renderOutcomeJson(outcomes: readonly CanaryOutcome[]): string {
  return `${JSON.stringify(
    {
      fixtures: outcomes.map((o) => ({
        name: o.name,
        repo: o.repo,
        sha: o.sha,
        expected: o.expected,
        observed: o.observed,
        outcome: o.outcome,
        message: o.message,
        advice: o.advice,
        gap: o.gap,
        source: o.source,
        error: o.error,
      })),
    },
    null,
    2,
  )}\n`;
}
