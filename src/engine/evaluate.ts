/**
 * The engine's one entry point: given what git says about a fixture (its refs and, when it has a
 * base, its change set), return every check in the documented order and the files to report.
 */
import type { Fixture } from "../shared/fixture.ts";
import type { FileChange } from "../shared/git-facts.ts";
import type { CheckResult, FileReport } from "../shared/result.ts";
import { runChecks } from "./checks.ts";
import {
  type FileAnalysis,
  inspectFiles,
  type Limits,
  type Snapshot,
  type TreeReader,
  textAt,
  withRules,
} from "./inspect-files.ts";
import { createRecipeEnv } from "./recipe-env.ts";
import { createYamlCache } from "./recipe-files.ts";
import type { RefFacts } from "./ref-checks.ts";
import { resolveStacks } from "./resolve-stack.ts";
import { compileRules } from "./rules.ts";
import { configSourcePaths } from "./tier-checks.ts";
import { TIER_PRESETS } from "./tiers.ts";

export type EvaluateInput = {
  fixture: Fixture;
  facts: RefFacts;
  /** Files changed from the merge-base to the pin; null when they could not be computed. */
  changes: readonly FileChange[] | null;
  /** Reads directories and file contents at the merge-base and the pin. */
  reader: TreeReader;
  limits: Limits;
};

export type Evaluation = { checks: CheckResult[]; files: FileReport[] };

export async function evaluateFixture(input: EvaluateInput): Promise<Evaluation> {
  const { fixture, facts, changes } = input;
  if (fixture.base === null) {
    const skip = "no base: a good canary is not compared";
    return { checks: runChecks(facts, { skip }), files: [] };
  }
  if (changes === null || facts.resolution.kind !== "commit" || facts.mergeBase === null) {
    const skip = "not checked: the pin or its merge-base with the base is unknown";
    return { checks: runChecks(facts, { skip }), files: [] };
  }
  const ends = { base: facts.mergeBase, pin: facts.resolution.sha };
  const inspection = await inspectFiles(changes, ends, input.reader, input.limits);
  const yaml = createYamlCache();
  const side = (snapshot: Snapshot) => {
    const env = createRecipeEnv(textAt(snapshot, ".env.sample"), textAt(snapshot, "abra.sh"));
    return { env, stacks: resolveStacks(snapshot, yaml, env) };
  };
  const base = side(inspection.base);
  const pin = side(inspection.pin);
  // A fixture with a tier and no change rules of its own gets the tier's preset.
  const rules = compileRules(
    fixture.change.length > 0 || fixture.tier === null
      ? fixture.change
      : TIER_PRESETS[fixture.tier].change,
    { configSources: configSourcePaths(pin.stacks) },
  );
  const files = withRules(inspection.files, rules);
  const context = {
    baseRef: fixture.base,
    resolvedSha: facts.resolution.sha,
    mergeBase: facts.mergeBase,
    rules,
    maxBlobBytes: input.limits.maxBlobBytes,
  };
  const tiers = { tier: fixture.tier, baseRef: fixture.base, files, base, pin };
  return {
    checks: runChecks(facts, { inspection: { ...inspection, files }, context, tiers, yaml }),
    files: files.map(toFileReport),
  };
}

function toFileReport(a: FileAnalysis): FileReport {
  const { change } = a;
  return {
    path: change.path,
    oldPath: change.oldPath,
    status: change.status,
    added: change.added,
    removed: change.removed,
    binary: change.binary,
    hunks: a.hunks,
  };
}
