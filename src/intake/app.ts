/**
 * The webhook intake: /webhook and /healthz (the read-only pages are web/routes.ts). A delivery is checked (size, signature on the raw
 * bytes, JSON), turned into a job and handed to `enqueue`; the answer goes out at once. Gitea gives
 * up after 5 s and never retries, so no git or API work happens before the 202. Forgejo deliveries
 * are read the same way, from their `X-Forgejo-*` headers or the Gitea names they also carry.
 *
 * Memory is bounded before the signature can be checked (it covers the whole body): a body is
 * streamed with a running count and refused at the size limit (read-body.ts), and only a few bodies
 * are read at once; the others wait briefly for a slot.
 */

import type { IncomingMessage } from "node:http";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { EnqueueResult, Job } from "../queue/job.ts";
import { StorageError } from "../shared/errors.ts";
import { everySoOften } from "../shared/every-so-often.ts";
import type { Logger } from "../shared/logger.ts";
import { type RouteContext, readDeliveryHeaders, toJob } from "./gitea-events.ts";
import { readIncoming, readStream } from "./read-body.ts";
import type { VerifySignature } from "./signature.ts";

export const MAX_BODY_BYTES = 5 * 1024 * 1024;
/**
 * Request bodies read and held at once. Gitea sends at most 10 deliveries at once (its webhook
 * queue has NumCPU/2 workers, 1 to 10), each a few KiB and read in milliseconds, so a delivery
 * rarely waits; 4 bodies at the 5 MiB limit cost about 20 MiB each while read and verified.
 */
export const MAX_BODIES_AT_ONCE = 4;
/**
 * How long a delivery waits for a slot before it is refused with 503. Gitea does not retry, so a
 * short wait beats an immediate refusal; 3 s leaves Gitea's 5 s deadline room for the rest.
 */
export const BODY_WAIT_MS = 3_000;
/**
 * A body must arrive in full within this, or it is refused with 408 and its slot freed: a slow
 * sender cannot hold a slot (Node's own limit is 5 minutes), and Gitea has given up after 5 s.
 */
export const BODY_READ_TIMEOUT_MS = 10_000;

export type AppDeps = {
  verifySignature: VerifySignature;
  enqueue: (job: Job) => EnqueueResult | Promise<EnqueueResult>;
  /** What routing needs to know right now (the current manifest, the bot's user). */
  routeContext: () => RouteContext;
  log: Logger;
  /** false once shutdown has begun: deliveries are refused with 503 so Gitea shows them failed. */
  accepting?: () => boolean;
  maxBodyBytes?: number;
  /** Most request bodies read and held at once (default MAX_BODIES_AT_ONCE). */
  maxBodiesAtOnce?: number;
  /** How long a delivery waits for a body slot before 503 (default BODY_WAIT_MS). */
  bodyWaitMs?: number;
  /** A body not received in full within this is refused with 408 (default BODY_READ_TIMEOUT_MS). */
  bodyReadTimeoutMs?: number;
  /** Told each time the number of bodies being read, or waiting for a slot, changes (a gauge). */
  onBodySlots?: (slots: BodySlots) => void;
  /** Counts deliveries by event type and outcome (metrics). */
  onDelivery?: (event: string, outcome: DeliveryOutcome) => void;
  /** The clock for how often a refusal is logged (tests move it). */
  now?: () => number;
};

export type BodySlots = { reading: number; waiting: number };

export type DeliveryOutcome =
  | "queued"
  | "ignored"
  | "duplicate"
  | "unauthorized"
  | "bad_request"
  | "too_large"
  | "too_slow"
  | "busy"
  | "unavailable"
  | "not_stored";

