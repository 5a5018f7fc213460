/**
 * The HTTP edge with app.request(): every captured Gitea payload, signed as Gitea signs it, and
 * the ways a delivery is refused (401, 400, 413) or ignored (202 { ignored }). Nothing here runs
 * git or calls Gitea: a delivery only ever becomes a queued job.
 */
import { describe, expect, it } from "vitest";
import {
  CAPTURE_SECRET,
  CAPTURED,
  captured,
  commentPayload,
  delivery,
  pullRequestPayload,
  pushPayload,
  signatures,
  template,
} from "../helpers/deliveries.ts";
import { CAPTURED_REPO, intakeApp } from "../helpers/intake.ts";

const REPO = CAPTURED_REPO;
const setup = intakeApp;

describe("captured Gitea deliveries, signed as Gitea signs them", () => {
  it.each(CAPTURED)("%s is accepted (202)", async (name) => {
    const { post } = setup();
    const { body, headers } = captured(name);
    const res = await post(body, headers);
    expect(res.status).toBe(202);
  });

  it("pull_request opened becomes a pull job for the fixture on its head branch", async () => {
    const { post, jobs } = setup();
    const res = await post(...args(captured("pull_request.opened")));
    expect(await res.json()).toEqual({ queued: expect.any(String) });
    expect(jobs).toEqual([
      expect.objectContaining({
        kind: "pull",
        repo: REPO,
        number: 1,
        headRef: "for_pr",
        headSha: "c8ef951c4e57f9d4a5b8526ba974b59db1500192",
        baseRef: "main",
        trigger: "opened",
        deliveryId: captured("pull_request.opened").headers["X-Gitea-Delivery"],
      }),
    ]);
  });

  it("pull_request synchronized (Gitea's name, not synchronize) is routed like opened", async () => {
    const { post, jobs } = setup();
    await post(...args(captured("pull_request.synchronized")));
    await post(...args(captured("pull_request.synchronized.legacy-trimmed")));
    expect(jobs.map((j) => j.kind === "pull" && j.trigger)).toEqual([
      "synchronized",
      "synchronized",
    ]);
  });

  it("a push to a fixture branch becomes a push job; a force push is just a push", async () => {
    const { post, jobs } = setup();
    await post(...args(captured("push")));
    await post(...args(captured("push.force")));
    expect(jobs.map((j) => j.kind === "push" && [j.branch, j.after])).toEqual([
      ["main", "da2519123196aa7e88a5b5cf6ffcc36a0954574f"],
      ["main", "87663f5273489a419d8ee07f93297db6a09c7e12"],
    ]);
  });

  it("a PR comment without /verify is ignored, on 1.24 and on 1.16 payloads", async () => {
    const { post, jobs } = setup();
    for (const name of [
      "issue_comment.pull_request_comment.created",
      "issue_comment.pull_request_comment.created.gitea-1.16",
    ] as const) {
      const res = await post(...args(captured(name)));
      expect(await res.json()).toEqual({ ignored: "no /verify command in the comment" });
    }
    expect(jobs).toEqual([]);
  });
});

describe("signatures", () => {
  const { body } = captured("pull_request.opened");
  const headers = captured("pull_request.opened").headers;
  const without = (...names: string[]) =>
    Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k)));

  it("accepts X-Gitea-Signature alone (Gitea before 1.15)", async () => {
    const { post } = setup();
    expect((await post(body, without("X-Hub-Signature-256", "X-Hub-Signature"))).status).toBe(202);
  });

  it.each([
    [
      "no signature at all",
      without("X-Hub-Signature-256", "X-Gitea-Signature", "X-Hub-Signature", "X-Gogs-Signature"),
    ],
    [
      "a hook without a secret (empty signatures)",
      { ...headers, "X-Hub-Signature-256": "sha256=", "X-Gitea-Signature": "" },
    ],
    ["a wrong signature", { ...headers, ...signatures(body, "another-secret-entirely") }],
    ["a signature of other bytes", { ...headers, ...signatures(`${body} `, CAPTURE_SECRET) }],
    ["garbage", { ...headers, "X-Hub-Signature-256": "sha256=zz", "X-Gitea-Signature": "not-hex" }],
  ])("refuses %s with 401 and queues nothing", async (_, h) => {
    const { post, jobs } = setup();
    const res = await post(body, h);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "missing or invalid signature" });
    expect(jobs).toEqual([]);
  });

  it("checks the raw bytes: the same JSON re-serialised does not verify", async () => {
    const { post } = setup();
    const reserialised = JSON.stringify(JSON.parse(body));
    expect((await post(reserialised, headers)).status).toBe(401);
  });

  it("verifies a form-type hook on the JSON inside payload=", async () => {
    const { post, jobs } = setup();
    const form = `payload=${encodeURIComponent(body)}`;
    const res = await post(form, {
      ...headers,
      "Content-Type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(202);
    expect(jobs).toHaveLength(1);
  });
});

