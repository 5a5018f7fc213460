/**
 * What `docker stack deploy` refuses, as docker/cli's loader checks it: each compose file on its
 * own (a mapping, a string `version` the schema knows, no unknown top-level key, sections that are
 * mappings, services that are mappings), and the files merged into one deployment (services to
 * run, an image for each: swarm ignores `build:`, and a top-level declaration for every named
 * volume, network, config and secret a service uses). A base file with no services is fine when
 * the overlays merged onto it bring them. Pure: parsed, interpolated values in, one line per
 * problem out.
 */
import { showName } from "../shared/display.ts";
import { shellSplit } from "./shlex.ts";
import { parseVolumeSpec } from "./volume-spec.ts";
import { isMapping } from "./yaml-doc.ts";

const TOP_LEVEL = ["version", "services", "networks", "volumes", "secrets", "configs"];
const SECTIONS = ["services", "networks", "volumes", "secrets", "configs"] as const;

/** The compose file versions docker/cli's loader has a schema for. */
export const LATEST_VERSION = "3.13";
const KNOWN_VERSIONS = new Set(Array.from({ length: 14 }, (_, i) => `3.${i}`));

/**
 * A file's version as docker/cli reads it: absent, "" and "3" mean the latest 3.x; null when it
 * is not a string (a problem of its own).
 */
export function versionOf(doc: Record<string, unknown>): string | null {
  if (!("version" in doc) || doc.version === "" || doc.version === "3") return LATEST_VERSION;
  return typeof doc.version === "string" ? doc.version : null;
}

/** Problems with one parsed compose file (a mapping), one line each. */
export function fileProblems(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if ("version" in doc && typeof doc.version !== "string") {
    problems.push(
      `version must be a string (write version: "${String(doc.version)}"), as Docker's schema requires`,
    );
  } else {
    const version = versionOf(doc);
    if (version !== null && !KNOWN_VERSIONS.has(version)) {
      problems.push(
        `version "${showName(version)}" is not a version docker stack deploy knows (3.0 to ${LATEST_VERSION})`,
      );
    }
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.includes(key) && !key.startsWith("x-")) {
      problems.push(
        `top-level key "${showName(key)}" is not allowed (Docker allows ${TOP_LEVEL.join(", ")} and x- extensions)`,
      );
    }
  }
  for (const section of SECTIONS) {
    const value = doc[section];
    if (value !== undefined && !isMapping(value)) problems.push(`${section} must be a mapping`);
  }
  if (isMapping(doc.services)) {
    for (const [name, service] of Object.entries(doc.services)) {
      if (!isMapping(service)) problems.push(`service "${showName(name)}" must be a mapping`);
    }
  }
  return problems;
}

/** Problems with a deployment's merged files, one line each; empty when it deploys. */
export function stackProblems(doc: Record<string, unknown>): string[] {
  const services = doc.services;
  if (!isMapping(services) || Object.keys(services).length === 0) {
    return ["it has no services: no file it merges declares one"];
  }
  const problems: string[] = [];
  const declared = {
    volume: declaredNames(doc.volumes),
    network: declaredNames(doc.networks),
    config: declaredNames(doc.configs),
    secret: declaredNames(doc.secrets),
  };
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service)) continue;
    const shown = `service "${showName(name)}"`;
    const image = imageProblem(service);
    if (image) problems.push(`${shown} ${image}`);
    for (const problem of new Set(volumeProblems(service.volumes)))
      problems.push(`${shown} ${problem}`);
    for (const key of ["command", "entrypoint"]) {
      const written = service[key];
      if (typeof written === "string" && shellSplit(written) === null) {
        problems.push(
          `${shown} has a ${key} docker cannot split into words (an unclosed quote, or a \\ at the end)`,
        );
      }
    }
    const uses: [keyof typeof declared, string[]][] = [
      ["volume", namedVolumes(service.volumes)],
      ["network", referencedNames(service.networks).filter((n) => n !== "default")],
      ["config", referencedNames(service.configs, "source")],
      ["secret", referencedNames(service.secrets, "source")],
    ];
    for (const [kind, used] of uses) {
      for (const item of new Set(used)) {
        if (!declared[kind].has(item)) {
          problems.push(
            `${kind} "${showName(item)}" used by ${shown} is not declared in the top-level ${kind}s section`,
          );
        }
      }
    }
  }
  return problems;
}

function imageProblem(service: Record<string, unknown>): string | null {
  const { image } = service;
  if (image === undefined || image === null) {
    return service.build === undefined
      ? "has no image"
      : "has build: but no image: docker stack deploy ignores build, so the service has nothing to run";
  }
  if (typeof image !== "string")
    return `has an image that is not a string (${Array.isArray(image) ? "a list" : typeof image})`;
  if (image.trim() === "") return "has an empty image";
  return null;
}

function declaredNames(section: unknown): Set<string> {
  return new Set(isMapping(section) ? Object.keys(section) : []);
}

/** Names from a list of strings / {source: name} objects, or from a mapping's keys. */
export function referencedNames(value: unknown, field?: string): string[] {
  if (isMapping(value)) return Object.keys(value);
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (typeof item === "string") return [item];
    if (field && isMapping(item) && typeof item[field] === "string") return [item[field] as string];
    return [];
  });
}

const NAMED_VOLUME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Named volumes in a service's volumes: list (bind mounts and anonymous volumes excluded). */
function namedVolumes(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (typeof item === "string") {
      const spec = parseVolumeSpec(item);
      if ("error" in spec || spec.type !== "volume") return [];
      return NAMED_VOLUME.test(spec.source) ? [spec.source] : [];
    }
    if (isMapping(item) && (item.type === undefined || item.type === "volume")) {
      const source = item.source;
      return typeof source === "string" && NAMED_VOLUME.test(source) ? [source] : [];
    }
    return [];
  });
}

/**
 * Why swarm or docker/cli refuses a service's volumes: a short spec ParseVolume cannot read, or a
 * target that is not an absolute path (swarmkit's validateMounts rejects the task; a named pipe
 * is the one exception).
 */
function volumeProblems(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (typeof item === "string") {
      const spec = parseVolumeSpec(item);
      if ("error" in spec) return [`has a volume docker cannot read (${showName(spec.error)})`];
      return spec.target.startsWith("/") ? [] : [relativeTarget(spec.target)];
    }
    if (!isMapping(item) || item.type === "npipe") return [];
    // The schema requires only `type:`; a mount with no target has the target "".
    if (item.target === undefined || item.target === null) return [relativeTarget("")];
    if (typeof item.target !== "string") return [];
    return item.target.startsWith("/") ? [] : [relativeTarget(item.target)];
  });
}

const relativeTarget = (target: string) =>
  target === ""
    ? "mounts a volume with no target: swarm refuses a mount target that is not an absolute path"
    : `mounts a volume at "${showName(target)}": swarm refuses a mount target that is not an absolute path`;
