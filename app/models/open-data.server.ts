/**
 * Open data: every statistics table as a downloadable CSV and JSON file per fiscal year, at stable URLs
 * (/stats/data/<fy>/<table>.csv|json), described column by column on the data dictionary page (/stats/data).
 *
 * One definition per table: a stable slug, its columns (machine key, type) and how its rows are built from the
 * statistics API (complaintStats / corruptionStats / planTargets in app/models/stats.server.ts). Column headings and
 * descriptions live in the `statreport` locale (data.columns.<key>, data.tables.<table>), so the dictionary page,
 * the CSV header and the JSON column list always say the same thing.
 *
 * File conventions (documented on the dictionary page):
 * - CSV: RFC 4180, UTF-8 with BOM, CRLF; ONE header row whose cells read "<Thai heading> (<machine key>)", e.g.
 *   "จำนวนเรื่องที่ได้รับ (received)": readable in Excel, and a program takes the key between the last parentheses.
 *   The headings are always Thai whatever the visitor's language, so a file's bytes depend only on the data.
 * - JSON: { fiscalYear, table, generatedAt, columns: [{ key, type, th, en, descriptionTh, descriptionEn }], rows:
 *   [{ <key>: value }] } with machine keys only.
 * - Counts are integers; percentages are 0–100 with one decimal; an empty cell / null means "no data" (nothing to
 *   divide by) or, for suppressed corruption figures, "fewer than 5" (see the `*_suppressed` column).
 * - Monthly and period rows carry a `status` (app/lib/stats.ts MonthStatus): a month that has not begun (not_yet) or
 *   that ended before the portal's first record (no_records_yet) has empty counts, never 0 and never
 *   "ไม่มีเรื่องร้องเรียน"; running totals stop at the last month that has ended.
 * - Column meanings come from app/lib/stat-definitions.ts (the one source of every definition).
 */
import type { TFunction } from "i18next";
import type { DB } from "../../db/connection";
import { tFor } from "~/i18n";
import { toCsv, type CsvCell } from "~/lib/csv";
import { hasFigures, periodRange, type Flow, type MonthStatus, type Satisfaction, type StatPeriod } from "~/lib/stats";
import { columnDefinition } from "~/lib/stat-definitions";
import { REPORT_TAGS } from "~/lib/report-status";
import { formatThaiDateKey } from "~/lib/thai-date";
import { availableFiscalYears, complaintStats, corruptionStats, planTargets, type IndicatorValue } from "~/models/stats.server";
import { nowIso } from "~/utils/clock.server";

export const OPEN_DATA_TABLES = [
  "complaints-summary",
  "complaints-by-month",
  "complaints-by-category",
  "complaints-by-channel",
  "complaints-by-division",
  "complaints-by-village",
  "corruption-by-month",
  "corruption-outcomes",
  "corruption-by-kind",
  "targets",
  "satisfaction",
] as const;
export type OpenDataTableName = (typeof OPEN_DATA_TABLES)[number];

export function isOpenDataTable(x: unknown): x is OpenDataTableName {
  return typeof x === "string" && (OPEN_DATA_TABLES as readonly string[]).includes(x);
}

export const OPEN_DATA_FORMATS = ["csv", "json"] as const;
export type OpenDataFormat = (typeof OPEN_DATA_FORMATS)[number];

/** integer: a count; percent: 0–100, one decimal; decimal: a number; text; month: YYYY-MM (CE); date: YYYY-MM-DD (CE, Bangkok); boolean: true/false. */
export type ColumnType = "integer" | "percent" | "decimal" | "text" | "month" | "date" | "boolean";
export const COLUMN_TYPES: readonly ColumnType[] = ["integer", "percent", "decimal", "text", "month", "date", "boolean"];

export interface OpenDataColumn {
  key: string;
  type: ColumnType;
}

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

const FLOW_COLS: OpenDataColumn[] = [
  { key: "received", type: "integer" },
  { key: "completed", type: "integer" },
  { key: "in_progress", type: "integer" },
];

