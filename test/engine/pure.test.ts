/** The pure pieces on their own: compose rules, key paths, git output parsing, pin rewriting, redaction. */
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/config/load-manifest.ts";
import { branchNameProblem, repoSlugProblem } from "../../src/config/names.ts";
import { rewritePin } from "../../src/config/rewrite-pin.ts";
import { composeProblems } from "../../src/engine/compose.ts";
import { isComposePath, parseYaml } from "../../src/engine/yaml-doc.ts";
import { createRedactor, createSanitizer } from "../../src/shared/redact.ts";
import { parseRawNumstat, parseTree } from "../../src/workspace/parse-diff.ts";

describe("composeProblems", () => {
  const ok = {
    services: {
      app: {
        image: "nginx",
        volumes: [
          "content:/srv",
          "/host:/x",
          "./rel:/y",
          { type: "volume", source: "data", target: "/d" },
          "/anon",
        ],
        networks: { proxy: {}, default: {} },
        configs: ["cfg", { source: "other", target: "/o" }],
        secrets: [{ source: "pw" }],
      },
    },
    volumes: { content: null, data: null },
    networks: { proxy: { external: true } },
    configs: { cfg: {}, other: {} },
    secrets: { pw: {} },
  };

  it("accepts a stack that declares everything it uses (bind mounts and anonymous volumes need nothing)", () => {
    expect(composeProblems(ok)).toEqual([]);
  });

  it.each([
    [null, "the document is empty (null): no services"],
    [[1, 2], "the top level must be a mapping with services"],
    [{ version: "3.8" }, "there is no services: key"],
    [{ services: [] }, "services must be a mapping"],
    [{ services: {} }, "services is empty"],
    [{ services: { app: "nginx" } }, 'service "app" must be a mapping'],
    [{ services: { app: { command: "x" } } }, 'service "app" has no image'],
  ])("refuses %j", (doc, problem) => {
    expect(composeProblems(doc)).toEqual([problem]);
  });

  it("names every undeclared volume, network, config and secret", () => {
    const { volumes, networks, configs, secrets, ...truncated } = ok;
    expect(composeProblems(truncated)).toEqual([
      'volume "content" used by service "app" is not declared in the top-level volumes section',
      'volume "data" used by service "app" is not declared in the top-level volumes section',
      'network "proxy" used by service "app" is not declared in the top-level networks section',
      'config "cfg" used by service "app" is not declared in the top-level configs section',
      'config "other" used by service "app" is not declared in the top-level configs section',
      'secret "pw" used by service "app" is not declared in the top-level secrets section',
    ]);
  });

  it("sees through merge keys (<<: *anchor) like docker does", () => {
    const parsed = parseYaml(
      "x-base: &base\n  image: app:1\n  networks: [internal]\nservices:\n  a:\n    <<: *base\nnetworks:\n  internal:\n",
    );
    expect(parsed.ok && composeProblems(parsed.value)).toEqual([]);
  });
});

describe("isComposePath", () => {
  it.each([
    ["compose.yml", true],
    ["compose.yaml", true],
    ["compose.smtp.yml", true],
    ["sub/docker-compose.yml", true],
    ["compose.yml.tmpl", false],
    ["my-compose.yml", false],
    ["values.yml", false],
  ])("%s -> %s", (path, expected) => expect(isComposePath(path)).toBe(expected));
});

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
