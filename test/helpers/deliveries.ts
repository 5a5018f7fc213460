/**
 * Webhook deliveries exactly as Gitea sends them: the captured payloads from
 * test/fixtures/gitea-payloads (bodies byte-exact, headers with real HMACs), and new ones built
 * from those captures for the repositories a test creates, pretty-printed like Gitea's
 * json.MarshalIndent and signed like deliver.go.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PAYLOADS = fileURLToPath(new URL("../fixtures/gitea-payloads/", import.meta.url));
/** The secret the captured headers were signed with. */
export const CAPTURE_SECRET = "gitea-webhook-test-secret";

export type Delivery = { headers: Record<string, string>; body: string };

export const CAPTURED = [
  "pull_request.opened",
  "pull_request.synchronized",
  "pull_request.synchronized.legacy-trimmed",
  "issue_comment.pull_request_comment.created",
  "issue_comment.pull_request_comment.created.gitea-1.16",
  "push",
  "push.force",
] as const;

/** A captured delivery: the body file's bytes and its headers file's headers. */
export function captured(name: (typeof CAPTURED)[number]): Delivery {
  const body = readFileSync(`${PAYLOADS}${name}.json`, "utf8");
  const meta = JSON.parse(readFileSync(`${PAYLOADS}${name}.headers.json`, "utf8")) as {
    headers: Record<string, string>;
  };
  const headers = Object.fromEntries(
    Object.entries(meta.headers).filter(([k]) => !["Host", "Content-Length"].includes(k)),
  );
  return { headers, body };
}

export function template(name: (typeof CAPTURED)[number]): Record<string, unknown> {
  return JSON.parse(readFileSync(`${PAYLOADS}${name}.json`, "utf8")) as Record<string, unknown>;
}

export function signatures(body: string, secret: string): Record<string, string> {
  const sha256 = createHmac("sha256", secret).update(body).digest("hex");
  const sha1 = createHmac("sha1", secret).update(body).digest("hex");
  return {
    "X-Gitea-Signature": sha256,
    "X-Gogs-Signature": sha256,
    "X-Hub-Signature": `sha1=${sha1}`,
    "X-Hub-Signature-256": `sha256=${sha256}`,
  };
}

const COARSE: Record<string, string> = {
  pull_request_sync: "pull_request",
  pull_request_comment: "issue_comment",
};

/** Headers and body as Gitea 1.24+ would deliver `payload` for the fine event type. */
export function delivery(
  eventType: string,
  payload: unknown,
  secret: string,
  id: string = randomUUID(),
): Delivery {
  const body = JSON.stringify(payload, null, 2);
  const event = COARSE[eventType] ?? eventType;
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "Go-http-client/1.1",
      "X-Gitea-Delivery": id,
      "X-GitHub-Delivery": id,
      "X-Gitea-Event": event,
      "X-GitHub-Event": event,
      "X-Gitea-Event-Type": eventType,
      "X-GitHub-Event-Type": eventType,
      "X-Gitea-Hook-Installation-Target-Type": "repository",
      ...signatures(body, secret),
    },
  };
}

type RepoRef = { fullName: string; id?: number; defaultBranch?: string };
type UserRef = { id: number; login: string };

function repository(repo: RepoRef): Record<string, unknown> {
  const base = template("pull_request.opened").repository as Record<string, unknown>;
  const [owner, name] = repo.fullName.split("/");
  return {
    ...base,
    id: repo.id ?? 1,
    name,
    full_name: repo.fullName,
    owner: { ...(base.owner as object), login: owner, username: owner },
    default_branch: repo.defaultBranch ?? "main",
  };
}

function user(u: UserRef): Record<string, unknown> {
  const base = template("pull_request.opened").sender as Record<string, unknown>;
  return {
    ...base,
    id: u.id,
    login: u.login,
    username: u.login,
    email: `${u.login}@noreply.localhost`,
  };
}

export function pullRequestPayload(options: {
  action: string;
  repo: RepoRef;
  number: number;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  sender: UserRef;
  changes?: Record<string, unknown>;
  /** The PR's updated_at (default: the captured payload's). */
  updatedAt?: string;
}): Record<string, unknown> {
  const t = template("pull_request.opened");
  const pr = t.pull_request as Record<string, unknown>;
  const repo = repository(options.repo);
  const branch = (b: { ref: string; sha: string }) => ({
    label: b.ref,
    ref: b.ref,
    sha: b.sha,
    repo_id: repo.id,
    repo,
  });
  return {
    ...t,
    action: options.action,
    number: options.number,
    ...(options.changes ? { changes: options.changes } : {}),
    pull_request: {
      ...pr,
      number: options.number,
      head: branch(options.head),
      base: branch(options.base),
      ...(options.updatedAt ? { updated_at: options.updatedAt } : {}),
    },
    repository: repo,
    sender: user(options.sender),
  };
}

