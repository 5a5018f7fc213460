/**
 * The change checks that need no parser (src/engine/change-checks.ts): change-present, paths,
 * not-emptied, mode, binary and max-lines, as pure functions. The facts git gives about each
 * changed file (status, modes, sizes, numstat, its content as read) go in; the whole CheckResult
 * comes out, every message and cause pinned, one row per branch: the broken fixtures of
 * targeted-changes.md (B1 emptied compose, B2 `---` only, B4 an extra file, B5 a mode change,
 * B12 a symlink, B15 UTF-16, B17 a pin in its base, B20 a submodule) and the cases they must accept.
 */
import { describe, expect, it } from "vitest";
import type { ChangeContext } from "../../src/engine/change-checks.ts";
import {
  checkBinary,
  checkChangePresent,
  checkMaxLines,
  checkMode,
  checkNotEmptied,
  checkPaths,
} from "../../src/engine/change-checks.ts";
import type { CheckResult } from "../../src/engine/check-result.ts";
import {
  DEFAULT_LIMITS,
  type FileAnalysis,
  type Side,
  withRules,
} from "../../src/engine/inspect-files.ts";
import { compileRules } from "../../src/engine/rules.ts";
import type { ChangeRule } from "../../src/shared/fixture.ts";
import { type FileChange, MODE } from "../../src/shared/git-facts.ts";
import type { CheckCause } from "../../src/shared/result.ts";
import { rule } from "../helpers/trees.ts";

const PIN = "b6cd73d72612e8a39e5d4a0e67b9847beb389420";
const MB = "4e250b04f0c6d0c6a7e2a1b5d9f3c8e7a6b5c4d3";
const MIB = 1024 * 1024;

const text = (t: string): Side => ({ state: "text", text: t, invalidUtf8At: null });
const ABSENT: Side = { state: "absent" };
const BINARY: Side = { state: "binary" };
const SYMLINK: Side = { state: "symlink" };
const SUBMODULE: Side = { state: "submodule" };
const tooLarge = (size: number): Side => ({ state: "too-large", size });
const UNREAD: Side = {
  state: "unread",
  reason: "not read: the fixture's files together exceed the inspection budget",
};

/** A changed file as git reports it: what is not given follows from its two sides. */
type Spec = Partial<FileChange> & { path: string; before?: Side; after?: Side };

const modeOf = (side: Side) =>
  side.state === "absent"
    ? MODE.absent
    : side.state === "symlink"
      ? MODE.symlink
      : side.state === "submodule"
        ? MODE.submodule
        : MODE.file;
const sizeOf = (side: Side) =>
  side.state === "absent" || side.state === "submodule"
    ? null
    : side.state === "text"
      ? Buffer.byteLength(side.text)
      : side.state === "too-large"
        ? side.size
        : 2048;

function analysis({ before = text("a\n"), after = text("b\n"), ...over }: Spec): FileAnalysis {
  const change: FileChange = {
    status: before.state === "absent" ? "added" : after.state === "absent" ? "deleted" : "modified",
    oldPath: null,
    oldMode: modeOf(before),
    newMode: modeOf(after),
    oldBlob: before.state === "absent" ? null : "1".repeat(40),
    newBlob: after.state === "absent" ? null : "2".repeat(40),
    oldSize: sizeOf(before),
    newSize: sizeOf(after),
    binary: before.state === "binary" || after.state === "binary",
    added: 1,
    removed: 0,
    similarity: null,
    ...over,
  };
  return { change, rule: null, oldRule: null, before, after, hunks: [], added: [], removed: [] };
}

/** The files, each governed by the first rule whose path matches (as evaluate assigns them). */
function setup(rules: ChangeRule[], specs: Spec[], ctx: Partial<ChangeContext> = {}) {
  const compiled = compileRules(rules);
  const files = withRules(specs.map(analysis), compiled);
  const context: ChangeContext = {
    baseRef: "main",
    resolvedSha: PIN,
    mergeBase: MB,
    rules: compiled,
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
    ...ctx,
  };
  return { files, context };
}

type Row = {
  name: string;
  rules?: ChangeRule[];
  files: Spec[];
  ctx?: Partial<ChangeContext>;
  expected: CheckResult;
};

const COMPOSE_ONLY = [rule("compose.yml")];

