/**
 * Verdict precision on real repositories: the false passes and misleading messages of the
 * adversarial corpus (issue 7) and the false verdicts on real-recipe shapes (issue 13), each cut
 * as a fixture branch and verified through the real workspace. Each row pins the exact set of
 * failing (and warning) checks; test/engine/checks.test.ts pins every message of the same cases.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fixture } from "../../src/config/manifest.ts";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import type { FixtureResult } from "../../src/shared/result.ts";
import {
  createTestEnv,
  expectChecks,
  fixture,
  fixtureBranch,
  recipeRepo,
  rule,
  type TestEnv,
} from "../helpers/recipes.ts";
import {
  BAD_PATH,
  LABEL,
  NGINX_MOUNT,
  TRAEFIK_CONFIG,
  TRAEFIK_MOUNT,
  TRAEFIK_YML,
} from "../helpers/snippets.ts";

const HTML = "recipe-maintainers/custom-html";

type Row = {
  name: string;
  fails: string[];
  warns?: string[];
  /** The message of one check, pinned. */
  says?: [string, string | RegExp];
};

let env: TestEnv;
let html: ScratchRepo;
const fixtures: Fixture[] = [];
const results = new Map<string, FixtureResult>();

const rows: Row[] = [
  {
    name: "build-without-image",
    fails: ["compose-valid"],
    says: [
      "compose-valid",
      'compose.yml: service "app" has build: but no image: docker stack deploy ignores build, so the service has nothing to run',
    ],
  },
  { name: "empty-image", fails: ["compose-valid"] },
  // An overlay no COMPOSE_FILE line names is an optional deployment: compose-valid checks it, and
  // a canary whose only change is there can never go red (the recipe CI deploys the default).
  {
    name: "overlay-undeclared-secret",
    fails: ["compose-valid", "effective-change"],
    says: [
      "compose-valid",
      'compose.yml + compose.smtp.yml (optional): secret "smtp_password" used by service "app" is not declared in the top-level secrets section',
    ],
  },
  {
    name: "overlay-declared-secret",
    fails: ["effective-change"],
    says: [
      "effective-change",
      "the change does not reach what abra deploys, so this canary can never go red: compose.smtp.yml is deployed only when an operator switches on compose.smtp.yml, which no COMPOSE_FILE line names; the recipe CI deploys compose.yml",
    ],
  },
  {
    name: "overlay-misnamed-secret",
    fails: ["compose-valid", "effective-change"],
    says: [
      "compose-valid",
      'compose.yml + compose.smtp.yml (optional): secret "smtp_password" used by service "app" is not declared in the top-level secrets section',
    ],
  },
  {
    name: "overlay-service-without-image",
    fails: ["compose-valid", "effective-change"],
    says: [
      "compose-valid",
      'compose.yml + compose.smtp.yml (optional): service "mailer" has no image',
    ],
  },
  {
    name: "crlf-past-200-files",
    fails: ["whitespace-churn"],
    warns: ["effective-change"],
    says: [
      "whitespace-churn",
      "docs/249.md: 2 of 2 added lines differ only in line endings (CRLF/LF) from the line they replace, which hides the real change",
    ],
  },
  {
    name: "label-with-allowed-prefix",
    // A v1 label backup-bot-two ignores: it also changes nothing deployed.
    fails: ["keys", "effective-change"],
    says: [
      "keys",
      'compose.yml: services.app.deploy.labels."backupbot.backup.path" changed; only services.app.deploy.labels.backupbot.backup may change',
    ],
  },
  { name: "allowed-label-itself", fails: [] },
  {
    name: "service-with-allowed-prefix",
    fails: ["keys"],
    says: [
      "keys",
      'compose.yml: services."app.sidecar".image changed; only services.app may change',
    ],
  },
  {
    name: "latin1-label",
    fails: ["yaml-valid", "compose-valid"],
    says: ["yaml-valid", /^compose\.yml is not valid UTF-8 \(byte \d+ starts an invalid sequence/],
  },
  {
    name: "dropped-final-newline",
    // compose.yml parses the same without its final newline: nothing deployed changes.
    fails: ["whitespace-churn", "effective-change"],
    says: [
      "whitespace-churn",
      "compose.yml: the newline at the end of the file was removed, a line-ending change beside the targeted one",
    ],
  },
  // crlf/compose.yml is in no deployment: abra never reads it.
  { name: "anchored-pattern-on-crlf", fails: [], warns: ["effective-change"] },
  {
    name: "newline-in-file-name",
    fails: ["paths"],
    warns: ["effective-change"],
    says: [
      "paths",
      "1 path outside the targeted change (allowed: compose.yml): notes\\ncompose.yml (added, +1 -0) is outside the targeted change",
    ],
  },
  {
    name: "cyrillic-key",
    fails: ["keys"],
    says: [
      "keys",
      "compose.yml: services.app.\\u{456}mage changed; only services.app.deploy.labels may change",
    ],
  },
  {
    name: "base-is-a-tag",
    fails: ["base-exists"],
    says: [
      "base-exists",
      /^base 1\.0\.0\+1\.27 is a tag, not a branch: write base: [0-9a-f]{40} \(the commit it tags\) to compare against it, or name the branch the fixture was cut from$/,
    ],
  },
  { name: "go-template", fails: [] },
  {
    name: "go-template-unclosed",
    fails: ["yaml-valid"],
    says: [
      "yaml-valid",
      'traefik.yml (a Go template: config "traefik_yml" renders it (template_driver: golang)): {{ if }} on line 4 is never closed with {{ end }}',
    ],
  },
  { name: "yaml-broken-at-merge-base", fails: [], warns: ["yaml-valid", "effective-change"] },
  { name: "drone-two-pipelines", fails: [], warns: ["effective-change"] },
  { name: "labels-moved-under-deploy", fails: [] },
  { name: "invalid-interpolation", fails: ["compose-valid"] },
  { name: "version-not-a-string", fails: ["compose-valid"] },
];

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-precision-");
  html = await recipeRepo(env.root, "custom-html", HTML);
  await html.git("tag", "1.0.0+1.27");
  await html.git("push", "--quiet", "origin", "refs/tags/1.0.0+1.27");
  const compose = await html.git("show", "main:compose.yml");

  // A second base on which the recipe has a Traefik template, a Drone file, a broken YAML file
  // and a CRLF compose file: fixtures below are cut from it, with `base: setup`.
  await html.checkout("setup", { create: true, from: "main" });
  await html.write({
    "compose.yml": `${compose.replace(NGINX_MOUNT, `${NGINX_MOUNT}${TRAEFIK_MOUNT}`)}${TRAEFIK_CONFIG}`,
    "traefik.yml": TRAEFIK_YML,
    "abra.sh": "export NGINX_CONF_VERSION=v1\nexport TRAEFIK_YML_VERSION=v1\n",
    ".drone.yml": "kind: pipeline\nname: test\n",
    "values.yml": "a: [1, 2\nb: 1\n",
    "crlf/compose.yml": compose.replace(/\n/g, "\r\n"),
  });
  const docs: Record<string, string> = {};
  for (let i = 0; i < 250; i++)
    docs[`docs/${String(i).padStart(3, "0")}.md`] = `line one of ${i}\nline two\n`;
  await html.write(docs);
  await html.commit("setup: a template, a pipeline, a broken file, a CRLF stack, 250 docs");
  await html.push("setup");
  await html.checkout("main");

  const cut = async (
    name: string,
    edit: (r: ScratchRepo) => Promise<void>,
    extra: Partial<Fixture> = {},
  ) => {
    const from = extra.base ?? "main";
    fixtures.push(
      fixture({
        name,
        repo: HTML,
        branch: `regression-${name}`,
        sha: await fixtureBranch(html, `regression-${name}`, edit, { from }),
        base: from,
        change: [rule("compose.yml")],
        ...extra,
      }),
    );
  };
  const composeIs = (text: string) => (r: ScratchRepo) => r.write({ "compose.yml": text });

  await cut(
    "build-without-image",
    composeIs(compose.replace("    image: nginx:1.27\n", "    build: .\n")),
  );
  await cut(
    "empty-image",
    composeIs(compose.replace("    image: nginx:1.27\n", '    image: ""\n')),
  );
  const overlay = (service: string, rest = "") =>
    `---\nversion: "3.8"\nservices:\n${service}${rest}`;
  await cut(
    "overlay-undeclared-secret",
    (r) =>
      r.write({ "compose.smtp.yml": overlay("  app:\n    secrets:\n      - smtp_password\n") }),
    { change: [rule("compose.*.yml")] },
  );
  await cut(
    "overlay-declared-secret",
    (r) =>
      r.write({
        "compose.smtp.yml": overlay(
          "  app:\n    networks:\n      - proxy\n    secrets:\n      - smtp_password\n",
          "secrets:\n  smtp_password:\n    external: true\n",
        ),
      }),
    { change: [rule("compose.*.yml")] },
  );
  await cut(
    "overlay-misnamed-secret",
    (r) =>
      r.write({
        "compose.smtp.yml": overlay(
          "  app:\n    secrets:\n      - smtp_password\n",
          "secrets:\n  smtp_pass:\n    external: true\n",
        ),
      }),
    { change: [rule("compose.*.yml")] },
  );
  await cut(
    "overlay-service-without-image",
    (r) =>
      r.write({ "compose.smtp.yml": overlay("  mailer:\n    environment:\n      - SMTP_HOST\n") }),
    { change: [rule("compose.*.yml")] },
  );
  await cut(
    "crlf-past-200-files",
    async (r) => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 250; i++) {
        const text = `line one of ${i}\nline two\n`;
        files[`docs/${String(i).padStart(3, "0")}.md`] =
          i === 249 ? text.replace(/\n/g, "\r\n") : `${text}more\n`;
      }
      await r.write(files);
    },
    { base: "setup", change: [rule("docs/*.md")] },
  );
  const backupKey = [
    rule("compose.yml", { keys: ["services.app.deploy.labels.backupbot.backup"] }),
  ];
  await cut(
    "label-with-allowed-prefix",
    composeIs(compose.replace(LABEL, `${LABEL}        - "backupbot.backup.path=/srv"\n`)),
    { change: backupKey },
  );
  await cut(
    "allowed-label-itself",
    composeIs(compose.replace("${ENABLE_BACKUPS:-true}", "false")),
    {
      change: backupKey,
    },
  );
  await cut(
    "service-with-allowed-prefix",
    composeIs(
      compose.replace("\nnetworks:\n", "\n  app.sidecar:\n    image: evil:latest\n\nnetworks:\n"),
    ),
    { change: [rule("compose.yml", { keys: ["services.app"] })] },
  );
  await cut("latin1-label", (r) =>
    r.write({
      "compose.yml": Buffer.from(compose.replace("1.0.0+1.27", "1.0.0+1.27 caf\u00e9"), "latin1"),
    }),
  );
  await cut("dropped-final-newline", composeIs(compose.replace(/\n$/, "")));
  await cut(
    "anchored-pattern-on-crlf",
    (r) =>
      r.write({
        "crlf/compose.yml": compose.replace(LABEL, `${LABEL}${BAD_PATH}`).replace(/\n/g, "\r\n"),
      }),
    {
      base: "setup",
      change: [
        rule("crlf/compose.yml", {
          lines: ['^\\s+- "backupbot\\.backup\\.volumes\\.content\\.path=[a-z_]+"$'],
        }),
      ],
    },
  );
  await cut("newline-in-file-name", (r) => r.write({ "notes\ncompose.yml": "hi\n" }));
  await cut(
    "cyrillic-key",
    composeIs(
      compose.replace(
        "    image: nginx:1.27\n",
        "    image: nginx:1.27\n    \u0456mage: evil:latest\n",
      ),
    ),
    { change: [rule("compose.yml", { keys: ["services.app.deploy.labels"] })] },
  );
  await cut("base-is-a-tag", composeIs(compose.replace(LABEL, `${LABEL}${BAD_PATH}`)), {
    base: "main",
  });
  (fixtures.at(-1) as Fixture).base = "1.0.0+1.27";
  await cut(
    "go-template",
    (r) =>
      r.write({
        "traefik.yml": TRAEFIK_YML.replace("dashboard: true", "dashboard: true\n  insecure: false"),
        "abra.sh": "export NGINX_CONF_VERSION=v1\nexport TRAEFIK_YML_VERSION=v2\n",
      }),
    { base: "setup", change: [rule("traefik.yml"), rule("abra.sh")] },
  );
  await cut(
    "go-template-unclosed",
    (r) =>
      r.write({
        "traefik.yml": TRAEFIK_YML.replace("{{ end }}\n", ""),
        "abra.sh": "export NGINX_CONF_VERSION=v1\nexport TRAEFIK_YML_VERSION=v2\n",
      }),
    { base: "setup", change: [rule("traefik.yml"), rule("abra.sh")] },
  );
  await cut("yaml-broken-at-merge-base", (r) => r.write({ "values.yml": "a: [1, 2\nb: 2\n" }), {
    base: "setup",
    change: [rule("values.yml")],
  });
  await cut(
    "drone-two-pipelines",
    (r) =>
      r.write({ ".drone.yml": "kind: pipeline\nname: test\n---\nkind: pipeline\nname: deploy\n" }),
    { base: "setup", change: [rule(".drone.yml")] },
  );
  // Service-level labels (which swarm ignores for routing and backups) moved under deploy:, as a
  // real recipe did to make its backups run: indentation is the change, not churn.
  const serviceLabels = compose
    .replace("      labels:\n", "")
    .replace("    deploy:\n", "    labels:\n__LABELS__    deploy:\n");
  const labelLines = compose.match(/^ {8}- "[^\n]*\n/gm)?.join("") ?? "";
  const before = serviceLabels
    .replace(labelLines, "")
    .replace("__LABELS__", labelLines.replace(/^ {8}/gm, "      "));
  await html.checkout("service-labels", { create: true, from: "main" });
  await html.write({ "compose.yml": before });
  await html.commit("labels on the service");
  await html.push("service-labels");
  await html.checkout("main");
  await cut("labels-moved-under-deploy", composeIs(compose), { base: "service-labels" });
  await cut(
    "invalid-interpolation",
    composeIs(
      compose.replace("      - DOMAIN\n", "      - DOMAIN\n      - SMTP_PORT=${SMTP_PORT:25}\n"),
    ),
  );
  await cut("version-not-a-string", composeIs(compose.replace('version: "3.8"', "version: 3.7")));

  for (const r of await env.verify(fixtures)) results.set(r.name, r);
});

