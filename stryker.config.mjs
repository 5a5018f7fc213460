// `npm run mutate`: mutation testing of the pure core (the checks and the deployment model), on
// demand, never inside `npm test`. Each mutant is a small change to src/engine or src/recipe; a
// mutant no test notices is a place where the code can break unseen. Tests: the pure ones
// (vitest.mutate.config.ts), which exercise the core without git, so a run takes minutes.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutate.config.ts" },
  mutate: ["src/engine/**/*.ts", "src/recipe/**/*.ts"],
  coverageAnalysis: "perTest",
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  thresholds: { high: 90, low: 80, break: null },
};
