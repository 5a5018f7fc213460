/**
 * Every way out of a fault is a truthful, final state (issue 8): one deadline bounds the whole
 * job, `pending` comes before any git work, a late-stored `pending` does not win, a lost report
 * comment is repaired by the reconcile, a deleted fork's manifest PR is not trusted, and start-up
 * problems say what they are. Against the Gitea double and its fault injection.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.ts";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { startService } from "../../src/main.ts";
import { REPORT_MARKER } from "../../src/render/render-comment.ts";
import { ConfigError } from "../../src/shared/errors.ts";
import {
  BAD_BACKUP,
  type Harness,
  harnessPerTest,
  MANIFEST_REPO,
  REPO,
} from "../helpers/service.ts";
import { leaves } from "../render/gitea-markdown.ts";

const BRANCH = BAD_BACKUP.branch;

const harness = harnessPerTest(BAD_BACKUP);

const start = (options: { env?: Record<string, string>; manifestInRepo?: boolean } = {}) =>
  harness.start(options);

const statuses = (hh: Harness, sha: string, repo = REPO) =>
  hh.gitea.statuses(repo, sha).map((s) => `${s.status}: ${s.description}`);

/** Wait until `done()` (polling), or fail after `ms`: for things that happen in the background. */
async function eventually(done: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error("not reached in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("one deadline bounds the whole job", () => {
  it("shows pending before the fetch, and ends in error when git stalls past JOB_TIMEOUT", async () => {
    const hh = await start({ env: { JOB_TIMEOUT: "2s", GITEA_TIMEOUT: "1s" } });
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    const release = hh.gitea.holdGit();
    try {
      await hh.pullRequest("opened", number);
      // The author sees the bot at work while git is still stalled.
      await eventually(() => statuses(hh, headSha).length > 0);
      expect(statuses(hh, headSha)).toEqual(["pending: verifying 1…"]);
      // And the job ends, truthfully, while git still has not answered.
      await hh.service.idle();
      expect(statuses(hh, headSha)).toEqual([
        "pending: verifying 1…",
        "error: fixture-bot timed out: the job took too long",
      ]);
    } finally {
      release();
    }
  });

  it("frees the worker when a status POST hangs: the next job runs while it still hangs", async () => {
    const hh = await start({
      env: { JOB_TIMEOUT: "2s", GITEA_TIMEOUT: "60s", CONCURRENCY: "1" },
    });
    const first = hh.gitea.openPull(REPO, { head: BRANCH, base: "main", author: "maintainer" });
    const second = hh.gitea.openPull(REPO, { head: BRANCH, base: "main", author: "maintainer" });
    let posts = 0;
    // The first status POST (the first job's pending) hangs until the end of the test.
    const release = hh.gitea.hold(
      (r) => r.method === "POST" && r.path.includes("/statuses/") && ++posts === 1,
    );
    try {
      await hh.pullRequest("opened", first.number);
      await hh.pullRequest("opened", second.number);
      // With one worker, the second PR's report can only appear once the first job let go.
      const reported = (n: number) =>
        hh.gitea.comments(REPO, n).some((c) => c.body.startsWith(REPORT_MARKER));
      await eventually(() => reported(second.number), 30_000);
      expect(hh.logs.some((l) => l.msg === "job timed out")).toBe(true);
      // (Both PRs share their head commit, so its statuses hold both jobs' endings.)
      expect(statuses(hh, first.headSha)).toContain(
        "error: fixture-bot timed out: the job took too long",
      );
    } finally {
      release();
      await hh.service.idle();
    }
  });
});

describe("Retry-After is honoured within the job's deadline (issue 17 item 5)", () => {
  /**
   * A PR opened and delivered while the bot's reads of it fail `count` times as `failure` says;
   * resolves when the job has ended, with how long that took.
   */
  async function openedWhileRefused(
    env: Record<string, string>,
    count: number,
    failure: { status: number; retryAfter?: string },
  ) {
    const hh = await start({ env });
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    // (The payload is read from the double first: the failures are for the bot's reads.)
    const payload = await hh.pullRequestPayload("opened", number);
    hh.gitea.failNext(count, {
      ...failure,
      match: (r) => r.method === "GET" && r.path.endsWith(`/pulls/${number}`),
    });
    const began = Date.now();
    await hh.deliver("pull_request", payload);
    await hh.service.idle();
    return { hh, shown: statuses(hh, headSha), ms: Date.now() - began };
  }

  it("a proxy that answers 429 four times, asking for a second each time: the job waits and reports", async () => {
    const { hh, shown, ms } = await openedWhileRefused({}, 4, { status: 429, retryAfter: "1" });
    expect(shown).toEqual(["pending: verifying 1…", "success: bad-backup passes"]);
    // It waited as asked (four times a second), and said so in the log.
    expect(ms).toBeGreaterThanOrEqual(4_000);
    const waits = hh.logs.filter(
      (l) => l.msg === "Gitea API call refused for now; waiting as its Retry-After asks",
    );
    expect(waits.map((l) => [l.status, l.retryAfter, l.retryInMs])).toEqual([
      [429, "1", 1000],
      [429, "1", 1000],
      [429, "1", 1000],
      [429, "1", 1000],
    ]);
  });

  it("a wait past the job's deadline is not made: the job ends at once in an error that says why", async () => {
    const { shown, ms } = await openedWhileRefused({ JOB_TIMEOUT: "60s" }, 1, {
      status: 429,
      retryAfter: "120",
    });
    expect(ms).toBeLessThan(30_000);
    // (The PR's head is read before anything is posted: no pending came first.)
    expect(shown).toEqual([
      "error: fixture-bot could not finish: Gitea API error 429 (asked to wait 120 s (Retry-After), past the job's deadline)",
    ]);
  });

  it("a Gitea that keeps failing: the error status says how many attempts were made", async () => {
    const { shown } = await openedWhileRefused({}, 4, { status: 502 });
    expect(shown).toEqual([
      "error: fixture-bot could not finish: Gitea API error 502 (4 attempts)",
    ]);
  });
});

