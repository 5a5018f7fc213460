/**
 * The fields of Gitea's API responses that the bot reads, snake_case as Gitea sends them. Zod
 * checks them, so a proxy's HTML error page or an unexpected version surfaces as a clear error.
 */
import { z } from "zod";

export const User = z.object({ id: z.number(), login: z.string() });
export type User = z.infer<typeof User>;

export const Repository = z.object({ full_name: z.string(), default_branch: z.string() });
export type Repository = z.infer<typeof Repository>;

/** A branch (the fields read here): its name and the commit at its tip. */
export const Branch = z.object({ name: z.string(), commit: z.object({ id: z.string() }) });
export type Branch = z.infer<typeof Branch>;

export const Comment = z.object({
  id: z.number(),
  body: z.string(),
  user: User.nullable(),
  html_url: z.string().optional(),
});
export type Comment = z.infer<typeof Comment>;

export const PullRequest = z.object({
  number: z.number(),
  state: z.string(),
  html_url: z.string().optional(),
  head: z.object({
    ref: z.string(),
    sha: z.string(),
    repo: z.object({ full_name: z.string() }).nullish(),
  }),
  base: z.object({ ref: z.string(), sha: z.string() }),
  updated_at: z.string().optional(),
});
export type PullRequest = z.infer<typeof PullRequest>;

/** Gitea names the state `status` in responses (and `state` in requests). */
export const CommitStatus = z.object({
  id: z.number(),
  status: z.string(),
  context: z.string(),
  description: z.string().nullish(),
  target_url: z.string().nullish(),
  created_at: z.string(),
  updated_at: z.string().optional(),
});
export type CommitStatus = z.infer<typeof CommitStatus>;

export const CollaboratorPermission = z.object({ permission: z.string() });

export type StatusState = "pending" | "success" | "failure" | "error" | "warning";

export type NewStatus = {
  state: StatusState;
  description: string;
  context: string;
  target_url?: string;
};
