/**
 * What the benchmark verifies, served as a user's Gitea serves it: real bare repositories behind
 * the Gitea double's smart HTTP (git http-backend), read with a token.
 *
 *   realistic   2 recipes, 8 fixtures each (the tiers' good canaries and the broken ones of
 *               targeted-changes.md), every fixture with `tier:` and a base
 *   sweep       one 10-fixture recipe repository copied into 20 repositories: 20 to 200 fixtures
 *   large       10,000 commits, 20,000 files, one fixture (test/helpers/large-repo.ts)
 */
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Tier } from "../src/config/manifest.ts";
import { type GiteaDouble, startGiteaDouble } from "../test/gitea-double/index.ts";
import { createLargeRepo } from "../test/helpers/large-repo.ts";
import { applyPatch, fixtureBranch, type RecipeName, recipeRepo } from "../test/helpers/recipes.ts";

export type BenchFixture = { name: string; repo: string; branch: string; sha: string; tier: Tier };

export type Served = { gitea: GiteaDouble; token: string; remote: string; close(): Promise<void> };

export async function serve(root: string): Promise<Served> {
  const remote = join(root, "remote");
  const gitea = await startGiteaDouble({ repoRoot: remote });
  const bot = gitea.addUser("fixture-bot");
  return { gitea, token: bot.token, remote, close: () => gitea.close() };
}

/** Make `repo` readable to the bot through the double. */
function publish(served: Served, repo: string): void {
  served.gitea.addRepo(repo);
  served.gitea.setPermission(repo, "fixture-bot", "read");
}

export function manifestYaml(fixtures: readonly BenchFixture[]): string {
  const entries = fixtures.map(
    (f) =>
      `  - name: ${f.name}\n    repo: ${f.repo}\n    branch: ${f.branch}\n    sha: ${f.sha}\n    base: main\n    tier: ${f.tier}\n`,
  );
  return `version: 1\nfixtures:\n${entries.join("")}`;
}

const REALISTIC: Record<string, { recipe: RecipeName; fixtures: [string, Tier, string][] }> = {
  "recipe-maintainers/custom-html": {
    recipe: "custom-html",
    fixtures: [
      ["bad-install", "install", "custom-html/bad-install.patch"],
      ["bad-upgrade", "upgrade", "custom-html/bad-upgrade-unbumped-config.patch"],
      ["bad-backup", "backup", "custom-html/bad-backup.patch"],
      ["bad-backup-no-label", "backup", "custom-html/bad-backup-no-label.patch"],
      ["bad-restore", "restore", "custom-html/bad-restore.patch"],
      ["bad-custom", "custom", "custom-html/bad-custom.patch"],
      ["bad-backup-emptied", "backup", "broken/custom-html--emptied-compose.patch"],
      ["bad-backup-truncated", "backup", "broken/custom-html--bad-backup-truncated.patch"],
    ],
  },
  "recipe-maintainers/lasuite-like": {
    recipe: "lasuite-like",
    fixtures: [
      ["bad-install", "install", "lasuite-like/bad-install.patch"],
      ["bad-upgrade", "upgrade", "lasuite-like/bad-upgrade-pg-major.patch"],
      ["bad-backup", "backup", "lasuite-like/bad-backup.patch"],
      ["bad-restore", "restore", "lasuite-like/bad-restore.patch"],
      ["bad-custom", "custom", "lasuite-like/bad-custom.patch"],
      ["bad-restore-hook", "restore", "broken/lasuite-like--bad-restore-hits-backup-hook.patch"],
      ["bad-restore-dup-key", "restore", "broken/lasuite-like--duplicate-labels-key.patch"],
      ["bad-backup-crlf", "backup", "broken/lasuite-like--pg-backup-crlf.patch"],
    ],
  },
};

/** 16 fixtures in 2 recipe repositories. */
export async function realistic(root: string, served: Served): Promise<BenchFixture[]> {
  const out: BenchFixture[] = [];
  for (const [slug, { recipe, fixtures }] of Object.entries(REALISTIC)) {
    const repo = await recipeRepo(root, recipe, slug);
    for (const [name, tier, patch] of fixtures) {
      const branch = `regression-${name}`;
      const sha = await fixtureBranch(repo, branch, applyPatch(patch));
      out.push({ name: `${recipe}-${name}`, repo: slug, branch, sha, tier });
    }
    publish(served, slug);
  }
  return out;
}

/**
 * `repos` repositories of 10 fixtures each: one custom-html-tiny repository whose 10 fixture
 * branches each break the image tag their own way, copied (the copies share commit ids).
 */
export async function sweep(root: string, served: Served, repos: number): Promise<BenchFixture[]> {
  const template = await recipeRepo(root, "custom-html-tiny", "sweep/r00");
  const compose = await readFile(join(template.dir, "compose.yml"), "utf8");
  const branches: { branch: string; sha: string }[] = [];
  for (let i = 0; i < 10; i++) {
    const branch = `regression-bad-image-${i}`;
    const sha = await fixtureBranch(template, branch, (r) =>
      r.write({ "compose.yml": compose.replace(/image: (\S+)/, `image: $1-broken-${i}`) }),
    );
    branches.push({ branch, sha });
  }
  const out: BenchFixture[] = [];
  for (let r = 0; r < repos; r++) {
    const slug = `sweep/r${String(r).padStart(2, "0")}`;
    if (r > 0) {
      await cp(join(served.remote, "sweep", "r00.git"), join(served.remote, `${slug}.git`), {
        recursive: true,
      });
    }
    publish(served, slug);
    for (const [i, { branch, sha }] of branches.entries()) {
      out.push({ name: `r${r}-image-${i}`, repo: slug, branch, sha, tier: "install" });
    }
  }
  return out;
}

/** The 10,000-commit, 20,000-file repository and its one fixture. */
export async function large(
  root: string,
  served: Served,
): Promise<{ fixture: BenchFixture; remote: string }> {
  const slug = "big/monorepo";
  const { remote, pin } = await createLargeRepo(root, slug);
  publish(served, slug);
  const fixture: BenchFixture = {
    name: "bad-image",
    repo: slug,
    branch: "regression-image",
    sha: pin,
    tier: "install",
  };
  return { fixture, remote };
}

export async function writeManifest(
  path: string,
  fixtures: readonly BenchFixture[],
): Promise<void> {
  await writeFile(path, manifestYaml(fixtures));
}
