/**
 * What a failing fixture needs: the cause, in one line, and what to do about it, in one line.
 * A cause is named by one failing check (its primary); the checks that fail only because of it
 * (yaml-valid, compose-valid, lines, keys, max-lines after an emptied compose.yml) are its
 * follow-ons, which reports fold under it instead of listing one ❌ per symptom.
 *
 * Read from a `FixtureResult` alone: each failing check's causes, the fields the checks give as
 * data (kind, paths, key paths, values; shared/result.ts), never the words of its message. A run
 * stored before causes existed has none: its failures are shown as they were written ("other").
 * The texts are rich text (plain strings and code), never markdown or HTML: each renderer escapes
 * them its own way. Pure.
 */
import { showName } from "../shared/display.ts";
import { formatKeyPath } from "../shared/key-path.ts";
import type {
  CheckCause,
  CheckCauseKind,
  CheckId,
  CheckResult,
  FixtureResult,
  PinFact,
} from "../shared/result.ts";

/** Text in a report: plain words, and code (a path, a command, a manifest line) shown as code. */
export type Rich = readonly (string | { code: string })[];

export type CauseKind =
  | "no-commit"
  | "ambiguous-pin"
  | "not-a-commit"
  | "no-branch"
  | "wrong-branch"
  | "force-pushed"
  | "base-is-tag"
  | "no-base"
  | "unrelated-base"
  | "no-change"
  | "emptied"
  | "deleted"
  | "truncated"
  | "unparsable"
  | "outside-change"
  | "wrong-tier"
  | "unversioned-config"
  | "no-op"
  | "does-not-deploy"
  | "whitespace"
  | "mode"
  | "binary"
  | "extra-change"
  | "too-many-lines"
  | "too-many-commits"
  | "other";

export type Cause = {
  kind: CauseKind;
  /** The failing check that names the cause. */
  primary: CheckId;
  /** The failing checks that fail only because of it (fixed with it), in report order. */
  followOns: CheckId[];
  /** What is wrong, in one line. */
  diagnosis: Rich;
  /** What to do about it, in one line. */
  fix: Rich;
};

/** A rich text as plain text, code in backticks (the CLI, and tests). */
export function plainText(text: Rich): string {
  return text.map((part) => (typeof part === "string" ? part : `\`${part.code}\``)).join("");
}

/** The causes of a fixture's failures, the primary one first; none when nothing failed. */
export function diagnose(result: FixtureResult): Cause[] {
  const failing = result.checks.filter((c) => c.status === "fail");
  const taken = new Set<CheckId>();
  const causes: Cause[] = [];
  for (const rule of RULES) {
    const check = failing.find((c) => c.id === rule.check && !taken.has(c.id));
    const found = check ? rule.match(check, result) : null;
    if (!check || !found) continue;
    taken.add(check.id);
    const followOns = failing
      .filter(
        (c) =>
          !taken.has(c.id) &&
          rule.followOns.includes(c.id) &&
          ((rule.always ?? []).includes(c.id) || filesOf(c).some((f) => found.files.includes(f))),
      )
      .map((c) => c.id);
    for (const id of followOns) taken.add(id);
    causes.push({ kind: found.kind, primary: check.id, followOns, ...found.text });
  }
  for (const c of failing) if (!taken.has(c.id)) causes.push(other(c));
  return causes;
}

/**
 * For a fixture-branch PR whose head the manifest does not pin yet: why to re-pin (or that it is
 * too early to), and the exact `sha:` line to write. Null when the manifest already pins the head.
 */
export function pinAdvice(
  result: FixtureResult,
  pin: PinFact,
): { text: Rich; shaLine: string } | null {
  if (pin.head === pin.pinned || pin.head.startsWith(pin.pinned)) return null;
  const pinned = { code: pin.pinned };
  const branch = { code: result.branch };
  const why: Rich =
    pin.pinnedOnBranch === false
      ? [
          " ",
          pinned,
          " is no longer on ",
          branch,
          ": the branch was force-pushed or rebased, so CI runs a commit the branch has lost.",
        ]
      : pin.pinnedOnBranch === true
        ? [" ", pinned, " is an older commit of ", branch, ", and CI still runs it."]
        : [" CI runs the pinned commit."];
  const now =
    result.verdict === "pass" ? " This head passes: pin it" : " Once this head passes, pin it";
  return {
    text: [
      "The manifest pins ",
      pinned,
      ", not this head.",
      ...why,
      `${now} with this line (or run `,
      { code: `fixture-bot pin ${result.name}` },
      "):",
    ],
    shaLine: `sha: ${pin.head}`,
  };
}

