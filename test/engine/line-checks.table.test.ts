/**
 * The checks that read changed lines (src/engine/line-checks.ts), as pure functions: two trees in
 * (custom-html's files, edited in memory), the whole result out. `churnOf` is pinned as numbers
 * (which lines pair, which count as line endings and which as whitespace, what YAML structure is
 * not churn); `whitespace-churn` and `lines` as whole CheckResults, every message word for word,
 * one row per branch: CRLF, indentation, trailing blanks, a byte-order mark, the final newline,
 * files not read or too different to diff (fail closed), files left to `binary`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/engine/check-result.ts";
import {
  DEFAULT_LIMITS,
  type FileAnalysis,
  inspectFiles,
  type Limits,
  withRules,
} from "../../src/engine/inspect-files.ts";
import {
  type Churn,
  checkLines,
  checkWhitespaceChurn,
  churnOf,
} from "../../src/engine/line-checks.ts";
import { compileRules } from "../../src/engine/rules.ts";
import { createYamlCache } from "../../src/recipe/yaml-cache.ts";
import type { ChangeRule } from "../../src/shared/fixture.ts";
import type { CheckCause } from "../../src/shared/result.ts";
import { RECIPES } from "../helpers/recipes.ts";
import { BAD_PATH, LABEL } from "../helpers/snippets.ts";
import { changesBetween, rule, type Tree, treeReader } from "../helpers/trees.ts";

const read = (file: string) => readFileSync(join(RECIPES, "custom-html", file), "utf8");
const COMPOSE = read("compose.yml");
const NGINX = read("nginx.conf.tmpl");
const ENV = read(".env.sample");
const README = read("README.md");
const RECIPE: Tree = {
  "compose.yml": COMPOSE,
  "nginx.conf.tmpl": NGINX,
  ".env.sample": ENV,
  "README.md": README,
};

/** The one targeted change of bad-backup (custom-html), and of bad-install (a tag that does not exist). */
const BAD_BACKUP = COMPOSE.replace(LABEL, `${LABEL}${BAD_PATH}`);
const BAD_IMAGE = (compose: string) =>
  compose.replace("image: nginx:1.27\n", "image: nginx:1.27-ccci-does-not-exist\n");

const DOMAIN = "DOMAIN=custom-html.example.com\n";
const BACKUPS = "ENABLE_BACKUPS=true\n";
const LISTEN = "    listen       80;\n";
const LISTEN6 = "    listen  [::]:80;\n";
const INDEX = "    index  index.html index.htm;\n";

/** The files changed from `base` to `pin`, inspected as the engine does, under `rules`. */
async function filesOf(
  base: Tree,
  pin: Tree,
  rules: ChangeRule[] = [rule("**")],
  limits: Limits = DEFAULT_LIMITS,
): Promise<FileAnalysis[]> {
  const { files } = await inspectFiles(
    changesBetween(base, pin),
    { base: "base", pin: "pin" },
    treeReader({ base, pin }),
    limits,
  );
  return withRules(files, compileRules(rules));
}

/** One file's churn, from its text at the merge-base to its text at the pin. */
async function churnBetween(
  path: string,
  before: string,
  after: string,
  limits: Limits = DEFAULT_LIMITS,
): Promise<Churn> {
  const [file] = await filesOf({ [path]: before }, { [path]: after }, [rule("**")], limits);
  if (!file) throw new Error(`${path} did not change`);
  return churnOf(file, createYamlCache());
}

const NONE: Churn = { churn: 0, crlf: 0, finalNewline: null, bom: null };
const churn = (over: Partial<Churn>): Churn => ({ ...NONE, ...over });

