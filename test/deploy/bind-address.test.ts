/**
 * BIND_ADDRESS: where the HTTP server listens. The default is what a container needs (every IPv4
 * address, so Traefik and the health check reach it); a value is checked at start like every other
 * setting, and the server really listens there.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServeEnv } from "../../src/config/env.ts";
import { startService } from "../../src/main.ts";
import { ConfigError } from "../../src/shared/errors.ts";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "fixture-bot-bind-"));
  await writeFile(
    join(root, "fixtures.yaml"),
    `version: 1\nfixtures:\n  - name: a\n    repo: o/r\n    branch: main\n    sha: abcdef1\n`,
  );
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const base = () => ({
  // Nothing listens there: the reconcile at start fails to fetch at once, which is all it does.
  GITEA_URL: "http://127.0.0.1:9",
  WEBHOOK_SECRET: "0123456789abcdef0123",
  FIXTURES_FILE: join(root, "fixtures.yaml"),
  DATA_DIR: join(root, "data"),
  PORT: "0",
});

describe("BIND_ADDRESS", () => {
  it("is 0.0.0.0 unless set (an empty value counts as unset)", () => {
    expect(loadServeEnv(base()).BIND_ADDRESS).toBe("0.0.0.0");
    expect(loadServeEnv({ ...base(), BIND_ADDRESS: "" }).BIND_ADDRESS).toBe("0.0.0.0");
  });

  it.each(["::", "127.0.0.1", "::1", "localhost", "fixture-bot.internal", " 10.0.0.5 "])(
    "takes %j",
    (value) => {
      expect(loadServeEnv({ ...base(), BIND_ADDRESS: value }).BIND_ADDRESS).toBe(value.trim());
    },
  );

  it.each(["0.0.0.0:3000", "http://0.0.0.0", "[::1]", "1.2.3", "my_host", "-x", "a..b"])(
    "refuses %j with one line that says what is allowed",
    (value) => {
      let error: unknown;
      try {
        loadServeEnv({ ...base(), BIND_ADDRESS: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(
        "BIND_ADDRESS must be an IP address or host name to listen on, without port or scheme: 0.0.0.0 (every IPv4 address), :: (every address), 127.0.0.1 (this machine only)",
      );
    },
  );

  it("is where the service listens", async () => {
    const service = await startService({
      env: { ...base(), BIND_ADDRESS: "127.0.0.2" },
      logDestination: { write: () => undefined },
    });
    try {
      const health = await fetch(`http://127.0.0.2:${service.port}/healthz`);
      expect(health.status).toBe(200);
      const elsewhere = await fetch(`http://127.0.0.1:${service.port}/healthz`).catch(
        (e: unknown) => e,
      );
      expect(elsewhere).toBeInstanceOf(TypeError); // connection refused: not listening there
    } finally {
      await service.stop(1_000);
    }
  });
});
