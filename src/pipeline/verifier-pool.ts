/**
 * Verifications in child processes, so the service's own thread does only the intake, the pages
 * and the queue's bookkeeping. Up to `size` processes (the service's CONCURRENCY), started when
 * first needed and kept for the next job; each runs one verification at a time, at a lower
 * scheduling priority (nice 10), so that on a machine whose cores are all busy verifying, a
 * delivery still gets the CPU for its 202 at once.
 *
 * A job's deadline ends its verification by ending its process (SIGTERM, which ends its git, then
 * SIGKILL after a grace): the job's runner reports the timeout, and the next job gets a fresh
 * process. A process that dies while verifying (killed from outside, out of memory) fails that
 * verification with VerifierDied, never leaving the job waiting. `close()` ends them all, when
 * the service stops: what they were verifying resumes at the next start.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { setPriority } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Logger } from "../shared/logger.ts";
import type { FixtureResult } from "../shared/result.ts";
import { type Verifier, VerifierDied, type VerifyOptions, type VerifyRequest } from "./verifier.ts";
import type { FromWorker, ToWorker, WorkerConfig } from "./verify-protocol.ts";

export type VerifierPoolOptions = {
  size: number;
  config: WorkerConfig;
  log: Logger;
  /** The niceness of the processes (default 10; 0 keeps the service's own priority). */
  nice?: number;
  /** After SIGTERM, how long a process has to end before SIGKILL (default 2 s). */
  killGraceMs?: number;
};

export type VerifierPool = Verifier & {
  /** The pids of the processes now running (tests end one to see the job survive it). */
  pids(): number[];
};

type Pending = {
  id: number;
  options: VerifyOptions;
  resolve: (results: FixtureResult[]) => void;
  reject: (error: unknown) => void;
};

type Worker = {
  child: ChildProcess;
  ready: Promise<void>;
  busy: Pending | null;
  exited: boolean;
};

/** The worker's entry: the compiled .js beside this file, or the .ts source run through tsx. */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) {
    const require = createRequire(import.meta.url);
    const tsx = join(dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs");
    return {
      file: join(dirname(here), "verify-worker.ts"),
      execArgv: ["--import", pathToFileURL(tsx).href],
    };
  }
  return { file: join(dirname(here), "verify-worker.js"), execArgv: [] };
}

export function createVerifierPool(options: VerifierPoolOptions): VerifierPool {
  const { log } = options;
  const workers = new Set<Worker>();
  const waiting: { request: VerifyRequest; pending: Pending }[] = [];
  const entry = workerEntry();
  let nextId = 1;
  let closed = false;

  function start(): Worker {
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    });
    try {
      if (child.pid !== undefined) setPriority(child.pid, options.nice ?? 10);
    } catch {
      // Not allowed here (some containers): it runs at the service's priority.
    }
    let markReady: () => void = () => undefined;
    const worker: Worker = {
      child,
      ready: new Promise((resolve) => {
        markReady = resolve;
      }),
      busy: null,
      exited: false,
    };
    child.on("message", (message: FromWorker) => onMessage(worker, message, markReady));
    child.on("exit", (code, signal) => {
      worker.exited = true;
      workers.delete(worker);
      const pending = worker.busy;
      worker.busy = null;
      if (pending) pending.reject(new VerifierDied(code, signal));
      pump();
    });
    child.on("error", (error) => {
      log.error({ err: error.message }, "verification process error");
    });
    send(worker, { type: "init", config: options.config });
    workers.add(worker);
    return worker;
  }

  function send(worker: Worker, message: ToWorker): void {
    if (!worker.exited && worker.child.connected) worker.child.send(message);
  }

  function onMessage(worker: Worker, message: FromWorker, markReady: () => void): void {
    if (message.type === "ready") {
      markReady();
      return;
    }
    if (message.type === "log") {
      const target = worker.busy?.options.log ?? log;
      target[message.level](message.obj, message.msg);
      return;
    }
    const pending = worker.busy;
    if (!pending || pending.id !== message.id) return;
    if (message.type === "verified") {
      pending.options.onVerified?.(message.result, message.ms);
      return;
    }
    worker.busy = null;
    if (message.type === "done") pending.resolve(message.results);
    else pending.reject(new Error(message.message));
    pump();
  }

  /** Hand waiting requests to idle processes, starting processes up to `size`. */
  function pump(): void {
    if (closed) return;
    while (waiting.length > 0) {
      let idle = [...workers].find((w) => w.busy === null && !w.exited);
      if (!idle && workers.size < options.size) idle = start();
      if (!idle) return;
      const { request, pending } = waiting.shift() as (typeof waiting)[number];
      const worker = idle;
      worker.busy = pending;
      void worker.ready.then(() =>
        send(worker, {
          type: "verify",
          id: pending.id,
          fixtures: [...request.fixtures],
          refspecs: Object.fromEntries(
            Object.entries(request.refspecs ?? {}).map(([repo, specs]) => [repo, [...specs]]),
          ),
        }),
      );
    }
  }

  /** End a process: SIGTERM (it ends its git), then SIGKILL if it is still there. */
  function end(worker: Worker): Promise<void> {
    if (worker.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (!worker.exited) worker.child.kill("SIGKILL");
      }, options.killGraceMs ?? 2_000);
      timer.unref();
      worker.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      worker.child.kill("SIGTERM");
    });
  }

  return {
    verify(request, verifyOptions = {}) {
      if (closed) return Promise.reject(new Error("the verifier pool is closed"));
      const { signal } = verifyOptions;
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<FixtureResult[]>((resolve, reject) => {
        const pending: Pending = { id: nextId++, options: verifyOptions, resolve, reject };
        const onAbort = () => {
          const at = waiting.findIndex((w) => w.pending === pending);
          if (at !== -1) waiting.splice(at, 1);
          const worker = [...workers].find((w) => w.busy === pending);
          if (worker) {
            worker.busy = null;
            void end(worker);
          }
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        const settle =
          <T>(fn: (value: T) => void) =>
          (value: T) => {
            signal?.removeEventListener("abort", onAbort);
            fn(value);
          };
        pending.resolve = settle(resolve);
        pending.reject = settle(reject);
        waiting.push({ request, pending });
        pump();
      });
    },
    async close() {
      closed = true;
      // A verification cut short by the service stopping is not a failure of its job: the job
      // resumes at the next start. So its promise is left unsettled (the process is ending), and
      // nothing is reported for it.
      waiting.splice(0);
      for (const w of workers) w.busy = null;
      await Promise.all([...workers].map((w) => end(w)));
    },
    pids: () =>
      [...workers].flatMap((w) => (w.child.pid !== undefined && !w.exited ? [w.child.pid] : [])),
  };
}
