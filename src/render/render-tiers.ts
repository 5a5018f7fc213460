/**
 * `fixture-bot tiers`: the tier presets, as a manifest author reads them: what a targeted change
 * for each tier may touch, what must stay untouched, and the change rules `tier:` stands for.
 */
import type { ChangeRule, Tier } from "../shared/fixture.ts";

export type TierView = { tier: Tier; may: string; untouched: string; change: ChangeRule[] };

export function renderTiers(presets: readonly TierView[]): string {
  const out: string[] = [
    "A fixture with `tier:` and no `change:` gets its tier's preset. With both, its own change",
    "rules apply, and the tier's checks (earlier-tiers, config-version, effective-change) still do.",
    "",
  ];
  for (const p of presets) {
    out.push(`${p.tier}`);
    out.push(`  may touch:       ${p.may}`);
    out.push(`  must not touch:  ${p.untouched}`);
    out.push("  preset:");
    for (const rule of p.change) {
      out.push(`    - path: ${rule.sources ? rule.path : JSON.stringify(rule.path)}`);
      if (rule.keys.length > 0) {
        out.push("      keys:");
        for (const key of rule.keys) out.push(`        - ${key}`);
      }
    }
    out.push("");
  }
  return out.join("\n");
}
