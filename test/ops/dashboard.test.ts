/**
 * The dashboard in a real headless browser (Debian's chromium, driven by playwright-core): a
 * server with a failing fixture, its dashboard, the link to the run page, what a person sees there,
 * on a desktop and on a phone, with JavaScript off. Screenshots go to $TEST_ARTIFACTS (default:
 * fixture-bot-test-artifacts/ under the temp dir).
 */
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPatch, fixtureBranch } from "../helpers/recipes.ts";
import { type Harness, REPO, startHarness } from "../helpers/service.ts";

/** Screenshots go outside the source tree: $TEST_ARTIFACTS, or a directory under the temp dir. */
const ARTIFACTS = `${process.env.TEST_ARTIFACTS ?? join(tmpdir(), "fixture-bot-test-artifacts")}/`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

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
    }),
  });
  base = `http://127.0.0.1:${h.service.port}`;
  await mkdir(ARTIFACTS, { recursive: true });
  // The flags this machine needs: no sandbox as root, and no background network (it is closed).
  browser = await chromium.launch({
    executablePath: CHROMIUM,
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
    expect(text).toContain("2 fixtures from");
    expect(text).toContain("1 pass, 1 fail");

    const failing = page.locator("tr", { hasText: "bad-backup" });
    await expect(failing.locator(".badge").innerText()).resolves.toBe("fail");
    expect(await failing.innerText()).toContain("not-emptied");
    expect(await failing.innerText()).toContain("red at backup");
    const passing = page.locator("tr", { hasText: "bad-restore" });
    await expect(passing.locator(".badge").innerText()).resolves.toBe("pass");
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

    await failing.locator("a", { hasText: "ago" }).click();
    await page.waitForURL(/\/runs\/\d+#bad-backup$/);
    const run = await page.locator("#bad-backup").innerText();
    expect(run).toContain("bad-backup");
    expect(run).toMatch(
      /✗\s*not-emptied\s*compose\.yml was emptied \(48 lines at the merge-base, none now\)/,
    );
    expect(run).toMatch(/✗\s*yaml-valid/);
    expect(run).toContain("compose.yml modified +0 −48");
    await expect(page.locator("#bad-backup pre .del").first().innerText()).resolves.toBe("----");
    await page.screenshot({ path: `${ARTIFACTS}run.png`, fullPage: true });
    await context.close();
  });

  it("is readable on a phone: no sideways scrolling", async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
    });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    // (a string: this file is type-checked without the DOM library)
    const widths = (await page.evaluate(
      "({ page: document.documentElement.scrollWidth, screen: window.innerWidth })",
    )) as { page: number; screen: number };
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-phone.png`, fullPage: true });
    await context.close();
  });

  it("answers an unknown run with a 404 page that links back", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${base}/runs/999999`);
    expect(response?.status()).toBe(404);
    await expect(page.locator("a").innerText()).resolves.toBe("All fixtures");
    await page.close();
  });
});
