/**
 * Composition root for `fixture-bot serve`: read the environment, build every dependency, resume
 * the jobs a previous process left, start the HTTP server and the reconcile, and on SIGTERM stop
 * taking deliveries (503) and let running jobs finish up to SHUTDOWN_GRACE.
 */
import { join, resolve } from "node:path";
import { serve as serveHttp } from "@hono/node-server";
import { loadServeEnv, type ServeEnv } from "./config/env.ts";
import { DEFAULT_LIMITS } from "./engine/inspect-files.ts";
import { createGiteaClient, type GiteaClient } from "./gitea/client.ts";
import { createDryRunClient } from "./gitea/dry-run.ts";
import { createApp, type Pages } from "./intake/app.ts";
import { createSignatureVerifier } from "./intake/signature.ts";
import { createMetrics, type Metrics } from "./ops/metrics.ts";
import { createJobHandler } from "./pipeline/handle-job.ts";
import { createManifestSource, type ManifestSource } from "./pipeline/manifest-source.ts";
import { createReconciler } from "./pipeline/reconcile.ts";
import { pullKey } from "./queue/job.ts";
import { createJobQueue, type JobQueue } from "./queue/job-queue.ts";
import { renderDashboard, renderRunPage } from "./report/render-html.ts";
import { ConfigError, errorMessage } from "./shared/errors.ts";
import { createLogger, type Logger } from "./shared/logger.ts";
import { createRedactor, createSanitizer } from "./shared/redact.ts";
import { openDatabase } from "./store/database.ts";
import { createJobStore } from "./store/jobs.ts";
import { createRunStore, type RunStore } from "./store/runs.ts";
import { createWorkspace } from "./workspace/workspace.ts";

export type Service = {
  /** The port the server listens on (useful with PORT=0). */
  port: number;
  /** Stop accepting (503), let running jobs finish up to `graceMs`, close everything. */
  stop(graceMs?: number): Promise<{ unfinished: number }>;
  /** Resolves when no job is queued or running. */
  idle(): Promise<void>;
  /** Run the reconcile now (it also runs at start and every RECONCILE_INTERVAL). */
  reconcile(): Promise<unknown>;
  log: Logger;
};

/** How long finished jobs (with their delivery ids) and runs are kept. */
export const RETENTION = { jobsDays: 30, runsDays: 90 };

export type ServeOptions = {
  env?: NodeJS.ProcessEnv;
  /** Where log lines go (tests capture them); default stdout. */
  logDestination?: { write(line: string): void };
};

