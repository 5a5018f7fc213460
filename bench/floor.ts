/**
 * The floor under the webhook's throughput (issue 20): the work every accepted delivery must do
 * before its 202, timed in process without HTTP — the signature over the raw body, JSON.parse,
 * routing to a job, the durable insert into SQLite — against the time a bare hono handler spends
 * per request at its own throughput, measured in the same run. The sum bounds the best throughput
 * any intake that keeps the 202's promise (signed, parsed, stored) can reach on this machine.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadManifestFile } from "../src/config/load-manifest.ts";
import { readDeliveryHeaders, toJob } from "../src/intake/gitea-events.ts";
import { createSignatureVerifier } from "../src/intake/signature.ts";
import { jobKey, jobRevision } from "../src/queue/job.ts";
import { createJobStore } from "../src/queue/job-store.ts";
import { openDatabase } from "../src/store/database.ts";
import type { Row } from "./table.ts";
import {
  type Ctx,
  deliveries,
  listening,
  SECRET,
  type Server,
  setUp,
  throughput,
} from "./webhook.ts";

const BARE = new URL("./bare-hono.mjs", import.meta.url).pathname;

type Stage = "signature" | "json" | "route" | "insert";

export async function floor(ctx: Ctx, options: { count: number }): Promise<Row[]> {
  const { manifest: file, branch } = await setUp(ctx);
  const { manifest } = await loadManifestFile(file);
  // Every delivery its own pull request head, so each is a new job and a real insert.
  const list = await deliveries(ctx, branch, 200, options.count);
  const dir = await mkdtemp(join(tmpdir(), "fixture-bot-floor-"));
  const db = openDatabase(join(dir, "bot.db"));
  const jobs = createJobStore(db);
  const verify = createSignatureVerifier(SECRET);
  const spent: Record<Stage, number> = { signature: 0, json: 0, route: 0, insert: 0 };
  let bare: Server | null = null;
  try {
    // The first 500 warm the JIT and SQLite's caches; they are not counted.
    for (const [i, d] of list.entries()) {
      const counted = i >= 500;
      let t = performance.now();
      const lap = (stage: Stage) => {
        const now = performance.now();
        if (counted) spent[stage] += now - t;
        t = now;
      };
      const h = (name: string) => d.headers[name] ?? d.headers[name.toLowerCase()];
      const ok = await verify(d.body, {
        hub256: h("X-Hub-Signature-256"),
        gitea: h("X-Gitea-Signature"),
        forgejo: undefined,
      });
      if (!ok) throw new Error("floor: a delivery's signature did not verify");
      lap("signature");
      const payload: unknown = JSON.parse(d.body);
      lap("json");
      const headers = readDeliveryHeaders((name) => h(name));
      if ("conflict" in headers) throw new Error(`floor: ${headers.conflict}`);
      const routed = toJob(
        {
          id: `${headers.id}-${i}`,
          eventType: headers.eventType,
          receivedAt: new Date().toISOString(),
        },
        payload,
        { manifest, fixturesRepo: null, botUserId: 1 },
      );
      if (!("job" in routed))
        throw new Error(`floor: not routed to a job: ${JSON.stringify(routed)}`);
      lap("route");
      jobs.add(routed.job, jobKey(routed.job), jobRevision(routed.job));
      lap("insert");
    }
    bare = await listening([BARE], { PATH: process.env.PATH });
    const bareMax = await throughput(bare.url, list, 32, 3_000);
    const counted = list.length - 500;
    const us = (ms: number) => (ms * 1000) / counted;
    const perDelivery = us(spent.signature + spent.json + spent.route + spent.insert);
    const barePerRequest = 1e6 / bareMax;
    const ceiling = 1e6 / (barePerRequest + perDelivery);
    const split = (Object.keys(spent) as Stage[])
      .map((s) => `${s} ${us(spent[s]).toFixed(0)}`)
      .join(", ");
    return [
      {
        figure: `work each delivery needs before its 202, in process (${split} µs; ${((list[0]?.body.length ?? 0) / 1024) | 0} KiB payload)`,
        value: perDelivery,
        unit: "µs",
        baseline: { name: "bare hono, per request at its throughput", value: barePerRequest },
        ratio: perDelivery / barePerRequest,
      },
      {
        figure: "webhook throughput ceiling: bare hono plus that work, nothing else",
        value: ceiling,
        unit: "/s",
        baseline: { name: "bare hono handler", value: bareMax },
        ratio: ceiling / bareMax,
        target: "≥ 0.5× (issue 20's throughput target, at best)",
        met: ceiling / bareMax >= 0.5,
      },
    ];
  } finally {
    db.close();
    await bare?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