type Found = { kind: CauseKind; files: string[]; text: { diagnosis: Rich; fix: Rich } };

type Rule = {
  check: CheckId;
  /** The cause this failure stands for; null when the rule does not know it (then it is "other"). */
  match(check: CheckResult, result: FixtureResult): Found | null;
  /** Checks folded under the cause when they fail about the same files... */
  followOns: readonly CheckId[];
  /** ...or whatever files they name (max-lines names a rule's glob, not a file). */
  always?: readonly CheckId[];
};

/** Everything that judges a file's content: what fails after that content is gone or broken. */
const CONTENT: readonly CheckId[] = [
  "paths",
  "yaml-valid",
  "compose-valid",
  "whitespace-churn",
  "lines",
  "keys",
  "max-lines",
  "earlier-tiers",
  "config-version",
  "effective-change",
];

/** In priority order: the first rule that matches a failure names the primary cause. */
const RULES: readonly Rule[] = [
  { check: "sha-exists", match: shaExists, followOns: [] },
  { check: "sha-on-branch", match: shaOnBranch, followOns: [] },
  { check: "base-exists", match: baseExists, followOns: [] },
  { check: "change-present", match: changePresent, followOns: ["effective-change"] },
  { check: "not-emptied", match: notEmptied, followOns: CONTENT, always: ["max-lines"] },
  { check: "yaml-valid", match: yamlValid, followOns: CONTENT, always: ["max-lines"] },
  { check: "compose-valid", match: truncated, followOns: CONTENT, always: ["max-lines"] },
  {
    check: "paths",
    match: outside,
    followOns: [
      "yaml-valid",
      "compose-valid",
      "whitespace-churn",
      "mode",
      "binary",
      "lines",
      "keys",
      "config-version",
    ],
  },
  {
    check: "earlier-tiers",
    match: wrongTier,
    followOns: ["keys", "lines", "max-lines"],
    always: ["max-lines"],
  },
  { check: "config-version", match: unversionedConfig, followOns: ["lines", "max-lines"] },
  { check: "effective-change", match: noOp, followOns: [] },
  { check: "compose-valid", match: doesNotDeploy, followOns: ["keys", "earlier-tiers"] },
  {
    check: "whitespace-churn",
    match: whitespace,
    followOns: ["lines", "max-lines"],
    always: ["max-lines"],
  },
  { check: "mode", match: mode, followOns: [] },
  { check: "binary", match: binary, followOns: ["lines", "max-lines"] },
  { check: "keys", match: extraKeys, followOns: ["lines", "max-lines"], always: ["max-lines"] },
  { check: "lines", match: extraLines, followOns: ["max-lines"], always: ["max-lines"] },
  { check: "max-lines", match: tooManyLines, followOns: [] },
  { check: "max-commits", match: tooManyCommits, followOns: [] },
];

// ---- reading the checks' causes ------------------------------------------------------------

/** The causes a check gave of the given kinds, in order. */
function causesOf(check: CheckResult, ...kinds: CheckCauseKind[]): CheckCause[] {
  return (check.causes ?? []).filter((c) => kinds.includes(c.kind));
}

/** Every file a check's causes name. */
function filesOf(check: CheckResult): string[] {
  return [
    ...new Set(
      (check.causes ?? []).flatMap((c) => [...(c.files ?? []), ...(c.path ? [c.path] : [])]),
    ),
  ];
}

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

// ---- the words a fix is made of --------------------------------------------------------------

