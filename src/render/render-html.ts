/**
 * The dashboard and run pages: server-rendered HTML, no JavaScript, no external assets, readable
 * on a phone. Pure: data in, a string out. Built with `h` (hono/html), which escapes every value
 * it is given unless that value is markup it made itself. Links between pages are relative, so
 * the bot can live under a path prefix of PUBLIC_URL.
 */

import { raw } from "hono/html";
import type { CanaryOutcome } from "../outcome/canary-outcome.ts";
import type { Outcome } from "../outcome/judge.ts";
import { showName } from "../shared/display.ts";
import type {
  CheckResult,
  FileReport,
  FixtureResult,
  RunReport,
  RunState,
  Verdict,
} from "../shared/result.ts";
import { detailLines } from "./check-details.ts";
import { deploymentHeading, deploymentLines } from "./deployment-lines.ts";
import { type Cause, diagnose, type Rich } from "./diagnose.ts";
import { type Html, h, joined, NEWLINE } from "./html.ts";
import { hunkHeader } from "./hunk-header.ts";
import { observedLine } from "./render-outcome.ts";

export type DashboardFixture = {
  name: string;
  repo: string;
  branch: string;
  sha: string;
  expect: string | null;
  latest: {
    runId: number;
    verdict: Verdict;
    failing: string[];
    warnings?: string[];
    createdAt: string;
  } | null;
  /** What the recipe CI observed for this pin, judged (null: not read, or no ci: block). */
  outcome: (CanaryOutcome & { checkedAt: string }) | null;
};

export type DashboardRun = {
  id: number;
  repo: string;
  sha: string;
  number: number | null;
  trigger: string;
  state: RunState;
  createdAt: string;
  /** The fixtures the run verified (the dashboard's list of runs names them). */
  fixtures?: string[];
};

export type DashboardData = {
  fixtures: DashboardFixture[];
  recent: DashboardRun[];
  now: Date;
  giteaUrl: string;
  dryRun: boolean;
  manifestSource: string;
};

/**
 * One style for every page. On a phone (under 40rem) the fixtures table becomes one card per
 * fixture, every column kept; long names (40-character fixtures, 50-character repositories, paths
 * and key paths with no break in them) wrap anywhere rather than widen the page; each check is
 * its id over its message; diffs scroll inside their own box; refused lines wrap with their
 * indentation kept.
 */
const STYLE = `
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#666;--line:#ddd;--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--add:#e6ffec;--del:#ffebe9;--note:#fff8e6}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#111;--muted:#999;--line:#333;--add:#12361f;--del:#3d1518;--note:#2b2310}}
*,*::before,*::after{box-sizing:border-box}
body{font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:60rem;padding:1rem;overflow-wrap:anywhere}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .4rem}
a{color:inherit}.muted{color:var(--muted)}code,pre{font:14px/1.4 ui-monospace,monospace}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
.nowrap{white-space:nowrap}.badge{display:inline-block;padding:0 .45rem;border-radius:1rem;font-weight:600;font-size:.85rem;border:1px solid currentColor;white-space:nowrap}
code.tiers{white-space:nowrap}
.pass,.success{color:var(--pass)}.fail,.failure{color:var(--fail)}.error,.warn,.pending{color:var(--warn)}.skip{color:var(--muted)}
pre{overflow-x:auto;padding:.5rem;border:1px solid var(--line);overflow-wrap:normal}.add{background:var(--add)}.del{background:var(--del)}
pre.lines,pre.deployment{white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0;padding:.25rem .4rem}
.diagnosis{background:var(--note);border-left:4px solid var(--fail);padding:.5rem .75rem;margin:.75rem 0}ol.diagnosis{padding-left:2rem}
.checks td:first-child{white-space:nowrap}details{margin:.5rem 0}summary{cursor:pointer}
ul{padding-left:1.25rem}
@media (max-width:40rem){
body{padding:.75rem}th,td{padding:.3rem}
.fixtures thead{display:none}.fixtures,.fixtures tbody,.fixtures tr,.fixtures td{display:block}
.fixtures tr{padding:.5rem 0;border-bottom:1px solid var(--line)}.fixtures td{border:0;padding:.1rem 0}
.fixtures td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}
.checks,.checks tbody,.checks tr,.checks td{display:block}.checks tr{border-bottom:1px solid var(--line);padding:.3rem 0}.checks td{border:0;padding:.05rem 0}
}
`;

