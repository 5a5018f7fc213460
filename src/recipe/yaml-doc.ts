/**
 * Parse one YAML file the way a careful loader would: duplicate keys are errors, merge keys
 * (`<<: *anchor`) are applied, a bounded number of aliases. Compose files must be one document;
 * other YAML may hold several (one pipeline per document is Drone's `.drone.yml` format). The
 * library never writes warnings to stderr (`--json` output stays clean).
 */
import { type Document, parseAllDocuments } from "yaml";

/** A YAML mapping once parsed (not null, not a list). */
export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export type ParsedYaml =
  | {
      ok: true;
      /** The document's value; for a file of several documents, the list of their values. */
      value: unknown;
      documents: number;
    }
  | { ok: false; error: string; line: number | null; errors: number };

const MAX_ALIASES = 1000;
const OPTIONS = { uniqueKeys: true, merge: true, prettyErrors: true, logLevel: "error" } as const;

export function parseYaml(text: string, options: { oneDocument?: boolean } = {}): ParsedYaml {
  const all = parseAll(text);
  return options.oneDocument ? asOneDocument(all) : all;
}

/** A parse of every document, as one: an error when it holds several (a compose file must not). */
export function asOneDocument(parsed: ParsedYaml): ParsedYaml {
  if (parsed.ok && parsed.documents > 1) {
    return {
      ok: false,
      error: `it holds ${parsed.documents} documents (separated by ---), and a compose file must be one`,
      line: null,
      errors: 1,
    };
  }
  return parsed;
}

function parseAll(text: string): ParsedYaml {
  const parsed = parseAllDocuments(text, OPTIONS);
  const docs: Document[] = Array.isArray(parsed) ? parsed : [];
  const errors = docs.flatMap((d) => d.errors);
  const first = errors[0];
  if (first) {
    return {
      ok: false,
      error: tidy(first.message),
      line: first.linePos?.[0]?.line ?? null,
      errors: errors.length,
    };
  }
  try {
    const values = docs.map((d) => d.toJS({ maxAliasCount: MAX_ALIASES }));
    return {
      ok: true,
      value: values.length === 1 ? values[0] : values.length === 0 ? null : values,
      documents: values.length,
    };
  } catch (error) {
    return {
      ok: false,
      error: tidy(error instanceof Error ? error.message : String(error)),
      line: null,
      errors: 1,
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
