/**
 * The CI examples in deploy/ci/ (Gitea/Forgejo Actions, Woodpecker, Drone): each file parses, runs
 * the step in fixture-bot's image with the forge URL and a read-only token from CI secrets that are
 * never echoed, and its command line, taken from the file word for word, does what the README
 * says when run in a checkout of a fixtures repository: exit 0 when every fixture passes, 1 when
 * one fails, 2 when one cannot be checked or fixtures.yaml is invalid, and the same `--json`
 * summary. The CLI runs in-process (main(argv, io)) on real repositories served as file://.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type CliIo, main } from "../../src/cli.ts";
import { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import {
  applyPatch,
  createTestEnv,
  fixtureBranch,
  recipeRepo,
  type TestEnv,
} from "../helpers/recipes.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CI = join(ROOT, "deploy", "ci");

/** What a test needs from an example: the step's image, its command line, where its env comes from. */
type Step = {
  image: string;
  command: string;
  /** Environment variable -> the CI secret it is taken from. */
  secrets: Record<string, string>;
  /** Every secret reference anywhere in the file, to check none leaks into another place. */
  references: string[];
};

type Doc = Record<string, unknown>;
const record = (value: unknown): Doc => {
  expect(value, "expected a mapping").toBeTypeOf("object");
  expect(Array.isArray(value), "expected a mapping, not a list").toBe(false);
  return value as Doc;
};
const list = (value: unknown): unknown[] => {
  expect(Array.isArray(value), "expected a list").toBe(true);
  return value as unknown[];
};

/** Every string in the document with its path (`jobs.verify.steps.1.env.GITEA_TOKEN`). */
function strings(value: unknown, path = ""): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
}

/** The single line of a run/commands entry (a step that runs more could echo a secret). */
function oneCommand(commands: unknown): string {
  const lines = (typeof commands === "string" ? [commands] : list(commands)).flatMap((c) =>
    String(c).trim().split("\n"),
  );
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

/** Woodpecker and Drone: `environment: { NAME: { from_secret: name } }` on a step with `commands`. */
function containerStep(doc: Doc): Step {
  const steps = list(doc.steps).map(record);
  expect(steps).toHaveLength(1);
  const step = steps[0] as Doc;
  const environment = record(step.environment);
  const secrets = Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, record(value).from_secret as string]),
  );
  const references = strings(doc)
    .filter(([path]) => path.endsWith("from_secret"))
    .map(([path]) => path);
  return { image: String(step.image), command: oneCommand(step.commands), secrets, references };
}

const EXAMPLES: Record<string, { parse(doc: Doc): Step; shape(doc: Doc): void }> = {
  "gitea-actions.yml": {
    parse(doc) {
      const jobs = Object.values(record(doc.jobs)).map(record);
      expect(jobs).toHaveLength(1);
      const job = jobs[0] as Doc;
      const container = record(job.container);
      const steps = list(job.steps).map(record);
      const verify = steps.filter((s) => typeof s.run === "string");
      expect(verify).toHaveLength(1);
      const step = verify[0] as Doc;
      const secrets = Object.fromEntries(
        Object.entries(record(step.env)).map(([name, value]) => {
          const match = /^\$\{\{ secrets\.([A-Za-z0-9_]+) \}\}$/.exec(String(value));
          expect(match, `${name} must be exactly \${{ secrets.NAME }}`).not.toBeNull();
          return [name, (match as RegExpExecArray)[1] as string];
        }),
      );
      const references = strings(doc)
        .filter(([, value]) => /secrets\./.test(value))
        .map(([path]) => path);
      return { image: String(container.image), command: oneCommand(step.run), secrets, references };
    },
    shape(doc) {
      // `on:` is a key YAML 1.2 reads as the string "on".
      expect(Object.keys(record(doc.on))).toEqual(
        expect.arrayContaining(["push", "pull_request", "schedule"]),
      );
      const job = Object.values(record(doc.jobs)).map(record)[0] as Doc;
      // The workspace is root's; the image's user could not write the checkout.
      expect(record(job.container).options).toBe("--user root");
      const steps = list(job.steps).map(record);
      expect(steps[0]?.uses).toMatch(/^actions\/checkout@v\d+$/); // the checkout comes first
      // Gitea refuses secret names starting GITEA_ or GITHUB_ (docs.gitea.com/usage/secrets);
      // Forgejo's pattern, as written in services/secrets/validation.go, also any containing them.
      for (const name of Object.values(this.parse(doc).secrets)) {
        expect(name).not.toMatch(/^GIT(EA|HUB)_/i);
        expect(name).not.toMatch(/^FORGEJO_|GITEA_|GITHUB_/i);
      }
    },
  },
  "woodpecker.yml": {
    parse: containerStep,
    shape(doc) {
      const events = list(doc.when).flatMap((w) => record(w).event);
      expect(events).toEqual(expect.arrayContaining(["push", "pull_request", "cron"]));
    },
  },
  "drone.yml": {
    parse: containerStep,
    shape(doc) {
      expect(doc).toMatchObject({ kind: "pipeline", type: "docker" });
      expect(record(doc.trigger).event).toEqual(
        expect.arrayContaining(["push", "pull_request", "cron"]),
      );
    },
  },
};
const FILES = Object.keys(EXAMPLES);

