/**
 * The diagnosis (issue 12, item 6): for each cause a fixture fails for, which check names it,
 * which failures follow from it, and the one line of diagnosis and fix, every message pinned. One
 * row per cause; the check messages are the engine's, as it writes them for that case (the same
 * cases run on real repositories in test/engine and test/pipeline).
 */
import { describe, expect, it } from "vitest";
import { type CauseKind, diagnose, pinAdvice, plainText } from "../../src/render/diagnose.ts";
import type {
  CheckId,
  CheckResult,
  FileReport,
  FixtureResult,
  PinFact,
} from "../../src/shared/result.ts";

const MB = "4e250b04f0c6d0c6a7e2a1b5d9f3c8e7a6b5c4d3";
const PIN = "b6cd73d72612e8a39e5d4a0e67b9847beb389420";
const TIP = "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e";

/** A failing check: `[id, message]`, or `[id, message, { details, fix }]`. */
type Failure = [CheckId, string, Partial<CheckResult>?];

function fixture(failures: Failure[], extra: Partial<FixtureResult> = {}): FixtureResult {
  return {
    name: "bad-backup",
    repo: "recipe-maintainers/custom-html",
    branch: "regression-bad-backup",
    sha: PIN,
    base: "main",
    expect: "red at backup",
    tier: null,
    resolvedSha: PIN,
    mergeBase: MB,
    verdict: failures.length > 0 ? "fail" : "pass",
    error: null,
    checks: failures.map(([id, message, more]) => ({ id, status: "fail", message, ...more })),
    files: [],
    ...extra,
  };
}

function file(path: string, status: string, added: number, removed: number, lines: string[] = []) {
  const hunks =
    lines.length > 0 ? [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines }] : null;
  return { path, oldPath: null, status, added, removed, binary: false, hunks } as FileReport;
}

const BACKUP_KEYS = 'services.*.deploy.labels."backupbot.backup*"';
const EARLIER_FIX =
  "Restore everything an earlier tier reads from main: a backup canary changes only backupbot.backup* labels of services (list or map form).";

type Row = {
  cause: string;
  result: FixtureResult;
  /** [cause, primary check, follow-ons, diagnosis, fix] per cause, the primary cause first. */
  causes: [CauseKind, CheckId, CheckId[], string, string][];
};

