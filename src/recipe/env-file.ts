/**
 * `.env.sample` as abra reads an app's env file (`abra app new` copies it to the app's `.env`):
 * the dotenv format of joho/godotenv, which abra's envfile package wraps.
 *
 * - `KEY=value`, `export KEY=value`, and `KEY: value`; a key is letters, digits, `_` and `.`;
 * - blank lines and lines starting with `#` are skipped;
 * - `'single quoted'` is literal; `"double quoted"` may span lines, turns `\n` and `\r` into line
 *   breaks and drops other backslashes, and expands variables;
 * - an unquoted value runs to the end of the line, loses a ` # comment` (the last `#` that follows
 *   whitespace) and surrounding whitespace, and expands variables;
 * - `$NAME` and `${NAME}` (NAME in capitals, digits and `_`) expand to the value set on the lines
 *   above (so `COMPOSE_FILE="$COMPOSE_FILE:compose.smtp.yml"` chains), or to "" when nothing set
 *   it; `\$` is a literal `$`;
 * - a later line for a key replaces the earlier one;
 * - anything else (a bare word, a quote left open) is an error, and abra stops on it.
 *
 * Pure; every function takes text and returns values.
 */
import { lineIndex } from "../shared/line-index.ts";

export type EnvFile = {
  /** Each key's value, as the last line that sets it says. */
  values: Map<string, string>;
  /** The line (1-based) each key was last set on. */
  lines: Map<string, number>;
  /** Why godotenv refuses the file, and where; null when it reads it. */
  error: { line: number; message: string } | null;
};

const isSpace = (c: string | undefined) =>
  c === " " ||
  c === "\t" ||
  c === "\v" ||
  c === "\f" ||
  c === "\r" ||
  c === "\u0085" ||
  c === "\u00a0";
/** Go's unicode.IsSpace, which godotenv skips between statements: JS's \s without U+FEFF, plus U+0085. */
const isAnySpace = (c: string | undefined) =>
  c !== undefined && c !== "\ufeff" && (/\s/.test(c) || c === "\u0085");
const isKeyChar = (c: string) => /[\p{L}\p{N}_.]/u.test(c);

