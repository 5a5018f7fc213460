/**
 * fixture-bot's command line: verify | validate | pin | outcome | tiers | demo | serve. Each command is a function
 * of (args, io) -> exit code, so tests drive it in-process; only `run()` at the bottom touches the
 * real process. Exit codes: 0 all pass, 1 a fixture failed, 2 could not check or bad configuration.
 *
 * Start-up: this module imports only node: built-ins, shared/errors.ts and shared/result.ts (small,
 * no packages); each command imports what it needs when it runs (validate: the manifest loader;
 * verify and pin: git, the checks, the renderers; serve: the service). So `--help` costs what node
 * itself does, and no command but serve loads hono, pino, prom-client, better-sqlite3 or undici.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { LoadedManifest } from "./config/load-manifest.ts";
import type { Fixture } from "./config/manifest.ts";
import { BotError, ConfigError, EXIT, errorMessage } from "./shared/errors.ts";
import { type FixtureResult, summarize } from "./shared/result.ts";
import { silentLogger } from "./shared/silent-logger.ts";
import type { Workspace } from "./workspace/workspace.ts";

export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal: colour (unless NO_COLOR; FORCE_COLOR decides) and a progress line. */
  isTTY: boolean;
};

type Command = {
  /** The synopsis line, after `fixture-bot `. */
  usage: string;
  /** One line for the overview. */
  summary: string;
  /** What `fixture-bot help COMMAND` adds below the synopsis. */
  details: string;
  run: (args: readonly string[], io: CliIo) => Promise<number>;
};

const CONFIG_OPTION =
  "  -c, --config FILE  the manifest (default: $FIXTURES_FILE, else ./fixtures.yaml)";
const GIT_ENVIRONMENT = `Environment:
  GITEA_URL      https://git.example.org, or file:///dir holding owner/name.git repos (required)
  GITEA_TOKEN    token for private repos (or GITEA_TOKEN_FILE); sent as an HTTP header only
  DATA_DIR       where repository mirrors are kept (default ~/.cache/fixture-bot,
                 or $XDG_CACHE_HOME/fixture-bot)`;
const EXIT_CODES =
  "Exit status: 0 every fixture passes, 1 one fails, 2 one could not be checked or the\nconfiguration is wrong.";

