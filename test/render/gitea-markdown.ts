/**
 * How Gitea reads a comment, for the tests: the CommonMark tree (commonmark.js, the reference
 * parser; Gitea's goldmark follows the same spec) and what Gitea's linkify and post-processing
 * would turn into a link or a mention in text: a URL (`mvdan.cc/xurls` strict: a URL character
 * right after `http(s)://`), `www.` followed by a domain, `@name` (mention or email address), and
 * `#123` / `!123` (issue and pull references).
 */
import { type Node, type NodeType, Parser } from "commonmark";

export type Leaf = { type: NodeType; literal: string };

/** Every node of the markdown that carries text, in order. */
export function leaves(markdown: string): Leaf[] {
  const out: Leaf[] = [];
  const walker = new Parser().parse(markdown).walker();
  for (let step = walker.next(); step; step = walker.next()) {
    const node: Node = step.node;
    if (step.entering && node.literal !== null)
      out.push({ type: node.type, literal: node.literal });
    if (step.entering && (node.type === "link" || node.type === "image"))
      out.push({ type: node.type, literal: node.destination ?? "" });
  }
  return out;
}

const LINKIFY = [
  /(?:https?|ftp):\/\/[\p{L}\p{M}\p{N}\p{Sc}\p{So}/\\\-_+&~%=#([{]/iu,
  /www\.[-a-zA-Z0-9@:%._+~#=]{2,}/i,
  /@[\p{L}\p{N}_-]/u,
  /(?:^|\W)[#!]\d/,
];

export function linkifiable(text: string): boolean {
  return LINKIFY.some((pattern) => pattern.test(text));
}
