/**
 * The intake while the verifications work (issue 20): the built service with CONCURRENCY
 * verifications of the 10,000-commit fixture running (40 of its pull requests queued), and
 * 500 signed deliveries/s for 10 s; against the same load with none running. Verifications run
 * in processes of their own at nice 10, so the HTTP thread should answer as fast with them as
 * without. How many were running is sampled through the service's /metrics during the load.
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { currentPullPayload, delivery } from "../test/helpers/deliveries.ts";
import { large, writeManifest } from "./repos.ts";
import { percentile } from "./stats.ts";
import type { Row } from "./table.ts";
import {
  type Ctx,
  deliveries,
  fixedRate,
  type Load,
  SECRET,
  service,
  setUp,
  whatFailed,
} from "./webhook.ts";

async function metric(url: string, name: string): Promise<number> {
  const res = await request(`${url}/metrics`);
  const text = await res.body.text();
  const line = text.split("\n").find((l) => l.startsWith(name));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/** Sample `fixture_bot_jobs{state="running"}` every 200 ms while `work` runs. */
async function sampling<T>(
  url: string,
  work: Promise<T>,
): Promise<{ result: T; running: number[] }> {
  const running: number[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      running.push(await metric(url, 'fixture_bot_jobs{state="running"}'));
      await sleep(200);
    }
  })();
  const result = await work;
  done = true;
  await sampler;
  return { result, running };
}

export async function intake(
  ctx: Ctx,
  options: { rate: number; seconds: number; concurrency: number },
): Promise<Row[]> {
  const { env, branch, fixture: light, manifest } = await setUp(ctx);
  const { fixture: heavy } = await large(ctx.root, ctx.served);
  ctx.served.gitea.setPermission(heavy.repo, "fixture-bot", "admin");
  await writeManifest(manifest, [light, heavy]);
  const total = options.rate * options.seconds;
  const bot = await service(
    { ...env, CONCURRENCY: String(options.concurrency) },
    join(ctx.root, "data-intake"),
  );
  try {
    // The reconcile at start fetches both repositories and verifies both pins: wait for it.
    for (let i = 0; i < 600; i++) {
      if ((await metric(bot.url, 'fixture_bot_verifications_total{fixture="bad-image"')) > 0) break;
      await sleep(100);
    }
    const quiet = await sampling(
      bot.url,
      fixedRate(bot.url, await deliveries(ctx, branch, 50, total), options.rate),
    );

    // 40 pull requests on the large fixture's branch, each a verification of it.
    for (let i = 0; i < 40; i++) {
      const { number } = ctx.served.gitea.openPull(heavy.repo, {
        head: heavy.branch,
        base: "main",
        author: "maintainer",
      });
      const payload = await currentPullPayload({
        giteaUrl: ctx.served.gitea.url,
        token: ctx.served.token,
        repo: heavy.repo,
        number,
        action: "opened",
        sender: { id: 2, login: "maintainer" },
      });
      const d = delivery("pull_request", payload, SECRET);
      await request(`${bot.url}/webhook`, { method: "POST", body: d.body, headers: d.headers });
    }
    for (let i = 0; i < 300; i++) {
      if ((await metric(bot.url, 'fixture_bot_jobs{state="running"}')) >= options.concurrency)
        break;
      await sleep(50);
    }
    const busy = await sampling(
      bot.url,
      fixedRate(bot.url, await deliveries(ctx, branch, 50, total), options.rate),
    );

    const p = (l: Load, q: number) => percentile(l.latencies, q);
    const always = busy.running.filter((n) => n >= options.concurrency).length;
    const during = `${options.concurrency} verifications of the 10,000-commit fixture running (in ${always} of ${busy.running.length} samples)`;
    return [
      {
        figure: `intake p50 to the 202 at ${options.rate}/s, ${during}`,
        value: p(busy.result, 0.5),
        unit: "ms",
        baseline: { name: "the same load, none running", value: p(quiet.result, 0.5) },
        ratio: p(busy.result, 0.5) / p(quiet.result, 0.5),
      },
      {
        figure: `intake p99 to the 202, the same (errors: ${busy.result.errors} of ${total}${whatFailed(busy.result)})`,
        value: p(busy.result, 0.99),
        unit: "ms",
        baseline: { name: "the same load, none running", value: p(quiet.result, 0.99) },
        ratio: p(busy.result, 0.99) / p(quiet.result, 0.99),
        target: "≤ 20 ms, no error",
        met: p(busy.result, 0.99) <= 20 && busy.result.errors === 0,
      },
    ];
  } finally {
    await bot.close();
  }
}
