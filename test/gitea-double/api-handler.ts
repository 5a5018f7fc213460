/**
 * One API request: record it, check it against the swagger, then (unless down or told to fail)
 * authenticate, route and answer it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApiReply, apiError, notFound } from "./api-reply.ts";
import { API_ROUTES } from "./api-routes.ts";
import { ANONYMOUS, authenticate } from "./auth.ts";
import type { Controls } from "./controls.ts";
import { readBody, resetConnection, writeJson } from "./http-io.ts";
import { findRoute } from "./router.ts";
import type { DoubleState } from "./state.ts";
import { checkAgainstSwagger, type SwaggerSpec } from "./swagger-check.ts";
import type { CommentEvent, GiteaVersion, RecordedRequest } from "./types.ts";

export const API_BASE = "/api/v1";

export type ApiDeps = {
  root: string;
  version: GiteaVersion;
  state: DoubleState;
  spec: SwaggerSpec;
  controls: Controls;
  violations: string[];
  emit: (event: CommentEvent) => void;
};

function parsedBody(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

async function answer(
  deps: ApiDeps,
  req: IncomingMessage,
  url: URL,
  raw: string,
): Promise<ApiReply> {
  const method = req.method ?? "GET";
  const path = url.pathname.slice(API_BASE.length) || "/";
  const failure = deps.controls.takeFailure({ method, path: url.pathname });
  if (failure !== null) {
    const reply = apiError(deps.root, failure.status, "failure injected by failNext()");
    return failure.retryAfter === null
      ? reply
      : { ...reply, headers: { ...reply.headers, "retry-after": failure.retryAfter } };
  }
  const auth = authenticate(deps.state, req.headers.authorization, deps.version);
  if (auth.kind === "invalid") {
    return apiError(deps.root, 401, "invalid username, password or token");
  }
  const found = findRoute(API_ROUTES, method, path);
  if (!found) return notFound(deps.root);
  // Anonymous callers may read repositories (a private one then answers 404, as Gitea does).
  if (auth.kind === "anonymous" && !(method === "GET" && path.startsWith("/repos/")))
    return apiError(deps.root, 401, "token is required");
  const ctx = {
    root: deps.root,
    version: deps.version,
    state: deps.state,
    viewer: auth.kind === "user" ? auth.user : ANONYMOUS,
    url,
    params: found.params,
    rawBody: raw,
  };
  return found.handler(ctx);
}

export async function handleApi(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  record: RecordedRequest,
): Promise<void> {
  const raw = await readBody(req);
  record.body = parsedBody(raw);
  const problems = checkAgainstSwagger(deps.spec, {
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body: raw,
  });
  if (problems.length > 0) {
    const query = new URLSearchParams(record.query).toString();
    const shown = `${url.pathname}${query ? `?${query}` : ""}`;
    deps.violations.push(`${req.method} ${shown}: ${problems.join("; ")}`);
  }
  if (deps.controls.isDown()) {
    resetConnection(req, record);
    return;
  }
  await deps.controls.waitIfHeld({ method: req.method ?? "GET", path: url.pathname });
  let reply: ApiReply;
  try {
    reply = await answer(deps, req, url, raw);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    reply = apiError(deps.root, 500, `gitea double failed: ${message}`);
  }
  writeJson(res, record, reply);
  if (reply.event) deps.emit(reply.event);
}
