import type { Hunk } from "../shared/result.ts";

/** `@@ -a,b +c,d @@` in the unified-diff convention: an empty side starts at the line before (`-0,0`). */
export function hunkHeader(h: Hunk): string {
  const start = (from: number, count: number) => (count === 0 ? Math.max(0, from - 1) : from);
  return `@@ -${start(h.oldStart, h.oldLines)},${h.oldLines} +${start(h.newStart, h.newLines)},${h.newLines} @@`;
}
