import { defineConfig } from "vitest/config";
import base from "./vitest.config";

/**
 * The server-based integration tests that also run on PostgreSQL (docs/decisions/0012-postgresql.md): each server the
 * tests start gets a fresh database on a private PostgreSQL server (tests/helpers/server.ts, TEST_DATABASE=postgres).
 * `npm test` runs these after the SQLite run. A file is listed once it passes on PostgreSQL as written; integrity-access,
 * second-factor and satisfaction-staff pass too but are left out to keep `npm test` well under 30 minutes (they test
 * sign-in and roles more than SQL).
 */
export const POSTGRES_FILES = [
  "tests/integration/public-complaint.test.ts",
  "tests/integration/stats-pages.test.ts",
  "tests/integration/forms.test.ts",
  "tests/integration/staff-access.test.ts",
  "tests/integration/case-list.test.ts",
  "tests/integration/notices.test.ts",
  "tests/integration/open-data.test.ts",
  "tests/integration/satisfaction.test.ts",
  "tests/integration/topics.test.ts",
  "tests/integration/privacy-pages.test.ts",
  "tests/integration/stat-reports.test.ts",
  "tests/integration/staff-model.test.ts",
  "tests/integration/complaint-model.test.ts",
  "tests/integration/privacy.test.ts",
  "tests/integration/stats-dataset.test.ts",
  "tests/integration/stats-month-status.test.ts",
  "tests/integration/organisations.test.ts",
  "tests/integration/staff-links.test.ts",
  "tests/integration/line-organisations.test.ts",
];

// Not mergeConfig: it would append this include list to the base one (arrays are concatenated).
export default defineConfig({
  ...base,
  test: { ...base.test, include: POSTGRES_FILES, env: { ...base.test?.env, TEST_DATABASE: "postgres" } },
});
