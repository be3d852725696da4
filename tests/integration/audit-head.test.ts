/**
 * The audit log's chain head, taken off the server (log book, daily e-mail), catches what the plain chain check cannot:
 * the operator holds the master key, so they can truncate the log (and reset sqlite_sequence) or rewrite it with valid
 * hashes. On real SQLite files with the migrations, in-process; the CLI spawned (node --import tsx scripts/audit.ts);
 * the daily e-mail through the outbox, and end to end through the built server to a real SMTP server.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql, type Kysely } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/schema";
import { startServer, waitUntil } from "../helpers/server";
import { startSmtp } from "../helpers/smtp";
import { runAuditCli } from "../helpers/report";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-audit-head-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3997";
for (const k of ["DATABASE_URL", "MASTER_KEY", "AUDIT_HEAD_EMAIL", "SMTP_URL", "CLOCK_OFFSET_MS"]) delete process.env[k];

const { openDatabase, migrateToLatest } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const { getSecrets } = await import("~/utils/db.server");
const { decryptText } = await import("~/utils/crypto.server");
const { setClockOffsetForTests } = await import("~/utils/clock.server");
const { getMasterKey } = await import("~/utils/keys.server");
const audit = await import("~/models/audit/audit.server");
const { queueAuditHeadEmail, startAuditHeadMailer, auditHeadDedupeKey } = await import("~/models/audit/audit-head.server");

type DB = Kysely<Database>;
const dbs: DB[] = [];
afterAll(async () => {
  setClockOffsetForTests(0);
  for (const d of dbs) await d.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Re-reads process.env on the next getEnv() (AUDIT_HEAD_EMAIL is switched on and off below). */
function setEnv(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  globalThis.__sujaritEnv = undefined;
}

// Values that must never reach the head e-mail (they are in the log's entries, not in its head).
const SECRET_ACTOR_ID = 987_654;
const MARKER = "OKAPI-4412";
const TARGET = "TARGET-9931";

let n = 0;
async function freshLog(entries: number): Promise<{ db: DB; file: string }> {
  const file = path.join(dataDir, `log${++n}.db`);
  const db = openDatabase(file);
  dbs.push(db);
  await migrateToLatest(db);
  await append(db, entries);
  return { db, file };
}

async function append(db: DB, count: number) {
  for (let i = 0; i < count; i++) {
    await audit.appendAudit(db, {
      actorId: i % 2 ? SECRET_ACTOR_ID : null,
      actorRole: i % 2 ? "integrity" : "reporter",
      action: i % 2 ? "report.view" : "reporter.message",
      targetType: "report",
      targetId: `${TARGET}-${i}`,
      details: { marker: MARKER, i },
    });
  }
}

/** What an attacker with the file does first: remove the append-only triggers. */
async function dropGuards(db: DB) {
  await sql`drop trigger if exists audit_log_no_update`.execute(db);
  await sql`drop trigger if exists audit_log_no_delete`.execute(db);
}

/**
 * What the operator (who holds the master key) can do: change entry `fromId` (or remove it) and recompute every later
 * hash and link with the real key, so the plain chain check passes again.
 */
async function rewriteFrom(db: DB, fromId: number, { remove = false } = {}) {
  await dropGuards(db);
  if (remove) await sql`delete from audit_log where id = ${fromId}`.execute(db);
  else await sql`update audit_log set details = ${JSON.stringify({ marker: "forged" })} where id = ${fromId}`.execute(db);
  const rows = await db.selectFrom("audit_log").selectAll().orderBy("id").execute();
  let prev = audit.GENESIS_HASH;
  for (const r of rows) {
    if (r.id >= fromId) {
      const hash = audit.computeAuditHash({ ...r, prev_hash: prev });
      await sql`update audit_log set prev_hash = ${prev}, hash = ${hash} where id = ${r.id}`.execute(db);
      prev = hash;
    } else prev = r.hash;
  }
}

