/** The pure pieces that know how Docker and abra read a recipe: interpolation, templates, merges. */
import { describe, expect, it } from "vitest";
import { templateProblems } from "../../src/engine/go-template.ts";
import { firstInvalidUtf8 } from "../../src/engine/inspect-files.ts";
import { createAppEnv } from "../../src/recipe/app-env.ts";
import { mergeStack, normalizeService } from "../../src/recipe/compose-merge.ts";
import { interpolate, interpolationProblem } from "../../src/recipe/interpolate.ts";
import { showLine, showName } from "../../src/shared/display.ts";
import { resolveRepoPath } from "../../src/shared/tree.ts";

const env: Record<string, string> = { DOMAIN: "example.org", EMPTY: "", STACK_NAME: "app_example" };
const lookup = (name: string) => env[name];

describe("interpolate, as docker/cli's template package does", () => {
  it.each([
    ["$DOMAIN", "example.org", []],
    ["${DOMAIN}", "example.org", []],
    ["https://${DOMAIN}/x", "https://example.org/x", []],
    ["${UNSET:-fallback}", "fallback", []],
    ["${EMPTY:-fallback}", "fallback", []],
    ["${UNSET-fallback}", "fallback", []],
    ["${EMPTY-fallback}", "", []],
    ["${DOMAIN:-fallback}", "example.org", []],
    ["${UNSET}", "", ["UNSET"]],
    ["$$DOMAIN", "$DOMAIN", []],
    ["$${DOMAIN}", "${DOMAIN}", []],
    ["${STACK_NAME}_conf_${UNSET:-v1}", "app_example_conf_v1", []],
    // No nesting: the default ends at the first }, and the rest is literal text.
    ["${UNSET:-${DOMAIN}}", "${DOMAIN}", []],
    // An unbraced name takes a default the same way (docker/cli's pattern allows it).
    ["$UNSET-x", "x", []],
  ])("%s -> %j", (text, value, missing) => {
    expect(interpolate(text, lookup)).toEqual({ value, missing, error: null });
  });

  it.each([
    ["${UNSET:?set it}", "required variable UNSET is missing a value: set it"],
    ["${EMPTY:?set it}", "required variable EMPTY is missing a value: set it"],
    ["${UNSET?set it}", "required variable UNSET is missing a value: set it"],
  ])("%s fails: %s", (text, error) => {
    expect(interpolate(text, lookup).error).toBe(error);
  });

  it("a required variable that is set is its value", () => {
    expect(interpolate("${EMPTY?set it}", lookup)).toEqual({ value: "", missing: [], error: null });
  });

  const ACCEPTS =
    "Docker accepts $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, and $$ for a literal $";
  it.each([
    ["${SMTP_PORT:25}", '"${SMTP_PORT:25}"'],
    ["${VAR:+alt}", '"${VAR:+alt}"'],
    ["${}", '"${}"'],
    ["${1ABC}", '"${1ABC}"'],
    ["price: $5", '"$5"'],
    ["ends with $", '"$"'],
  ])("refuses %s", (text, snippet) => {
    expect(interpolationProblem(text)).toBe(`invalid interpolation ${snippet} (${ACCEPTS})`);
  });

  it.each(["plain", "$$", "a $$ b", "${A}${B:-c}", "$A$B"])("accepts %s", (text) => {
    expect(interpolationProblem(text)).toBeNull();
  });
});

describe("templateProblems", () => {
  it.each([
    ["plain text", []],
    ["{{ if .A }}x{{ else }}y{{ end }}", []],
    ["{{- range .L -}}{{ . }}{{- end -}}", []],
    ['{{ "}}" }}', []],
    ["{{/* a }} comment */}}", []],
    ["{{ if .A }}\nx\n", ["{{ if }} on line 1 is never closed with {{ end }}"]],
    ["x\n{{ end }}", ["{{ end }} on line 2 closes nothing"]],
    ["{{ else }}", ["{{ else }} on line 1 is outside an if, range or with"]],
    ["a {{ .B", ["the action opened with {{ on line 1 is never closed with }}"]],
  ])("%j", (text, expected) => expect(templateProblems(text)).toEqual(expected));
});

