/**
 * The tier checks as pure functions (src/engine/tier-checks.ts): two recipe trees in memory (the
 * merge-base and the pin), the fixture's tier, in; the comparison of the default deployments, and
 * each check's whole result (status, message, details, fix, causes) out, one row per branch.
 * The verdicts come from what the recipe CI, swarm, abra and backup-bot-two do with each change
 * (test/fixtures/recipes/targeted-changes.md: §2 the targeted change of each tier, §3 the
 * broken fixtures B1-B10), not from the code.
 */
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/engine/check-result.ts";
import type { FileAnalysis } from "../../src/engine/inspect-files.ts";
import { compileRules } from "../../src/engine/rules.ts";
import {
  checkConfigVersion,
  checkEarlierTiers,
  checkEffectiveChange,
  compareDefaults,
  type TierContext,
} from "../../src/engine/tier-checks.ts";
import type { Recipe } from "../../src/recipe/read-recipe.ts";
import { TIER_TABLE, type TierRow } from "../../src/recipe/tier-table.ts";
import type { ChangeRule, Tier } from "../../src/shared/fixture.ts";
import { MODE } from "../../src/shared/git-facts.ts";
import type { Side } from "../../src/shared/tree.ts";
import { changesBetween, recipeOf, rule, type Tree } from "../helpers/trees.ts";

// custom-html, cut down to what the tier checks read: one service, a swarm config rendered from a
// template whose version abra.sh exports, the version label and backupbot's enable label.
const COMPOSE = [
  'version: "3.8"',
  "services:",
  "  app:",
  "    image: nginx:1.27",
  "    environment:",
  "      - DOMAIN",
  "    configs:",
  "      - source: nginx_conf",
  "        target: /etc/nginx/conf.d/default.conf",
  "    deploy:",
  "      labels:",
  '        - "coop-cloud.${STACK_NAME}.version=1.0.0+1.27"',
  '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"',
  "configs:",
  "  nginx_conf:",
  "    name: ${STACK_NAME}_nginx_conf_${NGINX_CONF_VERSION}",
  "    file: nginx.conf.tmpl",
  "    template_driver: golang",
  "",
].join("\n");
const NGINX_CONF = "server {\n    location / {\n        try_files $uri $uri/ =404;\n    }\n}\n";
const ENV_SAMPLE = "DOMAIN=custom-html.example.com\nENABLE_BACKUPS=true\n";
const RECIPE: Tree = {
  ".env.sample": ENV_SAMPLE,
  "README.md": "# custom-html\n",
  "abra.sh": "export NGINX_CONF_VERSION=v1\n",
  "compose.yml": COMPOSE,
  "nginx.conf.tmpl": NGINX_CONF,
};

const BACKUP_LABEL = '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n';
/** A line added after backupbot's enable label (the bad-backup and bad-restore patches' place). */
const addLabel = (label: string): Edit => [BACKUP_LABEL, `${BACKUP_LABEL}        - "${label}"\n`];
/** bad-custom's template edit (§2.5): a `types {}` block in the location. */
const TYPES_EDIT: Edit = ["=404;\n", "=404;\n        types { text/html html htm; }\n"];
const WORKER = "  worker:\n    image: redis:7\n";
const TOP_CONFIGS = "configs:\n  nginx_conf:\n";
const CONFIG_NAME = "${STACK_NAME}_nginx_conf_v1";
const MOUNT = "/etc/nginx/conf.d/default.conf";

/** Content, a deletion (null), or one edit `[from, to]` of the file as it is. */
type Edit = string | null | [from: string, to: string];

/** `tree` with some files edited; an edit whose `from` is not in the file is a bug of the test. */
function edited(tree: Tree, edits: Record<string, Edit | Edit[]>): Tree {
  const out: Tree = { ...tree };
  for (const [path, value] of Object.entries(edits)) {
    const list: Edit[] =
      Array.isArray(value) && Array.isArray(value[0]) ? (value as Edit[]) : [value as Edit];
    for (const one of list) {
      if (one === null) delete out[path];
      else if (typeof one === "string") out[path] = one;
      else {
        const text = out[path];
        if (typeof text !== "string" || !text.includes(one[0]))
          throw new Error(`${path} has no ${JSON.stringify(one[0])}`);
        out[path] = text.replace(one[0], one[1]);
      }
    }
  }
  return out;
}

/** The tier checks' input, as the engine builds it, from two trees. */
/** A file as the engine reads it at one end. */
const sideOf = (tree: Tree, path: string): Side => {
  const file = tree[path];
  if (file === undefined) return { state: "absent" };
  const content = typeof file === "object" && "content" in file ? file.content : file;
  return typeof content === "string"
    ? { state: "text", text: content, invalidUtf8At: null }
    : { state: "binary" };
};

function context(
  base: Tree,
  pin: Tree,
  tier: Tier | null = null,
  rules: ChangeRule[] = [],
): TierContext {
  const before = recipeOf(base);
  const after = recipeOf(pin);
  const compiled = compileRules(rules);
  const files: FileAnalysis[] = changesBetween(base, pin).map((change) => ({
    change,
    rule: compiled.find((r) => r.matchesPath(change.path)) ?? null,
    oldRule: null,
    before: sideOf(base, change.oldPath ?? change.path),
    after: sideOf(pin, change.path),
    hunks: null,
    added: [],
    removed: [],
  }));
  return {
    tier,
    baseRef: "main",
    files,
    base: before,
    pin: after,
    comparison: compareDefaults(before, after),
  };
}

const row = (id: string): TierRow => TIER_TABLE.find((r) => r.id === id) as TierRow;
const noDeployments = (tree: Tree): Recipe => ({ ...recipeOf(tree), deployments: [] });

const AT_PIN =
  "not checked: the default deployment does not resolve at the pin (see compose-valid)";
const AT_BASE = "not checked: the default deployment did not resolve at the merge-base";

describe("compareDefaults", () => {
  const base = recipeOf(RECIPE);
  it.each<[string, Recipe, Recipe, string]>([
    ["the pin has no deployment at all", base, noDeployments(RECIPE), AT_PIN],
    // B1: the emptied compose.yml of the incident.
    [
      "the pin's compose.yml is empty (B1)",
      base,
      recipeOf({ ...RECIPE, "compose.yml": "" }),
      AT_PIN,
    ],
    [
      "both ends unresolved: the pin is said first",
      noDeployments(RECIPE),
      noDeployments(RECIPE),
      AT_PIN,
    ],
    ["the merge-base has no deployment at all", noDeployments(RECIPE), base, AT_BASE],
    [
      "the merge-base has no compose.yml",
      recipeOf(edited(RECIPE, { "compose.yml": null })),
      base,
      AT_BASE,
    ],
  ])("%s", (_name, before, after, why) => {
    expect(compareDefaults(before, after)).toEqual({ ok: false, why });
  });

  it("both resolve: the two default deployments and what changes between them", () => {
    const pin = recipeOf(edited(RECIPE, { "compose.yml": ["nginx:1.27", "nginx:1.27.99"] }));
    expect(compareDefaults(base, pin)).toEqual({
      ok: true,
      before: base.deployments[0],
      after: pin.deployments[0],
      changes: [
        {
          path: ["services", "app", "image"],
          before: "nginx:1.27",
          after: "nginx:1.27.99",
          kind: "value",
          row: row("image"),
        },
      ],
    });
  });

  it("both resolve, nothing changed: no changes", () => {
    expect(compareDefaults(base, recipeOf(RECIPE))).toEqual({
      ok: true,
      before: base.deployments[0],
      after: recipeOf(RECIPE).deployments[0],
      changes: [],
    });
  });
});

type Row = [name: string, tier: Tier | null, pin: Tree, expected: CheckResult, base?: Tree];

