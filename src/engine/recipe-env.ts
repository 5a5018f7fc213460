/**
 * The values a recipe's compose files are interpolated with when abra deploys it: the variables of
 * `.env.sample` (an app's `.env` starts as a copy of it) and the `export`s of `abra.sh` (where
 * recipes keep the versions of their configs and secrets, e.g. `export NGINX_CONF_VERSION=v1`).
 * `STACK_NAME` is set by abra from the app's domain: it is known to exist, with a value that does
 * not matter here, so it stands for itself.
 */

export type RecipeEnv = {
  /** A variable's value and where it was set; undefined when nothing sets it. */
  get(name: string): { value: string; from: ".env.sample" | "abra.sh" | "abra" } | undefined;
  /** The compose files abra deploys (COMPOSE_FILE in .env.sample, colon-separated). */
  composeFiles: string[];
};

/** `KEY=value` lines of an env file: comments, blank lines and `export ` prefixes tolerated. */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    out.set(match[1] as string, unquote(match[2] as string));
  }
  return out;
}

/** The top-level `export NAME=value` lines of abra.sh (not those inside functions). */
export function parseAbraExports(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (depth === 0) {
      const match = /^export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (match) out.set(match[1] as string, unquote(match[2] as string));
    }
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    if (depth < 0) depth = 0;
  }
  return out;
}

/** A value as a shell or godotenv reads it: quotes removed, an unquoted ` # comment` dropped. */
function unquote(value: string): string {
  const v = value.trim();
  const quote = v[0];
  if ((quote === '"' || quote === "'") && v.lastIndexOf(quote) > 0) {
    return v.slice(1, v.lastIndexOf(quote));
  }
  return v.replace(/\s+#.*$/, "");
}

export function createRecipeEnv(envSample: string | null, abraSh: string | null): RecipeEnv {
  const sample = envSample === null ? new Map<string, string>() : parseEnvFile(envSample);
  const exported = abraSh === null ? new Map<string, string>() : parseAbraExports(abraSh);
  const composeFiles = (sample.get("COMPOSE_FILE") ?? "compose.yml")
    .split(":")
    .map((f) => f.trim())
    .filter((f) => f !== "" && !f.startsWith("$"));
  return {
    get(name) {
      if (name === "STACK_NAME") return { value: "${STACK_NAME}", from: "abra" };
      const fromAbra = exported.get(name);
      if (fromAbra !== undefined) return { value: fromAbra, from: "abra.sh" };
      const fromSample = sample.get(name);
      if (fromSample !== undefined) return { value: fromSample, from: ".env.sample" };
      return undefined;
    },
    composeFiles: composeFiles.length > 0 ? composeFiles : ["compose.yml"],
  };
}
