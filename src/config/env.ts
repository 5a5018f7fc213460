/**
 * Configuration from the environment, validated once at start. A missing or malformed value stops
 * the process with one line that names the variable and says what is allowed. Secrets may come
 * from files (`GITEA_TOKEN_FILE`, Docker/Swarm secrets); their values never appear in messages.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { ConfigError } from "../shared/errors.ts";
import { repoSlugProblem } from "./names.ts";

const GiteaUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({
        code: "custom",
        message: "must be a URL such as https://git.example.org or file:///srv/repos",
      });
      return;
    }
    if (!["https:", "http:", "file:"].includes(url.protocol)) {
      ctx.addIssue({ code: "custom", message: "must start with https://, http:// or file://" });
    }
    if (url.username || url.password) {
      ctx.addIssue({
        code: "custom",
        message: "must not contain credentials; set GITEA_TOKEN instead",
      });
    }
    if (url.search || url.hash)
      ctx.addIssue({ code: "custom", message: "must not have a query or fragment" });
  })
  .transform((value) => value.replace(/\/+$/, ""));

export const GitEnv = z.object({
  GITEA_URL: GiteaUrl,
  GITEA_TOKEN: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default("./data"),
});
export type GitEnv = z.infer<typeof GitEnv>;

/** Replace `NAME_FILE` variables by the trimmed contents of the file they name. */
export function resolveFileSecrets(
  env: NodeJS.ProcessEnv,
  names: readonly string[],
): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigError(`${name} and ${name}_FILE are both set; set only one`);
    try {
      out[name] = readFileSync(file, "utf8").trim();
    } catch (error) {
      throw new ConfigError(
        `${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
        {
          cause: error,
        },
      );
    }
  }
  return out;
}

/** Secrets that may come from a file named by `<NAME>_FILE` (Docker and Swarm secrets). */
export const SECRET_VARS = ["GITEA_TOKEN", "WEBHOOK_SECRET", "DASHBOARD_PASSWORD"] as const;

/**
 * Parse env with a schema, turning problems into one ConfigError line per variable. A variable set
 * to the empty string counts as unset, as an `.env` line `NAME=` means to an operator.
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const value = env[name];
      const message =
        value === undefined && issue.code === "invalid_type"
          ? `is required${REQUIRED_HINT[name] ?? ""}`
          : issue.message;
      return `${name} ${message}`;
    }),
  );
}

/** What a missing variable is for, after "is required". */
const REQUIRED_HINT: Record<string, string> = {
  GITEA_URL:
    ": the Gitea server, e.g. GITEA_URL=https://git.example.org (or file:///dir holding owner/name.git repositories, for local use)",
  WEBHOOK_SECRET: ": the secret set on the webhook, 16 characters or more (openssl rand -hex 32)",
};

/**
 * The CLI's environment. Its mirrors go to the user's cache directory unless DATA_DIR says
 * otherwise ($XDG_CACHE_HOME/fixture-bot, else ~/.cache/fixture-bot): never into the repository
 * the command runs in. (The service keeps DATA_DIR, /data in the image.)
 */
export function loadGitEnv(env: NodeJS.ProcessEnv = process.env): GitEnv {
  const withDefaults = env.DATA_DIR ? env : { ...env, DATA_DIR: cacheDir(env) };
  return parseEnv(GitEnv, resolveFileSecrets(withDefaults, ["GITEA_TOKEN"]));
}

export function cacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, "fixture-bot");
  return join(env.HOME || homedir(), ".cache", "fixture-bot");
}

const RepoSlugEnv = z.string().superRefine((value, ctx) => {
  const problem = repoSlugProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const Duration = z
  .string()
  .regex(/^\d+(ms|s|m|h)$/, { error: 'must be a duration such as "90s", "15m" or "6h"' })
  .transform((value) => {
    const match = /^(\d+)(ms|s|m|h)$/.exec(value) as RegExpExecArray;
    const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
    return Number(match[1]) * unit;
  })
  // Node's timers hold at most 2^31-1 ms; a longer one fires at once, over and over.
  .refine((ms) => ms <= 2_147_483_647, {
    error: "must be at most 596h (24 days): Node cannot time longer",
  });

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A host name as RFC 1123 writes it, its last label not all digits (so "1.2.3" is no name). */
function isHostName(value: string): boolean {
  const labels = value.split(".");
  return (
    value.length <= 253 &&
    labels.every((label) => HOST_LABEL.test(label)) &&
    /[a-z]/i.test(labels.at(-1) as string)
  );
}

/** What `listen()` takes as its host: an IP address or a host name; no port, brackets or scheme. */
const ListenHost = z
  .string()
  .trim()
  .refine((value) => isIP(value) !== 0 || isHostName(value), {
    error:
      "must be an IP address or host name to listen on, without port or scheme: 0.0.0.0 (every IPv4 address), :: (every address), 127.0.0.1 (this machine only)",
  });

/** Everything `fixture-bot serve` reads from the environment. */
export const ServeEnv = GitEnv.extend({
  WEBHOOK_SECRET: z
    .string({ error: "is required: the secret set on the Gitea webhook" })
    .min(16, { error: "must be at least 16 characters (generate one with: openssl rand -hex 32)" }),
  FIXTURES_FILE: z.string().min(1).default("./fixtures.yaml"),
  PORT: z.coerce
    .number({ error: "must be a port number" })
    .int({ error: "must be a port number" })
    .min(0, { error: "must be 0 to 65535 (0: any free port)" })
    .max(65535, { error: "must be 0 to 65535 (0: any free port)" })
    .default(3000),
  /** The address the HTTP server listens on; every IPv4 address by default, as a container needs. */
  BIND_ADDRESS: ListenHost.default("0.0.0.0"),
  PUBLIC_URL: z
    .url({
      protocol: /^https?$/,
      error: "must be the bot's own http(s) URL, e.g. https://fixture-bot.example.org",
    })
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
  STATUS_CONTEXT: z.string().min(1).max(100).default("fixture-bot/verify"),
  FIXTURES_REPO: RepoSlugEnv.optional(),
  FIXTURES_PATH: z
    .string()
    .regex(/^[^/\0][^\0]*$/, { error: "must be a path inside FIXTURES_REPO, e.g. fixtures.yaml" })
    .refine((p) => !p.split("/").includes(".."), { error: 'must not contain ".."' })
    .default("fixtures.yaml"),
  /** Gitea's address as people reach it, for links on the dashboard (default GITEA_URL). */
  GITEA_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "must be Gitea's public http(s) URL" })
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
  /**
   * When set, the dashboard, run pages and /metrics ask for this password (HTTP Basic, any user
   * name): their diffs come from repositories the token can read, private ones included.
   */
  DASHBOARD_PASSWORD: z.string().min(12, { error: "must be at least 12 characters" }).optional(),
  /** How many jobs run at once. */
  CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** A job (fetch, checks, reporting) that runs longer than this ends in an error status. */
  JOB_TIMEOUT: Duration.default(600_000),
  /** How long one Gitea API attempt may take (retries come after it, within JOB_TIMEOUT). */
  GITEA_TIMEOUT: Duration.default(15_000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** How often every pin is re-verified and stuck pull requests re-queued (0s: only at start). */
  RECONCILE_INTERVAL: Duration.default(6 * 3_600_000),
  /** A `pending` status older than this was left by a lost job; the reconcile re-queues its PR. */
  STALE_PENDING_AFTER: Duration.default(15 * 60_000),
  /** On SIGTERM, running jobs get this long to finish; the rest resume at the next start. */
  SHUTDOWN_GRACE: Duration.default(25_000),
});
export type ServeEnv = z.infer<typeof ServeEnv>;

export function loadServeEnv(env: NodeJS.ProcessEnv = process.env): ServeEnv {
  return parseEnv(ServeEnv, resolveFileSecrets(env, SECRET_VARS));
}
