/**
 * fetchAhead: the first repositories' fetches start before anyone asks, and the first plain sync of
 * each gets that very fetch (its mirror or its error) instead of a second one. The workspace here
 * is a recording stand-in for the Workspace interface: what is tested is the wrapper's
 * bookkeeping; real fetches are the CLI tests' (test/cli.test.ts verifies against real repos).
 */
import { describe, expect, it } from "vitest";
import { fetchAhead } from "../../src/workspace/fetch-ahead.ts";
import type { Mirror } from "../../src/workspace/mirror.ts";
import type { SyncOptions, Workspace } from "../../src/workspace/workspace.ts";

function recording(fail: ReadonlySet<string> = new Set()) {
  const calls: [string, SyncOptions | undefined][] = [];
  const workspace: Workspace = {
    sync(repo, options) {
      calls.push([repo, options]);
      const n = calls.length;
      return fail.has(repo)
        ? Promise.reject(new Error(`could not fetch ${repo}`))
        : Promise.resolve({ repo, n } as unknown as Mirror);
    },
    mirrorPath: (repo) => `/mirrors/${repo}.git`,
    endGit: () => 0,
  };
  return { workspace, calls };
}

describe("fetchAhead", () => {
  it("starts the first `limit` distinct repositories at once, in order, and nothing else", () => {
    const { workspace, calls } = recording();
    fetchAhead(workspace, ["a/one", "a/one", "b/two", "c/three", "d/four"], 3);
    expect(calls).toEqual([
      ["a/one", {}],
      ["b/two", {}],
      ["c/three", {}],
    ]);
  });

  it("the first plain sync of a repository gets the fetch already started; the next is a new one", async () => {
    const { workspace, calls } = recording();
    const ahead = fetchAhead(workspace, ["a/one"], 4);
    expect(await ahead.sync("a/one")).toEqual({ repo: "a/one", n: 1 });
    expect(await ahead.sync("a/one", {})).toEqual({ repo: "a/one", n: 2 });
    expect(calls.map(([repo]) => repo)).toEqual(["a/one", "a/one"]);
  });

  it("a sync with a deadline or extra refspecs, or of another repository, is its own fetch", async () => {
    const { workspace, calls } = recording();
    const ahead = fetchAhead(workspace, ["a/one"], 4);
    const signal = new AbortController().signal;
    await ahead.sync("a/one", { signal });
    await ahead.sync("a/one", { refspecs: ["+refs/pull/7/head:refs/pull/7/head"] });
    await ahead.sync("z/other");
    expect(calls).toEqual([
      ["a/one", {}],
      ["a/one", { signal }],
      ["a/one", { refspecs: ["+refs/pull/7/head:refs/pull/7/head"] }],
      ["z/other", undefined],
    ]);
    expect(await ahead.sync("a/one")).toEqual({ repo: "a/one", n: 1 });
  });

  it("a fetch that fails ahead is never an unhandled rejection; whoever asks gets its error", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const { workspace, calls } = recording(new Set(["a/one"]));
      const ahead = fetchAhead(workspace, ["a/one"], 4);
      await new Promise((done) => setTimeout(done, 10));
      expect(unhandled).toEqual([]);
      await expect(ahead.sync("a/one")).rejects.toThrow("could not fetch a/one");
      expect(calls.length).toBe(1);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("the fetches started ahead carry optionsFor's fewQuestions; a sync asking otherwise is its own", async () => {
    const { workspace, calls } = recording();
    const ahead = fetchAhead(workspace, ["a/one", "b/two"], 4, (repo) =>
      repo === "a/one" ? { fewQuestions: true } : {},
    );
    expect(await ahead.sync("a/one", { fewQuestions: true })).toEqual({ repo: "a/one", n: 1 });
    expect(await ahead.sync("b/two", { fewQuestions: true })).toEqual({ repo: "b/two", n: 3 });
    expect(calls).toEqual([
      ["a/one", { fewQuestions: true }],
      ["b/two", {}],
      ["b/two", { fewQuestions: true }],
    ]);
  });

  it("passes the rest of the workspace through", () => {
    const { workspace } = recording();
    const ahead = fetchAhead(workspace, [], 4);
    expect(ahead.mirrorPath("a/one")).toBe("/mirrors/a/one.git");
    expect(ahead.endGit()).toBe(0);
  });
});
