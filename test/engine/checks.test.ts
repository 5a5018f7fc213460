/**
 * The change checks as pure functions: two trees in, every failing or warning check out, each
 * message pinned. One row per case from the adversarial corpus (issue 7) and the real-recipe
 * survey (issue 13); the same cases run on real repositories in test/pipeline/precision.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/engine/inspect-files.ts";
import { RECIPES } from "../helpers/recipes.ts";
import {
  LABEL,
  NGINX_MOUNT,
  TRAEFIK_CONFIG,
  TRAEFIK_MOUNT,
  TRAEFIK_YML,
} from "../helpers/snippets.ts";
import { changeChecks, problems, rule, type Tree } from "../helpers/trees.ts";

const COMPOSE = readFileSync(join(RECIPES, "custom-html/compose.yml"), "utf8");
const RECIPE: Tree = {
  "compose.yml": COMPOSE,
  "abra.sh": "export NGINX_CONF_VERSION=v1\n",
  "nginx.conf.tmpl": "server {}\n",
};
const withCompose = (compose: string, extra: Tree = {}): Tree => ({
  ...RECIPE,
  "compose.yml": compose,
  ...extra,
});
const backupRule = rule("compose.yml", { keys: ["services.app.deploy.labels"] });

type Row = {
  name: string;
  base?: Tree;
  pin: Tree;
  rules: ReturnType<typeof rule>[];
  expected: string[];
};

const SMTP_OVERLAY = (service: string) => `---
version: "3.8"
services:
  app:
${service}
`;
const TRAEFIK_COMPOSE = `${COMPOSE.replace(NGINX_MOUNT, `${NGINX_MOUNT}${TRAEFIK_MOUNT}`)}${TRAEFIK_CONFIG}`;
const OPTIONAL_ONLY =
  "the change does not reach what abra deploys, so this canary can never go red: compose.smtp.yml is deployed only when an operator switches on compose.smtp.yml, which no COMPOSE_FILE line names; the recipe CI deploys compose.yml";
const FORMATTING_ONLY =
  "the change does not reach what abra deploys, so this canary can never go red: compose.yml: a comment or formatting change only: it parses to the same document";
const outsideOnly = (file: string) =>
  `${file} is not part of what abra deploys, and nothing else of the deployment changes: unless the recipe CI reads it, this canary can never go red`;
/** Traefik's dynamic configuration with a Go template: Traefik's file provider renders it. */
const DYNAMIC =
  "http:\n  routers:\n{{ range $i, $d := .Domains }}\n    r{{ $i }}:\n      rule: Host(`{{ $d }}`)\n{{ end }}\n";
/** A Traefik service mounting dynamic.yml, its version exported in abra.sh. */
const TRAEFIK_DYNAMIC = (version: string, dynamic: string): Tree => ({
  ...RECIPE,
  "compose.yml": COMPOSE.replace(
    "\nnetworks:\n",
    "\n  traefik:\n    image: traefik:v3.1\n    configs:\n      - source: dynamic_yml\n        target: /etc/traefik/dynamic/dynamic.yml\n\nnetworks:\n",
  ).concat(
    "  dynamic_yml:\n    name: ${STACK_NAME}_dynamic_yml_${DYNAMIC_YML_VERSION}\n    file: dynamic.yml\n",
  ),
  "abra.sh": `export NGINX_CONF_VERSION=v1\nexport DYNAMIC_YML_VERSION=${version}\n`,
  "dynamic.yml": dynamic,
});
/** The recipe with a Traefik config template, its version exported in abra.sh. */
const TRAEFIK_RECIPE = (version: string): Tree => ({
  ...RECIPE,
  "compose.yml": TRAEFIK_COMPOSE,
  "abra.sh": `export NGINX_CONF_VERSION=v1\nexport TRAEFIK_YML_VERSION=${version}\n`,
});

const MINI_SERVICE_LABELS = `version: "3.8"
services:
  app:
    image: nginx:1.27
    labels:
      - "traefik.enable=true"
      - "backupbot.backup=true"
    deploy:
      restart_policy:
        condition: on-failure
`;
const MINI_DEPLOY_LABELS = `version: "3.8"
services:
  app:
    image: nginx:1.27
    deploy:
      labels:
        - "traefik.enable=true"
        - "backupbot.backup=true"
      restart_policy:
        condition: on-failure
`;

