/**
 * The diff of two deployments as swarm sees them, from the swarm stacks themselves (facts in,
 * whole classified list out). The expected rows follow swarm: configs and secrets are kept by
 * name and are immutable (the same name with other content fails an upgrade), a service that
 * mounts another name gets that object's content (the same content is a bump alone, an external
 * one must already be in swarm), and a value that merely looks like a config name is no mount.
 */
import { describe, expect, it } from "vitest";
import {
  describeChange,
  describeWhere,
  diffDeployments,
  showValue,
} from "../../src/recipe/deployment-diff.ts";
import type { FileObject, SwarmStack } from "../../src/recipe/swarm.ts";
import type { Change } from "../../src/recipe/tier-table.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);

const obj = (o: Partial<FileObject> = {}): FileObject => ({
  key: "conf",
  external: false,
  file: "conf.tmpl",
  digest: A,
  template_driver: null,
  ...o,
});
const stack = (s: Partial<SwarmStack> = {}): SwarmStack => ({
  services: {},
  configs: {},
  secrets: {},
  networks: {},
  volumes: {},
  ...s,
});
/** A stack whose service `app` mounts the config `name` at /conf. */
const mounting = (name: string, configs: Record<string, FileObject>): SwarmStack =>
  stack({ services: { app: { image: "nginx", configs: { "/conf": { name } } } }, configs });

/** Each change as `row tier: description`, with its path and kind. */
const diff = (before: SwarmStack, after: SwarmStack, limit?: number) =>
  diffDeployments(before, after, limit).map((c) => ({
    path: c.path,
    kind: c.kind,
    line: `${c.row.id} ${c.row.tier ?? "-"}: ${describeChange(c)}`,
  }));