function page(title: string, body: Html): string {
  // The style sheet is this module's own constant, not a value from outside.
  return h`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${raw(STYLE)}</style></head>
<body>${body}</body></html>`.toString();
}

function badge(value: string, label = value): Html {
  return h`<span class="badge ${value}">${label}</span>`;
}

const codes = (ids: readonly string[]) =>
  joined(
    ids.map((id) => h`<code>${id}</code>`),
    h`, `,
  );

function ago(iso: string, now: Date): Html {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  const text =
    seconds < 90
      ? `${seconds} s ago`
      : seconds < 5400
        ? `${Math.round(seconds / 60)} min ago`
        : seconds < 172800
          ? `${Math.round(seconds / 3600)} h ago`
          : `${Math.round(seconds / 86400)} days ago`;
  return h`<time datetime="${iso}" title="${iso}">${text}</time>`;
}

export function renderDashboard(data: DashboardData): string {
  const counts = { pass: 0, fail: 0, error: 0, unknown: 0 };
  for (const f of data.fixtures) counts[f.latest?.verdict ?? "unknown"] += 1;
  const rows = data.fixtures.map((f) => {
    const v = f.latest;
    const verdict = v ? badge(v.verdict) : badge("skip", "not yet verified");
    const failing = v && v.failing.length > 0 ? h`<br>${codes(v.failing)}` : "";
    // A pass can warn (the branch moved past its pin): said here as the CLI says it.
    const warned =
      v && (v.warnings ?? []).length > 0
        ? h`<br><span class="warn">! ${codes(v.warnings ?? [])}</span>`
        : "";
    const when = v ? h`<a href="runs/${v.runId}#${f.name}">${ago(v.createdAt, data.now)}</a>` : "";
    const branchUrl = `${data.giteaUrl}/${f.repo}/src/branch/${f.branch.split("/").map(encodeURIComponent).join("/")}`;
    const outcome = f.outcome
      ? outcomeHtml(f.outcome, data.now, f.outcome.checkedAt)
      : h`<span class="muted">not read</span>`;
    return h`<tr><td><strong>${f.name}</strong>${f.expect ? h`<br><span class="muted">CI: ${f.expect}</span>` : ""}</td>
<td><a href="${branchUrl}">${f.repo}</a><br><code>${f.branch}</code></td>
<td data-label="pin"><code class="nowrap">${f.sha.slice(0, 12)}</code></td><td>${verdict}${failing}${warned}</td><td data-label="in the recipe CI">${outcome}</td><td data-label="last verified">${when}</td></tr>`;
  });
  const runs = data.recent.map(
    (r) =>
      h`<li><a href="runs/${r.id}">run ${r.id}</a> ${badge(r.state)} ${runSubject(r, data.giteaUrl)} <span class="muted">${r.trigger}, ${ago(r.createdAt, data.now)}</span></li>`,
  );
  return page(
    "fixture-bot",
    h`<h1>fixture-bot</h1>
<p class="muted">${data.fixtures.length} fixtures from <code>${data.manifestSource}</code>: ${counts.pass} pass, ${counts.fail} fail, ${counts.error} could not be checked${counts.unknown ? `, ${counts.unknown} not yet verified` : ""}.${data.dryRun ? h` <strong>Dry run</strong>: nothing is posted to Gitea.` : ""}</p>
<table class="fixtures" id="outcomes"><thead><tr><th>fixture</th><th>repository</th><th>pin</th><th>fixture check</th><th>in the recipe CI</th><th>last verified</th></tr></thead>
<tbody>
${joined(rows, NEWLINE)}
</tbody></table>
<h2>Recent runs</h2>
${runs.length > 0 ? h`<ul>${joined(runs, NEWLINE)}</ul>` : h`<p class="muted">No runs yet.</p>`}`,
  );
}

/** The badge colour of each outcome: a canary that does its job, one that does not, or unknown. */
const OUTCOME_CLASS: Record<Outcome, string> = {
  "as-expected": "pass",
  "wrong-tier": "fail",
  "not-red": "fail",
  red: "fail",
  incomplete: "skip",
  "no-results": "skip",
};

/** The canary's outcome in the recipe CI: badge, the tiers observed, what it means. */
function outcomeHtml(o: CanaryOutcome, now?: Date, checkedAt?: string): Html {
  return h`${badge(OUTCOME_CLASS[o.outcome], o.outcome)} <code class="tiers">${observedLine(o.observed)}</code><br>${o.message}${
    o.gap ? h`<br><strong class="warn">${o.gap}</strong>` : ""
  }${now && checkedAt ? h` <span class="muted">(${ago(checkedAt, now)})</span>` : ""}`;
}

