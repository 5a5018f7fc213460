/** The pure pieces on their own: git output parsing, pin rewriting, names, redaction. */
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/config/load-manifest.ts";
import { branchNameProblem, repoSlugProblem } from "../../src/config/names.ts";
import { rewritePin } from "../../src/config/rewrite-pin.ts";
import { createRedactor, createSanitizer } from "../../src/shared/redact.ts";
import { parseRawNumstat, parseTree } from "../../src/workspace/parse-diff.ts";

describe("parseRawNumstat", () => {
  it("pairs raw and numstat records, including renames, binaries and odd paths", () => {
    const output = [
      ":100644 100644 aaaa bbbb R086",
      "old name.md",
      "new\nname.md",
      ":100644 100755 cccc cccc M",
      "abra.sh",
      ":000000 100644 0000000000000000000000000000000000000000 dddd A",
      "logo.png",
      ":100644 000000 eeee 0000000000000000000000000000000000000000 D",
      "-rf",
      "3\t1\t",
      "old name.md",
      "new\nname.md",
      "0\t0\tabra.sh",
      "-\t-\tlogo.png",
      "0\t12\t-rf",
      "",
    ].join("\0");
    expect(parseRawNumstat(output)).toEqual([
      expect.objectContaining({
        status: "renamed",
        oldPath: "old name.md",
        path: "new\nname.md",
        similarity: 86,
        added: 3,
        removed: 1,
      }),
      expect.objectContaining({
        status: "modified",
        path: "abra.sh",
        oldMode: "100644",
        newMode: "100755",
        added: 0,
        removed: 0,
      }),
      expect.objectContaining({
        status: "added",
        path: "logo.png",
        oldBlob: null,
        newBlob: "dddd",
        binary: true,
      }),
      expect.objectContaining({ status: "deleted", path: "-rf", newBlob: null, removed: 12 }),
    ]);
  });
});

describe("parseTree", () => {
  it("reads a raw tree object: modes, types, ids, paths under the directory, sizes unknown", () => {
    const id = (byte: string) => Buffer.alloc(20, Number.parseInt(byte, 16));
    const entry = (mode: string, name: string, oid: Buffer) =>
      Buffer.concat([Buffer.from(`${mode} ${name}\0`), oid]);
    const tree = Buffer.concat([
      entry("100644", "compose.yml", id("aa")),
      entry("100755", "abra.sh", id("bb")),
      entry("120000", "link", id("cc")),
      entry("40000", "nested", id("dd")),
      entry("160000", "sub", id("ee")),
      entry("100644", "na\tme with space", id("ff")),
    ]);
    const hex = (byte: string) => byte.repeat(20);
    expect(parseTree(tree, "deploy")).toEqual([
      { path: "deploy/compose.yml", mode: "100644", type: "blob", oid: hex("aa"), size: null },
      { path: "deploy/abra.sh", mode: "100755", type: "blob", oid: hex("bb"), size: null },
      { path: "deploy/link", mode: "120000", type: "blob", oid: hex("cc"), size: null },
      { path: "deploy/nested", mode: "040000", type: "tree", oid: hex("dd"), size: null },
      { path: "deploy/sub", mode: "160000", type: "commit", oid: hex("ee"), size: null },
      {
        path: "deploy/na\tme with space",
        mode: "100644",
        type: "blob",
        oid: hex("ff"),
        size: null,
      },
    ]);
    expect(parseTree(Buffer.alloc(0), "")).toEqual([]);
    expect(parseTree(entry("100644", "x", id("aa")), "")).toEqual([
      { path: "x", mode: "100644", type: "blob", oid: hex("aa"), size: null },
    ]);
    expect(() => parseTree(tree.subarray(0, tree.length - 3), "")).toThrow(
      "a tree entry at byte 170 is cut short",
    );
  });
});

describe("rewritePin", () => {
  const text = `# top comment
version: 1
fixtures:
  - name: a   # first
    repo: o/r
    branch: main
    sha: "abcdef1"  # pinned by hand
  - name: b
    repo: o/r
    branch: main
    sha: 1234abcd
`;
  const full = "0123456789abcdef0123456789abcdef01234567";

  it("replaces only that fixture's sha, keeping quotes and comments", () => {
    expect(rewritePin(text, "a", full)).toBe(text.replace('"abcdef1"', `"${full}"`));
    expect(rewritePin(text, "b", full)).toBe(text.replace("sha: 1234abcd", `sha: ${full}`));
    expect(parseManifest(rewritePin(text, "b", full)).fixtures[1]?.sha).toBe(full);
  });

  it("refuses an unknown fixture or a non-id", () => {
    expect(() => rewritePin(text, "zzz", full)).toThrow('no fixture named "zzz"');
    expect(() => rewritePin(text, "a", "--evil")).toThrow("not a full commit id");
  });
});

describe("names", () => {
  it.each(["main", "regression-bad-backup", "v5-stale-docroot", "feature/x.y", "1.0.0+1.27"])(
    "branch %s is fine",
    (b) => {
      expect(branchNameProblem(b)).toBeNull();
    },
  );
  it.each([
    "-x",
    "a..b",
    "a b",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[",
    "a\\b",
    "/a",
    "a/",
    "a//b",
    ".a",
    "a/.b",
    "a.lock",
    "a@{1}",
    "@",
    "HEAD",
    "a.",
    "a\u0001b",
    "",
  ])("branch %j is refused", (b) => expect(branchNameProblem(b)).not.toBeNull());
  it.each(["o/r", "recipe-maintainers/custom-html", "a_b/c.d"])("repo %s is fine", (r) =>
    expect(repoSlugProblem(r)).toBeNull(),
  );
  it.each([
    "o",
    "o/r/x",
    "../r",
    "o/..",
    "https://x/o/r",
    "git@x:o/r",
    "//x/o",
    "-o/r",
    "o/r.git",
    "o/.r",
    "file:///etc",
  ])("repo %s is refused", (r) => expect(repoSlugProblem(r)).not.toBeNull());
});

describe("createSanitizer", () => {
  it("removes secrets and anything that names this machine from text bound for Gitea", () => {
    const clean = createSanitizer(createRedactor(["tok-1234567890"]), "/srv/fixture-bot/data");
    expect(
      clean(
        "git fetch failed: mirror is locked by another process (/srv/fixture-bot/data/mirrors/o/r.git.lock) token tok-1234567890",
      ),
    ).toBe(
      "git fetch failed: mirror is locked by another process (<data>/mirrors/o/r.git.lock) token ***",
    );
    expect(
      clean("fatal: 'file:///home/me/repos/o/r.git' does not appear to be a git repository"),
    ).toBe("fatal: '<local> does not appear to be a git repository");
  });
});

describe("createRedactor", () => {
  it("masks secrets, URL credentials and Authorization headers", () => {
    const redact = createRedactor(["s3cret-token", undefined, "ab"]);
    expect(redact("fatal: s3cret-token rejected")).toBe("fatal: *** rejected");
    expect(redact("https://bot:pw@git.example.org/o/r.git")).toBe(
      "https://***@git.example.org/o/r.git",
    );
    expect(redact("Authorization: token abc123")).toBe("Authorization: token ***");
    expect(redact("ab stays: too short to be a secret")).toBe("ab stays: too short to be a secret");
  });
});
