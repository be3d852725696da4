/**
 * Reading a date typed or picked in the Buddhist calendar on a staff form. The date picker (app/components/
 * date-picker.tsx) posts three fields — `<name>Day`, `<name>Month` (1–12) and `<name>Year` (พ.ศ.) — and works without
 * JavaScript; a single `<name>` field is also read, as "วว/ดด/ปปปป" with a Buddhist-Era year (what an officer types)
 * or "YYYY-MM-DD" (the machine form used by scripts). The result is the "YYYY-MM-DD" (CE) date key the models store.
 */
import { fromBuddhistYear, toArabicDigits, toBuddhistYear } from "./thai-date";

/** The field name suffixes of the picker's three parts. */
export const DATE_PARTS = { day: "Day", month: "Month", year: "Year" } as const;

/** Lowest and highest Buddhist-Era year accepted (a CE year such as 2026 is refused with its own message). */
export const MIN_BE_YEAR = 2400;
export const MAX_BE_YEAR = 2800;

/** Why a date could not be read; each has a message under common:datePicker.errors. */
export type DateInputProblem = "missing" | "incomplete" | "invalid" | "format" | "notBuddhist";

export type DateInputResult = { ok: true; key: string } | { ok: false; problem: DateInputProblem };

const pad = (n: number, w: number) => String(n).padStart(w, "0");

/** A real calendar date (CE year) as its "YYYY-MM-DD" key, or null (31 February, month 13…). */
function keyOf(yearCe: number, month: number, day: number): string | null {
  if (!Number.isInteger(yearCe) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const probe = new Date(Date.UTC(yearCe, month - 1, day));
  if (probe.getUTCFullYear() !== yearCe || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return `${pad(yearCe, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Day, month and Buddhist-Era year as numbers → the CE date key, or the problem. */
export function buddhistDateKey(day: number, month: number, yearBE: number): DateInputResult {
  if (yearBE >= 1900 && yearBE < MIN_BE_YEAR) return { ok: false, problem: "notBuddhist" };
  if (yearBE < MIN_BE_YEAR || yearBE > MAX_BE_YEAR) return { ok: false, problem: "invalid" };
  const key = keyOf(fromBuddhistYear(yearBE), month, day);
  return key ? { ok: true, key } : { ok: false, problem: "invalid" };
}

const text = (v: unknown) => (typeof v === "string" ? toArabicDigits(v).trim() : "");
const digits = (s: string) => (/^\d{1,4}$/.test(s) ? Number(s) : NaN);

/** Reads the date named `name` from a form's fields (`get` returns a field's value). */
export function readBuddhistDateInput(get: (field: string) => unknown, name: string): DateInputResult {
  const parts = [text(get(name + DATE_PARTS.day)), text(get(name + DATE_PARTS.month)), text(get(name + DATE_PARTS.year))];
  if (parts.some((p) => p !== "")) {
    if (parts.some((p) => p === "")) return { ok: false, problem: "incomplete" };
    const [d, m, y] = parts.map(digits) as [number, number, number];
    if ([d, m, y].some(Number.isNaN)) return { ok: false, problem: "format" };
    return buddhistDateKey(d, m, y);
  }
  const single = text(get(name));
  if (single === "") return { ok: false, problem: "missing" };
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(single);
  if (iso) {
    const key = keyOf(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return key ? { ok: true, key } : { ok: false, problem: "invalid" };
  }
  const typed = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$/.exec(single);
  if (!typed) return { ok: false, problem: "format" };
  return buddhistDateKey(Number(typed[1]), Number(typed[2]), Number(typed[3]));
}

/** The picker's parts for a "YYYY-MM-DD" key (empty when there is none or it is malformed). */
export function datePartsOf(key: string | null | undefined): { day: string; month: string; year: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key ?? "");
  if (!m) return { day: "", month: "", year: "" };
  return { day: String(Number(m[3])), month: String(Number(m[2])), year: String(toBuddhistYear(Number(m[1]))) };
}