const rows: Row[] = [
  {
    cause: "emptied (the incident: change rules with lines, keys, max_lines)",
    result: fixture([
      ["not-emptied", "compose.yml was emptied (48 lines at the merge-base, none now)"],
      ["yaml-valid", "compose.yml is an empty YAML document (it parses to null)"],
      ["compose-valid", "compose.yml: the document is empty (null): no services"],
      [
        "lines",
        "compose.yml: 47 of 48 changed lines match no pattern in change[0].lines",
        { details: ["compose.yml: removed: ---", "compose.yml: removed:   app:"] },
      ],
      [
        "keys",
        "compose.yml: the whole document was replaced (it is no longer a mapping); only services.app.deploy.labels may change",
      ],
      ["max-lines", "compose.yml: 48 lines changed (+0 -48); at most 2 allowed"],
    ]),
    causes: [
      [
        "emptied",
        "not-emptied",
        ["yaml-valid", "compose-valid", "lines", "keys", "max-lines"],
        "compose.yml was emptied",
        "restore it from `main` (`git checkout 4e250b04f0c6 -- compose.yml`), then change only `services.app.deploy.labels`",
      ],
    ],
  },
  {
    cause: "emptied (tier: backup, its preset)",
    result: fixture(
      [
        ["not-emptied", "compose.yml was emptied (48 lines at the merge-base, none now)"],
        ["yaml-valid", "compose.yml is an empty YAML document (it parses to null)"],
        ["compose-valid", "compose.yml: the document is empty (null): no services"],
        [
          "keys",
          `compose.yml: the whole document was replaced (it is no longer a mapping); only ${BACKUP_KEYS} may change`,
        ],
      ],
      { tier: "backup" },
    ),
    causes: [
      [
        "emptied",
        "not-emptied",
        ["yaml-valid", "compose-valid", "keys"],
        "compose.yml was emptied",
        `restore it from \`main\` (\`git checkout 4e250b04f0c6 -- compose.yml\`), then change only \`${BACKUP_KEYS}\``,
      ],
    ],
  },
  {
    cause: "deleted",
    result: fixture(
      [
        ["not-emptied", "compose.yml was deleted (it had 48 lines at the merge-base)"],
        [
          "keys",
          `5 changes outside change[].keys: compose.yml: version changed; only ${BACKUP_KEYS} may change (and 4 more)`,
          { details: [`compose.yml: services changed; only ${BACKUP_KEYS} may change`] },
        ],
      ],
      { tier: "backup" },
    ),
    causes: [
      [
        "deleted",
        "not-emptied",
        ["keys"],
        "compose.yml was deleted",
        `restore it from \`main\` (\`git checkout 4e250b04f0c6 -- compose.yml\`), then change only \`${BACKUP_KEYS}\``,
      ],
    ],
  },
  {
    cause: "two files emptied, one of them with a space in its name",
    result: fixture([
      [
        "not-emptied",
        "2 files deleted or emptied: compose.yml was emptied (48 lines at the merge-base, none now) (and 1 more)",
        { details: ["my notes.md was emptied (3 lines at the merge-base, none now)"] },
      ],
      ["max-lines", "compose*.yml: 48 lines changed (+0 -48); at most 2 allowed"],
    ]),
    causes: [
      [
        "emptied",
        "not-emptied",
        ["max-lines"],
        "compose.yml and my notes.md were emptied",
        "restore them from `main` (`git checkout 4e250b04f0c6 -- compose.yml 'my notes.md'`), then make only the targeted change",
      ],
    ],
  },
  {
    cause: "does not parse",
    result: fixture(
      [
        [
          "yaml-valid",
          "compose.yml does not parse: All mapping items must start at the same column at line 7, column 1",
        ],
        ["compose-valid", "compose.yml does not parse, so it cannot deploy"],
        [
          "keys",
          "compose.yml: keys cannot be compared because a side does not parse (see yaml-valid)",
        ],
      ],
      { tier: "backup", files: [file("compose.yml", "modified", 2, 0)] },
    ),
    causes: [
      [
        "unparsable",
        "yaml-valid",
        ["compose-valid", "keys"],
        "compose.yml does not parse as YAML",
        "fix it where the parser stopped (the line and column are below), or restore it from `main` (`git checkout 4e250b04f0c6 -- compose.yml`) and make the change again",
      ],
    ],
  },
  {
    cause: "re-encoded (not UTF-8)",
    result: fixture([
      [
        "yaml-valid",
        "compose.yml is not valid UTF-8 (byte 0 starts an invalid sequence; saved as Latin-1?), and Docker's YAML loader refuses it",
      ],
      ["compose-valid", "compose.yml does not parse, so it cannot deploy"],
    ]),
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
    result: fixture(
      [
        [
          "compose-valid",
          '3 compose problems: compose.yml: volume "content" used by service "app" is not declared in the top-level volumes section (and 2 more)',
        ],
        [
          "lines",
          "compose.yml: 12 of 13 changed lines match no pattern in change[0].lines",
          { details: ["compose.yml: removed: networks:", "compose.yml: removed:   proxy:"] },
        ],
        [
          "keys",
          "3 changes outside change[].keys: compose.yml: networks changed; only services.app.deploy.labels may change (and 2 more)",
        ],
        ["max-lines", "compose.yml: 11 lines changed (+0 -11); at most 2 allowed"],
      ],
      {
        files: [
          file("compose.yml", "modified", 0, 11, [
            '         - "backupbot.backup=${ENABLE_BACKUPS:-true}"',
            "-",
            "-networks:",
            "-  proxy:",
          ]),
        ],
      },
    ),
    causes: [
      [
        "truncated",
        "compose-valid",
        ["lines", "keys", "max-lines"],
        "compose.yml was cut short (its last 11 lines are gone), so the stack no longer deploys",
        "restore it from `main` (`git checkout 4e250b04f0c6 -- compose.yml`), then change only `services.app.deploy.labels`",
      ],
    ],
  },
  {
    cause: "wrong tier (a backup canary that also changes the image)",
    result: fixture(
      [
        ["keys", `compose.yml: services.app.image changed; only ${BACKUP_KEYS} may change`],
        [
          "earlier-tiers",
          "compose.yml: services.app.image changed (nginx:1.27 -> nginx:1.27.99): install would go red before backup",
          { fix: EARLIER_FIX },
        ],
      ],
      { tier: "backup" },
    ),
    causes: [
      [
        "wrong-tier",
        "earlier-tiers",
        ["keys"],
        "this backup canary also changes what install reads, so install would go red first",
        "restore everything an earlier tier reads from main: a backup canary changes only backupbot.backup* labels of services (list or map form)",
      ],
    ],
  },
  {
    cause: "no-op (a default that .env.sample overrides)",
    result: fixture(
      [
        [
          "effective-change",
          "the change does not reach the deployed stack, so this canary can never go red: compose.yml: ENABLE_BACKUPS is set to true in .env.sample, so the new default never applies",
          {
            fix: "Change what the stack deploys: the value itself, in a label backup-bot-two reads, under deploy.labels.",
          },
        ],
      ],
      { tier: "backup" },
    ),
    causes: [
      [
        "no-op",
        "effective-change",
        [],
        "the change never reaches the deployed stack, so this canary can never go red",
        "change what the stack deploys: the value itself, in a label backup-bot-two reads, under deploy.labels",
      ],
    ],
  },
  {
    cause: "unbumped config",
    result: fixture(
      [
        [
          "config-version",
          "nginx.conf.tmpl changed, but config nginx_conf keeps its name (${STACK_NAME}_nginx_conf_v1): swarm configs cannot change, so upgrade would go red first; bump NGINX_CONF_VERSION in abra.sh with the change",
          { fix: "Bump the config's version variable together with the file it reads." },
        ],
      ],
      { tier: "custom" },
    ),
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
    result: fixture(
      [
        [
          "paths",
          "1 path outside the targeted change (allowed: compose*.yml): README.md (modified, +1 -1) is outside the targeted change",
        ],
      ],
      { tier: "backup" },
    ),
    causes: [
      [
        "outside-change",
        "paths",
        [],
        "README.md is outside the targeted change (the change may touch only `compose*.yml`)",
        "restore it from `main` (`git checkout 4e250b04f0c6 -- README.md`)",
      ],
    ],
  },
  {
    cause: "outside the targeted change (an added file, with a mode of its own)",
    result: fixture([
      [
        "paths",
        "1 path outside the targeted change (allowed: compose.yml): deploy.sh (added, +3 -0) is outside the targeted change",
      ],
      ["mode", "deploy.sh is a new symlink"],
    ]),
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
    result: fixture(
      [
        [
          "paths",
          "1 path outside the targeted change (allowed: compose*.yml): nginx.conf.tmpl (modified, +1 -0) is outside the targeted change",
        ],
        [
          "config-version",
          "nginx.conf.tmpl changed, but config nginx_conf keeps its name (${STACK_NAME}_nginx_conf_v1): swarm configs cannot change, so upgrade would go red first; bump NGINX_CONF_VERSION in abra.sh with the change",
          { fix: "Bump the config's version variable together with the file it reads." },
        ],
      ],
      { tier: "backup" },
    ),
    causes: [
      [
        "outside-change",
        "paths",
        ["config-version"],
        "nginx.conf.tmpl is outside the targeted change (the change may touch only `compose*.yml`)",
        "restore it from `main` (`git checkout 4e250b04f0c6 -- nginx.conf.tmpl`)",
      ],
    ],
  },
  {
    cause: "force-pushed pin",
    result: fixture([
      [
        "sha-on-branch",
        "b6cd73d72612 exists but is no longer on regression-bad-backup (tip 0d1e2f3a4b5c): the branch was force-pushed or rebased after the pin was taken.",
      ],
    ]),
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
    result: fixture([
      [
        "sha-on-branch",
        "b6cd73d72612 is on regression-bad-restore, not on regression-bad-backup: the manifest names the wrong branch for this pin (set branch: regression-bad-restore), or the pin was copied from another fixture",
      ],
    ]),
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
    result: fixture([
      [
        "sha-on-branch",
        "branch regression-bad-backup does not exist in recipe-maintainers/custom-html",
      ],
    ]),
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
    result: fixture(
      [
        [
          "sha-exists",
          "no commit e1e3c5fc in recipe-maintainers/custom-html: no branch or tag reaches it (never pushed, or force-pushed away and since deleted by the server)",
        ],
      ],
      { sha: "e1e3c5fc", resolvedSha: null, mergeBase: null },
    ),
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
    result: fixture(
      [
        [
          "sha-exists",
          "e1e3 is ambiguous: 2 objects start with it; pin the full 40-character id",
          { details: [`${PIN} commit`, `${TIP} tree`] },
        ],
      ],
      { sha: "e1e3", resolvedSha: null, mergeBase: null },
    ),
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
    cause: "base is a tag",
    result: fixture(
      [
        [
          "base-exists",
          `base 1.0.0+1.27 is a tag, not a branch: write base: ${TIP} (the commit it tags) to compare against it, or name the branch the fixture was cut from`,
        ],
      ],
      { base: "1.0.0+1.27", mergeBase: null },
    ),
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
    result: fixture([
      [
        "change-present",
        "the pinned commit is already part of main: the fixture changes nothing (was the fixture commit pushed? was the pin copied from main?)",
      ],
    ]),
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
    result: fixture([
      [
        "whitespace-churn",
        "compose.yml: 48 of 49 added lines differ only in line endings (CRLF/LF) from the line they replace, which hides the real change",
      ],
      ["lines", "compose.yml: 94 of 97 changed lines match no pattern in change[0].lines"],
    ]),
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
    cause: "mode change",
    result: fixture([
      ["mode", "abra.sh changed from regular file to executable file (100644 -> 100755)"],
    ]),
    causes: [
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
    result: fixture([["binary", "logo.png is binary: git cannot show the change line by line"]]),
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
    result: fixture([
      [
        "lines",
        "compose.yml: 1 of 2 changed lines match no pattern in change[0].lines",
        { details: ["compose.yml: added:       - FOO=bar"] },
      ],
      [
        "keys",
        "compose.yml: services.app.environment.FOO changed; only services.app.deploy.labels may change",
      ],
    ]),
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
    result: fixture([
      [
        "lines",
        "compose.yml: 1 of 2 changed lines match no pattern in change[0].lines",
        { details: ["compose.yml: added:   # a comment"] },
      ],
    ]),
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
    result: fixture([["max-lines", "compose.yml: 4 lines changed (+2 -2); at most 2 allowed"]]),
    causes: [
      [
        "too-many-lines",
        "max-lines",
        [],
        "the change to `compose.yml` is 4 lines; at most 2 are allowed",
        "make it smaller (at most 2 added and removed lines), or raise `max_lines` if the targeted change needs more",
      ],
    ],
  },
  {
    cause: "too many commits",
    result: fixture([
      ["max-commits", "3 commits between the merge-base and the pin; at most 1 allowed"],
    ]),
    causes: [
      [
        "too-many-commits",
        "max-commits",
        [],
        "the fixture is 3 commits on top of its base; at most 1 allowed",
        "squash them (`git rebase -i 4e250b04f0c6`), push, and pin the new commit",
      ],
    ],
  },
  {
    cause: "a stack that no longer deploys (an overlay's undeclared secret)",
    result: fixture(
      [
        [
          "compose-valid",
          'compose.smtp.yml merged onto compose.yml: secret "smtp_password" used by service "app" is not declared in the top-level secrets section',
        ],
      ],
      { files: [file("compose.smtp.yml", "added", 7, 0)] },
    ),
    causes: [
      [
        "does-not-deploy",
        "compose-valid",
        [],
        "compose.smtp.yml no longer deploys (docker stack deploy would refuse it before any tier runs)",
        "declare what the services use, or restore it from `main` (`git checkout 4e250b04f0c6 -- compose.smtp.yml`) and make the change again",
      ],
    ],
  },
  {
    cause: "two causes: the wrong tier first, then a file outside the change",
    result: fixture(
      [
        [
          "paths",
          "1 path outside the targeted change (allowed: compose*.yml): README.md (modified, +1 -1) is outside the targeted change",
        ],
        ["keys", `compose.yml: services.app.image changed; only ${BACKUP_KEYS} may change`],
        [
          "earlier-tiers",
          "compose.yml: services.app.image changed (nginx:1.27 -> nginx:1.27.99): install would go red before backup",
          { fix: EARLIER_FIX },
        ],
      ],
      { tier: "backup" },
    ),
    causes: [
      [
        "outside-change",
        "paths",
        [],
        "README.md is outside the targeted change (the change may touch only `compose*.yml`)",
        "restore it from `main` (`git checkout 4e250b04f0c6 -- README.md`)",
      ],
      [
        "wrong-tier",
        "earlier-tiers",
        ["keys"],
        "this backup canary also changes what install reads, so install would go red first",
        "restore everything an earlier tier reads from main: a backup canary changes only backupbot.backup* labels of services (list or map form)",
      ],
    ],
  },
  {
    cause: "a failure no rule knows: its own message and fix",
    result: fixture([
      [
        "not-emptied",
        "cannot tell whether compose.yml was emptied: it is 2.0 MiB, over the 1.0 MiB inspection limit",
      ],
    ]),
    causes: [
      [
        "other",
        "not-emptied",
        [],
        "cannot tell whether compose.yml was emptied: it is 2.0 MiB, over the 1.0 MiB inspection limit",
        "see `not-emptied` below",
      ],
    ],
  },
];

describe("diagnose", () => {
  it.each(rows)("$cause", ({ result, causes }) => {
    expect(
      diagnose(result).map((c) => [
        c.kind,
        c.primary,
        c.followOns,
        plainText(c.diagnosis),
        plainText(c.fix),
      ]),
    ).toEqual(causes);
  });

  it("has nothing to say about a passing fixture, nor about warnings", () => {
    const passing = fixture([]);
    passing.checks.push({ id: "branch-tip", status: "warn", message: "moved" });
    expect(diagnose(passing)).toEqual([]);
  });

  it("never offers a command it cannot quote: a name git escaped is named, not typed", () => {
    const [cause] = diagnose(
      fixture([
        ["not-emptied", "notes\\ncompose.yml was emptied (3 lines at the merge-base, none now)"],
      ]),
    );
    expect(plainText(cause?.fix ?? [])).toBe(
      "restore it from `main`, then make only the targeted change",
    );
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
  const passing = fixture([]);
  const failing = fixture([
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
