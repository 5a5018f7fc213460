/** Fault injection: failNext() rules, the down switch, held requests, failing git. */
import type { FailNextOptions } from "./types.ts";

type FailRule = {
  remaining: number;
  status: number;
  retryAfter: string | null;
  match: (r: { method: string; path: string }) => boolean;
};

export function createControls() {
  const rules: FailRule[] = [];
  let down = false;
  let gitFailures: { remaining: number; status: number } | null = null;
  let gitHeld: (() => void)[] | null = null;
  let held: {
    match: (r: { method: string; path: string }) => boolean;
    waiters: (() => void)[];
  } | null = null;
  return {
    /** Matching API requests wait, unanswered, until `release()` (a slow or stalled Gitea). */
    hold(match: (r: { method: string; path: string }) => boolean = () => true) {
      const current = { match, waiters: [] as (() => void)[] };
      held = current;
      return () => {
        if (held === current) held = null;
        for (const w of current.waiters) w();
      };
    },
    async waitIfHeld(request: { method: string; path: string }): Promise<void> {
      const current = held;
      if (current?.match(request))
        await new Promise<void>((resolve) => current.waiters.push(resolve));
    },
    /** Git requests wait, unanswered, until the returned release (a stalled git server). */
    holdGit() {
      const waiters: (() => void)[] = [];
      gitHeld = waiters;
      return () => {
        if (gitHeld === waiters) gitHeld = null;
        for (const w of waiters) w();
      };
    },
    async waitIfGitHeld(): Promise<void> {
      const current = gitHeld;
      if (current) await new Promise<void>((resolve) => current.push(resolve));
    },
    failGitNext(count: number, status = 500) {
      gitFailures = { remaining: count, status };
    },
    takeGitFailure(): number | null {
      if (!gitFailures || gitFailures.remaining <= 0) return null;
      gitFailures.remaining -= 1;
      return gitFailures.status;
    },
    isDown: () => down,
    setDown(value: boolean) {
      down = value;
    },
    failNext(count: number, options: FailNextOptions = {}) {
      if (!Number.isInteger(count) || count < 1) return;
      rules.push({
        remaining: count,
        status: options.status ?? 502,
        retryAfter: options.retryAfter ?? null,
        match: options.match ?? (() => true),
      });
    },
    /** The failure to answer this request with, consuming one, or null. */
    takeFailure(request: {
      method: string;
      path: string;
    }): { status: number; retryAfter: string | null } | null {
      const rule = rules.find((r) => r.remaining > 0 && r.match(request));
      if (!rule) return null;
      rule.remaining -= 1;
      if (rule.remaining === 0) rules.splice(rules.indexOf(rule), 1);
      return { status: rule.status, retryAfter: rule.retryAfter };
    },
  };
}

export type Controls = ReturnType<typeof createControls>;
