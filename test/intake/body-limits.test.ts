/**
 * What one sender, or many, can make the intake hold in memory before a signature is checked. A
 * body is read with a running count and refused at the size limit (whatever Content-Length says),
 * only a few bodies are read at once, a delivery waits a bounded time for a slot, and a body that
 * does not arrive in time frees its slot. Bodies here are streams that count what is pulled from
 * them, so "not read whole" is observed directly; memory figures belong in the benchmark.
 */
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { serve } from "@hono/node-server";
import { describe, expect, it } from "vitest";
import { type AppDeps, createApp } from "../../src/intake/app.ts";
import { createSignatureVerifier } from "../../src/intake/signature.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { CAPTURE_SECRET, captured, signatures } from "../helpers/deliveries.ts";

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

function setup(options: Partial<AppDeps> = {}) {
  const app = createApp({
    verifySignature: createSignatureVerifier(CAPTURE_SECRET),
    enqueue: (job) => ({ queued: true, jobId: job.id }),
    routeContext: () => ({
      manifest: { version: 1, fixtures: [] },
      fixturesRepo: null,
      botUserId: null,
    }),
    log: silentLogger,
    ...options,
  });
  const post = (
    body: ReadableStream<Uint8Array> | Uint8Array | string,
    headers: Record<string, string> = {},
  ) =>
    app.request("/webhook", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "X-Gitea-Event-Type": "push", ...headers },
      duplex: "half",
    } as RequestInit);
  return { app, post };
}

/** Bodies being pulled right now, across every source of one test. */
type Tally = { active: number; maxActive: number };

/**
 * A body of `total` bytes that produces a chunk only when the reader asks (highWaterMark 0), and
 * counts what was pulled. `gate` holds every pull until it resolves; `delayMs` paces the chunks.
 */
function source(
  total: number,
  options: { chunk?: number; delayMs?: number; gate?: Promise<void>; tally?: Tally } = {},
) {
  const chunk = options.chunk ?? CHUNK;
  const stats = { pulled: 0, cancelled: false };
  let started = false;
  let ended = false;
  const end = () => {
    if (started && !ended && options.tally) options.tally.active -= 1;
    ended = true;
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          if (options.tally) {
            options.tally.active += 1;
            options.tally.maxActive = Math.max(options.tally.maxActive, options.tally.active);
          }
        }
        if (options.gate) await options.gate;
        if (options.delayMs) await new Promise((done) => setTimeout(done, options.delayMs));
        if (stats.pulled >= total) {
          end();
          controller.close();
          return;
        }
        const size = Math.min(chunk, total - stats.pulled);
        stats.pulled += size;
        controller.enqueue(new Uint8Array(size).fill(0x61));
      },
      cancel() {
        stats.cancelled = true;
        end();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats };
}

function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((done) => {
    open = done;
  });
  return { opened, open: () => open() };
}

describe("a body over the size limit", () => {
  it.each([
    ["sent without a Content-Length (chunked)", {}, CHUNK * 2],
    ["whose Content-Length understates it", { "Content-Length": "100" }, CHUNK * 2],
    ["whose Content-Length says so", { "Content-Length": String(50 * MiB) }, 0],
  ])("%s is refused with 413 after at most the limit is read", async (_, headers, beyond) => {
    const { post } = setup({ maxBodyBytes: MiB });
    const { stream, stats } = source(50 * MiB);
    const res = await post(stream, headers);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: `body larger than ${MiB} bytes` });
    // The rest of the upload is not read: the connection is closed after the answer.
    expect(res.headers.get("connection")).toBe("close");
    expect(stats.pulled).toBeLessThanOrEqual(beyond === 0 ? 0 : MiB + beyond);
  });

  it("over a real socket: 413, and the connection is closed rather than the rest read", async () => {
    const app = setup({ maxBodyBytes: MiB }).app;
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    try {
      await new Promise((done) => server.once("listening", done));
      const { port } = server.address() as AddressInfo;
      const result = await new Promise<{ head: string; written: number; closed: boolean }>(
        (resolve) => {
          const socket = connect(port, "127.0.0.1");
          let head = "";
          let written = 0;
          const piece = Buffer.concat([
            Buffer.from(`${CHUNK.toString(16)}\r\n`),
            Buffer.alloc(CHUNK, 0x61),
            Buffer.from("\r\n"),
          ]);
          const finish = (closed: boolean) => {
            clearTimeout(timer);
            socket.destroy();
            resolve({ head: head.split("\r\n\r\n")[0] ?? "", written, closed });
          };
          const timer = setTimeout(() => finish(false), 3_000);
          socket.on("data", (data) => {
            head += data.toString("latin1");
          });
          socket.on("error", () => undefined); // a reset while writing is the point
          socket.on("close", () => finish(true));
          socket.write(
            "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
              "Transfer-Encoding: chunked\r\n\r\n",
          );
          const pump = () => {
            while (written < 50 * MiB && !socket.destroyed) {
              written += CHUNK;
              if (!socket.write(piece)) return void socket.once("drain", pump);
            }
          };
          pump();
        },
      );
      expect(result.head).toMatch(/^HTTP\/1\.1 413 /);
      expect(result.head.toLowerCase()).toContain("connection: close");
      expect(result.closed).toBe(true);
      expect(result.written).toBeLessThan(50 * MiB);
    } finally {
      server.close();
    }
  });
});

