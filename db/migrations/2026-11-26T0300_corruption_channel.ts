import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";

/**
 * The corruption & misconduct report channel (measure 28):
 * - staff: role 'integrity' (SQLite cannot alter a CHECK, so the table is rebuilt keeping every id), TOTP columns;
 * - staff_sessions: mfa_verified_at;
 * - reports and their tags, exclusions, messages, attachments, events, reporter inbox sessions;
 * - audit_log (append-only: triggers refuse UPDATE and DELETE; hash-chained by app/models/audit/audit.server.ts);
 * - integrity_settings (one row).
 *
 * The staff rebuild follows SQLite's documented 12-step procedure: foreign keys are switched off on this connection
 * (outside any transaction, where the pragma has effect), the copy happens in one transaction that ends with a
 * foreign_key_check, and foreign keys are switched back on whatever happens. With foreign keys off, DROP TABLE does
 * not run its implicit DELETE, so complaints, case_events and sessions that point at staff ids keep pointing at the
 * same ids in the new table. PostgreSQL alters the CHECK and adds the columns in place (ids never move there).
 */

const ROLES_NEW = sql.raw(`'admin','supervisor','officer','intake','executive','integrity'`);
const ROLES_OLD = sql.raw(`'admin','supervisor','officer','intake','executive'`);

