/** A wrong-tier or no-op failure says what to do in one line, before its details, everywhere. */
import { describe, expect, it } from "vitest";
import { renderComment } from "../../src/render/render-comment.ts";
import { renderRunPage } from "../../src/render/render-html.ts";
import { renderText } from "../../src/render/render-text.ts";
import type { FixtureResult, RunReport } from "../../src/shared/result.ts";

const FIX =
  "Restore everything an earlier tier reads from main: a backup canary changes only backupbot.backup* labels of services (list or map form).";
const result: FixtureResult = {
  name: "bad-backup",
  repo: "recipe-maintainers/custom-html",
  branch: "regression-bad-backup",
  sha: "a".repeat(40),
  base: "main",
  expect: "red at backup",
  tier: "backup",
  resolvedSha: "a".repeat(40),
  mergeBase: "b".repeat(40),
  verdict: "fail",
  error: null,
  checks: [
    {
      id: "earlier-tiers",
      status: "fail",
      message:
        "compose.yml: services.app.image changed (nginx:1.27 -> nginx:1.27.99): install would go red before backup",
      details: ["a detail line"],
      fix: FIX,
      causes: [
        {
          kind: "earlier-tier",
          keyPath: ["services", "app", "image"],
          before: "nginx:1.27",
          after: "nginx:1.27.99",
          tier: "install",
          files: ["compose.yml"],
        },
      ],
    },
  ],
  files: [],
};
const report: RunReport = {
  kind: "pull",
  repo: result.repo,
  sha: "a".repeat(40),
  number: 3,
  trigger: "opened",
  results: [result],
  manifestErrors: [],
  pins: [],
  unknownNames: [],
};

describe("the fix line", () => {
  it.each([
    // The CLI too, from the same diagnosis: a cause line, then the fix line.
    [
      "the CLI",
      () => renderText([result], { color: false }),
      "  fix:   restore everything an earlier tier reads from main: a backup canary changes only backupbot.backup* labels of services (list or map form)",
    ],
    // The comment and the run page lead with the cause and its fix: the check's own fix line.
    [
      "the PR comment",
      () => renderComment(report),
      "**this backup canary also changes what install reads, so install would go red first:** restore everything an earlier tier reads from main: a backup canary changes only backupbot.backup\\* labels of services (list or map form).",
    ],
    [
      "the run page",
      () =>
        renderRunPage(
          {
            id: 1,
            repo: result.repo,
            sha: report.sha,
            number: 3,
            trigger: "opened",
            state: "failure",
            createdAt: new Date(0).toISOString(),
            report,
          },
          { giteaUrl: "https://git.example.org", now: new Date(0) },
        ),
      "<strong>this backup canary also changes what install reads, so install would go red first:</strong> restore everything an earlier tier reads from main: a backup canary changes only backupbot.backup* labels of services (list or map form).",
    ],
  ])("is in %s, before the details", (_, render, line) => {
    const out = render();
    expect(out).toContain(line);
    expect(out.indexOf(line)).toBeLessThan(out.indexOf("a detail line"));
  });
});
