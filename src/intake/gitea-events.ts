/**
 * Gitea (and Forgejo) deliveries -> jobs. Zod reads only the payload fields we use (Gitea adds
 * fields every release; older ones lack some), and `toJob` is pure: it decides from the event, the
 * payload and the current manifest whether there is work, without any I/O. Route on
 * X-Gitea-Event-Type (or Forgejo's X-Forgejo-Event-Type, see `readDeliveryHeaders`): Gitea says
 * `synchronized` (not GitHub's `synchronize`) and a PR comment is `pull_request_comment` under
 * X-Gitea-Event `issue_comment` with `is_pull: true`. Forgejo, a fork of Gitea, sends the same
 * event types and payloads.
 */
import { randomUUID } from "node:crypto";
import { type Node, Parser } from "commonmark";
import { z } from "zod";
import { fixturesOnBranch, type Manifest } from "../config/manifest.ts";
import { branchNameProblem, isObjectId, repoSlugProblem, sameRepoName } from "../config/names.ts";
import { tierOfContext } from "../outcome/observed.ts";
import type { Job } from "../queue/job.ts";

const Slug = z
  .string()
  .refine((s) => repoSlugProblem(s) === null, { error: "is not an owner/name slug" });
const Sha = z.string().refine(isObjectId, { error: "is not a full commit id" });
const Branch = z
  .string()
  .refine((b) => branchNameProblem(b) === null, { error: "is not a valid branch name" });

const User = z.object({ id: z.number(), login: z.string() });
const Repository = z.object({
  id: z.number().optional(),
  full_name: Slug,
  default_branch: z.string().optional(),
});
const BranchInfo = z.object({
  ref: z.string(),
  sha: Sha,
  repo_id: z.number().optional(),
  repo: z.object({ full_name: Slug }).nullish(),
});

export const PullRequestPayload = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  changes: z.object({ ref: z.object({ from: z.string() }).optional() }).nullish(),
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.string().optional(),
    head: BranchInfo,
    base: BranchInfo,
    /** Gitea's last change of the PR: which of two deliveries speaks of the newer head. */
    updated_at: z.string().optional(),
  }),
  repository: Repository,
  sender: User,
});

export const IssueCommentPayload = z.object({
  action: z.string(),
  is_pull: z.boolean().optional(),
  issue: z.object({ number: z.number().int().positive(), pull_request: z.unknown().nullish() }),
  comment: z.object({ id: z.number(), body: z.string(), user: User }),
  repository: Repository,
  sender: User,
});

export const PushPayload = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  repository: Repository,
});

export type RouteContext = {
  manifest: Manifest;
  /** owner/name of the repository holding the manifest, when it lives in Gitea. */
  fixturesRepo: string | null;
  /** The bot's own Gitea user id, so its own comments never trigger it. */
  botUserId: number | null;
};

export type Delivery = { id: string; eventType: string; receivedAt: string };

/**
 * Where a delivery's id, fine event type and coarse event arrive: Gitea's name, then Forgejo's.
 * Header lookups are case-insensitive.
 */
const HEADER_PAIRS = [
  ["X-Gitea-Delivery", "X-Forgejo-Delivery"],
  ["X-Gitea-Event-Type", "X-Forgejo-Event-Type"],
  ["X-Gitea-Event", "X-Forgejo-Event"],
] as const;

/**
 * The delivery id and event type from the request headers. Forgejo sends each under its own name
 * (`X-Forgejo-Delivery`, `X-Forgejo-Event-Type`, `X-Forgejo-Event`) and, today, under Gitea's
 * too, all filled from one value; Gitea sends only its own. Either name alone is enough. When both
 * are sent they must agree, or the delivery is refused: these headers are not signed, and a pair
 * that differs means something between the forge and the bot rewrote one of them, so neither can
 * be trusted to route the payload or to recognise a repeated delivery. The fine event type is
 * preferred; before Gitea 1.16 there is only the coarse event. `X-GitHub-Delivery` is the last
 * resort for the id.
 */
export function readDeliveryHeaders(
  header: (name: string) => string | undefined,
): { id: string; eventType: string } | { conflict: string } {
  const values: (string | undefined)[] = [];
  for (const [gitea, forgejo] of HEADER_PAIRS) {
    const a = header(gitea);
    const b = header(forgejo);
    if (a !== undefined && b !== undefined && a !== b) {
      return { conflict: `${gitea} and ${forgejo} disagree` };
    }
    values.push(a ?? b);
  }
  const [id, eventType, event] = values;
  return { id: id ?? header("X-GitHub-Delivery") ?? "", eventType: eventType ?? event ?? "" };
}

/** A `status` delivery (Gitea 1.23+: a commit status was posted); CommitStatusPayload's fields read here. */
export const StatusPayload = z.object({
  sha: Sha,
  context: z.string(),
  state: z.string(),
  repository: Repository,
  sender: User.nullish(),
});