/** Paths as a sentence names them (escaped as every report escapes names). */
function listed(names: readonly string[]): string {
  const shown = names.map(showName);
  if (shown.length <= 1) return shown[0] ?? "";
  return `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}

/** A path as it can be typed in a shell; null when it cannot be shown safely as one. */
function shellPath(path: string): string | null {
  if (/^[\w./@+=,-]+$/.test(path) && !path.startsWith("-")) return path;
  // A quote, a backslash, or a character showName would escape cannot be typed as it reads.
  if (/[\\']/.test(path) || showName(path) !== path) return null;
  return `'${path}'`;
}

/** `git checkout <merge-base> -- a b`: the files as the fixture was cut; null if not typeable. */
function checkoutCommand(files: readonly string[], result: FixtureResult): string | null {
  const paths = files.map(shellPath);
  if (paths.some((p) => p === null) || paths.length === 0) return null;
  const from = result.mergeBase ? result.mergeBase.slice(0, 12) : result.base;
  return from ? `git checkout ${from} -- ${paths.join(" ")}` : null;
}

/** "restore it from `main` (`git checkout … -- compose.yml`)". */
function restore(files: readonly string[], result: FixtureResult): Rich {
  const command = checkoutCommand(files, result);
  return [
    `restore ${files.length === 1 ? "it" : "them"} from `,
    { code: result.base ?? "the base" },
    ...(command ? [" (", { code: command }, ")"] : []),
  ];
}

const TIERS_COMMAND = { code: "fixture-bot tiers" };

/** What the fixture may change: the keys a rule allows, else its tier's preset. */
function targeted(result: FixtureResult): Rich {
  const keys = result.checks.find((c) => c.id === "keys" && c.status === "fail");
  const allowed = keys ? causesOf(keys, "extra-key").find((c) => c.allowed)?.allowed : undefined;
  if (allowed) return ["change only ", { code: allowed }];
  if (result.tier) return [`make only the ${result.tier} canary's change (`, TIERS_COMMAND, ")"];
  return ["make only the targeted change"];
}

/** A fix the check itself carries, as a fragment: "Bump the …." -> "bump the …". */
function ownFix(check: CheckResult): Rich | null {
  if (!check.fix) return null;
  const text = check.fix.replace(/\.$/, "");
  return [/^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text];
}

function found(kind: CauseKind, files: string[], diagnosis: Rich, fix: Rich): Found {
  return { kind, files, text: { diagnosis, fix } };
}

/** A path that only lost lines, at its end: cut short (an editor, a bad merge, a full disk). */
function shortened(result: FixtureResult, path: string): { end: boolean; lost: number } | null {
  const file = result.files.find((f) => f.path === path && f.status === "modified");
  if (!file || file.added > 0 || file.removed === 0) return null;
  const last = file.hunks
    ?.at(-1)
    ?.lines.filter((l) => !l.startsWith("\\"))
    .at(-1);
  return { end: last?.startsWith("-") ?? false, lost: file.removed };
}

function cutShort(path: string, cut: { end: boolean; lost: number }): string {
  const lines = `${cut.lost} ${cut.lost === 1 ? "line" : "lines"}`;
  const name = showName(path);
  return cut.end ? `${name} was cut short (its last ${lines} are gone)` : `${name} lost ${lines}`;
}

// ---- one function per cause --------------------------------------------------------------------

function shaExists(check: CheckResult, r: FixtureResult): Found | null {
  const pin = { code: r.sha };
  const command = { code: `fixture-bot pin ${r.name}` };
  const [cause] = causesOf(check, "no-commit", "ambiguous-pin", "not-a-commit");
  switch (cause?.kind) {
    case "no-commit":
      return found(
        "no-commit",
        [],
        ["the pinned commit ", pin, ` is not in ${r.repo}`],
        ["push the fixture commit, or pin the branch's tip: ", command],
      );
    case "ambiguous-pin":
      return found(
        "ambiguous-pin",
        [],
        cause.ref
          ? ["the pin ", pin, ` is also the name of ${cause.ref}, which git would take instead`]
          : ["the pin ", pin, " is a prefix of more than one object"],
        ["write the full 40-character id of the fixture commit (the candidates are below)"],
      );
    case "not-a-commit":
      return found(
        "not-a-commit",
        [],
        ["the pin ", pin, ` is a ${cause.detail ?? "non-commit"}, not a commit`],
        ["pin the fixture commit: ", command],
      );
    default:
      return null;
  }
}

function shaOnBranch(check: CheckResult, r: FixtureResult): Found | null {
  const branch = { code: r.branch };
  const [cause] = causesOf(check, "no-branch", "wrong-branch", "force-pushed");
  switch (cause?.kind) {
    case "no-branch":
      return found(
        "no-branch",
        [],
        ["the branch ", branch, ` does not exist in ${r.repo}`],
        ["push the fixture branch, or correct ", { code: "branch:" }, " in the manifest"],
      );
    case "wrong-branch": {
      const other = cause.ref ?? "";
      return found(
        "wrong-branch",
        [],
        ["the pinned commit is on ", { code: other }, ", not on ", branch],
        [
          "write ",
          { code: `branch: ${other}` },
          " for this fixture, or pin a commit of ",
          branch,
          " (the pin may have been copied from another fixture)",
        ],
      );
    }
    case "force-pushed":
      return found(
        "force-pushed",
        [],
        [
          "the pinned commit is no longer on ",
          branch,
          ": the branch was force-pushed or rebased after it was pinned",
        ],
        [
          "once the branch's new tip passes, pin it (",
          { code: `fixture-bot pin ${r.name}` },
          "), or push the pinned commit back to ",
          branch,
        ],
      );
    default:
      return null;
  }
}

