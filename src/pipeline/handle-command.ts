/**
 * `/verify` in a PR comment: only users with write permission or more may run it. The bot asks
 * Gitea's collaborator permission API; a 403 from it means the token lacks admin on the repository,
 * which is a configuration problem to log, never a reason to allow. An accepted command gets 👀.
 */
import { sameRepoName } from "../config/names.ts";
import type { CommandJob } from "../queue/job.ts";
import { GiteaApiError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { HandlerDeps } from "./handle-job.ts";
import { handlePull } from "./handle-pull.ts";
import type { Reporter } from "./reporter.ts";

const WRITERS = new Set(["write", "admin", "owner"]);

export async function handleCommand(
  job: CommandJob,
  deps: HandlerDeps,
  reporter: Reporter,
  log: Logger,
): Promise<void> {
  const { gitea } = deps;
  const answer = (text: string) =>
    reporter.reply(job.repo, job.number, `@${job.user} ${text}`, log);
  if (deps.bot !== null) {
    let permission: string;
    try {
      permission = await gitea.getPermission(job.repo, job.user);
    } catch (error) {
      if (error instanceof GiteaApiError && error.status === 403) {
        log.error(
          { user: job.user },
          "configuration problem: the token may not read collaborator permissions (it needs admin on the repository); /verify refused",
        );
        await answer(
          `I could not check who may run \`/verify\` here: my token lacks admin rights on \`${job.repo}\`. Please ask a repository admin.`,
        );
        return;
      }
      if (!(error instanceof GiteaApiError && error.status === 404)) throw error;
      permission = "none"; // not a collaborator at all
    }
    if (!WRITERS.has(permission)) {
      log.info({ user: job.user, permission }, "/verify refused: no write permission");
      await answer(`only users with write access to \`${job.repo}\` can run \`/verify\`.`);
      return;
    }
    await gitea.addReaction(job.repo, job.commentId, "eyes").catch((error: unknown) => {
      log.warn({ err: deps.sanitize(String(error)) }, "could not react to the command");
    });
  } else {
    log.info({ user: job.user }, "dry run: would check the commenter's permission");
  }
  const pr = await gitea.getPull(job.repo, job.number);
  if (pr.state !== "open") {
    await answer("this pull request is closed; there is nothing to verify.");
    return;
  }
  const outcome = await handlePull(
    {
      ...job,
      kind: "pull",
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      trigger: `/verify by @${job.user}`,
      // A head repository Gitea no longer knows (a deleted fork) counts as a fork.
      fromFork: !sameRepoName(pr.head.repo?.full_name, job.repo),
    },
    deps,
    reporter,
    log,
  );
  if (outcome.kind === "nothing") await answer(`nothing to verify: ${outcome.reason}.`);
  if (outcome.kind === "unknown-names") {
    const known =
      outcome.known.length > 0 ? outcome.known.map((n) => `\`${n}\``).join(", ") : "none";
    await answer(
      `no fixture named ${outcome.names.map((n) => `\`${n}\``).join(", ")} in this pull request (fixtures here: ${known}).`,
    );
  }
}
