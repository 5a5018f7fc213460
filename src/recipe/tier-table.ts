/**
 * Which tier of the recipe CI reads each part of a deployment first, as one table: a change to the
 * deployment (deployment-diff.ts) is read first by the tier of the first row that matches it, or
 * by nothing. `earlier-tiers`, `config-version` and `effective-change` are views of the changes
 * this table classifies, docs/tiers.md's table is this one (a test compares them), and the tier
 * presets name its rows.
 *
 * Sources: the recipe CI's tiers (install deploys the app and reaches it through Traefik; upgrade
 * deploys the previous version and moves to this one; backup and restore run backup-bot-two),
 * Docker's swarm (configs are immutable; `depends_on`, `restart`, `build` and `container_name`
 * are ignored by `docker stack deploy`), abra (it reads `coop-cloud.<stack>.version` and
 * `.timeout`), and backup-bot-two's labels (docs.coopcloud.tech, "specs/backup"), read by exact
 * name from the swarm service's labels (`deploy.labels`).
 */
import type { Tier } from "../shared/fixture.ts";

/** What a change is to swarm, beyond a value at a path. */
export type ChangeKind =
  /** A value at a path changed, appeared or went. */
  | "value"
  /** A config's or secret's content (or template driver) changed under the same swarm name. */
  | "content"
  /** A service mounts a config or secret by a new name whose content is the same. */
  | "bump"
  /** A service mounts a config or secret by a new name with other content. */
  | "new-content"
  /** A service mounts an external config or secret by a new name (its content lives in swarm). */
  | "external";

export type Change = {
  /** Where in the deployment: `["services", "app", "image"]`, `["configs", "<swarm name>"]`. */
  path: string[];
  /** The values at both ends (undefined: absent). */
  before: unknown;
  after: unknown;
  kind: ChangeKind;
};

export type TierRow = {
  /** Stable: tier presets name the rows they target. */
  id: string;
  /** What changes, in words (the first column of docs/tiers.md's table). */
  change: string;
  /** The first tier that reads it; null when nothing does. */
  tier: Tier | null;
  /** Why that tier reads it first, or why nothing does. */
  why: string;
  matches(change: Change): boolean;
};

const BACKUPBOT = {
  enable: /^backupbot\.backup$/,
  backupHooks: /^backupbot\.backup\.(pre|post)-hook$/,
  volume: /^backupbot\.backup\.volumes\.[^.]+$/,
  volumePath: /^backupbot\.backup\.volumes\.[^.]+\.path$/,
  restoreHooks: /^backupbot\.restore\.(pre|post)-hook$/,
};

/** The labels backup-bot-two reads, by exact name, on the swarm service (deploy.labels). */
export function backupbotReads(label: string): boolean {
  return Object.values(BACKUPBOT).some((re) => re.test(label));
}

const TRAEFIK_REACH =
  /^traefik\.(enable|docker\.network|http\.services\.[^.]+\.loadbalancer\..+|http\.routers\.[^.]+\.(entrypoints|service|tls(\..+)?))$/;

/** The service a change is in, and the key under it: `["app", "image"]`. */
function serviceKey(change: Change): [string, string | undefined] | null {
  const [section, name, key] = change.path;
  return section === "services" && name !== undefined ? [name, key] : null;
}

/** The deploy label a change is to, if it is one. */
function deployLabel(change: Change): string | null {
  const [section, , key, sub, label] = change.path;
  return section === "services" && key === "deploy" && sub === "labels" && label !== undefined
    ? label
    : null;
}

const under = (key: string | readonly string[]) => (change: Change) => {
  const at = serviceKey(change);
  return (
    at !== null && at[1] !== undefined && (typeof key === "string" ? [key] : key).includes(at[1])
  );
};
const label = (re: RegExp) => (change: Change) => {
  const name = deployLabel(change);
  return name !== null && re.test(name);
};
const section =
  (...names: string[]) =>
  (change: Change) =>
    names.includes(change.path[0] ?? "");

