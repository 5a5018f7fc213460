/** The Gitea client against undici's MockAgent (no network): retries, deadlines, pagination, errors. */
import { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGiteaClient } from "../../src/gitea/client.ts";
import { GiteaApiError } from "../../src/shared/errors.ts";
import { createLogger, silentLogger } from "../../src/shared/logger.ts";
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

function client(options: Partial<Parameters<typeof createGiteaClient>[0]> = {}) {
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
    // The error says how many attempts were made: it becomes the `error` status's description.
    expect(error).toMatchObject({
      status: 503,
      message: "GET /user: maintenance (4 attempts)",
      note: "4 attempts",
    });
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
    expect(error).toMatchObject({
      status: null,
      message: "GET /user: no answer within 50 ms (2 attempts)",
    });
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

describe("Retry-After (a proxy rate-limiting, Gitea starting)", () => {
  const T0 = Date.parse("2026-12-07T10:00:00Z");
  /** A clock that only the client's waits move; every wait is recorded. */
  function clocked(options: Partial<Parameters<typeof createGiteaClient>[0]> = {}) {
    let at = T0;
    const waits: number[] = [];
    const lines: Record<string, unknown>[] = [];
    const api = client({
      now: () => at,
      sleep: async (ms) => {
        waits.push(Math.round(ms));
        at += ms;
      },
      log: createLogger({
        level: "debug",
        redact: createRedactor([TOKEN]),
        destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
      }),
      ...options,
    });
    return { api, waits, lines, at: () => at };
  }
  const refuse = (status: number, retryAfter: string | null, times = 1) =>
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/v1/user", method: "GET" })
      .reply(
        status,
        { message: "slow down" },
        {
          headers: {
            ...JSON_HEADERS.headers,
            ...(retryAfter === null ? {} : { "retry-after": retryAfter }),
          },
        },
      )
      .times(times);
  const ok = () =>
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/v1/user", method: "GET" })
      .reply(200, { id: 5, login: "fixture-bot" }, JSON_HEADERS);
  const job = (ms: number) => [new AbortController().signal, T0 + ms] as const;

  it("waits as long as a 429 asks, and logs the wait", async () => {
    refuse(429, "30", 2);
    ok();
    const c = clocked();
    const [signal, deadline] = job(600_000);
    expect(await c.api.bound(signal, deadline).getCurrentUser()).toMatchObject({ id: 5 });
    expect(c.waits).toEqual([30_000, 30_000]);
    expect(
      c.lines
        .filter((l) => l.call === "GET /user")
        .map((l) => [l.msg, l.status, l.retryAfter, l.retryInMs]),
    ).toEqual([
      ["Gitea API call refused for now; waiting as its Retry-After asks", 429, "30", 30_000],
      ["Gitea API call refused for now; waiting as its Retry-After asks", 429, "30", 30_000],
    ]);
  });

  it("asked waits do not use up the retries: six 429s in a row, then the answer, within the deadline", async () => {
    refuse(429, "1", 6);
    ok();
    const c = clocked({ retries: 3 });
    const [signal, deadline] = job(600_000);
    expect(await c.api.bound(signal, deadline).getCurrentUser()).toMatchObject({ id: 5 });
    expect(c.waits).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
  });

  it("does not wait past the job's deadline: it gives up at once, saying why", async () => {
    refuse(429, "600");
    const c = clocked();
    const [signal, deadline] = job(120_000);
    const error = await c.api
      .bound(signal, deadline)
      .getCurrentUser()
      .catch((e: unknown) => e);
    expect(c.waits).toEqual([]);
    expect(error).toMatchObject({
      status: 429,
      message: "GET /user: slow down (asked to wait 600 s (Retry-After), past the job's deadline)",
    });
  });

  it("waits until the deadline allows, then gives up when the next wait would pass it", async () => {
    refuse(503, "40", 3);
    const c = clocked();
    const [signal, deadline] = job(100_000);
    const error = await c.api
      .bound(signal, deadline)
      .getCurrentUser()
      .catch((e: unknown) => e);
    // 40 s, 40 s (80 s in), and a third 40 s would end at 120 s: past 100 s.
    expect(c.waits).toEqual([40_000, 40_000]);
    expect((error as Error).message).toBe(
      "GET /user: slow down (asked to wait 40 s (Retry-After), past the job's deadline)",
    );
  });

  it("reads an HTTP-date", async () => {
    refuse(429, new Date(T0 + 5_000).toUTCString());
    ok();
    const c = clocked();
    const [signal, deadline] = job(600_000);
    await c.api.bound(signal, deadline).getCurrentUser();
    expect(c.waits).toEqual([5_000]);
  });

  it("without a deadline, waits at most maxWaitMs", async () => {
    refuse(429, "120");
    const c = clocked({ maxWaitMs: 60_000 });
    await expect(c.api.getCurrentUser()).rejects.toThrow(
      "GET /user: slow down (asked to wait 120 s (Retry-After), more than 60 s)",
    );
    expect(c.waits).toEqual([]);
  });

  it("a Retry-After on a 500 is not an instruction: plain backoff, bounded retries", async () => {
    refuse(500, "30", 4);
    const c = clocked({ retries: 3, backoffMs: 100 });
    await expect(c.api.getCurrentUser()).rejects.toThrow("GET /user: slow down (4 attempts)");
    expect(c.waits).toHaveLength(3);
    expect(c.waits.every((w, n) => w >= 100 * 2 ** n * 0.5 && w <= 100 * 2 ** n * 1.5)).toBe(true);
  });

  it("a comment POST refused with 429 and Retry-After is repeated after the wait (nothing was written)", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: "/api/v1/repos/o/r/issues/1/comments", method: "POST" })
      .reply(429, { message: "slow down" }, { headers: { "retry-after": "2" } });
    pool.intercept({ path: "/api/v1/repos/o/r/issues/1/comments", method: "POST" }).reply(
      201,
      {
        id: 3,
        body: "x",
        user: { id: 1, login: "fixture-bot" },
        created_at: "2026-12-07T10:00:00Z",
      },
      JSON_HEADERS,
    );
    const c = clocked();
    const [signal, deadline] = job(600_000);
    expect(await c.api.bound(signal, deadline).createComment("o/r", 1, "x")).toMatchObject({
      id: 3,
    });
    expect(c.waits).toEqual([2_000]);
  });
});
