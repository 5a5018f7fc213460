/** What the recipe CI observed, read from its commit statuses or its results document. */
import { describe, expect, it } from "vitest";
import {
  fillResultsTemplate,
  mergeObserved,
  NOTHING_OBSERVED,
  observedFromStatuses,
  parseResultsDocument,
  type StatusLike,
  tierOfContext,
  tierStateOf,
} from "../../src/outcome/observed.ts";

describe("tierStateOf (Gitea's status states)", () => {
  it.each([
    ["success", "pass"],
    ["warning", "pass"],
    ["failure", "fail"],
    ["error", "fail"],
    ["pending", "running"],
    ["skipped", "not-run"],
    // Gitea does not validate the state (CONTRACT 4.3): anything else did not run.
    ["", "not-run"],
    ["SUCCESS", "not-run"],
    ["green", "not-run"],
  ])("%s -> %s", (state, tierState) => {
    expect(tierStateOf(state)).toBe(tierState);
  });
});

describe("tierOfContext", () => {
  it.each([
    ["recipe-ci/install", "recipe-ci/{tier}", "install"],
    ["recipe-ci/custom", "recipe-ci/{tier}", "custom"],
    ["ci: backup (swarm)", "ci: {tier} (swarm)", "backup"],
    ["restore", "{tier}", "restore"],
    // Not a tier, not this CI, or a longer context that only starts the same.
    ["recipe-ci/lint", "recipe-ci/{tier}", null],
    ["recipe-ci/install/extra", "recipe-ci/{tier}", null],
    ["other-ci/install", "recipe-ci/{tier}", null],
    ["fixture-bot/verify", "recipe-ci/{tier}", null],
    ["recipe-ci/", "recipe-ci/{tier}", null],
    ["recipe-ci/Install", "recipe-ci/{tier}", null],
    ["recipe-ci/install", "recipe-ci/tier", null],
  ])("%s under %s -> %s", (context, pattern, tier) => {
    expect(tierOfContext(context, pattern)).toBe(tier);
  });
});

describe("observedFromStatuses", () => {
  const at = (id: number, context: string, status: string, created: string): StatusLike => ({
    id,
    context,
    status,
    created_at: created,
  });
  it("takes each tier's latest status by time, then by id, and ignores other contexts", () => {
    const observed = observedFromStatuses(
      [
        at(1, "recipe-ci/install", "pending", "2026-12-07T10:00:00Z"),
        at(2, "recipe-ci/install", "success", "2026-12-07T10:01:00Z"),
        // A later id with an earlier time does not win (the times are compared as instants).
        at(9, "recipe-ci/upgrade", "failure", "2026-12-07T10:02:00+01:00"),
        at(3, "recipe-ci/upgrade", "success", "2026-12-07T09:30:00Z"),
        // The same second: the later id wins.
        at(4, "recipe-ci/backup", "pending", "2026-12-07T10:05:00Z"),
        at(5, "recipe-ci/backup", "skipped", "2026-12-07T10:05:00Z"),
        at(6, "fixture-bot/verify", "failure", "2026-12-07T11:00:00Z"),
        at(7, "recipe-ci/lint", "failure", "2026-12-07T11:00:00Z"),
      ],
      "recipe-ci/{tier}",
    );
    expect(observed).toEqual({
      install: "pass",
      upgrade: "pass",
      backup: "not-run",
      restore: "not-run",
      custom: "not-run",
    });
  });

  it("no status at all: nothing observed", () => {
    expect(observedFromStatuses([], "recipe-ci/{tier}")).toEqual(NOTHING_OBSERVED);
  });
});

describe("parseResultsDocument", () => {
  it("reads the recipe CI's document: skip and na did not run, a missing tier neither", () => {
    expect(
      parseResultsDocument(
        JSON.stringify({
          results: { install: "pass", upgrade: "fail", backup: "skip", restore: "na" },
          flags: { anything: true },
        }),
      ),
    ).toEqual({
      install: "pass",
      upgrade: "fail",
      backup: "not-run",
      restore: "not-run",
      custom: "not-run",
    });
  });

  it.each([
    ["not json", "is not JSON"],
    ["[]", 'is not a results document: must be an object: {"results": {"install": "pass", ...}}'],
    [
      '{"result": {}}',
      'is not a results document: results must map tiers (install, upgrade, backup, restore, custom) to "pass", "fail", "skip" or "na"',
    ],
    [
      '{"results": {"install": "ok"}}',
      'is not a results document: results.install must be "pass", "fail", "skip" or "na"',
    ],
    [
      '{"results": {"lint": "pass"}}',
      'is not a results document: results must map tiers (install, upgrade, backup, restore, custom) to "pass", "fail", "skip" or "na"',
    ],
  ])("%s: %s", (text, problem) => {
    expect(parseResultsDocument(text)).toBe(problem);
  });
});

describe("mergeObserved", () => {
  it("the statuses first, the document where they say nothing", () => {
    expect(
      mergeObserved(
        {
          install: "pass",
          upgrade: "running",
          backup: "not-run",
          restore: "not-run",
          custom: "not-run",
        },
        { install: "fail", upgrade: "fail", backup: "fail", restore: "not-run", custom: "pass" },
      ),
    ).toEqual({
      install: "pass",
      upgrade: "running",
      backup: "fail",
      restore: "not-run",
      custom: "pass",
    });
    expect(mergeObserved(null, null)).toEqual(NOTHING_OBSERVED);
  });
});

describe("fillResultsTemplate", () => {
  const facts = { owner: "coop cloud", repo: "custom-html", sha: "abc123", name: "bad-backup" };
  it("fills a path as it is, and a URL with each value encoded", () => {
    expect(fillResultsTemplate("results/{repo}/{name}-{sha}.json", facts)).toBe(
      "results/custom-html/bad-backup-abc123.json",
    );
    expect(
      fillResultsTemplate("https://ci.example/{owner}/{repo}/{sha}.json?n={name}", facts),
    ).toBe("https://ci.example/coop%20cloud/custom-html/abc123.json?n=bad-backup");
  });
});