describe("change-present", () => {
  it.each<Row>([
    {
      name: "one file changed",
      files: [{ path: "compose.yml" }],
      expected: {
        id: "change-present",
        status: "pass",
        message: "1 file changed since 4e250b04f0c6: compose.yml (+1 -0)",
      },
    },
    {
      name: "three files: all named",
      files: [
        { path: "abra.sh", added: 1, removed: 1 },
        { path: "compose.yml" },
        { path: "nginx.conf.tmpl", added: 2 },
      ],
      expected: {
        id: "change-present",
        status: "pass",
        message:
          "3 files changed since 4e250b04f0c6: abra.sh (+1 -1), compose.yml (+1 -0), nginx.conf.tmpl (+2 -0)",
      },
    },
    {
      name: "four files: the first three named",
      files: [
        { path: "README.md" },
        { path: "abra.sh" },
        { path: "compose.yml" },
        { path: "nginx.conf.tmpl" },
      ],
      expected: {
        id: "change-present",
        status: "pass",
        message:
          "4 files changed since 4e250b04f0c6: README.md (+1 -0), abra.sh (+1 -0), compose.yml (+1 -0), ...",
      },
    },
    {
      name: "no change: the pin is the base commit itself (B17)",
      files: [],
      ctx: { resolvedSha: MB },
      expected: {
        id: "change-present",
        status: "fail",
        message:
          "the pinned commit is already part of main: the fixture changes nothing (was the fixture commit pushed? was the pin copied from main?)",
        causes: [{ kind: "no-change", detail: "in-base" }],
      },
    },
    {
      name: "no change: commits past the merge-base that leave its files as they were (a revert)",
      files: [],
      ctx: { baseRef: "trunk" },
      expected: {
        id: "change-present",
        status: "fail",
        message:
          "the pin has the same files as its merge-base with trunk: the fixture changes nothing",
        causes: [{ kind: "no-change", detail: "same-files" }],
      },
    },
  ])("$name", ({ rules, files, ctx, expected }) => {
    const s = setup(rules ?? COMPOSE_ONLY, files, ctx);
    expect(checkChangePresent(s.files, s.context)).toEqual(expected);
  });
});

const outside = (
  path: string,
  detail: string,
  allowed: string,
  extra: Partial<CheckCause> = {},
): CheckCause => ({
  kind: "outside-change",
  path,
  files: [path],
  detail,
  allowed,
  ...extra,
});

describe("paths", () => {
  it.each<Row>([
    {
      name: "nothing changed",
      files: [],
      expected: { id: "paths", status: "pass", message: "no paths changed" },
    },
    {
      name: "two files, one logical change (A3: template and its version bump)",
      rules: [rule("nginx.conf.tmpl"), rule("abra.sh")],
      files: [{ path: "abra.sh" }, { path: "nginx.conf.tmpl" }],
      expected: {
        id: "paths",
        status: "pass",
        message: "every changed path matches nginx.conf.tmpl, abra.sh",
      },
    },
    {
      name: "the README edited beside the targeted change (B4)",
      files: [{ path: "README.md", added: 1, removed: 1 }, { path: "compose.yml" }],
      expected: {
        id: "paths",
        status: "fail",
        message:
          "1 path outside the targeted change (allowed: compose.yml): README.md (modified, +1 -1) is outside the targeted change",
        causes: [outside("README.md", "modified", "compose.yml")],
      },
    },
    {
      name: "two paths outside: the first in the message, the other in details",
      files: [
        { path: "README.md", added: 1, removed: 1 },
        { path: "compose.yml" },
        { path: "release/1.0.1+1.27", before: ABSENT, added: 3 },
      ],
      expected: {
        id: "paths",
        status: "fail",
        message:
          "2 paths outside the targeted change (allowed: compose.yml): README.md (modified, +1 -1) is outside the targeted change (and 1 more)",
        details: ["release/1.0.1+1.27 (added, +3 -0) is outside the targeted change"],
        causes: [
          outside("README.md", "modified", "compose.yml"),
          outside("release/1.0.1+1.27", "added", "compose.yml"),
        ],
      },
    },
    {
      name: "a rename into the allowed path from one outside it (the old path is gone too)",
      files: [
        {
          path: "compose.yml",
          oldPath: "docker-compose.yml",
          status: "renamed",
          similarity: 98,
        },
      ],
      expected: {
        id: "paths",
        status: "fail",
        message:
          "1 path outside the targeted change (allowed: compose.yml): compose.yml was renamed from docker-compose.yml, which is outside the targeted change",
        causes: [
          outside("compose.yml", "renamed", "compose.yml", { before: "docker-compose.yml" }),
        ],
      },
    },
    {
      name: "a rename between two allowed paths",
      rules: [rule("compose*.yml")],
      files: [{ path: "compose.yml", oldPath: "compose.old.yml", status: "renamed" }],
      expected: { id: "paths", status: "pass", message: "every changed path matches compose*.yml" },
    },
    {
      name: "a rename with both paths outside: two problems",
      files: [{ path: "notes.md", oldPath: "NOTES.md", status: "renamed", added: 0 }],
      expected: {
        id: "paths",
        status: "fail",
        message:
          "2 paths outside the targeted change (allowed: compose.yml): notes.md (renamed, +0 -0) is outside the targeted change (and 1 more)",
        details: ["notes.md was renamed from NOTES.md, which is outside the targeted change"],
        causes: [
          outside("notes.md", "renamed", "compose.yml"),
          outside("notes.md", "renamed", "compose.yml", { before: "NOTES.md" }),
        ],
      },
    },
  ])("$name", ({ rules, files, ctx, expected }) => {
    const s = setup(rules ?? COMPOSE_ONLY, files, ctx);
    expect(checkPaths(s.files, s.context)).toEqual(expected);
  });
});

