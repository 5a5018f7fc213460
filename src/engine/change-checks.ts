/**
 * The change checks that need no parser: change-present, paths, not-emptied, mode, binary,
 * max-lines (the ones that read YAML are yaml-checks.ts, lines line-checks.ts). Pure, measured
 * from the merge-base; they run from the table in checks.ts.
 */
import { showName } from "../shared/display.ts";
import { MODE } from "../shared/git-facts.ts";
import type { CheckCause } from "../shared/result.ts";
import { type CheckResult, capDetails, check, plural, shortSha } from "./check-result.ts";
import { allows, type Finding, fromFindings, pathOf, stat, unreadable } from "./findings.ts";
import type { FileAnalysis, Side } from "./inspect-files.ts";
import type { CompiledRule } from "./rules.ts";

export type ChangeContext = {
  baseRef: string;
  resolvedSha: string;
  mergeBase: string;
  rules: readonly CompiledRule[];
  maxBlobBytes: number;
};

export function checkChangePresent(
  files: readonly FileAnalysis[],
  ctx: ChangeContext,
): CheckResult {
  if (files.length > 0) {
    const shown = files
      .slice(0, 3)
      .map((f) => `${pathOf(f)} (${stat(f)})`)
      .join(", ");
    return check(
      "change-present",
      "pass",
      `${plural(files.length, "file")} changed since ${shortSha(ctx.mergeBase)}: ${shown}${files.length > 3 ? ", ..." : ""}`,
    );
  }
  if (ctx.resolvedSha === ctx.mergeBase) {
    return {
      ...check(
        "change-present",
        "fail",
        `the pinned commit is already part of ${ctx.baseRef}: the fixture changes nothing (was the fixture commit pushed? was the pin copied from ${ctx.baseRef}?)`,
      ),
      causes: [{ kind: "no-change", detail: "in-base" }],
    };
  }
  return {
    ...check(
      "change-present",
      "fail",
      `the pin has the same files as its merge-base with ${ctx.baseRef}: the fixture changes nothing`,
    ),
    causes: [{ kind: "no-change", detail: "same-files" }],
  };
}

export function checkPaths(files: readonly FileAnalysis[], ctx: ChangeContext): CheckResult {
  const allowed = ctx.rules.map((r) => r.rule.path).join(", ");
  const found = files.flatMap((f) => {
    const out: { text: string; cause: CheckCause }[] = [];
    const cause = (extra: Partial<CheckCause> = {}): CheckCause => ({
      kind: "outside-change",
      path: f.change.path,
      files: [f.change.path],
      detail: f.change.status,
      allowed,
      ...extra,
    });
    if (!f.rule)
      out.push({
        text: `${pathOf(f)} (${f.change.status}, ${stat(f)}) is outside the targeted change`,
        cause: cause(),
      });
    if (f.change.oldPath !== null && !f.oldRule) {
      out.push({
        text: `${pathOf(f)} was ${f.change.status} from ${showName(f.change.oldPath)}, which is outside the targeted change`,
        cause: cause({ before: f.change.oldPath }),
      });
    }
    return out;
  });
  const problems = found.map((p) => p.text);
  if (problems.length === 0) {
    return check(
      "paths",
      "pass",
      files.length === 0 ? "no paths changed" : `every changed path matches ${allowed}`,
    );
  }
  const [first, ...rest] = problems;
  return {
    ...check(
      "paths",
      "fail",
      `${plural(problems.length, "path")} outside the targeted change (allowed: ${allowed}): ${first}${rest.length > 0 ? ` (and ${rest.length} more)` : ""}`,
      rest.length > 0 ? capDetails(rest) : undefined,
    ),
    causes: found.map((p) => p.cause),
  };
}

