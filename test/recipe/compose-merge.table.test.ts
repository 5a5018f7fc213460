/**
 * compose-merge.ts as tables: list and map forms of a setting read as one, and an overlay merged
 * onto its base. The expected values are docker/cli's: cli/compose/loader (transformMappingOrList:
 * a label with no `=` is "", an environment variable with no `=` is unset; a service's network
 * list is a map of names) and cli/compose/loader/merge.go (mergeServices: volumes keyed by
 * target (toServiceVolumeConfigsMap), mergeShellCommand keeps the base's command when the
 * overlay's is empty, mergo's override for the rest). Rows marked "refused by the schema" are files
 * docker stack deploy rejects (config_schema_v3.x.json): the model reports those elsewhere, and
 * must read them without crashing.
 */
import { describe, expect, it } from "vitest";
import { keyValueMap, mergeStack, normalizeService } from "../../src/recipe/compose-merge.ts";
import type { Mapping } from "../../src/recipe/yaml-doc.ts";

describe("keyValueMap: a list-or-dict setting as a map", () => {
  it.each<[string, unknown, "labels" | "environment" | undefined, Mapping]>([
    [
      "labels by default: a name with no = is an empty label",
      ["a=1", "b"],
      undefined,
      { a: "1", b: "" },
    ],
    ["environment: a name with no = is unset", ["a=1", "b"], "environment", { a: "1", b: null }],
    ["a map stays a map", { a: "1" }, "labels", { a: "1" }],
    // Refused by the schema (list_or_dict); read as nothing, not a crash.
    ["an empty `labels:` (null)", null, "labels", {}],
    ["a string", "a=1", "labels", {}],
    ["an entry that is not a string", ["a=1", 5, null], "environment", { a: "1" }],
  ])("%s", (_what, value, key, expected) => {
    expect(key === undefined ? keyValueMap(value) : keyValueMap(value, key)).toEqual(expected);
  });
});

describe("normalizeService: one service in map form", () => {
  it.each<[string, Mapping, Mapping]>([
    // A service's network list is a map of names with no settings.
    [
      "a network list",
      { image: "nginx", networks: ["proxy", "internal"] },
      { image: "nginx", networks: { proxy: null, internal: null } },
    ],
    [
      "a network map stays as written",
      { networks: { proxy: { aliases: ["web"] } } },
      { networks: { proxy: { aliases: ["web"] } } },
    ],
    [
      "deploy labels: a name with no = is an empty label",
      { deploy: { labels: ["b"] } },
      { deploy: { labels: { b: "" } } },
    ],
    [
      "environment: a name with no = is unset",
      { environment: ["A=1", "B"] },
      { environment: { A: "1", B: null } },
    ],
    // Refused by the schema; read as no networks, not a crash.
    ["an empty `networks:` (null)", { networks: null }, { networks: {} }],
    ["networks as a string", { networks: "proxy" }, { networks: {} }],
    [
      "a network list with an empty entry",
      { networks: ["proxy", null] },
      { networks: { proxy: null } },
    ],
    ["an empty `labels:` (null)", { labels: null }, { labels: {} }],
  ])("%s", (_what, service, expected) => {
    expect(normalizeService(service)).toEqual(expected);
  });
});

/** A merge of two one-service files: the service's settings in, the merged service out. */
const app = (service: Mapping): Mapping => ({ services: { app: service } });

describe("mergeStack: one service's settings merged as docker/cli merges them", () => {
  it.each<[string, Mapping, Mapping, Mapping]>([
    // Volumes are keyed by target: the overlay's mount of a target replaces the base's.
    [
      "a volume onto the same target",
      { volumes: ["old:/srv"] },
      { volumes: ["new:/srv"] },
      { volumes: ["new:/srv"] },
    ],
    [
      "a volume with a mode onto the same target",
      { volumes: ["old:/srv:ro"] },
      { volumes: ["new:/srv"] },
      { volumes: ["new:/srv"] },
    ],
    // ParseVolume keeps a drive letter's colon in the source: both mount /d.
    [
      "Windows sources onto the same target",
      { volumes: ["C:\\data:/d"] },
      { volumes: ["D:\\other:/d"] },
      { volumes: ["D:\\other:/d"] },
    ],
    [
      "the same volume onto another target",
      { volumes: ["data:/a"] },
      { volumes: ["data:/b"] },
      { volumes: ["data:/a", "data:/b"] },
    ],
    [
      "anonymous volumes, two targets",
      { volumes: ["/a"] },
      { volumes: ["/b"] },
      { volumes: ["/a", "/b"] },
    ],
    [
      "an anonymous volume onto the same target",
      { volumes: ["/a"] },
      { volumes: ["data:/a"] },
      { volumes: ["data:/a"] },
    ],
    [
      "long syntax onto the same target",
      { volumes: [{ type: "volume", source: "old", target: "/srv" }] },
      { volumes: [{ type: "volume", source: "new", target: "/srv" }] },
      { volumes: [{ type: "volume", source: "new", target: "/srv" }] },
    ],
    [
      "long syntax onto short syntax, same target",
      { volumes: ["old:/srv"] },
      { volumes: [{ type: "bind", source: "/host", target: "/srv" }] },
      { volumes: [{ type: "bind", source: "/host", target: "/srv" }] },
    ],
    [
      "long syntax, two targets",
      { volumes: [{ type: "volume", source: "a", target: "/a" }] },
      { volumes: [{ type: "volume", source: "a", target: "/b" }] },
      {
        volumes: [
          { type: "volume", source: "a", target: "/a" },
          { type: "volume", source: "a", target: "/b" },
        ],
      },
    ],
    // mergeShellCommand: an empty command or entrypoint keeps the base's; shlex splits "" (or a
    // comment) into no words, so a string that says nothing is empty too.
    ["an empty command list", { command: ["a"] }, { command: [] }, { command: ["a"] }],
    ["an empty entrypoint list", { entrypoint: ["a"] }, { entrypoint: [] }, { entrypoint: ["a"] }],
    ["an empty command string", { command: ["a"] }, { command: "" }, { command: ["a"] }],
    [
      "a command string that is only a comment",
      { command: "a" },
      { command: "  # off" },
      { command: "a" },
    ],
    ["a command string", { command: ["a"] }, { command: "b c" }, { command: "b c" }],
    // shlex refuses a quote left open (docker/cli then fails the deploy, which swarm.ts reports
    // from the command as written): not empty, so it replaces the base's.
    [
      "a command string shlex refuses",
      { command: ["a"] },
      { command: "echo 'open" },
      { command: "echo 'open" },
    ],
    // build: a string is the context; the overlay's mapping overrides it field by field.
    [
      "build as a mapping onto build as a string",
      { build: "." },
      { build: { context: "x", dockerfile: "D" } },
      { build: { context: "x", dockerfile: "D" } },
    ],
    // Two mappings merge key by key (mergo); two lists append (WithAppendSlice).
    [
      "deploy onto deploy",
      { deploy: { replicas: 1, placement: { constraints: ["a"] } } },
      { deploy: { placement: { constraints: ["b"] } } },
      { deploy: { replicas: 1, placement: { constraints: ["a", "b"] } } },
    ],
  ])("%s", (_what, base, overlay, expected) => {
    expect(mergeStack(app(base), app(overlay))).toEqual(app(expected));
  });

  // Refused by the schema (a volume is a string or a mapping): kept, not a crash.
  it("a volume entry that is neither a string nor a mapping", () => {
    expect(mergeStack(app({ volumes: [null] }), app({ volumes: ["data:/a"] }))).toEqual(
      app({ volumes: [null, "data:/a"] }),
    );
  });
});
