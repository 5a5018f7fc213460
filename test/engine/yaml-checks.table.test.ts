/**
 * The three checks that read YAML, as tables: the merge-base and pin trees, the changed files
 * (with their sides as the inspection read them, and the rule that governs them) in; the whole
 * CheckResult out, every message and cause pinned word for word, one row per branch.
 *
 * - yaml-valid: each changed YAML file still parses (a compose file as ONE document, which is all
 *   `docker stack deploy` reads), or, for a file a config renders as a Go template, its actions
 *   balance; a problem the merge-base already had only warns.
 * - compose-valid: every deployment of the pin deploys (the default one, and each optional one an
 *   operator can switch on); the cause names the changed files to undo.
 * - keys: only the key paths the rule allows differ, with list-form and map-form labels and
 *   environment read alike in compose files, as Docker reads them (targeted-changes.md A4).
 */
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/engine/check-result.ts";
import type { FileAnalysis } from "../../src/engine/inspect-files.ts";
import { compileRules } from "../../src/engine/rules.ts";
import {
  checkComposeValid,
  checkKeys,
  checkYamlValid,
  type YamlContext,
} from "../../src/engine/yaml-checks.ts";
import { type Recipe, readRecipe } from "../../src/recipe/read-recipe.ts";
import { createYamlCache } from "../../src/recipe/yaml-cache.ts";
import type { ChangeRule } from "../../src/shared/fixture.ts";
import { MODE } from "../../src/shared/git-facts.ts";
import type { Side } from "../../src/shared/tree.ts";
import { rule, snapshotOf, type Tree } from "../helpers/trees.ts";

// ---------------------------------------------------------------------------------------------
// A small custom-html: nginx serving a volume, its config rendered from a Go template.

const COMPOSE = `version: "3.8"
services:
  app:
    image: nginx:1.27
    environment:
      - DOMAIN
    volumes:
      - content:/usr/share/nginx/html
    configs:
      - source: nginx_conf
        target: /etc/nginx/conf.d/default.conf
    deploy:
      labels:
        - "backupbot.backup=\${ENABLE_BACKUPS:-true}"
volumes:
  content:
configs:
  nginx_conf:
    name: \${STACK_NAME}_nginx_conf_\${NGINX_CONF_VERSION}
    file: nginx.conf.tmpl
    template_driver: golang
`;
const ENV = "TYPE=custom-html\nDOMAIN=custom-html.example.com\nENABLE_BACKUPS=true\n";
const ABRA = "export NGINX_CONF_VERSION=v1\n";
const TMPL = '# {{ env "DOMAIN" }}\nserver {\n  root /usr/share/nginx/html;\n}\n';
const RECIPE: Tree = {
  ".env.sample": ENV,
  "abra.sh": ABRA,
  "compose.yml": COMPOSE,
  "nginx.conf.tmpl": TMPL,
  "README.md": "# custom-html\n",
};
/** compose.yml with one line replaced (the line must be there). */
const edit = (from: string, to: string, text = COMPOSE): string => {
  if (!text.includes(from)) throw new Error(`no ${JSON.stringify(from)} to replace`);
  return text.replace(from, to);
};
const BACKUP_LINE = '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n';
/** The bad-backup canary's one line (targeted-changes.md 2.3). */
const BAD_BACKUP = edit(
  BACKUP_LINE,
  `${BACKUP_LINE}        - "backupbot.backup.volumes.content.path=public_html"\n`,
);
/** An SMTP overlay, switched on by an operator. */
const SMTP = `version: "3.8"
services:
  app:
    environment:
      - SMTP_HOST=mail.example.com
`;
/** Traefik's file provider configuration, rendered by its config (template_driver: golang). */
const TRAEFIK_COMPOSE = edit(
  "volumes:\n  content:\n",
  `  traefik:
    image: traefik:v3.1
    configs:
      - source: traefik_yml
        target: /etc/traefik/traefik.yml
      - source: dynamic_yml
        target: /etc/traefik/dynamic.yml
volumes:
  content:
`,
).concat(`  traefik_yml:
    name: \${STACK_NAME}_traefik_yml_v1
    file: traefik.yml
    template_driver: golang
  dynamic_yml:
    name: \${STACK_NAME}_dynamic_yml_v1
    file: dynamic.yml
`);
const TRAEFIK_YML = "entryPoints:\n  web:\n    address: ':80'\n";
const DYNAMIC_YML =
  "http:\n  routers:\n{{ range $i, $d := .Domains }}\n    r{{ $i }}:\n      rule: Host(`{{ $d }}`)\n{{ end }}\n";
const TRAEFIK: Tree = {
  ...RECIPE,
  "compose.yml": TRAEFIK_COMPOSE,
  "traefik.yml": TRAEFIK_YML,
  "dynamic.yml": DYNAMIC_YML,
};
/** What renders dynamic.yml: Traefik's file provider, which reads it. */
const TRAEFIK_RENDERS =
  'service "traefik" mounts it into Traefik, whose file provider renders templates';

// ---------------------------------------------------------------------------------------------
// Facts: the recipe at both ends, and the changed files as the inspection read them.

const textSide = (text: string): Side => ({ state: "text", text, invalidUtf8At: null });
const ABSENT: Side = { state: "absent" };
const sideIn = (tree: Tree, path: string): Side => {
  const file = tree[path];
  if (file === undefined) return ABSENT;
  if (typeof file !== "string") throw new Error(`${path}: give its side explicitly`);
  return textSide(file);
};

type Change = {
  path: string;
  /** The path before a rename. */
  oldPath?: string;
  /** The sides, when not the trees' text (binary, too large, a symlink, invalid UTF-8...). */
  before?: Side;
  after?: Side;
  rule?: ChangeRule;
};

