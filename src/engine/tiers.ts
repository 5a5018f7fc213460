/**
 * What a Co-op Cloud recipe maintainer knows about the CI tiers (install, upgrade, backup, restore,
 * custom), as data: for each tier, the targeted change a canary for it may make (its preset: the
 * change rules a fixture with `tier:` and no `change:` gets), and what must stay untouched because
 * an earlier tier reads it. Derived from test/fixtures/recipes/targeted-changes.md, §2 (the good
 * fixture of each tier) and §2.6 (the tier-ambiguous edits). `fixture-bot tiers` prints it.
 */
import type { ChangeRule, Tier } from "../shared/fixture.ts";

/**
 * The labels backup-bot-two reads, as swarm service labels (deploy.labels), from the backupbot
 * specification (docs.coopcloud.tech, "specs/backup": backup, volume exclusion and paths, hooks).
 * Any other `backupbot.*` label, such as v1's `backupbot.backup.path`, is ignored, as is a
 * backupbot label on the container (`services.*.labels`).
 */
export const BACKUPBOT_LABELS: readonly RegExp[] = [
  /^backupbot\.backup$/,
  /^backupbot\.backup\.pre-hook$/,
  /^backupbot\.backup\.post-hook$/,
  /^backupbot\.backup\.volumes\.[^.]+$/,
  /^backupbot\.backup\.volumes\.[^.]+\.path$/,
  /^backupbot\.restore\.pre-hook$/,
  /^backupbot\.restore\.post-hook$/,
];

export function backupbotReads(label: string): boolean {
  return BACKUPBOT_LABELS.some((re) => re.test(label));
}

const COMPOSE = "compose*.yml";
const SETTINGS = ["image", "environment", "command", "entrypoint", "healthcheck"];
const install: ChangeRule[] = [
  rule(COMPOSE, [
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
};

export const TIER_PRESETS: Record<Tier, TierPreset> = {
  install: {
    tier: "install",
    may: "the image, environment, command, entrypoint or healthcheck of services (compose files, x- anchors included)",
    untouched: "nothing earlier",
    change: install,
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
  },
  backup: {
    tier: "backup",
    may: "backupbot.backup* labels of services (list or map form)",
    untouched:
      "everything install and upgrade read: images, services, networks, volumes, configs, secrets, environment, command, healthcheck, deploy settings other than backupbot labels, the version label, and the files configs read",
    change: [rule(COMPOSE, ['services.*.deploy.labels."backupbot.backup*"'])],
  },
  restore: {
    tier: "restore",
    may: "backupbot.restore* labels, and backupbot.backup.volumes.*.path (backing up the wrong file)",
    untouched:
      "as backup, plus what makes the backup itself fail: backupbot.backup (the enable flag), backupbot.backup.pre-hook, backupbot.backup.post-hook, a volume's exclusion",
    change: [
      rule(COMPOSE, [
        'services.*.deploy.labels."backupbot.restore*"',
        'services.*.deploy.labels."backupbot.backup.volumes.*.path"',
      ]),
    ],
  },
  custom: {
    tier: "custom",
    may: "any file: a config template with its version bump in abra.sh, or a routing label",
    untouched: "as backup, except config templates whose version is bumped together with them",
    change: [{ path: "**", lines: [], keys: [], maxLines: null, allow: [] }],
  },
};

function rule(path: string, keys: string[]): ChangeRule {
  return { path, lines: [], keys, maxLines: null, allow: [] };
}

export const TIER_ORDER: Record<Tier, number> = {
  install: 0,
  upgrade: 1,
  backup: 2,
  restore: 3,
  custom: 4,
};

/**
 * The tier that would go red first because of a change at `path` in the deployed stack (keys
 * from the root; labels as one key each), or null when no tier depends on it.
 */
export function tierReading(path: readonly string[]): { tier: Tier; what: string } | null {
  const [section, name, key, ...rest] = path;
  if (section === "version" || section?.startsWith("x-")) return null;
  if (
    section === "networks" ||
    section === "volumes" ||
    section === "configs" ||
    section === "secrets"
  ) {
    // A config's or secret's name carries its version: a new name is what a bump is.
    if ((section === "configs" || section === "secrets") && key === "name") return null;
    return { tier: "install", what: `the ${section} the stack declares` };
  }
  if (section !== "services" || name === undefined) return { tier: "install", what: "the stack" };
  if (key === undefined) return { tier: "install", what: "the services the stack runs" };
  if (key === "image") return { tier: "install", what: "the image" };
  if (key === "labels") return null; // container labels: neither swarm nor backupbot reads them
  if (key === "deploy" && rest[0] === "labels") {
    const label = rest[1] ?? "";
    if (/^backupbot\.restore\./.test(label)) return { tier: "restore", what: "restoring" };
    if (/^backupbot\.backup\.volumes\.[^.]+\.path$/.test(label))
      return { tier: "backup", what: "what the backup holds" };
    if (/^backupbot\./.test(label))
      return backupbotReads(label) ? { tier: "backup", what: "making the backup" } : null;
    if (/^coop-cloud\.[^.]+\.version$/.test(label))
      return { tier: "upgrade", what: "the version abra upgrades from and to" };
    if (/^traefik\./.test(label)) return { tier: "custom", what: "routing" };
    return { tier: "custom", what: "a label" };
  }
  return { tier: "install", what: `the service's ${key}` };
}
