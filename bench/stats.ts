/**
 * Figures a benchmark can stand behind on a shared, noisy machine: each variant runs several times,
 * alternating with its baseline (so a burst of load hits both), and is reported as its median with
 * min and max, next to the baseline's and the ratio of the medians.
 */
import { spawn } from "node:child_process";

export type Sample = { median: number; min: number; max: number; runs: number };

export function sample(values: readonly number[]): Sample {
  if (values.length === 0) throw new Error("no values to summarise");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number, runs: sorted.length };
}

/** Run every variant `rounds` times, in turn (a, b, a, b, ...), after one unmeasured warm-up each. */
export async function alternate<K extends string>(
  variants: Record<K, () => Promise<number>>,
  rounds: number,
  options: { warmUp?: boolean } = {},
): Promise<Record<K, Sample>> {
  const names = Object.keys(variants) as K[];
  if (options.warmUp !== false) for (const name of names) await variants[name]();
  const values = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) values[name].push(await variants[name]());
  }
  return Object.fromEntries(names.map((n) => [n, sample(values[n])])) as Record<K, Sample>;
}

export type Exit = { code: number | null; stdout: string; stderr: string; ms: number };

/** Run a process to its end; its wall time in ms, from spawn to exit. */
export function timeProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr?.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - start }));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** As timeProcess, but a run that does not exit with one of `codes` stops the benchmark. */
export async function timed(
  what: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; codes?: readonly number[] } = {},
): Promise<number> {
  const exit = await timeProcess(command, args, options);
  if (!(options.codes ?? [0]).includes(exit.code ?? -1)) {
    throw new Error(
      `${what}: exit ${exit.code}\n${exit.stderr.slice(-2000)}\n${exit.stdout.slice(-1000)}`,
    );
  }
  return exit.ms;
}

/** A percentile of sorted-or-not values (nearest rank). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}
