/**
 * The checks that read YAML: yaml-valid (each changed YAML file still parses, or, for a file
 * something renders as a Go template, its actions still balance), compose-valid (every deployment
 * of the recipe at the pin deploys: the default one and each optional one) and keys (only the
 * rule's key paths differ). Which files are compose files, templates and deployments is the recipe
 * model's answer (recipe/read-recipe.ts). Pure.
 */
import { normalizeStack } from "../recipe/compose-merge.ts";
import { describeProblem } from "../recipe/deployment.ts";
import { ABRA_SH, ENV_SAMPLE, type Recipe } from "../recipe/read-recipe.ts";
import type { YamlOf } from "../recipe/yaml-cache.ts";
import { isMapping, isYamlPath } from "../recipe/yaml-doc.ts";
import { formatKeyPath } from "../shared/key-path.ts";
import type { CheckCause } from "../shared/result.ts";
import { type CheckResult, check, plural } from "./check-result.ts";
import { allows, type Finding, fromFindings, listNames, pathOf, unreadable } from "./findings.ts";
import { templateProblems } from "./go-template.ts";
import type { FileAnalysis } from "./inspect-files.ts";
import { disallowedKeyChanges } from "./yaml-keys.ts";

export type YamlContext = {
  base: Recipe;
  pin: Recipe;
  yaml: YamlOf;
  maxBlobBytes: number;
};

/** A compose file at either end: one document, read with Docker's list-or-map forms. */
function isCompose(ctx: YamlContext, path: string): boolean {
  return ctx.pin.composeFiles.has(path) || ctx.base.composeFiles.has(path);
}

