/**
 * The diagnosis (issue 12, item 6; read from causes since issue 16): for each cause a fixture fails
 * for, which check names it, which failures follow from it, and the one line of diagnosis and fix,
 * every message pinned. Each row's result is the engine's, from two trees and the ref facts git
 * would give, so the table proves the seam: the checks' causes in, the reports' words out.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RefFacts } from "../../src/engine/ref-checks.ts";
import { type CauseKind, diagnose, pinAdvice, plainText } from "../../src/render/diagnose.ts";
import type { CheckId, FixtureResult, PinFact } from "../../src/shared/result.ts";
import { RECIPES } from "../helpers/recipes.ts";
import { IDS, resultOf, rule, type Tree, treeOfDir } from "../helpers/trees.ts";

const PIN = IDS.pin;
const TIP = IDS.tip;
const MB12 = IDS.mergeBase.slice(0, 12);

const HTML = treeOfDir(join(RECIPES, "custom-html"));
const COMPOSE = readFileSync(join(RECIPES, "custom-html/compose.yml"), "utf8");
const LABEL = '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n';
const BAD_PATH = '        - "backupbot.backup.volumes.content.path=public_html"\n';
/** The bad-backup canary's one targeted change. */
const CANARY = COMPOSE.replace(LABEL, `${LABEL}${BAD_PATH}`);
const html = (compose: string, extra: Tree = {}): Tree => ({
  ...HTML,
  "compose.yml": compose,
  ...extra,
});
const BACKUP_KEYS = 'services.*.deploy.labels."backupbot.backup*"';
const PATH_LINE = '^\\s+- "backupbot\\.backup\\.volumes\\.[a-z]+\\.path=[a-z_]+"$';
const EARLIER_FIX =
  "restore everything an earlier tier reads from main: a backup canary changes only backupbot.backup* labels of services (list or map form)";
const RESTORE_COMPOSE = `restore it from \`main\` (\`git checkout ${MB12} -- compose.yml\`)`;

/** A fixture whose pin did not resolve to a commit: git's answer, and nothing past it. */
const unresolved = (pinned: string, resolution: RefFacts["resolution"]) =>
  resultOf({
    fixture: { sha: pinned },
    facts: { pinned, resolution, onBranch: null, mergeBase: null, commitsSinceMergeBase: null },
  });

type Row = {
  cause: string;
  result: () => Promise<FixtureResult>;
  /** [cause, primary check, follow-ons, diagnosis, fix] per cause, the primary cause first. */
  causes: [CauseKind, CheckId, CheckId[], string, string][];
};

