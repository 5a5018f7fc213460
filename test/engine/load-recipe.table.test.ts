/**
 * loadRecipes as a table: two in-memory trees (the merge-base and the pin), what the inspection
 * already read, and the limits in; out, for each end, what was listed and read (and as what), what
 * the recipe model still needs, and whether each deployment is complete; with the reader's calls
 * in order (directories of both ends together, then one batch of blobs per round), the read budget
 * left, and how many times the model parsed a compose file (it is asked again after each round
 * that read something, and not once more after that). No git: the reader is in memory.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, type Limits, type TreeReader } from "../../src/engine/inspect-files.ts";
import { loadRecipes } from "../../src/engine/load-recipe.ts";
import type { Recipe } from "../../src/recipe/read-recipe.ts";
import { createYamlCache, type YamlOf } from "../../src/recipe/yaml-cache.ts";
import { MODE } from "../../src/shared/git-facts.ts";
import type { Side, Snapshot } from "../../src/shared/tree.ts";
import { snapshotOf, type Tree, treeReader } from "../helpers/trees.ts";

const ENV = "TYPE=site\nDOMAIN=site.example.com\n";
const ABRA = "export CONF_VERSION=v1\n";
/** A one-service compose file whose config reads `source` (a path from the recipe root). */
const compose = (source: string) => `version: "3.8"
services:
  app:
    image: nginx:1.27
    configs:
      - source: conf
        target: /etc/nginx/conf.d/default.conf
configs:
  conf:
    name: \${STACK_NAME}_conf_\${CONF_VERSION}
    file: ${source}
`;
const recipe = (source: string, extra: Tree = {}): Tree => ({
  ".env.sample": ENV,
  "abra.sh": ABRA,
  "compose.yml": compose(source),
  [source]: "server {}\n",
  "README.md": "# site\n",
  ...extra,
});
const deep = (depth: number) =>
  `${Array.from({ length: depth }, (_, i) => String.fromCharCode(97 + i)).join("/")}/site.conf`;
/** The directories above a path, from the root: "a", "a/b", ... */
const above = (path: string) =>
  path
    .split("/")
    .slice(0, -1)
    .map((_, i, parts) => parts.slice(0, i + 1).join("/"));
const SUBMODULE = { mode: MODE.submodule, content: "0123456789abcdef0123456789abcdef01234567" };

/**
 * The in-memory reader, reporting its calls: `list <end> <dir>` and `read <paths>` (a blob by the
 * paths that hold it). A gitlink is listed as git lists it: type commit.
 */
function recordingReader(trees: { base: Tree; pin: Tree }) {
  const inner = treeReader({ base: trees.base, pin: trees.pin });
  const pathsOf = new Map<string, Set<string>>();
  for (const tree of [trees.base, trees.pin]) {
    for (const [path, file] of Object.entries(tree)) {
      for (const entries of snapshotOf({ [path]: file }).dirs.values()) {
        for (const e of entries) {
          if (e.type === "blob") pathsOf.set(e.oid, (pathsOf.get(e.oid) ?? new Set()).add(path));
        }
      }
    }
  }
  const calls: string[] = [];
  const reader: TreeReader = {
    async listDir(commit, dir) {
      calls.push(`list ${commit} ${dir === "" ? "(root)" : dir}`);
      const entries = await inner.listDir(commit, dir);
      return entries.map((e) => (e.mode === MODE.submodule ? { ...e, type: "commit" } : e));
    },
    sizes: (oids) => inner.sizes(oids),
    async readBlobs(oids) {
      const names = oids.flatMap((oid) => [...(pathsOf.get(oid) ?? [`?${oid}`])]);
      calls.push(`read ${[...new Set(names)].sort().join(" ")}`);
      return inner.readBlobs(oids);
    },
  };
  return { reader, calls };
}

/** A YamlOf that counts how many compose files it was asked to parse. */
function countingYaml() {
  const inner = createYamlCache();
  const count = { parses: 0 };
  const yaml: YamlOf = (side, options) => {
    count.parses++;
    return inner(side, options);
  };
  return { yaml, count };
}