export function checkYamlValid(files: readonly FileAnalysis[], ctx: YamlContext): CheckResult {
  const targets = files.filter((f) => isYamlPath(f.change.path) && f.after.state !== "absent");
  if (targets.length === 0) return check("yaml-valid", "skip", "no YAML file changed");
  const findings: Finding[] = [];
  const parsed: string[] = [];
  const balanced: string[] = [];
  const allowed: string[] = [];
  for (const f of targets) {
    const path = pathOf(f);
    const cause = (detail: string): CheckCause => ({
      kind: "unparsable",
      path: f.change.path,
      files: [f.change.path],
      detail,
    });
    if (allows(f, "invalid-yaml")) {
      allowed.push(path);
      continue;
    }
    const why = unreadable(f.after, ctx.maxBlobBytes);
    if (why !== null || f.after.state !== "text") {
      const symlink = f.after.state === "symlink" || f.after.state === "submodule";
      findings.push({
        text: `${path} ${why}${symlink ? ", not a YAML file" : ""}`,
        cause: cause(f.after.state),
      });
      continue;
    }
    const before = f.before.state === "text" ? f.before : null;
    if (f.after.invalidUtf8At !== null) {
      findings.push({
        text: `${path} is not valid UTF-8 (byte ${f.after.invalidUtf8At} starts an invalid sequence; saved as Latin-1?), and Docker's YAML loader refuses it`,
        cause: cause("utf8"),
        preexisting: before !== null && before.invalidUtf8At !== null,
      });
      continue;
    }
    // A template only when something renders it: a config with template_driver: golang, a .tmpl
    // a config reads, Traefik's dynamic configuration. Compose files are never rendered.
    const renderer = ctx.pin.templates.get(f.change.path);
    if (renderer !== undefined && !isCompose(ctx, f.change.path)) {
      const problems = templateProblems(f.after.text);
      const had = before ? templateProblems(before.text).length : 0;
      if (problems.length === 0) balanced.push(path);
      else
        findings.push({
          text: `${path} (a Go template: ${renderer}): ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`,
          cause: cause("template"),
          preexisting: had >= problems.length,
        });
      continue;
    }
    const oneDocument = isCompose(ctx, f.change.path);
    const now = ctx.yaml(f.after, { oneDocument });
    const then = before ? ctx.yaml(before, { oneDocument }) : null;
    if (now === null) continue;
    if (!now.ok) {
      findings.push({
        text: `${path} does not parse: ${now.error}`,
        cause: cause("syntax"),
        preexisting: then?.ok === false && then.errors >= now.errors,
      });
    } else if (now.value === null || now.value === undefined) {
      findings.push({
        text: `${path} is an empty YAML document (it parses to null)`,
        cause: cause("null"),
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
    (n) => `${plural(n, "YAML file")} ${n === 1 ? "is" : "are"} invalid`,
  );
}

export function checkComposeValid(files: readonly FileAnalysis[], ctx: YamlContext): CheckResult {
  const reads = (recipe: Recipe, path: string) =>
    path === ENV_SAMPLE || path === ABRA_SH || recipe.deployments.some((d) => d.reads.has(path));
  const touching = files.filter(
    (f) => reads(ctx.pin, f.change.path) || reads(ctx.base, f.change.oldPath ?? f.change.path),
  );
  if (touching.length === 0)
    return check("compose-valid", "skip", "no file a deployment reads changed");
  if (touching.every((f) => allows(f, "invalid-yaml")))
    return check(
      "compose-valid",
      "skip",
      "the changed compose files may be invalid (allow: invalid-yaml)",
    );
  const changed = touching.map((f) => f.change.path);
  const findings: Finding[] = [];
  for (const deployment of ctx.pin.deployments) {
    const then = ctx.base.deployments.find(
      (d) => d.spec.files.join(":") === deployment.spec.files.join(":"),
    );
    const had = then ? then.problems.map((p) => describeProblem(then, p)) : [];
    const problems = deployment.problems.map((p) => ({
      problem: p,
      text: describeProblem(deployment, p),
    }));
    if (deployment.incomplete) {
      problems.push({
        problem: { kind: "unreadable", file: null, message: "" },
        text: `${deployment.title}: not all of its files could be read within the inspection limits, so whether it deploys cannot be told`,
      });
    }
    for (const { problem, text } of problems) {
      const at = had.indexOf(text);
      if (at !== -1) had.splice(at, 1);
      const blamed = problem.file !== null && changed.includes(problem.file) ? [problem.file] : [];
      findings.push({
        text,
        preexisting: at !== -1,
        cause: {
          kind: "does-not-deploy",
          files:
            blamed.length > 0
              ? blamed
              : changed.filter((p) => deployment.reads.has(p) || p === ENV_SAMPLE || p === ABRA_SH),
          detail: problem.kind,
        },
      });
    }
  }
  const titles = ctx.pin.deployments.map((d) => d.title);
  return fromFindings(
    "compose-valid",
    findings,
    `${titles.length === 1 ? "the deployment" : `all ${titles.length} deployments`} (${listNames(titles)}) ${titles.length === 1 ? "deploys" : "deploy"}: every file parses, every service has an image, and what the services use is declared`,
    (n) => plural(n, "deployment problem"),
  );
}

export function checkKeys(files: readonly FileAnalysis[], ctx: YamlContext): CheckResult {
  const targets = files.filter((f) => f.rule && f.rule.keyPatterns.length > 0);
  if (targets.length === 0) return check("keys", "skip", "no change[].keys rule applies");
  const findings: Finding[] = [];
  let over = false;
  for (const f of targets) {
    const rule = f.rule;
    if (!rule) continue;
    const path = pathOf(f);
    const allowed = rule.rule.keys.join(", ");
    const may = `only ${allowed} may change`;
    const cause = (keyPath?: string[]): CheckCause => ({
      kind: "extra-key",
      path: f.change.path,
      files: [f.change.path],
      allowed,
      ...(keyPath ? { keyPath } : {}),
    });
    const compose = isCompose(ctx, f.change.path);
    const read = (side: FileAnalysis["before"]) =>
      side.state === "absent"
        ? { ok: true as const, value: {} }
        : ctx.yaml(side, { oneDocument: compose });
    const old = read(f.before);
    const now = read(f.after);
    if (!now?.ok) {
      findings.push({
        text: `${path}: keys cannot be compared because it does not parse at the pin (see yaml-valid)`,
        cause: cause(),
      });
      continue;
    }
    if (!old?.ok) {
      findings.push({
        text: `${path}: keys cannot be compared because it does not parse at the merge-base`,
        cause: cause(),
      });
      continue;
    }
    if (isMapping(old.value) && !isMapping(now.value)) {
      findings.push({
        text: `${path}: the whole document was replaced (it is no longer a mapping); ${may}`,
        cause: cause([]),
      });
      continue;
    }
    // Docker reads `- KEY=value` lists and maps alike; compare them the way it reads them.
    const [a, b] = compose
      ? [normalizeStack(old.value), normalizeStack(now.value)]
      : [old.value, now.value];
    const { paths, truncated } = disallowedKeyChanges(a, b, rule.keyPatterns);
    for (const keys of paths)
      findings.push({
        text: `${path}: ${formatKeyPath(keys)} changed; ${may}`,
        cause: cause(keys),
      });
    // Past the limit the count is a lower bound: the summary says so.
    if (truncated) over = true;
  }
  return fromFindings(
    "keys",
    findings,
    `only the allowed keys differ (${plural(targets.length, "file")} compared)`,
    (n) => `${over ? "more than " : ""}${plural(n, "change")} outside change[].keys`,
  );
}
