/**
 * Which database a Kysely instance (or transaction) talks to, and the helpers for it. SQLite is the default;
 * DATABASE_URL=postgres://… (or postgresql://…) selects PostgreSQL (docs/decisions/0012-postgresql.md).
 */
import { PostgresAdapter, type Kysely } from "kysely";
import { openPostgres, postgresDialect } from "./postgres";
import { isPostgresUrl } from "./url";
import { openSqlite, sqliteDialect } from "./sqlite";
import type { SqlDialect } from "./types";

export type { DialectName, SqlDialect, TriggerSpec } from "./types";
export { isPostgresUrl } from "./url";

/** The dialect helpers of the database `db` (a Kysely instance or a transaction) talks to. */
export function dialectOf(db: Kysely<any>): SqlDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? postgresDialect : sqliteDialect;
}

/** Opens the database: PostgreSQL for a postgres:// URL, otherwise the SQLite file `sqliteFile`. */
export function openDatabaseAt<DB>(target: { postgresUrl?: string | null; sqliteFile: string }): Kysely<DB> {
  return isPostgresUrl(target.postgresUrl) ? openPostgres<DB>(target.postgresUrl) : openSqlite<DB>(target.sqliteFile);
}
