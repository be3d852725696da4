/**
 * stored_file: the files of an installation with FILE_STORE=database (app/utils/file-store.server.ts), so that app
 * servers share nothing but the database. Created on every installation (empty with FILE_STORE=disk). Schema builder
 * only: a blob on SQLite, bytea on PostgreSQL; the bytes last, so reading a row's key, size and date never reads them.
 */
import { PostgresAdapter, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  const binary = db.getExecutor().adapter instanceof PostgresAdapter ? "bytea" : "blob";
  await db.schema
    .createTable("stored_file")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("bytes", binary, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("stored_file").execute();
}
