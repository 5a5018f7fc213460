/**
 * The checks that read YAML: yaml-valid (each changed YAML file still parses, or, for a Go
 * template, its actions still balance), compose-valid (every stack the change touches deploys:
 * the base file alone, and with each overlay merged onto it, as abra deploys them) and keys (only
 * the rule's key paths differ). Pure: input is the inspection of the change.
 */

import { formatKeyPath } from "../shared/key-path.ts";
import { type CheckResult, check, plural } from "./check-result.ts";
import { composeProblems } from "./compose.ts";
import { normalizeStack } from "./compose-merge.ts";
import { allows, type Finding, fromFindings, listNames, pathOf, unreadable } from "./findings.ts";
import { hasTemplateActions, templateProblems } from "./go-template.ts";
import type { FileAnalysis, Snapshot } from "./inspect-files.ts";
import {
  buildStack,
  stackLabel,
  stacksTouched,
  templatePaths,
  type YamlOf,
} from "./recipe-files.ts";
import { isComposePath, isMapping, isYamlPath } from "./yaml-doc.ts";
import { disallowedKeyChanges } from "./yaml-keys.ts";

export type YamlContext = {
  base: Snapshot;
  pin: Snapshot;
  yaml: YamlOf;
  maxBlobBytes: number;
};

export function checkYamlValid(files: readonly FileAnalysis[], ctx: YamlContext): CheckResult {
  const targets = files.filter((f) => isYamlPath(f.change.path) && f.after.state !== "absent");
  if (targets.length === 0) return check("yaml-valid", "skip", "no YAML file changed");
  const templates = templatePaths(ctx.pin, ctx.yaml);
  const findings: Finding[] = [];
  const parsed: string[] = [];
  const balanced: string[] = [];
  const allowed: string[] = [];
  for (const f of targets) {
    const path = pathOf(f);
    if (allows(f, "invalid-yaml")) {
      allowed.push(path);
      continue;
    }
    const why = unreadable(f.after, ctx.maxBlobBytes);
    if (why !== null || f.after.state !== "text") {
      const symlink = f.after.state === "symlink" || f.after.state === "submodule";
      findings.push({ text: `${path} ${why}${symlink ? ", not a YAML file" : ""}` });
      continue;
    }
    const before = f.before.state === "text" ? f.before : null;
    if (f.after.invalidUtf8At !== null) {
      findings.push({
        text: `${path} is not valid UTF-8 (byte ${f.after.invalidUtf8At} starts an invalid sequence; saved as Latin-1?), and Docker's YAML loader refuses it`,
        preexisting: before !== null && before.invalidUtf8At !== null,
      });
      continue;
    }
    const oneDocument = isComposePath(f.change.path);
    const now = ctx.yaml(f.after, { oneDocument });
    const isTemplate =
      templates.has(f.change.path) || (now?.ok === false && hasTemplateActions(f.after.text));
    if (isTemplate) {
      const problems = templateProblems(f.after.text);
      const had = before ? templateProblems(before.text).length : 0;
      if (problems.length === 0) balanced.push(path);
      else
        findings.push({
          text: `${path} (a Go template): ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`,
          preexisting: had >= problems.length,
        });
      continue;
    }
    const then = before ? ctx.yaml(before, { oneDocument }) : null;
    if (now === null) continue;
    if (!now.ok) {
      findings.push({
        text: `${path} does not parse: ${now.error}`,
        preexisting: then?.ok === false && then.errors >= now.errors,
      });
    } else if (now.value === null || now.value === undefined) {
      findings.push({
        text: `${path} is an empty YAML document (it parses to null)`,
        preexisting: then?.ok === true && (then.value === null || then.value === undefined),
      });
    } else parsed.push(path);
  }
  const said = [
    parsed.length > 0 ? `${listNames(parsed)} ${parsed.length === 1 ? "parses" : "parse"}` : "",
    balanced.length > 0
      ? `${listNames(balanced)} ${balanced.length === 1 ? "is a Go template whose" : "are Go templates whose"} actions balance`
      : "",
    allowed.length > 0 ? `${listNames(allowed)} not checked (allow: invalid-yaml)` : "",
  ].filter(Boolean);
  return fromFindings(
    "yaml-valid",
    findings,
    said.join("; "),
    (n) => `${n} YAML files are invalid`,
  );
}

