/**
 * The service's log lines go to stdout through an asynchronous destination (writes coalesced while
 * one is in flight, off the intake's hot path). Async must not mean lost: every line written
 * before the process exits, however it exits short of SIGKILL, reaches stdout, and a secret in a
 * line is masked as with any destination.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const LOGGER = new URL("../../src/shared/logger.ts", import.meta.url).pathname;
const SECRET = "s3cr3t-token-value-0123456789";
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fixture-bot-logger-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Run a script that logs `lines` lines, then ends the way `end` says; its stdout's lines. */
async function logThenEnd(lines: number, end: string): Promise<Record<string, unknown>[]> {
  const script = join(dir, `log-${end.replace(/\W/g, "")}.ts`);
  await writeFile(
    script,
    `import { createLogger } from ${JSON.stringify(LOGGER)};
const log = createLogger({ level: "info", redact: (s) => s.replaceAll(${JSON.stringify(SECRET)}, "***") });
for (let i = 0; i < ${lines}; i++) log.info({ i, note: "x".repeat(200) }, "line ${SECRET}");
${end}
`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("the default (stdout) destination", () => {
  it.each([
    ["the event loop empties", ""],
    ["process.exit", "process.exit(3);"],
    ["an uncaught exception", 'throw new Error("boom");'],
  ])("every line logged before %s reaches stdout, in order, masked", async (_name, end) => {
    const got = await logThenEnd(5_000, end);
    expect(got.map((l) => l.i)).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(new Set(got.map((l) => l.msg))).toEqual(new Set(["line ***"]));
  });
});
