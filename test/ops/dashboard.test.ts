/**
 * The dashboard in a real headless browser driven by playwright-core: a server with a failing
 * fixture, its dashboard, the link to the run page, what a person sees there, on a desktop and on
 * a 390 px phone, with JavaScript off. Screenshots go to $TEST_ARTIFACTS (default:
 * fixture-bot-test-artifacts/ under the temp dir).
 *
 * The browser needs no setup: it is the headless Chromium that the @sparticuz/chromium
 * devDependency ships (see `browserLaunch`), or $CHROMIUM_PATH, or Debian's /usr/bin/chromium.
 */
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";
import { type Browser, chromium, type LaunchOptions } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPatch, fixtureBranch } from "../helpers/recipes.ts";
import { type Harness, REPO, startHarness } from "../helpers/service.ts";

/** Screenshots go outside the source tree: $TEST_ARTIFACTS, or a directory under the temp dir. */
const ARTIFACTS = `${process.env.TEST_ARTIFACTS ?? join(tmpdir(), "fixture-bot-test-artifacts")}/`;

/**
 * Where the browser comes from, first found: $CHROMIUM_PATH; the headless Chromium inside the
 * @sparticuz/chromium package (Linux x64; brotli-compressed there, unpacked once per version
 * under the temp dir, with the NSS libraries and the font it needs, so it runs on a bare Debian
 * with nothing installed by hand); Debian's chromium package.
 */
async function browserLaunch(): Promise<Pick<LaunchOptions, "executablePath" | "env">> {
  if (process.env.CHROMIUM_PATH) return { executablePath: process.env.CHROMIUM_PATH };
  const packaged = await packagedChromium();
  if (packaged) return packaged;
  if (existsSync("/usr/bin/chromium")) return { executablePath: "/usr/bin/chromium" };
  throw new Error(
    "no browser for the dashboard test: run npm ci (it brings @sparticuz/chromium), or set CHROMIUM_PATH",
  );
}

async function packagedChromium(): Promise<Pick<LaunchOptions, "executablePath" | "env"> | null> {
  if (process.platform !== "linux" || process.arch !== "x64") return null;
  let root: string;
  try {
    // build/cjs/index.cjs inside the package: its bin/ holds the compressed browser.
    root = join(dirname(createRequire(import.meta.url).resolve("@sparticuz/chromium")), "../..");
  } catch {
    return null;
  }
  const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
  const dir = join(tmpdir(), `fixture-bot-chromium-${version}`);
  if (!existsSync(join(dir, "chromium"))) await unpackChromium(join(root, "bin"), dir);
  return {
    executablePath: join(dir, "chromium"),
    env: {
      ...process.env,
      LD_LIBRARY_PATH: join(dir, "lib"),
      FONTCONFIG_PATH: join(dir, "fonts"),
    } as Record<string, string>,
  };
}

