/**
 * Regressions found by a cold review: each of these once gave a wrong verdict (a false pass, or a
 * misleading failure) or could stall the process.
 */

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, type ScratchRepo, scratchGitEnv } from "../../src/demo/scratch-repo.ts";
import { DEFAULT_LIMITS } from "../../src/engine/inspect-files.ts";
import { verifyFixtures } from "../../src/pipeline/verify-fixture.ts";
import { compileGlob } from "../../src/shared/glob.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import { createWorkspace } from "../../src/workspace/workspace.ts";
import {
  createTestEnv,
  fixture,
  fixtureBranch,
  idsWith,
  recipeRepo,
  rule,
  type TestEnv,
} from "../helpers/recipes.ts";

const HTML = "recipe-maintainers/custom-html";
const run = promisify(execFile);
let env: TestEnv;
let repo: ScratchRepo;

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-review-");
  repo = await recipeRepo(env.root, "custom-html", HTML);
});
afterAll(async () => {
  await env?.cleanup();
});

const verifyOne = async (
  name: string,
  branch: string,
  sha: string,
  change: ReturnType<typeof rule>[],
) => {
  const [result] = await env.verify([
    fixture({ name, repo: HTML, branch, sha, base: "main", change }),
  ]);
  if (!result) throw new Error("no result");
  return result;
};

describe("globs are matched in linear time", () => {
  it("a glob built to backtrack against a long path answers at once", () => {
    const glob = compileGlob(`${"*a".repeat(16)}*c`);
    expect(glob("a".repeat(5_000))).toBe(false);
    expect(glob(`${"a".repeat(5_000)}c`)).toBe(true);
  });

  it("the same glob in a fixture, against a long file name", async () => {
    const sha = await fixtureBranch(repo, "regression-glob", (r) =>
      r.write({ [`${"a".repeat(200)}`]: "x\n" }),
    );
    const result = await verifyOne("glob", "regression-glob", sha, [rule(`${"*a".repeat(16)}*c`)]);
    expect(idsWith(result, "fail")).toContain("paths");
  });
});

