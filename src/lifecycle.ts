/**
 * The service's life, apart from how it is wired: listen, resume the jobs a previous process
 * left, run the reconcile now and on its interval, and on stop refuse new deliveries (503), let
 * running jobs finish up to the grace period, and close. `serve()` adds the signals.
 */
import { serve as serveHttp } from "@hono/node-server";
import type { JobQueue } from "./queue/job-queue.ts";
import type { Logger } from "./shared/logger.ts";

export type Service = {
  /** The port the server listens on (useful with PORT=0). */
  port: number;
  /** Stop accepting (503), let running jobs finish up to `graceMs`, close everything. */
  stop(graceMs?: number): Promise<{ unfinished: number }>;
  /** Resolves when no job is queued or running. */
  idle(): Promise<void>;
  /** Run the reconcile now (it also runs at start and every RECONCILE_INTERVAL). */
  reconcile(): Promise<unknown>;
  /** Kill every git still running (for the process's exit: none may outlive it). */
  endGit(): number;
  log: Logger;
};

export type Parts = {
  app: { fetch: (request: Request) => Response | Promise<Response> };
  queue: JobQueue;
  reconciler: { run(): Promise<unknown>; start(intervalMs: number): void; stop(): Promise<void> };
  /** Deliveries are taken while this says so (the app answers 503 otherwise). */
  accepting: { set(value: boolean): void };
  close(): void | Promise<void>;
  endGit(): number;
  log: Logger;
};

export async function launch(
  parts: Parts,
  settings: { port: number; hostname: string; reconcileIntervalMs: number; graceMs: number },
): Promise<Service> {
  const { queue, reconciler, log } = parts;
  // Jobs a previous process accepted but did not finish (a crash, SIGKILL, a deadline) run first.
  queue.resume();
  const server = serveHttp({
    fetch: parts.app.fetch,
    port: settings.port,
    hostname: settings.hostname,
  });
  const port = await new Promise<number>((done, fail) => {
    server.once("listening", () => {
      const address = server.address();
      done(typeof address === "object" && address ? address.port : settings.port);
    });
    server.once("error", fail);
  });
  reconciler.start(settings.reconcileIntervalMs);

  let stopping: Promise<{ unfinished: number }> | null = null;
  return {
    port,
    log,
    idle: () => queue.idle(),
    reconcile: () => reconciler.run(),
    endGit: () => parts.endGit(),
    stop(graceMs = settings.graceMs) {
      stopping ??= (async () => {
        parts.accepting.set(false);
        log.info({ graceMs }, "stopping: refusing new deliveries, letting running jobs finish");
        const [{ unfinished }] = await Promise.all([
          queue.drain(graceMs),
          // A reconcile under way gets the same grace (it is re-run at the next start anyway).
          Promise.race([
            reconciler.stop(),
            new Promise((done) => setTimeout(done, graceMs).unref()),
          ]),
        ]);
        if (unfinished > 0)
          log.warn({ unfinished }, "stopping with unfinished jobs; they resume at the next start");
        await new Promise<void>((done) => server.close(() => done()));
        await parts.close();
        log.info({}, "stopped");
        return { unfinished };
      })();
      return stopping;
    },
  };
}

/**
 * Run a service until SIGTERM/SIGINT, then drain. Returns the exit code; the caller exits the
 * process with it (a job still running past the grace period must not keep it alive). A signal
 * that arrives while starting up is honoured as soon as the service is up.
 */
export async function untilSignalled(start: () => Promise<Service>): Promise<number> {
  let pending: string | null = null;
  let onSignal: ((signal: string) => void) | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (onSignal) onSignal(signal);
    else pending ??= signal;
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  const service = await start();
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
