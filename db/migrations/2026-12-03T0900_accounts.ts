import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";

/**
 * Staff accounts that can be run for years:
 * - staff_enrolments: one-time links (stored as sha256, single use, with an expiry) by which a person sets their own
 *   password — for a new account ('enrol') or after an administrator's reset ('reset');
 * - staff.password_changed_at: when the password was last set (a change ends the other sessions and forgets the
 *   devices recognised for that account); an account without a password yet has password_hash ''.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await sql`alter table staff add column password_changed_at text`.execute(db);
  await sql`update staff set password_changed_at = created_at`.execute(db);
  await sql`create table staff_enrolments (
    id ${sql.raw(d.autoIdSql)},
    staff_id integer not null references staff(id) on delete cascade,
    token_hash text not null unique,
    purpose text not null check (purpose in ('enrol','reset')),
    created_at text not null,
    expires_at text not null,
    used_at text,
    created_by integer references staff(id) on delete set null,
    created_by_os_user text
  )`.execute(db);
  await sql`create index staff_enrolments_staff on staff_enrolments (staff_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table staff_enrolments`.execute(db);
  await sql`alter table staff drop column password_changed_at`.execute(db);
}
