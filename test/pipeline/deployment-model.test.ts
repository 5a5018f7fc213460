/**
 * Issue 16, one row per numbered item, on real repositories through the real workspace: each
 * fixture's exact failing (and warning) set, written from how abra, docker/cli, swarm and
 * backup-bot-two behave. The recipes: custom-html and lasuite-like (targeted-changes.md),
 * wiki-overlays (its database in an overlay COMPOSE_FILE chains on, mail in an optional overlay
 * behind a commented COMPOSE_FILE line) and cloud-subfolder (its tuning overlay in postgres/).
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import type { ChangeRule, Fixture, Tier } from "../../src/shared/fixture.ts";
import type { CheckId, FixtureResult } from "../../src/shared/result.ts";
import {
  createTestEnv,
  expectChecks,
  fixture,
  fixtureBranch,
  idsWith,
  type RecipeName,
  recipeRepo,
  rule,
  type TestEnv,
} from "../helpers/recipes.ts";

type Repo = "html" | "tiny" | "lasuite" | "wiki" | "cloud";
const SLUG: Record<Repo, string> = {
  html: "recipe-maintainers/custom-html",
  tiny: "recipe-maintainers/custom-html-tiny",
  lasuite: "recipe-maintainers/lasuite-like",
  wiki: "recipe-maintainers/wiki-overlays",
  cloud: "recipe-maintainers/cloud-subfolder",
};
const RECIPE: Record<Repo, RecipeName> = {
  html: "custom-html",
  tiny: "custom-html-tiny",
  lasuite: "lasuite-like",
  wiki: "wiki-overlays",
  cloud: "cloud-subfolder",
};

type Row = {
  item: string;
  name: string;
  repo: Repo;
  tier?: Tier;
  change?: ChangeRule[];
  /** The branch the fixture is cut from (default main). */
  from?: string;
  edit: (r: ScratchRepo) => Promise<void>;
  fails: CheckId[];
  warns?: CheckId[];
  says?: [CheckId, string | RegExp];
};

/** Replace text in a file of the fixture branch; the text must be there. */
const replace =
  (path: string, from: string, to: string) =>
  async (r: ScratchRepo): Promise<void> => {
    const text = await readFile(join(r.dir, path), "utf8");
    if (!text.includes(from)) throw new Error(`${path} has no ${JSON.stringify(from)}`);
    await r.write({ [path]: text.replace(from, to) });
  };
const both =
  (...edits: ((r: ScratchRepo) => Promise<void>)[]) =>
  async (r: ScratchRepo) => {
    for (const edit of edits) await edit(r);
  };

const HTML_LABEL = '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n';
const BUMP = replace("abra.sh", "NGINX_CONF_VERSION=v1", "NGINX_CONF_VERSION=v2");