const COMMANDS = {
  verify: {
    usage: "verify [--config FILE] [NAME...] [--format text|json|markdown|github] [--verbose]",
    summary: "Verify all (or the named) fixtures. Exit 0 all pass, 1 any fail, 2 any error.",
    details: `Fetches each fixture's repository into its mirror under DATA_DIR (one fetch per repository)
and checks every fixture, or the NAMEs given, against the rules in the manifest. On a terminal a
progress line shows which repository is being fetched and for how long.

Options:
${CONFIG_OPTION}
      --format F     text (the default: each failure's cause and fix, then the checks), json,
                     markdown (the comment the service would post on the fixture's pull
                     request), or github (annotations for Gitea, Forgejo and GitHub Actions)
      --json         the same as --format json
  -v, --verbose      list every check, not only those that fail or warn, and what each
                     fixture changes in what abra deploys

${EXIT_CODES}

${GIT_ENVIRONMENT}`,
    run: verifyCommand,
  },
  validate: {
    usage: "validate [--config FILE]",
    summary: "Check fixtures.yaml only; no network.",
    details: `Loads the manifest and reports every problem with its file, line and column. Touches no
repository and needs no GITEA_URL.

Options:
${CONFIG_OPTION}

Exit status: 0 the manifest is valid, 2 it is not.`,
    run: validateCommand,
  },
  pin: {
    usage: "pin NAME [--config FILE]",
    summary: "Verify the tip of NAME's branch and, if it passes, write it as the new sha.",
    details: `Fetches NAME's repository, verifies the tip of its branch as if it were the pin and, when every
check passes, rewrites NAME's sha: in the manifest (nothing else in the file changes). When the tip
is already the pin, it is verified all the same.

Options:
${CONFIG_OPTION}

Exit status: 0 pinned (or already pinned and passing), 1 the tip fails its checks (the manifest is
left alone), 2 it could not be checked or the configuration is wrong.

${GIT_ENVIRONMENT}`,
    run: pinCommand,
  },
  init: {
    usage: "init [--config FILE]",
    summary: "Write a commented starter fixtures.yaml (with the schema line for editors).",
    details: `Writes a fixtures.yaml with no fixtures yet, comments that say what each key is for, and the
line that points editors (the YAML language server) at fixture-bot's JSON Schema. Refuses to
overwrite a file that exists. Then add fixtures with \`fixture-bot add\`.

Options:
${CONFIG_OPTION}

Exit status: 0 written, 2 the file exists or cannot be written.`,
    run: initCommand,
  },
  add: {
    usage: "add NAME --repo OWNER/NAME --branch BRANCH [--base BRANCH --tier TIER] [--config FILE]",
    summary: "Verify a fixture branch's tip and, if it passes, add it to fixtures.yaml, pinned.",
    details: `Fetches the repository, verifies the tip of BRANCH as the fixture NAME would be verified, and
when every check passes adds the fixture to the manifest with the tip's full commit id as its
pin (nothing else in the file changes). A failing tip is refused, with the same report as
\`verify\`. A bad canary names the branch it was cut from (--base) and the tier it must go red
at (--tier: its preset is the change such a canary may make); a good canary has neither.

Options:
      --repo OWNER/NAME  the recipe repository on the Gitea host
      --branch BRANCH    the fixture branch
      --base BRANCH      the branch the fixture was cut from (a bad canary)
      --tier TIER        install, upgrade, backup, restore or custom (with --base)
${CONFIG_OPTION}

Exit status: 0 added, 1 the tip fails its checks (the manifest is left alone), 2 it could not be
checked or the configuration is wrong.

${GIT_ENVIRONMENT}`,
    run: addCommand,
  },
  schema: {
    usage: "schema",
    summary: "Print the JSON Schema of fixtures.yaml (for editors and other tools).",
    details: `The schema is generated from the one the parser uses; \`fixture-bot validate\` checks more than
a schema can say (unique names, patterns that compile, a base with a change or a tier). Point
your editor at it with this line at the top of fixtures.yaml:

  ${"# yaml-language-server: $schema=<the schema's URL, or a file>"}`,
    run: schemaCommand,
  },
  outcome: {
    usage: "outcome [NAME...] [--config FILE] [--results FILE] [--json]",
    summary: "Did each canary go red in the recipe CI where it should? Exit 0 yes, 1 no, 2 error.",
    details: `Reads what the recipe CI observed for each canary's pinned commit, tier by tier, from where the
manifest's ci: block says (the CI's commit statuses, or its results documents), and judges it
against what the canary is for: a bad canary (base:) with a tier: must be red at that tier and
pass every earlier one; a good canary must be green. One outcome per canary: as-expected,
wrong-tier, not-red, red, incomplete or no-results, with what to do. Where fixture-bot's own
checks passed a canary that went red at the wrong tier or not at all, it says so.

Options:
${CONFIG_OPTION}
      --results FILE read this results document for the one canary named, not the CI's
                     (to try it out: {"results": {"install": "pass", "upgrade": "fail"}})
      --json         print the outcomes as JSON

Exit status: 0 no canary is wrong-tier, not-red or red; 1 one is; 2 the results could not be read
or the configuration is wrong.

Environment:
  GITEA_URL      the Gitea server: the CI's commit statuses are read from its API, and a results
                 URL on it gets the token (no other host does)
  GITEA_TOKEN    a token that can read the repositories (or GITEA_TOKEN_FILE)
  DATA_DIR       where repository mirrors are kept, to put fixture-bot's verdict beside a
                 canary that is off (default ~/.cache/fixture-bot)`,
    run: outcomeCommand,
  },
  tiers: {
    usage: "tiers [--json]",
    summary: "Print the tier presets: what a targeted change for each CI tier may touch.",
    details: `Options:
      --json         print the presets as JSON`,
    run: tiersCommand,
  },
  demo: {
    usage: "demo [--keep]",
    summary: "Replay the empty-compose.yml incident in a temp dir: real git, no Gitea, no network.",
    details: `Options:
      --keep         keep the temp dir (its path is printed) to look at afterwards`,
    run: demoCommand,
  },
  serve: {
    usage: "serve",
    summary: "Run the Gitea webhook service (set-up and configuration: docs/service.md).",
    details: `Receives Gitea's webhooks, verifies the fixtures a pull request or push touches, and reports
with a commit status and one comment; re-checks every pin periodically; serves a dashboard. It
reads its configuration from the environment (GITEA_URL, GITEA_TOKEN, WEBHOOK_SECRET, PORT, ...):
see docs/service.md and docs/production.md.`,
    run: serveCommand,
  },
} satisfies Record<string, Command>;
type CommandName = keyof typeof COMMANDS;

