/**
 * The checks that read changed lines: whitespace-churn (no line changed only in whitespace or
 * line ending, no final newline added or dropped) and lines (every added and removed line matches
 * the rule's patterns). Pure: input is the inspection of the change.
 */
import { diffArrays } from "diff";
import type { YamlOf } from "../recipe/yaml-cache.ts";
import { isYamlPath } from "../recipe/yaml-doc.ts";
import { showLine } from "../shared/display.ts";
import type { CheckCause, Hunk } from "../shared/result.ts";
import { sameValue } from "../shared/value-diff.ts";
import { type CheckResult, capDetails, check, plural } from "./check-result.ts";
import { allows, type Finding, fromFindings, pathOf, unreadable } from "./findings.ts";
import type { FileAnalysis } from "./inspect-files.ts";
import { lineMatches } from "./rules.ts";

export type Churn = {
  churn: number;
  crlf: number;
  finalNewline: "added" | "removed" | null;
  bom: "added" | "removed" | null;
};

const BOM = "\uFEFF";

/** A line as churn compares it: without its line ending, indentation, trailing blanks or a BOM. */
const bare = (line: string) =>
  line
    .replace(/^\uFEFF/, "")
    .replace(/\r$/, "")
    .trim();

/**
 * Which changed lines differ from the line that replaces them only in churn: the line ending,
 * indentation, or trailing whitespace (whitespace inside a line is content: `= 404` is not
 * `=404` to nginx). Lines are paired by aligning the whole file with those differences ignored,
 * as `git diff -w` pairs them, so a block re-indented in place pairs line by line wherever the
 * diff library split it. In YAML, indentation moves keys: re-indented lines count as churn only
 * when re-indenting them alone leaves the document's value unchanged (a blank or comment line, a
 * list indented deeper under its key), and otherwise as structure, which `keys` judges.
 */
