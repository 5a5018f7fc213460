/** The benchmark's figures, each next to its baseline, as a Markdown table (the README's). */
import type { Sample } from "./stats.ts";

export type Row = {
  figure: string;
  value: Sample | number;
  unit: string;
  baseline?: { name: string; value: Sample | number };
  /** value / baseline (medians), or a ratio the figure itself is. */
  ratio?: number;
  target?: string;
  met?: boolean;
};

const round = (n: number) => (n >= 100 ? Math.round(n).toString() : n.toFixed(n >= 10 ? 1 : 2));

export function show(value: Sample | number, unit: string): string {
  const u = unit ? ` ${unit}` : "";
  if (typeof value === "number") return `${round(value)}${u}`;
  return `${round(value.median)}${u} (${round(value.min)}–${round(value.max)}, ${value.runs} runs)`;
}

export const ratioOf = (value: Sample | number, baseline: Sample | number): number =>
  (typeof value === "number" ? value : value.median) /
  (typeof baseline === "number" ? baseline : baseline.median);

export function renderTable(rows: readonly Row[]): string {
  const lines = ["| figure | fixture-bot | baseline | ratio | target |", "|---|---|---|---|---|"];
  for (const r of rows) {
    const baseline = r.baseline ? `${r.baseline.name}: ${show(r.baseline.value, r.unit)}` : "";
    const ratio = r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`;
    const target = r.target ? `${r.target} ${r.met === undefined ? "" : r.met ? "✓" : "✗"}` : "";
    lines.push(
      `| ${r.figure} | ${show(r.value, r.unit)} | ${baseline} | ${ratio} | ${target.trim()} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
