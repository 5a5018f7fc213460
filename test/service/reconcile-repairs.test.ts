/**
 * Issue 17, items 3 and 4: the reconcile compares what Gitea shows for each open fixture PR's head
 * with what the bot last decided for that head, and puts back what Gitea lost from that decision,
 * without verifying again. Against the Gitea double, which can lose statuses and comments as a
 * Gitea restored from a backup does.
 */
import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { REPORT_MARKER } from "../../src/render/render-comment.ts";
import { BAD_BACKUP, type Harness, harnessPerTest, REPO } from "../helpers/service.ts";

const BRANCH = BAD_BACKUP.branch;

const harness = harnessPerTest(BAD_BACKUP);

async function opened(env: Record<string, string> = {}) {
  const hh = await harness.start({ env });
  const pull = hh.gitea.openPull(REPO, { head: BRANCH, base: "main", author: "maintainer" });
  await hh.pullRequest("opened", pull.number);
  await hh.service.idle();
  return { hh, ...pull };
}

type Summary = {
  requeued: { repo: string; number: number; reason: string }[];
  repaired: { repo: string; number: number; what: string }[];
};

const shown = (hh: Harness, sha: string, context = "fixture-bot/verify") =>
  hh.gitea
    .statuses(REPO, sha)
    .filter((s) => s.context === context)
    .map((s) => `${s.status}: ${s.description} -> ${s.target_url}`);

const pendingPosts = (hh: Harness, from: number) =>
  hh.gitea.requests
    .slice(from)
    .filter(
      (r) => r.method === "POST" && (r.body as { state?: string } | null)?.state === "pending",
    );

const reports = (hh: Harness, number: number) =>
  hh.gitea.comments(REPO, number).filter((c) => c.body.startsWith(REPORT_MARKER));

/**
 * The pull request jobs started since log line `from`. (The reconcile fetches every fixture's
 * mirror for its pin check, so git requests alone do not tell.)
 */
const jobsSince = (hh: Harness, from: number) =>
  hh.logs.slice(from).filter((l) => l.msg === "job started" && l.kind === "pull");

