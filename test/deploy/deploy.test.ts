/**
 * What cannot run here (no Docker engine) must still be right: the recipe's compose files parse and
 * pass fixture-bot's own compose checks, resolve as abra resolves them, take every secret from a
 * versioned swarm secret that abra knows how to make (or not to make); every environment variable
 * the service reads is set in them or documented as optional in .env.sample (and what .env.sample
 * documents reaches the container); the README carries the metadata block and the release notes
 * exist; the image compose names is the one the docs and the publish workflow build; the
 * Dockerfile has the shape the issue asks for. (That the compiled build the image runs works is
 * checked by .ci/run after npm test: it costs ~10 s of CPU and proves the build, not behaviour.)
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SECRET_VARS, ServeEnv } from "../../src/config/env.ts";
import { parseManifest } from "../../src/config/load-manifest.ts";
import type { Deployment } from "../../src/recipe/deployment.ts";
import { type Mapping, parseYaml } from "../../src/recipe/yaml-doc.ts";
import { ConfigError } from "../../src/shared/errors.ts";
import { recipeOf, type Tree, treeOfDir } from "../helpers/trees.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEPLOY = join(ROOT, "deploy");

const text = (path: string) => readFile(join(DEPLOY, path), "utf8");

/** The recipe's files, with `.env.sample` as given (an operator's edits), as a tree. */
const treeWith = (sample?: string): Tree => {
  const tree = treeOfDir(DEPLOY);
  if (sample !== undefined) tree[".env.sample"] = sample;
  return tree;
};

/** The overlays beside compose.yml (`compose.*.yml`), which COMPOSE_FILE may add. */
async function overlays(): Promise<string[]> {
  return (await readdir(DEPLOY)).filter((f) => /^compose\..+\.ya?ml$/.test(f)).sort();
}

/**
 * The deployment of compose.yml with the given overlays, as fixture-bot's recipe model builds it
 * (abra's COMPOSE_FILE, docker/cli's merge): its files as written, merged and normalised.
 */
async function stack(files: string[] = []): Promise<Mapping> {
  const sample = `${await text(".env.sample")}\nCOMPOSE_FILE="${["compose.yml", ...files].join(":")}"\n`;
  const deployment = recipeOf(treeWith(sample)).deployments[0] as Deployment;
  expect(deployment.problems).toEqual([]);
  return deployment.written as Mapping;
}

type App = Mapping & {
  image: string;
  environment: Record<string, string | null>;
  labels: Record<string, string>;
  deploy: Mapping;
  secrets: (string | { source: string })[];
  healthcheck?: { test: string[]; interval: string; start_period: string };
  stop_grace_period: string;
};

/** The app service of a (normalised) stack: environment and deploy.labels as maps. */
function appOf(doc: Mapping): App {
  const app = (doc.services as Mapping).app as App;
  return {
    ...app,
    labels: app.deploy.labels as Record<string, string>,
    secrets: app.secrets ?? [],
  };
}

/**
 * The default deployment as abra deploys it (the recipe model: .env.sample read as abra reads it,
 * the exports of abra.sh, COMPOSE_FILE, docker/cli's interpolation and merge), as swarm receives
 * it: `uncomment` names the commented examples of .env.sample an operator switched on, `set` what
 * they set otherwise. Returns the swarm stack and the variables that had no value.
 */
