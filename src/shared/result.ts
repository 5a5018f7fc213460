/**
 * The result of verifying fixtures: what the engine produces and every renderer (text, JSON,
 * comment, status) consumes. The check ids are part of the interface: they appear in reports, in
 * `--json` output and in docs/checks.md, and people grep for them. Add new ones at the end; never
 * rename one.
 */
import type { Tier } from "./fixture.ts";
import { type Redact, type Sanitizer, secretsOf } from "./redact.ts";

/** Every check, in the order reports list them. What each does is engine/checks.ts. */
export const CHECK_IDS = [
  "sha-exists",
  "sha-on-branch",
  "branch-tip",
  "base-exists",
  "change-present",
  "paths",
  "not-emptied",
  "yaml-valid",
  "compose-valid",
  "whitespace-churn",
  "mode",
  "binary",
  "lines",
  "keys",
  "max-lines",
  "max-commits",
  "earlier-tiers",
  "config-version",
  "effective-change",
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

export type CheckStatus = "pass" | "fail" | "warn" | "skip";

export type CheckResult = {
  id: CheckId;
  status: CheckStatus;
  /** One line a person can act on. */
  message: string;
  /** Optional supporting lines (offending paths, lines, candidates), already capped. */
  details?: string[];
  /** For a failure: what to do about it, in one line (shown before the details). */
  fix?: string;
  /**
   * For a failure: why, as data, one per problem the check found, the first first. Reports build
   * their diagnosis from these fields, never from the message's words. (Absent in runs stored
   * before causes existed.)
   */
  causes?: CheckCause[];
};

/** The kinds of causes the checks give, by check. */
export const CAUSE_KINDS = [
  // sha-exists, sha-on-branch, base-exists, change-present
  "no-commit",
  "ambiguous-pin",
  "not-a-commit",
  "no-branch",
  "wrong-branch",
  "force-pushed",
  "base-is-tag",
  "no-base",
  "unrelated-base",
  "no-change",
  // not-emptied
  "emptied",
  "deleted",
  "cannot-tell",
  // yaml-valid, compose-valid
  "unparsable",
  "does-not-deploy",
  // paths, whitespace-churn, mode, binary, lines, keys, max-lines, max-commits
  "outside-change",
  "whitespace",
  "mode",
  "binary",
  "extra-line",
  "extra-key",
  "too-many-lines",
  "too-many-commits",
  // earlier-tiers, config-version, effective-change
  "earlier-tier",
  "unversioned-config",
  "no-op",
] as const;

export type CheckCauseKind = (typeof CAUSE_KINDS)[number];

/**
 * Why a check failed, as data: the kind of problem, and the fields that kind uses. A field is
 * what the repository or git says (a path, a key path, a value), never words for a person.
 */
export type CheckCause = {
  kind: CheckCauseKind;
  /** The file it is about. */
  path?: string;
  /** The files to restore (or remove) to undo it. */
  files?: string[];
  /** Where in a YAML document or a deployment. */
  keyPath?: string[];
  /** The values at both ends. */
  before?: string;
  after?: string;
  /** earlier-tier: the tier that would go red first. */
  tier?: Tier;
  /** A name git knows: the branch the pin is on, the commit a tag names. */
  ref?: string;
  /** The object it is about, as the recipe names it: a config's or secret's key (`config nginx_conf`). */
  name?: string;
  /** A detail of the kind: a file's git status, the nature of a parse failure, what churns. */
  detail?: string;
  /** unversioned-config: the variable its name carries its version in, and where it is set. */
  variable?: string;
  where?: string;
  /** A count and its limit (lines, commits). */
  count?: number;
  limit?: number;
  /** What may change: a rule's keys, its glob, its lines rule (`change[0].lines`). */
  allowed?: string;
  /** no-op: why each change reaches nothing. */
  reasons?: string[];
};

/** `error` means "could not check" (repository unreachable, auth refused, timeout). */
export type Verdict = "pass" | "fail" | "error";

export type Hunk = {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Lines prefixed with " ", "-", "+" or "\" (no newline at end of file). */
  lines: string[];
};

export type FileReport = {
  path: string;
  oldPath: string | null;
  status: string;
  added: number;
  removed: number;
  binary: boolean;
  /** null when there is no line diff to show (binary, too large, not inspected). */
  hunks: Hunk[] | null;
};

/** One change to the default deployment, as reports show it (recipe/deployment-diff.ts). */
export type DeploymentChangeReport = {
  /** `services.app deploy label backupbot.backup.volumes.content.path`. */
  what: string;
  /** The values at both ends, as shown (`absent` for none). */
  before: string;
  after: string;
  /** value; content (same name); bump, new-content, external (a mount under a new name). */
  kind: "value" | "content" | "bump" | "new-content" | "external";
  /** The first tier that reads it; null when nothing does. */
  readBy: Tier | null;
  /** Why that tier (or why nothing) reads it. */
  why: string;
};

/** What a fixture changes in what abra deploys, compared at the merge-base and the pin. */
export type DeploymentReport = {
  /** The default deployment's files at the pin: `compose.yml + compose.postgres.yml`. */
  title: string;
  changes: DeploymentChangeReport[];
};

export type FixtureResult = {
  name: string;
  repo: string;
  branch: string;
  /** The pin as written in the manifest. */
  sha: string;
  base: string | null;
  expect: string | null;
  /** The tier the canary must go red at, when the manifest says. */
  tier?: Tier | null;
  resolvedSha: string | null;
  mergeBase: string | null;
  verdict: Verdict;
  checks: CheckResult[];
  files: FileReport[];
  /** What it changes in the default deployment (absent in runs stored before, and when not compared). */
  deployment?: DeploymentReport | null;
  /** Why the fixture could not be checked, when verdict is `error`. */
  error: string | null;
};

export type Summary = Record<Verdict, number>;

export function summarize(results: readonly FixtureResult[]): Summary {
  const summary: Summary = { pass: 0, fail: 0, error: 0 };
  for (const r of results) summary[r.verdict] += 1;
  return summary;
}

/** A fixture-branch PR's head against the manifest's pin of one fixture. */
export type PinFact = {
  name: string;
  /** The pin as the manifest writes it. */
  pinned: string;
  head: string;
  /**
   * Whether the pinned commit is still on the fixture branch (reachable from this head): false
   * after a force-push or rebase dropped it. Absent when not asked (and in runs stored before).
   */
  pinnedOnBranch?: boolean;
};

/** One run of the service for one commit: what the status and the PR comment report. */
export type RunReport = {
  /** pull: a PR's head as candidate pins; push: pins re-checked after a push; reconcile: every pin. */
  kind: "pull" | "push" | "reconcile";
  repo: string;
  /** The commit the status is set on (PR head or pushed head). */
  sha: string;
  /** The pull request, when there is one. */
  number: number | null;
  /** Why it ran: opened, synchronized, /verify by @user, push, ... */
  trigger: string;
  results: FixtureResult[];
  /** The manifest at the PR head does not load: one line per problem, with file:line:col. */
  manifestErrors: string[];
  /** For a fixture-branch PR: the manifest's pin of each fixture against this head. */
  pins: PinFact[];
  /** Names given to /verify that no fixture has. */
  unknownNames: string[];
};

export type RunState = "success" | "failure" | "error";

/** failure when anything failed (a known problem beats an unknown one), else error, else success. */
export function runState(report: RunReport): RunState {
  const s = summarize(report.results);
  if (s.fail > 0 || report.manifestErrors.length > 0) return "failure";
  if (s.error > 0) return "error";
  return "success";
}

/**
 * Keep a report small enough to store and show: at most `maxLines` diff lines in all (in file
 * order), each at most `maxLineLength` characters, and at most `maxFiles` files per fixture.
 */
export function capReportDiffs(
  report: RunReport,
  maxLines = 2_000,
  maxLineLength = 500,
  maxFiles = 200,
): RunReport {
  let budget = maxLines;
  const clip = (line: string) =>
    line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line;
  const results = report.results.map((r) => ({
    ...r,
    files: r.files.slice(0, maxFiles).map((f) => {
      if (f.hunks === null) return f;
      const hunks = [];
      for (const h of f.hunks) {
        if (budget <= 0) break;
        const lines = h.lines.slice(0, budget).map(clip);
        budget -= lines.length;
        hunks.push({ ...h, lines });
      }
      return { ...f, hunks };
    }),
  }));
  return { ...report, results };
}

/**
 * A result fit to show outside the machine: the one redaction step for everything a result
 * carries that came from git, a repository or the file system. The error (what git or the bot
 * wrote) goes through `clean` whole (secrets and local paths); what the repository wrote (names,
 * check messages and details, file paths, diff lines) through its secrets alone, so `/data` in a
 * recipe stays `/data`. A diff line keeps its `+`/`-`/` ` prefix whatever the secret. Pure.
 */
export function sanitizeResult(result: FixtureResult, clean: Redact | Sanitizer): FixtureResult {
  const secrets = secretsOf(clean);
  const line = (l: string) => `${l.slice(0, 1)}${secrets(l.slice(1))}`;
  return {
    ...result,
    name: secrets(result.name),
    repo: secrets(result.repo),
    branch: secrets(result.branch),
    base: result.base === null ? null : secrets(result.base),
    expect: result.expect === null ? null : secrets(result.expect),
    error: result.error === null ? null : clean(result.error),
    checks: result.checks.map((c) => ({
      ...c,
      message: secrets(c.message),
      ...(c.details ? { details: c.details.map(secrets) } : {}),
      ...(c.fix ? { fix: secrets(c.fix) } : {}),
      ...(c.causes ? { causes: c.causes.map((cause) => sanitizeCause(cause, secrets)) } : {}),
    })),
    files: result.files.map((f) => ({
      ...f,
      path: secrets(f.path),
      oldPath: f.oldPath === null ? null : secrets(f.oldPath),
      hunks: f.hunks === null ? null : f.hunks.map((h) => ({ ...h, lines: h.lines.map(line) })),
    })),
    ...(result.deployment
      ? {
          deployment: {
            title: secrets(result.deployment.title),
            changes: result.deployment.changes.map((c) => ({
              ...c,
              what: secrets(c.what),
              before: secrets(c.before),
              after: secrets(c.after),
            })),
          },
        }
      : {}),
  };
}

/** A cause's text fields (paths, values, names from the repository) through `secrets`. */
function sanitizeCause(cause: CheckCause, secrets: (text: string) => string): CheckCause {
  const out: CheckCause = { ...cause };
  for (const key of [
    "path",
    "before",
    "after",
    "ref",
    "name",
    "variable",
    "where",
    "allowed",
    "detail",
  ] as const) {
    const value = out[key];
    if (typeof value === "string") (out as Record<string, unknown>)[key] = secrets(value);
  }
  if (out.files) out.files = out.files.map(secrets);
  if (out.keyPath) out.keyPath = out.keyPath.map(secrets);
  if (out.reasons) out.reasons = out.reasons.map(secrets);
  return out;
}