/** What an attacker can do to hide removed newest entries from the plain check: reset the AUTOINCREMENT mark. */
async function truncateFrom(db: DB, fromId: number) {
  await dropGuards(db);
  await sql`delete from audit_log where id >= ${fromId}`.execute(db);
  await sql`update sqlite_sequence set seq = ${fromId - 1} where name = 'audit_log'`.execute(db);
}

async function headOf(db: DB) {
  const head = await audit.auditHead(db);
  if (!head) throw new Error("empty log");
  return head;
}

describe("chain head against a saved head", () => {
  it("an intact log verifies against its head, and against an older head once it has grown", async () => {
    const { db } = await freshLog(6);
    const head = await headOf(db);
    expect(head.id).toBe(6);
    expect(head.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await audit.auditEntryCount(db)).toBe(6);
    expect(await audit.verifyAuditChain(db, { head })).toEqual({ ok: true, checked: 6 });
    // the saved line round-trips
    const saved = audit.parseAuditHead(audit.formatAuditHead(head, "th"));
    expect(saved).toMatchObject({ id: 6, hash: head.hash });
    await append(db, 3);
    expect(await audit.verifyAuditChain(db, { head: saved, batch: 2 })).toEqual({ ok: true, checked: 9 });
    // existing callers (no head) are unchanged
    expect(await audit.verifyAuditChain(db)).toEqual({ ok: true, checked: 9 });
    // an empty log has no head; a head saved from it would have nothing to point at
    const empty = openDatabase(path.join(dataDir, "empty.db"));
    dbs.push(empty);
    await migrateToLatest(empty);
    expect(await audit.auditHead(empty)).toBeNull();
    expect(await audit.verifyAuditChain(empty, { head: { id: 1, hash: head.hash } })).toMatchObject({
      ok: false,
      reason: "truncated",
      firstBadId: 1,
    });
  });

  it("removed newest entries are 'truncated' against the saved head even with sqlite_sequence reset", async () => {
    const { db } = await freshLog(7);
    const saved = await headOf(db);
    await truncateFrom(db, 5);
    // The plain check cannot see it any more: that is the gap the saved head closes.
    expect(await audit.verifyAuditChain(db)).toEqual({ ok: true, checked: 4 });
    expect(await audit.verifyAuditChain(db, { head: saved })).toEqual({ ok: false, checked: 4, firstBadId: 5, reason: "truncated" });
    // Appending after the cut: still missing below the head…
    await append(db, 1);
    expect(await audit.verifyAuditChain(db, { head: saved })).toMatchObject({ ok: false, firstBadId: 6, reason: "truncated" });
    // … and once new entries reach the head's id again, that entry has another hash.
    await append(db, 2);
    expect(await audit.verifyAuditChain(db)).toEqual({ ok: true, checked: 7 });
    expect(await audit.verifyAuditChain(db, { head: saved })).toEqual({ ok: false, checked: 7, firstBadId: 7, reason: "rewritten" });
  });

  it("an old entry rewritten with the real key passes the plain check but is 'rewritten' against the saved head", async () => {
    const { db } = await freshLog(6);
    const older = await db.selectFrom("audit_log").select(["id", "hash"]).where("id", "=", 1).executeTakeFirstOrThrow();
    const saved = await headOf(db);
    await rewriteFrom(db, 2);
    const row2 = await db.selectFrom("audit_log").select("details").where("id", "=", 2).executeTakeFirstOrThrow();
    expect(row2.details).toContain("forged");
    expect(await audit.verifyAuditChain(db)).toEqual({ ok: true, checked: 6 });
    expect(await audit.verifyAuditChain(db, { head: saved })).toEqual({ ok: false, checked: 6, firstBadId: 6, reason: "rewritten" });
    // hash compared whatever the case of the saved text
    expect(await audit.verifyAuditChain(db, { head: { id: saved.id, hash: saved.hash.toUpperCase() } })).toMatchObject({
      reason: "rewritten",
    });
    // a head saved before the rewritten entry still matches (what was recorded then is unchanged)
    expect(await audit.verifyAuditChain(db, { head: older })).toEqual({ ok: true, checked: 6 });
  });

  it("an entry removed from the middle and the rest re-chained is 'rewritten' (gone although later entries exist)", async () => {
    const { db } = await freshLog(6);
    const row3 = await db.selectFrom("audit_log").select(["id", "hash"]).where("id", "=", 3).executeTakeFirstOrThrow();
    const saved = await headOf(db);
    await rewriteFrom(db, 3, { remove: true });
    expect(await audit.verifyAuditChain(db)).toEqual({ ok: true, checked: 5 });
    expect(await audit.verifyAuditChain(db, { head: row3 })).toMatchObject({ ok: false, firstBadId: 3, reason: "rewritten" });
    expect(await audit.verifyAuditChain(db, { head: saved })).toMatchObject({ ok: false, firstBadId: 6, reason: "rewritten" });
  });

  it("the existing checks come first and are unchanged", async () => {
    const { db } = await freshLog(5);
    const saved = await headOf(db);
    await dropGuards(db);
    await sql`update audit_log set details = '{"n":99}' where id = 3`.execute(db);
    expect(await audit.verifyAuditChain(db, { head: saved })).toMatchObject({ ok: false, firstBadId: 3, reason: "hash" });
    const { db: db2 } = await freshLog(5);
    const saved2 = await headOf(db2);
    await dropGuards(db2);
    await sql`delete from audit_log where id >= 4`.execute(db2); // sqlite_sequence left as it was
    expect(await audit.verifyAuditChain(db2, { head: saved2 })).toMatchObject({ ok: false, firstBadId: 4, reason: "truncated" });
  });
});

