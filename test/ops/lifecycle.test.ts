/**
 * The service as a real process, restarted on the same DATA_DIR: a job accepted and then SIGKILLed
 * (running, or queued behind it) is completed after the restart with a final status and one
 * comment; a status left pending by a lost delivery is repaired by the reconcile; SIGTERM during a
 * job refuses new deliveries (503) and lets the job finish before the process exits.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPORT_MARKER } from "../../src/render/render-comment.ts";
import { type GiteaDouble, startGiteaDouble } from "../gitea-double/index.ts";
import { type BotProcess, startBotProcess } from "../helpers/bot-process.ts";
import { currentPullPayload, delivery } from "../helpers/deliveries.ts";
import { processesUnder, processesWith } from "../helpers/processes.ts";
import { applyPatch, fixtureBranch, recipeRepo } from "../helpers/recipes.ts";

const REPO = "recipe-maintainers/custom-html";
const SECRET = "lifecycle-webhook-secret-0123456789";
const BRANCHES = ["regression-bad-backup", "regression-bad-restore"];

let root: string;
let gitea: GiteaDouble;
let env: Record<string, string | undefined>;
const bots: BotProcess[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "fixture-bot-lifecycle-"));
  const repo = await recipeRepo(root, "custom-html", REPO);
  const pins = [
    await fixtureBranch(
      repo,
      BRANCHES[0] as string,
      applyPatch("broken/custom-html--emptied-compose.patch"),
    ),
    await fixtureBranch(repo, BRANCHES[1] as string, applyPatch("custom-html/bad-restore.patch")),
  ];
  gitea = await startGiteaDouble({ repoRoot: join(root, "remote") });
  const bot = gitea.addUser("fixture-bot");
  gitea.addUser("maintainer");
  gitea.addRepo(REPO);
  gitea.setPermission(REPO, "fixture-bot", "admin");
  const manifest = join(root, "fixtures.yaml");
  await writeFile(
    manifest,
    `version: 1\nfixtures:\n${BRANCHES.map(
      (branch, i) =>
        `  - name: ${branch.replace("regression-", "")}\n    repo: ${REPO}\n    branch: ${branch}\n    sha: ${pins[i]}\n    base: main\n    change:\n      - path: compose.yml\n        lines: 'backupbot'\n`,
    ).join("")}`,
  );
  env = {
    GITEA_URL: gitea.url,
    GITEA_TOKEN: bot.token,
    WEBHOOK_SECRET: SECRET,
    FIXTURES_FILE: manifest,
    DATA_DIR: join(root, "data"),
    CONCURRENCY: "1",
  };
});

afterEach(async () => {
  for (const b of bots.splice(0)) {
    if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill("SIGKILL");
    await b.exited;
  }
  expect(gitea.violations).toEqual([]);
  await gitea.close();
  await rm(root, { recursive: true, force: true });
});

async function start(extra: Record<string, string> = {}): Promise<BotProcess> {
  const bot = await startBotProcess({ ...env, ...extra });
  bots.push(bot);
  await bot.waitForLog((l) => l.msg === "reconcile finished");
  return bot;
}

async function deliverOpened(bot: BotProcess, number: number): Promise<Response> {
  const payload = await currentPullPayload({
    giteaUrl: gitea.url,
    token: env.GITEA_TOKEN as string,
    repo: REPO,
    number,
    action: "opened",
    sender: { id: 2, login: "maintainer" },
  });
  const d = delivery("pull_request", payload, SECRET);
  return fetch(`${bot.url}/webhook`, { method: "POST", body: d.body, headers: d.headers });
}

const finalStatus = (sha: string) =>
  gitea
    .statuses(REPO, sha)
    .filter((s) => s.status !== "pending")
    .at(-1);
const reports = (n: number) =>
  gitea.comments(REPO, n).filter((c) => c.body.startsWith(REPORT_MARKER));

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(50);
  }
}

describe("a real process", () => {
  it("exits after SHUTDOWN_GRACE even when a job is stuck on Gitea, and resumes that job next time", async () => {
    const bot = await start({ SHUTDOWN_GRACE: "1s" });
    const a = gitea.openPull(REPO, {
      head: BRANCHES[0] as string,
      base: "main",
      author: "maintainer",
    });
    const release = gitea.hold((r) => r.path.includes("/statuses/"));
    await deliverOpened(bot, a.number);
    await bot.waitForLog((l) => l.msg === "job started");
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(
      bot.logs.some(
        (l) => l.msg === "stopping with unfinished jobs; they resume at the next start",
      ),
    ).toBe(true);
    release();
    const next = await start();
    await next.waitForLog((l) => l.msg === "resuming jobs from the last run");
    await until(() => finalStatus(a.headSha) !== undefined);
    expect(finalStatus(a.headSha)?.status).toBe("failure");
  });

  it("leaves no git running when it exits: a fetch stalled on Gitea ends with the service", async () => {
    const bot = await start({ SHUTDOWN_GRACE: "1s" });
    const a = gitea.openPull(REPO, {
      head: BRANCHES[0] as string,
      base: "main",
      author: "maintainer",
    });
    const dataDir = env.DATA_DIR as string;
    const gits = async () =>
      (await processesUnder(dataDir)).filter((p) => p.argv[0]?.startsWith("git"));
    const release = gitea.holdGit(); // the job's fetch waits on Gitea
    try {
      await deliverOpened(bot, a.number);
      const until = Date.now() + 20_000;
      while (!(await gits()).some((p) => p.argv.includes("fetch"))) {
        if (Date.now() > until) throw new Error("the job's git fetch never started");
        await sleep(50);
      }
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toEqual({ code: 0, signal: null });
      // A killed process may take a moment to leave /proc; none may stay.
      const after = Date.now() + 3_000;
      while ((await gits()).length > 0 && Date.now() < after) await sleep(50);
      expect(await gits()).toEqual([]);
    } finally {
      release();
    }
  });

  it("SIGTERM while a verification process works: exit 0, no verification process left, the job resumes", async () => {
    const failpoint = join(root, "failpoint");
    await writeFile(failpoint, "");
    const bot = await start({ SHUTDOWN_GRACE: "1s", FIXTURE_BOT_FAILPOINT_FILE: failpoint });
    const a = gitea.openPull(REPO, {
      head: BRANCHES[0] as string,
      base: "main",
      author: "maintainer",
    });
    await writeFile(failpoint, `verify-hang:${(BRANCHES[0] as string).replace("regression-", "")}`);
    await deliverOpened(bot, a.number);
    await bot.waitForLog((l) => l.msg === "job started");
    // The verification processes of this service: their environment names this test's root.
    const workers = async () => (await processesWith("verify-worker", root)).map((p) => p.pid);
    const until2 = Date.now() + 10_000;
    while ((await workers()).length === 0 && Date.now() < until2) await sleep(50);
    expect((await workers()).length).toBeGreaterThan(0);
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    const after = Date.now() + 3_000;
    while ((await workers()).length > 0 && Date.now() < after) await sleep(50);
    expect(await workers()).toEqual([]);
    // Disarmed, the next start finishes the job it had accepted.
    await writeFile(failpoint, "");
    const next = await start({ FIXTURE_BOT_FAILPOINT_FILE: failpoint });
    await next.waitForLog((l) => l.msg === "resuming jobs from the last run");
    await until(() => finalStatus(a.headSha) !== undefined);
    expect(finalStatus(a.headSha)?.status).toBe("failure");
  });

  it("completes after a restart the jobs it had accepted when it was SIGKILLed", async () => {
    const first = await start();
    const a = gitea.openPull(REPO, {
      head: BRANCHES[0] as string,
      base: "main",
      author: "maintainer",
    });
    const b = gitea.openPull(REPO, {
      head: BRANCHES[1] as string,
      base: "main",
      author: "maintainer",
    });
    const release = gitea.hold((r) => r.path.includes("/statuses/")); // the first job stalls on Gitea
    expect((await deliverOpened(first, a.number)).status).toBe(202);
    expect((await deliverOpened(first, b.number)).status).toBe(202); // queued behind it (CONCURRENCY=1)
    await first.waitForLog((l) => l.msg === "job started");
    first.child.kill("SIGKILL");
    expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
    release();

    const second = await start();
    await second.waitForLog((l) => l.msg === "resuming jobs from the last run");
    await until(() => finalStatus(a.headSha) !== undefined && finalStatus(b.headSha) !== undefined);
    expect(finalStatus(a.headSha)?.status).toBe("failure");
    expect(finalStatus(b.headSha)?.status).toBe("success");
    await until(() => reports(a.number).length > 0 && reports(b.number).length > 0);
    await sleep(200);
    expect([reports(a.number).length, reports(b.number).length]).toEqual([1, 1]);
  });

  it("repairs, at start, a status left pending by a lost job and a PR whose delivery never came", async () => {
    const a = gitea.openPull(REPO, {
      head: BRANCHES[0] as string,
      base: "main",
      author: "maintainer",
    });
    const b = gitea.openPull(REPO, {
      head: BRANCHES[1] as string,
      base: "main",
      author: "maintainer",
    });
    // A previous bot set `pending` on a's head a minute ago and died; b's delivery was lost.
    gitea.addStatus(
      REPO,
      a.headSha,
      { state: "pending", context: "fixture-bot/verify", description: "verifying 1…" },
      { as: "fixture-bot", ageMs: 60_000 },
    );
    const bot = await start({ STALE_PENDING_AFTER: "30s" });
    const summary = await bot.waitForLog((l) => l.msg === "reconcile finished");
    // Exactly these two, nothing more (issue 21, break 3: extra requeues would pass "contains").
    expect(
      [...(summary.requeued as { number: number }[])].sort((x, y) => x.number - y.number),
    ).toEqual([
      { repo: REPO, number: a.number, reason: "status stuck at pending" },
      { repo: REPO, number: b.number, reason: "no status" },
    ]);
    await until(() => finalStatus(a.headSha) !== undefined && finalStatus(b.headSha) !== undefined);
    expect(finalStatus(a.headSha)?.status).toBe("failure");
    expect(finalStatus(b.headSha)?.status).toBe("success");
  });

  it("on SIGTERM refuses new deliveries with 503, lets the running job finish, and exits 0", async () => {
    const bot = await start();
    const a = gitea.openPull(REPO, {
      head: BRANCHES[0] as string,
      base: "main",
      author: "maintainer",
    });
    const release = gitea.hold((r) => r.path.includes("/statuses/"));
    await deliverOpened(bot, a.number);
    await bot.waitForLog((l) => l.msg === "job started");
    bot.child.kill("SIGTERM");
    await bot.waitForLog((l) => String(l.msg).startsWith("stopping"));
    expect((await deliverOpened(bot, a.number)).status).toBe(503);
    release();
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(finalStatus(a.headSha)?.status).toBe("failure");
    expect(reports(a.number)).toHaveLength(1);
    expect(
      bot.logs.some(
        (l) => l.msg === "stopping with unfinished jobs; they resume at the next start",
      ),
    ).toBe(false);
  });
});
