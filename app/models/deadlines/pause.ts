/**
 * The deadline clock while a case waits for the complainant (pure): pausing keeps the days that were left (or, after
 * the deadline, the days it was overdue, as a negative number), resuming gives them back from the day the complainant
 * answered. The case keeps the counting mode its deadline was set under.
 */
import {
  addDays,
  countedDaysBetween,
  daysBefore,
  deadlineView,
  type Counting,
  type CountingMode,
  type DeadlineView,
  type SlaPolicy,
  type StatePolicy,
} from "./due-dates";

/** How a case's days are counted: the mode its deadline was set under (older cases: the policy's), the holidays. */
export function caseCounting(c: { deadline_mode?: CountingMode | null }, policy: Counting): Counting {
  return { mode: c.deadline_mode ?? policy.mode, holidays: policy.holidays };
}

/** The policy as it applies to a case's own deadline (its counting mode, the policy's thresholds and holidays). */
export function policyOfCase<P extends SlaPolicy>(c: { deadline_mode?: CountingMode | null }, policy: P): P {
  return c.deadline_mode && c.deadline_mode !== policy.mode ? { ...policy, mode: c.deadline_mode } : policy;
}

/** The clock columns of a case that its deadline state reads. */
export interface CaseClock {
  due_at: string;
  closed_at: string | null;
  paused_at: string | null;
  remaining_days: number | null;
  deadline_mode?: CountingMode | null;
}

/**
 * The deadline state of a case at `at` ("paused" while it waits for the complainant), with days counted the way its
 * deadline was set: the queue, the case page, /track, the board and the ticker all read it here.
 */
export function caseDeadlineView(c: CaseClock, policy: StatePolicy, at: Date): DeadlineView {
  const p = c.deadline_mode ? { ...policy, mode: c.deadline_mode } : policy;
  return deadlineView({
    dueAt: c.due_at,
    now: at,
    closedAt: c.closed_at,
    pausedAt: c.paused_at,
    remainingDays: c.remaining_days,
    policy: p,
  });
}

/**
 * Days of the deadline still left at `at`, counted in the policy's mode: the number of counted days after the Bangkok
 * date of `at` up to and including the Bangkok date of `dueAt` (0 on the due day or when already late).
 */
export function remainingDays(at: Date, dueAt: Date, counting: Counting): number {
  if (at.getTime() > dueAt.getTime()) return 0;
  return countedDaysBetween(at, dueAt, counting);
}

/**
 * The new deadline when a paused clock resumes at `resumedAt` with `remaining` days: that many counted days after the
 * resume day (0: the resume day, or the next working day when it is a day off); a negative number is the days the
 * case was overdue when it paused, and it is that many days overdue again on the resume day.
 */
export function resumeDueAt(resumedAt: Date, remaining: number, counting: Counting): Date {
  const n = Math.trunc(remaining);
  return n < 0 ? daysBefore(resumedAt, -n, counting) : addDays(resumedAt, n, counting);
}

/** The clock columns pausing reads. */
export interface ClockBeforePause {
  due_at: string;
  received_at: string;
  period_started_at: string | null;
  deadline_mode?: CountingMode | null;
}

/**
 * `remaining_days` to store when the clock pauses at `pausedAt`: the days left, or minus the days overdue (at least 1)
 * when the deadline has passed. A pause stamped before the period started (a clock set back) counts from the start of
 * the period, so it never gains days.
 */
export function daysAtPause(c: ClockBeforePause, pausedAt: Date, policy: Counting): number {
  const counting = caseCounting(c, policy);
  const start = new Date(c.period_started_at ?? c.received_at);
  const at = pausedAt.getTime() < start.getTime() ? start : pausedAt;
  const due = new Date(c.due_at);
  if (at.getTime() > due.getTime()) return -Math.max(1, countedDaysBetween(due, at, counting));
  return remainingDays(at, due, counting);
}

/** The clock columns resuming reads. */
export interface ClockWhilePaused {
  paused_at: string | null;
  remaining_days: number | null;
  deadline_mode?: CountingMode | null;
}

/**
 * The deadline when the clock resumes at `resumedAt` (null: keep the current deadline — the case was not paused, or
 * was paused before the clock kept the days left). A resume stamped before its pause (a clock set back) counts from
 * the pause, so it never loses days.
 */
export function dueAtOnResume(c: ClockWhilePaused, resumedAt: Date, policy: Counting): Date | null {
  if (!c.paused_at || c.remaining_days === null) return null;
  const pausedAt = new Date(c.paused_at);
  const at = resumedAt.getTime() < pausedAt.getTime() ? pausedAt : resumedAt;
  return resumeDueAt(at, c.remaining_days, caseCounting(c, policy));
}
