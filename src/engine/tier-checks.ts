/**
 * The checks that know how a Co-op Cloud recipe is deployed and tested, each a view of one thing:
 * the diff of the default deployment (what the recipe CI deploys) at the merge-base and at the
 * pin, each change classified by the tier table (recipe/tier-table.ts).
 *
 * - earlier-tiers: a fixture with a tier changes nothing an earlier tier reads (the change would
 *   make that tier go red first: the incident's shape);
 * - config-version: no config or secret changes its content under the same swarm name (swarm
 *   configs are immutable: upgrade goes red first);
 * - effective-change: the change reaches the default deployment at all (a default .env.sample
 *   overrides, a label nothing reads, a comment, an optional overlay: the canary can never go red).
 *
 * Pure.
 */

import { abraCommands, type EnvSource, parseAbraExports } from "../recipe/app-env.ts";
import {
  type Deployment,
  defaultedVariables,
  variablesIn,
  versionVariable,
  writtenName,
} from "../recipe/deployment.ts";
import {
  type ClassifiedChange,
  describeChange,
  describeWhere,
  diffDeployments,
} from "../recipe/deployment-diff.ts";
import { parseEnvFile } from "../recipe/env-file.ts";
import { ABRA_SH, ENV_SAMPLE, type Recipe } from "../recipe/read-recipe.ts";
import { TIER_ORDER } from "../recipe/tier-table.ts";
import { showName } from "../shared/display.ts";
import type { Tier } from "../shared/fixture.ts";
import { formatKeyPath } from "../shared/key-path.ts";
import { differingPaths, sameValue, valueAt } from "../shared/value-diff.ts";
import { type CheckResult, check, plural } from "./check-result.ts";
import { allows, type Finding, fromFindings, listNames } from "./findings.ts";
import type { FileAnalysis } from "./inspect-files.ts";
import { TIER_PRESETS } from "./tiers.ts";

/** The default deployments at both ends and their diff, or why they cannot be compared. */
export type Comparison =
  | { ok: true; before: Deployment; after: Deployment; changes: ClassifiedChange[] }
  | { ok: false; why: string };

export function compareDefaults(base: Recipe, pin: Recipe): Comparison {
  const before = base.deployments[0];
  const after = pin.deployments[0];
  if (!after?.stack) {
    return {
      ok: false,
      why: "not checked: the default deployment does not resolve at the pin (see compose-valid)",
    };
  }
  if (!before?.stack) {
    return {
      ok: false,
      why: "not checked: the default deployment did not resolve at the merge-base",
    };
  }
  return { ok: true, before, after, changes: diffDeployments(before.stack, after.stack) };
}

export type TierContext = {
  tier: Tier | null;
  baseRef: string;
  files: readonly FileAnalysis[];
  base: Recipe;
  pin: Recipe;
  comparison: Comparison;
};

