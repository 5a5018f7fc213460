/**
 * One deployment as abra and `docker stack deploy` build it, from a tree (and, for what git can
 * hold but a checkout cannot show as a file, the snapshot's own facts): its problems, whether it
 * is complete, what it reads and renders, and what swarm receives. Expected values: docker/cli's
 * loader (each file read, parsed as one YAML mapping, versions equal, paths from the directory of
 * the first file), abra's COMPOSE_FILE (compose.yml by default), and Traefik's file provider
 * (it renders the Go templates of its dynamic configuration, not of its static traefik.yml).
 */
import { describe, expect, it } from "vitest";
import {
  type Deployment,
  defaultedVariables,
  variablesIn,
  versionVariable,
  writtenName,
} from "../../src/recipe/deployment.ts";
import { readRecipe } from "../../src/recipe/read-recipe.ts";
import type { SwarmStack } from "../../src/recipe/swarm.ts";
import { createYamlCache } from "../../src/recipe/yaml-cache.ts";
import type { Side, Snapshot } from "../../src/shared/tree.ts";
import { snapshotOf, type Tree } from "../helpers/trees.ts";

const ENV = "DOMAIN=app.example.com\n";
const APP = "services:\n  app:\n    image: nginx:1.27\n";

/** The default deployment of a tree, with the snapshot changed by `tweak` first. */
const deploymentOf = (tree: Tree, tweak: (s: Snapshot) => void = () => {}): Deployment => {
  const snapshot = snapshotOf(tree);
  tweak(snapshot);
  return readRecipe(snapshot, createYamlCache()).deployments[0] as Deployment;
};
const summary = (d: Deployment) => ({
  problems: d.problems,
  incomplete: d.incomplete,
  stack: d.stack === null ? null : "built",
  reads: [...d.reads],
  templates: [...d.templates],
});
const side = (path: string, s: Side) => (snap: Snapshot) => {
  snap.files.set(path, s);
};
const entryType = (path: string, type: "tree" | "commit") => (snap: Snapshot) => {
  const entry = snap.dirs.get("")?.find((e) => e.path === path);
  if (entry) entry.type = type;
};
const notLoading = { incomplete: false, stack: null, templates: [] };

describe("buildDeployment: an overlay no COMPOSE_FILE line names, over a missing compose.yml", () => {
  // abra would deploy the overlay on top of the default files (compose.yml here): the message
  // says which file is missing and what goes on top of it, in one readable sentence.
  it("says the overlay goes on top of the missing file", () => {
    const d = readRecipe(
      snapshotOf({ ".env.sample": ENV, "compose.smtp.yml": APP }),
      createYamlCache(),
    ).deployments.find((x) => x.spec.id === "overlay:compose.smtp.yml") as Deployment;
    expect(d.problems).toEqual([
      {
        kind: "missing-file",
        file: "compose.yml",
        message:
          "compose.yml does not exist, and compose.smtp.yml, which no COMPOSE_FILE line names, goes on top of it",
      },
    ]);
  });
});

