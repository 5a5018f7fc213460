/**
 * The HTTP edge, and the only importer of hono. A delivery is checked (size, signature on the raw
 * bytes, JSON), turned into a job and handed to `enqueue`; the answer goes out at once. Gitea gives
 * up after 5 s and never retries, so no git or API work happens before the 202.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { EnqueueResult, Job } from "../queue/job.ts";
import type { Logger } from "../shared/logger.ts";
import { type RouteContext, toJob } from "./gitea-events.ts";
import type { VerifySignature } from "./signature.ts";

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export type AppDeps = {
  verifySignature: VerifySignature;
  enqueue: (job: Job) => EnqueueResult | Promise<EnqueueResult>;
  /** What routing needs to know right now (the current manifest, the bot's user). */
  routeContext: () => RouteContext;
  log: Logger;
  /** false once shutdown has begun: deliveries are refused with 503 so Gitea shows them failed. */
  accepting?: () => boolean;
  maxBodyBytes?: number;
  /** Extra routes (dashboard, metrics) mounted by the composition root. */
  extend?: (app: Hono) => void;
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const maxSize = deps.maxBodyBytes ?? MAX_BODY_BYTES;

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.post(
    "/webhook",
    bodyLimit({
      maxSize,
      onError: (c) => c.json({ error: `body larger than ${maxSize} bytes` }, 413),
    }),
    async (c) => {
      const deliveryId =
        c.req.header("x-gitea-delivery") ?? c.req.header("x-github-delivery") ?? "";
      const eventType = c.req.header("x-gitea-event-type") ?? c.req.header("x-gitea-event") ?? "";
      const log = deps.log.child({ delivery: deliveryId, event: eventType });
      if (deps.accepting && !deps.accepting()) {
        return c.json({ error: "shutting down; redeliver from Gitea's webhook page" }, 503);
      }

      let raw: string;
      try {
        raw = utf8.decode(await c.req.arrayBuffer());
      } catch {
        log.warn({}, "delivery body is not UTF-8");
        return c.json({ error: "body is not UTF-8" }, 400);
      }
      // A form-type hook signs the JSON inside payload=, not the body (CONTRACT 1.3).
      const isForm = (c.req.header("content-type") ?? "").startsWith(
        "application/x-www-form-urlencoded",
      );
      const signed = isForm ? (new URLSearchParams(raw).get("payload") ?? "") : raw;
      const signatureOk = await deps.verifySignature(signed, {
        hub256: c.req.header("x-hub-signature-256"),
        gitea: c.req.header("x-gitea-signature"),
      });
      if (!signatureOk) {
        log.warn({}, "delivery refused: missing or wrong signature");
        return c.json({ error: "missing or invalid signature" }, 401);
      }

      let payload: unknown;
      try {
        payload = JSON.parse(signed);
      } catch {
        log.warn({}, "delivery refused: malformed JSON");
        return c.json({ error: "malformed JSON" }, 400);
      }
      if (!eventType)
        return c.json({ error: "no X-Gitea-Event-Type or X-Gitea-Event header" }, 400);

      const routed = toJob(
        { id: deliveryId, eventType, receivedAt: new Date().toISOString() },
        payload,
        deps.routeContext(),
      );
      if ("invalid" in routed) {
        log.warn({ reason: routed.invalid }, "delivery refused: unexpected payload");
        return c.json({ error: routed.invalid }, 400);
      }
      if ("ignored" in routed) {
        log.info({ reason: routed.ignored }, "delivery ignored");
        return c.json({ ignored: routed.ignored }, 202);
      }
      const result = await deps.enqueue(routed.job);
      if (!result.queued) {
        log.info({ reason: result.reason }, "delivery not queued");
        return c.json({ ignored: result.reason }, 202);
      }
      log.info({ job: result.jobId, kind: routed.job.kind }, "job queued");
      return c.json({ queued: result.jobId }, 202);
    },
  );

  deps.extend?.(app);
  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((error, c) => {
    deps.log.error({ err: error.message }, "unhandled error in the HTTP edge");
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