export function checkEarlierTiers(ctx: TierContext): CheckResult {
  const { tier, comparison } = ctx;
  if (tier === null) return check("earlier-tiers", "skip", "no tier: set tier: to check it");
  if (tier === "install") return check("earlier-tiers", "pass", "install is the first tier");
  if (tier === "upgrade") {
    return check(
      "earlier-tiers",
      "pass",
      "an upgrade canary is installed from the previous version, which the change cannot break",
    );
  }
  if (!comparison.ok) return check("earlier-tiers", "skip", comparison.why);
  const preset = TIER_PRESETS[tier];
  const findings: Finding[] = comparison.changes
    .filter(
      (c) =>
        c.row.tier !== null &&
        TIER_ORDER[c.row.tier] < TIER_ORDER[tier] &&
        !preset.targets.includes(c.row.id) &&
        c.row.id !== "config-content", // config-version's to say
    )
    .map((c) => ({
      text: `${describeChange(c)}: ${c.row.tier} would go red before ${tier}`,
      cause: {
        kind: "earlier-tier",
        keyPath: c.path,
        before: show(c.before),
        after: show(c.after),
        tier: c.row.tier as Tier,
        files: changedInputs(ctx),
      },
    }));
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

function show(value: unknown): string {
  return value === undefined ? "absent" : typeof value === "string" ? value : JSON.stringify(value);
}

/** The changed files the default deployment reads (at either end), and .env.sample, abra.sh. */
function changedInputs(ctx: TierContext): string[] {
  if (!ctx.comparison.ok) return [];
  const { before, after } = ctx.comparison;
  return ctx.files
    .map((f) => f.change.path)
    .filter((p) => before.reads.has(p) || after.reads.has(p) || p === ENV_SAMPLE || p === ABRA_SH);
}

export function checkConfigVersion(ctx: TierContext): CheckResult {
  if (ctx.tier === "upgrade") {
    return check(
      "config-version",
      "skip",
      "an upgrade canary may change a config without its version",
    );
  }
  const { comparison } = ctx;
  if (!comparison.ok) return check("config-version", "skip", comparison.why);
  const byPath = new Map(ctx.files.map((f) => [f.change.path, f]));
  const findings: Finding[] = [];
  const unknown: string[] = [];
  const allowed: string[] = [];
  const sections = new Set<string>();
  for (const change of comparison.changes.filter((c) => c.kind === "content")) {
    const [section, name] = change.path as ["configs" | "secrets", string];
    const was = comparison.before.stack?.[section][name];
    const now = comparison.after.stack?.[section][name];
    if (!was || !now) continue;
    const file = now.file ?? "(no file)";
    const what = `${section.slice(0, -1)} ${showName(now.key)}`;
    const analysis = byPath.get(file);
    if (analysis && allows(analysis, "unversioned-config")) {
      allowed.push(what);
      continue;
    }
    const change_ =
      was.file !== now.file
        ? `${what} now reads ${showName(file)} instead of ${showName(was.file ?? "(no file)")}, but keeps its name (${showName(name)})`
        : was.template_driver !== now.template_driver
          ? `${what}'s template driver changed, but it keeps its name (${showName(name)})`
          : `${showName(file)} changed, but ${what} keeps its name (${showName(name)})`;
    const raw = writtenName(comparison.after, section, now.key);
    const unset = [...comparison.after.unset].filter((v) => raw.includes(v));
    if (unset.length > 0) {
      unknown.push(
        `${change_}, as far as can be told: ${listNames(unset)} ${unset.length === 1 ? "has" : "have"} no value in .env.sample or abra.sh`,
      );
      continue;
    }
    const variable = versionVariable(raw);
    const where = variable ? (ctx.pin.env.get(variable)?.from ?? ABRA_SH) : null;
    sections.add(section);
    findings.push({
      text: `${change_}: swarm ${section} cannot change, so upgrade would go red first; ${variable ? `bump ${variable} in ${where}` : "give the config a new name"} with the change`,
      cause: {
        kind: "unversioned-config",
        path: file,
        files: [file],
        keyPath: change.path,
        name: what,
        ...(variable ? { variable, where: where as string } : {}),
      },
    });
  }
  const bumped = comparison.changes
    .filter((c) => c.kind === "new-content")
    .map((c) => showName(String(c.after)));
  const result = fromFindings(
    "config-version",
    findings,
    [
      bumped.length === 0 && allowed.length === 0
        ? "no config or secret changed its content under the same name"
        : null,
      bumped.length > 0
        ? `every changed config comes with a new name (${listNames(bumped)})`
        : null,
      allowed.length > 0
        ? `${listNames(allowed)} ${allowed.length === 1 ? "changes its" : "change their"} content under the same name, as its rule allows (allow: unversioned-config)`
        : null,
    ]
      .filter((part) => part !== null)
      .join("; "),
    (n) => `${plural(n, ...whatChanged(sections))} changed without a new version`,
  );
  if (result.status === "pass" && unknown.length > 0) {
    return check("config-version", "warn", unknown[0] as string);
  }
  return result.status === "fail"
    ? { ...result, fix: "Bump the config's version variable together with the file it reads." }
    : result;
}

export function checkEffectiveChange(ctx: TierContext): CheckResult {
  if (ctx.files.length === 0) return check("effective-change", "skip", "nothing changed");
  const { comparison } = ctx;
  if (!comparison.ok) return check("effective-change", "skip", comparison.why);
  const had = new Set(comparison.before.problems.map((p) => p.message));
  if (comparison.after.problems.some((p) => !had.has(p.message))) {
    return check(
      "effective-change",
      "skip",
      "not checked: docker stack deploy refuses the default deployment at the pin (see compose-valid)",
    );
  }
  const effective = comparison.changes.filter((c) => c.row.tier !== null);
  if (effective.length > 0) {
    return check(
      "effective-change",
      "pass",
      `the deployment changes: ${listNames([...new Set(effective.map(describeWhere))], 3)}`,
    );
  }
  const commands = abraCommandsChanged(ctx);
  if (commands) return check("effective-change", "pass", commands);
  const { reasons, unset, outside } = noEffectReasons(ctx, comparison);
  if (unset.size > 0) {
    return check(
      "effective-change",
      "warn",
      `cannot tell whether the change reaches the deployment: ${listNames([...unset])} ${unset.size === 1 ? "has" : "have"} no value in .env.sample or abra.sh`,
    );
  }
  if (outside.length > 0) {
    // Files no deployment reads: only the recipe CI knows whether it reads them.
    return check(
      "effective-change",
      "warn",
      `${listNames(outside)} ${outside.length === 1 ? "is" : "are"} not part of what abra deploys, and nothing else of the deployment changes: unless the recipe CI reads ${outside.length === 1 ? "it" : "them"}, this canary can never go red`,
      reasons.filter((r) => !outside.some((o) => r.startsWith(`${o} is not part`))),
    );
  }
  const [first, ...rest] =
    reasons.length > 0 ? reasons : ["the deployment is the same at both ends"];
  return {
    id: "effective-change",
    status: "fail",
    message: `the change does not reach what abra deploys, so this canary can never go red: ${first}`,
    ...(rest.length > 0 ? { details: rest } : {}),
    fix: "Change what the default deployment runs: the value itself, in a label backup-bot-two reads, under deploy.labels, in a file COMPOSE_FILE names.",
    causes: [{ kind: "no-op", files: ctx.files.map((f) => f.change.path), reasons }],
  };
}

/** How to count what changed without a new version: configs, secrets, or both. */
function whatChanged(sections: ReadonlySet<string>): [string, string] {
  if (sections.size > 1) return ["config or secret", "configs and secrets"];
  return sections.has("secrets") ? ["secret", "secrets"] : ["config", "configs"];
}

/** abra.sh changed beyond its exports: its commands, which `abra app cmd` (and custom tests) run. */
function abraCommandsChanged(ctx: TierContext): string | null {
  const file = ctx.files.find((f) => f.change.path === ABRA_SH);
  if (!file) return null;
  // Its exports are values (envReasons says what became of them), compared apart: a changed
  // export does not hide a changed command. A comment, a blank line or the order of the exports
  // changes nothing abra runs.
  const { before, after } = file;
  const textOf = (side: typeof before) =>
    side.state === "text" ? side.text : side.state === "absent" ? "" : null;
  const [was, now] = [textOf(before), textOf(after)];
  if (was !== null && now !== null && abraCommands(was) === abraCommands(now)) return null;
  return "abra.sh's commands change (abra app cmd runs them, and so may a custom test)";
}

/** Why each changed file changes nothing the default deployment runs; and the variables nobody sets. */
function noEffectReasons(
  ctx: TierContext,
  comparison: Extract<Comparison, { ok: true }>,
): { reasons: string[]; unset: Set<string>; outside: string[] } {
  const reasons: string[] = [];
  const outside: string[] = [];
  const unset = new Set<string>();
  const say = (text: string) => {
    if (!reasons.includes(text)) reasons.push(text);
  };
  const { before, after } = comparison;
  // What changed in the deployment, but is read by nothing.
  for (const c of comparison.changes) say(`${describeWhere(c)}: ${c.row.why}`);
  const optional = (path: string) =>
    [...ctx.pin.deployments, ...ctx.base.deployments].find(
      (d) => d.spec.optional && d.reads.has(path),
    );
  for (const f of ctx.files) {
    const path = f.change.path;
    const shown = showName(path);
    if (path === ENV_SAMPLE || path === ABRA_SH) {
      for (const text of envReasons(ctx, path)) say(`${path}: ${text}`);
      continue;
    }
    if (before.reads.has(path) || after.reads.has(path)) {
      if (!after.spec.files.includes(path) && !before.spec.files.includes(path)) continue; // a config file: its digest is in the diff
      for (const text of composeReasons(ctx, comparison, f, unset)) say(`${shown}: ${text}`);
      continue;
    }
    const extra = optional(path);
    if (extra) {
      say(
        `${shown} is deployed only when an operator switches on ${extra.spec.origin}; the recipe CI deploys ${after.title}`,
      );
      continue;
    }
    outside.push(shown);
    say(`${shown} is not part of what abra deploys`);
  }
  return { reasons, unset, outside };
}

/** Which source of a value wins when two set it: abra.sh over .env.sample, abra over both. */
const RANK: Record<EnvSource, number> = { ".env.sample": 0, "abra.sh": 1, abra: 2 };

/** What changed in .env.sample or abra.sh's exports, and why the deployment does not see it. */
function envReasons(ctx: TierContext, path: string): string[] {
  const from: EnvSource = path === ENV_SAMPLE ? ".env.sample" : "abra.sh";
  // The file's own values at each end: what it changed, whether or not that value is the one used.
  const file = ctx.files.find((f) => f.change.path === path);
  const own = (side: FileAnalysis["before"] | undefined): Map<string, string> =>
    side?.state !== "text"
      ? new Map()
      : path === ENV_SAMPLE
        ? parseEnvFile(side.text).values
        : parseAbraExports(side.text);
  const was = own(file?.before);
  const now = own(file?.after);
  const out: string[] = [];
  for (const name of new Set([...was.keys(), ...now.keys()])) {
    const a = was.get(name);
    const b = now.get(name);
    if (a === b) continue;
    // The value the pin uses, when a source abra ranks above this file sets it (abra.sh's exports
    // override .env.sample, and abra sets STACK_NAME itself): this file's value, or its absence,
    // changes nothing. A value this file drops that a lower-ranked file still sets is not hidden.
    const wins = ctx.pin.env.get(name);
    if (wins !== undefined && RANK[wins.from] > RANK[from]) {
      out.push(`${name} changed, but ${wins.from}'s value wins`);
      continue;
    }
    const what = a === undefined ? "is new" : b === undefined ? "is gone" : "changed";
    out.push(
      name === "COMPOSE_FILE"
        ? `COMPOSE_FILE ${what}, and the deployment it selects is the same`
        : `${name} ${what}, and nothing the default deployment runs uses it`,
    );
  }
  if (out.length === 0) out.push("a comment or formatting change only");
  return out;
}

/** Why a change to one compose file of the default deployment changes nothing swarm runs. */
function composeReasons(
  ctx: TierContext,
  comparison: Extract<Comparison, { ok: true }>,
  f: FileAnalysis,
  unset: Set<string>,
): string[] {
  const path = f.change.path;
  const a = comparison.before.files.get(f.change.oldPath ?? path) ?? {};
  const b = comparison.after.files.get(path) ?? {};
  if (sameValue(a, b))
    return ["a comment or formatting change only: it parses to the same document"];
  const files = comparison.after.spec.files;
  const later = files.slice(files.indexOf(path) + 1);
  const out: string[] = [];
  // A path the deployment diff has (its row says why it reaches nothing) is said there already.
  const said = (keys: string[]) =>
    comparison.changes.some((c) => {
      const n = Math.min(c.path.length, keys.length);
      return c.path.slice(0, n).join("\0") === keys.slice(0, n).join("\0");
    });
  for (const keys of differingPaths(a, b).paths) {
    if (said(keys)) continue;
    const shown = formatKeyPath(keys);
    const over = later.find(
      (file) => valueAt(comparison.after.files.get(file), keys) !== undefined,
    );
    if (over) {
      out.push(`${shown} is set again by ${showName(over)}, which abra merges after it`);
      continue;
    }
    const texts = [valueAt(a, keys), valueAt(b, keys)].filter(
      (v): v is string => typeof v === "string",
    );
    for (const v of texts.flatMap(variablesIn))
      if (comparison.after.unset.has(v) || comparison.before.unset.has(v)) unset.add(v);
    const overridden = texts
      .flatMap(defaultedVariables)
      .map((name) => ({ name, set: ctx.pin.env.get(name) }))
      .find(({ set }) => set !== undefined && set.from !== "abra");
    if (overridden) {
      out.push(
        `${overridden.name} is set to ${showName(overridden.set?.value ?? "")} in ${overridden.set?.from}, so the new default never applies`,
      );
      continue;
    }
    if (keys[0]?.startsWith("x-")) {
      out.push(`${shown} is an extension field, and what uses it reads the same`);
      continue;
    }
    out.push(`${shown} reads the same once interpolated and merged`);
  }
  return out;
}
