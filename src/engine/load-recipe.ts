/**
 * Complete the snapshots of both ends with what the recipe model asks for, and read the recipe at
 * each end: the model (recipe/read-recipe.ts) says which directories it needs listed and which
 * files read, this lists and reads them (both ends together, one batch per round, within the read
 * budget the changed files left), and asks again. The root's `.env.sample`, `abra.sh` and compose
 * files are read with the root's listing, so a recipe whose files all sit at its root takes two
 * rounds. A file over a limit is known as such (too large, not read), never left out.
 */
import { type Recipe, readRecipe } from "../recipe/read-recipe.ts";
import type { YamlOf } from "../recipe/yaml-cache.ts";
import { MODE, type TreeEntry } from "../shared/git-facts.ts";
import { basename, dirname, type Side, type Snapshot } from "../shared/tree.ts";
import { type BlobRequest, type Limits, readSides, type TreeReader } from "./inspect-files.ts";

/** Enough for root -> env -> compose files -> their folders -> the folders configs read. */
const MAX_ROUNDS = 8;

/** Root files read with the root's listing: what nearly every recipe's model needs first. */
const EAGER = /^(\.env\.sample|abra\.sh|compose(\.[^/]+)?\.ya?ml)$/;

export async function loadRecipes(
  ends: { base: Snapshot; pin: Snapshot },
  reader: TreeReader,
  limits: Limits,
  budget: { left: number },
  yaml: YamlOf,
): Promise<{ base: Recipe; pin: Recipe }> {
  const snapshots = [ends.base, ends.pin];
  let recipes = snapshots.map((s) => readRecipe(s, yaml));
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const wants = recipes.map((r) => r.needs);
    if (wants.every((w) => w.dirs.size === 0 && w.files.size === 0)) break;
    // Directories first (both ends at once), then every file whose entry is now known. Past the
    // limit on directories, what is left stays unknown, and the model says it could not tell.
    let progress = 0;
    await Promise.all(
      snapshots.map(async (snapshot, i) => {
        for (const dir of (wants[i] as Recipe["needs"]).dirs) {
          if (snapshot.dirs.size >= limits.maxContextDirs) break;
          snapshot.dirs.set(dir, await reader.listDir(snapshot.commit, dir));
          progress++;
        }
      }),
    );
    const requests: { snapshot: Snapshot; path: string; blob: BlobRequest }[] = [];
    snapshots.forEach((snapshot, i) => {
      const files = new Set((wants[i] as Recipe["needs"]).files);
      if (round === 0) {
        for (const e of snapshot.dirs.get("") ?? []) if (EAGER.test(e.path)) files.add(e.path);
      }
      for (const path of files) {
        if (snapshot.files.has(path)) continue;
        const entry = entryAt(snapshot, path);
        if (entry === undefined) continue;
        if (entry === null) {
          snapshot.files.set(path, { state: "absent" });
          progress++;
        } else
          requests.push({
            snapshot,
            path,
            blob: { mode: entry.mode, oid: entry.oid, size: entry.size },
          });
      }
    });
    const sides = await readSides(
      reader,
      requests.map((r) => r.blob),
      limits,
      budget,
    );
    for (const [i, r] of requests.entries()) r.snapshot.files.set(r.path, sides[i] as Side);
    progress += requests.length;
    recipes = snapshots.map((s) => readRecipe(s, yaml));
    if (progress === 0) break;
  }
  return { base: recipes[0] as Recipe, pin: recipes[1] as Recipe };
}

/** The entry at a path from its directory's listing: null when absent, undefined when unlisted. */
function entryAt(snapshot: Snapshot, path: string): TreeEntry | null | undefined {
  const listed = snapshot.dirs.get(dirname(path));
  if (listed === undefined) return undefined;
  const entry = listed.find((e) => basename(e.path) === basename(path));
  return entry?.type === "blob" || entry?.mode === MODE.submodule ? entry : null;
}
