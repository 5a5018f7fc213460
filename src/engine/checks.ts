/**
 * The one table of checks: for each id (in the order reports list them, see shared/result.ts),
 * what it checks, what it reads and what it does not, where it runs (on the refs, or on the
 * change from the merge-base), and the function that runs it. The order, the skip lines and the
 * README's table follow from it (a test compares the README with it). To add a check: add its id
 * to CHECK_IDS in shared/result.ts, and the compiler asks for its entry here.
 */
import type { CheckId, CheckResult } from "../shared/result.ts";
import { CHECK_IDS } from "../shared/result.ts";
import {
  type ChangeContext,
  checkBinary,
  checkChangePresent,
  checkMaxLines,
  checkMode,
  checkNotEmptied,
  checkPaths,
} from "./change-checks.ts";
import { check } from "./check-result.ts";
import type { FileAnalysis, Inspection } from "./inspect-files.ts";
import { checkLines, checkWhitespaceChurn } from "./line-checks.ts";
import { createYamlCache, type YamlOf } from "./recipe-files.ts";
import {
  checkBaseExists,
  checkBranchTip,
  checkMaxCommits,
  checkShaExists,
  checkShaOnBranch,
  type RefFacts,
} from "./ref-checks.ts";
import {
  checkConfigVersion,
  checkEarlierTiers,
  checkEffectiveChange,
  type TierContext,
} from "./tier-checks.ts";
import { checkComposeValid, checkKeys, checkYamlValid, type YamlContext } from "./yaml-checks.ts";

/** What a change check is given: the files, and what it needs to judge them. */
export type ChangeInput = {
  files: readonly FileAnalysis[];
  context: ChangeContext;
  yaml: YamlContext;
  tiers: TierContext;
};

/** Everything the change checks judge, as evaluate.ts assembles it. */
export type ChangeFacts = {
  inspection: Inspection;
  context: ChangeContext;
  tiers: TierContext;
  yaml?: YamlOf;
};

type Entry = { what: string; reads: string } & (
  | { kind: "ref"; run: (facts: RefFacts) => CheckResult }
  | { kind: "change"; run: (input: ChangeInput) => CheckResult }
);

