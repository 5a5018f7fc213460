/**
 * The whole service for end-to-end tests: a recipe repository, the Gitea double serving its API
 * and git, the bot started through its real composition root (startService) on a free port, and
 * deliveries posted to it over HTTP exactly as Gitea would send them.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect } from "vitest";
import { ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { type Service, startService } from "../../src/main.ts";
import { type DoubleUser, type GiteaDouble, startGiteaDouble } from "../gitea-double/index.ts";
import { commentPayload, currentPullPayload, delivery, pushPayload } from "./deliveries.ts";
import { applyPatch, fixtureBranch, recipeRepo } from "./recipes.ts";

export const SECRET = "e2e-webhook-secret-0123456789abcdef";
export const REPO = "recipe-maintainers/custom-html";

export type Harness = {
  root: string;
  repo: ScratchRepo;
  gitea: GiteaDouble;
  bot: DoubleUser;
  maintainer: DoubleUser;
  reader: DoubleUser;
  service: Service;
  /** Every log line the service wrote, as parsed JSON. */
  logs: Record<string, unknown>[];
  rawLogs: string[];
  manifestPath: string;
  /** The manifest repository, when `manifestInRepo`. */
  manifestRepo: ScratchRepo | null;
  deliver(eventType: string, payload: unknown, id?: string): Promise<Response>;
  deliverRaw(body: string, headers: Record<string, string>): Promise<Response>;
  pullRequest(action: string, number: number, options?: PrOptions): Promise<Response>;
  /** The payload Gitea would send for the PR as it is now (reads the PR from the double). */
  pullRequestPayload(action: string, number: number, options?: PrOptions): Promise<unknown>;
  comment(number: number, body: string, as: DoubleUser, commentId?: number): Promise<Response>;
  push(branch: string, before: string, after: string, repo?: string): Promise<Response>;
  restart(env?: Record<string, string | undefined>): Promise<void>;
  close(): Promise<void>;
};

export const MANIFEST_REPO = "coop-cloud/cc-ci";

type PrOptions = { changes?: Record<string, unknown>; repo?: string };

