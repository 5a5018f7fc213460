import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import {
  checkAgainstSwagger,
  type DoubleUser,
  type GiteaDouble,
  loadSwagger,
  startGiteaDouble,
} from "./index.ts";

const run = promisify(execFile);
const REPO = "acme/widgets";
const PRIVATE_REPO = "acme/secret";

let root: string;
let work: ScratchRepo;
let mainSha: string;
let featureSha: string;

async function git(cwd: string, args: string[]): Promise<string> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
  };
  const { stdout } = await run("git", args, { cwd, env, encoding: "utf8" });
  return stdout;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "gitea-double-"));
  const repo = await ScratchRepo.create(root, REPO);
  await repo.write({ "README.md": "# widgets\n", "src/a.txt": "a\n".repeat(100) });
  mainSha = await repo.commit("initial");
  await repo.push("main");
  await repo.checkout("feature", { create: true, from: "main" });
  await repo.write({ "src/b.txt": "b\n" });
  featureSha = await repo.commit("feature");
  await repo.push("feature");
  await repo.checkout("main");
  work = repo;
  const hidden = await ScratchRepo.create(root, PRIVATE_REPO);
  await hidden.write({ "README.md": "# secret\n" });
  await hidden.commit("initial");
  await hidden.push("main");
  // Partial clone must work through the double's own git config, not the repo's.
  await git(repo.remote, ["config", "--unset", "uploadpack.allowFilter"]);
  await git(repo.remote, ["config", "--unset", "uploadpack.allowAnySHA1InWant"]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let double: GiteaDouble;
let bot: DoubleUser;
let alice: DoubleUser;
let admin: DoubleUser;
let pr: number;

beforeEach(async () => {
  double = await startGiteaDouble({ repoRoot: join(root, "remote") });
  bot = double.addUser("bot");
  alice = double.addUser("alice");
  admin = double.addUser("root", { isAdmin: true });
  double.addRepo(REPO);
  double.setPermission(REPO, "bot", "write");
  pr = double.openPull(REPO, { head: "feature", base: "main", author: "alice" }).number;
});

afterEach(async () => {
  await double.close();
});

type Call = {
  method?: string;
  token?: string | null;
  authorization?: string;
  body?: unknown;
  headers?: Record<string, string>;
};

async function api(path: string, call: Call = {}) {
  const headers: Record<string, string> = { accept: "application/json", ...call.headers };
  const token = call.token === undefined ? bot.token : call.token;
  if (call.authorization) headers.authorization = call.authorization;
  else if (token) headers.authorization = `token ${token}`;
  let body: string | undefined;
  if (call.body !== undefined) {
    body = typeof call.body === "string" ? call.body : JSON.stringify(call.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(`${double.url}/api/v1${path}`, {
    method: call.method ?? "GET",
    headers,
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : null };
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("auth", () => {
  it("answers 401 without or with a bad token, like Gitea 1.26", async () => {
    const anonymous = await api("/user", { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toEqual({
      message: "token is required",
      url: `${double.url}/api/swagger`,
    });
    const wrong = await api("/user", { token: "0".repeat(40) });
    expect(wrong.status).toBe(401);
    expect(wrong.json.message).toBe("invalid username, password or token");
    expect(wrong.headers.get("content-type")).toBe("application/json;charset=utf-8");
    expect(wrong.text.endsWith("}\n")).toBe(true);
  });

  it("accepts token, Token, Bearer and Basic (token as username or password)", async () => {
    for (const authorization of [
      `token ${bot.token}`,
      `Token ${bot.token}`,
      `Bearer ${bot.token}`,
      basic(bot.token, ""),
      basic(bot.token, "x-oauth-basic"),
      basic("x-access-token", bot.token),
    ]) {
      const me = await api("/user", { authorization });
      expect(me.status, authorization).toBe(200);
      expect(me.json).toMatchObject({ id: bot.id, login: "bot", username: "bot" });
    }
    expect(double.violations).toEqual([]);
  });

  it("rejects a capitalised Token scheme before 1.25 and redacts Authorization", async () => {
    const old = await startGiteaDouble({ repoRoot: join(root, "remote"), version: "1.24" });
    try {
      const user = old.addUser("bot");
      const res = await fetch(`${old.url}/api/v1/user`, {
        headers: { authorization: `Token ${user.token}` },
      });
      expect(res.status).toBe(401);
      expect(old.requests[0]?.headers.authorization).toBe("<redacted>");
    } finally {
      await old.close();
    }
  });
});

describe("git over smart HTTP", () => {
  const clean = () => mkdtemp(join(root, "client-"));

  it("clones a private repository with a token header and refuses without one", async () => {
    const dir = await clean();
    double.addRepo(PRIVATE_REPO, { private: true });
    double.setPermission(PRIVATE_REPO, bot.login, "read");
    const url = `${double.url}/${PRIVATE_REPO}.git`;
    const header = `http.extraHeader=Authorization: token ${bot.token}`;
    await git(dir, ["-c", header, "clone", "--quiet", url, "with-token"]);
    expect((await git(join(dir, "with-token"), ["log", "--format=%s"])).trim()).toBe("initial");
    await expect(git(dir, ["clone", "--quiet", url, "without"])).rejects.toThrow();
    const refused = double.requests.filter((r) => r.kind === "git" && r.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    const served = double.requests.find((r) => r.kind === "git" && r.status === 200);
    expect(served?.headers.authorization).toBe("<redacted>");
  });

  it("honours git fetch --filter=blob:none into a promisor mirror (no .git suffix)", async () => {
    const dir = join(await clean(), "mirror.git");
    await git(root, ["init", "--bare", "--quiet", dir]);
    const settings = [
      ["core.repositoryformatversion", "1"],
      ["extensions.partialClone", "origin"],
      ["remote.origin.url", `${double.url}/${REPO}`],
      ["remote.origin.promisor", "true"],
      ["remote.origin.partialclonefilter", "blob:none"],
    ];
    for (const [key, value] of settings) await git(dir, ["config", key ?? "", value ?? ""]);
    const header = `http.extraHeader=Authorization: Bearer ${bot.token}`;
    await git(dir, [
      "-c",
      header,
      "fetch",
      "--quiet",
      "--filter=blob:none",
      "origin",
      "+refs/heads/*:refs/heads/*",
    ]);
    expect((await git(dir, ["rev-parse", "refs/heads/feature"])).trim()).toBe(featureSha);
    const objects = await git(dir, ["rev-list", "--objects", "--all", "--missing=print"]);
    const missing = objects.split("\n").filter((line) => line.startsWith("?"));
    expect(missing.length).toBeGreaterThan(0);
  });

  it("answers 404 for an unknown repo and 403 for receive-pack", async () => {
    const auth = { authorization: `token ${bot.token}` };
    const unknown = await fetch(`${double.url}/acme/nope.git/info/refs?service=git-upload-pack`, {
      headers: auth,
    });
    expect(unknown.status).toBe(404);
    const push = await fetch(`${double.url}/${REPO}.git/info/refs?service=git-receive-pack`, {
      headers: auth,
    });
    expect(push.status).toBe(403);
    // Anyone may fetch a public repository; a private one asks for credentials.
    const anonymous = await fetch(`${double.url}/${REPO}.git/info/refs?service=git-upload-pack`);
    expect(anonymous.status).toBe(200);
    await anonymous.arrayBuffer();
    double.addRepo(PRIVATE_REPO, { private: true });
    const hidden = await fetch(
      `${double.url}/${PRIVATE_REPO}.git/info/refs?service=git-upload-pack`,
    );
    expect(hidden.status).toBe(401);
    expect(hidden.headers.get("www-authenticate")).toBe('Basic realm="Gitea"');
    expect((await api(`/repos/${REPO}`, { token: null })).status).toBe(200);
    expect((await api(`/repos/${PRIVATE_REPO}`, { token: null })).status).toBe(404);
  });
});

describe("API quirks", () => {
  it("serves the repository and the pull request", async () => {
    const repo = await api(`/repos/${REPO}`);
    expect(repo.json).toMatchObject({
      full_name: REPO,
      fork: false,
      default_branch: "main",
      clone_url: `${double.url}/${REPO}.git`,
      permissions: { admin: false, push: true, pull: true },
    });
    const pull = await api(`/repos/${REPO}/pulls/${pr}`);
    expect(pull.json).toMatchObject({
      number: pr,
      state: "open",
      url: `${double.url}/${REPO}/pulls/${pr}`,
      head: { label: "feature", ref: "feature", sha: featureSha },
      base: { label: "main", ref: "main", sha: mainSha },
      merge_base: mainSha,
    });
    expect((await api(`/repos/${REPO}/pulls/99`)).status).toBe(404);
    expect(double.violations).toEqual([]);
  });

  it("follows the head branch on syncPull and hides closed pulls from the open list", async () => {
    await work.checkout("moving", { create: true, from: "feature" });
    await work.push("moving");
    const opened = double.openPull(REPO, { head: "moving", base: "main", author: "alice" });
    expect(opened.headSha).toBe(featureSha);
    await work.write({ "src/c.txt": "c\n" });
    const newSha = await work.commit("more");
    await work.push("moving");
    await work.checkout("main");
    expect(double.syncPull(REPO, opened.number)).toBe(newSha);
    const pullRef = await git(work.remote, ["rev-parse", `refs/pull/${opened.number}/head`]);
    expect(pullRef.trim()).toBe(newSha);
    const pull = await api(`/repos/${REPO}/pulls/${opened.number}`);
    expect(pull.json.head).toMatchObject({ ref: "moving", sha: newSha });
    double.closePull(REPO, opened.number);
    const open = await api(`/repos/${REPO}/pulls`);
    expect(open.json.map((p: { number: number }) => p.number)).toEqual([pr]);
    const closed = await api(`/repos/${REPO}/pulls?state=closed`);
    expect(closed.json.map((p: { number: number }) => p.number)).toEqual([opened.number]);
    expect(double.violations).toEqual([]);
  });

  it("hides a private repository from users without access (404, API and git)", async () => {
    const other = await startGiteaDouble({ repoRoot: join(root, "remote") });
    try {
      const stranger = other.addUser("stranger");
      other.addRepo(REPO, { private: true });
      const headers = { authorization: `token ${stranger.token}` };
      expect((await fetch(`${other.url}/api/v1/repos/${REPO}`, { headers })).status).toBe(404);
      const refs = `${other.url}/${REPO}.git/info/refs?service=git-upload-pack`;
      expect((await fetch(refs, { headers })).status).toBe(404);
      other.setPermission(REPO, "stranger", "read");
      expect((await fetch(`${other.url}/api/v1/repos/${REPO}`, { headers })).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it("pages the pull list with X-Total-Count and a comma-joined Link", async () => {
    double.openPull(REPO, { head: "feature", base: "main", author: "bot" });
    double.openPull(REPO, { head: "feature", base: "main", author: "bot" });
    const first = await api(`/repos/${REPO}/pulls?state=open&limit=2`);
    expect(first.json.map((p: { number: number }) => p.number)).toEqual([3, 2]);
    expect(first.headers.get("x-total-count")).toBe("3");
    const list = `${double.url}/api/v1/repos/${REPO}/pulls`;
    expect(first.headers.get("link")).toBe(
      `<${list}?limit=2&page=2&state=open>; rel="next",<${list}?limit=2&page=2&state=open>; rel="last"`,
    );
    expect(double.violations).toEqual([]);
  });

  it("lists comments unpaginated, oldest first, with X-Total-Count", async () => {
    for (let i = 1; i <= 55; i++) double.addComment(REPO, pr, "alice", `comment ${i}`);
    const list = await api(`/repos/${REPO}/issues/${pr}/comments`);
    expect(list.status).toBe(200);
    expect(list.json).toHaveLength(55);
    expect(list.json[0].body).toBe("comment 1");
    expect(list.headers.get("x-total-count")).toBe("55");
    expect(list.headers.get("link")).toBeNull();
    expect(double.violations).toEqual([]);
  });

  it("answers 500 with an empty message for an unknown issue index", async () => {
    const list = await api(`/repos/${REPO}/issues/42/comments`);
    expect(list.status).toBe(500);
    expect(list.json.message).toBe("");
    const post = await api(`/repos/${REPO}/issues/42/comments`, {
      method: "POST",
      body: { body: "hi" },
    });
    expect(post.status).toBe(500);
    expect(double.violations).toEqual([]);
  });

  it("creates a comment (201) and tells onComment", async () => {
    const events: string[] = [];
    double.onComment = (e) => events.push(`${e.action} ${e.number} ${e.sender.login}`);
    const created = await api(`/repos/${REPO}/issues/${pr}/comments`, {
      method: "POST",
      body: { body: "report" },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      body: "report",
      issue_url: "",
      html_url: `${double.url}/${REPO}/pulls/${pr}#issuecomment-${created.json.id}`,
      user: { login: "bot" },
    });
    expect(events).toEqual([`created ${pr} bot`]);
    expect(double.comments(REPO, pr).map((c) => c.body)).toEqual(["report"]);
  });

  it("edits: 403 without a body for a reader who is not the author, no-op on same body", async () => {
    const events: string[] = [];
    double.onComment = (e) => events.push(e.action);
    const mine = await api(`/repos/${REPO}/issues/${pr}/comments`, {
      method: "POST",
      body: { body: "v1" },
    });
    const id = mine.json.id as number;
    const path = `/repos/${REPO}/issues/comments/${id}`;
    const foreign = await api(path, { method: "PATCH", token: alice.token, body: { body: "x" } });
    expect(foreign.status).toBe(403);
    expect(foreign.text).toBe("");
    const same = await api(path, { method: "PATCH", body: { body: "v1" } });
    expect(same.status).toBe(200);
    expect(same.json.updated_at).toBe(mine.json.updated_at);
    const changed = await api(path, { method: "PATCH", body: { body: "v2" } });
    expect(changed.json.body).toBe("v2");
    expect(events).toEqual(["created", "edited"]);
    expect(
      (await api(`/repos/${REPO}/issues/comments/999`, { method: "PATCH", body: { body: "x" } }))
        .status,
    ).toBe(404);
    expect(double.violations).toEqual([]);
  });

  it("reacts: 201, then 200 for the same reaction, 403 for an unknown one", async () => {
    const comment = double.addComment(REPO, pr, "alice", "please check");
    const path = `/repos/${REPO}/issues/comments/${comment.id}/reactions`;
    const first = await api(path, { method: "POST", body: { content: "eyes" } });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ user: { login: "bot" }, content: "eyes" });
    const again = await api(path, { method: "POST", body: { content: "eyes" } });
    expect(again.status).toBe(200);
    const bad = await api(path, { method: "POST", body: { content: "thumbsup" } });
    expect(bad.status).toBe(403);
    expect(double.reactions(comment.id)).toEqual([{ user: "bot", content: "eyes" }]);
    expect(double.violations).toEqual([]);
  });

  it("creates statuses with a `status` field, 500 for an unknown sha, 403 for readers", async () => {
    const path = `/repos/${REPO}/statuses/${featureSha}`;
    const body = {
      state: "pending",
      context: "fixture-bot",
      description: "checking",
      target_url: "",
    };
    const created = await api(path, { method: "POST", body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 1, status: "pending", context: "fixture-bot" });
    expect(created.json).not.toHaveProperty("state");
    const second = await api(path, { method: "POST", body: { ...body, state: "success" } });
    expect(second.json.id).toBe(2);
    const unknown = await api(`/repos/${REPO}/statuses/${"f".repeat(40)}`, {
      method: "POST",
      body,
    });
    expect(unknown.status).toBe(500);
    const reader = await api(path, { method: "POST", body, token: alice.token });
    expect(reader.status).toBe(403);

    const list = await api(`/repos/${REPO}/commits/feature/statuses`);
    expect(list.json.map((s: { id: number }) => s.id)).toEqual([2, 1]);
    expect(list.headers.get("x-total-count")).toBe("2");
    const combined = await api(`/repos/${REPO}/commits/${featureSha}/status`);
    expect(combined.json).toMatchObject({ state: "success", sha: featureSha, total_count: 1 });
    const none = await api(`/repos/${REPO}/commits/main/status`);
    expect(none.json.state).toBe("pending");
    expect(double.statuses(REPO, featureSha).map((s) => s.status)).toEqual(["pending", "success"]);
    expect(double.violations).toEqual([]);
  });

  it("gives ≤1.24's empty combined status shape", async () => {
    const old = await startGiteaDouble({ repoRoot: join(root, "remote"), version: "1.24" });
    try {
      const user = old.addUser("bot");
      old.addRepo(REPO);
      const res = await fetch(`${old.url}/api/v1/repos/${REPO}/commits/main/status`, {
        headers: { authorization: `token ${user.token}` },
      });
      expect(await res.json()).toEqual({
        state: "",
        sha: "",
        total_count: 0,
        statuses: null,
        repository: null,
        commit_url: "",
        url: "",
      });
    } finally {
      await old.close();
    }
  });

  it("permission endpoint: 403 for a non-admin asking about someone else", async () => {
    const path = (login: string) => `/repos/${REPO}/collaborators/${login}/permission`;
    const other = await api(path("alice"));
    expect(other.status).toBe(403);
    const self = await api(path("bot"));
    expect(self.json).toMatchObject({ permission: "write", role_name: "write" });
    const byAdmin = await api(path("alice"), { token: admin.token });
    expect(byAdmin.json.permission).toBe("read");
    const byOwner = await api(path("nobody"), { token: admin.token });
    expect(byOwner.status).toBe(404);
    expect(double.violations).toEqual([]);
  });

  it("failNext(3) fails three requests with 502, then serves again", async () => {
    double.failNext(3);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api("/user")).status);
    expect(statuses).toEqual([502, 502, 502, 200]);
  });

  it("setDown resets API connections while git keeps working", async () => {
    double.setDown(true);
    await expect(fetch(`${double.url}/api/v1/user`)).rejects.toThrow();
    const refs = await fetch(`${double.url}/${REPO}.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `token ${bot.token}` },
    });
    expect(refs.status).toBe(200);
    await refs.arrayBuffer();
    double.setDown(false);
    expect((await api("/user")).status).toBe(200);
  });
});

describe("swagger check", () => {
  it("flags requests Gitea's swagger does not allow, and still answers them", async () => {
    const unknownPath = await api(`/repos/${REPO}/bogus`);
    expect(unknownPath.status).toBe(404);
    await api(`/repos/${REPO}/issues/${pr}/comments`, {
      method: "POST",
      body: { body: "x", title: "extra" },
    });
    const missing = await api(`/repos/${REPO}/issues/${pr}/comments`, { method: "POST", body: {} });
    expect(missing.status).toBe(422);
    await api(`/repos/${REPO}/pulls?state=bogus`);
    await api(`/repos/${REPO}/pulls?per_page=100`);
    await api(`/repos/${REPO}/issues/${pr}/comments?limit=5`);
    expect(double.violations).toEqual([
      `GET /api/v1/repos/${REPO}/bogus: no such path in Gitea's API: /repos/${REPO}/bogus`,
      `POST /api/v1/repos/${REPO}/issues/${pr}/comments: unknown field body.title`,
      `POST /api/v1/repos/${REPO}/issues/${pr}/comments: missing required field body.body`,
      `GET /api/v1/repos/${REPO}/pulls?state=bogus: query state="bogus" is not one of open, closed, all`,
      `GET /api/v1/repos/${REPO}/pulls?per_page=100: undeclared query parameter per_page`,
      `GET /api/v1/repos/${REPO}/issues/${pr}/comments?limit=5: undeclared query parameter limit`,
    ]);
  });

  it("checks methods, content types, body types and enums", async () => {
    const spec = await loadSwagger();
    const check = (request: Parameters<typeof checkAgainstSwagger>[1]) =>
      checkAgainstSwagger(spec, request);
    const json = { "content-type": "application/json" };
    expect(check({ method: "DELETE", path: "/api/v1/user" })).toEqual([
      "/user has no DELETE (declared: GET)",
    ]);
    expect(
      check({
        method: "POST",
        path: "/repos/o/r/statuses/abc",
        headers: {},
        body: '{"state":"ok"}',
      }),
    ).toEqual([
      "body sent with Content-Type (none), not application/json",
      'body.state "ok" is not one of pending, success, error, failure, warning, skipped',
    ]);
    expect(
      check({
        method: "PATCH",
        path: "/repos/o/r/issues/comments/x",
        headers: json,
        body: { body: 1 },
      }),
    ).toEqual(['path id="x" is not integer', "body.body must be string, got integer"]);
    expect(
      check({
        method: "GET",
        path: "/repos/o/r/statuses/abc",
        query: { sort: "newest", token: "t" },
      }),
    ).toEqual([
      'query sort="newest" is not one of oldest, recentupdate, leastupdate, leastindex, highestindex',
    ]);
    expect(
      check({ method: "GET", path: "/repos/o/r/raw/docs/a.md", query: { ref: "main" } }),
    ).toEqual([]);
  });
});
