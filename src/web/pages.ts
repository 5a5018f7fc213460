/**
 * What the read-only pages show: the dashboard (every fixture with its current pin's latest
 * verdict), one run, the latest run of a pull request, and the Prometheus metrics.
 */
import type { Metrics } from "../ops/metrics.ts";
import type { ManifestSource } from "../pipeline/manifest-source.ts";
import { renderDashboard, renderNotFound, renderRunPage } from "../render/render-html.ts";
import type { StoredOutcome } from "../store/outcomes.ts";
import type { RunStore } from "../store/runs.ts";

export type Pages = {
  dashboard(): string;
  run(id: number): string | null;
  /**
   * The run a link to a pull request leads to: the latest run of the head it names, or, naming
   * none, of the PR's current head (as its newest job says). Null when there is none yet.
   */
  runForPull(repo: string, number: number, sha?: string): number | null;
  /** A page saying what was not found, with a way back to the dashboard. */
  notFound(what: string): string;
  metrics(): Promise<{ contentType: string; body: string }>;
};

export function createPages(options: {
  manifests: ManifestSource;
  runs: RunStore;
  /** The PR's head as its newest job says; null when no job for it is known. */
  currentHead: (repo: string, number: number) => string | null;
  /** Each canary's latest outcome in the recipe CI, by name. */
  outcomes?: () => Map<string, StoredOutcome>;
  metrics: Metrics;
  giteaUrl: string;
  dryRun: boolean;
  manifestFile: string;
}): Pages {
  const { manifests, runs } = options;
  return {
    dashboard() {
      const latest = runs.latestPins();
      const outcomes = options.outcomes?.() ?? new Map<string, StoredOutcome>();
      return renderDashboard({
        fixtures: manifests.current().fixtures.map((f) => {
          const v = latest.get(f.name);
          // A verification of another pin (before the manifest changed) is not this fixture's.
          const current = v && (v.sha === f.sha || v.resolvedSha?.startsWith(f.sha)) ? v : null;
          return {
            name: f.name,
            repo: f.repo,
            branch: f.branch,
            sha: f.sha,
            expect: f.expect,
            latest: current,
            // An outcome read for another pin (before the manifest changed) is not this one's.
            outcome: outcomes.get(f.name)?.sha === f.sha ? (outcomes.get(f.name) ?? null) : null,
          };
        }),
        recent: runs.recent(15),
        now: new Date(),
        giteaUrl: options.giteaUrl,
        dryRun: options.dryRun,
        manifestSource: manifests.repo
          ? `${manifests.repo}:${manifests.path}`
          : options.manifestFile,
      });
    },
    runForPull(repo, number, sha) {
      const head = sha ?? options.currentHead(repo, number);
      // Only when no job for the PR is known any more (pruned) is the newest run the best guess.
      if (head === null) return runs.latestForPull(repo, number);
      return runs.latestForPullHead(repo, number, head);
    },
    notFound: (what) => renderNotFound(what),
    run(id) {
      const run = runs.get(id);
      return run
        ? renderRunPage(run, {
            giteaUrl: options.giteaUrl,
            now: new Date(),
            outcomes: options.outcomes?.() ?? new Map(),
          })
        : null;
    },
    async metrics() {
      return {
        contentType: options.metrics.registry.contentType,
        body: await options.metrics.registry.metrics(),
      };
    },
  };
}
