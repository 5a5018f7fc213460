/**
 * Without GITEA_TOKEN the bot runs dry: it still fetches and verifies (public repositories), and
 * reads what it can from Gitea. The reporter logs the status and comment it would post (on the
 * job's log line); this client is the guard underneath, so that no code path, present or future,
 * can write to Gitea in dry-run mode.
 */
import type { Logger } from "../shared/logger.ts";
import type { GiteaClient } from "./client.ts";

export function createDryRunClient(reader: GiteaClient, log: Logger): GiteaClient {
  const now = () => new Date().toISOString();
  return {
    ...reader,
    bound: (signal, deadlineAt) => createDryRunClient(reader.bound(signal, deadlineAt), log),
    getCurrentUser: async () => ({ id: -1, login: "fixture-bot (dry run)" }),
    listComments: async () => [],
    getPermission: async () => "write",
    async createComment(repo, number, body) {
      log.info({ repo, number, body }, "dry run: would comment");
      return { id: -1, body, user: null };
    },
    async editComment(repo, id, body) {
      log.info({ repo, comment: id, body }, "dry run: would edit comment");
      return { id, body, user: null };
    },
    async addReaction(repo, commentId, content) {
      log.info({ repo, comment: commentId, content }, "dry run: would react");
    },
    async createStatus(repo, sha, status) {
      log.info({ repo, sha, ...status }, "dry run: would set commit status");
      return {
        id: -1,
        status: status.state,
        context: status.context,
        description: status.description,
        created_at: now(),
      };
    },
  };
}
