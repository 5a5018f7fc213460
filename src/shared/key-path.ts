/**
 * Key paths in YAML, matched key by key. A changed path is the list of keys from the document's
 * root (`["services", "db", "deploy", "labels", "backupbot.backup.pre-hook"]`); a pattern is
 * written with dots between keys (`services.*.deploy.labels`), where:
 *
 * - `*` stands for exactly one key;
 * - `"..."` is exactly one key, dots included (`labels."backupbot.backup"`);
 * - a key with `*` inside it (`x-*`, `"backupbot.restore*"`) is a glob over one whole key: `*`
 *   matches any characters, dots included (write `\*` for a literal star);
 * - a run of plain words may also stand for one key that contains dots, but only for the whole key:
 *   `labels.backupbot.backup` matches the label `backupbot.backup` (map form) or the nested keys
 *   `backupbot: {backup: ...}`, and never `backupbot.backup.path`.
 *
 * A pattern covers the path it names and everything below it, never a sibling whose name merely
 * starts the same (`services.app` does not cover a service named `app.sidecar`).
 */
import { showName } from "./display.ts";

export type KeyToken =
  | { kind: "any" }
  | { kind: "key"; key: string }
  | { kind: "word"; word: string }
  | { kind: "glob"; pattern: string; regex: RegExp };

/** A key written with `*` inside it, as a glob over one whole key (`\*` is a literal star). */
function globToken(pattern: string): KeyToken {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\" && i + 1 < pattern.length) {
      i += 1;
      source += escapeRegex(pattern[i] as string);
    } else source += c === "*" ? ".*" : escapeRegex(c);
  }
  return { kind: "glob", pattern, regex: new RegExp(`^${source}$`, "s") };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether a key as written holds a `*` that is not escaped. */
function hasStar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") i += 1;
    else if (text[i] === "*") return true;
  }
  return false;
}

/** Parse a pattern; a string is the reason it is not one. */
export function parseKeyPattern(text: string): KeyToken[] | string {
  const tokens: KeyToken[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let key = "";
      let raw = "";
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        raw += text[j];
        if (text[j] === "\\" && j + 1 < text.length) {
          j++;
          raw += text[j];
        }
        key += text[j];
      }
      if (j >= text.length) return `has an unclosed quote at character ${i + 1}`;
      if (key === "") return `has an empty quoted key at character ${i + 1}`;
      tokens.push(hasStar(raw) ? globToken(raw) : { kind: "key", key });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ".") j++;
      const word = text.slice(i, j);
      if (word === "") return "has an empty key (two dots in a row, or a dot at either end)";
      if (/[\s"]/.test(word))
        return `key "${word}" has a space or a quote in it; write it in double quotes`;
      tokens.push(
        word === "*" ? { kind: "any" } : hasStar(word) ? globToken(word) : { kind: "word", word },
      );
      i = j;
    }
    if (i === text.length) break;
    if (text[i] !== ".") return `needs a dot after the quoted key at character ${i}`;
    i += 1;
    if (i === text.length) return "has an empty key (two dots in a row, or a dot at either end)";
  }
  return tokens;
}

/** Whether `pattern` covers the changed path `keys` (the path itself or a path below it). */
export function keyPathCovered(keys: readonly string[], pattern: readonly KeyToken[]): boolean {
  const from = (t: number, k: number): boolean => {
    if (t === pattern.length) return true;
    if (k === keys.length) return false;
    const token = pattern[t] as KeyToken;
    const key = keys[k] as string;
    if (token.kind === "any") return from(t + 1, k + 1);
    if (token.kind === "key") return token.key === key && from(t + 1, k + 1);
    if (token.kind === "glob") return token.regex.test(key) && from(t + 1, k + 1);
    // A run of words joined by dots must equal the whole key; joined runs only grow, so at most
    // one run length can match and the search stays linear.
    let joined = "";
    for (let end = t; end < pattern.length; end++) {
      const next = pattern[end] as KeyToken;
      if (next.kind !== "word") break;
      joined = end === t ? next.word : `${joined}.${next.word}`;
      if (joined === key) return from(end + 1, k + 1);
      if (!key.startsWith(`${joined}.`)) break;
    }
    return false;
  };
  return from(0, 0);
}

/** A changed path as a person reads it, and as a pattern would name it. */
export function formatKeyPath(keys: readonly string[]): string {
  if (keys.length === 0) return "(document)";
  return keys
    .map((key) =>
      /^[^.\s"*]+$/.test(key) ? showName(key) : `"${showName(key).replace(/"/g, '\\"')}"`,
    )
    .join(".");
}
