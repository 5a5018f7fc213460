/**
 * Path globs (`compose.yml`, `release/*`, `**\/*.yml`, `compose.{smtp,oidc}.yml`) translated to RE2
 * and matched in linear time. Globs come from fixtures.yaml, which a pull request can change, so a
 * backtracking matcher (picomatch's regexes on V8, say) is not safe for them.
 *
 * Syntax: `*` any characters but `/`; `**` any characters including `/` (`**\/` zero or more
 * directories); `?` one character but `/`; `[abc]`, `[a-z]`, `[!abc]` classes; `{a,b}` alternatives;
 * `\x` a literal x.
 */
import { compileRe2 } from "./re2-cache.ts";

export type GlobMatcher = (path: string) => boolean;

export function compileGlob(glob: string): GlobMatcher {
  const re = compileRe2(`^${translate(glob, 0)}$`);
  return (path) => re.matches(path);
}

const SPECIAL = /[\\^$.|?*+()[\]{}]/g;

function translate(glob: string, depth: number): string {
  if (depth > 4) throw new Error("braces nested too deeply");
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "\\") {
      const next = glob[i + 1];
      if (next === undefined) throw new Error("ends with a lone backslash");
      out += next.replace(SPECIAL, "\\$&");
      i += 1;
    } else if (c === "*") {
      if (glob[i + 1] === "*") {
        const atStart = i === 0 || glob[i - 1] === "/";
        if (atStart && glob[i + 2] === "/") {
          out += "(?:[^/]*/)*";
          i += 2;
        } else {
          out += ".*";
          i += 1;
        }
      } else out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end === -1) throw new Error('has a "[" without its "]"');
      let body = glob.slice(i + 1, end);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else if (c === "{") {
      const end = matchingBrace(glob, i);
      const alternatives = splitTopLevel(glob.slice(i + 1, end));
      if (alternatives.length > 50) throw new Error("has more than 50 alternatives in braces");
      out += `(?:${alternatives.map((a) => translate(a, depth + 1)).join("|")})`;
      i = end;
    } else {
      out += c.replace(SPECIAL, "\\$&");
    }
  }
  return out;
}

function matchingBrace(glob: string, open: number): number {
  let level = 0;
  for (let i = open; i < glob.length; i++) {
    if (glob[i] === "\\") i += 1;
    else if (glob[i] === "{") level += 1;
    else if (glob[i] === "}" && --level === 0) return i;
  }
  throw new Error('has a "{" without its "}"');
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let level = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\") i += 1;
    else if (body[i] === "{") level += 1;
    else if (body[i] === "}") level -= 1;
    else if (body[i] === "," && level === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}
