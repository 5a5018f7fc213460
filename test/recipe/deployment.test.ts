/**
 * The recipe model on in-memory trees: what `docker stack deploy` refuses (every message pinned),
 * what swarm receives, which files are templates, and the classified diff of two deployments, one
 * row per tier-table row. The expected values are Docker's, abra's and backup-bot-two's behaviour
 * (docker/cli's loader and merge, abra's COMPOSE_FILE, swarm's immutable configs).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileProblems, stackProblems } from "../../src/recipe/compose-problems.ts";
import { describeProblem } from "../../src/recipe/deployment.ts";
import { describeChange, diffDeployments } from "../../src/recipe/deployment-diff.ts";
import { shellSplit } from "../../src/recipe/shlex.ts";
import type { SwarmStack } from "../../src/recipe/swarm.ts";
import { parseYaml } from "../../src/recipe/yaml-doc.ts";
import { RECIPES } from "../helpers/recipes.ts";
import { recipeOf, type Tree, treeOfDir } from "../helpers/trees.ts";

const HTML = treeOfDir(join(RECIPES, "custom-html"));
const LASUITE = treeOfDir(join(RECIPES, "lasuite-like"));
const COMPOSE = readFileSync(join(RECIPES, "custom-html/compose.yml"), "utf8");

/** Every deployment's title and problems, as compose-valid shows them. */
const problemsOf = (tree: Tree) =>
  recipeOf(tree).deployments.map((d) => [d.title, d.problems.map((p) => describeProblem(d, p))]);

describe("fileProblems and stackProblems: what docker stack deploy refuses", () => {
  const ok = {
    services: {
      app: {
        image: "nginx",
        volumes: [
          "content:/srv",
          "/host:/x",
          "./rel:/y",
          { type: "volume", source: "data", target: "/d" },
          "/anon",
        ],
        networks: { proxy: {}, default: {} },
        configs: ["cfg", { source: "other", target: "/o" }],
        secrets: [{ source: "pw" }],
      },
    },
    volumes: { content: null, data: null },
    networks: { proxy: { external: true } },
    configs: { cfg: {}, other: {} },
    secrets: { pw: {} },
  };

  it("accepts a stack that declares everything it uses (bind mounts and anonymous volumes need nothing)", () => {
    expect(fileProblems(ok)).toEqual([]);
    expect(stackProblems(ok)).toEqual([]);
  });

  it.each([
    [
      { version: 3.7 },
      ['version must be a string (write version: "3.7"), as Docker\'s schema requires'],
    ],
    [
      { version: "2.4" },
      ['version "2.4" is not a version docker stack deploy knows (3.0 to 3.13)'],
    ],
    [{ version: "3" }, []],
    [{ version: "3.13" }, []],
    [{ services: [] }, ["services must be a mapping"]],
    [{ services: { app: "nginx" } }, ['service "app" must be a mapping']],
    [
      { volume: {} },
      [
        'top-level key "volume" is not allowed (Docker allows version, services, networks, volumes, secrets, configs and x- extensions)',
      ],
    ],
    [{ "x-anything": 1, networks: {} }, []],
    [{ version: "3.8" }, []], // a base file may leave its services to the files merged onto it
  ])("file %j: %j", (doc, problems) => expect(fileProblems(doc)).toEqual(problems));

  it.each([
    [{ version: "3.8" }, ["it has no services: no file it merges declares one"]],
    [{ services: {} }, ["it has no services: no file it merges declares one"]],
    [{ services: { app: { command: "x" } } }, ['service "app" has no image']],
    [
      { services: { app: { build: "." } } },
      [
        'service "app" has build: but no image: docker stack deploy ignores build, so the service has nothing to run',
      ],
    ],
    [{ services: { app: { image: " " } } }, ['service "app" has an empty image']],
  ])("deployment %j: %j", (doc, problems) => expect(stackProblems(doc)).toEqual(problems));

  it("names every undeclared volume, network, config and secret", () => {
    const { volumes, networks, configs, secrets, ...truncated } = ok;
    expect(stackProblems(truncated)).toEqual([
      'volume "content" used by service "app" is not declared in the top-level volumes section',
      'volume "data" used by service "app" is not declared in the top-level volumes section',
      'network "proxy" used by service "app" is not declared in the top-level networks section',
      'config "cfg" used by service "app" is not declared in the top-level configs section',
      'config "other" used by service "app" is not declared in the top-level configs section',
      'secret "pw" used by service "app" is not declared in the top-level secrets section',
    ]);
  });

  it("sees through merge keys (<<: *anchor) like docker does", () => {
    const parsed = parseYaml(
      "x-base: &base\n  image: app:1\n  networks: [internal]\nservices:\n  a:\n    <<: *base\nnetworks:\n  internal:\n",
    );
    expect(parsed.ok && stackProblems(parsed.value as Record<string, unknown>)).toEqual([]);
  });
});

