import { describe, expect, it } from "vitest";
import {
  caseListHref,
  caseListSearch,
  dayRangeInstants,
  describeCriteria,
  fiscalYearDays,
  hasCriteria,
  monthRange,
  parseCaseListCriteria,
  parseCaseListFilter,
  withoutCriterion,
  type CaseListFilter,
} from "~/lib/complaint-list-filter";
import { tFor } from "~/i18n";

const p = (s: string) => new URLSearchParams(s);
const parse = (s: string) => parseCaseListFilter(p(s));

describe("parseCaseListFilter: fiscal year", () => {
  it("accepts a 4-digit BE year from 2500 to 2700", () => {
    expect(parse("fy=2569")).toEqual({ fy: 2569 });
    expect(parse("fy=2500")).toEqual({ fy: 2500 });
    expect(parse("fy=2700")).toEqual({ fy: 2700 });
  });

  it("returns null when fy is missing or invalid", () => {
    for (const q of [
      "",
      "fy=",
      "fy=2499",
      "fy=2701",
      "fy=2026x",
      "fy=+2569",
      "fy=02569",
      "fy=256",
      "fy=2569.0",
      "fy= 2569",
      "fy=๒๕๖๙",
      "category=1",
    ]) {
      expect(parse(q), q).toBeNull();
    }
  });
});

describe("parseCaseListFilter: dates", () => {
  it("keeps real days inside the fiscal year (1 Oct – 30 Sep)", () => {
    expect(parse("fy=2569&from=2025-10-01&to=2026-09-30")).toEqual({ fy: 2569, from: "2025-10-01", to: "2026-09-30" });
    expect(parse("fy=2569&from=2026-01-05")).toEqual({ fy: 2569, from: "2026-01-05" });
    expect(parse("fy=2569&to=2026-02-28")).toEqual({ fy: 2569, to: "2026-02-28" });
  });

  it("ignores days outside the year, impossible dates and malformed values", () => {
    expect(parse("fy=2569&from=2025-09-30")).toEqual({ fy: 2569 });
    expect(parse("fy=2569&to=2026-10-01")).toEqual({ fy: 2569 });
    expect(parse("fy=2569&from=2026-02-29")).toEqual({ fy: 2569 }); // 2026 is not a leap year
    expect(parse("fy=2571&from=2028-02-29")).toEqual({ fy: 2571, from: "2028-02-29" }); // 2028 is
    expect(parse("fy=2569&from=2026-1-5&to=20260110")).toEqual({ fy: 2569 });
    expect(parse("fy=2569&from=2026-13-01")).toEqual({ fy: 2569 });
  });

  it("drops a range whose start is after its end", () => {
    expect(parse("fy=2569&from=2026-03-01&to=2026-02-01")).toEqual({ fy: 2569 });
  });

  it("expands month=YYYY-MM to its first and last day", () => {
    expect(parse("fy=2569&month=2026-01")).toEqual({ fy: 2569, from: "2026-01-01", to: "2026-01-31" });
    expect(parse("fy=2569&month=2026-02")).toEqual({ fy: 2569, from: "2026-02-01", to: "2026-02-28" });
    expect(parse("fy=2569&month=2025-10")).toEqual({ fy: 2569, from: "2025-10-01", to: "2025-10-31" });
    expect(parse("fy=2569&month=2025-09")).toEqual({ fy: 2569 }); // previous fiscal year
    expect(parse("fy=2569&month=2026-1")).toEqual({ fy: 2569 });
    expect(parse("fy=2569&month=2026-00")).toEqual({ fy: 2569 });
    // explicit from/to win over month
    expect(parse("fy=2569&month=2026-01&from=2026-01-10")).toEqual({ fy: 2569, from: "2026-01-10" });
    expect(monthRange("2024-02")).toEqual({ from: "2024-02-01", to: "2024-02-29" });
  });

  it("fiscalYearDays and dayRangeInstants use Bangkok days (UTC+7)", () => {
    expect(fiscalYearDays(2569)).toEqual({ from: "2025-10-01", to: "2026-09-30" });
    const r = dayRangeInstants("2026-01-01", "2026-01-31");
    expect(r.start!.toISOString()).toBe("2025-12-31T17:00:00.000Z");
    expect(r.endExclusive!.toISOString()).toBe("2026-01-31T17:00:00.000Z");
    expect(dayRangeInstants(undefined, undefined)).toEqual({ start: undefined, endExclusive: undefined });
  });
});

describe("parseCaseListFilter: other criteria", () => {
  it("reads every criterion", () => {
    expect(
      parse(
        "fy=2569&category=3&channel=line&division=2&village=5&state=overdue&sla=explained&ack=late&topic=unfair_service&rated=satisfied",
      ),
    ).toEqual({
      fy: 2569,
      categoryId: 3,
      channel: "line",
      divisionId: 2,
      villageId: 5,
      state: "overdue",
      sla: "explained",
      ack: "late",
      topic: "unfair_service",
      rated: "satisfied",
    });
    expect(parse("fy=2569&division=none&village=none&sla=undecided&rated=any&state=closed")).toEqual({
      fy: 2569,
      divisionId: "none",
      villageId: "none",
      sla: "undecided",
      rated: "any",
      state: "closed",
    });
  });

  it("ignores ids that are not positive integers and values not in their list", () => {
    expect(
      parse("fy=2569&category=0&channel=email&division=-1&village=1.5&state=done&sla=ok&ack=never&topic=abuse_of_position&rated=yes"),
    ).toEqual({ fy: 2569 });
    expect(parse("fy=2569&category=01&division=9999999999&village=x")).toEqual({ fy: 2569 });
    expect(parse("fy=2569&topic=BRIBERY&channel=Web")).toEqual({ fy: 2569 });
  });

  it("criteria without a fiscal year: dates are only checked to be real", () => {
    expect(parseCaseListCriteria(p("month=2026-01&channel=phone"))).toEqual({ from: "2026-01-01", to: "2026-01-31", channel: "phone" });
    expect(parseCaseListCriteria(p("from=2026-02-30"))).toEqual({});
  });
});

