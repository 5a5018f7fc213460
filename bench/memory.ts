/**
 * Memory of a verify (whole process, peak RSS) on a fixture that adds a 50 MB file, against the
 * same process verifying a one-line change: the file must never be read into memory.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { fixtureBranch, recipeRepo } from "../test/helpers/recipes.ts";
import { type Served, writeManifest } from "./repos.ts";
import { timeProcess } from "./stats.ts";
import type { Row } from "./table.ts";

const run = promisify(execFile);
const CLI = new URL("../dist/cli.js", import.meta.url).pathname;
const PEAK = new URL("./peak-rss.mjs", import.meta.url).href;

type Ctx = { root: string; served: Served };

async function peakOfVerify(ctx: Ctx, manifest: string): Promise<number> {
  const exit = await timeProcess(
    process.execPath,
    ["--import", PEAK, CLI, "verify", "--config", manifest],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITEA_URL: ctx.served.gitea.url,
        GITEA_TOKEN: ctx.served.token,
        DATA_DIR: join(ctx.root, "data-memory"),
      },
    },
  );
  const peak = /bench-peak-rss=(\d+)/.exec(exit.stderr)?.[1];
  if (exit.code === 2 || !peak) throw new Error(`verify could not check: ${exit.stderr}`);
  return Number(peak);
}

export async function memory(ctx: Ctx): Promise<Row[]> {
  const slug = "memory/custom-html";
  const repo = await recipeRepo(ctx.root, "custom-html", slug);
  ctx.served.gitea.addRepo(slug);
  ctx.served.gitea.setPermission(slug, "fixture-bot", "read");
  const huge = await fixtureBranch(repo, "regression-huge", async (r) => {
    await run("sh", [
      "-c",
      `yes 0123456789abcdef | head -c 52428800 > '${join(r.dir, "content.txt")}'`,
    ]);
  });
  const small = await fixtureBranch(repo, "regression-small", (r) =>
    r.write({ "README.md": "# custom-html\n\nOne line more.\n" }),
  );
  const hugeManifest = join(ctx.root, "huge.yaml");
  const smallManifest = join(ctx.root, "small.yaml");
  const fixture = (name: string, sha: string) => ({
    name,
    repo: slug,
    branch: `regression-${name}`,
    sha,
    tier: "install" as const,
  });
  await writeManifest(hugeManifest, [fixture("huge", huge)]);
  await writeManifest(smallManifest, [fixture("small", small)]);
  await peakOfVerify(ctx, smallManifest); // the mirror is cloned once, outside the figures
  const hugePeak = await peakOfVerify(ctx, hugeManifest);
  const smallPeak = await peakOfVerify(ctx, smallManifest);
  return [
    {
      figure: "peak RSS of a verify whose fixture adds a 50 MB file",
      value: hugePeak / 1024 / 1024,
      unit: "MiB",
      baseline: { name: "a verify of a one-line change", value: smallPeak / 1024 / 1024 },
      ratio: hugePeak / smallPeak,
    },
  ];
}
