import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";

/** Initial schema: organisation profile, staff, general complaints, history, attachments, outbox. */
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await db.schema
    .createTable("org_profile")
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("name_th", "text", (c) => c.notNull())
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("address_th", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("address_en", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("phone", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("email", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("website", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("privacy_contact_th", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("privacy_contact_en", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("sla_days", "integer", (c) => c.notNull().defaultTo(15))
    .addColumn("due_soon_days", "integer", (c) => c.notNull().defaultTo(3))
    .addColumn("counting_mode", "text", (c) => c.notNull().defaultTo("calendar"))
    .addColumn("retention_years", "integer", (c) => c.notNull().defaultTo(5))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("divisions")
    .addColumn("id", "integer", d.autoId)
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("name_th", "text", (c) => c.notNull())
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("sort_order", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable("villages")
    .addColumn("id", "integer", d.autoId)
    .addColumn("number", "integer", (c) => c.notNull().unique())
    .addColumn("name_th", "text", (c) => c.notNull())
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable("categories")
    .addColumn("id", "integer", d.autoId)
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("name_th", "text", (c) => c.notNull())
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("division_id", "integer", (c) => c.notNull().references("divisions.id"))
    .addColumn("sort_order", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable("staff")
    .addColumn("id", "integer", d.autoId)
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('admin','supervisor','officer','intake','executive')`))
    .addColumn("division_id", "integer", (c) => c.references("divisions.id"))
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_until", "text")
    .addColumn("last_login_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull().defaultTo(d.nowIsoDefault()))
    .execute();

  await db.schema
    .createTable("staff_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("staff_id", "integer", (c) => c.notNull().references("staff.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_seen_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("staff_sessions_staff").on("staff_sessions").column("staff_id").execute();

  await db.schema
    .createTable("reference_counters")
    .addColumn("fiscal_year", "integer", (c) => c.primaryKey())
    .addColumn("last_seq", "integer", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("complaints")
    .addColumn("id", "integer", d.autoId)
    .addColumn("reference", "text", (c) => c.notNull().unique())
    .addColumn("fiscal_year", "integer", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("submission_key_hash", "text", (c) => c.unique())
    .addColumn("tracking_hash", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull().check(sql`channel in ('web','walk_in','phone','letter','line','facebook')`))
    .addColumn("category_id", "integer", (c) => c.notNull().references("categories.id"))
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("details", "text", (c) => c.notNull())
    .addColumn("village_id", "integer", (c) => c.references("villages.id"))
    .addColumn("landmark", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("latitude", d.real)
    .addColumn("longitude", d.real)
    .addColumn("contact_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("contact_phone", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("contact_email", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("contact_address", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("preferred_contact", "text", (c) => c.notNull().defaultTo("none"))
    .addColumn("lang", "text", (c) => c.notNull().defaultTo("th"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("division_id", "integer", (c) => c.references("divisions.id"))
    .addColumn("assignee_id", "integer", (c) => c.references("staff.id"))
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("due_at", "text", (c) => c.notNull())
    .addColumn("accepted_at", "text")
    .addColumn("closed_at", "text")
    .addColumn("result_summary", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("forwarded_to", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("recorded_by", "integer", (c) => c.references("staff.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("complaints_fy_seq", ["fiscal_year", "seq"])
    .execute();
  // Queue access paths: every filter combination is answered from an index ordered by due date.
  await db.schema.createIndex("complaints_due").on("complaints").columns(["due_at", "id"]).execute();
  await db.schema.createIndex("complaints_status_due").on("complaints").columns(["status", "due_at", "id"]).execute();
  await db.schema
    .createIndex("complaints_division_status_due")
    .on("complaints")
    .columns(["division_id", "status", "due_at", "id"])
    .execute();
  await db.schema
    .createIndex("complaints_assignee_status_due")
    .on("complaints")
    .columns(["assignee_id", "status", "due_at", "id"])
    .execute();
  await db.schema
    .createIndex("complaints_category_status_due")
    .on("complaints")
    .columns(["category_id", "status", "due_at", "id"])
    .execute();
  await db.schema.createIndex("complaints_received").on("complaints").columns(["received_at"]).execute();

  // Trigram search on subject and reference (Thai is written without spaces): FTS5 on SQLite, pg_trgm on PostgreSQL.
  await d.createComplaintSearch(db);

  await db.schema
    .createTable("case_events")
    .addColumn("id", "integer", d.autoId)
    .addColumn("complaint_id", "integer", (c) => c.notNull().references("complaints.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('created','status','assign','reply','note')`))
    .addColumn("from_status", "text")
    .addColumn("to_status", "text")
    .addColumn("actor_id", "integer", (c) => c.references("staff.id"))
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("is_public", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("division_id", "integer")
    .addColumn("assignee_id", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("case_events_complaint").on("case_events").columns(["complaint_id", "id"]).execute();

  await db.schema
    .createTable("attachments")
    .addColumn("id", "integer", d.autoId)
    .addColumn("complaint_id", "integer", (c) => c.notNull().references("complaints.id").onDelete("cascade"))
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("original_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("attachments_complaint").on("attachments").column("complaint_id").execute();

  await db.schema
    .createTable("pending_uploads")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("original_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("outbox")
    .addColumn("id", "integer", d.autoId)
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("complaint_id", "integer", (c) => c.references("complaints.id").onDelete("set null"))
    .addColumn("payload", "text")
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending','sending','sent','dead')`))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "text", (c) => c.notNull())
    .addColumn("claimed_by", "text")
    .addColumn("claimed_until", "text")
    .addColumn("last_error", "text")
    .addColumn("sent_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("dedupe_key", "text", (c) => c.unique())
    .execute();
  await db.schema.createIndex("outbox_due").on("outbox").columns(["status", "next_attempt_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["outbox", "pending_uploads", "attachments", "case_events"]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await dialectOf(db).dropComplaintSearch(db);
  for (const t of ["complaints", "reference_counters", "staff_sessions", "staff", "categories", "villages", "divisions", "org_profile"]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