/** custom-html's compose.yml is 48 lines (`0 48 compose.yml` when emptied, B1). */
const COMPOSE_48 = Array.from({ length: 48 }, (_, i) => `line ${i}\n`).join("");
const at = (path: string) => ({ path, files: [path] });
const NOT_EMPTIED: CheckResult = {
  id: "not-emptied",
  status: "pass",
  message: "no file was deleted or emptied",
};

describe("not-emptied", () => {
  it.each<Row>([
    { name: "a file edited", files: [{ path: "compose.yml" }], expected: NOT_EMPTIED },
    {
      name: "compose.yml emptied to the empty blob (B1, the real incident)",
      files: [{ path: "compose.yml", before: text(COMPOSE_48), after: text(""), removed: 48 }],
      expected: {
        id: "not-emptied",
        status: "fail",
        message: "compose.yml was emptied (48 lines at the merge-base, none now)",
        causes: [{ kind: "emptied", ...at("compose.yml") }],
      },
    },
    {
      name: "emptied down to blank lines and spaces",
      files: [{ path: "compose.yml", before: text("a: 1\nb: 2"), after: text("\n  \n\t\n") }],
      expected: {
        id: "not-emptied",
        status: "fail",
        message: "compose.yml was emptied (2 lines at the merge-base, none now)",
        causes: [{ kind: "emptied", ...at("compose.yml") }],
      },
    },
    {
      name: "cut down to `---` (B2): not empty; yaml-valid judges a null document",
      files: [{ path: "compose.yml", before: text(COMPOSE_48), after: text("---\n") }],
      expected: NOT_EMPTIED,
    },
    {
      name: "emptied where the rule allows it",
      rules: [rule("compose.yml", { allow: ["empty"] })],
      files: [{ path: "compose.yml", before: text(COMPOSE_48), after: text("") }],
      expected: NOT_EMPTIED,
    },
    {
      name: "a text file deleted: its lines counted, a last line without newline included",
      files: [
        { path: "nginx.conf.tmpl", before: text("server {\n  listen 80;\n}"), after: ABSENT },
      ],
      expected: {
        id: "not-emptied",
        status: "fail",
        message: "nginx.conf.tmpl was deleted (it had 3 lines at the merge-base)",
        causes: [{ kind: "deleted", ...at("nginx.conf.tmpl") }],
      },
    },
    {
      name: "a one-line file deleted",
      files: [{ path: "abra.sh", before: text("export NGINX_CONF_VERSION=v1\n"), after: ABSENT }],
      expected: {
        id: "not-emptied",
        status: "fail",
        message: "abra.sh was deleted (it had 1 line at the merge-base)",
        causes: [{ kind: "deleted", ...at("abra.sh") }],
      },
    },
    {
      name: "a binary file deleted: its size in bytes",
      files: [{ path: "logo.png", before: BINARY, after: ABSENT, oldSize: 4096 }],
      expected: {
        id: "not-emptied",
        status: "fail",
        message: "logo.png was deleted (it had 4096 bytes at the merge-base)",
        causes: [{ kind: "deleted", ...at("logo.png") }],
      },
    },
    {
      name: "a file deleted where the rule allows it",
      rules: [rule("release/**", { allow: ["delete"] })],
      files: [{ path: "release/1.0.0+1.27", before: text("notes\n"), after: ABSENT }],
      expected: NOT_EMPTIED,
    },
    {
      name: "a file that was already empty, deleted",
      files: [{ path: "content/.gitkeep", before: text(""), after: ABSENT }],
      expected: NOT_EMPTIED,
    },
    {
      name: "a new empty file",
      files: [{ path: "content/.gitkeep", before: ABSENT, after: text("") }],
      expected: NOT_EMPTIED,
    },
    {
      name: "the size at the merge-base unknown: cannot tell",
      files: [{ path: "compose.yml", oldSize: null }],
      expected: {
        id: "not-emptied",
        status: "fail",
        message:
          "cannot tell whether compose.yml was emptied: its size at the merge-base could not be read",
        causes: [{ kind: "cannot-tell", ...at("compose.yml") }],
      },
    },
    {
      name: "a submodule removed (a gitlink has no size; not this check's to judge)",
      files: [{ path: "vendor/theme", before: SUBMODULE, after: ABSENT }],
      expected: NOT_EMPTIED,
    },
    {
      name: "the pin's side over the inspection limit: whitespace only cannot be ruled out",
      files: [{ path: "data.json", after: tooLarge(2 * MIB) }],
      expected: {
        id: "not-emptied",
        status: "fail",
        message:
          "cannot tell whether data.json was emptied: it is 2.0 MiB, over the 1.0 MiB inspection limit",
        causes: [{ kind: "cannot-tell", ...at("data.json") }],
      },
    },
    {
      name: "the pin's side not read: cannot tell",
      files: [{ path: "compose.yml", after: UNREAD }],
      expected: {
        id: "not-emptied",
        status: "fail",
        message:
          "cannot tell whether compose.yml was emptied: it was not read: the fixture's files together exceed the inspection budget",
        causes: [{ kind: "cannot-tell", ...at("compose.yml") }],
      },
    },
    {
      name: "the pin's side not read, but git sizes it at 0 bytes: emptied",
      files: [
        {
          path: "compose.yml",
          before: text(COMPOSE_48),
          after: { state: "unread", reason: "not read: git did not return its content" },
          newSize: 0,
        },
      ],
      expected: {
        id: "not-emptied",
        status: "fail",
        message: "compose.yml was emptied (48 lines at the merge-base, none now)",
        causes: [{ kind: "emptied", ...at("compose.yml") }],
      },
    },
    {
      name: "re-encoded as UTF-16 (B15): not empty; binary judges it",
      files: [{ path: "compose.yml", after: BINARY, newSize: 9000 }],
      expected: NOT_EMPTIED,
    },
    {
      name: "one emptied and one deleted: both counted",
      files: [
        { path: "abra.sh", before: text("export NGINX_CONF_VERSION=v1\n"), after: ABSENT },
        { path: "compose.yml", before: text(COMPOSE_48), after: text("") },
      ],
      expected: {
        id: "not-emptied",
        status: "fail",
        message:
          "2 files deleted or emptied: abra.sh was deleted (it had 1 line at the merge-base) (and 1 more)",
        details: ["compose.yml was emptied (48 lines at the merge-base, none now)"],
        causes: [
          { kind: "deleted", ...at("abra.sh") },
          { kind: "emptied", ...at("compose.yml") },
        ],
      },
    },
  ])("$name", ({ rules, files, ctx, expected }) => {
    const s = setup(rules ?? [rule("**")], files, ctx);
    expect(checkNotEmptied(s.files, s.context.maxBlobBytes)).toEqual(expected);
  });
});

