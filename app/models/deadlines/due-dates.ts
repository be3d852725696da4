/**
 * Deadline arithmetic (pure and browser-safe): counting days in a policy's mode, due dates, "days left" / "days
 * overdue" and the deadline state shown everywhere. All dates are Bangkok dates; a deadline is the end of a Bangkok
 * day, and the day of receipt never counts.
 */
import { addBangkokDays, BANGKOK_OFFSET_MS, bangkokDateKey, dateFromBangkokKey, endOfBangkokDay } from "../../lib/thai-date";

/** Whether deadlines count every day or only working days (Monday–Friday, not a holiday). */
export type CountingMode = "calendar" | "working";

/** Deadline policy for a case. */
export interface SlaPolicy {
  resolveDays: number;
  mode: CountingMode;
  dueSoonDays: number;
  /** Working days to acknowledge receipt in writing (default 1). Always counted in working days. */
  ackDays?: number;
  /** Public holidays as Bangkok "YYYY-MM-DD" keys (working mode only). */
  holidays?: ReadonlySet<string>;
}

/** How days are counted: the mode, and the holidays a working-day count skips. */
export type Counting = Pick<SlaPolicy, "mode" | "holidays">;

/** What a deadline state needs from a policy: the due-soon threshold and, when known, how days are counted. */
export type StatePolicy = Pick<SlaPolicy, "dueSoonDays"> & Partial<Counting>;

/** Default: 15 calendar days, "due soon" within 3 days. */
export const DEFAULT_SLA_POLICY: SlaPolicy = { resolveDays: 15, mode: "calendar", dueSoonDays: 3 };

/** Default acknowledgement period: 1 working day. */
export const DEFAULT_ACK_DAYS = 1;

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

/** Whether a Bangkok day (start instant) counts under the counting. */
function counts(day: Date, counting: Partial<Counting>): boolean {
  return counting.mode !== "working" || isWorkingDay(bangkokDateKey(day), counting.holidays);
}

/** Start instant of the Bangkok day of `d`. */
function dayOf(d: Date): Date {
  return dateFromBangkokKey(bangkokDateKey(d));
}

/** Start of the `n`-th counted day after the Bangkok date of `start` (n ≥ 1), or that date itself for n = 0. */
function nthCountedDay(start: Date, n: number, counting: Partial<Counting>): Date {
  let day = dayOf(start);
  for (let counted = 0; counted < n;) {
    day = addBangkokDays(day, 1);
    if (counts(day, counting)) counted++;
  }
  return day;
}

/**
 * End of the Bangkok day `days` calendar/working days after the Bangkok date of `start` (receipt day never counts).
 * Zero working days from a weekend day or a holiday is the next working day: a deadline never falls on a day off.
 */
export function addDays(start: Date, days: number, counting: Counting): Date {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`Invalid day count: ${days}`);
  let day = nthCountedDay(start, days, counting);
  while (!counts(day, counting)) day = addBangkokDays(day, 1);
  return endOfBangkokDay(day);
}

/**
 * End of the latest Bangkok day D such that `days` counted days lie after D up to and including the date of `end`
 * (days ≥ 1): the deadline of a case that is `days` days overdue at `end`.
 */
export function daysBefore(end: Date, days: number, counting: Counting): Date {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`Invalid day count: ${days}`);
  let day = dayOf(end);
  for (let counted = 0; counted < days;) {
    if (counts(day, counting)) counted++;
    day = addBangkokDays(day, -1);
  }
  return endOfBangkokDay(day);
}

/** The Bangkok date of an instant as a day number (days since 1970-01-01 in Bangkok; Bangkok keeps no summer time). */
function bangkokDayNumber(d: Date): number {
  return Math.floor((d.getTime() + BANGKOK_OFFSET_MS) / DAY_MS);
}

/** Day of week (0=Sunday) of a day number: 1970-01-01 was a Thursday. */
function weekdayOfDayNumber(n: number): number {
  return (((n + 4) % 7) + 7) % 7;
}

/** Monday–Friday days among the day numbers first … last (none when last < first): whole weeks, then the rest. */
function weekdaysBetween(first: number, last: number): number {
  if (last < first) return 0;
  const weeks = Math.floor((last - first + 1) / 7);
  let count = weeks * 5;
  for (let d = first + weeks * 7; d <= last; d++) {
    const wd = weekdayOfDayNumber(d);
    if (wd !== 0 && wd !== 6) count++;
  }
  return count;
}

/** A holiday set's Monday–Friday holidays as sorted day numbers, made once per set (and again if its size changes). */
const weekdayHolidayCache = new WeakMap<ReadonlySet<string>, { size: number; days: number[] }>();

function weekdayHolidays(holidays: ReadonlySet<string>): number[] {
  const kept = weekdayHolidayCache.get(holidays);
  if (kept && kept.size === holidays.size) return kept.days;
  const days: number[] = [];
  for (const key of holidays) {
    const n = bangkokDayNumber(dateFromBangkokKey(key));
    const wd = weekdayOfDayNumber(n);
    if (wd !== 0 && wd !== 6) days.push(n);
  }
  days.sort((a, b) => a - b);
  weekdayHolidayCache.set(holidays, { size: holidays.size, days });
  return days;
}