describe("head line", () => {
  const hash = "9f3a" + "0123456789abcdef".repeat(3) + "0123456789ab";
  const head = { id: 1234, hash, at: "2026-12-02T18:30:00.000Z" }; // 3 December 2026, 01:30 in Bangkok

  it("is one line with the id, the full hash and the Buddhist-calendar Bangkok date", () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const th = audit.formatAuditHead(head, "th");
    expect(th).toBe(`sujarit-audit-head 1234 ${hash} 2569-12-03 (3 ธันวาคม 2569 เวลา 01:30 น.)`);
    expect(audit.formatAuditHead(head, "en")).toBe(`sujarit-audit-head 1234 ${hash} 2569-12-03 (3 December 2569 BE, 01:30)`);
    expect(th).not.toContain("\n");
  });

  it("parseAuditHead accepts the line, id:hash and id hash, tolerant of spaces and case", () => {
    const want = { id: 1234, hash };
    const grouped = hash.match(/.{4}/g)!.join(" ");
    for (const text of [
      audit.formatAuditHead(head, "th"),
      audit.formatAuditHead(head, "en"),
      `sujarit-audit-head 1234 ${hash} 2569-12-03`,
      `sujarit-audit-head 1234 ${hash}`,
      `  SUJARIT-AUDIT-HEAD   1234\t${hash.toUpperCase()}  2569-12-03  `,
      `1234:${hash}`,
      `1234 : ${hash.toUpperCase()}`,
      `1234 ${hash}`,
      `  1234   ${hash}\n`,
      `1234 ${grouped}`, // copied by hand in groups of four
      `๑๒๓๔:${hash}`, // Thai digits in the log book
    ]) {
      expect(audit.parseAuditHead(text), text).toMatchObject(want);
    }
    expect(audit.parseAuditHead(`sujarit-audit-head 1234 ${hash} 2569-12-03`)?.date).toBe("2569-12-03");
    expect(audit.shortAuditHead(want)).toBe(`1234:${hash}`);
  });

  it("parseAuditHead rejects anything else", () => {
    for (const text of [
      "",
      "   ",
      "junk",
      hash,
      "1234",
      `1234:${hash.slice(1)}`, // 63 hex digits
      `1234:${hash}0`, // 65
      `1234:${hash.slice(1)}g`,
      `0:${hash}`,
      `-5:${hash}`,
      `12.5:${hash}`,
      `abc:${hash}`,
      `1234:${hash} extra`,
      `1234:${hash} 2569-12-03`,
      `sujarit-audit-head ${hash}`,
      `sujarit-audit-tail 1234 ${hash}`,
      `sujarit-audit-head 1234 ${hash} 2569-13-03`,
      `sujarit-audit-head 1234 ${hash} yesterday`,
      `sujarit-audit-head 1234 ${hash} 2569-12-03 (a) (b)`,
      `1234:${hash}; rm -rf /`,
    ]) {
      expect(audit.parseAuditHead(text), text).toBeNull();
    }
  });
});

