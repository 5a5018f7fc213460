/**
 * The fixture's `change:` rules, compiled once: path globs and line patterns both run on RE2JS.
 * Both can come from a pull request, so they run on a linear-time engine: no glob or pattern can
 * make matching take longer than proportional to the input.
 */
import { RE2JS } from "re2js";
import type { ChangeRule } from "../config/manifest.ts";
import { compileGlob } from "../shared/glob.ts";

export type CompiledRule = {
  rule: ChangeRule;
  index: number;
  matchesPath: (path: string) => boolean;
  patterns: RE2JS[];
};

export function compileRules(rules: readonly ChangeRule[]): CompiledRule[] {
  return rules.map((rule, index) => ({
    rule,
    index,
    matchesPath: compileGlob(rule.path),
    patterns: rule.lines.map((p) => RE2JS.compile(p)),
  }));
}

/** The first rule whose glob matches `path`, as in a .gitignore read top to bottom. */
export function ruleFor(rules: readonly CompiledRule[], path: string): CompiledRule | null {
  return rules.find((r) => r.matchesPath(path)) ?? null;
}

/** Lines longer than this are not matched against patterns (and fail the lines rule). */
export const MAX_MATCHED_LINE = 10_000;

export function lineMatches(rule: CompiledRule, line: string): boolean {
  if (line.length > MAX_MATCHED_LINE) return false;
  return rule.patterns.some((p) => p.matcher(line).find());
}