describe("deployments: what abra and docker stack deploy refuse", () => {
  it("deploys the recipes of targeted-changes.md as they are", () => {
    expect(problemsOf(HTML)).toEqual([["compose.yml", []]]);
    expect(problemsOf(LASUITE)).toEqual([["compose.yml", []]]);
  });

  it.each<[string, Tree, (string | string[])[][]]>([
    [
      "compose.yml renamed to compose.yaml (abra reads compose.yml)",
      { ...withoutCompose(HTML), "compose.yaml": COMPOSE },
      [
        [
          "compose.yml",
          [
            "compose.yml does not exist: abra deploys compose.yml when .env.sample sets no COMPOSE_FILE (it does not read compose.yaml)",
          ],
        ],
      ],
    ],
    [
      "a file COMPOSE_FILE names that does not exist",
      { ...HTML, ".env.sample": 'COMPOSE_FILE="compose.yml:compose.smtp.yml"\n' },
      [
        [
          "compose.yml + compose.smtp.yml",
          [
            "compose.yml + compose.smtp.yml: compose.smtp.yml does not exist, and COMPOSE_FILE on line 1 of .env.sample names it",
          ],
        ],
      ],
    ],
    [
      "an overlay with no version beside compose.yml's 3.8",
      { ...HTML, "compose.smtp.yml": "services:\n  app:\n    environment: [SMTP_HOST]\n" },
      [
        ["compose.yml", []],
        [
          "compose.yml + compose.smtp.yml (optional)",
          [
            'compose.yml + compose.smtp.yml (optional): compose.smtp.yml: its version is 3.13 (it sets none: the latest), and compose.yml\'s is 3.8: docker stack deploy refuses files of two versions ("version mismatched between two composefiles")',
          ],
        ],
      ],
    ],
    [
      "a required variable nothing sets (${VAR:?})",
      {
        ...HTML,
        "compose.yml": COMPOSE.replace(
          "      - DOMAIN\n",
          "      - DOMAIN\n      - SMTP_HOST=${SMTP_HOST:?set SMTP_HOST}\n",
        ),
      },
      [
        [
          "compose.yml",
          [
            "compose.yml: services.app.environment.1: required variable SMTP_HOST is missing a value: set SMTP_HOST (nothing sets it: not .env.sample, not abra.sh), so docker stack deploy refuses the stack",
          ],
        ],
      ],
    ],
    [
      "a config whose file does not exist",
      { ...withoutFile(HTML, "nginx.conf.tmpl") },
      [
        [
          "compose.yml",
          [
            'compose.yml: config "nginx_conf" reads nginx.conf.tmpl, which does not exist, so docker stack deploy cannot create it',
          ],
        ],
      ],
    ],
    [
      ".env.sample abra cannot read",
      { ...HTML, ".env.sample": "DOMAIN=x\nLETS-ENCRYPT=1\n" },
      [
        [
          "compose.yml",
          [
            'compose.yml: .env.sample line 2: unexpected character "-" in variable name near "LETS-ENCRYPT=1"',
          ],
        ],
      ],
    ],
  ])("%s", (_name, tree, expected) => expect(problemsOf(tree)).toEqual(expected));

  it("accepts a base file with no services when the overlays COMPOSE_FILE names bring them", () => {
    const tree: Tree = {
      ".env.sample": 'COMPOSE_FILE="compose.yml:compose.app.yml"\n',
      "compose.yml": 'version: "3.8"\nnetworks:\n  proxy:\n    external: true\nvolumes:\n  data:\n',
      "compose.app.yml":
        'version: "3.8"\nservices:\n  app:\n    image: nginx:1.27\n    environment: [TZ=UTC]\n    networks: [proxy]\n    volumes: ["data:/srv"]\n',
    };
    expect(problemsOf(tree)).toEqual([["compose.yml + compose.app.yml", []]]);
  });

  it("reads the files of an overlay in a subfolder, and its configs, from the recipe root", () => {
    const tree: Tree = {
      ...LASUITE,
      ".env.sample":
        'COMPOSE_FILE="compose.yml"\nCOMPOSE_FILE="$COMPOSE_FILE:postgres/compose.postgres.tune.yml"\n',
      "postgres/compose.postgres.tune.yml":
        'version: "3.8"\nservices:\n  db:\n    configs:\n      - source: pg_tune\n        target: /etc/postgresql/tune.conf\nconfigs:\n  pg_tune:\n    name: ${STACK_NAME}_pg_tune_${PG_TUNE_VERSION}\n    file: postgres/tune.conf\n',
      "postgres/tune.conf": "shared_buffers = 256MB\n",
      "abra.sh": `${LASUITE["abra.sh"] as string}export PG_TUNE_VERSION=v1\n`,
    };
    const recipe = recipeOf(tree);
    expect(problemsOf(tree)).toEqual([["compose.yml + postgres/compose.postgres.tune.yml", []]]);
    const stack = recipe.deployments[0]?.stack as SwarmStack;
    expect(stack.configs["${STACK_NAME}_pg_tune_v1"]).toMatchObject({
      key: "pg_tune",
      file: "postgres/tune.conf",
    });
    expect((stack.services.db as { configs: unknown }).configs).toMatchObject({
      "/etc/postgresql/tune.conf": { name: "${STACK_NAME}_pg_tune_v1" },
      "/pg_backup.sh": { name: "${STACK_NAME}_pg_backup_v1" },
    });
    expect([...recipe.composeFiles]).toEqual(["compose.yml", "postgres/compose.postgres.tune.yml"]);
  });

  it("does not validate a folder abra never deploys (a Docker App template)", () => {
    const tree: Tree = {
      ...HTML,
      "wordpress.dockerapp/docker-compose.yml":
        "version: 0.1.0\nname: wp\n---\nservices: {}\n---\nport: 80\n",
    };
    expect(problemsOf(tree)).toEqual([["compose.yml", []]]);
    expect([...recipeOf(tree).composeFiles]).toEqual(["compose.yml"]);
  });
});

