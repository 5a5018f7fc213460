// The webhook's baseline: a bare hono handler on @hono/node-server that reads the body and answers
// 202, nothing else. Prints {"port": N} once listening.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.post("/webhook", async (c) => {
  await c.req.arrayBuffer();
  return c.body(null, 202);
});
serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});
