/**
 * The webhook under load, as a Gitea delivers it: the built service (`node dist/cli.js serve`) on
 * loopback, signed pull_request_sync deliveries sent at a fixed rate (each a new delivery id,
 * spread over 50 pull requests, so verifications run behind the acknowledgements against the Gitea
 * double), against a bare hono handler that only answers 202. Then a fresh service with git held
 * (no job can finish) and 1,000 pull requests delivered: its peak RSS with them all queued.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { currentPullPayload, type Delivery, delivery } from "../test/helpers/deliveries.ts";
import { applyPatch, fixtureBranch, recipeRepo } from "../test/helpers/recipes.ts";
import { type BenchFixture, type Served, writeManifest } from "./repos.ts";
import { percentile } from "./stats.ts";
import type { Row } from "./table.ts";

const CLI = new URL("../dist/cli.js", import.meta.url).pathname;
const BARE = new URL("./bare-hono.mjs", import.meta.url).pathname;
export const SECRET = "bench-webhook-secret-0123456789abcdef";
const REPO = "hooks/custom-html";

export type Ctx = { root: string; served: Served };
export type Server = { child: ChildProcess; url: string; close(): Promise<void> };

/** Start a process that prints its port (a JSON line with `port`) once it listens. */
export async function listening(args: string[], env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    stderr = (stderr + c).slice(-4000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: string) => {
      buffer += chunk;
      for (const line of buffer.split("\n")) {
        try {
          const parsed = JSON.parse(line) as { port?: number };
          if (typeof parsed.port === "number") {
            child.stdout?.off("data", onData);
            child.stdout?.resume(); // keep draining its log
            resolve(parsed.port);
            return;
          }
        } catch {
          // a partial or non-JSON line
        }
      }
    };
    child.stdout?.setEncoding("utf8").on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await once(child, "exit");
    },
  };
}

export async function setUp(
  ctx: Ctx,
): Promise<{ manifest: string; env: NodeJS.ProcessEnv; branch: string; fixture: BenchFixture }> {
  const repo = await recipeRepo(ctx.root, "custom-html", REPO);
  const branch = "regression-bad-backup";
  const sha = await fixtureBranch(repo, branch, applyPatch("custom-html/bad-backup.patch"));
  ctx.served.gitea.addRepo(REPO);
  ctx.served.gitea.setPermission(REPO, "fixture-bot", "admin");
  ctx.served.gitea.addUser("maintainer");
  const fixture: BenchFixture = { name: "bad-backup", repo: REPO, branch, sha, tier: "backup" };
  const manifest = join(ctx.root, "webhook.yaml");
  await writeManifest(manifest, [fixture]);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITEA_URL: ctx.served.gitea.url,
    GITEA_TOKEN: ctx.served.token,
    WEBHOOK_SECRET: SECRET,
    FIXTURES_FILE: manifest,
    PORT: "0",
    BIND_ADDRESS: "127.0.0.1",
    LOG_LEVEL: "info",
  };
  return { manifest, env, branch, fixture };
}

export async function service(env: NodeJS.ProcessEnv, dataDir: string): Promise<Server> {
  return listening([CLI, "serve"], { ...env, DATA_DIR: dataDir });
}

/** Signed deliveries for `count` pull requests on the fixture branch, opened now. */
export async function deliveries(
  ctx: Ctx,
  branch: string,
  prs: number,
  total: number,
): Promise<Delivery[]> {
  const payloads: Record<string, unknown>[] = [];
  for (let i = 0; i < prs; i++) {
    const { number } = ctx.served.gitea.openPull(REPO, {
      head: branch,
      base: "main",
      author: "maintainer",
    });
    payloads.push(
      await currentPullPayload({
        giteaUrl: ctx.served.gitea.url,
        token: ctx.served.token,
        repo: REPO,
        number,
        action: "synchronized",
        sender: { id: 2, login: "maintainer" },
      }),
    );
  }
  return Array.from({ length: total }, (_, i) =>
    delivery("pull_request_sync", payloads[i % prs], SECRET),
  );
}

export type Load = {
  latencies: number[];
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
};

