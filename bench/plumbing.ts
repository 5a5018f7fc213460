/**
 * The baseline for a warm verify: a shell script of the least git plumbing that answers the
 * questions fixture-bot asks, on the same mirrors, over the same authenticated HTTP. Per
 * repository: one fetch of every branch and tag, one for-each-ref for the tips, one
 * `cat-file --batch` for every file either end of every fixture needs; per fixture: where the pin
 * is against its branch, its merge-base with the base, the commits since, and the changed paths.
 * It runs the repositories one after the other, as a plain script would. It checks nothing: this
 * is git's share of the work alone.
 */
import type { BenchFixture } from "./repos.ts";

const CONTEXT = ["compose.yml", ".env.sample", "abra.sh"];

export function plumbingScript(fixtures: readonly BenchFixture[], mirrors: string): string {
  const byRepo = new Map<string, BenchFixture[]>();
  for (const f of fixtures) byRepo.set(f.repo, [...(byRepo.get(f.repo) ?? []), f]);
  const lines = [
    "set -eu",
    // The same clean git as the bot's: no user or system config, the token a header passed
    // through the environment (never on a command line, where ps shows it).
    "export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0",
    'export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="Authorization: token $GITEA_TOKEN"',
  ];
  for (const [repo, group] of byRepo) {
    lines.push(
      `M='${mirrors}/${repo}.git'`,
      `git -C "$M" fetch -q --atomic --prune --no-tags --no-write-fetch-head --filter=blob:none origin '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'`,
      `git -C "$M" for-each-ref --format='%(objectname) %(refname)' refs/heads/ refs/tags/ >/dev/null`,
      "names=''",
    );
    for (const f of group) {
      lines.push(
        `git -C "$M" rev-list --left-right --count ${f.sha}...refs/heads/${f.branch} >/dev/null`,
        `mb=$(git -C "$M" merge-base refs/heads/main ${f.sha})`,
        `git -C "$M" rev-list --count "$mb..${f.sha}" >/dev/null`,
        `for p in $(git -C "$M" diff-tree -r -M --name-only --no-commit-id "$mb" ${f.sha}) ${CONTEXT.join(" ")}; do names="$names$mb:$p\n${f.sha}:$p\n"; done`,
      );
    }
    lines.push(`printf "$names" | git -C "$M" cat-file --batch >/dev/null`);
  }
  return `${lines.join("\n")}\n`;
}
