/**
 * Composition root for `fixture-bot serve`: read the environment and build every dependency, in
 * the order a delivery flows through them (intake -> queue -> pipeline -> workspace/engine ->
 * render -> gitea/web). How the service lives (listen, resume, reconcile, drain, signals) is
 * `lifecycle.ts`.
 */
import { dirname, join, resolve } from "node:path";
import { loadServeEnv } from "./config/env.ts";
import { manifestFingerprint } from "./config/manifest.ts";
import { DEFAULT_LIMITS } from "./engine/inspect-files.ts";
import { createGiteaClient, type GiteaClient } from "./gitea/client.ts";
import { createDryRunClient } from "./gitea/dry-run.ts";
import { fetchDocument } from "./gitea/fetch-document.ts";
import { whoAmI } from "./gitea/who-am-i.ts";
import { createApp } from "./intake/app.ts";
import { createSignatureVerifier } from "./intake/signature.ts";
import { launch, type Service, untilSignalled } from "./lifecycle.ts";
import { createMetrics } from "./ops/metrics.ts";
import type { PipelineDeps } from "./pipeline/job-context.ts";
import { createManifestSource } from "./pipeline/manifest-source.ts";
import { createOutcomeWatch } from "./pipeline/outcome-watch.ts";
import { createReconciler } from "./pipeline/reconcile.ts";
import { createGiveUp, createJobRunner } from "./pipeline/run-job.ts";
import { createVerifierPool } from "./pipeline/verifier-pool.ts";
import { pullKey } from "./queue/job.ts";
import { createJobQueue } from "./queue/job-queue.ts";
import { createJobStore } from "./queue/job-store.ts";
import { ConfigError } from "./shared/errors.ts";
import { createLogger, type Logger } from "./shared/logger.ts";
import { createRedactor, createSanitizer } from "./shared/redact.ts";
import { openDatabase } from "./store/database.ts";
import { createDecisionStore } from "./store/decisions.ts";
import { createOutcomeStore } from "./store/outcomes.ts";
import { forgetOld } from "./store/retention.ts";
import { createRunStore } from "./store/runs.ts";
import { createPages } from "./web/pages.ts";
import { createWebRoutes } from "./web/routes.ts";
import { createWorkspace } from "./workspace/workspace.ts";

export type { Service } from "./lifecycle.ts";
export { RETENTION } from "./store/retention.ts";

export type ServeOptions = {
  env?: NodeJS.ProcessEnv;
  /** Where log lines go (tests capture them); default stdout. */
  logDestination?: { write(line: string): void };
  /** How long to keep asking a Gitea that is down at start before giving up (default 2 min). */
  giteaWaitMs?: number;
  /** The Gitea client's first retry backoff (default 250 ms; tests make it short). */
  giteaBackoffMs?: number;
  /** Verify on this thread instead of in verification processes (tests of other things). */
  inProcessVerification?: boolean;
};

