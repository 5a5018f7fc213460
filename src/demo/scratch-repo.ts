/**
 * Build real git repositories for the demo and the tests: a working repo that commits and pushes
 * into a bare "remote" laid out like Gitea (`<root>/<owner>/<name>.git`), so `GITEA_URL=file://<root>`
 * serves it. Plain `git` through execFile: this is test-data plumbing, not the bot's git access.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Git isolated from the user's and the system's configuration, with fixed identities. */
export function scratchGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Recipe Maintainer",
    GIT_AUTHOR_EMAIL: "maintainer@example.org",
    GIT_COMMITTER_NAME: "Recipe Maintainer",
    GIT_COMMITTER_EMAIL: "maintainer@example.org",
    ...extra,
  };
}

export async function git(
  cwd: string,
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<string> {
  const child = run("git", [...args], {
    cwd,
    env: scratchGitEnv(options.env),
    maxBuffer: 256 * 1024 * 1024,
    encoding: "utf8",
  });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  const { stdout } = await child;
  return stdout;
}

export type Files = Record<string, string | Buffer>;

export class ScratchRepo {
  private clock = 1_700_000_000;

  private constructor(
    readonly dir: string,
    readonly remote: string,
    readonly slug: string,
  ) {}

  /** A working repo at `<root>/work/<owner>/<name>` whose origin is `<root>/remote/<owner>/<name>.git`. */
  static async create(
    root: string,
    slug: string,
    options: { branch?: string } = {},
  ): Promise<ScratchRepo> {
    const dir = join(root, "work", slug);
    const remote = join(root, "remote", `${slug}.git`);
    await mkdir(dir, { recursive: true });
    await mkdir(remote, { recursive: true });
    await git(remote, ["init", "--bare", "--quiet", "-b", options.branch ?? "main"]);
    // Serve partial (blob-less) fetches like Gitea does.
    await git(remote, ["config", "uploadpack.allowFilter", "true"]);
    await git(remote, ["config", "uploadpack.allowAnySHA1InWant", "true"]);
    await git(dir, ["init", "--quiet", "-b", options.branch ?? "main"]);
    await git(dir, ["remote", "add", "origin", remote]);
    return new ScratchRepo(dir, remote, slug);
  }

  /** `file://` URL of the directory that holds every remote (the GITEA_URL for the bot). */
  static remoteRoot(root: string): string {
    return `file://${join(root, "remote")}`;
  }

  async write(files: Files): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      const target = join(this.dir, path);
      await mkdir(dirname(target), { recursive: true });
      await rm(target, { force: true });
      await writeFile(target, content);
    }
  }

  async remove(...paths: string[]): Promise<void> {
    for (const path of paths) await rm(join(this.dir, path), { force: true, recursive: true });
  }

  async chmod(path: string, mode: number): Promise<void> {
    await chmod(join(this.dir, path), mode);
  }

  async symlink(path: string, target: string): Promise<void> {
    await rm(join(this.dir, path), { force: true });
    await symlink(target, join(this.dir, path));
  }

  async git(...args: string[]): Promise<string> {
    return git(this.dir, args);
  }

  /** Stage everything and commit with a fixed, increasing date (stable, reproducible history). */
  async commit(message: string): Promise<string> {
    this.clock += 60;
    const date = `${this.clock} +0000`;
    await git(this.dir, ["add", "-A"]);
    await git(this.dir, ["commit", "--quiet", "--allow-empty", "--no-verify", "-m", message], {
      env: { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return (await git(this.dir, ["rev-parse", "HEAD"])).trim();
  }

  async checkout(branch: string, options: { create?: boolean; from?: string } = {}): Promise<void> {
    const args = options.create
      ? ["checkout", "--quiet", "-B", branch]
      : ["checkout", "--quiet", branch];
    if (options.from) args.push(options.from);
    await git(this.dir, args);
  }

  async apply(patch: string): Promise<void> {
    await git(this.dir, ["apply", "--whitespace=nowarn", "-"], { input: patch });
  }

  /** Push branches (force, so a rewritten branch replaces the old one) and tags. */
  async push(...branches: string[]): Promise<void> {
    const refspecs = branches.map((b) => `+refs/heads/${b}:refs/heads/${b}`);
    await git(this.dir, ["push", "--quiet", "--tags", "origin", ...refspecs]);
  }

  async tag(name: string): Promise<void> {
    await git(this.dir, ["tag", name]);
  }
}
