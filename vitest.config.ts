import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The package's own proof (npm pack, a global install: ~20 s) runs apart, in `npm run
    // test:package`, which .ci/run runs after `npm test` on every CI run.
    exclude: [
      "**/node_modules/**",
      ...(process.env.FIXTURE_BOT_PACKAGE_TEST ? [] : ["test/package.test.ts"]),
    ],
    // Real git everywhere: isolate it from the machine's and the user's configuration.
    env: {
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      NO_COLOR: "1",
    },
    // A test that asserts nothing passes whatever the code does: each must assert something.
    expect: { requireAssertions: true },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most tests wait on git processes and HTTP; vitest's default on a 2-core machine is a single
    // worker, which leaves a core idle. Three keep both busy (measured: 130 s -> 77 s).
    maxWorkers: 3,
  },
});
