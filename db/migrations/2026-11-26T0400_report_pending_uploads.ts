import type { Kysely } from "kysely";

/**
 * Evidence files kept across a rejected report form ("nothing typed is lost"). Each file is stored encrypted
 * under <DATA_DIR>/reports/pending/<storage_id> with a fresh random key that is NOT stored here: it goes back to the
 * reporter's browser inside the re-rendered form (see app/models/report-pending.server.ts). The file's name, type and
 * the "original kept" choice are in meta_envelope, encrypted with the same key. Rows older than 24 h are removed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("report_pending_uploads")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("storage_id", "text", (c) => c.notNull().unique())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("meta_envelope", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_pending_uploads_created").on("report_pending_uploads").column("created_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("report_pending_uploads").ifExists().execute();
}