/** Unpack into a directory of our own, then rename it into place: never a half-written browser. */
async function unpackChromium(bin: string, dir: string): Promise<void> {
  const work = `${dir}.${process.pid}.tmp`;
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, "fonts"), { recursive: true });
  await pipeline(
    createReadStream(join(bin, "chromium.br")),
    createBrotliDecompress(),
    createWriteStream(join(work, "chromium"), { mode: 0o755 }),
  );
  await untar(join(bin, "al2023.tar.br"), work); // lib/: libnss3, libnspr4, libexpat
  await untar(join(bin, "fonts.tar.br"), join(work, "fonts")); // fonts/: Open Sans
  // The package's fonts.conf points at /tmp/fonts; this one at the fonts here, then the system's.
  await writeFile(
    join(work, "fonts", "fonts.conf"),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${join(dir, "fonts", "fonts")}</dir><dir>/usr/share/fonts</dir><cachedir>${join(dir, "fonts", "cache")}</cachedir></fontconfig>\n`,
  );
  try {
    await rename(work, dir);
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    if (!existsSync(join(dir, "chromium"))) throw error; // else another run unpacked it first
  }
}

/** A .tar.br into a directory, with the system's tar (Debian's is essential: always there). */
async function untar(file: string, into: string): Promise<void> {
  const archive = `${into}.tar`;
  await pipeline(createReadStream(file), createBrotliDecompress(), createWriteStream(archive));
  const tar = spawn("tar", ["-x", "-f", archive, "-C", into], { stdio: "inherit" });
  const code = await new Promise<number | null>((resolve, reject) => {
    tar.once("error", reject);
    tar.once("close", resolve);
  });
  await rm(archive);
  if (code !== 0) throw new Error(`tar -x ${file} exited with ${code}`);
}

/** Long names with nowhere a browser would break them (no space, no hyphen: "." and "_" only). */
const LONG_NAME = "canary_restore.backup_path.points_at_50x";
const LONG_REPO = "recipe-maintainers/custom_html_with_a_very_long_nm";
const OTHER_LONG_NAME = "canary_backup.in_another_repository_xyz1";

let h: Harness;
let browser: Browser;
let base: string;

beforeAll(async () => {
  h = await startHarness({
    manifest: (p) => `version: 1
fixtures:
  - name: bad-backup
    repo: ${REPO}
    branch: regression-bad-backup
    sha: ${p.emptied}
    base: main
    expect: red at backup
    change:
      - path: compose.yml
        lines: 'backupbot\\.backup'
  - name: bad-restore
    repo: ${REPO}
    branch: regression-bad-restore
    sha: ${p.good}
    base: main
    expect: red at restore
    change:
      - path: compose.yml
        lines: 'backupbot\\.backup'
  - name: ${LONG_NAME}
    repo: ${REPO}
    branch: canary/long-names
    sha: ${p.long}
    base: main
    tier: restore
    expect: red at restore, once the backup path points at 50x.html and nothing else changed
  - name: ${OTHER_LONG_NAME}
    repo: ${LONG_REPO}
    branch: canary/in-a-repository-with-a-long-name
    sha: ${p.good}
    base: main
    tier: backup
    expect: red at backup
`,
    setup: async (repo) => ({
      emptied: await fixtureBranch(
        repo,
        "regression-bad-backup",
        applyPatch("broken/custom-html--emptied-compose.patch"),
      ),
      good: await fixtureBranch(
        repo,
        "regression-bad-restore",
        applyPatch("custom-html/bad-restore.patch"),
      ),
      long: await fixtureBranch(
        repo,
        "canary/long-names",
        applyPatch("broken/custom-html--emptied-compose.patch"),
      ),
    }),
  });
  base = `http://127.0.0.1:${h.service.port}`;
  await mkdir(ARTIFACTS, { recursive: true });
  // The flags this machine needs: no sandbox as root, and no background network (it is closed).
  browser = await chromium.launch({
    ...(await browserLaunch()),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("the dashboard in Chromium", () => {
  it("lists every fixture with its verdict, and links to the run page, which shows the checks and the diff", async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1200, height: 900 },
    });
    const page = await context.newPage();
    const response = await page.goto(`${base}/`);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe("fixture-bot");
    const text = await page.locator("body").innerText();
    expect(text).toContain("4 fixtures from");
    expect(text).toContain("1 pass, 2 fail, 1 could not be checked");

    const failing = page.locator("tr", { hasText: "bad-backup" });
    await expect(failing.locator(".badge").innerText()).resolves.toBe("fail");
    expect(await failing.innerText()).toContain("not-emptied");
    expect(await failing.innerText()).toContain("red at backup");
    const passing = page.locator("tr", { hasText: "bad-restore" });
    await expect(passing.locator(".badge").innerText()).resolves.toBe("pass");
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

    await failing.locator("a", { hasText: "ago" }).click();
    await page.waitForURL(/\/runs\/\d+#bad-backup$/);
    const section = page.locator("#bad-backup");
    const run = await section.innerText();
    expect(run).toContain("bad-backup");
    // The diagnosis and the fix lead; the checks that fail only because of it are folded.
    await expect(section.locator(".diagnosis").innerText()).resolves.toMatch(
      /^compose\.yml was emptied: restore it from main \(git checkout [0-9a-f]{12} -- compose\.yml\), then make only the targeted change\.$/,
    );
    expect(run).toMatch(
      /✗\s*not-emptied\s*compose\.yml was emptied \(48 lines at the merge-base, none now\)\s*also failing because of this: yaml-valid, compose-valid, lines/,
    );
    expect(run).not.toMatch(/✗\s*yaml-valid/);
    await section.locator("summary", { hasText: "What the 3 follow-on checks say" }).click();
    const unfolded = await section.innerText();
    expect(unfolded).toMatch(/✗\s*yaml-valid\s*compose\.yml is an empty YAML document/);
    // The refused lines are code: indentation kept.
    await expect(section.locator("pre.lines").innerText()).resolves.toContain("\n-  app:\n");
    expect(run).toContain("compose.yml modified +0 −48");
    await expect(section.locator("pre .del").first().innerText()).resolves.toBe("----");
    await page.screenshot({ path: `${ARTIFACTS}run.png`, fullPage: true });
    await context.close();
  });

  it("fits a 390 px phone without sideways scrolling, with 40-character fixture names and 50-character repository names", async () => {
    expect([LONG_NAME.length, OTHER_LONG_NAME.length, LONG_REPO.length]).toEqual([40, 40, 50]);
    // A fixed viewport, not isMobile: a mobile viewport widens itself to fit the content, so a
    // page too wide for the phone would pass.
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
    });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const run = await page
      .locator("tr", { hasText: LONG_NAME })
      .locator("a", { hasText: "ago" })
      .getAttribute("href");
    const pages = { dashboard: "/", run: `/${run}`, "not-found": "/runs/999999" };
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(`${base}${path}`);
      // (strings: this file is type-checked without the DOM library) Code blocks scroll inside
      // their own box; anything else past the right edge would make the page scroll sideways.
      const fit = (await page.evaluate(`({
        width: document.documentElement.scrollWidth,
        past: [...document.body.querySelectorAll("*")]
          .filter((el) => !el.closest("pre") && el.getBoundingClientRect().right > innerWidth + 0.5)
          .map((el) => el.tagName + ": " + el.textContent.slice(0, 60)),
      })`)) as { width: number; past: string[] };
      expect(fit, name).toEqual({ width: 390, past: [] });
      await page.screenshot({ path: `${ARTIFACTS}phone-${name}.png`, fullPage: true });
    }
    // Nothing is hidden to make it fit: every fixture, its repository and its branch are there.
    // (In the fixtures table: the list of recent runs names the fixtures too.)
    await page.goto(`${base}/`);
    const table = page.locator("table.fixtures");
    for (const text of [LONG_NAME, OTHER_LONG_NAME, LONG_REPO, "canary/long-names"])
      await expect(table.getByText(text, { exact: true }).isVisible(), text).resolves.toBe(true);
    await context.close();
  });

  it("answers an unknown run with a 404 page that links back", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${base}/runs/999999`);
    expect(response?.status()).toBe(404);
    await expect(page.title()).resolves.toBe("Not found · fixture-bot");
    await expect(page.locator("h1").innerText()).resolves.toBe("Not found 404");
    await expect(page.locator("body").innerText()).resolves.toContain("No such run.");
    // Styled like the dashboard: the same sheet, not the browser's default serif page.
    await expect(page.evaluate("getComputedStyle(document.body).fontFamily")).resolves.toContain(
      "system-ui",
    );
    await page.locator("a", { hasText: "all fixtures" }).click();
    await expect(page.title()).resolves.toBe("fixture-bot");
    await page.close();
  });
});
