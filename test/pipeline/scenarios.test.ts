/**
 * The verification engine end to end on real repositories: one row per scenario from
 * test/fixtures/recipes/targeted-changes.md (good fixtures, broken ones, git-state problems), each
 * with the verdict it must get and the check ids that must fail (or warn). All fixtures are
 * verified in one run, so each repository is also fetched exactly once.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fixture } from "../../src/config/manifest.ts";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import type { FixtureResult } from "../../src/shared/result.ts";
import { collidingCommits } from "../helpers/collide.ts";
import {
  applyPatch,
  createTestEnv,
  fixture,
  fixtureBranch,
  idsWith,
  recipeRepo,
  rule,
  type TestEnv,
} from "../helpers/recipes.ts";

const HTML = "recipe-maintainers/custom-html";
const LASUITE = "recipe-maintainers/lasuite-like";

/** The rule a custom-html backup/restore canary should carry: one label line in compose.yml. */
const backupLabelRule = rule("compose.yml", {
  lines: ["backupbot\\.backup"],
  keys: ["services.app.deploy.labels"],
  maxLines: 2,
});

type Row = {
  name: string;
  verdict: "pass" | "fail" | "error";
  fails?: string[];
  warns?: string[];
  /** Extra assertions on the result. */
  assert?: (r: FixtureResult) => void;
};

let env: TestEnv;
let html: ScratchRepo;
let lasuite: ScratchRepo;
const fixtures: Fixture[] = [];
const results = new Map<string, FixtureResult>();

