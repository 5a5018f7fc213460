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
