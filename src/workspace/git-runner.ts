/**
 * The one place git runs. Every call gets: a clean environment (no inherited EDITOR or askpass,
 * no global or system git config), no terminal prompts, an inactivity timeout and a total
 * deadline, the allowed transports pinned, and the Gitea token (when there is one) as an HTTP
 * header through GIT_CONFIG_* environment variables: never in argv, never in a URL, so it cannot
 * show up in `ps`, in git's error messages, or in ours. Error text is redacted before it leaves
 * this module anyway.
 *
 * git is spawned here directly rather than through simple-git, because simple-git cannot tell
 * how git ended: it decides by exit code and stderr alone, so a git killed by a signal (exit code
 * null, nothing on stderr) resolved as a success with empty output, and it settled 50 ms after
 * git exited even when the output was still being read. Here a call succeeds only when git
 * exited by itself with a success code and all of its output has been read:
 *
 * - exit 0 is success; exit 1 with nothing on stderr is git's quiet "no" (`rev-parse --verify
 *   --quiet` of a missing ref, `merge-base` without a common ancestor) and reads as the empty
 *   output git printed, unless the caller asks otherwise (`quietNo: false`); every other end is
 *   a `GitError`;
 * - a git ended by a signal the runner did not send (the OOM killer, an operator's `kill`) is a
 *   `killed` error, and one the runner ended on a deadline is a `timeout`;
 * - git runs in a process group of its own, and a deadline ends the whole group (git and what it
 *   started, such as git-remote-http and index-pack): SIGTERM first, so git removes its lock
 *   files, then SIGKILL;
 * - any output counts as activity for the inactivity timeout, git's progress on stderr included;
 *   stderr is kept for error messages without its progress lines, and bounded.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { GitError, type GitFailure } from "../shared/errors.ts";
import type { Redact } from "../shared/redact.ts";
import type { ProcessGroups } from "./process-groups.ts";

export type GitRunnerOptions = {
  /** Directory git runs in (a bare mirror). */
  cwd: string;
  /** Extra `key=value` config for every call (passed through the environment). */
  config?: Record<string, string>;
  /** Transports git may use, e.g. ["https", "http"] or ["file"]. */
  protocols: readonly string[];
  /** Kill a call that prints nothing (stdout or stderr) for this long. */
  idleTimeoutMs: number;
  /** Kill a call that runs longer than this in total. */
  timeoutMs: number;
  redact: Redact;
  /** Variables passed through from the parent environment (proxies, CA bundles, test isolation). */
  inherit?: NodeJS.ProcessEnv;
  /** Ends every call of this runner (git and what it started) when it aborts: a job's deadline. */
  signal?: AbortSignal | undefined;
  /** Told of every git process started, with its arguments (tests and benchmarks count them). */
  onGit?: ((args: readonly string[]) => void) | undefined;
  /** Where each live git's process group is remembered, to be ended with the service. */
  groups?: ProcessGroups | undefined;
};

export type RunOptions = {
  /** The total deadline of this call, instead of the runner's. */
  timeoutMs?: number;
  /**
   * Whether exit code 1 with nothing on stderr is an answer (git's quiet "no": the empty output)
   * rather than an error. Default true; a command whose success is the whole answer (fetch) passes
   * false.
   */
  quietNo?: boolean;
  /** What git reads on stdin (`--stdin` commands); none by default. */
  input?: string;
};

export type GitRunner = {
  /** Run git and return stdout as text. */
  run(args: readonly string[], options?: RunOptions): Promise<string>;
  /** Run git and return stdout as bytes (a blob, a raw tree). */
  raw(args: readonly string[], options?: RunOptions): Promise<Buffer>;
  /** The environment every call gets (for a long-lived git, such as the batch). */
  readonly env: Readonly<Record<string, string>>;
};

const PASS_THROUGH = [
  "PATH",
  "HOME",
  "TMPDIR",
  "LANG",
  "LC_ALL",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GIT_SSL_CAINFO",
  "GIT_SSL_CAPATH",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
];

