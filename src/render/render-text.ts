/**
 * The CLI's human output: one block per fixture with its verdict, the checks that need attention,
 * and a short diff stat. Colour only when asked (the CLI asks when stdout is a TTY).
 */
import { showName } from "../shared/display.ts";
import type { CheckResult, FixtureResult, Verdict } from "../shared/result.ts";
import { summarize } from "../shared/result.ts";
import { deploymentHeading, deploymentLines } from "./deployment-lines.ts";
import { diagnose, plainText } from "./diagnose.ts";

export type TextOptions = { color: boolean; verbose?: boolean };

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Colour = keyof typeof CODES;

export function renderText(results: readonly FixtureResult[], options: TextOptions): string {
  const paint = (colour: Colour, text: string) =>
    options.color ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
  const width = Math.max(7, ...results.map((r) => r.name.length));
  const lines: string[] = [];
  lines.push(`${"FIXTURE".padEnd(width)}  VERDICT  WHERE`);
  for (const r of results) {
    const verdict = paint(VERDICT_COLOUR[r.verdict], VERDICT_LABEL[r.verdict].padEnd(7));
    const pin = r.resolvedSha ? r.resolvedSha.slice(0, 12) : r.sha;
    const base = r.base
      ? ` (cut from ${r.base}${r.mergeBase ? ` at ${r.mergeBase.slice(0, 12)}` : ""})`
      : "";
    lines.push(`${r.name.padEnd(width)}  ${verdict}  ${r.repo} ${r.branch} @ ${pin}${base}`);
    const indent = " ".repeat(2);
    if (r.expect) lines.push(paint("dim", `${indent}in CI this canary should be: ${r.expect}`));
    if (r.error) lines.push(`${indent}${paint("yellow", "!")} could not check: ${r.error}`);
    // The cause of each failure and what to do, as the PR comment leads with them (one
    // diagnosis, diagnose.ts); the checks that fail only because of it are folded under it.
    const causes = diagnose(r);
    for (const cause of causes) {
      lines.push(`${indent}${paint("bold", "cause:")} ${plainText(cause.diagnosis)}`);
      lines.push(`${indent}${paint("bold", "fix:")}   ${plainText(cause.fix)}`);
    }
    const folded = new Set(causes.flatMap((c) => c.followOns));
    const shown = options.verbose
      ? r.checks
      : r.checks.filter((c) => (c.status === "fail" && !folded.has(c.id)) || c.status === "warn");
    const idWidth = Math.max(0, ...shown.map((c) => c.id.length));
    for (const c of shown) {
      lines.push(
        `${indent}${paint(STATUS_COLOUR[c.status], STATUS_MARK[c.status])} ${c.id.padEnd(idWidth)}  ${c.message}`,
      );
      if (c.status !== "fail") continue;
      const followOns = causes.find((k) => k.primary === c.id)?.followOns ?? [];
      if (followOns.length > 0 && !options.verbose)
        lines.push(
          paint("dim", `${indent}    also failing because of this: ${followOns.join(", ")}`),
        );
      for (const d of (c.details ?? []).slice(0, 5)) lines.push(paint("dim", `${indent}    ${d}`));
    }
    if (options.verbose && r.deployment) {
      lines.push(`${indent}${paint("bold", deploymentHeading(r.deployment))}`);
      for (const l of deploymentLines(r.deployment))
        lines.push(`${indent}${paint("dim", "~")} ${l}`);
    }
    if (r.files.length > 0) {
      const files = r.files.slice(0, 8);
      const pathWidth = Math.max(...files.map((f) => displayPath(f).length));
      for (const f of files) {
        const counts = f.binary
          ? "binary"
          : `${paint("green", `+${f.added}`)} ${paint("red", `-${f.removed}`)}`;
        lines.push(
          `${indent}${paint("dim", "|")} ${displayPath(f).padEnd(pathWidth)}  ${counts}${f.status === "modified" ? "" : ` (${f.status})`}`,
        );
      }
      if (r.files.length > files.length)
        lines.push(
          `${indent}${paint("dim", "|")} ... and ${r.files.length - files.length} more files`,
        );
    } else if (r.base && r.verdict !== "error" && r.mergeBase) {
      lines.push(`${indent}${paint("dim", "|")} (no files changed)`);
    }
  }
  const s = summarize(results);
  lines.push("");
  lines.push(
    `${results.length} ${results.length === 1 ? "fixture" : "fixtures"}: ${paint("green", `${s.pass} pass`)}, ${paint(s.fail ? "red" : "dim", `${s.fail} fail`)}, ${paint(s.error ? "yellow" : "dim", `${s.error} error`)}`,
  );
  return `${lines.join("\n")}\n`;
}

function displayPath(f: { path: string; oldPath: string | null }): string {
  return f.oldPath && f.oldPath !== f.path
    ? `${showName(f.oldPath)} -> ${showName(f.path)}`
    : showName(f.path);
}

const VERDICT_LABEL: Record<Verdict, string> = { pass: "pass", fail: "FAIL", error: "ERROR" };
const VERDICT_COLOUR: Record<Verdict, Colour> = { pass: "green", fail: "red", error: "yellow" };
const STATUS_MARK: Record<CheckResult["status"], string> = {
  pass: "✓",
  fail: "✗",
  warn: "!",
  skip: "-",
};
const STATUS_COLOUR: Record<CheckResult["status"], Colour> = {
  pass: "green",
  fail: "red",
  warn: "yellow",
  skip: "dim",
};
