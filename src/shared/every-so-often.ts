/**
 * For a message that could repeat on every request (a full disk refuses every delivery): say it
 * at most once per `intervalMs` for each key, and count the times it was not said.
 */
export type EverySoOften = {
  /** Whether to log now, and how many times it was held back since the last line for `key`. */
  seen(key: string): { log: boolean; suppressed: number };
};

export function everySoOften(intervalMs: number, now: () => number): EverySoOften {
  const last = new Map<string, { at: number; suppressed: number }>();
  return {
    seen(key) {
      const at = now();
      const entry = last.get(key);
      if (entry && at - entry.at < intervalMs) {
        entry.suppressed += 1;
        return { log: false, suppressed: entry.suppressed };
      }
      last.set(key, { at, suppressed: 0 });
      return { log: true, suppressed: entry?.suppressed ?? 0 };
    },
  };
}
