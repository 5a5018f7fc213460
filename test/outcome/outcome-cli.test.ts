/**
 * `fixture-bot outcome` against the Gitea double: canaries pinned on real commits, the recipe CI's
 * statuses posted on those commits (or its results documents in a file, on the double, or on
 * another host), and the outcome of each. Every expected outcome is written from what the canary
 * is for and what the CI observed, before the bot is asked.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliIo, main } from "../../src/cli.ts";
import type { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { type DoubleUser, type GiteaDouble, startGiteaDouble } from "../gitea-double/index.ts";
import { applyPatch, fixtureBranch, recipeRepo } from "../helpers/recipes.ts";

const REPO = "recipe-maintainers/custom-html";
const RESULTS_REPO = "coop-cloud/ci-results";

let root: string;
let gitea: GiteaDouble;
let reader: DoubleUser;
let ci: DoubleUser;
let pins: Record<string, string>;
/** Another host, which records what it was sent. */
let elsewhere: { server: Server; url: string; seen: Record<string, string | undefined>[] };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "fixture-bot-outcome-"));
  const repo = await recipeRepo(root, "custom-html", REPO);
  const emptyCommit = async (r: ScratchRepo) => void (await r.write({ ".canary": "good\n" }));
  pins = {
    "bad-backup": await fixtureBranch(
      repo,
      "regression-bad-backup",
      applyPatch("custom-html/bad-backup.patch"),
    ),
    "bad-restore": await fixtureBranch(
      repo,
      "regression-bad-restore",
      applyPatch("custom-html/bad-restore.patch"),
    ),
    "bad-custom": await fixtureBranch(
      repo,
      "regression-bad-custom",
      applyPatch("custom-html/bad-custom.patch"),
    ),
    "bad-install": await fixtureBranch(
      repo,
      "regression-bad-install",
      applyPatch("custom-html/bad-install.patch"),
    ),
    good: await fixtureBranch(repo, "regression-good", emptyCommit),
    "good-unrun": await fixtureBranch(repo, "regression-good-unrun", emptyCommit, {
      message: "another good canary",
    }),
  };
  gitea = await startGiteaDouble({ repoRoot: join(root, "remote") });
  gitea.addUser("fixture-bot");
  reader = gitea.addUser("reader");
  ci = gitea.addUser("recipe-ci");
  gitea.addRepo(REPO);
  gitea.setPermission(REPO, "reader", "read");
  gitea.setPermission(REPO, "recipe-ci", "write");
  const post = (name: string, statuses: Record<string, string>) => {
    for (const [tier, state] of Object.entries(statuses)) {
      gitea.addStatus(
        REPO,
        pins[name] as string,
        { state: state as "success", context: `recipe-ci/${tier}` },
        { as: ci.login },
      );
    }
  };
  // The incident's shape: install passed, upgrade failed, backup never ran.
  post("bad-backup", { install: "success", upgrade: "failure" });
  post("bad-restore", {
    install: "success",
    upgrade: "success",
    backup: "success",
    restore: "failure",
  });
  post("bad-custom", {
    install: "success",
    upgrade: "success",
    backup: "success",
    restore: "success",
    custom: "success",
  });
  post("bad-install", { install: "pending" });
  post("good", { install: "success", upgrade: "failure" });
  // fixture-bot's own status on a canary's commit is not the CI's.
  gitea.addStatus(
    REPO,
    pins["good-unrun"] as string,
    { state: "failure", context: "fixture-bot/verify" },
    { as: "fixture-bot" },
  );

  const seen: Record<string, string | undefined>[] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url, authorization: req.headers.authorization });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ results: { install: "pass", upgrade: "pass", backup: "fail" } }));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  elsewhere = {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
  };
});

afterAll(async () => {
  expect(gitea.violations).toEqual([]);
  await gitea.close();
  await new Promise((done) => elsewhere.server.close(done));
  await rm(root, { recursive: true, force: true });
});

const CANARIES = `  - name: bad-backup
    branch: regression-bad-backup
    sha: PIN_bad-backup
    tier: backup
  - name: bad-restore
    branch: regression-bad-restore
    sha: PIN_bad-restore
    tier: restore
  - name: bad-custom
    branch: regression-bad-custom
    sha: PIN_bad-custom
    tier: custom
  - name: bad-install
    branch: regression-bad-install
    sha: PIN_bad-install
    tier: install
  - name: good
    branch: regression-good
    sha: PIN_good
    base: null
  - name: good-unrun
    branch: regression-good-unrun
    sha: PIN_good-unrun
    base: null
`;

