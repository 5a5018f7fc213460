/**
 * Regressions found by a cold review of the service: each once put a wrong result on a status or
 * comment (a PR turned green or red by the wrong job), or let untrusted input reach places it
 * should not.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { REPORT_MARKER } from "../../src/render/render-comment.ts";
import { applyPatch, fixtureBranch } from "../helpers/recipes.ts";
import { type Harness, MANIFEST_REPO, REPO, startHarness } from "../helpers/service.ts";

const BRANCH = "regression-bad-image";
/** Two fixtures on one branch (as bad-install and bad-upgrade share one in the real manifest). */
const twoFixtures = (pins: Record<string, string>) => `version: 1
fixtures:
  - name: bad-install
    repo: ${REPO}
    branch: ${BRANCH}
    sha: ${pins.image}
    base: main
    change:
      - path: compose.yml
        lines: '^\\s*image: '
        max_lines: 2
  - name: bad-upgrade
    repo: ${REPO}
    branch: ${BRANCH}
    sha: ${pins.image}
    base: main
    change:
      - path: compose.yml
        lines: 'backupbot'
`;

let h: Harness | null = null;
afterEach(async () => {
  if (h) {
    expect(h.gitea.violations).toEqual([]);
    await h.close();
    h = null;
  }
});

async function start(
  options: { env?: Record<string, string>; manifestInRepo?: boolean } = {},
): Promise<Harness> {
  h = await startHarness({
    manifest: twoFixtures,
    setup: async (repo: ScratchRepo) => ({
      image: await fixtureBranch(repo, BRANCH, applyPatch("custom-html/bad-install.patch")),
    }),
    ...options,
  });
  return h;
}

const statusesOf = (hh: Harness, repo: string, sha: string) =>
  hh.gitea.statuses(repo, sha).map((s) => `${s.context} ${s.status}: ${s.description}`);

describe("a push and a PR event for the same head", () => {
  it("report under separate contexts, so the push never overwrites the PR's verdict", async () => {
    const hh = await start();
    // Only bad-install's rule allows this change: the PR (both fixtures) fails on bad-upgrade.
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    await hh.pullRequest("synchronized", number);
    await hh.push(BRANCH, "0".repeat(39).concat("1"), headSha);
    await hh.service.idle();
    const own = statusesOf(hh, REPO, headSha);
    expect(own.filter((s) => s.startsWith("fixture-bot/verify "))).toEqual([
      "fixture-bot/verify pending: verifying 2…",
      "fixture-bot/verify failure: 1 of 2 fail: bad-upgrade (lines)",
    ]);
    expect(own.filter((s) => s.startsWith("fixture-bot/verify/pins "))).toEqual([
      "fixture-bot/verify/pins pending: verifying 2 pinned…",
      "fixture-bot/verify/pins failure: 1 of 2 fail: bad-upgrade (lines)",
    ]);
  });
});

describe("/verify with fixture names", () => {
  it("naming no fixture of the PR gets a reply and leaves the status alone", async () => {
    const hh = await start();
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    await hh.pullRequest("opened", number);
    await hh.service.idle();
    const before = statusesOf(hh, REPO, headSha);
    await hh.comment(number, "/verify no-such-fixture", hh.maintainer);
    await hh.service.idle();
    expect(statusesOf(hh, REPO, headSha)).toEqual(before);
    const reply = hh.gitea
      .comments(REPO, number)
      .find((c) => c.user.login === "fixture-bot" && !c.body.startsWith(REPORT_MARKER));
    expect(reply?.body).toBe(
      "@maintainer no fixture named `no-such-fixture` in this pull request (fixtures here: `bad-install`, `bad-upgrade`).",
    );
  });

  it("naming some fixtures re-verifies those and keeps the others' results: a failing PR stays failing", async () => {
    const hh = await start();
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    await hh.pullRequest("opened", number);
    await hh.service.idle();
    await hh.comment(number, "/verify bad-install", hh.maintainer);
    await hh.service.idle();
    const last = hh.gitea.statuses(REPO, headSha).at(-1);
    expect(last).toMatchObject({
      status: "failure",
      description: "1 of 2 fail: bad-upgrade (lines)",
    });
    const report = hh.gitea.comments(REPO, number).find((c) => c.body.startsWith(REPORT_MARKER));
    expect(report?.body).toContain("| `bad-upgrade` | ❌ fail | `lines` |");
    expect(report?.body).toContain("after /verify by @\u200bmaintainer");
  });

  it("on a closed PR gets a reply and runs nothing", async () => {
    const hh = await start();
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    hh.gitea.closePull(REPO, number);
    await hh.comment(number, "/verify", hh.maintainer);
    await hh.service.idle();
    expect(hh.gitea.statuses(REPO, headSha)).toEqual([]);
    expect(hh.gitea.comments(REPO, number).at(-1)?.body).toBe(
      "@maintainer this pull request is closed; there is nothing to verify.",
    );
  });
});

