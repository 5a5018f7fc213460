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
] as const;
export type Allowance = (typeof ALLOW_VALUES)[number];

export type ChangeRule = {
  path: string;
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
  change: ChangeRule[];
};
