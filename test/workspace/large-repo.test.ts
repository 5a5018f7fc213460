/**
 * On a 10,000-commit, 20,000-file repository: a verification fetches the commit graph and trees
 * but only the blobs of the files the fixture changes, and re-verifying with a warm mirror fetches
 * nothing again (no new pack, same mirror). Built with git fast-import in a few seconds.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../../src/demo/scratch-repo.ts";
import { createTestEnv, fixture, rule, type TestEnv } from "../helpers/recipes.ts";

const SLUG = "big/monorepo";
const FILES = 20_000;
const COMMITS = 10_000;
let env: TestEnv;
let remote: string;
let pin: string;

/** A fast-import stream: a root commit with FILES files, then one-file commits up to COMMITS. */
function history(): string {
  const out: string[] = [];
  const at = (n: number) => `${1_700_000_000 + n * 60} +0000`;
  const commit = (n: number, ref: string, message: string, body: string[], from?: string) => {
    out.push(`commit ${ref}`, `mark :${n + 1}`, `committer Big <big@example.org> ${at(n)}`);
    out.push(`data ${Buffer.byteLength(message)}`, message);
    if (from) out.push(`from ${from}`);
    out.push(...body, "");
  };
  const file = (path: string, content: string) => [
    `M 100644 inline ${path}`,
    `data ${Buffer.byteLength(content)}`,
    content,
  ];
  const root: string[] = [];
  for (let i = 0; i < FILES; i++)
    root.push(...file(`d${Math.floor(i / 100)}/f${i % 100}.txt`, `file ${i}\n`));
  root.push(...file("compose.yml", "services:\n  app:\n    image: nginx:1.27\n"));
  commit(0, "refs/heads/main", "root", root);
  for (let n = 1; n < COMMITS - 1; n++) {
    const i = (n * 7919) % FILES;
    commit(
      n,
      "refs/heads/main",
      `change ${n}`,
      file(`d${Math.floor(i / 100)}/f${i % 100}.txt`, `file ${i} v${n}\n`),
    );
  }
  commit(
    COMMITS - 1,
    "refs/heads/regression-image",
    "canary: bad image",
    file("compose.yml", "services:\n  app:\n    image: nginx:1.27-does-not-exist\n"),
    `:${COMMITS - 1}`,
  );
  out.push("done", "");
  return out.join("\n");
}

async function objectCounts(repoDir: string): Promise<Record<string, number>> {
  const out = await git(repoDir, [
    "cat-file",
    "--batch-all-objects",
    "--batch-check=%(objecttype)",
  ]);
  const counts: Record<string, number> = {};
  for (const type of out.split("\n").filter(Boolean)) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

async function packs(mirror: string): Promise<string[]> {
  return (await readdir(join(mirror, "objects", "pack"))).filter((f) => f.endsWith(".pack")).sort();
}

beforeAll(async () => {
  env = await createTestEnv("fixture-bot-large-");
  remote = join(env.root, "remote", `${SLUG}.git`);
  await git(env.root, ["init", "--bare", "--quiet", "-b", "main", remote]);
  await git(remote, ["config", "uploadpack.allowFilter", "true"]);
  await git(remote, ["fast-import", "--quiet", "--done"], { input: history() });
  pin = (await git(remote, ["rev-parse", "regression-image"])).trim();
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
