/**
 * Working-day deadlines with the seeded Thai holiday table (db/holidays-th.ts), fixed dates only.
 * All instants are UTC; Bangkok is UTC+7, and a deadline ends at 23:59:59.999 Bangkok (16:59:59.999Z).
 */
import { describe, expect, it } from "vitest";
import { addDays, computeAckDueAt, computeDueAt, deadlineView, remainingDays, resumeDueAt, type SlaPolicy } from "~/models/deadlines";
import { thaiHolidaySet } from "../../db/holidays-th";
import { fiscalYearOf } from "~/lib/fiscal-year";

const holidays = thaiHolidaySet();
const working = { mode: "working" as const, holidays };
const end = (day: string) => `${day}T16:59:59.999Z`;
/** 09:00 Bangkok on a Bangkok date. */
const at9 = (day: string) => new Date(`${day}T02:00:00Z`);

describe("Songkran and its substitution days", () => {
  it("2566: Thu–Sat with Monday 17 April as the substitution day", () => {
    // Received Wed 12 Apr 2023: 13, 14 (Songkran), 15 Sat, 16 Sun, 17 Mon (substitution) are skipped.
    expect(addDays(at9("2023-04-12"), 1, working).toISOString()).toBe(end("2023-04-18"));
  });

  it("2567: the cabinet special day 12 April, Sat–Mon Songkran and ONE substitution day (Tue 16)", () => {
    // Received Thu 11 Apr 2024: 12 (special), 13–15, 16 (substitution) skipped -> 17 (1), 18 (2), 19 (3).
    expect(addDays(at9("2024-04-11"), 3, working).toISOString()).toBe(end("2024-04-19"));
  });

  it("2568: Sun–Tue Songkran with the government substitution day Wed 16 April", () => {
    // Received Fri 11 Apr 2025: 14, 15, 16 skipped -> Thu 17 (1), Fri 18 (2).
    expect(addDays(at9("2025-04-11"), 2, working).toISOString()).toBe(end("2025-04-18"));
    // Without holidays it would have been Tue 15.
    expect(addDays(at9("2025-04-11"), 2, { mode: "working" }).toISOString()).toBe(end("2025-04-15"));
  });
});

describe("New Year", () => {
  it("2566: 31 Dec (Sat) and 1 Jan (Sun) give ONE substitution day, Monday 2 January; Tuesday 3 January is a working day", () => {
    expect(addDays(at9("2022-12-30"), 1, working).toISOString()).toBe(end("2023-01-03"));
  });

  it("2567: special day Fri 29 Dec; the substitution on 2 Jan 2024 was cancelled, so 2 Jan is a working day", () => {
    expect(addDays(at9("2023-12-28"), 1, working).toISOString()).toBe(end("2024-01-02"));
  });

  it("counts across the year end in calendar mode too", () => {
    expect(addDays(at9("2025-12-25"), 15, { mode: "calendar" }).toISOString()).toBe(end("2026-01-09"));
  });
});

describe("a holiday on a weekend and its substitution day", () => {
  it("Asalha Bucha 2567 on Saturday 20 July, Khao Phansa Sunday 21, substitution Monday 22 July", () => {
    expect(addDays(at9("2024-07-19"), 1, working).toISOString()).toBe(end("2024-07-23"));
  });

  it("the King's birthday on Sunday 28 July 2024, substitution Monday 29", () => {
    expect(addDays(at9("2024-07-26"), 1, working).toISOString()).toBe(end("2024-07-30"));
  });

  it("Visakha Bucha 2569 on Sunday 31 May 2026, substitution Monday 1 June; Queen's birthday Wed 3 June", () => {
    // Fri 29 May: 1 Jun skipped -> Tue 2 (1), 3 Jun skipped -> Thu 4 (2).
    expect(addDays(at9("2026-05-29"), 2, working).toISOString()).toBe(end("2026-06-04"));
  });
});

describe("the fiscal-year boundary (30 September / 1 October)", () => {
  it("late on 30 Sep counts from 30 Sep (fiscal year 2568); just after midnight counts from 1 Oct (2569)", () => {
    const lateSep30 = new Date("2025-09-30T16:30:00Z"); // 23:30 Bangkok, Tue 30 Sep 2025
    const earlyOct1 = new Date("2025-09-30T17:10:00Z"); // 00:10 Bangkok, Wed 1 Oct 2025
    expect(fiscalYearOf(lateSep30)).toBe(2568);
    expect(fiscalYearOf(earlyOct1)).toBe(2569);
    expect(addDays(lateSep30, 1, working).toISOString()).toBe(end("2025-10-01"));
    expect(addDays(earlyOct1, 1, working).toISOString()).toBe(end("2025-10-02"));
  });

  it("15 working days from 30 Sep 2025 skip Mon 13 Oct (King Bhumibol Memorial Day)", () => {
    // Oct 1–3 (3), 6–10 (8), 14–17 (12), 20–22 (15); 23 Oct (Chulalongkorn Day) comes after.
    const policy: SlaPolicy = { resolveDays: 15, dueSoonDays: 3, ...working };
    expect(computeDueAt(new Date("2025-09-30T03:00:00Z"), policy).toISOString()).toBe(end("2025-10-22"));
  });
});

