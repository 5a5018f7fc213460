/**
 * Make two real commits whose ids share a prefix, by brute force over commit messages: hash commit
 * objects in-process (git's object format: sha1("commit <len>\0<body>")) until two collide on
 * `hexChars` characters, then write both with `git hash-object -w`. 7 hex characters (28 bits)
 * collide after ~20k candidates by the birthday bound: well under a second.
 */
import { createHash } from "node:crypto";
import { git, type ScratchRepo } from "../../src/demo/scratch-repo.ts";

export async function collidingCommits(
  repo: ScratchRepo,
  parent: string,
  hexChars = 7,
): Promise<{ prefix: string; shas: [string, string] }> {
  const tree = (await repo.git("rev-parse", `${parent}^{tree}`)).trim();
  const body = (n: number) =>
    `tree ${tree}\nparent ${parent}\nauthor A <a@example.org> 1700000000 +0000\ncommitter A <a@example.org> 1700000000 +0000\n\nattempt ${n}\n`;
  const seen = new Map<string, number>();
  for (let n = 0; n < 2_000_000; n++) {
    const text = body(n);
    const id = createHash("sha1")
      .update(`commit ${Buffer.byteLength(text)}\0${text}`)
      .digest("hex");
    const prefix = id.slice(0, hexChars);
    const other = seen.get(prefix);
    if (other !== undefined) {
      const a = await write(repo, body(other));
      const b = await write(repo, text);
      return { prefix, shas: [a, b] };
    }
    seen.set(prefix, n);
  }
  throw new Error("no collision found");
}

async function write(repo: ScratchRepo, text: string): Promise<string> {
  return (
    await git(repo.dir, ["hash-object", "-t", "commit", "-w", "--stdin"], { input: text })
  ).trim();
}
