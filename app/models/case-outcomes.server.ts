/**
 * The clock-driven half of the measure-23 outcomes: a case whose first deadline passes with no result and no
 * explanation becomes "late", and a written acknowledgement not made by its due time becomes "late". (Results,
 * explanations and acknowledgements record their own outcome when they happen: app/lib/sla.ts.) Each statement walks a
 * partial index that holds only undecided cases, so a run reads just the cases that crossed their time since the last.
 * Called by the minute ticker (app/models/escalation.server.ts) in bounded batches — figures are current within a minute.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema";

const OPEN = `status in ('received','accepted','in_progress','waiting_info')`;

/**
 * At most `limit` cases of each kind per call (a catch-up can make 100,000 cases late at once, and every row fires the
 * statistics triggers): the deadline tick calls this until both counts are below `limit`, yielding in between.
 */
export async function markLateOutcomesBatch(db: Kysely<Database>, at: Date, limit: number): Promise<{ deadline: number; acknowledgement: number }> {
  const iso = at.toISOString();
  const deadline = await sql`update complaints set sla_outcome = 'late'
    where id in (select id from complaints indexed by complaints_sla_undecided
      where sla_outcome is null and period_no = 1 and paused_at is null and ${sql.raw(OPEN)} and due_at < ${iso} limit ${limit})`.execute(db);
  const ack = await sql`update complaints set ack_outcome = 'late'
    where id in (select id from complaints indexed by complaints_ack_undecided
      where ack_outcome is null and acknowledged_at is null and ack_due_at < ${iso} limit ${limit})`.execute(db);
  return { deadline: Number(deadline.numAffectedRows ?? 0), acknowledgement: Number(ack.numAffectedRows ?? 0) };
}

/** Every case that became late by `at`, in batches (see markLateOutcomesBatch). */
export async function markLateOutcomes(db: Kysely<Database>, at: Date, limit = 100): Promise<{ deadline: number; acknowledgement: number }> {
  const total = { deadline: 0, acknowledgement: 0 };
  for (;;) {
    const n = await markLateOutcomesBatch(db, at, limit);
    total.deadline += n.deadline;
    total.acknowledgement += n.acknowledgement;
    if (n.deadline < limit && n.acknowledgement < limit) return total;
    await new Promise((r) => setImmediate(r));
  }
}
