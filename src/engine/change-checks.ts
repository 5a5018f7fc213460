/**
 * Checks about what the fixture changes, measured from the merge-base: change-present, paths,
 * not-emptied, yaml-valid, compose-valid, whitespace-churn, mode, binary, lines, keys, max-lines.
 * Pure: input is the per-file analysis from `inspect-files.ts`.
 */
import type { Allowance } from "../config/manifest.ts";
import { MODE } from "../shared/git-facts.ts";
import { type CheckId, type CheckResult, capDetails, check, plural, shortSha } from "./checks.ts";
import { composeProblems } from "./compose.ts";
import type { FileAnalysis, Side } from "./inspect-files.ts";
import { type CompiledRule, lineMatches } from "./rules.ts";
import {
  isComposeOverlay,
  isComposePath,
  isMapping,
  isYamlPath,
  type ParsedYaml,
  parseYaml,
} from "./yaml-doc.ts";
import { disallowedKeyChanges } from "./yaml-keys.ts";

export type ChangeContext = {
  baseRef: string;
  resolvedSha: string;
  mergeBase: string;
  rules: readonly CompiledRule[];
  maxBlobBytes: number;
};

export const CHANGE_CHECK_IDS: readonly CheckId[] = [
  "change-present",
  "paths",
  "not-emptied",
  "yaml-valid",
  "compose-valid",
  "whitespace-churn",
  "mode",
  "binary",
  "lines",
  "keys",
  "max-lines",
];

/** Every change check, skipped with the same reason (no base, or the refs could not be resolved). */
export function skipChangeChecks(reason: string): CheckResult[] {
  return CHANGE_CHECK_IDS.map((id) => check(id, "skip", reason));
}

export function checkChanges(files: readonly FileAnalysis[], ctx: ChangeContext): CheckResult[] {
  const parsed = new Map<FileAnalysis, { before: ParsedYaml | null; after: ParsedYaml | null }>();
  const yamlOf = (file: FileAnalysis) => {
    let entry = parsed.get(file);
    if (!entry) {
      entry = { before: parseSide(file.before), after: parseSide(file.after) };
      parsed.set(file, entry);
    }
    return entry;
  };
  return [
    checkChangePresent(files, ctx),
    checkPaths(files, ctx),
    checkNotEmptied(files),
    checkYamlValid(files, yamlOf, ctx.maxBlobBytes),
    checkComposeValid(files, yamlOf),
    checkWhitespaceChurn(files),
    checkMode(files),
    checkBinary(files, ctx),
    checkLines(files, ctx),
    checkKeys(files, yamlOf),
    checkMaxLines(files, ctx),
  ];
}

type YamlOf = (file: FileAnalysis) => { before: ParsedYaml | null; after: ParsedYaml | null };

function parseSide(side: Side): ParsedYaml | null {
  return side.state === "text" ? parseYaml(side.text) : null;
}

function allows(file: FileAnalysis, what: Allowance): boolean {
  return file.rule?.rule.allow.includes(what) ?? false;
}

function stat(file: FileAnalysis): string {
  return `+${file.change.added} -${file.change.removed}`;
}

/**
 * Build a check from per-file problems: pass when none; otherwise fail with the first problem as
 * the message and the others as details, so nothing is said twice.
 */
function fromProblems(
  id: CheckId,
  problems: readonly string[],
  passMessage: string,
  summary: (n: number) => string,
): CheckResult {
  const [first, ...rest] = problems;
  if (first === undefined) return check(id, "pass", passMessage);
  if (rest.length === 0) return check(id, "fail", first);
  return check(
    id,
    "fail",
    `${summary(problems.length)}: ${first} (and ${rest.length} more)`,
    capDetails(rest),
  );
}

function checkChangePresent(files: readonly FileAnalysis[], ctx: ChangeContext): CheckResult {
  if (files.length > 0) {
    const shown = files
      .slice(0, 3)
      .map((f) => `${f.change.path} (${stat(f)})`)
      .join(", ");
    return check(
      "change-present",
      "pass",
      `${plural(files.length, "file")} changed since ${shortSha(ctx.mergeBase)}: ${shown}${files.length > 3 ? ", ..." : ""}`,
    );
  }
  if (ctx.resolvedSha === ctx.mergeBase) {
    return check(
      "change-present",
      "fail",
      `the pinned commit is already part of ${ctx.baseRef}: the fixture changes nothing (was the fixture commit pushed? was the pin copied from ${ctx.baseRef}?)`,
    );
  }
  return check(
    "change-present",
    "fail",
    `the pin has the same files as its merge-base with ${ctx.baseRef}: the fixture changes nothing`,
  );
}