function baseExists(check: CheckResult, r: FixtureResult): Found | null {
  const base = { code: r.base ?? "" };
  const [cause] = causesOf(check, "base-is-tag", "no-base", "unrelated-base");
  const fix: Rich = ["set ", { code: "base:" }, " to the branch the fixture was cut from"];
  switch (cause?.kind) {
    case "base-is-tag":
      return found(
        "base-is-tag",
        [],
        ["the base ", base, " is a tag, not a branch"],
        [
          "write ",
          { code: `base: ${cause.ref}` },
          " (the commit it tags), or name the branch instead",
        ],
      );
    case "no-base":
      return found("no-base", [], ["the base ", base, ` does not exist in ${r.repo}`], fix);
    case "unrelated-base":
      return found("unrelated-base", [], ["the fixture was not cut from ", base], fix);
    default:
      return null;
  }
}

function changePresent(check: CheckResult, r: FixtureResult): Found | null {
  const [cause] = causesOf(check, "no-change");
  if (!cause) return null;
  const base = { code: r.base ?? "" };
  const branch = { code: r.branch };
  if (cause.detail === "in-base") {
    return found(
      "no-change",
      [],
      ["the pinned commit is already part of ", base, ": the fixture changes nothing"],
      [
        "pin the fixture's own commit on ",
        branch,
        " (",
        { code: `fixture-bot pin ${r.name}` },
        "); was it pushed?",
      ],
    );
  }
  return found(
    "no-change",
    [],
    ["the fixture has the same files as ", base, ": it changes nothing"],
    ["commit the targeted change on ", branch, " and pin that commit"],
  );
}

function notEmptied(check: CheckResult, r: FixtureResult): Found | null {
  const causes = causesOf(check, "emptied", "deleted");
  if (causes.length === 0) return null;
  const files = unique(causes.map((c) => c.path as string));
  const what = new Set(causes.map((c) => c.kind));
  const verb =
    what.size === 1 ? (what.has("emptied") ? "emptied" : "deleted") : "deleted or emptied";
  return found(
    what.has("emptied") ? "emptied" : "deleted",
    files,
    [`${listed(files)} ${files.length === 1 ? "was" : "were"} ${verb}`],
    [...restore(files, r), ", then ", ...targeted(r)],
  );
}

function yamlValid(check: CheckResult, r: FixtureResult): Found | null {
  const [cause] = causesOf(check, "unparsable");
  if (!cause?.path) return null;
  const path = cause.path;
  const shown = showName(path);
  const cut = shortened(r, path);
  if (cut) {
    return found(
      "truncated",
      [path],
      [`${cutShort(path, cut)}, so it no longer parses`],
      [...restore([path], r), ", then ", ...targeted(r)],
    );
  }
  switch (cause.detail) {
    case "syntax":
      return found(
        "unparsable",
        [path],
        [`${shown} does not parse as YAML`],
        [
          "fix it where the parser stopped (the line and column are below), or ",
          ...restore([path], r),
          " and make the change again",
        ],
      );
    case "utf8":
      return found(
        "unparsable",
        [path],
        [`${shown} is not valid UTF-8`],
        ["save it as UTF-8 again (an editor re-encoded it)"],
      );
    case "null":
      return found(
        "unparsable",
        [path],
        [`${shown} has no YAML left (it parses to null)`],
        [...restore([path], r), ", then ", ...targeted(r)],
      );
    case "template":
      return found(
        "unparsable",
        [path],
        [`${shown}, a Go template, has unbalanced actions`],
        [
          "close every action: each ",
          { code: "{{ if }}" },
          ", ",
          { code: "{{ range }}" },
          ", ",
          { code: "{{ with }}" },
          " needs its ",
          { code: "{{ end }}" },
        ],
      );
    default:
      return null;
  }
}

function truncated(check: CheckResult, r: FixtureResult): Found | null {
  const named = filesOf(check);
  for (const file of r.files) {
    const cut = shortened(r, file.path);
    if (!cut || !named.includes(file.path)) continue;
    return found(
      "truncated",
      [file.path],
      [`${cutShort(file.path, cut)}, so the stack no longer deploys`],
      [...restore([file.path], r), ", then ", ...targeted(r)],
    );
  }
  return null;
}