const rows: Row[] = [
  {
    name: "correct-bad-backup",
    verdict: "pass",
    assert: (r) => {
      expect(r.files).toEqual([
        expect.objectContaining({ path: "compose.yml", added: 1, removed: 0 }),
      ]);
      // Every check passes but the two with nothing to judge (no max_commits, no tier).
      expect(idsWith(r, "pass")).toEqual([
        "sha-exists",
        "sha-on-branch",
        "branch-tip",
        "base-exists",
        "change-present",
        "paths",
        "not-emptied",
        "yaml-valid",
        "compose-valid",
        "whitespace-churn",
        "mode",
        "binary",
        "lines",
        "keys",
        "max-lines",
        "config-version",
        "effective-change",
      ]);
    },
  },
  { name: "correct-bad-restore", verdict: "pass" },
  { name: "lasuite-bad-restore-map-labels", verdict: "pass" },
  {
    name: "emptied-compose",
    verdict: "fail",
    fails: ["not-emptied", "yaml-valid", "compose-valid", "lines", "keys", "max-lines"],
    assert: (r) => {
      const emptied = r.checks.find((c) => c.id === "not-emptied");
      expect(emptied?.message).toBe(
        "compose.yml was emptied (48 lines at the merge-base, none now)",
      );
    },
  },
  {
    name: "deleted-compose",
    verdict: "fail",
    // abra deploys compose.yml, which is gone.
    fails: ["not-emptied", "compose-valid", "lines", "keys", "max-lines"],
  },
  {
    name: "compose-null-document",
    verdict: "fail",
    fails: ["yaml-valid", "compose-valid", "lines", "keys", "max-lines"],
  },
  {
    name: "truncated-compose",
    verdict: "fail",
    fails: ["compose-valid", "lines", "keys", "max-lines"],
    assert: (r) => {
      const compose = r.checks.find((c) => c.id === "compose-valid");
      expect([compose?.message, ...(compose?.details ?? [])].join("\n")).toContain(
        'volume "content" used by service "app" is not declared',
      );
      expect(idsWith(r, "pass")).toContain("yaml-valid"); // it still parses: only compose-valid sees it
    },
  },
  {
    name: "crlf-churn",
    verdict: "fail",
    fails: ["whitespace-churn", "lines", "max-lines"],
    assert: (r) => {
      expect(r.checks.find((c) => c.id === "whitespace-churn")?.message).toBe(
        "compose.yml: 48 of 49 added lines differ only in line endings (CRLF/LF) from the line they replace, which hides the real change",
      );
    },
  },
  { name: "crlf-churn-allowed", verdict: "pass" },
  { name: "mode-change", verdict: "fail", fails: ["mode"] },
  {
    name: "stray-extra-file",
    verdict: "fail",
    fails: ["paths", "lines", "max-lines"],
    assert: (r) => expect(r.checks.find((c) => c.id === "paths")?.message).toContain("README.md"),
  },
  {
    name: "no-op-fixture",
    verdict: "fail",
    fails: ["change-present"],
    assert: (r) =>
      expect(r.checks.find((c) => c.id === "change-present")?.message).toContain(
        "already part of main",
      ),
  },
  {
    name: "force-pushed",
    verdict: "fail",
    fails: ["sha-on-branch"],
    assert: (r) => {
      expect(idsWith(r, "pass")).toContain("sha-exists"); // it exists: it is just no longer on the branch
      expect(r.checks.find((c) => c.id === "sha-on-branch")?.message).toContain(
        "force-pushed or rebased",
      );
    },
  },
  { name: "sha-does-not-exist", verdict: "fail", fails: ["sha-exists"] },
  {
    name: "ambiguous-prefix",
    verdict: "fail",
    fails: ["sha-exists"],
    assert: (r) => {
      const c = r.checks.find((x) => x.id === "sha-exists");
      expect(c?.message).toContain("is ambiguous");
      expect(c?.details).toHaveLength(2);
    },
  },
  {
    name: "base-moved-upstream",
    verdict: "pass",
    assert: (r) =>
      expect(r.files.map((f) => `${f.path} +${f.added} -${f.removed}`)).toEqual([
        "compose.yml +1 -0",
      ]),
  },
  { name: "main-merged-into-fixture", verdict: "pass" },
  { name: "two-file-targeted-change", verdict: "pass" },
  {
    name: "rename",
    verdict: "fail",
    fails: ["paths"],
    warns: ["effective-change"],
    assert: (r) =>
      expect(r.files[0]).toMatchObject({
        status: "renamed",
        oldPath: "README.md",
        path: "README.rst",
      }),
  },
  { name: "binary-file", verdict: "fail", fails: ["paths", "binary"], warns: ["effective-change"] },
  { name: "duplicate-yaml-keys", verdict: "fail", fails: ["yaml-valid", "compose-valid"] },
  { name: "symlink-compose", verdict: "fail", fails: ["yaml-valid", "compose-valid", "mode"] },
  { name: "utf16-compose", verdict: "fail", fails: ["yaml-valid", "compose-valid", "binary"] },
  {
    name: "pin-on-other-branch",
    verdict: "fail",
    fails: ["sha-on-branch"],
    assert: (r) =>
      expect(r.checks.find((c) => c.id === "sha-on-branch")?.message).toMatch(
        /^[0-9a-f]{12} is on regression-correct-bad-restore, not on regression-correct-bad-backup: the manifest names the wrong branch for this pin \(set branch: regression-correct-bad-restore\), or the pin was copied from another fixture$/,
      ),
  },
  { name: "tip-past-pin", verdict: "pass", warns: ["branch-tip"] },
  { name: "too-many-commits", verdict: "fail", fails: ["max-commits"] },
  {
    name: "annotated-tag-pin",
    verdict: "pass",
    assert: (r) => expect(r.checks[0]?.message).toContain("annotated tag"),
  },
  { name: "base-missing", verdict: "fail", fails: ["base-exists"] },
  { name: "branch-missing", verdict: "fail", fails: ["sha-on-branch"] },
  {
    name: "tree-as-pin",
    verdict: "fail",
    fails: ["sha-exists"],
    assert: (r) => expect(r.checks[0]?.message).toContain("is a tree"),
  },
  {
    name: "blob-as-pin",
    verdict: "fail",
    fails: ["sha-exists"],
    // The mirror holds no file contents; a full id it lacks is fetched by id, and then recognised.
    assert: (r) =>
      expect(r.checks[0]?.message).toMatch(
        /^[0-9a-f]{40} is a blob \([0-9a-f]{12}\), not a commit$/,
      ),
  },
  {
    name: "good-canary",
    verdict: "pass",
    // A good canary has no base: every check of a change is skipped, the pin's are not.
    assert: (r) =>
      expect(idsWith(r, "skip")).toEqual([
        "base-exists",
        "change-present",
        "paths",
        "not-emptied",
        "yaml-valid",
        "compose-valid",
        "whitespace-churn",
        "mode",
        "binary",
        "lines",
        "keys",
        "max-lines",
        "max-commits",
        "earlier-tiers",
        "config-version",
        "effective-change",
      ]),
  },
  { name: "also-breaks-install", verdict: "fail", fails: ["lines", "keys", "max-lines"] },
];

