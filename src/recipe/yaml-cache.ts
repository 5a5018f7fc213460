/**
 * Parsed YAML by its text, shared by every fixture verified in this process: the fixtures of a
 * repository read the same compose files at their base (and often at their pins), and parsing is
 * most of a verification's CPU. Values are frozen, so no reader can change what another sees.
 * Bounded by the text it holds; the oldest entries go first.
 */
import type { Side } from "../shared/tree.ts";
import { asOneDocument, type ParsedYaml, parseYaml } from "./yaml-doc.ts";

/** Parse a side once however many readers ask; null when the side is not text. */
export type YamlOf = (side: Side, options?: { oneDocument?: boolean }) => ParsedYaml | null;

const shared = new Map<string, ParsedYaml>();
let sharedChars = 0;
const MAX_SHARED_CHARS = 16 * 1024 * 1024;

function parsedOnce(text: string, oneDocument: boolean): ParsedYaml {
  let parsed = shared.get(text);
  if (!parsed) {
    parsed = parseYaml(text);
    if (parsed.ok) deepFreeze(parsed.value);
    shared.set(text, Object.freeze(parsed));
    sharedChars += text.length;
    for (const [old] of shared) {
      if (sharedChars <= MAX_SHARED_CHARS) break;
      shared.delete(old);
      sharedChars -= old.length;
    }
  }
  return oneDocument ? asOneDocument(parsed) : parsed;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

export function createYamlCache(): YamlOf {
  return (side, options = {}) =>
    side.state === "text" ? parsedOnce(side.text, options.oneDocument ?? false) : null;
}
