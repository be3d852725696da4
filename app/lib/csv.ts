/**
 * RFC 4180 CSV writer for the open-data downloads (pure, no I/O).
 *
 * - Fields that contain a comma, a double quote, CR or LF are wrapped in double quotes; quotes inside are doubled.
 * - Records end with CRLF (including the last one, as RFC 4180 allows).
 * - The document starts with a UTF-8 byte-order mark (U+FEFF) so Excel opens Thai text correctly instead of
 *   guessing a legacy code page; every other CSV reader ignores or strips it.
 * - Spreadsheet formula injection: a TEXT cell that starts with = + - @ (or a tab / CR, which some spreadsheets also
 *   treat as the start of a formula) is prefixed with an apostrophe so it is shown as text and never evaluated.
 *   Numbers stay numeric: a negative number is written as "-3", not "'-3" (only strings are neutralised).
 */

export type CsvCell = string | number | boolean | null | undefined;

/** The byte-order mark written first (as a character; encoded as EF BB BF in UTF-8). */
export const CSV_BOM = "\uFEFF";

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made safe for spreadsheets (formula prefix neutralised). Exported for tests. */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** One cell as CSV text: null/undefined → empty; finite numbers as plain decimals; text neutralised and quoted. */
export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "";
    // Plain decimal (no exponent for ordinary figures); -0 → 0.
    return Object.is(v, -0) ? "0" : String(v);
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  const s = neutraliseFormula(String(v));
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record (no line end). */
export function csvRow(cells: readonly CsvCell[]): string {
  return cells.map(csvCell).join(",");
}

/** A whole document: optional BOM, one header record, then the rows, every record ended with CRLF. */
export function toCsv(
  header: readonly string[] | null,
  rows: readonly (readonly CsvCell[])[],
  { bom = true }: { bom?: boolean } = {},
): string {
  const lines: string[] = [];
  if (header) lines.push(csvRow(header));
  for (const r of rows) lines.push(csvRow(r));
  return (bom ? CSV_BOM : "") + lines.map((l) => `${l}\r\n`).join("");
}

/**
 * Parses RFC 4180 text back into records (strips a leading BOM). Used by tests and by anyone checking a file; it
 * does not undo the formula prefix.
 */
export function parseCsv(text: string): string[][] {
  const s = text.startsWith(CSV_BOM) ? text.slice(1) : text;
  const out: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  let any = false;
  while (i < s.length) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      any = true;
      i++;
      continue;
    }
    if (ch === ",") {
      row.push(field);
      field = "";
      any = true;
      i++;
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      row.push(field);
      out.push(row);
      row = [];
      field = "";
      any = false;
      i += ch === "\r" && s[i + 1] === "\n" ? 2 : 1;
      continue;
    }
    field += ch;
    any = true;
    i++;
  }
  if (any || field !== "") {
    row.push(field);
    out.push(row);
  }
  return out;
}
