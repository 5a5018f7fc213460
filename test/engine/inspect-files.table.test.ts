/**
 * From a change set to the facts the checks judge, with an in-memory reader that records what it
 * is asked: each side of a changed file as read (absent, a submodule, a symlink, over the per-file
 * limit, over the fixture's read budget, not returned by git, binary by git's own NUL-in-the-first-
 * 8000-bytes rule, text decoded strictly as UTF-8 with the first invalid byte's offset); only what
 * will be read is sized or read, each blob once; the line diff (context 3, as git shows it) within
 * its limits, or none; the snapshots of both ends (a renamed file under its old path at the
 * merge-base); which rule governs each path. The UTF-8 validity rule is RFC 3629's table.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type BlobRequest,
  DEFAULT_LIMITS,
  type FileAnalysis,
  firstInvalidUtf8,
  inspectFiles,
  type Limits,
  readSides,
  type Side,
  type TreeReader,
  withRules,
} from "../../src/engine/inspect-files.ts";
import { compileRules } from "../../src/engine/rules.ts";
import { type FileChange, MODE } from "../../src/shared/git-facts.ts";
import type { Hunk } from "../../src/shared/result.ts";

const oid = (content: string | Buffer) => createHash("sha1").update(content).digest("hex");

/** A reader over a set of blobs that records every question it is asked. */
function recordingReader(contents: readonly (string | Buffer)[], missing: string[] = []) {
  const blobs = new Map(contents.map((c) => [oid(c), Buffer.from(c)]));
  const asked = { sizes: [] as string[][], reads: [] as string[][] };
  const reader: TreeReader = {
    async listDir() {
      throw new Error("the inspection lists no directory");
    },
    async sizes(oids) {
      asked.sizes.push([...oids]);
      return new Map(
        oids.flatMap((o) => {
          const blob = blobs.get(o);
          return blob && !missing.includes(o) ? [[o, blob.length] as const] : [];
        }),
      );
    },
    async readBlobs(oids) {
      asked.reads.push([...oids]);
      return new Map(
        oids.flatMap((o) => {
          const blob = blobs.get(o);
          return blob && !missing.includes(o) ? [[o, blob] as const] : [];
        }),
      );
    },
  };
  return { reader, asked };
}

const text = (t: string): Side => ({ state: "text", text: t, invalidUtf8At: null });
const NOT_IN_BUDGET = "not read: the fixture's files together exceed the inspection budget";
const NOT_RETURNED = "not read: git did not return its content";

