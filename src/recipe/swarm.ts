/**
 * A deployment as swarm receives it, from its compose files merged and interpolated: two ways of
 * writing the same deployment give the same value, and two deployments that differ here differ
 * in what swarm runs (or in something the tier table says nothing reads).
 *
 * - services: list-or-map settings in map form (`labels`, `deploy.labels`, `environment`,
 *   `networks`), values as strings (docker/cli's `fmt.Sprint`), an environment entry with no value
 *   taken from the app's env (as docker/cli's `updateEnvironment` does for `- DOMAIN`), `command`
 *   and `entrypoint` split as shlex splits a string, `healthcheck.test` as `CMD-SHELL` for a
 *   string, volumes keyed by their target, and configs and secrets mounted by their target with
 *   the **swarm name** of the object they mount;
 * - configs and secrets keyed by their swarm name (`name:` when set, else `${STACK_NAME}_<key>`,
 *   or the key for an external one), each with the file it reads and that file's blob id as the
 *   digest of its content (and its template driver): the identity swarm keeps them by;
 * - networks and volumes as declared; `version` and `x-` extensions as written.
 *
 * Pure.
 */
import { showName } from "../shared/display.ts";
import { shellSplit } from "./shlex.ts";
import { parseVolumeSpec } from "./volume-spec.ts";
import { isMapping, type Mapping } from "./yaml-doc.ts";

/** A config or secret as swarm keeps it. */
export type FileObject = {
  /** The key the compose files declare it under. */
  key: string;
  external: boolean;
  /** The file it reads, from the recipe root; null for an external one. */
  file: string | null;
  /** The blob id of that file: the digest of its content; null when external or unknown. */
  digest: string | null;
  template_driver: string | null;
};

export type SwarmStack = {
  services: Record<string, Mapping>;
  configs: Record<string, FileObject>;
  secrets: Record<string, FileObject>;
  networks: Record<string, unknown>;
  volumes: Record<string, unknown>;
} & Record<string, unknown>;

export type ObjectInput = { key: string; name: string } & Omit<FileObject, "key">;

/**
 * The swarm name of a declared config or secret (the value of `name:` is interpolated). Any
 * mapping under `external:` makes it external, as docker/cli's transformExternal reads it, named by
 * its deprecated `external.name` or else by its key.
 */
export function swarmName(key: string, entry: unknown): string {
  if (!isMapping(entry)) return `\${STACK_NAME}_${key}`;
  if (typeof entry.name === "string" && entry.name !== "") return entry.name;
  const external = entry.external;
  if (isMapping(external)) {
    return typeof external.name === "string" && external.name !== "" ? external.name : key;
  }
  if (external === true) return key;
  return `\${STACK_NAME}_${key}`;
}

const toText = (value: unknown): string | null =>
  value === null || value === undefined
    ? null
    : typeof value === "string"
      ? value
      : typeof value === "object"
        ? JSON.stringify(value)
        : String(value);