/** custom-html's app service, its networks list indented as written, and one level deeper. */
const SERVICE = `services:
  app:
    image: nginx:1.27
    networks:
    - proxy
    deploy:
      replicas: 1
    labels:
      - "backupbot.backup=true"
`;
/** The container labels moved under deploy: by indenting them (what swarm and backupbot read). */
const MOVED = SERVICE.replace(
  '    labels:\n      - "backupbot.backup=true"\n',
  '      labels:\n        - "backupbot.backup=true"\n',
);
/** The same, with a comment and a blank line around the move. */
const COMMENTED = SERVICE.replace("    deploy:\n", "\n    # scheduled backups\n    deploy:\n");
/** The labels moved under deploy:, with what sits on the line above them re-indented alongside. */
const LABELS = '    labels:\n      - "backupbot.backup=true"\n';
const movedWith = (above: string, now: string) => ({
  before: SERVICE.replace(LABELS, `${above}${LABELS}`),
  after: MOVED.replace("      labels:\n", `${now}      labels:\n`),
});
const COMMENT_MOVED = movedWith("    # what backupbot reads\n", "      # what backupbot reads\n");
const BLANK_MOVED = movedWith("\n", "  \n");
/** The networks list with a blank line between its items, both items indented one level deeper. */
const SPACED = SERVICE.replace("    - proxy\n", "    - proxy\n\n    - internal\n");
const SPACED_DEEPER = SPACED.replace("    - proxy\n", "      - proxy\n").replace(
  "    - internal\n",
  "      - internal\n",
);
/** `b` moved under `x` by indenting it (structure), and `count` one-item lists indented deeper (churn). */
const lists = (count: number, deeper: boolean) =>
  Array.from({ length: count }, (_, i) => `k${i}:\n${deeper ? "  " : ""}- ${i}\n`).join("");
const MOVE_AND_LISTS = (count: number) => ({
  before: `x:\n  a: 1\nb: 2\n${lists(count, false)}`,
  after: `x:\n  a: 1\n  b: 2\n${lists(count, true)}`,
});
/** Lines for a file too different for the churn alignment (over 2,000 edits), as the line diff pairs them. */
const lines = (n: number, word: string) =>
  Array.from({ length: n }, (_, i) => `${word} line ${i}\n`).join("");
const OLD = lines(1001, "old");
const NEW = lines(1001, "new");
const HEAD = lines(10, "head");

