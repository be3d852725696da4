/**
 * Public statistics, read ONLY from the summary tables that triggers keep current (db/statistics.ts): every
 * figure is a sum over at most (days of the year × keys of a dimension) rows, whatever the number of cases. The one
 * figure that depends on the clock — cases overdue now — is an indexed count of that year's open, running, overdue
 * cases, cached for OVERDUE_CACHE_MS.
 */
import { sql } from "kysely";
import type { ComplaintChannel, ReportTag } from "../../../db/schema";
import { tFor } from "~/i18n";
import { now } from "~/utils/clock.server";
import { REPORT_TAGS } from "~/lib/report-status";
import { COMPLAINT_CHANNELS } from "~/lib/complaint-status";
import {
  addFlows,
  fiscalMonthIndex,
  flow,
  histogramQuantile,
  periodMonths,
  periodRange,
  monthStatus,
  periodStatus,
  share,
  smallCellsOk,
  ZERO_FLOW,
  type Flow,
  type MonthStatus,
  type Satisfaction,
  type StatPeriod,
} from "~/lib/stats";
import type { Verdict } from "~/lib/plan-targets";
import { listCategories, listDivisions, listVillages } from "~/models/organisation/profile.server";
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { currentFiscalYear, firstRecordDay, memo, overdueNow, ratingCounts, today, type Executor } from "./figures-shared.server";

export type { Flow, MonthStatus, Satisfaction, StatPeriod, Verdict };
export { clearStatsCache, currentFiscalYear, firstRecordDay } from "./figures-shared.server";
export { planTargets, type IndicatorValue, type TargetList, type TargetRow } from "./plan-scorecard.server";

/** Keeps `compute`'s result while no statistics trigger has fired (and at most STATS_CACHE_MS). */
export { memo as cachedWhileStatsUnchanged } from "./figures-shared.server";

export interface ComplaintStats {
  fiscalYear: number;
  period: StatPeriod;
  from: string;
  to: string;
  asOf: string;
  /** Bangkok day the figures were computed for, and the first day the portal holds any record (null: none). */
  today: string;
  firstRecordDay: string | null;
  /** ok: the period has ended; current: running (figures so far); not_yet / no_records_yet: no figures (app/lib/stats.ts). */
  status: MonthStatus;
  totals: Flow & { resolved: number; forwarded: number };
  /** Every month of the period with its status; counts of not_yet / no_records_yet months are 0 and must not be shown. */
  byMonth: Array<Flow & { month: string; status: MonthStatus }>;
  byCategory: Array<Flow & { id: number; code: string; nameTh: string; nameEn: string }>;
  byChannel: Array<Flow & { channel: ComplaintChannel }>;
  byDivision: Array<Flow & { id: number | null; nameTh: string; nameEn: string }>;
  byVillage: Array<Flow & { id: number | null; number: number | null; nameTh: string; nameEn: string }>;
  deadline: { resolvedInTime: number; explainedInTime: number; late: number; undecided: number; share: number | null };
  acknowledgement: { onTime: number; late: number; undecided: number; share: number | null };
  resolveDays: { closed: number; median: number | null; p90: number | null };
  overdueNow: number;
  satisfaction: Satisfaction;
  counterSatisfaction: Satisfaction;
}

interface CellSums {
  received: number;
  closed: number;
  resolved: number;
  forwarded: number;
  sla_resolved: number;
  sla_explained: number;
  sla_late: number;
  ack_on_time: number;
  ack_late: number;
}

const MEASURES = [
  "received",
  "closed",
  "resolved",
  "forwarded",
  "sla_resolved",
  "sla_explained",
  "sla_late",
  "ack_on_time",
  "ack_late",
] as const;