describe("failures never pass", () => {
  it("a fetch that fails on a manifest-repository PR is an error status, not success", async () => {
    const hh = await start({ manifestInRepo: true });
    const repo = hh.manifestRepo as ScratchRepo;
    await repo.checkout("add", { create: true, from: "main" });
    await repo.write({
      "fixtures.yaml": `${await repo.git("show", "main:fixtures.yaml")}  - name: other\n    repo: ${REPO}\n    branch: main\n    sha: abcdef1\n`,
    });
    await repo.commit("add a fixture");
    await repo.push("add");
    await repo.checkout("main");
    const { number, headSha } = hh.gitea.openPull(MANIFEST_REPO, {
      head: "add",
      base: "main",
      author: "maintainer",
    });
    hh.gitea.failGitNext(5, 500);
    await hh.pullRequest("opened", number, { repo: MANIFEST_REPO });
    await hh.service.idle();
    expect(hh.gitea.statuses(MANIFEST_REPO, headSha).at(-1)).toMatchObject({
      status: "error",
      description: "fixture-bot could not finish: git failed (unreachable)",
    });
  });

  it("a fetch that fails on a fixture-branch PR reports 'could not check' without any local path", async () => {
    const hh = await start();
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    // A damaged mirror: git's error names the file by its full path under DATA_DIR.
    await writeFile(join(hh.root, "data", "mirrors", `${REPO}.git`, "config"), "[broken\n");
    await hh.pullRequest("opened", number);
    await hh.service.idle();
    expect(hh.gitea.statuses(REPO, headSha).at(-1)).toMatchObject({ status: "error" });
    const report = hh.gitea.comments(REPO, number).find((c) => c.body.startsWith(REPORT_MARKER));
    expect(report?.body).toContain("⚠️ Could not check: could not fetch");
    const published = [
      report?.body ?? "",
      ...hh.gitea.statuses(REPO, headSha).map((s) => s.description),
    ].join("\n");
    expect(published).not.toContain(hh.root);
    expect(published).not.toMatch(/\/tmp\/|file:\/\//);
    expect(report?.body).toContain("bad config line 1"); // git's own words, so the cause is findable
  });

  it("a job that runs past JOB_TIMEOUT ends in an error status", async () => {
    const hh = await start({ env: { JOB_TIMEOUT: "1ms" } });
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    await hh.pullRequest("opened", number);
    await hh.service.idle();
    expect(hh.gitea.statuses(REPO, headSha).at(-1)).toMatchObject({
      status: "error",
      description: "fixture-bot timed out: the job took too long",
    });
  });
});

describe("the manifest repository", () => {
  it("a redelivered old push does not bring an old manifest back", async () => {
    const hh = await start({ manifestInRepo: true });
    const repo = hh.manifestRepo as ScratchRepo;
    const first = (await repo.git("rev-parse", "main")).trim();
    const base = await repo.git("show", "main:fixtures.yaml");
    await repo.write({
      "fixtures.yaml": `${base}  - name: added-later\n    repo: ${REPO}\n    branch: main\n    sha: abcdef1\n`,
    });
    const second = await repo.commit("add a fixture");
    await repo.push("main");
    await hh.push("main", first, second, MANIFEST_REPO);
    await hh.service.idle();
    await hh.push("main", "0".repeat(40), first, MANIFEST_REPO); // an old delivery, redelivered
    await hh.service.idle();
    const reloads = hh.logs.filter((l) => l.msg === "manifest reloaded").map((l) => l.fixtures);
    expect(reloads).toEqual([3, 3]);
  });

  it("a PR from a fork is not verified until a writer asks", async () => {
    const hh = await start({ manifestInRepo: true });
    const { pullRequestPayload, delivery } = await import("../helpers/deliveries.ts");
    const payload = pullRequestPayload({
      action: "opened",
      repo: { fullName: MANIFEST_REPO, id: 2 },
      number: 9,
      head: { ref: "main", sha: "a".repeat(40) },
      base: { ref: "main", sha: "b".repeat(40) },
      sender: hh.reader,
    });
    const pr = payload.pull_request as { head: { repo: { full_name: string } } };
    pr.head.repo = { ...pr.head.repo, full_name: "reader/cc-ci" };
    const d = delivery("pull_request", payload, "e2e-webhook-secret-0123456789abcdef");
    const res = await hh.deliverRaw(d.body, d.headers);
    expect(await res.json()).toEqual({
      ignored:
        "a pull request from a fork to the manifest repository runs only on /verify by a writer",
    });
  });
});

describe("patches as the review found them", () => {
  it("a file name with a newline cannot add rows, mentions or images to the comment", async () => {
    const { renderComment } = await import("../../src/render/render-comment.ts");
    const hostile = 'ok.txt\n| x | y |\n@admin <img src="https://evil.example/p.png">';
    const body = renderComment({
      kind: "pull",
      repo: REPO,
      sha: "a".repeat(40),
      number: 1,
      trigger: "opened",
      manifestErrors: [],
      pins: [],
      unknownNames: [],
      results: [
        {
          name: "x",
          repo: REPO,
          branch: "b",
          sha: "a".repeat(40),
          base: "main",
          expect: null,
          resolvedSha: "a".repeat(40),
          mergeBase: "b".repeat(40),
          verdict: "fail",
          error: null,
          checks: [
            {
              id: "paths",
              status: "fail",
              message: `1 path outside the targeted change: ${hostile}`,
            },
          ],
          files: [
            {
              path: hostile,
              oldPath: null,
              status: "added",
              added: 1,
              removed: 0,
              binary: false,
              hunks: null,
            },
          ],
        },
      ],
    });
    expect(body).not.toMatch(/\n\| x \| y \|/);
    expect(body).not.toMatch(/(^|[^\u200b])@admin/m);
    // <img> may only appear as literal text inside a code span (an odd number of backticks before it).
    for (const line of body.split("\n")) {
      const at = line.indexOf("<img");
      if (at !== -1) expect((line.slice(0, at).match(/`/g) ?? []).length % 2).toBe(1);
    }
    expect(body).toContain("ok.txt␤");
  });
});
