/**
 * swarm.ts and shlex.ts as tables: a config's or secret's swarm name, google/shlex's split of a
 * `command`, one service and a whole stack as `docker stack deploy` hands them to swarm. The expected values are
 * docker/cli's (cli/compose/loader: transformExternal, loadFileObjectConfig,
 * transformMappingOrList, updateEnvironment, transformShellCommand = google/shlex,
 * transformHealthCheckTest, ParseVolume; cli/compose/convert: convertFileObject) and swarm's
 * (a config mounted at `/<target>`, a secret at `/run/secrets/<target>`).
 */
import { describe, expect, it } from "vitest";
import { shellSplit } from "../../src/recipe/shlex.ts";
import {
  type ObjectInput,
  swarmName,
  toSwarmService,
  toSwarmStack,
} from "../../src/recipe/swarm.ts";
import type { Mapping } from "../../src/recipe/yaml-doc.ts";

describe("swarmName: the name swarm keeps a config or secret by", () => {
  it.each<[string, unknown, string]>([
    // Declared in the recipe: scoped to the stack (namespace.Scope).
    ["declared with a file", { file: "nginx.conf" }, "${STACK_NAME}_cfg"],
    [
      "`name:` set",
      { file: "nginx.conf", name: "${STACK_NAME}_cfg_${CFG_VERSION}" },
      "${STACK_NAME}_cfg_${CFG_VERSION}",
    ],
    ["`name:` empty is no name", { file: "nginx.conf", name: "" }, "${STACK_NAME}_cfg"],
    ["`name:` not a string is no name", { file: "nginx.conf", name: 5 }, "${STACK_NAME}_cfg"],
    ["`external: false`", { file: "x", external: false }, "${STACK_NAME}_cfg"],
    ["not a mapping", null, "${STACK_NAME}_cfg"],
    ["a bare value", "cfg", "${STACK_NAME}_cfg"],
    // External: swarm already holds it, by its key unless a name says otherwise.
    ["`external: true`", { external: true }, "cfg"],
    ["`external: true` with `name:`", { external: true, name: "shared_cfg" }, "shared_cfg"],
    ["deprecated `external: {name:}`", { external: { name: "old_cfg" } }, "old_cfg"],
    // transformExternal reads any mapping as `external: true`; with no name, the key.
    ["`external: {}`", { external: {} }, "cfg"],
    ['`external: {name: ""}`', { external: { name: "" } }, "cfg"],
  ])("%s", (_what, entry, name) => {
    expect(swarmName("cfg", entry)).toBe(name);
  });
});

describe("shellSplit: google/shlex's Split, as docker/cli splits a command string", () => {
  it.each<[string, string[] | null]>([
    ["a  b\tc\r\nd", ["a", "b", "c", "d"]],
    // Only space, tab, CR and LF separate words (shlex's spaceRunes); other blanks are letters.
    ["a\u00a0b", ["a\u00a0b"]],
    ["a\u000bb\u000cc", ["a\u000bb\u000cc"]],
    // A comment starts where a word could start, and ends at the line's end.
    ["#comment\nx", ["x"]],
    ["a #c\nb", ["a", "b"]],
    ["a #c", ["a"]],
    ["#only", []],
    ["a#b", ["a#b"]],
    ["'x'#y", ["x#y"]],
    ["\\#x", ["#x"]],
    // Single quotes: everything literal up to the next one.
    ["'a b'c", ["a bc"]],
    ["x'y'", ["xy"]],
    ["'a\\b'", ["a\\b"]],
    ["''", [""]],
    ["a '' b", ["a", "", "b"]],
    // Double quotes: a backslash escapes whatever follows it.
    ['""', [""]],
    ['x"y z"', ["xy z"]],
    ['"a\\b"', ["ab"]],
    ['"a\\\\b"', ["a\\b"]],
    ['"a\\"b"', ['a"b']],
    ['"$x `y`"', ["$x `y`"]],
    ['"a\nb"', ["a\nb"]],
    // Outside quotes too, and an escaped newline is a newline in the word.
    ["a\\b", ["ab"]],
    ["a\\ b", ["a b"]],
    ["a\\\nb", ["a\nb"]],
    ["a\\'b", ["a'b"]],
    // What shlex refuses (docker/cli then fails the deploy): unclosed quotes, a trailing escape.
    ["echo 'open", null],
    ['echo "open', null],
    ['echo "open\\', null],
    ['echo "open\\"', null],
    ["a\\", null],
  ])("%j", (text, words) => {
    expect(shellSplit(text)).toEqual(words);
  });
});

