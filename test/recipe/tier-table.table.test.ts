/**
 * tier-table.ts as tables: which row (and so which tier) reads a change first. The expected rows
 * follow the real readers: `docker stack deploy` ignores `build`, `container_name`, `depends_on`,
 * `restart` and `x-` fields of a service, and refuses a key its schema does not know (so install
 * fails); swarm, Traefik and backup-bot-two read the service's labels (`deploy.labels`), never a
 * `build` or container label; nothing deploys a top-level `x-` field; swarm keeps a config or
 * secret by name and content, not by the file it was read from; backup-bot-two reads its labels
 * by exact name (docs.coopcloud.tech, "specs/backup").
 */
import { describe, expect, it } from "vitest";
import { backupbotReads, type Change, classify } from "../../src/recipe/tier-table.ts";

const row = (path: string[], before: unknown = "a", after: unknown = "b") => {
  const r = classify({ path, before, after, kind: "value" } satisfies Change);
  return `${r.id} ${r.tier ?? "-"}`;
};

describe("classify: the first tier that reads a change", () => {
  it.each<[string[], string]>([
    [["services", "app", "image"], "image install"],
    [["volumes", "data", "driver"], "networks-volumes install"],
    // Ignored by docker stack deploy, whatever they hold.
    [["services", "app", "build", "context"], "ignored -"],
    [["services", "app", "container_name"], "ignored -"],
    [["services", "app", "depends_on", "db"], "ignored -"],
    [["services", "app", "x-notes"], "ignored -"],
    // A build's labels go on the image built, not on the swarm service: nothing reads them.
    [["services", "app", "build", "labels", "backupbot.backup"], "ignored -"],
    // `label:` is no key Docker's schema knows ("Additional property label is not allowed"):
    // the deploy fails, so install reads it, even though its name is inside `labels`.
    [["services", "app", "label"], "service-settings install"],
    // `deploy.labels` appearing or going as a whole is a deploy setting, not one label.
    [["services", "app", "deploy", "labels"], "deploy install"],
    [["services", "app", "deploy", "labels", "backupbot.backup"], "backupbot.backup backup"],
    // A top-level x- field shaped like services deploys nothing.
    [["x-services", "app", "deploy", "labels", "backupbot.backup"], "extension -"],
    // The same secret (name and content) read from another file: swarm keeps it as it is.
    [["secrets", "s_pw", "file"], "config-source -"],
    [["configs", "s_conf", "key"], "config-source -"],
  ])("%j -> %s", (path, expected) => expect(row(path)).toBe(expected));
});

describe("backupbotReads: the labels backup-bot-two reads, by exact name", () => {
  it.each<[string, boolean]>([
    ["backupbot.backup", true],
    ["backupbot.backup.pre-hook", true],
    ["backupbot.backup.volumes.data", true],
    ["backupbot.backup.volumes.data.path", true],
    ["backupbot.restore.post-hook", true],
    // v1's label, a misspelling and another case are not read.
    ["backupbot.backup.path", false],
    ["Backupbot.backup", false],
    ["traefik.enable", false],
  ])("%s -> %s", (label, read) => expect(backupbotReads(label)).toBe(read));
});
