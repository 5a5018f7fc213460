/**
 * The abra quick start completes as written: deploy/README.md and docs/deploy-with-abra.md show
 * the same commands; the image they build is the one they push and set as IMAGE; the recipe step
 * runs for real here (a local abra recipe, tagged with the recipe's version label); and what they
 * tell abra to set (the variables, the secret) is what the recipe reads. docker and abra cannot
 * run here: their lines are checked against the files they act on.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/config/load-manifest.ts";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const read = (path: string) => readFile(join(ROOT, path), "utf8");

async function quickStart(path: string, heading: string): Promise<string> {
  const text = await read(path);
  const from = text.indexOf(heading);
  expect(from, `${path}: ${heading}`).toBeGreaterThan(-1);
  return /```sh\n([\s\S]*?)```/.exec(text.slice(from))?.[1] ?? "";
}

describe("the quick start with abra", () => {
  it("is the same in deploy/README.md and docs/deploy-with-abra.md", async () => {
    expect(await quickStart("deploy/README.md", "## Quick start with abra")).toBe(
      await quickStart("docs/deploy-with-abra.md", "# Deploy with abra"),
    );
  });

  it("pushes the image it builds, from deploy/Dockerfile, and sets it as IMAGE", async () => {
    const block = await quickStart("deploy/README.md", "## Quick start with abra");
    const built = /^docker build -f deploy\/Dockerfile -t (\S+) \.$/m.exec(block)?.[1];
    expect(built).toBeDefined();
    expect(block).toMatch(new RegExp(`^docker push ${built?.replace(/[.]/g, "\\.")}$`, "m"));
    expect(block).toContain(`IMAGE=${built}`);
    // The variables it names are the recipe's: set in .env.sample (or shown there), read by compose.
    const sample = await read("deploy/.env.sample");
    for (const name of ["GITEA_URL", "IMAGE", "FIXTURES_REPO"]) {
      expect(block).toContain(name);
      expect(sample).toMatch(new RegExp(`^#?${name}=`, "m"));
    }
    expect(await read("deploy/compose.yml")).toContain("image: ${IMAGE:-");
    // The secret it inserts is one compose mounts; generate --all makes the other.
    expect(block).toContain("abra app secret insert <domain> gitea_token v1");
    expect(await read("deploy/compose.yml")).toMatch(
      /secrets:\n\s+- gitea_token\n\s+- webhook_secret/,
    );
  });

  it("makes a local recipe tagged with the recipe's version, whose manifest is the placeholder", async () => {
    const block = await quickStart("deploy/README.md", "## Quick start with abra");
    // The recipe step, as written: the `cp` line and the (cd …) that follows it.
    const step = /^cp -r deploy ~\/\.abra\/recipes\/fixture-bot\n\(cd [\s\S]*?\)\n/m.exec(
      block,
    )?.[0];
    expect(step).toBeDefined();
    const home = await mkdtemp(join(tmpdir(), "fixture-bot-abra-"));
    try {
      await run("mkdir", ["-p", join(home, ".abra", "recipes")]);
      await run("bash", ["-euo", "pipefail", "-c", step as string], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          GIT_CONFIG_GLOBAL: "/dev/null",
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@t",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@t",
        },
      });
      const recipe = join(home, ".abra", "recipes", "fixture-bot");
      const { stdout: tags } = await run("git", ["tag"], { cwd: recipe });
      const label = /coop-cloud\.\$\{STACK_NAME\}\.version=([^"\s]+)/.exec(
        await read("deploy/compose.yml"),
      )?.[1];
      expect(tags.trim().split("\n")).toEqual([label]);
      const manifest = await readFile(join(recipe, "fixtures.yaml"), "utf8");
      expect(() => parseManifest(manifest)).toThrow(
        /this file is a placeholder, not your manifest/,
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