/** After SIGTERM, git and what it started have this long to exit before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** Characters of stderr (progress lines left out) kept from its start, and again from its end. */
const STDERR_KEEP = 8 * 1024;

export function buildGitEnv(
  config: Record<string, string>,
  protocols: readonly string[],
  inherit: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASS_THROUGH) {
    const value = inherit[name];
    if (value !== undefined) env[name] = value;
  }
  // No global or system config: the bot's git behaves the same on every host. Everything it
  // needs is set below; CA bundles and proxies come from the variables passed through above.
  env.GIT_CONFIG_GLOBAL = "/dev/null";
  env.GIT_CONFIG_NOSYSTEM = "1";
  env.GIT_TERMINAL_PROMPT = "0";
  env.GIT_ALLOW_PROTOCOL = protocols.join(":");
  env.GCM_INTERACTIVE = "never";
  const entries = Object.entries(config);
  env.GIT_CONFIG_COUNT = String(entries.length);
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

export function createGitRunner(options: GitRunnerOptions): GitRunner {
  const env = buildGitEnv(options.config ?? {}, options.protocols, options.inherit);
  // How to end each call in flight; one listener on the signal for them all.
  const running = new Set<(why: string) => void>();
  const { signal } = options;
  signal?.addEventListener(
    "abort",
    () => {
      for (const stop of running) stop(aborted(signal));
    },
    { once: true },
  );

  async function run(args: readonly string[], runOptions: RunOptions = {}): Promise<Buffer> {
    const unsafe = unsafeArgument(args);
    if (unsafe !== undefined) {
      throw new GitError("other", `refusing to pass ${JSON.stringify(unsafe)} to git`);
    }
    options.onGit?.(args);
    const ending = await spawnGit(args, {
      cwd: options.cwd,
      env,
      idleMs: options.idleTimeoutMs,
      timeoutMs: runOptions.timeoutMs ?? options.timeoutMs,
      signal,
      running,
      input: runOptions.input,
      groups: options.groups,
    });
    return toOutput(args, ending, runOptions.quietNo ?? true, options.redact);
  }

  return {
    run: async (args, o) => (await run(args, o)).toString("utf8"),
    raw: (args, o) => run(args, o),
    env,
  };
}

/**
 * Nothing the bot builds puts an option before the subcommand (`-c`, `--config-env`,
 * `--exec-path`) or one that names a program to run; refusing them is a second wall behind the
 * validation of every name and ref that reaches a command line.
 */
function unsafeArgument(args: readonly string[]): string | undefined {
  if (args[0] === undefined || args[0].startsWith("-")) return args[0] ?? "";
  for (const arg of args) {
    if (arg === "--" || arg === "--end-of-options") return undefined;
    if (/^--(upload-pack|receive-pack|exec|template|config-env)(=|$)/.test(arg)) return arg;
  }
  return undefined;
}

/** How a git process ended, with what it printed. */
type Ending = {
  stdout: Buffer;
  /** stderr without progress lines, at most about twice STDERR_KEEP characters. */
  stderr: string;
  /** Whether git wrote anything at all to stderr, progress included. */
  wroteStderr: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the runner ended git itself, and why. */
  stopped: string | null;
  spawnError: Error | null;
};

