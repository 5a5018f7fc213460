/** PR conversation comments and their reactions, with Gitea's quirks (CONTRACT §4.5). */
import {
  type ApiContext,
  type ApiHandler,
  type ApiReply,
  apiError,
  bindJson,
  internalError,
  isReply,
  loadRepo,
  notFound,
  text,
} from "./api-reply.ts";
import { atLeast } from "./permissions.ts";
import type { StoredComment, StoredRepo } from "./state.ts";
import { toComment, toUser } from "./to-json.ts";
import type { CommentEvent, DoubleComment } from "./types.ts";

/** `[ui] REACTIONS` default. */
export const ALLOWED_REACTIONS = [
  "+1",
  "-1",
  "laugh",
  "hooray",
  "confused",
  "heart",
  "rocket",
  "eyes",
];

export function toDoubleComment(ctx: Pick<ApiContext, "state">, c: StoredComment): DoubleComment {
  const user = ctx.state.userById(c.userId);
  return {
    id: c.id,
    body: c.body,
    user: { id: c.userId, login: user?.login ?? "" },
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

function commentEvent(
  ctx: ApiContext,
  repo: StoredRepo,
  action: CommentEvent["action"],
  comment: StoredComment,
): CommentEvent {
  const { token, id, login, isAdmin } = ctx.viewer;
  return {
    action,
    fullName: repo.fullName,
    number: comment.number,
    comment: toDoubleComment(ctx, comment),
    sender: { id, login, token, isAdmin },
  };
}

/** Gitea looks the issue up with GetIssueByIndex and answers a miss with a 500 (not 404). */
function missingIssue(ctx: ApiContext, repo: StoredRepo, index: number): ApiReply | null {
  if (ctx.state.pull(repo, index)) return null;
  return internalError(ctx, `issue does not exist [id: 0, repo_id: ${repo.id}, index: ${index}]`);
}

/** `since` / `before` as epoch ms; null when absent, NaN when not a date (Gitea: 422). */
function timeQuery(ctx: ApiContext, name: string): number | null {
  const value = ctx.url.searchParams.get(name);
  return value ? Date.parse(value) : null;
}

/** Unpaginated: every plain comment, oldest first; page and limit are ignored. */
export const listComments: ApiHandler = (ctx) => {
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const index = Number(ctx.params.index);
  const missing = missingIssue(ctx, repo, index);
  if (missing) return missing;
  const since = timeQuery(ctx, "since");
  const before = timeQuery(ctx, "before");
  if (Number.isNaN(since) || Number.isNaN(before)) {
    return apiError(ctx.root, 422, "invalid since or before");
  }
  const comments = ctx.state.commentsOf(repo, index).filter((c) => {
    const updated = Date.parse(c.updatedAt);
    return (since === null || updated >= since) && (before === null || updated < before);
  });
  return {
    status: 200,
    body: comments.map((c) => toComment(ctx, repo, c)),
    headers: {
      "X-Total-Count": String(comments.length),
      "Access-Control-Expose-Headers": "X-Total-Count",
    },
  };
};

export const createComment: ApiHandler = (ctx) => {
  const bound = bindJson(ctx, ["body"]);
  if (!bound.ok) return bound.reply;
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const index = Number(ctx.params.index);
  const missing = missingIssue(ctx, repo, index);
  if (missing) return missing;
  const comment = ctx.state.addComment(repo, index, ctx.viewer.id, text(bound.value.body));
  return {
    status: 201,
    body: toComment(ctx, repo, comment),
    event: commentEvent(ctx, repo, "created", comment),
  };
};

function commentInRepo(ctx: ApiContext, repo: StoredRepo): StoredComment | ApiReply {
  const id = Number(ctx.params.id);
  const comment = ctx.state.comment(id);
  if (!comment || comment.repoKey !== repo.key) {
    return notFound(ctx.root, [`comment does not exist [id: ${Number.isFinite(id) ? id : 0}]`]);
  }
  return comment;
}

/** 403 without a body unless the caller wrote it or may write to the repo; same body: no change. */
export const editComment: ApiHandler = (ctx) => {
  const bound = bindJson(ctx, ["body"]);
  if (!bound.ok) return bound.reply;
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const comment = commentInRepo(ctx, repo);
  if (isReply(comment)) return comment;
  const writer = atLeast(ctx.state.permission(repo, ctx.viewer), "write");
  if (comment.userId !== ctx.viewer.id && !writer) return { status: 403 };
  const changed = ctx.state.editComment(comment, text(bound.value.body));
  return {
    status: 200,
    body: toComment(ctx, repo, comment),
    ...(changed ? { event: commentEvent(ctx, repo, "edited", comment) } : {}),
  };
};

/** 201 for a new reaction, 200 when the caller already reacted so; unknown content: 403. */
export const reactToComment: ApiHandler = (ctx) => {
  const bound = bindJson(ctx);
  if (!bound.ok) return bound.reply;
  const repo = loadRepo(ctx);
  if (isReply(repo)) return repo;
  const comment = commentInRepo(ctx, repo);
  if (isReply(comment)) return comment;
  const content = text(bound.value.content);
  if (!ALLOWED_REACTIONS.includes(content)) {
    return apiError(ctx.root, 403, `'${content}' is not an allowed reaction`);
  }
  const { reaction, created } = ctx.state.react(comment.id, ctx.viewer.id, content);
  return {
    status: created ? 201 : 200,
    body: { user: toUser(ctx, ctx.viewer), content, created_at: reaction.createdAt },
  };
};
