/**
 * Text from a repository, made safe to show a person: nothing in a file name, a key or a line can
 * pass for something else. A line break in a path would start a new line of the report (so that
 * `notes\ncompose.yml` reads as `compose.yml`), and a Cyrillic `і` in `іmage` looks like `image`.
 * JSON output keeps the raw values; every human report goes through these.
 */

/** Invisible or direction-changing characters ("Trojan Source"): shown escaped everywhere. */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/u;

function escapeChar(char: string): string {
  switch (char) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    case "\\":
      return "\\\\";
    default: {
      const code = char.codePointAt(0) ?? 0;
      return code < 0x100
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u{${code.toString(16)}}`;
    }
  }
}

/**
 * A name (path, key): control characters, backslashes and every non-ASCII character escaped, so a
 * look-alike letter shows as `\u{456}`. Plain ASCII names come back unchanged.
 */
export function showName(name: string): string {
  if (!/[^\u0020-\u005b\u005d-\u007e]/u.test(name)) return name;
  let out = "";
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    out += code >= 0x20 && code < 0x7f && char !== "\\" ? char : escapeChar(char);
  }
  return out;
}

/**
 * A line of content (a changed line, a value): control characters (tabs and a CR included, so
 * whitespace shows) and invisible or direction-changing characters escaped; other non-ASCII text,
 * such as accented words, stays.
 */
export function showLine(line: string): string {
  let out = "";
  for (const char of line) {
    const code = char.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code < 0xa0);
    out += control || INVISIBLE.test(char) ? escapeChar(char) : char;
  }
  return out;
}