/** What a run verified: its fixtures, and the pull request (linked) or commit it was for. */
function runSubject(r: DashboardRun, giteaUrl: string): Html {
  const names = r.fixtures ?? [];
  const fixtures =
    names.length === 0
      ? h`no fixture`
      : names.length <= 3
        ? codes(names)
        : h`${codes(names.slice(0, 3))} and ${names.length - 3} more`;
  const where =
    r.repo === "*"
      ? h`every pin`
      : r.number !== null
        ? h`<a href="${`${giteaUrl}/${r.repo}/pulls/${r.number}`}">${r.repo} #${r.number}</a>`
        : h`<code>${r.repo}</code> <code>${r.sha.slice(0, 12)}</code>`;
  return h`${fixtures} <span class="muted">in</span> ${where}`;
}

const CHECK_MARK: Record<CheckResult["status"], string> = {
  pass: "✓",
  fail: "✗",
  warn: "!",
  skip: "–",
};

export function renderRunPage(
  run: DashboardRun & { report: RunReport },
  options: {
    giteaUrl: string;
    now: Date;
    /** The canaries' outcomes in the recipe CI, by name (shown for the pin they were read for). */
    outcomes?: ReadonlyMap<string, CanaryOutcome>;
  },
): string {
  const { report } = run;
  const where =
    run.number !== null
      ? h`<a href="${`${options.giteaUrl}/${run.repo}/pulls/${run.number}`}">${run.repo} #${run.number}</a>`
      : h`${run.repo === "*" ? "every fixture" : run.repo}`;
  const parts: Html[] = [
    h`<p><a href="../">← all fixtures</a></p>`,
    h`<h1>Run ${run.id} ${badge(run.state)}</h1>`,
    h`<p class="muted">${where}${run.sha ? h`, commit <code>${run.sha.slice(0, 12)}</code>` : ""}, ${run.trigger}, ${ago(run.createdAt, options.now)}</p>`,
  ];
  if (report.manifestErrors.length > 0) {
    parts.push(
      h`<h2 class="fail">The manifest does not load</h2><pre>${report.manifestErrors.join("\n")}</pre>`,
    );
  }
  for (const r of report.results) {
    const o = options.outcomes?.get(r.name);
    const sameCommit = o && (o.sha === r.sha || (r.resolvedSha ?? "").startsWith(o.sha));
    parts.push(renderFixtureSection(r, sameCommit ? o : null));
  }
  if (report.results.length === 0 && report.manifestErrors.length === 0)
    parts.push(h`<p>No fixture was verified.</p>`);
  return page(`fixture-bot run ${run.id}`, joined(parts, NEWLINE));
}

function renderFixtureSection(r: FixtureResult, outcome: CanaryOutcome | null): Html {
  const causes = diagnose(r);
  const followOns = new Set(causes.flatMap((c) => c.followOns));
  const row = (c: CheckResult) => {
    const cause = causes.find((k) => k.primary === c.id);
    const also =
      cause && cause.followOns.length > 0
        ? h`<br><span class="muted">also failing because of this: ${codes(cause.followOns)}</span>`
        : "";
    return h`<tr><td class="${c.status}">${CHECK_MARK[c.status]}&nbsp;<code>${c.id}</code></td><td>${c.message}${also}${renderDetails(c)}</td></tr>`;
  };
  const table = (checks: readonly CheckResult[]) =>
    h`<table class="checks"><tbody>${joined(checks.map(row), NEWLINE)}</tbody></table>`;
  // What needs attention first (on a phone the one failure must not sit below twenty passes);
  // the checks that pass or were skipped are folded.
  const own = r.checks.filter((c) => !followOns.has(c.id));
  const attention = own.filter((c) => c.status === "fail" || c.status === "warn");
  const quiet = own.filter((c) => c.status !== "fail" && c.status !== "warn");
  const passing =
    quiet.length === 0
      ? ""
      : attention.length === 0
        ? table(quiet)
        : h`<details class="passing"><summary>${quiet.length === 1 ? "The check that passes" : `The ${quiet.length} checks that pass`}</summary>${table(quiet)}</details>`;
  const folded = r.checks.filter((c) => followOns.has(c.id));
  const lead = (c: Cause) => h`<strong>${richHtml(c.diagnosis)}:</strong> ${richHtml(c.fix)}.`;
  const diagnosis =
    causes.length === 1
      ? h`<p class="diagnosis">${lead(causes[0] as Cause)}</p>`
      : causes.length > 1
        ? h`<ol class="diagnosis">${causes.map((c) => h`<li>${lead(c)}</li>`)}</ol>`
        : "";
  return h`<section id="${r.name}">
<h2>${r.name} ${badge(r.verdict)}</h2>
<p class="muted"><code>${r.repo}</code> branch <code>${r.branch}</code> at <code>${(r.resolvedSha ?? r.sha).slice(0, 12)}</code>${r.base ? h`, cut from <code>${r.base}</code>${r.mergeBase ? h` at <code>${r.mergeBase.slice(0, 12)}</code>` : ""}` : ""}${r.expect ? h`; in CI: ${r.expect}` : ""}</p>
${r.error ? h`<p class="error">Could not check: ${r.error}</p>` : ""}
${outcome ? h`<p class="outcome">In the recipe CI: ${outcomeHtml(outcome)}</p>` : ""}
${diagnosis}
${attention.length > 0 ? table(attention) : ""}
${passing}
${
  folded.length > 0
    ? h`<details class="follow-ons"><summary>What the ${folded.length === 1 ? "follow-on check says" : `${folded.length} follow-on checks say`}</summary>${table(folded)}</details>`
    : ""
}
${renderDeployment(r)}
${renderFiles(r.files)}
</section>`;
}