describe("mergeStack, with docker/cli's merge rules", () => {
  it("merges services key by key, replaces top-level entries, and keys secrets by source", () => {
    const base = {
      services: {
        app: {
          image: "nginx",
          command: ["a"],
          secrets: ["one", { source: "two", target: "/t" }],
          deploy: { labels: ["x=1", "y=2"] },
          environment: { A: "1" },
          networks: ["proxy"],
        },
      },
      secrets: { one: { external: true }, two: { file: "two" } },
    };
    const overlay = {
      services: {
        app: {
          command: ["b"],
          secrets: [{ source: "two", target: "/other" }, "three"],
          deploy: { labels: { y: "3" } },
          environment: ["B=2"],
          networks: ["internal"],
        },
        mailer: { image: "mail" },
      },
      secrets: { two: { external: true }, three: { external: true } },
    };
    expect(mergeStack(base, overlay)).toEqual({
      services: {
        app: {
          image: "nginx",
          command: ["b"],
          secrets: ["one", { source: "two", target: "/other" }, "three"],
          deploy: { labels: { x: "1", y: "3" } },
          environment: { A: "1", B: "2" },
          networks: { proxy: null, internal: null },
        },
        mailer: { image: "mail" },
      },
      secrets: { one: { external: true }, two: { external: true }, three: { external: true } },
    });
  });

  // docker/cli loads each file into typed sections before merging: an empty section is an empty
  // map (the base's entries stay), a setting left empty keeps the base's, and env_file, dns,
  // dns_search and tmpfs are lists even when written as one string, so mergo appends them.
  it.each([
    [
      "an overlay's empty top-level section",
      { volumes: { data: {} } },
      { volumes: null },
      { volumes: { data: {} } },
    ],
    ["an overlay's top-level section the base lacks", {}, { volumes: null }, { volumes: null }],
    [
      "env_file written as one string on both sides",
      { services: { app: { env_file: "a.env" } } },
      { services: { app: { env_file: "b.env" } } },
      { services: { app: { env_file: ["a.env", "b.env"] } } },
    ],
    [
      "dns as a string onto a list",
      { services: { app: { dns: ["1.1.1.1"] } } },
      { services: { app: { dns: "9.9.9.9" } } },
      { services: { app: { dns: ["1.1.1.1", "9.9.9.9"] } } },
    ],
    [
      "tmpfs and dns_search as strings",
      { services: { app: { tmpfs: "/run", dns_search: "a.org" } } },
      { services: { app: { tmpfs: "/tmp", dns_search: "b.org" } } },
      { services: { app: { tmpfs: ["/run", "/tmp"], dns_search: ["a.org", "b.org"] } } },
    ],
    [
      "a setting the overlay leaves empty",
      { services: { app: { image: "nginx", env_file: "a.env" } } },
      { services: { app: { image: null, env_file: null } } },
      { services: { app: { image: "nginx", env_file: "a.env" } } },
    ],
    [
      "a string setting only the overlay has, kept as written",
      { services: { app: { image: "nginx" } } },
      { services: { app: { env_file: "b.env" } } },
      { services: { app: { image: "nginx", env_file: "b.env" } } },
    ],
  ])("%s", (_name, base, overlay, merged) => {
    expect(mergeStack(base, overlay)).toEqual(merged);
  });

  it("reads list and map forms of labels and environment alike", () => {
    expect(
      normalizeService({
        labels: ["a=1", "b"],
        environment: ["X=1", "Y"],
        deploy: { labels: ["c=d=e"] },
      }),
    ).toEqual({
      labels: { a: "1", b: "" },
      environment: { X: "1", Y: null },
      deploy: { labels: { c: "d=e" } },
    });
  });
});

describe("resolveRepoPath", () => {
  it.each([
    ["", "traefik.yml", "traefik.yml"],
    ["", "./conf/traefik.yml", "conf/traefik.yml"],
    ["sub", "../x.yml", "x.yml"],
    ["", "../outside.yml", null],
  ])("%j + %j -> %j", (dir, file, expected) => expect(resolveRepoPath(dir, file)).toBe(expected));
});

