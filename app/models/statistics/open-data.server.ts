/**
 * Open data: every statistics table as a downloadable CSV and JSON file per fiscal year, at stable URLs
 * (/stats/data/<fy>/<table>.csv|json), described column by column on the data dictionary page (/stats/data).
 *
 * One definition per table: a stable slug, its columns (machine key, type) and how its rows are built from the
 * statistics API (complaintStats / corruptionStats / planTargets in app/models/statistics/figures.server.ts). Column headings and
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
import type { DB } from "../../../db/connection";
import { toCsv, type CsvCell } from "~/lib/csv";
import { availableFiscalYears } from "~/models/statistics/figures.server";
import { nowIso } from "~/utils/clock.server";
import {
  TABLE_COLUMNS,
  columnInfo,
  csvHeading,
  isOpenDataTable,
  type OpenDataFormat,
  type OpenDataTable,
  type OpenDataTableName,
  type Row,
} from "./open-data-columns.server";
import { buildRows } from "./open-data-rows.server";

export {
  COLUMN_TYPES,
  OPEN_DATA_FORMATS,
  OPEN_DATA_TABLES,
  TABLE_COLUMNS,
  columnDescription,
  columnInfo,
  columnLabel,
  csvHeading,
  isOpenDataTable,
  percent,
  thaiMonthLabel,
  type Cell,
  type ColumnInfo,
  type ColumnType,
  type OpenDataColumn,
  type OpenDataFormat,
  type OpenDataTable,
  type OpenDataTableName,
  type Row,
} from "./open-data-columns.server";

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
  return JSON.stringify(
    { fiscalYear: t.fiscalYear, table: t.table, generatedAt: t.generatedAt, columns: t.columns, rows: t.rows },
    null,
    1,
  );
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