describe("readSides", () => {
  const small = "image: nginx:1.27\n";
  const other = "image: nginx:1.28\n";
  const req = (content: string | Buffer, over: Partial<BlobRequest> = {}): BlobRequest => ({
    mode: MODE.file,
    oid: oid(content),
    size: Buffer.from(content).length,
    ...over,
  });
  const nul = (at: number) => {
    const b = Buffer.alloc(at + 2, 0x61);
    b[at] = 0;
    return b;
  };
  type Row = {
    name: string;
    requests: BlobRequest[];
    missing?: string[];
    limits?: { maxBlobBytes: number };
    budget?: number;
    sides: Side[];
    sized: string[][];
    read: string[][];
    left: number;
  };
  const rows: Row[] = [
    {
      name: "nothing asked: nothing sized or read",
      requests: [],
      sides: [],
      sized: [],
      read: [],
      left: 100,
    },
    {
      name: "a text blob of known size: read, and taken from the budget",
      requests: [req(small)],
      sides: [text(small)],
      sized: [],
      read: [[oid(small)]],
      left: 100 - 18,
    },
    {
      name: "an absent side: nothing asked",
      requests: [{ mode: MODE.absent, oid: null, size: null }],
      sides: [{ state: "absent" }],
      sized: [],
      read: [],
      left: 100,
    },
    {
      name: "an absent mode is absent, whatever id comes with it",
      requests: [req(small, { mode: MODE.absent })],
      sides: [{ state: "absent" }],
      sized: [],
      read: [],
      left: 100,
    },
    {
      name: "an absent mode of unknown size: not sized either",
      requests: [req(small, { mode: MODE.absent, size: null })],
      sides: [{ state: "absent" }],
      sized: [],
      read: [],
      left: 100,
    },
    {
      name: "no blob id is absent, whatever the mode",
      requests: [{ mode: MODE.file, oid: null, size: null }],
      sides: [{ state: "absent" }],
      sized: [],
      read: [],
      left: 100,
    },
    {
      name: "a submodule (its id is a commit): never sized or read",
      requests: [req(small, { mode: MODE.submodule, size: null })],
      sides: [{ state: "submodule" }],
      sized: [],
      read: [],
      left: 100,
    },
    {
      name: "a symlink: never sized or read",
      requests: [req(small, { mode: MODE.symlink, size: null })],
      sides: [{ state: "symlink" }],
      sized: [],
      read: [],
      left: 100,
    },
    {
      name: "an executable is read like any file",
      requests: [req(small, { mode: MODE.executable })],
      sides: [text(small)],
      sized: [],
      read: [[oid(small)]],
      left: 82,
    },
    {
      name: "a blob of unknown size: sized first, then read",
      requests: [req(small, { size: null })],
      sides: [text(small)],
      sized: [[oid(small)]],
      read: [[oid(small)]],
      left: 82,
    },
    {
      name: "a blob git cannot size: too large, its size unknown, not read",
      requests: [req(small, { size: null })],
      missing: [oid(small)],
      sides: [{ state: "too-large", size: Number.NaN }],
      sized: [[oid(small)]],
      read: [],
      left: 100,
    },
    {
      name: "only the blobs of unknown size are sized, in one question",
      requests: [
        req(small),
        req(other, { size: null }),
        { mode: MODE.absent, oid: null, size: null },
        req("x", { mode: MODE.symlink, size: null }),
        req("y", { mode: MODE.submodule, size: null }),
        req("z", { size: null }),
      ],
      sides: [
        text(small),
        text(other),
        { state: "absent" },
        { state: "symlink" },
        { state: "submodule" },
        text("z"),
      ],
      sized: [[oid(other), oid("z")]],
      read: [[oid(small), oid(other), oid("z")]],
      left: 100 - 18 - 18 - 1,
    },
    {
      name: "exactly the per-file limit: read",
      requests: [req(small)],
      limits: { maxBlobBytes: 18 },
      sides: [text(small)],
      sized: [],
      read: [[oid(small)]],
      left: 82,
    },
    {
      name: "one byte over the per-file limit: too large, not read, the budget untouched",
      requests: [req(small)],
      limits: { maxBlobBytes: 17 },
      sides: [{ state: "too-large", size: 18 }],
      sized: [],
      read: [],
      left: 100,
    },
    {
      name: "exactly what is left of the budget: read",
      requests: [req(small)],
      budget: 18,
      sides: [text(small)],
      sized: [],
      read: [[oid(small)]],
      left: 0,
    },
    {
      name: "one byte over what is left of the budget: not read, and says why",
      requests: [req(small)],
      budget: 17,
      sides: [{ state: "unread", reason: NOT_IN_BUDGET }],
      sized: [],
      read: [],
      left: 17,
    },
    {
      name: "the budget is taken in order: the first fits, the second does not, a smaller third does",
      requests: [req(small), req(other), req("z")],
      budget: 20,
      sides: [text(small), { state: "unread", reason: NOT_IN_BUDGET }, text("z")],
      sized: [],
      read: [[oid(small), oid("z")]],
      left: 1,
    },
    {
      name: "the same blob on both sides: read once, counted twice",
      requests: [req(small), req(small)],
      sides: [text(small), text(small)],
      sized: [],
      read: [[oid(small)]],
      left: 100 - 36,
    },
    {
      name: "a blob git does not return: not read, and says why",
      requests: [req(small), req(other)],
      missing: [oid(other)],
      sides: [text(small), { state: "unread", reason: NOT_RETURNED }],
      sized: [],
      read: [[oid(small), oid(other)]],
      left: 100 - 36,
    },
    {
      name: "a NUL byte: binary",
      requests: [req("a\0b")],
      sides: [{ state: "binary" }],
      sized: [],
      read: [[oid("a\0b")]],
      left: 97,
    },
    {
      name: "a NUL as the 8000th byte: binary",
      requests: [req(nul(7999))],
      budget: 10_000,
      limits: { maxBlobBytes: 10_000 },
      sides: [{ state: "binary" }],
      sized: [],
      read: [[oid(nul(7999))]],
      left: 10_000 - 8001,
    },
    {
      name: "a NUL after the first 8000 bytes: text, as git judges it",
      requests: [req(nul(8000))],
      budget: 10_000,
      limits: { maxBlobBytes: 10_000 },
      sides: [text(nul(8000).toString("utf8"))],
      sized: [],
      read: [[oid(nul(8000))]],
      left: 10_000 - 8002,
    },
    {
      name: "UTF-16 with its byte-order mark (NUL bytes): binary",
      requests: [req(Buffer.from("\ufeffa: 1\n", "utf16le"))],
      sides: [{ state: "binary" }],
      sized: [],
      read: [[oid(Buffer.from("\ufeffa: 1\n", "utf16le"))]],
      left: 100 - 12,
    },
    {
      name: "a UTF-8 byte-order mark is kept as a character",
      requests: [req("\ufeffa: 1\n")],
      sides: [text("\ufeffa: 1\n")],
      sized: [],
      read: [[oid("\ufeffa: 1\n")]],
      left: 100 - 8,
    },
    {
      name: "Latin-1: text, with the offset of the first invalid byte",
      requests: [req(Buffer.from("caf\xe9\n", "latin1"))],
      sides: [{ state: "text", text: "caf\ufffd\n", invalidUtf8At: 3 }],
      sized: [],
      read: [[oid(Buffer.from("caf\xe9\n", "latin1"))]],
      left: 95,
    },
  ];
  it.each(rows)("$name", async (row) => {
    const { reader, asked } = recordingReader(
      [
        small,
        other,
        "x",
        "y",
        "z",
        "a\0b",
        nul(7999),
        nul(8000),
        Buffer.from("\ufeffa: 1\n", "utf16le"),
        "\ufeffa: 1\n",
        Buffer.from("caf\xe9\n", "latin1"),
      ],
      row.missing,
    );
    const budget = { left: row.budget ?? 100 };
    const sides = await readSides(
      reader,
      row.requests,
      row.limits ?? { maxBlobBytes: 1024 },
      budget,
    );
    expect({ sides, sized: asked.sizes, read: asked.reads, left: budget.left }).toEqual({
      sides: row.sides,
      sized: row.sized,
      read: row.read,
      left: row.left,
    });
  });
});

