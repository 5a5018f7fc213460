/**
 * A push: to a fixture branch, the fixtures on it are verified as pinned (a force-push that
 * dropped a pin fails `sha-on-branch`), with the status on the pushed head under
 * `<STATUS_CONTEXT>/pins`, a context of its own so it never races the PR's candidate status on the
 * same commit. To FIXTURES_REPO's default branch, the manifest is reloaded from the branch's tip
 * (not from the pushed commit: deliveries arrive out of order, and a redelivered old push must
 * not bring an old manifest back).
 */
import { fixturesOnBranch } from "../config/manifest.ts";
import { sameRepoName } from "../config/names.ts";
import type { PushJob } from "../queue/job.ts";
import type { JobContext, Outcome } from "./job-context.ts";

export async function handlePush(ctx: JobContext<PushJob>): Promise<Outcome> {
  const { job, deps, log, publication } = ctx;
  const manifestBranch =
    sameRepoName(job.repo, deps.manifests.repo) && job.branch === job.defaultBranch;
  const fixtures = fixturesOnBranch(deps.manifests.current(), job.repo, job.branch);
  if (fixtures.length === 0 && !manifestBranch) {
    return { kind: "nothing", reason: "no fixture uses this branch" };
  }
  const target = {
    repo: job.repo,
    sha: job.after,
    context: `${deps.config.statusContext}/pins`,
    pull: null,
  };
  await publication.begin(
    target,
    `verifying ${fixtures.length ? `${fixtures.length} pinned` : "the manifest"}…`,
  );
  let manifestErrors: string[] = [];
  if (manifestBranch) {
    const reloaded = await deps.manifests.reload(log);
    if (reloaded.commit !== job.after) {
      log.info(
        { tip: reloaded.commit },
        "the pushed commit is no longer the tip; loaded the tip's manifest",
      );
    } else manifestErrors = reloaded.errors;
  }
  // The manifest may have just changed: verify what it says now.
  const pinned = fixturesOnBranch(deps.manifests.current(), job.repo, job.branch);
  return {
    kind: "report",
    report: {
      kind: "push",
      repo: job.repo,
      sha: job.after,
      number: null,
      trigger: `push to ${job.branch}`,
      results: pinned.length > 0 ? await ctx.verify({ fixtures: pinned }, "pin") : [],
      manifestErrors,
      pins: [],
      unknownNames: [],
    },
  };
}