const rows: Row[] = [
  {
    cause: "emptied (the incident: change rules with lines, keys, max_lines)",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(""),
        rules: [
          rule("compose.yml", {
            lines: [PATH_LINE],
            keys: ["services.app.deploy.labels"],
            maxLines: 2,
          }),
        ],
      }),
    causes: [
      [
        "emptied",
        "not-emptied",
        ["yaml-valid", "compose-valid", "lines", "keys", "max-lines"],
        "compose.yml was emptied",
        `${RESTORE_COMPOSE}, then change only \`services.app.deploy.labels\``,
      ],
    ],
  },
  {
    cause: "emptied (tier: backup, its preset)",
    result: () => resultOf({ base: HTML, pin: html(""), tier: "backup" }),
    causes: [
      [
        "emptied",
        "not-emptied",
        ["yaml-valid", "compose-valid", "keys"],
        "compose.yml was emptied",
        `${RESTORE_COMPOSE}, then change only \`${BACKUP_KEYS}\``,
      ],
    ],
  },
  {
    cause: "deleted",
    result: () => {
      const { "compose.yml": _, ...rest } = HTML;
      return resultOf({ base: HTML, pin: rest, tier: "backup" });
    },
    causes: [
      [
        "deleted",
        "not-emptied",
        ["compose-valid", "keys"],
        "compose.yml was deleted",
        `${RESTORE_COMPOSE}, then change only \`${BACKUP_KEYS}\``,
      ],
    ],
  },
  {
    cause: "two files emptied, one of them with a space in its name",
    result: () =>
      resultOf({
        base: { ...HTML, "my notes.md": "one\ntwo\nthree\n" },
        pin: { ...HTML, "compose.yml": "", "my notes.md": "" },
        rules: [rule("compose*.yml", { maxLines: 2 }), rule("*.md")],
      }),
    causes: [
      [
        "emptied",
        "not-emptied",
        ["yaml-valid", "compose-valid", "max-lines"],
        "compose.yml and my notes.md were emptied",
        `restore them from \`main\` (\`git checkout ${MB12} -- compose.yml 'my notes.md'\`), then make only the targeted change`,
      ],
    ],
  },
  {
    cause: "does not parse",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(
          CANARY.replace("    image: nginx:1.27\n", "    image: nginx:1.27\n   hostname: web\n"),
        ),
        tier: "backup",
      }),
    causes: [
      [
        "unparsable",
        "yaml-valid",
        ["compose-valid", "keys"],
        "compose.yml does not parse as YAML",
        `fix it where the parser stopped (the line and column are below), or ${RESTORE_COMPOSE} and make the change again`,
      ],
    ],
  },
  {
    cause: "re-encoded (not UTF-8)",
    result: () =>
      resultOf({
        base: HTML,
        pin: {
          ...HTML,
          "compose.yml": Buffer.from(
            CANARY.replace("1.0.0+1.27", "1.0.0+1.27 caf\u00e9"),
            "latin1",
          ),
        },
        rules: [rule("compose.yml")],
      }),
    causes: [
      [
        "unparsable",
        "yaml-valid",
        ["compose-valid"],
        "compose.yml is not valid UTF-8",
        "save it as UTF-8 again (an editor re-encoded it)",
      ],
    ],
  },
  {
    cause: "truncated compose file (cut short at its end)",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(`${COMPOSE.slice(0, COMPOSE.indexOf(LABEL))}${LABEL}`),
        rules: [
          rule("compose.yml", {
            lines: [PATH_LINE],
            keys: ["services.app.deploy.labels"],
            maxLines: 2,
          }),
        ],
      }),
    causes: [
      [
        "truncated",
        "compose-valid",
        ["lines", "keys", "max-lines"],
        `compose.yml was cut short (its last ${COMPOSE.slice(COMPOSE.indexOf(LABEL) + LABEL.length).split("\n").length - 1} lines are gone), so the stack no longer deploys`,
        `${RESTORE_COMPOSE}, then change only \`services.app.deploy.labels\``,
      ],
    ],
  },
  {
    cause: "wrong tier (a backup canary that also changes the image)",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(CANARY.replace("nginx:1.27", "nginx:1.27.99")),
        tier: "backup",
      }),
    causes: [
      [
        "wrong-tier",
        "earlier-tiers",
        ["keys"],
        "this backup canary also changes what install reads, so install would go red first",
        EARLIER_FIX,
      ],
    ],
  },
  {
    cause: "no-op (a default that .env.sample overrides)",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(COMPOSE.replace("ENABLE_BACKUPS:-true", "ENABLE_BACKUPS:-false")),
        tier: "backup",
      }),
    causes: [
      [
        "no-op",
        "effective-change",
        [],
        "the change never reaches what abra deploys, so this canary can never go red",
        "change what the default deployment runs: the value itself, in a label backup-bot-two reads, under deploy.labels, in a file COMPOSE_FILE names",
      ],
    ],
  },
  {
    cause: "unbumped config",
    result: () =>
      resultOf({
        base: HTML,
        pin: { ...HTML, "nginx.conf.tmpl": `${HTML["nginx.conf.tmpl"] as string}# more\n` },
        tier: "custom",
      }),
    causes: [
      [
        "unversioned-config",
        "config-version",
        [],
        "nginx.conf.tmpl changed but config nginx_conf keeps its version, so upgrade would go red first",
        "bump `NGINX_CONF_VERSION` in abra.sh in the same commit",
      ],
    ],
  },
  {
    cause: "outside the targeted change (a modified file)",
    result: () =>
      resultOf({
        base: HTML,
        pin: { ...html(CANARY), "README.md": `${HTML["README.md"] as string}\nMore.\n` },
        tier: "backup",
      }),
    causes: [
      [
        "outside-change",
        "paths",
        [],
        "README.md is outside the targeted change (the change may touch only the recipe's compose files)",
        `restore it from \`main\` (\`git checkout ${MB12} -- README.md\`)`,
      ],
    ],
  },
  {
    cause: "outside the targeted change (an added file, with a mode of its own)",
    result: () =>
      resultOf({
        base: HTML,
        pin: {
          ...html(CANARY),
          "deploy.sh": { mode: "120000", content: "../custom-html-tiny/deploy.sh" },
        },
        rules: [rule("compose.yml")],
      }),
    causes: [
      [
        "outside-change",
        "paths",
        ["mode"],
        "deploy.sh is outside the targeted change (the change may touch only `compose.yml`)",
        "remove it from the fixture commit (`git rm deploy.sh`)",
      ],
    ],
  },
  {
    cause: "outside the targeted change, and so an unbumped config",
    result: () =>
      resultOf({
        base: HTML,
        pin: { ...html(CANARY), "nginx.conf.tmpl": `${HTML["nginx.conf.tmpl"] as string}# more\n` },
        tier: "backup",
      }),
    causes: [
      [
        "outside-change",
        "paths",
        ["config-version"],
        "nginx.conf.tmpl is outside the targeted change (the change may touch only the recipe's compose files)",
        `restore it from \`main\` (\`git checkout ${MB12} -- nginx.conf.tmpl\`)`,
      ],
    ],
  },
  {
    cause: "force-pushed pin",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(CANARY),
        tier: "backup",
        facts: { onBranch: false, branchTip: TIP, commitsPastPin: null },
      }),
    causes: [
      [
        "force-pushed",
        "sha-on-branch",
        [],
        "the pinned commit is no longer on `regression-bad-backup`: the branch was force-pushed or rebased after it was pinned",
        "once the branch's new tip passes, pin it (`fixture-bot pin bad-backup`), or push the pinned commit back to `regression-bad-backup`",
      ],
    ],
  },
  {
    cause: "wrong branch",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(CANARY),
        tier: "backup",
        facts: {
          onBranch: false,
          branchTip: TIP,
          commitsPastPin: null,
          containedIn: ["regression-bad-restore"],
        },
      }),
    causes: [
      [
        "wrong-branch",
        "sha-on-branch",
        [],
        "the pinned commit is on `regression-bad-restore`, not on `regression-bad-backup`",
        "write `branch: regression-bad-restore` for this fixture, or pin a commit of `regression-bad-backup` (the pin may have been copied from another fixture)",
      ],
    ],
  },
  {
    cause: "no such branch",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(CANARY),
        tier: "backup",
        facts: { branchTip: null, onBranch: null, commitsPastPin: null },
      }),
    causes: [
      [
        "no-branch",
        "sha-on-branch",
        [],
        "the branch `regression-bad-backup` does not exist in recipe-maintainers/custom-html",
        "push the fixture branch, or correct `branch:` in the manifest",
      ],
    ],
  },
  {
    cause: "no such commit",
    result: () => unresolved("e1e3c5fc", { kind: "missing" }),
    causes: [
      [
        "no-commit",
        "sha-exists",
        [],
        "the pinned commit `e1e3c5fc` is not in recipe-maintainers/custom-html",
        "push the fixture commit, or pin the branch's tip: `fixture-bot pin bad-backup`",
      ],
    ],
  },
  {
    cause: "ambiguous pin",
    result: () =>
      unresolved("e1e3", {
        kind: "ambiguous",
        candidates: [
          { sha: PIN, type: "commit" },
          { sha: TIP, type: "tree" },
        ],
      }),
    causes: [
      [
        "ambiguous-pin",
        "sha-exists",
        [],
        "the pin `e1e3` is a prefix of more than one object",
        "write the full 40-character id of the fixture commit (the candidates are below)",
      ],
    ],
  },
  {
    cause: "a pin that is also a tag's name",
    result: () =>
      unresolved("b6cd73d7", {
        kind: "ambiguous",
        candidates: [
          { sha: TIP, type: "commit", ref: "tag b6cd73d7" },
          { sha: PIN, type: "commit" },
        ],
      }),
    causes: [
      [
        "ambiguous-pin",
        "sha-exists",
        [],
        "the pin `b6cd73d7` is also the name of tag b6cd73d7, which git would take instead",
        "write the full 40-character id of the fixture commit (the candidates are below)",
      ],
    ],
  },
  {
    cause: "base is a tag",
    result: () =>
      resultOf({
        fixture: { base: "1.0.0+1.27" },
        facts: {
          base: { ref: "1.0.0+1.27", sha: null, tagCommit: TIP },
          mergeBase: null,
          commitsSinceMergeBase: null,
        },
      }),
    causes: [
      [
        "base-is-tag",
        "base-exists",
        [],
        "the base `1.0.0+1.27` is a tag, not a branch",
        `write \`base: ${TIP}\` (the commit it tags), or name the branch instead`,
      ],
    ],
  },
  {
    cause: "no change (the pin is already on the base)",
    result: () => resultOf({ base: HTML, tier: "backup", facts: { mergeBase: PIN } }),
    causes: [
      [
        "no-change",
        "change-present",
        [],
        "the pinned commit is already part of `main`: the fixture changes nothing",
        "pin the fixture's own commit on `regression-bad-backup` (`fixture-bot pin bad-backup`); was it pushed?",
      ],
    ],
  },
  {
    cause: "line endings (CRLF)",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(CANARY.replace(/\n/g, "\r\n")),
        rules: [rule("compose.yml", { lines: [PATH_LINE] })],
      }),
    causes: [
      [
        "whitespace",
        "whitespace-churn",
        ["lines"],
        "compose.yml changes line endings beside the targeted change",
        "restore the line endings (an editor or git's autocrlf changed them), so that only the targeted lines differ",
      ],
    ],
  },
  {
    cause: "a byte-order mark",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(`\uFEFF${CANARY}`),
        rules: [rule("compose.yml", { lines: [PATH_LINE] })],
      }),
    causes: [
      [
        "whitespace",
        "whitespace-churn",
        ["lines"],
        "compose.yml changes its byte-order mark beside the targeted change",
        "save it as it was (UTF-8 without a byte-order mark, or with one if it had one), so that only the targeted lines differ",
      ],
    ],
  },
  {
    cause: "mode change",
    result: () =>
      resultOf({
        base: html(CANARY),
        pin: { ...html(CANARY), "abra.sh": { mode: "100755", content: HTML["abra.sh"] as string } },
        rules: [rule("abra.sh")],
      }),
    // The executable bit changes nothing abra runs (abra app cmd sources abra.sh): no-op too.
    causes: [
      [
        "no-op",
        "effective-change",
        [],
        "the change never reaches what abra deploys, so this canary can never go red",
        "change what the default deployment runs: the value itself, in a label backup-bot-two reads, under deploy.labels, in a file COMPOSE_FILE names",
      ],
      [
        "mode",
        "mode",
        [],
        "abra.sh changed from regular file to executable file",
        "make it a regular file again (`git update-index --chmod=-x abra.sh`)",
      ],
    ],
  },
  {
    cause: "binary file",
    result: () =>
      resultOf({
        base: HTML,
        pin: { ...html(CANARY), "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]) },
        rules: [rule("compose.yml"), rule("*.png")],
      }),
    causes: [
      [
        "binary",
        "binary",
        [],
        "logo.png cannot be reviewed line by line (binary or too large)",
        "take it out of the fixture commit, or allow it with `allow: [binary]` if it is the targeted change",
      ],
    ],
  },
  {
    cause: "more than the targeted change (keys and lines)",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(CANARY.replace("      - DOMAIN\n", "      - DOMAIN\n      - FOO=bar\n")),
        rules: [rule("compose.yml", { lines: [PATH_LINE], keys: ["services.app.deploy.labels"] })],
      }),
    causes: [
      [
        "extra-change",
        "keys",
        ["lines"],
        "compose.yml changes more than the targeted change: `services.app.environment.FOO`",
        "put it back as `main` has it; only `services.app.deploy.labels` may change",
      ],
    ],
  },
  {
    cause: "more than the targeted change (lines alone)",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(CANARY.replace(BAD_PATH, `${BAD_PATH}        # the site's files\n`)),
        rules: [rule("compose.yml", { lines: [PATH_LINE] })],
      }),
    causes: [
      [
        "extra-change",
        "lines",
        [],
        "compose.yml changes lines that the targeted change does not allow",
        "revert the lines listed below: every changed line must match `change[0].lines`",
      ],
    ],
  },
  {
    cause: "too many lines",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(CANARY.replace("      - DOMAIN\n", "      - DOMAIN\n      - FOO=bar\n")),
        rules: [rule("compose.yml", { maxLines: 1 })],
      }),
    causes: [
      [
        "too-many-lines",
        "max-lines",
        [],
        "the change to `compose.yml` is 2 lines; at most 1 are allowed",
        "make it smaller (at most 1 added and removed lines), or raise `max_lines` if the targeted change needs more",
      ],
    ],
  },
  {
    cause: "too many commits",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(CANARY),
        tier: "backup",
        fixture: { maxCommits: 1 },
        facts: { commitsSinceMergeBase: 3, maxCommits: 1 },
      }),
    causes: [
      [
        "too-many-commits",
        "max-commits",
        [],
        "the fixture is 3 commits on top of its base; at most 1 allowed",
        `squash them (\`git rebase -i ${MB12}\`), push, and pin the new commit`,
      ],
    ],
  },
  {
    cause: "a deployment that no longer deploys (a secret it does not declare)",
    result: () =>
      resultOf({
        base: HTML,
        pin: html(
          CANARY.replace("    volumes:\n", "    secrets:\n      - smtp_password\n    volumes:\n"),
        ),
        rules: [rule("compose.yml")],
      }),
    causes: [
      [
        "does-not-deploy",
        "compose-valid",
        [],
        "compose.yml no longer deploys (docker stack deploy would refuse it before any tier runs)",
        `declare what the services use, or ${RESTORE_COMPOSE} and make the change again`,
      ],
    ],
  },
  {
    cause: "an optional overlay that does not deploy, and reaches nothing the CI deploys",
    result: () =>
      resultOf({
        base: HTML,
        pin: {
          ...HTML,
          "compose.smtp.yml":
            'version: "3.8"\nservices:\n  app:\n    secrets:\n      - smtp_password\n',
        },
        rules: [rule("compose.*.yml")],
      }),
    causes: [
      [
        "no-op",
        "effective-change",
        [],
        "the change never reaches what abra deploys, so this canary can never go red",
        "change what the default deployment runs: the value itself, in a label backup-bot-two reads, under deploy.labels, in a file COMPOSE_FILE names",
      ],
      [
        "does-not-deploy",
        "compose-valid",
        [],
        "compose.smtp.yml no longer deploys (docker stack deploy would refuse it before any tier runs)",
        `declare what the services use, or restore it from \`main\` (\`git checkout ${MB12} -- compose.smtp.yml\`) and make the change again`,
      ],
    ],
  },
  {
    cause: "two causes: a file outside the change first, then the wrong tier",
    result: () =>
      resultOf({
        base: HTML,
        pin: {
          ...html(CANARY.replace("nginx:1.27", "nginx:1.27.99")),
          "README.md": `${HTML["README.md"] as string}\nMore.\n`,
        },
        tier: "backup",
      }),
    causes: [
      [
        "outside-change",
        "paths",
        [],
        "README.md is outside the targeted change (the change may touch only the recipe's compose files)",
        `restore it from \`main\` (\`git checkout ${MB12} -- README.md\`)`,
      ],
      [
        "wrong-tier",
        "earlier-tiers",
        ["keys"],
        "this backup canary also changes what install reads, so install would go red first",
        EARLIER_FIX,
      ],
    ],
  },
];

