/**
 * fixtures.yaml -> YAML document -> zod schema -> typed Manifest. Every problem becomes one line
 * that names the file, the line and column, the fixture and the key, and says what is allowed:
 *
 *   fixtures.yaml:14:11 fixture "bad-backup": sha "e1e3" must be 7 to 40 hex characters
 */
import { readFile } from "node:fs/promises";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError, errorMessage } from "../shared/errors.ts";
import {
  ChangeRuleInput,
  CiInput,
  DefaultsInput,
  FixtureInput,
  type Manifest,
  ManifestInput,
  toManifest,
} from "./manifest.ts";

/** A manifest is a small hand-written file; anything bigger is a mistake or an attack. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_ALIASES = 100;

export type LoadedManifest = { manifest: Manifest; source: string; file: string };

export async function loadManifestFile(file: string): Promise<LoadedManifest> {
  let text: string;
  try {
    const buffer = await readFile(file);
    if (buffer.byteLength > MAX_MANIFEST_BYTES) {
      throw new ConfigError(
        `${file}: is ${buffer.byteLength} bytes; a manifest may be at most ${MAX_MANIFEST_BYTES}`,
      );
    }
    text = buffer.toString("utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${file}: cannot read the manifest (${errorMessage(error)})`, {
      cause: error,
    });
  }
  return { manifest: parseManifest(text, file), source: text, file };
}

/** Parse and validate manifest text; throws ConfigError listing every problem found. */
export function parseManifest(text: string, file = "fixtures.yaml"): Manifest {
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) {
    throw new ConfigError(`${file}: is larger than ${MAX_MANIFEST_BYTES} bytes`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const where = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => `${where(e.pos[0])} ${firstLine(e.message)}`),
      { cause: doc.errors[0] },
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new ConfigError(`${file}: ${firstLine(errorMessage(error))}`, { cause: error });
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError(
      `${where(0)} the manifest must be a mapping with "version: 1" and "fixtures:"`,
    );
  }
  const parsed = ManifestInput.safeParse(data);
  if (parsed.success) return toManifest(parsed.data);

  const lines = parsed.error.issues.flatMap((issue) =>
    describeIssue(issue, data, doc.contents, where),
  );
  throw new ConfigError(dedupe(lines), { cause: parsed.error });
}

type Where = (offset: number) => string;
type Path = readonly PropertyKey[];

function describeIssue(
  issue: z.core.$ZodIssue,
  data: unknown,
  root: unknown,
  where: Where,
): string[] {
  const path = issue.path;
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const allowed = allowedKeysAt(path);
      const hint = suggest(key, allowed);
      const message = `unknown key ${JSON.stringify(key)}${hint ? ` (did you mean "${hint}"?)` : ""}; allowed: ${allowed.join(", ")}`;
      // Inside defaults: or ci:, say which mapping the key is in; a fixture names itself.
      const inside = path.length > 0 && path[0] !== "fixtures" ? `${label(path)}: ` : "";
      return `${where(offsetOf(root, keyPath, "key"))} ${subject(data, path)}${inside}${message}`;
    });
  }
  const value = valueAt(data, path);
  const missing = value === undefined && issue.code === "invalid_type";
  const message = missing ? "is required" : issue.message;
  const offset = offsetOf(root, missing ? path.slice(0, -1) : path, "value");
  return [
    `${where(offset)} ${subject(data, path.slice(0, -1))}${label(path)}${formatValue(value)} ${message}`,
  ];
}

/** `fixture "bad-backup": ` for paths inside a fixture, "" otherwise. */
function subject(data: unknown, path: Path): string {
  if (path[0] !== "fixtures" || typeof path[1] !== "number") return "";
  const name = valueAt(data, ["fixtures", path[1], "name"]);
  return typeof name === "string" && name.length > 0 && name.length <= 100
    ? `fixture ${JSON.stringify(name)}: `
    : `fixtures[${path[1]}]: `;
}

/** The key path after the fixture, e.g. `change[0].lines`. */
function label(path: Path): string {
  const rest = path[0] === "fixtures" && typeof path[1] === "number" ? path.slice(2) : path;
  if (rest.length === 0)
    return path[0] === "fixtures" ? `fixtures[${String(path[1])}]` : "manifest";
  return rest
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

function formatValue(value: unknown): string {
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return ` ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null)
    return ` ${String(value)}`;
  return "";
}

function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key as string];
  }
  return current;
}

/** Source offset of the node at `path` (its key, or its value), falling back to the nearest parent. */
function offsetOf(root: unknown, path: Path, want: "key" | "value"): number {
  let node = root as Node | null | undefined;
  let best = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (!pair) return best;
      if (last && want === "key") return rangeStart(pair.key as Node) ?? best;
      node = pair.value as Node | null;
      best = rangeStart(node) ?? rangeStart(pair.key as Node) ?? best;
    } else if (isSeq(node) && typeof key === "number") {
      node = node.items[key] as Node | undefined;
      if (!node) return best;
      best = rangeStart(node) ?? best;
    } else return best;
  }
  return best;
}

function rangeStart(node: unknown): number {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? range[0] : 0;
}

/** The keys each mapping may have, read from the schema itself (so a new key is never left out). */
const KEYS = {
  top: Object.keys(ManifestInput.shape),
  defaults: Object.keys(DefaultsInput.shape),
  ci: Object.keys(CiInput.shape),
  fixture: Object.keys(FixtureInput.shape),
  change: Object.keys(ChangeRuleInput.shape),
};

function allowedKeysAt(path: Path): string[] {
  if (path.length === 0) return KEYS.top;
  if (path[0] === "defaults") return KEYS.defaults;
  if (path[0] === "ci") return KEYS.ci;
  if (path.length === 2) return KEYS.fixture;
  return KEYS.change;
}

/** The closest allowed key by edit distance, when it is close enough to be a typo. */
function suggest(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = row;
  }
  return prev[b.length] ?? Number.POSITIVE_INFINITY;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