describe("bodies read at once", () => {
  it("never more than maxBodiesAtOnce; the others wait for a slot and are then answered", async () => {
    const tally: Tally = { active: 0, maxActive: 0 };
    const seen = { reading: 0, waiting: 0 };
    const { post } = setup({
      maxBodiesAtOnce: 3,
      bodyWaitMs: 10_000,
      onBodySlots: ({ reading, waiting }) => {
        seen.reading = Math.max(seen.reading, reading);
        seen.waiting = Math.max(seen.waiting, waiting);
      },
    });
    const sources = Array.from({ length: 12 }, () =>
      source(4 * 16 * 1024, { chunk: 16 * 1024, delayMs: 5, tally }),
    );
    const answers = await Promise.all(sources.map(({ stream }) => post(stream)));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(401)); // unsigned, read whole
    expect(tally.maxActive).toBe(3);
    expect(seen).toEqual({ reading: 3, waiting: 9 });
    expect(sources.every(({ stats }) => stats.pulled === 4 * 16 * 1024)).toBe(true);
  });

  it("a delivery that gets no slot within bodyWaitMs is 503 with Retry-After, its body unread", async () => {
    const { post } = setup({ maxBodiesAtOnce: 1, bodyWaitMs: 50 });
    const held = gate();
    const first = source(1024, { gate: held.opened });
    const second = source(1024);
    const firstAnswer = post(first.stream);
    const res = await post(second.stream);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: "too many deliveries at once; redeliver from Gitea's webhook page",
    });
    expect(res.headers.get("retry-after")).toBe("1");
    expect(second.stats.pulled).toBe(0);
    held.open();
    expect((await firstAnswer).status).toBe(401);
  });

  it("a body not received within bodyReadTimeoutMs is 408 and frees its slot", async () => {
    const { post } = setup({ maxBodiesAtOnce: 1, bodyReadTimeoutMs: 50, bodyWaitMs: 1_000 });
    const stalled = source(1024, { gate: new Promise(() => undefined) });
    const res = await post(stalled.stream);
    expect(res.status).toBe(408);
    expect(await res.json()).toEqual({ error: "body not received in time" });
    expect(res.headers.get("connection")).toBe("close");
    expect(stalled.stats.cancelled).toBe(true);
    const { body, headers } = captured("push");
    expect((await post(body, headers)).status).toBe(202);
  });
});

describe("the signature covers the bytes as received", () => {
  it("a signed delivery arriving in 3-byte chunks (split inside UTF-8 characters) is accepted", async () => {
    const { post } = setup();
    const { body, headers } = captured("push");
    const text = body.replace('"ref":', '"note": "Grüße 🎉", "ref":');
    const bytes = Buffer.from(text);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(at, at + 3));
        at += 3;
      },
    });
    const res = await post(stream, { ...headers, ...signatures(text, CAPTURE_SECRET) });
    expect(res.status).toBe(202);
  });

  it("a leading byte-order mark is part of what was signed (then the JSON is refused)", async () => {
    const { post } = setup();
    const { body, headers } = captured("push");
    const text = `\uFEFF${body}`; // signed over EF BB BF + the JSON, as a sender would sign it
    const res = await post(Buffer.from(text), { ...headers, ...signatures(text, CAPTURE_SECRET) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "malformed JSON" });
  });
});