const names = {
  configs: new Map([
    ["nginx_conf", "${STACK_NAME}_nginx_conf_v2"],
    ["other", "shared_other"],
  ]),
  secrets: new Map([["db_password", "${STACK_NAME}_db_password_v1"]]),
};
const service = (input: Mapping, env: Record<string, string> = {}) =>
  toSwarmService(input, (name) => env[name], names);

describe("toSwarmService: one service as swarm receives it", () => {
  it.each<[string, Mapping, Record<string, string>, Mapping]>([
    [
      "labels: a list, `=` splits once, no `=` is an empty value",
      { image: "nginx", labels: ["a=1", "b", "c=x=y", "d="] },
      {},
      { image: "nginx", labels: { a: "1", b: "", c: "x=y", d: "" } },
    ],
    [
      "labels: a map's values as fmt.Sprint writes them, null as empty",
      { labels: { n: 1, f: 1.5, t: true, z: null, s: "x", nan: Number.NaN } },
      {},
      { labels: { n: "1", f: "1.5", t: "true", z: "", s: "x", nan: "NaN" } },
    ],
    [
      "labels: a mapping value (the schema refuses it) keeps its content",
      { labels: { o: { a: 1 } } },
      {},
      { labels: { o: '{"a":1}' } },
    ],
    ["labels: neither list nor map is none", { labels: "a=1" }, {}, { labels: {} }],
    [
      "environment: a list; no value or an empty one is taken from the app's env when it has it",
      { environment: ["A=1", "B", "C=", "D", "E=", "F=x=y"] },
      { B: "from-env", C: "c-env" },
      { environment: { A: "1", B: "from-env", C: "c-env", D: null, E: "", F: "x=y" } },
    ],
    [
      "environment: a map; a written value wins over the app's env",
      { environment: { A: null, B: "", C: 0, D: false, E: "kept", F: null } },
      { A: "a-env", B: "b-env", E: "e-env" },
      { environment: { A: "a-env", B: "b-env", C: "0", D: "false", E: "kept", F: null } },
    ],
    [
      "environment: an empty env value still replaces an empty entry",
      { environment: ["A"] },
      { A: "" },
      { environment: { A: "" } },
    ],
    [
      "networks: a list is a map of nulls; a map as written",
      { networks: ["proxy", "internal"] },
      {},
      { networks: { proxy: null, internal: null } },
    ],
    [
      "networks: a map as written",
      { networks: { proxy: { aliases: ["web"] }, internal: null } },
      {},
      { networks: { proxy: { aliases: ["web"] }, internal: null } },
    ],
    ["networks: neither list nor map is none", { networks: "proxy" }, {}, { networks: {} }],
    [
      "command and entrypoint: a string split as shlex splits it, a list as written",
      { command: "nginx -g 'daemon off;'", entrypoint: ["/docker-entrypoint.sh", "a b"] },
      {},
      { command: ["nginx", "-g", "daemon off;"], entrypoint: ["/docker-entrypoint.sh", "a b"] },
    ],
    [
      "entrypoint: a string split too",
      { entrypoint: "/entry.sh --flag", command: null },
      {},
      { entrypoint: ["/entry.sh", "--flag"], command: null },
    ],
    [
      "command: a string shlex refuses stays as written",
      { command: "sh -c 'unterminated" },
      {},
      { command: "sh -c 'unterminated" },
    ],
    [
      "healthcheck: a string test is CMD-SHELL",
      { healthcheck: { test: "curl -f localhost", interval: "30s" } },
      {},
      { healthcheck: { test: ["CMD-SHELL", "curl -f localhost"], interval: "30s" } },
    ],
    [
      "healthcheck: a list test as written",
      { healthcheck: { test: ["CMD", "curl", "-f", "localhost"] } },
      {},
      { healthcheck: { test: ["CMD", "curl", "-f", "localhost"] } },
    ],
    [
      "healthcheck: none, or disabled, as written",
      { healthcheck: { disable: true } },
      {},
      { healthcheck: { disable: true } },
    ],
    [
      "volumes: keyed by target; a path source is a bind, a name a volume",
      {
        volumes: [
          "content:/usr/share/nginx/html",
          "/host:/x:ro",
          "./rel:/y",
          "~/home:/z",
          "a.b:/n",
          "/anon",
          { type: "volume", source: "data", target: "/d", read_only: true },
        ],
      },
      {},
      {
        volumes: {
          "/usr/share/nginx/html": { type: "volume", source: "content" },
          "/x": { type: "bind", source: "/host", mode: "ro" },
          "/y": { type: "bind", source: "./rel" },
          "/z": { type: "bind", source: "~/home" },
          "/n": { type: "volume", source: "a.b" },
          "/anon": { type: "volume" },
          "/d": { type: "volume", source: "data", target: "/d", read_only: true },
        },
      },
    ],
    // ParseVolume keeps a drive letter's colon in its field, and reads a source written as a
    // drive or a \\share path as a bind.
    [
      "volumes: a Windows source",
      { volumes: ["C:\\data:/d:ro", "\\\\srv\\share:/s"] },
      {},
      {
        volumes: {
          "/d": { type: "bind", source: "C:\\data", mode: "ro" },
          "/s": { type: "bind", source: "\\\\srv\\share" },
        },
      },
    ],
    ["volumes: not a list is none", { volumes: "content:/srv" }, {}, { volumes: {} }],
    // docker/cli's schema does not require a long-form volume's target; one without is keyed by
    // the empty target (swarm then refuses the mount), never by another volume's.
    [
      "volumes: a long-form entry without a target",
      { volumes: [{ type: "tmpfs" }] },
      {},
      { volumes: { "": { type: "tmpfs" } } },
    ],
    [
      "configs: at /<source> unless a target says where, with the swarm name they mount",
      {
        configs: [
          "nginx_conf",
          { source: "other", target: "/etc/other.conf", mode: 0o440, uid: "101" },
          { source: "nginx_conf", target: "" },
          "undeclared",
        ],
      },
      {},
      {
        configs: {
          "/nginx_conf": { name: "${STACK_NAME}_nginx_conf_v2" },
          "/etc/other.conf": { name: "shared_other", mode: "288", uid: "101" },
          "/undeclared": { name: "(undeclared config undeclared)" },
        },
      },
    ],
    [
      "secrets: at /run/secrets/<source> unless a target says where",
      {
        secrets: ["db_password", { source: "db_password", target: "/etc/pw" }, { source: "nope" }],
      },
      {},
      {
        secrets: {
          "/run/secrets/db_password": { name: "${STACK_NAME}_db_password_v1" },
          "/etc/pw": { name: "${STACK_NAME}_db_password_v1" },
          "/run/secrets/nope": { name: "(undeclared secret nope)" },
        },
      },
    ],
    // A long-form mount without `source` mounts no declared object (docker/cli's convert finds
    // no config by the empty name), wherever its target puts it.
    [
      "configs: a long-form mount without a source",
      { configs: [{ target: "/etc/x.conf", mode: 0o440 }] },
      {},
      { configs: { "/etc/x.conf": { name: "(undeclared config )", mode: "288" } } },
    ],
    [
      "configs and secrets: not a list is none",
      { configs: "nginx_conf", secrets: { db_password: {} } },
      {},
      { configs: {}, secrets: {} },
    ],
    [
      "deploy.labels: a list as a map, values as strings, no value empty",
      { deploy: { replicas: 1, labels: ["traefik.enable=true", "x", "y=a=b"] } },
      {},
      { deploy: { replicas: 1, labels: { "traefik.enable": "true", x: "", y: "a=b" } } },
    ],
    [
      "deploy.labels: a map's null is empty, a number a string",
      { deploy: { labels: { a: null, b: 2 } } },
      {},
      { deploy: { labels: { a: "", b: "2" } } },
    ],
    [
      "deploy without labels as written",
      { deploy: { replicas: 2, resources: { limits: { memory: "1G" } } } },
      {},
      { deploy: { replicas: 2, resources: { limits: { memory: "1G" } } } },
    ],
  ])("%s", (_what, input, env, expected) => {
    // Strict: a setting swarm does not receive (a short volume's absent mode) is no key at all.
    expect(service(input, env)).toStrictEqual(expected);
  });

  it("leaves a service that has none of the list-or-map settings exactly as written", () => {
    const input = { image: "nginx:1.27", deploy: { replicas: 1 }, healthcheck: "x", x: 1 };
    expect(service(input)).toStrictEqual({
      image: "nginx:1.27",
      deploy: { replicas: 1 },
      healthcheck: "x",
      x: 1,
    });
  });
});

