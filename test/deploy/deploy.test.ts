/**
 * What cannot run here (no Docker engine) must still be right: the compose file parses and passes
 * fixture-bot's own compose checks, every environment variable the service reads is set in it or
 * documented as optional in .env.sample (and it sets nothing the service does not read), the
 * Dockerfile has the shape the issue asks for. (That the compiled build the image runs works is
 * checked by .ci/run after npm test: it costs ~10 s of CPU and proves the build, not behaviour.)
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SECRET_VARS, ServeEnv } from "../../src/config/env.ts";
import { parseManifest } from "../../src/config/load-manifest.ts";
import { composeProblems } from "../../src/engine/compose.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEPLOY = join(ROOT, "deploy");

type Compose = {
  services: {
    app: {
      environment: string[];
      deploy: Record<string, unknown>;
      healthcheck: { test: string[] };
    } & Record<string, unknown>;
  };
} & Record<string, unknown>;

const compose = async () =>
  parse(await readFile(join(DEPLOY, "compose.yml"), "utf8"), { merge: true }) as Compose;

/** Every variable the service reads: the serve schema, and the *_FILE form of each secret. */
const READ = [...Object.keys(ServeEnv.shape), ...SECRET_VARS.map((v) => `${v}_FILE`)].sort();

describe("deploy/compose.yml", () => {
  it("is a valid Swarm stack by fixture-bot's own compose-valid check", async () => {
    expect(composeProblems(await compose())).toEqual([]);
  });

  it("sets every variable the service reads, or .env.sample documents it as optional", async () => {
    const environment = (await compose()).services.app.environment;
    const set = environment.map((e) => e.split("=")[0] as string);
    const sample = await readFile(join(DEPLOY, ".env.sample"), "utf8");
    const documented = [...sample.matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string);
    const missing = READ.filter((v) => !set.includes(v) && !documented.includes(v));
    // GITEA_TOKEN and WEBHOOK_SECRET come from their *_FILE secrets; the rest must be reachable.
    expect(missing.filter((v) => !SECRET_VARS.includes(v as (typeof SECRET_VARS)[number]))).toEqual(
      [],
    );
    expect(set.filter((v) => !READ.includes(v))).toEqual([]); // nothing the service would ignore
    for (const v of set.filter((name) => !environment.some((e) => e.startsWith(`${name}=`)))) {
      expect(documented, `${v} is passed through from .env but not in .env.sample`).toContain(v);
    }
  });

  it("runs one replica, drains before replacing, and gives jobs longer than SHUTDOWN_GRACE", async () => {
    const app = (await compose()).services.app;
    expect(app.deploy.replicas).toBe(1);
    expect(app.deploy.update_config).toMatchObject({ order: "stop-first" });
    const grace = ServeEnv.shape.SHUTDOWN_GRACE.parse(undefined);
    expect(Number.parseInt(String(app.stop_grace_period), 10) * 1000).toBeGreaterThan(grace);
    expect(app.healthcheck.test.join(" ")).toContain("/healthz");
    expect(app.environment).toContain("PORT=3000");
    expect((app.deploy.labels as string[]).join("\n")).toContain("loadbalancer.server.port=3000");
  });

  it("caps the service's memory, above what it was measured to need", async () => {
    const resources = (await compose()).services.app.deploy.resources as
      | { limits?: { memory?: string } }
      | undefined;
    const memory = resources?.limits?.memory;
    expect(memory, "deploy.resources.limits.memory").toMatch(/^\d+[KMG]$/);
    const unit = { K: 1 / 1024, M: 1, G: 1024 }[(memory as string).slice(-1) as "K" | "M" | "G"];
    const mib = Number.parseInt(memory as string, 10) * unit;
    // Idle ~120 MiB, 1,000 queued jobs under 160 MiB, a flood of 5 MiB deliveries ~+150 MiB.
    expect(mib).toBeGreaterThanOrEqual(384);
    expect(mib).toBeLessThanOrEqual(1024);
  });

  it("takes the token and the webhook secret from swarm secrets, and the manifest from a config", async () => {
    const c = await compose();
    expect(c.services.app.environment).toEqual(
      expect.arrayContaining([
        "GITEA_TOKEN_FILE=/run/secrets/gitea_token",
        "WEBHOOK_SECRET_FILE=/run/secrets/webhook_secret",
      ]),
    );
    expect(c.secrets).toMatchObject({
      gitea_token: { external: true },
      webhook_secret: { external: true },
    });
    expect(c.services.app.environment).not.toContain("GITEA_TOKEN");
    // A copy (a symlink would dangle once deploy/ is copied into ~/.abra/recipes), kept identical.
    const shipped = await readFile(join(DEPLOY, "fixtures.yaml"), "utf8");
    expect(shipped).toBe(await readFile(join(ROOT, "fixtures.yaml"), "utf8"));
    expect(parseManifest(shipped).fixtures.length).toBeGreaterThan(0);
    expect(await readFile(join(DEPLOY, "abra.sh"), "utf8")).toMatch(
      /^export FIXTURES_VERSION=v\d+$/m,
    );
  });
});

describe("deploy/Dockerfile", () => {
  it("is multi-stage on node:20-bookworm-slim, with git, a non-root user, /data and a health check", async () => {
    const text = await readFile(join(DEPLOY, "Dockerfile"), "utf8");
    expect(text.match(/^FROM node:20-bookworm-slim/gm)).toHaveLength(2);
    expect(text).toMatch(/apt-get install[^\n]*\bgit\b[^\n]*\bca-certificates\b/);
    expect(text).toMatch(/^USER fixturebot$/m);
    expect(text).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(text).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(text).toMatch(/^CMD \["node", "dist\/cli\.js", "serve"\]$/m);
    const ignore = await readFile(join(ROOT, ".dockerignore"), "utf8");
    expect(ignore.split("\n")).toEqual(expect.arrayContaining(["node_modules", "data", ".git"]));
  });
});
