/** Starting the service: configuration errors are one clear line, dry-run posts nothing. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli.ts";
import { loadServeEnv } from "../../src/config/env.ts";
import { startService } from "../../src/main.ts";
import { ConfigError } from "../../src/shared/errors.ts";
import { type GiteaDouble, startGiteaDouble } from "../gitea-double/index.ts";
import { applyPatch, fixtureBranch } from "../helpers/recipes.ts";
import { REPO, startHarness } from "../helpers/service.ts";

let root: string;
let gitea: GiteaDouble;
let manifest: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "fixture-bot-startup-"));
  gitea = await startGiteaDouble({ repoRoot: root });
  manifest = join(root, "fixtures.yaml");
  await writeFile(
    manifest,
    `version: 1\nfixtures:\n  - name: a\n    repo: o/r\n    branch: main\n    sha: abcdef1\n`,
  );
});
afterAll(async () => {
  await gitea.close();
  await rm(root, { recursive: true, force: true });
});

const base = () => ({
  GITEA_URL: gitea.url,
  WEBHOOK_SECRET: "0123456789abcdef0123",
  FIXTURES_FILE: manifest,
  DATA_DIR: join(root, "data"),
  PORT: "0",
});

function configErrorOf(env: NodeJS.ProcessEnv): string {
  try {
    loadServeEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected a configuration error");
}

describe("configuration", () => {
  it.each([
    [{ WEBHOOK_SECRET: undefined }, "WEBHOOK_SECRET is required"],
    [
      { WEBHOOK_SECRET: "short" },
      "WEBHOOK_SECRET must be at least 16 characters (generate one with: openssl rand -hex 32)",
    ],
    [{ GITEA_URL: undefined }, "GITEA_URL is required"],
    [
      { GITEA_URL: "gitea.example.org" },
      "GITEA_URL must be a URL such as https://git.example.org or file:///srv/repos",
    ],
    [
      { GITEA_URL: "https://bot:pw@git.example.org" },
      "GITEA_URL must not contain credentials; set GITEA_TOKEN instead",
    ],
    [{ PORT: "http" }, "PORT must be a port number"],
    [{ PORT: "70000" }, "PORT must be 0 to 65535 (0: any free port)"],
    [{ PUBLIC_URL: "fixture-bot.example.org" }, "PUBLIC_URL must be the bot's own http(s) URL"],
    [
      { FIXTURES_REPO: "https://git.example.org/o/r" },
      'FIXTURES_REPO must be "owner/name" on the configured Gitea host, not a URL',
    ],
    [{ FIXTURES_PATH: "../etc/passwd" }, 'FIXTURES_PATH must not contain ".."'],
    [{ JOB_TIMEOUT: "soon" }, 'JOB_TIMEOUT must be a duration such as "90s", "15m" or "6h"'],
    [
      { RECONCILE_INTERVAL: "720h" },
      "RECONCILE_INTERVAL must be at most 596h (24 days): Node cannot time longer",
    ],
    [{ DASHBOARD_PASSWORD: "short" }, "DASHBOARD_PASSWORD must be at least 12 characters"],
    [
      { GITEA_TOKEN: "x", GITEA_TOKEN_FILE: "/run/secrets/t" },
      "GITEA_TOKEN and GITEA_TOKEN_FILE are both set; set only one",
    ],
    [
      { GITEA_TOKEN_FILE: "/nonexistent/token" },
      "GITEA_TOKEN_FILE: cannot read /nonexistent/token (ENOENT)",
    ],
  ])("%j -> one clear line", (override, message) => {
    const text = configErrorOf({ ...base(), ...override });
    expect(text.split("\n")[0]).toContain(message);
  });

  it("treats an empty value (NAME= in an env file) as unset", () => {
    expect(loadServeEnv({ ...base(), FIXTURES_REPO: "", PUBLIC_URL: "", PORT: "" })).toMatchObject({
      PORT: 3000,
    });
  });

  it("reads secrets from files (Docker/Swarm secrets), trimmed", async () => {
    const tokenFile = join(root, "token");
    const secretFile = join(root, "secret");
    await writeFile(tokenFile, "tok-from-file\n");
    await writeFile(secretFile, "secret-from-file-0123456789\n");
    const env = loadServeEnv({
      ...base(),
      WEBHOOK_SECRET: undefined,
      GITEA_TOKEN_FILE: tokenFile,
      WEBHOOK_SECRET_FILE: secretFile,
    });
    expect(env.GITEA_TOKEN).toBe("tok-from-file");
    expect(env.WEBHOOK_SECRET).toBe("secret-from-file-0123456789");
    expect(env).toMatchObject({
      PORT: 0,
      STATUS_CONTEXT: "fixture-bot/verify",
      FIXTURES_PATH: "fixtures.yaml",
      JOB_TIMEOUT: 600_000,
    });
  });

  it("refuses to start with a token Gitea refuses, without printing the token", async () => {
    const error = await startService({
      env: { ...base(), GITEA_TOKEN: "not-a-real-token-42" },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`GITEA_TOKEN was refused by ${gitea.url}`);
    expect((error as Error).message).not.toContain("not-a-real-token-42");
  });

  it("`fixture-bot serve` prints a configuration problem as one line and exits 2", async () => {
    const err: string[] = [];
    const code = await main(["serve"], {
      stdout: () => undefined,
      stderr: (t) => void err.push(t),
      env: { ...base(), WEBHOOK_SECRET: undefined },
      isTTY: false,
    });
    expect(code).toBe(2);
    expect(err.join("")).toBe(
      "WEBHOOK_SECRET is required: the secret set on the webhook, 16 characters or more (openssl rand -hex 32)\n",
    );
  });
});

describe("dry-run mode (no GITEA_TOKEN)", () => {
  it("says so at start, verifies, and logs what it would post instead of posting", async () => {
    const h = await startHarness({
      env: { GITEA_TOKEN: undefined },
      manifest: (p) =>
        `version: 1\nfixtures:\n  - name: x\n    repo: ${REPO}\n    branch: regression-x\n    sha: ${p.x}\n`,
      setup: async (repo) => ({
        x: await fixtureBranch(repo, "regression-x", applyPatch("custom-html/bad-backup.patch")),
      }),
    });
    try {
      expect(
        h.logs.some(
          (l) =>
            l.level === "warn" && String(l.msg).startsWith("GITEA_TOKEN is not set: dry-run mode"),
        ),
      ).toBe(true);
      const { number } = h.gitea.openPull(REPO, {
        head: "regression-x",
        base: "main",
        author: "maintainer",
      });
      const payload = await h.pullRequestPayload("opened", number);
      await h.deliver("pull_request", payload);
      await h.service.idle();
      expect(h.logs.filter((l) => l.msg === "dry run: would set commit status")).toHaveLength(2);
      expect(h.logs.some((l) => l.msg === "dry run: would comment")).toBe(true);
      expect(h.gitea.requests.filter((r) => r.kind === "api" && r.method !== "GET")).toEqual([]);
      const health = await fetch(`http://127.0.0.1:${h.service.port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