function outside(check: CheckResult, r: FixtureResult): Found | null {
  const causes = causesOf(check, "outside-change");
  if (causes.length === 0) return null;
  const files = unique(causes.map((c) => c.path as string));
  const statuses = new Set(causes.map((c) => c.detail ?? ""));
  const isNew = (st: string) => st === "added" || st === "copied";
  const isOld = (st: string) => st === "modified" || st === "deleted" || st === "type-changed";
  const allowed = causes[0]?.allowed;
  const them = files.length === 1 ? "it" : "them";
  const paths = files.map(shellPath);
  const fix: Rich = [...statuses].every(isNew)
    ? paths.every((p) => p !== null)
      ? [`remove ${them} from the fixture commit (`, { code: `git rm ${paths.join(" ")}` }, ")"]
      : [`remove ${them} from the fixture commit`]
    : [...statuses].every(isOld)
      ? restore(files, r)
      : [
          `take ${them} out of the fixture commit: restore what changed from `,
          { code: r.base ?? "the base" },
          ", remove what was added, undo what was renamed",
        ];
  // The rules' globs as code; a preset's "(the recipe's compose files)" as words.
  const may: Rich = (allowed ?? "")
    .split(", ")
    .flatMap((part, i) => [
      ...(i > 0 ? [", "] : []),
      part.startsWith("(") && part.endsWith(")") ? part.slice(1, -1) : { code: part },
    ]);
  return found(
    "outside-change",
    files,
    [
      `${listed(files)} ${files.length === 1 ? "is" : "are"} outside the targeted change`,
      ...(allowed ? [" (the change may touch only ", ...may, ")"] : []),
    ],
    fix,
  );
}

function wrongTier(check: CheckResult, r: FixtureResult): Found | null {
  const causes = causesOf(check, "earlier-tier");
  const earlier = causes[0]?.tier;
  if (!earlier) return null;
  const tier = r.tier ?? "this";
  const files = unique(causes.flatMap((c) => c.files ?? []));
  return found(
    "wrong-tier",
    files,
    [`this ${tier} canary also changes what ${earlier} reads, so ${earlier} would go red first`],
    ownFix(check) ?? [...restore(files, r), ", then ", ...targeted(r)],
  );
}

function unversionedConfig(check: CheckResult): Found | null {
  const [cause] = causesOf(check, "unversioned-config");
  if (!cause?.path) return null;
  const path = cause.path;
  return found(
    "unversioned-config",
    [path],
    [
      `${showName(path)} changed but ${cause.name ?? "a config"} keeps its version, so upgrade would go red first`,
    ],
    cause.variable
      ? ["bump ", { code: cause.variable }, ` in ${cause.where ?? "abra.sh"} in the same commit`]
      : (ownFix(check) ?? ["give the config a new name in the same commit"]),
  );
}

function noOp(check: CheckResult): Found | null {
  if (causesOf(check, "no-op").length === 0) return null;
  return found(
    "no-op",
    [],
    ["the change never reaches what abra deploys, so this canary can never go red"],
    ownFix(check) ?? ["change what the default deployment runs"],
  );
}

function doesNotDeploy(check: CheckResult, r: FixtureResult): Found | null {
  const causes = causesOf(check, "does-not-deploy");
  if (causes.length === 0) return null;
  const files = unique(causes.flatMap((c) => c.files ?? []));
  return found(
    "does-not-deploy",
    files,
    [
      `${files.length > 0 ? listed(files) : "the stack"} no longer deploys (docker stack deploy would refuse it before any tier runs)`,
    ],
    [
      "declare what the services use, or ",
      ...(files.length > 0
        ? restore(files, r)
        : ["restore the compose files from ", { code: r.base ?? "the base" }]),
      " and make the change again",
    ],
  );
}

function whitespace(check: CheckResult): Found | null {
  const causes = causesOf(check, "whitespace").filter((c) => c.detail !== "unknown");
  if (causes.length === 0) return null;
  const files = unique(causes.map((c) => c.path as string));
  const details = new Set(causes.map((c) => c.detail));
  const endings = details.has("line-endings");
  const bom = details.size === 1 && details.has("bom");
  return found(
    "whitespace",
    files,
    [
      `${listed(files)} ${files.length === 1 ? "changes" : "change"} ${bom ? "its byte-order mark" : endings ? "line endings" : "whitespace"} beside the targeted change`,
    ],
    [
      bom
        ? "save it as it was (UTF-8 without a byte-order mark, or with one if it had one), so that only the targeted lines differ"
        : `restore ${endings ? "the line endings (an editor or git's autocrlf changed them)" : "the original whitespace"}, so that only the targeted lines differ`,
    ],
  );
}

