/**
 * Thai government holidays (วันหยุดราชการ) and substitution days (วันหยุดชดเชย) for 2023–2027 (พ.ศ. 2566–2570):
 * the seed of the `holidays` table, used for working-day deadlines. Admins correct and extend the table at
 * /staff/admin/holidays (cabinet special days are announced every year; the Royal Ploughing day is set by the palace).
 *
 * How this list was checked (no date comes from an astronomical full-moon calculation, which is what makes some
 * libraries a day off, e.g. Asalha Bucha 2567):
 * - Fixed dates: the Holidays Act and cabinet resolutions (1 Jan, 6 Apr, 13–15 Apr, 4 May, 3 Jun, 28 Jul, 12 Aug,
 *   13 Oct, 23 Oct, 5 Dec, 10 Dec, 31 Dec). Weekdays are verified by tests/unit/holidays-th.test.ts.
 * - Substitution days follow the cabinet rule in force since 2001 (a holiday on a Saturday or Sunday is replaced by the
 *   next working day), with the known special cases: Songkran gets ONE substitution day for the three days; Asalha
 *   Bucha + Khao Phansa together get one. New Year's Eve and New Year's Day on a weekend: the year's announcement
 *   decides (2566: Sat 31 Dec and Sun 1 Jan gave the special day Fri 30 Dec 2022 and ONE substitution day, Mon 2 Jan,
 *   as the Secretariat of the Cabinet's list for 2566 reported in the press shows; Tue 3 Jan 2023 was a working day).
 * - Buddhist lunar days (Makha, Visakha, Asalha, Khao Phansa) and the special days: cross-checked against the Bank of
 *   Thailand's published financial-institution holidays for 2024–2026 (lunar days and substitutions agree; the BoT
 *   list leaves out Khao Phansa and adds Labour Day, which are sector differences, not date differences) and the
 *   python-holidays Thailand government calendar, whose lunar days come from the Thai year-type tables (not
 *   astronomy) and match every announced year 2023–2026.
 * - Deliberately LEFT OUT: Labour Day (1 May; not a government holiday), Children's Day (always a Saturday), the
 *   substitution for New Year's Eve 2566 on 2 Jan 2024 (cancelled by the cabinet, which gave Fri 29 Dec 2023 instead),
 *   and 2027 special days (not announced yet). 2027 lunar days are computed from the Thai calendar, not yet announced
 *   by the cabinet: check them against the official 2570 calendar when it is published.
 */

export type HolidayKind = "official" | "substitution" | "special";

export interface ThaiHoliday {
  /** Bangkok date, CE, YYYY-MM-DD. */
  date: string;
  kind: HolidayKind;
  nameTh: string;
  nameEn: string;
}

const N = {
  newYear: ["วันขึ้นปีใหม่", "New Year's Day"],
  newYearEve: ["วันสิ้นปี", "New Year's Eve"],
  makha: ["วันมาฆบูชา", "Makha Bucha Day"],
  chakri: ["วันจักรี", "Chakri Memorial Day"],
  songkran: ["วันสงกรานต์", "Songkran Festival"],
  coronation: ["วันฉัตรมงคล", "Coronation Day"],
  ploughing: ["วันพืชมงคล", "Royal Ploughing Ceremony Day"],
  visakha: ["วันวิสาขบูชา", "Visakha Bucha Day"],
  queen: ["วันเฉลิมพระชนมพรรษาสมเด็จพระนางเจ้าสุทิดา พัชรสุธาพิมลลักษณ พระบรมราชินี", "H.M. Queen Suthida's Birthday"],
  asalha: ["วันอาสาฬหบูชา", "Asalha Bucha Day"],
  khaoPhansa: ["วันเข้าพรรษา", "Buddhist Lent Day (Khao Phansa)"],
  king: ["วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระเจ้าอยู่หัว", "H.M. King Maha Vajiralongkorn's Birthday"],
  mother: ["วันเฉลิมพระชนมพรรษาพระบรมราชชนนีพันปีหลวง และวันแม่แห่งชาติ", "H.M. Queen Sirikit The Queen Mother's Birthday / Mother's Day"],
  rama9Memorial: ["วันนวมินทรมหาราช", "King Bhumibol Adulyadej The Great Memorial Day"],
  chulalongkorn: ["วันปิยมหาราช", "King Chulalongkorn Day"],
  father: [
    "วันคล้ายวันพระบรมราชสมภพ รัชกาลที่ 9 วันชาติ และวันพ่อแห่งชาติ",
    "King Bhumibol Adulyadej The Great's Birthday / National Day / Father's Day",
  ],
  constitution: ["วันรัฐธรรมนูญ", "Constitution Day"],
  special: ["วันหยุดราชการเพิ่มเป็นกรณีพิเศษ", "Special government holiday (cabinet)"],
} as const satisfies Record<string, readonly [string, string]>;

type Key = keyof typeof N;

