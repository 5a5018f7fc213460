/**
 * `fixture-bot verify --format markdown` is a local preview of the report comment: for the same
 * fixture, it is the comment the service posts on a pull request from the fixture's branch, word
 * for word but for the line that says what was verified and why.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.ts";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { REPORT_MARKER } from "../../src/render/render-comment.ts";
import { captureIo } from "../helpers/cli-io.ts";
import { applyPatch, fixtureBranch } from "../helpers/recipes.ts";
import { harnessPerTest, REPO } from "../helpers/service.ts";

const harness = harnessPerTest({
  manifest: (pins) => `version: 1
fixtures:
  - name: bad-backup
    repo: ${REPO}
    branch: regression-bad-backup
    sha: ${pins.emptied}
    base: main
    tier: backup
    expect: red at backup
`,
  setup: async (repo: ScratchRepo) => ({
    emptied: await fixtureBranch(
      repo,
      "regression-bad-backup",
      applyPatch("broken/custom-html--emptied-compose.patch"),
    ),
  }),
});

describe("verify --format markdown", () => {
  it("prints the comment the service posts for the same fixture", async () => {
    const h = await harness.start();
    const { number } = h.gitea.openPull(REPO, {
      head: "regression-bad-backup",
      base: "main",
      author: "maintainer",
    });
    await h.pullRequest("opened", number);
    await h.service.idle();
    const [posted] = h.gitea.comments(REPO, number).filter((c) => c.body.startsWith(REPORT_MARKER));
    expect(posted).toBeDefined();

    const io = captureIo({
      GITEA_URL: h.gitea.url,
      GITEA_TOKEN: h.maintainer.token,
      DATA_DIR: join(h.root, "cli"),
    });
    expect(await main(["verify", "--config", h.manifestPath, "--format", "markdown"], io)).toBe(1);
    const preview = io.out().trimEnd().split("\n");
    const comment = (posted?.body ?? "").split("\n");
    const verifiedLine = (lines: string[]) => lines.findIndex((l) => l.startsWith("Verified "));
    expect(verifiedLine(preview)).toBe(verifiedLine(comment));
    expect(preview[verifiedLine(preview)]).toMatch(
      /^Verified `[0-9a-f]{12}` with `fixture-bot verify --format markdown`: a preview of the comment on a pull request from the fixture's branch$/,
    );
    const without = (lines: string[]) => lines.filter((_, i) => i !== verifiedLine(lines));
    expect(without(preview)).toEqual(without(comment));
    expect(preview).toContain(
      "**compose.yml was emptied:** restore it from `main` (`git checkout " +
        preview.join("\n").match(/git checkout ([0-9a-f]{12})/)?.[1] +
        ' -- compose.yml`), then change only `services.*.deploy.labels."backupbot.backup*"`.',
    );
  });
});
