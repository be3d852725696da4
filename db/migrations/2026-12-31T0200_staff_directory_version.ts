/**
 * staff_directory_version: one counter, bumped by triggers whenever a staff account is added or removed or its name,
 * role, division or active flag changes. The session lookup reads it with the session (app/utils/session.server.ts),
 * so a page's list of colleagues (the queue's assignee filter, the case page's assign list) is kept while it is
 * unchanged instead of being read again on every page: one query fewer per back-office page, which on PostgreSQL is
 * a round trip and a database process's time. Sign-ins (last_login_at, failed_logins) do not bump it.
 */
import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";
import type { TriggerSpec } from "../dialects/types";

const BUMP = "update staff_directory_version set v = v + 1 where id = 1;";
const TRIGGERS: TriggerSpec[] = [
  { name: "staff_directory_ai", table: "staff", event: "insert", body: BUMP },
  { name: "staff_directory_ad", table: "staff", event: "delete", body: BUMP },
  { name: "staff_directory_au", table: "staff", event: { update: ["name", "role", "division_id", "active"] }, body: BUMP },
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`create table staff_directory_version (id integer primary key check (id = 1), v integer not null)`).execute(db);
  await sql.raw(`insert into staff_directory_version (id, v) values (1, 0)`).execute(db);
  for (const t of TRIGGERS) await dialectOf(db).createTrigger(db, t);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of TRIGGERS) await dialectOf(db).dropTrigger(db, t.name, t.table);
  await db.schema.dropTable("staff_directory_version").execute();
}