describe("churnOf: which changed lines differ only in churn", () => {
  type Row = [string, string, string, string, Churn];
  it.each<Row>([
    ["the targeted line only", "compose.yml", COMPOSE, BAD_BACKUP, NONE],
    [
      "one line's LF turned into CRLF",
      ".env.sample",
      ENV,
      ENV.replace(DOMAIN, DOMAIN.replace("\n", "\r\n")),
      churn({ churn: 1, crlf: 1 }),
    ],
    [
      "one line's CRLF turned into LF",
      ".env.sample",
      ENV.replace(DOMAIN, DOMAIN.replace("\n", "\r\n")),
      ENV,
      churn({ churn: 1, crlf: 1 }),
    ],
    [
      "a line re-indented (outside YAML, indentation is never structure)",
      ".env.sample",
      ENV,
      ENV.replace(BACKUPS, `  ${BACKUPS}`),
      churn({ churn: 1 }),
    ],
    [
      "trailing blanks added to a line",
      "nginx.conf.tmpl",
      NGINX,
      NGINX.replace(INDEX, INDEX.replace("\n", "  \n")),
      churn({ churn: 1 }),
    ],
    [
      "whitespace inside a line is content (`= 404` is not `=404` to nginx)",
      "nginx.conf.tmpl",
      NGINX,
      NGINX.replace("=404;", "= 404;"),
      NONE,
    ],
    [
      "two lines in a row re-indented with tabs",
      "nginx.conf.tmpl",
      NGINX,
      NGINX.replace(LISTEN, LISTEN.replace("    ", "\t")).replace(
        LISTEN6,
        LISTEN6.replace("    ", "\t"),
      ),
      churn({ churn: 2 }),
    ],
    [
      "one line to CRLF and another re-indented",
      ".env.sample",
      ENV,
      ENV.replace(DOMAIN, DOMAIN.replace("\n", "\r\n")).replace(BACKUPS, `  ${BACKUPS}`),
      churn({ churn: 2, crlf: 1 }),
    ],
    [
      "a CR inside a line (not at its end) is content",
      "nginx.conf.tmpl",
      NGINX,
      NGINX.replace(LISTEN, LISTEN.replace("80;", "80\r;")),
      NONE,
    ],
    [
      "a CR added before a trailing blank is whitespace, not the line ending",
      "nginx.conf.tmpl",
      NGINX.replace(INDEX, INDEX.replace("\n", " \n")),
      NGINX.replace(INDEX, INDEX.replace("\n", "\r \n")),
      churn({ churn: 1 }),
    ],
    [
      "a CR removed from before a trailing blank is whitespace, not the line ending",
      "nginx.conf.tmpl",
      NGINX.replace(INDEX, INDEX.replace("\n", "\r \n")),
      NGINX.replace(INDEX, INDEX.replace("\n", " \n")),
      churn({ churn: 1 }),
    ],
    [
      "a byte-order mark added: the first line is otherwise the same",
      "compose.yml",
      COMPOSE,
      `\uFEFF${COMPOSE}`,
      churn({ bom: "added" }),
    ],
    [
      "a byte-order mark removed",
      "compose.yml",
      `\uFEFF${COMPOSE}`,
      COMPOSE,
      churn({ bom: "removed" }),
    ],
    [
      "a byte-order mark added, and trailing blanks on the first line",
      ".env.sample",
      ENV,
      `\uFEFF${ENV.replace("TYPE=custom-html\n", "TYPE=custom-html  \n")}`,
      churn({ churn: 1, bom: "added" }),
    ],
    [
      "a zero-width no-break space (U+FEFF) inside a line is content",
      ".env.sample",
      ENV,
      ENV.replace("custom-html.example", "custom-\uFEFFhtml.example"),
      NONE,
    ],
    [
      "an invisible U+FEFF added at the end of a line, like a trailing blank",
      ".env.sample",
      ENV,
      ENV.replace(DOMAIN, DOMAIN.replace("\n", "\uFEFF\n")),
      churn({ churn: 1 }),
    ],
    [
      "an invisible U+FEFF removed from the end of a line",
      ".env.sample",
      ENV.replace(DOMAIN, DOMAIN.replace("\n", "\uFEFF\n")),
      ENV,
      churn({ churn: 1 }),
    ],
    [
      "the final newline dropped",
      "compose.yml",
      COMPOSE,
      COMPOSE.replace(/\n$/, ""),
      churn({ finalNewline: "removed" }),
    ],
    [
      "the final newline added",
      "compose.yml",
      COMPOSE.replace(/\n$/, ""),
      COMPOSE,
      churn({ finalNewline: "added" }),
    ],
    [
      "an empty file filled, starting with a byte-order mark: nothing was there to change",
      "nginx.conf.tmpl",
      "",
      `\uFEFF${NGINX}`,
      NONE,
    ],
    ["a file emptied (not-emptied judges that, not churn)", "nginx.conf.tmpl", NGINX, "", NONE],
    // YAML: indentation is structure unless applying it alone leaves the value unchanged.
    [
      "YAML: a list indented one level deeper under its key (same value)",
      "compose.yml",
      SERVICE,
      SERVICE.replace("    - proxy\n", "      - proxy\n"),
      churn({ churn: 1 }),
    ],
    [
      "YAML: labels moved under deploy: by indenting them (structure, which keys judges)",
      "compose.yml",
      SERVICE,
      MOVED,
      NONE,
    ],
    [
      "YAML: labels moved under deploy: (structure) and the networks list indented deeper (churn): the list still counts",
      "compose.yml",
      SERVICE,
      MOVED.replace("    - proxy\n", "      - proxy\n"),
      churn({ churn: 1 }),
    ],
    [
      "YAML: the same, with a two-item list indented deeper as one run",
      "compose.yml",
      SERVICE.replace("    - proxy\n", "    - proxy\n    - internal\n"),
      MOVED.replace("    - proxy\n", "      - proxy\n      - internal\n"),
      churn({ churn: 2 }),
    ],
    [
      "YAML: the same move, with a comment and a blank line re-indented beside it",
      "compose.yml",
      COMMENTED,
      COMMENTED.replace(
        '    labels:\n      - "backupbot.backup=true"\n',
        '      labels:\n        - "backupbot.backup=true"\n',
      ).replace("\n\n    # scheduled", "\n  \n      # scheduled"),
      churn({ churn: 2 }),
    ],
    [
      "YAML: a key re-indented so the file no longer parses (structure, which yaml-valid judges)",
      "compose.yml",
      SERVICE,
      SERVICE.replace("    networks:\n", "      networks:\n"),
      NONE,
    ],
    [
      "YAML that does not parse: a re-indentation cannot be shown to keep its value",
      "values.yml",
      "a: [1, 2\nb: 1\n",
      "a: [1, 2\n  b: 1\n",
      NONE,
    ],
    [
      "YAML: labels moved under deploy: with their comment re-indented alongside (a comment's indentation is never structure)",
      "compose.yml",
      COMMENT_MOVED.before,
      COMMENT_MOVED.after,
      churn({ churn: 1 }),
    ],
    [
      "YAML: labels moved under deploy:, and blanks added to the empty line right above them",
      "compose.yml",
      BLANK_MOVED.before,
      BLANK_MOVED.after,
      churn({ churn: 1 }),
    ],
    [
      "YAML: a list with a blank line between its items indented deeper (each item alone would not parse; together the value is the same)",
      "compose.yml",
      SPACED,
      SPACED_DEEPER,
      churn({ churn: 2 }),
    ],
    [
      "YAML: a list indented deeper (churn) next to a key moved under its neighbour (structure), a comment between them removed",
      "values.yml",
      "x:\n  n:\n  - 1\n  # gone\ny: 2\n",
      "x:\n  n:\n    - 1\n  y: 2\n",
      churn({ churn: 1 }),
    ],
    [
      "YAML: the same, with a comment added between them instead",
      "values.yml",
      "x:\n  n:\n  - 1\ny: 2\n",
      "x:\n  n:\n    - 1\n  # new\n  y: 2\n",
      churn({ churn: 1 }),
    ],
    [
      "YAML: a key moved and 49 lists indented deeper, 50 runs of re-indented lines: each judged alone",
      "values.yml",
      MOVE_AND_LISTS(49).before,
      MOVE_AND_LISTS(49).after,
      churn({ churn: 49 }),
    ],
    [
      "YAML: a key moved and 50 lists indented deeper, 51 runs: too many to judge, so none is ruled out as churn",
      "values.yml",
      MOVE_AND_LISTS(50).before,
      MOVE_AND_LISTS(50).after,
      churn({ churn: 51 }),
    ],
    // Lines pair by position inside a run the alignment kept, whatever text sits elsewhere.
    [
      "a line replaced, and a later line's trailing blanks dropped (its old text was the first line's)",
      "notes.txt",
      "see below\nsetup\nsee below  \n",
      "intro\nsetup\nsee below\n",
      churn({ churn: 1 }),
    ],
    [
      "a line replaced by a later line's old text, and that later line's trailing blanks dropped",
      "notes.txt",
      "intro\nsetup\nsee below  \n",
      "see below  \nsetup\nsee below\n",
      churn({ churn: 1 }),
    ],
    [
      "too different to align, and no line in common",
      "notes.txt",
      Array.from({ length: 1001 }, (_, i) => `old line ${i}\n`).join(""),
      Array.from({ length: 1001 }, (_, i) => `new line ${i}\n`).join(""),
      NONE,
    ],
    [
      "too different to align: the line diff's hunks pair what they can, so a CRLF is still seen",
      "notes.txt",
      `keep\n${Array.from({ length: 1001 }, (_, i) => `old line ${i}\n`).join("")}`,
      `keep\r\n${Array.from({ length: 1001 }, (_, i) => `new line ${i}\n`).join("")}`,
      churn({ churn: 1, crlf: 1 }),
    ],
    [
      "too different to align: a CRLF after unchanged lines, in a hunk that starts further down",
      "notes.txt",
      `${HEAD}${OLD}same\nx\ntail\n`,
      `${HEAD}${NEW}same\nx\r\ntail\n`,
      churn({ churn: 1, crlf: 1 }),
    ],
    [
      "too different to align: a CRLF, and one more line added than removed (a blank one)",
      "notes.txt",
      `keep\n${OLD}tail\n`,
      `keep\r\n${NEW}\ntail\n`,
      churn({ churn: 1, crlf: 1 }),
    ],
    [
      "too different to align: a CRLF, and the final newline added (git's `\\ No newline` marker in the hunk)",
      "notes.txt",
      `keep\n${OLD}end`,
      `keep\r\n${NEW}end\n`,
      churn({ churn: 1, crlf: 1, finalNewline: "added" }),
    ],
  ])("%s", async (_name, path, before, after, expected) => {
    expect(await churnBetween(path, before, after)).toEqual(expected);
  });

  it.each<Row>([
    [
      "the line diff gave up, but the file aligns once churn is ignored: both CRLFs seen",
      "notes.txt",
      "one\ntwo\n",
      "one\r\ntwo\r\n",
      churn({ churn: 2, crlf: 2 }),
    ],
    [
      "the line diff gave up and the file is too different to align: nothing to pair",
      "notes.txt",
      OLD,
      NEW,
      NONE,
    ],
  ])("with no hunks: %s", async (_name, path, before, after, expected) => {
    const limits = { ...DEFAULT_LIMITS, maxEditLength: 1 };
    expect(await churnBetween(path, before, after, limits)).toEqual(expected);
  });

  it("is none when a side is not text", async () => {
    const [file] = await filesOf({ "logo.png": "PNG" }, { "logo.png": Buffer.from([0x89, 0]) });
    expect(churnOf(file as FileAnalysis, createYamlCache())).toEqual(NONE);
  });
});

