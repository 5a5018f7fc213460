/**
 * What abra deploys from a snapshot that may be only partly known: the root files it reads
 * (.env.sample, abra.sh), what it still needs, and the problems of root files abra cannot read.
 * And the tree lookup under it: a path under something that is not a directory is simply absent
 * (git has no such entry), without asking for a listing that cannot exist.
 */
import { describe, expect, it } from "vitest";
import { defaultDeployment, type Recipe, readRecipe } from "../../src/recipe/read-recipe.ts";
import { createTreeLookup } from "../../src/recipe/tree-lookup.ts";
import { createYamlCache } from "../../src/recipe/yaml-cache.ts";
import type { Side, Snapshot } from "../../src/shared/tree.ts";
import { snapshotOf, type Tree } from "../helpers/trees.ts";

const TREE: Tree = {
  ".env.sample": "DOMAIN=app.example.com\n",
  "abra.sh": "export CONF_VERSION=v1\n",
  "compose.yml": "services:\n  app:\n    image: nginx:1.27\n",
};

const summary = (r: Recipe) => ({
  domain: r.env.get("DOMAIN")?.value ?? null,
  version: r.env.get("CONF_VERSION")?.value ?? null,
  deployments: r.deployments.map((d) => ({ title: d.title, problems: d.problems })),
  composeFiles: [...r.composeFiles],
  needs: { dirs: [...r.needs.dirs], files: [...r.needs.files] },
});
const recipeOf = (tree: Tree, tweak: (s: Snapshot) => void = () => {}) => {
  const snapshot = snapshotOf(tree);
  tweak(snapshot);
  return readRecipe(snapshot, createYamlCache());
};
const set = (path: string, side: Side) => (s: Snapshot) => {
  s.files.set(path, side);
};
const unread = (path: string) => (s: Snapshot) => {
  s.files.delete(path);
};
const NOTHING = { domain: null, version: null, deployments: [], composeFiles: [] };

describe("readRecipe: the root files abra reads", () => {
  it.each<[string, Tree, (s: Snapshot) => void, ReturnType<typeof summary>]>([
    [
      "all known",
      TREE,
      () => {},
      {
        domain: "app.example.com",
        version: "v1",
        deployments: [{ title: "compose.yml", problems: [] }],
        composeFiles: ["compose.yml"],
        needs: { dirs: [], files: [] },
      },
    ],
    [
      "the root not listed yet",
      TREE,
      (s) => s.dirs.delete(""),
      { ...NOTHING, needs: { dirs: [""], files: [] } },
    ],
    [
      ".env.sample not read yet",
      TREE,
      unread(".env.sample"),
      { ...NOTHING, needs: { dirs: [], files: [".env.sample"] } },
    ],
    [
      "abra.sh not read yet",
      TREE,
      unread("abra.sh"),
      { ...NOTHING, needs: { dirs: [], files: ["abra.sh"] } },
    ],
    [
      "both not read yet",
      TREE,
      (s) => {
        s.files.delete(".env.sample");
        s.files.delete("abra.sh");
      },
      { ...NOTHING, needs: { dirs: [], files: [".env.sample", "abra.sh"] } },
    ],
    [
      "no abra.sh: nothing to read, nothing exported",
      {
        ".env.sample": TREE[".env.sample"] as string,
        "compose.yml": TREE["compose.yml"] as string,
      },
      () => {},
      {
        domain: "app.example.com",
        version: null,
        deployments: [{ title: "compose.yml", problems: [] }],
        composeFiles: ["compose.yml"],
        needs: { dirs: [], files: [] },
      },
    ],
    [
      ".env.sample is a directory: abra has no env to read, and it is not asked for",
      {
        ".env.sample/x": "A=1\n",
        "abra.sh": TREE["abra.sh"] as string,
        "compose.yml": TREE["compose.yml"] as string,
      },
      () => {},
      {
        domain: null,
        version: "v1",
        deployments: [{ title: "compose.yml", problems: [] }],
        composeFiles: ["compose.yml"],
        needs: { dirs: [], files: [] },
      },
    ],
    [
      ".env.sample is binary: every deployment says abra cannot read it",
      TREE,
      set(".env.sample", { state: "binary" }),
      {
        domain: null,
        version: "v1",
        deployments: [
          {
            title: "compose.yml",
            problems: [
              {
                kind: "env",
                file: ".env.sample",
                message: ".env.sample is a binary file, so abra cannot read it",
              },
            ],
          },
        ],
        composeFiles: ["compose.yml"],
        needs: { dirs: [], files: [] },
      },
    ],
    [
      "abra.sh not read (budget spent), .env.sample a symlink: both said",
      TREE,
      (s) => {
        s.files.set("abra.sh", { state: "unread", reason: "the read budget is spent" });
        s.files.set(".env.sample", { state: "symlink" });
      },
      {
        domain: null,
        version: null,
        deployments: [
          {
            title: "compose.yml",
            problems: [
              {
                kind: "env",
                file: "abra.sh",
                message: "abra.sh is not read, so abra cannot read it",
              },
              {
                kind: "env",
                file: ".env.sample",
                message: ".env.sample is a symlink file, so abra cannot read it",
              },
            ],
          },
        ],
        composeFiles: ["compose.yml"],
        needs: { dirs: [], files: [] },
      },
    ],
  ])("%s", (_name, tree, tweak, expected) =>
    expect(summary(recipeOf(tree, tweak))).toEqual(expected),
  );

  it("defaultDeployment: the first deployment, or none before the root is known", () => {
    const recipe = recipeOf(TREE);
    expect(defaultDeployment(recipe)).toBe(recipe.deployments[0]);
    expect(defaultDeployment(recipe)?.title).toEqual("compose.yml");
    expect(defaultDeployment(recipeOf(TREE, (s) => s.dirs.delete("")))).toBeNull();
  });
});

describe("createTreeLookup: entries under what is not a directory", () => {
  const tree: Tree = { "compose.yml": "x: 1\n", "conf/site.conf": "y\n" };

  it.each<[string, (s: Snapshot) => void, "blob" | "tree" | null | undefined, string[]]>([
    ["compose.yml/x", () => {}, null, []],
    ["missing/x", () => {}, null, []],
    ["missing/deeper/x", () => {}, null, []],
    ["conf/site.conf", () => {}, "blob", []],
    ["conf/other.conf", () => {}, null, []],
    ["conf", () => {}, "tree", []],
    ["conf/site.conf", (s) => s.dirs.delete("conf"), undefined, ["conf"]],
    ["conf/site.conf", (s) => s.dirs.delete(""), undefined, [""]],
  ])("entry(%s)", (path, tweak, type, dirs) => {
    const snapshot = snapshotOf(tree);
    tweak(snapshot);
    const lookup = createTreeLookup(snapshot);
    const entry = lookup.entry(path);
    expect(entry === null || entry === undefined ? entry : entry.type).toEqual(type);
    expect([...lookup.needs.dirs]).toEqual(dirs);
  });
});
