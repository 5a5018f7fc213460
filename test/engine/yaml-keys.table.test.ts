/**
 * disallowedKeyChanges, the `keys` check's core, as a table: two parsed documents and a rule's
 * key patterns in, the whole answer out (the key paths that changed outside every allowed pattern,
 * and whether the limit cut the list short). A path is allowed when ANY of the rule's patterns
 * covers it: `keys: [a, b]` lets a and b change, not only what both cover.
 */
import { describe, expect, it } from "vitest";
import { disallowedKeyChanges, MAX_KEY_PATHS } from "../../src/engine/yaml-keys.ts";
import { type KeyToken, parseKeyPattern } from "../../src/shared/key-path.ts";

const tokens = (pattern: string): KeyToken[] => {
  const parsed = parseKeyPattern(pattern);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
};

/** One service's swarm labels (map form, as normalizeStack gives them). */
const app = (labels: Record<string, string>, image = "nginx:1.27") => ({
  services: { app: { image, deploy: { labels } } },
});
const BACKUP = { "backupbot.backup": "true" };
const LABELS = ["services", "app", "deploy", "labels"];

type Row = [
  string,
  unknown,
  unknown,
  string[],
  number | undefined,
  { paths: string[][]; truncated: boolean },
];

describe("disallowedKeyChanges", () => {
  it.each<Row>([
    [
      "no pattern: every changed key is outside",
      app(BACKUP),
      app({ ...BACKUP, "backupbot.backup.volumes.content.path": "public_html" }),
      [],
      undefined,
      { paths: [[...LABELS, "backupbot.backup.volumes.content.path"]], truncated: false },
    ],
    [
      "the one allowed label changes (the bad-backup canary)",
      app(BACKUP),
      app({ ...BACKUP, "backupbot.backup.volumes.content.path": "public_html" }),
      ['services.app.deploy.labels."backupbot.backup.volumes.content.path"'],
      undefined,
      { paths: [], truncated: false },
    ],
    [
      "two patterns: a change the first covers and the second does not is allowed",
      app(BACKUP),
      app({ ...BACKUP, "backupbot.backup.volumes.content.path": "public_html" }),
      ["services.app.deploy.labels", "services.app.image"],
      undefined,
      { paths: [], truncated: false },
    ],
    [
      "two patterns: a change only the second covers is allowed",
      app(BACKUP),
      app(BACKUP, "nginx:1.27-ccci-does-not-exist"),
      ["services.app.deploy.labels", "services.app.image"],
      undefined,
      { paths: [], truncated: false },
    ],
    [
      "two patterns, each change covered by one of them",
      app(BACKUP),
      app({ ...BACKUP, "backupbot.backup.volumes.content.path": "x" }, "nginx:1.28"),
      ["services.app.deploy.labels", "services.app.image"],
      undefined,
      { paths: [], truncated: false },
    ],
    [
      "two patterns, and a change neither covers",
      app(BACKUP),
      { services: { app: { image: "nginx:1.27", deploy: { labels: BACKUP, replicas: 2 } } } },
      ["services.app.deploy.labels", "services.app.image"],
      undefined,
      { paths: [["services", "app", "deploy", "replicas"]], truncated: false },
    ],
    [
      "a label that only shares the allowed label's prefix is outside",
      app(BACKUP),
      app({ "backupbot.backup": "false", "backupbot.backup.path": "/x" }),
      ["services.app.deploy.labels.backupbot.backup"],
      undefined,
      { paths: [[...LABELS, "backupbot.backup.path"]], truncated: false },
    ],
    [
      "at the limit: every path listed, not truncated",
      app({}),
      app({ a: "1", b: "2" }),
      [],
      2,
      {
        paths: [
          [...LABELS, "a"],
          [...LABELS, "b"],
        ],
        truncated: false,
      },
    ],
    [
      "one past the limit: the first ones listed, and truncated",
      app({}),
      app({ a: "1", b: "2", c: "3" }),
      [],
      2,
      {
        paths: [
          [...LABELS, "a"],
          [...LABELS, "b"],
        ],
        truncated: true,
      },
    ],
    [
      "allowed paths never count towards the limit",
      app({}),
      app({ a: "1", b: "2", c: "3" }),
      ["services.app.deploy.labels.a"],
      2,
      {
        paths: [
          [...LABELS, "b"],
          [...LABELS, "c"],
        ],
        truncated: false,
      },
    ],
  ])("%s", (_name, before, after, patterns, limit, expected) => {
    expect(disallowedKeyChanges(before, after, patterns.map(tokens), limit)).toEqual(expected);
  });

  it(`lists at most ${MAX_KEY_PATHS} paths by default`, () => {
    const many = Object.fromEntries(
      Array.from({ length: MAX_KEY_PATHS + 1 }, (_, i) => [`l${i}`, "x"]),
    );
    const { paths, truncated } = disallowedKeyChanges(app({}), app(many), []);
    expect({ count: paths.length, last: paths.at(-1), truncated }).toEqual({
      count: MAX_KEY_PATHS,
      last: [...LABELS, `l${MAX_KEY_PATHS - 1}`],
      truncated: true,
    });
  });
});
