/** A message said at most once per interval per key, with the count of times it was held back. */
import { describe, expect, it } from "vitest";
import { everySoOften } from "../../src/shared/every-so-often.ts";

describe("everySoOften", () => {
  it("says it first, holds back within the interval, says it again with the count after", () => {
    let now = 0;
    const gate = everySoOften(60_000, () => now);
    const steps: [number, string, { log: boolean; suppressed: number }][] = [
      [0, "a", { log: true, suppressed: 0 }],
      [1, "a", { log: false, suppressed: 1 }],
      [59_999, "a", { log: false, suppressed: 2 }],
      // Another key has a gate of its own.
      [59_999, "b", { log: true, suppressed: 0 }],
      [60_000, "a", { log: true, suppressed: 2 }],
      [60_001, "a", { log: false, suppressed: 1 }],
      [200_000, "a", { log: true, suppressed: 1 }],
      [200_000, "b", { log: true, suppressed: 0 }],
    ];
    const seen = steps.map(([at, key]) => {
      now = at;
      return gate.seen(key);
    });
    expect(seen).toEqual(steps.map(([, , expected]) => expected));
  });
});
