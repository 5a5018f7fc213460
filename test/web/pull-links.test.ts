/**
 * Issue 17, item 2: a link to a pull request leads to the run of the head it reports. With a
 * head (the PR comment's link): that head's latest run. Without one: the run of the PR's current
 * head, as its newest job says by Gitea's updated_at, never simply the newest row.
 */
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/ops/metrics.ts";
import type { ManifestSource } from "../../src/pipeline/manifest-source.ts";
import type { PullJob } from "../../src/queue/job.ts";
import { jobKey, jobRevision, pullKey } from "../../src/queue/job.ts";
import { createJobStore } from "../../src/queue/job-store.ts";
import type { RunReport } from "../../src/shared/result.ts";
import { openDatabase } from "../../src/store/database.ts";
import { createRunStore } from "../../src/store/runs.ts";
import { createPages } from "../../src/web/pages.ts";
import { createWebRoutes } from "../../src/web/routes.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);

function setup() {
  const db = openDatabase(":memory:");
  const jobs = createJobStore(db);
  const runs = createRunStore(db);
  const pull = (headSha: string, updatedAt: string, id: string): PullJob => ({
    id,
    deliveryId: id,
    repo: "o/r",
    receivedAt: updatedAt,
    kind: "pull",
    number: 5,
    headSha,
    headRef: "regression-x",
    baseRef: "main",
    trigger: "synchronized",
    only: null,
    fromFork: false,
    updatedAt,
  });
  const run = (sha: string): number =>
    runs.record(
      {
        kind: "pull",
        repo: "o/r",
        sha,
        number: 5,
        trigger: "synchronized",
        results: [],
        manifestErrors: [],
        pins: [],
        unknownNames: [],
      } satisfies RunReport,
      null,
    );
  const pages = createPages({
    manifests: { current: () => ({ version: 1, fixtures: [] }) } as unknown as ManifestSource,
    runs,
    currentHead: (repo, number) => jobs.newestHead(pullKey(repo, number)),
    metrics: createMetrics({ queue: () => ({ queued: 0, running: 0 }) }),
    giteaUrl: "https://git.example.org",
    dryRun: false,
    manifestFile: "fixtures.yaml",
  });
  return { jobs, runs, pull, run, app: createWebRoutes(pages) };
}

describe("links to a pull request's run", () => {
  it("lead to the run of the head they name, or of the PR's current head, not to the newest row", async () => {
    const { jobs, pull, run, app } = setup();
    // B is the PR's head (its delivery is newer); a run of the older head A was recorded last.
    for (const job of [
      pull(B, "2026-12-01T10:00:02Z", "j-b"),
      pull(A, "2026-12-01T10:00:01Z", "j-a"),
    ]) {
      jobs.add(job, jobKey(job), jobRevision(job));
    }
    const runB = run(B);
    const runA = run(A);
    expect(runA).toBeGreaterThan(runB);

    const current = await app.request("/pulls/o/r/5");
    expect(current.status).toBe(302);
    expect(
      new URL(current.headers.get("location") as string, "http://x/pulls/o/r/5").pathname,
    ).toBe(`/runs/${runB}`);
    const named = await app.request(`/pulls/o/r/5/${A}`);
    expect(
      new URL(named.headers.get("location") as string, `http://x/pulls/o/r/5/${A}`).pathname,
    ).toBe(`/runs/${runA}`);
  });

  it("say there is no run yet for a head nothing has verified, and refuse what is not a commit id", async () => {
    const { jobs, pull, app } = setup();
    const job = pull(B, "2026-12-01T10:00:02Z", "j-b");
    jobs.add(job, jobKey(job), jobRevision(job));
    const none = await app.request("/pulls/o/r/5");
    expect(none.status).toBe(404);
    expect(await none.text()).toContain("No run for this pull request&#39;s head yet.");
    const unknown = await app.request(`/pulls/o/r/5/${"c".repeat(40)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("No run for this head of the pull request yet.");
    expect((await app.request("/pulls/o/r/5/not-a-sha")).status).toBe(404);
  });

  it("fall back to the newest run only when no job for the PR is known any more", async () => {
    const { run, app } = setup();
    const only = run(A);
    const res = await app.request("/pulls/o/r/5");
    expect(new URL(res.headers.get("location") as string, "http://x/pulls/o/r/5").pathname).toBe(
      `/runs/${only}`,
    );
  });
});
