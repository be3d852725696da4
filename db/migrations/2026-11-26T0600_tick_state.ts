import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";

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
const CLOCK_COLUMNS = ["status", "paused_at", "due_at", "period_no", "period_started_at", "received_at", "assignee_id", "closed_at"];

export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await db.schema
    .createTable("deadline_tick_state")
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("last_tick_at", "text", (c) => c.notNull())
    .addColumn("full_scan", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable("deadline_dirty")
    .addColumn("id", "integer", d.autoId)
    .addColumn("complaint_id", "integer", (c) => c.notNull())
    .execute();
  await d.createTrigger(db, {
    name: "complaints_deadline_dirty_ins",
    table: "complaints",
    event: "insert",
    body: "insert into deadline_dirty (complaint_id) values (new.id);",
  });
  await d.createTrigger(db, {
    name: "complaints_deadline_dirty_upd",
    table: "complaints",
    event: { update: CLOCK_COLUMNS },
    when: CLOCK_COLUMNS.map((c) => d.differs(`old.${c}`, `new.${c}`)).join(" or "),
    body: "insert into deadline_dirty (complaint_id) values (new.id);",
  });
  const fullScan = "update deadline_tick_state set full_scan = 1 where id = 1;";
  for (const t of ["escalation_rules", "sla_policies", "holidays"]) {
    for (const ev of ["insert", "update", "delete"] as const) {
      await d.createTrigger(db, { name: `${t}_deadline_full_${ev}`, table: t, event: ev, body: fullScan });
    }
  }
  await d.createTrigger(db, {
    name: "org_profile_deadline_full",
    table: "org_profile",
    event: { update: ["sla_days", "due_soon_days", "counting_mode"] },
    body: fullScan,
  });
  await sql
    .raw(`create index complaints_open_unassigned_started on complaints (period_started_at, id) where ${OPEN} and assignee_id is null`)
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  for (const t of ["escalation_rules", "sla_policies", "holidays"]) {
    for (const ev of ["insert", "update", "delete"]) await d.dropTrigger(db, `${t}_deadline_full_${ev}`, t);
  }
  await d.dropTrigger(db, "org_profile_deadline_full", "org_profile");
  await d.dropTrigger(db, "complaints_deadline_dirty_ins", "complaints");
  await d.dropTrigger(db, "complaints_deadline_dirty_upd", "complaints");
  await db.schema.dropIndex("complaints_open_unassigned_started").ifExists().execute();
  await db.schema.dropTable("deadline_dirty").ifExists().execute();
  await db.schema.dropTable("deadline_tick_state").ifExists().execute();
}
