/**
 * The one answer to "what does abra deploy from this tree?": the app's env, the default
 * deployment (what the recipe CI deploys) and the optional ones (what an operator can switch on),
 * each built as abra builds it (deployment.ts), and what follows from them: which files are
 * compose files, which are rendered as templates, which files the configs read. Every check that
 * knows about recipes reads it here. Pure: a snapshot in; what it still needs to know out, for
 * the caller to fetch and ask again.
 */
import type { Side, Snapshot } from "../shared/tree.ts";
import { type AppEnv, createAppEnv } from "./app-env.ts";
import { deploymentSpecs } from "./compose-files.ts";
import { buildDeployment, type Deployment } from "./deployment.ts";
import { createTreeLookup, type Needs } from "./tree-lookup.ts";
import type { YamlOf } from "./yaml-cache.ts";

export const ENV_SAMPLE = ".env.sample";
export const ABRA_SH = "abra.sh";

export type Recipe = {
  env: AppEnv;
  /** The default deployment first, then the optional ones. Empty until the root is known. */
  deployments: Deployment[];
  /** Every file some deployment merges as a compose file. */
  composeFiles: Set<string>;
  /** Files something renders as a Go template, and what renders them. */
  templates: Map<string, string>;
  /** What it still needs: directories to list and files to read. Empty once complete. */
  needs: Needs;
};

/** The text of a root file for abra (null when absent), and why abra cannot read it, if so. */
function rootText(side: Side | undefined): { text: string | null; problem?: string } | undefined {
  if (side === undefined) return undefined;
  if (side.state === "text") return { text: side.text };
  return {
    text: null,
    problem: `is ${side.state === "unread" ? "not read" : `a ${side.state} file`}, so abra cannot read it`,
  };
}

export function readRecipe(snapshot: Snapshot, yaml: YamlOf): Recipe {
  const tree = createTreeLookup(snapshot);
  const empty = (): Recipe => ({
    env: createAppEnv(null, null),
    deployments: [],
    composeFiles: new Set(),
    templates: new Map(),
    needs: tree.needs,
  });
  const names = tree.names("");
  if (names === undefined) return empty();
  const read = (path: string) =>
    names.includes(path) && tree.entry(path)?.type === "blob"
      ? rootText(tree.side(path))
      : { text: null };
  const envSample = read(ENV_SAMPLE);
  const abraSh = read(ABRA_SH);
  if (envSample === undefined || abraSh === undefined) return empty();

  const env = createAppEnv(envSample.text, abraSh.text);
  const specs = deploymentSpecs(envSample.text, abraSh.text, names);
  const deployments = specs.map((spec) => buildDeployment(spec, tree, env, yaml));
  for (const [path, root] of [
    [ENV_SAMPLE, envSample],
    [ABRA_SH, abraSh],
  ] as const) {
    if (root.problem === undefined) continue;
    for (const d of deployments)
      d.problems.unshift({ kind: "env", file: path, message: `${path} ${root.problem}` });
  }
  const composeFiles = new Set(specs.flatMap((s) => s.files));
  const templates = new Map<string, string>();
  for (const d of deployments) for (const [path, why] of d.templates) templates.set(path, why);
  return { env, deployments, composeFiles, templates, needs: tree.needs };
}

/** The deployment the recipe CI deploys. */
export function defaultDeployment(recipe: Recipe): Deployment | null {
  return recipe.deployments[0] ?? null;
}
