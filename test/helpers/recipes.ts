/**
 * Real recipe repositories for tests, built from the trees and patches in test/fixtures/recipes
 * (copied from ../shared/recipes; see targeted-changes.md there for what each patch is).
 */
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { Fixture } from "../../src/config/manifest.ts";
import { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { DEFAULT_LIMITS, type Limits } from "../../src/engine/inspect-files.ts";
import { verifyFixtures } from "../../src/pipeline/verify-fixture.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import type { FixtureResult } from "../../src/shared/result.ts";
import { createWorkspace, type Workspace } from "../../src/workspace/workspace.ts";

export const RECIPES = fileURLToPath(new URL("../fixtures/recipes/", import.meta.url));
export type RecipeName =
  | "custom-html"
  | "custom-html-tiny"
  | "lasuite-like"
  | "wiki-overlays"
  | "cloud-subfolder";

export async function readPatch(path: string): Promise<string> {
  return readFile(join(RECIPES, "patches", path), "utf8");
}

/** A repo whose main holds the recipe tree (file modes kept), pushed to its bare remote. */
export async function recipeRepo(
  root: string,
  recipe: RecipeName,
  slug: string,
): Promise<ScratchRepo> {
  const repo = await ScratchRepo.create(root, slug);
  await cp(join(RECIPES, recipe), repo.dir, { recursive: true });
  await repo.git("add", "-A");
  await repo.commit(`chore: publish ${recipe}`);
  await repo.push("main");
  return repo;
}

/** Cut `branch` from `from`, let `edit` change the tree, commit, push; returns the new commit. */
export async function fixtureBranch(
  repo: ScratchRepo,
  branch: string,
  edit: (repo: ScratchRepo) => Promise<void>,
  options: { from?: string; message?: string } = {},
): Promise<string> {
  await repo.checkout(branch, { create: true, from: options.from ?? "main" });
  await edit(repo);
  const sha = await repo.commit(options.message ?? `canary: ${branch}`);
  await repo.push(branch);
  await repo.checkout("main");
  return sha;
}

export const applyPatch = (path: string) => async (repo: ScratchRepo) => {
  try {
    await repo.apply(await readPatch(path));
  } catch (error) {
    throw new Error(`${path} does not apply: ${error instanceof Error ? error.message : error}`);
  }
};

export type TestEnv = {
  root: string;
  giteaUrl: string;
  dataDir: string;
  workspace: Workspace;
  verify(fixtures: readonly Fixture[], limits?: Limits): Promise<FixtureResult[]>;
  cleanup(): Promise<void>;
};

export async function createTestEnv(prefix = "fixture-bot-test-"): Promise<TestEnv> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const giteaUrl = ScratchRepo.remoteRoot(root);
  const dataDir = join(root, "data");
  const workspace = createWorkspace({
    dataDir,
    giteaUrl,
    redact: createRedactor([]),
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
  });
  return {
    root,
    giteaUrl,
    dataDir,
    workspace,
    verify: (fixtures, limits = DEFAULT_LIMITS) =>
      verifyFixtures(fixtures, { workspace, limits, log: silentLogger }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A normalised fixture with defaults filled in, for tests that do not go through fixtures.yaml. */
export function fixture(
  partial: Partial<Fixture> & Pick<Fixture, "name" | "repo" | "branch" | "sha">,
): Fixture {
  return { base: null, expect: null, maxCommits: null, tier: null, change: [], ...partial };
}

export function rule(
  path: string,
  extra: Partial<Fixture["change"][number]> = {},
): Fixture["change"][number] {
  return { path, lines: [], keys: [], maxLines: null, allow: [], ...extra };
}

/** The ids of the checks with a given status. */
export function idsWith(
  result: FixtureResult,
  status: "fail" | "warn" | "pass" | "skip",
): string[] {
  return result.checks.filter((c) => c.status === status).map((c) => c.id);
}

/** What a row of a verdict table expects of a fixture: exact failing and warning sets, a message. */
export type ExpectedChecks = {
  fails: readonly string[];
  warns?: readonly string[];
  /** One check's message, exactly or by pattern. */
  says?: readonly [string, string | RegExp];
};

/** A fixture verified without an error, failing and warning exactly as the row says. */
export function expectChecks(result: FixtureResult | undefined, row: ExpectedChecks): void {
  expect(result?.error).toBeNull();
  const r = result as FixtureResult;
  expect(idsWith(r, "fail")).toEqual(row.fails);
  expect(idsWith(r, "warn")).toEqual(row.warns ?? []);
  expect(r.verdict).toBe(row.fails.length > 0 ? "fail" : "pass");
  if (row.says) {
    const [id, message] = row.says;
    const c = r.checks.find((x) => x.id === id);
    if (typeof message === "string") expect(c?.message).toBe(message);
    else expect(c?.message).toMatch(message);
  }
}
