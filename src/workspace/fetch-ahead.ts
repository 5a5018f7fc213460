/**
 * Fetches started before anyone asks: the first `limit` distinct repositories of `repos` are synced
 * at once (with `optionsFor(repo)`), and the first plain `sync` of each (no refspecs, no deadline,
 * the same `fewQuestions`: what a CLI verify asks) gets that fetch's mirror, or its error. Any
 * other call goes to the workspace as usual. The CLI uses it to let git clone while the checks'
 * modules load.
 */
import type { Mirror } from "./mirror.ts";
import type { SyncOptions, Workspace } from "./workspace.ts";

export function fetchAhead(
  workspace: Workspace,
  repos: readonly string[],
  limit: number,
  optionsFor: (repo: string) => Pick<SyncOptions, "fewQuestions"> = () => ({}),
): Workspace {
  const ahead = new Map<string, { fetching: Promise<Mirror>; few: boolean }>();
  for (const repo of new Set(repos)) {
    if (ahead.size >= limit) break;
    const options = optionsFor(repo);
    const fetching = workspace.sync(repo, options);
    fetching.catch(() => undefined); // handled by whoever asks for it; never unhandled
    ahead.set(repo, { fetching, few: options.fewQuestions === true });
  }
  return {
    ...workspace,
    sync(repo: string, options?: SyncOptions) {
      const started = ahead.get(repo);
      const plain =
        started !== undefined &&
        !options?.signal &&
        (options?.refspecs ?? []).length === 0 &&
        (options?.fewQuestions === true) === started.few;
      if (plain) {
        ahead.delete(repo);
        return started.fetching;
      }
      return workspace.sync(repo, options);
    },
  };
}