describe("firstInvalidUtf8 (RFC 3629, section 4)", () => {
  it.each<[string, number[], number]>([
    ["empty", [], -1],
    ["ASCII up to DEL", [0x00, 0x41, 0x7f], -1],
    ["a lone continuation byte", [0x80], 0],
    ["three continuation bytes", [0x80, 0x80, 0x80], 0],
    ["four continuation bytes", [0x80, 0x80, 0x80, 0x80], 0],
    ["0xc1 before three continuation bytes", [0xc1, 0x80, 0x80, 0x80], 0],
    ["a lone 0xbf", [0xbf], 0],
    ["0xc0 (always overlong)", [0xc0, 0x80], 0],
    ["0xc1 (always overlong)", [0xc1, 0xbf], 0],
    ["the first two-byte form (U+0080)", [0xc2, 0x80], -1],
    ["the last two-byte form (U+07FF)", [0xdf, 0xbf], -1],
    ["a two-byte form cut short", [0xc3], 0],
    ["a two-byte form, continuation too low", [0xc3, 0x7f], 0],
    ["a two-byte form, continuation too high", [0xc3, 0xc0], 0],
    ["é", [0xc3, 0xa9], -1],
    ["overlong three-byte (0xe0 0x9f)", [0xe0, 0x9f, 0xbf], 0],
    ["the first three-byte form (U+0800)", [0xe0, 0xa0, 0x80], -1],
    ["€", [0xe2, 0x82, 0xac], -1],
    ["a three-byte form cut short", [0xe2, 0x82], 0],
    ["a three-byte form, its last byte not a continuation", [0xe2, 0x82, 0x41], 0],
    ["U+D7FF, the last before the surrogates", [0xed, 0x9f, 0xbf], -1],
    ["a surrogate (U+D800)", [0xed, 0xa0, 0x80], 0],
    ["U+E000, the first after the surrogates", [0xee, 0x80, 0x80], -1],
    ["U+FFFF, the last three-byte form", [0xef, 0xbf, 0xbf], -1],
    ["overlong four-byte (0xf0 0x8f)", [0xf0, 0x8f, 0xbf, 0xbf], 0],
    ["the first four-byte form (U+10000)", [0xf0, 0x90, 0x80, 0x80], -1],
    ["a four-byte form in the middle of the range", [0xf3, 0x80, 0x80, 0x80], -1],
    ["U+10FFFF, the last code point", [0xf4, 0x8f, 0xbf, 0xbf], -1],
    ["past U+10FFFF (0xf4 0x90)", [0xf4, 0x90, 0x80, 0x80], 0],
    ["0xf5 never starts a sequence", [0xf5, 0x80, 0x80, 0x80], 0],
    ["0xff never starts a sequence", [0xff], 0],
    ["a four-byte form cut short", [0xf0, 0x90, 0x80], 0],
    [
      "valid forms, then an invalid byte: its offset",
      [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xff],
      6,
    ],
    ["valid four-byte, then a lone continuation", [0xf0, 0x9f, 0x98, 0x80, 0x80], 4],
    ["Latin-1 é inside ASCII", [0x61, 0xe9, 0x62], 1],
  ])("%s", (_name, bytes, at) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(at);
  });
});