describe("display", () => {
  it.each([
    ["compose.yml", "compose.yml"],
    ["notes\ncompose.yml", "notes\\ncompose.yml"],
    ["tab\there", "tab\\there"],
    ["esc\u001b[31m", "esc\\x1b[31m"],
    ["services.app.\u0456mage", "services.app.\\u{456}mage"],
    ["back\\slash", "back\\\\slash"],
    ["café.md", "caf\\xe9.md"],
  ])("showName(%j) = %j", (name, shown) => expect(showName(name)).toBe(shown));

  it.each([
    ["  - café", "  - café"],
    ["x\r", "x\\r"],
    ["a\u202eb", "a\\u{202e}b"],
    ["zero\u200bwidth", "zero\\u{200b}width"],
  ])("showLine(%j) = %j", (line, shown) => expect(showLine(line)).toBe(shown));
});

describe("firstInvalidUtf8", () => {
  it.each([
    [[0x61, 0xe9, 0x62], 1],
    [[0xc3, 0xa9, 0xff], 2],
    [[0xe2, 0x82], 0],
    [[0xed, 0xa0, 0x80], 0], // a surrogate
    [[0xc0, 0x80], 0], // overlong
  ])("%j -> %d", (bytes, at) => expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(at));
});

describe("a recipe's values: .env.sample and abra.sh, interpolated", () => {
  const sample = [
    "TYPE=custom-html",
    "DOMAIN=custom-html.example.com",
    "## Domain aliases",
    "#EXTRA_DOMAINS=', `www.custom-html.example.com`'",
    'QUOTED="a value # not a comment"',
    "SECRET_DB_PASSWORD_VERSION=v1 # length=50",
    "EMPTY=",
    "ENABLE_BACKUPS=true",
    "NGINX_CONF_VERSION=v0",
  ].join("\n");
  const abra = [
    "export NGINX_CONF_VERSION=v1",
    "export ONLY_IN_ABRA=yes",
    "migrate() {",
    "  export INSIDE_A_FUNCTION=no",
    "}",
  ].join("\n");
  const env = createAppEnv(sample, abra);
  const resolve = (text: string) => interpolate(text, (name) => env.get(name)?.value);

  it.each([
    ["${DOMAIN}", "custom-html.example.com", []],
    ["$DOMAIN", "custom-html.example.com", []],
    ["${ENABLE_BACKUPS:-false}", "true", []],
    ["${EMPTY:-fallback}", "fallback", []],
    ["${EMPTY-fallback}", "", []],
    ["${EXTRA_DOMAINS}", "", ["EXTRA_DOMAINS"]], // commented out in .env.sample: unset
    ["${QUOTED}", "a value # not a comment", []],
    ["${SECRET_DB_PASSWORD_VERSION}", "v1", []],
    ["${ONLY_IN_ABRA}", "yes", []],
    ["${INSIDE_A_FUNCTION}", "", ["INSIDE_A_FUNCTION"]],
    ["${STACK_NAME}_nginx_conf_${NGINX_CONF_VERSION}", "${STACK_NAME}_nginx_conf_v1", []],
    ["$${DOMAIN}", "${DOMAIN}", []],
    ["${UNSET:-${DOMAIN}}", "${DOMAIN}", []],
  ])("%s -> %j", (text, value, missing) => {
    expect(resolve(text)).toEqual({ value, missing, error: null });
  });

  it("knows where a value comes from, abra.sh's exports first", () => {
    expect(env.get("NGINX_CONF_VERSION")).toEqual({ value: "v1", from: "abra.sh" });
    expect(env.get("DOMAIN")).toEqual({ value: "custom-html.example.com", from: ".env.sample" });
    expect(env.get("STACK_NAME")).toEqual({ value: "${STACK_NAME}", from: "abra" });
    expect(env.get("NOPE")).toBeUndefined();
  });
});