function findCommand(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name as CommandName] : undefined;
}

const USAGE = `fixture-bot: guard regression-canary fixtures

Usage:
${Object.values<Command>(COMMANDS)
  .map((c) => `  fixture-bot ${c.usage}\n      ${c.summary}`)
  .join("\n")}
  fixture-bot help COMMAND, fixture-bot COMMAND --help
      Print a command's options.
  fixture-bot --version

Environment:
  GITEA_URL      https://git.example.org, or file:///dir holding owner/name.git repos
  GITEA_TOKEN    token for private repos (or GITEA_TOKEN_FILE); sent as an HTTP header only
  DATA_DIR       where repository mirrors are kept (default ~/.cache/fixture-bot)
  FIXTURES_FILE  default for --config (default ./fixtures.yaml)
`;

function commandHelp(command: Command): string {
  return `Usage: fixture-bot ${command.usage}\n\n${command.summary}\n\n${command.details}\n`;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      io.stderr(USAGE);
      return EXIT.error;
    }
    if (name === "--help" || name === "-h") {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    if (name === "--version" || name === "version") {
      io.stdout(`fixture-bot ${packageVersion()}\n`);
      return EXIT.ok;
    }
    if (name === "help") return helpCommand(rest, io);
    const command = findCommand(name);
    if (command === undefined) {
      io.stderr(`fixture-bot: unknown command "${name}"\n\n${USAGE}`);
      return EXIT.error;
    }
    if (asksForHelp(rest)) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run(rest, io);
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

function helpCommand(args: readonly string[], io: CliIo): number {
  const [name, ...extra] = args;
  if (name === undefined) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const command = findCommand(name);
  if (command === undefined || extra.length > 0) {
    io.stderr(
      `fixture-bot help: ${command === undefined ? `unknown command "${name}"` : "takes one command"}; commands: ${Object.keys(COMMANDS).join(", ")}\n`,
    );
    return EXIT.error;
  }
  io.stdout(commandHelp(command));
  return EXIT.ok;
}

/** `--help` or `-h` anywhere before `--`: help wins over every other argument, valid or not. */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** The version in package.json, one directory above this file both as src/cli.ts and dist/cli.js. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

function parse<T extends ParseArgsConfig["options"]>(
  command: CommandName,
  args: readonly string[],
  options: T,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ConfigError(
      `fixture-bot ${command}: ${usageProblem(error, args)}\n\nUsage: fixture-bot ${COMMANDS[command].usage}\n(fixture-bot ${command} --help says more)`,
    );
  }
}

