/**
 * What the bot publishes for a hostile change (issue 8, items 6 and 7): a token and URL
 * credentials committed in a changed line, a file named like a web address, a URL in `expect`.
 * After the one redaction step, the PR comment and the run page show neither the secrets nor a
 * link or mention made from repository text.
 */
import { describe, expect, it } from "vitest";
import { renderComment } from "../../src/render/render-comment.ts";
import { renderRunPage } from "../../src/render/render-html.ts";
import { createRedactor, createSanitizer } from "../../src/shared/redact.ts";
import { type FixtureResult, type RunReport, sanitizeResult } from "../../src/shared/result.ts";
import { leaves, linkifiable } from "./gitea-markdown.ts";

const TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
const SECRETS = [TOKEN, "hunter2-hunter2", "deploy:"];
const FILE = "www.evil.example/index.html";

const raw: FixtureResult = {
  name: "bad-backup",
  repo: "recipe-maintainers/custom-html",
  branch: "regression-bad-backup",
  sha: "a".repeat(40),
  base: "main",
  expect: "red at backup, see https://evil.example/ci",
  resolvedSha: "a".repeat(40),
  mergeBase: "b".repeat(40),
  verdict: "fail",
  error: null,
  checks: [
    {
      id: "paths",
      status: "fail",
      message: `1 path outside the targeted change (allowed: compose.yml): ${FILE} (added, +2 -0) is outside the targeted change`,
    },
    {
      id: "lines",
      status: "fail",
      message: "compose.yml: 2 of 2 changed lines match no pattern in change[0].lines",
      details: [
        "compose.yml: added:       - GITEA_URL=https://deploy:hunter2-hunter2@git.example.org",
        `compose.yml: added:       - GITEA_TOKEN=${TOKEN}`,
      ],
    },
  ],
  files: [
    {
      path: "compose.yml",
      oldPath: null,
      status: "modified",
      added: 2,
      removed: 0,
      binary: false,
      hunks: [
        {
          oldStart: 5,
          oldLines: 1,
          newStart: 5,
          newLines: 3,
          lines: [
            "     environment:",
            "+      - GITEA_URL=https://deploy:hunter2-hunter2@git.example.org",
            `+      - GITEA_TOKEN=${TOKEN}`,
          ],
        },
      ],
    },
    {
      path: FILE,
      oldPath: null,
      status: "added",
      added: 1,
      removed: 0,
      binary: false,
      hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 1, lines: ["+<p>hi</p>"] }],
    },
  ],
};

const result = sanitizeResult(raw, createSanitizer(createRedactor([TOKEN]), "/data"));
const report: RunReport = {
  kind: "pull",
  repo: raw.repo,
  sha: "c".repeat(40),
  number: 7,
  trigger: "opened",
  results: [result],
  manifestErrors: [],
  pins: [],
  unknownNames: [],
};

describe("a change with secrets and web addresses in it", () => {
  it("gives a PR comment with no secret, and no link or mention from repository text", () => {
    const body = renderComment(report);
    for (const secret of SECRETS) expect(body).not.toContain(secret);
    // The diff is still readable: the line keeps its place, its indentation and its key.
    expect(body).toContain("\n+      - GITEA_URL=https://***@git.example.org\n");
    expect(body).toContain("\n+      - GITEA_TOKEN=***\n");
    const parsed = leaves(body);
    expect(parsed.filter((l) => l.type === "link" || l.type === "image")).toEqual([]);
    // The only HTML is the bot's own (the collapsed diff and the footer).
    for (const l of parsed.filter((l) => l.type.startsWith("html")))
      expect(l.literal).toMatch(/^(<!-- fixture-bot:report -->|<\/?(details|summary|sub|code)>)/);
    // Gitea linkifies text, not code; repository text in either must not be linkifiable (the
    // bot's own "head of #7" is the one link it means).
    for (const l of parsed.filter((l) => l.type === "text" || l.type === "code")) {
      const text = l.literal.replace(" (head of #7)", "");
      expect(linkifiable(text), text).toBe(false);
    }
  });

  it("gives a run page with no secret and no link to the address", () => {
    const page = renderRunPage(
      {
        id: 1,
        repo: raw.repo,
        sha: report.sha,
        number: 7,
        trigger: "opened",
        state: "failure",
        createdAt: new Date(0).toISOString(),
        report,
      },
      { giteaUrl: "https://git.example.org", now: new Date(0) },
    );
    for (const secret of SECRETS) expect(page).not.toContain(secret);
    expect(page).toContain("+      - GITEA_TOKEN=***");
    expect(page).toContain(FILE);
    for (const link of page.match(/<a [^>]*>/g) ?? []) expect(link).not.toContain("evil");
  });
});
