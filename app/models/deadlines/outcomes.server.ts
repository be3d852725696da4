/**
 * The clock-driven half of the first-period outcomes: a case whose first deadline passes with no result and no
 * explanation becomes "late" (isLateByClock in outcomes.ts), and a written acknowledgement not made by its due time
 * becomes "late". (Results, explanations, pauses and acknowledgements record their own outcome when they happen.) Each
 * statement walks a partial index that holds only undecided cases, so a run reads just the cases that crossed their
 * time since the last. Called by the minute ticker (escalation.server.ts) in batches bounded by time — figures are
 * current within a minute.
 *
 * Several tickers (app servers, a cron `sla:tick`) may run these at once. On SQLite each runs inside a write
 * transaction that holds the database's write lock. On PostgreSQL the inner select locks the rows it picks
 * (`for update skip locked`): a second ticker skips the rows the first is changing, and a row the first committed is
 * re-checked against the condition, so no case is made "late" twice (the statistics triggers count each once).
 */
import { sql } from "kysely";
import { dialectOf, type Executor } from "../../../db/connection";
import { undecidedRunningSqlText } from "./outcomes";

/** ` for update skip locked` where rows can be locked (PostgreSQL), nothing on SQLite. */
function skipLocked(db: Executor) {
  return dialectOf(db).rowLocks ? sql` for update skip locked` : sql``;
}

/** Marks at most `limit` first deadlines that passed undecided as "late"; returns how many. */
export async function markLateDeadlines(db: Executor, at: Date, limit: number): Promise<number> {
  const d = dialectOf(db);
  const r = await sql`update complaints set sla_outcome = 'late'
    where id in (select id from ${d.fromIndexed("complaints", "u", "complaints_sla_undecided")}
      where ${sql.raw(undecidedRunningSqlText())} and due_at < ${at.toISOString()} limit ${limit}${skipLocked(db)})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Marks at most `limit` written acknowledgements not made by their due time as "late"; returns how many. */
export async function markLateAcknowledgements(db: Executor, at: Date, limit: number): Promise<number> {
  const d = dialectOf(db);
  const r = await sql`update complaints set ack_outcome = 'late'
    where id in (select id from ${d.fromIndexed("complaints", "u", "complaints_ack_undecided")}
      where ack_outcome is null and acknowledged_at is null and ack_due_at < ${at.toISOString()} limit ${limit}${skipLocked(db)})`.execute(
    db,
  );
  return Number(r.numAffectedRows ?? 0);
}

/**
 * At most `limit` cases of each kind per call (a catch-up can make 100,000 cases late at once, and every row fires the
 * statistics triggers). The deadline tick calls the two statements separately, each in batches sized by time.
 */
export async function markLateOutcomesBatch(db: Executor, at: Date, limit: number): Promise<{ deadline: number; acknowledgement: number }> {
  const deadline = await markLateDeadlines(db, at, limit);
  const acknowledgement = await markLateAcknowledgements(db, at, limit);
  return { deadline, acknowledgement };
}
