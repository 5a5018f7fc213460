/**
 * A Gitea test double: a real HTTP server with the API calls the bot makes (with Gitea's quirks,
 * CONTRACT.md §4) and smart-HTTP git over real bare repositories. It records every request and
 * lists, in `violations`, every API request Gitea's swagger would reject.
 *
 *   const gitea = await startGiteaDouble({ repoRoot: join(root, "remote") });
 *   const bot = gitea.addUser("bot");
 *   gitea.addRepo("acme/widgets");                 // bare repo at <repoRoot>/acme/widgets.git
 *   gitea.setPermission("acme/widgets", "bot", "write");
 *   const { number } = gitea.openPull("acme/widgets", { head: "x", base: "main", author: "acme" });
 *   // ... run the bot with GITEA_URL = gitea.url and token bot.token ...
 *   expect(gitea.violations).toEqual([]);
 *   await gitea.close();
 */
import { readFile } from "node:fs/promises";
import { toDoubleComment } from "./api-comment-routes.ts";
import { type ApiDeps, handleApi } from "./api-handler.ts";
import { createControls } from "./controls.ts";
import { resolveCommitSync } from "./git-cli.ts";
import { handleGit } from "./git-http.ts";
import { listen, stop } from "./server.ts";
import { createDoubleState } from "./state.ts";
import type { SwaggerSpec } from "./swagger-check.ts";
import type {
  CommentEvent,
  DoubleStatus,
  DoubleUser,
  GiteaDouble,
  GiteaDoubleOptions,
  RecordedRequest,
} from "./types.ts";

export { checkAgainstSwagger, type SwaggerRequest, type SwaggerSpec } from "./swagger-check.ts";
export type * from "./types.ts";

export const SWAGGER_PATH = new URL("../fixtures/gitea-swagger.v1.json", import.meta.url);

export async function loadSwagger(path: URL | string = SWAGGER_PATH): Promise<SwaggerSpec> {
  return JSON.parse(await readFile(path, "utf8")) as SwaggerSpec;
}

const publicUser = ({ id, login, token, isAdmin }: DoubleUser): DoubleUser => ({
  id,
  login,
  token,
  isAdmin,
});

export async function startGiteaDouble(options: GiteaDoubleOptions): Promise<GiteaDouble> {
  const version = options.version ?? "1.26";
  const spec = await loadSwagger();
  const state = createDoubleState(options.repoRoot);
  const controls = createControls();
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];

  function emit(event: CommentEvent): void {
    try {
      double.onComment?.(event);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      violations.push(`onComment callback threw (not a Gitea problem): ${message}`);
    }
  }

  let apiDeps: ApiDeps | undefined;
  const { server, url } = await listen(requests, {
    api: (req, res, reqUrl, record) => {
      if (!apiDeps) throw new Error("the double is not started yet");
      return handleApi(apiDeps, req, res, reqUrl, record);
    },
    git: (req, res, reqUrl, record) =>
      handleGit({ state, version, repoRoot: options.repoRoot, controls }, req, res, reqUrl, record),
  });
  apiDeps = { root: url, version, state, spec, controls, violations, emit };

  const double: GiteaDouble = {
    url,
    requests,
    violations,
    addUser: (login, userOptions = {}) => publicUser(state.addUser(login, userOptions.isAdmin)),
    addRepo: (fullName, repoOptions = {}) => {
      state.addRepo(fullName, repoOptions);
    },
    setPermission: state.setPermission,
    openPull: (fullName, pullOptions) => {
      const pr = state.openPull(fullName, pullOptions);
      return { number: pr.number, headSha: pr.headSha };
    },
    syncPull: state.syncPull,
    dropStatuses: (fullName, sha) => {
      const repo = state.mustRepo(fullName);
      state.dropStatuses(repo, resolveCommitSync(repo.dir, sha) ?? sha);
    },
    dropComments: (fullName, number) =>
      state.dropComments(state.mustPull(fullName, number).repo, number),
    closePull: state.closePull,
    addComment: (fullName, number, login, body) =>
      toDoubleComment({ state }, state.addCommentAs(fullName, number, login, body)),
    comments: (fullName, number) => {
      const { repo } = state.mustPull(fullName, number);
      return state.commentsOf(repo, number).map((c) => toDoubleComment({ state }, c));
    },
    addStatus: (fullName, sha, fields, options) => {
      const repo = state.mustRepo(fullName);
      const full = resolveCommitSync(repo.dir, sha) ?? sha;
      const creator = options.as ? (state.user(options.as)?.id ?? 0) : 0;
      const stored = {
        state: fields.state,
        context: fields.context,
        description: fields.description ?? "",
        targetUrl: fields.target_url ?? "",
      };
      state.addStatus(repo, full, stored, creator, new Date(Date.now() - (options.ageMs ?? 0)));
    },
    statuses: (fullName, sha) => {
      const repo = state.mustRepo(fullName);
      const full = resolveCommitSync(repo.dir, sha) ?? sha;
      return state.statusesOf(repo, full).map(
        (s): DoubleStatus => ({
          id: s.index,
          status: s.state,
          context: s.context,
          description: s.description,
          target_url: s.targetUrl,
          creator: { login: state.userById(s.creatorId)?.login ?? "" },
          created_at: s.createdAt,
        }),
      );
    },
    reactions: (commentId) =>
      state.reactionsOf(commentId).map((r) => ({
        user: state.userById(r.userId)?.login ?? "",
        content: r.content,
      })),
    failNext: controls.failNext,
    setDown: controls.setDown,
    hold: controls.hold,
    holdGit: controls.holdGit,
    failGitNext: controls.failGitNext,
    close: () => stop(server),
  };
  return double;
}
