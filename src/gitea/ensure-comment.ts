/**
 * One report comment per pull request: found again by its hidden marker among the comments the
 * bot's own user wrote, edited in place, and left alone when the body would not change (an edit
 * with the same body would still cost an API call and, on some versions, a notification).
 */
import type { GiteaClient } from "./client.ts";

export type EnsureResult = { action: "created" | "edited" | "unchanged"; commentId: number };

export async function ensureComment(
  client: GiteaClient,
  target: { repo: string; number: number; botLogin: string; marker: string },
  body: string,
): Promise<EnsureResult> {
  const comments = await client.listComments(target.repo, target.number);
  const mine = comments.filter(
    (c) => c.user?.login === target.botLogin && c.body.includes(target.marker),
  );
  const existing = mine[0];
  if (!existing) {
    const created = await client.createComment(target.repo, target.number, body);
    return { action: "created", commentId: created.id };
  }
  // Gitea may normalise trailing whitespace; compare what a reader sees.
  if (existing.body.trim() === body.trim()) return { action: "unchanged", commentId: existing.id };
  await client.editComment(target.repo, existing.id, body);
  return { action: "edited", commentId: existing.id };
}