/** A changed file as git reports it, from its two contents (null: absent on that side). */
function changeOf(
  path: string,
  before: string | null,
  after: string | null,
  over: Partial<FileChange> = {},
): FileChange {
  return {
    status: before === null ? "added" : after === null ? "deleted" : "modified",
    path,
    oldPath: null,
    oldMode: before === null ? MODE.absent : MODE.file,
    newMode: after === null ? MODE.absent : MODE.file,
    oldBlob: before === null ? null : oid(before),
    newBlob: after === null ? null : oid(after),
    oldSize: before === null ? null : Buffer.byteLength(before),
    newSize: after === null ? null : Buffer.byteLength(after),
    binary: false,
    added: 0,
    removed: 0,
    similarity: null,
    ...over,
  };
}

const TEN = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
const TEN_SIX = TEN.replace("6\n", "six\n");
const ENDS = {
  base: "4e250b04f0c6d0c6a7e2a1b5d9f3c8e7a6b5c4d3",
  pin: "b6cd73d72612e8a39e5d4a0e67b9847beb389420",
};

describe("inspectFiles: the line diff of each file", () => {
  type Row = {
    name: string;
    before: string | null;
    after: string | null;
    over?: Partial<FileChange>;
    limits?: Partial<Limits>;
    diff: Pick<FileAnalysis, "hunks" | "added" | "removed">;
  };
  const NONE = { hunks: null, added: [], removed: [] };
  const rows: Row[] = [
    {
      name: "one line changed in the middle: three lines of context each side",
      before: TEN,
      after: TEN_SIX,
      diff: {
        hunks: [
          {
            oldStart: 3,
            oldLines: 7,
            newStart: 3,
            newLines: 7,
            lines: [" 3", " 4", " 5", "-6", "+six", " 7", " 8", " 9"],
          },
        ],
        added: ["six"],
        removed: ["6"],
      },
    },
    {
      name: "an added file: every line added, nothing removed",
      before: null,
      after: "a\nb\n",
      diff: {
        hunks: [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 2, lines: ["+a", "+b"] }],
        added: ["a", "b"],
        removed: [],
      },
    },
    {
      name: "a deleted file: every line removed, nothing added",
      before: "a\nb\n",
      after: null,
      diff: {
        hunks: [{ oldStart: 1, oldLines: 2, newStart: 1, newLines: 0, lines: ["-a", "-b"] }],
        added: [],
        removed: ["a", "b"],
      },
    },
    {
      name: "lines that start with - or + are content, only the first character is the sign",
      before: "- a\n",
      after: "+ b\n",
      diff: {
        hunks: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ["-- a", "++ b"] }],
        added: ["+ b"],
        removed: ["- a"],
      },
    },
    {
      name: "a final newline lost: git's marker line is neither added nor removed",
      before: "x\n",
      after: "x",
      diff: {
        hunks: [
          {
            oldStart: 1,
            oldLines: 1,
            newStart: 1,
            newLines: 1,
            lines: ["-x", "+x", "\\ No newline at end of file"],
          },
        ],
        added: ["x"],
        removed: ["x"],
      },
    },
    {
      name: "a diff needing more edits than allowed: given up, no lines",
      before: TEN,
      after: TEN_SIX,
      limits: { maxEditLength: 0 },
      diff: NONE,
    },
    {
      name: "no time for this file's diff: given up",
      before: TEN,
      after: TEN_SIX,
      limits: { diffTimeoutMs: 0 },
      diff: NONE,
    },
    {
      name: "no time left for the fixture's diffs: given up",
      before: TEN,
      after: TEN_SIX,
      limits: { totalDiffMs: 0 },
      diff: NONE,
    },
    {
      name: "a binary side: no diff",
      before: "a\0b",
      after: "text\n",
      diff: NONE,
    },
    {
      name: "a binary new side: no diff",
      before: "text\n",
      after: "a\0b",
      diff: NONE,
    },
    {
      name: "a side over the per-file limit: no diff",
      before: "x\n",
      after: "y".repeat(70),
      limits: { maxBlobBytes: 64 },
      diff: NONE,
    },
    {
      name: "a symlink's side: no diff",
      before: "target\n",
      after: "other\n",
      over: { newMode: MODE.symlink },
      diff: NONE,
    },
  ];
  it.each(rows)("$name", async (row) => {
    const contents = [row.before, row.after].filter((c): c is string => c !== null);
    const { reader } = recordingReader(contents);
    const change = changeOf("compose.yml", row.before, row.after, row.over);
    const inspection = await inspectFiles([change], ENDS, reader, {
      ...DEFAULT_LIMITS,
      ...row.limits,
    });
    const [file] = inspection.files;
    expect(file && { hunks: file.hunks, added: file.added, removed: file.removed }).toEqual(
      row.diff,
    );
  });
});

