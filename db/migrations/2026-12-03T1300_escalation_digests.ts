import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";

/**
 * Escalation digests ("catching up never stops the portal"): the deadline tick claims escalations in small
 * batches and tells the staff afterwards, one digest per recipient and level when many cases crossed a threshold at
 * once (app/models/deadlines/escalation.server.ts).
 *
 * - escalations.notify_key: who is to be told about the claim, decided in the claim's transaction — `assignee:<staff
 *   id>`, `division:<division id>` (its heads), `supervisors`, `executives` or `centre_leads`; null = nobody.
 * - escalation_notify_state (one row, id = 1): `notified_through`, the highest escalations.id whose e-mails are queued.
 *   Escalation ids grow in commit order (AUTOINCREMENT, one writer at a time), so the claims still owed e-mails are
 *   exactly the ids above the mark. The mark moves in the same transaction that queues their e-mails (per case or a
 *   digest), by compare-and-set, so each claim is told once. Rows older than this migration were told when they were
 *   claimed: the mark starts at the current maximum.
 * - escalation_digests: one row per digest queued (level, recipient, the escalation ids it covered, how many cases).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await sql`alter table escalations add column notify_key text`.execute(db);
  await sql`create table escalation_notify_state (
    id integer primary key check (id = 1),
    notified_through integer not null
  )`.execute(db);
  await sql`insert into escalation_notify_state (id, notified_through) values (1, coalesce((select max(id) from escalations), 0))`.execute(
    db,
  );
  await sql`create table escalation_digests (
    id ${sql.raw(d.autoIdSql)},
    level text not null,
    staff_id integer not null,
    from_id integer not null,
    through_id integer not null,
    cases integer not null,
    created_at text not null,
    unique (level, staff_id, through_id)
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists escalation_digests`.execute(db);
  await sql`drop table if exists escalation_notify_state`.execute(db);
  await sql`alter table escalations drop column notify_key`.execute(db);
}
