/** Thai government fiscal year (1 Oct – 30 Sep, named by the BE year in which it ends). */
import { bangkokParts, dateFromBangkokKey, fromBuddhistYear, toBuddhistYear, type Lang } from "./thai-date";

/** Fiscal year (BE) containing the Bangkok local date of `d`. */
export function fiscalYearOf(d: Date): number {
  const { year, month } = bangkokParts(d);
  return toBuddhistYear(month >= 10 ? year + 1 : year);
}

/**
 * A fiscal year as written in running text. Fiscal years are kept in the Buddhist Era everywhere (fiscalYearOf), so
 * this never converts again: "2570" in Thai (after "ปีงบประมาณ"), "2570 BE" in English. A number outside the
 * Buddhist-Era range is a programming error (a CE year, or one converted twice) and throws.
 */
export function fiscalYearText(fyBE: number, lang: Lang): string {
  if (!Number.isInteger(fyBE) || fyBE < 2400 || fyBE > 2800) throw new RangeError(`Not a Buddhist-Era fiscal year: ${fyBE}`);
  return lang === "th" ? String(fyBE) : `${fyBE} BE`;
}

/** Start (00:00 Bangkok 1 Oct) and exclusive end (00:00 Bangkok next 1 Oct) of a fiscal year. */
export function fiscalYearRange(fyBE: number): { start: Date; endExclusive: Date } {
  const endCe = fromBuddhistYear(fyBE);
  return {
    start: dateFromBangkokKey(`${String(endCe - 1).padStart(4, "0")}-10-01`),
    endExclusive: dateFromBangkokKey(`${String(endCe).padStart(4, "0")}-10-01`),
  };
}

/** The 12 calendar months (CE year, month 1-12) of a fiscal year, October first. */
export function fiscalYearMonths(fyBE: number): { year: number; month: number }[] {
  const endCe = fromBuddhistYear(fyBE);
  const months: { year: number; month: number }[] = [];
  for (let i = 0; i < 12; i++) {
    const m = ((9 + i) % 12) + 1;
    months.push({ year: m >= 10 ? endCe - 1 : endCe, month: m });
  }
  return months;
}

/** Zero-based month index within the fiscal year (October = 0). */
function fiscalMonthIndex(d: Date): number {
  return (bangkokParts(d).month + 2) % 12;
}

/** Fiscal quarter (Q1 = Oct–Dec) of the Bangkok local date of `d`. */
export function fiscalQuarterOf(d: Date): 1 | 2 | 3 | 4 {
  return (Math.floor(fiscalMonthIndex(d) / 3) + 1) as 1 | 2 | 3 | 4;
}

/** Fiscal half (H1 = Oct–Mar) of the Bangkok local date of `d`. */
export function fiscalHalfOf(d: Date): 1 | 2 {
  return fiscalMonthIndex(d) < 6 ? 1 : 2;
}
