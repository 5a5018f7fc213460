/**
 * Smart-HTTP git (clone/fetch only) over the real bare repositories, through `git http-backend`
 * run as a CGI. Auth as Gitea's githttp.go (CONTRACT §5): a token is required (401 with
 * `WWW-Authenticate: Basic realm="Gitea"`), an unknown or unreadable repo is a 404, pushes a 403.
 */
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ANONYMOUS, authenticate } from "./auth.ts";
import type { Controls } from "./controls.ts";
import { gitEnv } from "./git-cli.ts";
import { writeText } from "./http-io.ts";
import type { DoubleState, StoredRepo } from "./state.ts";
import { pathSegments } from "./swagger-match.ts";
import type { GiteaVersion, RecordedRequest } from "./types.ts";

export type GitDeps = {
  state: DoubleState;
  version: GiteaVersion;
  repoRoot: string;
  controls?: Controls;
};

type GitPath = { owner: string; name: string; rest: string };

export function parseGitPath(pathname: string): GitPath | null {
  const [owner, repo, ...restParts] = pathSegments(pathname) ?? [];
  if (!owner || !repo || restParts.length === 0) return null;
  const rest = restParts.join("/");
  if (rest !== "info/refs" && rest !== "git-upload-pack" && rest !== "git-receive-pack")
    return null;
  return { owner, name: repo.replace(/\.git$/, ""), rest };
}

/** Partial clone and fetch-by-sha, as Gitea configures its git (modules/git/git.go). */
const SERVER_CONFIG: [string, string][] = [
  ["uploadpack.allowFilter", "true"],
  ["uploadpack.allowAnySHA1InWant", "true"],
  ["safe.directory", "*"],
];

function cgiEnv(req: IncomingMessage, url: URL, repoRoot: string, repo: StoredRepo, login: string) {
  const env: NodeJS.ProcessEnv = {
    ...gitEnv(),
    GIT_PROJECT_ROOT: repoRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: `/${repo.owner}/${repo.name}.git/${parseGitPath(url.pathname)?.rest ?? ""}`,
    QUERY_STRING: url.search.replace(/^\?/, ""),
    REQUEST_METHOD: req.method ?? "GET",
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_USER: login,
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    GIT_CONFIG_COUNT: String(SERVER_CONFIG.length),
  };
  for (const [i, [key, value]] of SERVER_CONFIG.entries()) {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  }
  const length = req.headers["content-length"];
  if (length) env.CONTENT_LENGTH = length;
  const protocol = req.headers["git-protocol"];
  if (typeof protocol === "string") env.GIT_PROTOCOL = protocol;
  const encoding = req.headers["content-encoding"];
  if (encoding) env.HTTP_CONTENT_ENCODING = encoding;
  return env;
}

/** Splits CGI output at the blank line after its headers; null until the blank line arrives. */
export function splitCgiHead(buffer: Buffer): { head: string; rest: Buffer } | null {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  const candidates = [
    [crlf, 4],
    [lf, 2],
  ].filter(([at]) => (at ?? -1) >= 0) as [number, number][];
  const [at, size] = candidates.sort((a, b) => a[0] - b[0])[0] ?? [-1, 0];
  if (at < 0) return null;
  return { head: buffer.subarray(0, at).toString("latin1"), rest: buffer.subarray(at + size) };
}

export function parseCgiHead(head: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers };
}

function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  env: NodeJS.ProcessEnv,
  record: RecordedRequest,
): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let pending: Buffer | null = Buffer.alloc(0);
    let stderr = "";
    child.stdin.on("error", () => {});
    req.pipe(child.stdin);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4096);
    });
    child.stdout.on("data", (chunk: Buffer) => {
      if (pending === null) {
        if (!res.write(chunk)) {
          child.stdout.pause();
          res.once("drain", () => child.stdout.resume());
        }
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      const split = splitCgiHead(pending);
      if (!split) return;
      pending = null;
      const { status, headers } = parseCgiHead(split.head);
      record.status = status;
      res.writeHead(status, headers);
      res.write(split.rest);
    });
    res.on("close", () => {
      if (child.exitCode === null) child.kill();
    });
    child.on("error", (error) => {
      if (!res.headersSent) writeText(res, record, 500, `git http-backend: ${error.message}\n`);
      resolve();
    });
    child.on("close", () => {
      if (pending !== null && !res.headersSent) {
        writeText(res, record, 500, `git http-backend gave no response: ${stderr}\n`);
      } else {
        res.end();
      }
      resolve();
    });
  });
}

export async function handleGit(
  deps: GitDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  record: RecordedRequest,
): Promise<void> {
  const path = parseGitPath(url.pathname);
  if (!path) return writeText(res, record, 404, "Not found\n");
  await deps.controls?.waitIfGitHeld();
  const injected = deps.controls?.takeGitFailure() ?? null;
  if (injected !== null)
    return writeText(res, record, injected, "failure injected by failGitNext()\n");
  const auth = authenticate(deps.state, req.headers.authorization, deps.version);
  const repo = deps.state.repo(`${path.owner}/${path.name}`);
  // Anyone may fetch a public repository; otherwise Gitea asks for credentials.
  if (auth.kind === "invalid" || (auth.kind === "anonymous" && (!repo || repo.isPrivate))) {
    const challenge = { "WWW-Authenticate": 'Basic realm="Gitea"' };
    return writeText(res, record, 401, "Unauthorized\n", challenge);
  }
  const viewer = auth.kind === "user" ? auth.user : ANONYMOUS;
  if (!repo || deps.state.permission(repo, viewer) === "none") {
    return writeText(res, record, 404, "Repository not found\n");
  }
  const service = path.rest === "info/refs" ? url.searchParams.get("service") : path.rest;
  if (service === "git-receive-pack") {
    return writeText(res, record, 403, "the Gitea double does not accept pushes\n");
  }
  if (service !== "git-upload-pack") {
    return writeText(res, record, 403, "only smart HTTP is served\n");
  }
  await runBackend(req, res, cgiEnv(req, url, deps.repoRoot, repo, viewer.login), record);
}
