/**
 * What the recipe CI observed for each canary, and whether that is what the canary is for: reads
 * the sources the manifest's `ci:` block names (the CI's commit statuses on the pin, through
 * Gitea's API; its results document, from a file beside the manifest or a URL) and judges each
 * canary (outcome/judge.ts). The one place the CLI's `outcome` and the service read outcomes.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type { CiSource, Fixture } from "../config/manifest.ts";
import type { FetchedDocument } from "../gitea/fetch-document.ts";
import type { CanaryOutcome } from "../outcome/canary-outcome.ts";
import { expectedOf, judgeOutcome } from "../outcome/judge.ts";
import {
  fillResultsTemplate,
  mergeObserved,
  NOTHING_OBSERVED,
  type Observed,
  observedFromStatuses,
  parseResultsDocument,
  type StatusLike,
} from "../outcome/observed.ts";
import { errorMessage } from "../shared/errors.ts";

export type ObserveDeps = {
  ci: CiSource | null;
  /** Read this file as every canary's results document instead (the CLI's --results). */
  resultsFile?: string | null;
  /** Where a relative `ci.results` path is read from: the manifest's directory. */
  baseDir: string | null;
  /** The commit statuses of `sha` in `repo` (Gitea's API); null: statuses cannot be read here. */
  statuses: ((repo: string, sha: string) => Promise<StatusLike[]>) | null;
  /** Fetch a results document at an http(s) URL; null: URLs cannot be read here. */
  fetchUrl: ((url: string) => Promise<FetchedDocument>) | null;
  /** fixture-bot's own verdict on the canary's pin, when known (the prediction). */
  verdictOf?: (fixture: Fixture) => "pass" | "fail" | "error" | null;
  sanitize: (text: string) => string;
};

export async function observeCanaries(
  fixtures: readonly Fixture[],
  deps: ObserveDeps,
): Promise<CanaryOutcome[]> {
  return Promise.all(fixtures.map((f) => observeCanary(f, deps)));
}

export async function observeCanary(fixture: Fixture, deps: ObserveDeps): Promise<CanaryOutcome> {
  const read = await readObservations(fixture, deps);
  const expected = expectedOf(fixture);
  const base = {
    name: fixture.name,
    repo: fixture.repo,
    sha: fixture.sha,
    expected,
    observed: read.observed,
    source: read.source,
  };
  if (read.error !== null) {
    return {
      ...base,
      outcome: "no-results",
      message: `could not read the CI's results: ${read.error}`,
      advice:
        "check GITEA_URL and the token (it must be able to read the repository), and the manifest's ci: block",
      gap: null,
      error: read.error,
    };
  }
  const judged = judgeOutcome({
    name: fixture.name,
    sha: fixture.sha,
    expected,
    observed: read.observed,
    verdict: deps.verdictOf?.(fixture) ?? null,
  });
  return { ...base, ...judged, error: null };
}

type Read = { observed: Observed; source: string; error: string | null };

async function readObservations(fixture: Fixture, deps: ObserveDeps): Promise<Read> {
  if (deps.resultsFile) {
    const doc = await fromDocument(await readLocal(deps.resultsFile));
    return { ...doc, source: deps.resultsFile };
  }
  const { ci } = deps;
  if (ci === null) {
    return { observed: NOTHING_OBSERVED, source: "none", error: "the manifest has no ci: block" };
  }
  const sources: string[] = [];
  let statuses: Observed | null = null;
  let results: Observed | null = null;
  if (ci.statusContext !== null) {
    sources.push(`statuses ${ci.statusContext}`);
    if (deps.statuses === null) {
      return {
        observed: NOTHING_OBSERVED,
        source: sources.join(" + "),
        error: "commit statuses are read from Gitea's API: GITEA_URL must be the Gitea server",
      };
    }
    try {
      statuses = observedFromStatuses(
        await deps.statuses(fixture.repo, fixture.sha),
        ci.statusContext,
      );
    } catch (error) {
      return {
        observed: NOTHING_OBSERVED,
        source: sources.join(" + "),
        error: deps.sanitize(errorMessage(error)),
      };
    }
  }
  if (ci.results !== null) {
    const [owner = "", repo = ""] = fixture.repo.split("/");
    const where = fillResultsTemplate(ci.results, {
      owner,
      repo,
      sha: fixture.sha,
      name: fixture.name,
    });
    sources.push(where);
    const doc = await fromDocument(await readDocument(where, deps));
    if (doc.error !== null) {
      return {
        observed: statuses ?? NOTHING_OBSERVED,
        source: sources.join(" + "),
        error: `${where} ${doc.error}`,
      };
    }
    results = doc.observed;
  }
  return { observed: mergeObserved(statuses, results), source: sources.join(" + "), error: null };
}

async function fromDocument(
  fetched: FetchedDocument,
): Promise<{ observed: Observed; error: string | null }> {
  if (fetched.kind === "missing") return { observed: NOTHING_OBSERVED, error: null };
  if (fetched.kind === "error") return { observed: NOTHING_OBSERVED, error: fetched.message };
  const parsed = parseResultsDocument(fetched.text);
  return typeof parsed === "string"
    ? { observed: NOTHING_OBSERVED, error: parsed }
    : { observed: parsed, error: null };
}

function readDocument(where: string, deps: ObserveDeps): Promise<FetchedDocument> {
  if (/^https?:\/\//i.test(where)) {
    return deps.fetchUrl
      ? deps.fetchUrl(where)
      : Promise.resolve({ kind: "error", message: "cannot be fetched here" });
  }
  if (deps.baseDir === null) {
    return Promise.resolve({
      kind: "error",
      message:
        "is a path, which needs a manifest file to be read beside (with FIXTURES_REPO, use a URL)",
    });
  }
  return readLocal(isAbsolute(where) ? where : resolve(deps.baseDir, where));
}

/** A local results document; one that does not exist is missing (the CI has not written it). */
async function readLocal(path: string): Promise<FetchedDocument> {
  try {
    const buffer = await readFile(path);
    if (buffer.byteLength > 1024 * 1024)
      return { kind: "error", message: "is larger than 1048576 bytes" };
    return { kind: "ok", text: buffer.toString("utf8") };
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return { kind: "missing" };
    return {
      kind: "error",
      message: `cannot be read (${String((error as { code?: unknown }).code ?? errorMessage(error))})`,
    };
  }
}
