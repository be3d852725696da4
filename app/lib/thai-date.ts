/** Bangkok (UTC+7, no DST) date helpers and Thai Buddhist-calendar formatting. */

/** UI language. */
export type Lang = "th" | "en";

/** Fixed offset of Asia/Bangkok from UTC in milliseconds (no DST). */
export const BANGKOK_OFFSET_MS = 7 * 3600 * 1000;

const DAY_MS = 24 * 3600 * 1000;

const THAI_MONTHS_LONG = [
  "มกราคม",
  "กุมภาพันธ์",
  "มีนาคม",
  "เมษายน",
  "พฤษภาคม",
  "มิถุนายน",
  "กรกฎาคม",
  "สิงหาคม",
  "กันยายน",
  "ตุลาคม",
  "พฤศจิกายน",
  "ธันวาคม",
] as const;

const THAI_MONTHS_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."] as const;

const EN_MONTHS_LONG = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

const EN_MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** Broken-down Bangkok wall-clock time (CE year). */
export interface BangkokParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** Shifts an instant so its UTC fields read as Bangkok wall time. */
function shifted(d: Date): Date {
  return new Date(d.getTime() + BANGKOK_OFFSET_MS);
}

/** Bangkok wall-clock parts of an instant (month 1-12, weekday 0=Sunday). */
export function bangkokParts(d: Date): BangkokParts {
  const s = shifted(d);
  return {
    year: s.getUTCFullYear(),
    month: s.getUTCMonth() + 1,
    day: s.getUTCDate(),
    hour: s.getUTCHours(),
    minute: s.getUTCMinutes(),
    second: s.getUTCSeconds(),
    weekday: s.getUTCDay(),
  };
}

/** Zero-pads a non-negative integer. */
function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** "YYYY-MM-DD" (CE) of the Bangkok local date of an instant. */
export function bangkokDateKey(d: Date): string {
  const p = bangkokParts(d);
  return `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}`;
}

/** Parses a strict "YYYY-MM-DD" key into numbers; throws on malformed or impossible dates. */
function parseDateKey(key: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m) throw new RangeError(`Invalid date key: ${key}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new RangeError(`Invalid date key: ${key}`);
  }
  return { year, month, day };
}

/** Instant of 00:00 Bangkok time on the given "YYYY-MM-DD" date. */
export function dateFromBangkokKey(key: string): Date {
  const { year, month, day } = parseDateKey(key);
  return new Date(Date.UTC(year, month - 1, day) - BANGKOK_OFFSET_MS);
}

/** Instant of 00:00:00.000 Bangkok on the Bangkok date of `d`. */
export function startOfBangkokDay(d: Date): Date {
  const local = d.getTime() + BANGKOK_OFFSET_MS;
  const localMidnight = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  return new Date(localMidnight - BANGKOK_OFFSET_MS);
}

/** Instant of 23:59:59.999 Bangkok on the Bangkok date of `d`. */
export function endOfBangkokDay(d: Date): Date {
  return new Date(startOfBangkokDay(d).getTime() + DAY_MS - 1);
}

/** Same Bangkok wall time `n` days later (or earlier when negative). */
export function addBangkokDays(d: Date, n: number): Date {
  return new Date(d.getTime() + n * DAY_MS);
}

/** Converts a CE year to the Buddhist Era (+543). */
export function toBuddhistYear(ce: number): number {
  return ce + 543;
}

/** Converts a Buddhist Era year to CE (-543). */
export function fromBuddhistYear(be: number): number {
  return be - 543;
}

/** Replaces Thai digits ๐-๙ with ASCII 0-9. */
export function toArabicDigits(s: string): string {
  return s.replace(/[\u0E50-\u0E59]/g, (ch) => String(ch.charCodeAt(0) - 0x0e50));
}

/** The full name of a month (1–12) in the chosen language ("มกราคม", "January"). */
export function monthName(month: number, lang: Lang): string {
  return (lang === "th" ? THAI_MONTHS_LONG : EN_MONTHS_LONG)[month - 1] ?? "";
}

/** Formatting options for Thai dates. */
export interface ThaiDateOptions {
  withTime?: boolean;
  short?: boolean;
}

/** Formats day/month/BE-year plus optional time in the chosen language. */
function formatParts(
  p: { year: number; month: number; day: number; hour: number; minute: number },
  lang: Lang,
  opts: ThaiDateOptions,
): string {
  const be = toBuddhistYear(p.year);
  const time = `${pad(p.hour, 2)}:${pad(p.minute, 2)}`;
  if (lang === "th") {
    const month = (opts.short ? THAI_MONTHS_SHORT : THAI_MONTHS_LONG)[p.month - 1];
    const date = `${p.day} ${month} ${be}`;
    return opts.withTime ? `${date} เวลา ${time} น.` : date;
  }
  const month = (opts.short ? EN_MONTHS_SHORT : EN_MONTHS_LONG)[p.month - 1];
  const date = `${p.day} ${month} ${be} BE`;
  return opts.withTime ? `${date}, ${time}` : date;
}

/** Formats an instant as a Bangkok-local Buddhist-calendar date, e.g. "26 พฤศจิกายน 2569". */
export function formatThaiDate(d: Date, lang: Lang, opts: ThaiDateOptions = {}): string {
  return formatParts(bangkokParts(d), lang, opts);
}

/** Formats a "YYYY-MM-DD" key like formatThaiDate (time, if requested, is 00:00). */
export function formatThaiDateKey(key: string, lang: Lang, opts: ThaiDateOptions = {}): string {
  const { year, month, day } = parseDateKey(key);
  return formatParts({ year, month, day, hour: 0, minute: 0 }, lang, opts);
}