describe("bad deliveries", () => {
  it("malformed JSON with a valid signature is 400", async () => {
    const { post, jobs } = setup();
    const body = '{"action": "opened",';
    const res = await post(body, {
      ...delivery("pull_request", {}, CAPTURE_SECRET).headers,
      ...signatures(body, CAPTURE_SECRET),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "malformed JSON" });
    expect(jobs).toEqual([]);
  });

  it("a body that is not UTF-8 is 400", async () => {
    const { post } = setup();
    const res = await post(new Uint8Array([0xff, 0xfe, 0x7b]), captured("push").headers);
    expect(res.status).toBe(400);
  });

  it("a payload missing what we read is 400 with the fields named", async () => {
    const { post } = setup();
    const res = await post(
      ...args(delivery("pull_request", { action: "opened", number: 1 }, CAPTURE_SECRET)),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^payload does not look like a Gitea delivery: pull_request/,
    );
  });

  it("a body over the size cap is 413, before any signature work", async () => {
    const { post, jobs } = setup({ maxBodyBytes: 1024 });
    const { body, headers } = captured("pull_request.opened");
    const res = await post(body, headers);
    expect(res.status).toBe(413);
    expect(jobs).toEqual([]);
  });

  it("the default cap is 5 MiB", async () => {
    const { post } = setup();
    const huge = `{"x": "${"a".repeat(5 * 1024 * 1024)}"}`;
    expect(
      (await post(huge, { ...captured("push").headers, ...signatures(huge, CAPTURE_SECRET) }))
        .status,
    ).toBe(413);
  });
});

