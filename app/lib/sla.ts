/** Service-level deadlines: the ONE place that does deadline arithmetic (Bangkok dates). */
import { addBangkokDays, bangkokDateKey, dateFromBangkokKey, endOfBangkokDay } from "./thai-date";

/** Whether deadlines count every day or only working days. */
export type CountingMode = "calendar" | "working";

/** Deadline policy for a case type. */
export interface SlaPolicy {
  resolveDays: number;
  mode: CountingMode;
  dueSoonDays: number;
  /** Working days to acknowledge receipt in writing (default 1). Always counted in working days. */
  ackDays?: number;
  /** Public holidays as Bangkok "YYYY-MM-DD" keys (working mode only). */
  holidays?: ReadonlySet<string>;
}

/** Default: 15 calendar days, "due soon" within 3 days. */
export const DEFAULT_SLA_POLICY: SlaPolicy = { resolveDays: 15, mode: "calendar", dueSoonDays: 3 };

const DAY_MS = 24 * 3600 * 1000;

/** Day of week (0=Sunday) of a "YYYY-MM-DD" key. */
function weekdayOfKey(dateKey: string): number {
  const start = dateFromBangkokKey(dateKey);
  return new Date(start.getTime() + 7 * 3600 * 1000).getUTCDay();
}

/** Monday–Friday and not in the holiday set. */
export function isWorkingDay(dateKey: string, holidays?: ReadonlySet<string>): boolean {
  const wd = weekdayOfKey(dateKey);
  if (wd === 0 || wd === 6) return false;
  return !holidays?.has(dateKey);
}

/** End of the Bangkok day `days` calendar/working days after the Bangkok date of `start` (receipt day never counts). */
export function addDays(start: Date, days: number, policy: Pick<SlaPolicy, "mode" | "holidays">): Date {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`Invalid day count: ${days}`);
  const startDay = dateFromBangkokKey(bangkokDateKey(start));
  if (policy.mode === "calendar") return endOfBangkokDay(addBangkokDays(startDay, days));
  let day = startDay;
  let counted = 0;
  while (counted < days) {
    day = addBangkokDays(day, 1);
    if (isWorkingDay(bangkokDateKey(day), policy.holidays)) counted++;
  }
  return endOfBangkokDay(day);
}

/** Deadline for resolving a case received at `receivedAt`. */
export function computeDueAt(receivedAt: Date, policy: SlaPolicy = DEFAULT_SLA_POLICY): Date {
  return addDays(receivedAt, policy.resolveDays, policy);
}

/** Deadline state of a case. */
export type DeadlineState = "on_track" | "due_soon" | "due_today" | "overdue" | "met" | "missed";

/** Calendar days between the Bangkok dates of two instants (to − from). */
export function bangkokDayDiff(from: Date, to: Date): number {
  const a = dateFromBangkokKey(bangkokDateKey(from)).getTime();
  const b = dateFromBangkokKey(bangkokDateKey(to)).getTime();
  return Math.round((b - a) / DAY_MS);
}

/** Classifies a deadline; overdue/missed cases report at least 1 day overdue. */
export function deadlineStatus(input: {
  dueAt: Date;
  now: Date;
  closedAt?: Date | null;
  policy?: Pick<SlaPolicy, "dueSoonDays">;
}): { state: DeadlineState; daysLeft: number; daysOverdue: number } {
  const { dueAt, now, closedAt } = input;
  const dueSoonDays = input.policy?.dueSoonDays ?? DEFAULT_SLA_POLICY.dueSoonDays;
  const at = closedAt ?? now;
  const late = at.getTime() > dueAt.getTime();
  const daysLeft = late ? 0 : Math.max(0, bangkokDayDiff(at, dueAt));
  const daysOverdue = late ? Math.max(1, bangkokDayDiff(dueAt, at)) : 0;
  if (closedAt) return { state: late ? "missed" : "met", daysLeft, daysOverdue };
  if (late) return { state: "overdue", daysLeft, daysOverdue };
  if (daysLeft === 0) return { state: "due_today", daysLeft, daysOverdue };
  if (daysLeft <= dueSoonDays) return { state: "due_soon", daysLeft, daysOverdue };
  return { state: "on_track", daysLeft, daysOverdue };
}

/** Open cases with dueAt <= this instant are due soon or worse (end of Bangkok day now + dueSoonDays). */
export function dueSoonCutoff(now: Date, policy: Pick<SlaPolicy, "dueSoonDays"> = DEFAULT_SLA_POLICY): Date {
  return endOfBangkokDay(addBangkokDays(now, policy.dueSoonDays));
}

/** Default acknowledgement period: 1 working day. */
export const DEFAULT_ACK_DAYS = 1;

/** When the written acknowledgement of receipt is due: `ackDays` WORKING days after receipt (holidays skipped). */
export function computeAckDueAt(receivedAt: Date, policy: Pick<SlaPolicy, "ackDays" | "holidays">): Date {
  return addDays(receivedAt, policy.ackDays ?? DEFAULT_ACK_DAYS, { mode: "working", holidays: policy.holidays });
}