export function checkComposeValid(files: readonly FileAnalysis[], ctx: YamlContext): CheckResult {
  const changed = files.filter((f) => isComposePath(f.change.path) && f.after.state !== "absent");
  if (changed.length === 0) return check("compose-valid", "skip", "no compose file changed");
  const checked = changed.filter((f) => !allows(f, "invalid-yaml"));
  if (checked.length === 0)
    return check(
      "compose-valid",
      "skip",
      "the changed compose files may be invalid (allow: invalid-yaml)",
    );
  const { stacks, missingBase } = stacksTouched(
    ctx.pin,
    checked.map((f) => f.change.path),
  );
  const findings: Finding[] = missingBase.map((dir) => ({
    text: `${dir === "" ? "the repository root" : dir} has no compose.yml for its overlays to be merged onto`,
  }));
  for (const stack of stacks) {
    const label = stackLabel(stack);
    const now = buildStack(stack, ctx.pin, ctx.yaml);
    const then = buildStack(stack, ctx.base, ctx.yaml);
    if (!now.ok) {
      findings.push({ text: now.problem, preexisting: !then.ok && then.problem === now.problem });
      continue;
    }
    const had = then.ok ? composeProblems(then.doc) : [];
    for (const problem of composeProblems(now.doc)) {
      const at = had.indexOf(problem);
      if (at !== -1) had.splice(at, 1);
      findings.push({ text: `${label}: ${problem}`, preexisting: at !== -1 });
    }
  }
  const labels = stacks.map(stackLabel);
  return fromFindings(
    "compose-valid",
    findings,
    `${listNames(labels)} ${labels.length === 1 ? "declares" : "declare"} everything ${labels.length === 1 ? "its" : "their"} services use and give every service an image`,
    (n) => `${n} compose problems`,
  );
}

export function checkKeys(files: readonly FileAnalysis[], ctx: YamlContext): CheckResult {
  const targets = files.filter((f) => f.rule && f.rule.keyPatterns.length > 0);
  if (targets.length === 0) return check("keys", "skip", "no change[].keys rule applies");
  const findings: Finding[] = [];
  for (const f of targets) {
    const rule = f.rule;
    if (!rule) continue;
    const path = pathOf(f);
    const may = `only ${rule.rule.keys.join(", ")} may change`;
    const compose = isComposePath(f.change.path);
    const read = (side: FileAnalysis["before"]) =>
      side.state === "absent"
        ? { ok: true as const, value: {} }
        : ctx.yaml(side, { oneDocument: compose });
    const old = read(f.before);
    const now = read(f.after);
    if (!old?.ok || !now?.ok) {
      findings.push({
        text: `${path}: keys cannot be compared because a side does not parse (see yaml-valid)`,
      });
      continue;
    }
    if (isMapping(old.value) && !isMapping(now.value)) {
      findings.push({
        text: `${path}: the whole document was replaced (it is no longer a mapping); ${may}`,
      });
      continue;
    }
    // Docker reads `- KEY=value` lists and maps alike; compare them the way it reads them.
    const [a, b] = compose
      ? [normalizeStack(old.value), normalizeStack(now.value)]
      : [old.value, now.value];
    const { paths, truncated } = disallowedKeyChanges(a, b, rule.keyPatterns);
    for (const keys of paths)
      findings.push({ text: `${path}: ${formatKeyPath(keys)} changed; ${may}` });
    if (truncated)
      findings.push({ text: `${path}: ... and more keys outside ${rule.rule.keys.join(", ")}` });
  }
  return fromFindings(
    "keys",
    findings,
    `only the allowed keys differ (${plural(targets.length, "file")} compared)`,
    (n) => `${n} changes outside change[].keys`,
  );
}
