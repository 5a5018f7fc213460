/**
 * On a 1,000-commit, 2,000-file repository: a verification fetches the commit graph and trees but
 * only the blobs of the files the fixture changes, and re-verifying with a warm mirror fetches
 * nothing again (no new pack, same mirror). The property does not depend on size; the
 * 10,000-commit figures are `npm run bench`'s.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../../src/demo/scratch-repo.ts";
import { createLargeRepo, objectCounts, TEST_SIZE } from "../helpers/large-repo.ts";

const { commits: COMMITS, files: FILES } = TEST_SIZE;

import { createTestEnv, fixture, rule, type TestEnv } from "../helpers/recipes.ts";

const SLUG = "big/monorepo";
let env: TestEnv;
let remote: string;
let pin: string;

async function packs(mirror: string): Promise<string[]> {
  return (await readdir(join(mirror, "objects", "pack"))).filter((f) => f.endsWith(".pack")).sort();
}

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-large-");
  ({ remote, pin } = await createLargeRepo(env.root, SLUG, TEST_SIZE));
}, 300_000);

afterAll(async () => {
  await env?.cleanup();
});

describe("a 10,000-commit, 20,000-file repository", () => {
  const f = () =>
    fixture({
      name: "bad-image",
      repo: SLUG,
      branch: "regression-image",
      sha: pin,
      base: "main",
      maxCommits: 1,
      change: [
        rule("compose.yml", { lines: ["^\\s*image: "], keys: ["services.app.image"], maxLines: 2 }),
      ],
    });

  it("is verified from a blob-less mirror: all commits, only the changed file's blobs", async () => {
    const source = await objectCounts(remote);
    expect(source.commit).toBe(COMMITS);
    expect(source.blob).toBeGreaterThanOrEqual(FILES + COMMITS - 2);

    const [result] = await env.verify([f()]);
    expect(result?.verdict).toBe("pass");
    expect(result?.files.map((x) => x.path)).toEqual(["compose.yml"]);

    const mirrored = await objectCounts(env.workspace.mirrorPath(SLUG));
    expect(mirrored.commit).toBe(COMMITS);
    // Only compose.yml before and after: 2 of the source's ~30,000 blobs.
    expect(mirrored.blob ?? 0).toBeLessThanOrEqual(2);
  });

  it("re-verifies with a warm mirror without cloning again", async () => {
    const mirror = env.workspace.mirrorPath(SLUG);
    const before = { packs: await packs(mirror), ino: (await stat(mirror)).ino };

    const [again] = await env.verify([f()]);
    expect(again?.verdict).toBe("pass");
    expect(await packs(mirror)).toEqual(before.packs); // nothing new was fetched
    expect((await stat(mirror)).ino).toBe(before.ino); // same mirror, not re-created

    // A new commit upstream arrives as one small incremental pack beside the first one.
    const counts = await objectCounts(mirror);
    const message = "upstream moves on";
    const content = "new file\n";
    await git(remote, ["fast-import", "--quiet", "--done"], {
      input: [
        "commit refs/heads/main",
        `committer Big <big@example.org> 1800000000 +0000`,
        `data ${message.length}`,
        message,
        "from refs/heads/main^0",
        "M 100644 inline NEW.txt",
        `data ${content.length}`,
        content,
        "",
        "done",
        "",
      ].join("\n"),
    });
    const [third] = await env.verify([f()]);
    expect(third?.verdict).toBe("pass");
    const after = await packs(mirror);
    expect(after).toEqual(expect.arrayContaining(before.packs));
    expect(after).toHaveLength(before.packs.length + 1);
    const now = await objectCounts(mirror);
    expect(now.commit).toBe((counts.commit ?? 0) + 1);
    expect(now.blob ?? 0).toBe(counts.blob ?? 0); // still no blob it does not need
  });
});