/**
 * Days of the deadline still left at `at`, counted in the policy's mode: the number of counted days after the Bangkok
 * date of `at` up to and including the Bangkok date of `dueAt` (0 on the due day or when already late). Used when the
 * clock pauses, so that `addDays(resumedAt, remainingDays(...))` gives back the same number of days.
 */
export function remainingDays(at: Date, dueAt: Date, policy: Pick<SlaPolicy, "mode" | "holidays">): number {
  if (at.getTime() > dueAt.getTime()) return 0;
  const diff = bangkokDayDiff(at, dueAt);
  if (diff <= 0) return 0;
  if (policy.mode === "calendar") return diff;
  let n = 0;
  let day = dateFromBangkokKey(bangkokDateKey(at));
  for (let i = 0; i < diff; i++) {
    day = addBangkokDays(day, 1);
    if (isWorkingDay(bangkokDateKey(day), policy.holidays)) n++;
  }
  return n;
}

/** The new deadline when a paused clock resumes at `resumedAt` with `remaining` days left. */
export function resumeDueAt(resumedAt: Date, remaining: number, policy: Pick<SlaPolicy, "mode" | "holidays">): Date {
  return addDays(resumedAt, Math.max(0, Math.trunc(remaining)), policy);
}

/** A deadline state as shown everywhere: the six states plus "paused" (waiting for the complainant). */
export type DeadlineViewState = DeadlineState | "paused";

/** Open-case states of the supervisor board, most urgent first (browser-safe: the board page renders them). */
export type BoardState = Extract<DeadlineViewState, "on_track" | "due_soon" | "due_today" | "overdue" | "paused">;
export const BOARD_STATES: readonly BoardState[] = ["overdue", "due_today", "due_soon", "on_track", "paused"];

export interface DeadlineView {
  state: DeadlineViewState;
  daysLeft: number;
  daysOverdue: number;
}

/**
 * The ONE deadline classification used by the queue, the case page, /track, e-mails and statistics. A closed case is
 * met/missed (against the deadline of its current period); an open case whose clock is paused shows "paused" with the
 * days that were left when it paused; otherwise on_track / due_soon / due_today / overdue.
 */
export function deadlineView(input: {
  dueAt: Date | string;
  now: Date;
  closedAt?: Date | string | null;
  pausedAt?: Date | string | null;
  remainingDays?: number | null;
  policy?: Pick<SlaPolicy, "dueSoonDays">;
}): DeadlineView {
  const toDate = (d: Date | string) => (typeof d === "string" ? new Date(d) : d);
  const closedAt = input.closedAt ? toDate(input.closedAt) : null;
  if (!closedAt && input.pausedAt) {
    return { state: "paused", daysLeft: Math.max(0, input.remainingDays ?? 0), daysOverdue: 0 };
  }
  return deadlineStatus({ dueAt: toDate(input.dueAt), now: input.now, closedAt, policy: input.policy });
}

// ---- Outcome of the first deadline period (plan measure 23: "resolve within 15 days, or explain") ----

/** What happened within a case's FIRST deadline period; null while undecided. Reopening never changes it. */
export type SlaOutcome = "resolved" | "explained" | "late";

interface OutcomeClock {
  sla_outcome: SlaOutcome | null;
  period_no: number;
  due_at: string;
  paused_at: string | null;
}

/**
 * Outcome to record when a case is resolved or forwarded at `at`, or null to leave it as it is (already decided, or a
 * later period after reopening); an explained case resolved by the deadline becomes "resolved". A paused case has its clock stopped with days left, so closing it is in time.
 */
export function outcomeOnClose(c: OutcomeClock, at: Date): SlaOutcome | null {
  if (c.period_no !== 1) return null;
  // Explained in time and then resolved in time counts as resolved in time.
  if (c.sla_outcome === "explained") return c.paused_at || at.getTime() <= new Date(c.due_at).getTime() ? "resolved" : null;
  if (c.sla_outcome !== null) return null;
  if (c.paused_at) return "resolved";
  return at.getTime() <= new Date(c.due_at).getTime() ? "resolved" : "late";
}

/** Outcome to record when an explanation is sent to the complainant at `at` (null: leave as it is). */
export function outcomeOnExplanation(c: OutcomeClock, at: Date): SlaOutcome | null {
  if (c.sla_outcome !== null || c.period_no !== 1) return null;
  if (c.paused_at) return "explained";
  return at.getTime() <= new Date(c.due_at).getTime() ? "explained" : "late";
}

/** Whether a written acknowledgement made at `acknowledgedAt` was on time. */
export function ackOutcome(ackDueAt: string | null, acknowledgedAt: Date): "on_time" | "late" {
  return ackDueAt === null || acknowledgedAt.getTime() <= new Date(ackDueAt).getTime() ? "on_time" : "late";
}
