/**
 * End-to-end tests in Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH), against the real server started by global-setup.ts
 * on the default build (run `npm run build` first; `npm test` does). One worker: the tests share one server.
 */
import { defineConfig } from "@playwright/test";
// CHROMIUM_PATH, else /usr/bin/chromium; `npm test` runs scripts/ensure-chromium.mjs first (it installs Debian's
// chromium when it can). Playwright's own browsers are never downloaded.
import { findChromium } from "../../scripts/ensure-chromium.mjs";

export default defineConfig({
  testDir: ".",
  testMatch: /.*\.spec\.ts$/,
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  outputDir: "../.tmp/e2e-results",
  globalSetup: "./global-setup.ts",
  use: {
    headless: true,
    locale: "th-TH",
    timezoneId: "Asia/Bangkok",
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: findChromium(),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