async function manifest(ci: string, dir = root): Promise<string> {
  const file = join(dir, `fixtures-${Math.random().toString(36).slice(2)}.yaml`);
  const text =
    `version: 1\ndefaults:\n  repo: ${REPO}\n  base: main\n${ci}fixtures:\n${CANARIES}`.replace(
      /PIN_([a-z-]+)/g,
      (_m, name: string) => pins[name] as string,
    );
  await writeFile(file, text);
  return file;
}

async function outcome(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: {
      GITEA_URL: gitea.url,
      GITEA_TOKEN: reader.token,
      DATA_DIR: join(root, "data"),
      ...env,
    },
    isTTY: false,
  };
  const code = await main(["outcome", ...args], io);
  return { code, out: out.join(""), err: err.join("") };
}

type Json = {
  fixtures: {
    name: string;
    outcome: string;
    message: string;
    observed: Record<string, string>;
    gap: string | null;
    error: string | null;
  }[];
};
const outcomes = (json: Json) => Object.fromEntries(json.fixtures.map((f) => [f.name, f.outcome]));

describe("fixture-bot outcome, from the recipe CI's commit statuses", () => {
  it("gives each canary its outcome, and exits 1 when one does not do its job", async () => {
    const file = await manifest('ci:\n  status_context: "recipe-ci/{tier}"\n');
    const { code, out, err } = await outcome(["--config", file, "--json"]);
    expect(err).toBe("");
    const json = JSON.parse(out) as Json;
    expect(outcomes(json)).toEqual({
      "bad-backup": "wrong-tier",
      "bad-restore": "as-expected",
      "bad-custom": "not-red",
      "bad-install": "incomplete",
      good: "red",
      "good-unrun": "no-results",
    });
    expect(code).toBe(1);
    const backup = json.fixtures.find((f) => f.name === "bad-backup");
    expect(backup).toMatchObject({
      observed: {
        install: "pass",
        upgrade: "fail",
        backup: "not-run",
        restore: "not-run",
        custom: "not-run",
      },
      message: "red at upgrade, expected at backup: backup never ran",
      // Its fixture changes only the backup label, so fixture-bot's checks pass it: a gap.
      gap: "fixture-bot passed this fixture, but it went red at upgrade: that is a gap in fixture-bot's checks; please report it with the fixture's diff (`fixture-bot verify bad-backup --verbose`)",
    });
  });

  it("prints one block per canary with the tiers and what to do", async () => {
    const file = await manifest('ci:\n  status_context: "recipe-ci/{tier}"\n');
    const { out } = await outcome(["--config", file, "bad-backup", "bad-restore"]);
    expect(out.split("\n").slice(0, 6)).toEqual([
      "CANARY       OBSERVED IN CI                                  OUTCOME",
      "bad-backup   install ✓ upgrade ✗ backup – restore – custom – wrong-tier",
      `  ${REPO} @ ${(pins["bad-backup"] as string).slice(0, 12)}, should be red at backup (from statuses recipe-ci/{tier})`,
      "  red at upgrade, expected at backup: backup never ran",
      "  ! fixture-bot passed this fixture, but it went red at upgrade: that is a gap in fixture-bot's checks; please report it with the fixture's diff (`fixture-bot verify bad-backup --verbose`)",
      "  what to do: fix the fixture so that it changes only what the backup tier reads: `fixture-bot verify bad-backup` shows what else it changes",
    ]);
    expect(out.trimEnd().split("\n").at(-1)).toBe(
      "2 canaries: 1 wrong-tier, 1 as-expected (1 not doing its job)",
    );
  });

  it("exits 0 when every canary named is as expected (or still running)", async () => {
    const file = await manifest('ci:\n  status_context: "recipe-ci/{tier}"\n');
    const { code } = await outcome(["--config", file, "bad-restore", "bad-install"]);
    expect(code).toBe(0);
  });

  it("exits 2 when the statuses cannot be read, and says why", async () => {
    const file = await manifest('ci:\n  status_context: "recipe-ci/{tier}"\n');
    const { code, out } = await outcome(["--config", file, "--json", "bad-restore"], {
      GITEA_TOKEN: "0000000000000000000000000000000000000000",
    });
    expect(code).toBe(2);
    const [only] = (JSON.parse(out) as Json).fixtures;
    expect(only).toMatchObject({
      outcome: "no-results",
      error: `GET /repos/${REPO}/commits/${pins["bad-restore"]}/statuses: invalid username, password or token`,
    });
  });

  it("says what to add when the manifest has no ci: block", async () => {
    const file = await manifest("");
    const { code, err } = await outcome(["--config", file]);
    expect(code).toBe(2);
    expect(err).toBe(
      `${file}: no ci: block, so fixture-bot does not know where the recipe CI's results are; add one (docs/outcomes.md), or try one canary with --results FILE\n`,
    );
  });
});

