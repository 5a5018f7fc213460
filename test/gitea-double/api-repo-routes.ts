/** GET /user, the repository, its pull requests, and a collaborator's permission. */
import {
  type ApiContext,
  type ApiHandler,
  type ApiReply,
  apiError,
  isReply,
  loadRepo,
  notFound,
} from "./api-reply.ts";
import { countBranches, resolveCommit } from "./git-cli.ts";
import { listHeaders, pageOf, readPaging } from "./pagination.ts";
import { atLeast, versionAtLeast } from "./permissions.ts";
import type { StoredPull, StoredRepo } from "./state.ts";
import { toPullRequest, toRepository, toUser } from "./to-json.ts";

export const getUser: ApiHandler = (ctx) => ({ status: 200, body: toUser(ctx, ctx.viewer) });

async function repositoryJson(ctx: ApiContext, repo: StoredRepo) {
  return toRepository(ctx, repo, await countBranches(repo.dir));
}

export const getRepo: ApiHandler = async (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  return { status: 200, body: await repositoryJson(ctx, repo) };
};

async function pullJson(ctx: ApiContext, repo: StoredRepo, pulls: StoredPull[], inList: boolean) {
  const repoJson = await repositoryJson(ctx, repo);
  return Promise.all(
    pulls.map(async (pr) => {
      const baseSha = (await resolveCommit(repo.dir, `refs/heads/${pr.base}`)) ?? "";
      return toPullRequest(ctx, repo, pr, { baseSha, repoJson, inList });
    }),
  );
}

export const getPull: ApiHandler = async (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const pr = ctx.state.pull(repo, Number(ctx.params.index));
  if (!pr) return notFound(ctx.root);
  const [body] = await pullJson(ctx, repo, [pr], false);
  return { status: 200, body };
};

export const listPulls: ApiHandler = async (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const query = ctx.url.searchParams;
  const state = query.get("state") ?? "open";
  const base = query.get("base_branch");
  const poster = query.get("poster")?.toLowerCase();
  const matching = ctx.state
    .pulls(repo)
    .filter((pr) => state === "all" || pr.state === (state === "closed" ? "closed" : "open"))
    .filter((pr) => !base || pr.base === base)
    .filter((pr) => !poster || ctx.state.userById(pr.authorId)?.login.toLowerCase() === poster)
    .sort((a, b) => (query.get("sort") === "oldest" ? a.number - b.number : b.number - a.number));
  const paging = readPaging(query);
  const body = await pullJson(ctx, repo, pageOf(matching, paging), true);
  return { status: 200, body, headers: listHeaders(ctx.root, ctx.url, matching.length, paging) };
};

/**
 * Site admins and repo admins may ask about anyone; others (1.24+) only about themselves.
 * The 403 comes before the user lookup, as in routers/api/v1/repo/collaborators.go.
 */
export const getPermission: ApiHandler = (ctx): ApiReply => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const asked = ctx.params.collaborator ?? "";
  const self =
    versionAtLeast(ctx.version, "1.24") && asked.toLowerCase() === ctx.viewer.login.toLowerCase();
  const repoAdmin = atLeast(ctx.state.permission(repo, ctx.viewer), "admin");
  if (!ctx.viewer.isAdmin && !repoAdmin && !self) {
    return apiError(
      ctx.root,
      403,
      "Only admins can query all permissions, repo admins can query all repo permissions, collaborators can query only their own",
    );
  }
  const user = ctx.state.user(asked);
  if (!user) return notFound(ctx.root, [`user does not exist [uid: 0, name: ${asked}]`]);
  const permission = ctx.state.permission(repo, user);
  return {
    status: 200,
    body: { permission, role_name: permission, user: toUser(ctx, user) },
  };
};