type End = {
  listed: string[];
  files: Record<string, Side["state"]>;
  needs: { dirs: string[]; files: string[] };
  /** Each deployment's title, and whether what it reads is all known. */
  deployments: [string, "complete" | "incomplete"][];
};

const endOf = (snapshot: Snapshot, recipe: Recipe): End => ({
  listed: [...snapshot.dirs.keys()].sort(),
  files: Object.fromEntries(
    [...snapshot.files].sort(([a], [b]) => a.localeCompare(b)).map(([p, s]) => [p, s.state]),
  ),
  needs: { dirs: [...recipe.needs.dirs].sort(), files: [...recipe.needs.files].sort() },
  deployments: recipe.deployments.map((d) => [d.title, d.incomplete ? "incomplete" : "complete"]),
});

type Input = {
  base: Tree;
  pin: Tree;
  /** Files the inspection already read at both ends (the changed files). */
  changed?: string[];
  /** The merge-base end already known whole (listed and read). */
  baseKnown?: boolean;
  limits?: Partial<Limits>;
  budget?: number;
};
type Output = {
  calls: string[];
  base: End;
  pin: End;
  /**
   * Compose files parsed: the model reads both ends again after every round (a compose file once
   * for each deployment that merges it, an end known whole once up front too); a round that reads
   * nothing new is the last.
   */
  parses: number;
  budgetLeft: number;
};

async function load(input: Input): Promise<Output> {
  const { reader, calls } = recordingReader(input);
  const inspected = (commit: string, tree: Tree): Snapshot => {
    const whole = snapshotOf(tree, commit);
    const files = new Map<string, Side>();
    for (const path of input.changed ?? []) files.set(path, whole.files.get(path) as Side);
    return { commit, dirs: new Map(), files };
  };
  const ends = {
    base: input.baseKnown ? snapshotOf(input.base, "base") : inspected("base", input.base),
    pin: inspected("pin", input.pin),
  };
  const budget = { left: input.budget ?? 10_000 };
  const { yaml, count } = countingYaml();
  const recipes = await loadRecipes(
    ends,
    reader,
    { ...DEFAULT_LIMITS, ...input.limits },
    budget,
    yaml,
  );
  return {
    calls,
    base: endOf(ends.base, recipes.base),
    pin: endOf(ends.pin, recipes.pin),
    parses: count.parses,
    budgetLeft: budget.left,
  };
}

const SITE = recipe("site.conf");
const ROOT_FILES = { ".env.sample": "text", "abra.sh": "text", "compose.yml": "text" } as const;
const COMPLETE: End["deployments"] = [["compose.yml", "complete"]];
const INCOMPLETE: End["deployments"] = [["compose.yml", "incomplete"]];
const NOTHING = { dirs: [], files: [] };
const bytes = (...texts: string[]) => texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

/** A recipe whose COMPOSE_FILE merges a compose file from a folder (as cloud-subfolder does). */
const SUBFOLDER_ENV = `${ENV}COMPOSE_FILE="compose.yml:postgres/compose.postgres.yml"\n`;
const POSTGRES = 'version: "3.8"\nservices:\n  db:\n    image: postgres:16.6\n';
const SUBFOLDER: Tree = {
  ...SITE,
  ".env.sample": SUBFOLDER_ENV,
  "postgres/compose.postgres.yml": POSTGRES,
};
const SUBFOLDER_DEPLOYS: End["deployments"] = [
  ["compose.yml + postgres/compose.postgres.yml", "complete"],
];

/** The merge-base end known whole, as snapshotOf gives it: it asks for nothing. */
const knownWhole = (tree: Tree): End => {
  const s = snapshotOf(tree, "base");
  return {
    listed: [...s.dirs.keys()].sort(),
    files: Object.fromEntries(
      Object.keys(tree)
        .sort((a, b) => a.localeCompare(b))
        .map((p) => [p, (s.files.get(p) as Side).state]),
    ),
    needs: NOTHING,
    deployments: COMPLETE,
  };
};