describe("buildDeployment: a compose file abra cannot load", () => {
  it.each<[string, Tree, (s: Snapshot) => void, ReturnType<typeof summary>]>([
    [
      "compose.yml is a directory",
      { ".env.sample": ENV, "compose.yml/app.yml": APP },
      () => {},
      {
        ...notLoading,
        reads: ["compose.yml"],
        problems: [
          {
            kind: "missing-file",
            file: "compose.yml",
            message:
              "compose.yml does not exist: abra deploys compose.yml when .env.sample sets no COMPOSE_FILE",
          },
        ],
      },
    ],
    ...["docker-compose.yml", "docker-compose.yaml"].map(
      (other): [string, Tree, (s: Snapshot) => void, ReturnType<typeof summary>] => [
        `no compose.yml, a ${other} instead`,
        { ".env.sample": ENV, [other]: APP },
        () => {},
        {
          ...notLoading,
          reads: ["compose.yml"],
          problems: [
            {
              kind: "missing-file",
              file: "compose.yml",
              message: `compose.yml does not exist: abra deploys compose.yml when .env.sample sets no COMPOSE_FILE (it does not read ${other})`,
            },
          ],
        },
      ],
    ),
    [
      "COMPOSE_FILE names compose.yml, which is missing",
      { ".env.sample": `${ENV}COMPOSE_FILE=compose.yml\n` },
      () => {},
      {
        ...notLoading,
        reads: ["compose.yml"],
        problems: [
          {
            kind: "missing-file",
            file: "compose.yml",
            message:
              "compose.yml does not exist, and COMPOSE_FILE on line 2 of .env.sample names it",
          },
        ],
      },
    ],
    [
      "compose.yml is a submodule",
      { ".env.sample": ENV, "compose.yml": APP },
      entryType("compose.yml", "commit"),
      {
        ...notLoading,
        reads: ["compose.yml"],
        problems: [
          {
            kind: "unreadable",
            file: "compose.yml",
            message: "compose.yml is a submodule, not a file",
          },
        ],
      },
    ],
    ...(
      [
        [{ state: "absent" }, "missing-file", "compose.yml does not exist"],
        [
          { state: "symlink" },
          "unreadable",
          "compose.yml is a symlink: what it deploys depends on where the recipe is checked out",
        ],
        [{ state: "submodule" }, "unreadable", "compose.yml is a submodule, not a file"],
        [
          { state: "binary" },
          "unreadable",
          "compose.yml is binary (re-encoded, e.g. as UTF-16?): compose cannot read it",
        ],
        [
          { state: "too-large", size: 10_000_000 },
          "unreadable",
          "compose.yml is over the inspection limit, so it was not read",
        ],
        [
          { state: "unread", reason: "was not read: the read budget is spent" },
          "unreadable",
          "compose.yml was not read: the read budget is spent",
        ],
        [
          { state: "text", text: APP, invalidUtf8At: 3 },
          "unreadable",
          "compose.yml is not valid UTF-8, so Docker cannot read it",
        ],
        [
          { state: "text", text: "services: [\n", invalidUtf8At: null },
          "unparsable",
          "compose.yml does not parse, so it cannot deploy",
        ],
        [
          { state: "text", text: `${APP}---\n${APP}`, invalidUtf8At: null },
          "unparsable",
          "compose.yml does not parse, so it cannot deploy",
        ],
        [
          { state: "text", text: "", invalidUtf8At: null },
          "unparsable",
          "compose.yml is empty (it parses to null), so there is nothing to deploy",
        ],
        [
          { state: "text", text: "# nothing yet\n~\n", invalidUtf8At: null },
          "unparsable",
          "compose.yml is empty (it parses to null), so there is nothing to deploy",
        ],
        [
          { state: "text", text: "- app\n", invalidUtf8At: null },
          "unparsable",
          "compose.yml: the top level must be a mapping with services",
        ],
      ] as [Side, string, string][]
    ).map(
      ([s, kind, message]): [string, Tree, (s: Snapshot) => void, ReturnType<typeof summary>] => [
        `compose.yml read as ${JSON.stringify(s)}`,
        { ".env.sample": ENV, "compose.yml": APP },
        side("compose.yml", s),
        {
          ...notLoading,
          reads: ["compose.yml"],
          problems: [{ kind: kind as "unreadable", file: "compose.yml", message }],
        },
      ],
    ),
    [
      "compose.yml not read yet: incomplete, nothing to say",
      { ".env.sample": ENV, "compose.yml": APP },
      (snap) => snap.files.delete("compose.yml"),
      { problems: [], incomplete: true, stack: null, reads: ["compose.yml"], templates: [] },
    ],
    [
      "COMPOSE_FILE set empty: abra has no file to deploy",
      { ".env.sample": `${ENV}COMPOSE_FILE=\n`, "compose.yml": APP },
      () => {},
      {
        ...notLoading,
        reads: [],
        problems: [
          {
            kind: "env",
            file: ".env.sample",
            message: expect.stringContaining("COMPOSE_FILE") as unknown as string,
          },
        ],
      },
    ],
  ])("%s", (_name, tree, tweak, expected) =>
    expect(summary(deploymentOf(tree, tweak))).toEqual(expected),
  );
});