/** What was wrong with the arguments, in our words rather than Node's parseArgs text. */
function usageProblem(error: unknown, args: readonly string[]): string {
  const code = (error as { code?: unknown }).code;
  const message = errorMessage(error);
  // Node names it "'--json'" or "'-c, --config <value>'": the long name is the one to say.
  const option = /'(?:-\w, )?(-{1,2}[\w-]+)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
    return `unknown option ${option || JSON.stringify(args.find((a) => a.startsWith("-")))} (an argument that starts with "-" goes after --)`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
    return /argument missing/.test(message)
      ? `${option} needs a value`
      : `${option} takes no value`;
  return message;
}

function configPath(value: unknown, env: NodeJS.ProcessEnv): string {
  return typeof value === "string" ? value : (env.FIXTURES_FILE ?? "fixtures.yaml");
}

async function loadManifest(value: unknown, env: NodeJS.ProcessEnv): Promise<LoadedManifest> {
  const { loadManifestFile } = await import("./config/load-manifest.ts");
  return loadManifestFile(configPath(value, env));
}

/** What verify and pin need beyond the manifest: git, the checks, the renderers. */
async function loadVerifier() {
  const [git, checks] = await Promise.all([loadGit(), loadChecks()]);
  return { ...git, ...checks };
}

/** The workspace alone (git, no checks): enough to start fetching. */
async function loadGit() {
  const [env, limits, redact, workspace, ahead] = await Promise.all([
    import("./config/env.ts"),
    import("./engine/inspect-files.ts"),
    import("./shared/redact.ts"),
    import("./workspace/workspace.ts"),
    import("./workspace/fetch-ahead.ts"),
  ]);
  return {
    fetchAhead: ahead.fetchAhead,
    syncOptionsFor: workspace.syncOptionsFor,
    makeWorkspace(io: CliIo): Workspace {
      const { GITEA_URL, GITEA_TOKEN, DATA_DIR } = env.loadGitEnv(io.env);
      if (GITEA_TOKEN && GITEA_URL.startsWith("file:")) {
        const source = io.env.GITEA_TOKEN_FILE ? "GITEA_TOKEN_FILE" : "GITEA_TOKEN";
        io.stderr(
          `fixture-bot: warning: ${source} is set but not used: GITEA_URL is a file:// URL, whose repositories are read without a token\n`,
        );
      }
      return workspace.createWorkspace({
        dataDir: DATA_DIR,
        giteaUrl: GITEA_URL,
        token: GITEA_TOKEN,
        redact: redact.createRedactor([GITEA_TOKEN]),
        maxBlobBytes: limits.DEFAULT_LIMITS.maxBlobBytes,
      });
    },
  };
}

/** The checks and the renderers. */
async function loadChecks() {
  const [limits, pipeline, text] = await Promise.all([
    import("./engine/inspect-files.ts"),
    import("./pipeline/verify-fixture.ts"),
    import("./render/render-text.ts"),
  ]);
  return {
    verifyFixtures: pipeline.verifyFixtures,
    verifyFixture: pipeline.verifyFixture,
    renderText: text.renderText,
    deps: { limits: limits.DEFAULT_LIMITS, log: silentLogger },
  };
}

type Verifier = Awaited<ReturnType<typeof loadVerifier>>;

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

/**
 * Colour on a terminal unless NO_COLOR is set; FORCE_COLOR decides whatever the output is (as
 * Node's own tools read it: any value but 0 or false turns colour on, and it wins over NO_COLOR).
 */
export function wantsColor(io: Pick<CliIo, "isTTY" | "env">): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  return io.isTTY && !io.env.NO_COLOR;
}
const color = wantsColor;

const ERASE_LINE = "\r\u001b[K";
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The workspace, with a line on the terminal for each fetch when `write` is given: `fetching
 * REPO… 2.4 s` while it runs (redrawn as the seconds pass; the oldest fetch when several run at
 * once), then `fetched REPO in 2.6 s` once it is done. The workspace reports no progress of its own
 * yet, so this times its `sync` calls from outside. `done()` stops the clock before the report.
 */