const MODE_NAMES: Record<string, string> = {
  "100644": "regular file",
  "100755": "executable file",
  "120000": "symlink",
  "160000": "submodule",
};

function mode(check: CheckResult, r: FixtureResult): Found | null {
  const [cause] = causesOf(check, "mode");
  if (!cause?.path) return null;
  const path = cause.path;
  const { before, after } = cause;
  const name = (m: string | undefined) => MODE_NAMES[m ?? ""] ?? `mode ${m}`;
  const shell = shellPath(path);
  const flip =
    before === "100644" && after === "100755"
      ? "-x"
      : before === "100755" && after === "100644"
        ? "+x"
        : null;
  const isNew = before === "000000";
  return found(
    "mode",
    [path],
    [
      isNew
        ? `${showName(path)} is a new ${name(after)}`
        : `${showName(path)} changed from ${name(before)} to ${name(after)}`,
    ],
    flip && shell
      ? [
          `make it ${before === "100644" ? "a regular file" : "executable"} again (`,
          { code: `git update-index --chmod=${flip} ${shell}` },
          ")",
        ]
      : restore([path], r),
  );
}

function binary(check: CheckResult): Found | null {
  const files = unique(causesOf(check, "binary").map((c) => c.path as string));
  if (files.length === 0) return null;
  return found(
    "binary",
    files,
    [`${listed(files)} cannot be reviewed line by line (binary or too large)`],
    [
      `take ${files.length === 1 ? "it" : "them"} out of the fixture commit, or allow it with `,
      { code: "allow: [binary]" },
      " if it is the targeted change",
    ],
  );
}

function extraKeys(check: CheckResult, r: FixtureResult): Found | null {
  const causes = causesOf(check, "extra-key").filter((c) => c.keyPath !== undefined);
  const first = causes[0];
  if (!first) return null;
  const files = unique(causes.map((c) => c.path as string));
  const keys = causes.map((c) => formatKeyPath(c.keyPath as string[]));
  return found(
    "extra-change",
    files,
    [
      `${listed(files)} changes more than the targeted change: `,
      { code: keys[0] as string },
      keys.length > 1 ? ` and ${keys.length - 1} more` : "",
    ],
    [
      `put ${keys.length === 1 ? "it" : "them"} back as `,
      { code: r.base ?? "the base" },
      ` has ${keys.length === 1 ? "it" : "them"}; only `,
      { code: first.allowed ?? "" },
      " may change",
    ],
  );
}

function extraLines(check: CheckResult): Found | null {
  const causes = causesOf(check, "extra-line");
  const first = causes[0];
  if (!first) return null;
  const files = unique(causes.map((c) => c.path as string));
  return found(
    "extra-change",
    files,
    [`${listed(files)} changes lines that the targeted change does not allow`],
    [
      "revert the lines listed below: every changed line must match ",
      { code: first.allowed ?? "change[].lines" },
    ],
  );
}

function tooManyLines(check: CheckResult): Found | null {
  const [cause] = causesOf(check, "too-many-lines");
  if (!cause) return null;
  return found(
    "too-many-lines",
    [],
    [
      "the change to ",
      { code: cause.allowed ?? "" },
      ` is ${cause.count} lines; at most ${cause.limit} are allowed`,
    ],
    [
      `make it smaller (at most ${cause.limit} added and removed lines), or raise `,
      { code: "max_lines" },
      " if the targeted change needs more",
    ],
  );
}

function tooManyCommits(check: CheckResult, r: FixtureResult): Found | null {
  const [cause] = causesOf(check, "too-many-commits");
  if (!cause) return null;
  const from = r.mergeBase ? r.mergeBase.slice(0, 12) : r.base;
  return found(
    "too-many-commits",
    [],
    [`the fixture is ${cause.count} commits on top of its base; at most ${cause.limit} allowed`],
    ["squash them (", { code: `git rebase -i ${from}` }, "), push, and pin the new commit"],
  );
}

/** A failure no rule knows: its own message, and its own fix or a pointer to it. */
function other(check: CheckResult): Cause {
  return {
    kind: "other",
    primary: check.id,
    followOns: [],
    diagnosis: [check.message],
    fix: ownFix(check) ?? ["see ", { code: check.id }, " below"],
  };
}
