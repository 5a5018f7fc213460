/**
 * `npm run bench`: the speed and memory figures, measured on this machine (never asserted in a unit
 * test: CI machines are shared and noisy). Each scenario runs in its own process so its peak RSS is
 * its own.
 *
 *   large-cold   first verify of a fixture in a 10,000-commit, 20,000-file repo (clone into mirror)
 *   large-warm   the same fixture again, mirror warm (median of 5)
 *   incident     verify of the emptied-compose fixture on the recipe repo, warm (median of 10)
 *   huge-file    verify of a fixture that adds a 50 MB file (peak RSS is the figure that matters)
 *   webhook-ack  time to answer a signed delivery with 202: signature, JSON, routing, and the job
 *                written to SQLite (WAL) before the answer; 2,000 deliveries over HTTP
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { git } from "../src/demo/scratch-repo.ts";
import { createLargeRepo, objectCounts } from "../test/helpers/large-repo.ts";
import {
  applyPatch,
  createTestEnv,
  fixture,
  fixtureBranch,
  recipeRepo,
  rule,
} from "../test/helpers/recipes.ts";

const run = promisify(execFile);
type Figures = Record<string, string | number>;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function du(path: string): Promise<number> {
  const { stdout } = await run("du", ["-sb", path]);
  return Number.parseInt(stdout, 10);
}

const scenarios: Record<string, () => Promise<Figures>> = {
  async large() {
    const env = await createTestEnv("fixture-bot-bench-");
    try {
      const { remote, pin } = await createLargeRepo(env.root, "big/monorepo");
      const f = fixture({
        name: "bad-image",
        repo: "big/monorepo",
        branch: "regression-image",
        sha: pin,
        base: "main",
        change: [
          rule("compose.yml", {
            lines: ["^\\s*image: "],
            keys: ["services.app.image"],
            maxLines: 2,
          }),
        ],
      });
      const [[cold], coldMs] = await timed(() => env.verify([f]));
      if (cold?.verdict !== "pass") throw new Error(`unexpected verdict ${cold?.verdict}`);
      const warm: number[] = [];
      for (let i = 0; i < 5; i++) warm.push((await timed(() => env.verify([f])))[1]);
      const mirror = env.workspace.mirrorPath("big/monorepo");
      const [source, mirrored] = await Promise.all([objectCounts(remote), objectCounts(mirror)]);
      await git(remote, ["gc", "--quiet"]);
      return {
        "large-cold ms": Math.round(coldMs),
        "large-warm ms (median of 5)": Math.round(median(warm)),
        "source repo (packed)": mib(await du(remote)),
        "mirror on disk": mib(await du(mirror)),
        "blobs in source": source.blob ?? 0,
        "blobs in mirror": mirrored.blob ?? 0,
        "commits in mirror": mirrored.commit ?? 0,
        "peak RSS": mib(process.resourceUsage().maxRSS * 1024),
      };
    } finally {
      await env.cleanup();
    }
  },

  async incident() {
    const env = await createTestEnv("fixture-bot-bench-");
    try {
      const repo = await recipeRepo(env.root, "custom-html", "o/custom-html");
      const sha = await fixtureBranch(
        repo,
        "emptied",
        applyPatch("broken/custom-html--emptied-compose.patch"),
      );
      const f = fixture({
        name: "emptied",
        repo: "o/custom-html",
        branch: "emptied",
        sha,
        base: "main",
        change: [
          rule("compose.yml", {
            lines: ["backupbot"],
            keys: ["services.app.deploy.labels"],
            maxLines: 2,
          }),
        ],
      });
      await env.verify([f]);
      const times: number[] = [];
      for (let i = 0; i < 10; i++) times.push((await timed(() => env.verify([f])))[1]);
      // Two fixtures on one commit (as bad-install and bad-upgrade are): git is asked once.
      const pair = [f, { ...f, name: "emptied-twin" }];
      const pairTimes: number[] = [];
      for (let i = 0; i < 10; i++) pairTimes.push((await timed(() => env.verify(pair)))[1]);
      return {
        "incident ms (warm, median of 10)": Math.round(median(times)),
        "two fixtures, one commit ms": Math.round(median(pairTimes)),
        "peak RSS": mib(process.resourceUsage().maxRSS * 1024),
      };
    } finally {
      await env.cleanup();
    }
  },

  async "huge-file"() {
    const env = await createTestEnv("fixture-bot-bench-");
    try {
      const repo = await recipeRepo(env.root, "custom-html", "o/custom-html");
      const sha = await fixtureBranch(repo, "huge", async (r) => {
        // Written by a child process, so this process's RSS is only what verifying it costs.
        await run("sh", [
          "-c",
          `yes 0123456789abcdef | head -c 52428800 > '${join(r.dir, "content.txt")}'`,
        ]);
      });
      const baseline = process.resourceUsage().maxRSS * 1024;
      const f = fixture({
        name: "huge",
        repo: "o/custom-html",
        branch: "huge",
        sha,
        base: "main",
        change: [rule("*.txt")],
      });
      const [[result], ms] = await timed(() => env.verify([f]));
      return {
        "huge-file verdict": `${result?.verdict} (${result?.checks.find((c) => c.id === "binary")?.message})`,
        "huge-file ms (cold)": Math.round(ms),
        "RSS before verify": mib(baseline),
        "peak RSS": mib(process.resourceUsage().maxRSS * 1024),
      };
    } finally {
      await env.cleanup();
    }
  },
};

scenarios["webhook-ack"] = async () => {
  const { createServer } = await import("node:http");
  const { getRequestListener } = await import("@hono/node-server");
  const { createApp } = await import("../src/intake/app.ts");
  const { createSignatureVerifier } = await import("../src/intake/signature.ts");
  const { createJobQueue } = await import("../src/queue/job-queue.ts");
  const { openDatabase } = await import("../src/store/database.ts");
  const { createJobStore } = await import("../src/queue/job-store.ts");
  const { silentLogger } = await import("../src/shared/logger.ts");
  const { delivery, pullRequestPayload } = await import("../test/helpers/deliveries.ts");
  const dir = await mkdtemp(join(tmpdir(), "fixture-bot-bench-"));
  try {
    const secret = "bench-webhook-secret-0123456789";
    const queue = createJobQueue({
      handle: async () => undefined,
      store: createJobStore(openDatabase(join(dir, "bot.sqlite"))),
      concurrency: 2,
      log: silentLogger,
    });
    const manifest = {
      version: 1 as const,
      fixtures: [fixture({ name: "f", repo: "o/r", branch: "fx", sha: "abcdef1" })],
    };
    const app = createApp({
      verifySignature: createSignatureVerifier(secret),
      enqueue: (job) => queue.enqueue(job),
      routeContext: () => ({ manifest, fixturesRepo: null, botUserId: null }),
      log: silentLogger,
    });
    const server = createServer(getRequestListener(app.fetch));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const times: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const payload = pullRequestPayload({
        action: "synchronized",
        repo: { fullName: "o/r" },
        number: (i % 50) + 1,
        head: { ref: "fx", sha: i.toString(16).padStart(40, "0") },
        base: { ref: "main", sha: "b".repeat(40) },
        sender: { id: 1, login: "m" },
      });
      const d = delivery("pull_request_sync", payload, secret);
      const start = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/webhook`, {
        method: "POST",
        body: d.body,
        headers: d.headers,
      });
      await res.arrayBuffer();
      times.push(performance.now() - start);
      if (res.status !== 202) throw new Error(`status ${res.status}`);
    }
    server.close();
    times.sort((a, b) => a - b);
    const at = (q: number) => (times[Math.floor(q * (times.length - 1))] ?? Number.NaN).toFixed(2);
    return {
      "webhook-ack p50 ms": at(0.5),
      "webhook-ack p99 ms": at(0.99),
      "webhook-ack max ms": at(1),
      "body size": `${(Buffer.byteLength(JSON.stringify(pullRequestPayload({ action: "x", repo: { fullName: "o/r" }, number: 1, head: { ref: "a", sha: "a" }, base: { ref: "b", sha: "b" }, sender: { id: 1, login: "m" } }), null, 2)) / 1024).toFixed(1)} KiB`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only) {
    const scenario = scenarios[only];
    if (!scenario) throw new Error(`unknown scenario ${only}`);
    process.stdout.write(JSON.stringify(await scenario()));
    return;
  }
  const scratch = await mkdtemp(join(tmpdir(), "fixture-bot-bench-"));
  try {
    console.log(
      `fixture-bot bench on ${process.version}, git ${(await git(scratch, ["--version"])).trim()}\n`,
    );
    for (const name of Object.keys(scenarios)) {
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", new URL(import.meta.url).pathname, name],
        {
          env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      console.log(`[${name}]`);
      for (const [key, value] of Object.entries(JSON.parse(stdout) as Figures))
        console.log(`  ${key.padEnd(34)} ${value}`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
