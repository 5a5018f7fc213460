/**
 * GET /repos/{owner}/{repo}/raw/{filepath}?ref=: a file's bytes at a ref (default: the default
 * branch), as Gitea's `repo.GetRawFile` serves them (routers/api/v1/repo/file.go); 404 when the
 * ref or the file is not there.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type ApiHandler, isReply, loadRepo, notFound } from "./api-reply.ts";
import { gitEnv, resolveCommit } from "./git-cli.ts";

const run = promisify(execFile);

export const getRawFile: ApiHandler = async (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const ref = ctx.url.searchParams.get("ref") || repo.defaultBranch;
  const path = ctx.params.filepath ?? "";
  const commit = await resolveCommit(repo.dir, ref);
  if (commit === null || path.startsWith("-") || path.includes("\0")) return notFound(ctx.root);
  try {
    const { stdout } = await run("git", ["cat-file", "blob", `${commit}:${path}`], {
      cwd: repo.dir,
      env: gitEnv(),
      encoding: "buffer",
      maxBuffer: 64 * 1024 * 1024,
    });
    return {
      status: 200,
      raw: stdout,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    };
  } catch {
    return notFound(ctx.root);
  }
};
