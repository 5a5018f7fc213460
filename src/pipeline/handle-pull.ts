/**
 * A pull request: its head as the candidate pin of every fixture on its head branch (trigger 1),
 * and, in FIXTURES_REPO, the fixtures its manifest adds or changes (trigger 2). This decides what
 * to verify and returns the report; publish.ts posts it.
 */
import type { Fixture } from "../config/manifest.ts";
import { roleOf } from "../config/pull-role.ts";
import type { PullJob } from "../queue/job.ts";
import { codeSpan } from "../render/markdown.ts";
import { errorMessage } from "../shared/errors.ts";
import type { FixtureResult, PinFact, RunReport } from "../shared/result.ts";
import type { Mirror } from "../workspace/workspace.ts";
import type { JobContext, Outcome, StatusTarget } from "./job-context.ts";
import { errorResult } from "./verify-fixture.ts";

/** What a pull job found; a /verify answers the commenter when it names no fixture it has. */
export type PullOutcome = Outcome | { kind: "unknown-names"; names: string[]; known: string[] };

type ManifestChange = { unchanged: boolean; fixtures: Fixture[]; errors: string[] };

/**
 * `trusted`: the manifest at the PR head may be read. Always for a PR from the fixture repository
 * itself; for a fork's PR, only when a writer asked with /verify. `headChecked`: the caller has
 * just read the PR's head from Gitea (a /verify); otherwise the job reads it first, and a job for
 * a head that is no longer the PR's reports nothing (a late or repeated delivery of an older head).
 */
export async function handlePull(
  ctx: JobContext,
  job: PullJob,
  options: { trusted: boolean; headChecked?: boolean } = { trusted: !job.fromFork },
): Promise<PullOutcome> {
  const { deps, publication } = ctx;
  const role = roleOf(
    deps.manifests.current(),
    deps.manifests.repo,
    job.repo,
    job.headRef,
    job.fromFork,
  );
  const candidates = role.fixtures;
  const readManifest = role.manifestRepo && options.trusted;
  if (candidates.length === 0 && !readManifest) {
    return {
      kind: "nothing",
      reason: `no fixture uses branch ${codeSpan(job.headRef)} of ${codeSpan(job.repo)}`,
    };
  }
  const only = job.only;
  const candidateNames = candidates.map((f) => f.name);
  if (only && !readManifest && only.every((n) => !candidateNames.includes(n))) {
    return { kind: "unknown-names", names: only, known: candidateNames };
  }
  const target: StatusTarget = {
    repo: job.repo,
    sha: job.headSha,
    context: deps.config.statusContext,
    pull: { number: job.number, headSha: job.headSha },
  };
  if (!options.headChecked) {
    // Should reading the head fail (Gitea down, the deadline), the job still ends in `error` here.
    publication.aim(target);
    const pr = await ctx.gitea.getPull(job.repo, job.number);
    if (pr.head.sha !== job.headSha) {
      return {
        kind: "nothing",
        reason: `the pull request's head is now ${pr.head.sha.slice(0, 12)}, not ${job.headSha.slice(0, 12)} (a late or repeated delivery of an older head)`,
        decided: false,
      };
    }
  }
  // The status says "pending" before any git work, unless the job may yet find nothing to report
  // (a manifest PR that does not touch the manifest, /verify of names only the manifest knows).
  const early = candidates.length > 0 && !(readManifest && only);
  if (early) await publication.begin(target, `verifying ${candidates.length}…`);
  else publication.aim(target);

  const pullRefspec = `+refs/pull/${job.number}/head:refs/pull/${job.number}/head`;
  let mirror: Mirror;
  try {
    mirror = await deps.workspace.sync(job.repo, {
      refspecs: [pullRefspec],
      signal: ctx.signal,
    });
  } catch (error) {
    // A fetch that failed is an error, never a silent success: each candidate fixture is
    // reported as "could not check" (and the comment says why); with none, the job fails.
    if (candidates.length === 0) throw error;
    const why = `could not fetch ${job.repo}: ${errorMessage(error)}`;
    const results = candidates.map((f) => errorResult({ ...f, sha: job.headSha }, why));
    const pins = candidates.map((f) => ({ name: f.name, pinned: f.sha, head: job.headSha }));
    return { kind: "report", report: pullReport(job, results, pins, [], []) };
  }
  // The mirror's long-lived git ends with the job (it would end itself once idle anyway).
  try {
    const change = readManifest ? await manifestChanges(ctx, job, mirror) : null;
    const fromManifest = change && !change.unchanged ? change.fixtures : [];
    if (candidates.length === 0 && (change === null || change.unchanged)) {
      return {
        kind: "nothing",
        reason: `this pull request does not change ${codeSpan(deps.manifests.path)}`,
      };
    }
    const names = [...candidates, ...fromManifest].map((f) => f.name);
    const unknownNames = (only ?? []).filter((n) => !names.includes(n));
    if (only && unknownNames.length === only.length && (change?.errors.length ?? 0) === 0) {
      return { kind: "unknown-names", names: unknownNames, known: names };
    }
    if (!early) await publication.begin(target, `verifying ${names.length || "the manifest"}…`);

    // A /verify naming some fixtures re-verifies those; the others keep their result for this head.
    const previous = only ? (deps.previousResults?.(job.repo, job.number, job.headSha) ?? []) : [];
    const reuse = (f: Fixture) =>
      only === null || only.includes(f.name)
        ? undefined
        : previous.find((p) => p.name === f.name && p.repo === f.repo);
    // The head as each candidate's pin, verified together (one diff-tree for them all), in a
    // verification process that fetches the PR's head as this job did.
    const toVerify = candidates
      .filter((f) => reuse(f) === undefined)
      .map((f) => ({ ...f, sha: job.headSha, base: f.base === null ? null : job.baseRef }));
    const verified =
      toVerify.length > 0
        ? await ctx.verify(
            { fixtures: toVerify, refspecs: { [job.repo]: [pullRefspec] } },
            "candidate",
          )
        : [];
    const results: FixtureResult[] = candidates.map(
      (f) => reuse(f) ?? (verified[toVerify.findIndex((v) => v.name === f.name)] as FixtureResult),
    );
    const stale = fromManifest.filter((f) => reuse(f) === undefined);
    const fresh = stale.length > 0 ? await ctx.verify({ fixtures: stale }, "candidate") : [];
    for (const f of fromManifest)
      results.push(reuse(f) ?? (fresh.find((r) => r.name === f.name) as FixtureResult));
    return {
      kind: "report",
      report: pullReport(
        job,
        results,
        await pinFacts(mirror, candidates, job.headSha),
        change?.errors ?? [],
        unknownNames,
      ),
    };
  } finally {
    mirror.close();
  }
}

