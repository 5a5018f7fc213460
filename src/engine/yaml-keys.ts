/**
 * Which key paths differ between two YAML values, outside the paths a rule allows. A path is the
 * list of keys from the root (list items add their index); a list whose length changed is reported
 * as the list itself. Matching is key by key (see key-path.ts).
 */
import { type KeyToken, keyPathCovered } from "../shared/key-path.ts";
import { isMapping } from "./yaml-doc.ts";

export const MAX_KEY_PATHS = 200;

/**
 * Key paths whose values differ and that no pattern covers. Subtrees under an allowed path are not
 * walked at all, so the limit only ever counts disallowed paths: hitting it can never hide a
 * change (`truncated` says there are at least that many).
 */
export function disallowedKeyChanges(
  before: unknown,
  after: unknown,
  allowed: readonly (readonly KeyToken[])[],
  limit = MAX_KEY_PATHS,
): { paths: string[][]; truncated: boolean } {
  const paths: string[][] = [];
  let truncated = false;
  const walk = (a: unknown, b: unknown, path: string[]): void => {
    if (truncated) return;
    if (path.length > 0 && allowed.some((p) => keyPathCovered(path, p))) return;
    if (isMapping(a) && isMapping(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(a[key], b[key], [...path, key]);
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

/** Every key path whose value differs (nothing allowed). */
export function changedKeyPaths(
  before: unknown,
  after: unknown,
  limit = MAX_KEY_PATHS,
): string[][] {
  return disallowedKeyChanges(before, after, [], limit).paths;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (isMapping(a) && isMapping(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!sameValue(a[k], b[k])) return false;
    return true;
  }
  return false;
}