describe("routing", () => {
  const repo = { fullName: REPO, id: 1 };
  const sender = { id: 7, login: "maintainer" };
  const head = { ref: "for_pr", sha: "c".repeat(40) };
  const base = { ref: "main", sha: "b".repeat(40) };

  it.each([
    ["closed", {}, 'pull_request action "closed" needs no verification'],
    ["edited", {}, "pull request edited without a base change"],
    ["label_updated", {}, 'pull_request action "label_updated" needs no verification'],
  ])("ignores a PR %s", async (action, changes, reason) => {
    const { post } = setup();
    const payload = pullRequestPayload({ action, repo, number: 3, head, base, sender, changes });
    const res = await post(...args(delivery("pull_request", payload, CAPTURE_SECRET)));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ignored: reason });
  });

  it("runs on a PR edited to a new base", async () => {
    const { post, jobs } = setup();
    const payload = pullRequestPayload({
      action: "edited",
      repo,
      number: 3,
      head,
      base,
      sender,
      changes: { ref: { from: "old" } },
    });
    await post(...args(delivery("pull_request", payload, CAPTURE_SECRET)));
    expect(jobs).toHaveLength(1);
  });

  it("ignores a PR whose head branch is no fixture's, unless it is in the manifest's repository", async () => {
    const other = pullRequestPayload({
      action: "opened",
      repo,
      number: 3,
      head: { ...head, ref: "feature" },
      base,
      sender,
    });
    let { post, jobs } = setup();
    expect(
      await (await post(...args(delivery("pull_request", other, CAPTURE_SECRET)))).json(),
    ).toEqual({
      ignored: `no fixture in ${REPO} uses branch feature`,
    });
    ({ post, jobs } = setup({ fixturesRepo: REPO }));
    await post(...args(delivery("pull_request", other, CAPTURE_SECRET)));
    expect(jobs).toHaveLength(1);
  });

  it("treats a deleted fork (repo_id -1, no head.repo) as a fork, and an AGit head as no fixture branch", async () => {
    const { post, jobs } = setup();
    const deletedFork = pullRequestPayload({
      action: "opened",
      repo,
      number: 4,
      head,
      base,
      sender,
    });
    const pr = deletedFork.pull_request as { head: Record<string, unknown> };
    pr.head = { ...pr.head, repo_id: -1, repo: undefined };
    delete pr.head.repo;
    expect(
      await (await post(...args(delivery("pull_request", deletedFork, CAPTURE_SECRET)))).json(),
    ).toEqual({
      ignored: "the head branch is in a fork; fixture branches live in the fixture repository",
    });
    const agit = pullRequestPayload({
      action: "opened",
      repo,
      number: 5,
      head: { ref: "refs/pull/5/head", sha: head.sha },
      base,
      sender,
    });
    expect(
      await (await post(...args(delivery("pull_request", agit, CAPTURE_SECRET)))).json(),
    ).toEqual({
      ignored: `no fixture in ${REPO} uses branch refs/pull/5/head`,
    });
    expect(jobs).toEqual([]);
  });

  it("matches repository names without regard to case, as Gitea does", async () => {
    const { post, jobs } = setup();
    const payload = pullRequestPayload({
      action: "opened",
      repo: { fullName: "test/Test-Repository", id: 1 },
      number: 6,
      head,
      base,
      sender,
    });
    await post(...args(delivery("pull_request", payload, CAPTURE_SECRET)));
    expect(jobs).toHaveLength(1);
  });

  it("ignores events it does not handle", async () => {
    const { post } = setup();
    const res = await post(...args(delivery("issues", template("push"), CAPTURE_SECRET)));
    expect(await res.json()).toEqual({ ignored: 'event "issues" is not one fixture-bot handles' });
  });

  it("turns /verify into a command job with the names given", async () => {
    const { post, jobs } = setup();
    const payload = commentPayload({
      repo,
      number: 3,
      commentId: 99,
      body: "Please\n/verify for-pr other\nthanks",
      sender,
    });
    await post(...args(delivery("pull_request_comment", payload, CAPTURE_SECRET)));
    expect(jobs).toEqual([
      expect.objectContaining({
        kind: "command",
        number: 3,
        commentId: 99,
        user: "maintainer",
        only: ["for-pr", "other"],
      }),
    ]);
  });

  it("does not read a comment over 64 KiB for /verify, and says so", async () => {
    const { post, jobs } = setup();
    const body = "/verify for-pr\n\n".padEnd(64 * 1024 + 1, "x");
    const payload = commentPayload({ repo, number: 3, commentId: 99, body, sender });
    const res = await post(...args(delivery("pull_request_comment", payload, CAPTURE_SECRET)));
    expect(await res.json()).toEqual({
      ignored: "a comment over 65536 characters is not read for /verify",
    });
    expect(jobs).toEqual([]);
  });

  it("ignores /verify written by the bot itself", async () => {
    const { post, jobs } = setup({ botUserId: 7 });
    const payload = commentPayload({ repo, number: 3, commentId: 99, body: "/verify", sender });
    expect(
      await (await post(...args(delivery("pull_request_comment", payload, CAPTURE_SECRET)))).json(),
    ).toEqual({
      ignored: "a comment by fixture-bot itself",
    });
    expect(jobs).toEqual([]);
  });

  it("ignores a branch deletion and a tag push", async () => {
    const { post, jobs } = setup();
    const zeros = "0".repeat(40);
    await post(
      ...args(
        delivery(
          "push",
          pushPayload({ repo, branch: "main", before: "a".repeat(40), after: zeros, sender }),
          CAPTURE_SECRET,
        ),
      ),
    );
    await post(
      ...args(
        delivery(
          "push",
          {
            ...pushPayload({ repo, branch: "x", before: zeros, after: "a".repeat(40), sender }),
            ref: "refs/tags/v1",
          },
          CAPTURE_SECRET,
        ),
      ),
    );
    expect(jobs).toEqual([]);
  });
});

describe("health", () => {
  it("GET /healthz answers 200", async () => {
    const res = await setup().app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});

function args(d: {
  body: string;
  headers: Record<string, string>;
}): [string, Record<string, string>] {
  return [d.body, d.headers];
}
