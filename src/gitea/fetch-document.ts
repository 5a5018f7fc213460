/**
 * A document at an http(s) URL (the recipe CI's results for one canary). The bot's token goes
 * with the request only when the URL is on Gitea itself (the same origin as GITEA_URL: scheme,
 * host and port); any other host gets no token, and no redirect is followed (one could lead the
 * request elsewhere). Bounded in time and size; the answer is text, or "missing" (404, 410), or
 * an error that says why.
 */
import { type Dispatcher, request } from "undici";
import type { Redact } from "../shared/redact.ts";

export type FetchedDocument =
  | { kind: "ok"; text: string }
  | { kind: "missing" }
  | { kind: "error"; message: string };

export type FetchDocumentOptions = {
  /** GITEA_URL: its origin is the only one the token is sent to. */
  giteaUrl: string;
  token?: string | undefined;
  redact: Redact;
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal | undefined;
  dispatcher?: Dispatcher;
};

/** Whether `url` is on Gitea's origin (so it may carry the token). */
export function onGiteaOrigin(url: string, giteaUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(giteaUrl).origin;
  } catch {
    return false;
  }
}

export async function fetchDocument(
  url: string,
  options: FetchDocumentOptions,
): Promise<FetchedDocument> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token && onGiteaOrigin(url, options.giteaUrl))
    headers.authorization = `token ${options.token}`;
  const said = (message: string): FetchedDocument => ({
    kind: "error",
    message: options.redact(message),
  });
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    const response = await request(url, {
      method: "GET",
      headers,
      dispatcher: options.dispatcher,
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (response.statusCode === 404 || response.statusCode === 410) {
      await response.body.dump();
      return { kind: "missing" };
    }
    if (response.statusCode >= 300 && response.statusCode < 400) {
      await response.body.dump();
      return said(`answered ${response.statusCode} (a redirect, not followed)`);
    }
    if (response.statusCode >= 400) {
      await response.body.dump();
      return said(`answered ${response.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        response.body.destroy();
        return said(`is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { kind: "ok", text: Buffer.concat(chunks).toString("utf8") };
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError")
      return said(`did not answer within ${timeoutMs} ms`);
    const code = (error as { code?: unknown }).code;
    return said(`could not be fetched (${typeof code === "string" ? code : name})`);
  }
}
