import { describe, expect, it } from "vitest";
import {
  comparisonWindows,
  dayBefore,
  fiscalMonthIndex,
  fiscalMonthKey,
  formatShare,
  histogramQuantile,
  isSuppressed,
  periodMonths,
  periodRange,
  sameDayPreviousYear,
  satisfactionFrom,
  share,
  smallCellsOk,
} from "~/lib/stats";
import { isProvisional, judgeTarget, MIN_SATISFACTION_ANSWERS, TARGETS } from "~/lib/plan-targets";
import { ackOutcome, outcomeOnClose, outcomeOnExplanation } from "~/models/deadlines";

describe("periods of a fiscal year", () => {
  it("FY 2569 runs 1 Oct 2025 – 30 Sep 2026", () => {
    expect(periodRange(2569)).toEqual({ from: "2025-10-01", to: "2026-09-30" });
    expect(periodMonths(2569)).toEqual([
      "2025-10",
      "2025-11",
      "2025-12",
      "2026-01",
      "2026-02",
      "2026-03",
      "2026-04",
      "2026-05",
      "2026-06",
      "2026-07",
      "2026-08",
      "2026-09",
    ]);
  });
  it("halves and quarters", () => {
    expect(periodRange(2569, "h1")).toEqual({ from: "2025-10-01", to: "2026-03-31" });
    expect(periodRange(2569, "h2")).toEqual({ from: "2026-04-01", to: "2026-09-30" });
    expect(periodRange(2569, "q1")).toEqual({ from: "2025-10-01", to: "2025-12-31" });
    expect(periodRange(2567, "q2")).toEqual({ from: "2024-01-01", to: "2024-03-31" });
    expect(periodRange(2567, "q3")).toEqual({ from: "2024-04-01", to: "2024-06-30" });
    expect(periodMonths(2569, "q4")).toEqual(["2026-07", "2026-08", "2026-09"]);
  });
  it("month keys and indexes", () => {
    expect(fiscalMonthKey(2569, 0)).toBe("2025-10");
    expect(fiscalMonthKey(2569, 3)).toBe("2026-01");
    expect(fiscalMonthIndex("2026-01")).toBe(3);
    expect(fiscalMonthIndex("2025-10")).toBe(0);
    expect(fiscalMonthIndex("2026-09")).toBe(11);
  });
  it("the same day a year earlier, leap day clamped", () => {
    expect(sameDayPreviousYear("2026-11-26")).toBe("2025-11-26");
    expect(sameDayPreviousYear("2028-02-29")).toBe("2027-02-28");
  });
});

describe("year-on-year comparison windows", () => {
  it("a finished year is compared whole", () => {
    expect(comparisonWindows(2569, "year", "2026-11-26")).toEqual({
      current: { from: "2025-10-01", to: "2026-09-30" },
      previous: { from: "2024-10-01", to: "2025-09-30" },
      running: false,
      empty: false,
    });
  });
  it("a running year: its whole months that have ended, against the same months a year earlier", () => {
    expect(comparisonWindows(2570, "year", "2026-11-26")).toEqual({
      current: { from: "2026-10-01", to: "2026-10-31" },
      previous: { from: "2025-10-01", to: "2025-10-31" },
      running: true,
      empty: false,
    });
    // The window moves a month at a time, not a day at a time.
    expect(comparisonWindows(2570, "year", "2026-11-01").current).toEqual(comparisonWindows(2570, "year", "2026-11-30").current);
    // February of a leap year against February of the year before.
    expect(comparisonWindows(2571, "year", "2028-03-05")).toMatchObject({ current: { to: "2028-02-29" }, previous: { to: "2027-02-28" } });
    expect(comparisonWindows(2570, "year", "2027-03-05")).toMatchObject({ current: { to: "2027-02-28" }, previous: { to: "2026-02-28" } });
  });
  it("in the first month of a year nothing has ended yet", () => {
    const w = comparisonWindows(2570, "year", "2026-10-15");
    expect(w.empty).toBe(true);
    expect(w.current.to < w.current.from).toBe(true);
  });
  it("the six-month round", () => {
    expect(comparisonWindows(2570, "h1", "2027-05-01")).toMatchObject({
      current: { from: "2026-10-01", to: "2027-03-31" },
      running: false,
    });
    expect(comparisonWindows(2570, "h1", "2027-01-10")).toMatchObject({
      current: { to: "2026-12-31" },
      previous: { to: "2025-12-31" },
      running: true,
    });
  });
  it("the day before", () => {
    expect(dayBefore("2026-03-01")).toBe("2026-02-28");
    expect(dayBefore("2028-03-01")).toBe("2028-02-29");
    expect(dayBefore("2026-01-01")).toBe("2025-12-31");
  });
});

