import { sql, type Kysely } from "kysely";

/**
 * The staff queue mostly lists open cases by due date. Partial indexes that hold only open cases answer those pages
 * by walking a small index in order (no sort of every open case, no scan of closed ones), with or without a
 * division, assignee or category filter. The WHERE text must match OPEN_CASE_SQL in app/models/complaints/queue.server.ts.
 */
const OPEN = sql.raw(`status in ('received','accepted','in_progress','waiting_info')`);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index complaints_open_due on complaints (due_at, id) where ${OPEN}`.execute(db);
  await sql`create index complaints_open_division_due on complaints (division_id, due_at, id) where ${OPEN}`.execute(db);
  await sql`create index complaints_open_assignee_due on complaints (assignee_id, due_at, id) where ${OPEN}`.execute(db);
  await sql`create index complaints_open_category_due on complaints (category_id, due_at, id) where ${OPEN}`.execute(db);
  await sql`analyze complaints`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of [
    "complaints_open_due",
    "complaints_open_division_due",
    "complaints_open_assignee_due",
    "complaints_open_category_due",
  ]) {
    await db.schema.dropIndex(name).ifExists().execute();
  }
}