function spawnGit(
  args: readonly string[],
  limits: {
    cwd: string;
    env: Record<string, string>;
    idleMs: number;
    timeoutMs: number;
    signal?: AbortSignal | undefined;
    running: Set<(why: string) => void>;
    input?: string | undefined;
    groups?: ProcessGroups | undefined;
  },
): Promise<Ending> {
  const { signal, running } = limits;
  return new Promise((resolve) => {
    if (signal?.aborted) {
      const ending = { stdout: Buffer.alloc(0), stderr: "", wroteStderr: false };
      resolve({ ...ending, code: null, signal: null, stopped: aborted(signal), spawnError: null });
      return;
    }
    // detached: git leads a process group of its own, so a deadline can end everything it
    // started (git-remote-http, index-pack) and not git alone.
    const child = spawn("git", [...args], {
      cwd: limits.cwd,
      env: limits.env,
      stdio: [limits.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    });
    // ...and since a signal to the service's group does not reach it, it is killed at exit.
    limits.groups?.remember(child.pid);
    if (limits.input !== undefined) {
      child.stdin?.on("error", () => undefined); // a git that exits early is reported by its exit
      child.stdin?.end(limits.input);
    }
    const stdout: Buffer[] = [];
    const stderr = createStderrLog(STDERR_KEEP);
    let wroteStderr = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let stopped: Ending["stopped"] = null;
    let spawnError: Error | null = null;
    let settled = false;
    let terminating = false;
    const timers: NodeJS.Timeout[] = [];

    const signalGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is gone already.
      }
    };
    const terminateGroup = () => {
      if (terminating) return;
      terminating = true;
      signalGroup("SIGTERM");
      timers.push(setTimeout(() => signalGroup("SIGKILL"), KILL_GRACE_MS));
      // Whatever still holds git's output open after that is not waited for.
      timers.push(
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish();
        }, 2 * KILL_GRACE_MS),
      );
    };
    const stop = (why: string) => {
      if (settled || stopped) return;
      stopped = why;
      terminateGroup();
    };
    const idle = setTimeout(() => stop(`no output for ${limits.idleMs} ms`), limits.idleMs);
    const active = () => idle.refresh();
    timers.push(
      setTimeout(() => stop(`still running after ${limits.timeoutMs} ms`), limits.timeoutMs),
    );
    running.add(stop);

    function finish() {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      for (const timer of timers) clearTimeout(timer);
      running.delete(stop);
      // Anything of git's that outlived it, having let go of its output, goes now.
      if (terminating) signalGroup("SIGKILL");
      limits.groups?.forget(child.pid);
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: stderr.text(),
        wroteStderr,
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stopped,
        spawnError,
      });
    }

    child.stdout?.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      active();
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      wroteStderr = true;
      stderr.write(chunk);
      active();
    });
    child.on("exit", (code, sig) => {
      exit = { code, signal: sig };
      // git did not end by itself: what it started (git-remote-http, index-pack) goes with it.
      if (sig !== null) terminateGroup();
    });
    // "close" comes once git has exited and its output has been read to the end.
    child.on("close", finish);
    child.on("error", (error) => {
      spawnError = error;
      finish();
    });
  });
}