const modeCause = (path: string, before: string, after: string): CheckCause => ({
  kind: "mode",
  ...at(path),
  before,
  after,
});
const NO_MODE: CheckResult = {
  id: "mode",
  status: "pass",
  message: "no file mode or type changed",
};

describe("mode", () => {
  it.each<Row>([
    { name: "content only", files: [{ path: "compose.yml" }], expected: NO_MODE },
    {
      name: "the executable bit set on compose.yml (B5)",
      files: [{ path: "compose.yml", newMode: MODE.executable }],
      expected: {
        id: "mode",
        status: "fail",
        message: "compose.yml changed from regular file to executable file (100644 -> 100755)",
        causes: [modeCause("compose.yml", "100644", "100755")],
      },
    },
    {
      name: "compose.yml replaced by a symlink (B12)",
      files: [{ path: "compose.yml", status: "type-changed", after: SYMLINK }],
      expected: {
        id: "mode",
        status: "fail",
        message: "compose.yml changed from regular file to symlink (100644 -> 120000)",
        causes: [modeCause("compose.yml", "100644", "120000")],
      },
    },
    {
      name: "a mode git no longer writes (100664, from old repositories), named by its number",
      files: [{ path: "abra.sh", oldMode: "100664" }],
      expected: {
        id: "mode",
        status: "fail",
        message: "abra.sh changed from mode 100664 to regular file (100664 -> 100644)",
        causes: [modeCause("abra.sh", "100664", "100644")],
      },
    },
    {
      name: "a new symlink",
      files: [{ path: "compose.smtp.yml", before: ABSENT, after: SYMLINK }],
      expected: {
        id: "mode",
        status: "fail",
        message: "compose.smtp.yml is a new symlink",
        causes: [modeCause("compose.smtp.yml", "000000", "120000")],
      },
    },
    {
      name: "a new submodule (B20)",
      files: [{ path: "theme", before: ABSENT, after: SUBMODULE }],
      expected: {
        id: "mode",
        status: "fail",
        message: "theme is a new submodule",
        causes: [modeCause("theme", "000000", "160000")],
      },
    },
    {
      name: "new regular and executable files (their mode is part of adding them)",
      files: [
        { path: "README.md", before: ABSENT },
        { path: "pg_backup.sh", before: ABSENT, newMode: MODE.executable },
      ],
      expected: NO_MODE,
    },
    {
      name: "an executable deleted",
      files: [{ path: "pg_backup.sh", oldMode: MODE.executable, after: ABSENT }],
      expected: NO_MODE,
    },
    {
      name: "the executable bit set where the rule allows mode",
      rules: [rule("*.sh", { allow: ["mode"] })],
      files: [{ path: "entrypoint.sh", newMode: MODE.executable }],
      expected: NO_MODE,
    },
    {
      name: "two mode changes",
      files: [
        { path: "abra.sh", oldMode: MODE.executable },
        { path: "compose.yml", newMode: MODE.executable },
      ],
      expected: {
        id: "mode",
        status: "fail",
        message:
          "2 mode changes: abra.sh changed from executable file to regular file (100755 -> 100644) (and 1 more)",
        details: ["compose.yml changed from regular file to executable file (100644 -> 100755)"],
        causes: [
          modeCause("abra.sh", "100755", "100644"),
          modeCause("compose.yml", "100644", "100755"),
        ],
      },
    },
  ])("$name", ({ rules, files, ctx, expected }) => {
    const s = setup(rules ?? [rule("**")], files, ctx);
    expect(checkMode(s.files)).toEqual(expected);
  });
});

