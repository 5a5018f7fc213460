/**
 * Smart-HTTP git (`git http-backend` as a CGI, as test/gitea-double serves it, without its auth)
 * whose pack responses can be held back or sent slowly: the faults of a real network, on real git.
 * Only the response that carries a pack (a protocol v2 `packfile` section) is affected; the ref
 * advertisement and `ls-refs` pass at once.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseCgiHead, splitCgiHead } from "../gitea-double/git-http.ts";

export type PackMode =
  /** The pack is sent as git http-backend writes it. */
  | { kind: "pass" }
  /** The request is answered with nothing at all, until the server closes. */
  | { kind: "stall" }
  /**
   * The response is cut into `slices` pieces, one every `intervalMs`, its pack data carried in
   * small sideband packets (see `repacketize`).
   */
  | { kind: "throttle"; slices: number; intervalMs: number };

export type FaultyGitServer = {
  url: string;
  mode: PackMode;
  /** Resolves when the next pack response is being held back (mode `stall`). */
  nextStall(): Promise<void>;
  close(): Promise<void>;
};

const PACKFILE_SECTION = Buffer.from("packfile\n");

export async function startFaultyGitServer(repoRoot: string): Promise<FaultyGitServer> {
  let stallWaiters: (() => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    serve(req, res).catch(() => res.destroy());
  });
  const self: FaultyGitServer = {
    url: "",
    mode: { kind: "pass" },
    nextStall: () => new Promise<void>((resolve) => stallWaiters.push(resolve)),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://localhost");
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_PROJECT_ROOT: repoRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.replace(/^\?/, ""),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_ADDR: "127.0.0.1",
    };
    if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
    if (typeof req.headers["git-protocol"] === "string")
      env.GIT_PROTOCOL = req.headers["git-protocol"];
    if (req.headers["content-encoding"])
      env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
    const backend = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "ignore"] });
    backend.stdin.on("error", () => {});
    req.pipe(backend.stdin);
    const chunks: Buffer[] = [];
    backend.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    await once(backend, "close");
    const split = splitCgiHead(Buffer.concat(chunks));
    if (!split) {
      res.writeHead(500).end("git http-backend gave no response\n");
      return;
    }
    const { status, headers } = parseCgiHead(split.head);
    const mode = self.mode;
    if (!split.rest.includes(PACKFILE_SECTION) || mode.kind === "pass") {
      res.writeHead(status, headers).end(split.rest);
      return;
    }
    if (mode.kind === "stall") {
      // Nothing at all, not even the status line: the connection stays open and silent.
      const waiters = stallWaiters;
      stallWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    res.writeHead(status, headers);
    const body = repacketize(split.rest, 1024);
    const size = Math.ceil(body.length / mode.slices);
    const send = (i: number) => {
      if (res.destroyed) return;
      const slice = body.subarray(i * size, (i + 1) * size);
      if (i === mode.slices - 1 || slice.length < size) {
        res.end(slice);
        return;
      }
      res.write(slice);
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(i + 1);
      }, mode.intervalMs);
      timers.add(timer);
    };
    send(0);
  }

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return self;
}

/**
 * The same protocol v2 response with the pack data (sideband 1 after the `packfile` section) in
 * packets of at most `max` bytes. upload-pack sends up to 64 KiB per packet, and git reads a
 * packet whole before index-pack sees any of it, so git reports progress once per packet: a
 * test that scales a slow link's minutes down to seconds scales the packets down with it.
 */
function repacketize(body: Buffer, max: number): Buffer {
  const out: Buffer[] = [];
  let inPack = false;
  let at = 0;
  while (at + 4 <= body.length) {
    const length = Number.parseInt(body.subarray(at, at + 4).toString("latin1"), 16);
    if (length >= 0 && length < 4) {
      // flush, delimiter, response-end
      out.push(body.subarray(at, at + 4));
      at += 4;
      continue;
    }
    if (!(length >= 4) || at + length > body.length) break;
    const payload = body.subarray(at + 4, at + length);
    if (inPack && payload[0] === 1 && payload.length - 1 > max) {
      for (let i = 1; i < payload.length; i += max) {
        const data = payload.subarray(i, i + max);
        const header = (data.length + 5).toString(16).padStart(4, "0");
        out.push(Buffer.from(header, "latin1"), Buffer.from([1]), data);
      }
    } else {
      if (payload.equals(PACKFILE_SECTION)) inPack = true;
      out.push(body.subarray(at, at + length));
    }
    at += length;
  }
  out.push(body.subarray(at)); // anything that did not parse, as it was
  return Buffer.concat(out);
}