export const TIER_TABLE: readonly TierRow[] = [
  {
    id: "service",
    change: "a service added or removed",
    tier: "install",
    why: "install deploys every service and waits for each to converge",
    matches: (c) => c.path[0] === "services" && c.path.length === 2,
  },
  {
    id: "image",
    change: "a service's image",
    tier: "install",
    why: "it is what each task runs",
    matches: under("image"),
  },
  {
    id: "environment",
    change: "a service's environment (from the compose files, `.env.sample` or `abra.sh`)",
    tier: "install",
    why: "the app reads it when it starts",
    matches: under(["environment", "env_file"]),
  },
  {
    id: "command",
    change: "a service's command or entrypoint",
    tier: "install",
    why: "it is what each task runs",
    matches: under(["command", "entrypoint"]),
  },
  {
    id: "healthcheck",
    change: "a service's healthcheck",
    tier: "install",
    why: "swarm waits for it before the deploy, and install, succeeds",
    matches: under("healthcheck"),
  },
  {
    id: "backupbot.backup",
    change: "the `backupbot.backup` label",
    tier: "backup",
    why: "it turns the app's backup on or off",
    matches: label(BACKUPBOT.enable),
  },
  {
    id: "backupbot.backup.hooks",
    change: "`backupbot.backup.pre-hook`, `backupbot.backup.post-hook`",
    tier: "backup",
    why: "backup-bot-two runs them around the backup",
    matches: label(BACKUPBOT.backupHooks),
  },
  {
    id: "backupbot.backup.volumes",
    change: "`backupbot.backup.volumes.<volume>` (a volume left out or taken in)",
    tier: "backup",
    why: "it decides what the backup holds",
    matches: label(BACKUPBOT.volume),
  },
  {
    id: "backupbot.backup.volumes.path",
    change: "`backupbot.backup.volumes.<volume>.path`",
    tier: "backup",
    why: "it decides which files of a volume the backup holds (a missing path fails the backup; a wrong one, the restore)",
    matches: label(BACKUPBOT.volumePath),
  },
  {
    id: "backupbot.restore.hooks",
    change: "`backupbot.restore.pre-hook`, `backupbot.restore.post-hook`",
    tier: "restore",
    why: "backup-bot-two runs them around the restore",
    matches: label(BACKUPBOT.restoreHooks),
  },
  {
    id: "backupbot.ignored",
    change: "any other `backupbot.*` label, in any case",
    tier: null,
    why: "backup-bot-two reads its labels by exact name only, so v1's backupbot.backup.path and misspelt names change nothing",
    matches: label(/^backupbot\./i),
  },
  {
    id: "coop-cloud.version",
    change: "the `coop-cloud.<stack>.version` label",
    tier: "upgrade",
    why: "it is the version abra upgrades from and to",
    matches: label(/^coop-cloud\.[^.]+\.version$/),
  },
  {
    id: "coop-cloud.timeout",
    change: "the `coop-cloud.<stack>.timeout` label",
    tier: "install",
    why: "abra waits that long for the deploy to converge",
    matches: label(/^coop-cloud\.[^.]+\.timeout$/),
  },
  {
    id: "coop-cloud.other",
    change: "any other `coop-cloud.*` label",
    tier: "install",
    why: "abra reads its labels when it deploys",
    matches: label(/^coop-cloud\./),
  },
  {
    id: "traefik.reach",
    change:
      "Traefik labels that reach the app: `traefik.enable`, `traefik.docker.network`, a service's `loadbalancer` (its port), a router's `entrypoints`, `tls` and `service`",
    tier: "install",
    why: "install's test reaches the app through Traefik",
    matches: label(TRAEFIK_REACH),
  },
  {
    id: "traefik.routing",
    change:
      "other Traefik labels: a router's `rule` and `priority`, middlewares, TCP and UDP routing",
    tier: "custom",
    why: "they decide which requests reach which service beyond the app's front door, which custom tests assert",
    matches: label(/^traefik\./),
  },
  {
    id: "service-label",
    change: "any other label under `deploy.labels`",
    tier: "custom",
    why: "swarm keeps it on the service and nothing in the stack reads it: only a custom test would",
    matches: (c) => deployLabel(c) !== null,
  },
  {
    id: "container-label",
    change: "a container label (`labels:` beside `image:`, not under `deploy:`)",
    tier: null,
    why: "swarm, Traefik (in swarm mode) and backup-bot-two read the service's labels (deploy.labels), not the container's",
    matches: under("labels"),
  },
  {
    id: "ignored",
    change: "`build`, `container_name`, `depends_on`, `restart`, and `x-` fields of a service",
    tier: null,
    why: "docker stack deploy ignores it",
    matches: (c) => {
      const at = serviceKey(c);
      return (
        at !== null &&
        at[1] !== undefined &&
        (["build", "container_name", "depends_on", "restart"].includes(at[1]) ||
          at[1].startsWith("x-"))
      );
    },
  },
  {
    id: "deploy",
    change:
      "a service's other `deploy` settings (replicas, resources, placement, restart and update policy)",
    tier: "install",
    why: "they decide how swarm runs the service",
    matches: under("deploy"),
  },
  {
    id: "mount-bump",
    change: "a config or secret a service mounts, under a new name with the same content",
    tier: null,
    why: "a version bump alone changes nothing the app reads",
    matches: (c) => c.kind === "bump",
  },
  {
    id: "mount-new-content",
    change:
      "a config or secret a service mounts, under a new name with new content (a template changed with its version bump)",
    tier: "install",
    why: "the app reads it when it starts",
    matches: (c) => c.kind === "new-content",
  },
  {
    id: "mount-external",
    change: "an external secret or config a service mounts, under a new name (a version bumped)",
    tier: "install",
    why: "install needs swarm to hold it under the new name before the app can start",
    matches: (c) => c.kind === "external",
  },
  {
    id: "service-settings",
    change: "a service's other settings: networks, volumes, ports, mounts, user",
    tier: "install",
    why: "they decide what the service can reach and keep",
    matches: (c) => serviceKey(c) !== null,
  },
  {
    id: "config-content",
    change: "a config's or secret's content, under the same name",
    tier: "upgrade",
    why: 'swarm configs cannot change: the upgrade of an app that has it fails ("only updates to Labels are allowed"); a fresh install does not notice',
    matches: (c) => c.kind === "content",
  },
  {
    id: "config-unmounted",
    change: "a config or secret declared or dropped that no service mounts",
    tier: null,
    why: "no service mounts it, so nothing reads it",
    matches: (c) => section("configs", "secrets")(c) && c.path.length === 2,
  },
  {
    id: "config-source",
    change:
      "a config or secret read from another file, or declared under another key, with the same name and content",
    tier: null,
    why: "swarm keeps it by its name and content, which are the same",
    matches: (c) => section("configs", "secrets")(c) && ["file", "key"].includes(c.path[2] ?? ""),
  },
  {
    id: "networks-volumes",
    change: "the networks, volumes, and external configs and secrets the stack declares",
    tier: "install",
    why: "the services cannot start without them",
    matches: section("networks", "volumes", "configs", "secrets"),
  },
  {
    id: "extension",
    change: "the file `version` and top-level `x-` fields",
    tier: null,
    why: "nothing deploys them (an anchor's effect shows where it is used)",
    matches: () => true,
  },
];

/** The row that classifies a change (the first that matches). */
export function classify(change: Change): TierRow {
  return TIER_TABLE.find((row) => row.matches(change)) as TierRow;
}

export const TIER_ORDER: Record<Tier, number> = {
  install: 0,
  upgrade: 1,
  backup: 2,
  restore: 3,
  custom: 4,
};
