/** What an API handler answers, and Gitea's error bodies (services/context/api.go). */
import type { StoredRepo } from "./state.ts";
import type { ConvertContext } from "./to-json.ts";
import type { CommentEvent } from "./types.ts";

export type ApiReply = {
  status: number;
  /** undefined: no body at all (Gitea's `ctx.Status`). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Bytes sent as they are (a raw file), instead of `body` as JSON. */
  raw?: Buffer;
  /** Runs after the response is written (the webhook Gitea would queue). */
  event?: CommentEvent;
};

export type ApiContext = ConvertContext & {
  url: URL;
  params: Record<string, string>;
  /** The request body as text; "" when none. */
  rawBody: string;
};

export type ApiHandler = (ctx: ApiContext) => Promise<ApiReply> | ApiReply;

export const swaggerUrl = (root: string) => `${root}/api/swagger`;

export function apiError(root: string, status: number, message: string): ApiReply {
  return { status, body: { message, url: swaggerUrl(root) } };
}

export function notFound(root: string, errors: string[] | null = null): ApiReply {
  return { status: 404, body: { errors, message: "not found", url: swaggerUrl(root) } };
}

/** 500s carry an empty message unless a site admin is asking (prod mode). */
export function internalError(ctx: ApiContext, detail: string): ApiReply {
  return apiError(ctx.root, 500, ctx.viewer.isAdmin ? detail : "");
}

/** Gitea's JSON binding: a body that does not decode, or misses a Required field, is a 422. */
export function bindJson(
  ctx: ApiContext,
  required: readonly string[] = [],
): { ok: true; value: Record<string, unknown> } | { ok: false; reply: ApiReply } {
  let value: unknown = {};
  try {
    if (ctx.rawBody.trim() !== "") value = JSON.parse(ctx.rawBody);
  } catch {
    return { ok: false, reply: apiError(ctx.root, 422, "[]: DeserializationError") };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reply: apiError(ctx.root, 422, "[]: DeserializationError") };
  }
  const record = value as Record<string, unknown>;
  const missing = required.filter((key) => typeof record[key] !== "string" || record[key] === "");
  if (missing.length > 0) {
    const names = missing.map((key) => key.charAt(0).toUpperCase() + key.slice(1)).join(", ");
    return { ok: false, reply: apiError(ctx.root, 422, `[${names}]: Required`) };
  }
  return { ok: true, value: record };
}

export const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The repository in the path, or Gitea's 404 (also for a private repo the caller cannot read). */
export function loadRepo(ctx: ApiContext): StoredRepo | ApiReply {
  const repo = ctx.state.repo(`${ctx.params.owner}/${ctx.params.repo}`);
  if (!repo || ctx.state.permission(repo, ctx.viewer) === "none") return notFound(ctx.root);
  return repo;
}

export const isReply = (value: unknown): value is ApiReply =>
  typeof value === "object" && value !== null && "status" in value;
