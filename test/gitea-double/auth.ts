/**
 * Gitea's credential parsing, shared by the API and git routes (CONTRACT §4.2, §5):
 * `token <T>` / `Bearer <T>` (`token` case-sensitive up to 1.24), or Basic with the token as the
 * username (empty password or `x-oauth-basic`) or as the password (any username).
 */
import { versionAtLeast } from "./permissions.ts";
import type { DoubleState, StoredUser } from "./state.ts";
import type { GiteaVersion } from "./types.ts";

export type AuthResult =
  | { kind: "anonymous" }
  | { kind: "invalid" }
  | { kind: "user"; user: StoredUser };

/** The token a request offers, or null when it offers no credentials Gitea understands. */
export function offeredToken(header: string | undefined, version: GiteaVersion): string | null {
  if (!header) return null;
  const match = /^(\S+)\s+(.+)$/.exec(header.trim());
  if (!match) return null;
  const [, scheme = "", value = ""] = match;
  const lower = scheme.toLowerCase();
  const tokenScheme = versionAtLeast(version, "1.25") ? lower === "token" : scheme === "token";
  if (tokenScheme || lower === "bearer") return value.trim() || null;
  if (lower !== "basic") return null;
  const decoded = Buffer.from(value.trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const username = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? "" : decoded.slice(colon + 1);
  const candidate = password === "" || password === "x-oauth-basic" ? username : password;
  return candidate || null;
}

export function authenticate(
  state: DoubleState,
  header: string | undefined,
  version: GiteaVersion,
): AuthResult {
  const token = offeredToken(header, version);
  if (token === null) return { kind: "anonymous" };
  const user = state.userByToken(token);
  return user ? { kind: "user", user } : { kind: "invalid" };
}

/**
 * Who an anonymous caller is: Gitea lets anyone read a public repository (API reads and git
 * fetches) and hides a private one behind a 404; everything else needs a token.
 */
export const ANONYMOUS: StoredUser = {
  id: -1,
  login: "",
  token: "",
  isAdmin: false,
  createdAt: "1970-01-01T00:00:00Z",
};
