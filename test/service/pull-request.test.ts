/**
 * End to end through the real server on a port, against the Gitea double (API + git over HTTP,
 * every request checked against Gitea's swagger): the status and the one report comment on a PR,
 * /verify, duplicates, force-pushes, a flaky and a dead API, and the token kept out of everything.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { REPORT_MARKER } from "../../src/render/render-comment.ts";
import { commentPayload, delivery } from "../helpers/deliveries.ts";
import { applyPatch, fixtureBranch, readPatch } from "../helpers/recipes.ts";
import { type Harness, REPO, SECRET, startHarness } from "../helpers/service.ts";

const BRANCH = "regression-bad-backup";

const manifest = (pins: Record<string, string>) => `version: 1
fixtures:
  - name: bad-backup
    repo: ${REPO}
    branch: ${BRANCH}
    sha: ${pins["bad-backup"]}
    base: main
    expect: red at backup
    change:
      - path: compose.yml
        lines: 'backupbot\\.backup'
        keys: [services.app.deploy.labels]
        max_lines: 2
`;

let h: Harness;
let emptied: string;

beforeEach(async () => {
  h = await startHarness({
    manifest,
    setup: async (repo: ScratchRepo) => {
      emptied = await fixtureBranch(
        repo,
        BRANCH,
        applyPatch("broken/custom-html--emptied-compose.patch"),
      );
      return { "bad-backup": emptied };
    },
  });
});

afterEach(async () => {
  expect(h.gitea.violations).toEqual([]); // every request the bot made, Gitea would have accepted
  await h.close();
});

const statuses = (sha: string) =>
  h.gitea.statuses(REPO, sha).map((s) => `${s.status}: ${s.description}`);
const reports = (n: number) =>
  h.gitea.comments(REPO, n).filter((c) => c.body.startsWith(REPORT_MARKER));

/**
 * Fix the fixture branch as a maintainer would: a new commit on top (`rewrite: false`), or the
 * branch cut again from main and force-pushed (`rewrite: true`), which drops the pinned commit.
 */
async function fixBranch(options: { rewrite?: boolean } = {}): Promise<string> {
  if (options.rewrite) await h.repo.checkout(BRANCH, { create: true, from: "main" });
  else await h.repo.checkout(BRANCH);
  await h.repo.git("checkout", "--quiet", "main", "--", "compose.yml");
  await h.repo.apply(await readPatch("custom-html/bad-backup.patch"));
  const sha = await h.repo.commit("canary: bad-backup, done right");
  await h.repo.push(BRANCH);
  await h.repo.checkout("main");
  return sha;
}