describe("fixture-bot outcome, from results documents", () => {
  it("reads them beside the manifest; a document not written yet is no-results", async () => {
    const dir = join(root, "from-files");
    await mkdir(join(dir, "results"), { recursive: true });
    await writeFile(
      join(dir, "results", "bad-backup.json"),
      JSON.stringify({
        results: {
          install: "pass",
          upgrade: "fail",
          backup: "skip",
          restore: "skip",
          custom: "skip",
        },
        flags: { upgrade: "timeout" },
      }),
    );
    await writeFile(
      join(dir, "results", "bad-restore.json"),
      JSON.stringify({
        results: { install: "pass", upgrade: "pass", backup: "pass", restore: "fail" },
      }),
    );
    const file = await manifest("ci:\n  results: results/{name}.json\n", dir);
    const { code, out } = await outcome([
      "--config",
      file,
      "--json",
      "bad-backup",
      "bad-restore",
      "good",
    ]);
    expect(outcomes(JSON.parse(out) as Json)).toEqual({
      "bad-backup": "wrong-tier",
      "bad-restore": "as-expected",
      good: "no-results",
    });
    expect(code).toBe(1);
  });

  it("a malformed document is an error that names it (exit 2)", async () => {
    const dir = join(root, "malformed");
    await mkdir(join(dir, "results"), { recursive: true });
    await writeFile(join(dir, "results", "good.json"), '{"results": {"install": "green"}}');
    const file = await manifest("ci:\n  results: results/{name}.json\n", dir);
    const { code, out } = await outcome(["--config", file, "--json", "good"]);
    expect(code).toBe(2);
    expect((JSON.parse(out) as Json).fixtures[0]?.error).toBe(
      'results/good.json is not a results document: results.install must be "pass", "fail", "skip" or "na"',
    );
  });

  it("fetches them from Gitea with the token, and from any other host without it", async () => {
    const results = await recipeRepo(root, "custom-html-tiny", RESULTS_REPO);
    await results.write({
      "results/bad-restore.json": JSON.stringify({
        results: { install: "pass", upgrade: "pass", backup: "pass", restore: "fail" },
      }),
    });
    await results.commit("results of bad-restore");
    await results.push("main");
    gitea.addRepo(RESULTS_REPO, { private: true });
    gitea.setPermission(RESULTS_REPO, "reader", "read");

    const onGitea = await manifest(
      `ci:\n  results: "${gitea.url}/api/v1/repos/${RESULTS_REPO}/raw/results/{name}.json"\n`,
    );
    const before = gitea.requests.length;
    const fromGitea = await outcome(["--config", onGitea, "--json", "bad-restore"]);
    expect(outcomes(JSON.parse(fromGitea.out) as Json)).toEqual({ "bad-restore": "as-expected" });
    const raw = gitea.requests.slice(before).filter((r) => r.path.includes("/raw/"));
    // The token went with it (the double records it redacted), and the private file was read.
    expect(raw.map((r) => [r.path, r.headers.authorization, r.status])).toEqual([
      [`/api/v1/repos/${RESULTS_REPO}/raw/results/bad-restore.json`, "<redacted>", 200],
    ]);

    const offGitea = await manifest(`ci:\n  results: "${elsewhere.url}/ci/{repo}/{sha}.json"\n`);
    const fromElsewhere = await outcome(["--config", offGitea, "--json", "bad-backup"]);
    expect(outcomes(JSON.parse(fromElsewhere.out) as Json)).toEqual({
      "bad-backup": "as-expected",
    });
    expect(elsewhere.seen).toEqual([
      { path: `/ci/custom-html/${pins["bad-backup"]}.json`, authorization: undefined },
    ]);
  });

  it("--results FILE reads one canary's document, without Gitea", async () => {
    const doc = join(root, "one.json");
    await writeFile(doc, JSON.stringify({ results: { install: "pass", upgrade: "fail" } }));
    const file = await manifest("");
    const one = await outcome(["--config", file, "--json", "--results", doc, "bad-backup"], {
      GITEA_URL: "",
      GITEA_TOKEN: "",
    });
    expect(outcomes(JSON.parse(one.out) as Json)).toEqual({ "bad-backup": "wrong-tier" });
    // No GITEA_URL: fixture-bot's verdict is not known, so no gap is claimed.
    expect((JSON.parse(one.out) as Json).fixtures[0]?.gap).toBeNull();
    expect(one.code).toBe(1);

    const many = await outcome(["--config", file, "--results", doc]);
    expect([many.code, many.err]).toEqual([
      2,
      `--results reads one canary's document: name that canary (fixture-bot outcome NAME --results ${doc})\n`,
    ]);
  });
});
