/** Reading request bodies and writing responses the way Gitea does. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RecordedRequest } from "./types.ts";

const MAX_BODY = 10 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > MAX_BODY) throw new Error("request body over 10 MiB");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Compact JSON plus "\n", `application/json;charset=utf-8`; no body at all when body is undefined. */
export function writeJson(
  res: ServerResponse,
  record: RecordedRequest,
  reply: { status: number; body?: unknown; headers?: Record<string, string>; raw?: Buffer },
): void {
  record.status = reply.status;
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.raw !== undefined) {
    headers["Content-Length"] = String(reply.raw.length);
    res.writeHead(reply.status, headers).end(reply.raw);
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status, { ...headers, "Content-Length": "0" }).end();
    return;
  }
  const payload = Buffer.from(`${JSON.stringify(reply.body)}\n`, "utf8");
  headers["Content-Type"] = "application/json;charset=utf-8";
  headers["Content-Length"] = String(payload.length);
  res.writeHead(reply.status, headers).end(payload);
}

export function writeText(
  res: ServerResponse,
  record: RecordedRequest,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  record.status = status;
  res.writeHead(status, { ...headers, "Content-Type": "text/plain; charset=utf-8" }).end(body);
}

/** The connection reset a dead server or proxy gives: no status line at all. */
export function resetConnection(req: IncomingMessage, record: RecordedRequest): void {
  record.status = 0;
  req.socket.destroy();
}
