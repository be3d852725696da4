import { describe, expect, it } from "vitest";
import {
  BANGKOK_OFFSET_MS,
  addBangkokDays,
  bangkokDateKey,
  bangkokParts,
  dateFromBangkokKey,
  endOfBangkokDay,
  formatThaiDate,
  formatThaiDateKey,
  fromBuddhistYear,
  startOfBangkokDay,
  toArabicDigits,
  toBuddhistYear,
} from "~/lib/thai-date";

describe("bangkokParts", () => {
  it("shifts UTC by +7h", () => {
    expect(BANGKOK_OFFSET_MS).toBe(25_200_000);
    expect(bangkokParts(new Date("2025-11-26T07:05:09Z"))).toEqual({
      year: 2025,
      month: 11,
      day: 26,
      hour: 14,
      minute: 5,
      second: 9,
      weekday: 3,
    });
  });

  it("rolls over to the next Bangkok day and year", () => {
    expect(bangkokParts(new Date("2025-12-31T17:00:00Z"))).toEqual({
      year: 2026,
      month: 1,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
      weekday: 4,
    });
  });
});

describe("date keys", () => {
  it("uses the Bangkok local date", () => {
    expect(bangkokDateKey(new Date("2025-12-31T16:59:59.999Z"))).toBe("2025-12-31");
    expect(bangkokDateKey(new Date("2025-12-31T17:00:00.000Z"))).toBe("2026-01-01");
    expect(bangkokDateKey(new Date("2024-02-29T00:00:00Z"))).toBe("2024-02-29");
  });

  it("converts a key to 00:00 Bangkok", () => {
    expect(dateFromBangkokKey("2026-01-01").toISOString()).toBe("2025-12-31T17:00:00.000Z");
    expect(dateFromBangkokKey("2024-02-29").toISOString()).toBe("2024-02-28T17:00:00.000Z");
  });

  it("rejects malformed or impossible keys", () => {
    expect(() => dateFromBangkokKey("2025-02-29")).toThrow();
    expect(() => dateFromBangkokKey("2025-13-01")).toThrow();
    expect(() => dateFromBangkokKey("2025-1-01")).toThrow();
    expect(() => dateFromBangkokKey("")).toThrow();
  });
});

describe("day boundaries", () => {
  it("start and end of the Bangkok day", () => {
    const d = new Date("2025-11-26T20:00:00Z"); // 27 Nov 03:00 Bangkok
    expect(startOfBangkokDay(d).toISOString()).toBe("2025-11-26T17:00:00.000Z");
    expect(endOfBangkokDay(d).toISOString()).toBe("2025-11-27T16:59:59.999Z");
  });

  it("is idempotent at the exact boundaries", () => {
    const midnight = new Date("2025-11-26T17:00:00.000Z");
    expect(startOfBangkokDay(midnight).toISOString()).toBe("2025-11-26T17:00:00.000Z");
    const last = new Date("2025-11-27T16:59:59.999Z");
    expect(endOfBangkokDay(last).toISOString()).toBe("2025-11-27T16:59:59.999Z");
    expect(startOfBangkokDay(last).toISOString()).toBe("2025-11-26T17:00:00.000Z");
  });

  it("adds days keeping wall time, across a leap day", () => {
    const d = new Date("2024-02-28T10:00:00Z");
    expect(addBangkokDays(d, 1).toISOString()).toBe("2024-02-29T10:00:00.000Z");
    expect(addBangkokDays(d, 2).toISOString()).toBe("2024-03-01T10:00:00.000Z");
    expect(addBangkokDays(d, -28).toISOString()).toBe("2024-01-31T10:00:00.000Z");
  });
});

describe("Buddhist era and digits", () => {
  it("converts years", () => {
    expect(toBuddhistYear(2026)).toBe(2569);
    expect(fromBuddhistYear(2569)).toBe(2026);
  });

  it("converts Thai digits only", () => {
    expect(toArabicDigits("๒๕๖๙-๐๐๐๐๔๒")).toBe("2569-000042");
    expect(toArabicDigits("หมู่ ๑๐ abc 7")).toBe("หมู่ 10 abc 7");
  });
});

describe("formatThaiDate", () => {
  const d = new Date("2026-11-26T07:05:00Z"); // 14:05 Bangkok

  it("formats Thai", () => {
    expect(formatThaiDate(d, "th")).toBe("26 พฤศจิกายน 2569");
    expect(formatThaiDate(d, "th", { short: true })).toBe("26 พ.ย. 2569");
    expect(formatThaiDate(d, "th", { withTime: true })).toBe("26 พฤศจิกายน 2569 เวลา 14:05 น.");
    expect(formatThaiDate(d, "th", { short: true, withTime: true })).toBe("26 พ.ย. 2569 เวลา 14:05 น.");
  });

  it("formats English with BE years", () => {
    expect(formatThaiDate(d, "en")).toBe("26 November 2569 BE");
    expect(formatThaiDate(d, "en", { short: true })).toBe("26 Nov 2569 BE");
    expect(formatThaiDate(d, "en", { withTime: true })).toBe("26 November 2569 BE, 14:05");
  });

  it("uses the Bangkok date and time near midnight", () => {
    const nye = new Date("2025-12-31T18:30:00Z");
    expect(formatThaiDate(nye, "th", { withTime: true })).toBe("1 มกราคม 2569 เวลา 01:30 น.");
    expect(formatThaiDate(nye, "en", { short: true, withTime: true })).toBe("1 Jan 2569 BE, 01:30");
  });

  it("has all twelve month names", () => {
    const th = [];
    const en = [];
    for (let m = 1; m <= 12; m++) {
      const key = `2025-${String(m).padStart(2, "0")}-01`;
      th.push(formatThaiDateKey(key, "th", { short: true }));
      en.push(formatThaiDateKey(key, "en"));
    }
    expect(th).toEqual([
      "1 ม.ค. 2568",
      "1 ก.พ. 2568",
      "1 มี.ค. 2568",
      "1 เม.ย. 2568",
      "1 พ.ค. 2568",
      "1 มิ.ย. 2568",
      "1 ก.ค. 2568",
      "1 ส.ค. 2568",
      "1 ก.ย. 2568",
      "1 ต.ค. 2568",
      "1 พ.ย. 2568",
      "1 ธ.ค. 2568",
    ]);
    expect(en[0]).toBe("1 January 2568 BE");
    expect(en[8]).toBe("1 September 2568 BE");
  });
});

describe("formatThaiDateKey", () => {
  it("formats a date key", () => {
    expect(formatThaiDateKey("2024-02-29", "th")).toBe("29 กุมภาพันธ์ 2567");
    expect(formatThaiDateKey("2025-04-13", "th")).toBe("13 เมษายน 2568");
    expect(formatThaiDateKey("2025-10-01", "en", { short: true })).toBe("1 Oct 2568 BE");
  });
});
