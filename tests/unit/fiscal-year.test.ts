import { describe, expect, it } from "vitest";
import { fiscalHalfOf, fiscalQuarterOf, fiscalYearMonths, fiscalYearOf, fiscalYearRange, fiscalYearText } from "~/lib/fiscal-year";

describe("fiscalYearOf", () => {
  it("switches at 00:00 Bangkok on 1 October", () => {
    // 30 Sep 2025 23:59:59.999 Bangkok
    expect(fiscalYearOf(new Date("2025-09-30T16:59:59.999Z"))).toBe(2568);
    // 1 Oct 2025 00:00 Bangkok (still 30 Sep in UTC)
    expect(fiscalYearOf(new Date("2025-09-30T17:00:00Z"))).toBe(2569);
    expect(fiscalYearOf(new Date("2025-09-30T12:00:00Z"))).toBe(2568);
  });

  it("covers the whole FY 2569", () => {
    expect(fiscalYearOf(new Date("2026-01-01T00:00:00Z"))).toBe(2569);
    expect(fiscalYearOf(new Date("2026-09-30T16:59:59Z"))).toBe(2569);
    expect(fiscalYearOf(new Date("2026-09-30T17:00:00Z"))).toBe(2570);
  });
});

describe("fiscalYearRange", () => {
  it("spans Bangkok 1 Oct to next 1 Oct", () => {
    const { start, endExclusive } = fiscalYearRange(2569);
    expect(start.toISOString()).toBe("2025-09-30T17:00:00.000Z");
    expect(endExclusive.toISOString()).toBe("2026-09-30T17:00:00.000Z");
  });

  it("is consistent with fiscalYearOf at the edges", () => {
    const { start, endExclusive } = fiscalYearRange(2568);
    expect(fiscalYearOf(start)).toBe(2568);
    expect(fiscalYearOf(new Date(endExclusive.getTime() - 1))).toBe(2568);
    expect(fiscalYearOf(endExclusive)).toBe(2569);
  });
});

describe("fiscalYearMonths", () => {
  it("lists October to September", () => {
    const months = fiscalYearMonths(2569);
    expect(months).toHaveLength(12);
    expect(months[0]).toEqual({ year: 2025, month: 10 });
    expect(months[2]).toEqual({ year: 2025, month: 12 });
    expect(months[3]).toEqual({ year: 2026, month: 1 });
    expect(months[11]).toEqual({ year: 2026, month: 9 });
    expect(months.map((m) => m.month)).toEqual([10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("quarters and halves", () => {
  it("computes quarters on the Bangkok date", () => {
    expect(fiscalQuarterOf(new Date("2025-09-30T17:00:00Z"))).toBe(1); // 1 Oct BKK
    expect(fiscalQuarterOf(new Date("2025-09-30T16:59:59Z"))).toBe(4); // 30 Sep BKK
    expect(fiscalQuarterOf(new Date("2025-12-31T16:59:59Z"))).toBe(1); // 31 Dec 23:59 BKK
    expect(fiscalQuarterOf(new Date("2025-12-31T17:00:00Z"))).toBe(2); // 1 Jan BKK
    expect(fiscalQuarterOf(new Date("2026-03-31T05:00:00Z"))).toBe(2);
    expect(fiscalQuarterOf(new Date("2026-04-01T05:00:00Z"))).toBe(3);
    expect(fiscalQuarterOf(new Date("2026-06-30T05:00:00Z"))).toBe(3);
    expect(fiscalQuarterOf(new Date("2026-07-01T05:00:00Z"))).toBe(4);
  });

  it("computes halves", () => {
    expect(fiscalHalfOf(new Date("2025-10-15T05:00:00Z"))).toBe(1);
    expect(fiscalHalfOf(new Date("2026-03-31T16:59:59Z"))).toBe(1); // 31 Mar 23:59 BKK
    expect(fiscalHalfOf(new Date("2026-03-31T17:00:00Z"))).toBe(2); // 1 Apr BKK
    expect(fiscalHalfOf(new Date("2026-09-30T05:00:00Z"))).toBe(2);
  });
});

describe("fiscalYearText", () => {
  it("writes the Buddhist-Era fiscal year as it is, without converting it again", () => {
    const fy = fiscalYearOf(new Date("2026-12-20T04:00:00Z"));
    expect(fiscalYearText(fy, "th")).toBe("2570");
    expect(fiscalYearText(fy, "en")).toBe("2570 BE");
  });

  it("refuses a year that is not in the Buddhist Era (a CE year, or one converted twice)", () => {
    expect(() => fiscalYearText(2026, "th")).toThrow(RangeError);
    expect(() => fiscalYearText(3113, "th")).toThrow(RangeError);
  });
});