describe("what swarm receives", () => {
  const stack = (tree: Tree) => recipeOf(tree).deployments[0]?.stack as SwarmStack;

  it("keys configs and secrets by swarm name, with the blob id of their file", () => {
    const s = stack(HTML);
    expect(Object.keys(s.configs)).toEqual(["${STACK_NAME}_nginx_conf_v1"]);
    expect(s.configs["${STACK_NAME}_nginx_conf_v1"]).toEqual({
      key: "nginx_conf",
      external: false,
      file: "nginx.conf.tmpl",
      digest: expect.stringMatching(/^[0-9a-f]{40}$/),
      template_driver: "golang",
    });
    const lasuite = stack(LASUITE);
    expect(lasuite.secrets["${STACK_NAME}_db_password_v1"]).toEqual({
      key: "db_password",
      external: true,
      file: null,
      digest: null,
      template_driver: null,
    });
  });

  it("resolves the environment as docker/cli does (`- DOMAIN` from the app's env), and the labels", () => {
    const app = stack(HTML).services.app as Record<string, Record<string, unknown>>;
    expect(app.environment).toEqual({ DOMAIN: "custom-html.example.com" });
    expect(app.deploy?.labels).toMatchObject({
      "backupbot.backup": "true",
      "coop-cloud.${STACK_NAME}.version": "1.0.0+1.27",
      "traefik.http.routers.${STACK_NAME}.rule": "Host(`custom-html.example.com`)",
    });
  });

  it.each([
    ["gunicorn -c conf.py app:wsgi", ["gunicorn", "-c", "conf.py", "app:wsgi"]],
    ["sh -c 'echo $HOME && exit 1'", ["sh", "-c", "echo $HOME && exit 1"]],
    ['echo "a \\"b\\" c"', ["echo", 'a "b" c']],
    ["a\\ b c # comment", ["a b", "c"]],
    ["", []],
  ])("splits the command %j as shlex does", (text, words) =>
    expect(shellSplit(text)).toEqual(words),
  );
});

