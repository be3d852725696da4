/**
 * An installation that serves several organisations (ORG_ROUTING=host; docs/decisions/0015-one-database-per-organisation.md):
 * opening their list, preparing each one's database, and running a command for one of them. Used by the server
 * (scripts/serve.ts), its deadline thread, `npm run org` and the commands that take --org.
 */
import { sql, type Kysely } from "kysely";
import { migrateToLatest, optimizeDatabase } from "../db/connection";
import { migrations } from "../db/migrations";
import type { Database } from "../db/schema";
import { openOrganisationStorage, preparePlatform, schemaOf } from "../db/platform";
import { seedHolidays } from "../db/seed";
import { getEnv, type Env } from "../app/utils/env.server";
import { installationMasterKey } from "../app/utils/keys.server";
import { runForSite, serveSeveralOrganisations } from "../app/utils/site-context.server";
import { SiteDirectory, registerSiteDirectory, type Site } from "../app/utils/sites.server";

/** Whether this installation serves several organisations (chosen by ORG_ROUTING). */
export function severalOrganisations(env: Env = getEnv()): boolean {
  return env.ORG_ROUTING === "host" || env.ORG_ROUTING === "path";
}

/** Opens the list of organisations (creating the platform tables when missing) and reads it. */
export async function openSiteDirectory(env: Env = getEnv(), opts: { max?: number } = {}): Promise<SiteDirectory> {
  serveSeveralOrganisations();
  const storage = openOrganisationStorage(env, opts);
  await preparePlatform(storage);
  const directory = new SiteDirectory(storage, installationMasterKey, env.FILE_STORE, env.ORG_ROUTING === "path" ? "path" : "host");
  await directory.refresh();
  return directory;
}

const LATEST_MIGRATION = Object.keys(migrations).sort().at(-1)!;

/** Whether the organisation's database has every migration (one query: a server with 1,000 organisations starts fast). */
async function isUpToDate(db: Kysely<Database>): Promise<boolean> {
  try {
    const r = await sql<{ name: string | null }>`select max(name) as name from kysely_migration`.execute(db);
    return r.rows[0]?.name === LATEST_MIGRATION;
  } catch {
    return false; // no migration table yet
  }
}

/** Brings one organisation's database to the latest migration and seeds the national holidays (idempotent). */
export async function prepareSite(directory: SiteDirectory, site: Site): Promise<void> {
  await runForSite(site, async () => {
    const db = site.db();
    // Up to date (every start after the first): no migrator run (one query instead of its introspection and lock).
    if (await isUpToDate(db)) {
      await seedHolidays(db); // a newer release may bring more years
      return;
    }
    if (directory.storage.kind === "postgres") {
      await migrateToLatest(db, { schema: schemaOf(site.code) });
    } else {
      await migrateToLatest(db);
      await optimizeDatabase(db);
    }
    await seedHolidays(db);
  });
}

/**
 * Planner statistics of every organisation's SQLite file (`pragma optimize`). On PostgreSQL nothing: one ANALYZE of a
 * database with 1,000 organisations' schemas reads ~60,000 tables (most of a minute and a half at every start), and
 * autovacuum already analyses each table as it changes.
 */
export async function optimizeSites(directory: SiteDirectory): Promise<void> {
  if (directory.storage.kind === "postgres") return;
  for (const site of directory.all()) await runForSite(site, () => optimizeDatabase(site.db()));
}

/**
 * Runs `work` for the organisation named by --org (required when the installation serves several; ignored, and
 * refused when given, when it serves one).
 */
export async function forOrganisationOption<T>(code: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!severalOrganisations()) {
    if (code) throw new Error("--org is only for an installation with several organisations (ORG_ROUTING=host or path)");
    return work();
  }
  if (!code) throw new Error("this installation serves several organisations: name one with --org <code>");
  const directory = await openSiteDirectory();
  // Some commands reach the platform database too (an administrator's reset cuts an account's links, ADR 0016).
  registerSiteDirectory(directory);
  try {
    const site = directory.byOrganisationCode(code);
    if (!site) throw new Error(`no organisation with code "${code}" (npm run org -- list)`);
    await prepareSite(directory, site);
    return await runForSite(site, work);
  } finally {
    registerSiteDirectory(undefined);
    await directory.storage.destroy();
  }
}

/**
 * The entry of a maintenance command (npm run audit-log, reports, privacy, proof): `--org <code>` (or `--org=<code>`)
 * anywhere among its arguments names the organisation it runs for (required with several, refused with one) and is
 * taken out before the command reads the rest; exits with the command's code.
 */
export function runCommandForOrganisation(main: () => Promise<number>): void {
  const argv = process.argv;
  const i = argv.findIndex((a, k) => k >= 2 && (a === "--org" || a.startsWith("--org=")));
  let code: string | undefined;
  if (i >= 0) {
    const inline = argv[i]!.startsWith("--org=");
    code = inline ? argv[i]!.slice("--org=".length) : argv[i + 1];
    argv.splice(i, inline ? 1 : 2);
  }
  forOrganisationOption(code, main)
    .then((exit) => process.exit(exit))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
