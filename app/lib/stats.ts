/**
 * Statistics arithmetic (pure): periods of a fiscal year, shares, percentiles from histograms, satisfaction and the
 * small-cell rule. Every statistics page, download and report uses these, so a figure means the same everywhere.
 */
import { fromBuddhistYear } from "./thai-date";

/** A fiscal year, one of its halves (h1 = Oct–Mar, the ITA "รอบ 6 เดือน") or one of its quarters (q1 = Oct–Dec). */
export type StatPeriod = "year" | "h1" | "h2" | "q1" | "q2" | "q3" | "q4";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Months (1–12) from the start of the fiscal year: October = 0. */
const PERIOD_MONTHS: Record<StatPeriod, [number, number]> = {
  year: [0, 12],
  h1: [0, 6],
  h2: [6, 12],
  q1: [0, 3],
  q2: [3, 6],
  q3: [6, 9],
  q4: [9, 12],
};

/** "YYYY-MM" (CE) of the i-th month of a fiscal year (i = 0 is October). */
export function fiscalMonthKey(fyBE: number, i: number): string {
  const endCe = fromBuddhistYear(fyBE);
  const m = ((9 + i) % 12) + 1;
  return `${pad(m >= 10 ? endCe - 1 : endCe, 4)}-${pad(m)}`;
}

/** The months ("YYYY-MM", CE) of a period, in order. */
export function periodMonths(fyBE: number, period: StatPeriod = "year"): string[] {
  const [a, b] = PERIOD_MONTHS[period];
  const out: string[] = [];
  for (let i = a; i < b; i++) out.push(fiscalMonthKey(fyBE, i));
  return out;
}