describe("templates: a file is one when something renders it", () => {
  it.each<[string, Tree, [string, string][]]>([
    [
      "a config with template_driver: golang",
      HTML,
      [["nginx.conf.tmpl", 'config "nginx_conf" renders it (template_driver: golang)']],
    ],
    [
      "a .tmpl a config reads",
      { ...HTML, "compose.yml": COMPOSE.replace("    template_driver: golang\n", "") },
      [["nginx.conf.tmpl", 'config "nginx_conf" reads it as a .tmpl file']],
    ],
    [
      "Traefik's dynamic configuration, mounted into Traefik",
      {
        ...HTML,
        "compose.yml": COMPOSE.replace(
          "\nnetworks:\n",
          "\n  traefik:\n    image: traefik:v3.1\n    configs:\n      - source: dyn\n        target: /etc/traefik/dynamic/dyn.yml\n      - source: static\n        target: /etc/traefik/traefik.yml\n\nnetworks:\n",
        ).concat("  dyn:\n    file: dyn.yml\n  static:\n    file: static.yml\n"),
        "dyn.yml": "http: {}\n",
        "static.yml": "entryPoints: {}\n",
      },
      [
        ["nginx.conf.tmpl", 'config "nginx_conf" renders it (template_driver: golang)'],
        [
          "dyn.yml",
          'service "traefik" mounts it into Traefik, whose file provider renders templates',
        ],
      ],
    ],
  ])("%s", (_name, tree, expected) => expect([...recipeOf(tree).templates]).toEqual(expected));
});

/** Withouts, for trees. */
function withoutFile(tree: Tree, path: string): Tree {
  const { [path]: _, ...rest } = tree;
  return rest;
}
function withoutCompose(tree: Tree): Tree {
  return withoutFile(tree, "compose.yml");
}

