/** Spot checks of the seeded Thai government holidays 2023–2027 (db/holidays-th.ts). */
import { describe, expect, it } from "vitest";
import { THAI_HOLIDAYS, holidaySeedRows, thaiHolidaySet } from "../../db/holidays-th";

const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay(); // 0 = Sunday
const find = (d: string) => holidaySeedRows().find((h) => h.date === d);

describe("seeded Thai holidays", () => {
  it("Asalha Bucha 2567 is Saturday 20 July 2024 with the substitution day Monday 22 July 2024", () => {
    expect(weekday("2024-07-20")).toBe(6);
    expect(find("2024-07-20")).toMatchObject({ kind: "official", nameEn: "Asalha Bucha Day" });
    expect(find("2024-07-21")).toMatchObject({ kind: "official", nameTh: "วันเข้าพรรษา" });
    expect(find("2024-07-22")).toMatchObject({ kind: "substitution" });
    expect(weekday("2024-07-22")).toBe(1);
  });

  it("Buddhist lunar days on their official dates", () => {
    const lunar: Record<string, string> = {
      "2023-03-06": "Makha Bucha Day", // double-8th year: 4th-month full moon
      "2023-06-03": "Visakha Bucha Day",
      "2023-08-01": "Asalha Bucha Day",
      "2024-02-24": "Makha Bucha Day",
      "2024-05-22": "Visakha Bucha Day",
      "2025-02-12": "Makha Bucha Day",
      "2025-05-11": "Visakha Bucha Day",
      "2025-07-10": "Asalha Bucha Day",
      "2026-03-03": "Makha Bucha Day",
      "2026-05-31": "Visakha Bucha Day",
      "2026-07-29": "Asalha Bucha Day",
    };
    for (const [date, name] of Object.entries(lunar)) expect(find(date)?.nameEn, date).toContain(name);
  });

  it("has the fixed-date holidays every year 2023–2027", () => {
    const set = thaiHolidaySet();
    for (let y = 2023; y <= 2027; y++) {
      for (const md of [
        "01-01",
        "04-06",
        "04-13",
        "04-14",
        "04-15",
        "05-04",
        "06-03",
        "07-28",
        "08-12",
        "10-13",
        "10-23",
        "12-05",
        "12-10",
        "12-31",
      ]) {
        expect(set.has(`${y}-${md}`), `${y}-${md}`).toBe(true);
      }
    }
  });

  it("substitution days for Songkran follow the one-day rule", () => {
    const set = thaiHolidaySet();
    expect(set.has("2023-04-17")).toBe(true); // Thu–Sat -> Mon
    expect(set.has("2024-04-16")).toBe(true); // Sat–Mon -> Tue (one day for two weekend days)
    expect(set.has("2024-04-17")).toBe(false);
    expect(set.has("2025-04-16")).toBe(true); // Sun–Tue -> Wed
    expect(set.has("2026-04-16")).toBe(false); // Mon–Wed: none
  });

  it("leaves out the cancelled 2 Jan 2024 substitution and Labour Day (not a government holiday)", () => {
    const set = thaiHolidaySet();
    expect(set.has("2024-01-02")).toBe(false);
    for (let y = 2023; y <= 2027; y++) expect(set.has(`${y}-05-01`)).toBe(false);
  });

  it("every substitution or special day is a weekday, and each substitution follows a weekend holiday", () => {
    const set = thaiHolidaySet();
    for (const h of THAI_HOLIDAYS) {
      if (h.kind === "official") continue;
      expect([0, 6], h.date).not.toContain(weekday(h.date));
      if (h.kind !== "substitution") continue;
      // Walk back over holidays/weekends to the weekend holiday it replaces (at most 4 days back).
      const back = [1, 2, 3, 4].map((n) => {
        const d = new Date(`${h.date}T00:00:00Z`);
        d.setUTCDate(d.getUTCDate() - n);
        return d.toISOString().slice(0, 10);
      });
      expect(
        back.some((d) => set.has(d) && [0, 6].includes(weekday(d))),
        h.date,
      ).toBe(true);
    }
  });

  it("seed rows have one row per date, sorted, covering 2023–2027", () => {
    const rows = holidaySeedRows();
    const dates = rows.map((r) => r.date);
    expect(new Set(dates).size).toBe(dates.length);
    expect([...dates].sort()).toEqual(dates);
    expect(dates[0].startsWith("2023")).toBe(true);
    expect(dates[dates.length - 1].startsWith("2027")).toBe(true);
    // 3 Jun 2023: Visakha Bucha and the Queen's birthday share one row.
    expect(find("2023-06-03")?.nameEn).toMatch(/Visakha.*Queen Suthida/);
    for (const r of rows) expect(r.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