describe("buildDeployment: versions, configs and env_files", () => {
  const BASE = 'version: "3.8"\nservices:\n  app:\n    image: nginx:1.27\n';
  const two = (overlay: string): Tree => ({
    ".env.sample": `${ENV}COMPOSE_FILE="compose.yml:compose.x.yml"\n`,
    "compose.yml": BASE,
    "compose.x.yml": overlay,
  });
  const reading = (yaml: string, extra: Tree = {}): Tree => ({
    ".env.sample": ENV,
    "compose.yml": `${BASE}${yaml}`,
    ...extra,
  });

  it.each<[string, Tree, Partial<ReturnType<typeof summary>>]>([
    [
      "an overlay of the same version",
      two('version: "3.8"\nservices:\n  app:\n    environment: [A=1]\n'),
      { problems: [], stack: "built", reads: ["compose.yml", "compose.x.yml"] },
    ],
    [
      "an overlay of another version",
      two('version: "3.9"\nservices:\n  app:\n    environment: [A=1]\n'),
      {
        problems: [
          {
            kind: "version-mismatch",
            file: "compose.x.yml",
            message:
              'its version is 3.9, and compose.yml\'s is 3.8: docker stack deploy refuses files of two versions ("version mismatched between two composefiles")',
          },
        ],
        stack: "built",
        reads: ["compose.yml", "compose.x.yml"],
      },
    ],
    [
      "a base file whose version is no string (its own schema problem), an overlay of 3.9",
      {
        ...two('version: "3.9"\nservices:\n  app:\n    environment: [A=1]\n'),
        "compose.yml": "version: 3.8\nservices:\n  app:\n    image: nginx:1.27\n",
      },
      {
        problems: [
          {
            kind: "schema",
            file: "compose.yml",
            message:
              'version must be a string (write version: "3.8"), as Docker\'s schema requires',
          },
        ],
        stack: "built",
        reads: ["compose.yml", "compose.x.yml"],
      },
    ],
    // Docker's schema refuses the overlay's version first; its value is no version to compare.
    [
      "an overlay whose version is no string, on a base of 3.8",
      two("version: 3.9\nservices:\n  app:\n    environment: [A=1]\n"),
      {
        problems: [
          {
            kind: "schema",
            file: "compose.x.yml",
            message:
              'version must be a string (write version: "3.9"), as Docker\'s schema requires',
          },
        ],
        stack: "built",
        reads: ["compose.yml", "compose.x.yml"],
      },
    ],
    [
      "a config read from outside the recipe",
      reading("    configs: [conf]\nconfigs:\n  conf:\n    file: ../conf.txt\n"),
      {
        problems: [
          {
            kind: "missing-source",
            file: null,
            message: 'config "conf" reads ../conf.txt, which is outside the recipe',
          },
        ],
        reads: ["compose.yml"],
      },
    ],
    [
      "a config whose file is a directory",
      reading("    configs: [conf]\nconfigs:\n  conf:\n    file: conf\n", {
        "conf/site.conf": "x\n",
      }),
      {
        problems: [
          {
            kind: "missing-source",
            file: "conf",
            message:
              'config "conf" reads conf, which does not exist, so docker stack deploy cannot create it',
          },
        ],
        reads: ["compose.yml", "conf"],
      },
    ],
    [
      "a config whose name has .tmpl inside, not as its extension: no template",
      reading("    configs: [conf]\nconfigs:\n  conf:\n    file: site.tmpl.conf\n", {
        "site.tmpl.conf": "x\n",
      }),
      { problems: [], templates: [], reads: ["compose.yml", "site.tmpl.conf"] },
    ],
    [
      "a config mounted into a service that is not Traefik: no template",
      reading("    configs: [conf]\nconfigs:\n  conf:\n    file: site.yml\n", {
        "site.yml": "x: 1\n",
      }),
      { problems: [], templates: [], reads: ["compose.yml", "site.yml"] },
    ],
    [
      "env_file as one string, and as a list naming a file twice",
      reading(
        "    env_file: app.env\n  worker:\n    image: nginx:1.27\n    env_file: [app.env, ./app.env]\n",
        { "app.env": "A=1\n" },
      ),
      { problems: [], stack: "built", reads: ["compose.yml", "app.env"] },
    ],
    [
      "env_file outside the recipe",
      reading("    env_file: ../app.env\n"),
      {
        problems: [
          {
            kind: "missing-source",
            file: null,
            message: 'service "app" reads env_file ../app.env, which does not exist',
          },
        ],
        stack: "built",
        reads: ["compose.yml"],
      },
    ],
    [
      "env_file that is a directory",
      reading("    env_file: env\n", { "env/app.env": "A=1\n" }),
      {
        problems: [
          {
            kind: "missing-source",
            file: "env",
            message: 'service "app" reads env_file env, which does not exist',
          },
        ],
        stack: "built",
        reads: ["compose.yml"],
      },
    ],
    [
      "a service that is not a mapping (Docker's schema refuses it; nothing else breaks)",
      reading("  broken: nginx\n"),
      {
        problems: [
          { kind: "schema", file: "compose.yml", message: 'service "broken" must be a mapping' },
        ],
        stack: "built",
        reads: ["compose.yml"],
      },
    ],
    [
      "an empty service (null; Docker's schema refuses it; nothing else breaks)",
      reading("  broken:\n"),
      {
        problems: [
          { kind: "schema", file: "compose.yml", message: 'service "broken" must be a mapping' },
        ],
        stack: "built",
        reads: ["compose.yml"],
      },
    ],
  ])("%s", (_name, tree, expected) =>
    // Each row names what it is about; the rest is a whole deployment that loads: no problem,
    // complete, built, no template.
    expect(summary(deploymentOf(tree))).toEqual({
      problems: [],
      incomplete: false,
      stack: "built",
      templates: [],
      ...expected,
    }),
  );

  it("an env_file in a directory not listed yet: incomplete, and the directory is asked for", () => {
    const tree = reading("    env_file: env/app.env\n", { "env/app.env": "A=1\n" });
    const snapshot = snapshotOf(tree);
    snapshot.dirs.delete("env");
    const recipe = readRecipe(snapshot, createYamlCache());
    expect(summary(recipe.deployments[0] as Deployment)).toEqual({
      problems: [],
      incomplete: true,
      stack: null,
      reads: ["compose.yml"],
      templates: [],
    });
    expect([...recipe.needs.dirs]).toEqual(["env"]);
  });

  it("what swarm receives: an env_file stands for its blob id, next to what the service sets", () => {
    const tree = reading("    env_file: app.env\n", { "app.env": "A=1\n" });
    const stack = deploymentOf(tree).stack as SwarmStack;
    expect(stack.services).toEqual({
      app: {
        image: "nginx:1.27",
        env_file: { "app.env": expect.stringMatching(/^[0-9a-f]{40}$/) },
      },
    });
  });
});

