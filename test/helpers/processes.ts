/** Processes as Linux's /proc shows them: for tests that must see what git left running. */
import { readdir, readFile, readlink, realpath } from "node:fs/promises";

/** The live processes (not zombies) whose working directory is `dir` or below it. */
export async function processesUnder(dir: string): Promise<{ pid: number; argv: string[] }[]> {
  const real = await realpath(dir);
  const found: { pid: number; argv: string[] }[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cwd = await readlink(`/proc/${name}/cwd`);
      if (cwd !== real && !cwd.startsWith(`${real}/`)) continue;
      const argv = (await readFile(`/proc/${name}/cmdline`, "utf8")).split("\0").filter(Boolean);
      found.push({ pid: Number(name), argv });
    } catch {
      // Gone meanwhile, or a zombie (no cwd any more).
    }
  }
  return found;
}

/** The live processes whose command line has `word` in it and whose environment has `marker`. */
export async function processesWith(
  word: string,
  marker: string,
): Promise<{ pid: number; argv: string[] }[]> {
  const found: { pid: number; argv: string[] }[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = (await readFile(`/proc/${name}/cmdline`, "utf8")).split("\0").filter(Boolean);
      if (!argv.some((a) => a.includes(word))) continue;
      if (!(await readFile(`/proc/${name}/environ`, "utf8")).includes(marker)) continue;
      found.push({ pid: Number(name), argv });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}
