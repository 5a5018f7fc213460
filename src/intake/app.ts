/**
 * The HTTP edge, and the only importer of hono. A delivery is checked (size, signature on the raw
 * bytes, JSON), turned into a job and handed to `enqueue`; the answer goes out at once. Gitea gives
 * up after 5 s and never retries, so no git or API work happens before the 202.
 */

import { timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { basicAuth } from "hono/basic-auth";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
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
  /** Counts deliveries by event type and outcome (metrics). */
  onDelivery?: (event: string, outcome: DeliveryOutcome) => void;
  /** The read-only pages: dashboard, one run, Prometheus metrics. */
  pages?: Pages;
  /** When set, the pages ask for this password (HTTP Basic, any user name). */
  pagesPassword?: string | undefined;
};

export type DeliveryOutcome =
  | "queued"
  | "ignored"
  | "duplicate"
  | "unauthorized"
  | "bad_request"
  | "too_large"
  | "unavailable";

export type Pages = {
  dashboard(): string;
  run(id: number): string | null;
  /** The latest run of a pull request, for the stable link in the PR comment. */
  latestRunForPull(repo: string, number: number): number | null;
  metrics(): Promise<{ contentType: string; body: string }>;
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const maxSize = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  const count = (
    c: { req: { header(name: string): string | undefined } },
    outcome: DeliveryOutcome,
  ) =>
    deps.onDelivery?.(
      c.req.header("x-gitea-event-type") ?? c.req.header("x-gitea-event") ?? "",
      outcome,
    );

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.post(
    "/webhook",
    bodyLimit({
      maxSize,
      onError: (c) => {
        count(c, "too_large");
        return c.json({ error: `body larger than ${maxSize} bytes` }, 413);
      },
    }),
    async (c) => {
      const deliveryId =
        c.req.header("x-gitea-delivery") ?? c.req.header("x-github-delivery") ?? "";
      const eventType = c.req.header("x-gitea-event-type") ?? c.req.header("x-gitea-event") ?? "";
      const log = deps.log.child({ delivery: deliveryId, event: eventType });
      const answer = (
        outcome: DeliveryOutcome,
        body: Record<string, string>,
        status: 202 | 400 | 401 | 503,
      ) => {
        count(c, outcome);
        return c.json(body, status);
      };
      if (deps.accepting && !deps.accepting()) {
        return answer(
          "unavailable",
          { error: "shutting down; redeliver from Gitea's webhook page" },
          503,
        );
      }

      let raw: string;
      try {
        raw = utf8.decode(await c.req.arrayBuffer());
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
      if (!eventType)
        return answer(
          "bad_request",
          { error: "no X-Gitea-Event-Type or X-Gitea-Event header" },
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
      const result = await deps.enqueue(routed.job);
      if (!result.queued) {
        log.info({ reason: result.reason }, "delivery not queued");
        return answer("duplicate", { ignored: result.reason }, 202);
      }
      log.info({ job: result.jobId, kind: routed.job.kind }, "job queued");
      return answer("queued", { queued: result.jobId }, 202);
    },
  );

  const pages = deps.pages;
  if (pages) {
    const password = deps.pagesPassword;
    if (password) {
      const guard = basicAuth({
        realm: "fixture-bot",
        verifyUser: (_user, given) => sameSecret(given, password),
      });
      for (const path of ["/", "/runs/*", "/pulls/*", "/metrics"]) app.use(path, guard);
    }
    app.get("/", (c) => c.html(pages.dashboard()));
    app.get("/runs/:id", (c) => {
      const id = Number(c.req.param("id"));
      const html = Number.isSafeInteger(id) && id > 0 ? pages.run(id) : null;
      return html === null
        ? c.html(
            '<!doctype html><title>Not found</title><p>No such run. <a href="../">All fixtures</a></p>',
            404,
          )
        : c.html(html);
    });
    app.get("/pulls/:owner/:name/:number", (c) => {
      const number = Number(c.req.param("number"));
      const id = Number.isSafeInteger(number)
        ? pages.latestRunForPull(`${c.req.param("owner")}/${c.req.param("name")}`, number)
        : null;
      return id === null
        ? c.html(
            '<!doctype html><title>Not found</title><p>No run for this pull request yet. <a href="/">All fixtures</a></p>',
            404,
          )
        : c.redirect(`../../../runs/${id}`, 302);
    });
    app.get("/metrics", async (c) => {
      const { contentType, body } = await pages.metrics();
      return c.body(body, 200, { "content-type": contentType });
    });
  }

  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse(); // e.g. 401 from basic auth
    deps.log.error({ err: error.message }, "unhandled error in the HTTP edge");
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
