/**
 * Composition root for `fixture-bot serve`: read the environment, build every dependency, start
 * the HTTP server and the queue, and on SIGTERM stop taking deliveries and let running jobs finish.
 */
import { resolve } from "node:path";
import { serve as serveHttp } from "@hono/node-server";
import { loadServeEnv, type ServeEnv } from "./config/env.ts";
import { DEFAULT_LIMITS } from "./engine/inspect-files.ts";
import { createGiteaClient, type GiteaClient } from "./gitea/client.ts";
import { createDryRunClient } from "./gitea/dry-run.ts";
import { createApp } from "./intake/app.ts";
import { createSignatureVerifier } from "./intake/signature.ts";
import { createJobHandler } from "./pipeline/handle-job.ts";
import { createManifestSource } from "./pipeline/manifest-source.ts";
import { createJobQueue } from "./queue/job-queue.ts";
import { ConfigError, errorMessage } from "./shared/errors.ts";
import { createLogger, type Logger } from "./shared/logger.ts";
import { createRedactor } from "./shared/redact.ts";
import { createWorkspace } from "./workspace/workspace.ts";

export type Service = {
  /** The port the server listens on (useful with PORT=0 in tests). */
  port: number;
  /** Stop accepting, drain running jobs (up to `graceMs`), close the server. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when no job is queued or running (tests, and the drain on shutdown). */
  idle(): Promise<void>;
  log: Logger;
};

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
  const redact = createRedactor([env.GITEA_TOKEN, env.WEBHOOK_SECRET]);
  const log = createLogger({ level: env.LOG_LEVEL, redact, destination: options.logDestination });
  const dataDir = resolve(env.DATA_DIR);
  const sanitize = (text: string) =>
    redact(text)
      .split(dataDir)
      .join("<data>")
      .replace(/file:\/\/\S+/g, "<local>");
  const dryRun = !env.GITEA_TOKEN;
  if (dryRun)
    log.warn(
      {},
      "GITEA_TOKEN is not set: dry-run mode, nothing will be posted to Gitea (only logged)",
    );

  const workspace = createWorkspace({
    dataDir,
    giteaUrl: env.GITEA_URL,
    token: env.GITEA_TOKEN,
    redact,
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
  });
  const reader = createGiteaClient({ baseUrl: env.GITEA_URL, token: env.GITEA_TOKEN, redact, log });
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
  });
  const queue = createJobQueue({ handle, concurrency: env.CONCURRENCY, log });
  let accepting = true;
  const app = createApp({
    verifySignature: createSignatureVerifier(env.WEBHOOK_SECRET),
    enqueue: (job) => queue.enqueue(job),
    routeContext: () => ({
      manifest: manifests.current(),
      fixturesRepo: manifests.repo,
      botUserId: bot?.id ?? null,
    }),
    log,
    accepting: () => accepting,
  });

  const server = serveHttp({ fetch: app.fetch, port: env.PORT, hostname: "0.0.0.0" });
  const port = await new Promise<number>((resolvePort, reject) => {
    server.once("listening", () => {
      const address = server.address();
      resolvePort(typeof address === "object" && address ? address.port : env.PORT);
    });
    server.once("error", reject);
  });
  log.info(
    {
      port,
      manifest: manifests.repo ? `${manifests.repo}:${manifests.path}` : env.FIXTURES_FILE,
      dryRun,
    },
    "fixture-bot is listening",
  );

  return {
    port,
    log,
    idle: () => queue.idle(),
    async stop(graceMs = 30_000) {
      accepting = false;
      log.info({ graceMs }, "stopping: no new deliveries, letting running jobs finish");
      const { unfinished } = await queue.drain(graceMs);
      if (unfinished > 0) log.warn({ unfinished }, "stopped with unfinished jobs");
      await new Promise<void>((done) => server.close(() => done()));
      log.info({}, "stopped");
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

/** `fixture-bot serve`: run until SIGTERM/SIGINT. Returns the exit code. */
export async function serve(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const service = await startService({ env });
  return new Promise<number>((done) => {
    const stop = (signal: string) => {
      service.log.info({ signal }, "signal received");
      service.stop().then(
        () => done(0),
        () => done(1),
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
