/**
 * What a Docker Swarm stack must have for `docker stack deploy` to accept it: a mapping with
 * services, a string `version`, no unknown top-level key, valid interpolation, an image for every
 * service (swarm ignores `build:`), and a top-level declaration for every named volume, network,
 * config and secret a service uses. A compose file cut short usually still parses; this is what
 * catches it. The input is a whole stack: a base file alone, or a base with an overlay merged on.
 */
import { showName } from "../shared/display.ts";
import { formatKeyPath } from "../shared/key-path.ts";
import { interpolationProblem, stringsIn } from "./interpolate.ts";
import { isMapping } from "./yaml-doc.ts";

const TOP_LEVEL = ["version", "services", "networks", "volumes", "secrets", "configs"];
const SECTIONS = ["networks", "volumes", "secrets", "configs"] as const;
const MAX_INTERPOLATION_PROBLEMS = 5;

/** Problems with a parsed stack, one line each; empty when it looks deployable. */
export function composeProblems(doc: unknown): string[] {
  if (doc === null || doc === undefined) return ["the document is empty (null): no services"];
  if (!isMapping(doc)) return ["the top level must be a mapping with services"];
  const problems: string[] = [];
  if ("version" in doc && typeof doc.version !== "string") {
    problems.push(
      `version must be a string (write version: "${String(doc.version)}"), as Docker's schema requires`,
    );
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
    if (value !== undefined && value !== null && !isMapping(value))
      problems.push(`${section} must be a mapping`);
  }
  problems.push(...interpolationProblems(doc));

  const services = doc.services;
  if (!isMapping(services)) {
    problems.push(
      services === undefined ? "there is no services: key" : "services must be a mapping",
    );
    return problems;
  }
  const names = Object.keys(services);
  if (names.length === 0) return [...problems, "services is empty"];

  const declared = {
    volume: declaredNames(doc.volumes),
    network: declaredNames(doc.networks),
    config: declaredNames(doc.configs),
    secret: declaredNames(doc.secrets),
  };
  for (const name of names) {
    const service = services[name];
    const shown = `service "${showName(name)}"`;
    if (!isMapping(service)) {
      problems.push(`${shown} must be a mapping`);
      continue;
    }
    const image = imageProblem(service);
    if (image) problems.push(`${shown} ${image}`);
    const uses: [keyof typeof declared, string[]][] = [
      ["volume", namedVolumes(service.volumes)],
      ["network", referencedNames(service.networks).filter((n) => n !== "default")],
      ["config", referencedNames(service.configs, "source")],
      ["secret", referencedNames(service.secrets, "source")],
    ];
    for (const [kind, used] of uses) {
      for (const item of used) {
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

/** docker/cli interpolates every string value of the file; one bad `$` stops the deploy. */
function interpolationProblems(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [path, text] of stringsIn(doc)) {
    const problem = interpolationProblem(text);
    if (!problem) continue;
    if (problems.length === MAX_INTERPOLATION_PROBLEMS) {
      problems.push("... and more invalid interpolations");
      break;
    }
    problems.push(`${formatKeyPath(path)}: ${problem}`);
  }
  return problems;
}

function declaredNames(section: unknown): Set<string> {
  return new Set(isMapping(section) ? Object.keys(section) : []);
}

/** Names from a list of strings / {source: name} objects, or from a mapping's keys. */
function referencedNames(value: unknown, field?: string): string[] {
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
      const parts = item.split(":");
      const source = parts.length >= 2 ? parts[0] : undefined;
      return source !== undefined && NAMED_VOLUME.test(source) ? [source] : [];
    }
    if (isMapping(item) && (item.type === undefined || item.type === "volume")) {
      const source = item.source;
      return typeof source === "string" && NAMED_VOLUME.test(source) ? [source] : [];
    }
    return [];
  });
}