const BAD_BACKUP = edited(RECIPE, {
  "compose.yml": addLabel("backupbot.backup.volumes.content.path=public_html"),
});
const BAD_IMAGE = edited(RECIPE, {
  "compose.yml": ["nginx:1.27", "nginx:1.27-ccci-does-not-exist"],
});
/** bad-custom (§2.5): the template edit with its version bump. */
const BAD_CUSTOM = edited(RECIPE, {
  "abra.sh": ["=v1", "=v2"],
  "nginx.conf.tmpl": TYPES_EDIT,
});
/** B7: the template edit without its version bump. */
const UNBUMPED = edited(RECIPE, { "nginx.conf.tmpl": TYPES_EDIT });

const BACKUP_FIX =
  "Restore everything an earlier tier reads from main: a backup canary changes only backupbot.backup* labels of services (list or map form).";
const earlier = (message: string, rest: Partial<CheckResult> = {}): CheckResult => ({
  id: "earlier-tiers",
  status: "fail",
  message,
  ...rest,
});

describe("earlier-tiers", () => {
  it.each<Row>([
    [
      "no tier",
      null,
      BAD_IMAGE,
      { id: "earlier-tiers", status: "skip", message: "no tier: set tier: to check it" },
    ],
    [
      "install: nothing runs before it",
      "install",
      BAD_IMAGE,
      { id: "earlier-tiers", status: "pass", message: "install is the first tier" },
    ],
    [
      "upgrade: the install it follows is of the previous version (§2.2)",
      "upgrade",
      BAD_IMAGE,
      {
        id: "earlier-tiers",
        status: "pass",
        message:
          "an upgrade canary is installed from the previous version, which the change cannot break",
      },
    ],
    [
      "the pin does not resolve (B1): not checked",
      "backup",
      { ...RECIPE, "compose.yml": "" },
      { id: "earlier-tiers", status: "skip", message: AT_PIN },
    ],
    [
      "bad-backup: a backup path label only (§2.3)",
      "backup",
      BAD_BACKUP,
      {
        id: "earlier-tiers",
        status: "pass",
        message: "nothing an earlier tier reads changed (everything install and upgrade read)",
      },
    ],
    [
      "bad-restore: the wrong backup path (§2.4)",
      "restore",
      edited(RECIPE, { "compose.yml": addLabel("backupbot.backup.volumes.content.path=50x.html") }),
      {
        id: "earlier-tiers",
        status: "pass",
        message:
          "nothing an earlier tier reads changed (as backup, plus what makes the backup itself fail)",
      },
    ],
    [
      "bad-custom: the template with its version bump (§2.5)",
      "custom",
      BAD_CUSTOM,
      {
        id: "earlier-tiers",
        status: "pass",
        message:
          "nothing an earlier tier reads changed (as backup, except config templates whose version is bumped together with them, and routing rules)",
      },
    ],
    [
      "a backup canary that adds a restore hook: a later tier, not an earlier one",
      "backup",
      edited(RECIPE, {
        "compose.yml": addLabel("backupbot.restore.post-hook=/pg_backup.sh restor"),
      }),
      {
        id: "earlier-tiers",
        status: "pass",
        message: "nothing an earlier tier reads changed (everything install and upgrade read)",
      },
    ],
    [
      "a backup canary that changes a container label: nothing reads it (effective-change says so)",
      "backup",
      edited(RECIPE, {
        "compose.yml": ["    environment:\n", "    labels:\n      - foo=bar\n    environment:\n"],
      }),
      {
        id: "earlier-tiers",
        status: "pass",
        message: "nothing an earlier tier reads changed (everything install and upgrade read)",
      },
    ],
    [
      "a backup canary that changes the template under the same name: config-version's to say (B7)",
      "backup",
      UNBUMPED,
      {
        id: "earlier-tiers",
        status: "pass",
        message: "nothing an earlier tier reads changed (everything install and upgrade read)",
      },
    ],
    [
      "B6: bad-backup that also breaks the image",
      "backup",
      edited(BAD_BACKUP, { "compose.yml": ["nginx:1.27", "nginx:1.27.99"] }),
      earlier(
        "services.app.image changed (nginx:1.27 -> nginx:1.27.99): install would go red before backup",
        {
          fix: BACKUP_FIX,
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
      ),
    ],
    [
      "B4: bad-backup that also bumps the version label and the image: both listed",
      "backup",
      edited(BAD_BACKUP, {
        "compose.yml": [
          ["nginx:1.27", "nginx:1.27.99"],
          ["version=1.0.0+1.27", "version=1.0.1+1.27"],
        ],
      }),
      earlier(
        "2 changes an earlier tier reads: services.app.image changed (nginx:1.27 -> nginx:1.27.99): install would go red before backup (and 1 more)",
        {
          details: [
            "services.app deploy label coop-cloud.${STACK_NAME}.version changed (1.0.0+1.27 -> 1.0.1+1.27): upgrade would go red before backup",
          ],
          fix: BACKUP_FIX,
          causes: [
            {
              kind: "earlier-tier",
              keyPath: ["services", "app", "image"],
              before: "nginx:1.27",
              after: "nginx:1.27.99",
              tier: "install",
              files: ["compose.yml"],
            },
            {
              kind: "earlier-tier",
              keyPath: ["services", "app", "deploy", "labels", "coop-cloud.${STACK_NAME}.version"],
              before: "1.0.0+1.27",
              after: "1.0.1+1.27",
              tier: "upgrade",
              files: ["compose.yml"],
            },
          ],
        },
      ),
    ],
    [
      "a backup canary that adds a service; the files named are the inputs of the deployment (not README.md)",
      "backup",
      edited(BAD_BACKUP, {
        "compose.yml": [TOP_CONFIGS, `${WORKER}${TOP_CONFIGS}`],
        ".env.sample": ["DOMAIN=", "# the app's domain\nDOMAIN="],
        "abra.sh": ["export", "# versions of the configs\nexport"],
        "README.md": "# custom-html, with a worker\n",
      }),
      earlier(
        'services.worker changed (absent -> {"image":"redis:7"}): install would go red before backup',
        {
          fix: BACKUP_FIX,
          causes: [
            {
              kind: "earlier-tier",
              keyPath: ["services", "worker"],
              before: "absent",
              after: '{"image":"redis:7"}',
              tier: "install",
              files: [".env.sample", "abra.sh", "compose.yml"],
            },
          ],
        },
      ),
    ],
    [
      "a backup canary that drops a service",
      "backup",
      RECIPE,
      earlier(
        'services.worker changed ({"image":"redis:7"} -> absent): install would go red before backup',
        {
          fix: BACKUP_FIX,
          causes: [
            {
              kind: "earlier-tier",
              keyPath: ["services", "worker"],
              before: '{"image":"redis:7"}',
              after: "absent",
              tier: "install",
              files: ["compose.yml"],
            },
          ],
        },
      ),
      edited(RECIPE, { "compose.yml": [TOP_CONFIGS, `${WORKER}${TOP_CONFIGS}`] }),
    ],
    [
      "a backup canary that bumps the template into a new file: the files both ends read are named",
      "backup",
      edited(RECIPE, {
        "abra.sh": ["=v1", "=v2"],
        "compose.yml": ["file: nginx.conf.tmpl", "file: nginx.v2.conf.tmpl"],
        "nginx.conf.tmpl": null,
        "nginx.v2.conf.tmpl": edited(RECIPE, { "nginx.conf.tmpl": TYPES_EDIT })[
          "nginx.conf.tmpl"
        ] as string,
      }),
      earlier(
        `services.app config at ${MOUNT} mounts \${STACK_NAME}_nginx_conf_v2 instead of ${CONFIG_NAME}, with new content: install would go red before backup`,
        {
          fix: BACKUP_FIX,
          causes: [
            {
              kind: "earlier-tier",
              keyPath: ["services", "app", "configs", MOUNT, "name"],
              before: CONFIG_NAME,
              after: "${STACK_NAME}_nginx_conf_v2",
              tier: "install",
              files: ["abra.sh", "compose.yml", "nginx.conf.tmpl", "nginx.v2.conf.tmpl"],
            },
          ],
        },
      ),
    ],
    [
      "B10's shape: a restore canary that turns the backup off",
      "restore",
      edited(RECIPE, { "compose.yml": [BACKUP_LABEL, '        - "backupbot.backup=false"\n'] }),
      earlier(
        "services.app deploy label backupbot.backup changed (true -> false): backup would go red before restore",
        {
          fix: "Restore everything an earlier tier reads from main: a restore canary changes only backupbot.restore* labels, and backupbot.backup.volumes.*.path (backing up the wrong file).",
          causes: [
            {
              kind: "earlier-tier",
              keyPath: ["services", "app", "deploy", "labels", "backupbot.backup"],
              before: "true",
              after: "false",
              tier: "backup",
              files: ["compose.yml"],
            },
          ],
        },
      ),
    ],
  ])("%s", (_name, tier, pin, expected, base = RECIPE) => {
    expect(checkEarlierTiers(context(base, pin, tier))).toEqual(expected);
  });
});

const CONFIG_FIX = "Bump the config's version variable together with the file it reads.";
const SWARM = "swarm configs cannot change, so upgrade would go red first";
const unversioned = (
  message: string,
  cause: Record<string, unknown>,
  rest: Partial<CheckResult> = {},
): CheckResult => ({
  id: "config-version",
  status: "fail",
  message,
  fix: CONFIG_FIX,
  causes: [{ kind: "unversioned-config", ...cause }],
  ...rest,
});
const NGINX_CAUSE = {
  path: "nginx.conf.tmpl",
  files: ["nginx.conf.tmpl"],
  keyPath: ["configs", CONFIG_NAME],
  name: "config nginx_conf",
  variable: "NGINX_CONF_VERSION",
  where: "abra.sh",
};
/** A second config, `extra_conf`, versioned by EXTRA_CONF_VERSION in abra.sh. */
const WITH_EXTRA = edited(RECIPE, {
  "compose.yml": [
    TOP_CONFIGS,
    "configs:\n  extra_conf:\n    name: ${STACK_NAME}_extra_conf_${EXTRA_CONF_VERSION}\n    file: extra.conf\n  nginx_conf:\n",
  ],
  "abra.sh": "export NGINX_CONF_VERSION=v1\nexport EXTRA_CONF_VERSION=v1\n",
  "extra.conf": "gzip on;\n",
});
/** A secret read from a file, versioned by SMTP_PASSWORD_VERSION in abra.sh. */
const WITH_SECRET = edited(RECIPE, {
  "compose.yml": [
    TOP_CONFIGS,
    "secrets:\n  smtp_password:\n    name: ${STACK_NAME}_smtp_password_${SMTP_PASSWORD_VERSION}\n    file: smtp_password.txt\n" +
      TOP_CONFIGS,
  ],
  "abra.sh": "export NGINX_CONF_VERSION=v1\nexport SMTP_PASSWORD_VERSION=v1\n",
  "smtp_password.txt": "hunter2\n",
});
/** Two secrets read from files, each versioned by its own variable in abra.sh. */
const WITH_SECRETS = edited(WITH_SECRET, {
  "compose.yml": [
    TOP_CONFIGS,
    "  smtp_user:\n    name: ${STACK_NAME}_smtp_user_${SMTP_USER_VERSION}\n    file: smtp_user.txt\n" +
      TOP_CONFIGS,
  ],
  "abra.sh": [
    "SMTP_PASSWORD_VERSION=v1\n",
    "SMTP_PASSWORD_VERSION=v1\nexport SMTP_USER_VERSION=v1\n",
  ],
  "smtp_user.txt": "mailer\n",
});
/** A secret a secrets driver plugin provides (`driver:`): swarm takes it from the plugin, no file. */
const DRIVER_SECRET = "    driver: vault\n";
const WITH_DRIVER_SECRET = edited(RECIPE, {
  "compose.yml": [
    TOP_CONFIGS,
    `secrets:\n  smtp_password:\n    name: \${STACK_NAME}_smtp_password_\${SMTP_PASSWORD_VERSION}\n${DRIVER_SECRET}${TOP_CONFIGS}`,
  ],
  "abra.sh": "export NGINX_CONF_VERSION=v1\nexport SMTP_PASSWORD_VERSION=v1\n",
});
const SMTP_PASSWORD_CAUSE = {
  keyPath: ["secrets", "${STACK_NAME}_smtp_password_v1"],
  name: "secret smtp_password",
  variable: "SMTP_PASSWORD_VERSION",
  where: "abra.sh",
};
const SECRET_SWARM =
  "swarm secrets cannot change, so upgrade would go red first; bump SMTP_PASSWORD_VERSION in abra.sh with the change";

describe("config-version", () => {
  it.each<Row>([
    [
      "upgrade: the canary's change is the unbumped config itself (§2.2b)",
      "upgrade",
      UNBUMPED,
      {
        id: "config-version",
        status: "skip",
        message: "an upgrade canary may change a config without its version",
      },
    ],
    [
      "the merge-base does not resolve: not checked",
      "custom",
      UNBUMPED,
      { id: "config-version", status: "skip", message: AT_BASE },
      edited(RECIPE, { "compose.yml": null }),
    ],
    [
      "no config changed",
      "install",
      BAD_IMAGE,
      {
        id: "config-version",
        status: "pass",
        message: "no config or secret changed its content under the same name",
      },
    ],
    [
      "bad-custom: the template comes with its version bump (§2.5)",
      "custom",
      BAD_CUSTOM,
      {
        id: "config-version",
        status: "pass",
        message: "every changed config comes with a new name (${STACK_NAME}_nginx_conf_v2)",
      },
    ],
    [
      "B7: bad-custom without its version bump",
      "custom",
      UNBUMPED,
      unversioned(
        `nginx.conf.tmpl changed, but config nginx_conf keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in abra.sh with the change`,
        NGINX_CAUSE,
      ),
    ],
    [
      "B7 with no tier: the same",
      null,
      UNBUMPED,
      unversioned(
        `nginx.conf.tmpl changed, but config nginx_conf keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in abra.sh with the change`,
        NGINX_CAUSE,
      ),
    ],
    [
      "the version variable is set in .env.sample: bump it there",
      "custom",
      edited(RECIPE, {
        ".env.sample": `${ENV_SAMPLE}NGINX_CONF_VERSION=v1\n`,
        "abra.sh": "",
        "nginx.conf.tmpl": TYPES_EDIT,
      }),
      unversioned(
        `nginx.conf.tmpl changed, but config nginx_conf keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in .env.sample with the change`,
        { ...NGINX_CAUSE, where: ".env.sample" },
      ),
      edited(RECIPE, { ".env.sample": `${ENV_SAMPLE}NGINX_CONF_VERSION=v1\n`, "abra.sh": "" }),
    ],
    [
      "the version variable has only a default in compose.yml: export it in abra.sh",
      "custom",
      edited(RECIPE, {
        "compose.yml": ["${NGINX_CONF_VERSION}", "${NGINX_CONF_VERSION:-v1}"],
        "abra.sh": "",
        "nginx.conf.tmpl": TYPES_EDIT,
      }),
      unversioned(
        `nginx.conf.tmpl changed, but config nginx_conf keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in abra.sh with the change`,
        NGINX_CAUSE,
      ),
      edited(RECIPE, {
        "compose.yml": ["${NGINX_CONF_VERSION}", "${NGINX_CONF_VERSION:-v1}"],
        "abra.sh": "",
      }),
    ],
    [
      "a config name with no version in it: give it a new name",
      "custom",
      edited(RECIPE, {
        "compose.yml": ["_nginx_conf_${NGINX_CONF_VERSION}", "_nginx_conf"],
        "nginx.conf.tmpl": TYPES_EDIT,
      }),
      unversioned(
        `nginx.conf.tmpl changed, but config nginx_conf keeps its name (\${STACK_NAME}_nginx_conf): ${SWARM}; give the config a new name with the change`,
        {
          path: "nginx.conf.tmpl",
          files: ["nginx.conf.tmpl"],
          keyPath: ["configs", "${STACK_NAME}_nginx_conf"],
          name: "config nginx_conf",
        },
      ),
      edited(RECIPE, { "compose.yml": ["_nginx_conf_${NGINX_CONF_VERSION}", "_nginx_conf"] }),
    ],
    [
      "the config reads another file under the same name",
      "custom",
      edited(RECIPE, {
        "compose.yml": ["file: nginx.conf.tmpl", "file: nginx.v2.conf.tmpl"],
        "nginx.v2.conf.tmpl": edited(RECIPE, { "nginx.conf.tmpl": TYPES_EDIT })[
          "nginx.conf.tmpl"
        ] as string,
      }),
      unversioned(
        `config nginx_conf now reads nginx.v2.conf.tmpl instead of nginx.conf.tmpl, but keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in abra.sh with the change`,
        { ...NGINX_CAUSE, path: "nginx.v2.conf.tmpl", files: ["nginx.v2.conf.tmpl"] },
      ),
    ],
    [
      "the template driver goes, under the same name",
      "custom",
      edited(RECIPE, { "compose.yml": ["    template_driver: golang\n", ""] }),
      unversioned(
        `config nginx_conf's template driver changed, but it keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in abra.sh with the change`,
        NGINX_CAUSE,
      ),
    ],
    [
      "a secret read from a file, changed under the same name",
      "custom",
      edited(WITH_SECRET, { "smtp_password.txt": "correct horse battery staple\n" }),
      unversioned(
        `smtp_password.txt changed, but secret smtp_password keeps its name (\${STACK_NAME}_smtp_password_v1): swarm secrets cannot change, so upgrade would go red first; bump SMTP_PASSWORD_VERSION in abra.sh with the change`,
        {
          path: "smtp_password.txt",
          files: ["smtp_password.txt"],
          keyPath: ["secrets", "${STACK_NAME}_smtp_password_v1"],
          name: "secret smtp_password",
          variable: "SMTP_PASSWORD_VERSION",
          where: "abra.sh",
        },
      ),
      WITH_SECRET,
    ],
    [
      "two configs changed under their names: both listed",
      "custom",
      edited(WITH_EXTRA, { "nginx.conf.tmpl": TYPES_EDIT, "extra.conf": "gzip off;\n" }),
      unversioned(
        `2 configs changed without a new version: extra.conf changed, but config extra_conf keeps its name (\${STACK_NAME}_extra_conf_v1): ${SWARM}; bump EXTRA_CONF_VERSION in abra.sh with the change (and 1 more)`,
        {
          path: "extra.conf",
          files: ["extra.conf"],
          keyPath: ["configs", "${STACK_NAME}_extra_conf_v1"],
          name: "config extra_conf",
          variable: "EXTRA_CONF_VERSION",
          where: "abra.sh",
        },
        {
          details: [
            `nginx.conf.tmpl changed, but config nginx_conf keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in abra.sh with the change`,
          ],
          causes: [
            {
              kind: "unversioned-config",
              path: "extra.conf",
              files: ["extra.conf"],
              keyPath: ["configs", "${STACK_NAME}_extra_conf_v1"],
              name: "config extra_conf",
              variable: "EXTRA_CONF_VERSION",
              where: "abra.sh",
            },
            { kind: "unversioned-config", ...NGINX_CAUSE },
          ],
        },
      ),
      WITH_EXTRA,
    ],
    [
      "the version variable has no value anywhere: cannot tell",
      "custom",
      edited(RECIPE, { "abra.sh": null, "nginx.conf.tmpl": TYPES_EDIT }),
      {
        id: "config-version",
        status: "warn",
        message:
          "nginx.conf.tmpl changed, but config nginx_conf keeps its name (${STACK_NAME}_nginx_conf_), as far as can be told: NGINX_CONF_VERSION has no value in .env.sample or abra.sh",
      },
      edited(RECIPE, { "abra.sh": null }),
    ],
    [
      "two variables of the name have no value: cannot tell",
      "custom",
      edited(RECIPE, {
        "compose.yml": ["_nginx_conf_", "_${CONF_PREFIX}_conf_"],
        "abra.sh": null,
        "nginx.conf.tmpl": TYPES_EDIT,
      }),
      {
        id: "config-version",
        status: "warn",
        message:
          "nginx.conf.tmpl changed, but config nginx_conf keeps its name (${STACK_NAME}__conf_), as far as can be told: CONF_PREFIX, NGINX_CONF_VERSION have no value in .env.sample or abra.sh",
      },
      edited(RECIPE, { "compose.yml": ["_nginx_conf_", "_${CONF_PREFIX}_conf_"], "abra.sh": null }),
    ],
    [
      "one config unversioned, another unknown: the known failure fails",
      "custom",
      edited(WITH_EXTRA, {
        "abra.sh": "export NGINX_CONF_VERSION=v1\n",
        "nginx.conf.tmpl": TYPES_EDIT,
        "extra.conf": "gzip off;\n",
      }),
      unversioned(
        `nginx.conf.tmpl changed, but config nginx_conf keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in abra.sh with the change`,
        NGINX_CAUSE,
      ),
      edited(WITH_EXTRA, { "abra.sh": "export NGINX_CONF_VERSION=v1\n" }),
    ],
    [
      "two secrets changed under their names: counted as secrets",
      "custom",
      edited(WITH_SECRETS, {
        "smtp_password.txt": "correct horse battery staple\n",
        "smtp_user.txt": "postmaster\n",
      }),
      unversioned(
        `2 secrets changed without a new version: smtp_password.txt changed, but secret smtp_password keeps its name (\${STACK_NAME}_smtp_password_v1): ${SECRET_SWARM} (and 1 more)`,
        { path: "smtp_password.txt", files: ["smtp_password.txt"], ...SMTP_PASSWORD_CAUSE },
        {
          details: [
            "smtp_user.txt changed, but secret smtp_user keeps its name (${STACK_NAME}_smtp_user_v1): swarm secrets cannot change, so upgrade would go red first; bump SMTP_USER_VERSION in abra.sh with the change",
          ],
          causes: [
            {
              kind: "unversioned-config",
              path: "smtp_password.txt",
              files: ["smtp_password.txt"],
              ...SMTP_PASSWORD_CAUSE,
            },
            {
              kind: "unversioned-config",
              path: "smtp_user.txt",
              files: ["smtp_user.txt"],
              keyPath: ["secrets", "${STACK_NAME}_smtp_user_v1"],
              name: "secret smtp_user",
              variable: "SMTP_USER_VERSION",
              where: "abra.sh",
            },
          ],
        },
      ),
      WITH_SECRETS,
    ],
    [
      "a secret a driver provided now reads a file, under the same name",
      "custom",
      edited(WITH_DRIVER_SECRET, {
        "compose.yml": [DRIVER_SECRET, "    file: smtp_password.txt\n"],
        "smtp_password.txt": "hunter2\n",
      }),
      unversioned(
        `secret smtp_password now reads smtp_password.txt instead of (no file), but keeps its name (\${STACK_NAME}_smtp_password_v1): ${SECRET_SWARM}`,
        { path: "smtp_password.txt", files: ["smtp_password.txt"], ...SMTP_PASSWORD_CAUSE },
      ),
      WITH_DRIVER_SECRET,
    ],
    [
      "a driver's secret (no file) gets a template driver, under the same name",
      "custom",
      edited(WITH_DRIVER_SECRET, {
        "compose.yml": [DRIVER_SECRET, `${DRIVER_SECRET}    template_driver: golang\n`],
      }),
      unversioned(
        `secret smtp_password's template driver changed, but it keeps its name (\${STACK_NAME}_smtp_password_v1): ${SECRET_SWARM}`,
        { path: "(no file)", files: ["(no file)"], ...SMTP_PASSWORD_CAUSE },
      ),
      WITH_DRIVER_SECRET,
    ],
  ])("%s", (_name, tier, pin, expected, base = RECIPE) => {
    expect(checkConfigVersion(context(base, pin, tier))).toEqual(expected);
  });

  it("a config and a secret changed under their names: counted as configs and secrets", () => {
    const pin = edited(WITH_SECRET, {
      "nginx.conf.tmpl": TYPES_EDIT,
      "smtp_password.txt": "correct horse battery staple\n",
    });
    const secret = `smtp_password.txt changed, but secret smtp_password keeps its name (\${STACK_NAME}_smtp_password_v1): swarm secrets cannot change, so upgrade would go red first; bump SMTP_PASSWORD_VERSION in abra.sh with the change`;
    const config = `nginx.conf.tmpl changed, but config nginx_conf keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in abra.sh with the change`;
    const secretCause = {
      kind: "unversioned-config",
      path: "smtp_password.txt",
      files: ["smtp_password.txt"],
      keyPath: ["secrets", "${STACK_NAME}_smtp_password_v1"],
      name: "secret smtp_password",
      variable: "SMTP_PASSWORD_VERSION",
      where: "abra.sh",
    };
    expect(checkConfigVersion(context(WITH_SECRET, pin, "custom"))).toEqual({
      id: "config-version",
      status: "fail",
      message: `2 configs and secrets changed without a new version: ${config} (and 1 more)`,
      details: [secret],
      fix: CONFIG_FIX,
      causes: [{ kind: "unversioned-config", ...NGINX_CAUSE }, secretCause],
    });
  });

  it("the only changed config is allowed by its rule: a pass that says so", () => {
    const pin = edited(WITH_EXTRA, { "extra.conf": "gzip off;\n" });
    const rules = [rule("extra.conf", { allow: ["unversioned-config"] })];
    expect(checkConfigVersion(context(WITH_EXTRA, pin, null, rules))).toEqual({
      id: "config-version",
      status: "pass",
      message:
        "config extra_conf changes its content under the same name, as its rule allows (allow: unversioned-config)",
    });
  });

  it("two changed configs, both allowed by their rules: a pass that names both", () => {
    const pin = edited(WITH_EXTRA, { "nginx.conf.tmpl": TYPES_EDIT, "extra.conf": "gzip off;\n" });
    const rules = [
      rule("extra.conf", { allow: ["unversioned-config"] }),
      rule("nginx.conf.tmpl", { allow: ["unversioned-config"] }),
    ];
    expect(checkConfigVersion(context(WITH_EXTRA, pin, null, rules))).toEqual({
      id: "config-version",
      status: "pass",
      message:
        "config extra_conf, config nginx_conf change their content under the same name, as its rule allows (allow: unversioned-config)",
    });
  });

  it("one config bumped with its template, another allowed by its rule: the pass says both", () => {
    const pin = edited(WITH_EXTRA, {
      "abra.sh": ["NGINX_CONF_VERSION=v1", "NGINX_CONF_VERSION=v2"],
      "nginx.conf.tmpl": TYPES_EDIT,
      "extra.conf": "gzip off;\n",
    });
    const rules = [rule("extra.conf", { allow: ["unversioned-config"] })];
    expect(checkConfigVersion(context(WITH_EXTRA, pin, "custom", rules))).toEqual({
      id: "config-version",
      status: "pass",
      message:
        "every changed config comes with a new name (${STACK_NAME}_nginx_conf_v2); config extra_conf changes its content under the same name, as its rule allows (allow: unversioned-config)",
    });
  });

  it("a file whose rule allows unversioned-config is not held against the fixture; the others are", () => {
    const pin = edited(WITH_EXTRA, { "nginx.conf.tmpl": TYPES_EDIT, "extra.conf": "gzip off;\n" });
    const rules = [rule("extra.conf", { allow: ["unversioned-config"] }), rule("nginx.conf.tmpl")];
    expect(checkConfigVersion(context(WITH_EXTRA, pin, null, rules))).toEqual(
      unversioned(
        `nginx.conf.tmpl changed, but config nginx_conf keeps its name (${CONFIG_NAME}): ${SWARM}; bump NGINX_CONF_VERSION in abra.sh with the change`,
        NGINX_CAUSE,
      ),
    );
  });
});

const NO_EFFECT = "the change does not reach what abra deploys, so this canary can never go red";
const EFFECT_FIX =
  "Change what the default deployment runs: the value itself, in a label backup-bot-two reads, under deploy.labels, in a file COMPOSE_FILE names.";
/** effective-change's failure: the first reason in the message, the others as details. */
const noOp = (files: string[], reasons: string[], first = reasons[0]): CheckResult => ({
  id: "effective-change",
  status: "fail",
  message: `${NO_EFFECT}: ${first}`,
  ...(reasons.length > 1 ? { details: reasons.slice(1) } : {}),
  fix: EFFECT_FIX,
  causes: [{ kind: "no-op", files, reasons }],
});
const effective = (
  status: "pass" | "warn" | "skip",
  message: string,
  details?: string[],
): CheckResult => ({
  id: "effective-change",
  status,
  message,
  ...(details ? { details } : {}),
});
const outsideOnly = (files: string) =>
  `${files} is not part of what abra deploys, and nothing else of the deployment changes: unless the recipe CI reads it, this canary can never go red`;

const FUNCTIONS = "\nreload_nginx () {\n  nginx -s reload\n}\n";
const WITH_FUNCTIONS: Tree = {
  ...RECIPE,
  "abra.sh": `export NGINX_CONF_VERSION=v1\nexport PHP_MEMORY_LIMIT=256M\n${FUNCTIONS}`,
};
/** abra.sh with a command that writes a file through a heredoc: its "#" lines are content. */
const WITH_HEREDOC: Tree = {
  ...RECIPE,
  "abra.sh": `export NGINX_CONF_VERSION=v1\n\nwrite_conf () {\n  cat > /etc/nginx/extra.conf <<EOF\n# gzip on\nEOF\n}\n`,
};
const PROD = 'version: "3.8"\nservices:\n  app:\n    image: nginx:1.27-alpine\n';
/** compose.yml and compose.prod.yml, both in COMPOSE_FILE (the overlay merged after the base). */
const WITH_PROD: Tree = {
  ...RECIPE,
  ".env.sample": `COMPOSE_FILE=compose.yml:compose.prod.yml\n${ENV_SAMPLE}`,
  "compose.prod.yml": PROD,
};
const SMTP = 'version: "3.8"\nservices:\n  app:\n    environment:\n      - SMTP_HOST=mail\n';
const WITH_SMTP: Tree = { ...RECIPE, "compose.smtp.yml": SMTP };
const WITH_ENV = (lines: string): Tree =>
  edited(RECIPE, { "compose.yml": ["      - DOMAIN\n", `      - DOMAIN\n${lines}`] });
const ANCHORED = [
  'version: "3.8"',
  "x-defaults: &defaults",
  "  image: nginx:${NGINX_TAG:-1.27}",
  "services:",
  "  app:",
  "    <<: *defaults",
  "",
].join("\n");

/** custom-html with its config's version in .env.sample, and no abra.sh at all. */
const NO_ABRA_SH: Tree = edited(RECIPE, {
  ".env.sample": `${ENV_SAMPLE}NGINX_CONF_VERSION=v1\n`,
  "abra.sh": null,
});
/** As NO_ABRA_SH, with an abra.sh that only defines a command. */
const ABRA_SH_COMMAND_ONLY: Tree = { ...NO_ABRA_SH, "abra.sh": FUNCTIONS };
const COMMENT_ONLY = "# commands come later\n";
const COMMANDS_CHANGE =
  "abra.sh's commands change (abra app cmd runs them, and so may a custom test)";
/** An overlay that sets what compose.yml already sets. */
const SAME_IMAGE = 'version: "3.8"\nservices:\n  app:\n    image: nginx:1.27\n';

describe("effective-change", () => {
  it.each<Row>([
    ["nothing changed", "backup", RECIPE, effective("skip", "nothing changed")],
    [
      "the pin does not resolve (B1): not checked",
      "backup",
      { ...RECIPE, "compose.yml": "" },
      effective("skip", AT_PIN),
    ],
    [
      "the pin has a problem the merge-base did not have: compose-valid's to say",
      "install",
      edited(RECIPE, {
        "compose.yml": ["- DOMAIN\n", "- DOMAIN\n      - SMTP_HOST=${SMTP_HOST:?set it}\n"],
      }),
      effective(
        "skip",
        "not checked: docker stack deploy refuses the default deployment at the pin (see compose-valid)",
      ),
    ],
    [
      "a problem both ends have is not the change's: the image change is judged",
      "install",
      edited(WITH_ENV("      - SMTP_HOST=${SMTP_HOST:?set it}\n"), {
        "compose.yml": ["nginx:1.27", "nginx:1.27.99"],
      }),
      effective("pass", "the deployment changes: services.app.image"),
      WITH_ENV("      - SMTP_HOST=${SMTP_HOST:?set it}\n"),
    ],
    [
      "bad-backup (§2.3): backup-bot-two reads the label",
      "backup",
      BAD_BACKUP,
      effective(
        "pass",
        "the deployment changes: services.app deploy label backupbot.backup.volumes.content.path",
      ),
    ],
    [
      "four changes: three named; what nothing reads (restart) is not one of them",
      "install",
      edited(BAD_BACKUP, {
        "compose.yml": [
          ["nginx:1.27", "nginx:1.27.99"],
          ["      - DOMAIN\n", "      - DOMAIN\n      - LOG_LEVEL=debug\n    restart: always\n"],
          ["version=1.0.0+1.27", "version=1.0.1+1.27"],
        ],
      }),
      effective(
        "pass",
        "the deployment changes: services.app.image, services.app environment LOG_LEVEL, services.app deploy label coop-cloud.${STACK_NAME}.version and 1 more",
      ),
    ],
    [
      "abra.sh's commands change: abra app cmd runs them",
      "custom",
      edited(WITH_FUNCTIONS, { "abra.sh": ["-s reload", "-s reopen"] }),
      effective(
        "pass",
        "abra.sh's commands change (abra app cmd runs them, and so may a custom test)",
      ),
      WITH_FUNCTIONS,
    ],
    [
      "abra.sh's commands change and its exports move: still the same exports",
      "custom",
      edited(WITH_FUNCTIONS, {
        "abra.sh": `export PHP_MEMORY_LIMIT=256M\nexport NGINX_CONF_VERSION=v1\n${FUNCTIONS.replace("reload", "reopen")}`,
      }),
      effective(
        "pass",
        "abra.sh's commands change (abra app cmd runs them, and so may a custom test)",
      ),
      WITH_FUNCTIONS,
    ],
    [
      "abra.sh: a comment and a blank line added, nothing runs differently (fail: the canary cannot go red)",
      "custom",
      edited(WITH_FUNCTIONS, {
        "abra.sh": ["\nreload_nginx", "\n# reload without a restart\n\nreload_nginx"],
      }),
      noOp(["abra.sh"], ["abra.sh: a comment or formatting change only"]),
      WITH_FUNCTIONS,
    ],
    [
      "abra.sh: only the exports reordered and re-indented trailing spaces (fail)",
      "custom",
      edited(WITH_FUNCTIONS, {
        "abra.sh": `export PHP_MEMORY_LIMIT=256M\nexport NGINX_CONF_VERSION=v1\n${FUNCTIONS.replace("reload\n", "reload   \n")}`,
      }),
      noOp(["abra.sh"], ["abra.sh: a comment or formatting change only"]),
      WITH_FUNCTIONS,
    ],
    [
      "abra.sh: a '#' line inside a heredoc is what the command writes, not a comment (pass)",
      "custom",
      edited(WITH_HEREDOC, { "abra.sh": ["# gzip on", "# gzip off"] }),
      effective(
        "pass",
        "abra.sh's commands change (abra app cmd runs them, and so may a custom test)",
      ),
      WITH_HEREDOC,
    ],
    [
      "abra.sh's commands change, and a value of .env.sample nothing uses: the commands are the change",
      "custom",
      edited(WITH_FUNCTIONS, {
        "abra.sh": ["-s reload", "-s reopen"],
        ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=staging\n`,
      }),
      effective(
        "pass",
        "abra.sh's commands change (abra app cmd runs them, and so may a custom test)",
      ),
      { ...WITH_FUNCTIONS, ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=production\n` },
    ],
    [
      "abra.sh exports a new value nothing uses",
      "custom",
      edited(WITH_FUNCTIONS, { "abra.sh": ["=256M", "=512M"] }),
      noOp(
        ["abra.sh"],
        ["abra.sh: PHP_MEMORY_LIMIT changed, and nothing the default deployment runs uses it"],
      ),
      WITH_FUNCTIONS,
    ],
    [
      ".env.sample: a value changed, one gone, one new, none used",
      "custom",
      edited(RECIPE, {
        ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=staging\nADMIN_EMAIL=admin@example.com\n`,
      }),
      noOp(
        [".env.sample"],
        [
          ".env.sample: LETS_ENCRYPT_ENV changed, and nothing the default deployment runs uses it",
          ".env.sample: SMTP_HOST is gone, and nothing the default deployment runs uses it",
          ".env.sample: ADMIN_EMAIL is new, and nothing the default deployment runs uses it",
        ],
      ),
      edited(RECIPE, {
        ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=production\nSMTP_HOST=mail.example.com\n`,
      }),
    ],
    [
      ".env.sample: a comment only",
      "custom",
      edited(RECIPE, { ".env.sample": ["DOMAIN=", "# the app's domain\nDOMAIN="] }),
      noOp([".env.sample"], [".env.sample: a comment or formatting change only"]),
    ],
    [
      ".env.sample and abra.sh each change a value of their own",
      "custom",
      edited(WITH_FUNCTIONS, {
        ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=staging\n`,
        "abra.sh": ["export PHP_MEMORY_LIMIT=256M\n", ""],
      }),
      noOp(
        [".env.sample", "abra.sh"],
        [
          ".env.sample: LETS_ENCRYPT_ENV changed, and nothing the default deployment runs uses it",
          "abra.sh: PHP_MEMORY_LIMIT is gone, and nothing the default deployment runs uses it",
        ],
      ),
      { ...WITH_FUNCTIONS, ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=production\n` },
    ],
    [
      "a value changed in .env.sample, and abra.sh now exports its own: abra.sh's wins",
      "custom",
      {
        ...RECIPE,
        ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=staging\n`,
        "abra.sh": "export NGINX_CONF_VERSION=v1\nexport LETS_ENCRYPT_ENV=production-v2\n",
      },
      noOp(
        [".env.sample", "abra.sh"],
        [
          ".env.sample: LETS_ENCRYPT_ENV changed, but abra.sh's value wins",
          "abra.sh: LETS_ENCRYPT_ENV is new, and nothing the default deployment runs uses it",
        ],
      ),
      { ...RECIPE, ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=production\n` },
    ],
    [
      "a value changed in .env.sample that abra.sh exports too: abra.sh's value wins, so nothing changes",
      "custom",
      { ...RECIPE, ".env.sample": `${ENV_SAMPLE}NGINX_CONF_VERSION=v2\n` },
      noOp([".env.sample"], [".env.sample: NGINX_CONF_VERSION changed, but abra.sh's value wins"]),
      { ...RECIPE, ".env.sample": `${ENV_SAMPLE}NGINX_CONF_VERSION=v1\n` },
    ],
    [
      "COMPOSE_FILE written out as the default it already was: the same deployment",
      "custom",
      { ...RECIPE, ".env.sample": `COMPOSE_FILE=compose.yml\n${ENV_SAMPLE}` },
      noOp(
        [".env.sample"],
        [".env.sample: COMPOSE_FILE is new, and the deployment it selects is the same"],
      ),
    ],
    [
      "B8: a new default that .env.sample overrides",
      "backup",
      edited(RECIPE, { "compose.yml": [":-true}", ":-false}"] }),
      noOp(
        ["compose.yml"],
        [
          "compose.yml: ENABLE_BACKUPS is set to true in .env.sample, so the new default never applies",
        ],
      ),
    ],
    [
      "B8 in two services: said once",
      "backup",
      edited(RECIPE, {
        "compose.yml": [
          [":-true}", ":-false}"],
          [
            TOP_CONFIGS,
            `${WORKER}    deploy:\n      labels:\n        - "backupbot.backup=\${ENABLE_BACKUPS:-false}"\n${TOP_CONFIGS}`,
          ],
        ],
      }),
      noOp(
        ["compose.yml"],
        [
          "compose.yml: ENABLE_BACKUPS is set to true in .env.sample, so the new default never applies",
        ],
      ),
      edited(RECIPE, {
        "compose.yml": [
          TOP_CONFIGS,
          `${WORKER}    deploy:\n      labels:\n        - "backupbot.backup=\${ENABLE_BACKUPS:-true}"\n${TOP_CONFIGS}`,
        ],
      }),
    ],
    [
      "B8 and B9 in one fixture: the label the diff has, and the default it does not",
      "backup",
      edited(RECIPE, {
        "compose.yml": [
          addLabel("backupbot.backup.path=/usr/share/nginx/html") as [string, string],
          [":-true}", ":-false}"],
        ],
      }),
      noOp(
        ["compose.yml"],
        [
          "services.app deploy label backupbot.backup.path: backup-bot-two reads its labels by exact name only, so v1's backupbot.backup.path and misspelt names change nothing",
          "compose.yml: ENABLE_BACKUPS is set to true in .env.sample, so the new default never applies",
        ],
      ),
    ],
    [
      "B8 under a later compose file that does not set the label",
      "backup",
      edited(WITH_PROD, { "compose.yml": [":-true}", ":-false}"] }),
      noOp(
        ["compose.yml"],
        [
          "compose.yml: ENABLE_BACKUPS is set to true in .env.sample, so the new default never applies",
        ],
      ),
      WITH_PROD,
    ],
    [
      "B9: the legacy v1 label, which backup-bot-two does not read",
      "backup",
      edited(RECIPE, { "compose.yml": addLabel("backupbot.backup.path=/usr/share/nginx/html") }),
      noOp(
        ["compose.yml"],
        [
          "services.app deploy label backupbot.backup.path: backup-bot-two reads its labels by exact name only, so v1's backupbot.backup.path and misspelt names change nothing",
        ],
      ),
    ],
    [
      "a comment in compose.yml",
      "install",
      edited(RECIPE, { "compose.yml": ["services:\n", "services:\n  # the web server\n"] }),
      noOp(
        ["compose.yml"],
        ["compose.yml: a comment or formatting change only: it parses to the same document"],
      ),
    ],
    [
      "the template made executable: swarm keeps its content, which is the same",
      "custom",
      { ...RECIPE, "nginx.conf.tmpl": { mode: MODE.executable, content: NGINX_CONF } },
      noOp(["nginx.conf.tmpl"], [], "the deployment is the same at both ends"),
    ],
    [
      "a declared external secret nothing mounts",
      "install",
      edited(RECIPE, {
        "compose.yml": [
          TOP_CONFIGS,
          `secrets:\n  smtp_password:\n    external: true\n${TOP_CONFIGS}`,
        ],
      }),
      noOp(["compose.yml"], ["secret smtp_password: no service mounts it, so nothing reads it"]),
    ],
    [
      "a declared config nothing mounts, with its new file",
      "install",
      edited(RECIPE, {
        "compose.yml": [
          TOP_CONFIGS,
          "configs:\n  extra_conf:\n    name: extra_conf\n    file: extra.conf\n  nginx_conf:\n",
        ],
        "extra.conf": "gzip on;\n",
      }),
      noOp(
        ["compose.yml", "extra.conf"],
        ["config extra_conf: no service mounts it, so nothing reads it"],
      ),
    ],
    [
      "README.md only",
      "backup",
      { ...RECIPE, "README.md": "# custom-html\n\nServes a volume.\n" },
      effective("warn", outsideOnly("README.md")),
    ],
    [
      "README.md only, in a recipe with an optional overlay the change does not touch",
      "backup",
      { ...WITH_SMTP, "README.md": "# custom-html\n\nServes a volume.\n" },
      effective("warn", outsideOnly("README.md")),
      WITH_SMTP,
    ],
    [
      "two files outside, and abra.sh's unused export: the others are details",
      "custom",
      {
        ...WITH_FUNCTIONS,
        "README.md": "# custom-html\n\nServes a volume.\n",
        "abra.sh": (WITH_FUNCTIONS["abra.sh"] as string).replace("=256M", "=512M"),
        "docs/backups.md": "Backups hold the content volume.\n",
      },
      effective(
        "warn",
        "README.md, docs/backups.md are not part of what abra deploys, and nothing else of the deployment changes: unless the recipe CI reads them, this canary can never go red",
        ["abra.sh: PHP_MEMORY_LIMIT changed, and nothing the default deployment runs uses it"],
      ),
      WITH_FUNCTIONS,
    ],
    [
      "an optional overlay only (no COMPOSE_FILE line names it)",
      "custom",
      edited(WITH_SMTP, { "compose.smtp.yml": ["=mail", "=mail.example.com"] }),
      noOp(
        ["compose.smtp.yml"],
        [
          "compose.smtp.yml is deployed only when an operator switches on compose.smtp.yml, which no COMPOSE_FILE line names; the recipe CI deploys compose.yml",
        ],
      ),
      WITH_SMTP,
    ],
    [
      "a value compose.prod.yml sets again, after compose.yml",
      "install",
      edited(WITH_PROD, { "compose.yml": ["nginx:1.27", "nginx:1.28"] }),
      noOp(
        ["compose.yml"],
        [
          "compose.yml: services.app.image is set again by compose.prod.yml, which abra merges after it",
        ],
      ),
      WITH_PROD,
    ],
    [
      "a new default in the last compose file, which .env.sample overrides",
      "install",
      {
        ...WITH_PROD,
        ".env.sample": `${WITH_PROD[".env.sample"]}NGINX_TAG=1.27\n`,
        "compose.prod.yml": PROD.replace("nginx:1.27-alpine", "nginx:${NGINX_TAG:-1.28}"),
      },
      noOp(
        ["compose.prod.yml"],
        [
          "compose.prod.yml: NGINX_TAG is set to 1.27 in .env.sample, so the new default never applies",
        ],
      ),
      {
        ...WITH_PROD,
        ".env.sample": `${WITH_PROD[".env.sample"]}NGINX_TAG=1.27\n`,
        "compose.prod.yml": PROD.replace("nginx:1.27-alpine", "nginx:${NGINX_TAG:-1.27}"),
      },
    ],
    [
      "a value that used a variable nobody sets, now empty: cannot tell",
      "install",
      WITH_ENV("      - APP_SECRET=\n"),
      effective(
        "warn",
        "cannot tell whether the change reaches the deployment: SECRET_KEY has no value in .env.sample or abra.sh",
      ),
      WITH_ENV("      - APP_SECRET=${SECRET_KEY}\n"),
    ],
    [
      "a variable renamed, neither set: cannot tell",
      "install",
      WITH_ENV("      - MAIL_FROM=${SMTP_SENDER}\n"),
      effective(
        "warn",
        "cannot tell whether the change reaches the deployment: SMTP_FROM, SMTP_SENDER have no value in .env.sample or abra.sh",
      ),
      WITH_ENV("      - MAIL_FROM=${SMTP_FROM}\n"),
    ],
    [
      "a default written out as the value (nothing sets the variable)",
      "install",
      WITH_ENV("      - DB_HOST=db\n"),
      noOp(
        ["compose.yml"],
        [
          "compose.yml: services.app.environment.DB_HOST reads the same once interpolated and merged",
        ],
      ),
      WITH_ENV("      - DB_HOST=${DB_HOST:-db}\n"),
    ],
    [
      "an environment value unquoted: Docker passes it as the same string",
      "install",
      edited(RECIPE, { "compose.yml": ["      - DOMAIN\n", "      DOMAIN:\n      PORT: 80\n"] }),
      noOp(
        ["compose.yml"],
        ["compose.yml: services.app.environment.PORT reads the same once interpolated and merged"],
      ),
      edited(RECIPE, { "compose.yml": ["      - DOMAIN\n", '      DOMAIN:\n      PORT: "80"\n'] }),
    ],
    [
      "a new default for STACK_NAME, which abra always sets",
      "install",
      WITH_ENV("      - NETWORK=${STACK_NAME:-web}_internal\n"),
      noOp(
        ["compose.yml"],
        [
          "compose.yml: services.app.environment.NETWORK reads the same once interpolated and merged",
        ],
      ),
      WITH_ENV("      - NETWORK=${STACK_NAME:-app}_internal\n"),
    ],
    [
      "the same, in an x- anchor two keys show",
      "install",
      { ...RECIPE, "compose.yml": ANCHORED.replace("${NGINX_TAG:-1.27}", "1.27") },
      noOp(
        ["compose.yml"],
        [
          "compose.yml: x-defaults.image is an extension field, and what uses it reads the same",
          "compose.yml: services.app.image reads the same once interpolated and merged",
        ],
      ),
      { ...RECIPE, "compose.yml": ANCHORED },
    ],
    [
      "abra.sh's commands change along with an export nothing uses: the commands are the change",
      "custom",
      edited(WITH_FUNCTIONS, {
        "abra.sh": [
          ["=256M", "=512M"],
          ["-s reload", "-s reopen"],
        ],
      }),
      effective("pass", COMMANDS_CHANGE),
      WITH_FUNCTIONS,
    ],
    [
      "a new abra.sh with a comment only: nothing for abra to run (fail)",
      "custom",
      { ...NO_ABRA_SH, "abra.sh": COMMENT_ONLY },
      noOp(["abra.sh"], ["abra.sh: a comment or formatting change only"]),
      NO_ABRA_SH,
    ],
    [
      "a new abra.sh with a command: abra app cmd runs it",
      "custom",
      ABRA_SH_COMMAND_ONLY,
      effective("pass", COMMANDS_CHANGE),
      NO_ABRA_SH,
    ],
    [
      "abra.sh was binary at the merge-base (abra could not run it), text at the pin: its commands change",
      "custom",
      { ...NO_ABRA_SH, "abra.sh": COMMENT_ONLY },
      effective("pass", COMMANDS_CHANGE),
      { ...NO_ABRA_SH, "abra.sh": Buffer.from("\xff\xfe#\0 \0c\0", "latin1") },
    ],
    [
      "a value dropped from .env.sample that abra.sh exports: abra.sh's value wins, so nothing changes",
      "custom",
      RECIPE,
      noOp([".env.sample"], [".env.sample: NGINX_CONF_VERSION changed, but abra.sh's value wins"]),
      { ...RECIPE, ".env.sample": `${ENV_SAMPLE}NGINX_CONF_VERSION=v1\n` },
    ],
    [
      "an export dropped from abra.sh that .env.sample sets: .env.sample's value now applies, unused",
      "custom",
      { ...RECIPE, ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=staging\n` },
      noOp(
        ["abra.sh"],
        ["abra.sh: LETS_ENCRYPT_ENV is gone, and nothing the default deployment runs uses it"],
      ),
      {
        ...RECIPE,
        ".env.sample": `${ENV_SAMPLE}LETS_ENCRYPT_ENV=staging\n`,
        "abra.sh": "export NGINX_CONF_VERSION=v1\nexport LETS_ENCRYPT_ENV=production\n",
      },
    ],
    [
      "an export after abra.sh's commands changes, unused: abra reads exports wherever they are",
      "custom",
      { ...WITH_FUNCTIONS, "abra.sh": `${WITH_FUNCTIONS["abra.sh"]}export LOG_LEVEL=debug\n` },
      noOp(
        ["abra.sh"],
        ["abra.sh: LOG_LEVEL changed, and nothing the default deployment runs uses it"],
      ),
      { ...WITH_FUNCTIONS, "abra.sh": `${WITH_FUNCTIONS["abra.sh"]}export LOG_LEVEL=info\n` },
    ],
    [
      "abra.sh exports STACK_NAME: abra sets it from the app's domain (app-env.ts), so abra's value wins",
      "custom",
      edited(RECIPE, { "abra.sh": ["=v1\n", "=v1\nexport STACK_NAME=custom_html\n"] }),
      noOp(["abra.sh"], ["abra.sh: STACK_NAME changed, but abra's value wins"]),
    ],
    [
      "COMPOSE_FILE adds an overlay that sets what compose.yml already sets: the same deployment",
      "install",
      {
        ...RECIPE,
        ".env.sample": `COMPOSE_FILE=compose.yml:compose.prod.yml\n${ENV_SAMPLE}`,
        "compose.prod.yml": SAME_IMAGE,
      },
      noOp(
        [".env.sample", "compose.prod.yml"],
        [
          ".env.sample: COMPOSE_FILE is new, and the deployment it selects is the same",
          "compose.prod.yml: version reads the same once interpolated and merged",
          "compose.prod.yml: services.app.image reads the same once interpolated and merged",
        ],
      ),
    ],
  ])("%s", (_name, tier, pin, expected, base = RECIPE) => {
    expect(checkEffectiveChange(context(base, pin, tier))).toEqual(expected);
  });

  it("abra.sh replaced by a submodule (B20): abra's checkout has no commands to run", () => {
    // The merge-base's abra.sh defines a command; at the pin it is a gitlink, which abra reads no
    // exports from (so its env is the pin's without abra.sh) and whose content is not checked out.
    const ctx = context(ABRA_SH_COMMAND_ONLY, NO_ABRA_SH, "custom");
    const files = ctx.files.map((f) =>
      f.change.path === "abra.sh" ? { ...f, after: { state: "submodule" } as Side } : f,
    );
    expect(checkEffectiveChange({ ...ctx, files })).toEqual(effective("pass", COMMANDS_CHANGE));
  });
});
