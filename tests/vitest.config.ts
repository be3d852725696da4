import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "../app") } },
  test: {
    root: path.resolve(__dirname, ".."),
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two test files at a time, even on a 2-core machine (vitest would run one): most integration tests wait on servers,
    // timers and child processes rather than the CPU, so two overlap well (npm test stays well under 30 minutes).
    maxWorkers: 2,
    minWorkers: 1,
  },
});
