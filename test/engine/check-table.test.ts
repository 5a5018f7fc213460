/** The manual's tables are the code's: one table each, from which the docs and the order follow. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHECK_TABLE } from "../../src/engine/checks.ts";
import { TIER_PRESETS } from "../../src/engine/tiers.ts";
import { TIER_TABLE } from "../../src/recipe/tier-table.ts";
import { TIERS } from "../../src/shared/fixture.ts";
import { CHECK_IDS } from "../../src/shared/result.ts";

const CHECKS = readFileSync(new URL("../../docs/checks.md", import.meta.url), "utf8");
const TIERS_DOC = readFileSync(new URL("../../docs/tiers.md", import.meta.url), "utf8");

function readmeRows(): string[][] {
  const header = "| id | what it checks | what it reads, and what it does not |";
  const start = CHECKS.indexOf(header);
  expect(start).toBeGreaterThan(-1);
  const block = CHECKS.slice(start, CHECKS.indexOf("\n\n", start)).split("\n").slice(2);
  return block.map((line) =>
    line
      .trim()
      .replace(/^\||\|$/g, "")
      .split(" | ")
      .map((cell) => cell.trim()),
  );
}

describe("the check table", () => {
  it("has one entry per check id, nothing more", () => {
    expect(Object.keys(CHECK_TABLE).sort()).toEqual([...CHECK_IDS].sort());
  });

  it("is docs/checks.md's table, row by row and in order", () => {
    const fromCode = CHECK_IDS.map((id) => [
      `\`${id}\``,
      CHECK_TABLE[id].what,
      CHECK_TABLE[id].reads,
    ]);
    expect(readmeRows()).toEqual(fromCode);
  });
});

describe("the tier presets", () => {
  it("are docs/tiers.md's table, row by row and in order", () => {
    const header =
      "| tier | a targeted change may touch (the preset) | must stay untouched (an earlier tier reads it) |";
    const start = TIERS_DOC.indexOf(header);
    expect(start).toBeGreaterThan(-1);
    const rows = TIERS_DOC.slice(start, TIERS_DOC.indexOf("\n\n", start)).split("\n").slice(2);
    expect(rows).toEqual(
      TIERS.map((t) => `| \`${t}\` | ${TIER_PRESETS[t].may} | ${TIER_PRESETS[t].untouched} |`),
    );
  });
});

describe("the tier table", () => {
  it("is docs/tiers.md's 'Which tier reads what' table, row by row and in order", () => {
    const header = "| a change to | read first by | why |";
    const start = TIERS_DOC.indexOf(header);
    expect(start).toBeGreaterThan(-1);
    const rows = TIERS_DOC.slice(start, TIERS_DOC.indexOf("\n\n", start)).split("\n").slice(2);
    expect(rows).toEqual(
      TIER_TABLE.map((r) => `| ${r.change} | ${r.tier ? `\`${r.tier}\`` : "nothing"} | ${r.why} |`),
    );
  });

  it("has unique row ids, and every preset targets rows that exist", () => {
    const ids = TIER_TABLE.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of TIERS) for (const id of TIER_PRESETS[t].targets) expect(ids).toContain(id);
  });
});