function showFetches(
  workspace: Workspace,
  write: ((text: string) => void) | null,
): { workspace: Workspace; done: () => void } {
  if (write === null) return { workspace, done: () => undefined };
  const running = new Map<string, number>();
  let ticker: NodeJS.Timeout | undefined;
  const draw = (finished = "") => {
    const [oldest] = running;
    const more = running.size > 1 ? ` (and ${running.size - 1} more)` : "";
    const line = oldest ? `fetching ${oldest[0]}${more}… ${seconds(Date.now() - oldest[1])}` : "";
    write(`${ERASE_LINE}${finished}${line}`);
  };
  const finish = (repo: string, text: string) => {
    running.delete(repo);
    if (running.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
    }
    draw(text);
  };
  return {
    workspace: {
      ...workspace,
      async sync(repo, options) {
        const started = Date.now();
        running.set(repo, started);
        ticker ??= setInterval(draw, 200).unref();
        draw();
        try {
          const mirror = await workspace.sync(repo, options);
          finish(repo, `fetched ${repo} in ${seconds(Date.now() - started)}\n`);
          return mirror;
        } catch (error) {
          finish(repo, `could not fetch ${repo} (${seconds(Date.now() - started)})\n`);
          throw error;
        }
      },
    },
    done: () => clearInterval(ticker),
  };
}

const FORMATS = ["text", "json", "markdown", "github"] as const;
/** Repositories verify fetches and checks at once. */
const VERIFY_CONCURRENCY = 4;
type Format = (typeof FORMATS)[number];

async function verifyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("verify", args, {
    config: { type: "string", short: "c" },
    format: { type: "string" },
    json: { type: "boolean" },
    verbose: { type: "boolean", short: "v" },
  });
  const format = values.json === true ? "json" : (values.format ?? "text");
  if (!(FORMATS as readonly string[]).includes(format))
    throw new ConfigError(
      `--format ${format}: must be one of ${FORMATS.join(", ")}\n\n${commandHelp(COMMANDS.verify)}`,
    );
  const loaded = await loadManifest(values.config, io.env);
  const fixtures = select(loaded, positionals);
  if (fixtures.length === 0) {
    io.stdout(
      `${loaded.file} has no fixtures yet: add one with fixture-bot add NAME --repo OWNER/NAME --branch BRANCH\n`,
    );
    return EXIT.ok;
  }
  const git = await loadGit();
  const text = format === "text";
  const fetches = showFetches(git.makeWorkspace(io), io.isTTY && text ? io.stdout : null);
  // The first repositories' fetches start now: git runs while the checks' modules load.
  const repos = fixtures.map((f) => f.repo);
  const workspace = git.fetchAhead(
    fetches.workspace,
    repos,
    VERIFY_CONCURRENCY,
    git.syncOptionsFor(repos),
  );
  const checks = await loadChecks();
  const results = await checks
    .verifyFixtures(fixtures, { ...checks.deps, workspace, concurrency: VERIFY_CONCURRENCY })
    .finally(fetches.done);
  io.stdout(await renderResults(results, format as Format, io, values.verbose === true));
  return exitCodeOf(results);
}

async function renderResults(
  results: FixtureResult[],
  format: Format,
  io: CliIo,
  verbose: boolean,
): Promise<string> {
  switch (format) {
    case "json":
      return (await import("./render/render-json.ts")).renderJson(results);
    case "github":
      return (await import("./render/render-github.ts")).renderGithub(results);
    case "markdown": {
      // The report comment the service would post on a PR from the fixture's branch at this pin.
      const { renderComment, PREVIEW } = await import("./render/render-comment.ts");
      const [first] = results;
      return `${renderComment({
        kind: "pull",
        repo: first?.repo ?? "",
        sha: first?.resolvedSha ?? first?.sha ?? "",
        number: null,
        trigger: PREVIEW,
        results,
        manifestErrors: [],
        // The pull request the preview is for has the pin as its head.
        pins: results.map((r) => ({ name: r.name, pinned: r.sha, head: r.resolvedSha ?? r.sha })),
        unknownNames: [],
      })}\n`;
    }
    case "text":
      return (await import("./render/render-text.ts")).renderText(results, {
        color: color(io),
        verbose,
      });
  }
}

