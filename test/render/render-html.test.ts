/** The dashboard and the run page say what the CLI says: warnings, what a run was for, failures first. */
import { describe, expect, it } from "vitest";
import { renderDashboard, renderRunPage } from "../../src/render/render-html.ts";
import type { FixtureResult, RunReport } from "../../src/shared/result.ts";

const NOW = new Date("2026-12-07T10:00:00Z");

describe("the dashboard", () => {
  const page = renderDashboard({
    fixtures: [
      {
        name: "bad-backup",
        repo: "o/r",
        branch: "regression-bad-backup",
        sha: "a".repeat(40),
        expect: null,
        latest: {
          runId: 7,
          verdict: "pass",
          failing: [],
          warnings: ["branch-tip"],
          createdAt: "2026-12-07T09:59:00Z",
        },
        outcome: null,
      },
    ],
    recent: [
      {
        id: 7,
        repo: "o/r",
        sha: "b".repeat(40),
        number: 12,
        trigger: "opened",
        state: "success",
        createdAt: "2026-12-07T09:59:00Z",
        fixtures: ["bad-backup"],
      },
      {
        id: 6,
        repo: "*",
        sha: "",
        number: null,
        trigger: "reconcile",
        state: "failure",
        createdAt: "2026-12-07T09:00:00Z",
        fixtures: ["a", "b", "c", "d", "e"],
      },
    ],
    now: NOW,
    giteaUrl: "https://git.example.org",
    dryRun: false,
    manifestSource: "fixtures.yaml",
  });

  it("shows a pass that warns with its warnings, as the CLI does", () => {
    expect(page).toContain(
      '<span class="badge pass">pass</span><br><span class="warn">! <code>branch-tip</code></span>',
    );
  });

  it("names what each recent run verified, and the pull request it was for", () => {
    expect(page).toContain(
      '<code>bad-backup</code> <span class="muted">in</span> <a href="https://git.example.org/o/r/pulls/12">o/r #12</a>',
    );
    expect(page).toContain(
      '<code>a</code>, <code>b</code>, <code>c</code> and 2 more <span class="muted">in</span> every pin',
    );
  });
});

describe("the run page", () => {
  const check = (id: string, status: "pass" | "fail" | "skip") =>
    ({ id, status, message: `${id} says ${status}` }) as FixtureResult["checks"][number];
  const result: FixtureResult = {
    name: "bad-backup",
    repo: "o/r",
    branch: "regression-bad-backup",
    sha: "a".repeat(40),
    base: "main",
    expect: null,
    resolvedSha: "a".repeat(40),
    mergeBase: "b".repeat(40),
    verdict: "fail",
    error: null,
    checks: [
      check("sha-exists", "pass"),
      check("sha-on-branch", "pass"),
      check("paths", "pass"),
      check("max-commits", "fail"),
      check("binary", "skip"),
    ],
    files: [],
  };
  const report: RunReport = {
    kind: "push",
    repo: "o/r",
    sha: "a".repeat(40),
    number: null,
    trigger: "push",
    results: [result],
    manifestErrors: [],
    pins: [],
    unknownNames: [],
  };
  const html = renderRunPage(
    {
      id: 3,
      repo: "o/r",
      sha: report.sha,
      number: null,
      trigger: "push",
      state: "failure",
      createdAt: NOW.toISOString(),
      report,
    },
    { giteaUrl: "https://git.example.org", now: NOW },
  );

  it("leads with the failure, and folds the checks that pass", () => {
    const failure = html.indexOf("max-commits says fail");
    const folded = html.indexOf(
      '<details class="passing"><summary>The 4 checks that pass</summary>',
    );
    expect(failure).toBeGreaterThan(-1);
    expect(folded).toBeGreaterThan(failure);
    for (const id of ["sha-exists", "sha-on-branch", "paths", "binary"])
      expect(html.indexOf(`${id} says`)).toBeGreaterThan(folded);
  });
});

describe("escaping, by default", () => {
  const evil = `<script>alert(1)</script>"' onmouseover="x`;
  it("no value from a repository, Gitea or the manifest reaches a page unescaped", () => {
    const page = renderDashboard({
      fixtures: [
        {
          name: evil,
          repo: evil,
          branch: evil,
          sha: evil,
          expect: evil,
          latest: { runId: 1, verdict: "fail", failing: [evil], warnings: [evil], createdAt: evil },
          outcome: {
            name: evil,
            repo: evil,
            sha: evil,
            expected: { tier: "backup", green: false },
            observed: {
              install: "pass",
              upgrade: "fail",
              backup: "not-run",
              restore: "not-run",
              custom: "not-run",
            },
            outcome: "wrong-tier",
            message: evil,
            advice: evil,
            gap: evil,
            source: evil,
            error: null,
            checkedAt: evil,
          },
        },
      ],
      recent: [
        {
          id: 1,
          repo: evil,
          sha: evil,
          number: 2,
          trigger: evil,
          state: "failure",
          createdAt: evil,
          fixtures: [evil],
        },
      ],
      now: NOW,
      giteaUrl: evil,
      dryRun: false,
      manifestSource: evil,
    });
    expect(page).not.toContain("<script>");
    expect(page).not.toContain('" onmouseover="');
    expect(page.split("&lt;script&gt;").length).toBeGreaterThan(10);
  });
});
