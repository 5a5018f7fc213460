/**
 * One deployment of a recipe, built as abra and `docker stack deploy` build it: each compose file
 * read and parsed, checked on its own, interpolated with the app's env (docker/cli interpolates
 * each file, then merges), merged with docker/cli's rules, checked as a whole, and turned into the
 * swarm objects it creates (swarm.ts). Paths a config, secret or `env_file` names are resolved
 * from the directory of the first compose file, docker/cli's working directory. Pure: the tree
 * comes through a lookup that records what it does not know yet.
 */
import { showName } from "../shared/display.ts";
import { formatKeyPath } from "../shared/key-path.ts";
import { dirname, resolveRepoPath } from "../shared/tree.ts";
import type { AppEnv } from "./app-env.ts";
import { type DeploymentSpec, specLabel } from "./compose-files.ts";
import { mergeStack, normalizeStack } from "./compose-merge.ts";
import { fileProblems, stackProblems, versionOf } from "./compose-problems.ts";
import { interpolate } from "./interpolate.ts";
import { type ObjectInput, type SwarmStack, swarmName, toSwarmStack } from "./swarm.ts";
import type { TreeLookup } from "./tree-lookup.ts";
import type { YamlOf } from "./yaml-cache.ts";
import { isMapping, type Mapping } from "./yaml-doc.ts";

export type ProblemKind =
  /** `.env.sample` has a line abra's dotenv reader refuses, or COMPOSE_FILE is unusable. */
  | "env"
  /** A compose file it merges does not exist. */
  | "missing-file"
  /** A compose file is not text abra can read (binary, invalid UTF-8, a symlink, not read). */
  | "unreadable"
  /** A compose file is not one YAML document, or its top level is not a mapping. */
  | "unparsable"
  /** A file breaks Docker's schema (version, top-level keys, sections). */
  | "schema"
  /** The files have different versions. */
  | "version-mismatch"
  /** A `$` Docker cannot interpolate, or a required `${VAR:?}` nothing sets. */
  | "interpolation"
  /** The merged deployment runs nothing, lacks an image, or uses something it does not declare. */
  | "stack"
  /** A config, secret or env_file names a file that does not exist. */
  | "missing-source";

export type DeployProblem = {
  kind: ProblemKind;
  /** The file to blame, when one is. */
  file: string | null;
  /** What is wrong; for missing-file, unreadable and unparsable it names the file itself. */
  message: string;
};

export type Deployment = {
  spec: DeploymentSpec;
  /** `compose.yml + compose.smtp.yml`, and ` (optional)` for one an operator switches on. */
  title: string;
  /** Why abra or `docker stack deploy` would refuse it; empty when it deploys. */
  problems: DeployProblem[];
  /** What swarm receives; null when its files cannot all be read and parsed. */
  stack: SwarmStack | null;
  /** Its files merged with variables as written (to say why a change changes nothing). */
  written: Mapping | null;
  /** Each compose file as written (merge keys applied, list and map forms made one), in order. */
  files: Map<string, Mapping>;
  /** Variables its files use that nothing sets (Docker substitutes "", with a warning). */
  unset: Set<string>;
  /** Every file it reads: compose files, and the files of its configs, secrets and env_files. */
  reads: Set<string>;
  /** Files something renders as a Go template, and what renders them. */
  templates: Map<string, string>;
  /** Some of what it reads is not known yet (the lookup recorded what). */
  incomplete: boolean;
};

const MAX_INTERPOLATION_PROBLEMS = 5;

/** Every string value of a parsed YAML value through `fn` (keys are left alone, as Docker does). */
function mapStrings(
  value: unknown,
  fn: (text: string, path: string[]) => string,
  path: string[] = [],
): unknown {
  if (typeof value === "string") return fn(value, path);
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, fn, [...path, String(i)]));
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn, [...path, k]);
    return out;
  }
  return value;
}

type Loaded = { file: string; doc: Mapping };