describe("inspectFiles: files, snapshots and budget", () => {
  it("keeps each change with both sides, no rule yet; a rename is under its old path at the merge-base", async () => {
    const compose = "image: nginx:1.27\n";
    const moved = "image: nginx:1.27\n# moved\n";
    const { reader, asked } = recordingReader([compose, moved, "new\n", "old\n"]);
    const renamed = changeOf("compose.yaml", compose, moved, {
      status: "renamed",
      oldPath: "compose.yml",
      similarity: 90,
    });
    const added = changeOf("NOTES.md", null, "new\n");
    const deleted = changeOf("OLD.md", "old\n", null);
    const inspection = await inspectFiles([renamed, added, deleted], ENDS, reader, {
      ...DEFAULT_LIMITS,
      maxTotalBytes: 100,
    });
    const hunk = (h: Hunk) => h;
    expect(inspection).toEqual({
      files: [
        {
          change: renamed,
          rule: null,
          oldRule: null,
          before: text(compose),
          after: text(moved),
          hunks: [
            hunk({
              oldStart: 1,
              oldLines: 1,
              newStart: 1,
              newLines: 2,
              lines: [" image: nginx:1.27", "+# moved"],
            }),
          ],
          added: ["# moved"],
          removed: [],
        },
        {
          change: added,
          rule: null,
          oldRule: null,
          before: { state: "absent" },
          after: text("new\n"),
          hunks: [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 1, lines: ["+new"] }],
          added: ["new"],
          removed: [],
        },
        {
          change: deleted,
          rule: null,
          oldRule: null,
          before: text("old\n"),
          after: { state: "absent" },
          hunks: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 0, lines: ["-old"] }],
          added: [],
          removed: ["old"],
        },
      ],
      base: {
        commit: ENDS.base,
        dirs: new Map(),
        files: new Map<string, Side>([
          ["compose.yml", text(compose)],
          ["NOTES.md", { state: "absent" }],
          ["OLD.md", text("old\n")],
        ]),
      },
      pin: {
        commit: ENDS.pin,
        dirs: new Map(),
        files: new Map<string, Side>([
          ["compose.yaml", text(moved)],
          ["NOTES.md", text("new\n")],
          ["OLD.md", { state: "absent" }],
        ]),
      },
      budget: 100 - 18 - 26 - 4 - 4,
    });
    expect(asked).toEqual({
      sizes: [],
      reads: [[oid(compose), oid(moved), oid("new\n"), oid("old\n")]],
    });
  });

  it("no changes: empty snapshots of both ends, the whole budget left", async () => {
    const { reader, asked } = recordingReader([]);
    expect([await inspectFiles([], ENDS, reader), asked]).toEqual([
      {
        files: [],
        base: { commit: ENDS.base, dirs: new Map(), files: new Map() },
        pin: { commit: ENDS.pin, dirs: new Map(), files: new Map() },
        budget: DEFAULT_LIMITS.maxTotalBytes,
      },
      { sizes: [], reads: [] },
    ]);
  });
});