// ignoreBOM keeps a leading BOM in the text, which then encodes back to exactly the bytes received.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const maxSize = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  const slots = createBodySlots(deps.maxBodiesAtOnce ?? MAX_BODIES_AT_ONCE, deps.onBodySlots);
  // A full disk refuses every delivery: say so in the log once a minute, not once a delivery.
  const storageLog = everySoOften(60_000, deps.now ?? Date.now);

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.post("/webhook", async (c) => {
    // Read now, refused only after the signature: an unsigned request is always a 401.
    const deliveryHeaders = readDeliveryHeaders((name) => c.req.header(name));
    const { id: deliveryId, eventType } =
      "conflict" in deliveryHeaders ? { id: "", eventType: "" } : deliveryHeaders;
    const log = deps.log.child({ delivery: deliveryId, event: eventType });
    const answer = (
      outcome: DeliveryOutcome,
      body: Record<string, string>,
      status: 202 | 400 | 401 | 408 | 413 | 503,
      headers: Record<string, string> = {},
    ) => {
      deps.onDelivery?.(eventType, outcome);
      return c.json(body, status, headers);
    };
    // Refusals that leave the body unread close the connection, so the rest is not read either.
    const tooLarge = () => {
      log.warn({}, "delivery refused: body over the size limit");
      return answer("too_large", { error: `body larger than ${maxSize} bytes` }, 413, CLOSE);
    };
    if (deps.accepting && !deps.accepting()) {
      return answer(
        "unavailable",
        { error: "shutting down; redeliver from Gitea's webhook page" },
        503,
      );
    }
    if (Number(c.req.header("content-length")) > maxSize) return tooLarge();

    const release = await slots.acquire(deps.bodyWaitMs ?? BODY_WAIT_MS);
    if (release === null) {
      log.warn({}, "delivery refused: too many bodies being read at once");
      return answer(
        "busy",
        { error: "too many deliveries at once; redeliver from Gitea's webhook page" },
        503,
        { ...CLOSE, "Retry-After": "1" },
      );
    }
    try {
      const timeoutMs = deps.bodyReadTimeoutMs ?? BODY_READ_TIMEOUT_MS;
      // Under the Node server, straight from its request; elsewhere (app.request()), the web stream.
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      const read = incoming
        ? await readIncoming(incoming, maxSize, timeoutMs)
        : await readStream(c.req.raw.body, maxSize, timeoutMs);
      if (read === "too_large") return tooLarge();
      if (read === "too_slow") {
        log.warn({}, "delivery refused: body not received in time");
        return answer("too_slow", { error: "body not received in time" }, 408, CLOSE);
      }
      if (read === "unreadable") {
        log.warn({}, "delivery refused: body could not be read");
        return answer("bad_request", { error: "body could not be read" }, 400);
      }

      let raw: string;
      try {
        raw = utf8.decode(read);
      } catch {
        log.warn({}, "delivery body is not UTF-8");
        return answer("bad_request", { error: "body is not UTF-8" }, 400);
      }
      // A form-type hook signs the JSON inside payload=, not the body (CONTRACT 1.3).
      const isForm = (c.req.header("content-type") ?? "").startsWith(
        "application/x-www-form-urlencoded",
      );
      const signed = isForm ? (new URLSearchParams(raw).get("payload") ?? "") : raw;
      const signatureOk = await deps.verifySignature(signed, {
        hub256: c.req.header("x-hub-signature-256"),
        gitea: c.req.header("x-gitea-signature"),
        forgejo: c.req.header("x-forgejo-signature"),
      });
      if (!signatureOk) {
        log.warn({}, "delivery refused: missing or wrong signature");
        return answer("unauthorized", { error: "missing or invalid signature" }, 401);
      }

      let payload: unknown;
      try {
        payload = JSON.parse(signed);
      } catch {
        log.warn({}, "delivery refused: malformed JSON");
        return answer("bad_request", { error: "malformed JSON" }, 400);
      }
      if ("conflict" in deliveryHeaders) {
        log.warn({ reason: deliveryHeaders.conflict }, "delivery refused: its headers disagree");
        return answer("bad_request", { error: deliveryHeaders.conflict }, 400);
      }
      if (!eventType)
        return answer(
          "bad_request",
          { error: "no X-Gitea-Event-Type or X-Gitea-Event header (or X-Forgejo-*)" },
          400,
        );

      const routed = toJob(
        { id: deliveryId, eventType, receivedAt: new Date().toISOString() },
        payload,
        deps.routeContext(),
      );
      if ("invalid" in routed) {
        log.warn({ reason: routed.invalid }, "delivery refused: unexpected payload");
        return answer("bad_request", { error: routed.invalid }, 400);
      }
      if ("ignored" in routed) {
        log.info({ reason: routed.ignored }, "delivery ignored");
        return answer("ignored", { ignored: routed.ignored }, 202);
      }
      let result: EnqueueResult;
      try {
        result = await deps.enqueue(routed.job);
      } catch (error) {
        // Nothing is accepted that could not be stored: a 202 promises the job is kept.
        if (!(error instanceof StorageError)) throw error;
        const seen = storageLog.seen(error.code);
        if (seen.log)
          deps.log.error(
            { code: error.code, refusedSinceLastLine: seen.suppressed },
            `deliveries refused: ${error.problem}`,
          );
        return answer(
          "not_stored",
          {
            error: `fixture-bot cannot store the delivery: ${error.problem} (${error.code}); redeliver from Gitea's webhook page once that is fixed`,
          },
          503,
        );
      }
      if (!result.queued) {
        log.info({ reason: result.reason }, "delivery not queued");
        return answer("duplicate", { ignored: result.reason }, 202);
      }
      log.info({ job: result.jobId, kind: routed.job.kind }, "job queued");
      return answer("queued", { queued: result.jobId }, 202);
    } finally {
      release();
    }
  });

  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse(); // e.g. 401 from basic auth
    deps.log.error({ err: error.message }, "unhandled error in the HTTP edge");
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}

const CLOSE = { Connection: "close" };

/**
 * A counting semaphore for request bodies, with a bounded wait. `acquire` resolves to the release
 * function (safe to call twice), or to null when no slot came free within `waitMs`. A freed slot
 * goes to the longest waiting delivery.
 */
function createBodySlots(
  max: number,
  onChange: (slots: BodySlots) => void = () => undefined,
): { acquire(waitMs: number): Promise<(() => void) | null> } {
  let reading = 0;
  const waiting: (() => void)[] = [];
  const report = () => onChange({ reading, waiting: waiting.length });
  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes to the longest waiting delivery (`reading` stays), or is given back.
      const next = waiting.shift();
      if (next) next();
      else reading -= 1;
      report();
    };
  };
  return {
    acquire(waitMs) {
      if (reading < max) {
        reading += 1;
        report();
        return Promise.resolve(releaser());
      }
      return new Promise((resolve) => {
        const grant = () => {
          clearTimeout(timer);
          resolve(releaser());
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(grant), 1);
          report();
          resolve(null);
        }, waitMs);
        waiting.push(grant);
        report();
      });
    },
  };
}
