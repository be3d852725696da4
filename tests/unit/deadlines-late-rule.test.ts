/**
 * The clock's "late" rule is written once in TypeScript (isLateByClock) and once in SQL (the ticker's statement,
 * markLateOutcomesBatch, over the partial index complaints_sla_undecided). This runs both on the same cases — every
 * combination of outcome, period, pause, status and deadline — and compares.
 */
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { CASE_STATUSES } from "~/lib/complaint-status";
import { isLateByClock, markLateOutcomesBatch, undecidedRunningSqlText, type LateClock, type SlaOutcome } from "~/models/deadlines";

describe("the clock's late rule: SQL and TypeScript agree", () => {
  it("on every combination of the columns it reads", async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(":memory:") }) });
    await sql`create table complaints (id integer primary key, sla_outcome text, period_no integer not null, paused_at text,
      status text not null, due_at text not null, ack_outcome text, acknowledged_at text, ack_due_at text)`.execute(db);
    // The indexes the ticker names, with the conditions of migration 0700.
    await sql.raw(`create index complaints_sla_undecided on complaints (due_at, id) where ${undecidedRunningSqlText()}`).execute(db);
    await sql
      .raw(`create index complaints_ack_undecided on complaints (ack_due_at, id) where ack_outcome is null and acknowledged_at is null`)
      .execute(db);

    const at = new Date("2025-03-10T05:00:00Z");
    const cases: (LateClock & { id: number })[] = [];
    let id = 0;
    for (const sla_outcome of [null, "resolved", "explained", "late"] as (SlaOutcome | null)[])
      for (const period_no of [1, 2])
        for (const paused_at of [null, "2025-03-01T00:00:00.000Z"])
          for (const status of CASE_STATUSES)
            for (const due_at of [
              "2025-03-09T16:59:59.999Z",
              "2025-03-10T04:59:59.999Z",
              "2025-03-10T05:00:00.000Z",
              "2025-03-10T16:59:59.999Z",
            ])
              cases.push({ id: ++id, sla_outcome, period_no, paused_at, status, due_at });
    for (const c of cases) await db.insertInto("complaints").values(c).execute();

    const n = await markLateOutcomesBatch(db, at, 100_000);
    const rows = await db.selectFrom("complaints").select(["id", "sla_outcome"]).orderBy("id").execute();
    const before = new Map(cases.map((c) => [c.id, c]));
    const madeLateBySql = rows.filter((r) => r.sla_outcome === "late" && before.get(r.id)!.sla_outcome !== "late").map((r) => r.id);
    const lateByTs = cases.filter((c) => isLateByClock(c, at)).map((c) => c.id);
    expect(madeLateBySql).toEqual(lateByTs);
    expect(n.deadline).toBe(lateByTs.length);
    expect(lateByTs.length).toBeGreaterThan(0);
    await db.destroy();
  });
});