describe("diffDeployments: what swarm would do differently", () => {
  it.each<[string, SwarmStack, SwarmStack, ReturnType<typeof diff>]>([
    [
      "a mount switched to a name no file declares: a plain change (compose-valid says why)",
      mounting("s_conf_v1", { s_conf_v1: obj() }),
      mounting("(undeclared config other)", {}),
      [
        {
          path: ["services", "app", "configs", "/conf", "name"],
          kind: "value",
          line: "service-settings install: services.app config at /conf changed (s_conf_v1 -> (undeclared config other))",
        },
      ],
    ],
    [
      "a mount switched from a name no file declares to a declared one: a plain change, not a bump",
      mounting("(undeclared config other)", {}),
      mounting("s_conf_v1", { s_conf_v1: obj() }),
      [
        {
          path: ["services", "app", "configs", "/conf", "name"],
          kind: "value",
          line: "service-settings install: services.app config at /conf changed ((undeclared config other) -> s_conf_v1)",
        },
      ],
    ],
    [
      "a mount switched from a file to an external object: swarm must hold it before install",
      mounting("s_conf_v1", { s_conf_v1: obj() }),
      mounting("s_conf_v2", {
        s_conf_v2: obj({ external: true, file: null, digest: null }),
      }),
      [
        {
          path: ["services", "app", "configs", "/conf", "name"],
          kind: "external",
          line: "mount-external install: services.app config at /conf mounts s_conf_v2 instead of s_conf_v1",
        },
      ],
    ],
    [
      "a bump whose files are unknown at both ends (no digest): not provably the same content",
      mounting("s_conf_v1", { s_conf_v1: obj({ digest: null }) }),
      mounting("s_conf_v2", { s_conf_v2: obj({ digest: null }) }),
      [
        {
          path: ["services", "app", "configs", "/conf", "name"],
          kind: "new-content",
          line: "mount-new-content install: services.app config at /conf mounts s_conf_v2 instead of s_conf_v1, with new content",
        },
      ],
    ],
    [
      "a bump with the same file now rendered as a Go template: new content",
      mounting("s_conf_v1", { s_conf_v1: obj() }),
      mounting("s_conf_v2", { s_conf_v2: obj({ template_driver: "golang" }) }),
      [
        {
          path: ["services", "app", "configs", "/conf", "name"],
          kind: "new-content",
          line: "mount-new-content install: services.app config at /conf mounts s_conf_v2 instead of s_conf_v1, with new content",
        },
      ],
    ],
    [
      "a bump alone (same file, same content)",
      mounting("s_conf_v1", { s_conf_v1: obj() }),
      mounting("s_conf_v2", { s_conf_v2: obj() }),
      [
        {
          path: ["services", "app", "configs", "/conf", "name"],
          kind: "bump",
          line: "mount-bump -: services.app config at /conf mounts s_conf_v2 instead of s_conf_v1, with the same content",
        },
      ],
    ],
    [
      "a mount's mode changed: a plain setting, even when configs happen to be named like the modes",
      stack({
        services: {
          app: { image: "nginx", configs: { "/conf": { name: "s_conf_v1", mode: "0444" } } },
        },
        configs: { s_conf_v1: obj(), "0444": obj(), "0440": obj() },
      }),
      stack({
        services: {
          app: { image: "nginx", configs: { "/conf": { name: "s_conf_v1", mode: "0440" } } },
        },
        configs: { s_conf_v1: obj(), "0444": obj(), "0440": obj() },
      }),
      [
        {
          path: ["services", "app", "configs", "/conf", "mode"],
          kind: "value",
          line: "service-settings install: services.app config at /conf mode changed (0444 -> 0440)",
        },
      ],
    ],
    [
      "a mount's mode changed while a config named like the old mode is dropped: that drop is listed",
      stack({
        services: {
          app: { image: "nginx", configs: { "/conf": { name: "s_conf_v1", mode: "0444" } } },
        },
        configs: { s_conf_v1: obj(), "0444": obj() },
      }),
      stack({
        services: {
          app: { image: "nginx", configs: { "/conf": { name: "s_conf_v1", mode: "0440" } } },
        },
        configs: { s_conf_v1: obj() },
      }),
      [
        {
          path: ["services", "app", "configs", "/conf", "mode"],
          kind: "value",
          line: "service-settings install: services.app config at /conf mode changed (0444 -> 0440)",
        },
        {
          path: ["configs", "0444"],
          kind: "value",
          line: "config-unmounted -: config 0444 changed (conf.tmpl (blob aaaaaaa) -> absent)",
        },
      ],
    ],
    [
      "a deploy label called `name` whose value is a config's name is no mount; that config, dropped, is listed",
      stack({
        services: { app: { image: "nginx", deploy: { labels: { name: "s_conf_v1" } } } },
        configs: { s_conf_v1: obj() },
      }),
      stack({ services: { app: { image: "nginx", deploy: { labels: { name: "s_conf_v2" } } } } }),
      [
        {
          path: ["services", "app", "deploy", "labels", "name"],
          kind: "value",
          line: "service-label custom: services.app deploy label name changed (s_conf_v1 -> s_conf_v2)",
        },
        {
          path: ["configs", "s_conf_v1"],
          kind: "value",
          line: "config-unmounted -: config s_conf_v1 changed (conf.tmpl (blob aaaaaaa) -> absent)",
        },
      ],
    ],
    [
      "the same name turned external: swarm must already hold it",
      stack({ configs: { s_conf: obj() } }),
      stack({ configs: { s_conf: obj({ external: true, file: null, digest: null }) } }),
      [
        {
          path: ["configs", "s_conf", "external"],
          kind: "value",
          line: "networks-volumes install: config s_conf external changed (false -> true)",
        },
      ],
    ],
    [
      "the same name and content read from a moved file: swarm keeps it as it is",
      stack({ configs: { s_conf: obj() } }),
      stack({ configs: { s_conf: obj({ file: "conf/conf.tmpl" }) } }),
      [
        {
          path: ["configs", "s_conf", "file"],
          kind: "value",
          line: "config-source -: config s_conf file changed (conf.tmpl -> conf/conf.tmpl)",
        },
      ],
    ],
    [
      "the same name with other content: swarm refuses the update",
      stack({ secrets: { s_pw: obj({ key: "pw", file: "pw.txt" }) } }),
      stack({ secrets: { s_pw: obj({ key: "pw", file: "pw.txt", digest: B }) } }),
      [
        {
          path: ["secrets", "s_pw"],
          kind: "content",
          line: "config-content upgrade: secret s_pw: pw.txt (blob aaaaaaa) -> pw.txt (blob bbbbbbb), under the same name",
        },
      ],
    ],
    [
      "an external secret no service mounts, dropped",
      stack({ secrets: { s_pw: obj({ key: "pw", external: true, file: null, digest: null }) } }),
      stack(),
      [
        {
          path: ["secrets", "s_pw"],
          kind: "value",
          line: "config-unmounted -: secret s_pw changed (external -> absent)",
        },
      ],
    ],
    [
      "networks and volumes, in key order whatever order the stack lists them in",
      {
        services: {},
        configs: {},
        secrets: {},
        volumes: { data: { driver: "local" } },
        networks: { proxy: { external: true } },
      },
      { services: {}, configs: {}, secrets: {}, volumes: {}, networks: {} },
      [
        {
          path: ["networks", "proxy", "external"],
          kind: "value",
          line: "networks-volumes install: networks.proxy.external changed (true -> absent)",
        },
        {
          path: ["volumes", "data", "driver"],
          kind: "value",
          line: "networks-volumes install: volumes.data.driver changed (local -> absent)",
        },
      ],
    ],
  ])("%s", (_name, before, after, expected) => expect(diff(before, after)).toEqual(expected));

  it("keeps the first `limit` changes", () => {
    const before = stack({
      networks: { proxy: { external: true } },
      volumes: { data: { driver: "local" } },
    });
    expect(diff(before, stack(), 1)).toEqual([
      {
        path: ["networks", "proxy", "external"],
        kind: "value",
        line: "networks-volumes install: networks.proxy.external changed (true -> absent)",
      },
    ]);
  });
});

