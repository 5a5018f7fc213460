/**
 * When the reconcile runs: at start, then every RECONCILE_INTERVAL, never two at once, and not
 * after stop(). On the reconciler itself, with vitest's fake timers: no real clock, no sleep.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_LIMITS } from "../../src/engine/inspect-files.ts";
import type { GiteaClient } from "../../src/gitea/client.ts";
import type { ManifestSource } from "../../src/pipeline/manifest-source.ts";
import { createReconciler } from "../../src/pipeline/reconcile.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import type { Workspace } from "../../src/workspace/workspace.ts";

afterEach(() => {
  vi.useRealTimers();
});

function reconciler() {
  const runs: number[] = [];
  const manifests = {
    repo: null,
    path: "fixtures.yaml",
    current: () => ({ version: 1 as const, fixtures: [] }),
  } as unknown as ManifestSource;
  const r = createReconciler({
    gitea: {} as GiteaClient,
    workspace: {} as Workspace,
    manifests,
    enqueue: () => ({ queued: false, reason: "not in this test" }),
    record: () => {
      runs.push(Date.now());
      return null;
    },
    limits: DEFAULT_LIMITS,
    log: silentLogger,
    sanitize: (t) => t,
    config: {
      statusContext: "fixture-bot/verify",
      botLogin: "bot",
      pendingAfterMs: 1,
      requeuePulls: false,
    },
  });
  return { r, runs };
}

describe("the reconcile's schedule", () => {
  it("runs at start and again every interval, and not after stop()", async () => {
    vi.useFakeTimers();
    const { r, runs } = reconciler();
    r.start(300);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(300);
    expect(runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(600);
    expect(runs).toHaveLength(4);
    await r.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs).toHaveLength(4);
  });

  it("with an interval of 0 runs only at start", async () => {
    vi.useFakeTimers();
    const { r, runs } = reconciler();
    r.start(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(1);
    await r.stop();
  });
});
