/**
 * The one table of checks: for each id (in the order reports list them, see shared/result.ts),
 * what it checks, what it reads and what it does not, where it runs (on the refs, or on the
 * change from the merge-base), and the function that runs it. The order, the skip lines and the
 * manual's table (docs/checks.md) follow from it (a test compares them). To add a check: add its id
 * to CHECK_IDS in shared/result.ts, and the compiler asks for its entry here.
 */

import type { Recipe } from "../recipe/read-recipe.ts";
import type { YamlOf } from "../recipe/yaml-cache.ts";
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
import type { FileAnalysis } from "./inspect-files.ts";
import { checkLines, checkWhitespaceChurn } from "./line-checks.ts";
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
  files: readonly FileAnalysis[];
  context: ChangeContext;
  tiers: TierContext;
  recipes: { base: Recipe; pin: Recipe };
  yaml: YamlOf;
};

type Entry = { what: string; reads: string } & (
  | { kind: "ref"; run: (facts: RefFacts) => CheckResult }
  | { kind: "change"; run: (input: ChangeInput) => CheckResult }
);

export const CHECK_TABLE: Record<CheckId, Entry> = {
  "sha-exists": {
    kind: "ref",
    what: "the pinned SHA (or unique prefix) resolves to exactly one commit; an ambiguous prefix fails and lists the candidates, and so does a prefix that is also the name of a branch or tag (git would take the ref); an annotated tag is peeled; a tree or blob is refused",
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
    what: "every changed `.yml`/`.yaml` file is valid UTF-8 and still parses with no duplicate keys and is not empty or null; a compose file (one some deployment merges) must be one document, other YAML (a two-pipeline `.drone.yml`) may hold several; a file something renders as a **Go template** (a config or secret with `template_driver: golang`, a `*.tmpl` a config reads, Traefik's dynamic configuration mounted into Traefik) is not parsed as YAML: its `{{ }}` actions must close and every `if`/`range`/`with`/`define`/`block` must have its `{{ end }}`. Nothing renders a compose file or `.drone.yml`: `{{ }}` there must parse as YAML. Unless `invalid-yaml` is allowed",
    reads:
      "changed YAML files, and what the pin's deployments render; what a template renders to is not judged, since it depends on the deployment's values",
    run: (c) => checkYamlValid(c.files, c.yaml),
  },
  "compose-valid": {
    kind: "change",
    what: "every deployment of the recipe at the pin deploys: the **default** one and each **optional** one (see Tiers, What abra deploys). As abra and `docker stack deploy` read them: `.env.sample` readable by abra's dotenv reader; every file `COMPOSE_FILE` names present, one YAML mapping, with the same `version` as the first (a file with none is 3.13), no unknown top-level key, each top-level section a mapping (an empty `volumes:` is refused), valid interpolation (`$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:?x}`, `${VAR?x}`, `$$`; `${VAR:25}` and `${VAR:+x}` are refused, and so is `${VAR:?x}` when nothing sets VAR); and, merged with docker/cli's rules, services to run, an image for each (a non-empty string: swarm ignores `build:`), a top-level declaration for every named volume, network, config and secret a service uses, every volume readable by docker/cli (`source:target[:mode]`) and mounted at an absolute path (swarm rejects the task otherwise), every `command` and `entrypoint` string splittable into words (google/shlex), and every file a config, secret or `env_file` reads. A base file with no services is fine when the files merged onto it bring them",
    reads:
      "the deployments at the pin and, to tell old problems from new, the same deployments at the merge-base; it runs when a file some deployment reads (or `.env.sample`, `abra.sh`) changed",
    run: (c) => checkComposeValid(c.files, c.yaml),
  },
  "whitespace-churn": {
    kind: "change",
    what: "no changed line differs from the line that replaces it only in its line ending, indentation or trailing whitespace (a CRLF conversion hides the real change; whitespace inside a line is content: `= 404` is not `=404` to nginx), and no file gains or loses its final newline or a byte-order mark, unless `whitespace` is allowed. Lines are paired by aligning the whole file with those differences ignored, as `git diff -w` pairs them; in YAML, re-indenting counts as churn only when it leaves the document's value unchanged (a blank or comment line always does), and otherwise is structure, which `keys` judges",
    reads:
      "changed text files; a file over the inspection limit is left to `binary`; a file it could not diff (over the read budget, too different) fails",
    run: (c) => checkWhitespaceChurn(c.files, c.context.maxBlobBytes, c.yaml.yaml),
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
    what: "in YAML files, only the rule's `keys` paths differ; merge keys (`<<: *anchor`) are applied first, in compose files list-form and map-form `labels`/`environment` compare as Docker reads them, and a key under a map that exists on one side only is that key (a label added together with its `deploy:` is the label)",
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
    what: "with a tier: nothing an earlier tier reads changed in the default deployment (by the tier table: an image, the environment, a command, a healthcheck, deploy settings, networks, volumes, a mounted config with new content, an external secret under a new name, Traefik labels that reach the app, the timeout and version labels, a backupbot label the tier does not target), which would make that tier go red first; names the change and the tier, e.g. `services.app.image changed (nginx:1.27 -> nginx:1.27.99): install would go red before backup`",
    reads:
      "the diff of the default deployment at both ends, each change classified by the tier table; not a config's content under the same name (config-version says that)",
    run: (c) => checkEarlierTiers(c.tiers),
  },
  "config-version": {
    kind: "change",
    what: "no config or secret changes its content (its file's content, or its template driver) while it keeps its swarm name: the name carries its version (`${STACK_NAME}_nginx_conf_${NGINX_CONF_VERSION}`), and swarm configs cannot change, so upgrade would go red first; renaming the compose key or pointing `file:` at another file under the same name is seen; skipped for `tier: upgrade` and with `allow: [unversioned-config]`",
    reads:
      "the configs and secrets of the default deployment at both ends, by resolved swarm name, with the blob id of the file each reads; a name with a variable nothing sets is a warning, not a failure",
    run: (c) => checkConfigVersion(c.tiers),
  },
  "effective-change": {
    kind: "change",
    what: "the change reaches the default deployment, or the canary can never go red: a comment or re-indent, labels rewritten from list to map form, a default `.env.sample` overrides, a value a later `COMPOSE_FILE` file sets again, a label nothing reads, a variable nothing uses, a version bump with the same content, an overlay only an operator switches on: each fails, saying why. Files no deployment reads (docs, a CI file) warn: only the recipe CI knows whether it reads them; a change to abra.sh's commands counts",
    reads:
      "the diff of the default deployment at both ends, with the tier table's reason for each change nothing reads; skipped when docker stack deploy refuses the pin's default deployment (see compose-valid)",
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

function changeInput({ files, context, tiers, recipes, yaml }: ChangeFacts): ChangeInput {
  return {
    files,
    context,
    yaml: { base: recipes.base, pin: recipes.pin, yaml, maxBlobBytes: context.maxBlobBytes },
    tiers,
  };
}