/** Columns of every table, in file order. */
export const TABLE_COLUMNS: Record<OpenDataTableName, readonly OpenDataColumn[]> = {
  "complaints-summary": [
    { key: "period", type: "text" },
    { key: "from", type: "date" },
    { key: "to", type: "date" },
    { key: "status", type: "text" },
    ...FLOW_COLS,
    { key: "resolved", type: "integer" },
    { key: "forwarded", type: "integer" },
    { key: "deadline_resolved", type: "integer" },
    { key: "deadline_explained", type: "integer" },
    { key: "deadline_late", type: "integer" },
    { key: "deadline_undecided", type: "integer" },
    { key: "deadline_percent", type: "percent" },
    { key: "ack_on_time", type: "integer" },
    { key: "ack_late", type: "integer" },
    { key: "ack_undecided", type: "integer" },
    { key: "ack_percent", type: "percent" },
    { key: "closed_cases", type: "integer" },
    { key: "median_days", type: "decimal" },
    { key: "p90_days", type: "decimal" },
    { key: "overdue_now", type: "integer" },
  ],
  "complaints-by-month": [{ key: "month", type: "month" }, { key: "month_th", type: "text" }, { key: "status", type: "text" }, ...FLOW_COLS],
  "complaints-by-category": [
    { key: "category_id", type: "integer" },
    { key: "category_code", type: "text" },
    { key: "category_th", type: "text" },
    { key: "category_en", type: "text" },
    ...FLOW_COLS,
  ],
  "complaints-by-channel": [{ key: "channel", type: "text" }, { key: "channel_th", type: "text" }, { key: "channel_en", type: "text" }, ...FLOW_COLS],
  "complaints-by-division": [
    { key: "division_id", type: "integer" },
    { key: "division_th", type: "text" },
    { key: "division_en", type: "text" },
    ...FLOW_COLS,
  ],
  "complaints-by-village": [
    { key: "village_id", type: "integer" },
    { key: "village_number", type: "integer" },
    { key: "village_th", type: "text" },
    { key: "village_en", type: "text" },
    ...FLOW_COLS,
  ],
  "corruption-by-month": [
    { key: "period", type: "text" },
    { key: "label_th", type: "text" },
    { key: "month", type: "month" },
    { key: "quarter", type: "integer" },
    { key: "half", type: "integer" },
    { key: "status", type: "text" },
    ...FLOW_COLS,
    { key: "cumulative_received", type: "integer" },
    { key: "cumulative_completed", type: "integer" },
    { key: "cumulative_in_progress", type: "integer" },
    { key: "remark_th", type: "text" },
  ],
  "corruption-outcomes": [
    { key: "outcome", type: "text" },
    { key: "outcome_th", type: "text" },
    { key: "outcome_en", type: "text" },
    { key: "cases", type: "integer" },
  ],
  "corruption-by-kind": [
    { key: "kind", type: "text" },
    { key: "kind_th", type: "text" },
    { key: "kind_en", type: "text" },
    { key: "received", type: "integer" },
    { key: "withheld", type: "boolean" },
  ],
  targets: [
    { key: "measure", type: "integer" },
    { key: "indicator", type: "text" },
    { key: "name_th", type: "text" },
    { key: "name_en", type: "text" },
    { key: "target_th", type: "text" },
    { key: "target_en", type: "text" },
    { key: "unit", type: "text" },
    { key: "value", type: "decimal" },
    { key: "suppressed", type: "boolean" },
    { key: "previous_value", type: "decimal" },
    { key: "previous_suppressed", type: "boolean" },
    { key: "verdict", type: "text" },
    { key: "verdict_th", type: "text" },
    { key: "provisional", type: "boolean" },
    { key: "from", type: "date" },
    { key: "to", type: "date" },
    { key: "previous_from", type: "date" },
    { key: "previous_to", type: "date" },
    { key: "answers", type: "integer" },
    { key: "general_value", type: "decimal" },
    { key: "corruption_value", type: "decimal" },
    { key: "corruption_suppressed", type: "boolean" },
  ],
  satisfaction: [
    { key: "source", type: "text" },
    { key: "source_th", type: "text" },
    { key: "period", type: "text" },
    { key: "from", type: "date" },
    { key: "to", type: "date" },
    { key: "status", type: "text" },
    { key: "answers", type: "integer" },
    { key: "satisfied", type: "integer" },
    { key: "percent", type: "percent" },
    { key: "score_1", type: "integer" },
    { key: "score_2", type: "integer" },
    { key: "score_3", type: "integer" },
    { key: "score_4", type: "integer" },
    { key: "score_5", type: "integer" },
  ],
};

/** Periods in the summary table: the year, its halves, its quarters. */
const SUMMARY_PERIODS: readonly StatPeriod[] = ["year", "h1", "h2", "q1", "q2", "q3", "q4"];
const SATISFACTION_PERIODS: readonly StatPeriod[] = ["year", "h1", "h2"];

/** Share 0..1 → percent with one decimal; null stays null. */
export function percent(s: number | null | undefined): number | null {
  if (s === null || s === undefined || !Number.isFinite(s)) return null;
  return Math.round(s * 1000) / 10;
}