/** A result as a run stored before causes existed holds it: messages, no causes. */
function stored(checks: [CheckId, string][]): FixtureResult {
  return {
    name: "bad-backup",
    repo: "recipe-maintainers/custom-html",
    branch: "regression-bad-backup",
    sha: PIN,
    base: "main",
    expect: null,
    tier: null,
    resolvedSha: PIN,
    mergeBase: IDS.mergeBase,
    verdict: checks.length > 0 ? "fail" : "pass",
    error: null,
    checks: checks.map(([id, message]) => ({ id, status: "fail", message })),
    files: [],
  };
}

describe("diagnose", () => {
  it.each(rows)("$cause", async ({ result, causes }) => {
    expect(
      diagnose(await result()).map((c) => [
        c.kind,
        c.primary,
        c.followOns,
        plainText(c.diagnosis),
        plainText(c.fix),
      ]),
    ).toEqual(causes);
  });

  it("shows a failure it has no cause for (a run stored before causes existed) as it was written", () => {
    const [cause] = diagnose(
      stored([["not-emptied", "compose.yml was emptied (48 lines at the merge-base, none now)"]]),
    );
    expect(cause && [cause.kind, plainText(cause.diagnosis), plainText(cause.fix)]).toEqual([
      "other",
      "compose.yml was emptied (48 lines at the merge-base, none now)",
      "see `not-emptied` below",
    ]);
  });

  it("has nothing to say about a passing fixture, nor about warnings", async () => {
    const passing = await resultOf({ base: HTML, pin: html(CANARY), tier: "backup" });
    expect(passing.verdict).toBe("pass");
    passing.checks.push({ id: "branch-tip", status: "warn", message: "moved" });
    expect(diagnose(passing)).toEqual([]);
  });

  it("never offers a command it cannot quote: a name with a line break is named, not typed", async () => {
    const [cause] = diagnose(
      await resultOf({
        base: { ...HTML, "notes\ncompose.yml": "a\nb\nc\n" },
        pin: { ...HTML, "notes\ncompose.yml": "" },
        rules: [rule("**")],
      }),
    );
    expect(cause && [plainText(cause.diagnosis), plainText(cause.fix)]).toEqual([
      "notes\\ncompose.yml was emptied",
      "restore it from `main`, then make only the targeted change",
    ]);
  });
});