/** `["a=1", "b"]` -> `{a: "1", b: null}`; a map's values as strings (null kept when allowed). */
function keyValues(value: unknown, allowNull: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      const text = toText(v);
      out[k] = text === null ? (allowNull ? null : "") : text;
    }
    return out;
  }
  if (!Array.isArray(value)) return out;
  for (const item of value) {
    const text = String(item);
    const eq = text.indexOf("=");
    if (eq === -1) out[text] = allowNull ? null : "";
    else out[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return out;
}

/** A command as docker/cli reads it: a string split, kept as written where shlex refuses it. */
function commandOf(value: unknown): unknown {
  return typeof value === "string" ? (shellSplit(value) ?? value) : value;
}

/** A service's mounts of configs or secrets, keyed by where they appear in the container. */
function mounts(
  value: unknown,
  kind: "configs" | "secrets",
  names: ReadonlyMap<string, string>,
): Record<string, Mapping> {
  const out: Record<string, Mapping> = {};
  if (!Array.isArray(value)) return out;
  for (const item of value) {
    const entry: Mapping = isMapping(item) ? { ...item } : { source: String(item) };
    const source = typeof entry.source === "string" ? entry.source : "";
    const target =
      typeof entry.target === "string" && entry.target !== ""
        ? entry.target
        : kind === "secrets"
          ? `/run/secrets/${source}`
          : `/${source}`;
    delete entry.source;
    delete entry.target;
    const name = names.get(source) ?? `(undeclared ${kind.slice(0, -1)} ${showName(source)})`;
    const fields: Mapping = {};
    for (const [k, v] of Object.entries(entry)) fields[k] = toText(v);
    out[target] = { name, ...fields };
  }
  return out;
}

/** A service's volumes keyed by their target (`content:/usr/share/nginx/html:ro`). */
function volumeMounts(value: unknown): Record<string, Mapping> {
  const out: Record<string, Mapping> = {};
  if (!Array.isArray(value)) return out;
  for (const item of value) {
    if (isMapping(item)) {
      const target = String(item.target ?? "");
      out[target] = { ...item };
      continue;
    }
    const spec = parseVolumeSpec(String(item));
    if ("error" in spec || spec.source === "") {
      // An anonymous volume; a spec docker refuses is kept as written (its problem is reported).
      out["error" in spec ? String(item) : spec.target] = { type: "volume" };
      continue;
    }
    out[spec.target] = {
      type: spec.type,
      source: spec.source,
      ...(spec.mode === null ? {} : { mode: spec.mode }),
    };
  }
  return out;
}

/**
 * One service as swarm receives it. `lookup` is the app's env (an environment entry written
 * without a value, or with an empty one, takes its value there, as docker/cli does).
 */
export function toSwarmService(
  service: Mapping,
  lookup: (name: string) => string | undefined,
  names: { configs: ReadonlyMap<string, string>; secrets: ReadonlyMap<string, string> },
): Mapping {
  const out: Mapping = { ...service };
  if ("labels" in out) out.labels = keyValues(out.labels, false);
  if ("environment" in out) {
    const env = keyValues(out.environment, true);
    for (const [k, v] of Object.entries(env)) {
      if (v === null || v === "") {
        const value = lookup(k);
        if (value !== undefined) env[k] = value;
      }
    }
    out.environment = env;
  }
  if ("networks" in out) {
    out.networks = isMapping(out.networks)
      ? out.networks
      : Object.fromEntries(
          (Array.isArray(out.networks) ? out.networks : []).map((n) => [String(n), null]),
        );
  }
  if ("command" in out) out.command = commandOf(out.command);
  if ("entrypoint" in out) out.entrypoint = commandOf(out.entrypoint);
  if (isMapping(out.healthcheck) && typeof out.healthcheck.test === "string") {
    out.healthcheck = { ...out.healthcheck, test: ["CMD-SHELL", out.healthcheck.test] };
  }
  if ("volumes" in out) out.volumes = volumeMounts(out.volumes);
  if ("configs" in out) out.configs = mounts(out.configs, "configs", names.configs);
  if ("secrets" in out) out.secrets = mounts(out.secrets, "secrets", names.secrets);
  if (isMapping(out.deploy) && "labels" in out.deploy) {
    out.deploy = { ...out.deploy, labels: keyValues(out.deploy.labels, false) };
  }
  return out;
}

/**
 * The whole deployment as swarm receives it, from its merged, interpolated files and the config
 * and secret objects its files declare (their swarm names and digests, read by the caller).
 */
export function toSwarmStack(
  doc: Mapping,
  lookup: (name: string) => string | undefined,
  objects: { configs: readonly ObjectInput[]; secrets: readonly ObjectInput[] },
): SwarmStack {
  const byName = (list: readonly ObjectInput[]) => {
    const out: Record<string, FileObject> = {};
    for (const o of list)
      out[o.name] = {
        key: o.key,
        external: o.external,
        file: o.file,
        digest: o.digest,
        template_driver: o.template_driver,
      };
    return out;
  };
  const names = {
    configs: new Map(objects.configs.map((o) => [o.key, o.name])),
    secrets: new Map(objects.secrets.map((o) => [o.key, o.name])),
  };
  const services: Record<string, Mapping> = {};
  if (isMapping(doc.services)) {
    for (const [name, service] of Object.entries(doc.services)) {
      if (isMapping(service)) services[name] = toSwarmService(service, lookup, names);
    }
  }
  const out: SwarmStack = {
    services,
    configs: byName(objects.configs),
    secrets: byName(objects.secrets),
    networks: isMapping(doc.networks) ? { ...doc.networks } : {},
    volumes: isMapping(doc.volumes) ? { ...doc.volumes } : {},
  };
  for (const [key, value] of Object.entries(doc)) {
    if (key === "version" || key.startsWith("x-")) out[key] = value;
  }
  return out;
}