async function validateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse("validate", args, { config: { type: "string", short: "c" } });
  const loaded = await loadManifest(values.config, io.env);
  const { fixtures } = loaded.manifest;
  io.stdout(
    `${loaded.file}: ok, ${fixtures.length} fixtures (${fixtures.map((f) => f.name).join(", ")})\n`,
  );
  return EXIT.ok;
}

async function pinCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("pin", args, { config: { type: "string", short: "c" } });
  if (positionals.length !== 1)
    throw new ConfigError(`pin takes exactly one fixture name\n\n${commandHelp(COMMANDS.pin)}`);
  const file = configPath(values.config, io.env);
  const loaded = await loadManifest(file, io.env);
  const [fixture] = select(loaded, positionals) as [Fixture];
  const verifier = await loadVerifier();
  const fetches = showFetches(verifier.makeWorkspace(io), io.isTTY ? io.stdout : null);
  // Already the pin or not, the tip is verified: "already pinned" must never hide a failure.
  const { tip, result } = await verifyTip(fixture, fetches.workspace, verifier).finally(
    fetches.done,
  );
  const pinned = tip === fixture.sha;
  if (result.verdict !== "pass") {
    io.stdout(verifier.renderText([result], { color: color(io) }));
    io.stderr(
      pinned
        ? `${fixture.name} is pinned to the tip of ${fixture.branch} (${tip.slice(0, 12)}), and the tip does not pass\n`
        : `refusing to pin ${fixture.name} to ${tip.slice(0, 12)}: the tip of ${fixture.branch} does not pass\n`,
    );
    return exitCodeOf([result]);
  }
  if (pinned) {
    io.stdout(
      `${fixture.name} is already pinned to the tip of ${fixture.branch} (${tip}), and it passes\n`,
    );
    return EXIT.ok;
  }
  const [{ readFile, rename, writeFile }, { rewritePin }, { parseManifest }] = await Promise.all([
    import("node:fs/promises"),
    import("./config/rewrite-pin.ts"),
    import("./config/load-manifest.ts"),
  ]);
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

/** The tip of the fixture's branch, verified as if it were the pin. */
async function verifyTip(
  fixture: Fixture,
  workspace: Workspace,
  verifier: Verifier,
): Promise<{ tip: string; result: FixtureResult }> {
  const mirror = await workspace.sync(fixture.repo);
  try {
    const tip = await mirror.branchTip(fixture.branch);
    if (tip === null)
      throw new ConfigError(`branch ${fixture.branch} does not exist in ${fixture.repo}`);
    const result = await verifier.verifyFixture({ ...fixture, sha: tip }, mirror, verifier.deps);
    return { tip, result };
  } finally {
    mirror.close(); // its long-lived git would keep the process alive
  }
}

async function initCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("init", args, { config: { type: "string", short: "c" } });
  if (positionals.length > 0)
    throw new ConfigError(`init takes no names\n\n${commandHelp(COMMANDS.init)}`);
  const file = configPath(values.config, io.env);
  const [{ writeFile }, { STARTER_MANIFEST }] = await Promise.all([
    import("node:fs/promises"),
    import("./config/starter.ts"),
  ]);
  try {
    await writeFile(file, STARTER_MANIFEST, { flag: "wx" });
  } catch (error) {
    if ((error as { code?: unknown }).code === "EEXIST")
      throw new ConfigError(
        `${file} already exists; add fixtures to it with fixture-bot add NAME --repo OWNER/NAME --branch BRANCH`,
      );
    throw new ConfigError(`${file}: cannot write it (${errorMessage(error)})`, { cause: error });
  }
  io.stdout(
    `wrote ${file}; now add a fixture: fixture-bot add NAME --repo OWNER/NAME --branch BRANCH [--base main --tier TIER]\n`,
  );
  return EXIT.ok;
}