describe("caseListSearch / caseListHref", () => {
  const full: CaseListFilter = {
    rated: "any",
    topic: "bribery",
    ack: "on_time",
    sla: "late",
    state: "open",
    villageId: "none",
    divisionId: 4,
    channel: "phone",
    categoryId: 2,
    to: "2026-01-31",
    from: "2026-01-01",
    fy: 2569,
  };

  it("writes parameters in a stable order whatever the object's key order", () => {
    expect(caseListSearch(full)).toBe(
      "?fy=2569&from=2026-01-01&to=2026-01-31&category=2&channel=phone&division=4&village=none&state=open&sla=late&ack=on_time&topic=bribery&rated=any",
    );
    expect(caseListSearch({ fy: 2569 })).toBe("?fy=2569");
  });

  it("round-trips through parseCaseListFilter", () => {
    expect(parse(caseListSearch(full).slice(1))).toEqual(full);
    const monthly = parse("month=2026-03&fy=2569&state=closed")!;
    expect(parse(caseListSearch(monthly).slice(1))).toEqual(monthly);
  });

  it("links the public list and the staff queue (with closed cases)", () => {
    expect(caseListHref({ fy: 2569, state: "closed" }, "public")).toBe("/stats/cases?fy=2569&state=closed");
    expect(caseListHref({ fy: 2569, state: "closed" }, "staff")).toBe("/staff?status=all&fy=2569&state=closed");
  });

  it("hasCriteria and withoutCriterion", () => {
    expect(hasCriteria({ fy: 2569 })).toBe(false);
    expect(hasCriteria({ fy: 2569, from: "2026-01-01" })).toBe(true);
    expect(withoutCriterion(full, "dates")).not.toHaveProperty("from");
    expect(withoutCriterion(full, "dates")).not.toHaveProperty("to");
    expect(withoutCriterion(full, "topic")).not.toHaveProperty("topic");
    expect(withoutCriterion(full, "topic").fy).toBe(2569);
  });
});

describe("describeCriteria", () => {
  const th = tFor("th", "caselist") as unknown as (k: string, o?: Record<string, unknown>) => string;
  const en = tFor("en", "caselist") as unknown as (k: string, o?: Record<string, unknown>) => string;
  const words = (f: Parameters<typeof describeCriteria>[0], lang: "th" | "en", names = {}) =>
    describeCriteria(f, lang === "th" ? th : en, lang, names)
      .map((x) => x.text)
      .join(" · ");

  it("describes a month, a category and a state in Thai, as on the page", () => {
    expect(words(parse("fy=2569&month=2026-01&category=1&state=resolved")!, "th", { category: "ถนน/ทางเท้า" })).toBe(
      "เรื่องที่รับในเดือนมกราคม 2569 · หมวดถนน/ทางเท้า · ดำเนินการแล้วเสร็จ",
    );
  });

  it("describes the whole year, ranges and the other criteria", () => {
    expect(words({ fy: 2569 }, "th")).toBe("เรื่องที่รับในปีงบประมาณ 2569");
    expect(words({ fy: 2569, from: "2025-10-01", to: "2026-09-30" }, "th")).toBe("เรื่องที่รับในปีงบประมาณ 2569");
    expect(words({ fy: 2569, from: "2025-10-01", to: "2026-03-31" }, "th")).toBe("เรื่องที่รับระหว่างวันที่ 1 ตุลาคม 2568 ถึง 31 มีนาคม 2569");
    expect(
      words({ fy: 2569, topic: "bribery", divisionId: "none", villageId: 3, sla: "explained", rated: "satisfied" }, "th", { village: 4 }),
    ).toBe("เรื่องที่รับในปีงบประมาณ 2569 · ยังไม่ได้มอบหมายกอง/ส่วน · หมู่ที่ 4 · ชี้แจงผู้ร้องภายในกำหนด · หัวข้อตามแผน: การรับสินบน · ผู้ร้องพึงพอใจ (4–5 คะแนน)");
    expect(
      words({ fy: 2569, month: undefined, from: "2026-01-01", to: "2026-01-31", channel: "line", state: "overdue" } as never, "en"),
    ).toBe("Received in January 2569 BE · Received by LINE · Past the deadline and still open");
  });

  it("gives each phrase the criterion it removes", () => {
    expect(describeCriteria({ fy: 2569, from: "2026-01-01", to: "2026-01-31", ack: "late" }, th, "th").map((x) => x.key)).toEqual([
      "dates",
      "ack",
    ]);
    expect(describeCriteria({ fy: 2569, ack: "late" }, th, "th").map((x) => x.key)).toEqual(["fy", "ack"]);
  });
});