const churnCause = (path: string, detail: string): CheckCause => ({
  kind: "whitespace",
  path,
  files: [path],
  detail,
});
const CHURN_PASS: CheckResult = {
  id: "whitespace-churn",
  status: "pass",
  message: "no whitespace or line-ending churn",
};
const HIDES = "from the line they replace, which hides the real change";
const HIDES_ONE = "from the line it replaces, which hides the real change";
const UNREAD =
  "the fixture's files together exceed the inspection budget, so whitespace churn cannot be ruled out";

describe("whitespace-churn", () => {
  type Row = {
    name: string;
    base?: Tree;
    pin: Tree;
    rules?: ChangeRule[];
    limits?: Limits;
    expected: CheckResult;
  };
  const env = (text: string): Tree => ({ ...RECIPE, ".env.sample": text });
  const targeted = ENV.replace(BACKUPS, "ENABLE_BACKUPS=false\n");
  it.each<Row>([
    {
      name: "only the targeted line",
      pin: { ...RECIPE, "compose.yml": BAD_BACKUP },
      expected: CHURN_PASS,
    },
    {
      name: "the targeted line, and another line converted to CRLF",
      pin: env(targeted.replace(DOMAIN, DOMAIN.replace("\n", "\r\n"))),
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message: `.env.sample: 1 of 2 added lines differs only in line endings (CRLF/LF) ${HIDES_ONE}`,
        causes: [churnCause(".env.sample", "line-endings")],
      },
    },
    {
      name: "the targeted line, and another line re-indented",
      pin: env(targeted.replace(DOMAIN, `  ${DOMAIN}`)),
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message: `.env.sample: 1 of 2 added lines differs only in whitespace ${HIDES_ONE}`,
        causes: [churnCause(".env.sample", "whitespace")],
      },
    },
    {
      name: "the targeted line, one line to CRLF and another with a trailing blank",
      pin: env(
        targeted
          .replace(DOMAIN, DOMAIN.replace("\n", "\r\n"))
          .replace("LETS_ENCRYPT_ENV=production\n", "LETS_ENCRYPT_ENV=production \n"),
      ),
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message: `.env.sample: 2 of 3 added lines differ only in whitespace and line endings ${HIDES}`,
        causes: [churnCause(".env.sample", "line-endings")],
      },
    },
    {
      name: "a byte-order mark added (an editor's UTF-8 with BOM)",
      pin: { ...RECIPE, "compose.yml": `\uFEFF${BAD_BACKUP}` },
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message:
          "compose.yml: a byte-order mark was added at the start of the file, beside the targeted change",
        causes: [churnCause("compose.yml", "bom")],
      },
    },
    {
      name: "a byte-order mark removed",
      base: { ...RECIPE, "compose.yml": `\uFEFF${COMPOSE}` },
      pin: { ...RECIPE, "compose.yml": BAD_BACKUP },
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message:
          "compose.yml: a byte-order mark was removed at the start of the file, beside the targeted change",
        causes: [churnCause("compose.yml", "bom")],
      },
    },
    {
      name: "the final newline dropped",
      pin: { ...RECIPE, "compose.yml": BAD_BACKUP.replace(/\n$/, "") },
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message:
          "compose.yml: the newline at the end of the file was removed, a line-ending change beside the targeted one",
        causes: [churnCause("compose.yml", "final-newline")],
      },
    },
    {
      name: "three problems in two files: all counted, the first shown, the rest as details",
      pin: {
        ...RECIPE,
        "compose.yml": `\uFEFF${BAD_BACKUP.replace(/\n$/, "")}`,
        ".env.sample": ENV.replace(DOMAIN, DOMAIN.replace("\n", "\r\n")),
      },
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message: `3 whitespace or line-ending problems: .env.sample: 1 of 1 added line differs only in line endings (CRLF/LF) ${HIDES_ONE} (and 2 more)`,
        details: [
          "compose.yml: a byte-order mark was added at the start of the file, beside the targeted change",
          "compose.yml: the newline at the end of the file was removed, a line-ending change beside the targeted one",
        ],
        causes: [
          churnCause(".env.sample", "line-endings"),
          churnCause("compose.yml", "bom"),
          churnCause("compose.yml", "final-newline"),
        ],
      },
    },
    {
      name: "YAML: a key moved and 50 lists indented deeper, too many runs to judge: all count as churn (fail closed)",
      base: { "values.yml": MOVE_AND_LISTS(50).before },
      pin: { "values.yml": MOVE_AND_LISTS(50).after },
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message: `values.yml: 51 of 51 added lines differ only in whitespace ${HIDES}`,
        causes: [churnCause("values.yml", "whitespace")],
      },
    },
    {
      name: "churn where the rule allows whitespace",
      pin: env(targeted.replace(/\n/g, "\r\n")),
      rules: [rule(".env.sample", { allow: ["whitespace"] })],
      expected: CHURN_PASS,
    },
    {
      name: "a side over the inspection limit: left to binary, not judged here",
      base: { "nginx.conf.tmpl": "server {}\n" },
      pin: { "nginx.conf.tmpl": NGINX.replace(/\n/g, "\r\n") },
      limits: { ...DEFAULT_LIMITS, maxBlobBytes: 100 },
      expected: CHURN_PASS,
    },
    {
      name: "a file not read (the read budget spent): churn cannot be ruled out",
      base: { "a.txt": "one\n", "b.txt": "two\n" },
      pin: { "a.txt": "one\r\n", "b.txt": "two\r\n" },
      limits: { ...DEFAULT_LIMITS, maxTotalBytes: 10 },
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message: `2 whitespace or line-ending problems: a.txt: 1 of 1 added line differs only in line endings (CRLF/LF) ${HIDES_ONE} (and 1 more)`,
        details: [`b.txt: its content was not read: ${UNREAD}`],
        causes: [churnCause("a.txt", "line-endings"), churnCause("b.txt", "unknown")],
      },
    },
    {
      name: "a file too different to diff within the limits: churn cannot be ruled out",
      base: { "notes.txt": "one\ntwo\n" },
      pin: { "notes.txt": "uno\r\ndos\r\n" },
      limits: { ...DEFAULT_LIMITS, maxEditLength: 1 },
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message:
          "notes.txt: too different to compare line by line, so whitespace churn cannot be ruled out",
        causes: [churnCause("notes.txt", "unknown")],
      },
    },
    {
      name: "a new file too different to diff within the limits",
      base: {},
      pin: { "notes.txt": "one\ntwo\nthree\n" },
      limits: { ...DEFAULT_LIMITS, maxEditLength: 1 },
      expected: {
        id: "whitespace-churn",
        status: "fail",
        message:
          "notes.txt: too different to compare line by line, so whitespace churn cannot be ruled out",
        causes: [churnCause("notes.txt", "unknown")],
      },
    },
    {
      name: "a binary file (nothing to compare line by line: binary judges it)",
      base: { "logo.png": Buffer.from([0x89, 0x50, 0, 1]) },
      pin: { "logo.png": Buffer.from([0x89, 0x50, 0, 2]) },
      expected: CHURN_PASS,
    },
  ])("$name", async ({ base, pin, rules, limits, expected }) => {
    const l = limits ?? DEFAULT_LIMITS;
    const files = await filesOf(base ?? RECIPE, pin, rules, l);
    expect(checkWhitespaceChurn(files, l.maxBlobBytes, createYamlCache())).toEqual(expected);
  });
});