describe("the reconcile puts back what Gitea lost, from the bot's decision for that head", () => {
  it("statuses lost in Gitea are back after one reconcile, without a new verification", async () => {
    const { hh, number, headSha } = await opened();
    const before = shown(hh, headSha);
    expect(before.at(-1)).toMatch(
      /^success: bad-backup passes -> https:\/\/fixture-bot\.example\.org\/runs\/\d+$/,
    );
    const comment = reports(hh, number)[0]?.body;

    hh.gitea.dropStatuses(REPO, headSha);
    const mark = hh.logs.length;
    const posts = hh.gitea.requests.length;
    const summary = (await hh.service.reconcile()) as Summary;

    expect(summary.repaired).toEqual([{ repo: REPO, number, what: "status" }]);
    expect(summary.requeued).toEqual([]);
    await hh.service.idle();
    // The same final status, with the same link, and nothing verified again.
    expect(shown(hh, headSha)).toEqual([before.at(-1)]);
    expect(jobsSince(hh, mark)).toEqual([]);
    expect(pendingPosts(hh, posts)).toEqual([]);
    expect(reports(hh, number).map((c) => c.body)).toEqual([comment]);
    // Repaired: the next reconcile finds nothing to do.
    const again = (await hh.service.reconcile()) as Summary;
    expect([again.repaired, again.requeued]).toEqual([[], []]);
  });

  it("a status that differs from the decision (someone else wrote our context) is put back", async () => {
    const { hh, number, headSha } = await opened();
    hh.gitea.addStatus(
      REPO,
      headSha,
      { state: "failure", context: "fixture-bot/verify", description: "not what the bot decided" },
      { as: "maintainer", ageMs: 0 },
    );
    const summary = (await hh.service.reconcile()) as Summary;
    expect(summary.repaired).toEqual([{ repo: REPO, number, what: "status" }]);
    expect(shown(hh, headSha).at(-1)).toMatch(/^success: bad-backup passes -> /);
  });

  it("a report comment lost in Gitea is written again from the stored run, without a new verification", async () => {
    const { hh, number, headSha } = await opened();
    const comment = reports(hh, number)[0]?.body;
    expect(comment).toContain(headSha.slice(0, 12));

    hh.gitea.dropComments(REPO, number);
    const mark = hh.logs.length;
    const posts = hh.gitea.requests.length;
    const summary = (await hh.service.reconcile()) as Summary;

    expect(summary.repaired).toEqual([{ repo: REPO, number, what: "comment" }]);
    expect(summary.requeued).toEqual([]);
    expect(jobsSince(hh, mark)).toEqual([]);
    expect(pendingPosts(hh, posts)).toEqual([]);
    expect(reports(hh, number).map((c) => c.body)).toEqual([comment]);
  });

  it("a new STATUS_CONTEXT is posted on open PRs at the first reconcile after the restart", async () => {
    const { hh, headSha, number } = await opened();
    expect(shown(hh, headSha, "canaries")).toEqual([]);
    await hh.restart({ STATUS_CONTEXT: "canaries" });
    // The restart's own reconcile repairs it; one more finds nothing left to do.
    const summary = (await hh.service.reconcile()) as Summary;
    await hh.service.idle();
    expect([summary.repaired, summary.requeued]).toEqual([[], []]);
    expect(shown(hh, headSha, "canaries").map((s) => s.replace(/\d+$/, "N"))).toEqual([
      "success: bad-backup passes -> https://fixture-bot.example.org/runs/N",
    ]);
    expect(reports(hh, number)).toHaveLength(1);
  });

  it("a head with no decision (its delivery was lost) is verified", async () => {
    const { hh, number } = await opened();
    await hh.repo.checkout(BRANCH);
    await hh.repo.commit("canary: bad-backup, a commit with no change");
    await hh.repo.push(BRANCH);
    await hh.repo.checkout("main");
    const newHead = hh.gitea.syncPull(REPO, number, { at: new Date(Date.now() + 5_000) });
    // No delivery for the new head arrives.
    const summary = (await hh.service.reconcile()) as Summary;
    expect(summary.requeued).toEqual([{ repo: REPO, number, reason: "no status" }]);
    await hh.service.idle();
    expect(shown(hh, newHead).map((s) => s.split(" -> ")[0])).toEqual([
      "pending: verifying 1…",
      "success: bad-backup passes",
    ]);
  });

  it("a decision made with another manifest is verified again when its status is gone", async () => {
    const { hh, number, headSha } = await opened();
    // The manifest changes (read at the restart); Gitea still shows the status, so nothing is done.
    const text = await readFile(hh.manifestPath, "utf8");
    await writeFile(hh.manifestPath, text.replace("max_lines: 2", "max_lines: 3"));
    await hh.restart();
    hh.gitea.dropStatuses(REPO, headSha);
    const summary = (await hh.service.reconcile()) as Summary;
    expect(summary.repaired).toEqual([]);
    expect(summary.requeued).toEqual([{ repo: REPO, number, reason: "its status is gone" }]);
    await hh.service.idle();
    expect(shown(hh, headSha).at(-1)).toMatch(/^success: bad-backup passes -> /);
  });

  it("a pending younger than STALE_PENDING_AFTER is left to its job; an older one is verified again (issue 21, break 3)", async () => {
    const hh = await harness.start({ env: { STALE_PENDING_AFTER: "30s" } });
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    // A process posted `pending` and died before its final status: there is no decision here.
    const pending = (ageMs: number) => {
      hh.gitea.dropStatuses(REPO, headSha);
      hh.gitea.addStatus(
        REPO,
        headSha,
        { state: "pending", context: "fixture-bot/verify", description: "verifying 1…" },
        { as: "fixture-bot", ageMs },
      );
    };
    pending(5_000);
    expect(((await hh.service.reconcile()) as Summary).requeued).toEqual([]);
    pending(60_000);
    expect(((await hh.service.reconcile()) as Summary).requeued).toEqual([
      { repo: REPO, number, reason: "status stuck at pending" },
    ]);
  });
});
