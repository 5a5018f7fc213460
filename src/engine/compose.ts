/**
 * What a Docker Swarm stack file must have to deploy at all: a mapping with services, each with an
 * image, and a top-level declaration for every named volume, network, config and secret a service
 * uses. A compose file truncated mid-way usually still parses; this is what catches it.
 */

import { isMapping } from "./yaml-doc.ts";

/**
 * Problems with a parsed compose document, one line each; empty when it looks deployable. An
 * overlay (compose.smtp.yml, merged onto compose.yml by abra) may leave images and top-level
 * declarations to the base file, so only its shape is checked.
 */
export function composeProblems(doc: unknown, options: { overlay?: boolean } = {}): string[] {
  if (doc === null || doc === undefined) return ["the document is empty (null): no services"];
  if (!isMapping(doc)) return ["the top level must be a mapping with services"];
  const services = doc.services;
  if (!isMapping(services)) {
    return [services === undefined ? "there is no services: key" : "services must be a mapping"];
  }
  const names = Object.keys(services);
  if (names.length === 0) return ["services is empty"];

  const problems: string[] = [];
  const declared = {
    volume: declaredNames(doc.volumes),
    network: declaredNames(doc.networks),
    config: declaredNames(doc.configs),
    secret: declaredNames(doc.secrets),
  };
  for (const name of names) {
    const service = services[name];
    if (!isMapping(service)) {
      problems.push(`service "${name}" must be a mapping`);
      continue;
    }
    if (options.overlay) continue;
    if (typeof service.image !== "string" && service.build === undefined) {
      problems.push(`service "${name}" has no image`);
    }
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
            `${kind} "${item}" used by service "${name}" is not declared in the top-level ${kind}s section`,
          );
        }
      }
    }
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
