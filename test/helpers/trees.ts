/**
 * Two in-memory trees (the merge-base and the pin) for table tests of the pure checks: the change
 * set between them is derived the way `git diff-tree` reports it, and the engine reads both trees
 * through its `TreeReader` port. No git is involved, or claimed: the seams with git are proven by
 * the scenario tests on real repositories.
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { diffLines } from "diff";
import { toVerdict } from "../../src/engine/check-result.ts";
import { CHECK_TABLE } from "../../src/engine/checks.ts";
import { evaluateFixture } from "../../src/engine/evaluate.ts";
import { DEFAULT_LIMITS, type Limits } from "../../src/engine/inspect-files.ts";
import type { RefFacts } from "../../src/engine/ref-checks.ts";
import { type Recipe, readRecipe } from "../../src/recipe/read-recipe.ts";
import { createYamlCache } from "../../src/recipe/yaml-cache.ts";
import type { ChangeRule, Fixture, Tier } from "../../src/shared/fixture.ts";
import { type FileChange, MODE, type TreeEntry } from "../../src/shared/git-facts.ts";
import type { CheckResult, FixtureResult } from "../../src/shared/result.ts";
import type { Side, Snapshot } from "../../src/shared/tree.ts";

/** A file's content, or `{ mode, content }` for an executable or a symlink. */
export type TreeFile = string | Buffer | { mode: string; content: string | Buffer };
export type Tree = Record<string, TreeFile>;

const oidOf = (content: Buffer) => createHash("sha1").update(content).digest("hex");
const entryOf = (file: TreeFile) => {
  const { mode, content } =
    typeof file === "string" || Buffer.isBuffer(file) ? { mode: MODE.file, content: file } : file;
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8");
  return { mode, bytes, oid: oidOf(bytes) };
};

/** What git would report between two trees (no rename detection: a rename is a delete + add). */
export function changesBetween(base: Tree, pin: Tree): FileChange[] {
  const paths = [...new Set([...Object.keys(base), ...Object.keys(pin)])].sort();
  const changes: FileChange[] = [];
  for (const path of paths) {
    const a = base[path] === undefined ? null : entryOf(base[path] as TreeFile);
    const b = pin[path] === undefined ? null : entryOf(pin[path] as TreeFile);
    if (a && b && a.oid === b.oid && a.mode === b.mode) continue;
    const binary = [a, b].some((e) => e?.bytes.subarray(0, 8000).includes(0));
    // Line counts as git's numstat gives them: a line diff of the two sides.
    const counts = { added: 0, removed: 0 };
    if (!binary) {
      for (const part of diffLines(
        a?.bytes.toString("utf8") ?? "",
        b?.bytes.toString("utf8") ?? "",
      )) {
        if (part.added) counts.added += part.count ?? 0;
        if (part.removed) counts.removed += part.count ?? 0;
      }
    }
    changes.push({
      status: !a ? "added" : !b ? "deleted" : "modified",
      path,
      oldPath: null,
      oldMode: a?.mode ?? MODE.absent,
      newMode: b?.mode ?? MODE.absent,
      oldBlob: a?.oid ?? null,
      newBlob: b?.oid ?? null,
      oldSize: a?.bytes.length ?? null,
      newSize: b?.bytes.length ?? null,
      binary,
      added: counts.added,
      removed: counts.removed,
      similarity: null,
    });
  }
  return changes;
}

export function treeReader(trees: Record<string, Tree>) {
  const blobs = new Map<string, Buffer>();
  for (const tree of Object.values(trees))
    for (const file of Object.values(tree)) {
      const e = entryOf(file);
      blobs.set(e.oid, e.bytes);
    }
  return {
    async listDir(commit: string, dir: string): Promise<TreeEntry[]> {
      const tree = trees[commit] ?? {};
      const prefix = dir === "" ? "" : `${dir}/`;
      const out = new Map<string, TreeEntry>();
      for (const [path, file] of Object.entries(tree)) {
        if (!path.startsWith(prefix)) continue;
        const rest = path.slice(prefix.length);
        const slash = rest.indexOf("/");
        if (slash !== -1) {
          const sub = prefix + rest.slice(0, slash);
          out.set(sub, {
            path: sub,
            mode: "040000",
            type: "tree",
            oid: "0".repeat(40),
            size: null,
          });
          continue;
        }
        const e = entryOf(file);
        // As the mirror does: sizes are asked for separately, of the files that will be read.
        out.set(path, { path, mode: e.mode, type: "blob", oid: e.oid, size: null });
      }
      return [...out.values()];
    },
    async sizes(oids: readonly string[]) {
      return new Map(oids.map((oid) => [oid, (blobs.get(oid) as Buffer).length]));
    },
    async readBlobs(oids: readonly string[]) {
      return new Map(oids.map((oid) => [oid, blobs.get(oid) as Buffer]));
    },
  };
}

/**
 * Run the change checks on the change from `base` to `pin` under `rules` (or, with no rules and a
 * tier, the tier's preset), through the engine's own entry point: the ref facts are stand-ins,
 * and only the checks that judge the change are returned.
 */
