/** When the Gitea client tries again and when it gives up: facts in, decision out. */
import { describe, expect, it } from "vitest";
import {
  MAX_ASKED_WAITS,
  nextRetry,
  parseRetryAfter,
  type RetryInput,
} from "../../src/gitea/retry-policy.ts";

const NOW = Date.parse("2026-12-07T10:00:00Z");

describe("parseRetryAfter", () => {
  it.each([
    { header: "0", ms: 0 },
    { header: "30", ms: 30_000 },
    { header: " 7 ", ms: 7_000 },
    { header: ["12", "99"], ms: 12_000 },
    // RFC 9110's preferred date form, and the two obsolete ones.
    { header: "Mon, 07 Dec 2026 10:00:05 GMT", ms: 5_000 },
    { header: "Monday, 07-Dec-26 10:01:00 GMT", ms: 60_000 },
    { header: "Mon Dec  7 10:00:02 2026", ms: 2_000 },
    // A date already past: retry now.
    { header: "Mon, 07 Dec 2026 09:00:00 GMT", ms: 0 },
    { header: undefined, ms: null },
    { header: "", ms: null },
    { header: "-5", ms: null },
    { header: "1.5", ms: null },
    { header: "soon", ms: null },
    { header: "2026-12-07T10:00:05Z", ms: null },
    { header: "99999999999999999999", ms: null },
  ])("$header -> $ms", ({ header, ms }) => {
    expect(parseRetryAfter(header, NOW)).toBe(ms);
  });
});

describe("nextRetry", () => {
  const base: RetryInput = {
    status: 429,
    retryAfter: null,
    repeatable: true,
    retried: 0,
    askedWaits: 0,
    retries: 3,
    backoffMs: 250,
    jitter: 1,
    nowMs: NOW,
    deadlineAt: NOW + 600_000,
    maxWaitMs: 60_000,
  };
  it.each<{ name: string; input: Partial<RetryInput>; decision: ReturnType<typeof nextRetry> }>([
    {
      name: "429 with Retry-After: wait as asked",
      input: { retryAfter: "30" },
      decision: { retry: true, waitMs: 30_000, asked: true },
    },
    {
      name: "503 with Retry-After: wait as asked",
      input: { status: 503, retryAfter: "5" },
      decision: { retry: true, waitMs: 5_000, asked: true },
    },
    {
      name: "Retry-After: 0 still waits the backoff's first step",
      input: { retryAfter: "0" },
      decision: { retry: true, waitMs: 250, asked: true },
    },
    {
      name: "asked waits do not use up the retries",
      input: { retryAfter: "1", retried: 3, askedWaits: 4 },
      decision: { retry: true, waitMs: 1_000, asked: true },
    },
    {
      name: "but end after MAX_ASKED_WAITS",
      input: { retryAfter: "1", askedWaits: MAX_ASKED_WAITS },
      decision: {
        retry: false,
        note: `${MAX_ASKED_WAITS + 1} attempts, each asked to wait (Retry-After)`,
      },
    },
    {
      name: "a wait that ends exactly at the deadline is made",
      input: { retryAfter: "600" },
      decision: { retry: true, waitMs: 600_000, asked: true },
    },
    {
      name: "a wait that ends past the deadline is not",
      input: { retryAfter: "601" },
      decision: {
        retry: false,
        note: "asked to wait 601 s (Retry-After), past the job's deadline",
      },
    },
    {
      name: "without a deadline, up to maxWaitMs",
      input: { retryAfter: "60", deadlineAt: null },
      decision: { retry: true, waitMs: 60_000, asked: true },
    },
    {
      name: "without a deadline, not more",
      input: { retryAfter: "61", deadlineAt: null },
      decision: { retry: false, note: "asked to wait 61 s (Retry-After), more than 60 s" },
    },
    {
      name: "a Retry-After on a 500 is not an instruction: backoff",
      input: { status: 500, retryAfter: "30", retried: 1 },
      decision: { retry: true, waitMs: 500, asked: false },
    },
    {
      name: "a Retry-After that cannot be read: backoff",
      input: { retryAfter: "later", retried: 2, jitter: 1.5 },
      decision: { retry: true, waitMs: 1_500, asked: false },
    },
    {
      name: "a network error: backoff",
      input: { status: null, retried: 0, jitter: 0.5 },
      decision: { retry: true, waitMs: 125, asked: false },
    },
    {
      name: "retries used up: give up, saying how many attempts",
      input: { status: 502, retried: 3 },
      decision: { retry: false, note: "4 attempts" },
    },
    {
      name: "retries used up, counting the asked waits in the attempts",
      input: { status: 502, retried: 3, askedWaits: 2 },
      decision: { retry: false, note: "6 attempts" },
    },
    {
      name: "not repeatable, first attempt: the error as it is",
      input: { status: 404, repeatable: false },
      decision: { retry: false, note: null },
    },
    {
      name: "not repeatable after retries: how many attempts",
      input: { status: 404, repeatable: false, retried: 1 },
      decision: { retry: false, note: "2 attempts" },
    },
    {
      name: "never repeated (a pending status), even when asked to wait",
      input: { retryAfter: "1", repeatable: false },
      decision: { retry: false, note: null },
    },
  ])("$name", ({ input, decision }) => {
    expect(nextRetry({ ...base, ...input })).toEqual(decision);
  });
});