async function addCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("add", args, {
    config: { type: "string", short: "c" },
    repo: { type: "string" },
    branch: { type: "string" },
    base: { type: "string" },
    tier: { type: "string" },
  });
  const usage = `\n\n${commandHelp(COMMANDS.add)}`;
  if (positionals.length !== 1) throw new ConfigError(`add takes one fixture name${usage}`);
  if (typeof values.repo !== "string" || typeof values.branch !== "string")
    throw new ConfigError(`add needs --repo OWNER/NAME and --branch BRANCH${usage}`);
  if ((values.base === undefined) !== (values.tier === undefined))
    throw new ConfigError(
      `a bad canary needs both --base (the branch it was cut from) and --tier (where it must go red); a good canary neither${usage}`,
    );
  const file = configPath(values.config, io.env);
  const [{ readFile, rename, writeFile }, { addFixture }, { parseManifest }] = await Promise.all([
    import("node:fs/promises"),
    import("./config/add-fixture.ts"),
    import("./config/load-manifest.ts"),
  ]);
  await loadManifest(file, io.env); // the manifest as it is must load first
  const name = positionals[0] as string;
  // The fixture as it will be written, checked by the manifest's own rules before any fetch.
  const draft = {
    name,
    repo: values.repo,
    branch: values.branch,
    sha: "0".repeat(40),
    base: values.base ?? null,
    tier: values.tier ?? null,
  };
  const source = await readFile(file, "utf8");
  const fixture = parseManifest(addFixture(source, draft), file).fixtures.find(
    (f) => f.name === name,
  );
  if (!fixture) throw new ConfigError(`${file}: the fixture ${name} could not be added`);
  const verifier = await loadVerifier();
  const fetches = showFetches(verifier.makeWorkspace(io), io.isTTY ? io.stdout : null);
  const { tip, result } = await verifyTip(fixture, fetches.workspace, verifier).finally(
    fetches.done,
  );
  if (result.verdict !== "pass") {
    io.stdout(verifier.renderText([result], { color: color(io) }));
    io.stderr(
      `refusing to add ${name}: the tip of ${fixture.branch} (${tip.slice(0, 12)}) does not pass\n`,
    );
    return exitCodeOf([result]);
  }
  const updated = addFixture(source, { ...draft, sha: tip });
  parseManifest(updated, file); // never write a manifest that would not load
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, updated);
  await rename(temp, file);
  io.stdout(
    `added ${name} to ${file}: ${fixture.repo} ${fixture.branch} at ${tip} (the tip, all checks pass)\n`,
  );
  return EXIT.ok;
}

