/**
 * The PR report comment: a hidden marker (so the bot finds its own comment again), a headline,
 * then per fixture its verdict, the diagnosis (one line per cause: what is wrong and what to do,
 * from `diagnose.ts`), the checks that name the causes (their follow-ons collapsed), whether to
 * re-pin, the changed files and, collapsed, the relevant diff hunks (capped). Text that comes from
 * a repository (paths, lines, messages, names, branches) goes through `markdown.ts`: prose through
 * `escapeMarkdown`, names and commands through `codeSpan`, lines through `codeBlock`, so it cannot
 * inject markdown or HTML, nor become a link or an @mention. Secrets are removed before, by
 * `sanitizeResult`.
 */
import { showName } from "../shared/display.ts";
import type {
  CheckId,
  CheckResult,
  FileReport,
  FixtureResult,
  RunReport,
  Verdict,
} from "../shared/result.ts";
import { runState, summarize } from "../shared/result.ts";
import { detailLines } from "./check-details.ts";
import { deploymentHeading, deploymentLines } from "./deployment-lines.ts";
import { type Cause, diagnose, pinAdvice, type Rich } from "./diagnose.ts";
import { hunkHeader } from "./hunk-header.ts";
import { codeBlock, codeSpan, escapeMarkdown, inTableCell } from "./markdown.ts";

export const REPORT_MARKER = "<!-- fixture-bot:report -->";

export type CommentOptions = {
  /** Link for "details" (the bot's run page), when the bot has a public URL. */
  detailsUrl?: string | null;
  /** Most diff lines shown per file, and in the whole comment. */
  maxDiffLinesPerFile?: number;
  maxDiffLines?: number;
};

/** The trigger of a report the CLI renders as a preview of the comment. */
export const PREVIEW = "preview";

const TRIGGERS: Record<string, string> = {
  opened: "the pull request was opened",
  reopened: "the pull request was reopened",
  synchronized: "new commits were pushed",
  edited: "the base branch changed",
};

const ICON: Record<Verdict, string> = { pass: "✅", fail: "❌", error: "⚠️" };
const CHECK_ICON: Record<CheckResult["status"], string> = {
  pass: "✅",
  fail: "❌",
  warn: "⚠️",
  skip: "➖",
};

export function renderComment(report: RunReport, options: CommentOptions = {}): string {
  const perFile = options.maxDiffLinesPerFile ?? 60;
  let budget = options.maxDiffLines ?? 300;
  const out: string[] = [REPORT_MARKER, `### fixture-bot: ${headline(report)}`, ""];
  const where = report.number === null ? "" : ` (head of #${report.number})`;
  const details = options.detailsUrl ? ` · [details](${options.detailsUrl})` : "";
  out.push(
    report.trigger === PREVIEW
      ? `Verified ${codeSpan(report.sha.slice(0, 12))} with ${codeSpan("fixture-bot verify --format markdown")}: a preview of the comment on a pull request from the fixture's branch`
      : `Verified ${codeSpan(report.sha.slice(0, 12))}${where} after ${escapeMarkdown(TRIGGERS[report.trigger] ?? report.trigger)}${details}`,
    "",
  );

  if (report.manifestErrors.length > 0) {
    const shown = report.manifestErrors.slice(0, 30);
    if (report.manifestErrors.length > 30)
      shown.push(`... and ${report.manifestErrors.length - 30} more`);
    out.push("#### ❌ The manifest does not load", "", ...codeBlock(shown, "text"), "");
  }
  if (report.unknownNames.length > 0) {
    out.push(`⚠️ No fixture named ${report.unknownNames.map(codeSpan).join(", ")}.`, "");
  }
  if (report.results.length > 1) {
    out.push("| fixture | verdict | checks that failed |", "| --- | --- | --- |");
    for (const r of report.results) {
      const failing = r.checks.filter((c) => c.status === "fail").map((c) => codeSpan(c.id));
      out.push(
        `| ${inTableCell(codeSpan(r.name))} | ${ICON[r.verdict]} ${r.verdict} | ${failing.join(", ") || (r.error ? "could not check" : "none")} |`,
      );
    }
    out.push("");
  }
  for (const r of report.results) {
    out.push(...renderFixture(r, report));
    const shown = renderDiff(r.files, Math.min(perFile, budget), budget);
    budget -= shown.used;
    out.push(...shown.lines);
  }
  if (report.results.length === 0 && report.manifestErrors.length === 0) {
    out.push("No fixture to verify for this change.", "");
  }
  out.push(
    "<sub>Re-run with a comment that starts with <code>/verify</code> (optionally followed by fixture names).</sub>",
  );
  return out.join("\n").trim();
}

function headline(report: RunReport): string {
  const s = summarize(report.results);
  const state = runState(report);
  if (report.manifestErrors.length > 0) return "❌ the manifest does not load";
  const total = report.results.length;
  if (state === "success")
    return total === 1 ? "✅ the fixture passes" : `✅ all ${total} fixtures pass`;
  if (state === "failure")
    return `❌ ${s.fail} of ${total} ${total === 1 ? "fixture fails" : "fixtures fail"}`;
  return `⚠️ ${s.error} of ${total} ${total === 1 ? "fixture" : "fixtures"} could not be checked`;
}

