/**
 * The dashboard and run pages: server-rendered HTML, no JavaScript, no external assets, readable
 * on a phone. Pure: data in, a string out; every value is escaped. Links between pages are
 * relative, so the bot can live under a path prefix of PUBLIC_URL.
 */
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

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const e = escapeHtml;

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

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

function badge(value: string, label = value): string {
  return `<span class="badge ${e(value)}">${e(label)}</span>`;
}

function ago(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  const text =
    seconds < 90
      ? `${seconds} s ago`
      : seconds < 5400
        ? `${Math.round(seconds / 60)} min ago`
        : seconds < 172800
          ? `${Math.round(seconds / 3600)} h ago`
          : `${Math.round(seconds / 86400)} days ago`;
  return `<time datetime="${e(iso)}" title="${e(iso)}">${text}</time>`;
}

export function renderDashboard(data: DashboardData): string {
  const counts = { pass: 0, fail: 0, error: 0, unknown: 0 };
  for (const f of data.fixtures) counts[f.latest?.verdict ?? "unknown"] += 1;
  const rows = data.fixtures
    .map((f) => {
      const v = f.latest;
      const verdict = v ? badge(v.verdict) : badge("skip", "not yet verified");
      const failing =
        v && v.failing.length > 0 ? v.failing.map((c) => `<code>${e(c)}</code>`).join(", ") : "";
      // A pass can warn (the branch moved past its pin): said here as the CLI says it.
      const warned =
        v && (v.warnings ?? []).length > 0
          ? `<br><span class="warn">! ${(v.warnings ?? []).map((c) => `<code>${e(c)}</code>`).join(", ")}</span>`
          : "";
      const when = v
        ? `<a href="runs/${v.runId}#${e(f.name)}">${ago(v.createdAt, data.now)}</a>`
        : "";
      return `<tr><td><strong>${e(f.name)}</strong>${f.expect ? `<br><span class="muted">CI: ${e(f.expect)}</span>` : ""}</td>
<td><a href="${e(`${data.giteaUrl}/${f.repo}/src/branch/${f.branch.split("/").map(encodeURIComponent).join("/")}`)}">${e(f.repo)}</a><br><code>${e(f.branch)}</code></td>
<td data-label="pin"><code class="nowrap">${e(f.sha.slice(0, 12))}</code></td><td>${verdict}${failing ? `<br>${failing}` : ""}${warned}</td><td data-label="in the recipe CI">${f.outcome ? outcomeHtml(f.outcome, data.now, f.outcome.checkedAt) : '<span class="muted">not read</span>'}</td><td data-label="last verified">${when}</td></tr>`;
    })
    .join("\n");
  const runs = data.recent
    .map(
      (r) =>
        `<li><a href="runs/${r.id}">run ${r.id}</a> ${badge(r.state)} ${runSubject(r, data.giteaUrl)} <span class="muted">${e(r.trigger)}, ${ago(r.createdAt, data.now)}</span></li>`,
    )
    .join("\n");
  return page(
    "fixture-bot",
    `<h1>fixture-bot</h1>
<p class="muted">${data.fixtures.length} fixtures from <code>${e(data.manifestSource)}</code>: ${counts.pass} pass, ${counts.fail} fail, ${counts.error} could not be checked${counts.unknown ? `, ${counts.unknown} not yet verified` : ""}.${data.dryRun ? " <strong>Dry run</strong>: nothing is posted to Gitea." : ""}</p>
<table class="fixtures" id="outcomes"><thead><tr><th>fixture</th><th>repository</th><th>pin</th><th>fixture check</th><th>in the recipe CI</th><th>last verified</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Recent runs</h2>
${runs ? `<ul>${runs}</ul>` : '<p class="muted">No runs yet.</p>'}`,
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
function outcomeHtml(o: CanaryOutcome, now?: Date, checkedAt?: string): string {
  return `${badge(OUTCOME_CLASS[o.outcome], o.outcome)} <code class="tiers">${e(observedLine(o.observed))}</code><br>${e(o.message)}${
    o.gap ? `<br><strong class="warn">${e(o.gap)}</strong>` : ""
  }${now && checkedAt ? ` <span class="muted">(${ago(checkedAt, now)})</span>` : ""}`;
}

/** What a run verified: its fixtures, and the pull request (linked) or commit it was for. */
function runSubject(r: DashboardRun, giteaUrl: string): string {
  const names = r.fixtures ?? [];
  const fixtures =
    names.length === 0
      ? "no fixture"
      : names.length <= 3
        ? names.map((n) => `<code>${e(n)}</code>`).join(", ")
        : `${names
            .slice(0, 3)
            .map((n) => `<code>${e(n)}</code>`)
            .join(", ")} and ${names.length - 3} more`;
  const where =
    r.repo === "*"
      ? "every pin"
      : r.number !== null
        ? `<a href="${e(`${giteaUrl}/${r.repo}/pulls/${r.number}`)}">${e(r.repo)} #${r.number}</a>`
        : `<code>${e(r.repo)}</code> <code>${e(r.sha.slice(0, 12))}</code>`;
  return `${fixtures} <span class="muted">in</span> ${where}`;
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
      ? `<a href="${e(`${options.giteaUrl}/${run.repo}/pulls/${run.number}`)}">${e(run.repo)} #${run.number}</a>`
      : e(run.repo === "*" ? "every fixture" : run.repo);
  const parts = [
    `<p><a href="../">← all fixtures</a></p>`,
    `<h1>Run ${run.id} ${badge(run.state)}</h1>`,
    `<p class="muted">${where}${run.sha ? `, commit <code>${e(run.sha.slice(0, 12))}</code>` : ""}, ${e(run.trigger)}, ${ago(run.createdAt, options.now)}</p>`,
  ];
  if (report.manifestErrors.length > 0) {
    parts.push(
      `<h2 class="fail">The manifest does not load</h2><pre>${e(report.manifestErrors.join("\n"))}</pre>`,
    );
  }
  for (const r of report.results) {
    const o = options.outcomes?.get(r.name);
    const sameCommit = o && (o.sha === r.sha || (r.resolvedSha ?? "").startsWith(o.sha));
    parts.push(renderFixtureSection(r, sameCommit ? o : null));
  }
  if (report.results.length === 0 && report.manifestErrors.length === 0)
    parts.push("<p>No fixture was verified.</p>");
  return page(`fixture-bot run ${run.id}`, parts.join("\n"));
}

function renderFixtureSection(r: FixtureResult, outcome: CanaryOutcome | null): string {
  const causes = diagnose(r);
  const followOns = new Set(causes.flatMap((c) => c.followOns));
  const row = (c: CheckResult) => {
    const cause = causes.find((k) => k.primary === c.id);
    const also =
      cause && cause.followOns.length > 0
        ? `<br><span class="muted">also failing because of this: ${cause.followOns.map((id) => `<code>${e(id)}</code>`).join(", ")}</span>`
        : "";
    return `<tr><td class="${c.status}">${CHECK_MARK[c.status]}&nbsp;<code>${e(c.id)}</code></td><td>${e(c.message)}${also}${renderDetails(c)}</td></tr>`;
  };
  // What needs attention first (on a phone the one failure must not sit below twenty passes);
  // the checks that pass or were skipped are folded.
  const own = r.checks.filter((c) => !followOns.has(c.id));
  const attention = own.filter((c) => c.status === "fail" || c.status === "warn");
  const quiet = own.filter((c) => c.status !== "fail" && c.status !== "warn");
  const checks = attention.map(row).join("\n");
  const passing =
    quiet.length === 0
      ? ""
      : attention.length === 0
        ? `<table class="checks"><tbody>${quiet.map(row).join("\n")}</tbody></table>`
        : `<details class="passing"><summary>${quiet.length === 1 ? "The check that passes" : `The ${quiet.length} checks that pass`}</summary><table class="checks"><tbody>${quiet.map(row).join("\n")}</tbody></table></details>`;
  const folded = r.checks.filter((c) => followOns.has(c.id));
  const lead = (c: Cause) => `<strong>${richHtml(c.diagnosis)}:</strong> ${richHtml(c.fix)}.`;
  const diagnosis =
    causes.length === 1
      ? `<p class="diagnosis">${lead(causes[0] as Cause)}</p>`
      : causes.length > 1
        ? `<ol class="diagnosis">${causes.map((c) => `<li>${lead(c)}</li>`).join("")}</ol>`
        : "";
  return `<section id="${e(r.name)}">
<h2>${e(r.name)} ${badge(r.verdict)}</h2>
<p class="muted"><code>${e(r.repo)}</code> branch <code>${e(r.branch)}</code> at <code>${e((r.resolvedSha ?? r.sha).slice(0, 12))}</code>${r.base ? `, cut from <code>${e(r.base)}</code>${r.mergeBase ? ` at <code>${e(r.mergeBase.slice(0, 12))}</code>` : ""}` : ""}${r.expect ? `; in CI: ${e(r.expect)}` : ""}</p>
${r.error ? `<p class="error">Could not check: ${e(r.error)}</p>` : ""}
${outcome ? `<p class="outcome">In the recipe CI: ${outcomeHtml(outcome)}</p>` : ""}
${diagnosis}
${checks ? `<table class="checks"><tbody>${checks}</tbody></table>` : ""}
${passing}
${
  folded.length > 0
    ? `<details class="follow-ons"><summary>What the ${folded.length === 1 ? "follow-on check says" : `${folded.length} follow-on checks say`}</summary><table class="checks"><tbody>${folded.map(row).join("\n")}</tbody></table></details>`
    : ""
}
${renderDeployment(r)}
${renderFiles(r.files)}
</section>`;
}

/** What the fixture changes in what abra deploys, one line a change. */
function renderDeployment(r: FixtureResult): string {
  if (!r.deployment) return "";
  const heading = `<p class="muted">${e(deploymentHeading(r.deployment))}</p>`;
  if (r.deployment.changes.length === 0) return heading;
  return `${heading}<pre class="deployment">${deploymentLines(r.deployment).map(e).join("\n")}</pre>`;
}

/** A failing check's details: refused lines as code (indentation kept), the rest as text. */
function renderDetails(c: CheckResult): string {
  if (c.status !== "fail" && c.status !== "warn") return "";
  const { files, other } = detailLines(c);
  const code = files.map(
    (f) =>
      `<pre class="lines">${files.length > 1 ? `<span class="muted">${e(f.path)}</span>\n` : ""}${f.lines
        .map((l) => `<span class="${l.startsWith("+") ? "add" : "del"}">${e(l)}</span>`)
        .join("\n")}</pre>`,
  );
  const text =
    other.length > 0 ? `<br><span class="muted">${other.map(e).join("<br>")}</span>` : "";
  return `${code.join("")}${text}`;
}

/** Rich text as HTML: words escaped, code in <code>. */
function richHtml(text: Rich): string {
  return text
    .map((part) => (typeof part === "string" ? e(part) : `<code>${e(part.code)}</code>`))
    .join("");
}

function renderFiles(files: readonly FileReport[]): string {
  if (files.length === 0) return "";
  const list = files
    .map(
      (f) =>
        `<li><code>${e(f.oldPath && f.oldPath !== f.path ? `${showName(f.oldPath)} → ${showName(f.path)}` : showName(f.path))}</code> ${e(f.status)} ${f.binary ? "(binary)" : `<span class="pass">+${f.added}</span> <span class="fail">−${f.removed}</span>`}</li>`,
    )
    .join("\n");
  const diffs = files
    .filter((f) => f.hunks && f.hunks.length > 0)
    .map((f) => {
      const lines = (f.hunks ?? []).flatMap((h) => [
        `<span class="muted">${e(hunkHeader(h))}</span>`,
        ...h.lines.map((l) => {
          const cls = l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : "";
          return cls ? `<span class="${cls}">${e(l)}</span>` : e(l);
        }),
      ]);
      return `<h3><code>${e(showName(f.path))}</code></h3><pre>${lines.join("\n")}</pre>`;
    })
    .join("\n");
  return `<h3>Changed files</h3><ul>${list}</ul>${diffs}`;
}

/** A 404 page in the dashboard's style: what was not found, why that may be, and a way back. */
export function renderNotFound(what: string): string {
  return page(
    "Not found · fixture-bot",
    `<p><a href="/">← all fixtures</a></p>
<h1>Not found <span class="badge skip">404</span></h1>
<p>${e(what)}</p>
<p class="muted">The address may be mistyped, or what it named is gone: runs are kept for 90 days.</p>`,
  );
}
