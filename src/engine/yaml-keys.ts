/**
 * Which key paths differ between two YAML values, and whether a key path is one the rule allows.
 * Paths are dotted (`services.app.deploy.labels`); list items add their index
 * (`services.app.deploy.labels.6`); a list whose length changed is reported as the list itself.
 */

import { isMapping } from "./yaml-doc.ts";

export const MAX_KEY_PATHS = 200;

/**
 * Key paths whose values differ and that `allowed` does not cover. Subtrees under an allowed path
 * are not walked at all, so the limit only ever counts disallowed paths: hitting it can never hide
 * a change (`truncated` says there are at least that many).
 */
export function disallowedKeyChanges(
  before: unknown,
  after: unknown,
  allowed: readonly string[],
  limit = MAX_KEY_PATHS,
): { paths: string[]; truncated: boolean } {
  const paths: string[] = [];
  let truncated = false;
  const walk = (a: unknown, b: unknown, path: string[]): void => {
    if (truncated) return;
    if (path.length > 0 && keyPathAllowed(path.join("."), allowed)) return;
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
    else paths.push(path.length === 0 ? "(document)" : path.join("."));
  };
  walk(before, after, []);
  return { paths, truncated };
}

/** Every key path whose value differs (nothing allowed), for tests and reports. */
export function changedKeyPaths(before: unknown, after: unknown, limit = MAX_KEY_PATHS): string[] {
  return disallowedKeyChanges(before, after, [], limit).paths;
}

function sameValue(a: unknown, b: unknown): boolean {
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

/**
 * `allowed` is a dotted path where `*` stands for any one key. A changed path is allowed when it
 * is the allowed path or lies below it. Matching works on the joined string, so keys that contain
 * dots themselves (map-form labels such as `backupbot.backup.pre-hook`) need no quoting.
 */
export function keyPathAllowed(changed: string, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => {
    const parts = pattern.split(".");
    if (!parts.includes("*")) return changed === pattern || changed.startsWith(`${pattern}.`);
    return matchWildcard(changed, parts);
  });
}

function matchWildcard(changed: string, parts: readonly string[]): boolean {
  const segments = changed.split(".");
  return (
    segments.length >= parts.length &&
    parts.every((part, i) => part === "*" || part === segments[i])
  );
}
