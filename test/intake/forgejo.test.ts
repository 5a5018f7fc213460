/**
 * Forgejo deliveries with app.request(): the captured Gitea payloads with their headers renamed as
 * Forgejo names them (X-Forgejo-Delivery, -Event, -Event-Type, -Signature). Forgejo sends Gitea's
 * names too, today, but does not promise to: a delivery with only Forgejo's headers must be
 * verified, routed and queued exactly as the Gitea one, and when both names are sent they must
 * agree.
 */
import { describe, expect, it } from "vitest";
import type { Job } from "../../src/queue/job.ts";
import {
  asForgejo,
  CAPTURE_SECRET,
  CAPTURED,
  captured,
  commentPayload,
  type Delivery,
  delivery,
  pullRequestPayload,
  pushPayload,
  signatures,
  template,
} from "../helpers/deliveries.ts";
import { CAPTURED_REPO, intakeApp } from "../helpers/intake.ts";

const REPO = CAPTURED_REPO;

function setup() {
  const { jobs, events, post: postRaw } = intakeApp();
  const post = async (d: Delivery) => {
    const res = await postRaw(d.body, d.headers);
    return { status: res.status, json: (await res.json()) as Record<string, string> };
  };
  return { jobs, events, post };
}

/** A job without what differs per delivery (its own id, when it was received). */
const comparable = (job: Job) => ({ ...job, id: "<id>", receivedAt: "<time>" });

const onlyForgejo = (d: Delivery) => asForgejo(d, { only: true });

describe("a delivery with only Forgejo's headers", () => {
  it.each(CAPTURED)("%s is answered and queued as the Gitea delivery is", async (name) => {
    const gitea = setup();
    const forgejo = setup();
    const fromGitea = await gitea.post(captured(name));
    const fromForgejo = await forgejo.post(onlyForgejo(captured(name)));
    expect(Object.keys(onlyForgejo(captured(name)).headers).join(" ")).not.toMatch(
      /X-(Gitea|Gogs|GitHub|Hub)-/i,
    );
    expect(fromForgejo.status).toBe(202);
    expect(fromForgejo.json).toEqual(
      "queued" in fromGitea.json ? { queued: expect.any(String) } : fromGitea.json,
    );
    expect(forgejo.jobs.map(comparable)).toEqual(gitea.jobs.map(comparable));
    expect(forgejo.events).toEqual(gitea.events); // the metric counts it under the same event
  });

  it("is queued with X-Forgejo-Delivery as its delivery id", async () => {
    const { post, jobs } = setup();
    const sent = onlyForgejo(captured("pull_request.opened"));
    const res = await post(sent);
    expect(res).toEqual({ status: 202, json: { queued: expect.any(String) } });
    expect(jobs).toEqual([
      expect.objectContaining({
        kind: "pull",
        repo: REPO,
        number: 1,
        headRef: "for_pr",
        trigger: "opened",
        deliveryId: sent.headers["X-Forgejo-Delivery"],
      }),
    ]);
  });

  it("is a repeat when Forgejo redelivers it under the same X-Forgejo-Delivery", async () => {
    const { post, jobs } = setup();
    const sent = onlyForgejo(captured("pull_request.opened"));
    await post(sent);
    await post(sent);
    // The app hands both to enqueue (the store refuses the repeat); both carry the same id.
    expect(jobs.map((j) => j.deliveryId)).toEqual([
      sent.headers["X-Forgejo-Delivery"],
      sent.headers["X-Forgejo-Delivery"],
    ]);
  });
});

describe("X-Forgejo-Signature", () => {
  const sent = onlyForgejo(captured("pull_request.opened"));
  const withSignature = (value: string | undefined): Delivery => {
    const headers = { ...sent.headers };
    delete headers["X-Forgejo-Signature"];
    return {
      body: sent.body,
      headers: value === undefined ? headers : { ...headers, "X-Forgejo-Signature": value },
    };
  };
  const right = signatures(sent.body, CAPTURE_SECRET)["X-Gitea-Signature"] as string;
  const wrong = signatures(sent.body, "another-secret-entirely")["X-Gitea-Signature"] as string;

  it("decides alone: the right HMAC is queued (any case, any surrounding space)", async () => {
    for (const value of [right, right.toUpperCase(), ` ${right} `]) {
      const { post, jobs } = setup();
      expect((await post(withSignature(value))).status).toBe(202);
      expect(jobs).toHaveLength(1);
    }
  });

  it.each([
    ["a wrong one", wrong],
    ["one of other bytes", signatures(`${sent.body} `, CAPTURE_SECRET)["X-Gitea-Signature"]],
    ["an empty one (a hook without a secret)", ""],
    ["a prefixed one (that is X-Hub-Signature-256's form)", `sha256=${right}`],
    ["none", undefined],
  ])("refuses %s with 401 and queues nothing, where the right one is queued", async (_, value) => {
    const { post, jobs } = setup();
    expect(await post(withSignature(value))).toEqual({
      status: 401,
      json: { error: "missing or invalid signature" },
    });
    expect(jobs).toEqual([]);
    expect((await post(withSignature(right))).status).toBe(202); // the same delivery, signed
    expect(jobs).toHaveLength(1);
  });

  it("must agree with the Gitea signatures sent beside it: a wrong one is not rescued", async () => {
    const both = asForgejo(captured("pull_request.opened")); // as Forgejo sends it today
    expect((await setup().post(both)).status).toBe(202);
    for (const [name, value] of [
      ["X-Forgejo-Signature", wrong],
      ["X-Gitea-Signature", wrong],
      ["X-Hub-Signature-256", `sha256=${wrong}`],
    ] as const) {
      const { post, jobs } = setup();
      expect(
        (await post({ body: both.body, headers: { ...both.headers, [name]: value } })).status,
        name,
      ).toBe(401);
      expect(jobs).toEqual([]);
    }
  });
});

