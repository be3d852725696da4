import { describe, expect, it } from "vitest";
import { buddhistDateKey, datePartsOf, readBuddhistDateInput } from "~/lib/buddhist-date-input";

const from = (fields: Record<string, string>) => readBuddhistDateInput((k) => fields[k], "expectedAt");

describe("readBuddhistDateInput", () => {
  it("turns the picker's day, month and พ.ศ. year into the CE date key", () => {
    expect(from({ expectedAtDay: "15", expectedAtMonth: "1", expectedAtYear: "2570" })).toEqual({ ok: true, key: "2027-01-15" });
    expect(from({ expectedAtDay: "29", expectedAtMonth: "2", expectedAtYear: "2567" })).toEqual({ ok: true, key: "2024-02-29" });
    expect(from({ expectedAtDay: "๓๑", expectedAtMonth: "๑๒", expectedAtYear: "๒๕๖๙" })).toEqual({ ok: true, key: "2026-12-31" });
  });

  it("reads a typed วว/ดด/ปปปป (พ.ศ.) and the machine YYYY-MM-DD form", () => {
    expect(from({ expectedAt: "5/3/2570" })).toEqual({ ok: true, key: "2027-03-05" });
    expect(from({ expectedAt: " 05.03.2570 " })).toEqual({ ok: true, key: "2027-03-05" });
    expect(from({ expectedAt: "2027-03-05" })).toEqual({ ok: true, key: "2027-03-05" });
  });

  it("refuses impossible dates, half-filled pickers, unreadable text and Western years, each with its own reason", () => {
    expect(from({ expectedAtDay: "31", expectedAtMonth: "2", expectedAtYear: "2570" })).toEqual({ ok: false, problem: "invalid" });
    expect(from({ expectedAtDay: "29", expectedAtMonth: "2", expectedAtYear: "2570" })).toEqual({ ok: false, problem: "invalid" });
    expect(from({ expectedAtDay: "1", expectedAtMonth: "13", expectedAtYear: "2570" })).toEqual({ ok: false, problem: "invalid" });
    expect(from({ expectedAtDay: "15", expectedAtMonth: "", expectedAtYear: "2570" })).toEqual({ ok: false, problem: "incomplete" });
    expect(from({ expectedAtDay: "x", expectedAtMonth: "1", expectedAtYear: "2570" })).toEqual({ ok: false, problem: "format" });
    expect(from({ expectedAt: "15 มกราคม" })).toEqual({ ok: false, problem: "format" });
    expect(from({ expectedAt: "15/01/2027" })).toEqual({ ok: false, problem: "notBuddhist" });
    expect(from({ expectedAt: "2027-02-30" })).toEqual({ ok: false, problem: "invalid" });
    expect(from({})).toEqual({ ok: false, problem: "missing" });
    expect(from({ expectedAtDay: "", expectedAtMonth: "", expectedAtYear: "" })).toEqual({ ok: false, problem: "missing" });
  });

  it("round-trips with the picker's parts", () => {
    const parts = datePartsOf("2027-01-05");
    expect(parts).toEqual({ day: "5", month: "1", year: "2570" });
    expect(buddhistDateKey(Number(parts.day), Number(parts.month), Number(parts.year))).toEqual({ ok: true, key: "2027-01-05" });
    expect(datePartsOf("")).toEqual({ day: "", month: "", year: "" });
  });
});
