/**
 * The corruption-channel migration rebuilds the staff table (new role in a CHECK). On a populated database it must
 * keep every staff id and every reference to them (complaints, case_events, sessions), and `down` must undo it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Migrator, sql } from "kysely";
import { openDatabase } from "../../db/connection";
import { migrations } from "../../db/migrations";
import { seedOrganisation } from "../../db/seed";
import { seedBeforeMapColumns } from "../helpers/old-schema-seed";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-mig-"));
const db = openDatabase(path.join(dir, "m.db"));
const all = Object.fromEntries(Object.entries(migrations).filter(([n]) => n <= "2026-11-26T0300_corruption_channel"));
const firstTwo = Object.fromEntries(Object.entries(migrations).slice(0, 2));
const migrator = (m: typeof migrations) => new Migrator({ db, provider: { getMigrations: async () => m } });

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("2026-11-26T0300_corruption_channel", () => {
  it("keeps staff ids and references through the staff rebuild, and reverts", async () => {
    expect((await migrator(firstTwo).migrateToLatest()).error).toBeUndefined();
    await seedOrganisation(db, seedBeforeMapColumns());
    const at = "2026-11-20T03:00:00.000Z";
    // ids 1..4, then remove 1 so the ids have a gap and the autoincrement mark is above the highest id
    for (const [email, role] of [
      ["gone@x.th", "admin"],
      ["admin@x.th", "admin"],
      ["off@x.th", "officer"],
      ["exec@x.th", "executive"],
      ["last@x.th", "intake"],
    ] as const) {
      await db
        .insertInto("staff")
        .values({ email, name: email, role, division_id: role === "officer" ? 1 : null, password_hash: "h", active: 1 })
        .execute();
    }
    await db.deleteFrom("staff").where("id", "=", 5).execute();
    await db.deleteFrom("staff").where("id", "=", 1).execute();
    const cat = await db.selectFrom("categories").select(["id", "division_id"]).executeTakeFirstOrThrow();
    const c = await db
      .insertInto("complaints")
      .values({
        reference: "2570-000001",
        fiscal_year: 2570,
        seq: 1,
        submission_key_hash: null,
        tracking_hash: "x",
        channel: "web",
        category_id: cat.id,
        subject: "s",
        details: "d",
        village_id: null,
        landmark: "",
        latitude: null,
        longitude: null,
        contact_name: "",
        contact_phone: "",
        contact_email: "",
        contact_address: "",
        preferred_contact: "none",
        lang: "th",
        status: "accepted",
        division_id: cat.division_id,
        assignee_id: 3,
        received_at: at,
        due_at: at,
        accepted_at: at,
        closed_at: null,
        result_summary: "",
        forwarded_to: "",
        recorded_by: 2,
        created_at: at,
        updated_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("case_events")
      .values({
        complaint_id: c.id,
        kind: "assign",
        from_status: null,
        to_status: null,
        actor_id: 2,
        note: "n",
        is_public: 0,
        division_id: null,
        assignee_id: 3,
        created_at: at,
      })
      .execute();
    await sql`insert into staff_sessions (id, staff_id, created_at, last_seen_at, expires_at) values ('sess', 3, ${at}, ${at}, ${at})`.execute(
      db,
    );
    const before = await sql<{
      id: number;
      email: string;
      role: string;
      created_at: string;
    }>`select id, email, role, created_at from staff order by id`.execute(db);

    const up = await migrator(all).migrateToLatest();
    expect(up.error).toBeUndefined();
    const after = await db.selectFrom("staff").select(["id", "email", "role", "created_at"]).orderBy("id").execute();
    expect(after).toEqual(before.rows);
    expect((await sql`pragma foreign_key_check`.execute(db)).rows).toEqual([]);
    expect((await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db)).rows).toEqual([{ integrity_check: "ok" }]);
    expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows[0].foreign_keys).toBe(1);
    const complaint = await db.selectFrom("complaints").select(["assignee_id", "recorded_by"]).executeTakeFirstOrThrow();
    expect(complaint).toEqual({ assignee_id: 3, recorded_by: 2 });
    expect((await db.selectFrom("case_events").select("actor_id").executeTakeFirstOrThrow()).actor_id).toBe(2);
    expect(await db.selectFrom("staff_sessions").select(["id", "staff_id", "mfa_verified_at"]).execute()).toEqual([
      { id: "sess", staff_id: 3, mfa_verified_at: null },
    ]);

    // The new role is accepted, ids are not reused, foreign keys still bind to the new table.
    const integ = await db
      .insertInto("staff")
      .values({ email: "integ@x.th", name: "I", role: "integrity", division_id: null, password_hash: "h", active: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(integ.id).toBe(6);
    await expect(
      sql`insert into staff_sessions (id, staff_id, created_at, last_seen_at, expires_at) values ('bad', 999, ${at}, ${at}, ${at})`.execute(
        db,
      ),
    ).rejects.toThrow(/FOREIGN KEY/);
    await expect(
      db
        .insertInto("staff")
        .values({ email: "r@x.th", name: "R", role: "root" as never, division_id: null, password_hash: "h", active: 1 })
        .execute(),
    ).rejects.toThrow(/CHECK/);
    expect(await db.selectFrom("integrity_settings").select(["id", "retention_years", "ack_days", "feedback_days"]).execute()).toEqual([
      { id: 1, retention_years: 5, ack_days: 7, feedback_days: 30 },
    ]);

    // down refuses while an integrity account exists, then reverts cleanly.
    const refused = await migrator(all).migrateDown();
    expect(refused.error).toBeDefined();
    expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows[0].foreign_keys).toBe(1);
    await db.deleteFrom("staff").where("id", "=", integ.id).execute();
    const tables = await sql<{ name: string }>`select name from sqlite_master where type='table' and name='reports'`.execute(db);
    expect(tables.rows.length).toBe(1);
    await db.deleteFrom("integrity_settings").execute();
    const down = await migrator(all).migrateDown();
    expect(down.error).toBeUndefined();
    expect((await sql<{ sql: string }>`select sql from sqlite_master where name = 'staff'`.execute(db)).rows[0].sql).not.toContain(
      "integrity",
    );
    expect((await sql`pragma foreign_key_check`.execute(db)).rows).toEqual([]);
    expect(await sql`select id from staff order by id`.execute(db).then((r) => r.rows)).toEqual([{ id: 2 }, { id: 3 }, { id: 4 }]);
    expect((await db.selectFrom("complaints").select("assignee_id").executeTakeFirstOrThrow()).assignee_id).toBe(3);
    // and up again
    expect((await migrator(all).migrateToLatest()).error).toBeUndefined();
    expect((await sql`pragma foreign_key_check`.execute(db)).rows).toEqual([]);
  });
});
