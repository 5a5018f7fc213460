/**
 * The `lines` check lists the changed lines it refused as details (`compose.yml: removed:   app:`).
 * They are code, not prose: reports show them as diff lines in a code block, indentation kept,
 * instead of text that markdown and HTML would collapse. Pure.
 */
import type { CheckResult } from "../shared/result.ts";

export type DetailLines = {
  /** Refused lines per file, as diff lines (`-  app:`, `+    image: x`). */
  files: { path: string; lines: string[] }[];
  /** Details that are not changed lines (`... and 20 more`), as they are. */
  other: string[];
};

const CHANGED_LINE = /^(.*?): (removed|added): (.*)$/s;

export function detailLines(check: CheckResult, max = Number.POSITIVE_INFINITY): DetailLines {
  const files: DetailLines["files"] = [];
  const other: string[] = [];
  // The engine caps details with a last `... and N more`: count those too.
  const details = check.details ?? [];
  const capped = /^\.\.\. and (\d+) more$/.exec(details.at(-1) ?? "");
  const all = capped ? details.slice(0, -1) : details;
  const total = all.length + (capped ? Number(capped[1]) : 0);
  const shown = all.slice(0, max);
  for (const detail of shown) {
    const m = check.id === "lines" ? CHANGED_LINE.exec(detail) : null;
    if (!m) {
      other.push(detail);
      continue;
    }
    const [, path, side, line] = m as unknown as [string, string, string, string];
    let file = files.at(-1);
    if (file?.path !== path) {
      file = { path, lines: [] };
      files.push(file);
    }
    file.lines.push(`${side === "removed" ? "-" : "+"}${line}`);
  }
  if (total > shown.length) other.push(`... and ${total - shown.length} more`);
  return { files, other };
}
