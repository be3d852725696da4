/**
 * /healthz decisions (app/models/operations/health.server.ts): which figures need a person (503), the holiday table's
 * coverage of the next 12 months, and the report's shape.
 */
import { describe, expect, it } from "vitest";
import {
  DISK_MIN_FREE_BYTES,
  evaluateHealth,
  healthReport,
  holidayCoverage,
  HOLIDAY_YEAR_MIN_DAYS,
  OUTBOX_PENDING_MAX_AGE_S,
  TICK_STALE_AFTER_S,
  type HealthFigures,
} from "~/models/operations/health.server";

function fine(): HealthFigures {
  return {
    database: true,
    outbox: { pending: 2, oldestPendingSeconds: 5, deadLetters: 3, recentDeadLetters: 0 },
    tick: { secondsSinceLast: 30, secondsSinceStart: 5000 },
    holidays: { coveredUntil: "2027-12-31", neededUntil: "2027-12-03" },
    disk: { freeBytes: 50 * 1024 ** 3 },
  };
}

describe("evaluateHealth", () => {
  it("all fine: no problem (old dead letters, a short queue and unknown disk space do not count)", () => {
    expect(evaluateHealth(fine())).toEqual([]);
    expect(evaluateHealth({ ...fine(), disk: { freeBytes: null } })).toEqual([]);
    expect(evaluateHealth({ ...fine(), outbox: { pending: 0, oldestPendingSeconds: null, deadLetters: 0, recentDeadLetters: 0 } })).toEqual(
      [],
    );
  });

  it("names each problem", () => {
    expect(evaluateHealth({ ...fine(), database: false, outbox: null, holidays: null })).toEqual(["database"]);
    expect(evaluateHealth({ ...fine(), outbox: { ...fine().outbox!, oldestPendingSeconds: OUTBOX_PENDING_MAX_AGE_S + 1 } })).toEqual([
      "outbox_stuck",
    ]);
    expect(evaluateHealth({ ...fine(), outbox: { ...fine().outbox!, oldestPendingSeconds: OUTBOX_PENDING_MAX_AGE_S } })).toEqual([]);
    expect(evaluateHealth({ ...fine(), outbox: { ...fine().outbox!, recentDeadLetters: 1 } })).toEqual(["outbox_dead_letters"]);
    expect(evaluateHealth({ ...fine(), tick: { secondsSinceLast: TICK_STALE_AFTER_S + 1, secondsSinceStart: 99_999 } })).toEqual([
      "deadline_tick_stale",
    ]);
    expect(evaluateHealth({ ...fine(), holidays: { coveredUntil: "2027-12-31", neededUntil: "2028-01-01" } })).toEqual(["holidays_ending"]);
    expect(evaluateHealth({ ...fine(), holidays: { coveredUntil: null, neededUntil: "2028-01-01" } })).toEqual(["holidays_ending"]);
    expect(evaluateHealth({ ...fine(), disk: { freeBytes: DISK_MIN_FREE_BYTES - 1 } })).toEqual(["disk_low"]);
  });

  it("before the first tick, the time since the process started counts", () => {
    expect(evaluateHealth({ ...fine(), tick: { secondsSinceLast: null, secondsSinceStart: 60 } })).toEqual([]);
    expect(evaluateHealth({ ...fine(), tick: { secondsSinceLast: null, secondsSinceStart: TICK_STALE_AFTER_S + 1 } })).toEqual([
      "deadline_tick_stale",
    ]);
  });
});

describe("holidayCoverage", () => {
  const years = (entries: [number, number][]) => new Map(entries);
  it("runs to the end of the last year without a gap, from the current one", () => {
    expect(
      holidayCoverage(
        years([
          [2026, 20],
          [2027, 18],
        ]),
        "2026-12-03",
      ),
    ).toBe("2027-12-31");
    expect(
      holidayCoverage(
        years([
          [2026, 20],
          [2027, 18],
          [2029, 19],
        ]),
        "2026-12-03",
      ),
    ).toBe("2027-12-31");
    expect(holidayCoverage(years([[2027, 18]]), "2026-12-03")).toBeNull();
  });

  it("a year with only a few days entered does not count", () => {
    expect(
      holidayCoverage(
        years([
          [2026, 20],
          [2027, HOLIDAY_YEAR_MIN_DAYS - 1],
        ]),
        "2026-03-01",
      ),
    ).toBe("2026-12-31");
  });
});

describe("healthReport", () => {
  it("status, problems and per-check figures; no personal data in any field", () => {
    const r = healthReport({ ...fine(), outbox: { ...fine().outbox!, oldestPendingSeconds: 7200 } }, new Date("2026-12-03T00:00:00Z"));
    expect(r.status).toBe("needs attention");
    expect(r.problems).toEqual(["outbox_stuck"]);
    expect(r.checks.outbox).toMatchObject({ ok: false, oldestPendingSeconds: 7200, maxPendingSeconds: OUTBOX_PENDING_MAX_AGE_S });
    expect(r.checks.database.ok && r.checks.deadlineTick.ok && r.checks.holidays.ok && r.checks.disk.ok).toBe(true);
    expect(Object.keys(r).sort()).toEqual(["checkedAt", "checks", "problems", "proxyWarning", "status"]);
    expect(healthReport(fine()).status).toBe("ok");
  });
});