describe("shares and percentiles", () => {
  it("share is null without a denominator", () => {
    expect(share(3, 4)).toBe(0.75);
    expect(share(0, 0)).toBeNull();
  });
  it("formats a share with one decimal", () => {
    expect(formatShare(2 / 3, "en")).toBe("66.7%");
    expect(formatShare(0.8, "th")).toBe("80%");
    expect(formatShare(null)).toBe("–");
  });
  it("nearest-rank quantiles from a histogram", () => {
    const h = [
      { value: 20, n: 1 },
      { value: 5, n: 1 },
      { value: 329, n: 1 },
      { value: 4, n: 1 },
    ];
    expect(histogramQuantile(h, 0.5)).toBe(5); // lower median of 4, 5, 20, 329
    expect(histogramQuantile(h, 0.9)).toBe(329);
    expect(histogramQuantile([{ value: 7, n: 10 }], 0.9)).toBe(7);
    expect(histogramQuantile([], 0.5)).toBeNull();
    expect(histogramQuantile([{ value: 1, n: 0 }], 0.5)).toBeNull();
    // 90 cases at 3 days, 10 at 30 days: the 90th percentile is 3, the 91st would be 30.
    expect(
      histogramQuantile(
        [
          { value: 3, n: 90 },
          { value: 30, n: 10 },
        ],
        0.9,
      ),
    ).toBe(3);
    expect(
      histogramQuantile(
        [
          { value: 3, n: 89 },
          { value: 30, n: 11 },
        ],
        0.9,
      ),
    ).toBe(30);
  });
});

describe("satisfaction", () => {
  it("answers of 4 or 5 over all answers", () => {
    const s = satisfactionFrom([
      { score: 5, n: 3 },
      { score: 4, n: 1 },
      { score: 3, n: 1 },
      { score: 2, n: 1 },
    ]);
    expect(s).toEqual({ answers: 6, satisfied: 4, share: 4 / 6, byScore: [0, 1, 1, 1, 3] });
  });
  it("ignores scores outside 1–5 and has no share without answers", () => {
    expect(satisfactionFrom([{ score: 9, n: 4 }])).toEqual({ answers: 0, satisfied: 0, share: null, byScore: [0, 0, 0, 0, 0] });
  });
});

describe("small-cell rule", () => {
  it("a breakdown is shown only when every cell is 0 or at least 5", () => {
    expect(smallCellsOk([0, 5, 12])).toBe(true);
    expect(smallCellsOk([0, 0])).toBe(true);
    expect(smallCellsOk([5, 4])).toBe(false);
    expect(smallCellsOk([1])).toBe(false);
  });
  it("single counts of 1–4 are suppressed", () => {
    expect([0, 1, 4, 5].map(isSuppressed)).toEqual([false, true, true, false]);
  });
});