const rows: Row[] = [
  // 1. COMPOSE_FILE is read: which files the default deployment merges, and which are optional.
  {
    item: "1",
    name: "bad-image-in-commented-overlay",
    repo: "wiki",
    tier: "install",
    edit: replace(
      "compose.smtp.yml",
      "  app:\n",
      "  app:\n    image: requarks/wiki:2.5.300-ccci-does-not-exist\n",
    ),
    fails: ["effective-change"],
    says: [
      "effective-change",
      "the change does not reach what abra deploys, so this canary can never go red: compose.smtp.yml is deployed only when an operator switches on COMPOSE_FILE on line 19 of .env.sample, commented out; the recipe CI deploys compose.yml + compose.postgres.yml",
    ],
  },
  {
    item: "1",
    name: "default-the-named-overlay-sets-again",
    repo: "wiki",
    tier: "install",
    edit: replace("compose.yml", "DB_TYPE=sqlite", "DB_TYPE=mysql"),
    fails: ["effective-change"],
    says: [
      "effective-change",
      "the change does not reach what abra deploys, so this canary can never go red: compose.yml: services.app.environment.DB_TYPE is set again by compose.postgres.yml, which abra merges after it",
    ],
  },
  {
    item: "1",
    name: "env-sample-switches-the-database-off",
    repo: "wiki",
    tier: "backup",
    change: [rule(".env.sample")],
    edit: replace(
      ".env.sample",
      'COMPOSE_FILE="$COMPOSE_FILE:compose.postgres.yml"',
      '#COMPOSE_FILE="$COMPOSE_FILE:compose.postgres.yml"',
    ),
    fails: ["earlier-tiers"],
    says: [
      "earlier-tiers",
      /^\d+ changes an earlier tier reads: services\.app environment DB_TYPE changed \(postgres -> sqlite\): install would go red before backup/,
    ],
  },
  {
    item: "1",
    name: "overlay-in-a-subfolder",
    repo: "cloud",
    tier: "backup",
    edit: replace(
      "postgres/compose.postgres.tune.yml",
      "        target: /etc/postgresql/tune.conf\n",
      '        target: /etc/postgresql/tune.conf\n    deploy:\n      labels:\n        - "backupbot.backup.volumes.postgres.path=missing.sql"\n',
    ),
    fails: [],
  },
  // (Must accept: a canary in the overlay the chained COMPOSE_FILE names.)
  {
    item: "1",
    name: "restore-canary-in-the-chained-overlay",
    repo: "wiki",
    tier: "restore",
    edit: replace("compose.postgres.yml", '"/pg_backup.sh restore"', '"/pg_backup.sh restor"'),
    fails: [],
  },
  // 2. A change that parses to the same deployment reaches nothing.
  {
    item: "2",
    name: "comment-only",
    repo: "html",
    tier: "backup",
    edit: replace(
      "compose.yml",
      HTML_LABEL,
      `${HTML_LABEL}        # the content volume holds the site\n`,
    ),
    fails: ["effective-change"],
    says: [
      "effective-change",
      "the change does not reach what abra deploys, so this canary can never go red: compose.yml: a comment or formatting change only: it parses to the same document",
    ],
  },
  {
    item: "2",
    name: "re-indent-only",
    repo: "html",
    tier: "backup",
    edit: async (r) => {
      const text = await readFile(join(r.dir, "compose.yml"), "utf8");
      await r.write({ "compose.yml": text.replace(/^ {8}- "/gm, '          - "') });
    },
    fails: ["whitespace-churn", "effective-change"],
  },
  {
    item: "2",
    name: "labels-list-to-map",
    repo: "html",
    tier: "backup",
    edit: async (r) => {
      const text = await readFile(join(r.dir, "compose.yml"), "utf8");
      await r.write({
        "compose.yml": text.replace(/^ {8}- "([^=]+)=(.*)"$/gm, '        $1: "$2"'),
      });
    },
    fails: ["effective-change"],
  },
  {
    item: "2",
    name: "hook-folded-to-the-same-string",
    repo: "lasuite",
    tier: "restore",
    edit: replace(
      "compose.yml",
      'backupbot.restore.post-hook: "/pg_backup.sh restore"',
      "backupbot.restore.post-hook: >-\n          /pg_backup.sh\n          restore",
    ),
    fails: ["effective-change"],
  },
  {
    item: "2",
    name: "unused-variable-in-env-sample",
    repo: "html",
    tier: "backup",
    change: [rule(".env.sample")],
    edit: replace(
      ".env.sample",
      "ENABLE_BACKUPS=true\n",
      "ENABLE_BACKUPS=true\nBACKUP_RETENTION=7\n",
    ),
    fails: ["effective-change"],
    says: [
      "effective-change",
      "the change does not reach what abra deploys, so this canary can never go red: .env.sample: BACKUP_RETENTION is new, and nothing the default deployment runs uses it",
    ],
  },
  // 3. What install and upgrade read.
  {
    item: "3",
    name: "secret-version-bumped",
    repo: "lasuite",
    tier: "backup",
    change: [rule(".env.sample")],
    edit: replace(".env.sample", "SECRET_DB_PASSWORD_VERSION=v1", "SECRET_DB_PASSWORD_VERSION=v2"),
    fails: ["earlier-tiers"],
    says: [
      "earlier-tiers",
      "3 changes an earlier tier reads: services.app secret at /run/secrets/db_password mounts ${STACK_NAME}_db_password_v2 instead of ${STACK_NAME}_db_password_v1: install would go red before backup (and 2 more)",
    ],
  },
  {
    item: "3",
    name: "entrypoint-template-with-its-bump",
    repo: "lasuite",
    tier: "backup",
    change: [rule("entrypoint.sh.tmpl"), rule("abra.sh")],
    edit: both(replace("abra.sh", "ENTRYPOINT_VERSION=v2", "ENTRYPOINT_VERSION=v3"), async (r) => {
      const text = await readFile(join(r.dir, "entrypoint.sh.tmpl"), "utf8");
      await r.write({ "entrypoint.sh.tmpl": `${text}echo "migrations done"\n` });
    }),
    fails: ["earlier-tiers"],
  },
  {
    item: "3",
    name: "traefik-port",
    repo: "html",
    tier: "backup",
    edit: replace("compose.yml", "loadbalancer.server.port=80", "loadbalancer.server.port=8080"),
    fails: ["keys", "earlier-tiers"],
    says: [
      "earlier-tiers",
      "services.app deploy label traefik.http.services.${STACK_NAME}.loadbalancer.server.port changed (80 -> 8080): install would go red before backup",
    ],
  },
  {
    item: "3",
    name: "traefik-port-as-custom",
    repo: "html",
    tier: "custom",
    edit: replace("compose.yml", "loadbalancer.server.port=80", "loadbalancer.server.port=8080"),
    fails: ["earlier-tiers"],
  },
  {
    item: "3",
    name: "timeout-label",
    repo: "lasuite",
    tier: "backup",
    edit: replace("compose.yml", "${TIMEOUT:-300}", "${TIMEOUT:-30}"),
    fails: ["keys", "earlier-tiers"],
  },
  // 4. A required variable nothing sets.
  {
    item: "4",
    name: "required-variable-unset",
    repo: "html",
    tier: "install",
    edit: replace(
      "compose.yml",
      "      - DOMAIN\n",
      "      - DOMAIN\n      - SMTP_HOST=${SMTP_HOST:?set SMTP_HOST in the app's env}\n",
    ),
    fails: ["compose-valid"],
    says: [
      "compose-valid",
      "compose.yml: services.app.environment.1: required variable SMTP_HOST is missing a value: set SMTP_HOST in the app's env (nothing sets it: not .env.sample, not abra.sh), so docker stack deploy refuses the stack",
    ],
  },
  // 5. Label names by exact name.
  {
    item: "5",
    name: "case-misspelt-backupbot-label",
    repo: "html",
    tier: "backup",
    edit: replace(
      "compose.yml",
      HTML_LABEL,
      `${HTML_LABEL}        - "Backupbot.backup.volumes.content.path=public_html"\n`,
    ),
    fails: ["keys", "effective-change"],
  },
  // 6. Configs by their swarm name and content.
  {
    item: "6",
    name: "config-key-and-file-renamed-same-name",
    repo: "html",
    tier: "custom",
    edit: both(
      replace("compose.yml", "source: nginx_conf", "source: nginx_config"),
      replace("compose.yml", "  nginx_conf:\n", "  nginx_config:\n"),
      replace("compose.yml", "file: nginx.conf.tmpl", "file: nginx.v2.conf.tmpl"),
      async (r) => {
        const text = await readFile(join(r.dir, "nginx.conf.tmpl"), "utf8");
        await r.write({ "nginx.v2.conf.tmpl": text.replace("index.html index.htm", "index.html") });
      },
    ),
    fails: ["config-version"],
    says: [
      "config-version",
      "config nginx_config now reads nginx.v2.conf.tmpl instead of nginx.conf.tmpl, but keeps its name (${STACK_NAME}_nginx_conf_v1): swarm configs cannot change, so upgrade would go red first; bump NGINX_CONF_VERSION in abra.sh with the change",
    ],
  },
  {
    item: "6",
    name: "config-file-renamed-and-edited",
    repo: "html",
    tier: "custom",
    edit: async (r) => {
      await r.git("mv", "nginx.conf.tmpl", "nginx.tmpl");
      await replace("nginx.tmpl", "=404;", "=404;\n        autoindex on;")(r);
      await replace("compose.yml", "file: nginx.conf.tmpl", "file: nginx.tmpl")(r);
    },
    fails: ["config-version"],
  },
  {
    item: "6",
    name: "version-bump-alone",
    repo: "html",
    tier: "custom",
    edit: BUMP,
    fails: ["effective-change"],
    says: [
      "effective-change",
      "the change does not reach what abra deploys, so this canary can never go red: services.app config at /etc/nginx/conf.d/default.conf: a version bump alone changes nothing the app reads",
    ],
  },
  // 7. A label under a deploy: the service did not have.
  {
    item: "7",
    name: "backup-label-with-new-deploy",
    repo: "cloud",
    tier: "backup",
    edit: replace(
      "compose.yml",
      "    networks:\n      - internal\n\nnetworks:",
      '    networks:\n      - internal\n    deploy:\n      labels:\n        - "backupbot.backup.volumes.postgres.path=missing.sql"\n\nnetworks:',
    ),
    fails: [],
  },
  // 8. Only what something renders is a template.
  {
    item: "8",
    name: "template-actions-in-compose",
    repo: "html",
    change: [rule("compose.yml")],
    edit: replace(
      "compose.yml",
      "    image: nginx:1.27\n",
      "    image: nginx:1.27\n{{ if .Smtp }}\n    hostname: mail\n{{ end }}\n",
    ),
    fails: ["yaml-valid", "compose-valid"],
  },
  {
    item: "8",
    name: "template-actions-in-drone",
    repo: "html",
    change: [rule(".drone.yml")],
    edit: (r) =>
      r.write({
        ".drone.yml": "kind: pipeline\nname: test\n{{ if .Deploy }}\nsteps: []\n{{ end }}\n",
      }),
    fails: ["yaml-valid"],
    warns: ["effective-change"],
  },
  // 9. Churn is line endings, indentation, trailing whitespace, the final newline and a BOM.
  {
    item: "9",
    name: "whitespace-inside-a-line-is-content",
    repo: "html",
    tier: "custom",
    edit: both(replace("nginx.conf.tmpl", "$uri/ =404;", "$uri/ = 404;"), BUMP),
    fails: [],
  },
  {
    item: "9",
    name: "yaml-block-re-indented-beside-the-change",
    repo: "html",
    tier: "backup",
    edit: async (r) => {
      const text = await readFile(join(r.dir, "compose.yml"), "utf8");
      const healthcheck = /( {4}healthcheck:\n)((?: {6}.*\n)+)/.exec(text) as RegExpExecArray;
      await r.write({
        "compose.yml": text
          .replace(
            healthcheck[0],
            `${healthcheck[1]}${(healthcheck[2] as string).replace(/^ {6}/gm, "        ")}`,
          )
          .replace(
            HTML_LABEL,
            `${HTML_LABEL}        - "backupbot.backup.volumes.content.path=public_html"\n`,
          ),
      });
    },
    fails: ["whitespace-churn"],
  },
  // (Must accept as churn in any file: a block of nginx.conf.tmpl re-indented in place.)
  {
    item: "9",
    name: "block-re-indented-in-place",
    repo: "html",
    tier: "custom",
    edit: both(async (r) => {
      const text = await readFile(join(r.dir, "nginx.conf.tmpl"), "utf8");
      await r.write({
        "nginx.conf.tmpl": text
          .replace(/^ {4}/gm, "  ")
          .replace("=404;", "=404;\n      autoindex on;"),
      });
    }, BUMP),
    fails: ["whitespace-churn"],
  },
  {
    item: "9",
    name: "blank-line-gains-spaces-in-yaml",
    repo: "html",
    tier: "backup",
    edit: async (r) => {
      const text = await readFile(join(r.dir, "compose.yml"), "utf8");
      await r.write({
        "compose.yml": text
          .replace("\n\nnetworks:\n", "\n    \nnetworks:\n")
          .replace(
            HTML_LABEL,
            `${HTML_LABEL}        - "backupbot.backup.volumes.content.path=public_html"\n`,
          ),
      });
    },
    fails: ["whitespace-churn"],
  },
  {
    item: "9",
    name: "binary-over-the-inspection-limit",
    repo: "html",
    change: [rule("**")],
    edit: (r) =>
      r.write({
        "logo.bin": Buffer.concat([Buffer.from([0]), Buffer.alloc(1.5 * 1024 * 1024, 7)]),
      }),
    fails: ["binary"],
    warns: ["effective-change"],
  },
  // 10. A base with no services; a folder abra never deploys.
  {
    item: "10",
    name: "base-file-without-services",
    repo: "cloud",
    from: "split-services",
    change: [rule("compose.yml")],
    edit: replace("compose.yml", "volumes:\n", "volumes:\n  previews:\n"),
    fails: [],
  },
  {
    item: "10",
    name: "docker-app-folder",
    repo: "html",
    change: [rule("wordpress.dockerapp/**")],
    edit: (r) =>
      r.write({
        "wordpress.dockerapp/docker-compose.yml":
          "version: 0.1.0\nname: wordpress\n---\nservices:\n  wp:\n    image: wordpress:${VERSION}\n---\nVERSION: 6.7\n",
      }),
    fails: [],
    warns: ["effective-change"],
  },
  // 11. A BOM, compose.yaml, a pin named like a tag.
  {
    item: "11",
    name: "bom-beside-the-targeted-change",
    repo: "html",
    change: [
      rule("compose.yml", {
        lines: ['^\\s+- "backupbot\\.backup\\.volumes\\.[a-z]+\\.path=[a-z_]+"$'],
      }),
    ],
    edit: async (r) => {
      const text = await readFile(join(r.dir, "compose.yml"), "utf8");
      await r.write({
        "compose.yml": `\uFEFF${text.replace(HTML_LABEL, `${HTML_LABEL}        - "backupbot.backup.volumes.content.path=public_html"\n`)}`,
      });
    },
    fails: ["whitespace-churn", "lines"],
  },
  {
    item: "11",
    name: "compose-renamed-to-yaml",
    repo: "html",
    change: [rule("compose.y*ml")],
    edit: (r) => r.git("mv", "compose.yml", "compose.yaml").then(() => undefined),
    fails: ["compose-valid"],
    says: [
      "compose-valid",
      "compose.yml does not exist: abra deploys compose.yml when .env.sample sets no COMPOSE_FILE (it does not read compose.yaml)",
    ],
  },
];

let env: TestEnv;
const repos = new Map<Repo, ScratchRepo>();
const results = new Map<string, FixtureResult>();
let tagged: FixtureResult;

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-deployment-");
  for (const repo of Object.keys(SLUG) as Repo[]) {
    repos.set(repo, await recipeRepo(env.root, RECIPE[repo], SLUG[repo]));
  }
  // cloud-subfolder with its services moved out of compose.yml into an overlay COMPOSE_FILE names.
  const cloud = repos.get("cloud") as ScratchRepo;
  await cloud.checkout("split-services", { create: true, from: "main" });
  const compose = await readFile(join(cloud.dir, "compose.yml"), "utf8");
  const [head, rest] = compose.split("services:\n") as [string, string];
  const [services, tail] = rest.split("\nnetworks:\n") as [string, string];
  await cloud.write({
    "compose.yml": `${head}networks:\n${tail}`,
    "compose.app.yml": `---\nversion: "3.8"\n\nservices:\n${services}`,
    ".env.sample": (await readFile(join(cloud.dir, ".env.sample"), "utf8")).replace(
      'COMPOSE_FILE="compose.yml:postgres/compose.postgres.tune.yml"',
      'COMPOSE_FILE="compose.yml:compose.app.yml:postgres/compose.postgres.tune.yml"',
    ),
  });
  await cloud.commit("services in compose.app.yml");
  await cloud.push("split-services");
  await cloud.checkout("main");

  const fixtures: Fixture[] = [];
  for (const row of rows) {
    const repo = repos.get(row.repo) as ScratchRepo;
    const from = row.from ?? "main";
    const branch = `regression-${row.name}`;
    const sha = await fixtureBranch(repo, branch, row.edit, { from });
    fixtures.push(
      fixture({
        name: row.name,
        repo: SLUG[row.repo],
        branch,
        sha,
        base: from,
        tier: row.tier ?? null,
        change: row.change ?? [],
      }),
    );
  }
  for (const r of await env.verify(fixtures)) results.set(r.name, r);

  // A tag named like the pin's first eight hex characters: git would take the tag.
  const html = repos.get("html") as ScratchRepo;
  const sha = await fixtureBranch(
    html,
    "regression-pin-named-like-a-tag",
    replace(
      "compose.yml",
      HTML_LABEL,
      `${HTML_LABEL}        - "backupbot.backup.volumes.content.path=public_html"\n`,
    ),
  );
  const prefix = sha.slice(0, 8);
  await html.git("tag", prefix, "main");
  await html.git("push", "--quiet", "origin", `refs/tags/${prefix}`);
  await rm(join(env.dataDir), { recursive: true, force: true }); // a fresh mirror sees the tag
  [tagged] = (await env.verify([
    fixture({
      name: "pin-named-like-a-tag",
      repo: SLUG.html,
      branch: "regression-pin-named-like-a-tag",
      sha: prefix,
      base: "main",
      tier: "backup",
    }),
  ])) as [FixtureResult];
});

afterAll(async () => {
  await env?.cleanup();
});

describe("issue 16: one model of what abra deploys, on real repositories", () => {
  it("covers every row", () => {
    expect([...results.keys()].sort()).toEqual(rows.map((r) => r.name).sort());
  });

  it.each(rows)("item $item, $name: fails exactly $fails", (row) => {
    expectChecks(results.get(row.name), row);
  });

  it("item 11: refuses a pin that is also the name of a tag, as ambiguous", () => {
    expect(tagged.error).toBeNull();
    expect(idsWith(tagged, "fail")).toEqual(["sha-exists"]);
    const check = tagged.checks.find((c) => c.id === "sha-exists");
    expect(check?.message).toMatch(
      new RegExp(
        `^${tagged.sha} is ambiguous: tag ${tagged.sha} has that name, and git would take it \\(commit [0-9a-f]{12}\\) over the 1 object starting with it; pin the full 40-character id$`,
      ),
    );
    expect(check?.causes).toEqual([{ kind: "ambiguous-pin", ref: `tag ${tagged.sha}` }]);
  });
});
