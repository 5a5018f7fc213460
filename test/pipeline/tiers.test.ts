/**
 * `tier:` instead of hand-written rules, on real repositories built from the patches of
 * test/fixtures/recipes/targeted-changes.md: every good fixture of §2 passes at its own tier with
 * the tier's preset and no `change:`, every broken fixture of §3 fails (wrong tier: earlier-tiers;
 * an unbumped config: config-version; a no-op: effective-change), and A1 to A6 pass. Each row
 * pins the exact set of failing checks.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import type { Fixture, Tier } from "../../src/shared/fixture.ts";
import type { FixtureResult } from "../../src/shared/result.ts";
import {
  applyPatch,
  createTestEnv,
  expectChecks,
  fixture,
  fixtureBranch,
  idsWith,
  recipeRepo,
  type TestEnv,
} from "../helpers/recipes.ts";

const HTML = "recipe-maintainers/custom-html";
const TINY = "recipe-maintainers/custom-html-tiny";
const LASUITE = "recipe-maintainers/lasuite-like";
type Recipe = typeof HTML | typeof TINY | typeof LASUITE;

type Row = {
  name: string;
  repo: Recipe;
  tier: Tier;
  /** A patch under test/fixtures/recipes/patches, or an edit. */
  patch: string | ((r: ScratchRepo) => Promise<void>);
  fails: string[];
  warns?: string[];
  says?: [string, string];
};

const rows: Row[] = [
  // §2: the good fixture of each tier, with the tier's preset.
  {
    name: "2.1-install-tiny",
    repo: TINY,
    tier: "install",
    patch: "custom-html-tiny/bad-image.patch",
    fails: [],
  },
  {
    name: "2.1-install-html",
    repo: HTML,
    tier: "install",
    patch: "custom-html/bad-install.patch",
    fails: [],
  },
  {
    name: "2.1-install-anchor",
    repo: LASUITE,
    tier: "install",
    patch: "lasuite-like/bad-install.patch",
    fails: [],
  },
  {
    name: "2.2a-upgrade-image",
    repo: TINY,
    tier: "upgrade",
    patch: "custom-html-tiny/bad-image.patch",
    fails: [],
  },
  {
    name: "2.2b-upgrade-unbumped-config",
    repo: HTML,
    tier: "upgrade",
    patch: "custom-html/bad-upgrade-unbumped-config.patch",
    fails: [],
  },
  {
    name: "2.2c-upgrade-pg-major",
    repo: LASUITE,
    tier: "upgrade",
    patch: "lasuite-like/bad-upgrade-pg-major.patch",
    fails: [],
  },
  {
    name: "2.3-backup",
    repo: HTML,
    tier: "backup",
    patch: "custom-html/bad-backup.patch",
    fails: [],
  },
  {
    name: "2.3-backup-no-label",
    repo: HTML,
    tier: "backup",
    patch: "custom-html/bad-backup-no-label.patch",
    fails: [],
  },
  {
    name: "2.3-backup-multi-service",
    repo: LASUITE,
    tier: "backup",
    patch: "lasuite-like/bad-backup.patch",
    fails: [],
  },
  {
    name: "2.4-restore-hook",
    repo: LASUITE,
    tier: "restore",
    patch: "lasuite-like/bad-restore.patch",
    fails: [],
  },
  {
    name: "2.4-restore-wrong-file",
    repo: HTML,
    tier: "restore",
    patch: "custom-html/bad-restore.patch",
    fails: [],
  },
  {
    name: "2.5-custom-template-and-bump",
    repo: HTML,
    tier: "custom",
    patch: "custom-html/bad-custom.patch",
    fails: [],
  },
  {
    name: "2.5-custom-routing",
    repo: LASUITE,
    tier: "custom",
    patch: "lasuite-like/bad-custom.patch",
    fails: [],
  },
  // §3: broken fixtures, each at the tier it was meant for.
  {
    name: "B1-emptied",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--emptied-compose.patch",
    fails: ["not-emptied", "yaml-valid", "compose-valid", "keys"],
  },
  {
    name: "B2-null-document",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--compose-null-document.patch",
    fails: ["yaml-valid", "compose-valid", "keys"],
  },
  {
    name: "B3-truncated",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--bad-backup-truncated.patch",
    fails: ["compose-valid", "keys", "earlier-tiers"],
  },
  {
    name: "B4-plus-unrelated",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--bad-backup-plus-unrelated.patch",
    fails: ["paths", "keys", "earlier-tiers"],
  },
  {
    name: "B5-mode",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--bad-backup-plus-mode-change.patch",
    fails: ["mode"],
  },
  {
    name: "B6-also-breaks-install",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--bad-backup-also-breaks-install.patch",
    fails: ["keys", "earlier-tiers"],
    says: [
      "earlier-tiers",
      "services.app.image changed (nginx:1.27 -> nginx:1.27.99): install would go red before backup",
    ],
  },
  {
    name: "B7-unbumped-config",
    repo: HTML,
    tier: "custom",
    patch: "broken/custom-html--bad-custom-unbumped-config.patch",
    fails: ["config-version"],
    says: [
      "config-version",
      "nginx.conf.tmpl changed, but config nginx_conf keeps its name (${STACK_NAME}_nginx_conf_v1): swarm configs cannot change, so upgrade would go red first; bump NGINX_CONF_VERSION in abra.sh with the change",
    ],
  },
  {
    name: "B8-noop-default",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--bad-backup-noop-default.patch",
    fails: ["effective-change"],
    says: [
      "effective-change",
      "the change does not reach what abra deploys, so this canary can never go red: compose.yml: ENABLE_BACKUPS is set to true in .env.sample, so the new default never applies",
    ],
  },
  {
    name: "B9-legacy-label",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--bad-backup-legacy-v1-label.patch",
    fails: ["effective-change"],
    says: [
      "effective-change",
      "the change does not reach what abra deploys, so this canary can never go red: services.app deploy label backupbot.backup.path: backup-bot-two reads its labels by exact name only, so v1's backupbot.backup.path and misspelt names change nothing",
    ],
  },
  {
    name: "B10-restore-hits-backup-hook",
    repo: LASUITE,
    tier: "restore",
    patch: "broken/lasuite-like--bad-restore-hits-backup-hook.patch",
    fails: ["keys", "earlier-tiers"],
    says: [
      "earlier-tiers",
      "services.db deploy label backupbot.backup.pre-hook changed (/pg_backup.sh backup -> /pg_backup.sh backupp): backup would go red before restore",
    ],
  },
  {
    name: "B11-duplicate-labels",
    repo: LASUITE,
    tier: "restore",
    patch: "broken/lasuite-like--duplicate-labels-key.patch",
    fails: ["yaml-valid", "compose-valid", "keys"],
  },
  {
    name: "B12-symlink",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--compose-symlink.patch",
    fails: ["yaml-valid", "compose-valid", "mode", "keys"],
  },
  {
    name: "B13-crlf",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--bad-backup-crlf-churn.patch",
    fails: ["whitespace-churn"],
  },
  {
    name: "B14-script-crlf",
    repo: LASUITE,
    tier: "backup",
    patch: "broken/lasuite-like--pg-backup-crlf.patch",
    fails: ["paths", "whitespace-churn", "config-version"],
  },
  {
    name: "B15-utf16",
    repo: HTML,
    tier: "backup",
    patch: "broken/custom-html--compose-utf16.patch",
    fails: ["yaml-valid", "compose-valid", "binary", "keys"],
  },
];

