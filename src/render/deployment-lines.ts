/**
 * What a fixture changes in what abra deploys, one line a change, as every report shows it (the
 * PR comment, the run page, `verify --verbose`): where, the values at both ends, and the first
 * tier that reads it, e.g.
 * `services.app deploy label backupbot.backup.volumes.content.path: absent -> public_html  (read first by: backup)`.
 * Plain text: each renderer escapes it its own way. Pure.
 */
import type { DeploymentChangeReport, DeploymentReport } from "../shared/result.ts";

const KIND: Record<DeploymentChangeReport["kind"], string> = {
  value: "",
  content: ", under the same name",
  bump: ", the same content",
  "new-content": ", new content",
  external: "",
};

export function deploymentLine(c: DeploymentChangeReport): string {
  const reader = c.readBy === null ? "read by nothing" : `read first by: ${c.readBy}`;
  return `${c.what}: ${c.before} -> ${c.after}${KIND[c.kind]}  (${reader})`;
}

/** The lines of a deployment report, at most `max` changes (saying how many more there are). */
export function deploymentLines(d: DeploymentReport, max = 12): string[] {
  const lines = d.changes.slice(0, max).map(deploymentLine);
  if (d.changes.length > max) lines.push(`... and ${d.changes.length - max} more changes`);
  return lines;
}

/** The heading over them: which deployment, and whether anything changed. */
export function deploymentHeading(d: DeploymentReport): string {
  return d.changes.length === 0
    ? `Nothing this fixture changes reaches what abra deploys (${d.title}).`
    : `What this fixture changes in what abra deploys (${d.title}):`;
}