export function parseEnvFile(text: string): EnvFile {
  const src = text.replace(/\r\n/g, "\n");
  const values = new Map<string, string>();
  const lines = new Map<string, number>();
  const lineAt = lineIndex(src);
  let pos = 0;
  for (;;) {
    // The next statement: past whitespace (line breaks included) and comment lines.
    while (pos < src.length && isAnySpace(src[pos])) pos++;
    if (pos >= src.length) break;
    if (src[pos] === "#") {
      const eol = src.indexOf("\n", pos);
      if (eol === -1) break;
      pos = eol;
      continue;
    }
    const start = pos;
    // The key: an optional `export ` prefix, then key characters up to `=` or `:`.
    if (src.startsWith("export", pos) && isSpace(src[pos + 6])) {
      pos += 6;
      while (isSpace(src[pos])) pos++;
    }
    const keyStart = pos;
    let keyEnd = -1;
    for (; pos < src.length; pos++) {
      const c = src[pos] as string;
      if (isSpace(c)) continue;
      if (c === "=" || c === ":") {
        keyEnd = pos;
        break;
      }
      if (!isKeyChar(c)) {
        const near = src.slice(
          start,
          src.indexOf("\n", start) === -1 ? undefined : src.indexOf("\n", start),
        );
        return {
          values,
          lines,
          error: {
            line: lineAt(pos),
            message: `unexpected character ${JSON.stringify(c)} in variable name near ${JSON.stringify(near)}`,
          },
        };
      }
    }
    if (keyEnd === -1) {
      return {
        values,
        lines,
        error: { line: lineAt(start), message: "a variable name with no = after it" },
      };
    }
    const key = src.slice(keyStart, keyEnd).replace(/\s+$/, "");
    const keyLine = lineAt(start);
    pos = keyEnd + 1;
    while (isSpace(src[pos])) pos++;
    const quote = src[pos];
    if (quote === '"' || quote === "'") {
      let close = -1;
      for (let i = pos + 1; i < src.length; i++) {
        if (src[i] === quote && src[i - 1] !== "\\") {
          close = i;
          break;
        }
      }
      if (close === -1) {
        const eol = src.indexOf("\n", pos);
        return {
          values,
          lines,
          error: {
            line: keyLine,
            message: `unterminated quoted value ${src.slice(pos, eol === -1 ? undefined : eol)}`,
          },
        };
      }
      // godotenv trims every quote character at both ends of the quoted text.
      let raw = src.slice(pos, close);
      while (raw.startsWith(quote)) raw = raw.slice(1);
      while (raw.endsWith(quote)) raw = raw.slice(0, -1);
      const value = quote === '"' ? expandVariables(expandEscapes(raw), values) : raw;
      values.set(key, value);
      lines.set(key, keyLine);
      pos = close + 1;
      continue;
    }
    // godotenv ends an unquoted value at a line break: "\n", or a lone "\r" (old Mac line ends).
    const eol = lineEnd(src, pos);
    const line = [...src.slice(pos, eol === -1 ? src.length : eol)];
    let end = line.length;
    for (let i = line.length - 1; i > 0; i--) {
      if (line[i] === "#" && isSpace(line[i - 1])) {
        end = i;
        break;
      }
    }
    let value = line.slice(0, end).join("");
    while (value.length > 0 && isSpace(value[0])) value = value.slice(1);
    while (value.length > 0 && isSpace(value[value.length - 1])) value = value.slice(0, -1);
    values.set(key, expandVariables(value, values));
    lines.set(key, keyLine);
    pos = eol === -1 ? src.length : eol;
  }
  return { values, lines, error: null };
}

/** Where the line at `pos` ends: its "\n", or a lone "\r" (godotenv's isLineEnd); -1 at the end. */
function lineEnd(src: string, pos: number): number {
  for (let i = pos; i < src.length; i++) if (src[i] === "\n" || src[i] === "\r") return i;
  return -1;
}

/** godotenv's `\n` and `\r` in double quotes; any other backslash is dropped, except before `$`. */
function expandEscapes(text: string): string {
  const out = text.replace(/\\./g, (m) => (m === "\\n" ? "\n" : m === "\\r" ? "\r" : m));
  return out.replace(/\\([^$])/g, "$1");
}

const EXPAND = /(\\)?\$(\()?\{?([A-Z0-9_]+)?\}?/g;

/** godotenv's expansion: only `$NAME`/`${NAME}` with NAME in [A-Z0-9_]; `\$` stays a `$`. */
function expandVariables(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(EXPAND, (match, escaped, _paren, name) => {
    if (escaped) return match.slice(1);
    if (name) return values.get(name) ?? "";
    return match;
  });
}

/** A `#COMPOSE_FILE=...` line: an overlay an operator switches on by removing the `#`. */
const COMMENTED_COMPOSE_FILE = /^[ \t]*#+[ \t]*((?:export[ \t]+)?COMPOSE_FILE[ \t]*[=:].*)$/;

export type CommentedLine = { line: number; text: string };

/** The commented-out `COMPOSE_FILE` lines of an env file, each as it reads once switched on. */
export function commentedComposeFileLines(text: string): CommentedLine[] {
  const out: CommentedLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = COMMENTED_COMPOSE_FILE.exec(raw);
    if (m) out.push({ line: i + 1, text: m[1] as string });
  });
  return out;
}

/** The env file with one line replaced (a commented line switched on, in place). */
export function withLine(text: string, line: number, replacement: string): string {
  const lines = text.split("\n");
  const at = line - 1;
  if (at >= 0 && at < lines.length) {
    lines[at] = (lines[at] as string).endsWith("\r") ? `${replacement}\r` : replacement;
  }
  return lines.join("\n");
}
