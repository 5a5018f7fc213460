/**
 * Issue 17, "also": a job the service was stopped under three times is given up, and its PR head
 * gets an `error` status that says so, not a `pending` left until the reconcile. The three
 * interruptions are written into the job store as a killed process leaves them (state `running`,
 * attempts 3); test/ops/lifecycle.test.ts kills real processes.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Job, jobKey, jobRevision } from "../../src/queue/job.ts";
import { createJobStore } from "../../src/queue/job-store.ts";
import { openDatabase } from "../../src/store/database.ts";
import { BAD_BACKUP, type Harness, harnessPerTest, REPO } from "../helpers/service.ts";

const harness = harnessPerTest(BAD_BACKUP);

/** Stop the service, leave `job` as a process killed three times under it leaves it, start again. */
async function interruptedThrice(hh: Harness, job: Job): Promise<void> {
  await hh.service.stop(1_000);
  const db = openDatabase(join(hh.root, "data", "fixture-bot.sqlite"));
  try {
    createJobStore(db).add(job, jobKey(job), jobRevision(job));
    db.prepare("UPDATE jobs SET state = 'running', attempts = 3 WHERE id = ?").run(job.id);
  } finally {
    db.close();
  }
  await hh.restart();
}

const pullJob = (number: number, headSha: string): Job => ({
  id: "killed-three-times",
  deliveryId: "d-1",
  repo: REPO,
  receivedAt: new Date().toISOString(),
  kind: "pull",
  number,
  headSha,
  headRef: BAD_BACKUP.branch,
  baseRef: "main",
  trigger: "opened",
  only: null,
  fromFork: false,
  updatedAt: null,
});

const shown = (hh: Harness, sha: string) =>
  hh.gitea.statuses(REPO, sha).map((s) => `${s.context} ${s.status}: ${s.description}`);

describe("a job interrupted three times", () => {
  it("is not run again, and its PR head gets an error status that says so", async () => {
    const h = await harness.start();
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BAD_BACKUP.branch,
      base: "main",
      author: "maintainer",
    });
    await interruptedThrice(h, pullJob(number, headSha));
    await h.service.idle();
    // No pending: it did not verify. Only the error, in the PR's context.
    expect(shown(h, headSha)).toEqual([
      "fixture-bot/verify error: fixture-bot gave up: the service stopped 3 times while this ran; push or /verify to run it again",
    ]);
    expect(
      h.logs
        .filter((l) => l.msg === "job given up: it was interrupted too many times")
        .map((l) => l.attempts),
    ).toEqual([3]);
    // The reconcile leaves the decided error alone; a /verify runs it afresh.
    const summary = (await h.service.reconcile()) as { requeued: unknown[]; repaired: unknown[] };
    expect([summary.requeued, summary.repaired]).toEqual([[], []]);
    await h.comment(number, "/verify", h.maintainer);
    await h.service.idle();
    expect(shown(h, headSha).at(-1)).toBe("fixture-bot/verify success: bad-backup passes");
  });

  it("says nothing on a head that is no longer the PR's", async () => {
    const h = await harness.start();
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BAD_BACKUP.branch,
      base: "main",
      author: "maintainer",
    });
    await h.repo.checkout(BAD_BACKUP.branch);
    await h.repo.commit("a newer head");
    await h.repo.push(BAD_BACKUP.branch);
    await h.repo.checkout("main");
    h.gitea.syncPull(REPO, number, { at: new Date(Date.now() + 5_000) });
    await interruptedThrice(h, pullJob(number, headSha));
    await h.service.idle();
    expect(shown(h, headSha)).toEqual([]);
  });

  it("a push job gives up under the pins context, on the pushed commit", async () => {
    const h = await harness.start();
    const after = (await h.repo.git("rev-parse", BAD_BACKUP.branch)).trim();
    await interruptedThrice(h, {
      id: "push-killed",
      deliveryId: "d-2",
      repo: REPO,
      receivedAt: new Date().toISOString(),
      kind: "push",
      branch: BAD_BACKUP.branch,
      after,
      defaultBranch: "main",
    });
    await h.service.idle();
    expect(shown(h, after)).toEqual([
      "fixture-bot/verify/pins error: fixture-bot gave up: the service stopped 3 times while this ran; push or /verify to run it again",
    ]);
  });
});
