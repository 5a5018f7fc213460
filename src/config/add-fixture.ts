/**
 * Add one fixture to fixtures.yaml and change nothing else: the new entry is written as text after
 * the last one (at the same indentation), or in place of an empty `fixtures: []`, so comments, key
 * order, quoting and blank lines stay as the maintainer wrote them (as `rewrite-pin.ts` does for
 * a pin).
 */
import { isMap, isSeq, type LineCounter, LineCounter as Lines, parse, parseDocument } from "yaml";
import { ConfigError } from "../shared/errors.ts";

export type NewFixture = {
  name: string;
  repo: string;
  branch: string;
  /** The full commit id to pin. */
  sha: string;
  base: string | null;
  tier: string | null;
};

/**
 * A value as a YAML plain scalar when that reads back as the same string (YAML 1.2, and the 1.1
 * words people's tools still read as booleans), else quoted: a commit id of digits only, or a
 * branch named `yes`, stays a string.
 */
function scalar(value: string): string {
  const plain =
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) &&
    !/^(y|n|yes|no|on|off|true|false|null)$/i.test(value) &&
    parse(value) === value;
  return plain ? value : JSON.stringify(value);
}

function entry(fixture: NewFixture, indent: string): string {
  const lines = [
    `- name: ${scalar(fixture.name)}`,
    `  repo: ${scalar(fixture.repo)}`,
    `  branch: ${scalar(fixture.branch)}`,
    `  sha: ${scalar(fixture.sha)}`,
    // A good canary says so: no base, even when defaults give one.
    `  base: ${fixture.base === null ? "null" : scalar(fixture.base)}`,
    ...(fixture.tier ? [`  tier: ${scalar(fixture.tier)}`] : []),
  ];
  return lines.map((l) => `${indent}${l}\n`).join("");
}

export function addFixture(source: string, fixture: NewFixture): string {
  const lineCounter: LineCounter = new Lines();
  const doc = parseDocument(source, { uniqueKeys: true, lineCounter });
  if (!isMap(doc.contents)) throw new ConfigError("the manifest is not a mapping");
  const fixtures = doc.contents.get("fixtures", true);
  if (!isSeq(fixtures) || !fixtures.range)
    throw new ConfigError("the manifest has no fixtures list");
  if (fixtures.items.some((i) => isMap(i) && i.get("name") === fixture.name))
    throw new ConfigError(`there is already a fixture named "${fixture.name}"`);
  const last = fixtures.items.at(-1);
  if (fixtures.flow) {
    if (last !== undefined)
      throw new ConfigError(
        "fixtures: is written as a [flow] list; write it as a block list first",
      );
    // `fixtures: []` becomes a block list holding the new entry.
    const [start, end] = fixtures.range;
    const before = source.slice(0, start).replace(/[ \t]*$/, "");
    return `${before}\n${entry(fixture, "  ")}${source.slice(end).replace(/^[ \t]*\n?/, "")}`;
  }
  if (!isMap(last) || !last.range) throw new ConfigError("the fixtures list holds something else");
  // The dash of an entry sits two columns before its first key.
  const column = lineCounter.linePos(last.range[0]).col - 1;
  const indent = " ".repeat(Math.max(0, column - 2));
  const end = last.range[1];
  const lineEnd = source.indexOf("\n", end - 1);
  const at = lineEnd === -1 ? source.length : lineEnd + 1;
  const head = source.slice(0, at);
  return `${head}${head.endsWith("\n") ? "" : "\n"}${entry(fixture, indent)}${source.slice(at)}`;
}