function lineCount(side: Side): number | null {
  if (side.state !== "text") return null;
  const text = side.text;
  if (text.length === 0) return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

export function checkNotEmptied(files: readonly FileAnalysis[], maxBlobBytes: number): CheckResult {
  const problems: Finding[] = [];
  for (const f of files) {
    const { change } = f;
    const path = pathOf(f);
    const at = { path: change.path, files: [change.path] };
    if (change.oldBlob !== null && change.oldSize === null && change.oldMode !== "160000") {
      problems.push({
        text: `cannot tell whether ${path} was emptied: its size at the merge-base could not be read`,
        cause: { kind: "cannot-tell", ...at },
      });
      continue;
    }
    if (change.oldSize === null || change.oldSize === 0) continue;
    const was = lineCount(f.before);
    const had = was === null ? `${change.oldSize} bytes` : plural(was, "line");
    if (change.status === "deleted") {
      if (!allows(f, "delete"))
        problems.push({
          text: `${path} was deleted (it had ${had} at the merge-base)`,
          cause: { kind: "deleted", ...at },
        });
      continue;
    }
    if (allows(f, "empty")) continue;
    const emptied =
      change.newSize === 0 || (f.after.state === "text" && f.after.text.trim().length === 0);
    if (emptied) {
      problems.push({
        text: `${path} was emptied (${had} at the merge-base, none now)`,
        cause: { kind: "emptied", ...at },
      });
    } else if (f.after.state === "unread" || f.after.state === "too-large") {
      // Not read, so whitespace only cannot be ruled out: say so rather than pass.
      problems.push({
        text: `cannot tell whether ${path} was emptied: it ${unreadable(f.after, maxBlobBytes)}`,
        cause: { kind: "cannot-tell", ...at },
      });
    }
  }
  return fromFindings(
    "not-emptied",
    problems,
    "no file was deleted or emptied",
    (n) => `${n} files deleted or emptied`,
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

export function checkMode(files: readonly FileAnalysis[]): CheckResult {
  const problems: Finding[] = [];
  for (const f of files) {
    const { oldMode, newMode, status } = f.change;
    const path = pathOf(f);
    if (allows(f, "mode")) continue;
    const cause: CheckCause = {
      kind: "mode",
      path: f.change.path,
      files: [f.change.path],
      before: oldMode,
      after: newMode,
    };
    if (status === "added" || oldMode === MODE.absent) {
      if (newMode === MODE.symlink || newMode === MODE.submodule)
        problems.push({ text: `${path} is a new ${modeName(newMode)}`, cause });
      continue;
    }
    if (newMode === MODE.absent || oldMode === newMode) continue;
    problems.push({
      text: `${path} changed from ${modeName(oldMode)} to ${modeName(newMode)} (${oldMode} -> ${newMode})`,
      cause,
    });
  }
  return fromFindings("mode", problems, "no file mode or type changed", (n) => `${n} mode changes`);
}

export function checkBinary(files: readonly FileAnalysis[], ctx: ChangeContext): CheckResult {
  const problems: Finding[] = [];
  for (const f of files) {
    if (allows(f, "binary")) continue;
    const path = pathOf(f);
    const sides = [f.before, f.after];
    const large = sides.find((s) => s.state === "too-large");
    const cause: CheckCause = { kind: "binary", path: f.change.path, files: [f.change.path] };
    if (large && large.state === "too-large") {
      problems.push({
        text: `${path} ${unreadable(large, ctx.maxBlobBytes)}: it cannot be reviewed as a targeted change`,
        cause: { ...cause, detail: "too-large" },
      });
    } else if (f.change.binary || sides.some((s) => s.state === "binary")) {
      problems.push({ text: `${path} is binary: git cannot show the change line by line`, cause });
    }
  }
  return fromFindings(
    "binary",
    problems,
    "no binary file changed",
    (n) => `${n} binary files changed`,
  );
}

export function checkMaxLines(files: readonly FileAnalysis[], ctx: ChangeContext): CheckResult {
  const limited = ctx.rules.filter((r) => r.rule.maxLines !== null);
  if (limited.length === 0) return check("max-lines", "skip", "no change[].max_lines set");
  const problems: Finding[] = [];
  const within: string[] = [];
  for (const rule of limited) {
    const mine = files.filter((f) => f.rule === rule);
    const added = mine.reduce((n, f) => n + f.change.added, 0);
    const removed = mine.reduce((n, f) => n + f.change.removed, 0);
    const max = rule.rule.maxLines as number;
    const total = added + removed;
    if (total > max) {
      problems.push({
        text: `${rule.rule.path}: ${plural(total, "line")} changed (+${added} -${removed}); at most ${max} allowed`,
        cause: { kind: "too-many-lines", allowed: rule.rule.path, count: total, limit: max },
      });
    } else within.push(`${rule.rule.path} ${total}/${max}`);
  }
  return fromFindings(
    "max-lines",
    problems,
    `within max_lines (${within.join(", ")})`,
    (n) => `${n} change[] entries over max_lines`,
  );
}
