/**
 * Compiled RE2JS patterns by source, shared by every fixture verified in this process: the tier
 * presets give many fixtures the same globs and line patterns, and compiling one costs more than
 * matching it. A compiled pattern is immutable (each match makes its own matcher). Bounded: the
 * oldest entries go first.
 */
import { RE2JS } from "re2js";

const compiled = new Map<string, RE2JS>();
const MAX_PATTERNS = 2_000;

export function compileRe2(source: string): RE2JS {
  let re = compiled.get(source);
  if (re === undefined) {
    re = RE2JS.compile(source);
    compiled.set(source, re);
    if (compiled.size > MAX_PATTERNS) compiled.delete(compiled.keys().next().value as string);
  }
  return re;
}
