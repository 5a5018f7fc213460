/** Fault injection: failNext() rules and the down switch. */
import type { FailNextOptions } from "./types.ts";

type FailRule = {
  remaining: number;
  status: number;
  match: (r: { method: string; path: string }) => boolean;
};

export function createControls() {
  const rules: FailRule[] = [];
  let down = false;
  return {
    isDown: () => down,
    setDown(value: boolean) {
      down = value;
    },
    failNext(count: number, options: FailNextOptions = {}) {
      if (!Number.isInteger(count) || count < 1) return;
      rules.push({
        remaining: count,
        status: options.status ?? 502,
        match: options.match ?? (() => true),
      });
    },
    /** The status to fail this request with, consuming one failure, or null. */
    takeFailure(request: { method: string; path: string }): number | null {
      const rule = rules.find((r) => r.remaining > 0 && r.match(request));
      if (!rule) return null;
      rule.remaining -= 1;
      if (rule.remaining === 0) rules.splice(rules.indexOf(rule), 1);
      return rule.status;
    },
  };
}

export type Controls = ReturnType<typeof createControls>;
