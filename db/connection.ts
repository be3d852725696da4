import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  Kysely,
  Migrator,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type MigrationResultSet,
  type SqliteDialectConfig,
  type Transaction,
} from "kysely";
import type { Database } from "./schema";
import { migrations } from "./migrations";

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

/** Opens the SQLite file with WAL, foreign keys, a busy timeout and full fsync on commit. */
export function openDatabase(file: string): DB {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("secure_delete = ON");
  // Keep ANALYZE cheap (sampled) so query-planner statistics can be refreshed on a live database.
  sqlite.pragma("analysis_limit = 1000");
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
}

/**
 * Transactions begin with BEGIN IMMEDIATE: they take SQLite's write lock first, waiting on the busy timeout while
 * another connection holds it (the server's deadline worker thread, a CLI, a cron `sla:tick`). A deferred transaction
 * that read first and then wrote would fail at once with SQLITE_BUSY_SNAPSHOT — no waiting — whenever another
 * connection committed between its read and its write.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * Kysely prepares every query afresh; preparing is a large share of a small query's cost. Queries are compiled to the
 * same SQL text each time, so their prepared statements are kept and reused (bounded; cleared when full).
 * Statements run synchronously to completion, so one statement is never used by two queries at once.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.clear();
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

/** Runs every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error");
    throw new Error(`Migration ${failed?.migrationName ?? "?"} failed: ${String(result.error)}`);
  }
  return result;
}

/** Refreshes query-planner statistics where they are missing or stale (cheap; run at start and hourly). */
export async function optimizeDatabase(db: Kysely<any>): Promise<void> {
  await sql`pragma optimize = 0x10002`.execute(db);
}

/** Rolls back the newest migration (used by `npm run db:migrate -- down`). */
export async function migrateDown(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  return migrator.migrateDown();
}
