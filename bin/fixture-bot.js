#!/usr/bin/env node
// Which code runs:
// - An installed copy (npm install -g, npx, the Docker image) has dist/ and no src/: it runs dist/
//   and nothing else. It never transpiles (tsx is a devDependency, not installed there).
// - A checkout has src/: it runs dist/ only when dist/cli.js is newer than everything in src/ (so
//   `npm run build` ran after the last edit), else the sources through tsx. A stale build never
//   runs, and no command writes into the checkout: building takes ~10 s, which a CLI call should
//   not do behind one's back, and tsx is always right, only slower to start.
import { existsSync, readdirSync, statSync } from "node:fs";

const compiled = new URL("../dist/cli.js", import.meta.url);
const sources = new URL("../src/", import.meta.url);

/** The newest modification time of a directory, its entries and everything below it. */
function newest(dir) {
  let latest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.name + (entry.isDirectory() ? "/" : ""), dir);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const checkout = existsSync(new URL("cli.ts", sources));
const built = existsSync(compiled);
if (built && (!checkout || statSync(compiled).mtimeMs > newest(sources))) {
  const { run } = await import(compiled.href);
  await run();
} else if (checkout) {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write(
      `fixture-bot: ${built ? "dist/ is older than src/" : "there is no dist/"} and tsx is not installed: run npm ci, or npm run build\n`,
    );
    process.exit(2);
  }
  register();
  const { run } = await import(new URL("cli.ts", sources).href);
  await run();
} else {
  process.stderr.write(
    "fixture-bot: this copy has neither dist/ nor src/: reinstall it (a package is built by npm pack)\n",
  );
  process.exit(2);
}
