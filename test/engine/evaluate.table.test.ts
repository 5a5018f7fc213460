/**
 * The engine's entry point, one row per branch of its decisions, from two trees in memory: a good
 * canary (no base) is not compared; a fixture whose pin, merge-base or change set is unknown has
 * its change checks skipped, never passed; otherwise the change is judged under the fixture's own
 * `change:` rules, or (with a tier and none of its own) the tier's preset, whose rule for "the
 * files a config or secret reads" names the files of the pin's default deployment. Each row pins
 * the whole evaluation, or the checks the decision reaches.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CheckResult, toVerdict } from "../../src/engine/check-result.ts";
import { CHECK_TABLE } from "../../src/engine/checks.ts";
import { type EvaluateInput, type Evaluation, evaluateFixture } from "../../src/engine/evaluate.ts";
import { DEFAULT_LIMITS } from "../../src/engine/inspect-files.ts";
import type { RefFacts } from "../../src/engine/ref-checks.ts";
import type { ChangeRule, Fixture } from "../../src/shared/fixture.ts";
import { CHECK_IDS, type CheckId } from "../../src/shared/result.ts";
import { RECIPES } from "../helpers/recipes.ts";
import { changesBetween, IDS, rule, type Tree, treeReader } from "../helpers/trees.ts";

const read = (path: string) => readFileSync(join(RECIPES, "custom-html", path), "utf8");
const BASE: Tree = {
  "compose.yml": read("compose.yml"),
  "abra.sh": read("abra.sh"),
  "nginx.conf.tmpl": read("nginx.conf.tmpl"),
  "README.md": read("README.md"),
};
const LABEL = '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n';
/** targeted-changes.md §2.3: the backup path points at a missing path. */
const BAD_BACKUP: Tree = {
  ...BASE,
  "compose.yml": (BASE["compose.yml"] as string).replace(
    LABEL,
    `${LABEL}        - "backupbot.backup.volumes.content.path=public_html"\n`,
  ),
};
/** targeted-changes.md §2.2 (b): the config template changed without its version bump. */
const UNBUMPED_CONFIG: Tree = {
  ...BASE,
  "nginx.conf.tmpl": (BASE["nginx.conf.tmpl"] as string).replace(
    "    location / {",
    "    add_header X-Content-Type-Options nosniff always;\n\n    location / {",
  ),
};

const FACTS: RefFacts = {
  repo: "recipe-maintainers/custom-html",
  pinned: IDS.pin,
  branch: "regression-bad-backup",
  resolution: { kind: "commit", sha: IDS.pin, via: "commit" },
  branchTip: IDS.pin,
  onBranch: true,
  containedIn: [],
  commitsPastPin: 0,
  base: { ref: "main", sha: IDS.tip },
  mergeBase: IDS.mergeBase,
  commitsSinceMergeBase: 1,
  maxCommits: null,
};
const fixture = (over: Partial<Fixture> = {}): Fixture => ({
  name: "bad-backup",
  repo: "recipe-maintainers/custom-html",
  branch: "regression-bad-backup",
  sha: IDS.pin,
  base: "main",
  expect: "red at backup",
  maxCommits: null,
  tier: null,
  change: [],
  ...over,
});

function input(
  pin: Tree,
  over: { fixture?: Partial<Fixture>; facts?: Partial<RefFacts>; changes?: null } = {},
  limits = DEFAULT_LIMITS,
): EvaluateInput {
  return {
    fixture: fixture(over.fixture),
    facts: { ...FACTS, ...over.facts },
    changes: over.changes === null ? null : changesBetween(BASE, pin),
    reader: treeReader({ [IDS.mergeBase]: BASE, [IDS.pin]: pin }),
    limits,
  };
}

const CHANGE_IDS = CHECK_IDS.filter((id) => CHECK_TABLE[id].kind === "change");
const skipped = (message: string): CheckResult[] =>
  CHANGE_IDS.map((id) => ({ id, status: "skip", message }));
/** The checks in the order reports list them. */
const inOrder = (checks: CheckResult[]) =>
  [...checks].sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));

const PIN_FOUND = `${IDS.pin} resolves to commit b6cd73d72612`;
const ON_BRANCH: CheckResult = {
  id: "sha-on-branch",
  status: "pass",
  message: "b6cd73d72612 is on regression-bad-backup",
};
const AT_TIP: CheckResult = {
  id: "branch-tip",
  status: "pass",
  message: "regression-bad-backup ends at the pin",
};
const NO_MAX_COMMITS: CheckResult = {
  id: "max-commits",
  status: "skip",
  message: "no max_commits set",
};
const UNKNOWN = "not checked: the pin or its merge-base with the base is unknown";

