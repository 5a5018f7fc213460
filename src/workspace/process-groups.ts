/**
 * The process groups of the git processes a workspace started and that have not ended. Each git
 * leads a group of its own (so a deadline ends git and what it started, git-remote-http and
 * index-pack, together), which also means a signal to the service's own group does not reach
 * them. So the service, when it exits, ends every group still alive (main.ts's `serve` hooks
 * `endAll` to the process's exit), and no git outlives it. (SIGKILL runs no hook: see docs/architecture.md,
 * "How git is used".)
 */

export type ProcessGroups = {
  /** Remember a group leader until `forget`. */
  remember(pid: number | undefined): void;
  forget(pid: number | undefined): void;
  /** Kill every group still remembered; returns how many were signalled. */
  endAll(signal?: NodeJS.Signals): number;
  /** How many groups are remembered. */
  readonly size: number;
};

export function createProcessGroups(): ProcessGroups {
  const live = new Set<number>();
  return {
    remember(pid) {
      if (pid !== undefined) live.add(pid);
    },
    forget(pid) {
      if (pid !== undefined) live.delete(pid);
    },
    endAll(signal = "SIGKILL") {
      let ended = 0;
      for (const pid of live) {
        try {
          process.kill(-pid, signal);
          ended += 1;
        } catch {
          // Gone already.
        }
      }
      live.clear();
      return ended;
    },
    get size() {
      return live.size;
    },
  };
}
