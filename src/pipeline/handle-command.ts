/**
 * `/verify` in a PR comment: only users with write permission or more may run it. The bot asks
 * Gitea's collaborator permission API; a 403 from it means the token lacks admin on the repository,
 * which is a configuration problem to log, never a reason to allow. An accepted command gets 👀
 * and runs the pull request's verification; what it cannot do, it answers in one short reply.
 */

import { isFork } from "../config/pull-role.ts";
import type { CommandJob } from "../queue/job.ts";
import { codeSpan } from "../render/markdown.ts";
import { GiteaApiError } from "../shared/errors.ts";
import { handlePull } from "./handle-pull.ts";
import type { JobContext, Outcome } from "./job-context.ts";

const WRITERS = new Set(["write", "admin", "owner"]);

export async function handleCommand(ctx: JobContext<CommandJob>): Promise<Outcome> {
  const { job, gitea, log, publication } = ctx;
  const answer = async (text: string): Promise<Outcome> => {
    await publication.reply(job.number, `@${job.user} ${text}`);
    return { kind: "nothing", reason: text };
  };
  let permission: string;
  try {
    permission = await gitea.getPermission(job.repo, job.user);
  } catch (error) {
    if (error instanceof GiteaApiError && error.status === 403) {
      log.error(
        { user: job.user },
        "configuration problem: the token may not read collaborator permissions (it needs admin on the repository); /verify refused",
      );
      return answer(
        `I could not check who may run \`/verify\` here: my token lacks admin rights on ${codeSpan(job.repo)}. Please ask a repository admin.`,
      );
    }
    if (!(error instanceof GiteaApiError && error.status === 404)) throw error;
    permission = "none"; // not a collaborator at all
  }
  if (!WRITERS.has(permission)) {
    log.info({ user: job.user, permission }, "/verify refused: no write permission");
    return answer(`only users with write access to ${codeSpan(job.repo)} can run \`/verify\`.`);
  }
  await gitea.addReaction(job.repo, job.commentId, "eyes").catch((error: unknown) => {
    log.warn({ err: ctx.deps.sanitize(String(error)) }, "could not react to the command");
  });
  const pr = await gitea.getPull(job.repo, job.number);
  if (pr.state !== "open")
    return answer("this pull request is closed; there is nothing to verify.");
  const outcome = await handlePull(
    ctx,
    {
      ...job,
      kind: "pull",
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      trigger: `/verify by @${job.user}`,
      fromFork: isFork({
        repo: job.repo,
        head: { ref: pr.head.ref, repoFullName: pr.head.repo?.full_name },
      }),
      updatedAt: pr.updated_at ?? null,
    },
    // A writer asked: the manifest at the head is read even from a fork; the head was just read.
    { trusted: true, headChecked: true },
  );
  if (outcome.kind === "report") return outcome;
  if (outcome.kind === "nothing") return answer(`nothing to verify: ${outcome.reason}.`);
  const known = outcome.known.length > 0 ? outcome.known.map(codeSpan).join(", ") : "none";
  return answer(
    `no fixture named ${outcome.names.map(codeSpan).join(", ")} in this pull request (fixtures here: ${known}).`,
  );
}