async function schemaCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parse("schema", args, {});
  if (positionals.length > 0)
    throw new ConfigError(`schema takes no arguments\n\n${commandHelp(COMMANDS.schema)}`);
  const { manifestJsonSchema } = await import("./config/schema.ts");
  io.stdout(`${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}

async function outcomeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse("outcome", args, {
    config: { type: "string", short: "c" },
    results: { type: "string" },
    json: { type: "boolean" },
  });
  const loaded = await loadManifest(values.config, io.env);
  const fixtures = select(loaded, positionals);
  const resultsFile = typeof values.results === "string" ? values.results : null;
  if (resultsFile !== null) {
    if (fixtures.length !== 1)
      throw new ConfigError(
        `--results reads one canary's document: name that canary (fixture-bot outcome NAME --results ${resultsFile})`,
      );
    const { existsSync } = await import("node:fs");
    if (!existsSync(resultsFile)) throw new ConfigError(`--results ${resultsFile}: no such file`);
  } else if (!loaded.manifest.ci) {
    throw new ConfigError(
      `${loaded.file}: no ci: block, so fixture-bot does not know where the recipe CI's results are; add one (docs/outcomes.md), or try one canary with --results FILE`,
    );
  }
  const [{ dirname, resolve }, observe, canary, render, env, redact] = await Promise.all([
    import("node:path"),
    import("./pipeline/observe-canaries.ts"),
    import("./outcome/canary-outcome.ts"),
    import("./render/render-outcome.ts"),
    import("./config/env.ts"),
    import("./shared/redact.ts"),
  ]);
  // GITEA_URL is needed for the statuses (and fixture-bot's verdict), not for a local document.
  const git = io.env.GITEA_URL || io.env.GITEA_TOKEN ? env.loadGitEnv(io.env) : null;
  const redactor = redact.createRedactor([git?.GITEA_TOKEN]);
  const api = git && !git.GITEA_URL.startsWith("file:") ? git : null;
  const gitea = api
    ? (await import("./gitea/client.ts")).createGiteaClient({
        baseUrl: api.GITEA_URL,
        token: api.GITEA_TOKEN,
        redact: redactor,
        log: silentLogger,
      })
    : null;
  const { fetchDocument } = await import("./gitea/fetch-document.ts");
  let outcomes = await observe.observeCanaries(fixtures, {
    ci: loaded.manifest.ci ?? null,
    resultsFile,
    baseDir: dirname(resolve(loaded.file)),
    statuses: gitea ? (repo, sha) => gitea.listStatuses(repo, sha) : null,
    fetchUrl: (url) =>
      fetchDocument(url, {
        giteaUrl: git?.GITEA_URL ?? "",
        token: api?.GITEA_TOKEN,
        redact: redactor,
      }),
    sanitize: redactor,
  });
  // A canary that is off: was it fixture-bot's checks that let it through? Verify its pin.
  const off = outcomes.filter((o) => o.outcome === "wrong-tier" || o.outcome === "not-red");
  if (off.length > 0 && git !== null) {
    const verifier = await loadVerifier();
    const results = await verifier.verifyFixtures(
      fixtures.filter((f) => off.some((o) => o.name === f.name)),
      { ...verifier.deps, workspace: verifier.makeWorkspace(io) },
    );
    const verdicts = new Map(results.map((r) => [r.name, r.verdict]));
    outcomes = outcomes.map((o) => canary.withVerdict(o, verdicts.get(o.name) ?? null));
  }
  io.stdout(
    values.json === true
      ? render.renderOutcomeJson(outcomes)
      : render.renderOutcomeText(outcomes, { color: color(io) }),
  );
  if (outcomes.some((o) => o.error !== null)) return EXIT.error;
  return outcomes.some((o) => canary.BAD_OUTCOMES.has(o.outcome)) ? EXIT.fail : EXIT.ok;
}

async function tiersCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse("tiers", args, { json: { type: "boolean" } });
  const [{ TIER_PRESETS }, { renderTiers }, { TIERS }] = await Promise.all([
    import("./engine/tiers.ts"),
    import("./render/render-tiers.ts"),
    import("./shared/fixture.ts"),
  ]);
  const presets = TIERS.map((tier) => TIER_PRESETS[tier]);
  io.stdout(
    values.json === true
      ? `${JSON.stringify({ tiers: presets }, null, 2)}\n`
      : renderTiers(presets),
  );
  return EXIT.ok;
}

async function demoCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse("demo", args, { keep: { type: "boolean" } });
  const { runDemo } = await import("./demo/demo.ts");
  return runDemo({ write: io.stdout, color: color(io), keep: values.keep === true });
}

async function serveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parse("serve", args, {});
  if (positionals.length > 0)
    throw new ConfigError(`serve takes no arguments\n\n${commandHelp(COMMANDS.serve)}`);
  // The service (hono, pino, prom-client, better-sqlite3, undici) loads here and only here.
  const { serve } = await import("./main.ts");
  return serve(io.env);
}

/** Entry point when run as a program. */
export async function run(): Promise<void> {
  const serving = process.argv[2] === "serve" && !asksForHelp(process.argv.slice(3));
  try {
    process.exitCode = await main(process.argv.slice(2), {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      env: process.env,
      isTTY: process.stdout.isTTY === true,
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