afterAll(async () => {
  await env?.cleanup();
});

describe("verdict precision on real repositories", () => {
  it("covers every row", () => {
    expect([...results.keys()].sort()).toEqual(rows.map((r) => r.name).sort());
  });

  it.each(rows)("$name fails exactly $fails", (row) => {
    expectChecks(results.get(row.name), row);
  });
});

describe("verify --json", () => {
  it("prints no library warning on a template-like file (stdout is JSON, stderr is empty)", async () => {
    const sha = await fixtureBranch(html, "regression-flow-key", (r) =>
      r.write({ "values.yml": "plain: 1\n{ .Values.key }: 2\n" }),
    );
    const manifest = join(env.root, "flow-key.yaml");
    await writeFile(
      manifest,
      `version: 1\nfixtures:\n  - name: flow-key\n    repo: ${HTML}\n    branch: regression-flow-key\n    sha: ${sha}\n    base: main\n    change:\n      - path: values.yml\n`,
    );
    const bin = fileURLToPath(new URL("../../bin/fixture-bot.js", import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [bin, "verify", "--json", "--config", manifest],
      { env: { ...process.env, GITEA_URL: env.giteaUrl, DATA_DIR: env.dataDir, NO_COLOR: "1" } },
    );
    expect(stderr).toBe("");
    expect(JSON.parse(stdout).summary).toEqual({ pass: 1, fail: 0, error: 0 });
  });
});