describe("templates: what Traefik's file provider renders", () => {
  const traefik = (image: string, mounts: string, configs: string, extra: Tree = {}): Tree => ({
    ".env.sample": ENV,
    "compose.yml": `services:\n  proxy:\n    image: ${image}\n${mounts}configs:\n${configs}`,
    ...extra,
  });
  const DYN = "  dyn:\n    file: dyn.yml\n";

  it.each<[string, Tree, [string, string][]]>([
    [
      "an untagged traefik image",
      traefik(
        "traefik",
        "    configs:\n      - source: dyn\n        target: /etc/traefik/dynamic/dyn.yml\n",
        DYN,
        {
          "dyn.yml": "http: {}\n",
        },
      ),
      [
        [
          "dyn.yml",
          'service "proxy" mounts it into Traefik, whose file provider renders templates',
        ],
      ],
    ],
    ["Traefik mounting nothing", traefik("traefik:v3.1", "", DYN, { "dyn.yml": "http: {}\n" }), []],
    // An image that is no string (Docker's schema refuses it) runs no Traefik, even one whose
    // text would read as traefik.
    [
      "an image written as a list",
      traefik(
        "[traefik]",
        "    configs:\n      - source: dyn\n        target: /etc/traefik/dynamic/dyn.yml\n",
        DYN,
        { "dyn.yml": "http: {}\n" },
      ),
      [],
    ],
    [
      "Traefik mounting a config nothing declares (compose-valid says so)",
      traefik("traefik:v3.1", "    configs: [other]\n", DYN, { "dyn.yml": "http: {}\n" }),
      [],
    ],
    [
      "the static configuration, mounted by the short syntax at /traefik.yml",
      traefik(
        "traefik:v3.1",
        "    configs: [traefik.yml]\n",
        "  traefik.yml:\n    file: static.yml\n",
        {
          "static.yml": "entryPoints: {}\n",
        },
      ),
      [],
    ],
    [
      "the static configuration, by the long syntax without a target",
      traefik(
        "traefik:v3.1",
        "    configs:\n      - source: traefik.yml\n",
        "  traefik.yml:\n    file: static.yml\n",
        {
          "static.yml": "entryPoints: {}\n",
        },
      ),
      [],
    ],
    [
      "the static configuration at a relative target (swarm mounts it at /traefik.yml)",
      traefik(
        "traefik:v3.1",
        "    configs:\n      - source: static\n        target: traefik.yml\n",
        "  static:\n    file: static.yml\n",
        {
          "static.yml": "entryPoints: {}\n",
        },
      ),
      [],
    ],
    [
      "a dynamic file in a directory named like the static file",
      traefik(
        "traefik:v3.1",
        "    configs:\n      - source: dyn\n        target: /etc/traefik/traefik.yml.d/dyn.yml\n",
        DYN,
        { "dyn.yml": "http: {}\n" },
      ),
      [
        [
          "dyn.yml",
          'service "proxy" mounts it into Traefik, whose file provider renders templates',
        ],
      ],
    ],
  ])("%s", (_name, tree, expected) =>
    expect(summary(deploymentOf(tree)).templates).toEqual(expected),
  );
});