export function commentPayload(options: {
  repo: RepoRef;
  number: number;
  commentId: number;
  body: string;
  sender: UserRef;
  action?: string;
}): Record<string, unknown> {
  const t = template("issue_comment.pull_request_comment.created");
  const comment = t.comment as Record<string, unknown>;
  const issue = t.issue as Record<string, unknown>;
  return {
    ...t,
    action: options.action ?? "created",
    issue: { ...issue, number: options.number },
    comment: { ...comment, id: options.commentId, body: options.body, user: user(options.sender) },
    repository: repository(options.repo),
    sender: user(options.sender),
    is_pull: true,
  };
}

export function pushPayload(options: {
  repo: RepoRef;
  branch: string;
  before: string;
  after: string;
  sender: UserRef;
}): Record<string, unknown> {
  const t = template("push");
  return {
    ...t,
    ref: `refs/heads/${options.branch}`,
    before: options.before,
    after: options.after,
    repository: repository(options.repo),
    pusher: user(options.sender),
    sender: user(options.sender),
  };
}

/**
 * A `status` delivery (Gitea 1.23+), shaped as Gitea's CommitStatusPayload
 * (modules/structs/hook.go): the commit, the context, the state, who posted it. No capture of
 * one is in ../shared/gitea/payloads, so the field list is read from that struct.
 */
export function statusPayload(options: {
  repo: RepoRef;
  sha: string;
  context: string;
  state: string;
  sender: UserRef;
  id?: number;
}): Record<string, unknown> {
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const repo = repository(options.repo);
  return {
    commit: {
      id: options.sha,
      message: "canary\n",
      url: `${String(repo.html_url ?? "")}/commit/${options.sha}`,
      author: {
        name: options.sender.login,
        email: `${options.sender.login}@noreply.localhost`,
        username: options.sender.login,
      },
      committer: {
        name: options.sender.login,
        email: `${options.sender.login}@noreply.localhost`,
        username: options.sender.login,
      },
      verification: null,
      timestamp: at,
      added: null,
      removed: null,
      modified: null,
    },
    context: options.context,
    created_at: at,
    description: "",
    id: options.id ?? 1,
    repository: repo,
    sender: user(options.sender),
    sha: options.sha,
    state: options.state,
    target_url: "",
    updated_at: at,
  };
}

/** The payload Gitea would send for a pull request as it is now in a Gitea (or the double). */
export async function currentPullPayload(options: {
  giteaUrl: string;
  token: string;
  repo: string;
  number: number;
  action: string;
  sender: UserRef;
  changes?: Record<string, unknown>;
}): Promise<Record<string, unknown>> {
  const res = await fetch(
    `${options.giteaUrl}/api/v1/repos/${options.repo}/pulls/${options.number}`,
    {
      headers: { authorization: `token ${options.token}` },
    },
  );
  const pr = (await res.json()) as {
    head: { ref: string; sha: string };
    base: { ref: string; sha: string };
    updated_at: string;
  };
  return pullRequestPayload({
    action: options.action,
    repo: { fullName: options.repo },
    number: options.number,
    head: pr.head,
    base: pr.base,
    updatedAt: pr.updated_at,
    sender: options.sender,
    ...(options.changes ? { changes: options.changes } : {}),
  });
}

/**
 * Forgejo's names for the headers it sends beside Gitea's, filled from the same values
 * (forgejo services/webhook/shared/payloader.go, AddDefaultHeaders).
 */
export const FORGEJO_HEADERS: Readonly<Record<string, string>> = {
  "X-Gitea-Delivery": "X-Forgejo-Delivery",
  "X-Gitea-Event": "X-Forgejo-Event",
  "X-Gitea-Event-Type": "X-Forgejo-Event-Type",
  "X-Gitea-Signature": "X-Forgejo-Signature",
};

/**
 * A Gitea delivery as Forgejo sends it: the same body, with X-Forgejo-Delivery, -Event,
 * -Event-Type and -Signature. `only: true` drops every other forge header (X-Gitea-*, X-Gogs-*,
 * X-GitHub-*, X-Hub-*), which Forgejo sends today but does not promise to; without it the delivery
 * carries both, as Forgejo sends it now (with no X-*-Hook-Installation-Target-Type, which Forgejo
 * does not send).
 */
export function asForgejo(d: Delivery, options: { only?: boolean } = {}): Delivery {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(d.headers)) {
    const forge = /^x-(gitea|gogs|github|hub)-/i.test(name);
    if (/-hook-installation-target-type$/i.test(name)) continue;
    if (!forge || !options.only) headers[name] = value;
    const forgejo = FORGEJO_HEADERS[name];
    if (forgejo) headers[forgejo] = value;
  }
  return { headers, body: d.body };
}
