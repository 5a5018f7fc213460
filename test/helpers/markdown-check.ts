/**
 * Markdown is checked like code (STYLE.md, "Docs"): parsed with commonmark, every heading gives an
 * anchor as Gitea and GitHub make it, and a file fails on
 *   - a link to a file that is not there, or to an anchor no heading there makes;
 *   - an HTML comment that does not close, or a stray `-->` (one that closed too early);
 *   - text that reads as an editing note left behind: a heading with an unbalanced quote, or one
 *     that says where a section goes ("(replaces ...", "to go right after", "section up to").
 * Pure: file texts in, problems out ("docs/cli.md:12 link to #nowhere: no such heading").
 */
import { dirname, join, normalize } from "node:path";
import { type Node, Parser } from "commonmark";

export type MarkdownFiles = ReadonlyMap<string, string>;

/** The anchor a heading gets: lower case, punctuation dropped, spaces to dashes (GitHub, Gitea). */
export function slugOf(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

const EDITING_NOTE =
  /\((replaces|goes|to go)\b|\bto go right after\b|\bsection up to\b|\bat the (end|top) of "|^(\d+\. )?a new (sub)?section "/i;

type Parsed = {
  anchors: Set<string>;
  links: { target: string; line: number }[];
  problems: string[];
};

function textOf(node: Node): string {
  let out = "";
  const walker = node.walker();
  for (let event = walker.next(); event; event = walker.next()) {
    if (event.entering && (event.node.type === "text" || event.node.type === "code"))
      out += event.node.literal ?? "";
  }
  return out;
}

function parse(file: string, text: string): Parsed {
  const doc = new Parser().parse(text);
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const links: Parsed["links"] = [];
  const problems: string[] = [];
  const at = (node: Node) =>
    `${file}:${node.sourcepos?.[0]?.[0] ?? node.parent?.sourcepos?.[0]?.[0] ?? "?"}`;
  const walker = doc.walker();
  for (let event = walker.next(); event; event = walker.next()) {
    const { node, entering } = event;
    if (!entering) continue;
    if (node.type === "heading") {
      const title = textOf(node);
      const base = slugOf(title);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
      if ((title.match(/"/g) ?? []).length % 2 === 1 || EDITING_NOTE.test(title))
        problems.push(`${at(node)} heading reads as an editing note: ${JSON.stringify(title)}`);
    }
    if (node.type === "link" && node.destination)
      links.push({ target: node.destination, line: lineOf(node) });
    if (node.type === "html_block" || node.type === "html_inline") {
      const html = node.literal ?? "";
      const opens = html.split("<!--").length - 1;
      const closes = html.split("-->").length - 1;
      if (opens > closes) problems.push(`${at(node)} an HTML comment does not close`);
      if (closes > opens) problems.push(`${at(node)} a stray "-->" (a comment closed too early)`);
      // Anchors written as HTML (<a id="...">) count too.
      for (const m of html.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1] as string);
    }
    if (node.type === "text") {
      const literal = node.literal ?? "";
      if (literal.includes("-->") || literal.includes("<!--"))
        problems.push(
          `${at(node)} a stray HTML comment marker in the text: ${JSON.stringify(literal.trim().slice(0, 60))}`,
        );
    }
    if (node.type === "paragraph") {
      const first = textOf(node).split("\n")[0] ?? "";
      if (EDITING_NOTE.test(first))
        problems.push(`${at(node)} text reads as an editing note: ${JSON.stringify(first)}`);
    }
    // An indented block that closes a comment is what a comment's tail becomes once it broke out.
    if (node.type === "code_block" && !(node as unknown as { _isFenced: boolean })._isFenced) {
      const code = node.literal ?? "";
      if (code.split("-->").length > code.split("<!--").length)
        problems.push(
          `${at(node)} a stray "-->" in an indented block: ${JSON.stringify(code.trim().slice(0, 60))}`,
        );
    }
  }
  return { anchors, links, problems };
}

function lineOf(node: Node): number {
  for (let n: Node | null = node; n; n = n.parent) {
    const line = n.sourcepos?.[0]?.[0];
    if (line) return line;
  }
  return 0;
}

/** Every problem in `files` (paths relative to the repository root, "/" separated). */
export function checkMarkdown(files: MarkdownFiles, exists: (path: string) => boolean): string[] {
  const parsed = new Map<string, Parsed>();
  for (const [file, text] of files) parsed.set(file, parse(file, text));
  const problems: string[] = [];
  for (const [file, p] of parsed) {
    problems.push(...p.problems);
    for (const { target, line } of p.links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path = "", anchor] = target.split("#", 2);
      const to = path === "" ? file : normalize(join(dirname(file), decodeURI(path)));
      if (path !== "" && !files.has(to) && !exists(to)) {
        problems.push(`${file}:${line} link to ${target}: no such file`);
        continue;
      }
      if (anchor === undefined || anchor === "") continue;
      const there = parsed.get(to);
      if (!there) {
        if (to.endsWith(".md"))
          problems.push(`${file}:${line} link to ${target}: ${to} is not checked`);
        continue;
      }
      if (!there.anchors.has(decodeURIComponent(anchor)))
        problems.push(`${file}:${line} link to ${target}: no heading makes #${anchor}`);
    }
  }
  return problems;
}
