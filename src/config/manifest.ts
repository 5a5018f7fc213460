/**
 * The schema of fixtures.yaml. Parsing (and line numbers) is `load-manifest.ts`'s job; this file
 * says what a valid manifest is and turns it into the normalised `Fixture` the rest of the code
 * uses. Every message is written to follow a key name: `sha "e1e3" must be 7 to 40 hex characters`.
 */

import { createHash } from "node:crypto";
import { z } from "zod";
import {
  ALLOW_VALUES,
  type Allowance,
  type ChangeRule,
  type Fixture,
  TIERS,
  type Tier,
} from "../shared/fixture.ts";
import { compileGlob } from "../shared/glob.ts";
import { parseKeyPattern } from "../shared/key-path.ts";
import { compileRe2 } from "../shared/re2-cache.ts";
import { branchNameProblem, isObjectId, repoSlugProblem, sameRepoName } from "./names.ts";

/** Longest `lines:` pattern accepted; patterns are untrusted (they can come from a PR). */
export const MAX_PATTERN_LENGTH = 500;

const YAML_PATH = /\.ya?ml$/i;

const FixtureName = z
  .string({ error: "must be a string" })
  .regex(/^[a-z0-9][a-z0-9._-]*$/, {
    error: 'must match [a-z0-9][a-z0-9._-]* (lower-case letters, digits, ".", "_", "-")',
  })
  .max(100, { error: "must be at most 100 characters" });