describe("a pull request from a fixture branch", () => {
  it("gets pending then failure, and one comment naming not-emptied", async () => {
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    const res = await h.pullRequest("opened", number);
    expect(res.status).toBe(202);
    await h.service.idle();

    expect(statuses(headSha)).toEqual([
      "pending: verifying 1…",
      "failure: failed: bad-backup (not-emptied, yaml-valid, compose-valid +3)",
    ]);
    const status = h.gitea.statuses(REPO, headSha).at(-1);
    expect(status).toMatchObject({
      context: "fixture-bot/verify",
      target_url: expect.stringMatching(/^https:\/\/fixture-bot\.example\.org\/runs\/\d+$/),
    });
    const [report] = reports(number);
    expect(reports(number)).toHaveLength(1);
    expect(report?.user.login).toBe("fixture-bot");
    expect(report?.body).toContain(
      "❌ **`not-emptied`** compose.yml was emptied (48 lines at the merge-base, none now)",
    );
    expect(report?.body).toContain("📌 The manifest already pins this head.");
  });

  it("turns success on a synchronized push of a fixed head, editing the same comment", async () => {
    const { number } = h.gitea.openPull(REPO, { head: BRANCH, base: "main", author: "maintainer" });
    await h.pullRequest("opened", number);
    await h.service.idle();
    const first = reports(number)[0];

    const fixed = await fixBranch();
    expect(h.gitea.syncPull(REPO, number)).toBe(fixed);
    await h.pullRequest("synchronized", number);
    await h.service.idle();

    expect(statuses(fixed)).toEqual(["pending: verifying 1…", "success: bad-backup passes"]);
    expect(reports(number)).toHaveLength(1);
    expect(reports(number)[0]?.id).toBe(first?.id);
    expect(reports(number)[0]?.body).toContain("✅ the fixture passes");
    expect(reports(number)[0]?.body).toContain(
      `📌 The manifest pins \`${emptied}\`, not this head. \`${emptied}\` is an older commit of \`${BRANCH}\`, and CI still runs it.`,
    );
    expect(reports(number)[0]?.body).toContain(`sha: ${fixed}`);

    // Redelivered from Gitea's UI (new delivery id, same event): same report, so no edit at all.
    const edits = () => h.gitea.requests.filter((r) => r.method === "PATCH").length;
    const before = edits();
    await h.pullRequest("synchronized", number);
    await h.service.idle();
    expect(statuses(fixed)).toHaveLength(4);
    expect(edits()).toBe(before);
  });

  it("runs the same delivery once", async () => {
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    const payload = await h.pullRequestPayload("opened", number);
    const d = delivery("pull_request", payload, SECRET, "11111111-2222-4333-8444-555555555555");
    const [a, b] = await Promise.all([
      h.deliverRaw(d.body, d.headers),
      h.deliverRaw(d.body, d.headers),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const bodies = [await a.json(), await b.json()];
    expect(bodies).toContainEqual({
      ignored: "delivery 11111111-2222-4333-8444-555555555555 was already received",
    });
    await h.service.idle();
    expect(statuses(headSha)).toHaveLength(2); // one pending, one final
    expect(reports(number)).toHaveLength(1);
  });

  it("reports nothing for a late delivery of a head that is no longer the PR's head", async () => {
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    const stale = await h.pullRequestPayload("opened", number); // delivered late, after new commits
    const fixed = await fixBranch();
    h.gitea.syncPull(REPO, number);
    await h.pullRequest("synchronized", number);
    await h.service.idle();
    await h.deliver("pull_request", stale);
    await h.service.idle();
    expect(statuses(headSha)).toEqual([]); // neither pending nor a verdict for the old head
    expect(statuses(fixed)).toEqual(["pending: verifying 1…", "success: bad-backup passes"]);
    expect(reports(number)).toHaveLength(1);
    expect(reports(number)[0]?.body).toContain(`Verified \`${fixed.slice(0, 12)}\``);
    expect(h.logs.filter((l) => l.msg === "nothing to verify").map((l) => l.reason)).toEqual([
      `the pull request's head is now ${fixed.slice(0, 12)}, not ${headSha.slice(0, 12)} (a late or repeated delivery of an older head)`,
    ]);
  });

  it("fails sha-on-branch when a force-push dropped the pinned commit", async () => {
    // The bot sees the fixture once (its mirror holds the pin), then the branch is rewritten.
    const { number } = h.gitea.openPull(REPO, { head: BRANCH, base: "main", author: "maintainer" });
    await h.pullRequest("opened", number);
    await h.service.idle();
    const rewritten = await fixBranch({ rewrite: true }); // the pinned commit is no longer on the branch
    await h.push(BRANCH, emptied, rewritten);
    await h.service.idle();
    const final = h.gitea.statuses(REPO, rewritten).at(-1);
    expect(final?.status).toBe("failure");
    expect(final?.description).toContain("sha-on-branch");

    // The PR's own report says why to re-pin: the pin is gone from the branch.
    expect(h.gitea.syncPull(REPO, number)).toBe(rewritten);
    await h.pullRequest("synchronized", number);
    await h.service.idle();
    expect(reports(number)[0]?.body).toContain(
      `\`${emptied}\` is no longer on \`${BRANCH}\`: the branch was force-pushed or rebased, so CI runs a commit the branch has lost.`,
    );
  });
});

describe("/verify", () => {
  it("re-runs for a writer, with a 👀 reaction", async () => {
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    await h.pullRequest("opened", number);
    await h.service.idle();
    const res = await h.comment(number, "Looks odd.\n/verify bad-backup", h.maintainer);
    expect(await res.json()).toEqual({ queued: expect.any(String) });
    await h.service.idle();
    expect(statuses(headSha)).toHaveLength(4);
    const command = h.gitea.comments(REPO, number).find((c) => c.user.login === "maintainer");
    expect(h.gitea.reactions(command?.id as number)).toEqual([
      { user: "fixture-bot", content: "eyes" },
    ]);
    expect(reports(number)[0]?.body).toContain("after /verify by @\u200bmaintainer");
  });

  it("is refused for a reader with one short reply, and nothing re-runs", async () => {
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    await h.comment(number, "/verify", h.reader);
    await h.service.idle();
    expect(statuses(headSha)).toEqual([]);
    const replies = h.gitea.comments(REPO, number).filter((c) => c.user.login === "fixture-bot");
    expect(replies.map((c) => c.body)).toEqual([
      `@reader only users with write access to \`${REPO}\` can run \`/verify\`.`,
    ]);
  });

  it("ignores the bot's own comment, even when it contains /verify", async () => {
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    // Deliver every comment the bot writes back to it, as Gitea does.
    const answers: Promise<Response>[] = [];
    h.gitea.onComment = (event) => {
      const payload = commentPayload({
        repo: { fullName: REPO },
        number: event.number,
        commentId: event.comment.id,
        body: event.comment.body,
        sender: event.sender,
        action: event.action,
      });
      answers.push(h.deliver("pull_request_comment", payload));
    };
    await h.pullRequest("opened", number);
    await h.service.idle();
    expect(reports(number)[0]?.body).toContain("/verify"); // the report mentions the command
    const replies = await Promise.all((await Promise.all(answers)).map((r) => r.json()));
    expect(replies).toEqual([{ ignored: "a comment by fixture-bot itself" }]);
    await h.service.idle();
    expect(statuses(headSha)).toHaveLength(2);
  });

  it("reports a token that cannot read permissions as a configuration problem, not as allowed", async () => {
    h.gitea.setPermission(REPO, "fixture-bot", "write"); // not admin: the permission API answers 403
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    await h.comment(number, "/verify", h.maintainer);
    await h.service.idle();
    expect(statuses(headSha)).toEqual([]);
    expect(
      h.logs.some((l) => l.level === "error" && String(l.msg).startsWith("configuration problem")),
    ).toBe(true);
    const reply = h.gitea.comments(REPO, number).find((c) => c.user.login === "fixture-bot");
    expect(reply?.body).toContain("my token lacks admin rights");
  });
});

describe("when Gitea's API misbehaves", () => {
  it("retries the final status through 502s; a pending that failed is not repeated", async () => {
    const { number, headSha } = h.gitea.openPull(REPO, {
      head: BRANCH,
      base: "main",
      author: "maintainer",
    });
    // The first 502 is the pending's only attempt (a repeated pending could land after the final
    // state); the final status gets through the next two.
    h.gitea.failNext(3, { status: 502, match: (r) => r.path.includes("/statuses/") });
    await h.pullRequest("opened", number);
    await h.service.idle();
    expect(statuses(headSha)).toEqual([expect.stringMatching(/^failure: /)]);
  });

  it("with the API down for good, the job ends and logs an error without hanging", async () => {
    const { number } = h.gitea.openPull(REPO, { head: BRANCH, base: "main", author: "maintainer" });
    const payload = await h.pullRequestPayload("opened", number);
    h.gitea.setDown(true);
    await h.deliver("pull_request", payload);
    await h.service.idle();
    // It cannot read the PR's head, nor post the error status that says so: both are logged, and
    // the job is over (the reconcile repairs the status once Gitea is back).
    const errors = h.logs.filter((l) => l.level === "error").map((l) => l.msg);
    expect(errors).toEqual([
      "job could not finish",
      "could not set the commit status",
      "job failed",
    ]);
  });
});

describe("secrets", () => {
  it("the token and the webhook secret appear in no comment, status, log line or request body", async () => {
    const { number } = h.gitea.openPull(REPO, { head: BRANCH, base: "main", author: "maintainer" });
    await h.pullRequest("opened", number);
    h.gitea.failNext(1, { status: 500 });
    await h.comment(number, "/verify", h.maintainer);
    await h.service.idle();
    const everything = [
      ...h.rawLogs,
      ...h.gitea.comments(REPO, number).map((c) => c.body),
      ...h.gitea.requests.map((r) =>
        JSON.stringify({ body: r.body, query: r.query, path: r.path }),
      ),
      ...h.gitea.requests.flatMap((r) =>
        r.path.includes("/statuses/") ? [JSON.stringify(r.body)] : [],
      ),
    ].join("\n");
    expect(everything.length).toBeGreaterThan(1000);
    expect(everything).not.toContain(h.bot.token);
    expect(everything).not.toContain(SECRET);
  });
});