describe("loadRecipes", () => {
  it.each<[string, Input, Output]>([
    [
      "all at the root: the root of both ends listed together, then its abra files in one batch, and done",
      { base: SITE, pin: SITE },
      {
        calls: ["list base (root)", "list pin (root)", "read .env.sample abra.sh compose.yml"],
        base: { listed: [""], files: ROOT_FILES, needs: NOTHING, deployments: COMPLETE },
        pin: { listed: [""], files: ROOT_FILES, needs: NOTHING, deployments: COMPLETE },
        parses: 2,
        budgetLeft: 10_000 - 2 * bytes(ENV, ABRA, compose("site.conf")),
      },
    ],
    [
      "a file the inspection already read is not read again (nor charged to the budget)",
      {
        base: SITE,
        pin: { ...SITE, "compose.yml": compose("site.conf").replace("1.27", "1.28") },
        changed: ["compose.yml"],
      },
      {
        calls: ["list base (root)", "list pin (root)", "read .env.sample abra.sh"],
        base: { listed: [""], files: ROOT_FILES, needs: NOTHING, deployments: COMPLETE },
        pin: { listed: [""], files: ROOT_FILES, needs: NOTHING, deployments: COMPLETE },
        parses: 2,
        budgetLeft: 10_000 - 2 * bytes(ENV, ABRA),
      },
    ],
    [
      "a config in a folder: that folder is listed in the next round (its content is not read)",
      { base: recipe("conf/site.conf"), pin: recipe("conf/site.conf") },
      {
        calls: [
          "list base (root)",
          "list pin (root)",
          "read .env.sample abra.sh compose.yml",
          "list base conf",
          "list pin conf",
        ],
        base: { listed: ["", "conf"], files: ROOT_FILES, needs: NOTHING, deployments: COMPLETE },
        pin: { listed: ["", "conf"], files: ROOT_FILES, needs: NOTHING, deployments: COMPLETE },
        parses: 4,
        budgetLeft: 10_000 - 2 * bytes(ENV, ABRA, compose("conf/site.conf")),
      },
    ],
    [
      "only the pin end asks: it is loaded, the merge-base known whole is left as it is",
      {
        base: recipe("conf/site.conf"),
        pin: { ".env.sample": ENV, "compose.yml": compose("conf/site.conf"), "conf/site.conf": "" },
        baseKnown: true,
        changed: [".env.sample"],
      },
      {
        calls: ["list pin (root)", "read compose.yml", "list pin conf"],
        base: knownWhole(recipe("conf/site.conf")),
        pin: {
          listed: ["", "conf"],
          files: { ".env.sample": "text", "compose.yml": "text" },
          needs: NOTHING,
          deployments: COMPLETE,
        },
        parses: 1 + 2 + 2,
        budgetLeft: 10_000 - bytes(compose("conf/site.conf")),
      },
    ],
    [
      "COMPOSE_FILE names a compose file in a folder: the folder is listed, then the file read",
      { base: SUBFOLDER, pin: SUBFOLDER, baseKnown: true },
      {
        calls: [
          "list pin (root)",
          "read .env.sample abra.sh compose.yml",
          "list pin postgres",
          "read postgres/compose.postgres.yml",
        ],
        base: { ...knownWhole(SUBFOLDER), deployments: SUBFOLDER_DEPLOYS },
        pin: {
          listed: ["", "postgres"],
          files: { ...ROOT_FILES, "postgres/compose.postgres.yml": "text" },
          needs: NOTHING,
          deployments: SUBFOLDER_DEPLOYS,
        },
        parses: 2 + 3 + 3 + 4,
        budgetLeft: 10_000 - bytes(SUBFOLDER_ENV, ABRA, compose("site.conf"), POSTGRES),
      },
    ],
    [
      "a root folder named like a compose file is no file: known absent, and the loading goes on",
      {
        base: recipe("conf/site.conf"),
        pin: {
          ".env.sample": ENV,
          "compose.yml": compose("conf/site.conf"),
          "conf/site.conf": "",
          "compose.old.yml/notes.txt": "moved\n",
        },
        baseKnown: true,
        changed: [".env.sample", "compose.yml"],
      },
      {
        calls: ["list pin (root)", "list pin conf"],
        base: knownWhole(recipe("conf/site.conf")),
        pin: {
          listed: ["", "conf"],
          files: { ".env.sample": "text", "compose.old.yml": "absent", "compose.yml": "text" },
          needs: NOTHING,
          deployments: [
            ["compose.yml", "complete"],
            ["compose.yml + compose.old.yml (optional)", "complete"],
          ],
        },
        parses: 1 + 3 + 3,
        budgetLeft: 10_000,
      },
    ],
    [
      "an abra.sh that is a submodule is known as one, never read",
      {
        base: SITE,
        pin: { ...SITE, "abra.sh": SUBMODULE },
        baseKnown: true,
        changed: [".env.sample", "compose.yml"],
      },
      {
        calls: ["list pin (root)"],
        base: knownWhole(SITE),
        pin: {
          listed: [""],
          files: { ".env.sample": "text", "abra.sh": "submodule", "compose.yml": "text" },
          needs: NOTHING,
          deployments: COMPLETE,
        },
        parses: 1 + 2,
        budgetLeft: 10_000,
      },
    ],
    [
      "a config seven folders down: found in the last round there is",
      { base: recipe(deep(7)), pin: recipe(deep(7)), baseKnown: true },
      {
        calls: [
          "list pin (root)",
          "read .env.sample abra.sh compose.yml",
          ...above(deep(7)).map((d) => `list pin ${d}`),
        ],
        base: knownWhole(recipe(deep(7))),
        pin: {
          listed: ["", ...above(deep(7))],
          files: ROOT_FILES,
          needs: NOTHING,
          deployments: COMPLETE,
        },
        parses: 1 + 8 * 2,
        budgetLeft: 10_000 - bytes(ENV, ABRA, compose(deep(7))),
      },
    ],
    [
      "a config eight folders down: past the rounds, and the model says it cannot tell",
      { base: recipe(deep(8)), pin: recipe(deep(8)), baseKnown: true },
      {
        calls: [
          "list pin (root)",
          "read .env.sample abra.sh compose.yml",
          ...above(deep(7)).map((d) => `list pin ${d}`),
        ],
        base: knownWhole(recipe(deep(8))),
        pin: {
          listed: ["", ...above(deep(7))],
          files: ROOT_FILES,
          needs: { dirs: ["a/b/c/d/e/f/g/h"], files: [] },
          deployments: INCOMPLETE,
        },
        parses: 1 + 8 * 2,
        budgetLeft: 10_000 - bytes(ENV, ABRA, compose(deep(8))),
      },
    ],
    [
      "at most maxContextDirs folders listed at an end: then no progress, and no more rounds",
      {
        base: recipe("conf/x/site.conf"),
        pin: recipe("conf/x/site.conf"),
        baseKnown: true,
        limits: { maxContextDirs: 2 },
      },
      {
        calls: ["list pin (root)", "read .env.sample abra.sh compose.yml", "list pin conf"],
        base: knownWhole(recipe("conf/x/site.conf")),
        pin: {
          listed: ["", "conf"],
          files: ROOT_FILES,
          needs: { dirs: ["conf/x"], files: [] },
          deployments: INCOMPLETE,
        },
        parses: 1 + 3 * 2,
        budgetLeft: 10_000 - bytes(ENV, ABRA, compose("conf/x/site.conf")),
      },
    ],
    [
      "no folder may be listed at all: the root stays unknown and nothing is read",
      { base: SITE, pin: SITE, baseKnown: true, limits: { maxContextDirs: 0 } },
      {
        calls: [],
        base: knownWhole(SITE),
        pin: { listed: [], files: {}, needs: { dirs: [""], files: [] }, deployments: [] },
        parses: 1 + 1,
        budgetLeft: 10_000,
      },
    ],
  ])("%s", async (_name, input, expected) => {
    expect(await load(input)).toEqual(expected);
  });
});