const NO_BINARY: CheckResult = { id: "binary", status: "pass", message: "no binary file changed" };
const GIT_CANNOT = "is binary: git cannot show the change line by line";

describe("binary", () => {
  it.each<Row>([
    { name: "text files", files: [{ path: "compose.yml" }], expected: NO_BINARY },
    {
      name: "compose.yml re-encoded as UTF-16 (B15)",
      files: [{ path: "compose.yml", after: BINARY }],
      expected: {
        id: "binary",
        status: "fail",
        message: `compose.yml ${GIT_CANNOT}`,
        causes: [{ kind: "binary", ...at("compose.yml") }],
      },
    },
    {
      name: "git calls it binary though both sides read as text (.gitattributes `binary`)",
      files: [{ path: "nginx.conf.tmpl", binary: true }],
      expected: {
        id: "binary",
        status: "fail",
        message: `nginx.conf.tmpl ${GIT_CANNOT}`,
        causes: [{ kind: "binary", ...at("nginx.conf.tmpl") }],
      },
    },
    {
      name: "a new file whose bytes are binary, though git counted lines (.gitattributes `diff`)",
      files: [{ path: "logo.png", before: ABSENT, after: BINARY, binary: false, added: 3 }],
      expected: {
        id: "binary",
        status: "fail",
        message: `logo.png ${GIT_CANNOT}`,
        causes: [{ kind: "binary", ...at("logo.png") }],
      },
    },
    {
      name: "the pin's side over the inspection limit",
      files: [{ path: "data.json", after: tooLarge(2 * MIB) }],
      expected: {
        id: "binary",
        status: "fail",
        message:
          "data.json is 2.0 MiB, over the 1.0 MiB inspection limit: it cannot be reviewed as a targeted change",
        causes: [{ kind: "binary", ...at("data.json"), detail: "too-large" }],
      },
    },
    {
      name: "the merge-base's side over the inspection limit (a file cut down)",
      files: [{ path: "data.json", before: tooLarge(3 * MIB), after: BINARY }],
      expected: {
        id: "binary",
        status: "fail",
        message:
          "data.json is 3.0 MiB, over the 1.0 MiB inspection limit: it cannot be reviewed as a targeted change",
        causes: [{ kind: "binary", ...at("data.json"), detail: "too-large" }],
      },
    },
    {
      name: "a binary file where the rule allows binary",
      rules: [rule("*.png", { allow: ["binary"] })],
      files: [{ path: "logo.png", before: BINARY, after: BINARY }],
      expected: NO_BINARY,
    },
    {
      name: "two binary files",
      files: [
        { path: "favicon.ico", before: ABSENT, after: BINARY },
        { path: "logo.png", before: BINARY, after: BINARY },
      ],
      expected: {
        id: "binary",
        status: "fail",
        message: `2 binary files changed: favicon.ico ${GIT_CANNOT} (and 1 more)`,
        details: [`logo.png ${GIT_CANNOT}`],
        causes: [
          { kind: "binary", ...at("favicon.ico") },
          { kind: "binary", ...at("logo.png") },
        ],
      },
    },
  ])("$name", ({ rules, files, ctx, expected }) => {
    const s = setup(rules ?? [rule("**")], files, ctx);
    expect(checkBinary(s.files, s.context)).toEqual(expected);
  });
});

