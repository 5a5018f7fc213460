/** Commit statuses: create (201, `status` not `state`), list (newest first), combined. */
import {
  type ApiContext,
  type ApiHandler,
  apiError,
  bindJson,
  internalError,
  isReply,
  loadRepo,
  notFound,
  text,
} from "./api-reply.ts";
import { latestPerContext, toCombinedStatus } from "./combined-status.ts";
import { countBranches, resolveCommit } from "./git-cli.ts";
import { listHeaders, pageOf, readPaging } from "./pagination.ts";
import { atLeast, versionAtLeast } from "./permissions.ts";
import type { StoredRepo, StoredStatus } from "./state.ts";
import { apiRepoUrl, toCommitStatus, toRepository } from "./to-json.ts";

/** reqRepoWriter runs before binding; an unknown sha is a 500 (GetCommit error). */
export const createStatus: ApiHandler = async (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  if (!atLeast(ctx.state.permission(repo, ctx.viewer), "write")) {
    return apiError(ctx.root, 403, "user should have a permission to write to a repo");
  }
  const bound = bindJson(ctx);
  if (!bound.ok) return bound.reply;
  const asked = ctx.params.sha ?? "";
  if (asked === "") return apiError(ctx.root, 400, "sha not given");
  const sha = await resolveCommit(repo.dir, asked);
  if (!sha) return internalError(ctx, `object does not exist [id: ${asked}, rel_path: ]`);
  const form = bound.value;
  const status = ctx.state.addStatus(
    repo,
    sha,
    {
      state: text(form.state).trim(),
      context: text(form.context).trim(),
      description: text(form.description).trim(),
      targetUrl: text(form.target_url).trim(),
    },
    ctx.viewer.id,
  );
  return { status: 201, body: toCommitStatus(ctx, repo, status) };
};

const SORTS: Record<string, (a: StoredStatus, b: StoredStatus) => number> = {
  oldest: (a, b) => a.index - b.index,
  recentupdate: (a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.index - a.index,
  leastupdate: (a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.index - b.index,
  leastindex: (a, b) => a.index - b.index,
  highestindex: (a, b) => b.index - a.index,
};

/** Statuses of `ref` resolved to a commit, or of the string as given (Gitea lists nothing then). */
async function listStatusesOf(ctx: ApiContext, repo: StoredRepo, ref: string) {
  const sha = (await resolveCommit(repo.dir, ref)) ?? ref;
  const query = ctx.url.searchParams;
  const state = query.get("state");
  const sort = SORTS[query.get("sort") ?? ""] ?? SORTS.highestindex;
  const all = ctx.state
    .statusesOf(repo, sha)
    .filter((s) => !state || s.state === state)
    .sort(sort);
  const paging = readPaging(query);
  return {
    status: 200,
    body: pageOf(all, paging).map((s) => toCommitStatus(ctx, repo, s)),
    headers: listHeaders(ctx.root, ctx.url, all.length, paging),
  };
}

export const listStatusesBySha: ApiHandler = (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  return listStatusesOf(ctx, repo, ctx.params.sha ?? "");
};

export const listStatusesByRef: ApiHandler = (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  return listStatusesOf(ctx, repo, ctx.params.ref ?? "");
};

export const getCombinedStatus: ApiHandler = async (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const sha = await resolveCommit(repo.dir, ctx.params.ref ?? "");
  if (!sha) return notFound(ctx.root, [`object does not exist [id: ${ctx.params.ref}]`]);
  const latest = latestPerContext(ctx.state.statusesOf(repo, sha));
  const paging = readPaging(ctx.url.searchParams);
  const body = toCombinedStatus({
    version: ctx.version,
    sha,
    latest,
    page: pageOf(latest, paging).map((s) => toCommitStatus(ctx, repo, s)),
    repository: toRepository(ctx, repo, await countBranches(repo.dir)),
    apiRepoUrl: apiRepoUrl(ctx.root, repo),
  });
  const withLink = versionAtLeast(ctx.version, "1.26");
  return {
    status: 200,
    body,
    headers: listHeaders(ctx.root, ctx.url, latest.length, withLink ? paging : null),
  };
};
