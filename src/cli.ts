/**
 * fixture-bot's command line: verify | validate | pin | tiers | demo | serve. Each command is a function
 * of (args, io) -> exit code, so tests drive it in-process; only `run()` at the bottom touches the
 * real process. Exit codes: 0 all pass, 1 a fixture failed, 2 could not check or bad configuration.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { loadGitEnv } from "./config/env.ts";
import { type LoadedManifest, loadManifestFile, parseManifest } from "./config/load-manifest.ts";
import type { Fixture } from "./config/manifest.ts";
import { rewritePin } from "./config/rewrite-pin.ts";
import { runDemo } from "./demo/demo.ts";
import { DEFAULT_LIMITS } from "./engine/inspect-files.ts";
import { TIER_PRESETS } from "./engine/tiers.ts";
import { verifyFixture, verifyFixtures } from "./pipeline/verify-fixture.ts";
import { renderJson } from "./render/render-json.ts";
import { renderText } from "./render/render-text.ts";
import { renderTiers } from "./render/render-tiers.ts";
import { BotError, ConfigError, EXIT, errorMessage } from "./shared/errors.ts";
import { TIERS } from "./shared/fixture.ts";
import { silentLogger } from "./shared/logger.ts";
import { createRedactor } from "./shared/redact.ts";
import { type FixtureResult, summarize } from "./shared/result.ts";
import { createWorkspace, type Workspace } from "./workspace/workspace.ts";

export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
};

const USAGE = `fixture-bot: guard regression-canary fixtures

Usage:
  fixture-bot verify [--config FILE] [NAME...] [--json] [--verbose]
      Verify all (or the named) fixtures. Exit 0 all pass, 1 any fail, 2 any error.
  fixture-bot validate [--config FILE]
      Check fixtures.yaml only; no network.
  fixture-bot pin NAME [--config FILE]
      Verify the tip of NAME's branch and, if it passes, write it as the new sha.
  fixture-bot tiers [--json]
      Print the tier presets: what a targeted change for each CI tier may touch.
  fixture-bot demo [--keep]
      Replay the empty-compose.yml incident in a temp dir: real git, no Gitea, no network.
  fixture-bot serve
      Run the Gitea webhook service (configuration: README, "Set up on Gitea").

Environment:
  GITEA_URL      https://git.example.org, or file:///dir holding owner/name.git repos
  GITEA_TOKEN    token for private repos (or GITEA_TOKEN_FILE); sent as an HTTP header only
  DATA_DIR       where repository mirrors are kept (default ./data)
  FIXTURES_FILE  default for --config (default ./fixtures.yaml)
`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "verify":
        return await verifyCommand(rest, io);
      case "validate":
        return await validateCommand(rest, io);
      case "pin":
        return await pinCommand(rest, io);
      case "demo":
        return await demoCommand(rest, io);
      case "tiers":
        return tiersCommand(rest, io);
      case "serve": {
        const { serve } = await import("./main.ts");
        return await serve(io.env);
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return command === undefined ? EXIT.error : EXIT.ok;
      default:
        io.stderr(`fixture-bot: unknown command "${command}"\n\n${USAGE}`);
        return EXIT.error;
    }
  } catch (error) {
    if (error instanceof BotError) {
      io.stderr(
        `${error instanceof ConfigError ? error.issues.join("\n") : errorMessage(error)}\n`,
      );
      return EXIT.error;
    }
    throw error;
  }
}

function parse<T extends ParseArgsConfig["options"]>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ConfigError(`${errorMessage(error)}\n\n${USAGE}`);
  }
}

function configPath(value: unknown, env: NodeJS.ProcessEnv): string {
  return typeof value === "string" ? value : (env.FIXTURES_FILE ?? "fixtures.yaml");
}

function makeWorkspace(env: NodeJS.ProcessEnv): Workspace {
  const { GITEA_URL, GITEA_TOKEN, DATA_DIR } = loadGitEnv(env);
  return createWorkspace({
    dataDir: DATA_DIR,
    giteaUrl: GITEA_URL,
    token: GITEA_TOKEN,
    redact: createRedactor([GITEA_TOKEN]),
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
  });
}

function select(loaded: LoadedManifest, names: readonly string[]): Fixture[] {
  const { fixtures } = loaded.manifest;
  if (names.length === 0) return fixtures;
  const unknown = names.filter((n) => !fixtures.some((f) => f.name === n));
  if (unknown.length > 0) {
    throw new ConfigError(
      `${loaded.file}: no fixture named ${unknown.map((n) => `"${n}"`).join(", ")} (known: ${fixtures.map((f) => f.name).join(", ")})`,
    );
  }
  return fixtures.filter((f) => names.includes(f.name));
}

export function exitCodeOf(results: readonly FixtureResult[]): number {
  const s = summarize(results);
  return s.error > 0 ? EXIT.error : s.fail > 0 ? EXIT.fail : EXIT.ok;
}

async function verifyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string", short: "c" },
    json: { type: "boolean" },
    verbose: { type: "boolean", short: "v" },
  });
  const loaded = await loadManifestFile(configPath(values.config, io.env));
  const fixtures = select(loaded, positionals);
  const workspace = makeWorkspace(io.env);
  const results = await verifyFixtures(fixtures, {
    workspace,
    limits: DEFAULT_LIMITS,
    log: silentLogger,
  });
  io.stdout(
    values.json
      ? renderJson(results)
      : renderText(results, { color: io.isTTY, verbose: values.verbose === true }),
  );
  return exitCodeOf(results);
}

async function validateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { config: { type: "string", short: "c" } });
  const loaded = await loadManifestFile(configPath(values.config, io.env));
  const { fixtures } = loaded.manifest;
  io.stdout(
    `${loaded.file}: ok, ${fixtures.length} fixtures (${fixtures.map((f) => f.name).join(", ")})\n`,
  );
  return EXIT.ok;
}

async function pinCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: "string", short: "c" } });
  if (positionals.length !== 1)
    throw new ConfigError(`pin takes exactly one fixture name\n\n${USAGE}`);
  const file = configPath(values.config, io.env);
  const loaded = await loadManifestFile(file);
  const [fixture] = select(loaded, positionals) as [Fixture];
  const mirror = await makeWorkspace(io.env).sync(fixture.repo);
  const tip = await mirror.branchTip(fixture.branch);
  if (tip === null)
    throw new ConfigError(`branch ${fixture.branch} does not exist in ${fixture.repo}`);
  if (tip === fixture.sha) {
    io.stdout(`${fixture.name} is already pinned to the tip of ${fixture.branch} (${tip})\n`);
    return EXIT.ok;
  }
  const result = await verifyFixture({ ...fixture, sha: tip }, mirror, {
    limits: DEFAULT_LIMITS,
    log: silentLogger,
  });
  if (result.verdict !== "pass") {
    io.stdout(renderText([result], { color: io.isTTY }));
    io.stderr(
      `refusing to pin ${fixture.name} to ${tip.slice(0, 12)}: the tip of ${fixture.branch} does not pass\n`,
    );
    return exitCodeOf([result]);
  }
  const source = await readFile(file, "utf8");
  const updated = rewritePin(source, fixture.name, tip);
  parseManifest(updated, file); // never write a manifest that would not load
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, updated);
  await rename(temp, file);
  io.stdout(
    `pinned ${fixture.name}: ${fixture.sha} -> ${tip} (tip of ${fixture.branch}, all checks pass)\n`,
  );
  return EXIT.ok;
}

function tiersCommand(args: readonly string[], io: CliIo): number {
  const { values } = parse(args, { json: { type: "boolean" } });
  const presets = TIERS.map((tier) => TIER_PRESETS[tier]);
  io.stdout(
    values.json === true
      ? `${JSON.stringify({ tiers: presets }, null, 2)}\n`
      : renderTiers(presets),
  );
  return EXIT.ok;
}

async function demoCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { keep: { type: "boolean" } });
  return runDemo({ write: io.stdout, color: io.isTTY, keep: values.keep === true });
}

/** Entry point when run as a program. */
export async function run(): Promise<void> {
  const serving = process.argv[2] === "serve";
  try {
    process.exitCode = await main(process.argv.slice(2), {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      env: process.env,
      isTTY: process.stdout.isTTY === true && !process.env.NO_COLOR,
    });
  } catch (error) {
    // A bug: exit 2 ("could not check"), never 1, which means "a fixture failed".
    process.stderr.write(
      `fixture-bot: internal error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = EXIT.error;
  }
  // The service has drained (or failed to start): leftovers such as a job past its grace period or
  // a git child still waiting on the network must not keep the process alive.
  if (serving) process.exit();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void run();