function analysis(base: Tree, pin: Tree, c: Change): FileAnalysis {
  const before = c.before ?? sideIn(base, c.oldPath ?? c.path);
  const after = c.after ?? sideIn(pin, c.path);
  const mode = (side: Side) =>
    side.state === "absent"
      ? MODE.absent
      : side.state === "symlink"
        ? MODE.symlink
        : side.state === "submodule"
          ? MODE.submodule
          : MODE.file;
  return {
    change: {
      status:
        c.oldPath !== undefined
          ? "renamed"
          : before.state === "absent"
            ? "added"
            : after.state === "absent"
              ? "deleted"
              : "modified",
      path: c.path,
      oldPath: c.oldPath ?? null,
      oldMode: mode(before),
      newMode: mode(after),
      oldBlob: before.state === "absent" ? null : "1".repeat(40),
      newBlob: after.state === "absent" ? null : "2".repeat(40),
      oldSize: null,
      newSize: null,
      binary: false,
      added: 0,
      removed: 0,
      similarity: c.oldPath !== undefined ? 100 : null,
    },
    rule: c.rule ? (compileRules([c.rule])[0] ?? null) : null,
    oldRule: null,
    before,
    after,
    hunks: [],
    added: [],
    removed: [],
  };
}

const recipeOf = (tree: Tree, unlisted: string[] = []): Recipe => {
  const snapshot = snapshotOf(tree);
  for (const dir of unlisted) snapshot.dirs.delete(dir);
  return readRecipe(snapshot, createYamlCache());
};

type Facts = {
  base: Tree;
  pin: Tree;
  changes: (string | Change)[];
  /** Directories of the pin left unlisted (the inspection limits were reached). */
  unlisted?: string[];
};

function facts({ base, pin, changes, unlisted }: Facts): [FileAnalysis[], YamlContext] {
  const files = changes.map((c) => analysis(base, pin, typeof c === "string" ? { path: c } : c));
  return [
    files,
    {
      base: recipeOf(base),
      pin: recipeOf(pin, unlisted),
      yaml: createYamlCache(),
      maxBlobBytes: 1024 * 1024,
    },
  ];
}

const WITH_SMTP: Tree = { ...RECIPE, "compose.smtp.yml": SMTP };
const ALREADY = "(already so at the merge-base, so not caused by this change)";
type Row = [string, Facts, CheckResult];

// ---------------------------------------------------------------------------------------------

