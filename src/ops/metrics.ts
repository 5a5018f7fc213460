/**
 * Prometheus metrics (prom-client) on a registry of our own, so tests can start several services
 * in one process. What an operator watches: deliveries by event and outcome, the queue, how long
 * verifications take, each fixture's verdict, Gitea API errors.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Verdict } from "../shared/result.ts";

export type Metrics = {
  registry: Registry;
  delivery(event: string, outcome: string): void;
  /**
   * A finished verification. Only a pin's (push, reconcile) sets the fixture's verdict: a PR's
   * candidate is not the fixture. `seconds` null: nothing was timed (the fetch failed first).
   */
  verification(
    fixture: string,
    verdict: Verdict,
    seconds: number | null,
    source: "pin" | "candidate",
  ): void;
  /** Forget the verdict of fixtures no longer in the manifest, so they raise no stale alerts. */
  retainFixtures(names: readonly string[]): void;
  job(kind: string, state: string, seconds: number): void;
  giteaError(method: string, status: number | null): void;
};

const VERDICT_VALUE: Record<Verdict, number> = { pass: 0, fail: 1, error: 2 };

/**
 * The event header is sent by anyone who can reach /webhook, signature or not: only known names
 * become label values, so a stranger cannot grow the metric without bound.
 */
const KNOWN_EVENTS = new Set([
  "push",
  "pull_request",
  "pull_request_sync",
  "pull_request_comment",
  "issue_comment",
]);
const eventLabel = (event: string) => (KNOWN_EVENTS.has(event) ? event : event ? "other" : "none");

export function createMetrics(options: {
  queue: () => { queued: number; running: number };
}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "fixture_bot_" });
  const deliveries = new Counter({
    name: "fixture_bot_deliveries_total",
    help: "Webhook deliveries received, by X-Gitea-Event-Type and outcome (queued, ignored, duplicate, unauthorized, bad_request, too_large, too_slow, busy, unavailable, not_stored).",
    labelNames: ["event", "outcome"],
    registers: [registry],
  });
  new Gauge({
    name: "fixture_bot_jobs",
    help: "Jobs waiting in the queue and running now.",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const { queued, running } = options.queue();
      this.set({ state: "queued" }, queued);
      this.set({ state: "running" }, running);
    },
  });
  const duration = new Histogram({
    name: "fixture_bot_verification_duration_seconds",
    help: "Time to verify one fixture (fetch, checks), by verdict.",
    labelNames: ["verdict"],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const verdicts = new Counter({
    name: "fixture_bot_verifications_total",
    help: "Verifications of fixture pins (push, reconcile), by fixture and verdict.",
    labelNames: ["fixture", "verdict"],
    registers: [registry],
  });
  const current = new Gauge({
    name: "fixture_bot_fixture_verdict",
    help: "The latest verdict of each fixture: 0 pass, 1 fail, 2 error (could not check).",
    labelNames: ["fixture"],
    registers: [registry],
  });
  const jobs = new Histogram({
    name: "fixture_bot_job_duration_seconds",
    help: "Time from a job's start to its final status, by kind and final state.",
    labelNames: ["kind", "state"],
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const giteaErrors = new Counter({
    name: "fixture_bot_gitea_api_errors_total",
    help: "Gitea API calls that failed (after retries), by method and HTTP status (0: no answer).",
    labelNames: ["method", "status"],
    registers: [registry],
  });

  const known = new Set<string>();
  return {
    registry,
    delivery: (event, outcome) => deliveries.inc({ event: eventLabel(event), outcome }),
    verification(fixture, verdict, seconds, source) {
      if (seconds !== null) duration.observe({ verdict }, seconds);
      if (source !== "pin") return;
      verdicts.inc({ fixture, verdict });
      current.set({ fixture }, VERDICT_VALUE[verdict]);
      known.add(fixture);
    },
    retainFixtures(names) {
      for (const name of [...known]) {
        if (names.includes(name)) continue;
        current.remove({ fixture: name });
        known.delete(name);
      }
    },
    job: (kind, state, seconds) => jobs.observe({ kind, state }, seconds),
    giteaError: (method, status) => giteaErrors.inc({ method, status: String(status ?? 0) }),
  };
}
