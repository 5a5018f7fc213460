/**
 * The one place git runs. Every call gets: a clean environment (no inherited EDITOR or askpass,
 * no global or system git config), no terminal prompts, an inactivity timeout and a total deadline, the allowed
 * transports pinned, and the Gitea token (when there is one) as an HTTP header through
 * GIT_CONFIG_* environment variables: never in argv, never in a URL, so it cannot show up in `ps`,
 * in git's error messages, or in ours. Error text is redacted before it leaves this module anyway.
 */
import { type SimpleGit, simpleGit } from "simple-git";
import { GitError, type GitFailure } from "../shared/errors.ts";
import type { Redact } from "../shared/redact.ts";

export type GitRunnerOptions = {
  /** Directory git runs in (a bare mirror). */
  cwd: string;
  /** Extra `key=value` config for every call (passed through the environment). */
  config?: Record<string, string>;
  /** Transports git may use, e.g. ["https", "http"] or ["file"]. */
  protocols: readonly string[];
  /** Kill a call that prints nothing for this long. */
  idleTimeoutMs: number;
  /** Kill a call that runs longer than this in total. */
  timeoutMs: number;
  redact: Redact;
  /** Variables passed through from the parent environment (proxies, CA bundles, test isolation). */
  inherit?: NodeJS.ProcessEnv;
};

export type GitRunner = {
  /** Run git and return stdout as text. */
  run(args: readonly string[], options?: { timeoutMs?: number }): Promise<string>;
  /** `git show <oid>...`: the blobs' raw contents, concatenated, as bytes. */
  showBlobs(oids: readonly string[]): Promise<Buffer>;
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

  async function withGit<T>(
    args: readonly string[],
    timeoutMs: number,
    call: (git: SimpleGit, args: string[]) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const git = simpleGit({
      baseDir: options.cwd,
      abort: controller.signal,
      timeout: { block: options.idleTimeoutMs },
      // These flags let our own fixed settings through (never user data): GIT_CONFIG_* with the
      // token header and an empty credential.helper, and GIT_CONFIG_GLOBAL=/dev/null.
      unsafe: {
        allowUnsafeConfigEnvCount: true,
        allowUnsafeCredentialHelper: true,
        allowUnsafeConfigPaths: true,
      },
    }).env(env);
    try {
      return await call(git, [...args]);
    } catch (error) {
      throw toGitError(args, error, controller.signal.aborted, options.redact);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    run: (args, o) => withGit(args, o?.timeoutMs ?? options.timeoutMs, (git, a) => git.raw(a)),
    showBlobs: (oids) =>
      withGit(["show", ...oids], options.timeoutMs, (git) => git.showBuffer([...oids])),
  };
}

const PATTERNS: [GitFailure, RegExp][] = [
  ["unsupported", /mismatched algorithms|unknown repository format|object-format/i],
  ["timeout", /block timeout reached|abort signal received|abort already signaled/i],
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
  args: readonly string[],
  error: unknown,
  aborted: boolean,
  redact: Redact,
): GitError {
  const raw = error instanceof Error ? error.message : String(error);
  const text = redact(raw).trim();
  const failure: GitFailure = aborted
    ? "timeout"
    : (PATTERNS.find(([, re]) => re.test(text))?.[0] ?? "other");
  const command = args.find((a) => !a.startsWith("-")) ?? "git";
  const firstLines = text.split("\n").filter(Boolean).slice(0, 3).join(" / ");
  const detail = firstLines.length > 400 ? `${firstLines.slice(0, 400)}...` : firstLines;
  const message = {
    timeout: () => `git ${command} timed out`,
    auth: () =>
      `git ${command}: the server refused our credentials; check GITEA_TOKEN and its read:repository scope (${detail})`,
    "not-found": () =>
      `git ${command}: repository not found, or the token cannot see it (${detail})`,
    unreachable: () => `git ${command}: cannot reach the server (${detail})`,
    unsupported: () =>
      `git ${command}: the repository uses SHA-256 object ids, which fixture-bot does not support yet (${detail})`,
    other: () => `git ${command} failed: ${detail}`,
  }[failure]();
  // The cause keeps git's own error for debugging, but with the text already redacted.
  return new GitError(failure, message, { cause: new Error(text) });
}