describe("yaml-valid", () => {
  const unparsable = (path: string, detail: string) => ({
    kind: "unparsable" as const,
    path,
    files: [path],
    detail,
  });
  const DUPLICATE = edit("    deploy:\n", "    image: nginx:1.28\n    deploy:\n");
  const DUPLICATE_ERROR = "Map keys must be unique at line 12, column 5";
  const TWO_DUPLICATES = edit(
    "    deploy:\n",
    "    image: nginx:1.28\n    deploy:\n",
    edit("volumes:\n  content:\n", "volumes:\n  content:\nvolumes:\n  content:\n"),
  );
  const TWO_DOCUMENTS = `${COMPOSE}---\n${SMTP}`;
  const TWO_DOCUMENTS_ERROR =
    "it holds 2 documents (separated by ---), and a compose file must be one";
  const UNCLOSED = `{{ if .Enabled }}\n${DYNAMIC_YML}`;
  const UNCLOSED_ERROR = "{{ if }} on line 1 is never closed with {{ end }}";
  const TWO_PROBLEMS = `{{ end }}\n{{ if .Enabled }}\n${DYNAMIC_YML}`;

  it.each<Row>([
    [
      "no YAML file changed",
      {
        base: RECIPE,
        pin: { ...RECIPE, "nginx.conf.tmpl": `${TMPL}# x\n` },
        changes: ["nginx.conf.tmpl"],
      },
      { id: "yaml-valid", status: "skip", message: "no YAML file changed" },
    ],
    [
      "a YAML file deleted: nothing left to parse",
      { base: { ...RECIPE, "compose.smtp.yml": SMTP }, pin: RECIPE, changes: ["compose.smtp.yml"] },
      { id: "yaml-valid", status: "skip", message: "no YAML file changed" },
    ],
    [
      "the bad-backup canary's compose.yml parses",
      { base: RECIPE, pin: { ...RECIPE, "compose.yml": BAD_BACKUP }, changes: ["compose.yml"] },
      { id: "yaml-valid", status: "pass", message: "compose.yml parses" },
    ],
    [
      "two files parse",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": BAD_BACKUP, "compose.smtp.yml": SMTP },
        changes: ["compose.yml", "compose.smtp.yml"],
      },
      { id: "yaml-valid", status: "pass", message: "compose.yml, compose.smtp.yml parse" },
    ],
    [
      "a Go template a config renders: its actions balance (it need not parse as YAML)",
      {
        base: TRAEFIK,
        pin: { ...TRAEFIK, "dynamic.yml": DYNAMIC_YML.replace("r{{ $i }}", "router{{ $i }}") },
        changes: ["dynamic.yml"],
      },
      {
        id: "yaml-valid",
        status: "pass",
        message: "dynamic.yml is a Go template whose actions balance",
      },
    ],
    [
      "two templates, one YAML file, one allowed to be invalid: all said, in that order",
      {
        base: TRAEFIK,
        pin: {
          ...TRAEFIK,
          "compose.yml": edit("traefik:v3.1", "traefik:v3.2", TRAEFIK_COMPOSE),
          "traefik.yml": `${TRAEFIK_YML}  websecure:\n    address: ':443'\n`,
          "dynamic.yml": `${DYNAMIC_YML}# x\n`,
          "compose.smtp.yml": "services: [\n",
        },
        changes: [
          "traefik.yml",
          "compose.yml",
          "dynamic.yml",
          { path: "compose.smtp.yml", rule: rule("compose.smtp.yml", { allow: ["invalid-yaml"] }) },
        ],
      },
      {
        id: "yaml-valid",
        status: "pass",
        message:
          "compose.yml parses; traefik.yml, dynamic.yml are Go templates whose actions balance; compose.smtp.yml not checked (allow: invalid-yaml)",
      },
    ],
    [
      "allow: invalid-yaml: the file is not checked",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": DUPLICATE },
        changes: [{ path: "compose.yml", rule: rule("compose.yml", { allow: ["invalid-yaml"] }) }],
      },
      {
        id: "yaml-valid",
        status: "pass",
        message: "compose.yml not checked (allow: invalid-yaml)",
      },
    ],
    [
      "a template that no longer balances",
      { base: TRAEFIK, pin: { ...TRAEFIK, "dynamic.yml": UNCLOSED }, changes: ["dynamic.yml"] },
      {
        id: "yaml-valid",
        status: "fail",
        message: `dynamic.yml (a Go template: ${TRAEFIK_RENDERS}): ${UNCLOSED_ERROR}`,
        causes: [unparsable("dynamic.yml", "template")],
      },
    ],
    [
      "a template with two problems: the first said, and how many more",
      { base: TRAEFIK, pin: { ...TRAEFIK, "dynamic.yml": TWO_PROBLEMS }, changes: ["dynamic.yml"] },
      {
        id: "yaml-valid",
        status: "fail",
        message: `dynamic.yml (a Go template: ${TRAEFIK_RENDERS}): {{ end }} on line 1 closes nothing (and 1 more)`,
        causes: [unparsable("dynamic.yml", "template")],
      },
    ],
    [
      "a template config rendered by template_driver: golang, no longer balanced",
      {
        base: TRAEFIK,
        pin: { ...TRAEFIK, "traefik.yml": `${TRAEFIK_YML}{{ end }}\n` },
        changes: ["traefik.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message:
          'traefik.yml (a Go template: config "traefik_yml" renders it (template_driver: golang)): {{ end }} on line 4 closes nothing',
        causes: [unparsable("traefik.yml", "template")],
      },
    ],
    [
      "a template as unbalanced as at the merge-base: a warning",
      {
        base: { ...TRAEFIK, "dynamic.yml": UNCLOSED },
        pin: { ...TRAEFIK, "dynamic.yml": `${UNCLOSED}# x\n` },
        changes: ["dynamic.yml"],
      },
      {
        id: "yaml-valid",
        status: "warn",
        message: `dynamic.yml (a Go template: ${TRAEFIK_RENDERS}): ${UNCLOSED_ERROR} ${ALREADY}`,
      },
    ],
    [
      "a template with more problems than at the merge-base: it fails",
      {
        base: { ...TRAEFIK, "dynamic.yml": UNCLOSED },
        pin: { ...TRAEFIK, "dynamic.yml": TWO_PROBLEMS },
        changes: ["dynamic.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message: `dynamic.yml (a Go template: ${TRAEFIK_RENDERS}): {{ end }} on line 1 closes nothing (and 1 more)`,
        causes: [unparsable("dynamic.yml", "template")],
      },
    ],
    [
      "a template with fewer problems than at the merge-base: not this change's doing",
      {
        base: { ...TRAEFIK, "dynamic.yml": TWO_PROBLEMS },
        pin: { ...TRAEFIK, "dynamic.yml": UNCLOSED },
        changes: ["dynamic.yml"],
      },
      {
        id: "yaml-valid",
        status: "warn",
        message: `dynamic.yml (a Go template: ${TRAEFIK_RENDERS}): ${UNCLOSED_ERROR} ${ALREADY}`,
      },
    ],
    [
      "a template that did not exist at the merge-base: its problems are new",
      {
        base: RECIPE,
        pin: { ...TRAEFIK, "dynamic.yml": UNCLOSED },
        changes: ["compose.yml", "traefik.yml", "dynamic.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message: `dynamic.yml (a Go template: ${TRAEFIK_RENDERS}): ${UNCLOSED_ERROR}`,
        causes: [unparsable("dynamic.yml", "template")],
      },
    ],
    [
      "a compose file is never rendered, even when a config reads it with template_driver: golang",
      {
        base: RECIPE,
        pin: {
          ...RECIPE,
          "compose.yml": edit("file: nginx.conf.tmpl", "file: compose.yml").replace(
            "NGINX_CONF_VERSION}\n",
            "NGINX_CONF_VERSION}\n# {{ if .X }}\n",
          ),
        },
        changes: ["compose.yml"],
      },
      { id: "yaml-valid", status: "pass", message: "compose.yml parses" },
    ],
    [
      "a duplicate key (targeted-changes.md B11): the parser's words",
      { base: RECIPE, pin: { ...RECIPE, "compose.yml": DUPLICATE }, changes: ["compose.yml"] },
      {
        id: "yaml-valid",
        status: "fail",
        message: `compose.yml does not parse: ${DUPLICATE_ERROR}`,
        causes: [unparsable("compose.yml", "syntax")],
      },
    ],
    [
      "as broken as at the merge-base (as many errors): a warning",
      {
        base: { ...RECIPE, "compose.yml": DUPLICATE },
        pin: { ...RECIPE, "compose.yml": DUPLICATE.replace("1.27", "1.26") },
        changes: ["compose.yml"],
      },
      {
        id: "yaml-valid",
        status: "warn",
        message: `compose.yml does not parse: ${DUPLICATE_ERROR} ${ALREADY}`,
      },
    ],
    [
      "more errors than at the merge-base: it fails",
      {
        base: { ...RECIPE, "compose.yml": DUPLICATE },
        pin: { ...RECIPE, "compose.yml": TWO_DUPLICATES },
        changes: ["compose.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message: `compose.yml does not parse: ${DUPLICATE_ERROR}`,
        causes: [unparsable("compose.yml", "syntax")],
      },
    ],
    [
      "a new file that does not parse",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.smtp.yml": "services: [\n" },
        changes: ["compose.smtp.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message:
          "compose.smtp.yml does not parse: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1",
        causes: [unparsable("compose.smtp.yml", "syntax")],
      },
    ],
    [
      "a compose file holding two documents: docker stack deploy reads one",
      { base: RECIPE, pin: { ...RECIPE, "compose.yml": TWO_DOCUMENTS }, changes: ["compose.yml"] },
      {
        id: "yaml-valid",
        status: "fail",
        message: `compose.yml does not parse: ${TWO_DOCUMENTS_ERROR}`,
        causes: [unparsable("compose.yml", "syntax")],
      },
    ],
    [
      "two documents in a compose file new at the pin (an overlay)",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.smtp.yml": `${SMTP}---\n${SMTP}` },
        changes: ["compose.smtp.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message: `compose.smtp.yml does not parse: ${TWO_DOCUMENTS_ERROR}`,
        causes: [unparsable("compose.smtp.yml", "syntax")],
      },
    ],
    [
      "two documents in compose.yml already at the merge-base: a warning",
      {
        base: { ...RECIPE, "compose.yml": TWO_DOCUMENTS },
        pin: { ...RECIPE, "compose.yml": `${TWO_DOCUMENTS}# x\n` },
        changes: ["compose.yml"],
      },
      {
        id: "yaml-valid",
        status: "warn",
        message: `compose.yml does not parse: ${TWO_DOCUMENTS_ERROR} ${ALREADY}`,
      },
    ],
    [
      "two documents in YAML that is no compose file (Drone's format): it parses",
      {
        base: RECIPE,
        pin: { ...RECIPE, ".drone.yml": "kind: pipeline\n---\nkind: secret\n" },
        changes: [".drone.yml"],
      },
      { id: "yaml-valid", status: "pass", message: ".drone.yml parses" },
    ],
    [
      "compose.yml emptied (targeted-changes.md B1)",
      { base: RECIPE, pin: { ...RECIPE, "compose.yml": "" }, changes: ["compose.yml"] },
      {
        id: "yaml-valid",
        status: "fail",
        message: "compose.yml is an empty YAML document (it parses to null)",
        causes: [unparsable("compose.yml", "null")],
      },
    ],
    [
      "compose.yml reduced to --- (targeted-changes.md B2)",
      { base: RECIPE, pin: { ...RECIPE, "compose.yml": "---\n" }, changes: ["compose.yml"] },
      {
        id: "yaml-valid",
        status: "fail",
        message: "compose.yml is an empty YAML document (it parses to null)",
        causes: [unparsable("compose.yml", "null")],
      },
    ],
    [
      "a YAML file that was already empty: a warning",
      {
        base: { ...RECIPE, "compose.smtp.yml": "---\n" },
        pin: { ...RECIPE, "compose.smtp.yml": "# nothing yet\n" },
        changes: ["compose.smtp.yml"],
      },
      {
        id: "yaml-valid",
        status: "warn",
        message: `compose.smtp.yml is an empty YAML document (it parses to null) ${ALREADY}`,
      },
    ],
    [
      "a new YAML file that is empty: nothing at the merge-base to excuse it",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.smtp.yml": "---\n" },
        changes: ["compose.smtp.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message: "compose.smtp.yml is an empty YAML document (it parses to null)",
        causes: [unparsable("compose.smtp.yml", "null")],
      },
    ],
    [
      "emptied, where the merge-base did not parse: it fails",
      {
        base: { ...RECIPE, "compose.yml": DUPLICATE },
        pin: { ...RECIPE, "compose.yml": "" },
        changes: ["compose.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message: "compose.yml is an empty YAML document (it parses to null)",
        causes: [unparsable("compose.yml", "null")],
      },
    ],
    [
      "re-encoded as UTF-16 (targeted-changes.md B15): binary",
      { base: RECIPE, pin: RECIPE, changes: [{ path: "compose.yml", after: { state: "binary" } }] },
      {
        id: "yaml-valid",
        status: "fail",
        message: "compose.yml is binary (re-encoded, e.g. as UTF-16?)",
        causes: [unparsable("compose.yml", "binary")],
      },
    ],
    [
      "replaced by a symlink (targeted-changes.md B12)",
      {
        base: RECIPE,
        pin: RECIPE,
        changes: [{ path: "compose.yml", after: { state: "symlink" } }],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message: "compose.yml is now a symlink, not a YAML file",
        causes: [unparsable("compose.yml", "symlink")],
      },
    ],
    [
      "replaced by a submodule (targeted-changes.md B20)",
      {
        base: RECIPE,
        pin: RECIPE,
        changes: [{ path: "compose.yml", after: { state: "submodule" } }],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message: "compose.yml is now a submodule, not a YAML file",
        causes: [unparsable("compose.yml", "submodule")],
      },
    ],
    [
      "over the inspection limit: not read, and so not passed",
      {
        base: RECIPE,
        pin: RECIPE,
        changes: [{ path: "compose.yml", after: { state: "too-large", size: 2 * 1024 * 1024 } }],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message: "compose.yml is 2.0 MiB, over the 1.0 MiB inspection limit",
        causes: [unparsable("compose.yml", "too-large")],
      },
    ],
    [
      "not read (the budget was spent): not passed",
      {
        base: RECIPE,
        pin: RECIPE,
        changes: [
          {
            path: "compose.yml",
            after: {
              state: "unread",
              reason: "not read: the fixture's files together exceed the inspection budget",
            },
          },
        ],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message:
          "compose.yml was not read: the fixture's files together exceed the inspection budget",
        causes: [unparsable("compose.yml", "unread")],
      },
    ],
    [
      "saved as Latin-1: not UTF-8",
      {
        base: RECIPE,
        pin: RECIPE,
        changes: [
          { path: "compose.yml", after: { state: "text", text: COMPOSE, invalidUtf8At: 42 } },
        ],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message:
          "compose.yml is not valid UTF-8 (byte 42 starts an invalid sequence; saved as Latin-1?), and Docker's YAML loader refuses it",
        causes: [unparsable("compose.yml", "utf8")],
      },
    ],
    [
      "a new file that is not UTF-8",
      {
        base: RECIPE,
        pin: RECIPE,
        changes: [
          { path: "compose.smtp.yml", after: { state: "text", text: SMTP, invalidUtf8At: 7 } },
        ],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message:
          "compose.smtp.yml is not valid UTF-8 (byte 7 starts an invalid sequence; saved as Latin-1?), and Docker's YAML loader refuses it",
        causes: [unparsable("compose.smtp.yml", "utf8")],
      },
    ],
    [
      "not UTF-8 already at the merge-base: a warning",
      {
        base: RECIPE,
        pin: RECIPE,
        changes: [
          {
            path: "compose.yml",
            before: { state: "text", text: COMPOSE, invalidUtf8At: 42 },
            after: { state: "text", text: `${COMPOSE}# x\n`, invalidUtf8At: 42 },
          },
        ],
      },
      {
        id: "yaml-valid",
        status: "warn",
        message: `compose.yml is not valid UTF-8 (byte 42 starts an invalid sequence; saved as Latin-1?), and Docker's YAML loader refuses it ${ALREADY}`,
      },
    ],
    [
      "two files invalid: counted, the first said, the second in the details",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": "", "compose.smtp.yml": "services: [\n" },
        changes: ["compose.yml", "compose.smtp.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message:
          "2 YAML files are invalid: compose.yml is an empty YAML document (it parses to null) (and 1 more)",
        details: [
          "compose.smtp.yml does not parse: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1",
        ],
        causes: [unparsable("compose.yml", "null"), unparsable("compose.smtp.yml", "syntax")],
      },
    ],
    [
      "one file newly invalid beside one the merge-base already had: one counted, the old one a detail",
      {
        base: { ...RECIPE, "compose.smtp.yml": "---\n" },
        pin: { ...RECIPE, "compose.yml": "", "compose.smtp.yml": "# nothing yet\n" },
        changes: ["compose.yml", "compose.smtp.yml"],
      },
      {
        id: "yaml-valid",
        status: "fail",
        message:
          "1 YAML file is invalid: compose.yml is an empty YAML document (it parses to null)",
        details: [`compose.smtp.yml is an empty YAML document (it parses to null) ${ALREADY}`],
        causes: [unparsable("compose.yml", "null")],
      },
    ],
  ])("%s", (_name, input, expected) => {
    expect(checkYamlValid(...facts(input))).toEqual(expected);
  });
});

describe("compose-valid", () => {
  const DEPLOYS =
    "every file parses, every service has an image, and what the services use is declared";
  const ONE = `the deployment (compose.yml) deploys: ${DEPLOYS}`;
  const BOTH = `all 2 deployments (compose.yml, compose.yml + compose.smtp.yml (optional)) deploy: ${DEPLOYS}`;
  const NO_IMAGE = edit("    image: nginx:1.27\n", '    image: ""\n');
  const deploys = (files: string[], detail: string) => ({
    kind: "does-not-deploy" as const,
    files,
    detail,
  });
  const SMTP_SECRET = `${SMTP}    secrets:\n      - smtp_password\n`;
  const SECRET_UNDECLARED =
    'compose.yml + compose.smtp.yml (optional): secret "smtp_password" used by service "app" is not declared in the top-level secrets section';
  /** A database whose volume nothing declares: a deployment already broken at the merge-base. */
  const WITH_DB = (compose: string) =>
    edit(
      "volumes:\n  content:\n",
      "  db:\n    image: postgres:16.6\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  content:\n",
      compose,
    );
  /** app reading env_files (docker stack deploy refuses one that does not exist). */
  const ENV_FILE = (paths: string[]) =>
    edit(
      "    image: nginx:1.27\n",
      `    image: nginx:1.27\n    env_file:\n${paths.map((p) => `      - ${p}\n`).join("")}`,
    );
  const NO_ENV_FILE = 'compose.yml: service "app" reads env_file app.env, which does not exist';
  const REQUIRED = edit(
    "      - DOMAIN\n",
    "      - DOMAIN=${DOMAIN:?set DOMAIN in the app's env}\n",
  );

  it.each<Row>([
    [
      "only the README changed: no deployment reads it",
      { base: RECIPE, pin: { ...RECIPE, "README.md": "# x\n" }, changes: ["README.md"] },
      { id: "compose-valid", status: "skip", message: "no file a deployment reads changed" },
    ],
    [
      ".env.sample changed: every deployment is checked (its values are interpolated)",
      {
        base: RECIPE,
        pin: { ...RECIPE, ".env.sample": ENV.replace("custom-html.example.com", "example.org") },
        changes: [".env.sample"],
      },
      { id: "compose-valid", status: "pass", message: ONE },
    ],
    [
      "abra.sh changed: every deployment is checked (its exports are interpolated)",
      {
        base: RECIPE,
        pin: { ...RECIPE, "abra.sh": "export NGINX_CONF_VERSION=v2\n" },
        changes: ["abra.sh"],
      },
      { id: "compose-valid", status: "pass", message: ONE },
    ],
    [
      "a config's file changed: the deployment reading it is checked",
      {
        base: RECIPE,
        pin: { ...RECIPE, "nginx.conf.tmpl": `${TMPL}# x\n` },
        changes: ["nginx.conf.tmpl"],
      },
      { id: "compose-valid", status: "pass", message: ONE },
    ],
    [
      "an optional overlay deleted: the merge-base read it, so what is left is checked",
      { base: WITH_SMTP, pin: RECIPE, changes: ["compose.smtp.yml"] },
      { id: "compose-valid", status: "pass", message: ONE },
    ],
    [
      "an overlay renamed out of the recipe's compose files: the merge-base read its old path",
      {
        base: WITH_SMTP,
        pin: { ...RECIPE, "docs/compose.smtp.yml.example": SMTP },
        changes: [{ path: "docs/compose.smtp.yml.example", oldPath: "compose.smtp.yml" }],
      },
      { id: "compose-valid", status: "pass", message: ONE },
    ],
    [
      "the bad-backup canary, with an overlay: both deployments deploy",
      {
        base: WITH_SMTP,
        pin: { ...WITH_SMTP, "compose.yml": BAD_BACKUP },
        changes: ["compose.yml"],
      },
      { id: "compose-valid", status: "pass", message: BOTH },
    ],
    [
      "allow: invalid-yaml on the one changed file a deployment reads: not checked",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": NO_IMAGE },
        changes: [{ path: "compose.yml", rule: rule("compose.yml", { allow: ["invalid-yaml"] }) }],
      },
      {
        id: "compose-valid",
        status: "skip",
        message: "the changed compose files may be invalid (allow: invalid-yaml)",
      },
    ],
    [
      "allow: invalid-yaml on one of two changed files: checked",
      {
        base: WITH_SMTP,
        pin: { ...WITH_SMTP, "compose.yml": BAD_BACKUP, "compose.smtp.yml": `${SMTP}# x\n` },
        changes: [
          { path: "compose.yml", rule: rule("compose.yml", { allow: ["invalid-yaml"] }) },
          "compose.smtp.yml",
        ],
      },
      { id: "compose-valid", status: "pass", message: BOTH },
    ],
    [
      "an empty image (a bad-install that never deploys): compose.yml to undo",
      { base: RECIPE, pin: { ...RECIPE, "compose.yml": NO_IMAGE }, changes: ["compose.yml"] },
      {
        id: "compose-valid",
        status: "fail",
        message: 'compose.yml: service "app" has an empty image',
        causes: [deploys(["compose.yml"], "stack")],
      },
    ],
    [
      "a problem of the merged stack: every changed file the deployment reads is to undo",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": NO_IMAGE, "nginx.conf.tmpl": `${TMPL}# x\n` },
        changes: ["compose.yml", "nginx.conf.tmpl"],
      },
      {
        id: "compose-valid",
        status: "fail",
        message: 'compose.yml: service "app" has an empty image',
        causes: [deploys(["compose.yml", "nginx.conf.tmpl"], "stack")],
      },
    ],
    [
      "a problem of one changed file: that file alone is to undo",
      {
        base: RECIPE,
        pin: {
          ...RECIPE,
          "compose.yml": `${COMPOSE}foo: bar\n`,
          "nginx.conf.tmpl": `${TMPL}# x\n`,
        },
        changes: ["compose.yml", "nginx.conf.tmpl"],
      },
      {
        id: "compose-valid",
        status: "fail",
        message:
          'compose.yml: top-level key "foo" is not allowed (Docker allows version, services, networks, volumes, secrets, configs and x- extensions)',
        causes: [deploys(["compose.yml"], "schema")],
      },
    ],
    [
      "a problem in a file the change did not touch: the changed env files are to undo",
      {
        base: { ...RECIPE, "compose.yml": REQUIRED },
        pin: {
          ...RECIPE,
          "compose.yml": REQUIRED,
          ".env.sample": ENV.replace("DOMAIN=custom-html.example.com\n", ""),
          "abra.sh": `${ABRA}# reviewed\n`,
        },
        changes: [".env.sample", "abra.sh"],
      },
      {
        id: "compose-valid",
        status: "fail",
        message:
          "compose.yml: services.app.environment.0: required variable DOMAIN is missing a value: set DOMAIN in the app's env (nothing sets it: not .env.sample, not abra.sh), so docker stack deploy refuses the stack",
        causes: [deploys([".env.sample", "abra.sh"], "interpolation")],
      },
    ],
    [
      "both deployments broken: counted, each with the changed files it reads",
      {
        base: WITH_SMTP,
        pin: { ...WITH_SMTP, "compose.yml": NO_IMAGE, "compose.smtp.yml": `${SMTP}# x\n` },
        changes: ["compose.yml", "compose.smtp.yml"],
      },
      {
        id: "compose-valid",
        status: "fail",
        message:
          '2 deployment problems: compose.yml: service "app" has an empty image (and 1 more)',
        details: ['compose.yml + compose.smtp.yml (optional): service "app" has an empty image'],
        causes: [
          deploys(["compose.yml"], "stack"),
          deploys(["compose.yml", "compose.smtp.yml"], "stack"),
        ],
      },
    ],
    [
      "an overlay that uses a secret declared nowhere: only the optional deployment fails",
      {
        base: WITH_SMTP,
        pin: { ...RECIPE, "compose.smtp.yml": SMTP_SECRET },
        changes: ["compose.smtp.yml"],
      },
      {
        id: "compose-valid",
        status: "fail",
        message: SECRET_UNDECLARED,
        causes: [deploys(["compose.smtp.yml"], "stack")],
      },
    ],
    [
      "an optional deployment already broken at the merge-base: a warning",
      {
        base: { ...RECIPE, "compose.smtp.yml": SMTP_SECRET },
        pin: { ...RECIPE, "compose.smtp.yml": SMTP_SECRET, "compose.yml": BAD_BACKUP },
        changes: ["compose.yml"],
      },
      { id: "compose-valid", status: "warn", message: `${SECRET_UNDECLARED} ${ALREADY}` },
    ],
    [
      "an undeclared volume mounted once more: the same problem docker already had, a warning",
      {
        base: { ...RECIPE, "compose.yml": WITH_DB(COMPOSE) },
        pin: {
          ...RECIPE,
          "compose.yml": edit(
            "      - pgdata:/var/lib/postgresql/data\n",
            "      - pgdata:/var/lib/postgresql/data\n      - pgdata:/backup\n",
            WITH_DB(COMPOSE),
          ),
        },
        changes: ["compose.yml"],
      },
      {
        id: "compose-valid",
        status: "warn",
        message: `compose.yml: volume "pgdata" used by service "db" is not declared in the top-level volumes section ${ALREADY}`,
      },
    ],
    [
      "a deployment whose files could not all be read: it cannot be told, so it fails",
      {
        base: {
          ...RECIPE,
          "compose.yml": edit("file: nginx.conf.tmpl", "file: conf/nginx.conf.tmpl"),
          "conf/nginx.conf.tmpl": TMPL,
        },
        pin: {
          ...RECIPE,
          "compose.yml": edit("file: nginx.conf.tmpl", "file: conf/nginx.conf.tmpl").replace(
            "1.27",
            "1.28",
          ),
          "conf/nginx.conf.tmpl": TMPL,
        },
        changes: ["compose.yml"],
        unlisted: ["conf"],
      },
      {
        id: "compose-valid",
        status: "fail",
        message:
          "compose.yml: not all of its files could be read within the inspection limits, so whether it deploys cannot be told",
        causes: [deploys(["compose.yml"], "unreadable")],
      },
    ],
    [
      // Docker reads a file listed twice once, and fails on it once: nothing new is broken.
      "a missing env_file listed once more: the same problem the merge-base had",
      {
        base: { ...RECIPE, "compose.yml": ENV_FILE(["app.env"]) },
        pin: { ...RECIPE, "compose.yml": ENV_FILE(["app.env", "app.env"]) },
        changes: ["compose.yml"],
      },
      {
        id: "compose-valid",
        status: "warn",
        message: `${NO_ENV_FILE} ${ALREADY}`,
      },
    ],
  ])("%s", (_name, input, expected) => {
    expect(checkComposeValid(...facts(input))).toEqual(expected);
  });

  it("a new problem before an old one: the new one fails, the old one is a detail", () => {
    expect(
      checkComposeValid(
        ...facts({
          base: { ...RECIPE, "compose.yml": WITH_DB(COMPOSE) },
          pin: { ...RECIPE, "compose.yml": WITH_DB(NO_IMAGE) },
          changes: ["compose.yml"],
        }),
      ),
    ).toEqual({
      id: "compose-valid",
      status: "fail",
      message: '1 deployment problem: compose.yml: service "app" has an empty image',
      details: [
        `compose.yml: volume "pgdata" used by service "db" is not declared in the top-level volumes section ${ALREADY}`,
      ],
      causes: [deploys(["compose.yml"], "stack")],
    });
  });
});

describe("keys", () => {
  const LABELS_RULE = rule("compose.yml", { keys: ["services.app.deploy.labels"] });
  const MAY = "only services.app.deploy.labels may change";
  const extraKey = (path: string, allowed: string, keyPath?: string[]) => ({
    kind: "extra-key" as const,
    path,
    files: [path],
    allowed,
    ...(keyPath ? { keyPath } : {}),
  });
  const onLabels = (keyPath?: string[]) =>
    extraKey("compose.yml", "services.app.deploy.labels", keyPath);
  const labelsChange = (over: Partial<Change> = {}): Change => ({
    path: "compose.yml",
    rule: LABELS_RULE,
    ...over,
  });
  const CANNOT =
    "compose.yml: keys cannot be compared because it does not parse at the pin (see yaml-valid)";
  // yaml-valid reads the pin only: a merge-base that does not parse is said here, not there.
  const CANNOT_BASE =
    "compose.yml: keys cannot be compared because it does not parse at the merge-base";
  const MAP_LABELS = edit(
    '      labels:\n        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n',
    '      labels:\n        backupbot.backup: "${ENABLE_BACKUPS:-true}"\n',
  );
  const TRAEFIK_RULE = rule("traefik.yml", { keys: ["entryPoints.web"] });

  it.each<Row>([
    [
      "no rule",
      { base: RECIPE, pin: { ...RECIPE, "compose.yml": BAD_BACKUP }, changes: ["compose.yml"] },
      { id: "keys", status: "skip", message: "no change[].keys rule applies" },
    ],
    [
      "a rule with no keys (a lines rule)",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": BAD_BACKUP },
        changes: [{ path: "compose.yml", rule: rule("compose.yml", { lines: ["backupbot"] }) }],
      },
      { id: "keys", status: "skip", message: "no change[].keys rule applies" },
    ],
    [
      "the bad-backup canary: one label added, under the allowed key",
      { base: RECIPE, pin: { ...RECIPE, "compose.yml": BAD_BACKUP }, changes: [labelsChange()] },
      { id: "keys", status: "pass", message: "only the allowed keys differ (1 file compared)" },
    ],
    [
      "labels rewritten from list form to map form, same labels: nothing differs for Docker",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": MAP_LABELS },
        changes: [labelsChange({ rule: rule("compose.yml", { keys: ["services.app.image"] }) })],
      },
      { id: "keys", status: "pass", message: "only the allowed keys differ (1 file compared)" },
    ],
    [
      "two files compared",
      {
        base: WITH_SMTP,
        pin: {
          ...WITH_SMTP,
          "compose.yml": BAD_BACKUP,
          "compose.smtp.yml": `${SMTP}      - SMTP_PORT=587\n`,
        },
        changes: [
          labelsChange(),
          {
            path: "compose.smtp.yml",
            rule: rule("compose.smtp.yml", { keys: ["services.app.environment"] }),
          },
        ],
      },
      { id: "keys", status: "pass", message: "only the allowed keys differ (2 files compared)" },
    ],
    [
      "the image changed too (targeted-changes.md B6)",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": edit("nginx:1.27", "nginx:1.27.99", BAD_BACKUP) },
        changes: [labelsChange()],
      },
      {
        id: "keys",
        status: "fail",
        message: `compose.yml: services.app.image changed; ${MAY}`,
        causes: [onLabels(["services", "app", "image"])],
      },
    ],
    [
      "a rule with two keys: both named; a label that only shares a prefix is not allowed",
      {
        base: RECIPE,
        pin: {
          ...RECIPE,
          "compose.yml": edit("${ENABLE_BACKUPS:-true}", "${ENABLE_BACKUPS:-false}", BAD_BACKUP),
        },
        changes: [
          labelsChange({
            rule: rule("compose.yml", {
              keys: [
                'services.app.deploy.labels."backupbot.backup.volumes.content.path"',
                "services.app.image",
              ],
            }),
          }),
        ],
      },
      {
        id: "keys",
        status: "fail",
        message:
          'compose.yml: services.app.deploy.labels."backupbot.backup" changed; only services.app.deploy.labels."backupbot.backup.volumes.content.path", services.app.image may change',
        causes: [
          extraKey(
            "compose.yml",
            'services.app.deploy.labels."backupbot.backup.volumes.content.path", services.app.image',
            ["services", "app", "deploy", "labels", "backupbot.backup"],
          ),
        ],
      },
    ],
    [
      "a new file: every key it brings is a change",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.smtp.yml": SMTP },
        changes: [
          {
            path: "compose.smtp.yml",
            rule: rule("compose.smtp.yml", { keys: ["services.app.environment"] }),
          },
        ],
      },
      {
        id: "keys",
        status: "fail",
        message: "compose.smtp.yml: version changed; only services.app.environment may change",
        causes: [extraKey("compose.smtp.yml", "services.app.environment", ["version"])],
      },
    ],
    [
      "a new file whose keys are all allowed",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.smtp.yml": SMTP },
        changes: [
          {
            path: "compose.smtp.yml",
            rule: rule("compose.smtp.yml", { keys: ["version", "services.app.environment"] }),
          },
        ],
      },
      { id: "keys", status: "pass", message: "only the allowed keys differ (1 file compared)" },
    ],
    [
      "the pin's side does not parse",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": `${BAD_BACKUP}services: {}\n` },
        changes: [labelsChange()],
      },
      { id: "keys", status: "fail", message: CANNOT, causes: [onLabels()] },
    ],
    [
      "the merge-base's side does not parse",
      {
        base: { ...RECIPE, "compose.yml": `${COMPOSE}services: {}\n` },
        pin: { ...RECIPE, "compose.yml": BAD_BACKUP },
        changes: [labelsChange()],
      },
      { id: "keys", status: "fail", message: CANNOT_BASE, causes: [onLabels()] },
    ],
    [
      "the merge-base's side is binary",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": BAD_BACKUP },
        changes: [labelsChange({ before: { state: "binary" } })],
      },
      { id: "keys", status: "fail", message: CANNOT_BASE, causes: [onLabels()] },
    ],
    [
      "the pin's side is binary",
      { base: RECIPE, pin: RECIPE, changes: [labelsChange({ after: { state: "binary" } })] },
      { id: "keys", status: "fail", message: CANNOT, causes: [onLabels()] },
    ],
    [
      "two documents in a compose file: not one document Docker reads, so not compared",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": `${BAD_BACKUP}---\n${SMTP}` },
        changes: [labelsChange()],
      },
      { id: "keys", status: "fail", message: CANNOT, causes: [onLabels()] },
    ],
    [
      "compose.yml emptied (targeted-changes.md B1): the whole document replaced",
      { base: RECIPE, pin: { ...RECIPE, "compose.yml": "" }, changes: [labelsChange()] },
      {
        id: "keys",
        status: "fail",
        message: `compose.yml: the whole document was replaced (it is no longer a mapping); ${MAY}`,
        causes: [onLabels([])],
      },
    ],
    [
      "compose.yml replaced by a list",
      {
        base: RECIPE,
        pin: { ...RECIPE, "compose.yml": "- services\n" },
        changes: [labelsChange()],
      },
      {
        id: "keys",
        status: "fail",
        message: `compose.yml: the whole document was replaced (it is no longer a mapping); ${MAY}`,
        causes: [onLabels([])],
      },
    ],
    [
      "YAML that is no compose file: compared as written",
      {
        base: TRAEFIK,
        pin: { ...TRAEFIK, "traefik.yml": `${TRAEFIK_YML}  websecure:\n    address: ':443'\n` },
        changes: [{ path: "traefik.yml", rule: TRAEFIK_RULE }],
      },
      {
        id: "keys",
        status: "fail",
        message:
          "traefik.yml: entryPoints.websecure.address changed; only entryPoints.web may change",
        causes: [
          extraKey("traefik.yml", "entryPoints.web", ["entryPoints", "websecure", "address"]),
        ],
      },
    ],
  ])("%s", (_name, input, expected) => {
    expect(checkKeys(...facts(input))).toEqual(expected);
  });

  it("over 200 keys outside: 200 listed, and the count said as a lower bound", () => {
    const many = Array.from({ length: 201 }, (_, i) => `        - "l${i}=x"\n`).join("");
    const pin = { ...RECIPE, "compose.yml": edit(BACKUP_LINE, `${BACKUP_LINE}${many}`) };
    const imageRule = rule("compose.yml", { keys: ["services.app.image"] });
    const said = (i: number) =>
      `compose.yml: services.app.deploy.labels.l${i} changed; only services.app.image may change`;
    const onImage = (keyPath?: string[]) => extraKey("compose.yml", "services.app.image", keyPath);
    expect(
      checkKeys(...facts({ base: RECIPE, pin, changes: [labelsChange({ rule: imageRule })] })),
    ).toEqual({
      id: "keys",
      status: "fail",
      message: `more than 200 changes outside change[].keys: ${said(0)} (and 199 more)`,
      details: [...Array.from({ length: 20 }, (_, i) => said(i + 1)), "... and 179 more"],
      causes: Array.from({ length: 200 }, (_, i) =>
        onImage(["services", "app", "deploy", "labels", `l${i}`]),
      ),
    });
  });
});
