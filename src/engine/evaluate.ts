/**
 * The engine's one entry point: given what git says about a fixture (its refs and, when it has a
 * base, its change set), return every check in the documented order and the files to report.
 */
import type { Fixture } from "../shared/fixture.ts";
import type { FileChange } from "../shared/git-facts.ts";
import type { CheckResult, FileReport } from "../shared/result.ts";
import { runChecks } from "./checks.ts";
import { type FileAnalysis, inspectFiles, type Limits, type TreeReader } from "./inspect-files.ts";
import type { RefFacts } from "./ref-checks.ts";
import { compileRules } from "./rules.ts";

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
    return {
      checks: runChecks(facts, { skip: "no base: a good canary is not compared" }),
      files: [],
    };
  }
  if (changes === null || facts.resolution.kind !== "commit" || facts.mergeBase === null) {
    const skip = "not checked: the pin or its merge-base with the base is unknown";
    return { checks: runChecks(facts, { skip }), files: [] };
  }
  const rules = compileRules(fixture.change);
  const ends = { base: facts.mergeBase, pin: facts.resolution.sha };
  const inspection = await inspectFiles(changes, rules, ends, input.reader, input.limits);
  const context = {
    baseRef: fixture.base,
    resolvedSha: facts.resolution.sha,
    mergeBase: facts.mergeBase,
    rules,
    maxBlobBytes: input.limits.maxBlobBytes,
  };
  return {
    checks: runChecks(facts, { inspection, context }),
    files: inspection.files.map(toFileReport),
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
