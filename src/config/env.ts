/**
 * Configuration from the environment, validated once at start. A missing or malformed value stops
 * the process with one line that names the variable and says what is allowed. Secrets may come
 * from files (`GITEA_TOKEN_FILE`, Docker/Swarm secrets); their values never appear in messages.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "../shared/errors.ts";

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

/** Parse env with a schema, turning problems into one ConfigError line per variable. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const value = env[name];
      const message =
        value === undefined && issue.code === "invalid_type" ? "is required" : issue.message;
      return `${name} ${message}`;
    }),
  );
}

export function loadGitEnv(env: NodeJS.ProcessEnv = process.env): GitEnv {
  return parseEnv(GitEnv, resolveFileSecrets(env, ["GITEA_TOKEN"]));
}