/** complaint_stats for a range of days: the 'all' dimension by month, the others by key (each walks the primary key). */
async function complaintCells(db: Executor, fy: number, from: string, to: string) {
  const sums = sql.raw(MEASURES.map((m) => `sum(${m}) as ${m}`).join(", "));
  const byMonth = sql<CellSums & { dim: string; key: string; month: string }>`
    select 'all' as dim, '' as key, substr(day, 1, 7) as month, ${sums} from complaint_stats
    where fiscal_year = ${fy} and dim = 'all' and key = '' and day >= ${from} and day <= ${to}
    group by substr(day, 1, 7)`.execute(db);
  const byKey = (["category", "channel", "division", "village"] as const).map((dim) =>
    sql<CellSums & { dim: string; key: string; month: string }>`
      select ${sql.lit(dim)} as dim, key, '' as month, ${sums} from complaint_stats
      where fiscal_year = ${fy} and dim = ${dim} and day >= ${from} and day <= ${to}
      group by key`.execute(db),
  );
  const results = await Promise.all([byMonth, ...byKey]);
  return results.flatMap((r) =>
    r.rows.map((row) => {
      const out = { dim: row.dim, key: row.key, month: row.month } as CellSums & { dim: string; key: string; month: string };
      for (const m of MEASURES) out[m] = Number(row[m] ?? 0);
      return out;
    }),
  );
}

/** General-complaint statistics for the cases RECEIVED in a fiscal year or one of its periods (a cohort). */
export async function complaintStats(db: Executor, fy: number, period: StatPeriod = "year"): Promise<ComplaintStats> {
  return memo(db, `complaints:${fy}:${period}:${today()}`, () => computeComplaintStats(db, fy, period));
}

async function computeComplaintStats(db: Executor, fy: number, period: StatPeriod): Promise<ComplaintStats> {
  const { from, to } = periodRange(fy, period);
  const asOf = now().toISOString();
  const day = today();
  const [cells, resolveHist, satisfaction, counterSatisfaction, overdue, categories, divisions, villages, first] = await Promise.all([
    complaintCells(db, fy, from, to),
    db
      .selectFrom("complaint_resolve_days")
      .select(["days", (eb) => eb.fn.sum<number>("n").as("n")])
      .where("fiscal_year", "=", fy)
      .where("month", ">=", from.slice(0, 7))
      .where("month", "<=", to.slice(0, 7))
      .groupBy("days")
      .execute(),
    ratingCounts(db, fy, "case", from, to),
    ratingCounts(db, fy, "counter", from, to),
    overdueNow(db, fy, from, to),
    listCategories(db as Kysely<Database>, { activeOnly: false }),
    listDivisions(db as Kysely<Database>, { activeOnly: false }),
    listVillages(db as Kysely<Database>, { activeOnly: false }),
    firstRecordDay(db),
  ]);

  const all = cells.filter((c) => c.dim === "all");
  const sum = (rows: CellSums[], m: (typeof MEASURES)[number]) => rows.reduce((s, r) => s + r[m], 0);
  const byKey = (dim: string) => new Map(cells.filter((c) => c.dim === dim).map((c) => [c.key, c]));
  const flowOf = (c: CellSums | undefined): Flow => (c ? flow(c.received, c.closed) : { ...ZERO_FLOW });

  const months = periodMonths(fy, period);
  const monthMap = new Map(all.map((c) => [c.month, c]));
  const cat = byKey("category");
  const chan = byKey("channel");
  const div = byKey("division");
  const vil = byKey("village");

  const byCategory = categories
    .filter((c) => c.active === 1 || cat.has(String(c.id)))
    .map((c) => ({ id: c.id, code: c.code, nameTh: c.name_th, nameEn: c.name_en, ...flowOf(cat.get(String(c.id))) }));
  const byDivision: ComplaintStats["byDivision"] = divisions
    .filter((d) => d.active === 1 || div.has(String(d.id)))
    .map((d) => ({ id: d.id, nameTh: d.name_th, nameEn: d.name_en, ...flowOf(div.get(String(d.id))) }));
  if (div.has(""))
    byDivision.push({
      id: null,
      nameTh: tFor("th")("statsGroups.noDivision"),
      nameEn: tFor("en")("statsGroups.noDivision"),
      ...flowOf(div.get("")),
    });
  const byVillage: ComplaintStats["byVillage"] = villages
    .filter((v) => v.active === 1 || vil.has(String(v.id)))
    .map((v) => ({ id: v.id, number: v.number, nameTh: v.name_th, nameEn: v.name_en, ...flowOf(vil.get(String(v.id))) }));
  if (vil.has(""))
    byVillage.push({
      id: null,
      number: null,
      nameTh: tFor("th")("statsGroups.noVillage"),
      nameEn: tFor("en")("statsGroups.noVillage"),
      ...flowOf(vil.get("")),
    });

  const received = sum(all, "received");
  const resolvedInTime = sum(all, "sla_resolved");
  const explainedInTime = sum(all, "sla_explained");
  const late = sum(all, "sla_late");
  const ackOnTime = sum(all, "ack_on_time");
  const ackLate = sum(all, "ack_late");
  const hist = resolveHist.map((r) => ({ value: Number(r.days), n: Number(r.n ?? 0) }));
  const byMonth = months.map((month) => ({ month, status: monthStatus(month, day, first), ...flowOf(monthMap.get(month)) }));
  return {
    fiscalYear: fy,
    period,
    from,
    to,
    asOf,
    today: day,
    firstRecordDay: first,
    status: periodStatus(byMonth.map((m) => m.status)),
    totals: { ...flow(received, sum(all, "closed")), resolved: sum(all, "resolved"), forwarded: sum(all, "forwarded") },
    byMonth,
    byCategory,
    byChannel: COMPLAINT_CHANNELS.map((channel) => ({ channel, ...flowOf(chan.get(channel)) })),
    byDivision,
    byVillage,
    deadline: {
      resolvedInTime,
      explainedInTime,
      late,
      undecided: received - resolvedInTime - explainedInTime - late,
      share: share(resolvedInTime + explainedInTime, resolvedInTime + explainedInTime + late),
    },
    acknowledgement: {
      onTime: ackOnTime,
      late: ackLate,
      undecided: received - ackOnTime - ackLate,
      share: share(ackOnTime, ackOnTime + ackLate),
    },
    resolveDays: { closed: hist.reduce((s, h) => s + h.n, 0), median: histogramQuantile(hist, 0.5), p90: histogramQuantile(hist, 0.9) },
    overdueNow: overdue,
    satisfaction,
    counterSatisfaction,
  };
}

