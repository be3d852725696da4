/**
 * End-to-end tests in Debian's Chromium (/usr/bin/chromium), against the real server started by global-setup.ts
 * on the default build (run `npm run build` first; `npm test` does). One worker: the tests share one server.
 */
import { defineConfig } from "@playwright/test";

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
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});