describe("a late-stored pending does not win", () => {
  it("reads the statuses back and posts the final state again", async () => {
    const hh = await start({ env: { GITEA_TIMEOUT: "500ms" } });
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    let posts = 0;
    const release = hh.gitea.hold(
      (r) => r.method === "POST" && r.path.includes("/statuses/") && ++posts === 1,
    );
    await hh.pullRequest("opened", number);
    await hh.service.idle();
    expect(statuses(hh, headSha)).toEqual(["success: bad-backup passes"]);
    // Gitea now stores the pending it had been sitting on: after the final state.
    release();
    await eventually(() => statuses(hh, headSha).length >= 2);
    expect(statuses(hh, headSha)[1]).toBe("pending: verifying 1…");
    // The bot looks again once such a write has surely landed, and puts the final state back on top.
    await eventually(() => statuses(hh, headSha).at(-1) === "success: bad-backup passes", 5_000);
    expect(
      hh.logs.some((l) => String(l.msg).startsWith("an older status of this job landed")),
    ).toBe(true);
  });
});

describe("the reconcile repairs a lost report comment", () => {
  it("writes the comment of a PR that has a verdict but no report comment, from its run", async () => {
    const hh = await start();
    const { number, headSha } = hh.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    hh.gitea.failNext(1, {
      status: 502,
      match: (r) => r.method === "POST" && r.path.endsWith(`/issues/${number}/comments`),
    });
    await hh.pullRequest("opened", number);
    await hh.service.idle();
    expect(statuses(hh, headSha).at(-1)).toBe("success: bad-backup passes");
    const reports = () =>
      hh.gitea.comments(REPO, number).filter((c) => c.body.startsWith(REPORT_MARKER));
    expect(reports()).toEqual([]);
    type Summary = { requeued: unknown[]; repaired: unknown[] };
    const summary = (await hh.service.reconcile()) as Summary;
    expect([summary.requeued, summary.repaired]).toEqual([
      [],
      [{ repo: REPO, number, what: "comment" }],
    ]);
    expect(reports()).toHaveLength(1);
    // Repaired: the next reconcile leaves it alone.
    const again = (await hh.service.reconcile()) as Summary;
    expect([again.requeued, again.repaired]).toEqual([[], []]);
  });
});

describe("one trust rule", () => {
  it("a manifest PR from a since-deleted fork is not re-queued by the reconcile, nor its manifest trusted", async () => {
    const hh = await start({ manifestInRepo: true });
    const repo = hh.manifestRepo as ScratchRepo;
    await repo.checkout("from-fork", { create: true, from: "main" });
    await repo.write({
      "fixtures.yaml": `${await repo.git("show", "main:fixtures.yaml")}  - name: evil\n    repo: someone/private-thing\n    branch: main\n    sha: abcdef1\n`,
    });
    await repo.commit("a fork's manifest");
    await repo.push("from-fork");
    await repo.checkout("main");
    const { headSha } = hh.gitea.openPull(MANIFEST_REPO, {
      head: "from-fork",
      base: "main",
      author: "reader",
      fromDeletedFork: true,
    });
    const summary = (await hh.service.reconcile()) as { requeued: unknown[] };
    await hh.service.idle();
    expect(summary.requeued).toEqual([]);
    expect(statuses(hh, headSha, MANIFEST_REPO)).toEqual([]);
  });
});

