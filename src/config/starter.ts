/** The fixtures.yaml `fixture-bot init` writes: no fixtures yet, and what each key is for. */
import { SCHEMA_LINE } from "./schema.ts";

export const STARTER_MANIFEST = `${SCHEMA_LINE}
# fixtures.yaml: the regression canaries fixture-bot verifies (docs/manifest.md).
# Add one with: fixture-bot add NAME --repo OWNER/NAME --branch BRANCH [--base main --tier TIER]
version: 1

# Applied to every fixture that does not say otherwise.
# defaults:
#   repo: coop-cloud/custom-html
#   base: main

# Where the recipe CI's results are read, for \`fixture-bot outcome\` (docs/outcomes.md).
# ci:
#   status_context: "recipe-ci/{tier}"

fixtures: []
# Each fixture, as \`fixture-bot add\` writes it:
#   - name: bad-backup                  # unique; a-z, 0-9, ".", "_", "-"
#     repo: coop-cloud/custom-html      # owner/name on the Gitea host
#     branch: regression-bad-backup     # the fixture branch
#     sha: <40 hex characters>          # the pinned commit (fixture-bot pin NAME moves it)
#     base: main                        # the branch it was cut from; null for a good canary
#     tier: backup                      # where it must go red: install, upgrade, backup, restore, custom
`;
