/**
 * What a Co-op Cloud recipe maintainer knows about the CI tiers (install, upgrade, backup, restore,
 * custom), as data: for each tier, the targeted change a canary for it may make (its preset: the
 * change rules a fixture with `tier:` and no `change:` gets, and the rows of the tier table it
 * targets), and what must stay untouched because an earlier tier reads it. Derived from
 * test/fixtures/recipes/targeted-changes.md, §2 (the good fixture of each tier) and §2.6 (the
 * tier-ambiguous edits); which tier reads what is recipe/tier-table.ts. `fixture-bot tiers`
 * prints it.
 */
import type { ChangeRule, Tier } from "../shared/fixture.ts";

/** The compose files the recipe's deployments merge (COMPOSE_FILE's, wherever they are). */
const COMPOSE = "(the recipe's compose files)";
const SETTINGS = ["image", "environment", "command", "entrypoint", "healthcheck"];
const install: ChangeRule[] = [
  composeRule([
    ...SETTINGS.map((s) => `services.*.${s}`),
    // A setting an anchor gives several services (`<<: *backend`) is changed in the anchor.
    ...SETTINGS.map((s) => `x-*.${s}`),
  ]),
];

export type TierPreset = {
  tier: Tier;
  /** What the targeted change may touch, in words. */
  may: string;
  /** What must stay untouched (an earlier tier reads it), in words. */
  untouched: string;
  /** The change rules a fixture with this tier and no `change:` gets. */
  change: ChangeRule[];
  /** The tier table's rows (recipe/tier-table.ts) this tier's canary may change. */
  targets: readonly string[];
};

export const TIER_PRESETS: Record<Tier, TierPreset> = {
  install: {
    tier: "install",
    may: "the image, environment, command, entrypoint or healthcheck of services (in the recipe's compose files, x- anchors included)",
    untouched: "nothing earlier",
    change: install,
    targets: ["image", "environment", "command", "healthcheck"],
  },
  upgrade: {
    tier: "upgrade",
    may: "as install, plus a file a config or secret reads, changed without its version bump, plus a database image's major version",
    untouched:
      "nothing the fresh install of the previous version reads (the harness installs that first)",
    change: [
      ...install,
      {
        path: "(files a config or secret reads)",
        sources: "config-sources",
        lines: [],
        keys: [],
        maxLines: null,
        allow: ["unversioned-config"],
      },
    ],
    targets: ["image", "environment", "command", "healthcheck", "config-content"],
  },
  backup: {
    tier: "backup",
    may: "backupbot.backup* labels of services (list or map form)",
    untouched:
      "everything install and upgrade read: images, services, networks, volumes, configs, secrets, environment, command, healthcheck, deploy settings other than backupbot labels, the version label, routing that reaches the app, and the files configs read",
    change: [composeRule(['services.*.deploy.labels."backupbot.backup*"'])],
    targets: [
      "backupbot.backup",
      "backupbot.backup.hooks",
      "backupbot.backup.volumes",
      "backupbot.backup.volumes.path",
    ],
  },
  restore: {
    tier: "restore",
    may: "backupbot.restore* labels, and backupbot.backup.volumes.*.path (backing up the wrong file)",
    untouched:
      "as backup, plus what makes the backup itself fail: backupbot.backup (the enable flag), backupbot.backup.pre-hook, backupbot.backup.post-hook, a volume's exclusion",
    change: [
      composeRule([
        'services.*.deploy.labels."backupbot.restore*"',
        'services.*.deploy.labels."backupbot.backup.volumes.*.path"',
      ]),
    ],
    targets: ["backupbot.restore.hooks", "backupbot.backup.volumes.path"],
  },
  custom: {
    tier: "custom",
    may: "any file: a config template with its version bump in abra.sh, or a routing label",
    untouched:
      "as backup, except config templates whose version is bumped together with them, and routing rules",
    change: [{ path: "**", lines: [], keys: [], maxLines: null, allow: [] }],
    targets: ["mount-new-content", "traefik.routing", "service-label"],
  },
};

function composeRule(keys: string[]): ChangeRule {
  return { path: COMPOSE, sources: "compose-files", lines: [], keys, maxLines: null, allow: [] };
}
