/** The double's in-memory Gitea: users, repositories, pull requests, comments, statuses. */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { branchTipSync, headBranchSync, mergeBaseSync, updateRefSync } from "./git-cli.ts";
import { effectivePermission } from "./permissions.ts";
import type {
  NewStatus,
  StoredComment,
  StoredPull,
  StoredReaction,
  StoredRepo,
  StoredStatus,
  StoredUser,
} from "./state-types.ts";
import type { Permission } from "./types.ts";

export type * from "./state-types.ts";

/** Gitea's API time format (RFC 3339, seconds); the double runs in UTC. */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const keyOf = (fullName: string) => fullName.toLowerCase();

export function createDoubleState(repoRoot: string) {
  const users = new Map<string, StoredUser>();
  const repos = new Map<string, StoredRepo>();
  const pulls = new Map<string, Map<number, StoredPull>>();
  const comments = new Map<number, StoredComment>();
  const reactions = new Map<number, StoredReaction[]>();
  const statuses = new Map<string, StoredStatus[]>();
  const counters = { user: 0, repo: 0, pull: 0, issue: 0, comment: 0 };

  function addUser(login: string, isAdmin = false): StoredUser {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(login)) throw new Error(`bad login ${login}`);
    if (users.has(keyOf(login))) throw new Error(`user ${login} already exists`);
    counters.user += 1;
    const token = randomBytes(20).toString("hex");
    const user = { id: counters.user, login, token, isAdmin, createdAt: timestamp() };
    users.set(keyOf(login), user);
    return user;
  }

  const user = (login: string) => users.get(keyOf(login));
  const userById = (id: number) => [...users.values()].find((u) => u.id === id);
  const userByToken = (token: string) => [...users.values()].find((u) => u.token === token);

  function mustUser(login: string): StoredUser {
    const found = user(login);
    if (!found) throw new Error(`no user ${login}; addUser() first`);
    return found;
  }

  function addRepo(
    fullName: string,
    options: { defaultBranch?: string; private?: boolean } = {},
  ): StoredRepo {
    const [owner, name, ...rest] = fullName.split("/");
    if (!owner || !name || rest.length > 0) throw new Error(`bad repo name ${fullName}`);
    if (repos.has(keyOf(fullName))) throw new Error(`repo ${fullName} already exists`);
    const dir = join(repoRoot, owner, `${name}.git`);
    if (!existsSync(dir)) throw new Error(`no bare repository at ${dir}`);
    if (!user(owner)) addUser(owner);
    counters.repo += 1;
    const repo: StoredRepo = {
      id: counters.repo,
      key: keyOf(fullName),
      owner,
      name,
      fullName,
      dir,
      defaultBranch: options.defaultBranch ?? headBranchSync(dir) ?? "main",
      isPrivate: options.private ?? false,
      grants: new Map(),
      nextIndex: 1,
      createdAt: timestamp(),
    };
    repos.set(repo.key, repo);
    pulls.set(repo.key, new Map());
    return repo;
  }

  const repo = (fullName: string) => repos.get(keyOf(fullName));

  function mustRepo(fullName: string): StoredRepo {
    const found = repo(fullName);
    if (!found) throw new Error(`no repo ${fullName}; addRepo() first`);
    return found;
  }

  function permission(of: StoredRepo, who: StoredUser): Permission {
    return effectivePermission({
      isOwner: keyOf(of.owner) === keyOf(who.login),
      isSiteAdmin: who.isAdmin,
      explicit: of.grants.get(keyOf(who.login)),
      isPrivate: of.isPrivate,
    });
  }

  function setPermission(fullName: string, login: string, level: Permission): void {
    mustUser(login);
    mustRepo(fullName).grants.set(keyOf(login), level);
  }

  function pull(of: StoredRepo, number: number): StoredPull | undefined {
    return pulls.get(of.key)?.get(number);
  }

  function mustPull(fullName: string, number: number): { repo: StoredRepo; pull: StoredPull } {
    const found = mustRepo(fullName);
    const pr = pull(found, number);
    if (!pr) throw new Error(`no pull request ${fullName}#${number}`);
    return { repo: found, pull: pr };
  }

  function tipOf(of: StoredRepo, branch: string): string {
    const sha = branchTipSync(of.dir, branch);
    if (!sha) throw new Error(`branch ${branch} not found in ${of.dir}`);
    return sha;
  }

  function openPull(
    fullName: string,
    options: {
      head: string;
      base: string;
      author: string;
      title?: string;
      /** The head branch came from a fork since deleted (the branch must exist here anyway). */
      fromDeletedFork?: boolean;
    },
  ): StoredPull {
    const of = mustRepo(fullName);
    const author = mustUser(options.author);
    const headSha = tipOf(of, options.head);
    const baseSha = tipOf(of, options.base);
    counters.pull += 1;
    counters.issue += 1;
    const now = timestamp();
    const pr: StoredPull = {
      id: counters.pull,
      issueId: counters.issue,
      number: of.nextIndex,
      title: options.title ?? `Merge ${options.head} into ${options.base}`,
      authorId: author.id,
      head: options.head,
      base: options.base,
      headSha,
      mergeBase: mergeBaseSync(of.dir, baseSha, headSha),
      state: "open",
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      headRepoDeleted: options.fromDeletedFork ?? false,
    };
    of.nextIndex += 1;
    pulls.get(of.key)?.set(pr.number, pr);
    updateRefSync(of.dir, `refs/pull/${pr.number}/head`, headSha);
    return pr;
  }

  function syncPull(fullName: string, number: number, options: { at?: Date } = {}): string {
    const { repo: of, pull: pr } = mustPull(fullName, number);
    pr.headSha = tipOf(of, pr.head);
    updateRefSync(of.dir, `refs/pull/${pr.number}/head`, pr.headSha);
    pr.mergeBase = mergeBaseSync(of.dir, tipOf(of, pr.base), pr.headSha);
    pr.updatedAt = timestamp(options.at);
    return pr.headSha;
  }

  function closePull(fullName: string, number: number): void {
    const { pull: pr } = mustPull(fullName, number);
    pr.state = "closed";
    pr.closedAt = timestamp();
    pr.updatedAt = pr.closedAt;
  }

  function addComment(of: StoredRepo, number: number, userId: number, body: string) {
    counters.comment += 1;
    const now = timestamp();
    const comment: StoredComment = {
      id: counters.comment,
      repoKey: of.key,
      number,
      body,
      userId,
      createdAt: now,
      updatedAt: now,
    };
    comments.set(comment.id, comment);
    return comment;
  }

  function addCommentAs(fullName: string, number: number, login: string, body: string) {
    const { repo: of } = mustPull(fullName, number);
    return addComment(of, number, mustUser(login).id, body);
  }

  const commentsOf = (of: StoredRepo, number: number) =>
    [...comments.values()].filter((c) => c.repoKey === of.key && c.number === number);

  /** False when the body did not change (Gitea then writes nothing and sends no webhook). */
  function editComment(comment: StoredComment, body: string): boolean {
    if (comment.body === body) return false;
    comment.body = body;
    comment.updatedAt = timestamp();
    return true;
  }

  function react(commentId: number, userId: number, content: string) {
    const list = reactions.get(commentId) ?? [];
    reactions.set(commentId, list);
    const existing = list.find((r) => r.userId === userId && r.content === content);
    if (existing) return { reaction: existing, created: false };
    const reaction = { userId, content, createdAt: timestamp() };
    list.push(reaction);
    return { reaction, created: true };
  }

  const statusKey = (of: StoredRepo, sha: string) => `${of.key}@${sha}`;

  function addStatus(
    of: StoredRepo,
    sha: string,
    fields: NewStatus,
    creatorId: number,
    createdAt: Date = new Date(),
  ) {
    const list = statuses.get(statusKey(of, sha)) ?? [];
    statuses.set(statusKey(of, sha), list);
    const now = timestamp(createdAt);
    const status = {
      ...fields,
      index: list.length + 1,
      sha,
      creatorId,
      createdAt: now,
      updatedAt: now,
    };
    list.push(status);
    return status;
  }

  return {
    repoRoot,
    addUser,
    user,
    userById,
    userByToken,
    mustUser,
    addRepo,
    repo,
    mustRepo,
    permission,
    setPermission,
    openPull,
    syncPull,
    closePull,
    pull,
    mustPull,
    pulls: (of: StoredRepo) => [...(pulls.get(of.key)?.values() ?? [])],
    addComment,
    addCommentAs,
    commentsOf,
    comment: (id: number) => comments.get(id),
    editComment,
    react,
    reactionsOf: (commentId: number) => [...(reactions.get(commentId) ?? [])],
    addStatus,
    statusesOf: (of: StoredRepo, sha: string) => [...(statuses.get(statusKey(of, sha)) ?? [])],
    dropStatuses: (of: StoredRepo, sha: string) => void statuses.delete(statusKey(of, sha)),
    dropComments(of: StoredRepo, number: number) {
      for (const c of commentsOf(of, number)) comments.delete(c.id);
    },
  };
}

export type DoubleState = ReturnType<typeof createDoubleState>;
