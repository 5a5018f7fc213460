/**
 * The one place that combines the layers for a verification: ask the mirror (workspace/) the git
 * questions, hand the answers to the checks (engine/), and shape the result for the renderers.
 */
import { availableParallelism } from "node:os";
import type { Fixture } from "../config/manifest.ts";
import { isObjectId } from "../config/names.ts";
import { toVerdict } from "../engine/check-result.ts";
import { evaluateFixture } from "../engine/evaluate.ts";
import type { Limits } from "../engine/inspect-files.ts";
import type { RefFacts } from "../engine/ref-checks.ts";
import { BotError, errorMessage } from "../shared/errors.ts";
import type { FileChange } from "../shared/git-facts.ts";
import type { Logger } from "../shared/logger.ts";
import type { FixtureResult } from "../shared/result.ts";
import type { Mirror, Workspace } from "../workspace/workspace.ts";

export type VerifyDeps = {
  workspace: Workspace;
  limits: Limits;
  log: Logger;
  /** The job's deadline: fetches end when it passes. */
  signal?: AbortSignal;
  /** How many repositories are fetched at once. */
  concurrency?: number;
  /** Told of every finished verification and how long it took (metrics). */
  onVerified?: (result: FixtureResult, ms: number | null) => void;
};

/** Fixtures of one repository verified at once: git work is mostly waiting, bounded by cores. */
const FIXTURES_AT_ONCE = Math.max(2, availableParallelism());

/** Verify fixtures, fetching each repository once however many fixtures share it. */
export async function verifyFixtures(
  fixtures: readonly Fixture[],
  deps: VerifyDeps,
): Promise<FixtureResult[]> {
  const byRepo = new Map<string, Fixture[]>();
  for (const f of fixtures) byRepo.set(f.repo, [...(byRepo.get(f.repo) ?? []), f]);
  const results = new Map<Fixture, FixtureResult>();
  await mapLimit([...byRepo], deps.concurrency ?? 4, async ([repo, group]) => {
    let mirror: Mirror;
    try {
      mirror = await deps.workspace.sync(repo, deps.signal ? { signal: deps.signal } : {});
    } catch (error) {
      deps.log.warn({ repo, err: errorMessage(error) }, "fetch failed");
      for (const f of group) {
        const result = errorResult(f, `could not fetch ${repo}: ${errorMessage(error)}`);
        deps.onVerified?.(result, null);
        results.set(f, result);
      }
      return;
    }
    // A repository's fixtures ask their questions at once (the mirror's long-lived git serves
    // them all); its git ends when they are done.
    try {
      await mapLimit(group, FIXTURES_AT_ONCE, async (f) => {
        results.set(f, await verifyFixture(f, mirror, deps));
      });
    } finally {
      mirror.close();
    }
  });
  return fixtures.map((f) => results.get(f) as FixtureResult);
}

/** Verify one fixture against an already-synced mirror. Never throws for a git failure. */
export async function verifyFixture(
  fixture: Fixture,
  mirror: Mirror,
  deps: Pick<VerifyDeps, "limits" | "log" | "onVerified">,
): Promise<FixtureResult> {
  const started = Date.now();
  const result = await verifyOnce(fixture, mirror, deps);
  deps.onVerified?.(result, Date.now() - started);
  return result;
}

async function verifyOnce(
  fixture: Fixture,
  mirror: Mirror,
  deps: Pick<VerifyDeps, "limits" | "log">,
): Promise<FixtureResult> {
  try {
    const { facts, changes } = await gatherFacts(fixture, mirror);
    const evaluation = await evaluateFixture({
      fixture,
      facts,
      changes,
      reader: {
        listDir: (commit, dir) => mirror.listDir(commit, dir),
        sizes: (oids) => mirror.sizes(oids),
        readBlobs: (oids) => mirror.readBlobs(oids),
      },
      limits: deps.limits,
    });
    return {
      ...identity(fixture),
      resolvedSha: facts.resolution.kind === "commit" ? facts.resolution.sha : null,
      mergeBase: facts.mergeBase,
      verdict: toVerdict(evaluation.checks),
      checks: evaluation.checks,
      files: evaluation.files,
      error: null,
    };
  } catch (error) {
    if (error instanceof BotError) {
      deps.log.warn(
        { fixture: fixture.name, err: errorMessage(error) },
        "verification could not finish",
      );
      return errorResult(fixture, errorMessage(error));
    }
    // A bug, not a verdict: say so, keep the stack in the log, and let the other fixtures run.
    const stack = error instanceof Error ? error.stack : undefined;
    deps.log.error({ fixture: fixture.name, err: errorMessage(error), stack }, "internal error");
    return errorResult(fixture, `internal error in fixture-bot: ${errorMessage(error)}`);
  }
}

async function gatherFacts(
  fixture: Fixture,
  mirror: Mirror,
): Promise<{ facts: RefFacts; changes: FileChange[] | null }> {
  const [resolution, branchTip, baseSha] = await Promise.all([
    mirror.resolveCommit(fixture.sha),
    mirror.branchTip(fixture.branch),
    fixture.base === null ? Promise.resolve(null) : mirror.resolveBase(fixture.base),
  ]);
  // A base that names no branch may name a tag: say so rather than "does not exist".
  const baseTag =
    fixture.base !== null && baseSha === null && !isObjectId(fixture.base.toLowerCase())
      ? await mirror.tagCommit(fixture.base)
      : null;
  const pin = resolution.kind === "commit" ? resolution.sha : null;
  // One rev-list says both whether the pin is on its branch and how far the tip is past it.
  const distance = pin && branchTip ? await mirror.distance(pin, branchTip) : null;
  const onBranch = distance === null ? null : distance.onlyFrom === 0;
  const containedIn =
    pin && onBranch === false
      ? (await mirror.branchesContaining(pin)).filter((b) => b !== fixture.branch)
      : [];
  const commitsPastPin = distance !== null && onBranch ? distance.onlyTo : null;
  const mergeBase = pin && baseSha ? await mirror.mergeBase(baseSha, pin) : null;
  const commitsSinceMergeBase = pin && mergeBase ? await mirror.countCommits(mergeBase, pin) : null;
  const changes =
    pin && mergeBase && fixture.base !== null ? await mirror.diff(mergeBase, pin) : null;
  return {
    facts: {
      repo: fixture.repo,
      pinned: fixture.sha,
      branch: fixture.branch,
      resolution,
      branchTip,
      onBranch,
      containedIn,
      commitsPastPin,
      base: fixture.base === null ? null : { ref: fixture.base, sha: baseSha, tagCommit: baseTag },
      mergeBase,
      commitsSinceMergeBase,
      maxCommits: fixture.maxCommits,
    },
    changes,
  };
}

function identity(f: Fixture) {
  return {
    name: f.name,
    repo: f.repo,
    branch: f.branch,
    sha: f.sha,
    base: f.base,
    expect: f.expect,
    tier: f.tier,
  };
}

export function errorResult(fixture: Fixture, message: string): FixtureResult {
  return {
    ...identity(fixture),
    resolvedSha: null,
    mergeBase: null,
    verdict: "error",
    checks: [],
    files: [],
    error: message,
  };
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
