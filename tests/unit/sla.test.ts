import { describe, expect, it } from "vitest";
import {
  DEFAULT_SLA_POLICY,
  addDays,
  bangkokDayDiff,
  computeDueAt,
  deadlineStatus,
  dueSoonCutoff,
  isWorkingDay,
  type SlaPolicy,
} from "~/models/deadlines";

// Songkran 2025: Sun 13, Mon 14, Tue 15 April, plus Wed 16 April substitution for the Sunday.
const SONGKRAN_2025 = new Set(["2025-04-13", "2025-04-14", "2025-04-15", "2025-04-16"]);

describe("isWorkingDay", () => {
  it("excludes weekends and holidays", () => {
    expect(isWorkingDay("2025-04-11")).toBe(true); // Fri
    expect(isWorkingDay("2025-04-12")).toBe(false); // Sat
    expect(isWorkingDay("2025-04-13")).toBe(false); // Sun
    expect(isWorkingDay("2025-04-14")).toBe(true); // Mon, no holidays given
    expect(isWorkingDay("2025-04-14", SONGKRAN_2025)).toBe(false);
    expect(isWorkingDay("2025-04-16", SONGKRAN_2025)).toBe(false);
    expect(isWorkingDay("2025-04-17", SONGKRAN_2025)).toBe(true);
  });
});

describe("calendar deadlines", () => {
  it("defaults to 15 calendar days ending at 23:59:59.999 Bangkok", () => {
    expect(DEFAULT_SLA_POLICY).toEqual({ resolveDays: 15, mode: "calendar", dueSoonDays: 3 });
    // Wed 26 Nov 2025 14:00 Bangkok -> Thu 11 Dec 2025 end of day
    expect(computeDueAt(new Date("2025-11-26T07:00:00Z")).toISOString()).toBe("2025-12-11T16:59:59.999Z");
  });

  it("uses the Bangkok receipt date, not the UTC date", () => {
    // 27 Nov 2025 01:00 Bangkok (still 26 Nov UTC) -> 12 Dec
    expect(computeDueAt(new Date("2025-11-26T18:00:00Z")).toISOString()).toBe("2025-12-12T16:59:59.999Z");
  });

  it("handles February in leap and common years", () => {
    // 20 Feb 2024 + 15 -> 6 Mar 2024 (29-day February)
    expect(computeDueAt(new Date("2024-02-20T03:00:00Z")).toISOString()).toBe("2024-03-06T16:59:59.999Z");
    // 20 Feb 2025 + 15 -> 7 Mar 2025
    expect(computeDueAt(new Date("2025-02-20T03:00:00Z")).toISOString()).toBe("2025-03-07T16:59:59.999Z");
    // received on the leap day itself -> 15 Mar 2024
    expect(computeDueAt(new Date("2024-02-29T03:00:00Z")).toISOString()).toBe("2024-03-15T16:59:59.999Z");
    // 14 Feb 2024 + 15 lands on the leap day
    expect(computeDueAt(new Date("2024-02-14T03:00:00Z")).toISOString()).toBe("2024-02-29T16:59:59.999Z");
  });

  it("zero days means end of the receipt day", () => {
    expect(addDays(new Date("2025-11-26T07:00:00Z"), 0, { mode: "calendar" }).toISOString()).toBe("2025-11-26T16:59:59.999Z");
  });
});

describe("working-day deadlines", () => {
  const working = { mode: "working" as const };

  it("skips a weekend", () => {
    // Thu 27 Nov 2025 -> Fri 28 (1), Mon 1 Dec (2), Tue 2 Dec (3)
    expect(addDays(new Date("2025-11-27T03:00:00Z"), 3, working).toISOString()).toBe("2025-12-02T16:59:59.999Z");
    // Received Saturday 29 Nov -> first working day Mon 1 Dec
    expect(addDays(new Date("2025-11-29T03:00:00Z"), 1, working).toISOString()).toBe("2025-12-01T16:59:59.999Z");
  });

  it("skips Songkran holidays and the substitution day", () => {
    const friday = new Date("2025-04-11T02:00:00Z"); // Fri 11 Apr 2025 09:00 Bangkok
    // No holidays: Mon 14 .. Fri 18
    expect(addDays(friday, 5, working).toISOString()).toBe("2025-04-18T16:59:59.999Z");
    // Holidays: Thu 17 (1), Fri 18 (2), Mon 21 (3), Tue 22 (4), Wed 23 (5)
    expect(addDays(friday, 5, { mode: "working", holidays: SONGKRAN_2025 }).toISOString()).toBe("2025-04-23T16:59:59.999Z");
  });

  it("computes a full working-day policy", () => {
    const policy: SlaPolicy = { resolveDays: 15, mode: "working", dueSoonDays: 3, holidays: SONGKRAN_2025 };
    const received = new Date("2025-04-11T02:00:00Z");
    // From Fri 11 Apr: 17,18 (2) | 21-25 (7) | 28 Apr-2 May (12) | 5,6,7 May (15) -> Wed 7 May 2025
    expect(computeDueAt(received, policy).toISOString()).toBe("2025-05-07T16:59:59.999Z");
    // Adding Labour Day (1 May) and Coronation Day (5 May): 28,29,30 (10) | 2 (11) | 6,7,8,9 (15) -> Fri 9 May
    const more = new Set([...SONGKRAN_2025, "2025-05-01", "2025-05-05"]);
    expect(computeDueAt(received, { ...policy, holidays: more }).toISOString()).toBe("2025-05-09T16:59:59.999Z");
  });

  it("rejects negative or fractional day counts", () => {
    expect(() => addDays(new Date(), -1, working)).toThrow();
    expect(() => addDays(new Date(), 1.5, working)).toThrow();
  });
});