const RepoSlug = z.string({ error: "must be a string" }).superRefine((value, ctx) => {
  const problem = repoSlugProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const BranchName = z.string({ error: "must be a string" }).superRefine((value, ctx) => {
  const problem = branchNameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const Sha = z
  .string({ error: "must be a string of 7 to 40 hex characters (quote it if it is all digits)" })
  .regex(/^[0-9a-fA-F]{7,40}$/, { error: "must be 7 to 40 hex characters" })
  .transform((s) => s.toLowerCase());

/** A base is a branch name or a full 40-hex commit id. */
const BaseRef = z.string({ error: "must be a string" }).superRefine((value, ctx) => {
  if (isObjectId(value.toLowerCase())) return;
  if (/^[0-9a-fA-F]{7,39}$/.test(value)) {
    ctx.addIssue({
      code: "custom",
      message:
        "looks like an abbreviated commit id: a base commit must be the full 40 hex characters",
    });
    return;
  }
  const problem = branchNameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const Pattern = z
  .string({ error: "must be a string (a regular expression)" })
  .min(1, { error: "must not be empty" })
  .max(MAX_PATTERN_LENGTH, { error: `must be at most ${MAX_PATTERN_LENGTH} characters` })
  .superRefine((value, ctx) => {
    try {
      compileRe2(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      ctx.addIssue({
        code: "custom",
        message: `is not a valid RE2 regular expression (${reason}); lookaround and backreferences are not supported`,
      });
    }
  });

const Glob = z
  .string({ error: "must be a string (a path or glob)" })
  .min(1, { error: "must not be empty" })
  .max(500, { error: "must be at most 500 characters" })
  .superRefine((value, ctx) => {
    if (value.startsWith("/") || value.split("/").includes("..")) {
      ctx.addIssue({
        code: "custom",
        message: 'must be relative to the repository root, without ".."',
      });
      return;
    }
    try {
      compileGlob(value);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `is not a valid glob (${error instanceof Error ? error.message : String(error)})`,
      });
    }
  });

const KeyPath = z
  .string({ error: "must be a string (a dotted key path)" })
  .superRefine((value, ctx) => {
    const parsed = parseKeyPattern(value);
    if (typeof parsed === "string") {
      ctx.addIssue({
        code: "custom",
        message: `${parsed}; write a dotted key path such as "services.app.deploy.labels" ("*" matches one key, "a.b" in double quotes is one key)`,
      });
    }
  });

const Count = z
  .number({ error: "must be a whole number" })
  .int({ error: "must be a whole number" })
  .min(0, { error: "must be 0 or more" })
  .max(1_000_000, { error: "must be at most 1000000" });

export const ChangeRuleInput = z.strictObject({
  path: Glob,
  lines: z
    .union([Pattern, z.array(Pattern).min(1, { error: "must list at least one pattern" })], {
      error: "must be a pattern or a list of patterns",
    })
    .optional(),
  keys: z
    .array(KeyPath, { error: "must be a list of key paths" })
    .min(1, { error: "must list at least one key path" })
    .optional(),
  max_lines: Count.optional(),
  allow: z
    .array(
      z.enum(ALLOW_VALUES, {
        error: `must be one of ${ALLOW_VALUES.join(", ")}`,
      }),
      { error: `must be a list of: ${ALLOW_VALUES.join(", ")}` },
    )
    .optional(),
});

export const FixtureInput = z.strictObject({
  name: FixtureName,
  repo: RepoSlug.optional(),
  branch: BranchName,
  sha: Sha,
  base: BaseRef.nullable().optional(),
  expect: z
    .string({ error: "must be a string" })
    .max(200, { error: "must be at most 200 characters" })
    .optional(),
  max_commits: Count.optional(),
  tier: z.enum(TIERS, { error: `must be one of ${TIERS.join(", ")}` }).optional(),
  change: z
    .array(ChangeRuleInput, { error: "must be a list of {path, ...} entries" })
    .max(100, { error: "must have at most 100 entries" })
    .optional(),
});

export const DefaultsInput = z.strictObject({
  repo: RepoSlug.optional(),
  base: BaseRef.optional(),
  max_commits: Count.optional(),
});

/** The placeholders a `ci.results` template may use. */
export const RESULTS_PLACEHOLDERS = ["owner", "repo", "sha", "name"] as const;

/** Placeholders in a template: `{tier}`, `{sha}`... */
function placeholdersIn(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] as string);
}

const StatusContextPattern = z
  .string({ error: 'must be a string with "{tier}" in it, e.g. "recipe-ci/{tier}"' })
  .min(1, { error: "must not be empty" })
  .max(200, { error: "must be at most 200 characters" })
  // Said twice: as a pattern for the JSON Schema (editors), and exactly below.
  .regex(/\{tier\}/, { error: 'must contain "{tier}", e.g. "recipe-ci/{tier}"' })
  .superRefine((value, ctx) => {
    if (!value.includes("{tier}")) return; // said by the pattern
    const names = placeholdersIn(value);
    const tiers = names.filter((n) => n === "tier").length;
    const others = names.filter((n) => n !== "tier");
    if (tiers !== 1 || others.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `must contain "{tier}" once and no other placeholder (e.g. "recipe-ci/{tier}")`,
      });
    }
  });

const ResultsTemplate = z
  .string({ error: "must be a string: a path or an http(s) URL template" })
  .min(1, { error: "must not be empty" })
  .max(500, { error: "must be at most 500 characters" })
  .superRefine((value, ctx) => {
    const unknown = placeholdersIn(value).filter(
      (n) => !(RESULTS_PLACEHOLDERS as readonly string[]).includes(n),
    );
    if (unknown.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `uses ${unknown.map((n) => `{${n}}`).join(", ")}; the placeholders are ${RESULTS_PLACEHOLDERS.map((n) => `{${n}}`).join(", ")}`,
      });
      return;
    }
    if (/^https?:\/\//i.test(value)) return;
    if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
      ctx.addIssue({ code: "custom", message: "must be a path, or an http:// or https:// URL" });
    } else if (value.startsWith("/") || value.split("/").includes("..")) {
      ctx.addIssue({
        code: "custom",
        message: 'must be a path relative to the manifest\'s directory, without "..", or a URL',
      });
    }
  });

/** Where the recipe CI's results for each canary are read (issue 18; docs/outcomes.md). */
export const CiInput = z
  .strictObject({
    status_context: StatusContextPattern.optional(),
    results: ResultsTemplate.optional(),
  })
  .refine((ci) => ci.status_context !== undefined || ci.results !== undefined, {
    error:
      "needs status_context (the recipe CI's commit statuses) or results (its results documents), or both",
  });