describe("toSwarmStack: the whole deployment as swarm receives it", () => {
  const object = (over: Partial<ObjectInput> & { key: string; name: string }): ObjectInput => ({
    external: false,
    file: null,
    digest: null,
    template_driver: null,
    ...over,
  });

  it("keys configs and secrets by swarm name, normalizes the services, keeps version and x-", () => {
    const doc: Mapping = {
      version: "3.8",
      "x-common": { image: "nginx" },
      name: "ignored",
      services: {
        app: {
          image: "nginx",
          configs: ["nginx_conf"],
          secrets: ["db_password"],
          environment: ["D"],
        },
        broken: null,
        listed: ["not", "a", "service"],
      },
      networks: { proxy: { external: true } },
      volumes: { content: null },
      configs: { nginx_conf: { file: "nginx.conf" } },
      secrets: { db_password: { external: true } },
    };
    const stack = toSwarmStack(doc, (name) => ({ D: "example.org" })[name], {
      configs: [
        object({
          key: "nginx_conf",
          name: "${STACK_NAME}_nginx_conf_v2",
          file: "nginx.conf",
          digest: "abc123",
          template_driver: "golang",
        }),
      ],
      secrets: [object({ key: "db_password", name: "db_password", external: true })],
    });
    expect(stack).toStrictEqual({
      services: {
        app: {
          image: "nginx",
          configs: { "/nginx_conf": { name: "${STACK_NAME}_nginx_conf_v2" } },
          secrets: { "/run/secrets/db_password": { name: "db_password" } },
          environment: { D: "example.org" },
        },
      },
      configs: {
        "${STACK_NAME}_nginx_conf_v2": {
          key: "nginx_conf",
          external: false,
          file: "nginx.conf",
          digest: "abc123",
          template_driver: "golang",
        },
      },
      secrets: {
        db_password: {
          key: "db_password",
          external: true,
          file: null,
          digest: null,
          template_driver: null,
        },
      },
      networks: { proxy: { external: true } },
      volumes: { content: null },
      version: "3.8",
      "x-common": { image: "nginx" },
    });
  });

  it("an empty document is an empty stack", () => {
    expect(toSwarmStack({}, () => undefined, { configs: [], secrets: [] })).toStrictEqual({
      services: {},
      configs: {},
      secrets: {},
      networks: {},
      volumes: {},
    });
  });

  it("sections that are not mappings are empty", () => {
    const doc = { services: ["app"], networks: ["proxy"], volumes: "content" };
    expect(toSwarmStack(doc, () => undefined, { configs: [], secrets: [] })).toStrictEqual({
      services: {},
      configs: {},
      secrets: {},
      networks: {},
      volumes: {},
    });
  });
});
