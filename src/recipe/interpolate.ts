/**
 * Variable interpolation in compose files, exactly as `docker stack deploy` does it (docker/cli
 * `cli/compose/template/template.go`, which abra uses too): `$$` is a literal `$`; `$VAR` and
 * `${VAR}` substitute; `${VAR:-default}` (unset or empty), `${VAR-default}` (unset),
 * `${VAR:?message}` and `${VAR?message}` (required). There is no `${VAR:+alt}` and no nesting
 * (`${A:-${B}}` yields the literal text `${B}` when A is unset), and a `$` followed by anything
 * else is an error that stops the deploy: `Invalid template`.
 */

/** docker/cli's pattern, with the same groups: escaped, named, braced, and invalid (the rest). */
const PATTERN =
  /\$(?:(\$)|([_a-z][_a-z0-9]*(?::?[-?][^}]*)?)|\{([_a-z][_a-z0-9]*(?::?[-?][^}]*)?)\}|())/gi;

/** A variable's value, or undefined when it is not set at all. */
export type Lookup = (name: string) => string | undefined;

export type Interpolated = {
  value: string;
  /**
   * Variables used with no value and no default: Docker substitutes "" (a required one fails the
   * deploy instead, unless a later substitution makes Docker forget it).
   */
  missing: string[];
  /** Why Docker would refuse the string, if it would. */
  error: string | null;
};

const ACCEPTED =
  "Docker accepts $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, and $$ for a literal $";

/**
 * Why Docker refuses this string's syntax, or null when it accepts it. docker/cli keeps the status
 * of the last substitution only, so an invalid `$` fails the deploy when no substitution follows
 * it (`$$` is no substitution).
 */
export function interpolationProblem(text: string): string | null {
  if (!text.includes("$")) return null;
  let last: RegExpExecArray | null = null;
  for (const match of text.matchAll(PATTERN)) if (match[1] === undefined) last = match;
  return last?.[4] !== undefined ? invalidAt(text, last.index) : null;
}

function invalidAt(text: string, at: number): string {
  const end = text.indexOf("}", at);
  const snippet = end !== -1 && end - at < 60 ? text.slice(at, end + 1) : text.slice(at, at + 20);
  return `invalid interpolation ${JSON.stringify(snippet)} (${ACCEPTED})`;
}

/**
 * Substitute variables as Docker would, saying which had no value and whether Docker would fail.
 * As docker/cli's SubstituteWith, each substitution sets the error anew: a failure (an invalid `$`,
 * a required variable with no value) fails the deploy when it is the last substitution; an earlier
 * one gave "" and is forgotten, and its variable is one with no value.
 */
export function interpolate(text: string, lookup: Lookup): Interpolated {
  const missing: string[] = [];
  let error: string | null = null;
  let failed: string | null = null;
  const value = text.replace(PATTERN, (_match, escaped, named, braced, invalid, offset: number) => {
    if (escaped !== undefined) return "$";
    if (failed !== null) missing.push(failed);
    failed = null;
    if (invalid !== undefined) {
      error = invalidAt(text, offset);
      return "";
    }
    const result = substitute((named ?? braced) as string, lookup);
    error = result.error ?? null;
    if (result.error !== undefined) failed = result.missing as string;
    else if (result.missing !== undefined) missing.push(result.missing);
    return result.value;
  });
  return { value, missing: [...new Set(missing)], error };
}

/** docker/cli's substitution functions, tried in its order: `:-`, `-`, `:?`, `?`, plain. */
function substitute(
  substitution: string,
  lookup: Lookup,
): { value: string; missing?: string; error?: string } {
  const cut = (sep: string) => {
    const at = substitution.indexOf(sep);
    return [substitution.slice(0, at), substitution.slice(at + sep.length)] as const;
  };
  if (substitution.includes(":-")) {
    const [name, fallback] = cut(":-");
    const value = lookup(name);
    return { value: value === undefined || value === "" ? fallback : value };
  }
  if (substitution.includes("-")) {
    const [name, fallback] = cut("-");
    return { value: lookup(name) ?? fallback };
  }
  for (const sep of [":?", "?"]) {
    if (!substitution.includes(sep)) continue;
    const [name, message] = cut(sep);
    const value = lookup(name);
    if (value === undefined || (sep === ":?" && value === "")) {
      const error = `required variable ${name} is missing a value: ${message}`;
      return { value: "", missing: name, error };
    }
    return { value };
  }
  const value = lookup(substitution);
  return value === undefined ? { value: "", missing: substitution } : { value };
}

/** Every string in a parsed YAML value, with the key path that leads to it (values only, not keys). */
export function* stringsIn(value: unknown, path: string[] = []): Generator<[string[], string]> {
  if (typeof value === "string") yield [path, value];
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* stringsIn(value[i], [...path, String(i)]);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* stringsIn(v, [...path, k]);
  }
}
