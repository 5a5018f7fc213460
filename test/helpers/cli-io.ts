/** The CLI's io for in-process runs: what it writes is kept, the environment is the test's. */
import type { CliIo } from "../../src/cli.ts";

export function captureIo(
  env: NodeJS.ProcessEnv = {},
): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env,
    isTTY: false,
    out: () => out.join(""),
    err: () => err.join(""),
  };
}