describe("describeWhere: what a change is to, as a person reads it", () => {
  it.each<[string[], string]>([
    [["services", "app", "image"], "services.app.image"],
    [
      ["services", "app", "deploy", "labels", "backupbot.backup"],
      "services.app deploy label backupbot.backup",
    ],
    [["services", "app", "deploy", "labels"], "services.app.deploy.labels"],
    [["services", "app", "deploy", "resources", "limits"], "services.app.deploy.resources.limits"],
    [
      ["services", "app", "build", "labels", "org.example"],
      'services.app.build.labels."org.example"',
    ],
    [["services", "app", "environment", "DOMAIN"], "services.app environment DOMAIN"],
    [["services", "app", "environment"], "services.app.environment"],
    [["services", "app", "labels", "x"], "services.app container label x"],
    [["services", "app", "labels"], "services.app.labels"],
    [["services", "app", "configs", "/conf", "name"], "services.app config at /conf"],
    [
      ["services", "app", "secrets", "/run/secrets/pw", "mode"],
      "services.app secret at /run/secrets/pw mode",
    ],
    [["services", "app", "configs", "/conf"], "services.app config at /conf"],
    [["services", "app", "configs"], "services.app.configs"],
    [["configs", "s_conf"], "config s_conf"],
    [["secrets", "s_pw", "key"], "secret s_pw key"],
    [["configs"], "configs"],
    [["volumes", "data"], "volumes.data"],
    // Outside `services`, the same keys are no service's: a volume's or network's own labels,
    // and service-like fragments under a top-level `x-` field, read as their key path.
    [["volumes", "data", "labels", "backup"], "volumes.data.labels.backup"],
    [
      ["x-services", "app", "deploy", "labels", "backupbot.backup"],
      'x-services.app.deploy.labels."backupbot.backup"',
    ],
    [["x-services", "app", "environment", "DOMAIN"], "x-services.app.environment.DOMAIN"],
    [["x-services", "app", "secrets", "/run/secrets/pw"], "x-services.app.secrets./run/secrets/pw"],
  ])("%j -> %s", (path, where) => {
    const change: Change = { path, before: undefined, after: undefined, kind: "value" };
    expect(describeWhere(change)).toEqual(where);
  });
});

describe("showValue: a value as a report shows it", () => {
  it.each<[unknown, string]>([
    [undefined, "absent"],
    [obj(), "conf.tmpl (blob aaaaaaa)"],
    [obj({ file: null }), "? (blob aaaaaaa)"],
    [obj({ external: true, file: null, digest: null }), "external"],
    ["x".repeat(60), "x".repeat(60)],
    ["x".repeat(61), `${"x".repeat(57)}...`],
    [{ a: 1 }, '{"a":1}'],
  ])("%j -> %s", (value, shown) => expect(showValue(value)).toEqual(shown));
});
