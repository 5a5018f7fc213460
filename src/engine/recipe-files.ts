/**
 * What the files of a recipe are to the tools that read them, at one end of the change: which
 * YAML files are Go templates (Docker renders a config or secret with `template_driver: golang`
 * before anything reads it), and which stacks abra deploys (`compose.yml` alone, and with each
 * `compose.*.yml` overlay merged onto it).
 */
import { showName } from "../shared/display.ts";
import { mergeStack } from "./compose-merge.ts";
import type { Side, Snapshot } from "./inspect-files.ts";
import {
  asOneDocument,
  basename,
  composeBaseOf,
  dirname,
  isComposeOverlay,
  isComposePath,
  isMapping,
  type ParsedYaml,
  parseYaml,
} from "./yaml-doc.ts";

/** Parse a side once however many checks ask; null when the side is not text. */
export type YamlOf = (side: Side, options?: { oneDocument?: boolean }) => ParsedYaml | null;

/**
 * Parsed YAML by its text, shared by every fixture verified in this process: the fixtures of a
 * repository read the same compose files at their base (and often at their pins), and parsing
 * is most of a verification's CPU. Values are frozen, so no check can change what another sees.
 * Bounded by the text it holds; the oldest entries go first.
 */
const shared = new Map<string, ParsedYaml>();
let sharedChars = 0;
const MAX_SHARED_CHARS = 16 * 1024 * 1024;

function parsedOnce(text: string, oneDocument: boolean): ParsedYaml {
  let parsed = shared.get(text);
  if (!parsed) {
    parsed = parseYaml(text);
    if (parsed.ok) deepFreeze(parsed.value);
    shared.set(text, Object.freeze(parsed));
    sharedChars += text.length;
    for (const [old] of shared) {
      if (sharedChars <= MAX_SHARED_CHARS) break;
      shared.delete(old);
      sharedChars -= old.length;
    }
  }
  return oneDocument ? asOneDocument(parsed) : parsed;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

export function createYamlCache(): YamlOf {
  return (side, options = {}) =>
    side.state === "text" ? parsedOnce(side.text, options.oneDocument ?? false) : null;
}

/** A path written in a compose file (`./traefik.yml`, `conf/../x`), from the repository root. */
export function resolveRepoPath(fromDir: string, file: string): string | null {
  const parts = fromDir === "" ? [] : fromDir.split("/");
  for (const part of file.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length === 0 ? null : parts.join("/");
}

/** Files that the compose files of this snapshot mount as Go templates. */
export function templatePaths(snapshot: Snapshot, yaml: YamlOf): Set<string> {
  const out = new Set<string>();
  for (const [path, side] of snapshot.files) {
    if (!isComposePath(path)) continue;
    const parsed = yaml(side, { oneDocument: true });
    if (!parsed?.ok || !isMapping(parsed.value)) continue;
    for (const section of ["configs", "secrets"]) {
      const entries = parsed.value[section];
      if (!isMapping(entries)) continue;
      for (const entry of Object.values(entries)) {
        if (!isMapping(entry) || entry.template_driver !== "golang") continue;
        if (typeof entry.file !== "string") continue;
        const target = resolveRepoPath(dirname(path), entry.file);
        if (target) out.add(target);
      }
    }
  }
  return out;
}

/** A deployable stack: a base compose file, and the overlay merged onto it, if any. */
export type Stack = { dir: string; base: string; overlay: string | null };

export function stackLabel(stack: Stack): string {
  return stack.overlay === null
    ? showName(stack.base)
    : `${showName(stack.overlay)} merged onto ${showName(stack.base)}`;
}

/**
 * The stacks a change to `changed` (compose files at the pin) touches: a changed base file
 * touches the base alone and every overlay merged onto it; a changed overlay, itself merged onto
 * its base. `missingBase` lists the directories with a changed overlay and no base file.
 */
export function stacksTouched(
  pin: Snapshot,
  changed: readonly string[],
): { stacks: Stack[]; missingBase: string[] } {
  const stacks: Stack[] = [];
  const missingBase: string[] = [];
  const byDir = new Map<string, string[]>();
  for (const path of changed) byDir.set(dirname(path), [...(byDir.get(dirname(path)) ?? []), path]);
  for (const [dir, paths] of byDir) {
    const entries = (pin.dirs.get(dir) ?? []).filter((e) => e.type === "blob");
    const names = entries.map((e) => basename(e.path));
    const baseName = composeBaseOf(names);
    const base = baseName === null ? null : dir === "" ? baseName : `${dir}/${baseName}`;
    if (base === null) {
      if (paths.some(isComposeOverlay)) missingBase.push(dir);
      continue;
    }
    const overlays = entries
      .map((e) => e.path)
      .filter(isComposeOverlay)
      .sort();
    if (paths.includes(base)) {
      stacks.push({ dir, base, overlay: null });
      for (const overlay of overlays) stacks.push({ dir, base, overlay });
    } else {
      for (const overlay of overlays.filter((o) => paths.includes(o)))
        stacks.push({ dir, base, overlay });
    }
  }
  return { stacks, missingBase };
}

/** A stack's document at one end, or why it cannot be built (a file missing or not parsing). */
export function buildStack(
  stack: Stack,
  snapshot: Snapshot,
  yaml: YamlOf,
): { ok: true; doc: unknown } | { ok: false; problem: string } {
  const load = (path: string) => {
    const side = snapshot.files.get(path);
    if (!side || side.state === "absent")
      return { ok: false as const, problem: `${showName(path)} does not exist` };
    if (side.state === "text" && side.invalidUtf8At !== null) {
      return {
        ok: false as const,
        problem: `${showName(path)} is not valid UTF-8, so Docker cannot read it`,
      };
    }
    const parsed = yaml(side, { oneDocument: true });
    if (parsed === null) {
      return {
        ok: false as const,
        problem: `${showName(path)} cannot be read as text: compose cannot read it`,
      };
    }
    if (!parsed.ok)
      return {
        ok: false as const,
        problem: `${showName(path)} does not parse, so it cannot deploy`,
      };
    return { ok: true as const, doc: parsed.value };
  };
  const base = load(stack.base);
  if (!base.ok || stack.overlay === null) return base;
  const overlay = load(stack.overlay);
  if (!overlay.ok) return overlay;
  if (!isMapping(base.doc)) return base;
  if (!isMapping(overlay.doc))
    return {
      ok: false,
      problem: `${showName(stack.overlay)} is not a mapping, so it cannot be merged`,
    };
  return { ok: true, doc: mergeStack(base.doc, overlay.doc) };
}
