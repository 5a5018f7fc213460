/** The HTTP server: records every request, then hands it to the API or the git side. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { API_BASE } from "./api-handler.ts";
import type { RecordedRequest } from "./types.ts";

const SECRET_HEADERS = ["authorization", "proxy-authorization"];
const SECRET_QUERY = ["token", "access_token"];
const REDACTED = "<redacted>";

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  record: RecordedRequest,
) => Promise<void>;

export function recordOf(req: IncomingMessage, url: URL): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = SECRET_HEADERS.includes(name) ? REDACTED : [value].flat().join(", ");
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = SECRET_QUERY.includes(key) ? REDACTED : value;
  }
  const isApi = url.pathname === API_BASE || url.pathname.startsWith(`${API_BASE}/`);
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    query,
    headers,
    body: undefined,
    status: 0,
    kind: isApi ? "api" : "git",
  };
}

export async function listen(
  requests: RecordedRequest[],
  handlers: { api: Handler; git: Handler },
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://double.invalid");
    const record = recordOf(req, url);
    requests.push(record);
    const handler = record.kind === "api" ? handlers.api : handlers.git;
    handler(req, res, url, record).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      record.status = 500;
      res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(`gitea double failed: ${message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

export async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}