function checkPaths(files: readonly FileAnalysis[], ctx: ChangeContext): CheckResult {
  const allowed = ctx.rules.map((r) => r.rule.path).join(", ");
  const problems = files.flatMap((f) => {
    const out: string[] = [];
    if (!f.rule)
      out.push(`${f.change.path} (${f.change.status}, ${stat(f)}) is outside the targeted change`);
    if (f.change.oldPath !== null && !f.oldRule) {
      out.push(
        `${f.change.path} was ${f.change.status} from ${f.change.oldPath}, which is outside the targeted change`,
      );
    }
    return out;
  });
  if (problems.length === 0) {
    return check(
      "paths",
      "pass",
      files.length === 0 ? "no paths changed" : `every changed path matches ${allowed}`,
    );
  }
  const [first, ...rest] = problems;
  return check(
    "paths",
    "fail",
    `${plural(problems.length, "path")} outside the targeted change (allowed: ${allowed}): ${first}${rest.length > 0 ? ` (and ${rest.length} more)` : ""}`,
    rest.length > 0 ? capDetails(rest) : undefined,
  );
}

function lineCount(side: Side): number | null {
  if (side.state !== "text") return null;
  const text = side.text;
  if (text.length === 0) return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

function checkNotEmptied(files: readonly FileAnalysis[]): CheckResult {
  const problems: string[] = [];
  for (const f of files) {
    const { change } = f;
    if (change.oldBlob !== null && change.oldSize === null && change.oldMode !== "160000") {
      problems.push(
        `cannot tell whether ${change.path} was emptied: its size at the merge-base could not be read`,
      );
      continue;
    }
    if (change.oldSize === null || change.oldSize === 0) continue;
    const was = lineCount(f.before);
    const had = was === null ? `${change.oldSize} bytes` : plural(was, "line");
    if (change.status === "deleted") {
      if (!allows(f, "delete"))
        problems.push(`${change.path} was deleted (it had ${had} at the merge-base)`);
      continue;
    }
    const emptied =
      change.newSize === 0 || (f.after.state === "text" && f.after.text.trim().length === 0);
    if (emptied && !allows(f, "empty")) {
      problems.push(`${change.path} was emptied (${had} at the merge-base, none now)`);
    }
  }
  return fromProblems(
    "not-emptied",
    problems,
    "no file was deleted or emptied",
    (n) => `${n} files deleted or emptied`,
  );
}

function describeUnreadable(side: Side, maxBlobBytes: number): string | null {
  switch (side.state) {
    case "binary":
      return "is binary (re-encoded, e.g. as UTF-16?)";
    case "too-large":
      return `is ${formatBytes(side.size)}, over the ${formatBytes(maxBlobBytes)} inspection limit`;
    case "not-inspected":
      return "was not inspected (too many files changed)";
    default:
      return null;
  }
}

function checkYamlValid(
  files: readonly FileAnalysis[],
  yamlOf: YamlOf,
  maxBlobBytes: number,
): CheckResult {
  const targets = files.filter((f) => isYamlPath(f.change.path) && f.after.state !== "absent");
  if (targets.length === 0) return check("yaml-valid", "skip", "no YAML file changed");
  const problems: string[] = [];
  for (const f of targets) {
    if (allows(f, "invalid-yaml")) continue;
    const path = f.change.path;
    if (f.after.state === "symlink" || f.after.state === "submodule") {
      problems.push(`${path} is now a ${f.after.state}, not a YAML file`);
      continue;
    }
    if (f.after.state !== "text") {
      problems.push(`${path} ${describeUnreadable(f.after, maxBlobBytes)}`);
      continue;
    }
    const parsed = yamlOf(f).after;
    if (!parsed) continue;
    if (!parsed.ok) {
      problems.push(`${path} does not parse: ${parsed.error}`);
    } else if (parsed.value === null || parsed.value === undefined) {
      problems.push(`${path} is an empty YAML document (it parses to null)`);
    }
  }
  return fromProblems(
    "yaml-valid",
    problems,
    `${targets.map((f) => f.change.path).join(", ")} ${targets.length === 1 ? "parses" : "parse"}`,
    (n) => `${n} YAML files are invalid`,
  );
}

function checkComposeValid(files: readonly FileAnalysis[], yamlOf: YamlOf): CheckResult {
  const targets = files.filter((f) => isComposePath(f.change.path) && f.after.state !== "absent");
  if (targets.length === 0) return check("compose-valid", "skip", "no compose file changed");
  const problems: string[] = [];
  for (const f of targets) {
    const path = f.change.path;
    if (allows(f, "invalid-yaml")) continue;
    const parsed = yamlOf(f).after;
    if (!parsed) {
      problems.push(
        f.after.state === "symlink" || f.after.state === "submodule"
          ? `${path} is now a ${f.after.state}: compose cannot read it`
          : `${path} could not be read as text`,
      );
      continue;
    }
    if (!parsed.ok) {
      problems.push(`${path} does not parse, so it cannot deploy`);
      continue;
    }
    for (const problem of composeProblems(parsed.value, { overlay: isComposeOverlay(path) })) {
      problems.push(`${path}: ${problem}`);
    }
  }
  return fromProblems(
    "compose-valid",
    problems,
    `${targets.map((f) => f.change.path).join(", ")} declares everything its services use`,
    (n) => `${n} compose problems`,
  );
}

/**
 * Count added lines that equal a removed line once whitespace is ignored but differ as written:
 * the signature of CRLF conversion, re-indentation or trailing-space churn. Identical lines (moved
 * lines) are not churn.
 */
function churnOf(file: FileAnalysis): { churn: number; crlf: number } {
  const removedByShape = new Map<string, string[]>();
  for (const line of file.removed) {
    const shape = line.replace(/\s+/g, "");
    // Blank lines pair up by coincidence; real churn (CRLF, re-indentation) shows on content lines.
    if (shape === "") continue;
    const list = removedByShape.get(shape);
    if (list) list.push(line);
    else removedByShape.set(shape, [line]);
  }
  let churn = 0;
  let crlf = 0;
  for (const line of file.added) {
    const candidates = removedByShape.get(line.replace(/\s+/g, ""));
    if (!candidates) continue;
    const i = candidates.findIndex((old) => old !== line);
    if (i === -1) continue;
    const [old] = candidates.splice(i, 1);
    churn += 1;
    if (line.endsWith("\r") !== (old ?? "").endsWith("\r")) crlf += 1;
  }
  return { churn, crlf };
}

function checkWhitespaceChurn(files: readonly FileAnalysis[]): CheckResult {
  const problems: string[] = [];
  for (const f of files) {
    if (allows(f, "whitespace")) continue;
    if (f.hunks === null) {
      if (f.before.state === "text" && f.after.state === "text") {
        problems.push(
          `${f.change.path}: too different to compare line by line, so whitespace churn cannot be ruled out`,
        );
      }
      continue;
    }
    const { churn, crlf } = churnOf(f);
    if (churn === 0) continue;
    const changed = f.added.length + f.removed.length;
    const kind =
      crlf === churn
        ? "line endings (CRLF/LF)"
        : crlf > 0
          ? "whitespace and line endings"
          : "whitespace";
    problems.push(
      `${f.change.path}: ${churn} of ${changed} changed lines differ from the base only in ${kind}, which hides the real change`,
    );
  }
  return fromProblems(
    "whitespace-churn",
    problems,
    "no whitespace or line-ending churn",
    (n) => `${n} files with whitespace churn`,
  );
}

const MODE_NAMES: Record<string, string> = {
  [MODE.file]: "regular file",
  [MODE.executable]: "executable file",
  [MODE.symlink]: "symlink",
  [MODE.submodule]: "submodule",
};

function modeName(mode: string): string {
  return MODE_NAMES[mode] ?? `mode ${mode}`;
}

function checkMode(files: readonly FileAnalysis[]): CheckResult {
  const problems: string[] = [];
  for (const f of files) {
    const { oldMode, newMode, path, status } = f.change;
    if (allows(f, "mode")) continue;
    if (status === "added" || oldMode === MODE.absent) {
      if (newMode === MODE.symlink || newMode === MODE.submodule) {
        problems.push(`${path} is a new ${modeName(newMode)}`);
      }
      continue;
    }
    if (newMode === MODE.absent || oldMode === newMode) continue;
    problems.push(
      `${path} changed from ${modeName(oldMode)} to ${modeName(newMode)} (${oldMode} -> ${newMode})`,
    );
  }
  return fromProblems("mode", problems, "no file mode or type changed", (n) => `${n} mode changes`);
}

function checkBinary(files: readonly FileAnalysis[], ctx: ChangeContext): CheckResult {
  const problems: string[] = [];
  for (const f of files) {
    if (allows(f, "binary")) continue;
    const { path } = f.change;
    const sides = [f.before, f.after];
    const large = sides.find((s) => s.state === "too-large");
    if (large && large.state === "too-large") {
      problems.push(
        `${path} ${describeUnreadable(large, ctx.maxBlobBytes)}: it cannot be reviewed as a targeted change`,
      );
    } else if (f.change.binary || sides.some((s) => s.state === "binary")) {
      problems.push(`${path} is binary: git cannot show the change line by line`);
    }
  }
  return fromProblems(
    "binary",
    problems,
    "no binary file changed",
    (n) => `${n} binary files changed`,
  );
}

function checkLines(files: readonly FileAnalysis[], ctx: ChangeContext): CheckResult {
  if (!ctx.rules.some((r) => r.patterns.length > 0))
    return check("lines", "skip", "no change[].lines rule");
  const summaries: string[] = [];
  const details: string[] = [];
  let checked = 0;
  for (const f of files) {
    const rule = f.rule;
    if (!rule || rule.patterns.length === 0) continue;
    const path = f.change.path;
    if (f.hunks === null) {
      summaries.push(`${path}: its lines cannot be checked (binary, too large, or too different)`);
      continue;
    }
    const bad = [
      ...f.removed.filter((l) => !lineMatches(rule, l)).map((l) => `removed: ${l}`),
      ...f.added.filter((l) => !lineMatches(rule, l)).map((l) => `added: ${l}`),
    ];
    const total = f.added.length + f.removed.length;
    checked += total;
    if (bad.length === 0) continue;
    summaries.push(
      `${path}: ${bad.length} of ${plural(total, "changed line")} match no pattern in change[${rule.index}].lines`,
    );
    details.push(...bad.map((line) => `${path}: ${clip(line)}`));
  }
  if (summaries.length === 0) {
    return check("lines", "pass", `all ${plural(checked, "changed line")} match change[].lines`);
  }
  return check("lines", "fail", summaries.join("; "), capDetails(details));
}

function checkKeys(files: readonly FileAnalysis[], yamlOf: YamlOf): CheckResult {
  const targets = files.filter((f) => f.rule && f.rule.rule.keys.length > 0);
  if (targets.length === 0) return check("keys", "skip", "no change[].keys rule applies");
  const problems: string[] = [];
  for (const f of targets) {
    const allowed = f.rule?.rule.keys ?? [];
    const may = `only ${allowed.join(", ")} may change`;
    const { before, after } = yamlOf(f);
    const old = f.before.state === "absent" ? { ok: true as const, value: {} } : before;
    const now = f.after.state === "absent" ? { ok: true as const, value: {} } : after;
    if (!old?.ok || !now?.ok) {
      problems.push(
        `${f.change.path}: keys cannot be compared because a side does not parse (see yaml-valid)`,
      );
      continue;
    }
    if (isMapping(old.value) && !isMapping(now.value)) {
      problems.push(
        `${f.change.path}: the whole document was replaced (it is no longer a mapping); ${may}`,
      );
      continue;
    }
    const { paths, truncated } = disallowedKeyChanges(old.value, now.value, allowed);
    for (const k of paths) problems.push(`${f.change.path}: ${k} changed; ${may}`);
    if (truncated)
      problems.push(`${f.change.path}: ... and more keys outside ${allowed.join(", ")}`);
  }
  return fromProblems(
    "keys",
    problems,
    "only the allowed keys differ",
    (n) => `${n} changes outside change[].keys`,
  );
}

function checkMaxLines(files: readonly FileAnalysis[], ctx: ChangeContext): CheckResult {
  const limited = ctx.rules.filter((r) => r.rule.maxLines !== null);
  if (limited.length === 0) return check("max-lines", "skip", "no change[].max_lines set");
  const problems: string[] = [];
  const within: string[] = [];
  for (const rule of limited) {
    const mine = files.filter((f) => f.rule === rule);
    const added = mine.reduce((n, f) => n + f.change.added, 0);
    const removed = mine.reduce((n, f) => n + f.change.removed, 0);
    const max = rule.rule.maxLines as number;
    const total = added + removed;
    if (total > max) {
      problems.push(
        `${rule.rule.path}: ${plural(total, "line")} changed (+${added} -${removed}); at most ${max} allowed`,
      );
    } else within.push(`${rule.rule.path} ${total}/${max}`);
  }
  return fromProblems(
    "max-lines",
    problems,
    `within max_lines (${within.join(", ")})`,
    (n) => `${n} change[] entries over max_lines`,
  );
}

function clip(line: string, max = 160): string {
  const visible = line.replace(/\r$/, "\\r").replace(/\t/g, "\\t");
  return visible.length > max ? `${visible.slice(0, max - 3)}...` : visible;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "an unknown size";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
