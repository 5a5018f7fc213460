/** The double's state as Gitea's API JSON (modules/structs, field order as Gitea writes it). */
import { versionAtLeast } from "./permissions.ts";
import type {
  DoubleState,
  StoredComment,
  StoredPull,
  StoredRepo,
  StoredStatus,
  StoredUser,
} from "./state.ts";
import type { GiteaVersion } from "./types.ts";

export type ConvertContext = {
  root: string;
  version: GiteaVersion;
  state: DoubleState;
  viewer: StoredUser;
};

const ZERO_TIME = "0001-01-01T00:00:00Z";

export const apiRepoUrl = (root: string, repo: StoredRepo) =>
  `${root}/api/v1/repos/${repo.owner}/${repo.name}`;

/** Private fields are real only when the viewer is the user or a site admin (CONTRACT §3.7). */
export function toUser(ctx: Pick<ConvertContext, "root" | "viewer">, user: StoredUser) {
  const full = ctx.viewer.id === user.id || ctx.viewer.isAdmin;
  return {
    id: user.id,
    login: user.login,
    login_name: "",
    source_id: 0,
    full_name: "",
    email: full ? `${user.login.toLowerCase()}@example.org` : `${user.login}@noreply.localhost`,
    avatar_url: `${ctx.root}/avatars/${user.id}`,
    html_url: `${ctx.root}/${user.login}`,
    language: full ? "en-US" : "",
    is_admin: full ? user.isAdmin : false,
    last_login: full ? user.createdAt : ZERO_TIME,
    created: user.createdAt,
    restricted: false,
    active: full,
    prohibit_login: false,
    location: "",
    website: "",
    description: "",
    visibility: "public",
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
    username: user.login,
  };
}

export function toRepository(ctx: ConvertContext, repo: StoredRepo, branchCount: number) {
  const owner = ctx.state.mustUser(repo.owner);
  const level = ctx.state.permission(repo, ctx.viewer);
  const at = (v: GiteaVersion) => versionAtLeast(ctx.version, v);
  const html = `${ctx.root}/${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    owner: toUser(ctx, owner),
    name: repo.name,
    full_name: repo.fullName,
    description: "",
    empty: false,
    private: repo.isPrivate,
    fork: false,
    template: false,
    mirror: false,
    size: 0,
    language: "",
    languages_url: `${apiRepoUrl(ctx.root, repo)}/languages`,
    html_url: html,
    url: apiRepoUrl(ctx.root, repo),
    link: "",
    ssh_url: `git@${new URL(ctx.root).hostname}:${repo.owner}/${repo.name}.git`,
    clone_url: `${html}.git`,
    original_url: "",
    website: "",
    stars_count: 0,
    forks_count: 0,
    watchers_count: 0,
    open_issues_count: 0,
    open_pr_counter: ctx.state.pulls(repo).filter((p) => p.state === "open").length,
    release_counter: 0,
    default_branch: repo.defaultBranch,
    archived: false,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    archived_at: "1970-01-01T00:00:00Z",
    permissions: {
      admin: level === "admin" || level === "owner",
      push: level !== "none" && level !== "read",
      pull: level !== "none",
    },
    ...(at("1.25") ? { has_code: true } : {}),
    has_issues: true,
    has_wiki: true,
    has_pull_requests: true,
    has_projects: true,
    projects_mode: "all",
    has_releases: true,
    has_packages: true,
    has_actions: true,
    ignore_whitespace_conflicts: false,
    allow_merge_commits: true,
    allow_rebase: true,
    allow_rebase_explicit: true,
    allow_squash_merge: true,
    allow_fast_forward_only_merge: true,
    allow_rebase_update: true,
    ...(at("1.25") ? { allow_manual_merge: false, autodetect_manual_merge: false } : {}),
    default_delete_branch_after_merge: false,
    default_merge_style: "merge",
    default_allow_maintainer_edit: false,
    avatar_url: "",
    internal: false,
    mirror_interval: "",
    object_format_name: "sha1",
    mirror_updated: ZERO_TIME,
    topics: [],
    licenses: [],
    ...(at("1.26") ? { branch_count: branchCount } : {}),
  };
}

type RepositoryJson = ReturnType<typeof toRepository>;

export function toPullRequest(
  ctx: ConvertContext,
  repo: StoredRepo,
  pr: StoredPull,
  extra: { baseSha: string; repoJson: RepositoryJson; inList: boolean },
) {
  const html = `${ctx.root}/${repo.owner}/${repo.name}/pulls/${pr.number}`;
  const author = ctx.state.userById(pr.authorId);
  const branch = (ref: string, sha: string) => ({
    label: ref,
    ref,
    sha,
    repo_id: repo.id,
    repo: extra.repoJson,
  });
  return {
    id: pr.id,
    url: html,
    number: pr.number,
    user: author ? toUser(ctx, author) : null,
    title: pr.title,
    body: "",
    labels: [],
    milestone: null,
    assignee: null,
    // The list endpoint leaves assignees null (CONTRACT §3.4).
    assignees: extra.inList ? null : [],
    requested_reviewers: [],
    requested_reviewers_teams: [],
    state: pr.state,
    draft: /^\s*(WIP:|\[WIP\])/i.test(pr.title),
    is_locked: false,
    comments: ctx.state.commentsOf(repo, pr.number).length,
    ...(versionAtLeast(ctx.version, "1.24") ? {} : { review_comments: 0 }),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    mergeable: pr.state === "open",
    merged: false,
    merged_at: null,
    merge_commit_sha: null,
    merged_by: null,
    allow_maintainer_edit: false,
    base: branch(pr.base, extra.baseSha),
    // Gitea's convert: a head repository that no longer exists gives repo_id -1 and no repo.
    head: pr.headRepoDeleted
      ? { label: pr.head, ref: pr.head, sha: pr.headSha, repo_id: -1, repo: null }
      : branch(pr.head, pr.headSha),
    merge_base: pr.mergeBase,
    due_date: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    pin_order: 0,
    ...(versionAtLeast(ctx.version, "1.26") ? { content_version: 0 } : {}),
  };
}

export function toComment(ctx: ConvertContext, repo: StoredRepo, comment: StoredComment) {
  const pull = `${ctx.root}/${repo.owner}/${repo.name}/pulls/${comment.number}`;
  const author = ctx.state.userById(comment.userId);
  return {
    id: comment.id,
    html_url: `${pull}#issuecomment-${comment.id}`,
    pull_request_url: pull,
    issue_url: "",
    user: author ? toUser(ctx, author) : null,
    original_author: "",
    original_author_id: 0,
    body: comment.body,
    assets: [],
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
}

export function toCommitStatus(ctx: ConvertContext, repo: StoredRepo, status: StoredStatus) {
  const creator = ctx.state.userById(status.creatorId);
  return {
    id: status.index,
    status: status.state,
    target_url: status.targetUrl,
    description: status.description,
    url: `${apiRepoUrl(ctx.root, repo)}/statuses/${status.sha}`,
    context: status.context,
    creator: creator ? toUser(ctx, creator) : null,
    created_at: status.createdAt,
    updated_at: status.updatedAt,
  };
}
