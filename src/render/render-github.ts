/**
 * `fixture-bot verify --format github`: workflow commands (`::error title=…::…`) that Gitea and
 * Forgejo Actions and GitHub Actions show as annotations on the run, one per cause of a failure
 * (its diagnosis and fix, as the PR comment leads with them), one per warning, one per fixture
 * that could not be checked; then the plain report for the log.
 */
import type { FixtureResult } from "../shared/result.ts";
import { diagnose, plainText } from "./diagnose.ts";
import { renderText } from "./render-text.ts";

/** A workflow command's message: %, CR and LF encoded (actions/toolkit, command.ts). */
function data(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value: as data, and `:` and `,` too. */
function property(text: string): string {
  return data(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function renderGithub(results: readonly FixtureResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.verdict === "error") {
      lines.push(
        `::error title=${property(`fixture-bot: ${r.name} could not be checked`)}::${data(r.error ?? "could not check")}`,
      );
    }
    for (const cause of diagnose(r)) {
      lines.push(
        `::error title=${property(`fixture-bot: ${r.name}: ${cause.primary}`)}::${data(`${plainText(cause.diagnosis)}: ${plainText(cause.fix)}`)}`,
      );
    }
    for (const c of r.checks.filter((c) => c.status === "warn")) {
      lines.push(
        `::warning title=${property(`fixture-bot: ${r.name}: ${c.id}`)}::${data(c.message)}`,
      );
    }
  }
  return `${lines.join("\n")}${lines.length > 0 ? "\n" : ""}${renderText(results, { color: false })}`;
}
