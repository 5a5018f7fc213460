/**
 * A fixture as the rest of the code sees it once fixtures.yaml is loaded (config/manifest.ts
 * parses and normalises it). It lives in shared/ because the engine judges fixtures and must not
 * import config/.
 */

export const ALLOW_VALUES = [
  "delete",
  "empty",
  "mode",
  "binary",
  "invalid-yaml",
  "whitespace",
  "unversioned-config",
] as const;
export type Allowance = (typeof ALLOW_VALUES)[number];

/** The CI tiers a bad canary goes red at, in the order the harness runs them. */
export const TIERS = ["install", "upgrade", "backup", "restore", "custom"] as const;
export type Tier = (typeof TIERS)[number];

export type ChangeRule = {
  /** A glob; or, for a rule that `sources` marks, a description of what it matches. */
  path: string;
  /**
   * "config-sources": the rule matches the files a swarm config or secret of the default
   * deployment reads (`file:`) at the pin; "compose-files": the compose files the recipe's
   * deployments merge (COMPOSE_FILE's, subfolders included). Whatever their names: tier presets
   * use them; manifests cannot.
   */
  sources?: "config-sources" | "compose-files";
  lines: string[];
  keys: string[];
  maxLines: number | null;
  allow: Allowance[];
};

export type Fixture = {
  name: string;
  repo: string;
  branch: string;
  /** As written in the manifest, lower-cased: a full id or an abbreviation. */
  sha: string;
  /** Branch (or full commit id) the fixture was cut from; null for a "good" canary. */
  base: string | null;
  expect: string | null;
  maxCommits: number | null;
  /** The tier the canary must go red at; its checks (and, without `change`, its preset) apply. */
  tier: Tier | null;
  change: ChangeRule[];
};