export async function startService(options: ServeOptions = {}): Promise<Service> {
  const env = loadServeEnv(options.env ?? process.env);
  if (env.GITEA_URL.startsWith("file:")) {
    throw new ConfigError(
      "GITEA_URL must be the Gitea server's http(s) URL for serve (file:// is for the CLI)",
    );
  }
  // Secrets are masked in every log line and every text the bot publishes.
  const redact = createRedactor([env.GITEA_TOKEN, env.WEBHOOK_SECRET, env.DASHBOARD_PASSWORD]);
  const log: Logger = createLogger({
    level: env.LOG_LEVEL,
    redact,
    destination: options.logDestination,
  });
  const dataDir = resolve(env.DATA_DIR);
  const sanitize = createSanitizer(redact, dataDir);
  const dryRun = !env.GITEA_TOKEN;
  if (dryRun)
    log.warn(
      {},
      "GITEA_TOKEN is not set: dry-run mode, nothing will be posted to Gitea (only logged)",
    );

  // Stores: durable jobs (the queue's) and runs (the dashboard's), in one SQLite file.
  const db = openDatabase(join(dataDir, "fixture-bot.sqlite"));
  const jobs = createJobStore(db);
  const runs = createRunStore(db);
  const decisions = createDecisionStore(db);
  const outcomeStore = createOutcomeStore(db);
  const metrics = createMetrics({ queue: () => jobs.counts() });

  // The outside world: git mirrors, and Gitea (or, without a token, a stand-in that only logs).
  const workspace = createWorkspace({
    dataDir,
    giteaUrl: env.GITEA_URL,
    token: env.GITEA_TOKEN,
    redact,
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
    // This process answers deliveries: a 10,000-commit history parsed here held each delivery
    // behind it for ~40 ms. Its few ancestry questions (a pin against a PR head) go to git.
    commitGraph: false,
  });
  const api = createGiteaClient({
    baseUrl: env.GITEA_URL,
    token: env.GITEA_TOKEN,
    redact,
    log,
    timeoutMs: env.GITEA_TIMEOUT,
    ...(options.giteaBackoffMs !== undefined ? { backoffMs: options.giteaBackoffMs } : {}),
    onError: (method, status) => metrics.giteaError(method, status),
  });
  const gitea: GiteaClient = dryRun ? createDryRunClient(api, log) : api;
  const bot = await whoAmI(gitea, {
    giteaUrl: env.GITEA_URL,
    log,
    waitMs: options.giteaWaitMs ?? 120_000,
  });
  log.info({ bot: bot.login, id: bot.id }, dryRun ? "dry run" : "authenticated to Gitea");

  const manifests = await createManifestSource({
    file: env.FIXTURES_FILE,
    repo: env.FIXTURES_REPO ?? null,
    path: env.FIXTURES_PATH,
    workspace,
    defaultBranch: async () => (await gitea.getRepo(env.FIXTURES_REPO as string)).default_branch,
    log,
  });
  const onVerified = (
    result: { name: string; verdict: "pass" | "fail" | "error" },
    ms: number | null,
    source: "pin" | "candidate",
  ) => metrics.verification(result.name, result.verdict, ms === null ? null : ms / 1000, source);

  // What the recipe CI observed for each canary (the manifest's ci: block), judged and kept.
  const outcomes = createOutcomeWatch({
    gitea,
    manifests,
    store: outcomeStore,
    verdictOf: (fixture) => {
      const v = runs.latestPins().get(fixture.name);
      return v && (v.sha === fixture.sha || v.resolvedSha?.startsWith(fixture.sha))
        ? v.verdict
        : null;
    },
    fetchUrl: (url) =>
      fetchDocument(url, { giteaUrl: env.GITEA_URL, token: env.GITEA_TOKEN, redact }),
    baseDir: env.FIXTURES_REPO ? null : dirname(resolve(env.FIXTURES_FILE)),
    sanitize,
    log,
    config: { statusContext: env.STATUS_CONTEXT, publicUrl: env.PUBLIC_URL ?? null },
  });

  // Verifications run in processes of their own (at a lower priority), never on this thread:
  // it answers deliveries and serves pages while they work.
  const verifier = options.inProcessVerification
    ? undefined
    : createVerifierPool({
        size: env.CONCURRENCY,
        config: {
          dataDir,
          giteaUrl: env.GITEA_URL,
          token: env.GITEA_TOKEN ?? null,
          limits: DEFAULT_LIMITS,
          secrets: [env.GITEA_TOKEN, env.WEBHOOK_SECRET, env.DASHBOARD_PASSWORD].filter(
            (v): v is string => typeof v === "string" && v.length > 0,
          ),
        },
        log,
      });

  // The pipeline: a job runner behind a durable queue, and the reconcile beside it.
  const pipeline: PipelineDeps = {
    gitea,
    workspace,
    manifests,
    bot,
    config: {
      statusContext: env.STATUS_CONTEXT,
      publicUrl: env.PUBLIC_URL ?? null,
      jobTimeoutMs: env.JOB_TIMEOUT,
      // The final status may outlive JOB_TIMEOUT by this much (an attempt and a retry); a worker
      // is free at most JOB_TIMEOUT + 2 x GITEA_TIMEOUT after its job started.
      finalStatusMs: 2 * env.GITEA_TIMEOUT,
      // A status POST left unanswered has had time to land (or not) after two attempt deadlines.
      settleMs: 2 * env.GITEA_TIMEOUT,
    },
    limits: DEFAULT_LIMITS,
    log,
    sanitize,
    onVerified,
    record: (job, report) => runs.record(report, job.id),
    previousResults: (repo, number, sha) => runs.resultsFor(repo, number, sha),
    outcomes,
    ...(verifier ? { verifier } : {}),
    // What was decided for a PR head, with the manifest it was decided by: the reconcile puts a
    // lost status back from it, and verifies again only when the manifest has changed since.
    decided: (decision) =>
      decisions.record({ ...decision, manifest: manifestFingerprint(manifests.current()) }),
    observe: (job, outcome, ms) =>
      metrics.job(job.kind, outcome === "error" ? "error" : "done", ms / 1000),
  };
  const queue = createJobQueue({
    handle: createJobRunner(pipeline),
    // A job the process died under three times is not run again; its PR gets an `error` status.
    giveUp: createGiveUp(pipeline),
    store: jobs,
    concurrency: env.CONCURRENCY,
    log,
  });
  const reconciler = createReconciler({
    gitea,
    workspace,
    manifests,
    enqueue: (job) => queue.enqueue(job),
    decision: (repo, number, headSha) => decisions.get(repo, number, headSha),
    busy: (repo, number) => jobs.busy(pullKey(repo, number)),
    outcomes,
    ...(verifier ? { verifier } : {}),
    report: (runId) => runs.get(runId)?.report ?? null,
    record: (report) => runs.record(report, null),
    limits: DEFAULT_LIMITS,
    log,
    sanitize,
    onVerified,
    housekeeping: () => {
      forgetOld({ jobs, runs, decisions }, new Date());
      metrics.retainFixtures(manifests.current().fixtures.map((f) => f.name));
    },
    config: {
      statusContext: env.STATUS_CONTEXT,
      botLogin: bot.login,
      pendingAfterMs: env.STALE_PENDING_AFTER,
      requeuePulls: !dryRun,
      publicUrl: env.PUBLIC_URL ?? null,
    },
  });

  // HTTP: the webhook intake, and the read-only pages.
  let accepting = true;
  const app = createApp({
    verifySignature: createSignatureVerifier(env.WEBHOOK_SECRET),
    enqueue: (job) => queue.enqueue(job),
    routeContext: () => ({
      manifest: manifests.current(),
      fixturesRepo: manifests.repo,
      botUserId: dryRun ? null : bot.id,
    }),
    log,
    accepting: () => accepting,
    onDelivery: (event, outcome) => metrics.delivery(event, outcome),
  });
  const pages = createPages({
    manifests,
    runs,
    currentHead: (repo, number) => jobs.newestHead(pullKey(repo, number)),
    outcomes: () => outcomeStore.all(),
    metrics,
    giteaUrl: env.GITEA_PUBLIC_URL ?? env.GITEA_URL,
    dryRun,
    manifestFile: env.FIXTURES_FILE,
  });
  app.route("/", createWebRoutes(pages, env.DASHBOARD_PASSWORD));

  const service = await launch(
    {
      app,
      queue,
      reconciler,
      accepting: {
        set: (value) => {
          accepting = value;
        },
      },
      close: async () => {
        await verifier?.close();
        db.close();
      },
      endGit: () => workspace.endGit(),
      log,
    },
    {
      port: env.PORT,
      hostname: env.BIND_ADDRESS,
      reconcileIntervalMs: env.RECONCILE_INTERVAL,
      graceMs: env.SHUTDOWN_GRACE,
    },
  );
  log.info(
    {
      port: service.port,
      manifest: manifests.repo ? `${manifests.repo}:${manifests.path}` : env.FIXTURES_FILE,
      dryRun,
    },
    "fixture-bot is listening",
  );
  return service;
}

/**
 * `fixture-bot serve`: run until SIGTERM/SIGINT, then drain; returns the exit code. When the
 * process exits (cli.ts ends it once the drain is over, or an error ends it), every git the
 * service started that still runs is killed: each leads a process group of its own, which no
 * signal to the service's group reaches (workspace/process-groups.ts).
 */
export function serve(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let service: Service | null = null;
  process.once("exit", () => void service?.endGit());
  return untilSignalled(async () => {
    service = await startService({ env });
    return service;
  });
}
