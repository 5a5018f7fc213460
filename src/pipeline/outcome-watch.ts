/**
 * The service's side of issue 18: keeps each canary's outcome in the recipe CI current (after a
 * `status` delivery for a pinned commit, and at every reconcile), stores it for the dashboard, and
 * keeps one commit status on the fixtures repository's default branch head, context
 * `<STATUS_CONTEXT>/outcomes`: failing and naming the canaries that are off (wrong-tier, not-red,
 * red), green again once none is. Nothing is posted when nothing changed.
 */
import type { Fixture } from "../config/manifest.ts";
import type { GiteaClient } from "../gitea/client.ts";
import type { FetchedDocument } from "../gitea/fetch-document.ts";
import type { CanaryOutcome } from "../outcome/canary-outcome.ts";
import { BAD_OUTCOMES } from "../outcome/judge.ts";
import { errorMessage } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { Verdict } from "../shared/result.ts";
import type { OutcomeStore } from "../store/outcomes.ts";
import type { ManifestSource } from "./manifest-source.ts";
import { observeCanaries } from "./observe-canaries.ts";

export type OutcomeWatchDeps = {
  gitea: GiteaClient;
  manifests: ManifestSource;
  store: OutcomeStore;
  /** fixture-bot's latest verdict on the fixture's current pin, when there is one. */
  verdictOf: (fixture: Fixture) => Verdict | null;
  fetchUrl: (url: string) => Promise<FetchedDocument>;
  /** The directory a relative `ci.results` path is read from (FIXTURES_FILE's); null with FIXTURES_REPO. */
  baseDir: string | null;
  sanitize: (text: string) => string;
  log: Logger;
  config: { statusContext: string; publicUrl: string | null };
};

export type OutcomeWatch = {
  /**
   * Read and judge the named canaries again (every canary when null), store their outcomes, and
   * bring the `…/outcomes` status up to date. Resolves with the outcomes read.
   */
  refresh(names: readonly string[] | null, gitea?: GiteaClient): Promise<CanaryOutcome[]>;
};

/** The `…/outcomes` status for these outcomes (pure). */
export function outcomeStatus(outcomes: readonly CanaryOutcome[]): {
  state: "success" | "failure";
  description: string;
} {
  const off = outcomes.filter((o) => BAD_OUTCOMES.has(o.outcome));
  if (off.length > 0) {
    const text = `${off.length} ${off.length === 1 ? "canary" : "canaries"} off in the recipe CI: ${off
      .map((o) => `${o.name} (${o.outcome})`)
      .join(", ")}`;
    return { state: "failure", description: text.length > 139 ? `${text.slice(0, 138)}…` : text };
  }
  const fine = outcomes.filter((o) => o.outcome === "as-expected").length;
  const waiting = outcomes.length - fine;
  return {
    state: "success",
    description: `no canary is off in the recipe CI (${fine} as expected${waiting > 0 ? `, ${waiting} not judged yet` : ""})`,
  };
}

export function createOutcomeWatch(deps: OutcomeWatchDeps): OutcomeWatch {
  const context = `${deps.config.statusContext}/outcomes`;
  // One refresh posts at a time: two at once could post the same change twice.
  let chain: Promise<unknown> = Promise.resolve();
  let saidNoRepo = false;

  async function refresh(
    names: readonly string[] | null,
    gitea = deps.gitea,
  ): Promise<CanaryOutcome[]> {
    const manifest = deps.manifests.current();
    if (!manifest.ci) return [];
    const fixtures =
      names === null ? manifest.fixtures : manifest.fixtures.filter((f) => names.includes(f.name));
    const outcomes = await observeCanaries(fixtures, {
      ci: manifest.ci,
      baseDir: deps.baseDir,
      statuses: (repo, sha) => gitea.listStatuses(repo, sha),
      fetchUrl: deps.fetchUrl,
      verdictOf: deps.verdictOf,
      sanitize: deps.sanitize,
    });
    deps.store.save(outcomes);
    deps.store.retain(manifest.fixtures.map((f) => f.name));
    for (const o of outcomes) {
      deps.log.info(
        { fixture: o.name, outcome: o.outcome, message: o.message },
        "canary outcome in the recipe CI",
      );
    }
    const current = [...deps.store.all().values()];
    const done = chain.then(() => post(current, gitea));
    chain = done.catch(() => undefined);
    await done;
    return outcomes;
  }

  async function post(outcomes: readonly CanaryOutcome[], gitea: GiteaClient): Promise<void> {
    const repo = deps.manifests.repo;
    if (repo === null) {
      // No fixtures repository to post on (FIXTURES_FILE): the dashboard shows the outcomes.
      if (!saidNoRepo && outcomes.some((o) => BAD_OUTCOMES.has(o.outcome))) {
        saidNoRepo = true;
        deps.log.info(
          {},
          "a canary is off in the recipe CI; no …/outcomes status is posted, since the manifest is a local file (set FIXTURES_REPO for one)",
        );
      }
      return;
    }
    const wanted = outcomeStatus(outcomes);
    const last = deps.store.lastPosted();
    // A green status is news only once a red one was posted: none at all means nothing was ever off.
    if (wanted.state === "success" && last === null) return;
    try {
      const branch = (await gitea.getRepo(repo)).default_branch;
      const head = (await gitea.getBranch(repo, branch)).commit.id;
      if (
        last !== null &&
        last.headSha === head &&
        last.state === wanted.state &&
        last.description === wanted.description
      )
        return;
      await gitea.createStatus(repo, head, {
        state: wanted.state,
        context,
        description: wanted.description,
        ...(deps.config.publicUrl ? { target_url: `${deps.config.publicUrl}/#outcomes` } : {}),
      });
      deps.store.setPosted({ headSha: head, ...wanted });
      deps.log.info({ repo, head, ...wanted }, "canary outcomes status posted");
    } catch (error) {
      deps.log.warn(
        { repo, err: deps.sanitize(errorMessage(error)) },
        "could not post the canary outcomes status",
      );
    }
  }

  return { refresh };
}