function flowCells(f: Flow): Row {
  return { received: f.received, completed: f.completed, in_progress: f.inProgress };
}

/** "ตุลาคม 2568" for "2025-10". */
export function thaiMonthLabel(month: string, lang: "th" | "en" = "th"): string {
  return formatThaiDateKey(`${month}-01`, lang).replace(/^1 /, "");
}

function t(lang: "th" | "en" = "th"): TFunction {
  return tFor(lang, "statreport");
}

/** Heading of a column in one language (the same text on the dictionary page, in the CSV and in the JSON). */
export function columnLabel(key: string, lang: "th" | "en"): string {
  return t(lang)(`data.columns.${key}.label`);
}

/**
 * Meaning of a column: its definition (app/lib/stat-definitions.ts, through the generated `definitions.<key>` locale
 * text) when it has one, else the table's or the shared column text (names, codes, labels).
 */
export function columnDescription(table: OpenDataTableName, key: string, lang: "th" | "en"): string {
  const def = columnDefinition(table, key);
  if (def) return t(lang)(`definitions.${def}`);
  return t(lang)([`data.tables.${table}.columns.${key}`, `data.columns.${key}.description`]);
}

/** "จำนวนเรื่องที่ได้รับ (received)": the CSV header cell. */
export function csvHeading(key: string): string {
  return `${columnLabel(key, "th")} (${key})`;
}

export interface ColumnInfo {
  key: string;
  type: ColumnType;
  th: string;
  en: string;
  descriptionTh: string;
  descriptionEn: string;
}

export function columnInfo(table: OpenDataTableName): ColumnInfo[] {
  return TABLE_COLUMNS[table].map((c) => ({
    key: c.key,
    type: c.type,
    th: columnLabel(c.key, "th"),
    en: columnLabel(c.key, "en"),
    descriptionTh: columnDescription(table, c.key, "th"),
    descriptionEn: columnDescription(table, c.key, "en"),
  }));
}

export interface OpenDataTable {
  fiscalYear: number;
  table: OpenDataTableName;
  generatedAt: string;
  columns: ColumnInfo[];
  rows: Row[];
}

/** Counts of a flow, or empty cells when the month/period has no figures (not begun, or before the first record). */
function flowOrEmpty(f: Flow, status: MonthStatus): Row {
  return hasFigures(status) ? flowCells(f) : { received: null, completed: null, in_progress: null };
}

function satisfactionRow(source: "cases" | "counter", period: StatPeriod, fy: number, s: Satisfaction, status: MonthStatus): Row {
  const r = periodRange(fy, period);
  if (!hasFigures(status)) return { source, source_th: t("th")(`data.values.source.${source}`), period, from: r.from, to: r.to, status };
  return {
    source,
    source_th: t("th")(`data.values.source.${source}`),
    period,
    from: r.from,
    to: r.to,
    status,
    answers: s.answers,
    satisfied: s.satisfied,
    percent: percent(s.share),
    score_1: s.byScore[0],
    score_2: s.byScore[1],
    score_3: s.byScore[2],
    score_4: s.byScore[3],
    score_5: s.byScore[4],
  };
}

function indicatorValue(v: IndicatorValue | undefined): { value: number | null; suppressed: boolean } {
  if (!v) return { value: null, suppressed: false };
  if (v.suppressed) return { value: null, suppressed: true };
  const value = v.value === null ? null : v.unit === "percent" ? percent(v.value) : v.value;
  return { value, suppressed: false };
}