export async function changeChecks(
  base: Tree,
  pin: Tree,
  rules: ChangeRule[],
  limits: Limits = DEFAULT_LIMITS,
  tier: Tier | null = null,
): Promise<CheckResult[]> {
  const fixture: Fixture = {
    name: "f",
    repo: "o/r",
    branch: "b",
    sha: "pin",
    base: "main",
    expect: null,
    maxCommits: null,
    tier,
    change: rules,
  };
  const { checks } = await evaluateFixture({
    fixture,
    facts: {
      repo: "o/r",
      pinned: "pin",
      branch: "b",
      resolution: { kind: "commit", sha: "pin", via: "commit" },
      branchTip: "pin",
      onBranch: true,
      containedIn: [],
      commitsPastPin: 0,
      base: { ref: "main", sha: "base" },
      mergeBase: "base",
      commitsSinceMergeBase: 1,
      maxCommits: null,
    },
    changes: changesBetween(base, pin),
    reader: treeReader({ base, pin }),
    limits,
  });
  return checks.filter((c) => CHECK_TABLE[c.id].kind === "change");
}

export function rule(path: string, extra: Partial<ChangeRule> = {}): ChangeRule {
  return { path, lines: [], keys: [], maxLines: null, allow: [], ...extra };
}

/** The checks that did not pass or skip, as `id: message` lines (with details indented). */
export function problems(checks: readonly CheckResult[]): string[] {
  return checks
    .filter((c) => c.status === "fail" || c.status === "warn")
    .flatMap((c) => [
      `${c.status} ${c.id}: ${c.message}`,
      ...(c.details ?? []).map((d) => `  ${d}`),
    ]);
}

/** A tree as the recipe model reads it when nothing is left to fetch: every directory, every file. */
export function snapshotOf(tree: Tree, commit = "tree"): Snapshot {
  const dirs = new Map<string, TreeEntry[]>();
  const files = new Map<string, Side>();
  const list = (dir: string) => {
    let entries = dirs.get(dir);
    if (!entries) {
      entries = [];
      dirs.set(dir, entries);
      if (dir !== "") {
        const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
        list(parent).push({
          path: dir,
          mode: "040000",
          type: "tree",
          oid: "0".repeat(40),
          size: null,
        });
      }
    }
    return entries;
  };
  list("");
  for (const [path, file] of Object.entries(tree)) {
    const e = entryOf(file);
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    list(dir).push({ path, mode: e.mode, type: "blob", oid: e.oid, size: e.bytes.length });
    files.set(
      path,
      e.mode === MODE.symlink
        ? { state: "symlink" }
        : e.bytes.subarray(0, 8000).includes(0)
          ? { state: "binary" }
          : { state: "text", text: e.bytes.toString("utf8"), invalidUtf8At: null },
    );
  }
  return { commit, dirs, files };
}

/** The files under a directory on disk, as a tree (modes kept for executables). */
export function treeOfDir(root: string): Tree {
  const tree: Tree = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else tree[path] = readFileSync(join(root, path), "utf8");
    }
  };
  walk("");
  return tree;
}

/** What abra deploys from a tree: the recipe model, with the whole tree known. */
export function recipeOf(tree: Tree): Recipe {
  return readRecipe(snapshotOf(tree), createYamlCache());
}

/** The ids the fixture results of table tests use. */
export const IDS = {
  mergeBase: "4e250b04f0c6d0c6a7e2a1b5d9f3c8e7a6b5c4d3",
  pin: "b6cd73d72612e8a39e5d4a0e67b9847beb389420",
  tip: "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e",
};

/**
 * A fixture's result as the engine gives it, from two trees (the merge-base and the pin) and the
 * ref facts git would give (a pin on its branch, cut from main, one commit, unless `facts` says
 * otherwise): `bad-backup` of recipe-maintainers/custom-html.
 */
export async function resultOf(input: {
  base?: Tree;
  pin?: Tree;
  rules?: ChangeRule[];
  tier?: Tier | null;
  fixture?: Partial<Fixture>;
  facts?: Partial<RefFacts>;
}): Promise<FixtureResult> {
  const fixture: Fixture = {
    name: "bad-backup",
    repo: "recipe-maintainers/custom-html",
    branch: "regression-bad-backup",
    sha: IDS.pin,
    base: "main",
    expect: "red at backup",
    maxCommits: null,
    tier: input.tier ?? null,
    change: input.rules ?? [],
    ...input.fixture,
  };
  const facts: RefFacts = {
    repo: fixture.repo,
    pinned: fixture.sha,
    branch: fixture.branch,
    resolution: { kind: "commit", sha: IDS.pin, via: "commit" },
    branchTip: IDS.pin,
    onBranch: true,
    containedIn: [],
    commitsPastPin: 0,
    base: fixture.base === null ? null : { ref: fixture.base, sha: IDS.mergeBase },
    mergeBase: IDS.mergeBase,
    commitsSinceMergeBase: 1,
    maxCommits: fixture.maxCommits,
    ...input.facts,
  };
  const base = input.base ?? {};
  const pin = input.pin ?? base;
  const resolved = facts.resolution.kind === "commit" ? facts.resolution.sha : null;
  const { checks, files, deployment } = await evaluateFixture({
    fixture,
    facts,
    changes: changesBetween(base, pin),
    reader: treeReader({ [facts.mergeBase ?? "none"]: base, [resolved ?? "none"]: pin }),
    limits: DEFAULT_LIMITS,
  });
  return {
    name: fixture.name,
    repo: fixture.repo,
    branch: fixture.branch,
    sha: fixture.sha,
    base: fixture.base,
    expect: fixture.expect,
    tier: fixture.tier,
    resolvedSha: resolved,
    mergeBase: facts.mergeBase,
    verdict: toVerdict(checks),
    checks,
    files,
    ...(deployment ? { deployment } : {}),
    error: null,
  };
}
