/**
 * The HTTP edge alone, for app.request() tests: the captured payloads' repository and a manifest
 * with a fixture for each capture, and an app whose queue is an array.
 */
import type { Manifest } from "../../src/config/manifest.ts";
import { createApp } from "../../src/intake/app.ts";
import { createSignatureVerifier } from "../../src/intake/signature.ts";
import type { Job } from "../../src/queue/job.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { CAPTURE_SECRET } from "./deliveries.ts";
import { fixture } from "./recipes.ts";

/** The repository of the captured payloads. */
export const CAPTURED_REPO = "TEST/test-repository";

export const capturedManifest: Manifest = {
  version: 1,
  fixtures: [
    fixture({
      name: "for-pr",
      repo: CAPTURED_REPO,
      branch: "for_pr",
      sha: "c8ef951",
      base: "main",
    }),
    fixture({ name: "on-main", repo: CAPTURED_REPO, branch: "main", sha: "da25191" }),
    // The legacy capture is from another repository; its head and base carry only repo_id.
    fixture({
      name: "legacy",
      repo: "Test-CI/multi-line-secrets",
      branch: "test-patch-1",
      sha: "788ed8d",
    }),
  ],
};

export function intakeApp(
  options: { maxBodyBytes?: number; botUserId?: number | null; fixturesRepo?: string | null } = {},
) {
  const jobs: Job[] = [];
  const events: [string, string][] = [];
  const app = createApp({
    verifySignature: createSignatureVerifier(CAPTURE_SECRET),
    enqueue: (job) => {
      jobs.push(job);
      return { queued: true, jobId: job.id };
    },
    routeContext: () => ({
      manifest: capturedManifest,
      fixturesRepo: options.fixturesRepo ?? null,
      botUserId: options.botUserId ?? null,
    }),
    log: silentLogger,
    onDelivery: (event, outcome) => void events.push([event, outcome]),
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const post = (body: string | Uint8Array, headers: Record<string, string>) =>
    app.request("/webhook", { method: "POST", body, headers });
  return { app, jobs, events, post };
}
