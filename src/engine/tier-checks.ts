/**
 * The checks that know how a Co-op Cloud recipe is deployed and tested:
 *
 * - earlier-tiers: a fixture with a tier changes nothing an earlier tier reads (the change would
 *   make that tier go red first: the incident's shape);
 * - config-version: a file a swarm config or secret reads does not change unless the config's
 *   name (its version) changes too (swarm configs are immutable: upgrade goes red first);
 * - effective-change: the change reaches the deployed stack (a default that .env.sample
 *   overrides, or a label backup-bot-two does not read, changes nothing: the canary can never go
 *   red).
 *
 * All three compare the stacks resolved at both ends (resolve-stack.ts). Pure.
 */
import { showName } from "../shared/display.ts";
import type { Tier } from "../shared/fixture.ts";
import { formatKeyPath, keyPathCovered, parseKeyPattern } from "../shared/key-path.ts";
import { type CheckResult, check } from "./check-result.ts";
import { allows, type Finding, fromFindings, listNames } from "./findings.ts";
import type { FileAnalysis } from "./inspect-files.ts";
import type { RecipeEnv } from "./recipe-env.ts";
import { resolveRepoPath } from "./recipe-files.ts";
import type { ResolvedStack, StackSet } from "./resolve-stack.ts";
import { backupbotReads, TIER_ORDER, TIER_PRESETS, tierReading } from "./tiers.ts";
import { isComposePath, isMapping, type Mapping } from "./yaml-doc.ts";
import { changedKeyPaths } from "./yaml-keys.ts";

export type TierContext = {
  tier: Tier | null;
  baseRef: string;
  files: readonly FileAnalysis[];
  base: { stacks: StackSet; env: RecipeEnv };
  pin: { stacks: StackSet; env: RecipeEnv };
};

const DEPLOYMENT_FILES = new Set([".env.sample", "abra.sh"]);

/** The same stack (same files) at both ends. */
function pairs(ctx: TierContext): { before: ResolvedStack; after: ResolvedStack }[] {
  const out: { before: ResolvedStack; after: ResolvedStack }[] = [];
  for (const after of ctx.pin.stacks.stacks) {
    const before = ctx.base.stacks.stacks.find((s) => s.label === after.label);
    if (before) out.push({ before, after });
  }
  return out;
}

function valueAt(doc: unknown, path: readonly string[]): unknown {
  let at: unknown = doc;
  for (const key of path) {
    if (Array.isArray(at)) at = at[Number(key)];
    else if (isMapping(at)) at = at[key];
    else return undefined;
  }
  return at;
}

function show(value: unknown): string {
  if (value === undefined) return "absent";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const clipped = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return showName(clipped);
}

export function checkEarlierTiers(ctx: TierContext): CheckResult {
  const { tier } = ctx;
  if (tier === null) return check("earlier-tiers", "skip", "no tier: set tier: to check it");
  if (tier === "install") return check("earlier-tiers", "pass", "install is the first tier");
  if (tier === "upgrade") {
    return check(
      "earlier-tiers",
      "pass",
      "an upgrade canary is installed from the previous version, which the change cannot break",
    );
  }
  const why = unresolved(ctx);
  if (why) return check("earlier-tiers", "skip", why);
  const preset = TIER_PRESETS[tier];
  const targeted = preset.change.flatMap((r) => r.keys).map((k) => parseKeyPattern(k));
  const covered = (path: string[]) =>
    targeted.some((tokens) => typeof tokens !== "string" && keyPathCovered(path, tokens));
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const { before, after } of pairs(ctx)) {
    for (const path of changedKeyPaths(before.resolved, after.resolved)) {
      const reading = tierReading(path);
      if (!reading || TIER_ORDER[reading.tier] >= TIER_ORDER[tier] || covered(path)) continue;
      const shown = formatKeyPath(path);
      if (seen.has(shown)) continue;
      seen.add(shown);
      findings.push({
        text: `${showName(after.files[0] as string)}: ${shown} changed (${show(valueAt(before.resolved, path))} -> ${show(valueAt(after.resolved, path))}): ${reading.tier} would go red before ${tier}`,
      });
    }
  }
  const result = fromFindings(
    "earlier-tiers",
    findings,
    `nothing an earlier tier reads changed (${preset.untouched.split(":")[0]})`,
    (n) => `${n} changes an earlier tier reads`,
  );
  return result.status === "fail"
    ? {
        ...result,
        fix: `Restore everything an earlier tier reads from ${ctx.baseRef}: a ${tier} canary changes only ${preset.may}.`,
      }
    : result;
}

