/**
 * Fetches started before anyone asks: the first `limit` distinct repositories of `repos` are synced
 * at once, and the first plain `sync` of each (no refspecs, no deadline: what a CLI verify asks)
 * gets that fetch's mirror, or its error. Any other call goes to the workspace as usual. The CLI
 * uses it to let git clone while the checks' modules load.
 */
import type { Mirror } from "./mirror.ts";
import type { SyncOptions, Workspace } from "./workspace.ts";

export function fetchAhead(
  workspace: Workspace,
  repos: readonly string[],
  limit: number,
): Workspace {
  const ahead = new Map<string, Promise<Mirror>>();
  for (const repo of new Set(repos)) {
    if (ahead.size >= limit) break;
    const fetching = workspace.sync(repo);
    fetching.catch(() => undefined); // handled by whoever asks for it; never unhandled
    ahead.set(repo, fetching);
  }
  return {
    ...workspace,
    sync(repo: string, options?: SyncOptions) {
      const fetching = ahead.get(repo);
      const plain = !options?.signal && (options?.refspecs ?? []).length === 0;
      if (fetching && plain) {
        ahead.delete(repo);
        return fetching;
      }
      return workspace.sync(repo, options);
    },
  };
}
