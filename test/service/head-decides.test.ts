/**
 * Issue 17: what Gitea shows is the truth for the PR's current head. End to end through the real
 * service and the Gitea double: the head decides which job runs and which reports (arrival order,
 * redeliveries), links name the head they report, the reconcile compares with what Gitea shows
 * and repairs it from what the bot decided, Retry-After is honoured within the job's deadline.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { REPORT_MARKER } from "../../src/render/render-comment.ts";
import { applyPatch, fixtureBranch, readPatch } from "../helpers/recipes.ts";
import { type Harness, REPO, startHarness } from "../helpers/service.ts";

const BRANCH = "regression-bad-backup";
/** Another fixture's branch: its PR keeps the worker busy in the tests that need a queue. */
const OTHER = "regression-bad-restore";

const manifest = (pins: Record<string, string>) => `version: 1
fixtures:
  - name: bad-backup
    repo: ${REPO}
    branch: ${BRANCH}
    sha: ${pins["bad-backup"]}
    base: main
    tier: backup
  - name: bad-restore
    repo: ${REPO}
    branch: ${OTHER}
    sha: ${pins["bad-restore"]}
    base: main
    tier: restore
`;

let h: Harness;

async function start(env: Record<string, string> = {}): Promise<void> {
  h = await startHarness({
    manifest,
    env: { CONCURRENCY: "1", ...env },
    setup: async (repo: ScratchRepo) => ({
      "bad-backup": await fixtureBranch(
        repo,
        BRANCH,
        applyPatch("broken/custom-html--emptied-compose.patch"),
      ),
      "bad-restore": await fixtureBranch(repo, OTHER, applyPatch("custom-html/bad-restore.patch")),
    }),
  });
}

afterEach(async () => {
  expect(h.gitea.violations).toEqual([]);
  await h.close();
});

const statuses = (sha: string) =>
  h.gitea.statuses(REPO, sha).map((s) => `${s.status}: ${s.description}`);
const reports = (n: number) =>
  h.gitea.comments(REPO, n).filter((c) => c.body.startsWith(REPORT_MARKER));

/** A new commit on the fixture branch that fixes the canary (the PR's new head). */
async function fixBranch(): Promise<string> {
  await h.repo.checkout(BRANCH);
  await h.repo.git("checkout", "--quiet", "main", "--", "compose.yml");
  await h.repo.apply(await readPatch("custom-html/bad-backup.patch"));
  const sha = await h.repo.commit("canary: bad-backup, done right");
  await h.repo.push(BRANCH);
  await h.repo.checkout("main");
  return sha;
}

describe("item 1: the head decides, not the arrival", () => {
  beforeEach(() => start());

  it.each([
    {
      order: "the older head's delivery arrives after the newer one's (a Redelivery)",
      olderLast: true,
    },
    { order: "the older head's delivery arrives first, and waits", olderLast: false },
  ])("$order: only the PR's head is verified and reported", async ({ olderLast }) => {
    // PR 1 keeps the only worker busy (its git fetch is held), so PR 2's jobs wait in the queue.
    const blocker = h.gitea.openPull(REPO, { head: OTHER, base: "main", author: "maintainer" });
    const { number, headSha: older } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    const olderPayload = await h.pullRequestPayload("opened", number);
    const release = h.gitea.holdGit();
    await h.pullRequest("opened", blocker.number);

    const newer = await fixBranch();
    const deliverOlder = () => h.deliver("pull_request", olderPayload);
    if (!olderLast)
      expect((await (await deliverOlder()).json()) as object).toHaveProperty("queued");
    h.gitea.syncPull(REPO, number, { at: new Date(Date.now() + 5_000) });
    await h.pullRequest("synchronized", number);
    if (olderLast) {
      const answer = (await (await deliverOlder()).json()) as { ignored?: string };
      expect(answer.ignored).toBe("a job for a newer head of this pull request is already queued");
    }
    release();
    await h.service.idle();

    expect(statuses(older)).toEqual([]);
    expect(statuses(newer)).toEqual(["pending: verifying 1…", "success: bad-backup passes"]);
    expect(
      reports(number).map((c) => c.body.includes(`Verified \`${newer.slice(0, 12)}\``)),
    ).toEqual([true]);
    expect(h.logs.filter((l) => l.msg === "newer job replaces a queued one").length).toBe(
      olderLast ? 0 : 1,
    );
  });
});

describe("item 2: links name the head", () => {
  beforeEach(() => start());

  it("the comment links to its head's run; the PR's link to its current head's run", async () => {
    const { number, headSha: first } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    await h.pullRequest("opened", number);
    await h.service.idle();
    const second = await fixBranch();
    h.gitea.syncPull(REPO, number, { at: new Date(Date.now() + 5_000) });
    await h.pullRequest("synchronized", number);
    await h.service.idle();

    const body = reports(number)[0]?.body ?? "";
    const link = `https://fixture-bot.example.org/pulls/${REPO}/${number}/${second}`;
    expect(body).toContain(`[details](${link})`);
    // Each link ends on the run of the head it names; the PR's own link on its current head's.
    const runOf = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${h.service.port}${path}`, { redirect: "manual" });
      expect(res.status).toBe(302);
      return new URL(res.headers.get("location") as string, `http://x${path}`).pathname;
    };
    const [ofSecond, ofFirst, ofPull] = [
      await runOf(`/pulls/${REPO}/${number}/${second}`),
      await runOf(`/pulls/${REPO}/${number}/${first}`),
      await runOf(`/pulls/${REPO}/${number}`),
    ];
    expect(ofSecond).toMatch(/^\/runs\/\d+$/);
    expect(ofFirst).not.toBe(ofSecond);
    expect(ofPull).toBe(ofSecond);
    const res = await fetch(`http://127.0.0.1:${h.service.port}${ofFirst}`);
    expect(await res.text()).toContain(`, commit <code>${first.slice(0, 12)}</code>`);
  });
});
