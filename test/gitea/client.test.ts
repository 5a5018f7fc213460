/** The Gitea client against undici's MockAgent (no network): retries, deadlines, pagination, errors. */
import { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGiteaClient } from "../../src/gitea/client.ts";
import { GiteaApiError } from "../../src/shared/errors.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { createRedactor } from "../../src/shared/redact.ts";

const ORIGIN = "https://git.example.org";
const TOKEN = "0123456789abcdef0123456789abcdef01234567";
let agent: MockAgent;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});
afterEach(async () => {
  await agent.close();
});

function client(options: { retries?: number; timeoutMs?: number } = {}) {
  return createGiteaClient({
    baseUrl: `${ORIGIN}/`,
    token: TOKEN,
    redact: createRedactor([TOKEN]),
    log: silentLogger,
    dispatcher: agent,
    backoffMs: 1,
    ...options,
  });
}

const status = {
  id: 1,
  status: "success",
  context: "fixture-bot/verify",
  created_at: "2026-11-26T00:00:00Z",
};
const JSON_HEADERS = { headers: { "content-type": "application/json;charset=utf-8" } };

describe("createGiteaClient", () => {
  it("sends the token as an Authorization header and the body as JSON", async () => {
    let seen: { headers: Record<string, string>; body: unknown } | null = null;
    agent
      .get(ORIGIN)
      .intercept({ path: `/api/v1/repos/o/r/statuses/${"a".repeat(40)}`, method: "POST" })
      .reply(
        201,
        (opts) => {
          seen = {
            headers: opts.headers as Record<string, string>,
            body: JSON.parse(String(opts.body)),
          };
          return status;
        },
        JSON_HEADERS,
      );
    await client().createStatus("o/r", "a".repeat(40), {
      state: "success",
      context: "fixture-bot/verify",
      description: "ok",
    });
    expect(seen).toEqual({
      headers: expect.objectContaining({
        authorization: `token ${TOKEN}`,
        "content-type": "application/json",
      }),
      body: { state: "success", context: "fixture-bot/verify", description: "ok" },
    });
  });

  it("retries 5xx with backoff and succeeds on the fourth attempt", async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: "/api/v1/user", method: "GET" }).reply(502, "bad gateway").times(3);
    pool
      .intercept({ path: "/api/v1/user", method: "GET" })
      .reply(200, { id: 5, login: "fixture-bot" }, JSON_HEADERS);
    expect(await client().getCurrentUser()).toEqual({ id: 5, login: "fixture-bot" });
  });

  it("retries 429 and network errors", async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: "/api/v1/user", method: "GET" }).reply(429, "slow down");
    pool
      .intercept({ path: "/api/v1/user", method: "GET" })
      .replyWithError(Object.assign(new Error("reset"), { code: "ECONNRESET" }));
    pool
      .intercept({ path: "/api/v1/user", method: "GET" })
      .reply(200, { id: 5, login: "bot" }, JSON_HEADERS);
    expect((await client().getCurrentUser()).login).toBe("bot");
  });

  it("gives up after the bounded retries with the last error", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/v1/user", method: "GET" })
      .reply(503, { message: "maintenance" }, JSON_HEADERS)
      .times(4);
    const error = await client({ retries: 3 })
      .getCurrentUser()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GiteaApiError);
    expect(error).toMatchObject({ status: 503, message: "GET /user: maintenance" });
  });

  it("never retries a 4xx", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/v1/repos/o/r/pulls/9", method: "GET" })
      .reply(404, { message: "not found" }, JSON_HEADERS);
    await expect(client().getPull("o/r", 9)).rejects.toMatchObject({ status: 404 });
    agent.assertNoPendingInterceptors();
  });

  it("ends a call that gets no answer at its deadline", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/v1/user", method: "GET" })
      .reply(200, { id: 1, login: "x" }, JSON_HEADERS)
      .delay(2_000)
      .times(2);
    const error = await client({ timeoutMs: 50, retries: 1 })
      .getCurrentUser()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: null, message: "GET /user: no answer within 50 ms" });
  });

  it("masks the token if a server echoes it", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/v1/user", method: "GET" })
      .reply(401, { message: `token ${TOKEN} is invalid` }, JSON_HEADERS);
    const error = (await client()
      .getCurrentUser()
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("GET /user: token *** is invalid");
  });

  it("follows Link rel=next on the same Gitea only", async () => {
    const pool = agent.get(ORIGIN);
    const pr = (n: number) => ({
      number: n,
      state: "open",
      head: { ref: "x", sha: "a".repeat(40) },
      base: { ref: "main", sha: "b".repeat(40) },
    });
    pool
      .intercept({ path: "/api/v1/repos/o/r/pulls?state=open&limit=50", method: "GET" })
      .reply(200, [pr(1)], {
        headers: {
          ...JSON_HEADERS.headers,
          link: `<${ORIGIN}/api/v1/repos/o/r/pulls?state=open&limit=50&page=2>; rel="next",<${ORIGIN}/api/v1/repos/o/r/pulls?page=2>; rel="last"`,
        },
      });
    pool
      .intercept({ path: "/api/v1/repos/o/r/pulls?state=open&limit=50&page=2", method: "GET" })
      .reply(200, [pr(2)], {
        headers: { ...JSON_HEADERS.headers, link: '<https://elsewhere.example/steal>; rel="next"' },
      });
    expect((await client().listOpenPulls("o/r")).map((p) => p.number)).toEqual([1, 2]);
  });

  it("rejects an answer that is not what Gitea sends", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/v1/user", method: "GET" })
      .reply(200, "<html>proxy login</html>");
    await expect(client().getCurrentUser()).rejects.toThrow("GET /user: the answer is not JSON");
  });
});
