/**
 * The manifest kept in a Gitea repository (FIXTURES_REPO): a PR that adds or changes fixtures gets
 * them verified, a PR that breaks the manifest fails with its line numbers, a PR that does not
 * touch it is left alone, and a push to the default branch reloads it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { REPORT_MARKER } from "../../src/render/render-comment.ts";
import { applyPatch, fixtureBranch } from "../helpers/recipes.ts";
import { type Harness, MANIFEST_REPO, REPO, startHarness } from "../helpers/service.ts";

const entry = (name: string, branch: string, sha: string) => `  - name: ${name}
    repo: ${REPO}
    branch: ${branch}
    sha: ${sha}
    base: main
    change:
      - path: compose.yml
        lines: 'backupbot\\.backup'
        max_lines: 2
`;

let h: Harness;
let pins: Record<string, string>;

beforeEach(async () => {
  h = await startHarness({
    manifestInRepo: true,
    manifest: (p) =>
      `version: 1\nfixtures:\n${entry("bad-backup", "regression-bad-backup", p.good as string)}`,
    setup: async (repo: ScratchRepo) => {
      pins = {
        good: await fixtureBranch(
          repo,
          "regression-bad-backup",
          applyPatch("custom-html/bad-backup.patch"),
        ),
        emptied: await fixtureBranch(
          repo,
          "regression-bad-restore",
          applyPatch("broken/custom-html--emptied-compose.patch"),
        ),
      };
      return pins;
    },
  });
});

afterEach(async () => {
  expect(h.gitea.violations).toEqual([]);
  await h.close();
});

/** Open a PR in the manifest repository whose branch edits fixtures.yaml (or another file). */
async function manifestPr(
  branch: string,
  files: Record<string, string>,
): Promise<{ number: number; headSha: string }> {
  const repo = h.manifestRepo as ScratchRepo;
  await repo.checkout(branch, { create: true, from: "main" });
  await repo.write(files);
  await repo.commit(`edit ${Object.keys(files).join(", ")}`);
  await repo.push(branch);
  await repo.checkout("main");
  return h.gitea.openPull(MANIFEST_REPO, { head: branch, base: "main", author: "maintainer" });
}

const current = () =>
  `version: 1\nfixtures:\n${entry("bad-backup", "regression-bad-backup", pins.good as string)}`;

describe("a manifest in FIXTURES_REPO", () => {
  it("verifies the fixtures a PR adds, and reports on that PR", async () => {
    const added = `${current()}${entry("bad-restore", "regression-bad-restore", pins.emptied as string)}`;
    const { number, headSha } = await manifestPr("add-restore", { "fixtures.yaml": added });
    expect((await h.pullRequest("opened", number, { repo: MANIFEST_REPO })).status).toBe(202);
    await h.service.idle();
    const final = h.gitea.statuses(MANIFEST_REPO, headSha).at(-1);
    expect(final?.status).toBe("failure");
    expect(final?.description).toBe(
      "failed: bad-restore (not-emptied, yaml-valid, compose-valid +2)",
    );
    const [report] = h.gitea
      .comments(MANIFEST_REPO, number)
      .filter((c) => c.body.startsWith(REPORT_MARKER));
    expect(report?.body).toContain("#### ❌ `bad-restore`: fail");
    expect(report?.body).not.toContain("`bad-backup`"); // unchanged fixtures are not re-verified
  });

  it("fails a PR that breaks the manifest, with the line and column", async () => {
    const broken = current().replace(`sha: ${pins.good}`, "sha: e1e3");
    const { number, headSha } = await manifestPr("broken", { "fixtures.yaml": broken });
    await h.pullRequest("opened", number, { repo: MANIFEST_REPO });
    await h.service.idle();
    expect(h.gitea.statuses(MANIFEST_REPO, headSha).at(-1)).toMatchObject({
      status: "failure",
      description: "manifest does not load: 1 problem",
    });
    const report = h.gitea.comments(MANIFEST_REPO, number)[0];
    expect(report?.body).toContain(
      'fixtures.yaml:6:10 fixture "bad-backup": sha "e1e3" must be 7 to 40 hex characters',
    );
  });

  it("leaves a PR that does not touch the manifest alone", async () => {
    const { number, headSha } = await manifestPr("docs", {
      "README.md": "# cc-ci\n\nMore words.\n",
    });
    await h.pullRequest("opened", number, { repo: MANIFEST_REPO });
    await h.service.idle();
    expect(h.gitea.statuses(MANIFEST_REPO, headSha)).toEqual([]);
    expect(h.gitea.comments(MANIFEST_REPO, number)).toEqual([]);
    // It has no status, but it was handled: the reconcile does not queue it again and again.
    const summary = (await h.service.reconcile()) as { requeued: unknown[] };
    expect(summary.requeued).toEqual([]);
  });

  it("reloads on a push to the default branch, so new fixture branches are watched", async () => {
    const { number: prNumber } = h.gitea.openPull(REPO, {
      head: "regression-bad-restore",
      base: "main",
      author: "maintainer",
    });
    expect(await (await h.pullRequest("opened", prNumber)).json()).toEqual({
      ignored: `no fixture in ${REPO} uses branch regression-bad-restore`,
    });

    const repo = h.manifestRepo as ScratchRepo;
    const before = (await repo.git("rev-parse", "main")).trim();
    await repo.write({
      "fixtures.yaml": `${current()}${entry("bad-restore", "regression-bad-restore", pins.emptied as string)}`,
    });
    const after = await repo.commit("add bad-restore");
    await repo.push("main");
    await h.push("main", before, after, MANIFEST_REPO);
    await h.service.idle();
    expect(h.gitea.statuses(MANIFEST_REPO, after).at(-1)).toMatchObject({ status: "success" });
    expect(h.logs.some((l) => l.msg === "manifest reloaded" && l.fixtures === 2)).toBe(true);

    expect(await (await h.pullRequest("opened", prNumber)).json()).toEqual({
      queued: expect.any(String),
    });
    await h.service.idle();
  });

  it("keeps the manifest in use when a pushed one is broken, and fails that commit", async () => {
    const repo = h.manifestRepo as ScratchRepo;
    const before = (await repo.git("rev-parse", "main")).trim();
    await repo.write({ "fixtures.yaml": "version: 1\nfixtures:\n  - name: x\n    chnage: 1\n" });
    const after = await repo.commit("oops");
    await repo.push("main");
    await h.push("main", before, after, MANIFEST_REPO);
    await h.service.idle();
    expect(h.gitea.statuses(MANIFEST_REPO, after).at(-1)?.status).toBe("failure");
    expect(h.logs.some((l) => l.msg === "manifest did not reload; keeping the one in use")).toBe(
      true,
    );
  });
});
