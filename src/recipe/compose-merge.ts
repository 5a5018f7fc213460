/**
 * Compose files as Docker reads them: list and map forms of the same setting made one, and
 * overlays (`compose.smtp.yml`, which abra deploys on top of `compose.yml` when `COMPOSE_FILE`
 * names it) merged onto the base file with docker/cli's rules (`cli/compose/loader/merge.go`):
 *
 * - top-level `volumes`, `networks`, `secrets`, `configs`: an overlay's entry replaces the base's
 *   (an empty section, null, which docker refuses, leaves the base's as it is);
 * - a service in both files is merged key by key: maps (`labels`, `environment`, `networks`,
 *   `deploy`, ...) merge, `secrets` and `configs` are keyed by `source`, `volumes` by target,
 *   `ports` by value, `command` and `entrypoint` are replaced (unless the overlay's is empty),
 *   other lists are appended (`env_file`, `dns`, `dns_search`, `tmpfs` are lists even when written
 *   as one string); a setting the overlay leaves empty (null) keeps the base's;
 * - a service only in the overlay is taken as it is (so it needs its own image).
 */
import { shellSplit } from "./shlex.ts";
import { parseVolumeSpec } from "./volume-spec.ts";
import { isMapping, type Mapping } from "./yaml-doc.ts";

/** Settings written either as `- KEY=value` lists or as maps; Docker reads both as a map. */
const KEY_VALUE_LISTS = new Set(["labels", "environment"]);

/** `["a=1", "b"]` -> `{a: "1", b: null}` (labels: `b` -> ""), a map stays a map. */
export function keyValueMap(value: unknown, key: "labels" | "environment" = "labels"): Mapping {
  if (isMapping(value)) return value;
  const out: Mapping = {};
  if (!Array.isArray(value)) return out;
  for (const item of value) {
    if (typeof item !== "string") continue;
    const eq = item.indexOf("=");
    if (eq === -1) out[item] = key === "labels" ? "" : null;
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** A service's network list as a map of names (`[a, b]` -> `{a: null, b: null}`). */
function networkMap(value: unknown): Mapping {
  if (isMapping(value)) return value;
  if (!Array.isArray(value)) return {};
  return Object.fromEntries(value.filter((n) => typeof n === "string").map((n) => [n, null]));
}

/**
 * A service with its list-or-map settings in map form, so that two ways of writing the same
 * stack compare equal: `labels`, `deploy.labels`, `environment`, `networks`.
 */
export function normalizeService(service: unknown): unknown {
  if (!isMapping(service)) return service;
  const out: Mapping = { ...service };
  if ("labels" in out) out.labels = keyValueMap(out.labels, "labels");
  if ("environment" in out) out.environment = keyValueMap(out.environment, "environment");
  if ("networks" in out) out.networks = networkMap(out.networks);
  if (isMapping(out.deploy) && "labels" in out.deploy) {
    out.deploy = { ...out.deploy, labels: keyValueMap(out.deploy.labels, "labels") };
  }
  return out;
}

/** A whole stack with every service normalised (see `normalizeService`). */
export function normalizeStack(doc: unknown): unknown {
  if (!isMapping(doc) || !isMapping(doc.services)) return doc;
  const services: Mapping = {};
  for (const [name, service] of Object.entries(doc.services))
    services[name] = normalizeService(service);
  return { ...doc, services };
}

/** `base` with `overlay` merged onto it, as `docker stack deploy -c base -c overlay` does. */
export function mergeStack(base: Mapping, overlay: Mapping): Mapping {
  const out: Mapping = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (key === "services" && isMapping(value) && isMapping(base.services)) {
      const services: Mapping = { ...base.services };
      for (const [name, service] of Object.entries(value)) {
        const mine = services[name];
        services[name] =
          isMapping(mine) && isMapping(service) ? mergeService(mine, service) : service;
      }
      out.services = services;
    } else if (value === null || value === undefined) {
      // An empty section (`volumes:` with every entry commented out) is null, which docker's
      // schema refuses (fileProblems reports it); the merge keeps the base's entries, so the
      // rest of the deployment still reads as it would with the section left out.
      if (!(key in out)) out[key] = value;
    } else if (isMapping(value) && isMapping(base[key])) {
      out[key] = { ...(base[key] as Mapping), ...value };
    } else {
      out[key] = value;
    }
  }
  return out;
}

const KEYED_LISTS: Record<string, (item: unknown) => unknown> = {
  secrets: (item) => (isMapping(item) ? item.source : item),
  configs: (item) => (isMapping(item) ? item.source : item),
  volumes: (item) => {
    if (isMapping(item)) return item.target;
    if (typeof item !== "string") return item;
    const spec = parseVolumeSpec(item);
    return "error" in spec ? item : spec.target;
  },
  ports: (item) => JSON.stringify(item),
};

const REPLACED = new Set(["command", "entrypoint"]);

/**
 * A command that says nothing: no words, as a list or as a string google/shlex splits into none
 * (`""`, a comment). docker/cli's mergeShellCommand keeps the base's command then.
 */
const isEmptyCommand = (value: unknown) =>
  Array.isArray(value)
    ? value.length === 0
    : typeof value === "string" && shellSplit(value)?.length === 0;

/** Settings Docker reads as a list of strings, written as one string or a list: both files' append. */
const STRING_LISTS = new Set(["env_file", "dns", "dns_search", "tmpfs"]);
const asList = (key: string, value: unknown) =>
  STRING_LISTS.has(key) && typeof value === "string" ? [value] : value;

function mergeService(base: Mapping, overlay: Mapping): Mapping {
  const out: Mapping = { ...base };
  for (const [key, written] of Object.entries(overlay)) {
    const mine = asList(key, base[key]);
    const value = asList(key, written);
    if (mine === undefined || value === null || value === undefined) {
      if (value !== null && value !== undefined) out[key] = written;
    } else if (REPLACED.has(key)) {
      if (!isEmptyCommand(value)) out[key] = value;
    } else if (KEY_VALUE_LISTS.has(key)) {
      const kind = key as "labels" | "environment";
      out[key] = { ...keyValueMap(mine, kind), ...keyValueMap(value, kind) };
    } else if (key === "networks") {
      out[key] = { ...networkMap(mine), ...networkMap(value) };
    } else if (KEYED_LISTS[key] && Array.isArray(mine) && Array.isArray(value)) {
      const keyOf = KEYED_LISTS[key];
      const merged = new Map<unknown, unknown>();
      for (const item of [...mine, ...value]) merged.set(keyOf(item), item);
      out[key] = [...merged.values()];
    } else if (isMapping(mine) && isMapping(value)) {
      out[key] = mergeService(mine, value);
    } else if (Array.isArray(mine) && Array.isArray(value)) {
      out[key] = [...mine, ...value];
    } else {
      out[key] = value;
    }
  }
  return out;
}