function o(date: string, key: Key): ThaiHoliday {
  return { date, kind: "official", nameTh: N[key][0], nameEn: N[key][1] };
}
/** A substitution day for the holiday `key` that fell on a weekend. */
function s(date: string, key: Key): ThaiHoliday {
  return { date, kind: "substitution", nameTh: `ชดเชย${N[key][0]}`, nameEn: `Substitution for ${N[key][1]}` };
}
function sp(date: string): ThaiHoliday {
  return { date, kind: "special", nameTh: N.special[0], nameEn: N.special[1] };
}

export const THAI_HOLIDAYS: readonly ThaiHoliday[] = [
  // ---- 2023 / พ.ศ. 2566 (a year with a double 8th lunar month: Makha and Visakha fall a month later) ----
  o("2023-01-01", "newYear"), // Sun
  s("2023-01-02", "newYear"), // Mon, for Sun 1 Jan (New Year break: special day Fri 30 Dec 2565 – Mon 2 Jan 2566)
  // Tue 3 Jan 2023 was a working day: the government's list for 2566 gives no second substitution day.
  o("2023-03-06", "makha"), // Mon, full moon of the 4th month (double-8th year)
  o("2023-04-06", "chakri"), // Thu
  o("2023-04-13", "songkran"), // Thu
  o("2023-04-14", "songkran"), // Fri
  o("2023-04-15", "songkran"), // Sat
  s("2023-04-17", "songkran"), // Mon, one day for Sat 15 Apr
  o("2023-05-04", "coronation"), // Thu
  sp("2023-05-05"), // Fri, cabinet special day (BoT, python-holidays)
  o("2023-05-17", "ploughing"), // Wed, date set by the Royal Court
  o("2023-06-03", "visakha"), // Sat, same day as the Queen's birthday
  o("2023-06-03", "queen"), // (same date; one row is stored per date)
  s("2023-06-05", "visakha"), // Mon, one substitution day for Sat 3 Jun
  o("2023-07-28", "king"), // Fri
  sp("2023-07-31"), // Mon, cabinet special day (long weekend 28 Jul – 2 Aug 2566)
  o("2023-08-01", "asalha"), // Tue, 8-8 full moon (double-8th year)
  o("2023-08-02", "khaoPhansa"), // Wed
  o("2023-08-12", "mother"), // Sat
  s("2023-08-14", "mother"), // Mon
  o("2023-10-13", "rama9Memorial"), // Fri
  o("2023-10-23", "chulalongkorn"), // Mon
  o("2023-12-05", "father"), // Tue
  o("2023-12-10", "constitution"), // Sun
  s("2023-12-11", "constitution"), // Mon
  sp("2023-12-29"), // Fri, cabinet special day (replaced the 2 Jan 2024 substitution, which was cancelled)
  o("2023-12-31", "newYearEve"), // Sun — its substitution (Tue 2 Jan 2024) was cancelled: not listed

  // ---- 2024 / พ.ศ. 2567 ----
  o("2024-01-01", "newYear"), // Mon
  o("2024-02-24", "makha"), // Sat
  s("2024-02-26", "makha"), // Mon
  o("2024-04-06", "chakri"), // Sat
  s("2024-04-08", "chakri"), // Mon
  sp("2024-04-12"), // Fri, cabinet special day before Songkran (BoT, python-holidays)
  o("2024-04-13", "songkran"), // Sat
  o("2024-04-14", "songkran"), // Sun
  o("2024-04-15", "songkran"), // Mon
  s("2024-04-16", "songkran"), // Tue, ONE day for Sat 13 + Sun 14 (BoT: "ชดเชยวันสงกรานต์ (13 และ 14 เมษายน 2567)")
  o("2024-05-04", "coronation"), // Sat
  s("2024-05-06", "coronation"), // Mon
  o("2024-05-10", "ploughing"), // Fri, date set by the Royal Court
  o("2024-05-22", "visakha"), // Wed
  o("2024-06-03", "queen"), // Mon
  o("2024-07-20", "asalha"), // SATURDAY 20 Jul 2024 (astronomical full moon is the 21st: the classic library error)
  o("2024-07-21", "khaoPhansa"), // Sun, no substitution of its own
  s("2024-07-22", "asalha"), // Mon (BoT: "ชดเชยวันอาสาฬหบูชา (วันเสาร์ที่ 20 กรกฎาคม 2567)")
  o("2024-07-28", "king"), // Sun
  s("2024-07-29", "king"), // Mon
  o("2024-08-12", "mother"), // Mon
  o("2024-10-13", "rama9Memorial"), // Sun
  s("2024-10-14", "rama9Memorial"), // Mon
  o("2024-10-23", "chulalongkorn"), // Wed
  o("2024-12-05", "father"), // Thu
  o("2024-12-10", "constitution"), // Tue
  sp("2024-12-30"), // Mon, cabinet special day (python-holidays)
  o("2024-12-31", "newYearEve"), // Tue

  // ---- 2025 / พ.ศ. 2568 ----
  o("2025-01-01", "newYear"), // Wed
  o("2025-02-12", "makha"), // Wed
  o("2025-04-06", "chakri"), // Sun
  s("2025-04-07", "chakri"), // Mon
  o("2025-04-13", "songkran"), // Sun
  o("2025-04-14", "songkran"), // Mon
  o("2025-04-15", "songkran"), // Tue
  s("2025-04-16", "songkran"), // Wed, government only (the BoT did not give it to banks)
  o("2025-05-04", "coronation"), // Sun
  s("2025-05-05", "coronation"), // Mon
  o("2025-05-09", "ploughing"), // Fri, date set by the Royal Court
  o("2025-05-11", "visakha"), // Sun
  s("2025-05-12", "visakha"), // Mon
  sp("2025-06-02"), // Mon, cabinet special day (BoT, python-holidays)
  o("2025-06-03", "queen"), // Tue
  o("2025-07-10", "asalha"), // Thu
  o("2025-07-11", "khaoPhansa"), // Fri
  o("2025-07-28", "king"), // Mon
  sp("2025-08-11"), // Mon, cabinet special day (BoT, python-holidays)
  o("2025-08-12", "mother"), // Tue
  o("2025-10-13", "rama9Memorial"), // Mon
  o("2025-10-23", "chulalongkorn"), // Thu
  o("2025-12-05", "father"), // Fri
  o("2025-12-10", "constitution"), // Wed
  o("2025-12-31", "newYearEve"), // Wed

  // ---- 2026 / พ.ศ. 2569 (double 8th lunar month again: Makha on the 4th-month full moon) ----
  o("2026-01-01", "newYear"), // Thu
  sp("2026-01-02"), // Fri, cabinet special day (BoT, python-holidays)
  o("2026-03-03", "makha"), // Tue (BoT)
  o("2026-04-06", "chakri"), // Mon
  o("2026-04-13", "songkran"), // Mon
  o("2026-04-14", "songkran"), // Tue
  o("2026-04-15", "songkran"), // Wed
  o("2026-05-04", "coronation"), // Mon
  o("2026-05-13", "ploughing"), // Wed, date set by the Royal Court (python-holidays; not a computed date)
  o("2026-05-31", "visakha"), // Sun
  s("2026-06-01", "visakha"), // Mon (BoT: "ชดเชยวันวิสาขบูชา (วันอาทิตย์ที่ 31 พฤษภาคม 2569)")
  o("2026-06-03", "queen"), // Wed
  o("2026-07-28", "king"), // Tue
  o("2026-07-29", "asalha"), // Wed (BoT)
  o("2026-07-30", "khaoPhansa"), // Thu
  o("2026-08-12", "mother"), // Wed
  o("2026-10-13", "rama9Memorial"), // Tue
  o("2026-10-23", "chulalongkorn"), // Fri
  o("2026-12-05", "father"), // Sat
  s("2026-12-07", "father"), // Mon
  o("2026-12-10", "constitution"), // Thu
  o("2026-12-31", "newYearEve"), // Thu

  // ---- 2027 / พ.ศ. 2570 (lunar days computed from the Thai calendar; Royal Ploughing and special days not yet
  //      announced — add them on the admin page) ----
  o("2027-01-01", "newYear"), // Fri
  o("2027-02-21", "makha"), // Sun (computed)
  s("2027-02-22", "makha"), // Mon
  o("2027-04-06", "chakri"), // Tue
  o("2027-04-13", "songkran"), // Tue
  o("2027-04-14", "songkran"), // Wed
  o("2027-04-15", "songkran"), // Thu
  o("2027-05-04", "coronation"), // Tue
  o("2027-05-20", "visakha"), // Thu (computed)
  o("2027-06-03", "queen"), // Thu
  o("2027-07-18", "asalha"), // Sun (computed)
  o("2027-07-19", "khaoPhansa"), // Mon (computed)
  s("2027-07-20", "asalha"), // Tue, for Sun 18 Jul (Khao Phansa already takes Monday)
  o("2027-07-28", "king"), // Wed
  o("2027-08-12", "mother"), // Thu
  o("2027-10-13", "rama9Memorial"), // Wed
  o("2027-10-23", "chulalongkorn"), // Sat
  s("2027-10-25", "chulalongkorn"), // Mon
  o("2027-12-05", "father"), // Sun
  s("2027-12-06", "father"), // Mon
  o("2027-12-10", "constitution"), // Fri
  o("2027-12-31", "newYearEve"), // Fri
];

/**
 * One row per date (the table's key): when two holidays share a day (3 Jun 2023), their names are joined.
 */
export function holidaySeedRows(): ThaiHoliday[] {
  const byDate = new Map<string, ThaiHoliday>();
  for (const h of THAI_HOLIDAYS) {
    const prev = byDate.get(h.date);
    byDate.set(h.date, prev ? { ...prev, nameTh: `${prev.nameTh} / ${h.nameTh}`, nameEn: `${prev.nameEn} / ${h.nameEn}` } : { ...h });
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** The seeded dates as a set of "YYYY-MM-DD" keys (for tests and for code that runs without a database). */
export function thaiHolidaySet(): ReadonlySet<string> {
  return new Set(THAI_HOLIDAYS.map((h) => h.date));
}
