/**
 * The fixture's `change:` rules, compiled once: path globs and line patterns both run on RE2JS,
 * and key paths are parsed into tokens. Globs and patterns can come from a pull request, so they
 * run on a linear-time engine: no glob or pattern can make matching take longer than proportional
 * to the input.
 */
import type { RE2JS } from "re2js";
import type { ChangeRule } from "../shared/fixture.ts";
import { compileGlob } from "../shared/glob.ts";
import { type KeyToken, parseKeyPattern } from "../shared/key-path.ts";
import { compileRe2 } from "../shared/re2-cache.ts";

export type CompiledRule = {
  rule: ChangeRule;
  index: number;
  matchesPath: (path: string) => boolean;
  patterns: RE2JS[];
  keyPatterns: KeyToken[][];
};

/**
 * `configSources`: the files the pin's configs and secrets read; `composeFiles`: the compose files
 * the recipe's deployments merge; for rules that name them rather than a glob (the presets').
 */
export function compileRules(
  rules: readonly ChangeRule[],
  context: { configSources?: ReadonlySet<string>; composeFiles?: ReadonlySet<string> } = {},
): CompiledRule[] {
  return rules.map((rule, index) => ({
    rule,
    index,
    matchesPath:
      rule.sources === "config-sources"
        ? (path: string) => context.configSources?.has(path) ?? false
        : rule.sources === "compose-files"
          ? (path: string) => context.composeFiles?.has(path) ?? false
          : compileGlob(rule.path),
    patterns: rule.lines.map((p) => compileRe2(p)),
    keyPatterns: rule.keys.map((k) => {
      const tokens = parseKeyPattern(k);
      // The manifest schema refuses a bad key path before a rule is ever compiled.
      if (typeof tokens === "string") throw new Error(`key path ${JSON.stringify(k)} ${tokens}`);
      return tokens;
    }),
  }));
}

/** The first rule whose glob matches `path`, as in a .gitignore read top to bottom. */
export function ruleFor(rules: readonly CompiledRule[], path: string): CompiledRule | null {
  return rules.find((r) => r.matchesPath(path)) ?? null;
}

/** Lines longer than this are not matched against patterns (and fail the lines rule). */
export const MAX_MATCHED_LINE = 10_000;

/** Whether a changed line matches one of the rule's patterns; its line ending is not part of it. */
export function lineMatches(rule: CompiledRule, line: string): boolean {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (text.length > MAX_MATCHED_LINE) return false;
  return rule.patterns.some((p) => p.matcher(text).find());
}
