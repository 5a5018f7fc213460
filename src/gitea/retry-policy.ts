/**
 * When the Gitea client tries a failed call again, and when it gives up: pure, so every case is a
 * table row (test/gitea/retry-policy.test.ts).
 *
 * A `429` or `503` with `Retry-After` (what a proxy in front of Gitea sends when it rate-limits,
 * or Gitea's own 503 while it starts) is waited for as asked: such waits do not use up the
 * retries for other failures, but they end at the call's deadline (the job's, never past it) and
 * after `MAX_ASKED_WAITS`. Other failures that may be repeated (5xx, 429 without the header,
 * network errors) get `retries` more attempts with exponential backoff and jitter.
 */

/** At most this many waits asked for by Retry-After in one call. */
export const MAX_ASKED_WAITS = 10;

/**
 * The `Retry-After` header (RFC 9110 10.2.3: delay-seconds, or an HTTP-date) as milliseconds
 * from `nowMs`; null when absent or not one of the two forms. A date in the past is 0.
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined | null,
  nowMs: number,
): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : null;
  }
  // An HTTP-date: IMF-fixdate and rfc850-date end in GMT; asctime-date has no zone but is GMT
  // too. Date.parse reads all three once the zone is explicit.
  const asctime = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(text);
  if (!asctime && !/ GMT$/.test(text)) return null;
  const at = Date.parse(asctime ? `${text} GMT` : text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export type RetryInput = {
  /** The answer's status, or null for a network error or a timeout. */
  status: number | null;
  /** The answer's Retry-After header, if any. */
  retryAfter: string | readonly string[] | undefined | null;
  /** Whether this failure may be repeated at all (the call's rule: 5xx, 429, network...). */
  repeatable: boolean;
  /** Retries already made after failures without Retry-After. */
  retried: number;
  /** Waits already made because Retry-After asked. */
  askedWaits: number;
  /** How many retries failures without Retry-After get. */
  retries: number;
  backoffMs: number;
  /** 0.5 to 1.5: the jitter applied to the backoff. */
  jitter: number;
  nowMs: number;
  /** When the call's deadline passes (epoch ms), if it has one. */
  deadlineAt: number | null;
  /** Without a deadline, the longest Retry-After honoured. */
  maxWaitMs: number;
};

export type RetryDecision =
  | { retry: true; waitMs: number; asked: boolean }
  | {
      retry: false;
      /** Why the client gave up, for the error (null: the failure is not one to repeat). */
      note: string | null;
    };

const seconds = (ms: number) => `${Math.ceil(ms / 1000)} s`;

export function nextRetry(input: RetryInput): RetryDecision {
  const attempts = input.retried + input.askedWaits + 1;
  if (!input.repeatable)
    return { retry: false, note: attempts > 1 ? `${attempts} attempts` : null };
  const asked =
    input.status === 429 || input.status === 503
      ? parseRetryAfter(input.retryAfter, input.nowMs)
      : null;
  if (asked !== null) {
    if (input.askedWaits >= MAX_ASKED_WAITS)
      return { retry: false, note: `${attempts} attempts, each asked to wait (Retry-After)` };
    const waitMs = Math.max(asked, input.backoffMs);
    if (input.deadlineAt !== null && input.nowMs + waitMs > input.deadlineAt)
      return {
        retry: false,
        note: `asked to wait ${seconds(asked)} (Retry-After), past the job's deadline`,
      };
    if (input.deadlineAt === null && waitMs > input.maxWaitMs)
      return {
        retry: false,
        note: `asked to wait ${seconds(asked)} (Retry-After), more than ${seconds(input.maxWaitMs)}`,
      };
    return { retry: true, waitMs, asked: true };
  }
  if (input.retried >= input.retries) return { retry: false, note: `${attempts} attempts` };
  return {
    retry: true,
    waitMs: input.backoffMs * 2 ** input.retried * input.jitter,
    asked: false,
  };
}