describe("bangkokDayDiff", () => {
  it("counts Bangkok calendar days", () => {
    expect(bangkokDayDiff(new Date("2025-12-31T16:59:59Z"), new Date("2025-12-31T17:00:00Z"))).toBe(1);
    expect(bangkokDayDiff(new Date("2025-12-31T17:00:00Z"), new Date("2026-01-01T16:59:59Z"))).toBe(0);
    expect(bangkokDayDiff(new Date("2024-02-28T05:00:00Z"), new Date("2024-03-01T05:00:00Z"))).toBe(2);
    expect(bangkokDayDiff(new Date("2024-03-01T05:00:00Z"), new Date("2024-02-28T05:00:00Z"))).toBe(-2);
  });
});

describe("deadlineStatus", () => {
  const dueAt = new Date("2025-12-11T16:59:59.999Z"); // end of Thu 11 Dec 2025 Bangkok

  it("on_track far from the deadline", () => {
    expect(deadlineStatus({ dueAt, now: new Date("2025-11-30T05:00:00Z") })).toEqual({
      state: "on_track",
      daysLeft: 11,
      daysOverdue: 0,
    });
    expect(deadlineStatus({ dueAt, now: new Date("2025-12-07T05:00:00Z") })).toEqual({
      state: "on_track",
      daysLeft: 4,
      daysOverdue: 0,
    });
  });

  it("due_soon within dueSoonDays", () => {
    expect(deadlineStatus({ dueAt, now: new Date("2025-12-08T05:00:00Z") })).toEqual({
      state: "due_soon",
      daysLeft: 3,
      daysOverdue: 0,
    });
    // 7 Dec 23:30 UTC is already 8 Dec Bangkok
    expect(deadlineStatus({ dueAt, now: new Date("2025-12-07T23:30:00Z") }).state).toBe("due_soon");
    expect(deadlineStatus({ dueAt, now: new Date("2025-12-10T16:00:00Z") })).toEqual({
      state: "due_soon",
      daysLeft: 1,
      daysOverdue: 0,
    });
    expect(deadlineStatus({ dueAt, now: new Date("2025-12-08T05:00:00Z"), policy: { dueSoonDays: 1 } }).state).toBe("on_track");
  });

  it("due_today on the Bangkok due date", () => {
    expect(deadlineStatus({ dueAt, now: new Date("2025-12-10T17:00:00Z") })).toEqual({
      state: "due_today",
      daysLeft: 0,
      daysOverdue: 0,
    });
    expect(deadlineStatus({ dueAt, now: new Date("2025-12-11T16:59:59.999Z") }).state).toBe("due_today");
  });

  it("overdue after the deadline", () => {
    expect(deadlineStatus({ dueAt, now: new Date("2025-12-11T17:00:00Z") })).toEqual({
      state: "overdue",
      daysLeft: 0,
      daysOverdue: 1,
    });
    expect(deadlineStatus({ dueAt, now: new Date("2025-12-15T05:00:00Z") })).toEqual({
      state: "overdue",
      daysLeft: 0,
      daysOverdue: 4,
    });
  });

  it("met or missed once closed, regardless of now", () => {
    const later = new Date("2026-01-20T00:00:00Z");
    expect(deadlineStatus({ dueAt, now: later, closedAt: new Date("2025-12-11T16:59:59.999Z") })).toEqual({
      state: "met",
      daysLeft: 0,
      daysOverdue: 0,
    });
    expect(deadlineStatus({ dueAt, now: later, closedAt: new Date("2025-12-05T05:00:00Z") })).toEqual({
      state: "met",
      daysLeft: 6,
      daysOverdue: 0,
    });
    expect(deadlineStatus({ dueAt, now: later, closedAt: new Date("2025-12-11T17:00:00Z") })).toEqual({
      state: "missed",
      daysLeft: 0,
      daysOverdue: 1,
    });
    expect(deadlineStatus({ dueAt, now: later, closedAt: null }).state).toBe("overdue");
  });
});

describe("dueSoonCutoff", () => {
  it("is the end of Bangkok day now + dueSoonDays", () => {
    const now = new Date("2025-12-08T05:00:00Z");
    expect(dueSoonCutoff(now).toISOString()).toBe("2025-12-11T16:59:59.999Z");
    expect(dueSoonCutoff(now, { dueSoonDays: 0 }).toISOString()).toBe("2025-12-08T16:59:59.999Z");
    // 7 Dec 23:30 UTC = 8 Dec 06:30 Bangkok
    expect(dueSoonCutoff(new Date("2025-12-07T23:30:00Z")).toISOString()).toBe("2025-12-11T16:59:59.999Z");
  });

  it("agrees with deadlineStatus at the boundary", () => {
    const now = new Date("2025-12-08T05:00:00Z");
    const cutoff = dueSoonCutoff(now);
    expect(deadlineStatus({ dueAt: cutoff, now }).state).toBe("due_soon");
    const dayAfter = new Date(cutoff.getTime() + 24 * 3600 * 1000);
    expect(deadlineStatus({ dueAt: dayAfter, now }).state).toBe("on_track");
  });
});
