/**
 * The one place that combines the layers for a verification: ask the mirror (workspace/) the git
 * questions, hand the answers to the checks (engine/), and shape the result for the renderers.
 */
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
import { type Mirror, syncOptionsFor, type Workspace } from "../workspace/workspace.ts";

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
  /** Extra refspecs to fetch per repository (a pull request's head). */
  refspecs?: Readonly<Record<string, readonly string[]>>;
};

/**
 * Fixtures of one repository verified at once. They share the mirror's few git processes (one
 * cat-file, one commit graph, diffs batched into one diff-tree), so running them together costs
 * no more processes and lets their diffs go in one batch; the bound only caps memory.
 */
const FIXTURES_AT_ONCE = 64;

/** Verify fixtures, fetching each repository once however many fixtures share it. */
export async function verifyFixtures(
  fixtures: readonly Fixture[],
  deps: VerifyDeps,
): Promise<FixtureResult[]> {
  const byRepo = new Map<string, Fixture[]>();
  for (const f of fixtures) byRepo.set(f.repo, [...(byRepo.get(f.repo) ?? []), f]);
  const results = new Map<Fixture, FixtureResult>();
  const optionsFor = syncOptionsFor(fixtures.map((f) => f.repo));
  await mapLimit([...byRepo], deps.concurrency ?? 4, async ([repo, group]) => {
    let mirror: Mirror;
    try {
      const refspecs = deps.refspecs?.[repo];
      mirror = await deps.workspace.sync(repo, {
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(refspecs ? { refspecs } : {}),
        ...optionsFor(repo),
      });
    } catch (error) {
      deps.log.warn({ repo, err: errorMessage(error) }, "fetch failed");
      for (const f of group) {
        const result = errorResult(f, `could not fetch ${repo}: ${errorMessage(error)}`);
        deps.onVerified?.(result, null);
        results.set(f, result);
      }
      return;
    }
    // A repository's fixtures are verified together (the mirror's long-lived git serves them
    // all, their diffs come from one diff-tree); its git ends when they are done.
    try {
      for (let i = 0; i < group.length; i += FIXTURES_AT_ONCE) {
        const slice = group.slice(i, i + FIXTURES_AT_ONCE);
        const verified = await verifyOnMirror(slice, mirror, deps);
        for (const [n, f] of slice.entries()) results.set(f, verified[n] as FixtureResult);
      }
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
  return (await verifyOnMirror([fixture], mirror, deps))[0] as FixtureResult;
}

type Gathered = { facts: RefFacts; diffFrom: string | null };

/**
 * Verify fixtures of one mirror in three steps: every fixture's ref facts at once (answered by
 * the mirror's shared commit graph, batch and ref list), then all their diffs from one git
 * process, then each fixture's checks. A fixture whose git questions fail is an `error`; the
 * others go on.
 */
export async function verifyOnMirror(
  group: readonly Fixture[],
  mirror: Mirror,
  deps: Pick<VerifyDeps, "limits" | "log" | "onVerified">,
): Promise<FixtureResult[]> {
  const started = Date.now();
  const gathered = await Promise.all(
    group.map((f) => gatherFacts(f, mirror).catch((error: unknown) => ({ error }))),
  );
  // The diffs wanted, and which of them is each fixture's (-1: none).
  const pairs: { from: string; to: string }[] = [];
  const diffOf = gathered.map((g) =>
    "facts" in g && g.diffFrom !== null && g.facts.resolution.kind === "commit"
      ? pairs.push({ from: g.diffFrom, to: g.facts.resolution.sha }) - 1
      : -1,
  );
  const diffs = pairs.length > 0 ? mirror.diffs(pairs) : Promise.resolve([]);
  diffs.catch(() => undefined); // each fixture that needs it sees the failure below
  return Promise.all(
    group.map(async (fixture, i) => {
      const g = gathered[i] as Gathered | { error: unknown };
      const n = diffOf[i] as number;
      const result = await settle(fixture, deps, async () => {
        if ("error" in g) throw g.error;
        const changes = n === -1 ? null : ((await diffs)[n] as FileChange[]);
        return evaluate(fixture, g.facts, changes, mirror, deps);
      });
      deps.onVerified?.(result, Date.now() - started);
      return result;
    }),
  );
}

async function evaluate(
  fixture: Fixture,
  facts: RefFacts,
  changes: FileChange[] | null,
  mirror: Mirror,
  deps: Pick<VerifyDeps, "limits">,
): Promise<FixtureResult> {
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
    ...(evaluation.deployment ? { deployment: evaluation.deployment } : {}),
    error: null,
  };
}

/** A git failure is the fixture's `error`; anything else is a bug, said as one and logged. */
async function settle(
  fixture: Fixture,
  deps: Pick<VerifyDeps, "log">,
  work: () => Promise<FixtureResult>,
): Promise<FixtureResult> {
  try {
    return await work();
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

/** What git says about a fixture's refs, and where its diff starts (null: no diff to take). */
async function gatherFacts(fixture: Fixture, mirror: Mirror): Promise<Gathered> {
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
    diffFrom: pin && mergeBase && fixture.base !== null ? mergeBase : null,
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