describe("start-up faults say what they are", () => {
  it("a Gitea answering 5xx at start is retried, and then said to be down (not a refused token)", async () => {
    const hh = await start();
    hh.gitea.failNext(100, { status: 502, match: (r) => r.path.endsWith("/user") });
    const error = await startService({
      env: {
        GITEA_URL: hh.gitea.url,
        GITEA_TOKEN: hh.bot.token,
        WEBHOOK_SECRET: "e2e-webhook-secret-0123456789abcdef",
        FIXTURES_FILE: hh.manifestPath,
        DATA_DIR: join(hh.root, "data-2"),
        PORT: "0",
        GITEA_TIMEOUT: "200ms",
      },
      logDestination: { write: () => undefined },
      giteaWaitMs: 1_500,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Gitea at ${hh.gitea.url.replace(/[.]/g, "\\.")} did not answer for \\d+ s \\(last attempt: HTTP 502, GET /user: failure injected by failNext\\(\\) \\(4 attempts\\)\\); is GITEA_URL right, and is Gitea up\\?$`,
      ),
    );
    expect((error as Error).message).not.toContain("refused");
  });

  it("a Gitea that comes back within the wait is used", async () => {
    const hh = await start();
    hh.gitea.failNext(2, { status: 503, match: (r) => r.path.endsWith("/user") });
    const service = await startService({
      env: {
        GITEA_URL: hh.gitea.url,
        GITEA_TOKEN: hh.bot.token,
        WEBHOOK_SECRET: "e2e-webhook-secret-0123456789abcdef",
        FIXTURES_FILE: hh.manifestPath,
        DATA_DIR: join(hh.root, "data-3"),
        PORT: "0",
        GITEA_TIMEOUT: "200ms",
        RECONCILE_INTERVAL: "0s",
      },
      logDestination: { write: () => undefined },
      giteaWaitMs: 10_000,
    });
    // It asked again until Gitea answered, and then served.
    const asked = hh.gitea.requests.filter((r) => r.path === "/api/v1/user").map((r) => r.status);
    expect(asked.slice(-3)).toEqual([503, 503, 200]);
    expect(service.port).toBeGreaterThan(0);
    await service.stop(1_000);
  });

  it.each([
    [
      "corrupt",
      async (dir: string) => {
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, "fixture-bot.sqlite"), "not a database ".repeat(300));
      },
    ],
    [
      "directory-shaped",
      async (dir: string) => mkdir(join(dir, "fixture-bot.sqlite"), { recursive: true }),
    ],
    ["unwritable", async (dir: string) => writeFile(dir, "DATA_DIR is a file, not a directory\n")],
  ])("a %s database is one line naming the file and what to do, and exit 2", async (_, damage) => {
    const hh = await start();
    const dataDir = join(hh.root, "broken-data");
    const file = join(dataDir, "fixture-bot.sqlite");
    await damage(dataDir);
    const err: string[] = [];
    const code = await main(["serve"], {
      stdout: () => undefined,
      stderr: (t) => void err.push(t),
      env: {
        GITEA_URL: hh.gitea.url,
        GITEA_TOKEN: hh.bot.token,
        WEBHOOK_SECRET: "e2e-webhook-secret-0123456789abcdef",
        FIXTURES_FILE: hh.manifestPath,
        DATA_DIR: dataDir,
        PORT: "0",
      },
      isTTY: false,
    });
    expect(code).toBe(2);
    const text = err.join("");
    expect(text.split("\n").filter(Boolean)).toHaveLength(1);
    expect(text).toMatch(
      new RegExp(
        `^the database ${file.replace(/[.]/g, "\\.")} cannot be used \\(.+\\): restore it from a backup, or move it aside \\(mv .+\\.bad\\) to start with an empty one`,
      ),
    );
    expect(text).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe("text from a pull request stays text in every reply", () => {
  it("a branch name with backticks, HTML and a mention is one code span in the reply", async () => {
    const hh = await start();
    const branch = "x`<img/src=x/onerror=alert(1)>`@maintainer";
    await hh.repo.checkout(branch, { create: true, from: "main" });
    await hh.repo.write({ "NOTES.md": "not a fixture\n" });
    await hh.repo.commit("a branch no fixture uses");
    await hh.repo.push(branch);
    await hh.repo.checkout("main");
    const { number } = hh.gitea.openPull(REPO, {
      head: branch,
      base: "main",
      author: "maintainer",
    });
    await hh.comment(number, "/verify", hh.maintainer);
    await hh.service.idle();
    const replies = hh.gitea
      .comments(REPO, number)
      .filter((c) => c.user.login === hh.bot.login)
      .map((c) => c.body);
    expect(replies).toHaveLength(1);
    const nodes = leaves(replies[0] as string);
    // No HTML, no link or image, and the only mention is the one the bot meant (the commenter).
    expect(
      nodes.filter((n) => ["html_inline", "html_block", "link", "image"].includes(n.type)),
    ).toEqual([]);
    expect(nodes.find((n) => n.type === "code")?.literal).toContain("<img/src=x/onerror=alert(1)>");
    const prose = nodes
      .filter((n) => n.type === "text")
      .map((n) => n.literal)
      .join(" ");
    expect(prose.match(/@[\p{L}\p{N}_-]+/gu)).toEqual(["@maintainer"]);
    expect(prose).toContain("nothing to verify: no fixture uses branch");
  });
});