const IMAGE_LINE = "^\\s+image: nginx:";
const BACKUP_PATH_LINE = '^\\s+- "backupbot\\.backup\\.volumes\\.content\\.path=[a-z_]+"$';
const extraLine = (path: string, index: number, count: number): CheckCause => ({
  kind: "extra-line",
  path,
  files: [path],
  allowed: `change[${index}].lines`,
  count,
});

describe("lines", () => {
  type Row = {
    name: string;
    base?: Tree;
    pin: Tree;
    rules: ChangeRule[];
    limits?: Limits;
    expected: CheckResult;
  };
  const compose = (text: string): Tree => ({ ...RECIPE, "compose.yml": text });
  const long = (n: number) => `# ${"x".repeat(n - 2)}\n`;
  it.each<Row>([
    {
      name: "no rule has lines patterns",
      pin: compose(BAD_BACKUP),
      rules: [rule("compose.yml", { keys: ["services.app.deploy.labels"] })],
      expected: {
        id: "lines",
        status: "skip",
        message: "no change[].lines rule applies to a changed file",
      },
    },
    {
      name: "every added and removed line matches; files under rules without lines are not counted",
      pin: {
        ...compose(BAD_IMAGE(BAD_BACKUP)),
        "nginx.conf.tmpl": NGINX.replace("=404;", "=404;\n        types { text/html html htm; }"),
      },
      rules: [rule("compose.yml", { lines: [IMAGE_LINE, BACKUP_PATH_LINE] }), rule("*.tmpl")],
      expected: {
        id: "lines",
        status: "pass",
        message: "all 3 changed lines match change[].lines",
      },
    },
    {
      name: "a single matching line",
      pin: compose(BAD_BACKUP),
      rules: [rule("compose.yml", { lines: [BACKUP_PATH_LINE] })],
      expected: {
        id: "lines",
        status: "pass",
        message: "the 1 changed line matches change[].lines",
      },
    },
    {
      name: "the targeted line and an image bump beside it (B6): both sides of the bump listed",
      pin: compose(BAD_IMAGE(BAD_BACKUP)),
      rules: [rule("compose.yml", { lines: [BACKUP_PATH_LINE] })],
      expected: {
        id: "lines",
        status: "fail",
        message: "compose.yml: 2 of 3 changed lines match no pattern in change[0].lines",
        details: [
          "compose.yml: removed:     image: nginx:1.27",
          "compose.yml: added:     image: nginx:1.27-ccci-does-not-exist",
        ],
        causes: [extraLine("compose.yml", 0, 2)],
      },
    },
    {
      name: "two files with lines no pattern allows (B4: the README edited too), in git's path order",
      pin: {
        ...compose(BAD_BACKUP),
        "README.md": `${README}\tEdited.\r\n`,
      },
      rules: [rule("compose.yml", { lines: [IMAGE_LINE] }), rule("README.md", { lines: ["^## "] })],
      expected: {
        id: "lines",
        status: "fail",
        message:
          "README.md: 1 of 1 changed line matches no pattern in change[1].lines; compose.yml: 1 of 1 changed line matches no pattern in change[0].lines",
        details: [
          "README.md: added: \\tEdited.\\r",
          'compose.yml: added:         - "backupbot.backup.volumes.content.path=public_html"',
        ],
        causes: [extraLine("README.md", 1, 1), extraLine("compose.yml", 0, 1)],
      },
    },
    {
      name: "a long line shown whole up to 160 characters, clipped beyond",
      base: { "notes.md": "# notes\n" },
      pin: { "notes.md": `# notes\n${long(153)}${long(154)}` },
      rules: [rule("notes.md", { lines: ["^## "] })],
      expected: {
        id: "lines",
        status: "fail",
        message: "notes.md: 2 of 2 changed lines match no pattern in change[0].lines",
        details: [
          `notes.md: added: ${long(153).trim()}`,
          `notes.md: added: ${long(154).slice(0, 157 - "added: ".length)}...`,
        ],
        causes: [extraLine("notes.md", 0, 2)],
      },
    },
    {
      name: "a binary file under a lines rule: its lines cannot be checked",
      base: { "logo.png": Buffer.from([0x89, 0x50, 0, 1]) },
      pin: { "logo.png": Buffer.from([0x89, 0x50, 0, 2]) },
      rules: [rule("logo.png", { lines: ["^x"] })],
      expected: {
        id: "lines",
        status: "fail",
        message: "logo.png: its lines cannot be checked (it is binary, a symlink or a submodule)",
      },
    },
    {
      name: "a file over the inspection limit under a lines rule",
      base: { "nginx.conf.tmpl": "server {}\n" },
      pin: { "nginx.conf.tmpl": NGINX },
      rules: [rule("nginx.conf.tmpl", { lines: ["^x"] })],
      limits: { ...DEFAULT_LIMITS, maxBlobBytes: 100 },
      expected: {
        id: "lines",
        status: "fail",
        message: `nginx.conf.tmpl: its lines cannot be checked (its content is ${Buffer.byteLength(NGINX)} B, over the 100 B inspection limit)`,
      },
    },
    {
      name: "a file too different to diff, beside one that matches",
      base: { "notes.txt": "one\ntwo\n", "compose.yml": COMPOSE },
      pin: { "notes.txt": "uno\ndos\n", "compose.yml": BAD_BACKUP },
      rules: [
        rule("compose.yml", { lines: [BACKUP_PATH_LINE] }),
        rule("notes.txt", { lines: ["^x"] }),
      ],
      limits: { ...DEFAULT_LIMITS, maxEditLength: 1 },
      expected: {
        id: "lines",
        status: "fail",
        message: "notes.txt: its lines cannot be checked (too different to compare line by line)",
      },
    },
  ])("$name", async ({ base, pin, rules, limits, expected }) => {
    const l = limits ?? DEFAULT_LIMITS;
    const files = await filesOf(base ?? RECIPE, pin, rules, l);
    expect(checkLines(files, l.maxBlobBytes)).toEqual(expected);
  });
});
