/**
 * The one trust rule: what a pull request is to fixture-bot. The webhook intake, the job handlers
 * and the reconcile all ask here, so they cannot disagree.
 *
 * - A PR whose head branch lives in another repository is from a **fork**. Fixture branches live
 *   in the fixture repository, so a fork's branch is never a fixture branch; and a fork's
 *   manifest is not trusted (it could name any repository the bot's token can read).
 * - A head repository that is missing is a fork: Gitea drops it when the fork was deleted, and a
 *   manifest from a deleted fork is no more trustworthy than from a live one. (A trimmed payload
 *   that omits the head repository but gives its id is judged by the id.)
 * - A PR is **watched** (verified on every push, and repaired by the reconcile) when it is not
 *   from a fork and either its head branch holds fixtures or it targets the manifest repository.
 *   A fork's PR to the manifest repository is verified only when a writer comments `/verify`.
 */
import { type Fixture, fixturesOnBranch, type Manifest } from "./manifest.ts";
import { sameRepoName } from "./names.ts";

export type PullFacts = {
  /** owner/name of the repository the PR is in (its base). */
  repo: string;
  /** The base repository's id, when known (webhook payloads give it). */
  repoId?: number | null;
  head: {
    ref: string;
    /** owner/name of the head repository; null or undefined when Gitea gives none. */
    repoFullName?: string | null;
    /** The head repository's id, when the payload gives it without the repository itself. */
    repoId?: number | null;
  };
};

export type PullRole = {
  fork: boolean;
  /** The fixtures whose branch is this PR's head branch (none for a fork). */
  fixtures: Fixture[];
  /** The PR targets the repository that holds the manifest. */
  manifestRepo: boolean;
  watched: boolean;
  /** Why an unwatched PR is left alone, in words for a log line or a reply. */
  why: string | null;
};

export function isFork(pr: PullFacts): boolean {
  const { head } = pr;
  if (head.repoFullName) return !sameRepoName(head.repoFullName, pr.repo);
  if (typeof head.repoId === "number" && head.repoId > 0 && typeof pr.repoId === "number") {
    return head.repoId !== pr.repoId;
  }
  return true;
}

export function pullRole(manifest: Manifest, fixturesRepo: string | null, pr: PullFacts): PullRole {
  return roleOf(manifest, fixturesRepo, pr.repo, pr.head.ref, isFork(pr));
}

/** The role of a pull request whose fork status is known (a job carries it from the intake). */
export function roleOf(
  manifest: Manifest,
  fixturesRepo: string | null,
  repo: string,
  headRef: string,
  fork: boolean,
): PullRole {
  const fixtures = fork ? [] : fixturesOnBranch(manifest, repo, headRef);
  const manifestRepo = fixturesRepo !== null && sameRepoName(repo, fixturesRepo);
  const watched = !fork && (fixtures.length > 0 || manifestRepo);
  let why: string | null = null;
  if (!watched) {
    why = !fork
      ? `no fixture in ${repo} uses branch ${headRef}`
      : manifestRepo
        ? "a pull request from a fork to the manifest repository runs only on /verify by a writer"
        : "the head branch is in a fork; fixture branches live in the fixture repository";
  }
  return { fork, fixtures, manifestRepo, watched, why };
}