describe("npm run audit -- head / verify --head", () => {
  const cli = (file: string, args: string[]) => runAuditCli({ env: { DATA_DIR: dataDir, DATABASE_URL: file } }, args);

  it("prints a head line that verify --head accepts, and fails after tampering", async () => {
    const { db, file } = await freshLog(5);
    const head = await headOf(db);

    const printed = await cli(file, ["head"]);
    expect(printed.code, printed.output).toBe(0);
    const line = printed.output.split("\n")[0];
    expect(line).toBe(audit.formatAuditHead(head, "th"));
    expect(printed.output).toContain(`verify --head '${head.id}:${head.hash}'`);
    expect(printed.output).not.toContain(MARKER);

    const ok = await cli(file, ["verify", "--head", line]);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toMatch(/intact and consistent with the saved head \(entry 5\): 5 entries checked/);
    expect((await cli(file, ["verify", `--head=${head.id}:${head.hash}`])).code).toBe(0);

    for (const bad of [
      ["verify", "--head", "not a head"],
      ["verify", "--head", `${head.id}:${head.hash.slice(2)}`],
      ["verify", "--head"],
      ["head", "--bogus"],
    ]) {
      const r = await cli(file, bad);
      expect(r.code, `${bad.join(" ")}\n${r.output}`).toBe(2);
      expect(r.output).toContain("Usage:");
    }

    // The operator rewrites entry 2 with the real key: plain verify passes, verify against the saved head does not.
    await rewriteFrom(db, 2);
    const plain = await cli(file, ["verify"]);
    expect(plain.code, plain.output).toBe(0);
    const rewritten = await cli(file, ["verify", "--head", line]);
    expect(rewritten.code, rewritten.output).toBe(1);
    expect(rewritten.output).toMatch(/REWRITTEN: entry 5 /);
  });

  it("reports truncation against the saved head, naming the entries", async () => {
    const { db, file } = await freshLog(6);
    const saved = await headOf(db);
    await truncateFrom(db, 4);
    expect((await cli(file, ["verify"])).code).toBe(0);
    const r = await cli(file, ["verify", "--head", audit.shortAuditHead(saved)]);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(
      /TRUNCATED: entry 6 of the saved head is missing and the log now ends at entry 3; entries from 4 were removed/,
    );
  });

  it("head on a chain that is already broken still prints the line, with a warning and exit 1", async () => {
    const { db, file } = await freshLog(4);
    const head = await headOf(db);
    await dropGuards(db);
    await sql`update audit_log set details = '{"n":99}' where id = 2`.execute(db);
    const r = await cli(file, ["head"]);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain(audit.formatAuditHead(head, "th"));
    expect(r.output).toMatch(/WARNING: AUDIT LOG BROKEN at entry 2 \(hash\)/);
  });

  it("head on an empty log says so (exit 1) and prints no line", async () => {
    const file = path.join(dataDir, "empty-cli.db");
    const db = openDatabase(file);
    dbs.push(db);
    await migrateToLatest(db);
    const r = await cli(file, ["head"]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/empty/);
    expect(r.output).not.toContain("sujarit-audit-head");
  });
});