describe("names and variables as the files write them", () => {
  const tree: Tree = {
    ".env.sample": ENV,
    "compose.yml":
      "services:\n  app:\n    image: nginx:1.27\n    configs: [conf, plain]\nconfigs:\n  conf:\n    name: ${STACK_NAME}_conf_${CONF_VERSION}\n    file: conf.txt\n  plain:\n    file: conf.txt\n",
    "conf.txt": "x\n",
    "abra.sh": "export CONF_VERSION=v1\n",
  };

  it.each<[Tree, "configs" | "secrets", string, string]>([
    [tree, "configs", "conf", "${STACK_NAME}_conf_${CONF_VERSION}"],
    [tree, "configs", "plain", "plain"],
    [tree, "configs", "undeclared", "undeclared"],
    [tree, "secrets", "conf", "conf"],
    [{ ...tree, "compose.yml": "services: [\n" }, "configs", "conf", "conf"],
  ])("writtenName(%#, %s, %s) = %s", (t, section, key, name) =>
    expect(writtenName(deploymentOf(t), section, key)).toEqual(name),
  );

  it.each<[string, string | null]>([
    ["${STACK_NAME}_conf_${CONF_VERSION}", "CONF_VERSION"],
    ["${STACK_NAME}_conf_$CONF_VERSION", "CONF_VERSION"],
    ["${STACK_NAME}_conf_v1", null],
  ])("versionVariable(%s) = %s", (name, variable) =>
    expect(versionVariable(name)).toEqual(variable),
  );

  it.each<[string, string[]]>([
    ["${A:-x} ${B-y} ${C} $D", ["A", "B"]],
    ["${A:?required}", []],
  ])("defaultedVariables(%s) = %j", (text, names) =>
    expect(defaultedVariables(text)).toEqual(names),
  );

  it.each<[string, string[]]>([
    ["${A:-x} ${B-y} ${C} $D", ["A", "B", "C", "D"]],
    ["plain text", []],
  ])("variablesIn(%s) = %j", (text, names) => expect(variablesIn(text)).toEqual(names));
});