beforeAll(async () => {
  env = await createTestEnv();
  html = await recipeRepo(env.root, "custom-html", HTML);
  lasuite = await recipeRepo(env.root, "lasuite-like", LASUITE);
  const add = (f: Partial<Fixture> & Pick<Fixture, "name" | "branch" | "sha">) =>
    fixtures.push(fixture({ repo: HTML, base: "main", change: [backupLabelRule], ...f }));
  // Every fixture is cut from the recipe as published, even after main moves on (the patches
  // apply to that tree, and a moved base is the normal case).
  const published = (await html.git("rev-parse", "main")).trim();
  const cut = async (
    name: string,
    edit: (r: ScratchRepo) => Promise<void>,
    extra: Partial<Fixture> = {},
  ) =>
    add({
      name,
      branch: `regression-${name}`,
      sha: await fixtureBranch(html, `regression-${name}`, edit, { from: published }),
      ...extra,
    });

  await cut("correct-bad-backup", applyPatch("custom-html/bad-backup.patch"));
  await cut("correct-bad-restore", applyPatch("custom-html/bad-restore.patch"));
  fixtures.push(
    fixture({
      name: "lasuite-bad-restore-map-labels",
      repo: LASUITE,
      branch: "regression-bad-restore",
      sha: await fixtureBranch(
        lasuite,
        "regression-bad-restore",
        applyPatch("lasuite-like/bad-restore.patch"),
      ),
      base: "main",
      change: [
        rule("compose.yml", {
          lines: ["backupbot\\.restore\\.post-hook:"],
          keys: ["services.db.deploy.labels"],
          maxLines: 2,
        }),
      ],
    }),
  );
  await cut("emptied-compose", applyPatch("broken/custom-html--emptied-compose.patch"));
  await cut("deleted-compose", (r) => r.remove("compose.yml"));
  await cut("compose-null-document", applyPatch("broken/custom-html--compose-null-document.patch"));
  await cut("truncated-compose", applyPatch("broken/custom-html--bad-backup-truncated.patch"));
  await cut("crlf-churn", applyPatch("broken/custom-html--bad-backup-crlf-churn.patch"));
  const crlf = fixtures.at(-1) as Fixture;
  add({
    name: "crlf-churn-allowed",
    branch: crlf.branch,
    sha: crlf.sha,
    change: [rule("compose.yml", { allow: ["whitespace"] })],
  });
  await cut("mode-change", applyPatch("broken/custom-html--bad-backup-plus-mode-change.patch"));
  await cut("stray-extra-file", applyPatch("broken/custom-html--bad-backup-plus-unrelated.patch"));
  // No-op: the fixture branch was pushed without the fixture commit; the pin is main's tip.
  const mainTip = published;
  await html.checkout("regression-no-op", { create: true, from: "main" });
  await html.push("regression-no-op");
  await html.checkout("main");
  add({ name: "no-op-fixture", branch: "regression-no-op", sha: mainTip });

  // Force-push: pinned, seen by the bot (warm mirror), then the branch is rebuilt without the pin.
  const lost = await fixtureBranch(
    html,
    "regression-force-pushed",
    applyPatch("custom-html/bad-backup.patch"),
  );
  await env.workspace.sync(HTML);
  await fixtureBranch(html, "regression-force-pushed", applyPatch("custom-html/bad-restore.patch"));
  add({ name: "force-pushed", branch: "regression-force-pushed", sha: lost });

  add({
    name: "sha-does-not-exist",
    branch: "regression-correct-bad-backup",
    sha: "0123456789abcdef0123456789abcdef01234567",
  });

  const { prefix, shas } = await collidingCommits(html, mainTip);
  await html.git("branch", "-f", "regression-ambiguous", shas[0]);
  await html.git("branch", "-f", "regression-ambiguous-twin", shas[1]);
  await html.push("regression-ambiguous", "regression-ambiguous-twin");
  add({ name: "ambiguous-prefix", branch: "regression-ambiguous", sha: prefix });

  // Base moved on: upstream bumps nginx and adds a release after the fixture was cut (A1).
  const beforeUpstream = await fixtureBranch(
    html,
    "regression-base-moved",
    applyPatch("custom-html/bad-backup.patch"),
  );
  add({ name: "base-moved-upstream", branch: "regression-base-moved", sha: beforeUpstream });
  // main merged into a fixture branch afterwards (A2): still one targeted change.
  const mergedBranch = "regression-main-merged";
  await fixtureBranch(html, mergedBranch, applyPatch("custom-html/bad-backup.patch"));

  await html.write({
    "compose.yml": (await html.git("show", "main:compose.yml")).replace(
      "nginx:1.27",
      "nginx:1.27.4",
    ),
    "release/1.0.1+1.27.4": "Upgrades nginx to 1.27.4.\n",
  });
  await html.commit("chore: publish 1.0.1+1.27.4");
  await html.push("main");
  await html.checkout(mergedBranch);
  await html.git("merge", "--quiet", "--no-edit", "main");
  const merged = (await html.git("rev-parse", "HEAD")).trim();
  await html.push(mergedBranch);
  await html.checkout("main");
  add({ name: "main-merged-into-fixture", branch: mergedBranch, sha: merged });

  // Two files, one logical change (A3): template edit plus its version bump.
  await cut("two-file-targeted-change", applyPatch("custom-html/bad-custom.patch"), {
    change: [
      rule("nginx.conf.tmpl", { lines: ["^\\s*types \\{"], maxLines: 1 }),
      rule("abra.sh", { lines: ["^export NGINX_CONF_VERSION="], maxLines: 2 }),
    ],
  });
  await cut("rename", (r) => r.git("mv", "README.md", "README.rst").then(() => undefined));
  await cut("binary-file", (r) =>
    r.write({ "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 0]) }),
  );
  fixtures.push(
    fixture({
      name: "duplicate-yaml-keys",
      repo: LASUITE,
      branch: "regression-duplicate-labels",
      sha: await fixtureBranch(
        lasuite,
        "regression-duplicate-labels",
        applyPatch("broken/lasuite-like--duplicate-labels-key.patch"),
      ),
      base: "main",
      change: [rule("compose.yml")],
    }),
  );
  await cut("symlink-compose", applyPatch("broken/custom-html--compose-symlink.patch"), {
    change: [rule("compose.yml")],
  });
  await cut("utf16-compose", applyPatch("broken/custom-html--compose-utf16.patch"), {
    change: [rule("compose.yml")],
  });
  const restorePin = (fixtures.find((f) => f.name === "correct-bad-restore") as Fixture).sha;
  add({ name: "pin-on-other-branch", branch: "regression-correct-bad-backup", sha: restorePin });

  const tipPastPin = await fixtureBranch(
    html,
    "regression-tip-past-pin",
    applyPatch("custom-html/bad-backup.patch"),
  );
  await html.checkout("regression-tip-past-pin");
  await writeFile(join(html.dir, "NOTES"), "notes\n");
  await html.commit("later work on the branch");
  await html.push("regression-tip-past-pin");
  await html.checkout("main");
  add({ name: "tip-past-pin", branch: "regression-tip-past-pin", sha: tipPastPin });
  add({ name: "too-many-commits", branch: mergedBranch, sha: merged, maxCommits: 1 });

  await html.git("tag", "-a", "-m", "canary", "canary-bad-backup", "regression-correct-bad-backup");
  await html.git("push", "--quiet", "origin", "refs/tags/canary-bad-backup");
  const tagObject = (await html.git("rev-parse", "canary-bad-backup")).trim();
  add({ name: "annotated-tag-pin", branch: "regression-correct-bad-backup", sha: tagObject });
  add({
    name: "base-missing",
    branch: "regression-correct-bad-backup",
    sha: fixtures[0]?.sha as string,
    base: "no-such-base",
  });
  add({
    name: "branch-missing",
    branch: "regression-no-such-branch",
    sha: fixtures[0]?.sha as string,
  });
  add({
    name: "tree-as-pin",
    branch: "main",
    sha: (await html.git("rev-parse", "main^{tree}")).trim(),
  });
  add({
    name: "blob-as-pin",
    branch: "main",
    sha: (await html.git("rev-parse", `${published}:compose.yml`)).trim(),
  });
  fixtures.push(
    fixture({
      name: "good-canary",
      repo: HTML,
      branch: "main",
      sha: (await html.git("rev-parse", "main")).trim(),
    }),
  );
  await cut(
    "also-breaks-install",
    applyPatch("broken/custom-html--bad-backup-also-breaks-install.patch"),
  );

  for (const r of await env.verify(fixtures)) results.set(r.name, r);
});

afterAll(async () => {
  await env?.cleanup();
});

describe("fixture scenarios on real repositories", () => {
  it("covers every row", () => {
    expect([...results.keys()].sort()).toEqual(rows.map((r) => r.name).sort());
  });

  it.each(rows)("$name -> $verdict", (row) => {
    const result = results.get(row.name) as FixtureResult;
    const failing = idsWith(result, "fail");
    expect({ verdict: result.verdict, error: result.error }).toEqual({
      verdict: row.verdict,
      error: null,
    });
    // The exact set: follow-on failures reach the status line, so they are pinned too.
    expect(failing).toEqual(row.fails ?? []);
    expect(idsWith(result, "warn")).toEqual(row.warns ?? []);
    for (const c of result.checks) {
      expect(c.message.length).toBeGreaterThan(0);
      expect(c.message).not.toContain("\n");
    }
    row.assert?.(result);
  });
});
