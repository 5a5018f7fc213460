/** The API routes the double serves, relative to /api/v1 (routers/api/v1/api.go). */
import { createComment, editComment, listComments, reactToComment } from "./api-comment-routes.ts";
import { getBranch, getRawFile } from "./api-raw-routes.ts";
import type { ApiHandler } from "./api-reply.ts";
import { getPermission, getPull, getRepo, getUser, listPulls } from "./api-repo-routes.ts";
import {
  createStatus,
  getCombinedStatus,
  listStatusesByRef,
  listStatusesBySha,
} from "./api-status-routes.ts";
import { type Route, route } from "./router.ts";

const REPO = "/repos/{owner}/{repo}";

export const API_ROUTES: readonly Route<ApiHandler>[] = [
  route("GET", "/user", getUser),
  route("GET", REPO, getRepo),
  route("GET", `${REPO}/pulls`, listPulls),
  route("GET", `${REPO}/pulls/{index}`, getPull),
  route("PATCH", `${REPO}/issues/comments/{id}`, editComment),
  route("POST", `${REPO}/issues/comments/{id}/reactions`, reactToComment),
  route("GET", `${REPO}/issues/{index}/comments`, listComments),
  route("POST", `${REPO}/issues/{index}/comments`, createComment),
  route("POST", `${REPO}/statuses/{sha}`, createStatus),
  route("GET", `${REPO}/statuses/{sha}`, listStatusesBySha),
  route("GET", `${REPO}/commits/{ref}/statuses`, listStatusesByRef),
  route("GET", `${REPO}/commits/{ref}/status`, getCombinedStatus),
  route("GET", `${REPO}/collaborators/{collaborator}/permission`, getPermission),
  route("GET", `${REPO}/raw/{filepath}`, getRawFile),
  route("GET", `${REPO}/branches/{branch}`, getBranch),
];
