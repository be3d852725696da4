/**
 * Open data tables and their columns (app/models/statistics/open-data.server.ts): table slugs, column keys and types,
 * and the headings and descriptions of each column from the `statreport` locale.
 */
import type { TFunction } from "i18next";
import { tFor } from "~/i18n";
import { columnDefinition } from "~/lib/stat-definitions";
import { formatThaiDateKey } from "~/lib/thai-date";

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
  "complaints-by-month": [
    { key: "month", type: "month" },
    { key: "month_th", type: "text" },
    { key: "status", type: "text" },
    ...FLOW_COLS,
  ],
  "complaints-by-category": [
    { key: "category_id", type: "integer" },
    { key: "category_code", type: "text" },
    { key: "category_th", type: "text" },
    { key: "category_en", type: "text" },
    ...FLOW_COLS,
  ],
  "complaints-by-channel": [
    { key: "channel", type: "text" },
    { key: "channel_th", type: "text" },
    { key: "channel_en", type: "text" },
    ...FLOW_COLS,
  ],
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

/** Share 0..1 → percent with one decimal; null stays null. */
export function percent(s: number | null | undefined): number | null {
  if (s === null || s === undefined || !Number.isFinite(s)) return null;
  return Math.round(s * 1000) / 10;
}

/** "ตุลาคม 2568" for "2025-10". */
export function thaiMonthLabel(month: string, lang: "th" | "en" = "th"): string {
  return formatThaiDateKey(`${month}-01`, lang).replace(/^1 /, "");
}

export function t(lang: "th" | "en" = "th"): TFunction {
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
