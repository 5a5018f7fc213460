/**
 * The semantic diff of two deployments: what swarm would do differently, as a list of changes
 * (a key path, the values at both ends, and what the change is to swarm), each classified by the
 * tier table (tier-table.ts): the first tier that reads it, or nothing. A service's mount of a
 * config under a new name is judged by what that name carries: the same content (a bump alone),
 * new content, or an external object swarm must already hold. Pure.
 */
import { showName } from "../shared/display.ts";
import { formatKeyPath } from "../shared/key-path.ts";
import { differingPaths, MAX_KEY_PATHS, valueAt } from "../shared/value-diff.ts";
import type { FileObject, SwarmStack } from "./swarm.ts";
import { type Change, type ChangeKind, classify, type TierRow } from "./tier-table.ts";

export type ClassifiedChange = Change & { row: TierRow };

type Objects = Record<string, FileObject>;

/** What mounting `after` instead of `before` brings to the service. */
function mountKind(before: FileObject | undefined, after: FileObject | undefined): ChangeKind {
  // A mount of something not declared at one end is a plain change (compose-valid says why).
  if (before === undefined || after === undefined) return "value";
  if (before.external || after.external) return "external";
  if (
    before.digest !== null &&
    before.digest === after.digest &&
    before.template_driver === after.template_driver
  )
    return "bump";
  return "new-content";
}

export function diffDeployments(
  before: SwarmStack,
  after: SwarmStack,
  limit = MAX_KEY_PATHS,
): ClassifiedChange[] {
  const out: Change[] = [];
  const add = (path: string[], kind: ChangeKind = "value") =>
    out.push({ path, before: valueAt(before, path), after: valueAt(after, path), kind });

  // Services, each as a whole when it comes or goes, else key by key.
  for (const name of union(before.services, after.services)) {
    const a = before.services[name];
    const b = after.services[name];
    if (a === undefined || b === undefined) {
      add(["services", name]);
      continue;
    }
    for (const path of differingPaths(a, b).paths) {
      const full = ["services", name, ...path];
      const [key, , field] = path;
      if ((key === "configs" || key === "secrets") && field === "name" && path.length === 3) {
        const objects = (stack: SwarmStack) => stack[key] as Objects;
        const was = objects(before)[String(valueAt(a, path))];
        const now = objects(after)[String(valueAt(b, path))];
        add(full, mountKind(was, now));
      } else add(full);
    }
  }
  // Configs and secrets, by swarm name: the same name with other content is what swarm refuses.
  // One that comes or goes with a service's mount is that mount's change, already listed.
  const remounted = new Set(
    out
      .filter((c) => ["configs", "secrets"].includes(c.path[2] ?? "") && c.path[4] === "name")
      .flatMap((c) => [String(c.before), String(c.after)]),
  );
  for (const section of ["configs", "secrets"] as const) {
    for (const name of union(before[section], after[section])) {
      const a = before[section][name];
      const b = after[section][name];
      if (a === undefined || b === undefined) {
        if (!remounted.has(name)) add([section, name]);
        continue;
      }
      if (a.external !== b.external) add([section, name, "external"]);
      else if (!a.external && (a.digest !== b.digest || a.template_driver !== b.template_driver))
        add([section, name], "content");
      else if (a.file !== b.file) add([section, name, "file"]);
      else if (a.key !== b.key) add([section, name, "key"]);
    }
  }
  // Networks, volumes, and whatever else the files hold at their top level.
  const rest = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of ["services", "configs", "secrets"]) rest.delete(key);
  for (const key of [...rest].sort()) {
    for (const path of differingPaths(before[key], after[key]).paths) add([key, ...path]);
  }
  return out.slice(0, limit).map((c) => ({ ...c, row: classify(c) }));
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

/** What a change is to, as a person reads it: `services.app deploy label backupbot.backup`. */
export function describeWhere(change: Change): string {
  const [section, name, key, sub, ...rest] = change.path;
  const service = `services.${formatKeyPath([name ?? ""])}`;
  if (section === "services" && key === "deploy" && sub === "labels" && rest[0] !== undefined)
    return `${service} deploy label ${showName(rest[0])}`;
  if (section === "services" && key === "environment" && sub !== undefined)
    return `${service} environment ${showName(sub)}`;
  if (section === "services" && key === "labels" && sub !== undefined)
    return `${service} container label ${showName(sub)}`;
  if (section === "services" && (key === "configs" || key === "secrets") && sub !== undefined)
    return `${service} ${key.slice(0, -1)} at ${showName(sub)}${rest.length > 0 && rest.join(".") !== "name" ? ` ${formatKeyPath(rest)}` : ""}`;
  if ((section === "configs" || section === "secrets") && name !== undefined)
    return `${section.slice(0, -1)} ${showName(name)}${key === undefined ? "" : ` ${key}`}`;
  return formatKeyPath(change.path);
}

/** A value as a report shows it: short, escaped, `absent` for nothing. */
export function showValue(value: unknown): string {
  if (value === undefined) return "absent";
  if (isObject(value) && "digest" in value && "key" in value) {
    const o = value as FileObject;
    return o.external
      ? "external"
      : `${showName(o.file ?? "?")} (blob ${String(o.digest).slice(0, 7)})`;
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const clipped = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return showName(clipped);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `services.app.image changed (nginx:1.27 -> nginx:1.27.99)`, as the tier checks say it. */
export function describeChange(change: Change): string {
  const what = describeWhere(change);
  switch (change.kind) {
    case "content":
      return `${what}: ${showValue(change.before)} -> ${showValue(change.after)}, under the same name`;
    case "bump":
      return `${what} mounts ${showValue(change.after)} instead of ${showValue(change.before)}, with the same content`;
    case "new-content":
      return `${what} mounts ${showValue(change.after)} instead of ${showValue(change.before)}, with new content`;
    case "external":
      return `${what} mounts ${showValue(change.after)} instead of ${showValue(change.before)}`;
    default:
      return `${what} changed (${showValue(change.before)} -> ${showValue(change.after)})`;
  }
}