async function resolved(options: { uncomment?: string[]; set?: Record<string, string> } = {}) {
  let sample = await text(".env.sample");
  for (const name of [...(options.uncomment ?? []), ...Object.keys(options.set ?? {})]) {
    expect(sample, `.env.sample documents ${name}`).toMatch(new RegExp(`^#${name}=`, "m"));
    sample = sample.replace(new RegExp(`^#(${name}=)`, "m"), "$1");
  }
  for (const [name, value] of Object.entries(options.set ?? {})) {
    sample = sample.replace(new RegExp(`^${name}=.*$`, "m"), `${name}=${value}`);
  }
  const deployment = recipeOf(treeWith(sample)).deployments[0] as Deployment;
  expect(deployment.problems).toEqual([]);
  return { doc: deployment.stack as Mapping, missing: [...deployment.unset].sort() };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Names .env.sample sets or documents (`NAME=` or `#NAME=`). */
async function documented(): Promise<string[]> {
  return [...(await text(".env.sample")).matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map(
    (m) => m[1] as string,
  );
}

/** Every variable the service reads: the serve schema, and the *_FILE form of each secret. */
const READ = [...Object.keys(ServeEnv.shape), ...SECRET_VARS.map((v) => `${v}_FILE`)].sort();

const packageVersion = async () =>
  (JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The image compose.yml deploys when the app config names none: `${IMAGE:-<this>}`. */
async function composeImage(): Promise<string> {
  const image = String(appOf(await stack()).image);
  const match = /^\$\{IMAGE:-([^}]+)\}$/.exec(image);
  return match ? (match[1] as string) : image;
}

describe("deploy/compose.yml", () => {
  it("deploys, by fixture-bot's own recipe model: the default deployment and each optional one", async () => {
    const recipe = recipeOf(treeWith());
    expect(recipe.deployments.map((d) => [d.title, d.problems])).toEqual([
      ["compose.yml", []],
      ["compose.yml + compose.dashboard-password.yml (optional)", []],
    ]);
    expect(recipe.deployments[1]?.spec.origin).toBe(
      "COMPOSE_FILE on line 33 of .env.sample, commented out",
    );
  });

  it("sets every variable the service reads, or .env.sample documents it as optional", async () => {
    const files = await overlays();
    const environment = appOf(await stack(files)).environment;
    const set = Object.keys(environment);
    const sample = await documented();
    const missing = READ.filter((v) => !set.includes(v) && !sample.includes(v));
    // GITEA_TOKEN, WEBHOOK_SECRET, DASHBOARD_PASSWORD come from their *_FILE secrets.
    expect(missing.filter((v) => !SECRET_VARS.includes(v as (typeof SECRET_VARS)[number]))).toEqual(
      [],
    );
    expect(set.filter((v) => !READ.includes(v))).toEqual([]); // nothing the service would ignore
    for (const v of set.filter((name) => environment[name] === null)) {
      expect(sample, `${v} is passed through from .env but not in .env.sample`).toContain(v);
    }
  });

  it("passes every setting .env.sample documents to the container (else setting it does nothing)", async () => {
    const set = Object.keys(appOf(await stack(await overlays())).environment);
    const ignored = (await documented()).filter((v) => READ.includes(v) && !set.includes(v));
    expect(ignored, "documented in .env.sample, read by the service, never passed").toEqual([]);
  });

  it("runs one replica, drains before replacing, and gives jobs longer than SHUTDOWN_GRACE", async () => {
    const app = appOf(await stack());
    expect(app.deploy.replicas).toBe(1);
    expect(app.deploy.update_config).toMatchObject({ order: "stop-first" });
    const grace = ServeEnv.shape.SHUTDOWN_GRACE.parse(undefined);
    expect(Number.parseInt(String(app.stop_grace_period), 10) * 1000).toBeGreaterThan(grace);
    expect(app.healthcheck?.test.join(" ")).toContain("/healthz");
    expect(app.environment.PORT).toBe("3000");
    expect(app.labels["traefik.http.services.${STACK_NAME}.loadbalancer.server.port"]).toBe("3000");
  });

  it("caps the service's memory, above what it was measured to need", async () => {
    const resources = appOf(await stack()).deploy.resources as
      | { limits?: { memory?: string } }
      | undefined;
    const memory = resources?.limits?.memory;
    expect(memory, "deploy.resources.limits.memory").toMatch(/^\d+[KMG]$/);
    const unit = { K: 1 / 1024, M: 1, G: 1024 }[(memory as string).slice(-1) as "K" | "M" | "G"];
    const mib = Number.parseInt(memory as string, 10) * unit;
    // Idle ~120 MiB, 1,000 queued jobs under 160 MiB, a flood of 5 MiB deliveries ~+150 MiB.
    expect(mib).toBeGreaterThanOrEqual(384);
    expect(mib).toBeLessThanOrEqual(1024);
  });

  it("takes the manifest from a config, versioned in abra.sh, that is a placeholder saying what to do", async () => {
    // Never the project's own sample: a bot deployed as it comes would watch someone else's
    // canaries. The placeholder does not load, and says to set FIXTURES_REPO or replace it.
    const shipped = await text("fixtures.yaml");
    expect(() => parseManifest(shipped, "fixtures.yaml")).toThrow(
      new ConfigError(
        'fixtures.yaml:13:14 placeholder "set FIXTURES_REPO, or replace this file with your manifest" is set: this file is a placeholder, not your manifest. Set FIXTURES_REPO to the repository that holds your fixtures.yaml (recommended: it is reloaded on every push), or replace this file with your own manifest',
      ),
    );
    expect(await text("abra.sh")).toMatch(/^export FIXTURES_VERSION=v\d+$/m);
    expect((await stack()).configs).toMatchObject({
      fixtures: { name: "${STACK_NAME}_fixtures_${FIXTURES_VERSION}", file: "fixtures.yaml" },
    });
  });

  // What `abra app secret generate` must do for each secret the service reads (a Record over
  // SECRET_VARS: a new secret does not compile without its row). Co-op Cloud's .env.sample
  // modifiers: `# generate=false` (insert it by hand), `# length=N` (real recipes write
  // `# length=128`).
  const MODIFIER: Record<(typeof SECRET_VARS)[number], string> = {
    GITEA_TOKEN: "generate=false", // Gitea makes the token: abra must never invent one
    WEBHOOK_SECRET: "length=64",
    DASHBOARD_PASSWORD: "length=32", // in compose.dashboard-password.yml
  };
  const SECRETS = Object.entries(MODIFIER) as [(typeof SECRET_VARS)[number], string][];

  it.each(SECRETS)(
    "takes %s from a versioned swarm secret through *_FILE, `# %s` in .env.sample",
    async (variable, modifier) => {
      const name = variable.toLowerCase();
      const version = `SECRET_${variable}_VERSION`;
      const doc = await stack(await overlays());
      const app = appOf(doc);
      expect(app.environment[`${variable}_FILE`]).toBe(`/run/secrets/${name}`);
      expect(app.environment, `${variable} in plain text`).not.toHaveProperty(variable);
      expect(app.secrets.map((s) => (typeof s === "string" ? s : s.source))).toContain(name);
      expect((doc.secrets as Mapping)[name]).toEqual({
        external: true,
        name: `\${STACK_NAME}_${name}_\${${version}}`,
      });
      const line = (await text(".env.sample"))
        .split("\n")
        .find((l) => new RegExp(`^#?${version}=`).test(l));
      expect(line, `${version} in .env.sample`).toBeDefined();
      expect(line).toMatch(new RegExp(`^#?${version}=v1 # ${modifier}$`));
      const length = /^length=(\d+)$/.exec(modifier);
      if (length) {
        // What abra generates is a value the service accepts.
        const schema = ServeEnv.shape[variable as "WEBHOOK_SECRET" | "DASHBOARD_PASSWORD"];
        expect(schema.safeParse("a".repeat(Number(length[1]))).success).toBe(true);
      }
    },
  );

  it("enables the dashboard password with COMPOSE_FILE, as .env.sample shows", async () => {
    const line = /^#COMPOSE_FILE="([^"]+)"$/m.exec(await text(".env.sample"));
    expect(line?.[1]).toBe("compose.yml:compose.dashboard-password.yml");
    expect(await overlays()).toContain("compose.dashboard-password.yml");
    const { doc, missing } = await resolved({
      uncomment: ["COMPOSE_FILE", "SECRET_DASHBOARD_PASSWORD_VERSION"],
    });
    expect(missing).not.toContain("SECRET_DASHBOARD_PASSWORD_VERSION");
    expect((doc.secrets as Mapping)["${STACK_NAME}_dashboard_password_v1"]).toMatchObject({
      key: "dashboard_password",
      external: true,
    });
    expect(((doc.services as Mapping).app as Mapping).secrets).toMatchObject({
      "/run/secrets/dashboard_password": { name: "${STACK_NAME}_dashboard_password_v1" },
    });
    // Without the overlay the dashboard is open, and no secret needs to exist.
    expect(appOf(await stack()).environment).not.toHaveProperty("DASHBOARD_PASSWORD_FILE");
    expect((await stack()).secrets).not.toHaveProperty("dashboard_password");
  });

  it("resolves as abra deploys it: Traefik routes DOMAIN and EXTRA_DOMAINS, abra waits TIMEOUT", async () => {
    const rule = "traefik.http.routers.${STACK_NAME}.rule";
    const timeout = "coop-cloud.${STACK_NAME}.timeout";
    const plain = await resolved();
    // Nothing compose uses is unknown: .env.sample or abra.sh sets it, it has a default, or it is
    // one of the optional settings .env.sample documents (commented out).
    const sample = await text(".env.sample");
    expect(plain.missing.filter((v) => !new RegExp(`^#${v}=`, "m").test(sample))).toEqual([]);
    expect(appOf(plain.doc).labels[rule]).toBe("Host(`fixture-bot.example.com`)");
    expect(appOf((await resolved({ uncomment: ["EXTRA_DOMAINS"] })).doc).labels[rule]).toBe(
      "Host(`fixture-bot.example.com`, `www.fixture-bot.example.com`)",
    );

    // abra waits this long for the stack to converge: the old task drains, then the new one must
    // start and pass a health check.
    const app = appOf(plain.doc);
    const health = app.healthcheck as NonNullable<App["healthcheck"]>;
    const seconds = (s: unknown) => Number.parseInt(String(s), 10);
    const needed =
      seconds(app.stop_grace_period) + seconds(health.start_period) + seconds(health.interval);
    expect(app.labels[timeout]).toMatch(/^\d+$/);
    expect(seconds(app.labels[timeout])).toBeGreaterThanOrEqual(needed);
    // An operator's TIMEOUT (documented in .env.sample) is what abra reads.
    expect(appOf((await resolved({ set: { TIMEOUT: "900" } })).doc).labels[timeout]).toBe("900");
  });

  it("carries its version in the label, with release notes, and deploys the image of that version", async () => {
    const label = appOf(await stack()).labels["coop-cloud.${STACK_NAME}.version"];
    const match = /^(\d+\.\d+\.\d+)\+(\d+\.\d+\.\d+)$/.exec(String(label));
    expect(match, `version label ${label}: <recipe version>+<fixture-bot version>`).not.toBeNull();
    expect(match?.[2]).toBe(await packageVersion());
    expect(await composeImage()).toMatch(new RegExp(`:${match?.[2]}$`));
    const notes = await text(`release/${label}`).catch(() => "");
    expect(notes.trim(), `deploy/release/${label}`).not.toBe("");
  });

  it("names the image that deploy/README.md's docker build and ci/publish-image.yml publish", async () => {
    const image = await composeImage();
    const readme = await text("README.md");
    expect(readme).toContain(`docker build -f deploy/Dockerfile -t ${image} .`);
    expect(readme).toContain(`docker push ${image}`);

    const parsed = parseYaml(await text("ci/publish-image.yml"), { oneDocument: true });
    expect(parsed.ok).toBe(true);
    const workflow = (parsed.ok ? parsed.value : {}) as {
      on: { push: { tags: string[] } };
      env: { IMAGE: string; REGISTRY: string };
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    expect(workflow.on.push.tags).toEqual(["v*"]);
    expect(`${workflow.env.IMAGE}:${await packageVersion()}`).toBe(image);
    expect(workflow.env.IMAGE.startsWith(`${workflow.env.REGISTRY}/`)).toBe(true);
    const runs = Object.values(workflow.jobs)
      .flatMap((job) => job.steps.map((step) => step.run ?? ""))
      .join("\n");
    expect(runs).toContain("package.json"); // the version published is package.json's
    expect(runs).toMatch(
      /docker build -f deploy\/Dockerfile -t "\$IMAGE:\$\{\{ steps\.version\.outputs\.version \}\}" \./,
    );
    expect(runs).toMatch(/docker push "\$IMAGE:\$\{\{ steps\.version\.outputs\.version \}\}"/);
  });
});

describe("deploy/README.md", () => {
  it("opens with the metadata block Co-op Cloud's catalogue reads, true to the recipe", async () => {
    const readme = await text("README.md");
    const block = /<!-- metadata -->\n([\s\S]*?)\n<!-- endmetadata -->/.exec(readme)?.[1];
    expect(block, "<!-- metadata --> … <!-- endmetadata -->").toBeDefined();
    const fields = Object.fromEntries(
      [...(block ?? "").matchAll(/^\* \*\*([A-Za-z]+)\*\*: (.*)$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(fields)).toEqual([
      "Category",
      "Status",
      "Image",
      "Healthcheck",
      "Backups",
      "Email",
      "Tests",
      "SSO",
    ]);
    expect(fields.Status).toMatch(/^[1-5], [a-z]+$/);
    const image = (await composeImage()).replace(/:[^:/]+$/, "");
    expect(fields.Image).toMatch(
      new RegExp(`^\\[\`${escapeRegExp(image)}\`\\]\\([^)]+\\), [1-4], `),
    );
    const app = appOf(await stack());
    expect(fields.Healthcheck).toBe(app.healthcheck ? "Yes" : "No");
    const backups = Object.keys(app.labels).some((l) => l.startsWith("backupbot."));
    expect(fields.Backups).toBe(backups ? "Yes" : "No");
  });
});

describe("deploy/Dockerfile", () => {
  const dockerfile = () => text("Dockerfile");

  it("is multi-stage on one current Node LTS that better-sqlite3 supports, with git, a non-root user, /data and a health check", async () => {
    const text = await dockerfile();
    const bases = [...text.matchAll(/^FROM (node:(\d+)-[a-z]+-slim)\b/gm)];
    expect(bases).toHaveLength(2);
    // Both stages on one base: the native module built in the first runs on the second's Node.
    expect(new Set(bases.map((b) => b[1])).size).toBe(1);
    const major = Number(bases[0]?.[2]);
    // An LTS line (even) that is not past its end of life: Node 20's ended in April 2026.
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(22);
    const sqlite = JSON.parse(
      await readFile(join(ROOT, "node_modules/better-sqlite3/package.json"), "utf8"),
    ) as { engines: { node: string } };
    expect(sqlite.engines.node.split(/\s*\|\|\s*/)).toContain(`${major}.x`);

    expect(text).toMatch(/apt-get install[^\n]*\bgit\b[^\n]*\bca-certificates\b/);
    expect(text).toMatch(/^USER fixturebot$/m);
    expect(text).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(text).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    const ignore = await readFile(join(ROOT, ".dockerignore"), "utf8");
    expect(ignore.split("\n")).toEqual(expect.arrayContaining(["node_modules", "data", ".git"]));
  });

  it("runs the CLI: serve by default, any command as arguments (a CI step), fixture-bot on PATH", async () => {
    const text = await dockerfile();
    const json = (instruction: string) =>
      JSON.parse(new RegExp(`^${instruction} (\\[.*\\])$`, "m").exec(text)?.[1] ?? "null") as
        | string[]
        | null;
    const entrypoint = json("ENTRYPOINT");
    expect(entrypoint).toEqual(["/usr/bin/tini", "--", "node", "/app/dist/cli.js"]);
    expect(json("CMD")).toEqual(["serve"]);
    // So `docker run IMAGE verify --config fixtures.yaml` runs `node /app/dist/cli.js verify …`:
    // /app/dist/cli.js is what the build stage compiles from src/cli.ts and the runtime copies.
    expect(text).toMatch(/^WORKDIR \/app$/m);
    expect(text).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    const build = JSON.parse(await readFile(join(ROOT, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(build.compilerOptions).toMatchObject({ rootDir: "src", outDir: "dist" });
    expect((await stat(join(ROOT, "src/cli.ts"))).isFile()).toBe(true);
    // CI systems that run shell commands in the image (Actions job containers, Woodpecker) find it.
    expect(text).toMatch(/exec node \/app\/dist\/cli\.js "\$@".*> \/usr\/local\/bin\/fixture-bot/);
    expect(text).toMatch(/chmod 0755 \/usr\/local\/bin\/fixture-bot/);
  });

  it("sets no FIXTURES_FILE and ships no manifest: a CI step reads the checkout's fixtures.yaml", async () => {
    const text = await dockerfile();
    expect(text).not.toMatch(/FIXTURES_FILE=/);
    expect(text).not.toMatch(/^COPY [^\n]*fixtures\.yaml/m);
    // The service gets its manifest from the recipe: FIXTURES_FILE is where the config is mounted.
    const service = ((await stack()).services as Mapping).app as {
      environment: Record<string, string | null>;
      configs: { source: string; target: string }[];
    };
    const target = service.configs.find((c) => c.source === "fixtures")?.target;
    expect(target).toBe("/etc/fixture-bot/fixtures.yaml");
    expect(service.environment.FIXTURES_FILE).toBe(target);
  });
});