function lastDayOfMonth(monthKey: string): string {
  const [y, m] = monthKey.split("-").map(Number) as [number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${monthKey}-${pad(days)}`;
}

/** First and last Bangkok day (YYYY-MM-DD, inclusive) of a period. */
export function periodRange(fyBE: number, period: StatPeriod = "year"): { from: string; to: string } {
  const months = periodMonths(fyBE, period);
  return { from: `${months[0]}-01`, to: lastDayOfMonth(months[months.length - 1]!) };
}

/** Zero-based index of a "YYYY-MM" month within its fiscal year (October = 0). */
export function fiscalMonthIndex(monthKey: string): number {
  const m = Number(monthKey.slice(5, 7));
  return (m + 2) % 12;
}

/** The same Bangkok day one year earlier, clamped to 28 Feb when the day does not exist (29 Feb). */
export function sameDayPreviousYear(dayKey: string): string {
  const y = Number(dayKey.slice(0, 4)) - 1;
  const md = dayKey.slice(5);
  if (md === "02-29") return `${pad(y, 4)}-02-28`;
  return `${pad(y, 4)}-${md}`;
}

/** The Bangkok day before a "YYYY-MM-DD" day. */
export function dayBefore(dayKey: string): string {
  const [y, m, d] = dayKey.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d) - 86_400_000);
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** The days a year-on-year comparison looks at ("from".."to" inclusive; empty when to < from). */
export interface ComparisonWindows {
  current: { from: string; to: string };
  previous: { from: string; to: string };
  /** The period has not ended: verdicts are provisional. */
  running: boolean;
  /** Not one whole month of the period has ended yet: nothing to compare. */
  empty: boolean;
}

/**
 * What the plan scorecard compares. A finished period: all of it against the same period a year earlier. A running
 * period: only its whole months that have ended, against the same months a year earlier — so the comparison moves a
 * month at a time, not a day at a time (a day-by-day window would let anyone work out small counts by difference).
 */
export function comparisonWindows(fyBE: number, period: StatPeriod, todayKey: string): ComparisonWindows {
  const full = periodRange(fyBE, period);
  const prevFull = periodRange(fyBE - 1, period);
  if (todayKey > full.to) return { current: full, previous: prevFull, running: false, empty: false };
  const lastWholeMonthEnd = dayBefore(`${todayKey.slice(0, 7)}-01`);
  if (lastWholeMonthEnd < full.from) {
    return {
      current: { from: full.from, to: dayBefore(full.from) },
      previous: { from: prevFull.from, to: dayBefore(prevFull.from) },
      running: true,
      empty: true,
    };
  }
  return {
    current: { from: full.from, to: lastWholeMonthEnd },
    previous: { from: prevFull.from, to: lastDayOfMonth(sameDayPreviousYear(lastWholeMonthEnd).slice(0, 7)) },
    running: true,
    empty: false,
  };
}

/** Last day ("YYYY-MM-DD") of the month of a day. */
export function monthEndOf(dayKey: string): string {
  return lastDayOfMonth(dayKey.slice(0, 7));
}

/** Received / completed / in progress. */
export interface Flow {
  received: number;
  completed: number;
  inProgress: number;
}

export function flow(received: number, completed: number): Flow {
  return { received, completed, inProgress: received - completed };
}

export function addFlows(a: Flow, b: Flow): Flow {
  return { received: a.received + b.received, completed: a.completed + b.completed, inProgress: a.inProgress + b.inProgress };
}

export const ZERO_FLOW: Flow = Object.freeze({ received: 0, completed: 0, inProgress: 0 });

/** n / d as a fraction 0..1, or null when there is nothing to divide by. */
export function share(n: number, d: number): number | null {
  return d > 0 ? n / d : null;
}

// Number formats are costly to create; a statistics page prints hundreds of numbers, so each is made once.
const COUNT_FORMAT = { th: new Intl.NumberFormat("th-TH"), en: new Intl.NumberFormat("en-GB") };
const SHARE_FORMAT = {
  th: new Intl.NumberFormat("th-TH", { maximumFractionDigits: 1 }),
  en: new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 }),
};

/** A count with thousands separators ("1,234"). */
export function formatCount(n: number, lang: "th" | "en" = "th"): string {
  return COUNT_FORMAT[lang].format(n);
}

/** "85.7%" (one decimal, trailing ".0" dropped), or "–" for no data. */
export function formatShare(s: number | null, lang: "th" | "en" = "th"): string {
  if (s === null || !Number.isFinite(s)) return "–";
  const pct = Math.round(s * 1000) / 10;
  return `${SHARE_FORMAT[lang].format(pct)}%`;
}

/**
 * The q-quantile (0 < q ≤ 1) of integer values given as a histogram, by the nearest-rank method: the smallest value
 * v such that at least ceil(q·N) observations are ≤ v. Median = quantile 0.5 (the lower median for even N), so a
 * published median is always a value that actually occurred.
 */
export function histogramQuantile(hist: ReadonlyArray<{ value: number; n: number }>, q: number): number | null {
  const rows = hist.filter((h) => h.n > 0).sort((a, b) => a.value - b.value);
  const total = rows.reduce((s, h) => s + h.n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const h of rows) {
    seen += h.n;
    if (seen >= rank) return h.value;
  }
  return rows[rows.length - 1]!.value;
}

/** Satisfaction: answers of 4 or 5 over all answers (plan measure 23: at least 80%). */
export interface Satisfaction {
  answers: number;
  satisfied: number;
  share: number | null;
  /** Answers per score, index 0 = score 1. */
  byScore: [number, number, number, number, number];
}

export const SATISFACTION_TARGET = 0.8;

export function satisfactionFrom(counts: ReadonlyArray<{ score: number; n: number }>): Satisfaction {
  const byScore: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const c of counts) if (c.score >= 1 && c.score <= 5) byScore[c.score - 1] += c.n;
  const answers = byScore.reduce((a, b) => a + b, 0);
  const satisfied = byScore[3] + byScore[4];
  return { answers, satisfied, share: share(satisfied, answers), byScore };
}

/**
 * Small-cell rule for the corruption channel: a breakdown finer than the totals is published only when every cell
 * is 0 or at least SMALL_CELL_MIN, so no reporter or accused person can be singled out. (Withholding only the small
 * cells would not be enough: they could be worked out from the total and the others.)
 */
export const SMALL_CELL_MIN = 5;

export function smallCellsOk(cells: readonly number[]): boolean {
  return cells.every((n) => n === 0 || n >= SMALL_CELL_MIN);
}

/** True when a single published count must be shown as "fewer than 5". */
export function isSuppressed(n: number): boolean {
  return n > 0 && n < SMALL_CELL_MIN;
}

// ---------------------------------------------------------------------------------------------------------------
// Months that have not happened: every page and download marks them explicitly (never 0, never "no complaints").

/**
 * What a month's (or period's) figures are:
 * - ok: the month has ended and the portal held records by then: its counts are complete (0 means none);
 * - current: the month is running: counts so far, not final, and no cumulative figure yet;
 * - not_yet: the month has not begun: no figures at all;
 * - no_records_yet: the month ended before the portal's first record (the portal was not in use): no figures.
 */
export const MONTH_STATUSES = ["ok", "current", "not_yet", "no_records_yet"] as const;
export type MonthStatus = (typeof MONTH_STATUSES)[number];

/** Status of a "YYYY-MM" month on the Bangkok day `todayKey`, given the first day the portal holds any record. */
export function monthStatus(monthKey: string, todayKey: string, firstRecordDay: string | null): MonthStatus {
  const end = monthEndOf(`${monthKey}-01`);
  if (todayKey < `${monthKey}-01`) return "not_yet";
  if (todayKey <= end) return "current";
  if (firstRecordDay === null || end < firstRecordDay) return "no_records_yet";
  return "ok";
}

/**
 * Status of a period made of months: all not begun → not_yet; all before the first record → no_records_yet; any
 * month still running or not begun → current (the period's figures are so far); otherwise ok.
 */
export function periodStatus(statuses: readonly MonthStatus[]): MonthStatus {
  if (statuses.length === 0) return "not_yet";
  if (statuses.every((s) => s === "not_yet")) return "not_yet";
  if (statuses.every((s) => s === "no_records_yet")) return "no_records_yet";
  if (statuses.some((s) => s === "current" || s === "not_yet")) return "current";
  return "ok";
}

/** Whether counts are published for a month or period of this status (current: so far; not_yet/no_records_yet: none). */
export function hasFigures(status: MonthStatus): boolean {
  return status === "ok" || status === "current";
}