/**
 * Under the Node server the body is read from its request, not a web stream (read-body.ts): the
 * same answers over a real socket, byte by byte as a sender writes them.
 */
describe("over a real socket, read from the Node request", () => {
  async function listen(options: Partial<AppDeps> = {}) {
    const { app } = setup(options);
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((done) => server.once("listening", done));
    const { port } = server.address() as AddressInfo;
    return { port, close: () => new Promise<void>((done) => server.close(() => done())) };
  }

  /** Send `head` then `pieces` (each written after `gapMs`), and collect the answer until close. */
  function exchange(
    port: number,
    head: string,
    pieces: Buffer[],
    options: { gapMs?: number; hangUpAfter?: number } = {},
  ): Promise<{ status: number; headers: string; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let text = "";
      socket.on("data", (data) => {
        text += data.toString("utf8");
      });
      socket.on("error", reject);
      socket.on("close", () => {
        const [headers = "", body = ""] = text.split("\r\n\r\n");
        resolve({ status: Number(headers.split(" ")[1] ?? 0), headers, body });
      });
      socket.write(head);
      let i = 0;
      const next = () => {
        if (options.hangUpAfter === i) return void socket.destroy();
        const piece = pieces[i++];
        if (piece) {
          socket.write(piece);
          setTimeout(next, options.gapMs ?? 0);
        }
      };
      next();
    });
  }

  const request = (headers: Record<string, string>, length: number) =>
    `POST /webhook HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${length}\r\n${Object.entries(
      headers,
    )
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("")}\r\n`;

  it("a signed body written in 3-byte pieces, split inside UTF-8 characters, is a 202", async () => {
    const server = await listen();
    try {
      const { body, headers } = captured("push");
      const text = body.replace('"ref":', '"note": "Grüße 🎉", "ref":');
      const bytes = Buffer.from(text);
      // 3-byte pieces across the multi-byte characters, the rest in one piece each side.
      const at = bytes.indexOf("Grüße");
      const pieces = [
        bytes.subarray(0, at),
        ...Array.from({ length: 6 }, (_, k) => bytes.subarray(at + k * 3, at + k * 3 + 3)),
        bytes.subarray(at + 18),
      ];
      const res = await exchange(
        server.port,
        request({ ...headers, ...signatures(text, CAPTURE_SECRET) }, bytes.length),
        pieces,
      );
      expect(res.status).toBe(202);
    } finally {
      await server.close();
    }
  });

  it("a body that stops arriving is 408 within bodyReadTimeoutMs, and the slot is free again", async () => {
    const server = await listen({ maxBodiesAtOnce: 1, bodyReadTimeoutMs: 50, bodyWaitMs: 1_000 });
    try {
      const stalled = await exchange(server.port, request({}, 1024), [Buffer.alloc(100, 0x61)]);
      expect(stalled.status).toBe(408);
      expect(stalled.headers.toLowerCase()).toContain("connection: close");
      expect(JSON.parse(stalled.body)).toEqual({ error: "body not received in time" });
      const { body, headers } = captured("push");
      const next = await exchange(server.port, request(headers, Buffer.byteLength(body)), [
        Buffer.from(body),
      ]);
      expect(next.status).toBe(202);
    } finally {
      await server.close();
    }
  });

  it("a sender that hangs up mid-body frees its slot: the next delivery is answered", async () => {
    const server = await listen({ maxBodiesAtOnce: 1, bodyReadTimeoutMs: 5_000, bodyWaitMs: 500 });
    try {
      const gone = await exchange(
        server.port,
        request({}, 1024),
        [Buffer.alloc(100, 0x61), Buffer.alloc(100, 0x61)],
        { gapMs: 20, hangUpAfter: 1 },
      );
      expect(gone.status).toBe(0); // no answer: it hung up
      const { body, headers } = captured("push");
      const next = await exchange(server.port, request(headers, Buffer.byteLength(body)), [
        Buffer.from(body),
      ]);
      expect(next.status).toBe(202);
    } finally {
      await server.close();
    }
  });
});
