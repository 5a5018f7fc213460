/**
 * The tests `npm run mutate` runs against each mutant of src/engine and src/recipe: those that
 * exercise the pure core from trees in memory (no git, no network), so each mutant is judged in
 * well under a second.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/engine/**/*.test.ts",
      "test/recipe/**/*.test.ts",
      "test/render/diagnose.test.ts",
      "test/render/deployment-lines.test.ts",
    ],
    env: { NO_COLOR: "1" },
    pool: "forks",
  },
});
