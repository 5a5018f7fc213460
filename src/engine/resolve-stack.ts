/**
 * The stacks a recipe deploys, at one end of the change, resolved as abra resolves them: the
 * compose file with each overlay merged onto it (and the combination COMPOSE_FILE names), merge
 * keys applied, variables interpolated with `.env.sample` and `abra.sh` (docker/cli's rules), and
 * list-or-map settings made one form. Two ends that resolve to the same stacks deploy the same.
 */
import { showName } from "../shared/display.ts";
import { mergeStack, normalizeStack } from "./compose-merge.ts";
import type { Snapshot } from "./inspect-files.ts";
import { interpolate } from "./interpolate.ts";
import type { RecipeEnv } from "./recipe-env.ts";
import type { YamlOf } from "./recipe-files.ts";
import { basename, composeBaseOf, isComposeOverlay, isMapping, type Mapping } from "./yaml-doc.ts";

export type ResolvedStack = {
  /** `compose.yml`, or `compose.yml + compose.smtp.yml`. */
  label: string;
  files: string[];
  /** Merged and normalised, variables as written. */
  raw: Mapping;
  /** Merged, interpolated and normalised. */
  resolved: Mapping;
  /** Variables used with no value anywhere (no default, not in .env.sample nor abra.sh). */
  missing: Set<string>;
};

export type StackSet = { stacks: ResolvedStack[]; problems: string[] };

/** Every string value of a parsed YAML value through `fn` (keys are left alone, as Docker does). */
function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn);
    return out;
  }
  return value;
}

export function resolveStacks(snapshot: Snapshot, yaml: YamlOf, env: RecipeEnv): StackSet {
  const entries = (snapshot.dirs.get("") ?? []).filter((e) => e.type === "blob");
  const names = entries.map((e) => basename(e.path));
  const base = composeBaseOf(names);
  if (base === null) return { stacks: [], problems: [] };
  const overlays = names.filter(isComposeOverlay).sort();
  const combos: string[][] = [[base], ...overlays.map((o) => [base, o])];
  const deployed = env.composeFiles.filter((f) => f === base || overlays.includes(f));
  if (deployed.length > 2 && !combos.some((c) => c.join(":") === deployed.join(":")))
    combos.push(deployed);

  const problems: string[] = [];
  const stacks: ResolvedStack[] = [];
  for (const files of combos) {
    const docs: Mapping[] = [];
    for (const file of files) {
      const side = snapshot.files.get(file);
      const parsed = side ? yaml(side, { oneDocument: true }) : null;
      if (!parsed?.ok || !isMapping(parsed.value)) {
        problems.push(
          `${showName(file)} does not resolve to a stack (see yaml-valid and compose-valid)`,
        );
        break;
      }
      docs.push(parsed.value);
    }
    if (docs.length !== files.length) continue;
    const missing = new Set<string>();
    const lookup = (name: string) => env.get(name)?.value;
    // docker/cli interpolates each file, then merges them.
    const interpolated = docs.map(
      (doc) =>
        mapStrings(doc, (text) => {
          const result = interpolate(text, lookup);
          for (const name of result.missing) missing.add(name);
          return result.value;
        }) as Mapping,
    );
    const merge = (list: Mapping[]) =>
      list.slice(1).reduce((acc, doc) => mergeStack(acc, doc), list[0] as Mapping);
    stacks.push({
      label: files.join(" + "),
      files,
      raw: normalizeStack(merge(docs)) as Mapping,
      resolved: normalizeStack(merge(interpolated)) as Mapping,
      missing,
    });
  }
  return { stacks, problems };
}