export interface CorruptionStats {
  fiscalYear: number;
  asOf: string;
  today: string;
  firstRecordDay: string | null;
  /**
   * Months from October with their status. `cumulative` (from 1 October to the month's end) is given only for months
   * that have ended with records (status ok): it stops at the last month that has ended.
   */
  months: Array<Flow & { month: string; status: MonthStatus; cumulative: Flow | null }>;
  quarters: Array<Flow & { quarter: 1 | 2 | 3 | 4; status: MonthStatus }>;
  halves: Array<Flow & { half: 1 | 2; status: MonthStatus }>;
  total: Flow;
  totalStatus: MonthStatus;
  outcomes: { substantiated: number; unsubstantiated: number; referred: number };
  /** Reports by kind (a report may have several): shown only when every cell is 0 or at least SMALL_CELL_MIN. */
  byKind: { shown: boolean; rows: Array<{ tag: ReportTag; n: number }> };
}

/**
 * Corruption and misconduct reports in the ITA format: per month of receipt from October, how many were received,
 * how many of those are completed (concluded, referred or closed) and how many are still in progress, today.
 */
export async function corruptionStats(db: Executor, fy: number, period: StatPeriod = "year"): Promise<CorruptionStats> {
  return memo(db, `corruption:${fy}:${period}:${today()}`, () => computeCorruptionStats(db, fy, period));
}

