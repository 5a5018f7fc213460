/**
 * The architecture's rules, checked in `npm test` (`npm run lint:deps`). A delivery flows
 * intake -> queue -> pipeline -> workspace / engine -> render -> gitea / web; nothing imports
 * against that flow, and nothing imports in a circle. The README's "Dependency rules" are these.
 */
const pure = "^(zod|diff|yaml|re2js)$|^node_modules/(zod|diff|yaml|re2js)/";
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import circle makes the flow impossible to follow.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "engine-is-pure",
      comment:
        "engine/ judges facts: it imports only zod, diff, yaml, re2js, the recipe model and shared/.",
      severity: "error",
      from: { path: "^src/engine/" },
      to: { pathNot: [`^src/(engine|recipe|shared)/`, pure] },
    },
    {
      name: "recipe-is-pure-and-below-the-checks",
      comment:
        "recipe/ answers what abra deploys from a tree: it imports only zod, diff, yaml, re2js and shared/, never the checks that read it.",
      severity: "error",
      from: { path: "^src/recipe/" },
      to: { pathNot: [`^src/(recipe|shared)/`, pure] },
    },
    {
      name: "outcome-is-pure",
      comment:
        "outcome/ judges what the recipe CI observed against what a canary is for: it imports only zod and shared/.",
      severity: "error",
      from: { path: "^src/outcome/" },
      to: { pathNot: [`^src/(outcome|shared)/`, pure] },
    },
    {
      name: "render-is-pure",
      comment:
        "render/ turns results into text: it imports only shared/ and outcome/ (and diff, yaml, re2js, zod, and hono/html's escaping templates).",
      severity: "error",
      from: { path: "^src/render/" },
      // hono/html: HTML templates that escape every value (the pages are built with them).
      to: {
        pathNot: [
          `^src/(render|shared|outcome)/`,
          pure,
          "^hono/(html|utils/html)$|^node_modules/hono/",
        ],
      },
    },
    {
      name: "intake-hands-jobs-over",
      comment: "intake/ hands a Job to an injected enqueue; it never reaches into the work.",
      severity: "error",
      from: { path: "^src/intake/" },
      to: { path: "^src/(pipeline|workspace|engine|gitea|store|web|render|ops)/" },
    },
    {
      name: "io-knows-no-checks",
      comment: "gitea/ and workspace/ are thin I/O: they know nothing of checks or reports.",
      severity: "error",
      from: { path: "^src/(gitea|workspace)/" },
      to: { path: "^src/(engine|render|pipeline|intake|web|queue|store)/" },
    },
    {
      name: "config-and-shared-stay-below",
      comment: "config/ and shared/ are read by everyone and read nothing above them.",
      severity: "error",
      from: { path: "^src/(config|shared)/" },
      to: { path: "^src/(?!config/|shared/)" },
    },
    {
      name: "queue-and-store-stay-below-the-pipeline",
      comment: "The queue and the stores keep jobs and runs; they do not run them.",
      severity: "error",
      from: { path: "^src/(queue|store)/" },
      to: { path: "^src/(pipeline|intake|web|workspace|engine|gitea|render)/" },
    },
    {
      name: "only-the-roots-wire",
      comment: "Only main.ts, lifecycle.ts and cli.ts put the service together.",
      severity: "error",
      from: { pathNot: "^src/(main|lifecycle|cli)\\.ts$" },
      to: { path: "^src/(main|lifecycle)\\.ts$" },
    },
    {
      name: "cli-starts-light",
      comment:
        "verify, validate, pin, tiers and --help start in about the time node does: src/cli.ts imports the service (main.ts and what only serve needs: hono, pino, prom-client, better-sqlite3, undici) only through serve's dynamic import, never statically. (test/cli.test.ts checks what each command loads at run time.)",
      severity: "error",
      from: { path: "^src/cli\\.ts$" },
      to: {
        path: [
          "^src/(main|lifecycle)\\.ts$",
          "^src/(intake|web|store|ops|gitea|queue)/",
          "^src/shared/logger\\.ts$",
          "(^|/)node_modules/(hono|@hono/node-server|pino|prom-client|better-sqlite3|undici)/",
        ],
        dependencyTypesNot: ["dynamic-import", "type-only"],
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    combinedDependencies: false,
  },
};
