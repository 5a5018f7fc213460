/**
 * Issue 18 in the service: a `status` delivery from the recipe CI on a canary's pinned commit
 * reads that canary's outcome again, shows it on the dashboard, and posts (and later clears) the
 * `…/outcomes` status on the fixtures repository; the bot's own statuses and other contexts are
 * ignored; the reconcile reads what a missed delivery would have brought.
 */
import { describe, expect, it } from "vitest";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { statusPayload } from "../helpers/deliveries.ts";
import { applyPatch, fixtureBranch } from "../helpers/recipes.ts";
import { harnessPerTest, MANIFEST_REPO, REPO } from "../helpers/service.ts";

const manifest = (pins: Record<string, string>) => `version: 1
ci:
  status_context: "recipe-ci/{tier}"
fixtures:
  - name: bad-backup
    repo: ${REPO}
    branch: regression-bad-backup
    sha: ${pins.backup}
    base: main
    tier: backup
`;

const harness = harnessPerTest({
  manifest,
  manifestInRepo: true,
  setup: async (repo: ScratchRepo) => ({
    backup: await fixtureBranch(
      repo,
      "regression-bad-backup",
      applyPatch("custom-html/bad-backup.patch"),
    ),
  }),
});

async function started() {
  const h = await harness.start();
  const ci = h.gitea.addUser("recipe-ci");
  h.gitea.setPermission(REPO, "recipe-ci", "write");
  const pin = (await h.repo.git("rev-parse", "regression-bad-backup")).trim();
  const head = (await (h.manifestRepo as ScratchRepo).git("rev-parse", "main")).trim();
  /** The recipe CI posts a status on the pin, and (unless told not to) Gitea delivers it. */
  const ciPosts = async (tier: string, state: string, options: { deliver?: boolean } = {}) => {
    h.gitea.addStatus(
      REPO,
      pin,
      { state: state as "success", context: `recipe-ci/${tier}` },
      { as: ci.login },
    );
    if (options.deliver === false) return null;
    const res = await h.deliver(
      "status",
      statusPayload({
        repo: { fullName: REPO },
        sha: pin,
        context: `recipe-ci/${tier}`,
        state,
        sender: ci,
      }),
    );
    await h.service.idle();
    return res;
  };
  const outcomesStatus = () =>
    h.gitea
      .statuses(MANIFEST_REPO, head)
      .filter((s) => s.context === "fixture-bot/verify/outcomes")
      .map((s) => `${s.status}: ${s.description} -> ${s.target_url}`);
  const dashboard = async () => (await fetch(`http://127.0.0.1:${h.service.port}/`)).text();
  return { h, ci, pin, head, ciPosts, outcomesStatus, dashboard };
}

describe("the recipe CI's statuses, as the service reads them", () => {
  it("a status on a canary's pin refreshes the dashboard and posts, then clears, the outcomes status", async () => {
    const { ciPosts, outcomesStatus, dashboard } = await started();
    // Nothing is off yet (no CI result): nothing is posted.
    expect(outcomesStatus()).toEqual([]);

    await ciPosts("install", "success");
    expect(await dashboard()).toContain("incomplete");
    expect(outcomesStatus()).toEqual([]);

    // The incident's shape: upgrade fails, backup never runs.
    const res = await ciPosts("upgrade", "failure");
    expect(res?.status).toBe(202);
    const page = await dashboard();
    expect(page).toContain('<span class="badge fail">wrong-tier</span>');
    expect(page).toContain("install ✓ upgrade ✗ backup – restore – custom –");
    expect(page).toContain("red at upgrade, expected at backup: backup never ran");
    expect(outcomesStatus()).toEqual([
      "failure: 1 canary off in the recipe CI: bad-backup (wrong-tier) -> https://fixture-bot.example.org/#outcomes",
    ]);

    // The same again changes nothing: nothing more is posted.
    await ciPosts("upgrade", "failure");
    expect(outcomesStatus()).toHaveLength(1);

    // The CI runs again: upgrade passes (nothing is off now, backup has yet to run), then the
    // canary goes red where it should. The status turns green, and says so when judged.
    await ciPosts("upgrade", "success");
    await ciPosts("backup", "failure");
    expect(await dashboard()).toContain('<span class="badge pass">as-expected</span>');
    expect(outcomesStatus()).toEqual([
      "failure: 1 canary off in the recipe CI: bad-backup (wrong-tier) -> https://fixture-bot.example.org/#outcomes",
      "success: no canary is off in the recipe CI (0 as expected, 1 not judged yet) -> https://fixture-bot.example.org/#outcomes",
      "success: no canary is off in the recipe CI (1 as expected) -> https://fixture-bot.example.org/#outcomes",
    ]);
  });

  it("ignores the bot's own statuses, other contexts, and commits no canary pins", async () => {
    const { h, ci, pin } = await started();
    const deliver = async (sha: string, context: string, sender: { id: number; login: string }) =>
      (await (
        await h.deliver(
          "status",
          statusPayload({ repo: { fullName: REPO }, sha, context, state: "failure", sender }),
        )
      ).json()) as Record<string, string>;
    expect(await deliver(pin, "recipe-ci/install", h.bot)).toEqual({
      ignored: "a status fixture-bot posted itself",
    });
    expect(await deliver(pin, "fixture-bot/verify", ci)).toEqual({
      ignored: 'context "fixture-bot/verify" is not the recipe CI\'s (recipe-ci/{tier})',
    });
    expect(await deliver(pin, "recipe-ci/lint", ci)).toEqual({
      ignored: 'context "recipe-ci/lint" is not the recipe CI\'s (recipe-ci/{tier})',
    });
    const main = (await h.repo.git("rev-parse", "main")).trim();
    expect(await deliver(main, "recipe-ci/install", ci)).toEqual({
      ignored: `${main.slice(0, 12)} is no canary's pin`,
    });
  });

  it("the reconcile reads what a missed delivery would have brought", async () => {
    const { h, ciPosts, outcomesStatus, dashboard } = await started();
    await ciPosts("install", "success", { deliver: false });
    await ciPosts("upgrade", "failure", { deliver: false });
    expect(outcomesStatus()).toEqual([]);
    const summary = (await h.service.reconcile()) as { outcomes: unknown[] };
    expect(summary.outcomes).toEqual([{ name: "bad-backup", outcome: "wrong-tier" }]);
    expect(outcomesStatus()).toEqual([
      "failure: 1 canary off in the recipe CI: bad-backup (wrong-tier) -> https://fixture-bot.example.org/#outcomes",
    ]);
    // fixture-bot's own checks passed this pin (the reconcile verified it): a gap, said plainly.
    expect(await dashboard()).toContain(
      "fixture-bot passed this fixture, but it went red at upgrade: that is a gap in fixture-bot&#39;s checks",
    );
  });
});