/** How many of the sorted `days` are below `n`. */
function countBelow(days: readonly number[], n: number): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Calendar days between the Bangkok dates of two instants (to − from). */
export function bangkokDayDiff(from: Date, to: Date): number {
  return bangkokDayNumber(to) - bangkokDayNumber(from);
}

/**
 * Counted days after the Bangkok date of `from` up to and including the Bangkok date of `to` (0 when `to` is not
 * after `from`): calendar days, or working days under a working-day policy.
 */
export function countedDaysBetween(from: Date, to: Date, counting: Partial<Counting> = {}): number {
  const first = bangkokDayNumber(from) + 1;
  const last = bangkokDayNumber(to);
  if (last < first) return 0;
  if (counting.mode !== "working") return last - first + 1;
  // Working days in (from, to]: Monday–Friday days counted by arithmetic, less the holidays among them (a case years
  // overdue costs no more than one due today; the queue shows 25 of them per page).
  const working = weekdaysBetween(first, last);
  if (!counting.holidays || counting.holidays.size === 0) return working;
  const holidays = weekdayHolidays(counting.holidays);
  return working - (countBelow(holidays, last + 1) - countBelow(holidays, first));
}

/** Deadline for resolving a case received at `receivedAt`. */
export function computeDueAt(receivedAt: Date, policy: SlaPolicy = DEFAULT_SLA_POLICY): Date {
  return addDays(receivedAt, policy.resolveDays, policy);
}

/** When the written acknowledgement of receipt is due: `ackDays` WORKING days after receipt (holidays skipped). */
export function computeAckDueAt(receivedAt: Date, policy: Pick<SlaPolicy, "ackDays" | "holidays">): Date {
  return addDays(receivedAt, policy.ackDays ?? DEFAULT_ACK_DAYS, { mode: "working", holidays: policy.holidays });
}

/** The Bangkok date ("YYYY-MM-DD") a new expected date defaults to: a full period (at least a day) from `at`. */
export function defaultExpectedDate(at: Date, policy: SlaPolicy): string {
  return bangkokDateKey(addDays(at, Math.max(policy.resolveDays, 1), policy));
}

/** Deadline state of a case. */
export type DeadlineState = "on_track" | "due_soon" | "due_today" | "overdue" | "met" | "missed";

/**
 * Classifies a deadline; overdue/missed cases report at least 1 day overdue. Days left and days overdue are counted in
 * the policy's mode (working days under a working-day policy), so "due soon" means the same as the deadline.
 */
export function deadlineStatus(input: { dueAt: Date; now: Date; closedAt?: Date | null; policy?: StatePolicy }): {
  state: DeadlineState;
  daysLeft: number;
  daysOverdue: number;
} {
  const { dueAt, now, closedAt } = input;
  const policy = input.policy ?? DEFAULT_SLA_POLICY;
  const at = closedAt ?? now;
  const late = at.getTime() > dueAt.getTime();
  const daysLeft = late ? 0 : countedDaysBetween(at, dueAt, policy);
  const daysOverdue = late ? Math.max(1, countedDaysBetween(dueAt, at, policy)) : 0;
  if (closedAt) return { state: late ? "missed" : "met", daysLeft, daysOverdue };
  if (late) return { state: "overdue", daysLeft, daysOverdue };
  if (daysLeft === 0) return { state: "due_today", daysLeft, daysOverdue };
  if (daysLeft <= policy.dueSoonDays) return { state: "due_soon", daysLeft, daysOverdue };
  return { state: "on_track", daysLeft, daysOverdue };
}

/**
 * Open cases with dueAt <= this instant are due soon or worse: the end of the last day that is at most
 * `dueSoonDays` counted days after today (calendar days, or working days under a working-day policy).
 */
export function dueSoonCutoff(now: Date, policy: StatePolicy = DEFAULT_SLA_POLICY): Date {
  return new Date(nthCountedDay(now, policy.dueSoonDays + 1, policy).getTime() - 1);
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
 * days that were left when it paused (or, paused after its deadline, the days it was overdue); otherwise on_track /
 * due_soon / due_today / overdue.
 */
export function deadlineView(input: {
  dueAt: Date | string;
  now: Date;
  closedAt?: Date | string | null;
  pausedAt?: Date | string | null;
  remainingDays?: number | null;
  policy?: StatePolicy;
}): DeadlineView {
  const toDate = (d: Date | string) => (typeof d === "string" ? new Date(d) : d);
  const closedAt = input.closedAt ? toDate(input.closedAt) : null;
  if (!closedAt && input.pausedAt) {
    const r = input.remainingDays ?? 0;
    return { state: "paused", daysLeft: Math.max(0, r), daysOverdue: Math.max(0, -r) };
  }
  return deadlineStatus({ dueAt: toDate(input.dueAt), now: input.now, closedAt, policy: input.policy });
}
