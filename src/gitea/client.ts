/**
 * The Gitea API, one function per endpoint, and the only importer of undici. Every call has a
 * deadline; 5xx, 429 and network errors are retried a bounded number of times with exponential
 * backoff, a `Retry-After` is waited for as asked within the deadline (retry-policy.ts), 4xx never.
 * Errors are GiteaApiError with the status and Gitea's message, redacted.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type Dispatcher, request } from "undici";
import type { z } from "zod";
import { GiteaApiError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { Redact } from "../shared/redact.ts";
import { nextRetry } from "./retry-policy.ts";
import {
  Branch,
  CollaboratorPermission,
  Comment,
  CommitStatus,
  type NewStatus,
  PullRequest,
  Repository,
  User,
} from "./schemas.ts";

export type GiteaClientOptions = {
  /** Gitea's root URL, e.g. https://git.example.org (the API is at /api/v1 below it). */
  baseUrl: string;
  token?: string | undefined;
  redact: Redact;
  log: Logger;
  dispatcher?: Dispatcher;
  /** Deadline for one attempt (connect, send, read the whole answer). */
  timeoutMs?: number;
  /** Retries after the first attempt, for 5xx, 429 and network errors. */
  retries?: number;
  /** First backoff delay; doubled each retry, with jitter. */
  backoffMs?: number;
  /** Told of every call that finally failed (metrics). */
  onError?: (method: string, status: number | null) => void;
  /** Without a deadline (start-up, the reconcile), the longest Retry-After waited for (60 s). */
  maxWaitMs?: number;
  /** The clock and the wait between attempts (tests record them). */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal | null) => Promise<void>;
};

export type GiteaClient = {
  getCurrentUser(): Promise<User>;
  getRepo(repo: string): Promise<Repository>;
  getBranch(repo: string, branch: string): Promise<Branch>;
  getPull(repo: string, number: number): Promise<PullRequest>;
  listOpenPulls(repo: string): Promise<PullRequest[]>;
  listComments(repo: string, number: number): Promise<Comment[]>;
  createComment(repo: string, number: number, body: string): Promise<Comment>;
  editComment(repo: string, id: number, body: string): Promise<Comment>;
  addReaction(repo: string, commentId: number, content: string): Promise<void>;
  createStatus(
    repo: string,
    sha: string,
    status: NewStatus,
    options?: StatusOptions,
  ): Promise<CommitStatus>;
  listStatuses(repo: string, ref: string): Promise<CommitStatus[]>;
  /** none, read, write, admin or owner. */
  getPermission(repo: string, login: string): Promise<string>;
  /**
   * The same client with every call bounded by `signal` as well (a job's deadline): an aborted
   * signal ends the attempt in flight and any retry or backoff still to come. `deadlineAt` (epoch
   * ms) is when that signal will fire: a Retry-After that would end past it is not waited for.
   */
  bound(signal: AbortSignal, deadlineAt?: number): GiteaClient;
};

/** How a POST of a commit status may be repeated. */
export type StatusOptions = {
  /**
   * false: one attempt, never repeated. A `pending` that timed out may still be stored by Gitea
   * later; repeating it would only add another late write that could land after the final state.
   */
  retry?: boolean;
};

type Call = {
  method: "GET" | "POST" | "PATCH";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /**
   * Creating a comment is not idempotent: after a timeout or a 5xx, Gitea may have written it
   * already, and a retry would post it twice. Such calls are retried only when the request surely
   * did not arrive (connection refused) or was refused before any work (429, 503).
   */
  once?: boolean;
  /** Never repeated, whatever the failure. */
  never?: boolean;
};

const SAFE_TO_REPEAT_STATUS = new Set([429, 503]);
const SAFE_TO_REPEAT_CODES = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "EAI_AGAIN"]);

const RETRYABLE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

