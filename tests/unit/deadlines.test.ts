/**
 * The deadline module's edge cases (pure functions): pausing after the deadline, clocks set back, a case keeping the
 * counting mode of its deadline, a zero-day resume on a day off, working-day "due soon", and 3 January 2023.
 * Instants are UTC; a deadline ends at 23:59:59.999 Bangkok (16:59:59.999Z).
 */
import { describe, expect, it } from "vitest";
import {
  addDays,
  caseDeadlineView,
  computeDueAt,
  daysAtPause,
  deadlineStatus,
  dueAtOnResume,
  dueSoonCutoff,
  outcomeOnClose,
  outcomeOnExplanation,
  outcomeOnPause,
  type SlaPolicy,
} from "~/models/deadlines";
import { thaiHolidaySet, THAI_HOLIDAYS } from "../../db/holidays-th";

const holidays = thaiHolidaySet();
const end = (day: string) => `${day}T16:59:59.999Z`;
const at9 = (day: string) => new Date(`${day}T02:00:00Z`);
const working: SlaPolicy = { resolveDays: 15, dueSoonDays: 3, mode: "working", holidays };
const calendar: SlaPolicy = { resolveDays: 15, dueSoonDays: 3, mode: "calendar", holidays };

describe("pausing after the deadline", () => {
  // Received Mon 1 Jul 2024, calendar deadline Tue 16 Jul.
  const c = { received_at: at9("2024-07-01").toISOString(), period_started_at: at9("2024-07-01").toISOString(), due_at: end("2024-07-16") };

  it("keeps the days overdue while paused, and the case is that many days overdue again when it resumes", () => {
    const pausedAt = at9("2024-07-19"); // 3 days after the deadline
    const remaining = daysAtPause(c, pausedAt, calendar);
    expect(remaining).toBe(-3);
    const paused = { ...c, closed_at: null, paused_at: pausedAt.toISOString(), remaining_days: remaining };
    expect(caseDeadlineView(paused, calendar, at9("2024-07-25"))).toEqual({ state: "paused", daysLeft: 0, daysOverdue: 3 });
    const resumedAt = at9("2024-07-25");
    const due = dueAtOnResume(paused, resumedAt, calendar)!;
    expect(due.toISOString()).toBe(end("2024-07-22"));
    expect(deadlineStatus({ dueAt: due, now: resumedAt, policy: calendar })).toEqual({ state: "overdue", daysLeft: 0, daysOverdue: 3 });
  });

  it("working days: overdue by the same working days after resuming", () => {
    const w = { ...c, due_at: end("2024-07-23") }; // 15 working days from 1 Jul
    const remaining = daysAtPause(w, at9("2024-07-25"), working); // Wed 24, Thu 25
    expect(remaining).toBe(-2);
    const due = dueAtOnResume({ paused_at: at9("2024-07-25").toISOString(), remaining_days: remaining }, at9("2024-08-06"), working)!;
    expect(deadlineStatus({ dueAt: due, now: at9("2024-08-06"), policy: working })).toMatchObject({ state: "overdue", daysOverdue: 2 });
  });

  it("records late when paused after the deadline, and closing a case paused late records late, not resolved", () => {
    const clock = { sla_outcome: null, period_no: 1, due_at: c.due_at, paused_at: null };
    expect(outcomeOnPause(clock, at9("2024-07-19"))).toBe("late");
    expect(outcomeOnPause(clock, at9("2024-07-10"))).toBeNull();
    const pausedLate = { ...clock, paused_at: at9("2024-07-19").toISOString(), remaining_days: -3 };
    expect(outcomeOnClose(pausedLate, at9("2024-07-25"))).toBe("late");
    expect(outcomeOnExplanation(pausedLate, at9("2024-07-25"))).toBe("late");
    const pausedInTime = { ...clock, paused_at: at9("2024-07-10").toISOString(), remaining_days: 6 };
    expect(outcomeOnClose(pausedInTime, at9("2024-07-25"))).toBe("resolved");
  });
});

describe("a clock set back neither gains nor loses days", () => {
  const c = { received_at: at9("2024-07-10").toISOString(), period_started_at: at9("2024-07-10").toISOString(), due_at: end("2024-07-25") };

  it("a pause stamped before receipt counts from receipt", () => {
    expect(daysAtPause(c, at9("2024-07-01"), calendar)).toBe(15);
    expect(daysAtPause(c, at9("2024-07-10"), calendar)).toBe(15);
  });

  it("a resume stamped before its pause counts from the pause", () => {
    const paused = { paused_at: at9("2024-07-15").toISOString(), remaining_days: 10 };
    expect(dueAtOnResume(paused, at9("2024-07-12"), calendar)!.toISOString()).toBe(end("2024-07-25"));
    expect(dueAtOnResume(paused, at9("2024-07-15"), calendar)!.toISOString()).toBe(end("2024-07-25"));
  });
});

