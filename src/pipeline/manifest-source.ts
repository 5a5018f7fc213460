/**
 * Where the manifest comes from: FIXTURES_FILE on disk, or FIXTURES_PATH in the FIXTURES_REPO
 * repository (its default branch, reloaded when that branch is pushed). The last manifest that
 * loaded stays in use when a newer one is broken.
 */
import { loadManifestFile, parseManifest } from "../config/load-manifest.ts";
import type { Manifest } from "../config/manifest.ts";
import { ConfigError, errorMessage } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { Mirror, Workspace } from "../workspace/workspace.ts";

export type ManifestAt =
  | { manifest: Manifest; text: string }
  | { errors: string[]; text: string }
  | { missing: true };

export type ManifestSource = {
  current(): Manifest;
  /**
   * Load it again: the file, or FIXTURES_PATH at the tip of FIXTURES_REPO's default branch. A
   * manifest that does not load is not used (the one in use stays) and its problems are returned.
   */
  reload(jobLog?: Logger): Promise<Reloaded>;
  /** The manifest file as it is at a commit of FIXTURES_REPO. */
  readAt(mirror: Mirror, commit: string): Promise<ManifestAt>;
  readonly repo: string | null;
  readonly path: string;
};

export type Reloaded = { commit: string | null; errors: string[] };

export type ManifestSourceOptions = {
  file: string;
  repo: string | null;
  path: string;
  workspace: Workspace;
  /** The default branch of FIXTURES_REPO (asked of Gitea). */
  defaultBranch: () => Promise<string>;
  log: Logger;
};

export async function createManifestSource(
  options: ManifestSourceOptions,
): Promise<ManifestSource> {
  const { repo, path, log } = options;

  async function readAt(mirror: Mirror, commit: string): Promise<ManifestAt> {
    const text = await mirror.readFile(commit, path);
    if (text === null) return { missing: true };
    try {
      return { manifest: parseManifest(text, path), text };
    } catch (error) {
      if (error instanceof ConfigError) return { errors: [...error.issues], text };
      throw error;
    }
  }

  async function load(): Promise<{ manifest: Manifest; commit: string | null }> {
    if (repo === null)
      return { manifest: (await loadManifestFile(options.file)).manifest, commit: null };
    const mirror = await options.workspace.sync(repo);
    const commit = await mirror.branchTip(await options.defaultBranch());
    if (commit === null)
      throw new ConfigError(`${repo} has no default branch to read ${path} from`);
    const found = await readAt(mirror, commit).finally(() => mirror.close());
    if ("missing" in found)
      throw Object.assign(new ConfigError(`${repo} has no ${path} at ${commit.slice(0, 12)}`), {
        commit,
      });
    if ("errors" in found) throw Object.assign(new ConfigError(found.errors), { commit });
    return { manifest: found.manifest, commit };
  }

  let { manifest } = await load();
  log.info(
    { source: repo ? `${repo}:${path}` : options.file, fixtures: manifest.fixtures.length },
    "manifest loaded",
  );
  return {
    repo,
    path,
    current: () => manifest,
    readAt,
    async reload(jobLog = log) {
      try {
        const loaded = await load();
        manifest = loaded.manifest;
        jobLog.info(
          { fixtures: manifest.fixtures.length, commit: loaded.commit },
          "manifest reloaded",
        );
        return { commit: loaded.commit, errors: [] };
      } catch (error) {
        jobLog.error(
          { err: errorMessage(error) },
          "manifest did not reload; keeping the one in use",
        );
        const commit = (error as { commit?: string }).commit ?? null;
        return {
          commit,
          errors: error instanceof ConfigError ? [...error.issues] : [errorMessage(error)],
        };
      }
    },
  };
}