const STAFF_COMMON = `
  id integer primary key autoincrement,
  email text not null unique,
  name text not null,
  division_id integer references divisions(id),
  password_hash text not null,
  active integer not null default 1,
  failed_logins integer not null default 0,
  locked_until text,
  last_login_at text,
  created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;
const COMMON_COLUMNS = "id, email, name, role, division_id, password_hash, active, failed_logins, locked_until, last_login_at, created_at";

/** staff.role gains (up) or loses (down) 'integrity', with the TOTP columns. */
async function changeStaffRoles(db: Kysely<any>, direction: "up" | "down"): Promise<void> {
  if (dialectOf(db).name === "sqlite") return rebuildStaff(db, direction);
  const roles = direction === "up" ? ROLES_NEW : ROLES_OLD;
  await sql`alter table staff drop constraint staff_role_check`.execute(db);
  await sql`alter table staff add constraint staff_role_check check (role in (${roles}))`.execute(db);
  if (direction === "up") {
    await sql`alter table staff add column totp_secret_enc text, add column totp_enabled_at text, add column totp_last_step integer,
      add column recovery_codes text`.execute(db);
  } else {
    await sql`alter table staff drop column totp_secret_enc, drop column totp_enabled_at, drop column totp_last_step,
      drop column recovery_codes`.execute(db);
  }
}

/** SQLite cannot alter a CHECK: the table is rebuilt (see above). */
async function rebuildStaff(db: Kysely<any>, direction: "up" | "down"): Promise<void> {
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      if (direction === "up") {
        await sql`create table staff_new (${sql.raw(STAFF_COMMON)},
          role text not null check (role in (${ROLES_NEW})),
          totp_secret_enc text,
          totp_enabled_at text,
          totp_last_step integer,
          recovery_codes text)`.execute(trx);
        await sql`insert into staff_new (${sql.raw(COMMON_COLUMNS)}) select ${sql.raw(COMMON_COLUMNS)} from staff`.execute(trx);
      } else {
        await sql`create table staff_new (${sql.raw(STAFF_COMMON)},
          role text not null check (role in (${ROLES_OLD})))`.execute(trx);
        await sql`insert into staff_new (${sql.raw(COMMON_COLUMNS)}) select ${sql.raw(COMMON_COLUMNS)} from staff`.execute(trx);
      }
      // Keep the autoincrement high-water mark, so ids of removed accounts are never reused.
      const seq = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'staff'`.execute(trx);
      await sql`drop table staff`.execute(trx);
      await sql`alter table staff_new rename to staff`.execute(trx);
      const mark = Number(seq.rows[0]?.seq ?? 0);
      await sql`delete from sqlite_sequence where name = 'staff'`.execute(trx);
      await sql`insert into sqlite_sequence (name, seq) values ('staff', max(${mark}, coalesce((select max(id) from staff), 0)))`.execute(
        trx,
      );
      const fk = await sql<Record<string, unknown>>`pragma foreign_key_check`.execute(trx);
      if (fk.rows.length > 0) throw new Error(`foreign key check failed after staff rebuild (${fk.rows.length} rows)`);
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await changeStaffRoles(db, "up");

  await sql`alter table staff_sessions add column mfa_verified_at text`.execute(db);

  await db.schema
    .createTable("integrity_settings")
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("alternate_staff_id", "integer", (c) => c.references("staff.id").onDelete("set null"))
    .addColumn("alternate_label_th", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("alternate_label_en", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("retention_years", "integer", (c) =>
      c
        .notNull()
        .defaultTo(5)
        .check(sql`retention_years between 1 and 50`),
    )
    .addColumn("ack_days", "integer", (c) =>
      c
        .notNull()
        .defaultTo(7)
        .check(sql`ack_days between 1 and 90`),
    )
    .addColumn("feedback_days", "integer", (c) =>
      c
        .notNull()
        .defaultTo(30)
        .check(sql`feedback_days between 1 and 365`),
    )
    .addColumn("updated_at", "text", (c) => c.notNull().defaultTo(d.nowIsoDefault()))
    .execute();
  await sql`insert into integrity_settings (id) values (1)`.execute(db);

  await db.schema
    .createTable("reports")
    .addColumn("id", "integer", d.autoId)
    .addColumn("public_id", "text", (c) => c.notNull().unique())
    .addColumn("receipt_hash", "text", (c) => c.notNull().unique())
    .addColumn("submission_key_hash", "text", (c) => c.unique())
    .addColumn("mode", "text", (c) => c.notNull().check(sql`mode in ('anonymous','confidential')`))
    .addColumn("recipient", "text", (c) => c.notNull().check(sql`recipient in ('integrity','alternate')`))
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('received','preliminary_review','investigation','concluded','referred','closed')`),
    )
    .addColumn("finding", "text", (c) => c.check(sql`finding in ('substantiated','unsubstantiated')`))
    .addColumn("referred_to", "text", (c) => c.check(sql`referred_to in ('nacc','police','other')`))
    .addColumn("wrapped_key", "text", (c) => c.notNull())
    .addColumn("envelope", "text", (c) => c.notNull())
    .addColumn("submission_digest", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("fiscal_year", "integer", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("ack_due_at", "text", (c) => c.notNull())
    .addColumn("last_feedback_at", "text")
    .addColumn("closed_at", "text")
    .addColumn("purged_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("reports_fy_seq", ["fiscal_year", "seq"])
    .execute();
  await db.schema.createIndex("reports_status_received").on("reports").columns(["status", "received_at"]).execute();
  await db.schema.createIndex("reports_closed").on("reports").columns(["closed_at"]).execute();

  await db.schema
    .createTable("report_tags")
    .addColumn("report_id", "integer", (c) => c.notNull().references("reports.id").onDelete("cascade"))
    .addColumn("tag", "text", (c) =>
      c.notNull().check(sql`tag in ('bribery','procurement','personnel','abuse_of_position','conflict_of_interest','other')`),
    )
    .addPrimaryKeyConstraint("report_tags_pk", ["report_id", "tag"])
    .execute();

  await db.schema
    .createTable("report_exclusions")
    .addColumn("report_id", "integer", (c) => c.notNull().references("reports.id").onDelete("cascade"))
    .addColumn("staff_id", "integer", (c) => c.notNull().references("staff.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("report_exclusions_pk", ["report_id", "staff_id"])
    .execute();
  await db.schema.createIndex("report_exclusions_staff").on("report_exclusions").columns(["staff_id", "report_id"]).execute();

  await db.schema
    .createTable("report_messages")
    .addColumn("id", "integer", d.autoId)
    .addColumn("report_id", "integer", (c) => c.notNull().references("reports.id").onDelete("cascade"))
    .addColumn("author", "text", (c) => c.notNull().check(sql`author in ('reporter','officer')`))
    .addColumn("staff_id", "integer", (c) => c.references("staff.id"))
    .addColumn("envelope", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("read_at", "text")
    .execute();
  await db.schema.createIndex("report_messages_report").on("report_messages").columns(["report_id", "id"]).execute();

  await db.schema
    .createTable("report_attachments")
    .addColumn("id", "integer", d.autoId)
    .addColumn("report_id", "integer", (c) => c.notNull().references("reports.id").onDelete("cascade"))
    .addColumn("message_id", "integer", (c) => c.references("report_messages.id").onDelete("set null"))
    .addColumn("storage_id", "text", (c) => c.notNull().unique())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("meta_envelope", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_attachments_report").on("report_attachments").columns(["report_id", "id"]).execute();

  await db.schema
    .createTable("report_events")
    .addColumn("id", "integer", d.autoId)
    .addColumn("report_id", "integer", (c) => c.notNull().references("reports.id").onDelete("cascade"))
    .addColumn("from_status", "text")
    .addColumn("to_status", "text", (c) => c.notNull())
    .addColumn("staff_id", "integer", (c) => c.references("staff.id"))
    .addColumn("note_envelope", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_events_report").on("report_events").columns(["report_id", "id"]).execute();

  await db.schema
    .createTable("report_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("report_id", "integer", (c) => c.notNull().references("reports.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_sessions_report").on("report_sessions").column("report_id").execute();
  await db.schema.createIndex("report_sessions_expires").on("report_sessions").column("expires_at").execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "integer", d.autoId)
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("actor_id", "integer")
    .addColumn("actor_role", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "text")
    .addColumn("details", "text", (c) => c.notNull().defaultTo("{}"))
    // UNIQUE: two entries can never follow the same predecessor, so the chain cannot fork.
    .addColumn("prev_hash", "text", (c) => c.notNull().unique())
    .addColumn("hash", "text", (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex("audit_log_target").on("audit_log").columns(["target_type", "target_id", "id"]).execute();
  // No foreign key on actor_id: an entry must survive its actor's account (and never block removing one).
  await d.createAppendOnlyTriggers(db, "audit_log");
  // The highest id ever given, so removing the newest entries shows (app/models/audit/audit.server.ts).
  await d.trackIdMark(db, "audit_log");
}

export async function down(db: Kysely<any>): Promise<void> {
  // Checked before anything is dropped (SQLite migrations do not run in one transaction).
  const n = await sql<{ n: number }>`select count(*) as n from staff where role = 'integrity'`.execute(db);
  if (Number(n.rows[0]?.n ?? 0) > 0) {
    throw new Error("Cannot revert: integrity officer accounts exist (remove them first)");
  }
  await dialectOf(db).untrackIdMark(db, "audit_log");
  await dialectOf(db).dropAppendOnlyTriggers(db, "audit_log");
  for (const t of [
    "audit_log",
    "report_sessions",
    "report_events",
    "report_attachments",
    "report_messages",
    "report_exclusions",
    "report_tags",
    "reports",
    "integrity_settings",
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`alter table staff_sessions drop column mfa_verified_at`.execute(db);
  await changeStaffRoles(db, "down");
}