async function load(file: string): Promise<{ doc: Doc; step: Step }> {
  const doc = record(parse(await readFile(join(CI, file), "utf8")));
  return { doc, step: (EXAMPLES[file] as (typeof EXAMPLES)[string]).parse(doc) };
}

/** The command line as argv. Only plain words: no quoting, no `$`, nothing a shell would expand. */
function argv(command: string): string[] {
  expect(command).toMatch(/^[A-Za-z0-9_./=-]+( [A-Za-z0-9_./=-]+)*$/);
  return command.split(" ");
}

describe("the CI examples' shape", () => {
  it("the image has fixture-bot on PATH, for the steps' shells, and runs as a user, not root", async () => {
    const dockerfile = await readFile(join(ROOT, "deploy", "Dockerfile"), "utf8");
    // Actions' `run:` and Woodpecker's and Drone's `commands:` replace the entrypoint with a shell.
    expect(dockerfile).toMatch(/\/usr\/(local\/)?bin\/fixture-bot\b/);
    expect(dockerfile).toMatch(/^USER (?!root|0\b)\S+$/m); // hence `--user root` for Actions
  });

  it.each(FILES)("%s parses and has its CI system's shape", async (file) => {
    const { doc } = await load(file);
    (EXAMPLES[file] as (typeof EXAMPLES)[string]).shape(doc);
  });

  it.each(FILES)(
    "%s runs fixture-bot verify on fixtures.yaml in the image the recipe deploys",
    async (file) => {
      const { step } = await load(file);
      const [program, command, ...rest] = argv(step.command);
      expect([program, command]).toEqual(["fixture-bot", "verify"]);
      // The image sets FIXTURES_FILE to its own copy: the checkout's file must be named.
      expect(rest.join(" ")).toMatch(/(^| )--config fixtures\.yaml( |$)/);
      const compose = await readFile(join(ROOT, "deploy", "compose.yml"), "utf8");
      const deployed = /image: \$\{IMAGE:-([^}]+)\}/.exec(compose)?.[1] as string;
      const repository = (ref: string) => ref.replace(/:[^/:]+$/, "");
      expect(repository(step.image)).toBe(repository(deployed));
      expect(step.image).toMatch(/:[0-9][^:/]*$/); // a pinned version, never :latest
    },
  );

  it.each(FILES)(
    "%s takes GITEA_URL and GITEA_TOKEN from CI secrets, used nowhere else",
    async (file) => {
      const { step } = await load(file);
      expect(Object.keys(step.secrets).sort()).toEqual(["GITEA_TOKEN", "GITEA_URL"]);
      const names = Object.values(step.secrets);
      expect(new Set(names).size).toBe(2);
      for (const name of names) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      // Only the two environment entries refer to a secret: no `with: token`, no other step.
      expect(step.references).toHaveLength(2);
      // The command line names no variable (argv() allows no `$`) and prints nothing of its own.
      expect(step.command).not.toMatch(/GITEA_|TOKEN|echo|printenv|set -x/i);
    },
  );

  it("all three run the same image and the same command line", async () => {
    const steps = await Promise.all(FILES.map(async (f) => (await load(f)).step));
    expect(new Set(steps.map((s) => s.image)).size).toBe(1);
    expect(new Set(steps.map((s) => s.command)).size).toBe(1);
  });
});

// --- the command line, run in a checkout of a fixtures repository --------------------------------

const HTML = "recipe-maintainers/custom-html";
/** A read-only token, as the CI secret holds it; file:// ignores it, and nothing may print it. */
const TOKEN = "ci-read-only-token-5d1f0c2e9a";
let env: TestEnv;
let good: string;
let emptied: string;
const checkouts: Record<"pass" | "fail" | "error" | "invalid", string> = {
  pass: "",
  fail: "",
  error: "",
  invalid: "",
};