export function churnOf(file: FileAnalysis, yaml?: YamlOf): Churn {
  const { before, after } = file;
  const none: Churn = { churn: 0, crlf: 0, finalNewline: null, bom: null };
  if (before.state !== "text" || after.state !== "text") return none;
  const a = before.text.split("\n");
  const b = after.text.split("\n");
  const hadBom = before.text.startsWith(BOM);
  const hasBom = after.text.startsWith(BOM);
  const bom = hadBom === hasBom || before.text.length === 0 ? null : hasBom ? "added" : "removed";
  const pairs = alignedPairs(a, b, file.hunks);
  let crlf = 0;
  const spacing: [number, number][] = [];
  for (const [i, j] of pairs) {
    const old = (a[i] as string).replace(/^\uFEFF/, "");
    const now = (b[j] as string).replace(/^\uFEFF/, "");
    if (old === now) continue;
    if (old.replace(/\r$/, "") === now.replace(/\r$/, "")) crlf += 1;
    else spacing.push([i, j]);
  }
  let churn = crlf + spacing.length;
  if (yaml && isYamlPath(file.change.path) && spacing.length > 0) {
    // Spacing is structure (or, in a block scalar, content) when applying it alone changes the
    // document's value; on a blank or comment line it never is.
    const meaningful = spacing.filter(([i]) => !/^\s*(#.*)?\r?$/.test(a[i] as string));
    churn -= structural(a, b, meaningful, before.text, yaml);
  }
  return { churn, crlf, finalNewline: finalNewlineChange(file), bom };
}

/**
 * Most runs of re-indented lines judged one by one; past it none is shown to be structure, so all
 * of them count as churn: it cannot be ruled out (as for a file too different to compare).
 */
const MAX_RUNS_JUDGED = 50;

/**
 * How many of the re-indented `lines` are structure: none when re-indenting them together changes
 * nothing (the common case). Otherwise each run of consecutive lines is applied alone, so a list
 * indented deeper beside a key moved elsewhere is still churn; past MAX_RUNS_JUDGED runs, none.
 */
function structural(
  a: readonly string[],
  b: readonly string[],
  lines: readonly [number, number][],
  text: string,
  yaml: YamlOf,
): number {
  if (lines.length === 0) return 0;
  const applied = (some: readonly [number, number][]) => {
    const edited = [...a];
    for (const [i, j] of some) edited[i] = b[j] as string;
    return sameParse(text, edited.join("\n"), yaml);
  };
  if (applied(lines)) return 0;
  const runs: [number, number][][] = [];
  for (const pair of lines) {
    const last = runs.at(-1);
    const previous = last?.at(-1);
    if (last && previous && previous[0] + 1 === pair[0] && previous[1] + 1 === pair[1])
      last.push(pair);
    else runs.push([pair]);
  }
  if (runs.length > MAX_RUNS_JUDGED) return 0;
  return runs.filter((run) => !applied(run)).reduce((n, run) => n + run.length, 0);
}

/** Whether two YAML texts parse to the same value. */
function sameParse(one: string, other: string, yaml: YamlOf): boolean {
  const x = yaml({ state: "text", text: one, invalidUtf8At: null });
  const y = yaml({ state: "text", text: other, invalidUtf8At: null });
  return x?.ok === true && y?.ok === true && sameValue(x.value, y.value);
}

/**
 * Index pairs of lines that are the same once churn is ignored, aligned over the whole file; a
 * file too different to align is paired by its hunks' runs of removals and additions.
 */
function alignedPairs(
  a: readonly string[],
  b: readonly string[],
  hunks: readonly Hunk[] | null,
): [number, number][] {
  const parts = diffArrays(a.map(bare), b.map(bare), { maxEditLength: 2_000 });
  if (!parts) return hunks === null ? [] : pairedInHunks(a, b, hunks);
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  for (const part of parts) {
    const n = part.count ?? part.value.length;
    if (part.added) j += n;
    else if (part.removed) i += n;
    else {
      for (let k = 0; k < n; k++) if (a[i + k] !== b[j + k]) pairs.push([i + k, j + k]);
      i += n;
      j += n;
    }
  }
  return pairs;
}

/**
 * Pairs from the line diff's hunks: in each run of removals followed by additions, the k-th
 * removed line with the k-th added one when they are the same once churn is ignored.
 */
function pairedInHunks(
  a: readonly string[],
  b: readonly string[],
  hunks: readonly Hunk[],
): [number, number][] {
  const pairs: [number, number][] = [];
  for (const hunk of hunks) {
    let i = Math.max(hunk.oldStart - 1, 0);
    let j = Math.max(hunk.newStart - 1, 0);
    let removed: number[] = [];
    let added: number[] = [];
    const flush = () => {
      for (let k = 0; k < Math.min(removed.length, added.length); k++) {
        const [x, y] = [removed[k] as number, added[k] as number];
        if (bare(a[x] ?? "") === bare(b[y] ?? "")) pairs.push([x, y]);
      }
      removed = [];
      added = [];
    };
    for (const line of hunk.lines) {
      const sign = line[0];
      if (sign === "-") removed.push(i++);
      else if (sign === "+") added.push(j++);
      else if (sign === " ") {
        flush();
        i++;
        j++;
      }
    }
    flush();
  }
  return pairs;
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
  yaml?: YamlOf,
): CheckResult {
  const findings: Finding[] = [];
  for (const f of files) {
    if (allows(f, "whitespace")) continue;
    const path = pathOf(f);
    const cause = (detail: string): CheckCause => ({
      kind: "whitespace",
      path: f.change.path,
      files: [f.change.path],
      detail,
    });
    if (f.hunks === null) {
      // A file over the inspection limit is binary's to judge; one that has no lines has no churn.
      if ([f.before, f.after].some((s) => s.state === "too-large")) continue;
      const why = noLinesReason(f, maxBlobBytes);
      if (why !== null)
        findings.push({
          text: `${path}: ${why}, so whitespace churn cannot be ruled out`,
          cause: cause("unknown"),
        });
      continue;
    }
    const { churn, crlf, finalNewline, bom } = churnOf(f, yaml);
    if (churn > 0) {
      const kind =
        crlf === churn
          ? "line endings (CRLF/LF)"
          : crlf > 0
            ? "whitespace and line endings"
            : "whitespace";
      findings.push({
        text: `${path}: ${churn} of ${plural(f.added.length, "added line")} ${churn === 1 ? "differs" : "differ"} only in ${kind} from the line ${churn === 1 ? "it replaces" : "they replace"}, which hides the real change`,
        cause: cause(crlf > 0 ? "line-endings" : "whitespace"),
      });
    }
    if (bom !== null) {
      findings.push({
        text: `${path}: a byte-order mark was ${bom} at the start of the file, beside the targeted change`,
        cause: cause("bom"),
      });
    }
    if (finalNewline !== null) {
      findings.push({
        text: `${path}: the newline at the end of the file was ${finalNewline}, a line-ending change beside the targeted one`,
        cause: cause("final-newline"),
      });
    }
  }
  return fromFindings("whitespace-churn", findings, "no whitespace or line-ending churn", (n) =>
    plural(n, "whitespace or line-ending problem"),
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
  const causes: CheckCause[] = [];
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
      `${path}: ${bad.length} of ${plural(total, "changed line")} ${bad.length === 1 ? "matches" : "match"} no pattern in change[${rule.index}].lines`,
    );
    causes.push({
      kind: "extra-line",
      path: f.change.path,
      files: [f.change.path],
      allowed: `change[${rule.index}].lines`,
      count: bad.length,
    });
    details.push(...bad.map((line) => `${path}: ${clip(showLine(line))}`));
  }
  if (summaries.length === 0) {
    return check(
      "lines",
      "pass",
      checked === 1
        ? "the 1 changed line matches change[].lines"
        : `all ${plural(checked, "changed line")} match change[].lines`,
    );
  }
  const result = check("lines", "fail", summaries.join("; "), capDetails(details));
  return causes.length > 0 ? { ...result, causes } : result;
}

function clip(line: string, max = 160): string {
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}
