/**
 * The organisation's own contact details, asked of the first administrator to sign in: the LINE ID and the office
 * hours join the phone, e-mail and address already in org_profile; `setup_completed_at` records when an administrator
 * confirmed them (null: not yet, and every administrator is sent to /staff/setup first).
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table org_profile add column line_id text not null default ''`).execute(db);
  await sql.raw(`alter table org_profile add column office_hours_th text not null default ''`).execute(db);
  await sql.raw(`alter table org_profile add column office_hours_en text not null default ''`).execute(db);
  await sql.raw(`alter table org_profile add column setup_completed_at text`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table org_profile drop column setup_completed_at`).execute(db);
  await sql.raw(`alter table org_profile drop column office_hours_en`).execute(db);
  await sql.raw(`alter table org_profile drop column office_hours_th`).execute(db);
  await sql.raw(`alter table org_profile drop column line_id`).execute(db);
}
