/**
 * Every Markdown file of the project renders: links and anchors resolve, HTML comments close, and
 * no editing note is left in the text (test/helpers/markdown-check.ts says what that means).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkMarkdown, slugOf } from "../helpers/markdown-check.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The project's own Markdown: the README, docs/ and deploy/ (not test fixtures, not packages). */
function projectMarkdown(): Map<string, string> {
  const files = new Map<string, string>();
  const add = (path: string) => files.set(path, readFileSync(join(ROOT, path), "utf8"));
  add("README.md");
  for (const dir of ["docs", "deploy"]) {
    if (!existsSync(join(ROOT, dir))) continue;
    for (const name of readdirSync(join(ROOT, dir)))
      if (name.endsWith(".md")) add(`${dir}/${name}`);
  }
  return files;
}

describe("the project's Markdown", () => {
  it("has no broken link or anchor, no unclosed comment, no editing note", () => {
    expect(checkMarkdown(projectMarkdown(), (p) => existsSync(join(ROOT, p)))).toEqual([]);
  });
});

describe("checkMarkdown", () => {
  it("finds what broke the README before issue 19 (its shapes, as they were)", () => {
    const broken = `# fixture-bot

- [CLI](#cli)
- [The webhook service](#the-webhook-service)

## Check ids

Text.

## CLI" section up to its variable table, and adds
     the part marked "Development" to "## Development". -->

## CLI

Words.

## Run it in CI", after "## CLI" (and a line in "## Contents").
2. A new subsection "## The webhook service

More words.

### Forgejo" at the end of "## Set up on Gitea" (before "## Running it in production").
-->
`;
    expect(checkMarkdown(new Map([["README.md", broken]]), () => false)).toEqual([
      'README.md:10 heading reads as an editing note: "CLI\\" section up to its variable table, and adds"',
      'README.md:11 a stray "-->" in an indented block: "the part marked \\"Development\\" to \\"## Development\\". -->"',
      'README.md:17 heading reads as an editing note: "Run it in CI\\", after \\"## CLI\\" (and a line in \\"## Contents\\")."',
      'README.md:18 text reads as an editing note: "A new subsection \\"## The webhook service"',
      'README.md:22 heading reads as an editing note: "Forgejo\\" at the end of \\"## Set up on Gitea\\" (before \\"## Running it in production\\")."',
      'README.md:23 a stray HTML comment marker in the text: "-->"',
      "README.md:4 link to #the-webhook-service: no heading makes #the-webhook-service",
    ]);
  });

  it("resolves links across files, and anchors as Gitea and GitHub make them", () => {
    const files = new Map([
      [
        "README.md",
        "# A\n\n[x](docs/b.md#what-is-it) [y](docs/b.md#gone) [z](docs/none.md) [w](deploy/x.yml)\n",
      ],
      [
        "docs/b.md",
        "# B\n\n## What is it?\n\n[up](../README.md#a)\n\n<!-- a comment -->\n\n<!-- not closed\n",
      ],
    ]);
    expect(checkMarkdown(files, (p) => p === "deploy/x.yml")).toEqual([
      "README.md:3 link to docs/b.md#gone: no heading makes #gone",
      "README.md:3 link to docs/none.md: no such file",
      "docs/b.md:9 an HTML comment does not close",
    ]);
    expect(
      [
        "Did the canary go red where it should?",
        "fixtures.yaml",
        "What `verify` prints",
        "A–B",
      ].map(slugOf),
    ).toEqual([
      "did-the-canary-go-red-where-it-should",
      "fixturesyaml",
      "what-verify-prints",
      "ab",
    ]);
  });
});
