/**
 * The process groups of the git processes this process started and that have not ended. Each git
 * leads a group of its own (so a deadline ends git and what it started, git-remote-http and
 * index-pack, together), which also means a signal to the service's own group does not reach
 * them. So when the process exits, for whatever reason that still runs exit handlers (the drain
 * after SIGTERM, process.exit, an uncaught error), every group still alive is killed, and no git
 * outlives the service. (SIGKILL runs no handler: see README, "How git is used".)
 */

const live = new Set<number>();
let hooked = false;

/** Remember a group leader until `forget`; the first one installs the exit hook. */
export function rememberGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  live.add(pid);
  if (!hooked) {
    hooked = true;
    process.once("exit", () => void endGroups());
  }
}

export function forgetGroup(pid: number | undefined): void {
  if (pid !== undefined) live.delete(pid);
}

/** Kill every group still remembered; returns how many were signalled. */
export function endGroups(signal: NodeJS.Signals = "SIGKILL"): number {
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
}

/** How many groups are remembered (tests). */
export function liveGroups(): number {
  return live.size;
}
