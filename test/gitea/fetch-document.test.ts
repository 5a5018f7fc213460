/** A results document at a URL: the token only to Gitea's origin, no redirect, bounded. */
import { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fetchDocument, onGiteaOrigin } from "../../src/gitea/fetch-document.ts";
import { createRedactor } from "../../src/shared/redact.ts";

const TOKEN = "0123456789abcdef0123456789abcdef01234567";
let agent: MockAgent;
beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});
afterEach(() => agent.close());

const get = (url: string, options: { maxBytes?: number } = {}) =>
  fetchDocument(url, {
    giteaUrl: "https://git.example.org",
    token: TOKEN,
    redact: createRedactor([TOKEN]),
    dispatcher: agent,
    ...options,
  });

describe("onGiteaOrigin", () => {
  it.each([
    ["https://git.example.org/api/v1/repos/o/r/raw/x.json", true],
    ["https://git.example.org:443/x", true],
    // Another scheme, port or host is another origin: no token.
    ["http://git.example.org/x", false],
    ["https://git.example.org:8443/x", false],
    ["https://git.example.org.evil.example/x", false],
    ["https://evil.example/git.example.org/x", false],
    ["https://user@evil.example/x", false],
    ["not a url", false],
  ])("%s: %s", (url, same) => {
    expect(onGiteaOrigin(url, "https://git.example.org")).toBe(same);
  });
});

describe("fetchDocument", () => {
  it("sends the token to Gitea's origin and reads the text", async () => {
    let auth: unknown;
    agent
      .get("https://git.example.org")
      .intercept({ path: "/r.json", method: "GET" })
      .reply(200, (opts) => {
        auth = (opts.headers as Record<string, string>).authorization;
        return '{"results": {}}';
      });
    expect(await get("https://git.example.org/r.json")).toEqual({
      kind: "ok",
      text: '{"results": {}}',
    });
    expect(auth).toBe(`token ${TOKEN}`);
  });

  it("sends no token to another host", async () => {
    let headers: Record<string, string> = {};
    agent
      .get("https://ci.example")
      .intercept({ path: "/r.json", method: "GET" })
      .reply(200, (opts) => {
        headers = opts.headers as Record<string, string>;
        return "{}";
      });
    await get("https://ci.example/r.json");
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain("authorization");
  });

  it.each([
    [404, { kind: "missing" }],
    [410, { kind: "missing" }],
    [302, { kind: "error", message: "answered 302 (a redirect, not followed)" }],
    [401, { kind: "error", message: "answered 401" }],
    [500, { kind: "error", message: "answered 500" }],
  ])("%i: %j", async (status, result) => {
    agent
      .get("https://git.example.org")
      .intercept({ path: "/r.json", method: "GET" })
      .reply(status, "", { headers: { location: "https://evil.example/" } });
    expect(await get("https://git.example.org/r.json")).toEqual(result);
  });

  it("stops reading past maxBytes", async () => {
    agent
      .get("https://git.example.org")
      .intercept({ path: "/r.json", method: "GET" })
      .reply(200, "x".repeat(5000));
    expect(await get("https://git.example.org/r.json", { maxBytes: 1000 })).toEqual({
      kind: "error",
      message: "is larger than 1000 bytes",
    });
  });

  it("a network error says what it was", async () => {
    agent
      .get("https://git.example.org")
      .intercept({ path: "/r.json", method: "GET" })
      .replyWithError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }));
    expect(await get("https://git.example.org/r.json")).toEqual({
      kind: "error",
      message: "could not be fetched (ECONNREFUSED)",
    });
  });
});