const rows: Row[] = [
  // Issue 7, item 1: swarm ignores build:, and an image must be a non-empty string.
  ...[
    [
      "build: and no image",
      "    build: .\n",
      "has build: but no image: docker stack deploy ignores build, so the service has nothing to run",
    ],
    ["an empty image", '    image: ""\n', "has an empty image"],
    ["an image of spaces", '    image: "   "\n', "has an empty image"],
    [
      "an image that is a number",
      "    image: 1.27\n",
      "has an image that is not a string (number)",
    ],
    [
      "an image that is a list",
      "    image: [nginx]\n",
      "has an image that is not a string (a list)",
    ],
  ].map(([name, line, problem]) => ({
    name: `a service with ${name}`,
    pin: withCompose(COMPOSE.replace("    image: nginx:1.27\n", line as string)),
    rules: [rule("compose.yml")],
    expected: [`fail compose-valid: compose.yml: service "app" ${problem}`],
  })),
  // swarmkit's validateMounts rejects a task whose mount target is not absolute, and docker/cli's
  // ParseVolume refuses an empty field: the install tier fails, so compose-valid does.
  {
    name: "a volume mounted at a relative path",
    pin: withCompose(
      COMPOSE.replace("content:/usr/share/nginx/html", "content:usr/share/nginx/html"),
    ),
    rules: [rule("compose.yml")],
    expected: [
      'fail compose-valid: compose.yml: service "app" mounts a volume at "usr/share/nginx/html": swarm refuses a mount target that is not an absolute path',
    ],
  },
  {
    name: "a volume spec with an empty field",
    pin: withCompose(
      COMPOSE.replace("content:/usr/share/nginx/html", "content::/usr/share/nginx/html"),
    ),
    rules: [rule("compose.yml")],
    expected: [
      'fail compose-valid: compose.yml: service "app" has a volume docker cannot read (invalid spec: content::/usr/share/nginx/html: empty section between colons)',
    ],
  },
  // Issue 7, item 2, and issue 13, item 4: overlays are merged onto compose.yml and checked.
  {
    name: "an overlay whose service uses a secret declared nowhere",
    pin: { ...RECIPE, "compose.smtp.yml": SMTP_OVERLAY("    secrets:\n      - smtp_password") },
    rules: [rule("compose.*.yml")],
    expected: [
      'fail compose-valid: compose.yml + compose.smtp.yml (optional): secret "smtp_password" used by service "app" is not declared in the top-level secrets section',
      `fail effective-change: ${OPTIONAL_ONLY}`,
    ],
  },
  {
    name: "an overlay whose secret is declared under another name (one word off)",
    pin: {
      ...RECIPE,
      "compose.smtp.yml": `${SMTP_OVERLAY("    secrets:\n      - smtp_password")}secrets:\n  smtp_pass:\n    external: true\n`,
    },
    rules: [rule("compose.*.yml")],
    expected: [
      'fail compose-valid: compose.yml + compose.smtp.yml (optional): secret "smtp_password" used by service "app" is not declared in the top-level secrets section',
      `fail effective-change: ${OPTIONAL_ONLY}`,
    ],
  },
  {
    name: "an overlay that declares its secret, and uses compose.yml's network",
    pin: {
      ...RECIPE,
      "compose.smtp.yml": `${SMTP_OVERLAY("    networks:\n      - proxy\n    secrets:\n      - smtp_password")}secrets:\n  smtp_password:\n    external: true\n`,
    },
    rules: [rule("compose.*.yml")],
    expected: [`fail effective-change: ${OPTIONAL_ONLY}`],
  },
  {
    name: "an overlay for a service compose.yml lacks, with no image",
    pin: {
      ...RECIPE,
      "compose.smtp.yml":
        '---\nversion: "3.8"\nservices:\n  mailer:\n    environment:\n      - SMTP_HOST\n',
    },
    rules: [rule("compose.*.yml")],
    expected: [
      'fail compose-valid: compose.yml + compose.smtp.yml (optional): service "mailer" has no image',
      `fail effective-change: ${OPTIONAL_ONLY}`,
    ],
  },
  {
    name: "a change to compose.yml that breaks an overlay it did not touch",
    base: { ...RECIPE, "compose.smtp.yml": SMTP_OVERLAY("    networks:\n      - proxy") },
    pin: {
      ...RECIPE,
      "compose.yml": COMPOSE.replace("      - proxy\n", "      - traefik\n").replace(
        "  proxy:\n",
        "  traefik:\n",
      ),
      "compose.smtp.yml": SMTP_OVERLAY("    networks:\n      - proxy"),
    },
    rules: [rule("compose.yml")],
    expected: [
      'fail compose-valid: compose.yml + compose.smtp.yml (optional): network "proxy" used by service "app" is not declared in the top-level networks section',
    ],
  },
  {
    name: "an overlay already broken at the merge-base warns, and does not fail a change to compose.yml",
    base: { ...RECIPE, "compose.smtp.yml": SMTP_OVERLAY("    secrets:\n      - smtp_password") },
    pin: {
      ...RECIPE,
      "compose.yml": COMPOSE.replace(
        LABEL,
        `${LABEL}        - "backupbot.backup.volumes.content.path=public_html"\n`,
      ),
      "compose.smtp.yml": SMTP_OVERLAY("    secrets:\n      - smtp_password"),
    },
    rules: [rule("compose.yml")],
    expected: [
      'warn compose-valid: compose.yml + compose.smtp.yml (optional): secret "smtp_password" used by service "app" is not declared in the top-level secrets section (already so at the merge-base, so not caused by this change)',
    ],
  },
  // Issue 7, item 4: key paths are matched key by key.
  {
    name: "a label that only starts like the allowed one (backupbot.backup.path)",
    pin: withCompose(COMPOSE.replace(LABEL, `${LABEL}        - "backupbot.backup.path=/srv"\n`)),
    rules: [rule("compose.yml", { keys: ["services.app.deploy.labels.backupbot.backup"] })],
    expected: [
      'fail keys: compose.yml: services.app.deploy.labels."backupbot.backup.path" changed; only services.app.deploy.labels.backupbot.backup may change',
      "fail effective-change: the change does not reach what abra deploys, so this canary can never go red: services.app deploy label backupbot.backup.path: backup-bot-two reads its labels by exact name only, so v1's backupbot.backup.path and misspelt names change nothing",
    ],
  },
  {
    name: "the allowed label itself, in list form",
    pin: withCompose(COMPOSE.replace("${ENABLE_BACKUPS:-true}", "false")),
    rules: [rule("compose.yml", { keys: ["services.app.deploy.labels.backupbot.backup"] })],
    expected: [],
  },
  {
    name: "a new service whose name starts like the allowed one (app.sidecar)",
    pin: withCompose(
      COMPOSE.replace("\nnetworks:\n", "\n  app.sidecar:\n    image: evil:latest\n\nnetworks:\n"),
    ),
    rules: [rule("compose.yml", { keys: ["services.app"] })],
    expected: [
      'fail keys: compose.yml: services."app.sidecar".image changed; only services.app may change',
    ],
  },
  // Issue 7, item 5: invalid UTF-8 fails, with the byte offset.
  {
    name: "a label with a Latin-1 byte",
    pin: {
      ...RECIPE,
      "compose.yml": Buffer.from(COMPOSE.replace("1.0.0+1.27", "1.0.0+1.27 caf\u00e9"), "latin1"),
    },
    rules: [rule("compose.yml")],
    expected: [
      `fail yaml-valid: compose.yml is not valid UTF-8 (byte ${COMPOSE.indexOf("1.0.0+1.27") + 14} starts an invalid sequence; saved as Latin-1?), and Docker's YAML loader refuses it`,
      "fail compose-valid: compose.yml is not valid UTF-8, so Docker cannot read it",
    ],
  },
  // Issue 7, item 6: the final newline is a line ending.
  {
    name: "a dropped final newline",
    pin: withCompose(COMPOSE.replace(/\n$/, "")),
    rules: [rule("compose.yml")],
    expected: [
      "fail whitespace-churn: compose.yml: the newline at the end of the file was removed, a line-ending change beside the targeted one",
      `fail effective-change: ${FORMATTING_ONLY}`,
    ],
  },
  {
    name: "an added final newline",
    base: withCompose(COMPOSE.replace(/\n$/, "")),
    pin: RECIPE,
    rules: [rule("compose.yml")],
    expected: [
      "fail whitespace-churn: compose.yml: the newline at the end of the file was added, a line-ending change beside the targeted one",
      `fail effective-change: ${FORMATTING_ONLY}`,
    ],
  },
  // Issue 7, item 7: lines are matched without their line ending.
  {
    name: "a $-anchored pattern on a CRLF file",
    base: withCompose(COMPOSE.replace(/\n/g, "\r\n")),
    pin: withCompose(
      COMPOSE.replace(
        LABEL,
        `${LABEL}        - "backupbot.backup.volumes.content.path=public_html"\n`,
      ).replace(/\n/g, "\r\n"),
    ),
    rules: [
      rule("compose.yml", {
        lines: ['^\\s+- "backupbot\\.backup\\.volumes\\.content\\.path=[a-z_]+"$'],
      }),
    ],
    expected: [],
  },
  // Issue 7, item 8: names are escaped, so nothing reads as compose.yml or image.
  {
    name: "a file named with a line break before compose.yml",
    pin: { ...RECIPE, "notes\ncompose.yml": "hi\n" },
    rules: [rule("compose.yml")],
    expected: [
      "fail paths: 1 path outside the targeted change (allowed: compose.yml): notes\\ncompose.yml (added, +1 -0) is outside the targeted change",
      `warn effective-change: ${outsideOnly("notes\\ncompose.yml")}`,
    ],
  },
  {
    name: "a key with a Cyrillic letter that looks like image",
    pin: withCompose(
      COMPOSE.replace(
        "    image: nginx:1.27\n",
        "    image: nginx:1.27\n    \u0456mage: evil:latest\n",
      ),
    ),
    rules: [backupRule],
    expected: [
      "fail keys: compose.yml: services.app.\\u{456}mage changed; only services.app.deploy.labels may change",
    ],
  },
  // Issue 13, item 1: Go templates are checked as templates, not parsed as YAML.
  {
    name: "a Go template mounted with template_driver: golang",
    base: {
      ...TRAEFIK_RECIPE("v1"),
      "traefik.yml": 'entryPoints:\n  web:\n    address: ":80"\n',
    },
    pin: { ...TRAEFIK_RECIPE("v2"), "traefik.yml": TRAEFIK_YML },
    rules: [rule("traefik.yml"), rule("abra.sh")],
    expected: [],
  },
  {
    name: "a Go template whose if is never closed",
    base: { ...TRAEFIK_RECIPE("v1"), "traefik.yml": TRAEFIK_YML },
    pin: { ...TRAEFIK_RECIPE("v2"), "traefik.yml": TRAEFIK_YML.replace("{{ end }}\n", "") },
    rules: [rule("traefik.yml"), rule("abra.sh")],
    expected: [
      'fail yaml-valid: traefik.yml (a Go template: config "traefik_yml" renders it (template_driver: golang)): {{ if }} on line 4 is never closed with {{ end }}',
    ],
  },
  {
    name: "Traefik's templated dynamic configuration, mounted into Traefik (which renders it)",
    base: TRAEFIK_DYNAMIC("v1", DYNAMIC),
    pin: TRAEFIK_DYNAMIC(
      "v2",
      DYNAMIC.replace("Host(`{{ $d }}`)", "Host(`{{ $d }}`) && PathPrefix(`/`)"),
    ),
    rules: [rule("dynamic.yml"), rule("abra.sh")],
    expected: [],
  },
  // Issue 16, item 8: a file is a template only when something renders it.
  {
    name: "the same templated file that nothing mounts is YAML, and never parsed",
    base: { ...RECIPE, "dynamic.yml": DYNAMIC },
    pin: {
      ...RECIPE,
      "dynamic.yml": DYNAMIC.replace("Host(`{{ $d }}`)", "Host(`{{ $d }}`) && PathPrefix(`/`)"),
    },
    rules: [rule("dynamic.yml")],
    expected: [
      "warn yaml-valid: dynamic.yml does not parse: Implicit map keys need to be followed by map values at line 3, column 1 (already so at the merge-base, so not caused by this change)",
      `warn effective-change: ${outsideOnly("dynamic.yml")}`,
    ],
  },
  {
    name: "compose.yml is never rendered: balanced {{ }} that do not parse fail",
    pin: withCompose(
      COMPOSE.replace(
        "    image: nginx:1.27\n",
        "    image: nginx:1.27\n{{ if .Smtp }}\n    environment: [SMTP]\n{{ end }}\n",
      ),
    ),
    rules: [rule("compose.yml")],
    expected: [
      "fail yaml-valid: compose.yml does not parse: Implicit map keys need to be followed by map values at line 7, column 1",
      "fail compose-valid: compose.yml does not parse, so it cannot deploy",
    ],
  },
  {
    name: "nothing renders .drone.yml: balanced {{ }} that do not parse fail",
    base: { ...RECIPE, ".drone.yml": "kind: pipeline\nname: test\n" },
    pin: {
      ...RECIPE,
      ".drone.yml": "kind: pipeline\nname: test\n{{ if .Deploy }}\nsteps: []\n{{ end }}\n",
    },
    rules: [rule(".drone.yml")],
    expected: [
      "fail yaml-valid: .drone.yml does not parse: Implicit map keys need to be followed by map values at line 3, column 1",
      `warn effective-change: ${outsideOnly(".drone.yml")}`,
    ],
  },
  {
    name: "a YAML file that already did not parse at the merge-base warns",
    base: { ...RECIPE, "values.yml": "a: [1, 2\nb: 1\n" },
    pin: { ...RECIPE, "values.yml": "a: [1, 2\nb: 2\n" },
    rules: [rule("values.yml")],
    expected: [
      "warn yaml-valid: values.yml does not parse: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1 (already so at the merge-base, so not caused by this change)",
      `warn effective-change: ${outsideOnly("values.yml")}`,
    ],
  },
  // Issue 13, item 2: several documents are fine except in a compose file.
  {
    name: "a two-pipeline .drone.yml",
    base: { ...RECIPE, ".drone.yml": "kind: pipeline\nname: test\n" },
    pin: {
      ...RECIPE,
      ".drone.yml": "kind: pipeline\nname: test\n---\nkind: pipeline\nname: deploy\n",
    },
    rules: [rule(".drone.yml")],
    expected: [`warn effective-change: ${outsideOnly(".drone.yml")}`],
  },
  {
    name: "a compose file of two documents",
    pin: withCompose(`${COMPOSE}---\nservices: {}\n`),
    rules: [rule("compose.yml")],
    expected: [
      "fail yaml-valid: compose.yml does not parse: it holds 2 documents (separated by ---), and a compose file must be one",
      "fail compose-valid: compose.yml does not parse, so it cannot deploy",
    ],
  },
  // Issue 13, item 3: a change of indentation in YAML is structure, not churn.
  {
    name: "labels moved under deploy: (the change that made a real recipe's backups run)",
    base: withCompose(MINI_SERVICE_LABELS),
    pin: withCompose(MINI_DEPLOY_LABELS),
    rules: [rule("compose.yml")],
    expected: [],
  },
  {
    name: "labels moved under deploy:, where only deploy labels may change",
    base: withCompose(MINI_SERVICE_LABELS),
    pin: withCompose(MINI_DEPLOY_LABELS),
    rules: [rule("compose.yml", { keys: ["services.app.deploy.labels"] })],
    expected: [
      'fail keys: 2 changes outside change[].keys: compose.yml: services.app.labels."traefik.enable" changed; only services.app.deploy.labels may change (and 1 more)',
      '  compose.yml: services.app.labels."backupbot.backup" changed; only services.app.deploy.labels may change',
    ],
  },
  // Issue 13, "also seen": interpolation and the version's type, as Docker refuses them.
  {
    name: "an invalid interpolation (${SMTP_PORT:25})",
    pin: withCompose(
      COMPOSE.replace("      - DOMAIN\n", "      - DOMAIN\n      - SMTP_PORT=${SMTP_PORT:25}\n"),
    ),
    rules: [rule("compose.yml")],
    expected: [
      'fail compose-valid: compose.yml: services.app.environment.1: invalid interpolation "${SMTP_PORT:25}" (Docker accepts $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, and $$ for a literal $)',
    ],
  },
  {
    name: "an escaped dollar ($$) and a default",
    pin: withCompose(
      COMPOSE.replace(
        "      - DOMAIN\n",
        () => "      - DOMAIN\n      - PRICE=$$5\n      - PORT=${PORT:-25}\n",
      ),
    ),
    rules: [rule("compose.yml")],
    expected: [],
  },
  // Issue 21, break 1: a label beside image: is the container's, which swarm, Traefik and
  // backup-bot-two do not read; the canary changes nothing they see.
  {
    name: "a backup label on the container (labels: beside image:), not under deploy:",
    pin: withCompose(
      COMPOSE.replace(
        "    image: nginx:1.27\n",
        '    image: nginx:1.27\n    labels:\n      - "backupbot.backup=true"\n',
      ),
    ),
    rules: [rule("compose.yml")],
    expected: [
      "fail effective-change: the change does not reach what abra deploys, so this canary can never go red: services.app container label backupbot.backup: swarm, Traefik (in swarm mode) and backup-bot-two read the service's labels (deploy.labels), not the container's",
    ],
  },
  {
    name: "a version that is a number",
    pin: withCompose(COMPOSE.replace('version: "3.8"', "version: 3.7")),
    rules: [rule("compose.yml")],
    expected: [
      'fail compose-valid: compose.yml: version must be a string (write version: "3.7"), as Docker\'s schema requires',
    ],
  },
];