describe("a case keeps the counting mode of its deadline", () => {
  it("a calendar deadline paused and resumed under a working-day policy does not move earlier", () => {
    // Calendar deadline Sun 21 Jul 2024 (set before the organisation switched to working days).
    const c = {
      received_at: at9("2024-07-06").toISOString(),
      period_started_at: at9("2024-07-06").toISOString(),
      due_at: end("2024-07-21"),
      deadline_mode: "calendar" as const,
    };
    const remaining = daysAtPause(c, at9("2024-07-17"), working); // Thu 18 … Sun 21: 4 calendar days
    expect(remaining).toBe(4);
    const due = dueAtOnResume(
      { paused_at: at9("2024-07-17").toISOString(), remaining_days: remaining, deadline_mode: "calendar" },
      at9("2024-07-17"),
      working,
    )!;
    expect(due.toISOString()).toBe(end("2024-07-21"));
    // Without the case's mode, working days would have left 2 days (Thu 18, Fri 19): due Fri 19 Jul, earlier.
    expect(daysAtPause({ ...c, deadline_mode: null }, at9("2024-07-17"), working)).toBe(2);
  });
});

describe("resuming on a day off with no days left", () => {
  it("under a working-day policy the deadline is the next working day, not the Saturday", () => {
    const paused = { paused_at: at9("2024-07-10").toISOString(), remaining_days: 0 };
    expect(dueAtOnResume(paused, at9("2024-07-13"), working)!.toISOString()).toBe(end("2024-07-15")); // Sat -> Mon
    expect(dueAtOnResume(paused, at9("2024-07-20"), working)!.toISOString()).toBe(end("2024-07-23")); // Sat, Sun, Mon 22 substitution -> Tue
    expect(addDays(at9("2024-07-13"), 0, calendar).toISOString()).toBe(end("2024-07-13")); // calendar days: that day
  });
});

describe("due soon under a working-day policy counts working days", () => {
  it("a deadline three working days away across a weekend is due soon; four is on track", () => {
    const now = at9("2024-07-04"); // Thu
    expect(deadlineStatus({ dueAt: new Date(end("2024-07-09")), now, policy: working })).toEqual({
      state: "due_soon",
      daysLeft: 3,
      daysOverdue: 0,
    });
    expect(deadlineStatus({ dueAt: new Date(end("2024-07-10")), now, policy: working })).toEqual({
      state: "on_track",
      daysLeft: 4,
      daysOverdue: 0,
    });
    // Calendar counting of the same dates: 5 days left, on track.
    expect(deadlineStatus({ dueAt: new Date(end("2024-07-09")), now, policy: calendar }).state).toBe("on_track");
    expect(dueSoonCutoff(now, working).toISOString()).toBe(end("2024-07-09"));
    expect(dueSoonCutoff(now, calendar).toISOString()).toBe(end("2024-07-07"));
  });
});

describe("3 January 2023", () => {
  it("is a working day: the 2566 New Year break had one substitution day, Monday 2 January", () => {
    expect(holidays.has("2023-01-02")).toBe(true);
    expect(holidays.has("2023-01-03")).toBe(false);
    expect(THAI_HOLIDAYS.some((h) => h.date === "2023-01-03")).toBe(false);
    expect(computeDueAt(at9("2022-12-30"), { ...working, resolveDays: 1 }).toISOString()).toBe(end("2023-01-03"));
  });
});

describe("the deadline tick's candidates", () => {
  it("decide whether a rung is due in the case's own counting mode", async () => {
    const { isDue } = await import("~/models/deadlines/candidates.server");
    const working: SlaPolicy = { resolveDays: 15, mode: "working", dueSoonDays: 3 };
    const friday = "2024-07-05T16:59:59.999Z"; // end of Friday 5 July 2024, Bangkok
    const monday = new Date("2024-07-08T03:00:00Z");
    const c = {
      id: 1,
      reference: "2567-000001",
      status: "in_progress" as const,
      period_no: 1,
      due_at: friday,
      received_at: "2024-06-14T03:00:00.000Z",
      period_started_at: "2024-06-14T03:00:00.000Z",
      paused_at: null,
      remaining_days: null,
      closed_at: null,
      division_id: 1,
      assignee_id: 1,
      channel: "web" as const,
      category_id: 1,
    };
    // Two days past the deadline: counted in calendar days that is Sunday (passed); in working days, Tuesday.
    expect(isDue("overdue_executive", 2, { ...c, deadline_mode: "calendar" }, working, monday)).toBe(true);
    expect(isDue("overdue_executive", 2, { ...c, deadline_mode: "working" }, working, monday)).toBe(false);
    expect(isDue("overdue_executive", 2, { ...c, deadline_mode: null }, working, monday)).toBe(false);
    expect(isDue("overdue", 0, { ...c, deadline_mode: null }, working, monday)).toBe(true);
    expect(isDue("overdue", 0, { ...c, deadline_mode: null, status: "waiting_info" as const }, working, monday)).toBe(false);
  });
});
