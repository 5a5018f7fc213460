/**
 * `fixture-bot demo`: replay the incident on a fresh machine, no Gitea and no network. Builds real
 * git repositories in a temp dir from the custom-html recipe, writes a fixtures.yaml for them, and
 * runs the same verification as `fixture-bot verify`.
 *
 * Scenarios (all cut from main, then main moves on, as it does upstream):
 *   bad-backup           correct: one backupbot label added                       -> pass
 *   bad-backup-emptied   the real incident: compose.yml emptied                   -> fail (not-emptied, ...)
 *   bad-restore          branch force-pushed after pinning; pin no longer on it   -> fail (sha-on-branch)
 *   bad-backup-truncated right label, but the tail of compose.yml was cut off     -> fail (compose-valid)
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseManifest } from "../config/load-manifest.ts";
import { DEFAULT_LIMITS } from "../engine/inspect-files.ts";
import { verifyFixtures } from "../pipeline/verify-fixture.ts";
import { renderComment } from "../render/render-comment.ts";
import { renderText } from "../render/render-text.ts";
import { silentLogger } from "../shared/logger.ts";
import { createRedactor } from "../shared/redact.ts";
import type { FixtureResult, Verdict } from "../shared/result.ts";
import { createWorkspace } from "../workspace/workspace.ts";
import { type Files, ScratchRepo } from "./scratch-repo.ts";

const RECIPE_DIR = fileURLToPath(new URL("./custom-html/", import.meta.url));
const SLUG = "recipe-maintainers/custom-html";
const LABEL = '        - "backupbot.backup=${ENABLE_BACKUPS:-true}"\n';

export async function loadRecipe(dir = RECIPE_DIR): Promise<Files> {
  const files: Files = {};
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current)) {
      const path = join(current, entry);
      if ((await stat(path)).isDirectory()) await walk(path);
      else files[relative(dir, path)] = await readFile(path, "utf8");
    }
  }
  await walk(dir);
  return files;
}

const addLabel = (compose: string, label: string) =>
  compose.replace(LABEL, `${LABEL}        - "${label}"\n`);

export type DemoSetup = {
  root: string;
  giteaUrl: string;
  dataDir: string;
  manifestPath: string;
  expected: Record<string, Verdict>;
};

export async function buildDemo(root: string): Promise<DemoSetup> {
  const recipe = await loadRecipe();
  const compose = recipe["compose.yml"] as string;
  const repo = await ScratchRepo.create(root, SLUG);

  // History of main: 0.9.0+1.25, then 1.0.0+1.27 (the tree as shipped).
  const { "release/1.0.0+1.27": _note, ...older } = recipe;
  await repo.write({
    ...older,
    "compose.yml": compose
      .replace("nginx:1.27", "nginx:1.25")
      .replace("version=1.0.0+1.27", "version=0.9.0+1.25"),
  });
  await repo.commit("chore: publish 0.9.0+1.25");
  await repo.tag("0.9.0+1.25");
  await repo.write(recipe);
  await repo.commit("chore: publish 1.0.0+1.27");
  await repo.tag("1.0.0+1.27");

  const pins: Record<string, string> = {};
  const fixtureBranch = async (branch: string, files: Files, message: string) => {
    await repo.checkout(branch, { create: true, from: "main" });
    await repo.write(files);
    const sha = await repo.commit(message);
    await repo.checkout("main");
    return sha;
  };

  pins["bad-backup"] = await fixtureBranch(
    "regression-bad-backup",
    { "compose.yml": addLabel(compose, "backupbot.backup.volumes.content.path=public_html") },
    "canary: bad-backup points the backup path at a missing directory",
  );
  pins["bad-backup-emptied"] = await fixtureBranch(
    "regression-bad-backup-emptied",
    { "compose.yml": "" },
    "canary: bad-backup (as it was really committed: compose.yml emptied)",
  );
  pins["bad-restore"] = await fixtureBranch(
    "regression-bad-restore",
    { "compose.yml": addLabel(compose, "backupbot.backup.volumes.content.path=50x.html") },
    "canary: bad-restore backs up the wrong file",
  );
  const truncated = addLabel(compose, "backupbot.backup.volumes.content.path=public_html");
  pins["bad-backup-truncated"] = await fixtureBranch(
    "regression-bad-backup-truncated",
    { "compose.yml": truncated.slice(0, truncated.indexOf("\nnetworks:") + 1) },
    "canary: bad-backup, saved from an editor that cut the file short",
  );
  // Wrong tier: the backup label, and an image tag that does not exist (install goes red first).
  pins["bad-backup-also-image"] = await fixtureBranch(
    "regression-bad-backup-also-image",
    {
      "compose.yml": addLabel(compose, "backupbot.backup.volumes.content.path=public_html").replace(
        "nginx:1.27",
        "nginx:1.27.99",
      ),
    },
    "canary: bad-backup, with an image bump that slipped in",
  );
  // No-op: a new default that .env.sample overrides (ENABLE_BACKUPS=true), so nothing changes.
  pins["bad-backup-noop"] = await fixtureBranch(
    "regression-bad-backup-noop",
    { "compose.yml": compose.replace("${ENABLE_BACKUPS:-true}", "${ENABLE_BACKUPS:-false}") },
    "canary: bad-backup turns backups off by default",
  );
  await repo.push(
    "main",
    "regression-bad-backup",
    "regression-bad-backup-emptied",
    "regression-bad-restore",
    "regression-bad-backup-truncated",
    "regression-bad-backup-also-image",
    "regression-bad-backup-noop",
  );

  // Upstream moves on after the fixtures were cut: only the merge-base diff stays clean.
  await repo.write({
    "compose.yml": compose
      .replace("nginx:1.27", "nginx:1.27.4")
      .replace("version=1.0.0+1.27", "version=1.0.1+1.27.4"),
    "release/1.0.1+1.27.4": "Upgrades nginx to 1.27.4.\n",
  });
  await repo.commit("chore: publish 1.0.1+1.27.4");
  await repo.push("main");

  const manifestPath = join(root, "fixtures.yaml");
  await writeFile(manifestPath, demoManifest(pins));
  const dataDir = join(root, "data");
  const setup: DemoSetup = {
    root,
    giteaUrl: ScratchRepo.remoteRoot(root),
    dataDir,
    manifestPath,
    expected: {
      "bad-backup": "pass",
      "bad-backup-emptied": "fail",
      "bad-restore": "fail",
      "bad-backup-truncated": "fail",
      "bad-backup-also-image": "fail",
      "bad-backup-noop": "fail",
    },
  };

  // The bot has seen bad-restore before (its mirror holds the pinned commit) ...
  await verify(setup, ["bad-restore"]);
  // ... and then someone rebases the branch and force-pushes it: the pinned commit is gone from it.
  await repo.checkout("regression-bad-restore", { create: true, from: "main" });
  await repo.write({
    "compose.yml": addLabel(
      await repo.git("show", "main:compose.yml"),
      "backupbot.backup.volumes.content.path=50x.html",
    ),
  });
  await repo.commit("canary: bad-restore (rebased onto 1.0.1+1.27.4)");
  await repo.push("regression-bad-restore");
  await repo.checkout("main");
  return setup;
}

function demoManifest(pins: Record<string, string>): string {
  // `tier:` is all a fixture needs: the tier's preset says what its change may touch.
  const fixture = (name: string, branch: string, tier: string) => `  - name: ${name}
    branch: ${branch}
    sha: ${pins[name]}
    tier: ${tier}
    expect: red at ${tier}
`;
  return `# Demo manifest written by \`fixture-bot demo\`.
version: 1
defaults:
  repo: ${SLUG}
  base: main
fixtures:
${fixture("bad-backup", "regression-bad-backup", "backup")}
  # The real incident: compose.yml emptied instead of one label added.
${fixture("bad-backup-emptied", "regression-bad-backup-emptied", "backup")}
  # Pinned, then the branch was rebased and force-pushed.
${fixture("bad-restore", "regression-bad-restore", "restore")}
  # The label is right, but the file was cut short.
${fixture("bad-backup-truncated", "regression-bad-backup-truncated", "backup")}
  # Wrong tier: the label is right, but the image changed too, so install would go red first.
${fixture("bad-backup-also-image", "regression-bad-backup-also-image", "backup")}
  # No-op: the new default never applies, so the canary could never go red.
${fixture("bad-backup-noop", "regression-bad-backup-noop", "backup")}`;
}

async function verify(setup: DemoSetup, names?: string[]): Promise<FixtureResult[]> {
  const manifest = parseManifest(await readFile(setup.manifestPath, "utf8"), setup.manifestPath);
  const workspace = createWorkspace({
    dataDir: setup.dataDir,
    giteaUrl: setup.giteaUrl,
    redact: createRedactor([]),
    maxBlobBytes: DEFAULT_LIMITS.maxBlobBytes,
  });
  const fixtures = names
    ? manifest.fixtures.filter((f) => names.includes(f.name))
    : manifest.fixtures;
  return verifyFixtures(fixtures, { workspace, limits: DEFAULT_LIMITS, log: silentLogger });
}

export async function runDemo(options: {
  write: (text: string) => void;
  color: boolean;
  keep?: boolean;
}): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), "fixture-bot-demo-"));
  try {
    options.write(`Building recipe repositories with real git in ${root} ...\n\n`);
    const setup = await buildDemo(root);
    const results = await verify(setup);
    options.write(
      `$ GITEA_URL=${setup.giteaUrl} fixture-bot verify --config ${setup.manifestPath}\n\n`,
    );
    options.write(renderText(results, { color: options.color }));
    const surprises = results.filter((r) => setup.expected[r.name] !== r.verdict);
    options.write(
      surprises.length === 0
        ? "\nEvery scenario got the verdict it should: the correct fixture passes, and the incident, the force-push, the truncation, a backup canary that also changes the image (wrong tier) and one whose change never reaches the stack (no-op) are each caught.\n"
        : `\nUnexpected: ${surprises.map((r) => `${r.name} is ${r.verdict}`).join(", ")}\n`,
    );
    const incident = results.find((r) => r.name === "bad-backup-emptied");
    if (incident) {
      options.write(
        "\nAs a webhook service, fixture-bot sets a failing commit status on a PR from that branch and posts this comment (Markdown, as Gitea receives it):\n\n",
      );
      const comment = renderComment(
        {
          kind: "pull",
          repo: incident.repo,
          sha: incident.resolvedSha ?? incident.sha,
          number: 1,
          trigger: "opened",
          results: [incident],
          manifestErrors: [],
          pins: [
            {
              name: incident.name,
              pinned: incident.sha,
              head: incident.resolvedSha ?? incident.sha,
            },
          ],
          unknownNames: [],
        },
        { maxDiffLinesPerFile: 12 },
      );
      options.write(
        `${comment
          .split("\n")
          .map((l) => `    ${l}`.trimEnd())
          .join("\n")}\n`,
      );
    }
    if (options.keep) options.write(`\nThe repositories and manifest are kept in ${root}\n`);
    return surprises.length === 0 ? 0 : 1;
  } finally {
    if (!options.keep) await rm(root, { recursive: true, force: true });
  }
}