export const ManifestInput = z
  .strictObject({
    version: z.literal(1, { error: "must be 1" }),
    defaults: DefaultsInput.optional(),
    ci: CiInput.optional(),
    /**
     * Marks a file that is not a manifest yet (the deploy recipe's swarm config): it never loads,
     * and says what to do instead.
     */
    placeholder: z.string({ error: "must be a string" }).optional(),
    fixtures: z
      // Empty is allowed: `fixture-bot init` starts there, and `add` fills it in.
      .array(FixtureInput, { error: "must be a list of fixtures" })
      .max(1000, { error: "must have at most 1000 fixtures" }),
  })
  .superRefine((manifest, ctx) => {
    if (manifest.placeholder !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["placeholder"],
        message:
          "is set: this file is a placeholder, not your manifest. Set FIXTURES_REPO to the repository that holds your fixtures.yaml (recommended: it is reloaded on every push), or replace this file with your own manifest",
      });
    }
    const seen = new Map<string, number>();
    manifest.fixtures.forEach((fixture, index) => {
      const at = (...path: (string | number)[]) => ["fixtures", index, ...path];
      const first = seen.get(fixture.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: at("name"),
          message: `is already used by fixtures[${first}]; names must be unique`,
        });
      } else seen.set(fixture.name, index);

      if (fixture.repo === undefined && manifest.defaults?.repo === undefined) {
        ctx.addIssue({
          code: "custom",
          path: at("repo"),
          message: "is required (or set defaults.repo)",
        });
      }
      const base = fixture.base === undefined ? manifest.defaults?.base : fixture.base;
      if (base && fixture.change === undefined && fixture.tier === undefined) {
        const from =
          fixture.base === undefined
            ? ` (base "${base}" comes from defaults; set base: null for a good canary)`
            : "";
        ctx.addIssue({
          code: "custom",
          path: at("change"),
          message: `is required when base is set (or set tier: to use its preset): list the paths the targeted change may touch${from}`,
        });
      }
      if (!base && fixture.tier !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: at("tier"),
          message:
            "needs a base: a tier's checks compare the fixture with the branch it was cut from (a good canary has no tier)",
        });
      }
      if (!base && fixture.change !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: at("change"),
          message: "needs a base: a change is measured against the branch the fixture was cut from",
        });
      }
      fixture.change?.forEach((rule, r) => {
        if (rule.keys && !YAML_PATH.test(rule.path)) {
          ctx.addIssue({
            code: "custom",
            path: at("change", r, "keys"),
            message: `only applies to YAML files, and path "${rule.path}" does not end in .yml or .yaml`,
          });
        }
      });
    });
  });

export type ManifestInput = z.infer<typeof ManifestInput>;

export { ALLOW_VALUES, type Allowance, type ChangeRule, type Fixture, TIERS, type Tier };

/** Where the recipe CI's observations come from (null fields: that source is not used). */
export type CiSource = {
  /** A commit status context with `{tier}` in it: "recipe-ci/{tier}". */
  statusContext: string | null;
  /** A path or http(s) URL with {owner}, {repo}, {sha}, {name}: one results document per canary. */
  results: string | null;
};

export type Manifest = { version: 1; fixtures: Fixture[]; ci?: CiSource | undefined };

/** Apply `defaults` and normalise; the input has already passed `ManifestInput`. */
export function toManifest(input: ManifestInput): Manifest {
  const defaults = input.defaults ?? {};
  return {
    version: 1,
    ...(input.ci
      ? {
          ci: {
            statusContext: input.ci.status_context ?? null,
            results: input.ci.results ?? null,
          },
        }
      : {}),
    fixtures: input.fixtures.map((f) => ({
      name: f.name,
      repo: (f.repo ?? defaults.repo) as string,
      branch: f.branch,
      sha: f.sha,
      base: (f.base === undefined ? defaults.base : f.base) ?? null,
      expect: f.expect ?? null,
      maxCommits: f.max_commits ?? defaults.max_commits ?? null,
      tier: f.tier ?? null,
      change: (f.change ?? []).map((rule) => ({
        path: rule.path,
        lines:
          rule.lines === undefined
            ? []
            : typeof rule.lines === "string"
              ? [rule.lines]
              : rule.lines,
        keys: rule.keys ?? [],
        maxLines: rule.max_lines ?? null,
        allow: rule.allow ?? [],
      })),
    })),
  };
}

/**
 * A manifest's fingerprint: two manifests with the same fixtures have the same one. A decision
 * made with another manifest is verified again rather than repeated.
 */
export function manifestFingerprint(manifest: Manifest): string {
  return createHash("sha256").update(JSON.stringify(manifest.fixtures)).digest("hex").slice(0, 16);
}

/** The fixtures whose branch is `branch` of `repo` (repository names compared as Gitea does). */
export function fixturesOnBranch(manifest: Manifest, repo: string, branch: string): Fixture[] {
  return manifest.fixtures.filter((f) => sameRepoName(f.repo, repo) && f.branch === branch);
}