/**
 * Each fixture's pin against this head, and whether the pin is still on the branch (reachable
 * from the head): a re-pin after a force-push is said as such. Unknown (left out) when git
 * cannot say.
 */
async function pinFacts(mirror: Mirror, candidates: Fixture[], head: string): Promise<PinFact[]> {
  return Promise.all(
    candidates.map(async (f) => {
      const fact: PinFact = { name: f.name, pinned: f.sha, head };
      try {
        const pinned = await mirror.resolveCommit(f.sha);
        if (pinned.kind !== "commit") return fact;
        return {
          ...fact,
          pinnedOnBranch: (await mirror.distance(pinned.sha, head)).onlyFrom === 0,
        };
      } catch {
        return fact;
      }
    }),
  );
}

function pullReport(
  job: PullJob,
  results: FixtureResult[],
  pins: PinFact[],
  manifestErrors: string[],
  unknownNames: string[],
): RunReport {
  return {
    kind: "pull",
    repo: job.repo,
    sha: job.headSha,
    number: job.number,
    trigger: job.trigger,
    results,
    manifestErrors,
    pins,
    unknownNames,
  };
}

/** What a PR in FIXTURES_REPO changes in the manifest: the fixtures it adds or changes. */
async function manifestChanges(
  ctx: JobContext,
  job: PullJob,
  mirror: Mirror,
): Promise<ManifestChange> {
  const { manifests } = ctx.deps;
  const baseTip = await mirror.branchTip(job.baseRef);
  const mergeBase = baseTip ? await mirror.mergeBase(baseTip, job.headSha) : null;
  const [head, before] = await Promise.all([
    manifests.readAt(mirror, job.headSha),
    mergeBase ? manifests.readAt(mirror, mergeBase) : Promise.resolve({ missing: true } as const),
  ]);
  const headText = "text" in head ? head.text : null;
  const beforeText = "text" in before ? before.text : null;
  if (headText === beforeText) return { unchanged: true, fixtures: [], errors: [] };
  if ("missing" in head) {
    return {
      unchanged: false,
      fixtures: [],
      errors: [`${manifests.path}: the pull request deletes the manifest`],
    };
  }
  if ("errors" in head) return { unchanged: false, fixtures: [], errors: head.errors };
  const previous = "manifest" in before ? before.manifest.fixtures : [];
  const changed = head.manifest.fixtures.filter((f) => {
    const old = previous.find((p) => p.name === f.name);
    return old === undefined || JSON.stringify(old) !== JSON.stringify(f);
  });
  return { unchanged: false, fixtures: changed, errors: [] };
}