export type HarnessOptions = {
  manifest: (pins: Record<string, string>) => string;
  /** Keep the manifest in MANIFEST_REPO (fixtures.yaml on main) instead of a local file. */
  manifestInRepo?: boolean;
  /** Build fixture branches; return pins by name. */
  setup: (repo: ScratchRepo) => Promise<Record<string, string>>;
  env?: Record<string, string | undefined>;
};

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), "fixture-bot-e2e-"));
  const repo = await recipeRepo(root, "custom-html", REPO);
  const pins = await options.setup(repo);
  const gitea = await startGiteaDouble({ repoRoot: join(root, "remote") });
  const bot = gitea.addUser("fixture-bot");
  const maintainer = gitea.addUser("maintainer");
  const reader = gitea.addUser("reader");
  gitea.addRepo(REPO);
  gitea.setPermission(REPO, "fixture-bot", "admin");
  gitea.setPermission(REPO, "maintainer", "write");
  gitea.setPermission(REPO, "reader", "read");
  const manifestPath = join(root, "fixtures.yaml");
  await writeFile(manifestPath, options.manifest(pins));
  let manifestRepo: ScratchRepo | null = null;
  if (options.manifestInRepo) {
    manifestRepo = await ScratchRepo.create(root, MANIFEST_REPO);
    await manifestRepo.write({ "fixtures.yaml": options.manifest(pins), "README.md": "# cc-ci\n" });
    await manifestRepo.commit("canaries");
    await manifestRepo.push("main");
    gitea.addRepo(MANIFEST_REPO);
    gitea.setPermission(MANIFEST_REPO, "fixture-bot", "admin");
    gitea.setPermission(MANIFEST_REPO, "maintainer", "write");
  }

  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const baseEnv = {
    GITEA_URL: gitea.url,
    GITEA_TOKEN: bot.token,
    WEBHOOK_SECRET: SECRET,
    FIXTURES_FILE: manifestPath,
    ...(options.manifestInRepo
      ? { FIXTURES_REPO: MANIFEST_REPO, FIXTURES_PATH: "fixtures.yaml" }
      : {}),
    DATA_DIR: join(root, "data"),
    PORT: "0",
    PUBLIC_URL: "https://fixture-bot.example.org",
    LOG_LEVEL: "debug",
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...options.env,
  };
  const start = async (env: Record<string, string | undefined>) => {
    const service = await startService({
      env,
      // Retries without the real backoff: a test that waits on Gitea fails by its assertion,
      // in milliseconds, not by the clock.
      giteaBackoffMs: 1,
      logDestination: {
        write(line: string) {
          rawLogs.push(line);
          logs.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    });
    await service.reconcile(); // the one that runs at start, so tests begin from a settled state
    await service.idle();
    return service;
  };

  const h: Harness = {
    root,
    repo,
    gitea,
    bot,
    maintainer,
    reader,
    service: await start(baseEnv),
    logs,
    rawLogs,
    manifestPath,
    manifestRepo,
    async deliverRaw(body, headers) {
      return fetch(`http://127.0.0.1:${h.service.port}/webhook`, { method: "POST", body, headers });
    },
    async deliver(eventType, payload, id) {
      const d = delivery(eventType, payload, SECRET, id);
      return h.deliverRaw(d.body, d.headers);
    },
    async pullRequest(action, number, extra = {}) {
      const payload = await h.pullRequestPayload(action, number, extra);
      return h.deliver(action === "synchronized" ? "pull_request_sync" : "pull_request", payload);
    },
    async pullRequestPayload(action, number, extra = {}) {
      return currentPullPayload({
        giteaUrl: gitea.url,
        token: maintainer.token,
        repo: extra.repo ?? REPO,
        number,
        action,
        sender: maintainer,
        ...(extra.changes ? { changes: extra.changes } : {}),
      });
    },
    async comment(number, body, as, commentId) {
      const id = commentId ?? gitea.addComment(REPO, number, as.login, body).id;
      return h.deliver(
        "pull_request_comment",
        commentPayload({ repo: { fullName: REPO }, number, commentId: id, body, sender: as }),
      );
    },
    async push(branch, before, after, repoName = REPO) {
      return h.deliver(
        "push",
        pushPayload({ repo: { fullName: repoName }, branch, before, after, sender: maintainer }),
      );
    },
    async restart(env = {}) {
      await h.service.stop(5_000);
      h.service = await start({ ...baseEnv, ...env });
    },
    async close() {
      await h.service.stop(5_000).catch(() => undefined);
      await gitea.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  return h;
}

/**
 * One correct canary, `bad-backup` (only the backup label changed), on its own branch: the
 * manifest and setup the fault and reconcile tests share.
 */
export const BAD_BACKUP = {
  branch: "regression-bad-backup",
  manifest: (pins: Record<string, string>) => `version: 1
fixtures:
  - name: bad-backup
    repo: ${REPO}
    branch: regression-bad-backup
    sha: ${pins.backup}
    base: main
    change:
      - path: compose.yml
        lines: 'backupbot\\.backup'
        max_lines: 2
`,
  setup: async (repo: ScratchRepo) => ({
    backup: await fixtureBranch(
      repo,
      "regression-bad-backup",
      applyPatch("custom-html/bad-backup.patch"),
    ),
  }),
} satisfies Pick<HarnessOptions, "manifest" | "setup"> & { branch: string };

/**
 * One harness per test: `start` builds it from `defaults` (and the test's own options); after
 * each test it is checked (no request that Gitea's swagger would refuse) and closed.
 */
export function harnessPerTest(defaults: HarnessOptions) {
  let current: Harness | null = null;
  afterEach(async () => {
    if (!current) return;
    const done = current;
    current = null;
    expect(done.gitea.violations).toEqual([]);
    await done.close();
  });
  return {
    async start(options: Partial<HarnessOptions> = {}): Promise<Harness> {
      current = await startHarness({ ...defaults, ...options });
      return current;
    },
  };
}
