/**
 * What the recipe CI observed for one canary, tier by tier, read from either of the two places it
 * publishes it: one commit status per tier on the pinned commit (context `recipe-ci/{tier}`), or
 * one results document per canary (`{"results": {"install": "pass", ...}}`). Pure.
 */
import { z } from "zod";
import { TIERS, type Tier } from "../shared/fixture.ts";

/** One tier as observed: it passed, failed, is still running, or did not run (or was skipped). */
export type TierState = "pass" | "fail" | "running" | "not-run";

export type Observed = Record<Tier, TierState>;

export const NOTHING_OBSERVED: Observed = Object.freeze(
  Object.fromEntries(TIERS.map((t) => [t, "not-run"])) as Observed,
);

/** A commit status as Gitea lists it (the fields read here). */
export type StatusLike = {
  id: number;
  status: string;
  context: string;
  created_at: string;
};

/**
 * Gitea's states (CONTRACT 4.3: `state` is not validated, so anything else may come): success
 * and warning are a pass, failure and error a fail, pending is running; skipped, and a state
 * Gitea does not define, is not a run.
 */
export function tierStateOf(state: string): TierState {
  switch (state) {
    case "success":
    case "warning":
      return "pass";
    case "failure":
    case "error":
      return "fail";
    case "pending":
      return "running";
    default:
      return "not-run";
  }
}

/** The tier a status context names under `pattern` ("recipe-ci/{tier}"), or null. */
export function tierOfContext(context: string, pattern: string): Tier | null {
  const at = pattern.indexOf("{tier}");
  if (at === -1) return null;
  const before = pattern.slice(0, at);
  const after = pattern.slice(at + "{tier}".length);
  if (!context.startsWith(before) || !context.endsWith(after)) return null;
  if (context.length < before.length + after.length) return null;
  const tier = context.slice(before.length, context.length - after.length);
  return (TIERS as readonly string[]).includes(tier) ? (tier as Tier) : null;
}

/** The latest status of each tier's context (latest by time, then by id, as Gitea shows it). */
export function observedFromStatuses(statuses: readonly StatusLike[], pattern: string): Observed {
  const latest = new Map<Tier, StatusLike>();
  for (const s of statuses) {
    const tier = tierOfContext(s.context, pattern);
    if (tier === null) continue;
    const seen = latest.get(tier);
    if (seen === undefined || newer(s, seen)) latest.set(tier, s);
  }
  const observed = { ...NOTHING_OBSERVED };
  for (const [tier, s] of latest) observed[tier] = tierStateOf(s.status);
  return observed;
}

function newer(a: StatusLike, b: StatusLike): boolean {
  const ta = Date.parse(a.created_at);
  const tb = Date.parse(b.created_at);
  if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return ta > tb;
  return a.id > b.id;
}

const ResultValue = z.enum(["pass", "fail", "skip", "na"], {
  error: 'must be "pass", "fail", "skip" or "na"',
});

/** The recipe CI's results document for one canary; `flags` and any other key are not read. */
export const ResultsDocument = z.looseObject(
  {
    results: z.partialRecord(z.enum(TIERS), ResultValue, {
      error: `must map tiers (${TIERS.join(", ")}) to "pass", "fail", "skip" or "na"`,
    }),
  },
  { error: 'must be an object: {"results": {"install": "pass", ...}}' },
);
export type ResultsDocument = z.infer<typeof ResultsDocument>;

/** A results document as observations: skip and na (and a tier it leaves out) did not run. */
export function observedFromResults(doc: ResultsDocument): Observed {
  const observed = { ...NOTHING_OBSERVED };
  for (const tier of TIERS) {
    const value = doc.results[tier];
    observed[tier] = value === "pass" ? "pass" : value === "fail" ? "fail" : "not-run";
  }
  return observed;
}

/** Parse a results document's text; a string saying what is wrong when it is not one. */
export function parseResultsDocument(text: string): Observed | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "is not JSON";
  }
  const parsed = ResultsDocument.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")} ` : "";
    return `is not a results document: ${where}${issue?.message ?? "invalid"}`;
  }
  return observedFromResults(parsed.data);
}

/**
 * Both sources together: for each tier, what the statuses say, unless they say nothing (not
 * run), then what the results document says. The statuses are the live record; the document is
 * what a CI run wrote when it ended.
 */
export function mergeObserved(statuses: Observed | null, results: Observed | null): Observed {
  const merged = { ...NOTHING_OBSERVED };
  for (const tier of TIERS) {
    const live = statuses?.[tier] ?? "not-run";
    merged[tier] = live !== "not-run" ? live : (results?.[tier] ?? "not-run");
  }
  return merged;
}

/** A `ci.results` template with a canary's facts filled in (each URL-encoded in a URL). */
export function fillResultsTemplate(
  template: string,
  facts: { owner: string; repo: string; sha: string; name: string },
): string {
  const url = /^https?:\/\//i.test(template);
  return template.replace(/\{(owner|repo|sha|name)\}/g, (_m, key: keyof typeof facts) =>
    url ? encodeURIComponent(facts[key]) : facts[key],
  );
}
