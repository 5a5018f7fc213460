/**
 * A pull request: its head as the candidate pin of every fixture on its head branch (trigger 1),
 * and, in FIXTURES_REPO, the fixtures its manifest adds or changes (trigger 2).
 */
import { type Fixture, fixturesOnBranch } from "../config/manifest.ts";
import { sameRepoName } from "../config/names.ts";
import type { PullJob } from "../queue/job.ts";
import { errorMessage } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { FixtureResult, RunReport } from "../shared/result.ts";
import type { Mirror } from "../workspace/workspace.ts";
import { type HandlerDeps, verifyDepsFor } from "./handle-job.ts";
import type { Reporter } from "./reporter.ts";
import { errorResult, verifyFixture, verifyFixtures } from "./verify-fixture.ts";

/** What a pull job found to do; a /verify answers the commenter when it was nothing. */
export type PullOutcome =
  | { kind: "verified" }
  | { kind: "nothing"; reason: string }
  | { kind: "unknown-names"; names: string[]; known: string[] };

type ManifestChange = { unchanged: boolean; fixtures: Fixture[]; errors: string[] };

export async function handlePull(
  job: PullJob,
  deps: HandlerDeps,
  reporter: Reporter,
  log: Logger,
): Promise<PullOutcome> {
  const candidates = job.fromFork
    ? []
    : fixturesOnBranch(deps.manifests.current(), job.repo, job.headRef);
  const verify = verifyDepsFor(deps, log, "candidate");
  const isManifestRepo = sameRepoName(job.repo, deps.manifests.repo);
  const status = { sha: job.headSha, context: deps.config.statusContext };
  if (candidates.length === 0 && !isManifestRepo) {
    log.info({}, "no fixture uses this branch");
    return {
      kind: "nothing",
      reason: `no fixture uses branch \`${job.headRef}\` of \`${job.repo}\``,
    };
  }
  let mirror: Mirror;
  try {
    mirror = await deps.workspace.sync(job.repo, {
      refspecs: [`+refs/pull/${job.number}/head:refs/pull/${job.number}/head`],
    });
  } catch (error) {
    // A fetch that failed is an error status, never a silent success: each candidate fixture is
    // reported as "could not check" (and the comment says why); with none, the job errors.
    const outcome = await reporter.withStatus(
      job,
      { ...status, pending: "fetching…" },
      log,
      async () => {
        if (candidates.length === 0) throw error;
        return report(
          job,
          candidates.map((f) =>
            errorResult(
              { ...f, sha: job.headSha },
              `could not fetch ${job.repo}: ${errorMessage(error)}`,
            ),
          ),
          reporter,
          candidates,
          [],
          [],
        );
      },
    );
    if (outcome) await reporter.postComment(job, outcome.report, log);
    if (outcome && !outcome.statusPosted)
      throw new Error("the final commit status could not be posted");
    return { kind: "verified" };
  }
  const change = isManifestRepo ? await manifestChanges(job, mirror, deps) : null;
  const fromManifest = change && !change.unchanged ? change.fixtures : [];
  if (candidates.length === 0 && (change === null || change.unchanged)) {
    log.info({}, "the pull request does not change the manifest");
    return {
      kind: "nothing",
      reason: `this pull request does not change \`${deps.manifests.path}\``,
    };
  }
  const known = [...candidates, ...fromManifest].map((f) => f.name);
  const unknownNames = (job.only ?? []).filter((n) => !known.includes(n));
  if (job.only && unknownNames.length === job.only.length && (change?.errors.length ?? 0) === 0) {
    return { kind: "unknown-names", names: unknownNames, known };
  }
  const rerun = (f: Fixture) => job.only === null || job.only.includes(f.name);
  const count = candidates.length + fromManifest.length;

  const outcome = await reporter.withStatus(
    job,
    { ...status, pending: `verifying ${count || "the manifest"}…` },
    log,
    async () => {
      // A /verify naming some fixtures re-verifies those; the others keep their result for this head.
      const previous = job.only
        ? (deps.previousResults?.(job.repo, job.number, job.headSha) ?? [])
        : [];
      const reuse = (f: Fixture) =>
        rerun(f) ? undefined : previous.find((p) => p.name === f.name && p.repo === f.repo);
      const results: FixtureResult[] = [];
      for (const f of candidates) {
        const candidate: Fixture = {
          ...f,
          sha: job.headSha,
          base: f.base === null ? null : job.baseRef,
        };
        results.push(reuse(f) ?? (await verifyFixture(candidate, mirror, verify)));
      }
      const again = fromManifest.filter((f) => reuse(f) === undefined);
      const fresh = await verifyFixtures(again, verify);
      for (const f of fromManifest)
        results.push(reuse(f) ?? (fresh.find((r) => r.name === f.name) as FixtureResult));
      return report(job, results, reporter, candidates, change?.errors ?? [], unknownNames);
    },
  );
  if (outcome) await reporter.postComment(job, outcome.report, log);
  if (outcome && !outcome.statusPosted)
    throw new Error("the final commit status could not be posted");
  return { kind: "verified" };
}

function report(
  job: PullJob,
  results: FixtureResult[],
  reporter: Reporter,
  candidates: Fixture[],
  manifestErrors: string[],
  unknownNames: string[],
): RunReport {
  return {
    kind: "pull",
    repo: job.repo,
    sha: job.headSha,
    number: job.number,
    trigger: job.trigger,
    results: results.map((r) => reporter.sanitizeResult(r)),
    manifestErrors,
    pins: candidates.map((f) => ({ name: f.name, pinned: f.sha, head: job.headSha })),
    unknownNames,
  };
}

/** What a PR in FIXTURES_REPO changes in the manifest: the fixtures it adds or changes. */
async function manifestChanges(
  job: PullJob,
  mirror: Mirror,
  deps: HandlerDeps,
): Promise<ManifestChange> {
  const baseTip = await mirror.branchTip(job.baseRef);
  const mergeBase = baseTip ? await mirror.mergeBase(baseTip, job.headSha) : null;
  const [head, before] = await Promise.all([
    deps.manifests.readAt(mirror, job.headSha),
    mergeBase
      ? deps.manifests.readAt(mirror, mergeBase)
      : Promise.resolve({ missing: true } as const),
  ]);
  const headText = "text" in head ? head.text : null;
  const beforeText = "text" in before ? before.text : null;
  if (headText === beforeText) return { unchanged: true, fixtures: [], errors: [] };
  if ("missing" in head) {
    return {
      unchanged: false,
      fixtures: [],
      errors: [`${deps.manifests.path}: the pull request deletes the manifest`],
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