/** What a pin that resolves to no commit gives, whatever else the facts say. */
const UNRESOLVED = {
  checks: inOrder([
    {
      id: "sha-exists",
      status: "fail",
      message: `no commit ${IDS.pin} in recipe-maintainers/custom-html: no branch or tag reaches it (never pushed, or force-pushed away and since deleted by the server)`,
      causes: [{ kind: "no-commit" }],
    },
    {
      id: "sha-on-branch",
      status: "skip",
      message: "not checked: the pinned commit was not resolved",
    },
    {
      id: "branch-tip",
      status: "skip",
      message: "not checked: the pin is not on its branch",
    },
    { id: "base-exists", status: "pass", message: "base main is 0d1e2f3a4b5c" },
    NO_MAX_COMMITS,
    ...skipped(UNKNOWN),
  ]),
  files: [],
  deployment: null,
};

describe("evaluateFixture: when the change is not judged", () => {
  it.each<[string, EvaluateInput, Evaluation]>([
    [
      "a good canary (no base): its refs are checked, its change is not compared",
      input(BAD_BACKUP, {
        fixture: { base: null, expect: null },
        facts: { base: null, mergeBase: null, commitsSinceMergeBase: null },
      }),
      {
        checks: inOrder([
          { id: "sha-exists", status: "pass", message: PIN_FOUND },
          ON_BRANCH,
          AT_TIP,
          {
            id: "base-exists",
            status: "skip",
            message: "no base: a good canary is not compared",
          },
          NO_MAX_COMMITS,
          ...skipped("no base: a good canary is not compared"),
        ]),
        files: [],
        deployment: null,
      },
    ],
    [
      "the change set could not be computed",
      input(BAD_BACKUP, { changes: null }),
      {
        checks: inOrder([
          { id: "sha-exists", status: "pass", message: PIN_FOUND },
          ON_BRANCH,
          AT_TIP,
          {
            id: "base-exists",
            status: "pass",
            message: "base main is 0d1e2f3a4b5c; the fixture was cut from it at 4e250b04f0c6",
          },
          NO_MAX_COMMITS,
          ...skipped(UNKNOWN),
        ]),
        files: [],
        deployment: null,
      },
    ],
    [
      "the pin does not resolve to a commit",
      input(BAD_BACKUP, {
        facts: { resolution: { kind: "missing" }, onBranch: false, mergeBase: null },
      }),
      UNRESOLVED,
    ],
    [
      "the pin does not resolve to a commit, whatever merge-base the facts carry",
      input(BAD_BACKUP, {
        facts: { resolution: { kind: "missing" }, onBranch: false },
      }),
      UNRESOLVED,
    ],
    [
      "the pin resolves, but shares no history with the base",
      input(BAD_BACKUP, { facts: { mergeBase: null, commitsSinceMergeBase: null } }),
      {
        checks: inOrder([
          { id: "sha-exists", status: "pass", message: PIN_FOUND },
          ON_BRANCH,
          AT_TIP,
          {
            id: "base-exists",
            status: "fail",
            message:
              "base main (0d1e2f3a4b5c) shares no history with the pin: the fixture was not cut from it",
            causes: [{ kind: "unrelated-base" }],
          },
          NO_MAX_COMMITS,
          ...skipped(UNKNOWN),
        ]),
        files: [],
        deployment: null,
      },
    ],
  ])("%s", async (_name, given, expected) => {
    expect(await evaluateFixture(given)).toEqual(expected);
  });
});