const fixture = (name: string, branch: string, sha: string, repo = HTML) => `
  - name: ${name}
    repo: ${repo}
    branch: ${branch}
    sha: ${sha}
    base: main
    tier: backup
    expect: red at backup
`;

/** A checkout of a fixtures repository whose fixtures.yaml holds `body`: a real git work tree. */
async function fixturesCheckout(slug: string, body: string): Promise<string> {
  const repo = await ScratchRepo.create(env.root, slug);
  await writeFile(join(repo.dir, "fixtures.yaml"), `version: 1\nfixtures:${body}`);
  await repo.commit("fixtures");
  return repo.dir;
}

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-ci-");
  const recipe = await recipeRepo(env.root, "custom-html", HTML);
  good = await fixtureBranch(
    recipe,
    "regression-bad-backup",
    applyPatch("custom-html/bad-backup.patch"),
  );
  emptied = await fixtureBranch(
    recipe,
    "regression-emptied",
    applyPatch("broken/custom-html--emptied-compose.patch"),
  );
  const bad = fixture("bad-backup", "regression-bad-backup", good);
  checkouts.pass = await fixturesCheckout("ci/pass", bad);
  checkouts.fail = await fixturesCheckout(
    "ci/fail",
    bad + fixture("bad-backup-emptied", "regression-emptied", emptied),
  );
  checkouts.error = await fixturesCheckout(
    "ci/error",
    bad + fixture("gone", "regression-bad-backup", good, "recipe-maintainers/no-such-recipe"),
  );
  checkouts.invalid = await fixturesCheckout(
    "ci/invalid",
    fixture("bad-backup", "regression-bad-backup", "xyz"),
  );
});

afterAll(async () => {
  await env?.cleanup();
});

/**
 * Run the example's command line as its step would: in the checkout, with the environment the
 * step's secrets give (the CI secret store maps the file's secret names to their values) and the
 * image's own FIXTURES_FILE and DATA_DIR (a temp dir here).
 */
async function runStep(step: Step, checkout: string, extra: readonly string[] = []) {
  const store: Record<string, string> = {};
  store[step.secrets.GITEA_URL as string] = env.giteaUrl;
  store[step.secrets.GITEA_TOKEN as string] = TOKEN;
  const stepEnv = Object.fromEntries(
    Object.entries(step.secrets).map(([name, secret]) => [name, store[secret] as string]),
  );
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: { ...stepEnv, FIXTURES_FILE: "/etc/fixture-bot/fixtures.yaml", DATA_DIR: env.dataDir },
    isTTY: false,
  };
  const [, ...args] = argv(step.command);
  const cwd = process.cwd();
  process.chdir(checkout);
  try {
    const code = await main([...args, ...extra], io);
    const [stdout, stderr] = [out.join(""), err.join("")];
    expect(stdout + stderr).not.toContain(TOKEN); // never echoed
    return { code, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}

describe.each(FILES)("the command line of %s, run in a fixtures checkout", (file) => {
  let step: Step;
  beforeAll(async () => {
    step = (await load(file)).step;
  });

  it("exits 0 when every fixture passes", async () => {
    const text = await runStep(step, checkouts.pass);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^bad-backup +pass /m);
    expect(text.stdout).toContain("1 fixture: 1 pass, 0 fail, 0 error");
    const json = await runStep(step, checkouts.pass, ["--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).summary).toEqual({ pass: 1, fail: 0, error: 0 });
  });

  it("exits 1 when a fixture fails its checks, and says which", async () => {
    const text = await runStep(step, checkouts.fail);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^bad-backup-emptied +FAIL /m);
    expect(text.stdout).toContain("2 fixtures: 1 pass, 1 fail, 0 error");
    const json = await runStep(step, checkouts.fail, ["--json"]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.summary).toEqual({ pass: 1, fail: 1, error: 0 });
    expect(
      report.fixtures.map((f: { name: string; verdict: string }) => [f.name, f.verdict]),
    ).toEqual([
      ["bad-backup", "pass"],
      ["bad-backup-emptied", "fail"],
    ]);
  });

  it("exits 2 when a fixture cannot be checked", async () => {
    const text = await runStep(step, checkouts.error);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^gone +ERROR /m);
    const json = await runStep(step, checkouts.error, ["--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).summary).toEqual({ pass: 1, fail: 0, error: 1 });
  });

  it("exits 2 on an invalid fixtures.yaml, naming the line, with nothing on stdout", async () => {
    for (const extra of [[], ["--json"]]) {
      const run = await runStep(step, checkouts.invalid, extra);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^fixtures\.yaml:\d+:\d+ fixture "bad-backup": sha "xyz"/);
    }
  });
});
