import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";

/**
 * Deadlines, escalation and written notices: the holiday table for working-day counting, SLA policies per
 * organisation / channel / category, the clock state of each complaint (periods, pauses, acknowledgement,
 * explanation owed), escalations recorded once per level per period, notices sent to complainants, and editable
 * notice templates.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await db.schema
    .createTable("holidays")
    .addColumn("date", "text", (c) => c.primaryKey()) // YYYY-MM-DD (CE), Bangkok date
    .addColumn("name_th", "text", (c) => c.notNull())
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('official','substitution','special')`))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "integer", (c) => c.references("staff.id"))
    .execute();

  await db.schema
    .createTable("sla_policies")
    .addColumn("scope", "text", (c) => c.notNull().check(sql`scope in ('org','channel','category')`))
    .addColumn("scope_key", "text", (c) => c.notNull()) // '' for org; channel name; category code
    .addColumn("resolve_days", "integer", (c) => c.notNull())
    .addColumn("ack_days", "integer", (c) => c.notNull())
    .addColumn("due_soon_days", "integer", (c) => c.notNull())
    .addColumn("mode", "text", (c) => c.notNull().check(sql`mode in ('calendar','working')`))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("sla_policies_pk", ["scope", "scope_key"])
    .execute();

  // Clock state of a complaint. A period starts at receipt (or reopening); a pause (waiting for the complainant)
  // keeps the days that were left; forwarding out stops the clock (closed_at).
  await db.schema
    .alterTable("complaints")
    .addColumn("period_no", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable("complaints").addColumn("period_started_at", "text").execute();
  await db.schema.alterTable("complaints").addColumn("ack_due_at", "text").execute();
  await db.schema.alterTable("complaints").addColumn("acknowledged_at", "text").execute();
  await db.schema.alterTable("complaints").addColumn("paused_at", "text").execute();
  await db.schema.alterTable("complaints").addColumn("remaining_days", "integer").execute();
  await db.schema
    .alterTable("complaints")
    .addColumn("explanation_owed", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("complaints").addColumn("explained_at", "text").execute();
  await db.schema.alterTable("complaints").addColumn("expected_at", "text").execute();
  await sql`update complaints set period_started_at = received_at where period_started_at is null`.execute(db);
  await sql`create index complaints_explanation_owed on complaints (due_at) where explanation_owed = 1`.execute(db);

  await db.schema
    .alterTable("staff")
    .addColumn("is_division_head", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("staff")
    .addColumn("is_centre_lead", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("escalation_rules")
    .addColumn("level", "text", (c) => c.primaryKey().check(sql`level in ('due_soon','overdue','overdue_executive','unassigned')`))
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
    /** due_soon: at the due-soon threshold; overdue: days after the deadline; unassigned: working days after receipt. */
    .addColumn("days", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  const at = new Date().toISOString();
  await db
    .insertInto("escalation_rules")
    .values([
      { level: "due_soon", enabled: 1, days: 0, updated_at: at },
      { level: "overdue", enabled: 1, days: 0, updated_at: at },
      { level: "overdue_executive", enabled: 1, days: 7, updated_at: at },
      { level: "unassigned", enabled: 1, days: 1, updated_at: at },
    ])
    .execute();

  await db.schema
    .createTable("escalations")
    .addColumn("id", "integer", d.autoId)
    .addColumn("complaint_id", "integer", (c) => c.notNull().references("complaints.id").onDelete("cascade"))
    .addColumn("level", "text", (c) => c.notNull())
    .addColumn("period_no", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("escalations_once", ["complaint_id", "level", "period_no"])
    .execute();

  await db.schema
    .createTable("notices")
    .addColumn("id", "integer", d.autoId)
    .addColumn("complaint_id", "integer", (c) => c.notNull().references("complaints.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('acknowledgement','progress','explanation','result')`))
    .addColumn("method", "text", (c) => c.notNull().check(sql`method in ('email','letter','track')`))
    .addColumn("staff_id", "integer", (c) => c.references("staff.id"))
    .addColumn("lang", "text", (c) => c.notNull().defaultTo("th"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("expected_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("notices_complaint").on("notices").columns(["complaint_id", "id"]).execute();

  await db.schema
    .createTable("notice_templates")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("lang", "text", (c) => c.notNull().check(sql`lang in ('th','en')`))
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "integer", (c) => c.references("staff.id"))
    .addPrimaryKeyConstraint("notice_templates_pk", ["kind", "lang"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["notice_templates", "notices", "escalations", "escalation_rules", "sla_policies", "holidays"]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop index if exists complaints_explanation_owed`.execute(db);
  for (const c of [
    "expected_at",
    "explained_at",
    "explanation_owed",
    "remaining_days",
    "paused_at",
    "acknowledged_at",
    "ack_due_at",
    "period_started_at",
    "period_no",
  ]) {
    await db.schema.alterTable("complaints").dropColumn(c).execute();
  }
  for (const c of ["is_centre_lead", "is_division_head"]) await db.schema.alterTable("staff").dropColumn(c).execute();
}
