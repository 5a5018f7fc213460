/**
 * The one place a job becomes git work, checks and Gitea reports. Every job that sets a `pending`
 * status ends it in `success`, `failure` or `error`, whatever happens on the way (an exception, a
 * timeout): a status never stays pending.
 */
import type { Fixture, Manifest } from "../config/manifest.ts";
import type { Limits } from "../engine/inspect-files.ts";
import type { GiteaClient } from "../gitea/client.ts";
import { ensureComment } from "../gitea/ensure-comment.ts";
import type { StatusState } from "../gitea/schemas.ts";
import type { CommandJob, Job, PullJob, PushJob } from "../queue/job.ts";
import { REPORT_MARKER, renderComment } from "../report/render-comment.ts";
import { renderStatus } from "../report/render-status.ts";
import { ConfigError, errorMessage, GitError, GiteaApiError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { FixtureResult, RunReport } from "../shared/result.ts";
import type { Mirror, Workspace } from "../workspace/workspace.ts";
import type { ManifestSource } from "./manifest-source.ts";
import { errorResult, verifyFixture, verifyFixtures } from "./verify-fixture.ts";

export type HandlerConfig = {
  statusContext: string;
  publicUrl: string | null;
  jobTimeoutMs: number;
};

export type HandlerDeps = {
  gitea: GiteaClient;
  workspace: Workspace;
  manifests: ManifestSource;
  /** The bot's Gitea user; null in dry-run mode (no token). */
  bot: { id: number; login: string } | null;
  config: HandlerConfig;
  limits: Limits;
  log: Logger;
  /** Removes secrets and local paths from text that will be shown in Gitea. */
  sanitize: (text: string) => string;
  /** Stores a finished report and returns its run id (its page is PUBLIC_URL/runs/<id>). */
  record?: (job: Job, report: RunReport) => number | null;
  /** Told of every fixture verification and how long it took (metrics). */
  onVerified?: (result: FixtureResult, ms: number) => void;
  /** Told how each job ended (metrics). */
  observe?: (job: Job, outcome: RunReport | "error", durationMs: number) => void;
};

const WRITERS = new Set(["write", "admin", "owner"]);

export function createJobHandler(deps: HandlerDeps): (job: Job) => Promise<void> {
  const { gitea, config } = deps;

  return async function handle(job) {
    const log = deps.log.child({
      job: job.id,
      delivery: job.deliveryId,
      kind: job.kind,
      repo: job.repo,
    });
    log.info({}, "job started");
    switch (job.kind) {
      case "pull":
        return handlePull(job, log);
      case "command":
        return handleCommand(job, log);
      case "push":
        return handlePush(job, log);
    }
  };

  /** The run's page when there is one, else the bot's own page. */
  function linkTo(runId: number | null): string | null {
    if (!config.publicUrl) return null;
    return runId === null ? config.publicUrl : `${config.publicUrl}/runs/${runId}`;
  }

  /** Set `pending`, run `work`, and always end in a final status. */
  async function withStatus(
    job: Job,
    sha: string,
    pendingText: string,
    log: Logger,
    work: () => Promise<RunReport>,
  ): Promise<{ report: RunReport; runId: number | null } | null> {
    const started = Date.now();
    await postStatus(job, sha, "pending", pendingText, linkTo(null), log);
    try {
      const report = await withTimeout(work(), config.jobTimeoutMs);
      const runId = recordSafely(job, report, log);
      const status = renderStatus(report);
      await postStatus(job, sha, status.state, status.description, linkTo(runId), log);
      log.info(
        { state: status.state, description: status.description, run: runId },
        "job finished",
      );
      deps.observe?.(job, report, Date.now() - started);
      return { report, runId };
    } catch (error) {
      const reason = error instanceof TimeoutError ? "timed out" : "could not finish";
      log.error({ err: deps.sanitize(errorMessage(error)) }, `job ${reason}`);
      await postStatus(
        job,
        sha,
        "error",
        `fixture-bot ${reason}: ${shortReason(error)}`,
        linkTo(null),
        log,
      );
      deps.observe?.(job, "error", Date.now() - started);
      return null;
    }
  }

  function recordSafely(job: Job, report: RunReport, log: Logger): number | null {
    try {
      return deps.record?.(job, report) ?? null;
    } catch (error) {
      log.error({ err: errorMessage(error) }, "could not store the run");
      return null;
    }
  }

  async function postStatus(
    job: Job,
    sha: string,
    state: StatusState,
    description: string,
    target: string | null,
    log: Logger,
  ): Promise<void> {
    try {
      await gitea.createStatus(job.repo, sha, {
        state,
        context: config.statusContext,
        description: deps.sanitize(description).slice(0, 139),
        ...(target ? { target_url: target } : {}),
      });
    } catch (error) {
      // Nothing more to do here: the reconcile (or the next delivery) repairs a missing status.
      log.error(
        { err: deps.sanitize(errorMessage(error)), state },
        "could not set the commit status",
      );
    }
  }

  async function handlePull(job: PullJob, log: Logger): Promise<void> {
    const manifest = deps.manifests.current();
    const candidates = fixturesOnBranch(manifest, job.repo, job.headRef);
    const isManifestRepo = job.repo === deps.manifests.repo;
    if (candidates.length === 0 && !isManifestRepo) {
      log.info({}, "no fixture uses this branch any more; nothing to do");
      return;
    }
    const mirror = await deps.workspace
      .sync(job.repo, { refspecs: [`+refs/pull/${job.number}/head:refs/pull/${job.number}/head`] })
      .catch((error: unknown) => error as Error);
    const manifestChange =
      isManifestRepo && !(mirror instanceof Error) ? await manifestChanges(job, mirror) : null;
    const fetchFailed = mirror instanceof Error;
    if (
      candidates.length === 0 &&
      !fetchFailed &&
      (manifestChange === null || manifestChange.unchanged)
    ) {
      log.info({}, "the pull request does not change the manifest; nothing to do");
      return;
    }
    const selected = job.only ? candidates.filter((f) => job.only?.includes(f.name)) : candidates;
    const count = selected.length + (manifestChange?.fixtures.length ?? 0);
    const outcome = await withStatus(
      job,
      job.headSha,
      `verifying ${count || "the manifest"}…`,
      log,
      async () => {
        const results: FixtureResult[] = [];
        for (const f of selected) {
          const candidate: Fixture = {
            ...f,
            sha: job.headSha,
            base: f.base === null ? null : job.baseRef,
          };
          // A failed fetch is each fixture's "could not check", reported like any other result.
          results.push(
            mirror instanceof Error
              ? errorResult(candidate, `could not fetch ${job.repo}: ${errorMessage(mirror)}`)
              : await verifyFixture(candidate, mirror, deps),
          );
        }
        if (manifestChange && !manifestChange.unchanged) {
          const wanted = job.only
            ? manifestChange.fixtures.filter((f) => job.only?.includes(f.name))
            : manifestChange.fixtures;
          results.push(...(await verifyFixtures(wanted, deps)));
        }
        const known = new Set(
          [...candidates, ...(manifestChange?.fixtures ?? [])].map((f) => f.name),
        );
        return {
          repo: job.repo,
          sha: job.headSha,
          number: job.number,
          kind: "pull",
          trigger: job.trigger,
          results: results.map((r) => sanitizeResult(r, deps.sanitize)),
          manifestErrors: manifestChange?.errors ?? [],
          pins: selected.map((f) => ({ name: f.name, pinned: f.sha, head: job.headSha })),
          unknownNames: (job.only ?? []).filter((n) => !known.has(n)),
        };
      },
    );
    if (outcome) await postComment(job, outcome.report, outcome.runId, log);
  }

  /** What a PR in FIXTURES_REPO changes in the manifest: the fixtures it adds or changes. */
  async function manifestChanges(
    job: PullJob,
    mirror: Mirror,
  ): Promise<{ unchanged: boolean; fixtures: Fixture[]; errors: string[] }> {
    const baseTip = await mirror.branchTip(job.baseRef);
    const mergeBase = baseTip ? await mirror.mergeBase(baseTip, job.headSha) : null;
    const [head, before] = await Promise.all([
      deps.manifests.readAt(mirror, job.headSha),
      mergeBase
        ? deps.manifests.readAt(mirror, mergeBase)
        : Promise.resolve({ missing: true } as const),
    ]);
    const headText = "text" in head ? head.text : null;
    const beforeText = "text" in before ? before.text : null;
    if (headText === beforeText) return { unchanged: true, fixtures: [], errors: [] };
    if ("missing" in head)
      return {
        unchanged: false,
        fixtures: [],
        errors: [`${deps.manifests.path}: the pull request deletes the manifest`],
      };
    if ("errors" in head) return { unchanged: false, fixtures: [], errors: head.errors };
    const previous = "manifest" in before ? before.manifest.fixtures : [];
    const changed = head.manifest.fixtures.filter((f) => {
      const old = previous.find((p) => p.name === f.name);
      return old === undefined || JSON.stringify(old) !== JSON.stringify(f);
    });
    return { unchanged: false, fixtures: changed, errors: [] };
  }

  async function postComment(
    job: PullJob,
    report: RunReport,
    runId: number | null,
    log: Logger,
  ): Promise<void> {
    if (deps.bot === null) {
      log.info({ comment: renderComment(report) }, "dry run: would post this report comment");
      return;
    }
    try {
      // A result for a head that is no longer the PR's head must not overwrite a newer report.
      const pr = await gitea.getPull(job.repo, job.number);
      if (pr.head.sha !== job.headSha) {
        log.info({ head: pr.head.sha }, "the pull request moved on; not posting this older report");
        return;
      }
      const body = renderComment(report, {
        // A stable link (the PR's latest run), so an unchanged report is not edited just for a new run id.
        detailsUrl: config.publicUrl ? `${config.publicUrl}/pulls/${job.repo}/${job.number}` : null,
      });
      const result = await ensureComment(
        gitea,
        { repo: job.repo, number: job.number, botLogin: deps.bot.login, marker: REPORT_MARKER },
        body,
      );
      log.info({ comment: result.commentId, action: result.action }, "report comment");
    } catch (error) {
      log.error({ err: deps.sanitize(errorMessage(error)) }, "could not post the report comment");
    }
  }

  async function handleCommand(job: CommandJob, log: Logger): Promise<void> {
    if (deps.bot !== null) {
      let permission: string;
      try {
        permission = await gitea.getPermission(job.repo, job.user);
      } catch (error) {
        if (error instanceof GiteaApiError && error.status === 403) {
          log.error(
            { user: job.user },
            "configuration problem: the token may not read collaborator permissions (it needs admin on the repository); /verify refused",
          );
          await reply(
            job,
            `@${job.user} I could not check who may run \`/verify\` here: my token lacks admin rights on \`${job.repo}\`. Please ask a repository admin.`,
            log,
          );
          return;
        }
        if (error instanceof GiteaApiError && error.status === 404) permission = "none";
        else throw error;
      }
      if (!WRITERS.has(permission)) {
        log.info({ user: job.user, permission }, "/verify refused: no write permission");
        await reply(
          job,
          `@${job.user} only users with write access to \`${job.repo}\` can run \`/verify\`.`,
          log,
        );
        return;
      }
      await gitea.addReaction(job.repo, job.commentId, "eyes").catch((error: unknown) => {
        log.warn({ err: deps.sanitize(errorMessage(error)) }, "could not react to the command");
      });
    } else {
      log.info({ user: job.user }, "dry run: would check the commenter's permission");
    }
    const pr = await gitea.getPull(job.repo, job.number);
    await handlePull(
      {
        ...job,
        kind: "pull",
        headSha: pr.head.sha,
        headRef: pr.head.ref,
        baseRef: pr.base.ref,
        trigger: `/verify by @${job.user}`,
      },
      log,
    );
  }

  async function reply(job: CommandJob, text: string, log: Logger): Promise<void> {
    try {
      await gitea.createComment(job.repo, job.number, text);
    } catch (error) {
      log.error({ err: deps.sanitize(errorMessage(error)) }, "could not reply to the command");
    }
  }

  async function handlePush(job: PushJob, log: Logger): Promise<void> {
    const manifestBranch = job.repo === deps.manifests.repo && job.branch === job.defaultBranch;
    let manifestErrors: string[] = [];
    if (manifestBranch) {
      try {
        await deps.manifests.reload({ commit: job.after });
      } catch (error) {
        manifestErrors =
          error instanceof ConfigError ? [...error.issues] : [deps.sanitize(errorMessage(error))];
      }
    }
    const fixtures = fixturesOnBranch(deps.manifests.current(), job.repo, job.branch);
    if (!manifestBranch && fixtures.length === 0) {
      log.info({}, "no fixture uses this branch any more; nothing to do");
      return;
    }
    await withStatus(
      job,
      job.after,
      `verifying ${fixtures.length || "the manifest"}…`,
      log,
      async () => ({
        repo: job.repo,
        sha: job.after,
        number: null,
        kind: "push",
        trigger: `push to ${job.branch}`,
        results: (await verifyFixtures(fixtures, deps)).map((r) =>
          sanitizeResult(r, deps.sanitize),
        ),
        manifestErrors,
        pins: [],
        unknownNames: [],
      }),
    );
  }
}

function fixturesOnBranch(manifest: Manifest, repo: string, branch: string): Fixture[] {
  return manifest.fixtures.filter((f) => f.repo === repo && f.branch === branch);
}

function sanitizeResult(result: FixtureResult, sanitize: (t: string) => string): FixtureResult {
  return {
    ...result,
    error: result.error === null ? null : sanitize(result.error),
    checks: result.checks.map((c) => ({ ...c, message: sanitize(c.message) })),
  };
}

class TimeoutError extends Error {}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no result after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function shortReason(error: unknown): string {
  if (error instanceof TimeoutError) return "the job took too long";
  if (error instanceof GiteaApiError)
    return `Gitea API error${error.status ? ` ${error.status}` : ""}`;
  if (error instanceof GitError) return `git failed (${error.failure})`;
  return "internal error (see the bot's log)";
}
