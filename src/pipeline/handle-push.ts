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
import type { Logger } from "../shared/logger.ts";
import { type HandlerDeps, verifyDepsFor } from "./handle-job.ts";
import type { Reporter } from "./reporter.ts";
import { verifyFixtures } from "./verify-fixture.ts";

export async function handlePush(
  job: PushJob,
  deps: HandlerDeps,
  reporter: Reporter,
  log: Logger,
): Promise<void> {
  const manifestBranch =
    sameRepoName(job.repo, deps.manifests.repo) && job.branch === job.defaultBranch;
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
  const fixtures = fixturesOnBranch(deps.manifests.current(), job.repo, job.branch);
  if (fixtures.length === 0 && manifestErrors.length === 0 && !manifestBranch) {
    log.info({}, "no fixture uses this branch");
    return;
  }
  const pending = `verifying ${fixtures.length ? `${fixtures.length} pinned` : "the manifest"}…`;
  const outcome = await reporter.withStatus(
    job,
    { sha: job.after, context: `${deps.config.statusContext}/pins`, pending },
    log,
    async () => ({
      kind: "push",
      repo: job.repo,
      sha: job.after,
      number: null,
      trigger: `push to ${job.branch}`,
      results: (await verifyFixtures(fixtures, verifyDepsFor(deps, log, "pin"))).map((r) =>
        reporter.sanitizeResult(r),
      ),
      manifestErrors,
      pins: [],
      unknownNames: [],
    }),
  );
  if (outcome && !outcome.statusPosted)
    throw new Error("the final commit status could not be posted");
}
