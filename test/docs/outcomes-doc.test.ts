/**
 * docs/outcomes.md ("Did the canary go red where it should?") holds `fixture-bot outcome --help`
 * word for word, and its table of outcomes names exactly the outcomes there are.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.ts";
import { BAD_OUTCOMES, OUTCOMES } from "../../src/outcome/judge.ts";
import { captureIo } from "../helpers/cli-io.ts";

function section(): Promise<string> {
  return readFile(new URL("../../docs/outcomes.md", import.meta.url), "utf8");
}

/** The fenced code blocks of a Markdown text, each with its closing newline. */
function codeBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let open: string[] | null = null;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) {
      if (open === null) open = [];
      else {
        blocks.push(`${open.join("\n")}\n`);
        open = null;
      }
    } else open?.push(line);
  }
  return blocks;
}

describe("docs/outcomes.md", () => {
  it("shows `fixture-bot outcome --help` as the CLI prints it", async () => {
    const io = captureIo({});
    expect(await main(["outcome", "--help"], io)).toBe(0);
    expect(codeBlocks(await section())).toContain(io.out());
  });

  it("its table names every outcome once, with exit 1 for exactly the bad ones", async () => {
    const rows = [...(await section()).matchAll(/^\| `([a-z-]+)` \|.*\| (\d) \|$/gm)].map(
      (m) => [m[1], m[2]] as const,
    );
    expect(rows.map(([o]) => o)).toEqual([...OUTCOMES]);
    expect(new Set(rows.filter(([, exit]) => exit === "1").map(([o]) => o))).toEqual(BAD_OUTCOMES);
  });
});