/** What the fixture changes in what abra deploys, one line a change. */
function renderDeployment(r: FixtureResult): Html | "" {
  if (!r.deployment) return "";
  const heading = h`<p class="muted">${deploymentHeading(r.deployment)}</p>`;
  if (r.deployment.changes.length === 0) return heading;
  return h`${heading}<pre class="deployment">${deploymentLines(r.deployment).join("\n")}</pre>`;
}

/** A failing check's details: refused lines as code (indentation kept), the rest as text. */
function renderDetails(c: CheckResult): Html | "" {
  if (c.status !== "fail" && c.status !== "warn") return "";
  const { files, other } = detailLines(c);
  const code = files.map(
    (f) =>
      h`<pre class="lines">${files.length > 1 ? h`<span class="muted">${f.path}</span>${NEWLINE}` : ""}${joined(
        f.lines.map((l) => h`<span class="${l.startsWith("+") ? "add" : "del"}">${l}</span>`),
        NEWLINE,
      )}</pre>`,
  );
  const text = other.length > 0 ? h`<br><span class="muted">${joined(other, h`<br>`)}</span>` : "";
  return h`${code}${text}`;
}

/** Rich text as HTML: words escaped, code in <code>. */
function richHtml(text: Rich): Html {
  return h`${text.map((part) => (typeof part === "string" ? h`${part}` : h`<code>${part.code}</code>`))}`;
}

function renderFiles(files: readonly FileReport[]): Html | "" {
  if (files.length === 0) return "";
  const list = files.map(
    (f) =>
      h`<li><code>${f.oldPath && f.oldPath !== f.path ? `${showName(f.oldPath)} → ${showName(f.path)}` : showName(f.path)}</code> ${f.status} ${f.binary ? "(binary)" : h`<span class="pass">+${f.added}</span> <span class="fail">−${f.removed}</span>`}</li>`,
  );
  const diffs = files
    .filter((f) => f.hunks && f.hunks.length > 0)
    .map((f) => {
      const lines = (f.hunks ?? []).flatMap((hunk) => [
        h`<span class="muted">${hunkHeader(hunk)}</span>`,
        ...hunk.lines.map((l) => {
          const cls = l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : "";
          return cls ? h`<span class="${cls}">${l}</span>` : h`${l}`;
        }),
      ]);
      return h`<h3><code>${showName(f.path)}</code></h3><pre>${joined(lines, NEWLINE)}</pre>`;
    });
  return h`<h3>Changed files</h3><ul>${joined(list, NEWLINE)}</ul>${joined(diffs, NEWLINE)}`;
}

/** A 404 page in the dashboard's style: what was not found, why that may be, and a way back. */
export function renderNotFound(what: string): string {
  return page(
    "Not found · fixture-bot",
    h`<p><a href="/">← all fixtures</a></p>
<h1>Not found <span class="badge skip">404</span></h1>
<p>${what}</p>
<p class="muted">The address may be mistyped, or what it named is gone: runs are kept for 90 days.</p>`,
  );
}