/** git's progress meters ("Receiving objects:  45% (450/1000)", "remote: Counting objects: 3"). */
const PROGRESS =
  /^(remote: )?(Enumerating objects|Counting objects|Compressing objects|Receiving objects|Resolving deltas|Unpacking objects|Checking connectivity|Finding sources|Writing objects|Total \d+ \(delta)/;

/** stderr as lines, progress left out: the start and the end are kept, the middle dropped. */
function createStderrLog(keep: number) {
  const head: string[] = [];
  const tail: string[] = [];
  let headSize = 0;
  let tailSize = 0;
  let dropped = 0;
  let partial = "";
  const add = (raw: string) => {
    const line = raw.trimEnd();
    if (line === "" || PROGRESS.test(line)) return;
    if (tail.length === 0 && headSize + line.length <= keep) {
      head.push(line);
      headSize += line.length;
      return;
    }
    tail.push(line);
    tailSize += line.length;
    while (tailSize > keep && tail.length > 1) {
      tailSize -= (tail.shift() as string).length;
      dropped++;
    }
  };
  return {
    write(chunk: string) {
      // Progress redraws its line with "\r"; both end a line here.
      const lines = (partial + chunk).split(/[\r\n]/);
      partial = lines.pop() ?? "";
      for (const line of lines) add(line);
      if (partial.length > keep) {
        add(partial.slice(0, keep));
        partial = "";
      }
    },
    text(): string {
      add(partial);
      partial = "";
      const gap = dropped > 0 ? [`[${dropped} lines left out]`] : [];
      return [...head, ...gap, ...tail].join("\n");
    },
  };
}

function toOutput(
  args: readonly string[],
  ending: Ending,
  quietNo: boolean,
  redact: Redact,
): Buffer {
  const command = args.find((a) => !a.startsWith("-")) ?? "git";
  const text = redact(ending.stderr).trim();
  const fail = (failure: GitFailure, message: string, cause: string) =>
    // The cause keeps git's own error for debugging, but with the text already redacted.
    new GitError(failure, message, { cause: new Error(cause) });
  const { stopped } = ending;
  if (ending.spawnError) {
    const reason = redact(ending.spawnError.message);
    throw fail("other", `git ${command} could not be started: ${reason}`, reason);
  }
  if (stopped !== null) {
    throw fail("timeout", `git ${command} timed out`, [stopped, text].filter(Boolean).join("\n"));
  }
  if (ending.signal !== null) {
    throw fail("killed", `git ${command} was killed (${ending.signal})`, text || ending.signal);
  }
  if (ending.code === 0) return ending.stdout;
  if (ending.code === 1 && quietNo && !ending.wroteStderr) return ending.stdout;
  // A shell or wrapper reports a signal as 128 + its number.
  const signal = ending.code !== null && text === "" ? signalName(ending.code - 128) : undefined;
  if (signal !== undefined) {
    throw fail("killed", `git ${command} was killed (${signal})`, `exit code ${ending.code}`);
  }
  if (text === "") {
    const message = `git ${command} failed: exit code ${ending.code} and no message`;
    throw fail("other", message, message);
  }
  throw toGitError(command, text, fail);
}

function aborted(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return `stopped: ${reason instanceof Error ? reason.message : String(reason)}`;
}

function signalName(number: number): NodeJS.Signals | undefined {
  if (number <= 0) return undefined;
  const names = Object.entries(constants.signals) as [NodeJS.Signals, number][];
  return names.find(([, n]) => n === number)?.[0];
}

const PATTERNS: [GitFailure, RegExp][] = [
  ["killed", /died of signal|killed by signal/i],
  ["unsupported", /mismatched algorithms|unknown repository format|object-format/i],
  [
    "auth",
    /authentication failed|could not read (username|password)|terminal prompts disabled|returned error: 40[13]|invalid username|access denied/i,
  ],
  [
    "not-found",
    /repository .* not found|does not appear to be a git repository|returned error: 404|no such file or directory.*\.git|not a git repository/i,
  ],
  [
    "unreachable",
    /could not resolve host|failed to connect|connection refused|connection timed out|couldn't connect|network is unreachable|returned error: 5\d\d|early eof|the remote end hung up|ssl|tls|transport .* not allowed/i,
  ],
];

function toGitError(
  command: string,
  text: string,
  fail: (failure: GitFailure, message: string, cause: string) => GitError,
): GitError {
  const lines = text.split("\n").filter(Boolean);
  // Without --quiet, stderr also lists the refs a fetch updated: git's own complaints come first.
  const complaints = lines.filter((l) => /^(fatal|error):/i.test(l));
  const shown = complaints.length > 0 ? complaints : lines;
  const failure = PATTERNS.find(([, re]) => re.test(shown.join("\n")))?.[0] ?? "other";
  const firstLines = shown.slice(0, 3).join(" / ");
  const detail = firstLines.length > 400 ? `${firstLines.slice(0, 400)}...` : firstLines;
  const message = {
    timeout: () => `git ${command} timed out`,
    killed: () => `git ${command} was killed (${detail})`,
    auth: () =>
      `git ${command}: the server refused our credentials; check GITEA_TOKEN and its read:repository scope (${detail})`,
    "not-found": () =>
      `git ${command}: repository not found, or the token cannot see it (${detail})`,
    unreachable: () => `git ${command}: cannot reach the server (${detail})`,
    unsupported: () =>
      `git ${command}: the repository uses SHA-256 object ids, which fixture-bot does not support yet (${detail})`,
    other: () => `git ${command} failed: ${detail}`,
  }[failure]();
  return fail(failure, message, text);
}
