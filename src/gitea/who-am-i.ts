/**
 * At start, the bot asks Gitea who it is (its own comments are found, and ignored, by that user).
 * A token Gitea refuses is a configuration problem, said at once. A Gitea that is down or
 * unreachable (5xx, a network error, a timeout) may be restarting with us: that is said, and
 * asked again with backoff for a while before giving up.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError, errorMessage, GiteaApiError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { GiteaClient } from "./client.ts";
import type { User } from "./schemas.ts";

export async function whoAmI(
  gitea: GiteaClient,
  options: { giteaUrl: string; log: Logger; waitMs: number; firstDelayMs?: number },
): Promise<User> {
  const started = Date.now();
  let delay = options.firstDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await gitea.getCurrentUser();
    } catch (error) {
      const status = error instanceof GiteaApiError ? error.status : null;
      if (status !== null && status < 500 && status !== 429) {
        throw new ConfigError(
          `GITEA_TOKEN was refused by ${options.giteaUrl} (GET /api/v1/user answered ${status}: ${errorMessage(error)}); check the token, and that it has the read:user scope`,
          { cause: error },
        );
      }
      const waited = Date.now() - started;
      if (waited + delay > options.waitMs) {
        throw new ConfigError(
          `Gitea at ${options.giteaUrl} did not answer for ${Math.round(waited / 1000)} s (last attempt: ${status === null ? "no answer" : `HTTP ${status}`}, ${errorMessage(error)}); is GITEA_URL right, and is Gitea up?`,
          { cause: error },
        );
      }
      options.log.warn(
        { attempt, err: errorMessage(error), retryInMs: delay },
        `Gitea at ${options.giteaUrl} is unreachable or failing; asking again`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