describe("pinAdvice", () => {
  const head = PIN;
  const pin = (extra: Partial<PinFact>): PinFact => ({
    name: "bad-backup",
    pinned: "5a481cc1f6b2a462",
    head,
    ...extra,
  });
  const passing = stored([]);
  const failing = stored([
    ["max-lines", "compose.yml: 4 lines changed (+2 -2); at most 2 allowed"],
  ]);

  // [the head's verdict, the pinned commit still on the branch, what the report says]
  it.each([
    [
      passing,
      false,
      "The manifest pins `5a481cc1f6b2a462`, not this head. `5a481cc1f6b2a462` is no longer on `regression-bad-backup`: the branch was force-pushed or rebased, so CI runs a commit the branch has lost. This head passes: pin it with this line (or run `fixture-bot pin bad-backup`):",
    ],
    [
      passing,
      true,
      "The manifest pins `5a481cc1f6b2a462`, not this head. `5a481cc1f6b2a462` is an older commit of `regression-bad-backup`, and CI still runs it. This head passes: pin it with this line (or run `fixture-bot pin bad-backup`):",
    ],
    [
      passing,
      undefined,
      "The manifest pins `5a481cc1f6b2a462`, not this head. CI runs the pinned commit. This head passes: pin it with this line (or run `fixture-bot pin bad-backup`):",
    ],
    [
      failing,
      false,
      "The manifest pins `5a481cc1f6b2a462`, not this head. `5a481cc1f6b2a462` is no longer on `regression-bad-backup`: the branch was force-pushed or rebased, so CI runs a commit the branch has lost. Once this head passes, pin it with this line (or run `fixture-bot pin bad-backup`):",
    ],
  ])("%#: says why to re-pin, and gives the sha: line", (result, onBranch, said) => {
    const advice = pinAdvice(
      result,
      pin(onBranch === undefined ? {} : { pinnedOnBranch: onBranch }),
    );
    expect(advice && plainText(advice.text)).toBe(said);
    expect(advice?.shaLine).toBe(`sha: ${head}`);
  });

  it("says nothing when the manifest already pins the head (in full or by a prefix)", () => {
    expect(pinAdvice(passing, pin({ pinned: head }))).toBeNull();
    expect(pinAdvice(passing, pin({ pinned: head.slice(0, 16) }))).toBeNull();
  });
});
