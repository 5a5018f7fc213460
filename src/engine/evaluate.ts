/**
 * The engine's one entry point: given what git says about a fixture (its refs and, when it has a
 * base, its change set), return every check in the documented order and the files to report.
 */
import { describeWhere, showValue } from "../recipe/deployment-diff.ts";
import { createYamlCache } from "../recipe/yaml-cache.ts";
import type { Fixture } from "../shared/fixture.ts";
import type { FileChange } from "../shared/git-facts.ts";
import type { CheckResult, DeploymentReport, FileReport } from "../shared/result.ts";
import { runChecks } from "./checks.ts";
import {
  type FileAnalysis,
  inspectFiles,
  type Limits,
  type TreeReader,
  withRules,
} from "./inspect-files.ts";
import { loadRecipes } from "./load-recipe.ts";
import type { RefFacts } from "./ref-checks.ts";
import { compileRules } from "./rules.ts";
import { type Comparison, compareDefaults } from "./tier-checks.ts";
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

export type Evaluation = {
  checks: CheckResult[];
  files: FileReport[];
  /** What the fixture changes in the default deployment; null when it was not compared. */
  deployment: DeploymentReport | null;
};

export async function evaluateFixture(input: EvaluateInput): Promise<Evaluation> {
  const { fixture, facts, changes } = input;
  if (fixture.base === null) {
    const skip = "no base: a good canary is not compared";
    return { checks: runChecks(facts, { skip }), files: [], deployment: null };
  }
  if (changes === null || facts.resolution.kind !== "commit" || facts.mergeBase === null) {
    const skip = "not checked: the pin or its merge-base with the base is unknown";
    return { checks: runChecks(facts, { skip }), files: [], deployment: null };
  }
  const ends = { base: facts.mergeBase, pin: facts.resolution.sha };
  const inspection = await inspectFiles(changes, ends, input.reader, input.limits);
  const yaml = createYamlCache();
  // What abra deploys at both ends: the one reading every recipe check is a view of.
  const recipes = await loadRecipes(
    inspection,
    input.reader,
    input.limits,
    { left: inspection.budget },
    yaml,
  );
  const comparison = compareDefaults(recipes.base, recipes.pin);
  const configSources = new Set<string>();
  const after = recipes.pin.deployments[0]?.stack;
  for (const section of [after?.configs, after?.secrets])
    for (const o of Object.values(section ?? {})) if (o.file !== null) configSources.add(o.file);
  // A fixture with a tier and no change rules of its own gets the tier's preset.
  const rules = compileRules(
    fixture.change.length > 0 || fixture.tier === null
      ? fixture.change
      : TIER_PRESETS[fixture.tier].change,
    {
      configSources,
      composeFiles: new Set([...recipes.base.composeFiles, ...recipes.pin.composeFiles]),
    },
  );
  const files = withRules(inspection.files, rules);
  const context = {
    baseRef: fixture.base,
    resolvedSha: facts.resolution.sha,
    mergeBase: facts.mergeBase,
    rules,
    maxBlobBytes: input.limits.maxBlobBytes,
  };
  const tiers = {
    tier: fixture.tier,
    baseRef: fixture.base,
    files,
    base: recipes.base,
    pin: recipes.pin,
    comparison,
  };
  return {
    checks: runChecks(facts, { files, context, tiers, recipes, yaml }),
    files: files.map(toFileReport),
    deployment: comparison.ok ? toDeploymentReport(comparison) : null,
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

function toDeploymentReport(comparison: Extract<Comparison, { ok: true }>): DeploymentReport {
  return {
    title: comparison.after.title,
    changes: comparison.changes.map((c) => ({
      what: describeWhere(c),
      before: showValue(c.before),
      after: showValue(c.after),
      kind: c.kind,
      readBy: c.row.tier,
      why: c.row.why,
    })),
  };
}
