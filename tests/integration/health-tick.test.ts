/**
 * A deadline ticker that stopped: /healthz's figures say "deadline_tick_stale" when the last finished tick
 * is older than TICK_STALE_AFTER_S, and from the process start until a first tick has finished. In-process, on a
 * real migrated SQLite file, with the wall clock given to the check (the real server's heartbeat arriving is checked in
 * health-metrics.test.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-health-tick-"));
process.env.DATA_DIR = dataDir;
for (const k of ["DATABASE_URL", "CLOCK_OFFSET_MS", "PUBLIC_URL"]) delete process.env[k];
globalThis.__sujaritEnv = undefined;

const { getDb } = await import("~/utils/db.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedHolidays, seedOrganisation } = await import("../../db/seed");
const { runDeadlineTick } = await import("~/models/deadlines/escalation.server");
const health = await import("~/models/operations/health.server");

beforeAll(async () => {
  const db = getDb();
  await migrateToLatest(db);
  await seedOrganisation(db);
  await seedHolidays(db);
  // The holiday table must not be what fails here, whatever today's date.
  const year = new Date().getUTCFullYear();
  for (let y = year; y <= year + 2; y++) {
    for (let d = 1; d <= 12; d++) {
      await db
        .insertInto("holidays")
        .values({
          date: `${y}-03-${String(d).padStart(2, "0")}`,
          name_th: "ทดสอบ",
          name_en: "test",
          kind: "special",
          updated_at: new Date().toISOString(),
          updated_by: null,
        })
        .onConflict((oc) => oc.column("date").doNothing())
        .execute();
    }
  }
  health.resetHealthForTests();
});

afterAll(async () => {
  await getDb().destroy();
  globalThis.__sujaritDb = undefined;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const problemsAt = async (wallNow: number) => health.evaluateHealth(await health.gatherHealthFigures(getDb(), { wallNow }));
const MIN = 60_000;

describe("deadline ticker heartbeat", () => {
  it("before any tick: fine right after the start, stale once TICK_STALE_AFTER_S has passed", async () => {
    const started = performance.timeOrigin;
    expect(await problemsAt(Date.now())).toEqual([]);
    expect(await problemsAt(started + health.TICK_STALE_AFTER_S * 1000 + MIN)).toEqual(["deadline_tick_stale"]);
  });

  it("a finished tick (as the server's ticker records it) resets the age; 16 minutes without one is stale", async () => {
    const r = await runDeadlineTick(getDb());
    const finished = Date.now();
    health.recordDeadlineTick(r, finished);
    const figures = await health.gatherHealthFigures(getDb(), { wallNow: finished + 5_000 });
    expect(figures.tick.secondsSinceLast).toBe(5);
    expect(health.evaluateHealth(figures)).toEqual([]);
    expect(await problemsAt(finished + 14 * MIN)).toEqual([]);
    expect(await problemsAt(finished + 16 * MIN)).toEqual(["deadline_tick_stale"]);
    const report = health.healthReport(await health.gatherHealthFigures(getDb(), { wallNow: finished + 16 * MIN }));
    expect(report.status).toBe("needs attention");
    expect(report.checks.deadlineTick).toMatchObject({
      ok: false,
      secondsSinceLastTick: 16 * 60,
      staleAfterSeconds: health.TICK_STALE_AFTER_S,
    });
  });

  it("escalations the ticker claimed are counted for /metrics", () => {
    health.recordDeadlineTick({ escalated: { due_soon: 2, overdue: 0, overdue_executive: 1, unassigned: 0 } });
    health.recordDeadlineTick({ escalated: { due_soon: 1 } });
    expect(health.deadlineTickState().escalated).toEqual({ due_soon: 3, overdue_executive: 1 });
  });
});
