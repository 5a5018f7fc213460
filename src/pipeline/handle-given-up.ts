/**
 * A job the service was stopped under too many times (killed, crashed, out of memory) is not run
 * again: it may be what brings the process down. Its head gets an `error` status that says so,
 * where the job would have reported, so the PR never stays `pending`. Nothing is fetched or
 * verified; a `/verify` or a new push runs it afresh.
 */
import { fixturesOnBranch } from "../config/manifest.ts";
import { sameRepoName } from "../config/names.ts";
import { isFork, roleOf } from "../config/pull-role.ts";
import type { Job } from "../queue/job.ts";
import type { JobContext, StatusTarget } from "./job-context.ts";

/** The error a given-up job ends with (publish.ts words the status from it). */
export class JobGivenUp extends Error {
  readonly attempts: number;
  constructor(attempts: number) {
    super(`the job was interrupted ${attempts} times while it ran; it is not run again`);
    this.name = "JobGivenUp";
    this.attempts = attempts;
  }
}

/** Aim the publication where the job would have reported (if anywhere), then end it. */
export async function handleGivenUp(ctx: JobContext, attempts: number): Promise<never> {
  const target = await targetOf(ctx, ctx.job);
  if (target) ctx.publication.aim(target);
  throw new JobGivenUp(attempts);
}

async function targetOf(ctx: JobContext, job: Job): Promise<StatusTarget | null> {
  const { deps, gitea } = ctx;
  const manifest = deps.manifests.current();
  const context = deps.config.statusContext;
  switch (job.kind) {
    case "outcome":
      return null; // it reports on no commit
    case "push": {
      const manifestBranch =
        sameRepoName(job.repo, deps.manifests.repo) && job.branch === job.defaultBranch;
      const fixtures = fixturesOnBranch(manifest, job.repo, job.branch);
      if (fixtures.length === 0 && !manifestBranch) return null;
      return { repo: job.repo, sha: job.after, context: `${context}/pins`, pull: null };
    }
    case "pull":
    case "command": {
      // Only the PR's head, and only a PR the bot reports on.
      const pr = await gitea.getPull(job.repo, job.number);
      if (pr.state !== "open") return null;
      if (job.kind === "pull" && pr.head.sha !== job.headSha) return null;
      const fork =
        job.kind === "pull"
          ? job.fromFork
          : isFork({
              repo: job.repo,
              head: { ref: pr.head.ref, repoFullName: pr.head.repo?.full_name },
            });
      const role = roleOf(manifest, deps.manifests.repo, job.repo, pr.head.ref, fork);
      if (role.fixtures.length === 0 && !role.manifestRepo) return null;
      return {
        repo: job.repo,
        sha: pr.head.sha,
        context,
        pull: { number: job.number, headSha: pr.head.sha },
      };
    }
  }
}
