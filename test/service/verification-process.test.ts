/**
 * Issue 20's failure paths, in the service: a job whose verification process dies ends in an
 * `error` status that says so, and the next job is verified by a fresh process; one whose process
 * never answers ends at its deadline. The faults are injected in the verification process itself
 * (FIXTURE_BOT_FAILPOINT_FILE, read at each request); SIGTERM mid-job is
 * test/ops/lifecycle.test.ts's.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BAD_BACKUP, harnessPerTest, REPO } from "../helpers/service.ts";

const harness = harnessPerTest(BAD_BACKUP);

const statuses = (h: Awaited<ReturnType<typeof harness.start>>, sha: string) =>
  h.gitea.statuses(REPO, sha).map((s) => `${s.status}: ${s.description}`);

describe("the job's verification process fails", () => {
  it("dies: the job ends in an error that says so, and the next job gets a fresh process", async () => {
    const armed = join(process.env.TMPDIR ?? "/tmp", `failpoint-${process.pid}-crash`);
    await writeFile(armed, "");
    process.env.FIXTURE_BOT_FAILPOINT_FILE = armed;
    try {
      const h = await harness.start();
      const { number, headSha } = h.gitea.openPull(REPO, {
        head: BAD_BACKUP.branch,
        base: "main",
        author: "maintainer",
      });
      await writeFile(armed, "verify-crash:bad-backup");
      await h.pullRequest("opened", number);
      await h.service.idle();
      expect(statuses(h, headSha)).toEqual([
        "pending: verifying 1…",
        "error: fixture-bot could not finish: the verification process died (SIGKILL)",
      ]);
      // Disarmed, a /verify is verified by a new process.
      await writeFile(armed, "");
      await h.comment(number, "/verify", h.maintainer);
      await h.service.idle();
      expect(statuses(h, headSha).at(-1)).toBe("success: bad-backup passes");
    } finally {
      delete process.env.FIXTURE_BOT_FAILPOINT_FILE;
    }
  });

  it("never answers: the job ends at its deadline, and the next job is verified", async () => {
    const armed = join(process.env.TMPDIR ?? "/tmp", `failpoint-${process.pid}-hang`);
    await writeFile(armed, "");
    process.env.FIXTURE_BOT_FAILPOINT_FILE = armed;
    try {
      // The deadline bounds the hung job, and the disarmed one after it must finish within it:
      // a fresh verification process (started through tsx in tests) on a loaded 2-core machine
      // took more than 2 s, so the margin is 6 s.
      const h = await harness.start({ env: { JOB_TIMEOUT: "6s" } });
      const { number, headSha } = h.gitea.openPull(REPO, {
        head: BAD_BACKUP.branch,
        base: "main",
        author: "maintainer",
      });
      await writeFile(armed, "verify-hang:bad-backup");
      await h.pullRequest("opened", number);
      await h.service.idle();
      expect(statuses(h, headSha)).toEqual([
        "pending: verifying 1…",
        "error: fixture-bot timed out: the job took too long",
      ]);
      await writeFile(armed, "");
      await h.comment(number, "/verify", h.maintainer);
      await h.service.idle();
      expect(statuses(h, headSha).at(-1)).toBe("success: bad-backup passes");
    } finally {
      delete process.env.FIXTURE_BOT_FAILPOINT_FILE;
    }
  });
});
