/**
 * A verification process: forked by the service's verifier pool (verifier-pool.ts), it builds a
 * workspace on the service's DATA_DIR from the `init` message, then answers `verify` requests one
 * at a time: each repository fetched, each fixture verified, each result sent back as it comes.
 * Its log lines go to the service, which writes them. On SIGTERM (the pool ending it: a deadline,
 * the service stopping) it ends its git first, so none outlives it.
 */
import { readFileSync } from "node:fs";
import { errorMessage } from "../shared/errors.ts";
import type { LogFn, Logger } from "../shared/logger.ts";
import { createRedactor } from "../shared/redact.ts";
import { createWorkspace, type Workspace } from "../workspace/workspace.ts";
import { createInProcessVerifier, type Verifier } from "./verifier.ts";
import type { FromWorker, ToWorker, WorkerConfig } from "./verify-protocol.ts";

function send(message: FromWorker): void {
  process.send?.(message);
}

function logger(bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: "debug" | "info" | "warn" | "error"): LogFn =>
    (obj, msg = "") =>
      send({ type: "log", level, obj: { ...bindings, ...obj }, msg });
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (more) => logger({ ...bindings, ...more }),
  };
}

let workspace: Workspace | null = null;
let verifier: Verifier | null = null;
let redact = (text: string) => text;

function init(config: WorkerConfig): void {
  redact = createRedactor(config.secrets);
  workspace = createWorkspace({
    dataDir: config.dataDir,
    giteaUrl: config.giteaUrl,
    token: config.token ?? undefined,
    redact,
    maxBlobBytes: config.limits.maxBlobBytes,
  });
  verifier = createInProcessVerifier({ workspace, limits: config.limits, log: logger() });
  send({ type: "ready" });
}

// One request at a time: the pool gives a process a new one only once the last is answered.
let queue: Promise<void> = Promise.resolve();

process.on("message", (message: ToWorker) => {
  if (message.type === "init") {
    init(message.config);
    return;
  }
  const { id } = message;
  failpoint(message.fixtures.map((f) => f.name));
  queue = queue.then(async () => {
    if (!verifier) {
      send({ type: "failed", id, message: "the verification process was not initialised" });
      return;
    }
    try {
      const results = await verifier.verify(
        { fixtures: message.fixtures, refspecs: message.refspecs },
        { onVerified: (result, ms) => send({ type: "verified", id, result, ms }) },
      );
      send({ type: "done", id, results });
    } catch (error) {
      send({ type: "failed", id, message: redact(errorMessage(error)) });
    }
  });
});

/**
 * Fault injection for the tests of what the service does when this process fails: the file that
 * FIXTURE_BOT_FAILPOINT_FILE names may say `verify-crash:NAME` (this process kills itself,
 * SIGKILL, when asked to verify the fixture NAME) or `verify-hang:NAME` (it never answers). It is
 * read at each request, so a test can arm it while the service runs. Unset, as in production:
 * nothing is read.
 */
function failpoint(names: readonly string[]): void {
  const file = process.env.FIXTURE_BOT_FAILPOINT_FILE;
  if (!file) return;
  let text = "";
  try {
    text = readFileSync(file, "utf8").trim();
  } catch {
    return;
  }
  const [kind, name] = text.split(":");
  if (name === undefined || !names.includes(name)) return;
  if (kind === "verify-crash") process.kill(process.pid, "SIGKILL");
  if (kind === "verify-hang") queue = new Promise(() => undefined);
}

const end = () => {
  workspace?.endGit();
  process.exit(0);
};
process.on("SIGTERM", end);
process.on("SIGINT", end);
// The service went away (its end of the channel closed): so does this process.
process.on("disconnect", end);