const tooMany = (allowed: string, count: number, limit: number): CheckCause => ({
  kind: "too-many-lines",
  allowed,
  count,
  limit,
});

describe("max-lines", () => {
  const TEMPLATE_AND_VERSION = [
    rule("compose.yml", { maxLines: 2 }),
    rule("*.tmpl", { maxLines: 4 }),
    rule("abra.sh"),
  ];
  it.each<Row>([
    {
      name: "no rule sets max_lines",
      files: [{ path: "compose.yml" }],
      expected: { id: "max-lines", status: "skip", message: "no change[].max_lines set" },
    },
    {
      name: "each rule counts its own files; at the limit is within",
      rules: TEMPLATE_AND_VERSION,
      files: [
        { path: "abra.sh", added: 1, removed: 1 },
        { path: "compose.yml", added: 1, removed: 1 },
        { path: "nginx.conf.tmpl", added: 1, removed: 0 },
        { path: "traefik.yml.tmpl", added: 2, removed: 0 },
      ],
      expected: {
        id: "max-lines",
        status: "pass",
        message: "within max_lines (compose.yml 2/2, *.tmpl 3/4)",
      },
    },
    {
      name: "a rule none of whose files changed",
      rules: TEMPLATE_AND_VERSION,
      files: [{ path: "abra.sh", added: 1, removed: 1 }],
      expected: {
        id: "max-lines",
        status: "pass",
        message: "within max_lines (compose.yml 0/2, *.tmpl 0/4)",
      },
    },
    {
      name: "the targeted line kept, the file's tail cut off (B3: +1 -12)",
      rules: [rule("compose.yml", { maxLines: 2 })],
      files: [{ path: "compose.yml", added: 1, removed: 12 }],
      expected: {
        id: "max-lines",
        status: "fail",
        message: "compose.yml: 13 lines changed (+1 -12); at most 2 allowed",
        causes: [tooMany("compose.yml", 13, 2)],
      },
    },
    {
      name: "two rules over, one within",
      rules: TEMPLATE_AND_VERSION.map((r) => ({ ...r, maxLines: r.path === "abra.sh" ? 2 : 1 })),
      files: [
        { path: "abra.sh", added: 1, removed: 1 },
        { path: "compose.yml", added: 1, removed: 1 },
        { path: "nginx.conf.tmpl", added: 1, removed: 1 },
      ],
      expected: {
        id: "max-lines",
        status: "fail",
        message:
          "2 change[] entries over max_lines: compose.yml: 2 lines changed (+1 -1); at most 1 allowed (and 1 more)",
        details: ["*.tmpl: 2 lines changed (+1 -1); at most 1 allowed"],
        causes: [tooMany("compose.yml", 2, 1), tooMany("*.tmpl", 2, 1)],
      },
    },
  ])("$name", ({ rules, files, ctx, expected }) => {
    const s = setup(rules ?? COMPOSE_ONLY, files, ctx);
    expect(checkMaxLines(s.files, s.context)).toEqual(expected);
  });
});
