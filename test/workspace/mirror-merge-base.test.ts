/**
 * Issue 21, break 5: at the mirror, a criss-cross's merge-base is git's choice. The in-memory
 * graph knows both best merge-bases but not which git would pick; the mirror must ask git, since
 * the diff that fixture-bot checks (and the one a person reads with `git diff main...pin`) starts
 * there. Real repositories, both orders of the question.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, ScratchRepo } from "../../src/demo/scratch-repo.ts";
import { createTestEnv, type TestEnv } from "../helpers/recipes.ts";

let env: TestEnv;
type Criss = { slug: string; x: string; y: string; b: string; c: string };
const histories: Criss[] = [];

/**
 *   a - b ----- x      x merges c into b
 *    \    \ /
 *     \    X
 *      \  / \
 *       c ---- y       y merges b into c
 * `first` says which side is committed first: which best merge-base git names depends on it.
 */
async function crissCross(slug: string, first: "b" | "c"): Promise<Criss> {
  const repo = await ScratchRepo.create(env.root, slug);
  await repo.write({ "a.txt": "a\n" });
  await repo.commit("a");
  await repo.push("main");
  const side = async (name: "b" | "c") => {
    await repo.checkout(name === "b" ? "left" : "right", { create: true, from: "main" });
    await repo.write({ [`${name}.txt`]: `${name}\n` });
    return repo.commit(name);
  };
  const shas =
    first === "b"
      ? { b: await side("b"), c: await side("c") }
      : { c: await side("c"), b: await side("b") };
  await repo.checkout("x", { create: true, from: "left" });
  await repo.git("merge", "--quiet", "--no-ff", "-m", "x", "right");
  const x = (await repo.git("rev-parse", "HEAD")).trim();
  await repo.checkout("y", { create: true, from: "right" });
  await repo.git("merge", "--quiet", "--no-ff", "-m", "y", "left");
  const y = (await repo.git("rev-parse", "HEAD")).trim();
  await repo.push("x", "y", "left", "right");
  return { slug, x, y, ...shas };
}

/**
 *   a - b ---- x       x merges c into b
 *    \    \   /
 *     \    y0 - y      y merges c into b's child: b and c are both best merge-bases of x and
 *      \       /      y, and git names the newer one whichever side it is on; `first` says
 *       c -----        which one is committed first.
 */
async function sameSide(slug: string, first: "b" | "c"): Promise<Criss> {
  const repo = await ScratchRepo.create(env.root, slug);
  await repo.write({ "a.txt": "a\n" });
  await repo.commit("a");
  await repo.push("main");
  const side = async (name: "b" | "c") => {
    await repo.checkout(name === "b" ? "left" : "right", { create: true, from: "main" });
    await repo.write({ [`${name}.txt`]: `${name}\n` });
    return repo.commit(name);
  };
  const { b, c } =
    first === "b"
      ? { b: await side("b"), c: await side("c") }
      : { c: await side("c"), b: await side("b") };
  await repo.checkout("x", { create: true, from: "left" });
  await repo.git("merge", "--quiet", "--no-ff", "-m", "x", "right");
  const x = (await repo.git("rev-parse", "HEAD")).trim();
  await repo.checkout("y", { create: true, from: "left" });
  await repo.write({ "y.txt": "y\n" });
  await repo.commit("y0");
  await repo.git("merge", "--quiet", "--no-ff", "-m", "y", "right");
  const y = (await repo.git("rev-parse", "HEAD")).trim();
  await repo.push("x", "y", "left", "right");
  return { slug, x, y, b, c };
}

/**
 * The criss-cross of `crissCross`, with b and c committed in the same second: git's choice then
 * turns on which side the question starts from, not on dates (x, y names b; y, x names c).
 */
async function sameSecond(slug: string): Promise<Criss> {
  const repo = await ScratchRepo.create(env.root, slug);
  const at = (seconds: number) => ({
    GIT_AUTHOR_DATE: `${seconds} +0000`,
    GIT_COMMITTER_DATE: `${seconds} +0000`,
  });
  const commit = async (message: string, seconds: number) => {
    await git(repo.dir, ["add", "-A"]);
    await git(repo.dir, ["commit", "--quiet", "--allow-empty", "-m", message], {
      env: at(seconds),
    });
    return (await repo.git("rev-parse", "HEAD")).trim();
  };
  const merge = async (message: string, other: string) => {
    await git(repo.dir, ["merge", "--quiet", "--no-ff", "-m", message, other], {
      env: at(1_700_000_300),
    });
    return (await repo.git("rev-parse", "HEAD")).trim();
  };
  await repo.write({ "a.txt": "a\n" });
  await commit("a", 1_700_000_000);
  await repo.push("main");
  await repo.checkout("left", { create: true, from: "main" });
  await repo.write({ "b.txt": "b\n" });
  const b = await commit("b", 1_700_000_100);
  await repo.checkout("right", { create: true, from: "main" });
  await repo.write({ "c.txt": "c\n" });
  const c = await commit("c", 1_700_000_100);
  await repo.checkout("x", { create: true, from: "left" });
  const x = await merge("x", "right");
  await repo.checkout("y", { create: true, from: "right" });
  const y = await merge("y", "left");
  await repo.push("x", "y", "left", "right");
  return { slug, x, y, b, c };
}

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-criss-cross-");
  histories.push(
    await crissCross("o/criss-b", "b"),
    await crissCross("o/criss-c", "c"),
    await sameSide("o/same-side-b", "b"),
    await sameSide("o/same-side-c", "c"),
    await sameSecond("o/same-second"),
  );
});

afterAll(() => env.cleanup());

describe("a criss-cross merge-base at the mirror", () => {
  it("has two best merge-bases, and the mirror answers git's choice of them, either way round", async () => {
    const answers: string[] = [];
    for (const h of histories) {
      const bare = `${ScratchRepo.remoteRoot(env.root).replace(/^file:\/\//, "")}/${h.slug}.git`;
      const all = (await git(bare, ["merge-base", "--all", h.x, h.y])).trim().split("\n");
      expect(new Set(all)).toEqual(new Set([h.b, h.c]));
      const mirror = await env.workspace.sync(h.slug);
      try {
        for (const [from, to] of [
          [h.x, h.y],
          [h.y, h.x],
        ] as const) {
          const gits = (await git(bare, ["merge-base", from, to])).trim();
          expect(await mirror.mergeBase(from, to)).toBe(gits);
          answers.push(gits === h.b ? "b" : "c");
        }
      } finally {
        mirror.close();
      }
    }
    // git names each of the two in some case, so no fixed pick from the graph can pass.
    expect(new Set(answers)).toEqual(new Set(["b", "c"]));
  });
});