describe("plan targets", () => {
  const base = { currentCovered: true, previousCovered: true };
  it("lists every measure with a complaint target", () => {
    expect([...new Set(TARGETS.map((t) => t.measure))]).toEqual([13, 15, 16, 17, 19, 20, 23, 24, 25, 28]);
  });
  it("zero: met only at 0", () => {
    expect(judgeTarget({ ...base, rule: { kind: "zero" }, current: 0, previous: 3 })).toBe("met");
    expect(judgeTarget({ ...base, rule: { kind: "zero" }, current: 1, previous: 0 })).toBe("not_met");
  });
  it("decrease: lower than last year, or zero in both", () => {
    const rule = { kind: "decrease" } as const;
    expect(judgeTarget({ ...base, rule, current: 2, previous: 3 })).toBe("met");
    expect(judgeTarget({ ...base, rule, current: 3, previous: 3 })).toBe("not_met");
    expect(judgeTarget({ ...base, rule, current: 0, previous: 0 })).toBe("met");
    expect(judgeTarget({ ...base, rule, current: 1, previous: 0 })).toBe("not_met");
    expect(judgeTarget({ ...base, previousCovered: false, rule, current: 0, previous: 0 })).toBe("not_enough_data");
  });
  it("measure 24: at least 10% fewer substantiated cases", () => {
    const rule = { kind: "decrease_pct", pct: 10 } as const;
    expect(judgeTarget({ ...base, rule, current: 9, previous: 10 })).toBe("met");
    expect(judgeTarget({ ...base, rule, current: 10, previous: 11 })).toBe("not_met"); // 9.1% fewer
    expect(judgeTarget({ ...base, rule, current: 0, previous: 0 })).toBe("met");
    expect(judgeTarget({ ...base, rule, current: 1, previous: 0 })).toBe("not_met");
  });
  it("satisfaction: at least 80% with enough answers", () => {
    const rule = { kind: "at_least_share", share: 0.8 } as const;
    const n = MIN_SATISFACTION_ANSWERS;
    expect(judgeTarget({ ...base, rule, current: 0.8, previous: null, currentAnswers: n })).toBe("met");
    expect(judgeTarget({ ...base, rule, current: 0.79, previous: null, currentAnswers: n })).toBe("not_met");
    expect(judgeTarget({ ...base, rule, current: 1, previous: null, currentAnswers: n - 1 })).toBe("not_enough_data");
    expect(judgeTarget({ ...base, rule, current: null, previous: null, currentAnswers: 0 })).toBe("not_enough_data");
  });
  it("nothing is judged for a year before the portal held records", () => {
    expect(judgeTarget({ currentCovered: false, previousCovered: false, rule: { kind: "zero" }, current: 0, previous: 0 })).toBe(
      "not_enough_data",
    );
    expect(judgeTarget({ currentCovered: false, previousCovered: false, rule: { kind: "info" }, current: 0, previous: 0 })).toBe("info");
  });
  it("every row is provisional while the year runs (also measures 13, 23 and 28), none once it has ended", () => {
    expect(isProvisional(true)).toBe(true);
    expect(isProvisional(false)).toBe(false);
  });
});

describe("first-period outcome (measure 23)", () => {
  const due = "2026-01-15T16:59:59.999Z";
  const open = { sla_outcome: null, period_no: 1, due_at: due, paused_at: null };
  it("resolving by the deadline is in time, after it late", () => {
    expect(outcomeOnClose(open, new Date("2026-01-15T10:00:00Z"))).toBe("resolved");
    expect(outcomeOnClose(open, new Date("2026-01-16T10:00:00Z"))).toBe("late");
  });
  it("an explanation by the deadline counts, and a later timely result upgrades it", () => {
    expect(outcomeOnExplanation(open, new Date("2026-01-10T00:00:00Z"))).toBe("explained");
    expect(outcomeOnExplanation(open, new Date("2026-01-20T00:00:00Z"))).toBe("late");
    const explained = { ...open, sla_outcome: "explained" as const };
    expect(outcomeOnClose(explained, new Date("2026-01-14T00:00:00Z"))).toBe("resolved");
    expect(outcomeOnClose(explained, new Date("2026-02-01T00:00:00Z"))).toBeNull();
  });
  it("a paused clock has days left; decided outcomes and later periods never change", () => {
    expect(outcomeOnClose({ ...open, paused_at: "2026-01-20T00:00:00Z" }, new Date("2026-03-01T00:00:00Z"))).toBe("resolved");
    expect(outcomeOnClose({ ...open, sla_outcome: "late" }, new Date("2026-01-01T00:00:00Z"))).toBeNull();
    expect(outcomeOnClose({ ...open, period_no: 2 }, new Date("2026-01-01T00:00:00Z"))).toBeNull();
  });
  it("acknowledgement on time up to its due moment", () => {
    expect(ackOutcome(due, new Date(due))).toBe("on_time");
    expect(ackOutcome(due, new Date("2026-01-16T00:00:00Z"))).toBe("late");
    expect(ackOutcome(null, new Date())).toBe("on_time");
  });
});