async function computeCorruptionStats(db: Executor, fy: number, period: StatPeriod): Promise<CorruptionStats> {
  const { from, to } = periodRange(fy, period);
  const day = today();
  const [monthRows, kindRows, first] = await Promise.all([
    db
      .selectFrom("report_stats")
      .select((eb) => [
        sql<string>`substr(day, 1, 7)`.as("month"),
        eb.fn.sum<number>("received").as("received"),
        eb.fn.sum<number>("completed").as("completed"),
        eb.fn.sum<number>("substantiated").as("substantiated"),
        eb.fn.sum<number>("unsubstantiated").as("unsubstantiated"),
        eb.fn.sum<number>("referred").as("referred"),
      ])
      .where("fiscal_year", "=", fy)
      .where("day", ">=", from)
      .where("day", "<=", to)
      .groupBy(sql`substr(day, 1, 7)`)
      .execute(),
    db
      .selectFrom("topic_stats")
      .select(["topic", (eb) => eb.fn.sum<number>("n").as("n")])
      .where("fiscal_year", "=", fy)
      .where("source", "=", "report")
      .where("day", ">=", from)
      .where("day", "<=", to)
      .groupBy("topic")
      .execute(),
    firstRecordDay(db),
  ]);
  const byMonth = new Map(monthRows.map((r) => [r.month, r]));
  let cumulative: Flow = { ...ZERO_FLOW };
  const months = periodMonths(fy, period).map((month) => {
    const r = byMonth.get(month);
    const f = flow(Number(r?.received ?? 0), Number(r?.completed ?? 0));
    const status = monthStatus(month, day, first);
    cumulative = addFlows(cumulative, f);
    return { month, status, ...f, cumulative: status === "ok" ? cumulative : null };
  });
  const sumMonths = (pred: (i: number) => boolean): Flow =>
    months.filter((m) => pred(fiscalMonthIndex(m.month))).reduce<Flow>((a, m) => addFlows(a, m), { ...ZERO_FLOW });
  const statusOf = (pred: (i: number) => boolean): MonthStatus =>
    periodStatus(months.filter((m) => pred(fiscalMonthIndex(m.month))).map((m) => m.status));
  const outcome = (k: "substantiated" | "unsubstantiated" | "referred") => monthRows.reduce((s, r) => s + Number(r[k] ?? 0), 0);
  const kinds = new Map(kindRows.map((r) => [r.topic, Number(r.n ?? 0)]));
  const kindCells = REPORT_TAGS.map((tag) => ({ tag, n: kinds.get(tag) ?? 0 }));
  const shown = smallCellsOk(kindCells.map((k) => k.n));
  return {
    fiscalYear: fy,
    asOf: now().toISOString(),
    today: day,
    firstRecordDay: first,
    months,
    quarters: ([1, 2, 3, 4] as const)
      .filter((q) => months.some((m) => Math.floor(fiscalMonthIndex(m.month) / 3) + 1 === q))
      .map((quarter) => ({
        quarter,
        status: statusOf((i) => Math.floor(i / 3) + 1 === quarter),
        ...sumMonths((i) => Math.floor(i / 3) + 1 === quarter),
      })),
    halves: ([1, 2] as const)
      .filter((h) => months.some((m) => (fiscalMonthIndex(m.month) < 6 ? 1 : 2) === h))
      .map((half) => ({ half, status: statusOf((i) => (i < 6 ? 1 : 2) === half), ...sumMonths((i) => (i < 6 ? 1 : 2) === half) })),
    total: sumMonths(() => true),
    totalStatus: statusOf(() => true),
    outcomes: { substantiated: outcome("substantiated"), unsubstantiated: outcome("unsubstantiated"), referred: outcome("referred") },
    byKind: { shown, rows: shown ? kindCells : [] },
  };
}

/** Fiscal years that have any statistics, plus the current one, newest first. */
export async function availableFiscalYears(db: Executor): Promise<number[]> {
  const rows = await sql<{ fy: number }>`
    select distinct fiscal_year as fy from complaint_stats where dim = 'all'
    union select distinct fiscal_year from report_stats
    union select distinct fiscal_year from rating_stats`.execute(db);
  const years = new Set(rows.rows.map((r) => Number(r.fy)));
  years.add(currentFiscalYear());
  return [...years].sort((a, b) => b - a);
}

/** Whether a fiscal year (BE) is a sensible request: not before the portal's era and not after next year. */
export function isReasonableFiscalYear(fy: number): boolean {
  return Number.isInteger(fy) && fy >= 2500 && fy <= currentFiscalYear() + 1;
}
