#!/usr/bin/env node
// Runs the compiled CLI when there is one (npm run build, the Docker image), else the TypeScript
// sources through tsx (a development checkout after npm ci).
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli.js", import.meta.url);
if (existsSync(compiled)) {
  const { run } = await import(compiled.href);
  await run();
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { run } = await import(new URL("../src/cli.ts", import.meta.url).href);
  await run();
}
