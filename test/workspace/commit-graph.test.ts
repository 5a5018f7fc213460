/**
 * The in-memory commit graph against git itself: hand-drawn graphs with their answers pinned, and
 * random histories (merges, criss-crosses, unrelated roots) where every answer must equal git's.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../../src/demo/scratch-repo.ts";
import { createCommitGraph, parseParents } from "../../src/workspace/commit-graph.ts";

/** A graph from `child: parent parent` pairs, with one-letter names padded to commit ids. */
function graphOf(edges: Record<string, string>) {
  const id = (name: string) => name.repeat(40);
  const parents = new Map<string, string[]>();
  for (const [child, ps] of Object.entries(edges)) {
    parents.set(id(child), ps.split(" ").filter(Boolean).map(id));
  }
  return { graph: createCommitGraph(parents), id };
}

describe("createCommitGraph", () => {
  //   a - b - c - d        (main)
  //        \       \
  //         e - f - g      (fixture: g merges main's d)
  //   x                    (an unrelated root)
  const { graph, id } = graphOf({
    a: "",
    b: "a",
    c: "b",
    d: "c",
    e: "b",
    f: "e",
    g: "f d",
    x: "",
  });
  const short = (ids: string[] | null) => ids?.map((s) => s[0]) ?? null;

  it.each([
    ["d", "g", { onlyFrom: 0, onlyTo: 3 }],
    ["g", "d", { onlyFrom: 3, onlyTo: 0 }],
    ["c", "f", { onlyFrom: 1, onlyTo: 2 }],
    ["a", "a", { onlyFrom: 0, onlyTo: 0 }],
    ["x", "d", { onlyFrom: 1, onlyTo: 4 }],
  ])("distance %s...%s", (from, to, expected) => {
    expect(graph.distance(id(from), id(to))).toEqual(expected);
  });

  it.each([
    ["b", "g", 5],
    ["d", "g", 3],
    ["g", "d", 0],
    ["x", "a", 1],
  ])("count %s..%s", (from, to, expected) => {
    expect(graph.count(id(from), id(to))).toBe(expected);
  });

  it.each([
    ["d", "f", ["b"]],
    ["d", "g", ["d"]],
    ["c", "e", ["b"]],
    ["a", "a", ["a"]],
    ["x", "d", []],
  ])("merge-bases of %s and %s", (a, b, expected) => {
    expect(short(graph.mergeBases(id(a), id(b)))).toEqual(expected);
  });

  it("answers null about a commit it does not hold", () => {
    const unknown = "9".repeat(40);
    expect(graph.has(unknown)).toBe(false);
    expect(graph.distance(unknown, id("a"))).toBeNull();
    expect(graph.count(id("a"), unknown)).toBeNull();
    expect(graph.mergeBases(unknown, id("a"))).toBeNull();
    expect(graph.size).toBe(8);
  });

  it("gives both best merge-bases of a criss-cross, as git merge-base --all does", () => {
    //   a - b - d - f
    //    \   \ /
    //     \   X
    //      \ / \
    //       c - e - g
    const criss = graphOf({ a: "", b: "a", c: "a", d: "b c", e: "c b", f: "d", g: "e" });
    expect(short(criss.graph.mergeBases(criss.id("f"), criss.id("g")))).toEqual(["b", "c"]);
  });
});

describe("parseParents", () => {
  it("reads rev-list --parents, and refuses what it is not", () => {
    const [a, b, c] = ["a", "b", "c"].map((x) => x.repeat(40)) as [string, string, string];
    expect([...parseParents(`${c} ${a} ${b}\n${b} ${a}\n${a}\n`)]).toEqual([
      [c, [a, b]],
      [b, [a]],
      [a, []],
    ]);
    expect(parseParents("")).toEqual(new Map());
    expect(() => parseParents("warning: something\n")).toThrow(
      'unexpected rev-list line: "warning: something"',
    );
  });
});

describe("on random histories, every answer is git's", () => {
  let dir: string;
  let commits: string[];
  let graph: ReturnType<typeof createCommitGraph>;
  /** The same graph remembering almost nothing: answers must not depend on what it remembers. */
  let forgetful: ReturnType<typeof createCommitGraph>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fixture-bot-graph-"));
    await git(dir, ["init", "--bare", "--quiet"]);
    // 120 commits: each has one or two earlier parents (merges), every 40th is a new root.
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let stream = "";
    const count = 120;
    for (let n = 1; n <= count; n++) {
      stream += `commit refs/heads/c${n}\nmark :${n}\ncommitter R <r@example.org> ${1_700_000_000 + n} +0000\ndata 2\nc\n`;
      if (n % 40 !== 1) {
        stream += `from :${1 + random(n - 1)}\n`;
        if (random(3) === 0) stream += `merge :${1 + random(n - 1)}\n`;
      }
      stream += `M 644 inline f\ndata ${String(n).length + 1}\n${n}\n\n`;
    }
    await git(dir, ["fast-import", "--quiet"], { input: stream });
    const parents = parseParents(await git(dir, ["rev-list", "--parents", "--all"]));
    graph = createCommitGraph(parents);
    forgetful = createCommitGraph(parents, { maxRemembered: 10 });
    commits = (await git(dir, ["for-each-ref", "--format=%(objectname)", "refs/heads/"]))
      .trim()
      .split("\n");
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("for 150 random pairs: distance, count and merge-bases", async () => {
    expect(graph.size).toBe(120);
    let seed = 7;
    const pick = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return commits[seed % commits.length] as string;
    };
    let criss = 0;
    let unrelated = 0;
    for (let i = 0; i < 150; i++) {
      const [a, b] = [pick(), pick()];
      const [lr, count, bases] = await Promise.all([
        git(dir, ["rev-list", "--left-right", "--count", `${a}...${b}`]),
        git(dir, ["rev-list", "--count", `${a}..${b}`]),
        git(dir, ["merge-base", "--all", a, b]).catch(() => ""),
      ]);
      const [onlyFrom, onlyTo] = lr.trim().split(/\s+/).map(Number);
      expect(graph.distance(a, b)).toEqual({ onlyFrom, onlyTo });
      expect(graph.count(a, b)).toBe(Number(count.trim()));
      const expected = bases.trim().split("\n").filter(Boolean).sort();
      expect(graph.mergeBases(a, b)).toEqual(expected);
      expect(forgetful.distance(a, b)).toEqual({ onlyFrom, onlyTo });
      expect(forgetful.count(a, b)).toBe(Number(count.trim()));
      expect(forgetful.mergeBases(a, b)).toEqual(expected);
      if (expected.length > 1) criss++;
      if (expected.length === 0) unrelated++;
    }
    // The random histories do hold the hard cases.
    expect(criss).toBeGreaterThan(0);
    expect(unrelated).toBeGreaterThan(0);
  });
});
