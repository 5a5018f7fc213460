/**
 * Change one fixture's `sha:` in fixtures.yaml and nothing else: the YAML document locates the
 * scalar, and only its characters are replaced, so comments, quoting, key order and blank lines
 * stay exactly as the maintainer wrote them.
 */
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { ConfigError } from "../shared/errors.ts";

export function rewritePin(source: string, fixtureName: string, newSha: string): string {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(newSha))
    throw new ConfigError(`not a full commit id: ${newSha}`);
  const doc = parseDocument(source, { uniqueKeys: true });
  const fixtures = isMap(doc.contents) ? doc.contents.get("fixtures", true) : undefined;
  if (!isSeq(fixtures)) throw new ConfigError("the manifest has no fixtures list");
  for (const item of fixtures.items) {
    if (!isMap(item) || item.get("name") !== fixtureName) continue;
    const node = item.get("sha", true);
    if (!isScalar(node) || !node.range)
      throw new ConfigError(`fixture "${fixtureName}" has no sha to rewrite`);
    const [start, end] = node.range;
    // Keep the quoting style the maintainer used.
    const quote = node.type === "QUOTE_DOUBLE" ? '"' : node.type === "QUOTE_SINGLE" ? "'" : "";
    return `${source.slice(0, start)}${quote}${newSha}${quote}${source.slice(end)}`;
  }
  throw new ConfigError(`no fixture named "${fixtureName}"`);
}
