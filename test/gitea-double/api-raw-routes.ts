/**
 * Files and branches: GET /repos/{owner}/{repo}/raw/{filepath}?ref=: a file's bytes at a ref (default: the default
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

/**
 * GET /repos/{owner}/{repo}/branches/{branch}: the branch and its tip commit, as Gitea's
 * convert.ToBranch writes them (the commit as a PayloadCommit); 404 for a branch that is not
 * there.
 */
export const getBranch: ApiHandler = async (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const name = ctx.params.branch ?? "";
  const sha = await resolveCommit(repo.dir, `refs/heads/${name}`);
  if (sha === null) return notFound(ctx.root);
  const { stdout } = await run("git", ["show", "-s", "--format=%an%x00%ae%x00%aI%x00%B", sha], {
    cwd: repo.dir,
    env: gitEnv(),
    encoding: "utf8",
  });
  const [author = "", email = "", date = "", message = ""] = stdout.split("\0");
  const person = { name: author, email, username: "" };
  const canWrite = ["write", "admin", "owner"].includes(ctx.state.permission(repo, ctx.viewer));
  return {
    status: 200,
    body: {
      name,
      commit: {
        id: sha,
        message: message.replace(/\n$/, ""),
        url: `${ctx.root}/${repo.fullName}/commit/${sha}`,
        author: person,
        committer: person,
        verification: null,
        timestamp: date,
        added: null,
        removed: null,
        modified: null,
      },
      protected: false,
      required_approvals: 0,
      enable_status_check: false,
      status_check_contexts: [],
      user_can_push: canWrite,
      user_can_merge: canWrite,
      effective_branch_protection_name: "",
    },
  };
};
