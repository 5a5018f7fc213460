/**
 * One long-lived `git cat-file --batch-command -z` per mirror and verification run: object types,
 * sizes, contents, peeled refs and directory listings are asked of one process instead of one
 * process each. It keeps every rule of the runner: the same clean environment (token only as a
 * header through GIT_CONFIG_*), its own process group, a deadline on every answer (a process that
 * stops answering is killed and every question pending fails as a `timeout`, never hangs), the
 * job's signal, and names that can carry no newline (asked of git-runner.ts instead).
 *
 * git older than 2.36 has no --batch-command: the first question then fails with `unsupported`,
 * and the mirror asks its questions one process at a time, as before.
 */
import { spawn } from "node:child_process";
import { GitError } from "../shared/errors.ts";
import type { Redact } from "../shared/redact.ts";
import type { ProcessGroups } from "./process-groups.ts";

export type ObjectInfo = { oid: string; type: string; size: number };
export type Answer<T> = T | "missing" | "ambiguous";

export type GitBatch = {
  /** `info NAME`: the object a name (an id, a prefix, `rev^{commit}`, `rev:path`) resolves to. */
  info(name: string): Promise<Answer<ObjectInfo>>;
  /** `contents NAME`: the same, with the object's bytes. */
  contents(name: string): Promise<Answer<ObjectInfo & { data: Buffer }>>;
  /** End the process (idempotent); a question asked after it starts a new one. */
  close(): void;
};

export type GitBatchOptions = {
  cwd: string;
  env: Record<string, string>;
  /** The longest any one answer may take. */
  timeoutMs: number;
  redact: Redact;
  signal?: AbortSignal | undefined;
  onGit?: ((args: readonly string[]) => void) | undefined;
  /** How long the process may wait without a question before it is ended (default 2 s). */
  idleCloseMs?: number;
  /** Where the process's group is remembered while it lives, to be ended with the service. */
  groups?: ProcessGroups | undefined;
};

type Pending = {
  name: string;
  want: "info" | "contents";
  resolve: (answer: Answer<ObjectInfo & { data?: Buffer }>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

const ARGS = ["cat-file", "--batch-command", "-z"] as const;
const IDLE_CLOSE_MS = 2_000;

/** Let a child's pipe not keep this process alive on its own (a timer does while one is asked). */
function unref(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}

export function createGitBatch(options: GitBatchOptions): GitBatch {
  let child: ReturnType<typeof spawn> | null = null;
  let failure: GitError | null = null;
  let buffer: Buffer = Buffer.alloc(0);
  let stderr = "";
  const queue: Pending[] = [];
  // Whoever forgets to close the batch leaks no process: it ends itself once idle, and the next
  // question starts another.
  let idleTimer: NodeJS.Timeout | null = null;

  function fail(error: GitError): void {
    failure ??= error;
    for (const p of queue.splice(0)) {
      clearTimeout(p.timer);
      p.reject(failure);
    }
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }

  function start(): NonNullable<typeof child> {
    if (child) return child;
    options.onGit?.(ARGS);
    const proc = spawn("git", [...ARGS], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    child = proc;
    options.groups?.remember(proc.pid);
    // A batch process never keeps the bot alive on its own.
    proc.unref();
    unref(proc.stdin);
    unref(proc.stdout);
    unref(proc.stderr);
    proc.stdout?.on("data", (chunk: Buffer) => {
      if (proc !== child) return;
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      drain();
    });
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    proc.stdin?.on("error", () => undefined); // reported through "exit"
    proc.on("error", (error) => fail(new GitError("other", `git cat-file: ${error.message}`)));
    proc.on("exit", (code, signal) => {
      options.groups?.forget(proc.pid);
      if (proc !== child) return; // closed: its questions were answered or failed already
      if (queue.length === 0 && failure === null && code === 0) return;
      const text = options.redact(stderr).trim();
      if (/unknown option|usage: git cat-file/.test(text)) {
        fail(new GitError("unsupported", "git cat-file --batch-command needs git 2.36 or later"));
      } else if (signal !== null && failure === null) {
        fail(new GitError("killed", `git cat-file was killed (${signal})`));
      } else {
        const said = text.split("\n").filter(Boolean).slice(-2).join(" / ");
        fail(
          new GitError("other", `git cat-file stopped (exit ${code}${said ? `: ${said}` : ""})`),
        );
      }
    });
    options.signal?.addEventListener(
      "abort",
      () => fail(new GitError("timeout", "git cat-file: the job's deadline passed")),
      { once: true },
    );
    return proc;
  }

  /** Answer the questions whose answers have fully arrived, in order. */
  function drain(): void {
    while (queue.length > 0) {
      const head = queue[0] as Pending;
      const eol = buffer.indexOf(0x0a);
      if (eol === -1) return;
      const header = buffer.subarray(0, eol).toString("utf8");
      if (header === `${head.name} missing` || header === `${head.name} ambiguous`) {
        buffer = buffer.subarray(eol + 1);
        settle(header.endsWith(" missing") ? "missing" : "ambiguous");
        continue;
      }
      const match = /^([0-9a-f]{40}) (\w+) (\d+)$/.exec(header);
      if (!match) {
        fail(
          new GitError(
            "other",
            `git cat-file answered something unexpected: ${JSON.stringify(header.slice(0, 80))}`,
          ),
        );
        return;
      }
      const info = { oid: match[1] as string, type: match[2] as string, size: Number(match[3]) };
      if (head.want === "info") {
        buffer = buffer.subarray(eol + 1);
        settle(info);
        continue;
      }
      // contents: the header, the object's bytes, and a newline.
      if (buffer.length < eol + 1 + info.size + 1) return;
      const data = Buffer.from(buffer.subarray(eol + 1, eol + 1 + info.size));
      buffer = buffer.subarray(eol + 1 + info.size + 1);
      settle({ ...info, data });
    }
  }

  function settle(answer: Answer<ObjectInfo & { data?: Buffer }>): void {
    const head = queue.shift();
    if (!head) return;
    clearTimeout(head.timer);
    head.resolve(answer);
    if (queue.length === 0) {
      idleTimer = setTimeout(close, options.idleCloseMs ?? IDLE_CLOSE_MS);
      idleTimer.unref();
    }
  }

  function close(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    const closing = child;
    if (!closing) return;
    child = null;
    buffer = Buffer.alloc(0);
    for (const p of queue.splice(0)) {
      clearTimeout(p.timer);
      p.reject(new GitError("other", "git cat-file was closed before it answered"));
    }
    closing.stdin?.end();
  }

  function ask(
    want: "info" | "contents",
    name: string,
  ): Promise<Answer<ObjectInfo & { data?: Buffer }>> {
    if (/[\0\n]/.test(name)) {
      return Promise.reject(
        new GitError("other", "a name with a newline cannot be asked in a batch"),
      );
    }
    if (failure) return Promise.reject(failure);
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (options.signal?.aborted) {
      return Promise.reject(new GitError("timeout", "git cat-file: the job's deadline passed"));
    }
    const proc = start();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          fail(
            new GitError("timeout", `git cat-file did not answer within ${options.timeoutMs} ms`),
          ),
        options.timeoutMs,
      );
      queue.push({ name, want, resolve, reject, timer });
      proc.stdin?.write(`${want} ${name}\0`);
    });
  }

  return {
    info: (name) => ask("info", name) as Promise<Answer<ObjectInfo>>,
    contents: (name) => ask("contents", name) as Promise<Answer<ObjectInfo & { data: Buffer }>>,
    close,
  };
}
