/**
 * countedDaysBetween under a working-day policy counts by arithmetic (weekdays of whole weeks, then holidays by binary
 * search) instead of walking day by day: it must give exactly what walking the days gives, for any instants (Bangkok
 * dates, whatever the time of day), spans of years, holidays on weekdays and weekends, and a holiday set that changes.
 */
import { describe, expect, it } from "vitest";
import { countedDaysBetween, isWorkingDay } from "~/models/deadlines/due-dates";
import { addBangkokDays, bangkokDateKey, dateFromBangkokKey } from "~/lib/thai-date";

/** The definition: each Bangkok date after `from`'s, up to and including `to`'s, that is a working day. */
function walked(from: Date, to: Date, holidays?: ReadonlySet<string>): number {
  let day = dateFromBangkokKey(bangkokDateKey(from));
  const end = dateFromBangkokKey(bangkokDateKey(to)).getTime();
  let n = 0;
  while (day.getTime() < end) {
    day = addBangkokDays(day, 1);
    if (isWorkingDay(bangkokDateKey(day), holidays)) n++;
  }
  return n;
}

/** A small seeded generator, so a failure can be run again. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("working days between two instants", () => {
  it("matches walking the days, for random instants, spans and holiday sets", () => {
    const rnd = random(20261204);
    const start = Date.UTC(2019, 0, 1);
    for (let i = 0; i < 3000; i++) {
      const from = new Date(start + Math.floor(rnd() * 3650 * 86_400_000));
      const span = i % 10 === 0 ? Math.floor(rnd() * 1500) : Math.floor(rnd() * 40);
      const to = new Date(from.getTime() + span * 86_400_000 + Math.floor(rnd() * 86_400_000) - 43_200_000);
      const holidays = new Set<string>();
      const count = Math.floor(rnd() * 60);
      for (let h = 0; h < count; h++) {
        holidays.add(bangkokDateKey(new Date(from.getTime() + Math.floor((rnd() * 1.2 - 0.1) * (span + 10)) * 86_400_000)));
      }
      const policy = { mode: "working" as const, holidays };
      expect(countedDaysBetween(from, to, policy), `${from.toISOString()} → ${to.toISOString()}`).toBe(walked(from, to, holidays));
      expect(countedDaysBetween(from, to, { mode: "working" })).toBe(walked(from, to));
    }
  });

  it("counts each weekday of a week, skips weekends, and does not count a holiday on a Saturday twice", () => {
    // Bangkok dates: Monday 2026-12-07 … Sunday 2026-12-13; from the Sunday before.
    const sunday = dateFromBangkokKey("2026-12-06");
    const at = (key: string) => new Date(dateFromBangkokKey(key).getTime() + 15 * 3600_000); // 15:00 Bangkok
    expect(countedDaysBetween(sunday, at("2026-12-13"), { mode: "working" })).toBe(5);
    expect(countedDaysBetween(sunday, at("2026-12-13"), { mode: "working", holidays: new Set(["2026-12-12"]) })).toBe(5);
    expect(countedDaysBetween(sunday, at("2026-12-13"), { mode: "working", holidays: new Set(["2026-12-10"]) })).toBe(4);
    // The day of `from` never counts; the day of `to` does.
    expect(countedDaysBetween(at("2026-12-07"), at("2026-12-07"), { mode: "working" })).toBe(0);
    expect(countedDaysBetween(at("2026-12-07"), at("2026-12-08"), { mode: "working" })).toBe(1);
    // 23:30 UTC on the 7th is already the 8th in Bangkok.
    expect(countedDaysBetween(at("2026-12-07"), new Date(Date.UTC(2026, 11, 7, 23, 30)), { mode: "working" })).toBe(1);
  });

  it("sees a holiday added to the same set later", () => {
    const holidays = new Set<string>(["2026-12-10"]);
    const from = dateFromBangkokKey("2026-12-06");
    const to = dateFromBangkokKey("2026-12-13");
    expect(countedDaysBetween(from, to, { mode: "working", holidays })).toBe(4);
    holidays.add("2026-12-11");
    expect(countedDaysBetween(from, to, { mode: "working", holidays })).toBe(3);
  });

  it("counts a span of seven years right (the queue's oldest overdue cases)", () => {
    const holidays = new Set(["2025-01-01", "2025-04-14", "2026-01-01"]);
    const from = new Date("2019-12-19T16:59:59.999Z");
    const to = new Date("2026-12-04T10:00:00Z");
    expect(countedDaysBetween(from, to, { mode: "working", holidays })).toBe(walked(from, to, holidays));
  });
});
