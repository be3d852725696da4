/**
 * Outcome of a case's FIRST deadline period (plan measure 23: "resolve within 15 days, or explain") and of the
 * written acknowledgement (pure). Results, explanations, pauses and acknowledgements record their outcome when they
 * happen (these functions); the clock's "late" — a first deadline that passes with no result and no explanation — is
 * set by the minute ticker with the SQL of `lateByClockSql`, the same rule as `isLateByClock`
 * (tests/unit/deadlines-late-rule.test.ts runs both on the same cases).
 */
import { OPEN_STATUSES, openStatusSqlText } from "../../lib/complaint-status";

/** What happened within a case's FIRST deadline period; null while undecided. Reopening never changes it. */
export type SlaOutcome = "resolved" | "explained" | "late";

export interface OutcomeClock {
  sla_outcome: SlaOutcome | null;
  period_no: number;
  due_at: string;
  paused_at: string | null;
  /** Days left when the clock paused; negative when it paused after the deadline (see pause.ts). */
  remaining_days?: number | null;
}

/** Paused with days left: the clock stopped in time. */
function pausedInTime(c: OutcomeClock): boolean {
  return c.paused_at !== null && (c.remaining_days ?? 0) >= 0;
}

/** Whether an act at `at` is within the deadline (a clock paused in time stays in time). */
function inTime(c: OutcomeClock, at: Date): boolean {
  if (c.paused_at !== null) return pausedInTime(c);
  return at.getTime() <= new Date(c.due_at).getTime();
}

/**
 * Outcome to record when a case is resolved or forwarded at `at`, or null to leave it as it is (already decided, or a
 * later period after reopening); an explained case resolved by the deadline becomes "resolved". A case paused with
 * days left has its clock stopped, so closing it is in time; one paused after its deadline is late.
 */
export function outcomeOnClose(c: OutcomeClock, at: Date): SlaOutcome | null {
  if (c.period_no !== 1) return null;
  // Explained in time and then resolved in time counts as resolved in time.
  if (c.sla_outcome === "explained") return inTime(c, at) ? "resolved" : null;
  if (c.sla_outcome !== null) return null;
  return inTime(c, at) ? "resolved" : "late";
}

/** Outcome to record when an explanation is sent to the complainant at `at` (null: leave as it is). */
export function outcomeOnExplanation(c: OutcomeClock, at: Date): SlaOutcome | null {
  if (c.sla_outcome !== null || c.period_no !== 1) return null;
  return inTime(c, at) ? "explained" : "late";
}

/**
 * Outcome to record when the clock pauses at `at`: a first deadline already passed undecided is late (the ticker
 * only looks at running clocks, so the pause must not hide it).
 */
export function outcomeOnPause(c: OutcomeClock, at: Date): SlaOutcome | null {
  if (c.sla_outcome !== null || c.period_no !== 1) return null;
  return at.getTime() > new Date(c.due_at).getTime() ? "late" : null;
}

/** Whether a written acknowledgement made at `acknowledgedAt` was on time. */
export function ackOutcome(ackDueAt: string | null, acknowledgedAt: Date): "on_time" | "late" {
  return ackDueAt === null || acknowledgedAt.getTime() <= new Date(ackDueAt).getTime() ? "on_time" : "late";
}

// ---- The clock's "late", in TypeScript and in SQL ----

/** The columns the clock's "late" reads. */
export interface LateClock {
  sla_outcome: SlaOutcome | null;
  period_no: number;
  paused_at: string | null;
  status: string;
  due_at: string;
}

/** An undecided first period whose running clock passed its deadline before `at` becomes "late". */
export function isLateByClock(c: LateClock, at: Date): boolean {
  return (
    c.sla_outcome === null &&
    c.period_no === 1 &&
    c.paused_at === null &&
    (OPEN_STATUSES as readonly string[]).includes(c.status) &&
    c.due_at < at.toISOString()
  );
}

/**
 * The undecided-and-running part of `isLateByClock` as SQL text. It is also the condition of the partial index
 * complaints_sla_undecided (migration 0700), written the same way so SQLite can use that index; the deadline part
 * (`due_at < :at`) is added by the caller with a bound parameter.
 */
export function undecidedRunningSqlText(): string {
  return `sla_outcome is null and period_no = 1 and paused_at is null and ${openStatusSqlText()}`;
}