export const CHECK_TABLE: Record<CheckId, Entry> = {
  "sha-exists": {
    kind: "ref",
    what: "the pinned SHA (or unique prefix) resolves to exactly one commit; an ambiguous prefix fails and lists the candidates; an annotated tag is peeled; a tree or blob is refused",
    reads: "the mirror's objects",
    run: (f) => checkShaExists(f),
  },
  "sha-on-branch": {
    kind: "ref",
    what: "the pinned commit is reachable from the branch; a pin found on another branch says the manifest names the wrong branch (and which one to write); a pin on no branch says the branch was force-pushed or rebased",
    reads: "the branch tips",
    run: (f) => checkShaOnBranch(f),
  },
  "branch-tip": {
    kind: "ref",
    what: "warns when the branch has moved past the pin, saying by how many commits",
    reads: "the commit graph",
    run: (f) => checkBranchTip(f),
  },
  "base-exists": {
    kind: "ref",
    what: "the base resolves and shares history with the pin; a base that is a tag says so and gives the commit id to write instead",
    reads: "branches (and tags, to say so)",
    run: (f) => checkBaseExists(f),
  },
  "change-present": {
    kind: "change",
    what: "a fixture with a base differs from it at all (a pin equal to, or already part of, the base fails)",
    reads: "the diff from the merge-base",
    run: (c) => checkChangePresent(c.files, c.context),
  },
  paths: {
    kind: "change",
    what: "every changed path (both sides of a rename) matches some `change[].path`",
    reads: "paths only",
    run: (c) => checkPaths(c.files, c.context),
  },
  "not-emptied": {
    kind: "change",
    what: "no file that is non-empty at the merge-base is deleted or emptied (whitespace only), unless `delete`/`empty` is allowed",
    reads:
      'sizes, and the content of every changed file; a file it could not read fails ("cannot tell")',
    run: (c) => checkNotEmptied(c.files, c.context.maxBlobBytes),
  },
  "yaml-valid": {
    kind: "change",
    what: "every changed `.yml`/`.yaml` file is valid UTF-8 and still parses with no duplicate keys and is not empty or null; a compose file must be one document (other YAML, such as a two-pipeline `.drone.yml`, may hold several); a **Go template** (a file a compose config or secret mounts with `template_driver: golang`, or Traefik's templated dynamic configuration that does not parse as YAML) is not parsed as YAML: its `{{ }}` actions must close and every `if`/`range`/`with`/`define`/`block` must have its `{{ end }}`; unless `invalid-yaml` is allowed",
    reads:
      "changed YAML files; what a template renders to is not judged, since it depends on the deployment's values",
    run: (c) => checkYamlValid(c.files, c.yaml),
  },
  "compose-valid": {
    kind: "change",
    what: "every stack the change touches deploys: `compose.yml` alone, and each `compose.*.yml` **overlay merged onto it** with docker/cli's merge rules (as abra deploys it when `COMPOSE_FILE` names it). A stack must be a mapping with `services`, a string `version`, no unknown top-level key, valid interpolation (`$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:?x}`, `${VAR?x}`, `$$`; `${VAR:25}` and `${VAR:+x}` are refused as `docker stack deploy` refuses them), an image for every service (a non-empty string: swarm ignores `build:`), and a top-level declaration for every named volume, network, config and secret a service uses. An overlay may take its images and declarations from `compose.yml` (a service only in the overlay needs its own image). A change to `compose.yml` also re-checks every overlay beside it",
    reads:
      "compose files at the pin and, to tell old problems from new, at the merge-base; it does not resolve variables' values",
    run: (c) => checkComposeValid(c.files, c.yaml),
  },
  "whitespace-churn": {
    kind: "change",
    what: "no changed line differs from the line that replaces it only in whitespace or its line ending (a CRLF conversion hides the real change), and no file gains or loses its final newline, unless `whitespace` is allowed. Lines are paired as the diff pairs them (aligned with whitespace ignored, as `git diff -w` does), never with lines elsewhere in the file; in YAML a change of indentation alone is structure (it moves a key: `keys` judges it), not churn",
    reads:
      "changed text files; a file it could not diff (too large, over the read budget, too different) fails",
    run: (c) => checkWhitespaceChurn(c.files, c.context.maxBlobBytes),
  },
  mode: {
    kind: "change",
    what: "no mode or type change: executable bit, file to symlink, submodule; unless `mode` is allowed",
    reads: "git's modes",
    run: (c) => checkMode(c.files),
  },
  binary: {
    kind: "change",
    what: "no binary file (or one larger than the 1 MiB inspection limit) changes, unless `binary` is allowed",
    reads: "git's diff and the files' bytes",
    run: (c) => checkBinary(c.files, c.context),
  },
  lines: {
    kind: "change",
    what: "every added and removed line matches the rule's `lines` patterns (matched without its line ending, so `$` anchors work in CRLF files)",
    reads: "changed text files; a file it could not diff fails",
    run: (c) => checkLines(c.files, c.context.maxBlobBytes),
  },
  keys: {
    kind: "change",
    what: "in YAML files, only the rule's `keys` paths differ; merge keys (`<<: *anchor`) are applied first, and in compose files list-form and map-form `labels`/`environment` compare as Docker reads them",
    reads: "both sides of the file, parsed",
    run: (c) => checkKeys(c.files, c.yaml),
  },
  "max-lines": {
    kind: "change",
    what: "added + removed lines per rule stay within `max_lines`",
    reads: "git's line counts",
    run: (c) => checkMaxLines(c.files, c.context),
  },
  "max-commits": {
    kind: "ref",
    what: "at most `max_commits` commits between the merge-base and the pin",
    reads: "the commit graph",
    run: (f) => checkMaxCommits(f),
  },
  "earlier-tiers": {
    kind: "change",
    what: "with a tier: nothing an earlier tier reads changed in the deployed stack (an image, an environment variable, a service's settings, a volume, a network, a config, the version label, a backupbot label the tier does not target), which would make that tier go red first; names the tier and why, e.g. `compose.yml: services.app.image changed (nginx:1.27 -> nginx:1.27.99): install would go red before backup`",
    reads:
      "the stacks resolved at both ends (compose.yml with each overlay, merge keys applied, variables interpolated from .env.sample and abra.sh); not the files configs read (config-version judges those)",
    run: (c) => checkEarlierTiers(c.tiers),
  },
  "config-version": {
    kind: "change",
    what: "a file a swarm config or secret reads (`file:`) does not change while the config keeps its name: the name carries its version (`${STACK_NAME}_nginx_conf_${NGINX_CONF_VERSION}`), and swarm configs cannot change, so upgrade would go red first; skipped for `tier: upgrade` and with `allow: [unversioned-config]`",
    reads:
      "the configs and secrets of the stacks at both ends, their names resolved with .env.sample and abra.sh; a name with a variable nothing sets is a warning, not a failure",
    run: (c) => checkConfigVersion(c.tiers),
  },
  "effective-change": {
    kind: "change",
    what: "the change reaches the deployed stack: when only compose files (and .env.sample, abra.sh) change and every stack resolves the same at both ends, the canary can never go red; says why (a default .env.sample overrides, a label backup-bot-two does not read, a container label)",
    reads:
      "the stacks resolved at both ends, without the labels nothing reads; passes when another file changes (a template, a script), and warns when a variable nothing sets decides it",
    run: (c) => checkEffectiveChange(c.tiers),
  },
};

/** Every check in order: ref checks on the facts, change checks on the change (or skipped). */
export function runChecks(facts: RefFacts, change: ChangeFacts | { skip: string }): CheckResult[] {
  const input = "skip" in change ? null : changeInput(change);
  return CHECK_IDS.map((id) => {
    const entry = CHECK_TABLE[id];
    if (entry.kind === "ref") return entry.run(facts);
    return input === null ? check(id, "skip", (change as { skip: string }).skip) : entry.run(input);
  });
}

function changeInput({ inspection, context, tiers, yaml }: ChangeFacts): ChangeInput {
  return {
    files: inspection.files,
    context,
    yaml: {
      base: inspection.base,
      pin: inspection.pin,
      yaml: yaml ?? createYamlCache(),
      maxBlobBytes: context.maxBlobBytes,
    },
    tiers,
  };
}