let env: TestEnv;
const repos = new Map<Recipe, ScratchRepo>();
const fixtures: Fixture[] = [];
const results = new Map<string, FixtureResult>();

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-tiers-");
  repos.set(HTML, await recipeRepo(env.root, "custom-html", HTML));
  repos.set(TINY, await recipeRepo(env.root, "custom-html-tiny", TINY));
  repos.set(LASUITE, await recipeRepo(env.root, "lasuite-like", LASUITE));
  for (const row of rows) {
    const repo = repos.get(row.repo) as ScratchRepo;
    const edit = typeof row.patch === "string" ? applyPatch(row.patch) : row.patch;
    const sha = await fixtureBranch(repo, `regression-${row.name}`, edit);
    fixtures.push(
      fixture({
        name: row.name,
        repo: row.repo,
        branch: `regression-${row.name}`,
        sha,
        base: "main",
        tier: row.tier,
      }),
    );
  }
  // A1, A2, A6 (A3, A4 and A5 are the 2.5, 2.4 and 2.1-anchor rows): history, not a patch.
  const html = repos.get(HTML) as ScratchRepo;
  const backup = (name: string, sha: string) =>
    fixtures.push(
      fixture({
        name,
        repo: HTML,
        branch: `regression-${name}`,
        sha,
        base: "main",
        tier: "backup",
      }),
    );
  const moved = await fixtureBranch(
    html,
    "regression-A1-base-moved",
    applyPatch("custom-html/bad-backup.patch"),
  );
  await fixtureBranch(
    html,
    "regression-A2-main-merged",
    applyPatch("custom-html/bad-backup.patch"),
  );
  const pinned = await fixtureBranch(
    html,
    "regression-A6-tip-past-pin",
    applyPatch("custom-html/bad-backup.patch"),
  );
  // Upstream moves on after the fixtures were cut: nginx 1.27.4, a new version, a release note.
  await html.write({
    "compose.yml": (await html.git("show", "main:compose.yml"))
      .replace("nginx:1.27", "nginx:1.27.4")
      .replace("version=1.0.0+1.27", "version=1.0.1+1.27.4"),
    "release/1.0.1+1.27.4": "Upgrades nginx to 1.27.4.\n",
  });
  await html.commit("chore: publish 1.0.1+1.27.4");
  await html.push("main");
  backup("A1-base-moved", moved);
  await html.checkout("regression-A2-main-merged");
  await html.git("merge", "--quiet", "--no-edit", "main");
  await html.push("regression-A2-main-merged");
  backup("A2-main-merged", (await html.git("rev-parse", "HEAD")).trim());
  await html.checkout("regression-A6-tip-past-pin");
  await writeFile(join(html.dir, "NOTES"), "later work on the branch\n");
  await html.commit("later work");
  await html.push("regression-A6-tip-past-pin");
  await html.checkout("main");
  backup("A6-tip-past-pin", pinned);
  for (const r of await env.verify(fixtures)) results.set(r.name, r);
});

afterAll(async () => {
  await env?.cleanup();
});

describe("tier presets on the patches of targeted-changes.md", () => {
  it("covers every row", () => {
    expect([...results.keys()].sort()).toEqual(
      [...rows.map((r) => r.name), "A1-base-moved", "A2-main-merged", "A6-tip-past-pin"].sort(),
    );
  });

  it.each(rows)("$name at $tier fails exactly $fails", (row) => {
    expectChecks(results.get(row.name), row);
  });

  it.each([
    ["A1-base-moved", []],
    ["A2-main-merged", []],
    ["A6-tip-past-pin", ["branch-tip"]],
  ])("%s passes at backup (warns %j)", (name, warns) => {
    const result = results.get(name) as FixtureResult;
    expect(result.error).toBeNull();
    expect(idsWith(result, "fail")).toEqual([]);
    expect(idsWith(result, "warn")).toEqual(warns);
    expect(result.files.map((f) => `${f.path} +${f.added} -${f.removed}`)).toEqual([
      "compose.yml +1 -0",
    ]);
  });
});
