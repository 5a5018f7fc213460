/**
 * The checks that read changed lines: whitespace-churn (no line changed only in whitespace or
 * line ending, no final newline added or dropped) and lines (every added and removed line matches
 * the rule's patterns). Pure: input is the inspection of the change.
 */
import { diffArrays } from "diff";
import { showLine } from "../shared/display.ts";
import { type CheckResult, capDetails, check, plural } from "./check-result.ts";
import { allows, type Finding, fromFindings, pathOf, unreadable } from "./findings.ts";
import type { FileAnalysis } from "./inspect-files.ts";
import { lineMatches } from "./rules.ts";
import { isYamlPath } from "./yaml-doc.ts";

export type Churn = { churn: number; crlf: number; finalNewline: "added" | "removed" | null };

/**
 * Compare each removed line with the added line that replaces it, as the diff pairs them (the
 * n-th line of a run of removals with the n-th line of the run of additions that follows), never
 * with lines elsewhere in the file. A pair that differs only in its line ending, or only in
 * whitespace, is churn; in YAML, a change of indentation alone is structure (it moves a key) and
 * is left to the keys check.
 */
export function churnOf(file: FileAnalysis): Churn {
  const yaml = isYamlPath(file.change.path);
  let churn = 0;
  let crlf = 0;
  const judge = (old: string, now: string) => {
    if (old === now) return;
    const a = old.replace(/\r$/, "");
    const b = now.replace(/\r$/, "");
    if (a === b) {
      churn += 1;
      crlf += 1;
      return;
    }
    if (shape(a) !== shape(b)) return;
    if (yaml && leading(a) !== leading(b) && a.trim() === b.trim()) return;
    churn += 1;
  };
  for (const hunk of file.hunks ?? []) {
    let removed: string[] = [];
    let added: string[] = [];
    const flush = () => {
      for (const [old, now] of pairUp(removed, added)) judge(old, now);
      removed = [];
      added = [];
    };
    for (const line of hunk.lines) {
      if (line.startsWith("-")) {
        if (added.length > 0) flush();
        removed.push(line.slice(1));
      } else if (line.startsWith("+")) added.push(line.slice(1));
      else if (!line.startsWith("\\")) flush();
    }
    flush();
  }
  return { churn, crlf, finalNewline: finalNewlineChange(file) };
}

const shape = (line: string) => line.replace(/\s+/g, "");

/**
 * Pair the removed lines of a block with the added lines that replace them: the lines of equal
 * shape (whitespace ignored), aligned in order by a diff of the two runs, as `git diff -w` would;
 * so a targeted line inserted in the middle of a re-encoded block does not shift every pair after
 * it. A block too large to align is paired line by line.
 */
function pairUp(removed: readonly string[], added: readonly string[]): [string, string][] {
  if (removed.length === 0 || added.length === 0) return [];
  const parts = diffArrays(removed.map(shape), added.map(shape), { maxEditLength: 2_000 });
  if (!parts) return removed.slice(0, added.length).map((r, i) => [r, added[i] as string]);
  const pairs: [string, string][] = [];
  let i = 0;
  let j = 0;
  for (const part of parts) {
    const n = part.count ?? part.value.length;
    if (part.added) j += n;
    else if (part.removed) i += n;
    else {
      for (let k = 0; k < n; k++) pairs.push([removed[i + k] as string, added[j + k] as string]);
      i += n;
      j += n;
    }
  }
  return pairs;
}

function leading(line: string): string {
  return /^\s*/.exec(line)?.[0] ?? "";
}

function finalNewlineChange(file: FileAnalysis): Churn["finalNewline"] {
  const { before, after } = file;
  if (before.state !== "text" || after.state !== "text") return null;
  if (before.text.length === 0 || after.text.length === 0) return null;
  const had = before.text.endsWith("\n");
  const has = after.text.endsWith("\n");
  return had === has ? null : has ? "added" : "removed";
}

export function checkWhitespaceChurn(
  files: readonly FileAnalysis[],
  maxBlobBytes: number,
): CheckResult {
  const findings: Finding[] = [];
  for (const f of files) {
    if (allows(f, "whitespace")) continue;
    const path = pathOf(f);
    if (f.hunks === null) {
      const why = noLinesReason(f, maxBlobBytes);
      if (why !== null)
        findings.push({ text: `${path}: ${why}, so whitespace churn cannot be ruled out` });
      continue;
    }
    const { churn, crlf, finalNewline } = churnOf(f);
    if (churn > 0) {
      const kind =
        crlf === churn
          ? "line endings (CRLF/LF)"
          : crlf > 0
            ? "whitespace and line endings"
            : "whitespace";
      findings.push({
        text: `${path}: ${churn} of ${plural(f.added.length, "added line")} differ only in ${kind} from the line they replace, which hides the real change`,
      });
    }
    if (finalNewline !== null) {
      findings.push({
        text: `${path}: the newline at the end of the file was ${finalNewline}, a line-ending change beside the targeted one`,
      });
    }
  }
  return fromFindings(
    "whitespace-churn",
    findings,
    "no whitespace or line-ending churn",
    (n) => `${n} whitespace or line-ending problems`,
  );
}

/**
 * Why a file that has text on some side got no line diff; null when there is nothing to compare
 * line by line (binary, a symlink, a submodule: other checks judge those).
 */
function noLinesReason(f: FileAnalysis, maxBlobBytes: number): string | null {
  const sides = [f.before, f.after];
  const unread = sides.find((s) => s.state === "too-large" || s.state === "unread");
  if (unread) return `its content ${unreadable(unread, maxBlobBytes)}`;
  const texty = (s: FileAnalysis["before"]) => s.state === "text" || s.state === "absent";
  if (texty(f.before) && texty(f.after)) return "too different to compare line by line";
  return null;
}

export function checkLines(files: readonly FileAnalysis[], maxBlobBytes: number): CheckResult {
  const withPatterns = files.filter((f) => f.rule && f.rule.patterns.length > 0);
  if (withPatterns.length === 0) {
    return check("lines", "skip", "no change[].lines rule applies to a changed file");
  }
  const summaries: string[] = [];
  const details: string[] = [];
  let checked = 0;
  for (const f of withPatterns) {
    const rule = f.rule;
    if (!rule) continue;
    const path = pathOf(f);
    if (f.hunks === null) {
      summaries.push(
        `${path}: its lines cannot be checked (${noLinesReason(f, maxBlobBytes) ?? "it is binary, a symlink or a submodule"})`,
      );
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
    details.push(...bad.map((line) => `${path}: ${clip(showLine(line))}`));
  }
  if (summaries.length === 0) {
    return check("lines", "pass", `all ${plural(checked, "changed line")} match change[].lines`);
  }
  return check("lines", "fail", summaries.join("; "), capDetails(details));
}

function clip(line: string, max = 160): string {
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}