/** Rows of one table for one fiscal year (figures as of now). */
async function buildRows(db: DB, fy: number, table: OpenDataTableName): Promise<Row[]> {
  const th = t("th");
  const en = t("en");
  const staffTh = tFor("th", "staff");
  const staffEn = tFor("en", "staff");
  switch (table) {
    case "complaints-summary": {
      const all = await Promise.all(SUMMARY_PERIODS.map((p) => complaintStats(db, fy, p)));
      return all.map((s) =>
        !hasFigures(s.status)
          ? { period: s.period, from: s.from, to: s.to, status: s.status }
          : {
        period: s.period,
        from: s.from,
        to: s.to,
        status: s.status,
        ...flowCells(s.totals),
        resolved: s.totals.resolved,
        forwarded: s.totals.forwarded,
        deadline_resolved: s.deadline.resolvedInTime,
        deadline_explained: s.deadline.explainedInTime,
        deadline_late: s.deadline.late,
        deadline_undecided: s.deadline.undecided,
        deadline_percent: percent(s.deadline.share),
        ack_on_time: s.acknowledgement.onTime,
        ack_late: s.acknowledgement.late,
        ack_undecided: s.acknowledgement.undecided,
        ack_percent: percent(s.acknowledgement.share),
        closed_cases: s.resolveDays.closed,
        median_days: s.resolveDays.median,
        p90_days: s.resolveDays.p90,
        overdue_now: s.overdueNow,
      });
    }
    case "complaints-by-month": {
      const s = await complaintStats(db, fy, "year");
      return s.byMonth.map((m) => ({ month: m.month, month_th: thaiMonthLabel(m.month), status: m.status, ...flowOrEmpty(m, m.status) }));
    }
    case "complaints-by-category": {
      const s = await complaintStats(db, fy, "year");
      return s.byCategory.map((c) => ({ category_id: c.id, category_code: c.code, category_th: c.nameTh, category_en: c.nameEn, ...flowCells(c) }));
    }
    case "complaints-by-channel": {
      const s = await complaintStats(db, fy, "year");
      return s.byChannel.map((c) => ({
        channel: c.channel,
        channel_th: staffTh(`channels.${c.channel}`),
        channel_en: staffEn(`channels.${c.channel}`),
        ...flowCells(c),
      }));
    }
    case "complaints-by-division": {
      const s = await complaintStats(db, fy, "year");
      return s.byDivision.map((d) => ({ division_id: d.id, division_th: d.nameTh, division_en: d.nameEn, ...flowCells(d) }));
    }
    case "complaints-by-village": {
      const s = await complaintStats(db, fy, "year");
      return s.byVillage.map((v) => ({ village_id: v.id, village_number: v.number, village_th: v.nameTh, village_en: v.nameEn, ...flowCells(v) }));
    }
    case "corruption-by-month": {
      const c = await corruptionStats(db, fy);
      // "ไม่มีเรื่องร้องเรียน" only for a period that has ended with records and received nothing (the ITA wording).
      const remark = (f: Flow, status: MonthStatus) => (status === "ok" ? (f.received === 0 ? th("data.values.noComplaints") : "") : th(`data.values.status.${status}`));
      const cumAt = (monthIndex: number) => {
        const cum = c.months[monthIndex]?.cumulative;
        return cum
          ? { cumulative_received: cum.received, cumulative_completed: cum.completed, cumulative_in_progress: cum.inProgress }
          : { cumulative_received: null, cumulative_completed: null, cumulative_in_progress: null };
      };
      const rows: Row[] = [];
      c.months.forEach((m, i) => {
        rows.push({ period: "month", label_th: thaiMonthLabel(m.month), month: m.month, quarter: Math.floor(i / 3) + 1, half: i < 6 ? 1 : 2, status: m.status, ...flowOrEmpty(m, m.status), ...cumAt(i), remark_th: remark(m, m.status) });
        if (i % 3 === 2) {
          const q = c.quarters.find((x) => x.quarter === (i + 1) / 3);
          if (q) rows.push({ period: "quarter", label_th: th("data.values.quarter", { n: q.quarter }), month: null, quarter: q.quarter, half: q.quarter <= 2 ? 1 : 2, status: q.status, ...flowOrEmpty(q, q.status), ...cumAt(i), remark_th: remark(q, q.status) });
        }
        if (i % 6 === 5) {
          const h = c.halves.find((x) => x.half === (i + 1) / 6);
          if (h) rows.push({ period: "half", label_th: th(`data.values.half${h.half}`), month: null, quarter: null, half: h.half, status: h.status, ...flowOrEmpty(h, h.status), ...cumAt(i), remark_th: remark(h, h.status) });
        }
      });
      rows.push({ period: "year", label_th: th("data.values.yearTotal"), month: null, quarter: null, half: null, status: c.totalStatus, ...flowOrEmpty(c.total, c.totalStatus), ...cumAt(11), remark_th: remark(c.total, c.totalStatus) });
      return rows;
    }
    case "corruption-outcomes": {
      const c = await corruptionStats(db, fy);
      return (["substantiated", "unsubstantiated", "referred"] as const).map((o) => ({
        outcome: o,
        outcome_th: th(`data.values.outcome.${o}`),
        outcome_en: en(`data.values.outcome.${o}`),
        cases: c.outcomes[o],
      }));
    }
    case "corruption-by-kind": {
      // The small-cell rule (app/lib/stat-definitions.ts small_cells): every kind is published, or none is.
      const c = await corruptionStats(db, fy);
      const integrityTh = tFor("th", "integrity");
      const integrityEn = tFor("en", "integrity");
      const counts = new Map(c.byKind.rows.map((k) => [k.tag, k.n]));
      return REPORT_TAGS.map((tag) => ({
        kind: tag,
        kind_th: integrityTh(`tags.${tag}`),
        kind_en: integrityEn(`tags.${tag}`),
        received: c.byKind.shown ? (counts.get(tag) ?? 0) : null,
        withheld: !c.byKind.shown,
      }));
    }
    case "targets": {
      const rows = await planTargets(db, fy);
      const stTh = tFor("th", "stats");
      const stEn = tFor("en", "stats");
      return rows.map((r) => {
        const cur = indicatorValue(r.current);
        const prev = indicatorValue(r.previous);
        const parts = r.current.parts;
        return {
          measure: r.measure,
          indicator: r.key,
          name_th: stTh(`targets.${r.key}.name`),
          name_en: stEn(`targets.${r.key}.name`),
          target_th: stTh(`targets.${r.key}.target`),
          target_en: stEn(`targets.${r.key}.target`),
          unit: r.current.unit,
          value: cur.value,
          suppressed: cur.suppressed,
          previous_value: prev.value,
          previous_suppressed: prev.suppressed,
          verdict: r.verdict,
          verdict_th: th(`data.values.verdict.${r.verdict}`),
          provisional: r.provisional,
          from: r.window.current.from,
          to: r.window.current.to,
          previous_from: r.window.previous.from,
          previous_to: r.window.previous.to,
          answers: r.current.answers ?? null,
          general_value: parts?.general ?? null,
          corruption_value: parts ? (parts.corruptionSuppressed ? null : parts.corruption) : null,
          corruption_suppressed: parts ? parts.corruptionSuppressed : null,
        };
      });
    }
    case "satisfaction": {
      const all = await Promise.all(SATISFACTION_PERIODS.map((p) => complaintStats(db, fy, p)));
      return [
        ...all.map((s) => satisfactionRow("cases", s.period, fy, s.satisfaction, s.status)),
        ...all.map((s) => satisfactionRow("counter", s.period, fy, s.counterSatisfaction, s.status)),
      ];
    }
  }
}