describe("change checks, table-driven", () => {
  it.each(rows)("$name", async ({ base, pin, rules, expected }) => {
    const checks = await changeChecks(base ?? RECIPE, pin, rules);
    expect(problems(checks)).toEqual(expected);
  });
});

describe("nothing is passed unread (issue 7, item 3)", () => {
  const many = (n: number, last: (text: string) => string): Tree => {
    const tree: Tree = { ...RECIPE };
    for (let i = 0; i < n; i++) {
      const text = `line one of ${i}\nline two\n`;
      tree[`docs/${String(i).padStart(3, "0")}.md`] = i === n - 1 ? last(text) : text;
    }
    return tree;
  };

  it("inspects every changed file: the 250th, converted to CRLF, fails whitespace-churn", async () => {
    const base = many(250, (t) => t);
    const pin = many(250, (t) => `${t.replace(/\n/g, "\r\n")}`);
    for (const [path, text] of Object.entries(pin))
      if (path.startsWith("docs/") && path !== "docs/249.md") pin[path] = `${text}more\n`;
    const checks = await changeChecks(base, pin, [rule("**")]);
    expect(problems(checks)).toEqual([
      "fail whitespace-churn: docs/249.md: 2 of 2 added lines differ only in line endings (CRLF/LF) from the line they replace, which hides the real change",
      `warn effective-change: docs/000.md, docs/001.md, docs/002.md, docs/003.md, docs/004.md and 245 more are not part of what abra deploys, and nothing else of the deployment changes: unless the recipe CI reads them, this canary can never go red`,
    ]);
  });

  it("fails closed, naming the reason, on files over the read budget", async () => {
    const base = many(3, (t) => t);
    const pin = many(3, (t) => t.replace(/\n/g, "\r\n"));
    const tight = { ...DEFAULT_LIMITS, maxTotalBytes: 40 };
    const checks = await changeChecks(base, pin, [rule("**", { lines: ["^line"] })], tight);
    expect(problems(checks)).toEqual([
      "fail not-emptied: cannot tell whether docs/002.md was emptied: it was not read: the fixture's files together exceed the inspection budget",
      "fail whitespace-churn: docs/002.md: its content was not read: the fixture's files together exceed the inspection budget, so whitespace churn cannot be ruled out",
      "fail lines: docs/002.md: its lines cannot be checked (its content was not read: the fixture's files together exceed the inspection budget)",
    ]);
  });
});
