import { sql, type Kysely } from "kysely";

/**
 * Incremental deadline tick (benchmark): the tick no longer scans every open case.
 *
 * - `deadline_tick_state` (one row, id = 1): `last_tick_at`, the high-water mark — the `now` of the last completed
 *   tick. Each tick then only looks at cases whose escalation threshold falls in (last_tick_at, now]. `full_scan` = 1
 *   asks the next tick to look at every open case once (set when rules, SLA policies or holidays change, because
 *   those move the thresholds of many cases at once). No row = never ran = full scan.
 * - `deadline_dirty`: cases created or changed in a way that can move their thresholds (status, pause, deadline,
 *   period, assignee, receipt). Filled by triggers, so every writer — the app, scripts, a direct SQL fix — is covered
 *   without relying on timestamps (updated_at is wall-clock time and says nothing about the tick's clock). The tick
 *   evaluates these cases at `now` and deletes the rows it read, in the same transaction that advances the mark.
 * - a partial index on open, unassigned cases by period start, for the "unassigned" window.
 */
const OPEN = `status in ('received','accepted','in_progress','waiting_info')`;
const CLOCK_COLUMNS = "status, paused_at, due_at, period_no, period_started_at, received_at, assignee_id, closed_at";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("deadline_tick_state")
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("last_tick_at", "text", (c) => c.notNull())
    .addColumn("full_scan", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable("deadline_dirty")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("complaint_id", "integer", (c) => c.notNull())
    .execute();
  await sql
    .raw(
      `create trigger complaints_deadline_dirty_ins after insert on complaints
    begin insert into deadline_dirty (complaint_id) values (new.id); end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger complaints_deadline_dirty_upd after update of ${CLOCK_COLUMNS} on complaints
    when old.status is not new.status or old.paused_at is not new.paused_at or old.due_at is not new.due_at
      or old.period_no is not new.period_no or old.period_started_at is not new.period_started_at
      or old.received_at is not new.received_at or old.assignee_id is not new.assignee_id or old.closed_at is not new.closed_at
    begin insert into deadline_dirty (complaint_id) values (new.id); end`,
    )
    .execute(db);
  for (const t of ["escalation_rules", "sla_policies", "holidays"]) {
    for (const ev of ["insert", "update", "delete"]) {
      await sql
        .raw(
          `create trigger ${t}_deadline_full_${ev} after ${ev} on ${t}
        begin update deadline_tick_state set full_scan = 1 where id = 1; end`,
        )
        .execute(db);
    }
  }
  await sql
    .raw(
      `create trigger org_profile_deadline_full after update of sla_days, due_soon_days, counting_mode on org_profile
    begin update deadline_tick_state set full_scan = 1 where id = 1; end`,
    )
    .execute(db);
  await sql
    .raw(`create index complaints_open_unassigned_started on complaints (period_started_at, id) where ${OPEN} and assignee_id is null`)
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["escalation_rules", "sla_policies", "holidays"]) {
    for (const ev of ["insert", "update", "delete"]) await sql.raw(`drop trigger if exists ${t}_deadline_full_${ev}`).execute(db);
  }
  await sql.raw(`drop trigger if exists org_profile_deadline_full`).execute(db);
  await sql.raw(`drop trigger if exists complaints_deadline_dirty_ins`).execute(db);
  await sql.raw(`drop trigger if exists complaints_deadline_dirty_upd`).execute(db);
  await db.schema.dropIndex("complaints_open_unassigned_started").ifExists().execute();
  await db.schema.dropTable("deadline_dirty").ifExists().execute();
  await db.schema.dropTable("deadline_tick_state").ifExists().execute();
}
