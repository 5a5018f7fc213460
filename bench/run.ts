/**
 * `npm run bench [-- NAME...] [--write]`: every speed and memory figure of fixture-bot next to its baseline
 * from the same run, as the Markdown table the README shows. Never a unit test: CI machines are
 * shared and noisy, and a figure means something only beside its baseline.
 *
 *   warm      warm verify of 16 fixtures in 2 repositories vs a git plumbing script
 *   cold      cold verify in a 10,000-commit repository vs clone + diff and a blobless fetch;
 *             --filter=tree:0 vs blob:none
 *   filter    --filter=tree:0 vs blob:none for what the checks ask (in process)
 *   sweep     200 fixtures in 20 repositories, and how the time grows from 20
 *   start     `fixture-bot validate` vs `node -e ''`
 *   webhook   500 signed deliveries/s for 10 s vs a bare hono handler; RSS with 1,000 queued
 *   intake    the same 500/s while CONCURRENCY verifications of the 10,000-commit fixture run,
 *             against the same load with none running
 *   floor     the work each delivery needs before its 202 (signature, JSON, routing, SQLite
 *             insert), in process, vs a bare hono handler's time per request: the throughput bound
 *   memory    peak RSS of a verify whose fixture adds a 50 MB file
 *
 * The bot runs as a user runs it: the built CLI (`npm run build` first, done here) as a whole
 * process, over authenticated smart HTTP served by the Gitea double from real bare repositories.
 * With --write (a whole run only), the table replaces the one between docs/performance.md's bench
 * markers, with the machine and load it ran on: the docs' figures are never copied by hand.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { floor } from "./floor.ts";
import { intake } from "./intake.ts";
import { memory } from "./memory.ts";
import { serve } from "./repos.ts";
import { type Row, renderTable } from "./table.ts";
import { coldVerify, filterChoice, startUp, sweepVerify, warmVerify } from "./verify.ts";
import { webhook } from "./webhook.ts";

const run = promisify(execFile);
const ROOT = new URL("../", import.meta.url).pathname;

type Ctx = Parameters<typeof warmVerify>[0];
const SCENARIOS: Record<string, (ctx: Ctx) => Promise<Row[]>> = {
  warm: (ctx) => warmVerify(ctx, 7),
  cold: (ctx) => coldVerify(ctx, 3),
  filter: (ctx) => filterChoice(ctx, 3),
  sweep: (ctx) => sweepVerify(ctx, 3),
  start: (ctx) => startUp(ctx, 15),
  webhook: (ctx) => webhook(ctx, { rate: 500, seconds: 10 }),
  intake: (ctx) => intake(ctx, { rate: 500, seconds: 10, concurrency: 2 }),
  floor: (ctx) => floor(ctx, { count: 5_500 }),
  memory: (ctx) => memory(ctx),
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const write = args.includes("--write");
  const wanted = args.filter((a) => a !== "--write");
  if (write && wanted.length > 0)
    throw new Error("--write writes the whole table: run every scenario (no names) with it");
  const unknown = wanted.filter((w) => !(w in SCENARIOS));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(", ")}; known: ${Object.keys(SCENARIOS).join(", ")}`,
    );
  }
  const started = performance.now();
  process.stderr.write("building dist/ (npm run build) ...\n");
  await run("npm", ["run", "--silent", "build"], { cwd: ROOT });
  const { stdout: gitVersion } = await run("git", ["--version"]);
  const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${gitVersion.trim()}, load average ${loadavg()[0]?.toFixed(2)} at start`;
  const rows: Row[] = [];
  for (const name of wanted.length > 0 ? wanted : Object.keys(SCENARIOS)) {
    const root = await mkdtemp(join(tmpdir(), `fixture-bot-bench-${name}-`));
    const served = await serve(root);
    const at = performance.now();
    process.stderr.write(`${name} ...`);
    try {
      const got = await (SCENARIOS[name] as (ctx: Ctx) => Promise<Row[]>)({ root, served });
      rows.push(...got);
      // Each scenario's rows as soon as it ends, so a run cut short keeps what it measured.
      process.stderr.write(`\n${renderTable(got)}`);
    } finally {
      await served.close();
      await rm(root, { recursive: true, force: true });
    }
    process.stderr.write(` ${((performance.now() - at) / 1000).toFixed(0)} s\n`);
  }
  process.stdout.write(`\n${machine}\n\n${renderTable(rows)}\n`);
  process.stdout.write(
    `Medians of alternating runs (min–max); ratio = fixture-bot / baseline. Whole run: ${((performance.now() - started) / 1000).toFixed(0)} s.\n`,
  );
  if (rows.some((r) => r.met === false)) {
    process.stdout.write("A target marked ✗ is not met on this run.\n");
  }
  if (write) {
    const path = join(ROOT, "docs", "performance.md");
    const doc = await readFile(path, "utf8");
    const block = `<!-- bench:begin -->\nOne run (\`npm run bench -- --write\`, ${((performance.now() - started) / 1000).toFixed(0)} s) on\n${machine}:\n\n${renderTable(rows)}<!-- bench:end -->`;
    const updated = doc.replace(/<!-- bench:begin -->[\s\S]*?<!-- bench:end -->/, () => block);
    if (updated === doc) throw new Error("docs/performance.md has no bench markers");
    await writeFile(path, updated);
    process.stderr.write("docs/performance.md: its table is this run's\n");
  }
}

await main();