/** Whether open data exists for this fiscal year (the years listed on the dictionary page). */
export async function isPublishedYear(db: DB, fy: number): Promise<boolean> {
  if (!Number.isInteger(fy)) return false;
  return (await availableFiscalYears(db)).includes(fy);
}

/** One table for one fiscal year, with its column dictionary. */
export async function buildOpenDataTable(db: DB, fy: number, table: OpenDataTableName): Promise<OpenDataTable> {
  const rows = await buildRows(db, fy, table);
  const cols = TABLE_COLUMNS[table];
  // Every row carries exactly the table's columns, in order (missing → null), so CSV and JSON agree.
  const shaped = rows.map((r) => Object.fromEntries(cols.map((c) => [c.key, r[c.key] ?? null])) as Row);
  return { fiscalYear: fy, table, generatedAt: nowIso(), columns: columnInfo(table), rows: shaped };
}

/** The CSV file of a table: BOM, one header row "<Thai> (<key>)", CRLF. */
export function openDataCsv(t: OpenDataTable): string {
  const cols = TABLE_COLUMNS[t.table];
  return toCsv(
    cols.map((c) => csvHeading(c.key)),
    t.rows.map((r) => cols.map((c) => r[c.key] as CsvCell)),
  );
}

/** The JSON file of a table. */
export function openDataJson(t: OpenDataTable): string {
  return JSON.stringify({ fiscalYear: t.fiscalYear, table: t.table, generatedAt: t.generatedAt, columns: t.columns, rows: t.rows }, null, 1);
}

/** "sujarit-2569-complaints-by-month.csv". */
export function openDataFileName(fy: number, table: OpenDataTableName, format: OpenDataFormat): string {
  return `sujarit-${fy}-${table}.${format}`;
}

/** "/stats/data/2569/complaints-by-month.csv". */
export function openDataPath(fy: number, table: OpenDataTableName, format: OpenDataFormat): string {
  return `/stats/data/${fy}/${table}.${format}`;
}

/** Parses "<table>.<ext>" from the URL; null when either part is unknown. */
export function parseOpenDataFile(file: string | undefined): { table: OpenDataTableName; format: OpenDataFormat } | null {
  const m = /^([a-z-]+)\.(csv|json)$/.exec(file ?? "");
  if (!m || !isOpenDataTable(m[1])) return null;
  return { table: m[1], format: m[2] as OpenDataFormat };
}
