/** The PR comment and the commit status, from real verifications, as a maintainer reads them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeMarkdown } from "../../src/render/markdown.ts";
import { REPORT_MARKER, renderComment } from "../../src/render/render-comment.ts";
import { MAX_DESCRIPTION, renderStatus } from "../../src/render/render-status.ts";
import type { FixtureResult, RunReport } from "../../src/shared/result.ts";
import {
  applyPatch,
  createTestEnv,
  fixture,
  fixtureBranch,
  recipeRepo,
  rule,
  type TestEnv,
} from "../helpers/recipes.ts";
import { leaves } from "./gitea-markdown.ts";

const HTML = "recipe-maintainers/custom-html";
let env: TestEnv;
let good: FixtureResult;
let emptied: FixtureResult;

const normalise = (text: string) =>
  text.replace(/\b[0-9a-f]{40}\b/g, "<sha>").replace(/\b[0-9a-f]{12}\b/g, "<short>");

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-render-");
  const repo = await recipeRepo(env.root, "custom-html", HTML);
  const rules = [
    rule("compose.yml", {
      lines: ["backupbot\\.backup"],
      keys: ["services.app.deploy.labels"],
      maxLines: 2,
    }),
  ];
  const goodSha = await fixtureBranch(
    repo,
    "regression-bad-backup",
    applyPatch("custom-html/bad-backup.patch"),
  );
  const emptiedSha = await fixtureBranch(
    repo,
    "regression-bad-restore",
    applyPatch("broken/custom-html--emptied-compose.patch"),
  );
  [good, emptied] = (await env.verify([
    fixture({
      name: "bad-backup",
      repo: HTML,
      branch: "regression-bad-backup",
      sha: goodSha,
      base: "main",
      expect: "red at backup",
      change: rules,
    }),
    fixture({
      name: "bad-restore",
      repo: HTML,
      branch: "regression-bad-restore",
      sha: emptiedSha,
      base: "main",
      expect: "red at restore",
      change: rules,
    }),
  ])) as [FixtureResult, FixtureResult];
});

afterAll(async () => {
  await env?.cleanup();
});

const report = (results: FixtureResult[], extra: Partial<RunReport> = {}): RunReport => ({
  kind: "pull",
  repo: HTML,
  sha: results[0]?.resolvedSha ?? "f".repeat(40),
  number: 7,
  trigger: "synchronized",
  results,
  manifestErrors: [],
  pins: [],
  unknownNames: [],
  ...extra,
});

describe("renderComment", () => {
  it("reports the incident fixture: verdict, failing checks, files, collapsed diff", () => {
    const body = renderComment(
      report([emptied], {
        pins: [
          { name: "bad-restore", pinned: "5a481cc1f6b2a462", head: emptied.resolvedSha as string },
        ],
      }),
      {
        detailsUrl: "https://fixture-bot.example.org/runs/12",
        maxDiffLinesPerFile: 8,
      },
    );
    expect(body.startsWith(REPORT_MARKER)).toBe(true);
    expect(normalise(body)).toMatchInlineSnapshot(`
      "<!-- fixture-bot:report -->
      ### fixture-bot: ❌ 1 of 1 fixture fails

      Verified \`<short>\` (head of #7) after new commits were pushed · [details](https://fixture-bot.example.org/runs/12)

      #### ❌ \`bad-restore\`: fail

      \`recipe-maintainers/custom-html\` branch \`regression-bad-restore\` at \`<short>\` · base \`main\` (merge-base \`<short>\`) · in CI this canary should be: red at restore

      **compose.yml was emptied:** restore it from \`main\` (\`git checkout <short> -- compose.yml\`), then change only \`services.app.deploy.labels\`.

      - ❌ **\`not-emptied\`** compose.yml was emptied (48 lines at the merge-base, none now)
        - also failing because of this: \`yaml-valid\`, \`compose-valid\`, \`lines\`, \`keys\`, \`max-lines\`

      <details>
      <summary>What the 5 follow-on checks say</summary>

      - ❌ **\`yaml-valid\`** compose.yml is an empty YAML document (it parses to null)
      - ❌ **\`compose-valid\`** compose.yml is empty (it parses to null), so there is nothing to deploy
      - ❌ **\`lines\`** compose.yml: 47 of 48 changed lines match no pattern in change\\[0\\].lines

        \`\`\`diff
        ----
        -version: "3.8"
        -
        -services:
        -  app:
        -    image: nginx:1.27
        -    networks:
        -      - proxy
        -    environment:
        -      - DOMAIN
        \`\`\`

        - ... and 37 more
      - ❌ **\`keys\`** compose.yml: the whole document was replaced (it is no longer a mapping); only services.app.deploy.labels may change
      - ❌ **\`max-lines\`** compose.yml: 48 lines changed (+0 -48); at most 2 allowed

      </details>

      <sub>Passed: \`sha-exists\`, \`sha-on-branch\`, \`branch-tip\`, \`base-exists\`, \`change-present\`, \`paths\`, \`whitespace-churn\`, \`mode\`, \`binary\`</sub>

      📌 The manifest pins \`5a481cc1f6b2a462\`, not this head. CI runs the pinned commit. Once this head passes, pin it with this line (or run \`fixture-bot pin bad-restore\`):

      \`\`\`yaml
      sha: <sha>
      \`\`\`

      | changed file | status | + | − |
      | --- | --- | ---: | ---: |
      | \`compose.yml\` | modified | 0 | 48 |

      <details>
      <summary>Diff from the merge-base (8 lines, truncated)</summary>

      \`\`\`diff
      --- a/compose.yml
      +++ b/compose.yml
      @@ -1,48 +0,0 @@
      ----
      -version: "3.8"
      -
      -services:
      -  app:
      -    image: nginx:1.27
      -    networks:
      ... 41 more lines in compose.yml
      \`\`\`

      </details>

      <sub>Re-run with a comment that starts with <code>/verify</code> (optionally followed by fixture names).</sub>"
    `);
  });

  it("shows the refused lines as code: Gitea keeps their indentation", () => {
    // (No diff from the merge-base, which is a code block of its own.)
    const body = renderComment(report([emptied]), { maxDiffLines: 0 });
    const blocks = leaves(body).filter((l) => l.type === "code_block");
    expect(blocks.map((b) => b.literal)).toEqual([
      expect.stringContaining("\n-services:\n-  app:\n-    image: nginx:1.27\n"),
    ]);
    expect(body).not.toContain("removed:");
  });

  it("tells a passing head the manifest does not pin why to re-pin, and the sha: line to write", () => {
    const head = good.resolvedSha as string;
    const body = renderComment(
      report([good], {
        pins: [{ name: "bad-backup", pinned: "5a481cc1f6b2", head, pinnedOnBranch: false }],
      }),
    );
    expect(body).toContain(
      "📌 The manifest pins `5a481cc1f6b2`, not this head. `5a481cc1f6b2` is no longer on `regression-bad-backup`: the branch was force-pushed or rebased, so CI runs a commit the branch has lost. This head passes: pin it with this line (or run `fixture-bot pin bad-backup`):",
    );
    const blocks = leaves(body).filter((l) => l.type === "code_block");
    expect(blocks.map((b) => b.literal)).toContain(`sha: ${head}\n`);
    expect(
      renderComment(report([good], { pins: [{ name: "bad-backup", pinned: head, head }] })),
    ).toContain("📌 The manifest already pins this head.");
  });

  it("summarises several fixtures in a table, and says when all pass", () => {
    const body = renderComment(report([good, emptied]));
    expect(body).toContain("### fixture-bot: ❌ 1 of 2 fixtures fail");
    expect(body).toContain("| `bad-backup` | ✅ pass | none |");
    expect(body).toContain(
      "| `bad-restore` | ❌ fail | `not-emptied`, `yaml-valid`, `compose-valid`, `lines`, `keys`, `max-lines` |",
    );
    expect(renderComment(report([good]))).toContain("### fixture-bot: ✅ the fixture passes");
  });

  it("shows a broken manifest with its line numbers", () => {
    const body = renderComment(
      report([], {
        manifestErrors: [
          'fixtures.yaml:14:11 fixture "bad-backup": sha "e1e3" must be 7 to 40 hex characters',
        ],
      }),
    );
    expect(body).toContain("#### ❌ The manifest does not load");
    expect(body).toContain(
      'fixtures.yaml:14:11 fixture "bad-backup": sha "e1e3" must be 7 to 40 hex characters',
    );
  });

  it("caps the diff for the whole comment and says it was truncated", () => {
    const body = renderComment(report([emptied, emptied]), {
      maxDiffLines: 10,
      maxDiffLinesPerFile: 10,
    });
    // One collapsed diff (the budget is spent on the first fixture); each fixture folds its
    // follow-on checks in a <details> of its own.
    expect(body.match(/<summary>Diff from the merge-base/g)).toHaveLength(1);
    expect(body.match(/<summary>What the 5 follow-on checks say/g)).toHaveLength(2);
    expect(body).toContain("(10 lines, truncated)");
  });

  it("escapes what comes from a repository: no HTML, no links, no @mentions, no breaking out of code", () => {
    expect(escapeMarkdown("<img src=x onerror=alert(1)> [x](http://evil) @admin `code` | a")).toBe(
      "&lt;img src=x onerror=alert(1)&gt; \\[x\\](http://\u200devil) @\u200badmin \\`code\\` \\| a",
    );
    const hostile: FixtureResult = {
      ...emptied,
      files: [
        {
          path: "a`b|<c>.yml",
          oldPath: null,
          status: "added",
          added: 1,
          removed: 0,
          binary: false,
          hunks: [
            { oldStart: 0, oldLines: 0, newStart: 1, newLines: 1, lines: ["+```", "+</details>"] },
          ],
        },
      ],
    };
    const body = renderComment(report([hostile]));
    // The name as it is (a longer fence, not a look-alike backtick); `|` would end the table cell.
    expect(body).toContain("| ``a`b¦<c>.yml`` | added | 1 | 0 |");
    expect(body).toContain("````diff"); // a fence longer than any backtick run inside
  });
});

describe("renderStatus", () => {
  it("names the failing checks, under 140 characters", () => {
    expect(renderStatus(report([emptied]))).toEqual({
      state: "failure",
      description: "failed: bad-restore (not-emptied, yaml-valid, compose-valid +3)",
    });
    expect(renderStatus(report([good, emptied])).description).toBe(
      "1 of 2 fail: bad-restore (not-emptied, yaml-valid, compose-valid +3)",
    );
    expect(renderStatus(report([good]))).toEqual({
      state: "success",
      description: "bad-backup passes",
    });
    const many = Array.from({ length: 20 }, (_, i) => ({ ...emptied, name: `fixture-${i}` }));
    expect(renderStatus(report(many)).description.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
  });

  it("is error when a fixture could not be checked, failure when the manifest is broken", () => {
    const errored: FixtureResult = {
      ...good,
      verdict: "error",
      checks: [],
      error: "git fetch timed out",
    };
    expect(renderStatus(report([errored]))).toEqual({
      state: "error",
      description: "could not check bad-backup",
    });
    expect(renderStatus(report([], { manifestErrors: ["x"] }))).toEqual({
      state: "failure",
      description: "manifest does not load: 1 problem",
    });
  });
});