/** The configs and secrets of a stack that read a file: name -> { file, name as written and resolved }. */
function configEntries(
  stack: ResolvedStack,
): Map<string, { file: string; raw: string; resolved: string }> {
  const out = new Map<string, { file: string; raw: string; resolved: string }>();
  for (const section of ["configs", "secrets"]) {
    const raw = stack.raw[section];
    const resolved = stack.resolved[section];
    if (!isMapping(raw) || !isMapping(resolved)) continue;
    for (const [key, entry] of Object.entries(raw)) {
      const res = resolved[key];
      if (!isMapping(entry) || !isMapping(res) || typeof entry.file !== "string") continue;
      const file = resolveRepoPath("", entry.file);
      if (file === null) continue;
      out.set(`${section}.${key}`, {
        file,
        raw: typeof entry.name === "string" ? entry.name : key,
        resolved: typeof res.name === "string" ? res.name : key,
      });
    }
  }
  return out;
}

/** The files the pin's configs and secrets read. */
export function configSourcePaths(stacks: StackSet): Set<string> {
  const out = new Set<string>();
  for (const stack of stacks.stacks) for (const e of configEntries(stack).values()) out.add(e.file);
  return out;
}

/** Why the stacks cannot be compared, when they cannot. */
function unresolved(ctx: TierContext): string | null {
  if (ctx.pin.stacks.stacks.length === 0 && ctx.pin.stacks.problems.length > 0) {
    return "not checked: the stack does not resolve at the pin (see compose-valid)";
  }
  return null;
}

export function checkConfigVersion(ctx: TierContext): CheckResult {
  if (ctx.tier === "upgrade") {
    return check(
      "config-version",
      "skip",
      "an upgrade canary may change a config without its version",
    );
  }
  const why = unresolved(ctx);
  if (why) return check("config-version", "skip", why);
  const modified = new Map(
    ctx.files.filter((f) => f.change.status === "modified").map((f) => [f.change.path, f]),
  );
  const findings: Finding[] = [];
  const checked = new Set<string>();
  for (const { before, after } of pairs(ctx)) {
    const then = configEntries(before);
    for (const [id, now] of configEntries(after)) {
      const file = modified.get(now.file);
      const old = then.get(id);
      if (!file || !old || old.file !== now.file || checked.has(id)) continue;
      checked.add(id);
      if (allows(file, "unversioned-config")) continue;
      if (now.resolved !== old.resolved) continue;
      const version =
        /\$\{?([A-Za-z_][A-Za-z0-9_]*VERSION[A-Za-z0-9_]*)/.exec(now.raw)?.[1] ?? null;
      const unknown = [...after.missing].filter((v) => now.raw.includes(v));
      const what = `${showName(now.file)} changed, but ${id.replace(/s\./, " ")} keeps its name (${showName(now.resolved)})`;
      if (unknown.length > 0) {
        findings.push({
          text: `${what}, as far as can be told: ${listNames(unknown)} ${unknown.length === 1 ? "has" : "have"} no value in .env.sample or abra.sh`,
          preexisting: true,
        });
        continue;
      }
      const where = version ? (ctx.pin.env.get(version)?.from ?? "abra.sh") : null;
      findings.push({
        text: `${what}: swarm configs cannot change, so upgrade would go red first; ${version ? `bump ${version} in ${where}` : "give the config a new name"} with the change`,
      });
    }
  }
  const result = fromFindings(
    "config-version",
    findings.filter((f) => !f.preexisting),
    checked.size === 0
      ? "no file a config or secret reads changed"
      : `every changed config file comes with a new config name (${listNames([...checked])})`,
    (n) => `${n} configs changed without a new version`,
  );
  const unknown = findings.filter((f) => f.preexisting);
  if (result.status === "pass" && unknown.length > 0) {
    return check("config-version", "warn", (unknown[0] as Finding).text);
  }
  return result.status === "fail"
    ? { ...result, fix: "Bump the config's version variable together with the file it reads." }
    : result;
}

/** A stack with what nothing reads taken out: labels backup-bot-two ignores, container labels. */
function effective(doc: Mapping): Mapping {
  if (!isMapping(doc.services)) return doc;
  const services: Mapping = {};
  for (const [name, service] of Object.entries(doc.services)) {
    if (!isMapping(service)) {
      services[name] = service;
      continue;
    }
    const out: Mapping = { ...service };
    delete out.labels;
    if (isMapping(out.deploy) && isMapping(out.deploy.labels)) {
      const labels: Mapping = {};
      for (const [k, v] of Object.entries(out.deploy.labels)) {
        if (!k.startsWith("backupbot.") || backupbotReads(k)) labels[k] = v;
      }
      out.deploy = { ...out.deploy, labels };
    }
    services[name] = out;
  }
  return { ...doc, services };
}

/** Why a change in the stack as written does not change the stack as deployed. */
function whyNoEffect(
  path: string[],
  before: ResolvedStack,
  after: ResolvedStack,
  env: RecipeEnv,
): string {
  const shown = formatKeyPath(path);
  const [section, , key, sub, label] = path;
  if (section === "services" && key === "labels") {
    return `${shown} is a container label, which neither swarm nor backup-bot-two reads (backupbot labels go under deploy.labels)`;
  }
  if (
    section === "services" &&
    key === "deploy" &&
    sub === "labels" &&
    label?.startsWith("backupbot.") &&
    !backupbotReads(label)
  ) {
    return `${shown} is not a label backup-bot-two reads (v1's backupbot.backup.path and misspelt names are ignored), so it changes nothing`;
  }
  const texts = [valueAt(before.raw, path), valueAt(after.raw, path)].filter(
    (v) => typeof v === "string",
  ) as string[];
  for (const text of texts) {
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)/g)) {
      const name = m[1] as string;
      const set = env.get(name);
      if (set && set.from !== "abra") {
        return `${name} is set to ${showName(set.value)} in ${set.from}, so the new default never applies`;
      }
    }
  }
  return `${shown} resolves to the same value at both ends`;
}

