/**
 * Which key paths of a YAML file differ outside the paths a rule allows (the `keys` check). A
 * path is the list of keys from the root; matching is key by key (see key-path.ts). Subtrees under
 * an allowed path are not walked at all, so the limit only ever counts disallowed paths.
 */
import { type KeyToken, keyPathCovered } from "../shared/key-path.ts";
import { differingPaths, MAX_KEY_PATHS } from "../shared/value-diff.ts";

export { MAX_KEY_PATHS };

export function disallowedKeyChanges(
  before: unknown,
  after: unknown,
  allowed: readonly (readonly KeyToken[])[],
  limit = MAX_KEY_PATHS,
): { paths: string[][]; truncated: boolean } {
  return differingPaths(
    before,
    after,
    (path) => allowed.some((p) => keyPathCovered(path, p)),
    limit,
  );
}
