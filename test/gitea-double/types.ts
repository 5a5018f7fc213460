/** The public shapes of the Gitea test double (see index.ts). */

export type Permission = "none" | "read" | "write" | "admin" | "owner";

export type GiteaVersion = "1.23" | "1.24" | "1.25" | "1.26";

export type DoubleUser = { id: number; login: string; token: string; isAdmin: boolean };

export type DoubleComment = {
  id: number;
  body: string;
  user: { id: number; login: string };
  created_at: string;
  updated_at: string;
};

export type DoubleStatus = {
  id: number;
  status: string;
  context: string;
  description: string;
  target_url: string;
  creator: { login: string };
  created_at: string;
};

/** status 0: the double reset the connection (setDown) or the client went away first. */
export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  kind: "api" | "git";
};

export type CommentEvent = {
  action: "created" | "edited";
  fullName: string;
  number: number;
  comment: DoubleComment;
  sender: DoubleUser;
};

export type FailNextOptions = {
  status?: number;
  match?: (r: { method: string; path: string }) => boolean;
  /** A Retry-After header on the failure (seconds, or an HTTP date), as a proxy sends with 429. */
  retryAfter?: string;
};

export type GiteaDoubleOptions = {
  /** Directory holding `<owner>/<name>.git` bare repositories. */
  repoRoot: string;
  /** Default "1.26"; only switches the version-dependent quirks. */
  version?: GiteaVersion;
};

export interface GiteaDouble {
  /** ROOT_URL without the trailing slash; the API is at `${url}/api/v1`. */
  readonly url: string;
  addUser(login: string, options?: { isAdmin?: boolean }): DoubleUser;
  addRepo(fullName: string, options?: { defaultBranch?: string; private?: boolean }): void;
  setPermission(fullName: string, login: string, permission: Permission): void;
  openPull(
    fullName: string,
    options: {
      head: string;
      base: string;
      author: string;
      title?: string;
      /** The head came from a fork that has since been deleted (Gitea then gives no head repo). */
      fromDeletedFork?: boolean;
    },
  ): { number: number; headSha: string };
  /** New commits on the head branch; `at` is the PR's updated_at (default now, to the second). */
  syncPull(fullName: string, number: number, options?: { at?: Date }): string;
  /**
   * Gitea loses what it stored (restored from a backup, a database repair): the commit's statuses,
   * or the PR's comments, are gone.
   */
  dropStatuses(fullName: string, sha: string): void;
  dropComments(fullName: string, number: number): void;
  closePull(fullName: string, number: number): void;
  addComment(fullName: string, number: number, login: string, body: string): DoubleComment;
  comments(fullName: string, number: number): DoubleComment[];
  statuses(fullName: string, sha: string): DoubleStatus[];
  /** Store a status as if `as` had posted it `ageMs` ago (a status left by an earlier process). */
  addStatus(
    fullName: string,
    sha: string,
    fields: {
      state: "pending" | "success" | "failure" | "error" | "warning";
      context: string;
      description?: string;
      target_url?: string;
    },
    options: { as?: string; ageMs?: number },
  ): void;
  reactions(commentId: number): { user: string; content: string }[];
  readonly requests: RecordedRequest[];
  readonly violations: string[];
  failNext(count: number, options?: FailNextOptions): void;
  setDown(down: boolean): void;
  /** Matching API requests wait unanswered until the returned release() is called. */
  hold(match?: (r: { method: string; path: string }) => boolean): () => void;
  /** Git requests wait, unanswered, until the returned function is called (a stalled git). */
  holdGit(): () => void;
  /** The next `count` git requests answer `status` (default 500). */
  failGitNext(count: number, status?: number): void;
  onComment?: (event: CommentEvent) => void;
  close(): Promise<void>;
}