describe("a line diff that is too expensive fails closed", () => {
  it("CRLF conversion of a 20,000-line file is still whitespace churn, in bounded time", async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} of a long generated file`);
    await repo.checkout("main");
    const base = await fixtureBranch(repo, "regression-big-text-base", (r) =>
      r.write({ "big.txt": `${lines.join("\n")}\n` }),
    );
    const sha = await fixtureBranch(
      repo,
      "regression-big-crlf",
      (r) => r.write({ "big.txt": `${lines.join("\r\n")}\r\n` }),
      {
        from: "regression-big-text-base",
      },
    );
    const [result] = await env.verify([
      fixture({
        name: "crlf",
        repo: HTML,
        branch: "regression-big-crlf",
        sha,
        base: "regression-big-text-base",
        change: [rule("big.txt")],
      }),
    ]);
    expect(base).toMatch(/^[0-9a-f]{40}$/);
    const churn = result?.checks.find((c) => c.id === "whitespace-churn");
    expect(churn?.status).toBe("fail");
    expect(churn?.message).toContain("too different to compare line by line");
  });
});

describe("keys", () => {
  it("many allowed changes cannot hide a disallowed one", async () => {
    const sha = await fixtureBranch(repo, "regression-many-keys", async (r) => {
      const compose = await r.git("show", "main:compose.yml");
      const env210 = Array.from({ length: 210 }, (_, i) => `      - VAR_${i}=x`).join("\n");
      await r.write({
        "compose.yml": compose
          .replace("      - DOMAIN\n", `      - DOMAIN\n${env210}\n`)
          .replace("nginx:1.27", "evil/image:latest"),
      });
    });
    const result = await verifyOne("keys", "regression-many-keys", sha, [
      rule("compose.yml", { keys: ["services.app.environment"] }),
    ]);
    const keys = result.checks.find((c) => c.id === "keys");
    expect(keys?.status).toBe("fail");
    expect(keys?.message).toContain(
      "services.app.image changed; only services.app.environment may change",
    );
  });
});

describe("a force-pushed pin on a fresh mirror", () => {
  it("is fetched by id and reported as no longer on its branch, not as missing", async () => {
    const lost = await fixtureBranch(repo, "regression-rewritten", (r) =>
      r.write({ "abra.sh": "export NGINX_CONF_VERSION=v9\n" }),
    );
    await fixtureBranch(repo, "regression-rewritten", (r) =>
      r.write({ "abra.sh": "export NGINX_CONF_VERSION=v8\n" }),
    );
    // A brand-new data directory: this mirror never saw the lost commit.
    const workspace = createWorkspace({
      dataDir: join(env.root, "fresh-data"),
      giteaUrl: env.giteaUrl,
      redact: createRedactor([]),
      maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
    });
    const [result] = await verifyFixtures(
      [fixture({ name: "lost", repo: HTML, branch: "regression-rewritten", sha: lost })],
      {
        workspace,
        limits: DEFAULT_LIMITS,
        log: silentLogger,
      },
    );
    expect(result?.checks.find((c) => c.id === "sha-exists")?.status).toBe("pass");
    expect(result?.checks.find((c) => c.id === "sha-on-branch")?.message).toContain(
      "is no longer on regression-rewritten",
    );
  });
});

describe("odd files", () => {
  it("deleting a file whose name is not UTF-8 still counts as a deletion", async () => {
    await repo.checkout("regression-non-utf8", { create: true, from: "main" });
    const blob = (
      await git(repo.dir, ["hash-object", "-w", "--stdin"], { input: "two\nlines\n" })
    ).trim();
    // A Latin-1 file name (caf\xe9): raw bytes that are not UTF-8, added through the index.
    await run(
      "sh",
      ["-c", `printf '100644 ${blob}\\trelease/caf\\351\\n' | git update-index --index-info`],
      {
        cwd: repo.dir,
        env: scratchGitEnv(),
      },
    );
    // (not repo.commit: its `git add -A` would drop the file, which exists only in the index)
    await repo.git("commit", "--quiet", "-m", "add a Latin-1 named file");
    const base = (await repo.git("rev-parse", "HEAD")).trim();
    await run(
      "sh",
      ["-c", "printf 'release/caf\\351\\0' | git update-index -z --force-remove --stdin"],
      {
        cwd: repo.dir,
        env: scratchGitEnv(),
      },
    );
    await repo.git("commit", "--quiet", "-m", "delete it");
    const sha = (await repo.git("rev-parse", "HEAD")).trim();
    await repo.git("checkout", "--quiet", "-f", "main");
    await repo.push("regression-non-utf8");
    const [result] = await env.verify([
      fixture({
        name: "latin1",
        repo: HTML,
        branch: "regression-non-utf8",
        sha,
        base,
        change: [rule("release/*", { allow: ["binary"] })],
      }),
    ]);
    expect(result?.files).toHaveLength(1);
    expect(result?.files[0]?.status).toBe("deleted");
    expect(result?.checks.find((c) => c.id === "not-emptied")?.status).toBe("fail");
  });

  it("allow: [mode] does not let a symlink pass as a valid compose file", async () => {
    const sha = await fixtureBranch(repo, "regression-symlink-allowed", (r) =>
      r.symlink("compose.yml", "/dev/null"),
    );
    const result = await verifyOne("symlink", "regression-symlink-allowed", sha, [
      rule("compose.yml", { allow: ["mode"] }),
    ]);
    expect(idsWith(result, "fail")).toEqual(["yaml-valid", "compose-valid"]);
    expect(result.checks.find((c) => c.id === "yaml-valid")?.message).toBe(
      "compose.yml is now a symlink, not a YAML file",
    );
  });

  it("a compose overlay may leave images and declarations to compose.yml", async () => {
    // The image and the proxy network come from compose.yml; the secret is the overlay's own. (Its
    // version is compose.yml's: docker/cli refuses files of two versions.)
    const overlay = `version: "3.8"\nservices:\n  app:\n    networks:\n      - proxy\n    environment:\n      - SMTP_HOST\n    secrets:\n      - smtp_password\nsecrets:\n  smtp_password:\n    external: true\n`;
    const sha = await fixtureBranch(repo, "regression-overlay", (r) =>
      r.write({ "compose.smtp.yml": overlay }),
    );
    const result = await verifyOne("overlay", "regression-overlay", sha, [
      rule("compose.smtp.yml"),
    ]);
    expect(result.checks.find((c) => c.id === "compose-valid")?.status).toBe("pass");
  });
});
