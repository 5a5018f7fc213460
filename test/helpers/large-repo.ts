/**
 * A large repository in seconds, written straight into a bare remote with git fast-import: a root
 * commit with `files` files and a compose.yml, one-file commits on main up to `commits`, and a
 * fixture branch `regression-image` whose one commit changes the image tag. The benchmark uses
 * 10,000 commits and 20,000 files; the test proves the same property (all commits, only the
 * changed file's blobs) on a tenth of that.
 */
import { join } from "node:path";
import { git } from "../../src/demo/scratch-repo.ts";

export type RepoSize = { commits: number; files: number };
export const BENCH_SIZE: RepoSize = { commits: 10_000, files: 20_000 };
export const TEST_SIZE: RepoSize = { commits: 1_000, files: 2_000 };

/** A fast-import stream: a root commit with `files` files, then one-file commits up to `commits`. */
export function history({ commits: COMMITS, files: FILES }: RepoSize = BENCH_SIZE): string {
  const out: string[] = [];
  const at = (n: number) => `${1_700_000_000 + n * 60} +0000`;
  const commit = (n: number, ref: string, message: string, body: string[], from?: string) => {
    out.push(`commit ${ref}`, `mark :${n + 1}`, `committer Big <big@example.org> ${at(n)}`);
    out.push(`data ${Buffer.byteLength(message)}`, message);
    if (from) out.push(`from ${from}`);
    out.push(...body, "");
  };
  const file = (path: string, content: string) => [
    `M 100644 inline ${path}`,
    `data ${Buffer.byteLength(content)}`,
    content,
  ];
  const root: string[] = [];
  for (let i = 0; i < FILES; i++)
    root.push(...file(`d${Math.floor(i / 100)}/f${i % 100}.txt`, `file ${i}\n`));
  root.push(...file("compose.yml", "services:\n  app:\n    image: nginx:1.27\n"));
  commit(0, "refs/heads/main", "root", root);
  for (let n = 1; n < COMMITS - 1; n++) {
    const i = (n * 7919) % FILES;
    commit(
      n,
      "refs/heads/main",
      `change ${n}`,
      file(`d${Math.floor(i / 100)}/f${i % 100}.txt`, `file ${i} v${n}\n`),
    );
  }
  commit(
    COMMITS - 1,
    "refs/heads/regression-image",
    "canary: bad image",
    file("compose.yml", "services:\n  app:\n    image: nginx:1.27-does-not-exist\n"),
    `:${COMMITS - 1}`,
  );
  out.push("done", "");
  return out.join("\n");
}

export async function objectCounts(repoDir: string): Promise<Record<string, number>> {
  const out = await git(repoDir, [
    "cat-file",
    "--batch-all-objects",
    "--batch-check=%(objecttype)",
  ]);
  const counts: Record<string, number> = {};
  for (const type of out.split("\n").filter(Boolean)) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Create `<root>/remote/<slug>.git`; returns its path and the fixture commit. */
export async function createLargeRepo(
  root: string,
  slug: string,
  size: RepoSize = BENCH_SIZE,
): Promise<{ remote: string; pin: string }> {
  const remote = join(root, "remote", `${slug}.git`);
  await git(root, ["init", "--bare", "--quiet", "-b", "main", remote]);
  await git(remote, ["config", "uploadpack.allowFilter", "true"]);
  await git(remote, ["fast-import", "--quiet", "--done"], { input: history(size) });
  return { remote, pin: (await git(remote, ["rev-parse", "regression-image"])).trim() };
}
