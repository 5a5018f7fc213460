/**
 * compose-problems.ts as tables: a file's version, the problems of one file, the names a service
 * refers to, and what a merged deployment lacks. The expected values are docker/cli's:
 * cli/compose/schema (Version: absent, "" and "3" are the latest 3.x; config_schema_v3.x.json),
 * cli/compose/loader (ParseVolume: `source:target[:mode]`, one part is a target, an anonymous
 * volume; resolveVolumePaths: a bind's relative source is a path from the working directory) and
 * cli/compose/convert (a named volume, network, config or secret must be declared at top level).
 */
import { describe, expect, it } from "vitest";
import {
  fileProblems,
  referencedNames,
  stackProblems,
  versionOf,
} from "../../src/recipe/compose-problems.ts";

describe("versionOf and fileProblems: the version docker/cli reads", () => {
  it.each<[Record<string, unknown>, string | null, string[]]>([
    [{}, "3.13", []],
    // An empty version is the latest, like "3" (schema.Version's normalizeVersion).
    [{ version: "" }, "3.13", []],
    [{ version: "3" }, "3.13", []],
    [{ version: "3.0" }, "3.0", []],
    [
      { version: "3.14" },
      "3.14",
      ['version "3.14" is not a version docker stack deploy knows (3.0 to 3.13)'],
    ],
  ])("%j -> %j", (doc, version, problems) => {
    expect([versionOf(doc), fileProblems(doc)]).toEqual([version, problems]);
  });
});

describe("fileProblems: a top-level section written empty", () => {
  // `volumes:` with nothing under it (every entry commented out) is null, not an empty map.
  // config_schema_v3.x.json declares each top-level section an object, so the schema refuses
  // null ("must be a mapping"); loader.go's getSection type-asserts the section without a check,
  // which only works because the schema ran first.
  it.each<[Record<string, unknown>, string[]]>([
    [{ volumes: null }, ["volumes must be a mapping"]],
    [
      { networks: null, configs: null },
      ["networks must be a mapping", "configs must be a mapping"],
    ],
    [{ services: null }, ["services must be a mapping"]],
    [{ volumes: {} }, []],
  ])("%j -> %j", (doc, problems) => {
    expect(fileProblems(doc)).toEqual(problems);
  });
});

describe("referencedNames: the names a service's list refers to", () => {
  it.each<[unknown, string | undefined, string[]]>([
    [["a", { source: "b" }], "source", ["a", "b"]],
    // With no field to read, a mapping names nothing.
    [["a", { source: "b" }], undefined, ["a"]],
    [[{ target: "/t" }], "source", []],
    [{ a: null, b: {} }, undefined, ["a", "b"]],
    // Refused by the schema (an empty `- ` entry): names nothing, not a crash.
    [[null, 5, "a"], "source", ["a"]],
  ])("%j (%s) -> %j", (value, field, names) => {
    expect(referencedNames(value, field)).toEqual(names);
  });
});

