/**
 * Which key paths differ between two parsed YAML (or JSON) values. A path is the list of keys from
 * the root (list items add their index); a list whose length changed is reported as the list
 * itself. A map that exists on one side only is walked into, as if it were empty on the other: a
 * label added under a `deploy:` that did not exist is the label, not the whole `deploy:`.
 */

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export const MAX_KEY_PATHS = 200;

/**
 * Paths whose values differ, skipping (and not walking) the paths `skip` says to. The limit only
 * ever counts paths that are reported: hitting it can never hide one (`truncated` says so).
 */
export function differingPaths(
  before: unknown,
  after: unknown,
  skip: (path: readonly string[]) => boolean = () => false,
  limit = MAX_KEY_PATHS,
): { paths: string[][]; truncated: boolean } {
  const paths: string[][] = [];
  let truncated = false;
  const walk = (a: unknown, b: unknown, path: string[]): void => {
    if (truncated) return;
    if (path.length > 0 && skip(path)) return;
    const aMap = isPlainMap(a);
    const bMap = isPlainMap(b);
    if ((aMap || a === undefined) && (bMap || b === undefined) && (aMap || bMap)) {
      const left = (a ?? {}) as Record<string, unknown>;
      const right = (b ?? {}) as Record<string, unknown>;
      for (const key of new Set([...Object.keys(left), ...Object.keys(right)]))
        walk(left[key], right[key], [...path, key]);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      for (let i = 0; i < a.length; i++) walk(a[i], b[i], [...path, String(i)]);
      return;
    }
    if (sameValue(a, b)) return;
    if (paths.length >= limit) truncated = true;
    else paths.push(path);
  };
  walk(before, after, []);
  return { paths, truncated };
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (isPlainMap(a) && isPlainMap(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!sameValue(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** The value at a key path, or undefined. */
export function valueAt(doc: unknown, path: readonly string[]): unknown {
  let at: unknown = doc;
  for (const key of path) {
    if (Array.isArray(at)) at = at[Number(key)];
    else if (isPlainMap(at)) at = at[key];
    else return undefined;
  }
  return at;
}