/** Read and parse one compose file, or say why it cannot be. */
function loadFile(
  file: string,
  spec: DeploymentSpec,
  tree: TreeLookup,
  yaml: YamlOf,
): Loaded | DeployProblem | "unknown" {
  const entry = tree.entry(file);
  if (entry === undefined) return "unknown";
  const shown = showName(file);
  if (entry === null || entry.type === "tree") {
    const why =
      spec.id === "default" && !spec.origin.startsWith("COMPOSE_FILE")
        ? `: abra deploys ${shown} when .env.sample sets no COMPOSE_FILE${otherBase(tree)}`
        : spec.id.startsWith("overlay:")
          ? `, and ${spec.origin}, goes on top of it`
          : `, and ${spec.origin} names it`;
    return { kind: "missing-file", file, message: `${shown} does not exist${why}` };
  }
  if (entry.type === "commit")
    return { kind: "unreadable", file, message: `${shown} is a submodule, not a file` };
  const side = tree.side(file);
  if (side === undefined) return "unknown";
  const unreadable = (why: string): DeployProblem => ({
    kind: "unreadable",
    file,
    message: `${shown} ${why}`,
  });
  switch (side.state) {
    case "absent":
      return { kind: "missing-file", file, message: `${shown} does not exist` };
    case "symlink":
      return unreadable("is a symlink: what it deploys depends on where the recipe is checked out");
    case "submodule":
      return unreadable("is a submodule, not a file");
    case "binary":
      return unreadable("is binary (re-encoded, e.g. as UTF-16?): compose cannot read it");
    case "too-large":
      return unreadable("is over the inspection limit, so it was not read");
    case "unread":
      return unreadable(side.reason);
    default:
      break;
  }
  if (side.invalidUtf8At !== null)
    return unreadable("is not valid UTF-8, so Docker cannot read it");
  const parsed = yaml(side, { oneDocument: true });
  if (parsed === null || !parsed.ok)
    return { kind: "unparsable", file, message: `${shown} does not parse, so it cannot deploy` };
  if (parsed.value === null || parsed.value === undefined)
    return {
      kind: "unparsable",
      file,
      message: `${shown} is empty (it parses to null), so there is nothing to deploy`,
    };
  if (!isMapping(parsed.value))
    return {
      kind: "unparsable",
      file,
      message: `${shown}: the top level must be a mapping with services`,
    };
  return { file, doc: parsed.value };
}

/** " (it does not read compose.yaml)" when the root has another name for a base file. */
function otherBase(tree: TreeLookup): string {
  const names = tree.names("") ?? [];
  const other = ["compose.yaml", "docker-compose.yml", "docker-compose.yaml"].find((n) =>
    names.includes(n),
  );
  return other ? ` (it does not read ${other})` : "";
}

export function buildDeployment(
  spec: DeploymentSpec,
  tree: TreeLookup,
  env: AppEnv,
  yaml: YamlOf,
): Deployment {
  const title = `${specLabel(spec)}${spec.optional ? " (optional)" : ""}`;
  const problems: DeployProblem[] = spec.problems.map((message) => ({
    kind: "env",
    file: ".env.sample",
    message,
  }));
  const reads = new Set(spec.files);
  const none = (incomplete: boolean): Deployment => ({
    spec,
    title,
    problems,
    stack: null,
    written: null,
    files: new Map(),
    unset: new Set(),
    reads,
    templates: new Map(),
    incomplete,
  });
  if (spec.files.length === 0) return none(false);

  const loaded: Loaded[] = [];
  let unknown = false;
  for (const file of spec.files) {
    const one = loadFile(file, spec, tree, yaml);
    if (one === "unknown") unknown = true;
    else if ("doc" in one) loaded.push(one);
    else problems.push(one);
  }
  if (unknown) return none(true);
  if (loaded.length !== spec.files.length) return none(false);

  // Each file on its own, as docker/cli's loader reads them.
  const lookup = (name: string) => env.get(name)?.value;
  const unset = new Set<string>();
  const first = loaded[0] as Loaded;
  const version = versionOf(first.doc);
  const interpolated: Mapping[] = [];
  for (const { file, doc } of loaded) {
    for (const message of fileProblems(doc)) problems.push({ kind: "schema", file, message });
    const mine = versionOf(doc);
    if (file !== first.file && version !== null && mine !== null && mine !== version) {
      problems.push({
        kind: "version-mismatch",
        file,
        message: `its version is ${mine}${"version" in doc ? "" : " (it sets none: the latest)"}, and ${showName(first.file)}'s is ${version}: docker stack deploy refuses files of two versions ("version mismatched between two composefiles")`,
      });
    }
    let reported = 0;
    const out = mapStrings(doc, (text, path) => {
      const result = interpolate(text, lookup);
      for (const name of result.missing) unset.add(name);
      if (result.error !== null) {
        if (reported < MAX_INTERPOLATION_PROBLEMS) {
          const required = result.error.startsWith("required variable");
          problems.push({
            kind: "interpolation",
            file,
            message: `${formatKeyPath(path)}: ${result.error}${required ? " (nothing sets it: not .env.sample, not abra.sh), so docker stack deploy refuses the stack" : ""}`,
          });
        } else if (reported === MAX_INTERPOLATION_PROBLEMS) {
          problems.push({
            kind: "interpolation",
            file,
            message: "... and more interpolation problems",
          });
        }
        reported++;
      }
      return result.value;
    }) as Mapping;
    interpolated.push(out);
  }

  // The files as one deployment.
  const merge = (docs: Mapping[]) =>
    docs.slice(1).reduce((acc, doc) => mergeStack(acc, doc), docs[0] as Mapping);
  const merged = normalizeStack(merge(interpolated)) as Mapping;
  const written = normalizeStack(merge(loaded.map((l) => l.doc))) as Mapping;
  for (const message of stackProblems(merged))
    problems.push({ kind: "stack", file: null, message });

  // The files its configs, secrets and env_files read, from docker/cli's working directory.
  const workingDir = dirname(first.file);
  const templates = new Map<string, string>();
  const objects = (section: "configs" | "secrets"): ObjectInput[] => {
    const declared = merged[section];
    if (!isMapping(declared)) return [];
    return Object.entries(declared).map(([key, entry]) => {
      const e = isMapping(entry) ? entry : {};
      const external = Boolean(e.external);
      const name = swarmName(key, entry);
      const driver = typeof e.template_driver === "string" ? e.template_driver : null;
      let file: string | null = null;
      let digest: string | null = null;
      if (!external && typeof e.file === "string") {
        file = resolveRepoPath(workingDir, e.file);
        const what = `${section.slice(0, -1)} "${showName(key)}"`;
        if (file === null) {
          problems.push({
            kind: "missing-source",
            file: null,
            message: `${what} reads ${showName(e.file)}, which is outside the recipe`,
          });
        } else {
          reads.add(file);
          const found = tree.entry(file);
          if (found === undefined) unknown = true;
          else if (found === null || found.type !== "blob") {
            problems.push({
              kind: "missing-source",
              file,
              message: `${what} reads ${showName(file)}, which does not exist, so docker stack deploy cannot create it`,
            });
          } else digest = found.oid;
          if (driver === "golang")
            templates.set(file, `${what} renders it (template_driver: golang)`);
          else if (/\.tmpl$/i.test(file)) templates.set(file, `${what} reads it as a .tmpl file`);
        }
      }
      return { key, name, external, file, digest, template_driver: driver };
    });
  };
  const configs = objects("configs");
  const secrets = objects("secrets");
  const services = isMapping(merged.services) ? merged.services : {};
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service)) continue;
    // Traefik renders the Go templates of the dynamic configuration its file provider reads.
    if (typeof service.image === "string" && /(^|\/)traefik([:@]|$)/.test(service.image)) {
      for (const source of mountedSources(service.configs)) {
        const object = configs.find((c) => c.key === source.key);
        if (object?.file && !/(^|\/)traefik\.(ya?ml|toml)$/.test(source.target))
          templates.set(
            object.file,
            `service "${showName(name)}" mounts it into Traefik, whose file provider renders templates`,
          );
      }
    }
    // env_file: its digest stands for its content, as it does for a config.
    const envFiles = typeof service.env_file === "string" ? [service.env_file] : service.env_file;
    if (Array.isArray(envFiles)) {
      const digests: Mapping = {};
      // A file listed twice is read once, and missing, fails the deploy once.
      for (const path of new Set(envFiles.map(String))) {
        const file = resolveRepoPath(workingDir, path);
        const found = file === null ? null : tree.entry(file);
        if (found === undefined) unknown = true;
        else if (found === null || found.type !== "blob") {
          problems.push({
            kind: "missing-source",
            file,
            message: `service "${showName(name)}" reads env_file ${showName(path)}, which does not exist`,
          });
        } else {
          reads.add(file as string);
          digests[file as string] = found.oid;
        }
      }
      services[name] = { ...service, env_file: digests };
    }
  }
  if (unknown) return { ...none(true), problems };
  return {
    spec,
    title,
    problems,
    stack: toSwarmStack({ ...merged, services }, lookup, { configs, secrets }),
    written,
    files: new Map(loaded.map((l) => [l.file, normalizeStack(l.doc) as Mapping])),
    unset,
    reads,
    templates,
    incomplete: false,
  };
}

