/**
 * Parse one YAML file the way a careful compose loader would: duplicate keys are errors, merge
 * keys (`<<: *anchor`) are applied, a bounded number of aliases, one document only.
 */
import { parseDocument } from "yaml";

/** A YAML mapping once parsed (not null, not a list). */
export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export type ParsedYaml =
  | { ok: true; value: unknown }
  | { ok: false; error: string; line: number | null };

const MAX_ALIASES = 1000;

export function parseYaml(text: string): ParsedYaml {
  const doc = parseDocument(text, { uniqueKeys: true, merge: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    return { ok: false, error: tidy(first.message), line: first.linePos?.[0]?.line ?? null };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIASES }) };
  } catch (error) {
    return {
      ok: false,
      error: tidy(error instanceof Error ? error.message : String(error)),
      line: null,
    };
  }
}

/** yaml's messages carry a source excerpt after the first line; keep the first line only. */
function tidy(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/:$/, "");
}

export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/** compose.yml, compose.*.yml, docker-compose.yml (and .yaml), in any directory. */
export function isComposePath(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return /^(?:docker-compose|compose(?:\.[^/]+)?)\.ya?ml$/i.test(base);
}

/** compose.*.yml: an overlay that abra merges onto compose.yml (it may omit images and declarations). */
export function isComposeOverlay(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return /^compose\.[^/]+\.ya?ml$/i.test(base);
}