describe("evaluateFixture: which rules judge the change", () => {
  type Row = {
    name: string;
    pin: Tree;
    tier?: Fixture["tier"];
    rules?: ChangeRule[];
    limits?: typeof DEFAULT_LIMITS;
    verdict: "pass" | "fail";
    /** The checks the decision reaches, whole. */
    checks: Partial<Record<CheckId, CheckResult>>;
  };
  const outside = (path: string, stat: string, allowed: string): CheckResult => ({
    id: "paths",
    status: "fail",
    message: `1 path outside the targeted change (allowed: ${allowed}): ${path} (modified, ${stat}) is outside the targeted change`,
    causes: [{ kind: "outside-change", path, files: [path], detail: "modified", allowed }],
  });
  const PRESET = "(the recipe's compose files), (files a config or secret reads)";
  const rows: Row[] = [
    {
      name: "tier upgrade, no rules of its own: the preset covers the file the config reads (§2.2 b)",
      pin: UNBUMPED_CONFIG,
      tier: "upgrade",
      verdict: "pass",
      checks: {
        paths: { id: "paths", status: "pass", message: `every changed path matches ${PRESET}` },
        "config-version": {
          id: "config-version",
          status: "skip",
          message: "an upgrade canary may change a config without its version",
        },
      },
    },
    {
      name: "tier upgrade, but the recipe around the change could not be listed: the file a config reads is not known, so not allowed",
      pin: UNBUMPED_CONFIG,
      tier: "upgrade",
      limits: { ...DEFAULT_LIMITS, maxContextDirs: 0 },
      verdict: "fail",
      checks: { paths: outside("nginx.conf.tmpl", "+2 -0", PRESET) },
    },
    {
      name: "tier backup, no rules of its own: the preset covers the backupbot label (§2.3)",
      pin: BAD_BACKUP,
      tier: "backup",
      verdict: "pass",
      checks: {
        paths: {
          id: "paths",
          status: "pass",
          message: "every changed path matches (the recipe's compose files)",
        },
      },
    },
    {
      name: "tier backup, with rules of its own: they judge, not the preset",
      pin: BAD_BACKUP,
      tier: "backup",
      rules: [rule("README.md")],
      verdict: "fail",
      checks: { paths: outside("compose.yml", "+1 -0", "README.md") },
    },
    {
      name: "no tier and rules of its own: they judge",
      pin: BAD_BACKUP,
      rules: [rule("compose.yml")],
      verdict: "pass",
      checks: {
        paths: { id: "paths", status: "pass", message: "every changed path matches compose.yml" },
      },
    },
    {
      name: "no tier and no rules: nothing is allowed to change",
      pin: BAD_BACKUP,
      verdict: "fail",
      // The message's words ("allowed: " with nothing after it) are not pinned: reported instead.
      checks: { paths: { ...outside("compose.yml", "+1 -0", ""), message: expect.any(String) } },
    },
  ];
  it.each(rows)("$name", async (row) => {
    const { checks } = await evaluateFixture(
      input(row.pin, { fixture: { tier: row.tier ?? null, change: row.rules ?? [] } }, row.limits),
    );
    const reached = Object.keys(row.checks) as CheckId[];
    expect({
      verdict: toVerdict(checks),
      ids: checks.map((c) => c.id),
      checks: checks.filter((c) => reached.includes(c.id)),
    }).toEqual({
      verdict: row.verdict,
      ids: CHECK_IDS,
      checks: CHECK_IDS.flatMap((id) => row.checks[id] ?? []),
    });
  });
});

describe("evaluateFixture: the files and the deployment it reports", () => {
  it("reports each changed file with its hunks, and what the change does to the default deployment", async () => {
    const { files, deployment } = await evaluateFixture(
      input(UNBUMPED_CONFIG, { fixture: { tier: "upgrade" } }),
    );
    expect({ files, deployment }).toEqual({
      files: [
        {
          path: "nginx.conf.tmpl",
          oldPath: null,
          status: "modified",
          added: 2,
          removed: 0,
          binary: false,
          hunks: [
            {
              oldStart: 6,
              oldLines: 6,
              newStart: 6,
              newLines: 8,
              lines: [
                "     root   /usr/share/nginx/html;",
                "     index  index.html index.htm;",
                " ",
                "+    add_header X-Content-Type-Options nosniff always;",
                "+",
                "     location / {",
                "         try_files $uri $uri/ =404;",
                "     }",
              ],
            },
          ],
        },
      ],
      deployment: {
        title: "compose.yml",
        changes: [
          {
            what: "config ${STACK_NAME}_nginx_conf_v1",
            before: "nginx.conf.tmpl (blob 26cbf5d)",
            after: "nginx.conf.tmpl (blob f28d3f9)",
            kind: "content",
            readBy: "upgrade",
            why: 'swarm configs cannot change: the upgrade of an app that has it fails ("only updates to Labels are allowed"); a fresh install does not notice',
          },
        ],
      },
    });
  });
});