function mountedSources(value: unknown): { key: string; target: string }[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    const key = isMapping(item) ? String(item.source ?? "") : String(item);
    const target = isMapping(item) && typeof item.target === "string" ? item.target : `/${key}`;
    return { key, target };
  });
}

/** A problem as compose-valid shows it: the deployment, then the file (when not said), then what. */
export function describeProblem(deployment: Deployment, problem: DeployProblem): string {
  const loading =
    problem.kind === "missing-file" ||
    problem.kind === "unreadable" ||
    problem.kind === "unparsable";
  if (loading && deployment.title === problem.file) return problem.message;
  const said = loading || problem.kind === "env" || problem.kind === "missing-source";
  const file =
    !said && problem.file !== null && problem.file !== deployment.title
      ? `${showName(problem.file)}: `
      : "";
  return `${deployment.title}: ${file}${problem.message}`;
}

/** A config's or secret's name as the deployment's files write it (`${STACK_NAME}_x_${X_VERSION}`). */
export function writtenName(
  deployment: Deployment,
  section: "configs" | "secrets",
  key: string,
): string {
  const declared = deployment.written?.[section];
  const entry = isMapping(declared) ? declared[key] : undefined;
  return isMapping(entry) && typeof entry.name === "string" ? entry.name : key;
}

/** The variable a name carries its version in (`NGINX_CONF_VERSION`), if it has one. */
export function versionVariable(name: string): string | null {
  return /\$\{?([A-Za-z_][A-Za-z0-9_]*VERSION[A-Za-z0-9_]*)/.exec(name)?.[1] ?? null;
}

/** The variables a written value uses with a default (`${NAME:-x}`, `${NAME-x}`). */
export function defaultedVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?-/g)].map((m) => m[1] as string);
}

/** Every variable a written value uses. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string);
}
