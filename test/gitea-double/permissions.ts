/** Gitea's access modes, ordered, and how a user's mode on a repository is worked out. */
import type { GiteaVersion, Permission } from "./types.ts";

const LEVELS: readonly Permission[] = ["none", "read", "write", "admin", "owner"];

export function isPermission(value: string): value is Permission {
  return (LEVELS as readonly string[]).includes(value);
}

export function atLeast(have: Permission, need: Permission): boolean {
  return LEVELS.indexOf(have) >= LEVELS.indexOf(need);
}

function max(a: Permission, b: Permission): Permission {
  return atLeast(a, b) ? a : b;
}

/**
 * Owner first, then site admin (Gitea gives admins "admin" everywhere), then an explicit grant;
 * everybody can read a public repository.
 */
export function effectivePermission(input: {
  isOwner: boolean;
  isSiteAdmin: boolean;
  explicit: Permission | undefined;
  isPrivate: boolean;
}): Permission {
  if (input.isOwner) return "owner";
  let level: Permission = input.isPrivate ? "none" : "read";
  if (input.explicit) level = max(level, input.explicit);
  if (input.isSiteAdmin) level = max(level, "admin");
  return level;
}

export function versionAtLeast(version: GiteaVersion, wanted: GiteaVersion): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  const [c = 0, d = 0] = wanted.split(".").map(Number);
  return a !== c ? a > c : b >= d;
}
