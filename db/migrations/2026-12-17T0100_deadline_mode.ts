/**
 * complaints.deadline_mode: the counting mode ('calendar' / 'working') the case's current deadline was set under, so
 * pausing and resuming count the days the same way even after the policy changed (null for older cases: the policy's
 * mode is used). Also removes Tue 3 Jan 2023 from the holiday table where it was seeded as a substitution day: the
 * government's 2566 list has only Mon 2 Jan (for New Year's Day on a Sunday), so 3 Jan 2023 was a working day.
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table complaints add column deadline_mode text check (deadline_mode in ('calendar','working'))`).execute(db);
  await sql.raw(`delete from holidays where date = '2023-01-03' and kind = 'substitution'`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table complaints drop column deadline_mode`).execute(db);
}
