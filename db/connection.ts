import path from "node:path";
import { Migrator, type Kysely, type MigrationResultSet, type Transaction } from "kysely";
import type { Database } from "./schema";
import { migrations } from "./migrations";
import { dialectOf, isPostgresUrl, openDatabaseAt } from "./dialects";
import { openSqlite } from "./dialects/sqlite";
import { openPostgres } from "./dialects/postgres";

export { dialectOf, isPostgresUrl };
export type DB = Kysely<Database>;
/** What every repository function takes as its first argument: the database, or a transaction the caller opened. */
export type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Runs `work` in the caller's transaction when `ex` already is one, otherwise in a new transaction. Repository
 * functions that must be atomic use this, so a caller can combine several of them in one transaction of its own.
 */
export function inTransaction<T>(ex: Executor, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return ex.isTransaction ? work(ex as Transaction<Database>) : ex.transaction().execute(work);
}

/** Turns DATABASE_URL ("file:./data/sujarit.db", "sqlite:/abs/x.db" or a plain path) into a file path. */
export function sqlitePathFromUrl(url: string): string {
  const p = url.replace(/^(file|sqlite):(\/\/)?/, "");
  return path.resolve(p);
}

/** Opens the SQLite file with WAL, foreign keys, a busy timeout and full fsync on commit (db/dialects/sqlite.ts). */
export function openDatabase(file: string): DB {
  return openSqlite<Database>(file);
}

/** Opens a PostgreSQL database (postgres://…) through a connection pool (db/dialects/postgres.ts). */
export function openPostgresDatabase(url: string, opts: { max?: number } = {}): DB {
  return openPostgres<Database>(url, opts);
}

/** Opens the installation's database: PostgreSQL when DATABASE_URL is postgres://…, otherwise the SQLite file. */
export function openConfiguredDatabase(env: { DATABASE_URL?: string; DATABASE_FILE: string }): DB {
  return openDatabaseAt<Database>({ postgresUrl: env.DATABASE_URL, sqliteFile: env.DATABASE_FILE });
}

/**
 * Runs every pending migration; throws with the failing migration's name. `schema`: the PostgreSQL schema of one of
 * several organisations (its migration table lives there too; db/platform.ts).
 */
export async function migrateToLatest(db: Kysely<any>, opts: { schema?: string } = {}): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: opts.schema });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error");
    throw new Error(`Migration ${failed?.migrationName ?? "?"} failed: ${String(result.error)}`);
  }
  return result;
}

/** Refreshes query-planner statistics where they are missing or stale (cheap; run at start and hourly). */
export async function optimizeDatabase(db: Kysely<any>): Promise<void> {
  await dialectOf(db).optimize(db);
}

/** Rolls back the newest migration (used by `npm run db:migrate -- down`). */
export async function migrateDown(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  return migrator.migrateDown();
}