/** The problems of a stack with one service `app` (image nginx) and the given top level. */
const withApp = (service: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  stackProblems({ services: { app: { image: "nginx", ...service } }, ...top });

describe("stackProblems: where a volume is mounted in the container", () => {
  // swarmkit's validateMounts (daemon/cluster/executor/container/validate.go): "Target must
  // always be absolute", or the task is rejected and the service never runs. docker/cli's
  // ParseVolume reads a one-part short volume as the target of an anonymous volume, and the
  // second part of `source:target[:mode]` as the target.
  const refused = (target: string) =>
    `service "app" mounts a volume at "${target}": swarm refuses a mount target that is not an absolute path`;
  it.each<[string, unknown[], string[]]>([
    ["a one-part relative path", ["cache"], [refused("cache")]],
    ["a relative target after a host path", ["./data:data:ro"], [refused("data")]],
    [
      "a relative target, long syntax",
      [{ type: "bind", source: "/srv", target: "srv" }],
      [refused("srv")],
    ],
    ["a tmpfs at a relative path", [{ type: "tmpfs", target: "run" }], [refused("run")]],
    ["absolute targets", ["/d", "./data:/d2", { type: "tmpfs", target: "/run" }], []],
    // A named pipe is the one mount swarmkit lets through with another target.
    ["a named pipe", [{ type: "npipe", source: "\\\\.\\pipe\\x", target: "\\\\.\\pipe\\x" }], []],
    // A Windows drive letter is a source, not a separator: C:\data is read whole.
    ["a Windows source", ["C:\\data:/d"], []],
    ["one problem per target", ["cache", "cache"], [refused("cache")]],
    // The schema requires only a long-form volume's type: one with no target mounts at "".
    [
      "a long-form volume with no target",
      [{ type: "tmpfs" }],
      [
        'service "app" mounts a volume with no target: swarm refuses a mount target that is not an absolute path',
      ],
    ],
    [
      "a long-form volume with an empty target",
      [{ type: "volume", target: null }],
      [
        'service "app" mounts a volume with no target: swarm refuses a mount target that is not an absolute path',
      ],
    ],
    // ParseVolume refuses an empty field and a fourth one: the stack does not load.
    [
      "an empty section",
      ["data::/d"],
      [
        'service "app" has a volume docker cannot read (invalid spec: data::/d: empty section between colons)',
      ],
    ],
  ])("%s", (_what, volumes, problems) => {
    expect(withApp({ volumes })).toEqual(problems);
  });
});

describe("stackProblems: a command string shlex cannot split", () => {
  // loader.go's transformShellCommand returns google/shlex's error (an unclosed quote, a \ at the
  // end), and the stack does not load. A list is taken as written.
  const refused = (key: string) =>
    `service "app" has a ${key} docker cannot split into words (an unclosed quote, or a \\ at the end)`;
  it.each<[string, Record<string, unknown>, string[]]>([
    ["an unclosed single quote", { command: "sh -c 'echo hi" }, [refused("command")]],
    ["an unclosed double quote", { entrypoint: 'sh -c "echo' }, [refused("entrypoint")]],
    ["a backslash at the end", { command: "echo \\" }, [refused("command")]],
    ["both", { command: "'", entrypoint: '"' }, [refused("command"), refused("entrypoint")]],
    ["quotes closed", { command: "sh -c 'echo hi'", entrypoint: ["sh", "'"] }, []],
  ])("%s", (_what, service, problems) => {
    expect(withApp(service)).toEqual(problems);
  });
});

describe("stackProblems: what one service needs declared", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    // A bind mount needs no declaration, even with a relative source that looks like a name.
    [
      "a bind mount with a relative source",
      { volumes: [{ type: "bind", source: "data", target: "/d" }] },
      [],
    ],
    ["a tmpfs mount", { volumes: [{ type: "tmpfs", target: "/run" }] }, []],
    // An anonymous volume (no source) needs none either.
    ["an anonymous volume, long syntax", { volumes: [{ type: "volume", target: "/d" }] }, []],
    ["an anonymous volume, short syntax", { volumes: ["/d"] }, []],
    [
      "a named volume, long syntax",
      { volumes: [{ type: "volume", source: "data", target: "/d" }] },
      ['volume "data" used by service "app" is not declared in the top-level volumes section'],
    ],
    [
      "a named volume, short syntax",
      { volumes: ["data:/d:ro"] },
      ['volume "data" used by service "app" is not declared in the top-level volumes section'],
    ],
    ["a host path, short syntax", { volumes: ["./data:/d", "/srv:/d2"] }, []],
    // Any name a service lists must be declared: one with spaces, which no top-level key can be,
    // is undeclared all the same.
    [
      "a network with spaces in its name",
      { networks: ["backend net"] },
      [
        'network "backend net" used by service "app" is not declared in the top-level networks section',
      ],
    ],
    [
      "a secret by source",
      { secrets: [{ source: "pw", target: "pw_file" }] },
      ['secret "pw" used by service "app" is not declared in the top-level secrets section'],
    ],
  ])("%s", (_what, service, problems) => {
    expect(withApp(service)).toEqual(problems);
  });
});