describe("routing on X-Forgejo-Event-Type", () => {
  const repo = { fullName: REPO, id: 1 };
  const sender = { id: 7, login: "maintainer" };
  const head = { ref: "for_pr", sha: "c".repeat(40) };
  const base = { ref: "main", sha: "b".repeat(40) };
  const pull = (action: string) =>
    pullRequestPayload({ action, repo, number: 3, head, base, sender });

  it.each([
    ["pull_request", pull("opened"), { kind: "pull", trigger: "opened" }],
    ["pull_request_sync", pull("synchronized"), { kind: "pull", trigger: "synchronized" }],
    [
      "pull_request_comment",
      commentPayload({ repo, number: 3, commentId: 99, body: "/verify for-pr", sender }),
      { kind: "command", commentId: 99, only: ["for-pr"] },
    ],
    [
      "push",
      pushPayload({ repo, branch: "main", before: "a".repeat(40), after: "d".repeat(40), sender }),
      { kind: "push", branch: "main", after: "d".repeat(40) },
    ],
  ])("%s routes as it does from X-Gitea-Event-Type", async (eventType, payload, job) => {
    const gitea = setup();
    const forgejo = setup();
    const d = delivery(eventType, payload, CAPTURE_SECRET);
    await gitea.post(d);
    expect((await forgejo.post(onlyForgejo(d))).status).toBe(202);
    expect(forgejo.jobs).toEqual([expect.objectContaining(job)]);
    expect(forgejo.jobs.map(comparable)).toEqual(gitea.jobs.map(comparable));
  });

  it("ignores what it ignores from Gitea, with the same reason", async () => {
    const { post } = setup();
    const res = await post(onlyForgejo(delivery("issues", template("push"), CAPTURE_SECRET)));
    expect(res).toEqual({
      status: 202,
      json: { ignored: 'event "issues" is not one fixture-bot handles' },
    });
  });

  it("routes on the fine type, not on X-Forgejo-Event (a PR comment's is issue_comment)", async () => {
    const { post, jobs } = setup();
    const comment = commentPayload({ repo, number: 3, commentId: 5, body: "/verify", sender });
    const sent = onlyForgejo(delivery("pull_request_comment", comment, CAPTURE_SECRET));
    expect(sent.headers["X-Forgejo-Event"]).toBe("issue_comment");
    expect(sent.headers["X-Forgejo-Event-Type"]).toBe("pull_request_comment");
    await post(sent);
    expect(jobs).toEqual([expect.objectContaining({ kind: "command", commentId: 5 })]);
  });

  it("falls back to X-Forgejo-Event when there is no event type", async () => {
    const { post, jobs } = setup();
    const sent = onlyForgejo(delivery("pull_request", pull("opened"), CAPTURE_SECRET));
    delete sent.headers["X-Forgejo-Event-Type"];
    expect((await post(sent)).status).toBe(202);
    expect(jobs).toEqual([expect.objectContaining({ kind: "pull", trigger: "opened" })]);
  });

  it("reads a push as a Forgejo-type hook re-encodes it (keys sorted, `compare` added)", async () => {
    const { post, jobs } = setup();
    const payload = pushPayload({
      repo,
      branch: "main",
      before: "a".repeat(40),
      after: "e".repeat(40),
      sender,
    });
    const body = JSON.stringify(sortKeys({ ...payload, compare: payload.compare_url }), null, 2);
    const d = delivery("push", payload, CAPTURE_SECRET);
    const sent = onlyForgejo({
      body,
      headers: { ...d.headers, ...signatures(body, CAPTURE_SECRET) },
    });
    expect((await post(sent)).status).toBe(202);
    expect(jobs).toEqual([expect.objectContaining({ kind: "push", after: "e".repeat(40) })]);
  });
});

describe("Gitea's and Forgejo's names sent together", () => {
  const today = () => asForgejo(captured("pull_request.opened"));

  it.each([
    ["X-Forgejo-Event-Type", "push", "X-Gitea-Event-Type and X-Forgejo-Event-Type disagree"],
    ["X-Forgejo-Event", "push", "X-Gitea-Event and X-Forgejo-Event disagree"],
    [
      "X-Forgejo-Delivery",
      "another-delivery-id",
      "X-Gitea-Delivery and X-Forgejo-Delivery disagree",
    ],
  ])(
    "are one delivery when they agree, and refused with 400 when %s disagrees",
    async (name, value, error) => {
      const { post, jobs, events } = setup();
      const sent = today();
      const changed: Record<string, string> = { ...sent.headers, [name]: value };
      expect(await post({ body: sent.body, headers: changed })).toEqual({
        status: 400,
        json: { error },
      });
      expect(jobs).toEqual([]);
      expect(events).toEqual([["", "bad_request"]]);
      // Only once the signature holds: unsigned, the same delivery is a 401 like any other.
      for (const h of ["X-Hub-Signature-256", "X-Gitea-Signature", "X-Forgejo-Signature"]) {
        delete changed[h];
      }
      expect((await post({ body: sent.body, headers: changed })).status).toBe(401);
      // As Forgejo sends it today, all names agreeing: one delivery.
      expect((await post(sent)).status).toBe(202);
      expect(jobs).toHaveLength(1);
    },
  );
});

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
