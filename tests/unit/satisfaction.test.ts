/** Pure satisfaction rules: scale, ratable statuses, the 30-day change window, token expiry, the form schemas. */
import { describe, expect, it } from "vitest";
import {
  canChangeRating,
  COUNTER_SERVICES,
  isCounterService,
  isRatableStatus,
  isRatingTokenShape,
  isSatisfied,
  isScore,
  ratingChangeableUntil,
  ratingTokenExpiry,
} from "~/lib/satisfaction";
import { caseRatingSchema, counterFeedbackSchema } from "~/lib/satisfaction.server";
import { fieldErrors } from "~/lib/validation";
import { CASE_STATUSES } from "~/lib/complaint-status";
import th from "~/locales/th/satisfaction.json";
import en from "~/locales/en/satisfaction.json";

const DAY = 24 * 3600 * 1000;

describe("scale", () => {
  it("accepts the integers 1..5 only and counts 4 and 5 as satisfied", () => {
    expect([1, 2, 3, 4, 5].every(isScore)).toBe(true);
    for (const x of [0, 6, 4.5, -1, NaN, "4", null, undefined]) expect(isScore(x)).toBe(false);
    expect([1, 2, 3, 4, 5].map(isSatisfied)).toEqual([false, false, false, true, true]);
  });
});

describe("which cases can be rated", () => {
  it("only resolved and forwarded cases", () => {
    expect(CASE_STATUSES.filter(isRatableStatus)).toEqual(["resolved", "forwarded"]);
    expect(isRatableStatus("closed")).toBe(false);
  });
});

describe("30-day window for changing an answer", () => {
  const first = new Date("2026-01-10T03:00:00.000Z");
  it("ends exactly 30 days after the first answer, boundary included", () => {
    expect(ratingChangeableUntil(first).toISOString()).toBe("2026-02-09T03:00:00.000Z");
    expect(canChangeRating(first, first)).toBe(true);
    expect(canChangeRating(first, new Date(first.getTime() + 29 * DAY))).toBe(true);
    expect(canChangeRating(first, new Date(first.getTime() + 30 * DAY))).toBe(true);
    expect(canChangeRating(first, new Date(first.getTime() + 30 * DAY + 1))).toBe(false);
    expect(canChangeRating(first, new Date(first.getTime() + 31 * DAY))).toBe(false);
  });
  it("rating links expire after 60 days", () => {
    expect(ratingTokenExpiry(first).getTime() - first.getTime()).toBe(60 * DAY);
  });
});

describe("token shape", () => {
  it("is 43 base64url characters (32 bytes)", () => {
    expect(isRatingTokenShape("A".repeat(43))).toBe(true);
    expect(isRatingTokenShape("aZ09-_".repeat(7) + "x")).toBe(true);
    for (const x of ["A".repeat(42), "A".repeat(44), "A".repeat(42) + "=", "A".repeat(42) + "/", "", 5, null])
      expect(isRatingTokenShape(x)).toBe(false);
  });
});

describe("case rating form", () => {
  it("parses a score and a cleaned optional comment", () => {
    expect(caseRatingSchema.parse({ score: "5", comment: "  ดีมาก\r\nขอบคุณ  " })).toEqual({ score: 5, comment: "ดีมาก\nขอบคุณ" });
    expect(caseRatingSchema.parse({ score: " 3 " })).toEqual({ score: 3, comment: "" });
  });
  it("refuses a missing or out-of-range score with the satisfaction message", () => {
    for (const score of [undefined, "", "0", "6", "4.5", "๔", "1e0", "five"]) {
      const r = caseRatingSchema.safeParse({ score, comment: "" });
      expect(r.success, String(score)).toBe(false);
      if (!r.success) expect(fieldErrors(r.error)).toEqual({ score: "satisfaction:errors.score" });
    }
  });
  it("limits the comment to 1000 characters (code points) and refuses control characters", () => {
    expect(caseRatingSchema.safeParse({ score: "4", comment: "ก".repeat(1000) }).success).toBe(true);
    expect(caseRatingSchema.safeParse({ score: "4", comment: "😀".repeat(1000) }).success).toBe(true);
    const long = caseRatingSchema.safeParse({ score: "4", comment: "ก".repeat(1001) });
    expect(long.success).toBe(false);
    if (!long.success) expect(fieldErrors(long.error)).toEqual({ comment: "errors.tooLong" });
    const bad = caseRatingSchema.safeParse({ score: "4", comment: "a\u0000b" });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(fieldErrors(bad.error)).toEqual({ comment: "errors.invalidText" });
  });
});

describe("counter feedback form", () => {
  it("accepts every listed service and refuses others", () => {
    for (const s of COUNTER_SERVICES)
      expect(counterFeedbackSchema.parse({ service: s, score: "4" })).toEqual({ service: s, score: 4, comment: "" });
    const r = counterFeedbackSchema.safeParse({ service: "lottery", score: "9", comment: "" });
    expect(r.success).toBe(false);
    if (!r.success) expect(fieldErrors(r.error)).toEqual({ service: "satisfaction:errors.service", score: "satisfaction:errors.score" });
    expect(isCounterService("welfare")).toBe(true);
    expect(isCounterService("toString")).toBe(false);
  });
  it("has a Thai and an English name for every service and every scale point", () => {
    for (const s of COUNTER_SERVICES) {
      expect(th.services[s], s).toMatch(/[\u0E00-\u0E7F]/);
      expect(en.services[s], s).toMatch(/^[A-Z]/);
    }
    for (const n of ["1", "2", "3", "4", "5"] as const) {
      expect(th.scale[n]).toMatch(/[\u0E00-\u0E7F]/);
      expect(en.scale[n]).toBeTruthy();
    }
    expect(th.services.welfare).toContain("เบี้ยยังชีพ");
  });
  it("the two locale files have the same keys", () => {
    const keys = (o: unknown, p = ""): string[] =>
      o && typeof o === "object" && !Array.isArray(o) ? Object.entries(o).flatMap(([k, v]) => keys(v, p ? `${p}.${k}` : k)) : [p];
    expect(keys(en).sort()).toEqual(keys(th).sort());
  });
});