describe("the diff of two deployments, classified by the tier table", () => {
  /** The changes from `base` to `pin` (default deployments), as `row tier: description`. */
  const diff = (base: Tree, pin: Tree) => {
    const [a, b] = [base, pin].map((t) => recipeOf(t).deployments[0]?.stack as SwarmStack);
    return diffDeployments(a as SwarmStack, b as SwarmStack).map(
      (c) => `${c.row.id} ${c.row.tier ?? "-"}: ${describeChange(c)}`,
    );
  };
  const html = (compose: string, extra: Tree = {}): Tree => ({
    ...HTML,
    "compose.yml": compose,
    ...extra,
  });
  const label = (line: string) =>
    COMPOSE.replace(
      '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n',
      `        - "backupbot.backup=\${ENABLE_BACKUPS:-true}"\n${line}`,
    );
  const lasuite = (from: string, to: string): Tree => ({
    ...LASUITE,
    "compose.yml": (LASUITE["compose.yml"] as string).replace(from, to),
  });

  it.each<[string, Tree, Tree, string[]]>([
    ["nothing", HTML, HTML, []],
    [
      "a comment and a re-indent",
      HTML,
      html(
        `${COMPOSE.replace("    image: nginx:1.27\n", "    image:   nginx:1.27   # pinned\n")}# end\n`,
      ),
      [],
    ],
    [
      "labels rewritten from list to map form",
      HTML,
      html(
        COMPOSE.replace(
          / {6}labels:\n(( {8}- ".*"\n)+)/,
          (_m, lines: string) =>
            `      labels:\n${lines.replace(/ {8}- "([^=]+)=(.*)"\n/g, (_l, k: string, v: string) => `        ${k}: "${v}"\n`)}`,
        ),
      ),
      [],
    ],
    [
      "a service added",
      HTML,
      html(COMPOSE.replace("\nnetworks:\n", "\n  worker:\n    image: nginx:1.27\n\nnetworks:\n")),
      ['service install: services.worker changed (absent -> {"image":"nginx:1.27"})'],
    ],
    [
      "the image",
      HTML,
      html(COMPOSE.replace("nginx:1.27", "nginx:1.27.99")),
      ["image install: services.app.image changed (nginx:1.27 -> nginx:1.27.99)"],
    ],
    [
      "the environment, through .env.sample",
      HTML,
      {
        ...HTML,
        ".env.sample": (HTML[".env.sample"] as string).replace(
          "DOMAIN=custom-html.example.com",
          "DOMAIN=other.example.com",
        ),
      },
      [
        "environment install: services.app environment DOMAIN changed (custom-html.example.com -> other.example.com)",
        "traefik.routing custom: services.app deploy label traefik.http.routers.${STACK_NAME}.rule changed (Host(`custom-html.example.com`) -> Host(`other.example.com`))",
      ],
    ],
    [
      "the healthcheck",
      HTML,
      html(COMPOSE.replace("retries: 10", "retries: 3")),
      ["healthcheck install: services.app.healthcheck.retries changed (10 -> 3)"],
    ],
    [
      "the backup label's default, overridden by .env.sample",
      HTML,
      html(COMPOSE.replace("ENABLE_BACKUPS:-true", "ENABLE_BACKUPS:-false")),
      [],
    ],
    [
      "the backup path",
      HTML,
      html(label('        - "backupbot.backup.volumes.content.path=public_html"\n')),
      [
        "backupbot.backup.volumes.path backup: services.app deploy label backupbot.backup.volumes.content.path changed (absent -> public_html)",
      ],
    ],
    [
      "a volume left out",
      HTML,
      html(label('        - "backupbot.backup.volumes.content=false"\n')),
      [
        "backupbot.backup.volumes backup: services.app deploy label backupbot.backup.volumes.content changed (absent -> false)",
      ],
    ],
    [
      "the backup pre-hook",
      LASUITE,
      lasuite("/pg_backup.sh backup", "/pg_backup.sh backupp"),
      [
        "backupbot.backup.hooks backup: services.db deploy label backupbot.backup.pre-hook changed (/pg_backup.sh backup -> /pg_backup.sh backupp)",
      ],
    ],
    [
      "the restore post-hook",
      LASUITE,
      lasuite("/pg_backup.sh restore", "/pg_backup.sh restor"),
      [
        "backupbot.restore.hooks restore: services.db deploy label backupbot.restore.post-hook changed (/pg_backup.sh restore -> /pg_backup.sh restor)",
      ],
    ],
    [
      "a restore hook re-quoted and folded to the same string",
      LASUITE,
      lasuite(
        'backupbot.restore.post-hook: "/pg_backup.sh restore"',
        "backupbot.restore.post-hook: >-\n          /pg_backup.sh\n          restore",
      ),
      [],
    ],
    [
      "v1's backupbot.backup.path",
      HTML,
      html(label('        - "backupbot.backup.path=/srv"\n')),
      [
        "backupbot.ignored -: services.app deploy label backupbot.backup.path changed (absent -> /srv)",
      ],
    ],
    [
      "a case-misspelt backupbot label (issue 16, item 5)",
      HTML,
      html(label('        - "Backupbot.backup.volumes.content.path=public_html"\n')),
      [
        "backupbot.ignored -: services.app deploy label Backupbot.backup.volumes.content.path changed (absent -> public_html)",
      ],
    ],
    [
      "the version label",
      HTML,
      html(COMPOSE.replace("version=1.0.0+1.27", "version=1.0.1+1.27")),
      [
        "coop-cloud.version upgrade: services.app deploy label coop-cloud.${STACK_NAME}.version changed (1.0.0+1.27 -> 1.0.1+1.27)",
      ],
    ],
    [
      "the timeout label (issue 16, item 3)",
      LASUITE,
      lasuite("${TIMEOUT:-300}", "${TIMEOUT:-30}"),
      [
        "coop-cloud.timeout install: services.app deploy label coop-cloud.${STACK_NAME}.timeout changed (300 -> 30)",
      ],
    ],
    [
      "the Traefik router's port (issue 16, item 3)",
      HTML,
      html(COMPOSE.replace("server.port=80", "server.port=8080")),
      [
        "traefik.reach install: services.app deploy label traefik.http.services.${STACK_NAME}.loadbalancer.server.port changed (80 -> 8080)",
      ],
    ],
    [
      "a router's path rule",
      LASUITE,
      lasuite("PathPrefix(`/collaboration/ws`)", "PathPrefix(`/colaboration/ws`)"),
      [
        "traefik.routing custom: services.y-provider deploy label traefik.http.routers.${STACK_NAME}_yprovider.rule changed (Host(`docs.example.com`) && PathPrefix(`/collaboration/ws`) -> Host(`docs.example.com`) && PathPrefix(`/colaboration/ws`))",
      ],
    ],
    [
      "a service label nothing reads",
      HTML,
      html(label('        - "org.example.owner=ops"\n')),
      ["service-label custom: services.app deploy label org.example.owner changed (absent -> ops)"],
    ],
    [
      "a container label",
      HTML,
      html(
        COMPOSE.replace(
          "    image: nginx:1.27\n",
          '    image: nginx:1.27\n    labels:\n      - "backupbot.backup=true"\n',
        ),
      ),
      ["container-label -: services.app container label backupbot.backup changed (absent -> true)"],
    ],
    [
      "depends_on, which swarm ignores",
      LASUITE,
      lasuite("      - minio\n    healthcheck:", "    healthcheck:"),
      ['ignored -: services.app.depends_on changed (["db","redis","minio"] -> ["db","redis"])'],
    ],
    [
      "deploy settings",
      HTML,
      html(COMPOSE.replace("condition: on-failure", "condition: any")),
      ["deploy install: services.app.deploy.restart_policy.condition changed (on-failure -> any)"],
    ],
    [
      "a config template changed with its version bump",
      HTML,
      {
        ...HTML,
        "abra.sh": "export NGINX_CONF_VERSION=v2\n",
        "nginx.conf.tmpl": `${HTML["nginx.conf.tmpl"] as string}# v2\n`,
      },
      [
        "mount-new-content install: services.app config at /etc/nginx/conf.d/default.conf mounts ${STACK_NAME}_nginx_conf_v2 instead of ${STACK_NAME}_nginx_conf_v1, with new content",
      ],
    ],
    [
      "a version bump with the same content (issue 16, item 6)",
      HTML,
      { ...HTML, "abra.sh": "export NGINX_CONF_VERSION=v2\n" },
      [
        "mount-bump -: services.app config at /etc/nginx/conf.d/default.conf mounts ${STACK_NAME}_nginx_conf_v2 instead of ${STACK_NAME}_nginx_conf_v1, with the same content",
      ],
    ],
    [
      "an external secret's version bumped (issue 16, item 3)",
      LASUITE,
      {
        ...LASUITE,
        ".env.sample": (LASUITE[".env.sample"] as string).replace(
          "SECRET_DB_PASSWORD_VERSION=v1",
          "SECRET_DB_PASSWORD_VERSION=v2",
        ),
      },
      [
        "mount-external install: services.app secret at /run/secrets/db_password mounts ${STACK_NAME}_db_password_v2 instead of ${STACK_NAME}_db_password_v1",
        "mount-external install: services.celery secret at /run/secrets/db_password mounts ${STACK_NAME}_db_password_v2 instead of ${STACK_NAME}_db_password_v1",
        "mount-external install: services.db secret at /run/secrets/db_password mounts ${STACK_NAME}_db_password_v2 instead of ${STACK_NAME}_db_password_v1",
      ],
    ],
    [
      "the entrypoint template a service runs, with its bump (issue 16, item 3)",
      LASUITE,
      {
        ...LASUITE,
        "abra.sh": (LASUITE["abra.sh"] as string).replace(
          "ENTRYPOINT_VERSION=v2",
          "ENTRYPOINT_VERSION=v3",
        ),
        "entrypoint.sh.tmpl": `${LASUITE["entrypoint.sh.tmpl"] as string}echo changed\n`,
      },
      [
        "mount-new-content install: services.app config at /usr/local/bin/abra-entrypoint.sh mounts ${STACK_NAME}_entrypoint_v3 instead of ${STACK_NAME}_entrypoint_v2, with new content",
        "mount-new-content install: services.celery config at /usr/local/bin/abra-entrypoint.sh mounts ${STACK_NAME}_entrypoint_v3 instead of ${STACK_NAME}_entrypoint_v2, with new content",
      ],
    ],
    [
      "a config edited without its bump",
      HTML,
      { ...HTML, "nginx.conf.tmpl": `${HTML["nginx.conf.tmpl"] as string}# x\n` },
      [
        expect.stringMatching(
          /^config-content upgrade: config \$\{STACK_NAME\}_nginx_conf_v1: nginx\.conf\.tmpl \(blob [0-9a-f]{7}\) -> nginx\.conf\.tmpl \(blob [0-9a-f]{7}\), under the same name$/,
        ) as unknown as string,
      ],
    ],
    [
      "a config's key renamed, same name and content (issue 16, item 6)",
      HTML,
      html(
        COMPOSE.replace("source: nginx_conf", "source: nginx_config").replace(
          "  nginx_conf:\n",
          "  nginx_config:\n",
        ),
      ),
      [
        "config-source -: config ${STACK_NAME}_nginx_conf_v1 key changed (nginx_conf -> nginx_config)",
      ],
    ],
    [
      "a config pointed at another file with other content, same name (issue 16, item 6)",
      HTML,
      {
        ...html(COMPOSE.replace("file: nginx.conf.tmpl", "file: nginx.v2.conf.tmpl")),
        "nginx.v2.conf.tmpl": "server { listen 81; }\n",
      },
      [
        expect.stringMatching(
          /^config-content upgrade: config \$\{STACK_NAME\}_nginx_conf_v1: nginx\.conf\.tmpl \(blob [0-9a-f]{7}\) -> nginx\.v2\.conf\.tmpl \(blob [0-9a-f]{7}\), under the same name$/,
        ) as unknown as string,
      ],
    ],
    [
      "a network",
      HTML,
      html(
        COMPOSE.replace(
          "  proxy:\n    external: true\n",
          "  proxy:\n    external: true\n  internal:\n",
        ),
      ),
      ["networks-volumes install: networks.internal changed (absent -> null)"],
    ],
    [
      "an extension field nothing uses",
      HTML,
      html(COMPOSE.replace("services:\n", "x-unused: 1\nservices:\n")),
      ["extension -: x-unused changed (absent -> 1)"],
    ],
  ])("%s", (_name, base, pin, expected) => expect(diff(base, pin)).toEqual(expected));
});

describe("a mount of a config the deployment no longer declares", () => {
  it("is a plain change of the service, read by install (compose-valid says what is missing)", () => {
    const [a, b] = [
      HTML,
      { ...HTML, "compose.yml": COMPOSE.slice(0, COMPOSE.indexOf("\nconfigs:\n") + 1) },
    ].map((t) => recipeOf(t).deployments[0]?.stack as SwarmStack);
    expect(
      diffDeployments(a as SwarmStack, b as SwarmStack).map(
        (c) => `${c.row.id}: ${describeChange(c)}`,
      ),
    ).toEqual([
      "service-settings: services.app config at /etc/nginx/conf.d/default.conf changed (${STACK_NAME}_nginx_conf_v1 -> (undeclared config nginx_conf))",
    ]);
  });
});