describe("a leap day", () => {
  it("29 February 2024 is a working day", () => {
    expect(addDays(at9("2024-02-28"), 1, working).toISOString()).toBe(end("2024-02-29"));
    expect(addDays(at9("2024-02-28"), 2, working).toISOString()).toBe(end("2024-03-01"));
  });

  it("the Makha Bucha substitution Monday 26 Feb 2024 is skipped before the leap day", () => {
    // Fri 23 Feb: Sat 24 (Makha Bucha), Sun 25, Mon 26 (substitution) -> Tue 27 (1), Wed 28 (2), Thu 29 (3).
    expect(addDays(at9("2024-02-23"), 3, working).toISOString()).toBe(end("2024-02-29"));
  });

  it("calendar days across 29 Feb and remaining days across it", () => {
    expect(addDays(at9("2024-02-20"), 15, { mode: "calendar" }).toISOString()).toBe(end("2024-03-06"));
    expect(remainingDays(at9("2024-02-27"), new Date(end("2024-03-01")), { mode: "calendar" })).toBe(3);
  });
});

describe("acknowledgement due date (1 working day by default)", () => {
  it("skips holidays and weekends whatever the resolve mode", () => {
    expect(computeAckDueAt(at9("2024-04-11"), { holidays }).toISOString()).toBe(end("2024-04-17"));
    expect(computeAckDueAt(at9("2024-05-04"), { holidays }).toISOString()).toBe(end("2024-05-07")); // Sat; Mon 6 substitution
    expect(computeAckDueAt(at9("2024-05-07"), { holidays, ackDays: 0 }).toISOString()).toBe(end("2024-05-07"));
  });
});

describe("pause and resume", () => {
  const policy: SlaPolicy = { resolveDays: 15, dueSoonDays: 3, ...working };
  const received = at9("2024-07-01"); // Mon 1 Jul 2024
  const due = computeDueAt(received, policy);

  it("the deadline skips the Asalha Bucha weekend", () => {
    // Jul 2–5 (4), 8–12 (9), 15–19 (14), 20–22 skipped, 23 (15).
    expect(due.toISOString()).toBe(end("2024-07-23"));
  });

  it("pausing keeps the working days left; resuming gives them back from the resume day", () => {
    const pausedAt = new Date("2024-07-10T03:00:00Z"); // Wed 10 Jul
    const left = remainingDays(pausedAt, due, policy);
    expect(left).toBe(8); // 11, 12, 15–19, 23
    expect(deadlineView({ dueAt: due, now: new Date("2024-07-30T03:00:00Z"), pausedAt, remainingDays: left, policy })).toEqual({
      state: "paused",
      daysLeft: 8,
      daysOverdue: 0,
    });
    // The complainant answers on Mon 22 Jul (a substitution day): 23–26 (4), 29 (substitution) skipped, 30, 31, 1, 2 Aug.
    const resumed = resumeDueAt(new Date("2024-07-22T03:00:00Z"), left, policy);
    expect(resumed.toISOString()).toBe(end("2024-08-02"));
    expect(deadlineView({ dueAt: resumed, now: new Date("2024-07-22T03:00:00Z"), policy }).state).toBe("on_track");
  });

  it("calendar mode: 6 days left on 10 July, resumed on 20 July -> 26 July", () => {
    const cal: SlaPolicy = { resolveDays: 15, dueSoonDays: 3, mode: "calendar" };
    const calDue = computeDueAt(received, cal);
    expect(calDue.toISOString()).toBe(end("2024-07-16"));
    const left = remainingDays(new Date("2024-07-10T03:00:00Z"), calDue, cal);
    expect(left).toBe(6);
    expect(resumeDueAt(new Date("2024-07-20T03:00:00Z"), left, cal).toISOString()).toBe(end("2024-07-26"));
  });

  it("pausing on the due day or later leaves 0 days: resuming makes it due that day", () => {
    expect(remainingDays(new Date("2024-07-23T10:00:00Z"), due, policy)).toBe(0);
    expect(remainingDays(new Date("2024-07-25T03:00:00Z"), due, policy)).toBe(0);
    const r = resumeDueAt(new Date("2024-07-25T03:00:00Z"), 0, policy);
    expect(r.toISOString()).toBe(end("2024-07-25"));
    expect(deadlineView({ dueAt: r, now: new Date("2024-07-25T03:00:00Z"), policy }).state).toBe("due_today");
  });
});

describe("deadlineView", () => {
  const dueAt = new Date(end("2025-12-11"));
  it("agrees with deadlineStatus when not paused, accepts ISO strings", () => {
    expect(deadlineView({ dueAt: end("2025-12-11"), now: new Date("2025-12-15T05:00:00Z") })).toEqual({
      state: "overdue",
      daysLeft: 0,
      daysOverdue: 4,
    });
    expect(deadlineView({ dueAt, now: new Date("2025-11-30T05:00:00Z") }).state).toBe("on_track");
  });
  it("a closed case is met/missed even if a pause was recorded", () => {
    expect(
      deadlineView({
        dueAt,
        now: new Date("2025-12-20T05:00:00Z"),
        closedAt: "2025-12-05T05:00:00Z",
        pausedAt: "2025-12-01T05:00:00Z",
        remainingDays: 3,
      }).state,
    ).toBe("met");
  });
  it("paused never reports overdue", () => {
    expect(deadlineView({ dueAt, now: new Date("2026-01-20T05:00:00Z"), pausedAt: "2025-12-01T05:00:00Z", remainingDays: 2 })).toEqual({
      state: "paused",
      daysLeft: 2,
      daysOverdue: 0,
    });
  });
});