export type Routed = { job: Job } | { ignored: string } | { invalid: string };

const PR_ACTIONS = new Set(["opened", "reopened", "synchronized", "edited"]);

export function toJob(delivery: Delivery, payload: unknown, ctx: RouteContext): Routed {
  switch (delivery.eventType) {
    case "pull_request":
    case "pull_request_sync":
      return fromPullRequest(delivery, payload, ctx);
    case "pull_request_comment":
    case "issue_comment":
      return fromComment(delivery, payload, ctx);
    case "push":
      return fromPush(delivery, payload, ctx);
    case "status":
      return fromStatus(delivery, payload, ctx);
    default:
      return { ignored: `event "${delivery.eventType}" is not one fixture-bot handles` };
  }
}

/**
 * The recipe CI's status on a canary's pinned commit: read that canary's outcome again. Any other
 * status (the bot's own, another context, a commit no canary pins) is none of its business.
 */
function fromStatus(delivery: Delivery, payload: unknown, ctx: RouteContext): Routed {
  const parsed = StatusPayload.safeParse(payload);
  if (!parsed.success) return invalid(parsed.error);
  const status = parsed.data;
  const pattern = ctx.manifest.ci?.statusContext;
  if (!pattern) return { ignored: "the manifest's ci: block names no status_context" };
  if (ctx.botUserId !== null && status.sender?.id === ctx.botUserId)
    return { ignored: "a status fixture-bot posted itself" };
  if (tierOfContext(status.context, pattern) === null)
    return {
      ignored: `context ${JSON.stringify(status.context)} is not the recipe CI's (${pattern})`,
    };
  const repo = status.repository.full_name;
  const names = ctx.manifest.fixtures
    .filter((f) => sameRepoName(f.repo, repo) && status.sha.startsWith(f.sha))
    .map((f) => f.name);
  if (names.length === 0) return { ignored: `${status.sha.slice(0, 12)} is no canary's pin` };
  return { job: { ...base(delivery, repo), kind: "outcome", sha: status.sha, names } };
}

function base(delivery: Delivery, repo: string) {
  return { id: randomUUID(), deliveryId: delivery.id, repo, receivedAt: delivery.receivedAt };
}