/** Send `list` at `rate` per second (never more than `bound` unanswered: those count as errors). */
export async function fixedRate(
  url: string,
  list: readonly Delivery[],
  rate: number,
  bound = 256,
): Promise<Load> {
  const agent = new Agent({ connections: bound, keepAliveTimeout: 10_000 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (const [i, d] of list.entries()) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (inFlight >= bound) {
      errors++;
      statuses["not sent: over the in-flight bound"] =
        (statuses["not sent: over the in-flight bound"] ?? 0) + 1;
      continue;
    }
    inFlight++;
    const sent = performance.now();
    pending.push(
      request(`${url}/webhook`, {
        method: "POST",
        body: d.body,
        headers: d.headers,
        dispatcher: agent,
      })
        .then(async (res) => {
          await res.body.dump();
          latencies.push(performance.now() - sent);
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          if (res.statusCode !== 202) errors++;
        })
        .catch(() => {
          errors++;
          statuses["no answer"] = (statuses["no answer"] ?? 0) + 1;
        })
        .finally(() => {
          inFlight--;
        }),
    );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  await agent.close();
  return { latencies, errors, statuses, seconds };
}

/** As many deliveries as `workers` concurrent senders get answered in `ms`: answers per second. */
export async function throughput(
  url: string,
  list: readonly Delivery[],
  workers: number,
  ms: number,
): Promise<number> {
  const agent = new Agent({ connections: workers });
  let next = 0;
  let done = 0;
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < until) {
        const d = list[next++ % list.length] as Delivery;
        const res = await request(`${url}/webhook`, {
          method: "POST",
          body: d.body,
          headers: d.headers,
          dispatcher: agent,
        });
        await res.body.dump();
        if (res.statusCode === 202) done++;
      }
    }),
  );
  await agent.close();
  return done / (ms / 1000);
}

/** The answers that were not a 202, e.g. " (503: 12, no answer: 1)"; "" when there are none. */
export function whatFailed(load: Load): string {
  const failed = Object.entries(load.statuses).filter(([status]) => status !== "202");
  return failed.length === 0 ? "" : ` (${failed.map(([s, n]) => `${s}: ${n}`).join(", ")})`;
}

async function peakRss(pid: number): Promise<{ hwm: number; rss: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { hwm: kib("VmHWM") * 1024, rss: kib("VmRSS") * 1024 };
}

export async function webhook(
  ctx: Ctx,
  options: { rate: number; seconds: number },
): Promise<Row[]> {
  const { env, branch } = await setUp(ctx);
  const total = options.rate * options.seconds;
  const load = await deliveries(ctx, branch, 50, total);
  const rows: Row[] = [];

  // The fixed rate, bot then bare handler.
  const bot = await service(env, join(ctx.root, "data-webhook"));
  let bare: Server | null = null;
  try {
    const botLoad = await fixedRate(bot.url, load, options.rate);
    // Unique delivery ids for the throughput run (a repeated id is refused as a duplicate).
    const more = await deliveries(ctx, branch, 10, 2_000);
    const botMax = await throughput(bot.url, more, 32, 3_000);
    await bot.close();
    bare = await listening([BARE], { PATH: process.env.PATH });
    const bareLoad = await fixedRate(bare.url, load, options.rate);
    const bareMax = await throughput(bare.url, more, 32, 3_000);
    const p = (l: Load, q: number) => percentile(l.latencies, q);
    const p99 = p(botLoad, 0.99);
    rows.push(
      {
        figure: `webhook p50 to the 202, ${options.rate}/s for ${options.seconds} s, jobs running behind`,
        value: p(botLoad, 0.5),
        unit: "ms",
        baseline: { name: "bare hono handler", value: p(bareLoad, 0.5) },
        ratio: p(botLoad, 0.5) / p(bareLoad, 0.5),
      },
      {
        figure: `webhook p99 to the 202 (errors: ${botLoad.errors} of ${total}${whatFailed(botLoad)}; bare: ${bareLoad.errors})`,
        value: p99,
        unit: "ms",
        baseline: { name: "bare hono handler", value: p(bareLoad, 0.99) },
        ratio: p99 / p(bareLoad, 0.99),
        target: "≤ 20 ms, no error",
        met: p99 <= 20 && botLoad.errors === 0,
      },
      {
        figure: "webhook throughput, 32 senders for 3 s",
        value: botMax,
        unit: "/s",
        baseline: { name: "bare hono handler", value: bareMax },
        ratio: botMax / bareMax,
        target: "≥ 0.5×",
        met: botMax / bareMax >= 0.5,
      },
    );
  } finally {
    await bot.close();
    await bare?.close();
  }

  // 1,000 pull requests queued behind a git that never answers.
  const release = ctx.served.gitea.holdGit();
  const queued = await service(env, join(ctx.root, "data-queued"));
  try {
    const idle = await peakRss(queued.child.pid as number);
    const thousand = await deliveries(ctx, branch, 1_000, 1_000);
    const sent = await fixedRate(queued.url, thousand, 500);
    if (sent.errors > 0) throw new Error(`queueing 1,000: ${JSON.stringify(sent.statuses)}`);
    await sleep(500);
    const after = await peakRss(queued.child.pid as number);
    rows.push({
      figure: "peak RSS with 1,000 jobs queued",
      value: after.hwm / 1024 / 1024,
      unit: "MiB",
      baseline: { name: "the same service idle", value: idle.hwm / 1024 / 1024 },
      ratio: after.hwm / idle.hwm,
      target: "≤ 150 MB",
      met: after.hwm <= 150 * 1000 * 1000,
    });
  } finally {
    await queued.close();
    release();
  }
  return rows;
}
