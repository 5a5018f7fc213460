/**
 * A file name with a line break, or a key with a look-alike letter, must not pass for
 * `compose.yml` or `image` in any report a person reads (issue 7, item 8). JSON keeps raw values.
 */
import { describe, expect, it } from "vitest";
import { renderComment } from "../../src/render/render-comment.ts";
import { renderRunPage } from "../../src/render/render-html.ts";
import { renderJson } from "../../src/render/render-json.ts";
import { renderText } from "../../src/render/render-text.ts";
import type { FixtureResult, RunReport } from "../../src/shared/result.ts";
import { leaves, linkifiable } from "./gitea-markdown.ts";

const RAW = "notes\ncompose.yml";
const SHOWN = "notes\\ncompose.yml";
const result: FixtureResult = {
  name: "bad-backup",
  repo: "recipe-maintainers/custom-html",
  branch: "regression-bad-backup",
  sha: "a".repeat(40),
  base: "main",
  expect: null,
  resolvedSha: "a".repeat(40),
  mergeBase: "b".repeat(40),
  verdict: "fail",
  error: null,
  // The engine writes messages with names already escaped (see test/engine/checks.test.ts).
  checks: [
    {
      id: "paths",
      status: "fail",
      message: `1 path outside the targeted change (allowed: compose.yml): ${SHOWN} (added, +1 -0) is outside the targeted change`,
    },
  ],
  files: [
    {
      path: RAW,
      oldPath: null,
      status: "added",
      added: 1,
      removed: 0,
      binary: false,
      hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 1, lines: ["+hi"] }],
    },
  ],
};
const report: RunReport = {
  kind: "pull",
  repo: result.repo,
  sha: result.resolvedSha as string,
  number: 7,
  trigger: "opened",
  results: [result],
  manifestErrors: [],
  pins: [],
  unknownNames: [],
};

describe("names are escaped in every human report", () => {
  it.each([
    ["the CLI", () => renderText([result], { color: false })],
    ["the PR comment", () => renderComment(report)],
    [
      "the run page",
      () =>
        renderRunPage(
          {
            id: 1,
            repo: result.repo,
            sha: report.sha,
            number: 7,
            trigger: "opened",
            state: "failure",
            createdAt: new Date(0).toISOString(),
            report,
          },
          { giteaUrl: "https://git.example.org", now: new Date(0) },
        ),
    ],
  ])("%s shows the line break as \\n, never as a new line", (_, render) => {
    const out = render();
    expect(out).not.toContain(RAW);
    expect(out).not.toMatch(/^compose\.yml/m);
    expect(out).toContain(SHOWN);
  });

  it("JSON keeps the raw name", () => {
    const parsed = JSON.parse(renderJson([result]));
    expect(parsed.fixtures[0].changes[0].path).toBe(RAW);
  });
});

describe("the diagnosis is repository text too", () => {
  // A file named to be HTML, a mention and a link, emptied: its name reaches the lead line, the
  // fix and the command to run.
  const NAME = "<img src=x onerror=alert(1)>@admin www.evil.example.yml";
  const hostile: FixtureResult = {
    ...result,
    checks: [
      {
        id: "not-emptied",
        status: "fail",
        message: `${NAME} was emptied (3 lines at the merge-base, none now)`,
        causes: [{ kind: "emptied", path: NAME, files: [NAME] }],
      },
    ],
    files: [],
  };
  const hostileReport: RunReport = { ...report, results: [hostile] };

  it("cannot become HTML, a link or a mention in the PR comment", () => {
    const body = renderComment(hostileReport);
    expect(body).toContain("was emptied:**");
    const parsed = leaves(body);
    expect(parsed.filter((l) => l.type === "link" || l.type === "image")).toEqual([]);
    for (const l of parsed.filter((l) => l.type.startsWith("html")))
      expect(l.literal).toMatch(/^(<!-- fixture-bot:report -->|<\/?(details|summary|sub|code)>)/);
    for (const l of parsed.filter((l) => l.type === "text" || l.type === "code"))
      expect(linkifiable(l.literal.replace(" (head of #7)", "")), l.literal).toBe(false);
  });

  it("is escaped on the run page", () => {
    const page = renderRunPage(
      {
        id: 1,
        repo: result.repo,
        sha: report.sha,
        number: 7,
        trigger: "opened",
        state: "failure",
        createdAt: new Date(0).toISOString(),
        report: hostileReport,
      },
      { giteaUrl: "https://git.example.org", now: new Date(0) },
    );
    expect(page).toContain('<p class="diagnosis"><strong>&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain("<img");
  });
});
