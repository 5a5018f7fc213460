/**
 * "What this fixture changes in what abra deploys": one line a change, in the PR comment, on the
 * run page and in `verify --verbose`, from the engine's result; and the secret rule holds for it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  deploymentHeading,
  deploymentLine,
  deploymentLines,
} from "../../src/render/deployment-lines.ts";
import { renderComment } from "../../src/render/render-comment.ts";
import { renderRunPage } from "../../src/render/render-html.ts";
import { renderText } from "../../src/render/render-text.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import {
  type DeploymentChangeReport,
  type FixtureResult,
  type RunReport,
  sanitizeResult,
} from "../../src/shared/result.ts";
import { RECIPES } from "../helpers/recipes.ts";
import { resultOf, treeOfDir } from "../helpers/trees.ts";

const HTML = treeOfDir(join(RECIPES, "custom-html"));
const COMPOSE = readFileSync(join(RECIPES, "custom-html/compose.yml"), "utf8");
const LABEL = '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n';
const CANARY = COMPOSE.replace(
  LABEL,
  `${LABEL}        - "backupbot.backup.volumes.content.path=public_html"\n`,
);
const LINE =
  "services.app deploy label backupbot.backup.volumes.content.path: absent -> public_html  (read first by: backup)";

const change = (extra: Partial<DeploymentChangeReport>): DeploymentChangeReport => ({
  what: "services.app.image",
  before: "nginx:1.27",
  after: "nginx:1.27.99",
  kind: "value",
  readBy: "install",
  why: "it is what each task runs",
  ...extra,
});

describe("deploymentLine", () => {
  it.each<[Partial<DeploymentChangeReport>, string]>([
    [{}, "services.app.image: nginx:1.27 -> nginx:1.27.99  (read first by: install)"],
    [
      {
        what: "services.app deploy label backupbot.backup.path",
        before: "absent",
        after: "/srv",
        readBy: null,
      },
      "services.app deploy label backupbot.backup.path: absent -> /srv  (read by nothing)",
    ],
    [
      {
        what: "config ${STACK_NAME}_nginx_conf_v1",
        before: "nginx.conf.tmpl (blob 1a2b3c4)",
        after: "nginx.conf.tmpl (blob 5d6e7f8)",
        kind: "content",
        readBy: "upgrade",
      },
      "config ${STACK_NAME}_nginx_conf_v1: nginx.conf.tmpl (blob 1a2b3c4) -> nginx.conf.tmpl (blob 5d6e7f8), under the same name  (read first by: upgrade)",
    ],
    [
      {
        what: "services.app config at /etc/nginx/conf.d/default.conf",
        before: "${STACK_NAME}_nginx_conf_v1",
        after: "${STACK_NAME}_nginx_conf_v2",
        kind: "bump",
        readBy: null,
      },
      "services.app config at /etc/nginx/conf.d/default.conf: ${STACK_NAME}_nginx_conf_v1 -> ${STACK_NAME}_nginx_conf_v2, the same content  (read by nothing)",
    ],
    [
      {
        what: "services.app config at /etc/nginx/conf.d/default.conf",
        before: "${STACK_NAME}_nginx_conf_v1",
        after: "${STACK_NAME}_nginx_conf_v2",
        kind: "new-content",
      },
      "services.app config at /etc/nginx/conf.d/default.conf: ${STACK_NAME}_nginx_conf_v1 -> ${STACK_NAME}_nginx_conf_v2, new content  (read first by: install)",
    ],
    [
      {
        what: "services.db secret at /run/secrets/db_password",
        before: "${STACK_NAME}_db_password_v1",
        after: "${STACK_NAME}_db_password_v2",
        kind: "external",
      },
      "services.db secret at /run/secrets/db_password: ${STACK_NAME}_db_password_v1 -> ${STACK_NAME}_db_password_v2  (read first by: install)",
    ],
  ])("%j", (extra, line) => expect(deploymentLine(change(extra))).toBe(line));

  it("caps the list, and says when nothing changes", () => {
    const many = { title: "compose.yml", changes: Array.from({ length: 14 }, () => change({})) };
    expect(deploymentLines(many, 12)).toHaveLength(13);
    expect(deploymentLines(many, 12).at(-1)).toBe("... and 2 more changes");
    expect(deploymentHeading({ title: "compose.yml", changes: [] })).toBe(
      "Nothing this fixture changes reaches what abra deploys (compose.yml).",
    );
  });
});

describe("the deployment diff in every report", () => {
  const canary = () =>
    resultOf({ base: HTML, pin: { ...HTML, "compose.yml": CANARY }, tier: "backup" });
  const report = (r: FixtureResult): RunReport => ({
    kind: "pull",
    repo: r.repo,
    sha: r.sha,
    number: 3,
    trigger: "opened",
    results: [r],
    manifestErrors: [],
    pins: [],
    unknownNames: [],
  });

  it("is in the engine's result", async () => {
    const r = await canary();
    expect(r.verdict).toBe("pass");
    expect(r.deployment).toEqual({
      title: "compose.yml",
      changes: [
        {
          what: "services.app deploy label backupbot.backup.volumes.content.path",
          before: "absent",
          after: "public_html",
          kind: "value",
          readBy: "backup",
          why: "it decides which files of a volume the backup holds (a missing path fails the backup; a wrong one, the restore)",
        },
      ],
    });
  });

  it("is in the PR comment, as a code block under its heading", async () => {
    const body = renderComment(report(await canary()));
    expect(body).toContain(
      `What this fixture changes in what abra deploys (compose.yml):\n\n\`\`\`text\n${LINE}\n\`\`\``,
    );
  });

  it("is on the run page, escaped", async () => {
    const r = await canary();
    const page = renderRunPage(
      {
        id: 1,
        repo: r.repo,
        sha: r.sha,
        number: 3,
        trigger: "opened",
        state: "success",
        createdAt: new Date(0).toISOString(),
        report: report(r),
      },
      { giteaUrl: "https://git.example.org", now: new Date(0) },
    );
    expect(page).toContain(`<pre class="deployment">${LINE.replace("->", "-&gt;")}</pre>`);
  });

  it("is in verify --verbose, and not without it", async () => {
    const r = await canary();
    expect(renderText([r], { color: false, verbose: true })).toContain(
      `  What this fixture changes in what abra deploys (compose.yml):\n  ~ ${LINE}\n`,
    );
    expect(renderText([r], { color: false })).not.toContain(LINE);
  });

  it("carries no secret: a value from the repository goes through the one sanitizing step", async () => {
    const token = "gta_0123456789abcdef0123456789abcdef";
    const leaky = await resultOf({
      base: HTML,
      pin: {
        ...HTML,
        "compose.yml": CANARY.replace(
          "      - DOMAIN\n",
          `      - DOMAIN\n      - TOKEN=${token}\n`,
        ),
      },
      rules: [{ path: "compose.yml", lines: [], keys: [], maxLines: null, allow: [] }],
    });
    expect(JSON.stringify(leaky.deployment)).toContain(token);
    const clean = sanitizeResult(leaky, createRedactor([token]));
    expect(JSON.stringify(clean)).not.toContain(token);
    expect(renderComment(report(clean))).not.toContain(token);
  });
});