describe("daily e-mail of the head", () => {
  const ADDRESS = "auditor@outside.example.org";
  /** 10:00 in Bangkok on 3 December 2026. */
  const day1 = new Date("2026-12-03T03:00:00.000Z");

  async function mailDb(entries: number) {
    const { db } = await freshLog(entries);
    await seedOrganisation(db);
    return db;
  }

  const auditRows = (db: DB) =>
    db
      .selectFrom("outbox")
      .select(["id", "kind", "dedupe_key", "payload", "complaint_id"])
      .where("kind", "=", "audit-head")
      .orderBy("id")
      .execute();

  function decrypt(payload: string | null): { to: string; subject: string; text: string; html: string } {
    return JSON.parse(decryptText(payload!, getSecrets().outboxKey, "outbox"));
  }

  it("queues nothing when AUDIT_HEAD_EMAIL is unset (and the mailer does not even start)", async () => {
    setEnv("AUDIT_HEAD_EMAIL", undefined);
    const db = await mailDb(3);
    expect(await queueAuditHeadEmail(db, day1)).toBe("disabled");
    setClockOffsetForTests(day1.getTime() - Date.now());
    const mailer = startAuditHeadMailer({ intervalMs: 20, db });
    await new Promise((r) => setTimeout(r, 300));
    await mailer.stop();
    setClockOffsetForTests(0);
    expect(await auditRows(db)).toEqual([]);
    expect(await db.selectFrom("outbox").select("id").execute()).toEqual([]);
  });

  it("one e-mail per Bangkok day however often it is called; the head line, the count and instructions only", async () => {
    setEnv("AUDIT_HEAD_EMAIL", ADDRESS);
    const db = await mailDb(5);
    const head = await headOf(db);
    const results = [];
    for (const at of [
      day1,
      new Date("2026-12-02T17:00:00.000Z") /* 00:00 Bangkok */,
      day1,
      new Date("2026-12-03T16:59:59.000Z") /* 23:59 */,
    ]) {
      results.push(await queueAuditHeadEmail(db, at));
    }
    expect(results).toEqual(["queued", "already-queued", "already-queued", "already-queued"]);
    await Promise.all(Array.from({ length: 5 }, () => queueAuditHeadEmail(db, day1)));
    let rows = await auditRows(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ dedupe_key: "audit-head:2026-12-03", complaint_id: null });
    expect(auditHeadDedupeKey(day1)).toBe("audit-head:2026-12-03");

    const mail = decrypt(rows[0].payload);
    expect(mail.to).toBe(ADDRESS);
    expect(mail.subject).toContain("3 ธันวาคม 2569");
    expect(mail.subject).toContain("3 December 2569 BE");
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain(audit.formatAuditHead(head, "th"));
      expect(body).toContain("องค์การบริหารส่วนตำบลวังลึก");
    }
    expect(mail.text).toContain(`verify --head '${head.id}:${head.hash}'`);
    expect(mail.html).toContain(`verify --head &#39;${head.id}:${head.hash}&#39;`);
    expect(mail.text).toContain(audit.formatAuditHead(head, "en"));
    expect(mail.text).toMatch(/จำนวนรายการในบันทึก: 5\n/);
    expect(mail.text).toMatch(/Entries in the log: 5\n/);
    expect(mail.text.indexOf("ค่าหัวสายบันทึกการตรวจสอบ")).toBeLessThan(mail.text.indexOf("Audit log head of"));
    expect(mail.text).toMatch(/Keep this e-mail/);
    // nothing else from the log: no actors, roles, actions, targets, details, other entries' hashes or times
    const entries = await db.selectFrom("audit_log").selectAll().execute();
    const mustNotAppear = [
      String(SECRET_ACTOR_ID),
      "integrity",
      "reporter",
      "report.view",
      "reporter.message",
      TARGET,
      MARKER,
      ...entries.filter((e) => e.id !== head.id).map((e) => e.hash),
      ...entries.map((e) => e.at),
    ];
    for (const body of [mail.text, mail.html, mail.subject]) {
      for (const s of mustNotAppear) expect(body.includes(s), `e-mail contains ${s}`).toBe(false);
    }

    // the next Bangkok day gets its own e-mail, with the head of that moment
    await append(db, 2);
    const day2 = new Date("2026-12-03T17:00:00.000Z"); // 00:00 on 4 December in Bangkok
    expect(await queueAuditHeadEmail(db, day2)).toBe("queued");
    expect(await queueAuditHeadEmail(db, day2)).toBe("already-queued");
    rows = await auditRows(db);
    expect(rows.map((r) => r.dedupe_key)).toEqual(["audit-head:2026-12-03", "audit-head:2026-12-04"]);
    const head2 = await headOf(db);
    expect(head2.id).toBe(7);
    expect(decrypt(rows[1].payload).text).toContain(audit.formatAuditHead(head2, "th"));
  });

  it("the mailer queues the day's e-mail only from 07:00 Bangkok time, once", async () => {
    setEnv("AUDIT_HEAD_EMAIL", ADDRESS);
    const db = await mailDb(2);
    const early = new Date("2027-01-09T23:30:00.000Z"); // 06:30 on 10 January 2027 in Bangkok
    setClockOffsetForTests(early.getTime() - Date.now());
    const mailer = startAuditHeadMailer({ intervalMs: 20, db });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(await auditRows(db)).toEqual([]);
      setClockOffsetForTests(early.getTime() + 40 * 60_000 - Date.now()); // 07:10
      await waitUntil(async () => (await auditRows(db)).length > 0, "the day's audit head e-mail", 5_000, 20);
      await new Promise((r) => setTimeout(r, 200)); // many more ticks
    } finally {
      await mailer.stop();
      setClockOffsetForTests(0);
    }
    expect((await auditRows(db)).map((r) => r.dedupe_key)).toEqual(["audit-head:2027-01-10"]);
  });

  it("the server sends it to the address by SMTP once a day, also across restarts", { timeout: 180_000 }, async () => {
    const smtp = await startSmtp();
    await smtp.start();
    // 10:00 in Bangkok today, on the server's clock
    const bangkokMidnight = Math.floor((Date.now() + 7 * 3_600_000) / 86_400_000) * 86_400_000 - 7 * 3_600_000;
    const offset = bangkokMidnight + 10 * 3_600_000 - Date.now();
    const server = await startServer({
      env: {
        SMTP_URL: smtp.url,
        AUDIT_HEAD_EMAIL: ADDRESS,
        MASTER_KEY: getMasterKey().toString("base64"),
        CLOCK_OFFSET_MS: String(offset),
      },
    });
    const db = openDatabase(server.dbFile);
    try {
      // A fresh installation's log is empty: nothing to send. Entries are written next to the running server (same
      // master key, so the chain is valid), then the server restarts and checks a few seconds after start.
      await append(db, 4);
      const head = await headOf(db);
      expect(await audit.verifyAuditChain(db)).toEqual({ ok: true, checked: 4 });
      await server.restart();
      const mail = await smtp.waitFor((m) => m.rcptTo.includes(ADDRESS), 30_000);
      expect(mail.text).toContain(audit.formatAuditHead(head, "th"));
      expect(mail.text).toContain(audit.formatAuditHead(head, "en"));
      expect(mail.text).toContain(`verify --head '${head.id}:${head.hash}'`);
      for (const s of [String(SECRET_ACTOR_ID), "report.view", "reporter.message", TARGET, MARKER])
        expect(mail.text.includes(s), s).toBe(false);
      expect(server.logs()).toContain("audit head e-mail queued");
      expect(server.logs()).not.toContain(head.hash);
      // the same day again after a restart: nothing new
      await server.restart();
      await new Promise((r) => setTimeout(r, 7_000));
      expect(smtp.messages.filter((m) => m.rcptTo.includes(ADDRESS))).toHaveLength(1);
    } finally {
      await db.destroy();
      await server.stop();
      await smtp.stop();
    }
  });
});