export function createGiteaClient(
  options: GiteaClientOptions,
  signal: AbortSignal | null = null,
  deadlineAt: number | null = null,
): GiteaClient {
  const root = options.baseUrl.replace(/\/+$/, "");
  const api = `${root}/api/v1`;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 250;
  const now = options.now ?? Date.now;
  const wait =
    options.sleep ??
    ((ms: number, on: AbortSignal | null) => sleep(ms, undefined, on ? { signal: on } : {}));

  const repoPath = (repo: string) => {
    const [owner, name] = repo.split("/");
    return `/repos/${encodeURIComponent(owner ?? "")}/${encodeURIComponent(name ?? "")}`;
  };

  async function attempt(call: Call, url: string) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token) headers.authorization = `token ${options.token}`;
    if (call.body !== undefined) headers["content-type"] = "application/json";
    const response = await request(url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      dispatcher: options.dispatcher,
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  }

  async function send(call: Call, url: string) {
    const label = `${call.method} ${call.path}`;
    let retried = 0;
    let askedWaits = 0;
    for (;;) {
      let failure: { repeatable: boolean; retryAfter?: string | string[]; error: GiteaApiError };
      if (signal?.aborted) throw deadlinePassed(call);
      try {
        const res = await attempt(call, url);
        if (res.status < 400) return res;
        const message = options.redact(errorText(res.text) || `HTTP ${res.status}`);
        failure = {
          repeatable:
            !call.never &&
            (call.once
              ? SAFE_TO_REPEAT_STATUS.has(res.status)
              : res.status >= 500 || res.status === 429),
          retryAfter: res.headers["retry-after"],
          error: new GiteaApiError(call.method, call.path, res.status, message),
        };
      } catch (error) {
        if (signal?.aborted) throw deadlinePassed(call, error);
        const name = (error as Error).name;
        const timedOut = name === "TimeoutError" || name === "AbortError";
        const code = String((error as { code?: unknown }).code ?? name);
        failure = {
          repeatable:
            !call.never &&
            (call.once ? SAFE_TO_REPEAT_CODES.has(code) : timedOut || RETRYABLE_CODES.has(code)),
          error: new GiteaApiError(
            call.method,
            call.path,
            null,
            timedOut
              ? `no answer within ${timeoutMs} ms`
              : options.redact(`network error (${code})`),
            { cause: error },
          ),
        };
      }
      const next = nextRetry({
        status: failure.error.status,
        retryAfter: failure.retryAfter,
        repeatable: failure.repeatable,
        retried,
        askedWaits,
        retries,
        backoffMs,
        jitter: 0.5 + Math.random(),
        nowMs: now(),
        deadlineAt,
        maxWaitMs: options.maxWaitMs ?? 60_000,
      });
      if (!next.retry) {
        options.onError?.(call.method, failure.error.status);
        const { error } = failure;
        throw next.note === null
          ? error
          : new GiteaApiError(
              call.method,
              call.path,
              error.status,
              error.message.slice(`${label}: `.length),
              { cause: error.cause, note: next.note },
            );
      }
      if (next.asked) askedWaits += 1;
      else retried += 1;
      options.log.warn(
        {
          call: label,
          status: failure.error.status,
          attempt: retried + askedWaits,
          retryInMs: Math.round(next.waitMs),
          ...(next.asked ? { retryAfter: String(failure.retryAfter) } : {}),
        },
        next.asked
          ? "Gitea API call refused for now; waiting as its Retry-After asks"
          : "Gitea API call failed; retrying",
      );
      try {
        await wait(next.waitMs, signal);
      } catch (error) {
        throw deadlinePassed(call, error);
      }
    }
  }

  function deadlinePassed(c: Call, cause?: unknown): GiteaApiError {
    return new GiteaApiError(c.method, c.path, null, "the job's deadline passed", { cause });
  }

  async function call<T extends z.ZodType>(schema: T, c: Call): Promise<z.infer<T>> {
    const res = await send(c, urlOf(c));
    return parse(schema, c, res.text);
  }

  function urlOf(c: Call): string {
    const query = c.query ? `?${new URLSearchParams(c.query).toString()}` : "";
    return `${api}${c.path}${query}`;
  }

  function parse<T extends z.ZodType>(schema: T, c: Call, text: string): z.infer<T> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new GiteaApiError(c.method, c.path, null, "the answer is not JSON");
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new GiteaApiError(
        c.method,
        c.path,
        null,
        `unexpected answer: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      );
    }
    return parsed.data;
  }

  /**
   * Gitea builds Link URLs from its ROOT_URL, which may differ from GITEA_URL (an internal
   * address): take only the path and query and ask our own GITEA_URL, so the token never goes
   * anywhere else.
   */
  function sameApi(link: string | null): string | null {
    if (!link) return null;
    try {
      const next = new URL(link);
      const at = next.pathname.indexOf("/api/v1/");
      return at === -1 ? null : `${api}${next.pathname.slice(at + "/api/v1".length)}${next.search}`;
    } catch {
      return null;
    }
  }

  /** Follow `Link: <...>; rel="next"` (see sameApi). */
  async function all<T extends z.ZodType>(
    schema: T,
    c: Call,
    maxPages = 100,
  ): Promise<z.infer<T>[]> {
    const items: z.infer<T>[] = [];
    let url: string | null = urlOf(c);
    const seen = new Set<string>();
    for (let page = 0; url !== null && page < maxPages && !seen.has(url); page++) {
      seen.add(url);
      const res = await send(c, url);
      items.push(...(parse(schema.array(), c, res.text) as z.infer<T>[]));
      url = sameApi(nextLink(res.headers.link));
    }
    return items;
  }

  return {
    getCurrentUser: () => call(User, { method: "GET", path: "/user" }),
    getRepo: (repo) => call(Repository, { method: "GET", path: repoPath(repo) }),
    getBranch: (repo, branch) =>
      call(Branch, {
        method: "GET",
        path: `${repoPath(repo)}/branches/${branch.split("/").map(encodeURIComponent).join("/")}`,
      }),
    getPull: (repo, number) =>
      call(PullRequest, { method: "GET", path: `${repoPath(repo)}/pulls/${number}` }),
    listOpenPulls: (repo) =>
      all(PullRequest, {
        method: "GET",
        path: `${repoPath(repo)}/pulls`,
        query: { state: "open", limit: "50" },
      }),
    // Gitea ignores page/limit here and answers every comment at once (CONTRACT 4.5); a Link
    // header, should a version add one, is followed.
    listComments: (repo, number) =>
      all(Comment, { method: "GET", path: `${repoPath(repo)}/issues/${number}/comments` }),
    createComment: (repo, number, body) =>
      call(Comment, {
        method: "POST",
        path: `${repoPath(repo)}/issues/${number}/comments`,
        body: { body },
        once: true,
      }),
    editComment: (repo, id, body) =>
      call(Comment, {
        method: "PATCH",
        path: `${repoPath(repo)}/issues/comments/${id}`,
        body: { body },
      }),
    addReaction: async (repo, commentId, content) => {
      await send(
        {
          method: "POST",
          path: `${repoPath(repo)}/issues/comments/${commentId}/reactions`,
          body: { content },
        },
        urlOf({ method: "POST", path: `${repoPath(repo)}/issues/comments/${commentId}/reactions` }),
      );
    },
    createStatus: (repo, sha, status, statusOptions = {}) =>
      call(CommitStatus, {
        method: "POST",
        path: `${repoPath(repo)}/statuses/${sha}`,
        body: status,
        ...(statusOptions.retry === false ? { never: true } : {}),
      }),
    listStatuses: (repo, ref) =>
      all(CommitStatus, {
        method: "GET",
        path: `${repoPath(repo)}/commits/${encodeURIComponent(ref)}/statuses`,
        query: { limit: "50" },
      }),
    getPermission: async (repo, login) =>
      (
        await call(CollaboratorPermission, {
          method: "GET",
          path: `${repoPath(repo)}/collaborators/${encodeURIComponent(login)}/permission`,
        })
      ).permission,
    bound: (next, nextDeadline) =>
      createGiteaClient(
        options,
        signal ? AbortSignal.any([signal, next]) : next,
        nextDeadline === undefined
          ? deadlineAt
          : deadlineAt === null
            ? nextDeadline
            : Math.min(deadlineAt, nextDeadline),
      ),
  };
}

function errorText(text: string): string {
  try {
    const json = JSON.parse(text) as { message?: unknown };
    if (typeof json.message === "string") return json.message.slice(0, 300);
  } catch {
    // not JSON: a proxy's page, say
  }
  return text.replace(/\s+/g, " ").trim().slice(0, 200);
}

function nextLink(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header.join(",") : header;
  if (!value) return null;
  for (const part of value.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1] ?? null;
  }
  return null;
}
