/**
 * What a failing fixture needs: the cause, in one line, and what to do about it, in one line.
 * A cause is named by one failing check (its primary); the checks that fail only because of it
 * (yaml-valid, compose-valid, lines, keys, max-lines after an emptied compose.yml) are its
 * follow-ons, which reports fold under it instead of listing one ❌ per symptom.
 *
 * Read from a `FixtureResult` alone (ids, messages, files), so a stored run is diagnosed the same
 * way as a fresh one. The texts are rich text (plain strings and code), never markdown or HTML:
 * each renderer escapes them its own way. Pure.
 */
import type { CheckId, CheckResult, FixtureResult, PinFact } from "../shared/result.ts";

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
          ((rule.always ?? []).includes(c.id) || mentionsAny(c, found.files)),
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

// ---- reading the checks' messages ----------------------------------------------------------

/** Every line a check wrote: its message and its details. */
function linesOf(check: CheckResult): string[] {
  return [check.message, ...(check.details ?? [])];
}

/** The first match of `pattern` in each line of the check, in order, without repeats. */
function scan(check: CheckResult, pattern: RegExp): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const seen = new Set<string>();
  for (const line of linesOf(check)) {
    const m = pattern.exec(line);
    if (m && !seen.has(m[0])) {
      seen.add(m[0]);
      out.push(m);
    }
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether a check names one of the files, as a whole name. */
function mentionsAny(check: CheckResult, files: readonly string[]): boolean {
  return files.some((file) => {
    const name = new RegExp(`(^|[\\s(,:'"])${escapeRegExp(file)}($|[\\s),:;'"])`);
    return linesOf(check).some((line) => name.test(line));
  });
}

/** Where a finding starts: the whole message, or after a summary's `: `. */
const AT = "(?:^|: )";
/** A file's path in a finding (never holding `: `, which separates a summary from a finding). */
const PATH = "((?:(?!: ).)+?)";

// ---- the words a fix is made of --------------------------------------------------------------

function listed(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** A path as it can be typed in a shell; null when it cannot be shown safely as one. */
function shellPath(path: string): string | null {
  if (/^[\w./@+=,-]+$/.test(path) && !path.startsWith("-")) return path;
  if (/[\\']/.test(path)) return null; // showName escapes control characters as \x..
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
  const allowed = keys ? / only (.+?) may change/.exec(keys.message)?.[1] : undefined;
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
  return cut.end ? `${path} was cut short (its last ${lines} are gone)` : `${path} lost ${lines}`;
}

// ---- one function per cause --------------------------------------------------------------------

function shaExists(check: CheckResult, r: FixtureResult): Found | null {
  const pin = { code: r.sha };
  const command = { code: `fixture-bot pin ${r.name}` };
  if (/^no commit /.test(check.message)) {
    return found(
      "no-commit",
      [],
      ["the pinned commit ", pin, ` is not in ${r.repo}`],
      ["push the fixture commit, or pin the branch's tip: ", command],
    );
  }
  if (/ is ambiguous: /.test(check.message)) {
    return found(
      "ambiguous-pin",
      [],
      ["the pin ", pin, " is a prefix of more than one object"],
      ["write the full 40-character id of the fixture commit (the candidates are below)"],
    );
  }
  const type = / is an? (tree|blob|tag) /.exec(check.message)?.[1];
  if (type) {
    return found(
      "not-a-commit",
      [],
      ["the pin ", pin, ` is a ${type}, not a commit`],
      ["pin the fixture commit: ", command],
    );
  }
  return null;
}

function shaOnBranch(check: CheckResult, r: FixtureResult): Found | null {
  const branch = { code: r.branch };
  if (/^branch .+ does not exist in /.test(check.message)) {
    return found(
      "no-branch",
      [],
      ["the branch ", branch, ` does not exist in ${r.repo}`],
      ["push the fixture branch, or correct ", { code: "branch:" }, " in the manifest"],
    );
  }
  const other = /\(set branch: (.+?)\)/.exec(check.message)?.[1];
  if (other) {
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
  if (/ is no longer on /.test(check.message)) {
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
  }
  return null;
}

function baseExists(check: CheckResult, r: FixtureResult): Found | null {
  const base = { code: r.base ?? "" };
  const tagged = /write base: ([0-9a-f]{40})/.exec(check.message)?.[1];
  if (tagged) {
    return found(
      "base-is-tag",
      [],
      ["the base ", base, " is a tag, not a branch"],
      ["write ", { code: `base: ${tagged}` }, " (the commit it tags), or name the branch instead"],
    );
  }
  const fix: Rich = ["set ", { code: "base:" }, " to the branch the fixture was cut from"];
  if (/ does not exist in /.test(check.message))
    return found("no-base", [], ["the base ", base, ` does not exist in ${r.repo}`], fix);
  if (/ shares no history /.test(check.message))
    return found("unrelated-base", [], ["the fixture was not cut from ", base], fix);
  return null;
}

function changePresent(check: CheckResult, r: FixtureResult): Found | null {
  const base = { code: r.base ?? "" };
  const branch = { code: r.branch };
  if (/ is already part of /.test(check.message)) {
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
  const hits = scan(check, new RegExp(`${AT}${PATH} was (emptied|deleted) \\(`));
  if (hits.length === 0) return null;
  const files = hits.map((m) => m[1] as string);
  const what = new Set(hits.map((m) => m[2]));
  const verb = what.size === 1 ? [...what][0] : "deleted or emptied";
  const kind = what.has("emptied") ? "emptied" : "deleted";
  return found(
    kind,
    files,
    [`${listed(files)} ${files.length === 1 ? "was" : "were"} ${verb}`],
    [...restore(files, r), ", then ", ...targeted(r)],
  );
}

function yamlValid(check: CheckResult, r: FixtureResult): Found | null {
  const hit = scan(
    check,
    new RegExp(
      `${AT}${PATH} (does not parse|is not valid UTF-8|is an empty YAML document|\\(a Go template\\))`,
    ),
  )[0];
  if (!hit) return null;
  const path = hit[1] as string;
  const cut = shortened(r, path);
  if (cut) {
    return found(
      "truncated",
      [path],
      [`${cutShort(path, cut)}, so it no longer parses`],
      [...restore([path], r), ", then ", ...targeted(r)],
    );
  }
  switch (hit[2]) {
    case "does not parse":
      return found(
        "unparsable",
        [path],
        [`${path} does not parse as YAML`],
        [
          "fix it where the parser stopped (the line and column are below), or ",
          ...restore([path], r),
          " and make the change again",
        ],
      );
    case "is not valid UTF-8":
      return found(
        "unparsable",
        [path],
        [`${path} is not valid UTF-8`],
        ["save it as UTF-8 again (an editor re-encoded it)"],
      );
    case "is an empty YAML document":
      return found(
        "unparsable",
        [path],
        [`${path} has no YAML left (it parses to null)`],
        [...restore([path], r), ", then ", ...targeted(r)],
      );
    default:
      return found(
        "unparsable",
        [path],
        [`${path}, a Go template, has unbalanced actions`],
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
  }
}

function truncated(check: CheckResult, r: FixtureResult): Found | null {
  for (const file of r.files) {
    const cut = shortened(r, file.path);
    if (!cut || !mentionsAny(check, [file.path])) continue;
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
  const hits = [
    ...scan(
      check,
      new RegExp(
        `${AT}${PATH} \\((added|modified|deleted|renamed|copied|type-changed), \\+\\d+ -\\d+\\) is outside the targeted change`,
      ),
    ),
    ...scan(check, new RegExp(`${AT}${PATH} was (renamed|copied) from .+, which is outside`)),
  ];
  if (hits.length === 0) return null;
  const files = [...new Set(hits.map((m) => m[1] as string))];
  const statuses = new Set(hits.map((m) => m[2] as string));
  const isNew = (s: string) => s === "added" || s === "copied";
  const isOld = (s: string) => s === "modified" || s === "deleted" || s === "type-changed";
  const allowed = /\(allowed: (.+?)\)/.exec(check.message)?.[1];
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
  return found(
    "outside-change",
    files,
    [
      `${listed(files)} ${files.length === 1 ? "is" : "are"} outside the targeted change`,
      ...(allowed ? [" (the change may touch only ", { code: allowed }, ")"] : []),
    ],
    fix,
  );
}

function wrongTier(check: CheckResult, r: FixtureResult): Found | null {
  const tiers = /: (\w+) would go red before (\w+)/.exec(check.message);
  if (!tiers) return null;
  const [, earlier, tier] = tiers;
  const files = scan(check, new RegExp(`${AT}${PATH}: \\S+ changed \\(`)).map(
    (m) => m[1] as string,
  );
  return found(
    "wrong-tier",
    files,
    [`this ${tier} canary also changes what ${earlier} reads, so ${earlier} would go red first`],
    ownFix(check) ?? [...restore(files, r), ", then ", ...targeted(r)],
  );
}

function unversionedConfig(check: CheckResult): Found | null {
  const hit = scan(
    check,
    new RegExp(`${AT}${PATH} changed, but (config|secret) (\\S+) keeps its name`),
  )[0];
  if (!hit) return null;
  const [, path, what, name] = hit as unknown as [string, string, string, string];
  const bump = /; bump (\S+) in (\S+) with the change/.exec(check.message);
  return found(
    "unversioned-config",
    [path],
    [`${path} changed but ${what} ${name} keeps its version, so upgrade would go red first`],
    bump
      ? ["bump ", { code: bump[1] as string }, ` in ${bump[2]} in the same commit`]
      : (ownFix(check) ?? ["give the config a new name in the same commit"]),
  );
}

function noOp(check: CheckResult): Found | null {
  if (!/ does not reach the deployed stack/.test(check.message)) return null;
  return found(
    "no-op",
    [],
    ["the change never reaches the deployed stack, so this canary can never go red"],
    ownFix(check) ?? ["change what the stack deploys"],
  );
}

function doesNotDeploy(check: CheckResult, r: FixtureResult): Found | null {
  const files = r.files.map((f) => f.path).filter((p) => mentionsAny(check, [p]));
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
  const hits = scan(
    check,
    new RegExp(
      `${AT}${PATH}: (?:\\d+ of \\d+ added lines? differ only in (.+?) from|the newline at the end)`,
    ),
  );
  if (hits.length === 0) return null;
  const files = [...new Set(hits.map((m) => m[1] as string))];
  const endings = hits.some((m) => m[2]?.includes("line endings"));
  return found(
    "whitespace",
    files,
    [
      `${listed(files)} ${files.length === 1 ? "changes" : "change"} ${endings ? "line endings" : "whitespace"} beside the targeted change`,
    ],
    [
      `restore ${endings ? "the line endings (an editor or git's autocrlf changed them)" : "the original whitespace"}, so that only the targeted lines differ`,
    ],
  );
}

function mode(check: CheckResult, r: FixtureResult): Found | null {
  const hit = scan(
    check,
    new RegExp(`${AT}${PATH} changed from (.+?) to (.+?) \\((\\d+) -> (\\d+)\\)`),
  )[0];
  if (!hit) return null;
  const [, path, from, to, before, after] = hit as unknown as string[];
  const shell = shellPath(path as string);
  const flip =
    before === "100644" && after === "100755"
      ? "-x"
      : before === "100755" && after === "100644"
        ? "+x"
        : null;
  return found(
    "mode",
    [path as string],
    [`${path} changed from ${from} to ${to}`],
    flip && shell
      ? [
          `make it ${from === "regular file" ? "a regular file" : "executable"} again (`,
          { code: `git update-index --chmod=${flip} ${shell}` },
          ")",
        ]
      : restore([path as string], r),
  );
}

function binary(check: CheckResult): Found | null {
  const files = scan(check, new RegExp(`${AT}${PATH} (?:is binary|is [\\d.]+ \\w+, over the)`)).map(
    (m) => m[1] as string,
  );
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
  const hits = scan(check, new RegExp(`${AT}${PATH}: (\\S+) changed; only (.+?) may change`));
  const first = hits[0];
  if (!first) return null;
  const files = [...new Set(hits.map((m) => m[1] as string))];
  const keys = hits.map((m) => m[2] as string);
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
      { code: first[3] as string },
      " may change",
    ],
  );
}

function extraLines(check: CheckResult): Found | null {
  const hits = scan(
    check,
    new RegExp(
      `(?:^|; )${PATH}: \\d+ of \\d+ changed lines? match no pattern in (change\\[\\d+\\]\\.lines)`,
    ),
  );
  const first = hits[0];
  if (!first) return null;
  const files = [...new Set(hits.map((m) => m[1] as string))];
  return found(
    "extra-change",
    files,
    [`${listed(files)} changes lines that the targeted change does not allow`],
    ["revert the lines listed below: every changed line must match ", { code: first[2] as string }],
  );
}

function tooManyLines(check: CheckResult): Found | null {
  const hit = new RegExp(
    `${AT}${PATH}: (\\d+) lines? changed \\(\\+\\d+ -\\d+\\); at most (\\d+) allowed`,
  ).exec(check.message);
  if (!hit) return null;
  return found(
    "too-many-lines",
    [],
    [
      `the change to `,
      { code: hit[1] as string },
      ` is ${hit[2]} lines; at most ${hit[3]} are allowed`,
    ],
    [
      `make it smaller (at most ${hit[3]} added and removed lines), or raise `,
      { code: "max_lines" },
      " if the targeted change needs more",
    ],
  );
}

function tooManyCommits(check: CheckResult, r: FixtureResult): Found | null {
  const hit = /^(\d+) commits? between the merge-base and the pin; at most (\d+) allowed/.exec(
    check.message,
  );
  if (!hit) return null;
  const from = r.mergeBase ? r.mergeBase.slice(0, 12) : r.base;
  return found(
    "too-many-commits",
    [],
    [`the fixture is ${hit[1]} commits on top of its base; at most ${hit[2]} allowed`],
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