export async function startService(options: ServeOptions = {}): Promise<Service> {
  const env = loadServeEnv(options.env ?? process.env);
  if (env.GITEA_URL.startsWith("file:")) {
    throw new ConfigError(
      "GITEA_URL must be the Gitea server's http(s) URL for serve (file:// is for the CLI)",
    );
  }
  const redact = createRedactor([env.GITEA_TOKEN, env.WEBHOOK_SECRET, env.DASHBOARD_PASSWORD]);
  const log = createLogger({ level: env.LOG_LEVEL, redact, destination: options.logDestination });
  const dataDir = resolve(env.DATA_DIR);
  const sanitize = createSanitizer(redact, dataDir);
  const dryRun = !env.GITEA_TOKEN;
  if (dryRun)
    log.warn(
      {},
      "GITEA_TOKEN is not set: dry-run mode, nothing will be posted to Gitea (only logged)",
    );

  const db = openDatabase(join(dataDir, "fixture-bot.sqlite"));
  const jobs = createJobStore(db);
  const runs = createRunStore(db);
  let queue: JobQueue | null = null;
  const metrics = createMetrics({ queue: () => queue?.stats() ?? { queued: 0, running: 0 } });

  const workspace = createWorkspace({
    dataDir,
    giteaUrl: env.GITEA_URL,
    token: env.GITEA_TOKEN,
    redact,
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
  });
  const reader = createGiteaClient({
    baseUrl: env.GITEA_URL,
    token: env.GITEA_TOKEN,
    redact,
    log,
    onError: (method, status) => metrics.giteaError(method, status),
  });
  const gitea: GiteaClient = dryRun ? createDryRunClient(reader, log) : reader;
  const bot = dryRun ? null : await whoAmI(gitea, env);
  if (bot) log.info({ bot: bot.login, id: bot.id }, "authenticated to Gitea");

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
  const handle = createJobHandler({
    gitea,
    workspace,
    manifests,
    bot,
    config: {
      statusContext: env.STATUS_CONTEXT,
      publicUrl: env.PUBLIC_URL ?? null,
      jobTimeoutMs: env.JOB_TIMEOUT,
    },
    limits: DEFAULT_LIMITS,
    log,
    sanitize,
    onVerified,
    record: (job, report) => runs.record(report, job.id),
    previousResults: (repo, number, sha) => runs.resultsFor(repo, number, sha),
    observe: (job, outcome, ms) =>
      metrics.job(job.kind, outcome === "error" ? "error" : "done", ms / 1000),
  });
  const jobQueue = createJobQueue({ handle, store: jobs, concurrency: env.CONCURRENCY, log });
  queue = jobQueue;
  const reconciler = createReconciler({
    gitea,
    workspace,
    manifests,
    enqueue: (job) => jobQueue.enqueue(job),
    handled: (repo, number, headSha) => jobs.handled(pullKey(repo, number), headSha),
    record: (report) => runs.record(report, null),
    limits: DEFAULT_LIMITS,
    log,
    sanitize,
    onVerified,
    housekeeping: () => {
      const day = 86_400_000;
      jobs.prune(new Date(Date.now() - RETENTION.jobsDays * day).toISOString());
      runs.prune(new Date(Date.now() - RETENTION.runsDays * day).toISOString());
      metrics.retainFixtures(manifests.current().fixtures.map((f) => f.name));
    },
    config: {
      statusContext: env.STATUS_CONTEXT,
      pendingAfterMs: env.STALE_PENDING_AFTER,
      requeuePulls: !dryRun,
    },
  });

  let accepting = true;
  const app = createApp({
    verifySignature: createSignatureVerifier(env.WEBHOOK_SECRET),
    enqueue: (job) => jobQueue.enqueue(job),
    routeContext: () => ({
      manifest: manifests.current(),
      fixturesRepo: manifests.repo,
      botUserId: bot?.id ?? null,
    }),
    log,
    accepting: () => accepting,
    onDelivery: (event, outcome) => metrics.delivery(event, outcome),
    pagesPassword: env.DASHBOARD_PASSWORD,
    pages: createPages({
      manifests,
      runs,
      metrics,
      giteaUrl: env.GITEA_PUBLIC_URL ?? env.GITEA_URL,
      dryRun,
      manifestFile: env.FIXTURES_FILE,
    }),
  });

  // Jobs a previous process accepted but did not finish (a crash, SIGKILL, a deadline) run first.
  jobQueue.resume();
  const server = serveHttp({ fetch: app.fetch, port: env.PORT, hostname: "0.0.0.0" });
  const port = await new Promise<number>((done, fail) => {
    server.once("listening", () => {
      const address = server.address();
      done(typeof address === "object" && address ? address.port : env.PORT);
    });
    server.once("error", fail);
  });
  log.info(
    {
      port,
      manifest: manifests.repo ? `${manifests.repo}:${manifests.path}` : env.FIXTURES_FILE,
      dryRun,
    },
    "fixture-bot is listening",
  );
  reconciler.start(env.RECONCILE_INTERVAL);

  let stopping: Promise<{ unfinished: number }> | null = null;
  return {
    port,
    log,
    idle: () => jobQueue.idle(),
    reconcile: () => reconciler.run(),
    stop(graceMs = env.SHUTDOWN_GRACE) {
      stopping ??= (async () => {
        accepting = false;
        reconciler.stop();
        log.info({ graceMs }, "stopping: refusing new deliveries, letting running jobs finish");
        const { unfinished } = await jobQueue.drain(graceMs);
        if (unfinished > 0)
          log.warn({ unfinished }, "stopping with unfinished jobs; they resume at the next start");
        await new Promise<void>((done) => server.close(() => done()));
        db.close();
        log.info({}, "stopped");
        return { unfinished };
      })();
      return stopping;
    },
  };
}

function createPages(options: {
  manifests: ManifestSource;
  runs: RunStore;
  metrics: Metrics;
  giteaUrl: string;
  dryRun: boolean;
  manifestFile: string;
}): Pages {
  const { manifests, runs } = options;
  return {
    dashboard() {
      const latest = runs.latestPins();
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
    latestRunForPull: (repo, number) => runs.latestForPull(repo, number),
    run(id) {
      const run = runs.get(id);
      return run ? renderRunPage(run, { giteaUrl: options.giteaUrl, now: new Date() }) : null;
    },
    async metrics() {
      return {
        contentType: options.metrics.registry.contentType,
        body: await options.metrics.registry.metrics(),
      };
    },
  };
}

async function whoAmI(gitea: GiteaClient, env: ServeEnv) {
  try {
    return await gitea.getCurrentUser();
  } catch (error) {
    throw new ConfigError(
      `GITEA_TOKEN was refused by ${env.GITEA_URL} (GET /api/v1/user: ${errorMessage(error)}); it needs the read:user scope`,
      { cause: error },
    );
  }
}

/**
 * `fixture-bot serve`: run until SIGTERM/SIGINT, then drain. Returns the exit code; the caller
 * exits the process with it (a job still running past the grace period must not keep it alive).
 * A signal that arrives while starting up is honoured as soon as the service is up.
 */
export async function serve(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let pending: string | null = null;
  let onSignal: ((signal: string) => void) | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (onSignal) onSignal(signal);
    else pending ??= signal;
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  const service = await startService({ env });
  return new Promise<number>((done) => {
    onSignal = (signal) => {
      onSignal = () => undefined; // a second signal changes nothing: the drain is under way
      service.log.info({ signal }, "signal received");
      service.stop().then(
        () => done(0),
        () => done(1),
      );
    };
    if (pending) onSignal(pending);
  });
}
