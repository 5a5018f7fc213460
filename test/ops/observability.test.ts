/**
 * What an operator watches: /metrics in Prometheus text format (checked by a strict parser) moving
 * when a delivery arrives; JSON logs with the delivery and job id on every job line; /healthz.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheus, sampleValue } from "../helpers/prometheus.ts";
import { applyPatch, fixtureBranch } from "../helpers/recipes.ts";
import { type Harness, REPO, startHarness } from "../helpers/service.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    manifest: (p) =>
      `version: 1\nfixtures:\n  - name: bad-backup\n    repo: ${REPO}\n    branch: regression-bad-backup\n    sha: ${p.pin}\n    base: main\n    change:\n      - path: compose.yml\n`,
    setup: async (repo) => ({
      pin: await fixtureBranch(
        repo,
        "regression-bad-backup",
        applyPatch("broken/custom-html--emptied-compose.patch"),
      ),
    }),
  });
});
afterAll(async () => {
  await h?.close();
});

const metrics = async () => {
  const res = await fetch(`http://127.0.0.1:${h.service.port}/metrics`);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return parsePrometheus(await res.text());
};

describe("/metrics", () => {
  it("parses as Prometheus text and moves when a delivery arrives", async () => {
    const before = await metrics();
    // The reconcile at start already verified the pin: its verdict is there.
    expect(sampleValue(before, "fixture_bot_fixture_verdict", { fixture: "bad-backup" })).toBe(1);
    expect(
      sampleValue(before, "fixture_bot_verifications_total", {
        fixture: "bad-backup",
        verdict: "fail",
      }),
    ).toBe(1);
    const queued = (s: typeof before) =>
      sampleValue(s, "fixture_bot_deliveries_total", {
        event: "pull_request",
        outcome: "queued",
      }) ?? 0;

    const { number } = h.gitea.openPull(REPO, {
      head: "regression-bad-backup",
      base: "main",
      author: "maintainer",
    });
    await h.pullRequest("opened", number);
    await h.deliverRaw("{}", { "X-Gitea-Event-Type": "push", "X-Gitea-Signature": "00" });
    // Unsigned junk with made-up event names must not grow the metric: they all count as "other".
    for (let i = 0; i < 20; i++) await h.deliverRaw("{}", { "X-Gitea-Event-Type": `made-up-${i}` });
    await h.service.idle();

    const after = await metrics();
    expect(queued(after)).toBe(queued(before) + 1);
    expect(
      sampleValue(after, "fixture_bot_deliveries_total", {
        event: "push",
        outcome: "unauthorized",
      }),
    ).toBe(1);
    // The PR's head is a candidate, not the fixture's pin: it is timed, but the verdict stays the pin's.
    expect(
      sampleValue(after, "fixture_bot_verifications_total", {
        fixture: "bad-backup",
        verdict: "fail",
      }),
    ).toBe(1);
    expect(sampleValue(after, "fixture_bot_jobs", { state: "queued" })).toBe(0);
    expect(
      sampleValue(after, "fixture_bot_job_duration_seconds_count", { kind: "pull", state: "done" }),
    ).toBe(1);
    expect(
      sampleValue(after, "fixture_bot_verification_duration_seconds_count", { verdict: "fail" }),
    ).toBe(2);
    expect(sampleValue(after, "fixture_bot_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("counts Gitea API errors", async () => {
    h.gitea.failNext(4, {
      status: 500,
      match: (r) => r.path.endsWith("/comments") && r.method === "GET",
    });
    const { number } = h.gitea.openPull(REPO, {
      head: "regression-bad-backup",
      base: "main",
      author: "maintainer",
    });
    await h.pullRequest("opened", number);
    await h.service.idle();
    expect(
      sampleValue(await metrics(), "fixture_bot_gitea_api_errors_total", {
        method: "GET",
        status: "500",
      }),
    ).toBe(1);
  });
});

describe("logs", () => {
  it("are JSON lines, and every line of a job carries its delivery and job id", () => {
    const jobLines = h.logs.filter((l) => typeof l.job === "string" && l.kind !== undefined);
    expect(jobLines.length).toBeGreaterThan(5);
    for (const line of jobLines) {
      expect(line).toMatchObject({
        service: "fixture-bot",
        level: expect.any(String),
        time: expect.any(String),
      });
      expect(typeof line.delivery).toBe("string");
    }
    const started = h.logs.find((l) => l.msg === "job started");
    expect(started?.delivery).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.logs.filter((l) => l.job === started?.job).map((l) => l.msg)).toContain(
      "job finished",
    );
  });

  it("never hold the token or the webhook secret", () => {
    const all = h.rawLogs.join("\n");
    expect(all).not.toContain(h.bot.token);
    expect(all).not.toContain("e2e-webhook-secret-0123456789abcdef");
  });
});

describe("DASHBOARD_PASSWORD", () => {
  it("puts the dashboard, runs and metrics behind HTTP Basic auth, and leaves the webhook and health open", async () => {
    const guarded = await startHarness({
      env: { DASHBOARD_PASSWORD: "correct horse battery" },
      manifest: (p) =>
        `version: 1\nfixtures:\n  - name: x\n    repo: ${REPO}\n    branch: regression-x\n    sha: ${p.pin}\n`,
      setup: async (repo) => ({
        pin: await fixtureBranch(repo, "regression-x", applyPatch("custom-html/bad-backup.patch")),
      }),
    });
    try {
      const base = `http://127.0.0.1:${guarded.service.port}`;
      const auth = (password: string) => ({
        authorization: `Basic ${Buffer.from(`anyone:${password}`).toString("base64")}`,
      });
      for (const path of ["/", "/runs/1", "/metrics", "/pulls/o/r/1"]) {
        expect((await fetch(`${base}${path}`)).status, path).toBe(401);
        expect(
          (await fetch(`${base}${path}`, { headers: auth("wrong password!") })).status,
          path,
        ).toBe(401);
      }
      expect((await fetch(`${base}/`, { headers: auth("correct horse battery") })).status).toBe(
        200,
      );
      expect(
        (await fetch(`${base}/metrics`, { headers: auth("correct horse battery") })).status,
      ).toBe(200);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/webhook`, { method: "POST", body: "{}" })).status).toBe(401); // the signature, not a password
      expect(guarded.rawLogs.join("\n")).not.toContain("correct horse battery");
    } finally {
      await guarded.close();
    }
  });
});

describe("createMetrics", () => {
  it("sets a fixture's verdict from its pin only, and forgets fixtures that left the manifest", async () => {
    const { createMetrics } = await import("../../src/ops/metrics.ts");
    const m = createMetrics({ queue: () => ({ queued: 0, running: 0 }) });
    m.verification("a", "fail", 0.2, "pin");
    m.verification("a", "pass", 0.1, "candidate");
    m.verification("gone", "fail", null, "pin");
    let samples = parsePrometheus(await m.registry.metrics());
    expect(sampleValue(samples, "fixture_bot_fixture_verdict", { fixture: "a" })).toBe(1);
    expect(
      sampleValue(samples, "fixture_bot_verification_duration_seconds_count", { verdict: "pass" }),
    ).toBe(1);
    m.retainFixtures(["a"]);
    samples = parsePrometheus(await m.registry.metrics());
    expect(
      sampleValue(samples, "fixture_bot_fixture_verdict", { fixture: "gone" }),
    ).toBeUndefined();
    expect(sampleValue(samples, "fixture_bot_fixture_verdict", { fixture: "a" })).toBe(1);
  });
});
