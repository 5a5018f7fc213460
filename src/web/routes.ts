/**
 * The read-only pages, mounted beside the webhook intake: the dashboard (`/`), one run
 * (`/runs/:id`), a pull request's latest run (`/pulls/:owner/:name/:number`, the link in the PR
 * comment) and the Prometheus metrics (`/metrics`). With a password, each asks for it (HTTP Basic,
 * any user name): they show diffs from every repository the token can read.
 */
import { timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { basicAuth } from "hono/basic-auth";
import type { Pages } from "./pages.ts";

export function createWebRoutes(pages: Pages, password?: string): Hono {
  const web = new Hono();
  if (password) {
    const guard = basicAuth({
      realm: "fixture-bot",
      verifyUser: (_user, given) => sameSecret(given, password),
    });
    for (const path of ["/", "/runs/*", "/pulls/*", "/metrics"]) web.use(path, guard);
  }
  web.get("/", (c) => c.html(pages.dashboard()));
  web.get("/runs/:id", (c) => {
    const id = Number(c.req.param("id"));
    const html = Number.isSafeInteger(id) && id > 0 ? pages.run(id) : null;
    return html === null ? c.html(pages.notFound("No such run."), 404) : c.html(html);
  });
  // A link names the head it reports (the PR comment's); without one, the PR's current head.
  web.get("/pulls/:owner/:name/:number/:sha?", (c) => {
    const number = Number(c.req.param("number"));
    const sha = c.req.param("sha")?.toLowerCase();
    const valid = Number.isSafeInteger(number) && (sha === undefined || /^[0-9a-f]{40}$/.test(sha));
    const id = valid
      ? pages.runForPull(`${c.req.param("owner")}/${c.req.param("name")}`, number, sha)
      : null;
    if (id === null)
      return c.html(
        pages.notFound(
          sha
            ? "No run for this head of the pull request yet."
            : "No run for this pull request's head yet.",
        ),
        404,
      );
    return c.redirect(`${sha ? "../" : ""}../../../runs/${id}`, 302);
  });
  web.get("/metrics", async (c) => {
    const { contentType, body } = await pages.metrics();
    return c.body(body, 200, { "content-type": contentType });
  });
  return web;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
