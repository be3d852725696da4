/** The audit log is append-only and hash-chained: editing, removing or re-linking entries is detected. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "kysely";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-audit-"));
process.env.DATA_DIR = dataDir;
delete process.env.MASTER_KEY;

const { openDatabase, migrateToLatest } = await import("../../db/connection");
const audit = await import("~/models/audit/audit.server");

const dbs: { destroy(): Promise<void> }[] = [];
afterAll(async () => {
  for (const d of dbs) await d.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

let n = 0;
async function freshLog(entries = 6) {
  const db = openDatabase(path.join(dataDir, `a${++n}.db`));
  dbs.push(db);
  await migrateToLatest(db);
  for (let i = 1; i <= entries; i++) {
    await audit.appendAudit(db, {
      actorId: i % 2 ? 7 : null,
      actorRole: i % 2 ? "integrity" : "reporter",
      action: i % 2 ? "report.view" : "reporter.message",
      targetType: "report",
      targetId: i,
      details: { n: i, nested: { b: 2, a: 1 } },
    });
  }
  return db;
}

async function dropGuards(db: Awaited<ReturnType<typeof freshLog>>) {
  await sql`drop trigger audit_log_no_update`.execute(db);
  await sql`drop trigger audit_log_no_delete`.execute(db);
}

describe("audit chain", () => {
  it("verifies an intact chain, also across batches", async () => {
    const db = await freshLog(7);
    expect(await audit.verifyAuditChain(db)).toEqual({ ok: true, checked: 7 });
    expect(await audit.verifyAuditChain(db, { batch: 2 })).toEqual({ ok: true, checked: 7 });
    const list = await audit.listAudit(db, { limit: 3 });
    expect(list.map((e) => e.id)).toEqual([7, 6, 5]);
    expect(list[0].prev_hash).toBe(list[1].hash);
    expect(JSON.parse(list[0].details)).toEqual({ n: 7, nested: { a: 1, b: 2 } });
  });

  it("refuses UPDATE and DELETE through the triggers", async () => {
    const db = await freshLog(2);
    await expect(sql`update audit_log set action = 'x' where id = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where id = 2`.execute(db)).rejects.toThrow(/append-only/);
    expect((await audit.verifyAuditChain(db)).ok).toBe(true);
  });

  it("detects an edited entry (even with the hash recomputed without the key)", async () => {
    const db = await freshLog();
    await dropGuards(db);
    await sql`update audit_log set details = '{"n":99}' where id = 3`.execute(db);
    expect(await audit.verifyAuditChain(db)).toMatchObject({ ok: false, firstBadId: 3, checked: 2, reason: "hash" });

    const db2 = await freshLog();
    await dropGuards(db2);
    const row = await db2.selectFrom("audit_log").selectAll().where("id", "=", 4).executeTakeFirstOrThrow();
    const forged = crypto
      .createHash("sha256")
      .update(row.prev_hash + "x")
      .digest("hex");
    await sql`update audit_log set actor_id = 1, hash = ${forged} where id = 4`.execute(db2);
    expect(await audit.verifyAuditChain(db2)).toMatchObject({ ok: false, firstBadId: 4 });
  });

  it("detects a removed entry in the middle and removed newest entries", async () => {
    const db = await freshLog();
    await dropGuards(db);
    await sql`delete from audit_log where id = 4`.execute(db);
    expect(await audit.verifyAuditChain(db)).toMatchObject({ ok: false, firstBadId: 5, reason: "link" });

    const db2 = await freshLog();
    await dropGuards(db2);
    await sql`delete from audit_log where id >= 5`.execute(db2);
    expect(await audit.verifyAuditChain(db2)).toMatchObject({ ok: false, firstBadId: 5, reason: "truncated", checked: 4 });
  });

  it("detects raw byte edits of the database file", async () => {
    const file = path.join(dataDir, `raw.db`);
    const db = openDatabase(file);
    await migrateToLatest(db);
    for (let i = 0; i < 3; i++) {
      await audit.appendAudit(db, {
        actorId: 5,
        actorRole: "integrity",
        action: "report.download",
        targetType: "report",
        targetId: 1,
        details: { attachmentId: 100 + i },
      });
    }
    await sql`pragma wal_checkpoint(truncate)`.execute(db);
    await db.destroy();
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf(Buffer.from('"attachmentId":101'));
    expect(at).toBeGreaterThan(0);
    bytes.write('"attachmentId":109', at, "latin1");
    fs.writeFileSync(file, bytes);
    const db2 = openDatabase(file);
    dbs.push(db2);
    expect(await audit.verifyAuditChain(db2)).toMatchObject({ ok: false, firstBadId: 2 });
  });

  it("inside a transaction, an entry rolls back with the change it records", async () => {
    const db = await freshLog(1);
    await expect(
      db.transaction().execute(async (trx) => {
        await audit.appendAudit(trx, { actorId: 1, actorRole: "admin", action: "settings.update", targetType: "settings", targetId: 1 });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await audit.verifyAuditChain(db)).toEqual({ ok: true, checked: 1 });
    // and concurrent appends outside transactions still form one chain
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        audit.appendAudit(db, { actorId: i, actorRole: "x", action: "report.view", targetType: "report", targetId: i }),
      ),
    );
    expect(await audit.verifyAuditChain(db)).toEqual({ ok: true, checked: 11 });
  });
});
