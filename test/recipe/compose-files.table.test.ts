/**
 * compose-files.ts as tables: which root files are overlays by their name, and the deployments
 * abra can make of a recipe tree. The expected values are abra's: `COMPOSE_FILE` read from the
 * app's env (`.env.sample` as godotenv reads it, an `export` of abra.sh winning), split on ":",
 * `compose.yml` when unset; a commented `#COMPOSE_FILE=` line is what an operator switches on in
 * place; a `compose.*.yml` at the root that no line names goes on top of the default.
 */
import { describe, expect, it } from "vitest";
import {
  type DeploymentSpec,
  deploymentSpecs,
  isOverlayName,
} from "../../src/recipe/compose-files.ts";

describe("isOverlayName: compose.<name>.yml at the recipe root", () => {
  it.each<[string, boolean]>([
    ["compose.smtp.yml", true],
    ["compose.smtp.yaml", true],
    ["COMPOSE.SMTP.YML", true],
    ["compose.yml", false],
    // Docker Compose's own override file is not an abra overlay: the name must start `compose.`.
    ["docker-compose.override.yml", false],
    ["xcompose.smtp.yml", false],
    // A backup copy is not a compose file: the name must end `.yml`/`.yaml`.
    ["compose.smtp.yml.orig", false],
    ["compose.smtp.yml~", false],
  ])("%s -> %s", (name, expected) => {
    expect(isOverlayName(name)).toBe(expected);
  });
});

/** A spec as id, files and problems (origin and optional are pinned in env-file.test.ts). */
const short = (s: DeploymentSpec) => [s.id, s.files, s.problems];

describe("deploymentSpecs: the deployments of a tree", () => {
  it.each<[string, string | null, string | null, string[], unknown[]]>([
    [
      // A commented line that switches on to the default's files adds no deployment...
      "a commented line that names what the default deploys",
      'COMPOSE_FILE="compose.yml:compose.a.yml"\n#COMPOSE_FILE="compose.yml:compose.a.yml"\n',
      null,
      ["compose.yml", "compose.a.yml"],
      [["default", ["compose.yml", "compose.a.yml"], []]],
    ],
    [
      "a commented line identical to the single-file default",
      "COMPOSE_FILE=compose.yml\n#COMPOSE_FILE=compose.yml\n",
      null,
      ["compose.yml"],
      [["default", ["compose.yml"], []]],
    ],
    [
      // ... unless switching it on breaks COMPOSE_FILE: abra would refuse it, so it is shown.
      "a commented line with an empty name between its colons",
      'COMPOSE_FILE=compose.yml\n#COMPOSE_FILE="compose.yml:"\n',
      null,
      ["compose.yml"],
      [
        ["default", ["compose.yml"], []],
        [
          ".env.sample:2",
          ["compose.yml"],
          ['COMPOSE_FILE "compose.yml:" has an empty name between its colons'],
        ],
      ],
    ],
    [
      // godotenv stops on a quote left open: abra reads no COMPOSE_FILE from that .env, so it
      // deploys compose.yml, and the broken line is the deployment's problem.
      "a commented line that godotenv refuses once switched on",
      '#COMPOSE_FILE="compose.yml:compose.x.yml\n',
      null,
      ["compose.yml", "compose.x.yml"],
      [
        ["default", ["compose.yml"], []],
        [
          ".env.sample:1",
          ["compose.yml"],
          [
            '.env.sample line 1, once switched on: unterminated quoted value "compose.yml:compose.x.yml',
          ],
        ],
        ["overlay:compose.x.yml", ["compose.yml", "compose.x.yml"], []],
      ],
    ],
    [
      // abra.sh's export wins over any line of .env.sample: switching one on changes nothing.
      "commented lines when abra.sh exports COMPOSE_FILE",
      "#COMPOSE_FILE=compose.yml:compose.x.yml\n",
      'export COMPOSE_FILE="compose.yml:"\n',
      ["compose.yml", "compose.x.yml"],
      [
        [
          "default",
          ["compose.yml"],
          ['COMPOSE_FILE "compose.yml:" has an empty name between its colons'],
        ],
        ["overlay:compose.x.yml", ["compose.yml", "compose.x.yml"], []],
      ],
    ],
    [
      // Each name is a path from the recipe root, spaces and all.
      "a name with spaces",
      'COMPOSE_FILE="compose.extra services.yml"\n',
      null,
      ["compose.yml"],
      [["default", ["compose.extra services.yml"], []]],
    ],
    [
      // Overlays come in name order, whatever the order of the tree's listing.
      "unnamed overlays, listed out of order",
      null,
      null,
      ["compose.yml", "compose.b.yml", "compose.a.yml", "docker-compose.override.yml"],
      [
        ["default", ["compose.yml"], []],
        ["overlay:compose.a.yml", ["compose.yml", "compose.a.yml"], []],
        ["overlay:compose.b.yml", ["compose.yml", "compose.b.yml"], []],
      ],
    ],
    [
      // COMPOSE_FILE=compose.ymlcompose.x.yml names one (odd) file, not compose.yml then
      // compose.x.yml: the overlay is still a deployment of its own.
      "a file whose name runs two names together",
      "#COMPOSE_FILE=compose.ymlcompose.x.yml\n",
      null,
      ["compose.yml", "compose.x.yml"],
      [
        ["default", ["compose.yml"], []],
        [".env.sample:1", ["compose.ymlcompose.x.yml"], []],
        ["overlay:compose.x.yml", ["compose.yml", "compose.x.yml"], []],
      ],
    ],
  ])("%s", (_what, sample, abraSh, names, expected) => {
    expect(deploymentSpecs(sample, abraSh, names).map(short)).toEqual(expected);
  });
});
