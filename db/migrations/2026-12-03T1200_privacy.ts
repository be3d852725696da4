import { sql, type Kysely } from "kysely";

/**
 * The privacy notice kept: complaints.anonymised_at marks a general complaint whose personal data and free
 * text were removed — by the retention job (retention_years after closing, as the notice on /complaints/new promises)
 * or by an erasure a person asked for. What the statistics need (category, channel, division, หมู่ที่, dates, states,
 * outcomes, ratings' scores) stays.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table complaints add column anonymised_at text`.execute(db);
  await sql`create index complaints_retention on complaints (closed_at) where anonymised_at is null and closed_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists complaints_retention`.execute(db);
  await sql`alter table complaints drop column anonymised_at`.execute(db);
}