describe("withRules", () => {
  const rules = compileRules([
    { path: "compose.yml", lines: [], keys: [], maxLines: null, allow: [] },
    { path: "*.md", lines: [], keys: [], maxLines: null, allow: ["delete"] },
  ]);
  const file = (change: FileChange): FileAnalysis => ({
    change,
    rule: null,
    oldRule: null,
    before: { state: "absent" },
    after: { state: "absent" },
    hunks: null,
    added: [],
    removed: [],
  });
  it.each<[string, FileChange, number | null, number | null]>([
    ["a modified file: its rule, no old rule", changeOf("compose.yml", "a\n", "b\n"), 0, null],
    ["a file no rule covers", changeOf("abra.sh", "a\n", "b\n"), null, null],
    [
      "a rename: the rule of each path",
      changeOf("README.md", "a\n", "a\n", { status: "renamed", oldPath: "compose.yml" }),
      1,
      0,
    ],
    [
      "a copy from a path no rule covers",
      changeOf("NOTES.md", "a\n", "a\n", { status: "copied", oldPath: "abra.sh" }),
      1,
      null,
    ],
    [
      "a rename into a path no rule covers",
      changeOf("abra.sh", "a\n", "a\n", { status: "renamed", oldPath: "README.md" }),
      null,
      1,
    ],
  ])("%s", (_name, change, ruleIndex, oldRuleIndex) => {
    const [out] = withRules([file(change)], rules);
    expect(out).toEqual({
      ...file(change),
      rule: ruleIndex === null ? null : rules[ruleIndex],
      oldRule: oldRuleIndex === null ? null : rules[oldRuleIndex],
    });
  });

  it("leaves the files it was given as they were", () => {
    const files = [file(changeOf("compose.yml", "a\n", "b\n"))];
    withRules(files, rules);
    expect(files[0]?.rule).toBeNull();
  });
});
