/**
 * The values `abra app deploy` interpolates a recipe's compose files with: the app's env (a copy
 * of `.env.sample`, read as godotenv reads it: env-file.ts), overridden by the `export`s of
 * `abra.sh` (where recipes keep the versions of their configs and secrets, `export
 * NGINX_CONF_VERSION=v1`), and `STACK_NAME`, which abra sets from the app's domain: it exists,
 * with a value that does not matter here, so it stands for itself.
 */
import { type EnvFile, parseEnvFile } from "./env-file.ts";

export type EnvSource = ".env.sample" | "abra.sh" | "abra";

export type EnvValue = { value: string; from: EnvSource };

export type AppEnv = {
  /** A variable's value and where it was set; undefined when nothing sets it. */
  get(name: string): EnvValue | undefined;
  /** Every variable set, with its value (STACK_NAME included). */
  all(): Map<string, EnvValue>;
  /** Why abra cannot read `.env.sample` (a line godotenv refuses), with its line; null if it can. */
  error: { line: number; message: string } | null;
};

/**
 * `export NAME=value` lines of abra.sh, as abra reads them: a line that starts with `export` at
 * its first column (a function's body, indented, is not read); the value without its quotes and
 * without a trailing ` # comment`.
 */
export function parseAbraExports(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const match = /^export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(raw);
    if (match) out.set(match[1] as string, unquote(match[2] as string));
  }
  return out;
}

/**
 * What abra.sh runs besides the exports abra reads as values: its lines without blank ones,
 * whole-line comments and trailing spaces, the first-column exports taken out (they are compared
 * as values). A script with a heredoc keeps its comment lines: inside one they are content.
 */
export function abraCommands(text: string): string {
  const heredoc = text.includes("<<");
  return text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "")
    .filter((line) => heredoc || !line.trimStart().startsWith("#"))
    .filter((line) => !/^export\s+[A-Za-z_][A-Za-z0-9_]*=/.test(line))
    .join("\n");
}

function unquote(value: string): string {
  const v = value.trim();
  const quote = v[0];
  if ((quote === '"' || quote === "'") && v.lastIndexOf(quote) > 0) {
    return v.slice(1, v.lastIndexOf(quote));
  }
  return v.replace(/\s+#.*$/s, "");
}

export const STACK_NAME: EnvValue = { value: "${STACK_NAME}", from: "abra" };

export function createAppEnv(
  envSample: string | EnvFile | null,
  abraSh: string | Map<string, string> | null,
): AppEnv {
  const sample =
    envSample === null
      ? { values: new Map<string, string>(), lines: new Map(), error: null }
      : typeof envSample === "string"
        ? parseEnvFile(envSample)
        : envSample;
  const exported =
    abraSh === null
      ? new Map<string, string>()
      : typeof abraSh === "string"
        ? parseAbraExports(abraSh)
        : abraSh;
  const all = new Map<string, EnvValue>();
  for (const [name, value] of sample.values) all.set(name, { value, from: ".env.sample" });
  for (const [name, value] of exported) all.set(name, { value, from: "abra.sh" });
  all.set("STACK_NAME", STACK_NAME);
  return {
    get: (name) => all.get(name),
    all: () => new Map(all),
    error: sample.error,
  };
}
