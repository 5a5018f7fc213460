/**
 * Validators for the names that come from fixtures.yaml or a webhook and end up in a git command
 * line or a file path: branch names, repository slugs, object ids. They are pure and strict: a
 * value that passes can never be read by git as an option, and can never leave the data directory.
 */

/** Why `name` is not a safe branch name (git check-ref-format rules, plus our own), or null. */
export function branchNameProblem(name: string): string | null {
  if (name.length === 0) return "must not be empty";
  if (name.length > 200) return "must be at most 200 characters";
  if (name.startsWith("-")) return 'must not start with "-" (it would be read as a git option)';
  if (name.startsWith("/") || name.endsWith("/")) return 'must not start or end with "/"';
  if (name.endsWith(".")) return 'must not end with "."';
  if (name.includes("//")) return 'must not contain "//"';
  if (name.includes("..")) return 'must not contain ".."';
  if (name.includes("@{")) return 'must not contain "@{"';
  if (name === "@" || name === "HEAD") return `must not be "${name}"`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what git refuses
  const bad = /[\x00-\x20\x7f~^:?*[\\]/.exec(name);
  if (bad)
    return `must not contain ${JSON.stringify(bad[0])} (git refuses spaces, control characters and ~^:?*[\\)`;
  for (const part of name.split("/")) {
    if (part.startsWith(".")) return 'no path component may start with "."';
    if (part.endsWith(".lock")) return 'no path component may end with ".lock"';
  }
  return null;
}

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const SHORT_ID = /^[0-9a-f]{4,64}$/;

/** A full SHA-1 or SHA-256 object id, lower-case. */
export function isObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}

/** A (possibly abbreviated) object id git can disambiguate: 4 to 64 lower-case hex characters. */
export function isObjectIdPrefix(value: string): boolean {
  return SHORT_ID.test(value);
}

const SLUG_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

/** Why `repo` is not an `owner/name` slug on the configured Gitea host, or null. */
export function repoSlugProblem(repo: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(repo) || repo.startsWith("//") || repo.includes("@")) {
    return 'must be "owner/name" on the configured Gitea host, not a URL';
  }
  const parts = repo.split("/");
  if (parts.length !== 2) return 'must be exactly "owner/name"';
  for (const part of parts) {
    if (part === "." || part === ".." || part.includes(".."))
      return 'must not contain ".." (path traversal)';
    if (!SLUG_PART.test(part)) {
      return 'must be "owner/name", each made of letters, digits, "_", "-" and "." (not starting with "." or "-")';
    }
    if (part.toLowerCase().endsWith(".git")) return 'must not end with ".git"';
  }
  return null;
}

/** Gitea looks repositories up without regard to case: `Org/Repo` and `org/repo` are one. */
export function sameRepoName(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}
