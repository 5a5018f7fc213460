/** The records the double keeps in memory (camelCase; to-json.ts turns them into Gitea's JSON). */
import type { DoubleUser, Permission } from "./types.ts";

export type StoredUser = DoubleUser & { createdAt: string };

export type StoredRepo = {
  id: number;
  key: string;
  owner: string;
  name: string;
  fullName: string;
  dir: string;
  defaultBranch: string;
  isPrivate: boolean;
  grants: Map<string, Permission>;
  nextIndex: number;
  createdAt: string;
};

export type StoredPull = {
  id: number;
  issueId: number;
  number: number;
  title: string;
  authorId: number;
  head: string;
  base: string;
  headSha: string;
  mergeBase: string;
  state: "open" | "closed";
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** The head branch was in a fork that has since been deleted: Gitea then gives no head repo. */
  headRepoDeleted: boolean;
};

export type StoredComment = {
  id: number;
  repoKey: string;
  number: number;
  body: string;
  userId: number;
  createdAt: string;
  updatedAt: string;
};

export type StoredStatus = {
  index: number;
  sha: string;
  state: string;
  context: string;
  description: string;
  targetUrl: string;
  creatorId: number;
  createdAt: string;
  updatedAt: string;
};

export type StoredReaction = { userId: number; content: string; createdAt: string };

export type NewStatus = Pick<StoredStatus, "state" | "context" | "description" | "targetUrl">;