function renderFixture(r: FixtureResult, report: RunReport): string[] {
  const out: string[] = [];
  out.push(`#### ${ICON[r.verdict]} ${codeSpan(r.name)}: ${r.verdict}`, "");
  const facts = [
    `${codeSpan(r.repo)} branch ${codeSpan(r.branch)} at ${codeSpan((r.resolvedSha ?? r.sha).slice(0, 12))}`,
  ];
  if (r.base)
    facts.push(
      `base ${codeSpan(r.base)}${r.mergeBase ? ` (merge-base ${codeSpan(r.mergeBase.slice(0, 12))})` : ""}`,
    );
  if (r.expect) facts.push(`in CI this canary should be: ${escapeMarkdown(r.expect)}`);
  out.push(facts.join(" · "), "");
  if (r.error) out.push(`⚠️ Could not check: ${escapeMarkdown(r.error)}`, "");
  out.push(...renderChecks(r));
  const passed = r.checks.filter((c) => c.status === "pass").map((c) => codeSpan(c.id));
  if (r.checks.length > 0 && r.verdict !== "error")
    out.push(`<sub>Passed: ${passed.join(", ") || "none"}</sub>`, "");
  const pin = report.pins.find((p) => p.name === r.name);
  if (pin) {
    const advice = pinAdvice(r, pin);
    if (advice === null) out.push("📌 The manifest already pins this head.", "");
    else {
      out.push(`📌 ${richMarkdown(advice.text)}`, "");
      out.push(...codeBlock([advice.shaLine], "yaml"), "");
    }
  }
  if (r.deployment) {
    out.push(escapeMarkdown(deploymentHeading(r.deployment)), "");
    if (r.deployment.changes.length > 0)
      out.push(...codeBlock(deploymentLines(r.deployment), "text"), "");
  }
  if (r.files.length > 0) {
    out.push("| changed file | status | + | − |", "| --- | --- | ---: | ---: |");
    for (const f of r.files.slice(0, 20)) {
      const name =
        f.oldPath && f.oldPath !== f.path
          ? `${showName(f.oldPath)} → ${showName(f.path)}`
          : showName(f.path);
      out.push(
        `| ${inTableCell(codeSpan(name))} | ${f.status} | ${f.binary ? "bin" : f.added} | ${f.binary ? "bin" : f.removed} |`,
      );
    }
    if (r.files.length > 20) out.push(`| ... and ${r.files.length - 20} more | | | |`);
    out.push("");
  }
  return out;
}

/**
 * The diagnosis first (one line per cause: what is wrong, what to do), then the checks that name
 * the causes and the warnings; the checks that fail only because of a cause are named under it,
 * and what they say is collapsed below.
 */
function renderChecks(r: FixtureResult): string[] {
  const out: string[] = [];
  const causes = diagnose(r);
  const lead = (c: Cause) => `**${richMarkdown(c.diagnosis)}:** ${richMarkdown(c.fix)}.`;
  if (causes.length === 1) out.push(lead(causes[0] as Cause), "");
  else if (causes.length > 1) out.push(...causes.map((c, i) => `${i + 1}. ${lead(c)}`), "");
  const folded = causes.flatMap((c) => c.followOns);
  const byId = (id: CheckId) => r.checks.find((c) => c.id === id) as CheckResult;
  const shown = [
    ...causes.map((c) => byId(c.primary)),
    ...r.checks.filter((c) => c.status === "warn"),
  ];
  for (const c of shown) {
    out.push(...renderCheck(c));
    const followOns = causes.find((cause) => cause.primary === c.id)?.followOns ?? [];
    if (followOns.length > 0)
      out.push(`  - also failing because of this: ${followOns.map(codeSpan).join(", ")}`);
  }
  if (shown.length > 0) out.push("");
  if (folded.length > 0) {
    out.push(
      "<details>",
      `<summary>What the ${folded.length === 1 ? "follow-on check says" : `${folded.length} follow-on checks say`}</summary>`,
      "",
      ...folded.flatMap((id) => renderCheck(byId(id))),
      "",
      "</details>",
      "",
    );
  }
  return out;
}

function renderCheck(c: CheckResult): string[] {
  const out = [`- ${CHECK_ICON[c.status]} **${codeSpan(c.id)}** ${escapeMarkdown(c.message)}`];
  if (c.status !== "fail") return out;
  const { files, other } = detailLines(c, 10);
  for (const file of files) {
    const header = files.length > 1 ? [`--- ${file.path}`] : [];
    out.push("", ...codeBlock([...header, ...file.lines], "diff").map((l) => `  ${l}`), "");
  }
  for (const d of other) out.push(`  - ${escapeMarkdown(d)}`);
  return out;
}

/** Rich text as markdown: words escaped, code as code spans. */
function richMarkdown(text: Rich): string {
  return text
    .map((part) => (typeof part === "string" ? escapeMarkdown(part) : codeSpan(part.code)))
    .join("");
}

function renderDiff(
  files: readonly FileReport[],
  perFile: number,
  budget: number,
): { lines: string[]; used: number } {
  const withHunks = files.filter((f) => f.hunks && f.hunks.length > 0);
  if (withHunks.length === 0 || budget <= 0) return { lines: [], used: 0 };
  const body: string[] = [];
  let used = 0;
  let truncated = false;
  for (const f of withHunks) {
    const lines = (f.hunks ?? []).flatMap((h) => [hunkHeader(h), ...h.lines]);
    const room = Math.min(perFile, budget - used);
    if (room <= 0) {
      truncated = true;
      break;
    }
    body.push(
      `--- a/${showName(f.oldPath ?? f.path)}`,
      `+++ b/${showName(f.path)}`,
      ...lines.slice(0, room),
    );
    used += Math.min(lines.length, room);
    if (lines.length > room) {
      truncated = true;
      body.push(`... ${lines.length - room} more lines in ${showName(f.path)}`);
    }
  }
  const summary = `Diff from the merge-base (${used} lines${truncated ? ", truncated" : ""})`;
  return {
    lines: [
      "<details>",
      `<summary>${summary}</summary>`,
      "",
      ...codeBlock(body, "diff"),
      "",
      "</details>",
      "",
    ],
    used,
  };
}