function invalid(error: z.ZodError): { invalid: string } {
  const first = error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "payload"} ${i.message}`);
  return { invalid: `payload does not look like a Gitea delivery: ${first.join("; ")}` };
}

function fixturesOn(ctx: RouteContext, repo: string, branch: string): string[] {
  return fixturesOnBranch(ctx.manifest, repo, branch).map((f) => f.name);
}

function repoHasFixtures(ctx: RouteContext, repo: string): boolean {
  return (
    sameRepoName(repo, ctx.fixturesRepo) ||
    ctx.manifest.fixtures.some((f) => sameRepoName(f.repo, repo))
  );
}

function fromPullRequest(delivery: Delivery, payload: unknown, ctx: RouteContext): Routed {
  const parsed = PullRequestPayload.safeParse(payload);
  if (!parsed.success) return invalid(parsed.error);
  const { action, pull_request: pr, repository, changes } = parsed.data;
  if (!PR_ACTIONS.has(action))
    return { ignored: `pull_request action "${action}" needs no verification` };
  if (action === "edited" && !changes?.ref)
    return { ignored: "pull request edited without a base change" };
  const repo = repository.full_name;
  // head.repo is absent in trimmed payloads and for a deleted fork (repo_id -1); an AGit PR's head
  // is the base repository with ref refs/pull/<n>/head, which no fixture branch can be.
  const fromFork = pr.head.repo
    ? !sameRepoName(pr.head.repo.full_name, repo)
    : pr.head.repo_id !== repository.id;
  const candidates = fromFork ? [] : fixturesOn(ctx, repo, pr.head.ref);
  const manifestRepo = sameRepoName(repo, ctx.fixturesRepo);
  if (candidates.length === 0 && !manifestRepo) {
    return {
      ignored: fromFork
        ? "the head branch is in a fork; fixture branches live in the fixture repository"
        : `no fixture in ${repo} uses branch ${pr.head.ref}`,
    };
  }
  if (candidates.length === 0 && fromFork) {
    // A fork's manifest would make the bot fetch any repository its token can read.
    return {
      ignored:
        "a pull request from a fork to the manifest repository runs only on /verify by a writer",
    };
  }
  if (branchNameProblem(pr.base.ref) !== null) return { ignored: "the base is not a branch" };
  return {
    job: {
      ...base(delivery, repo),
      kind: "pull",
      number: pr.number,
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      trigger: action,
      only: null,
      fromFork,
      updatedAt: pr.updated_at ?? null,
    },
  };
}

function fromComment(delivery: Delivery, payload: unknown, ctx: RouteContext): Routed {
  const parsed = IssueCommentPayload.safeParse(payload);
  if (!parsed.success) return invalid(parsed.error);
  const { action, comment, issue, repository, sender, is_pull } = parsed.data;
  const isPull = is_pull ?? (issue.pull_request !== null && issue.pull_request !== undefined);
  if (!isPull) return { ignored: "a comment on an issue, not a pull request" };
  if (action !== "created") return { ignored: `comment action "${action}" needs no verification` };
  if (
    ctx.botUserId !== null &&
    (sender.id === ctx.botUserId || comment.user.id === ctx.botUserId)
  ) {
    return { ignored: "a comment by fixture-bot itself" };
  }
  const command = parseVerifyCommand(comment.body);
  if (command === null) {
    return {
      ignored:
        comment.body.length > MAX_COMMAND_COMMENT
          ? `a comment over ${MAX_COMMAND_COMMENT} characters is not read for /verify`
          : "no /verify command in the comment",
    };
  }
  if (!repoHasFixtures(ctx, repository.full_name)) {
    return { ignored: `${repository.full_name} holds no fixtures` };
  }
  return {
    job: {
      ...base(delivery, repository.full_name),
      kind: "command",
      number: issue.number,
      commentId: comment.id,
      user: sender.login,
      only: command.names.length > 0 ? command.names : null,
    },
  };
}

function fromPush(delivery: Delivery, payload: unknown, ctx: RouteContext): Routed {
  const parsed = PushPayload.safeParse(payload);
  if (!parsed.success) return invalid(parsed.error);
  const { ref, after, repository } = parsed.data;
  if (!ref.startsWith("refs/heads/")) return { ignored: `a push to ${ref}, not to a branch` };
  if (!isObjectId(after) || /^0+$/.test(after)) return { ignored: "a branch deletion" };
  const branch = ref.slice("refs/heads/".length);
  if (!Branch.safeParse(branch).success) return { ignored: "not a valid branch name" };
  const repo = repository.full_name;
  const manifestBranch =
    sameRepoName(repo, ctx.fixturesRepo) && branch === (repository.default_branch ?? null);
  if (!manifestBranch && fixturesOn(ctx, repo, branch).length === 0) {
    return { ignored: `no fixture in ${repo} uses branch ${branch}` };
  }
  return {
    job: {
      ...base(delivery, repo),
      kind: "push",
      branch,
      after,
      defaultBranch: repository.default_branch ?? null,
    },
  };
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
/**
 * Longer comments are not read for a command: parsing Markdown costs up to about 2 ms per KiB
 * (runs of emphasis or link brackets), and it runs before the 202. A command is a line a person
 * types; a comment this long is a pasted log.
 */
export const MAX_COMMAND_COMMENT = 64 * 1024;

/**
 * `/verify [name...]` as the first word of a line of a top-level paragraph, as CommonMark (and so
 * Gitea) renders the comment. Nothing else is a command: a block quote (lazy continuation lines
 * included), code (fenced with ``` or ~~~, closed or not, or indented by four columns, tabs
 * included), an HTML block or comment, inline code, a heading, and a list item (`- /verify` is
 * someone listing or citing the command, and was never one). Returns the names given (possibly
 * none), or null when there is no command or the comment is over MAX_COMMAND_COMMENT characters.
 */
export function parseVerifyCommand(body: string): { names: string[] } | null {
  if (body.length > MAX_COMMAND_COMMENT || !body.includes("/verify")) return null;
  const document = new Parser().parse(body);
  for (let block = document.firstChild; block !== null; block = block.next) {
    if (block.type !== "paragraph") continue;
    for (const line of paragraphLines(block)) {
      const words = line.trim().split(/\s+/);
      if (words[0] !== "/verify") continue;
      const names: string[] = [];
      for (const word of words.slice(1)) {
        if (!NAME.test(word) || word.length > 100) break;
        names.push(word);
      }
      return { names };
    }
  }
  return null;
}

/**
 * The rendered lines of a paragraph, each cut at its first inline that is not plain text: a line
 * that starts with code, emphasis, a link or inline HTML yields "", and an HTML comment or a code
 * span that spans lines keeps what it covers off the lines it crosses.
 */
function paragraphLines(paragraph: Node): string[] {
  const lines: string[] = [];
  let line = "";
  let plain = true;
  for (let inline = paragraph.firstChild; inline !== null; inline = inline.next) {
    if (inline.type === "softbreak" || inline.type === "linebreak") {
      lines.push(line);
      line = "";
      plain = true;
    } else if (inline.type === "text" && plain) {
      line += inline.literal ?? "";
    } else {
      plain = false;
    }
  }
  lines.push(line);
  return lines;
}