export function checkEffectiveChange(ctx: TierContext): CheckResult {
  const others = ctx.files.filter(
    (f) => !isComposePath(f.change.path) && !DEPLOYMENT_FILES.has(f.change.path),
  );
  if (ctx.files.length === 0) return check("effective-change", "skip", "nothing changed");
  const why = unresolved(ctx);
  if (why) return check("effective-change", "skip", why);
  if (others.length > 0) {
    return check(
      "effective-change",
      "pass",
      `${listNames(others.map((f) => showName(f.change.path)))} ${others.length === 1 ? "changes" : "change"} what is deployed beyond the stack`,
    );
  }
  const stacks = pairs(ctx);
  if (stacks.length === 0 || stacks.length !== ctx.pin.stacks.stacks.length) {
    return check(
      "effective-change",
      "pass",
      "the stacks the recipe deploys are not the same set at both ends",
    );
  }
  const reasons: string[] = [];
  const unknown = new Set<string>();
  for (const { before, after } of stacks) {
    const changed = changedKeyPaths(effective(before.resolved), effective(after.resolved));
    if (changed.length > 0) {
      return check(
        "effective-change",
        "pass",
        `the deployed stack changes: ${listNames(changed.map(formatKeyPath), 3)}`,
      );
    }
    for (const path of changedKeyPaths(before.raw, after.raw)) {
      const used = [...before.missing, ...after.missing].filter((v) =>
        [valueAt(before.raw, path), valueAt(after.raw, path)].some(
          (t) => typeof t === "string" && t.includes(v),
        ),
      );
      for (const v of used) unknown.add(v);
      const reason = `${showName(after.files[0] as string)}: ${whyNoEffect(path, before, after, ctx.pin.env)}`;
      if (!reasons.includes(reason)) reasons.push(reason);
    }
  }
  if (unknown.size > 0) {
    return check(
      "effective-change",
      "warn",
      `cannot tell whether the change reaches the stack: ${listNames([...unknown])} ${unknown.size === 1 ? "has" : "have"} no value in .env.sample or abra.sh`,
    );
  }
  if (reasons.length === 0) {
    return check("effective-change", "pass", "the change is in the stack's own settings");
  }
  const [first, ...rest] = reasons;
  return {
    id: "effective-change",
    status: "fail",
    message: `the change does not reach the deployed stack, so this canary can never go red: ${first}`,
    ...(rest.length > 0 ? { details: rest } : {}),
    fix: "Change what the stack deploys: the value itself, in a label backup-bot-two reads, under deploy.labels.",
  };
}
