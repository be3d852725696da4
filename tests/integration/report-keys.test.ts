/**
 * Corruption reports only their recipients can read, proven in-process against real SQLite files in a
 * temporary DATA_DIR:
 *
 * - the operator with a copy of the whole DATA_DIR (database, WAL, evidence, every key file) and the source decrypts
 *   nothing, while a recipient with their password (and the reporter with the receipt) reads everything from the
 *   same copy;
 * - an integrity account created afterwards sees that reports exist and opens none;
 * - an officer the reporter excluded (or named) has no wrapped key, whatever they write to the database;
 * - changing the alternate changes nobody's access to past reports; giving access is a re-wrap by a holder, refused
 *   for excluded people; nobody left → nothing stored;
 * - the audit log says nothing about a report in clear; refusals are logged the same whether or not the report exists;
 * - reporter times by day, seen instead of read_at, padded evidence, neutral names, reporter actions batched;
 * - a database of the first format (master-key wraps, report_exclusions, staff ids in clear) migrates: reports become
 *   readable by exactly the officers the old rules entitled, master wraps are destroyed, legacy receipts still work.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { Migrator, sql, type Kysely } from "kysely";
import { DhkemX25519HkdfSha256 } from "@hpke/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-keys-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3997";
delete process.env.DATABASE_URL;
delete process.env.MASTER_KEY;

const { getDb } = await import("~/utils/db.server");
const { decryptText, deriveKey } = await import("~/utils/crypto.server");
const { getMasterKey, getSigningKeys } = await import("~/utils/keys.server");
const { migrateToLatest, openDatabase } = await import("../../db/connection");
const { migrations } = await import("../../db/migrations");
const { seedOrganisation } = await import("../../db/seed");
const { seedBeforeMapColumns } = await import("../helpers/old-schema-seed");
const { listAudit, verifyAuditChain } = await import("~/models/audit/audit.server");
const { createStaff } = await import("~/models/staff/staff.server");
const { hashReceipt, hashReceiptLegacy } = await import("~/models/report/receipt-hash.server");
const { bangkokDateKey } = await import("~/lib/thai-date");
const shared = await import("~/models/report/shared.server");
const { ReportNotFoundError, reportAad, storagePath } = shared;
const rc = await import("~/models/report/crypto.server");
const { createReport, NoRecipientError, computeSubmissionDigest } = await import("~/models/report/filing.server");
const { findReportByReceipt, reporterView, addReporterMessage } = await import("~/models/report/inbox.server");
const casework = await import("~/models/report/casework.server");
const grants = await import("~/models/report/access-grants.server");
const { GrantRefusedError } = grants;
const { recipientCandidates } = await import("~/models/report/recipients.server");
const { reportCounts } = await import("~/models/report/retention.server");
const { flushReportChannel } = await import("~/models/report/notifications.server");
const { auditTarget, channelActivityByDay, reportAuditTrail, REPORT_ACTIVITY } = await import("~/models/report/channel-audit.server");
const { unlockWithPassword, refreshHeld } = await import("~/models/report/key-vault.server");
const { openStaffKeys, StaffKeyMismatchError, StaffKeyLockedError, deriveKeyEncryptionKey } =
  await import("~/models/report/staff-keys.server");
const { finishKeyMigration, legacyWrapsRemaining } = await import("~/models/report/key-migration.server");

type OfficerAccess = import("~/models/report/casework.server").OfficerAccess;
type CreateReportInput = import("~/models/report/filing.server").CreateReportInput;
type Database = import("../../db/schema").Database;

const db = getDb();
/** The same database seen with raw write access (tables the typed schema no longer knows, any column). */
const raw = db as unknown as Kysely<any>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const PDF = (marker: string) => Buffer.from(`%PDF-1.4\n% ${marker}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`, "latin1");

// ---- people ----------------------------------------------------------------------------------------------------------

interface Person {
  id: number;
  role: "admin" | "supervisor" | "officer" | "intake" | "executive" | "integrity";
  name: string;
  email: string;
  password: string;
}
const staff: Record<string, Person> = {};
const as: Record<string, OfficerAccess> = {};
let sessions = 0;

async function addStaff(key: string, name: string, role: Person["role"], opts: { nicknames?: string; position?: string } = {}) {
  const row = await db
    .insertInto("staff")
    .values({ email: `${key}@wangluek.go.th`, name, role, division_id: null, password_hash: "x", active: 1 })
    .returning(["id", "role", "name", "email"])
    .executeTakeFirstOrThrow();
  await db
    .updateTable("staff")
    .set({ nicknames: opts.nicknames ?? "", position: opts.position ?? "" })
    .where("id", "=", row.id)
    .execute();
  staff[key] = { ...(row as Omit<Person, "password">), password: `password of ${key} 2569` };
}

/** A new sign-in of this person: their key pair unlocked with their password (created at the first one). */
async function unlock(who: string, database: Kysely<Database> = db): Promise<OfficerAccess> {
  const p = staff[who];
  const keys = await unlockWithPassword(database, `session-${who}-${++sessions}`, p.id, p.password);
  return { actor: { id: p.id, role: p.role }, keys };
}

async function canOpen(a: OfficerAccess, ref: number | string, database: Kysely<Database> = db): Promise<boolean> {
  try {
    await casework.openHeldReport(database, a, ref);
    return true;
  } catch (e) {
    if (e instanceof ReportNotFoundError) return false;
    throw e;
  }
}

const submissionKey = () => crypto.randomBytes(32).toString("base64url");

function file(over: Partial<CreateReportInput> = {}) {
  return createReport(db, {
    mode: "anonymous",
    recipient: "integrity",
    fields: { whatHappened: "มีการเรียกรับเงินจากผู้รับเหมาเพื่อให้ผ่านการตรวจรับงานถนน", involvedPosition: "หัวหน้าฝ่ายพัสดุ" },
    uploads: [],
    submissionKey: submissionKey(),
    ...over,
  });
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

async function count(table: string): Promise<number> {
  const r = await raw
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

async function columnsOf(table: string, database: Kysely<any> = raw): Promise<string[]> {
  return (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(database)).rows.map((r) => r.name);
}

async function tablesOf(database: Kysely<any> = raw): Promise<string[]> {
  return (await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(database)).rows.map(
    (r) => r.name,
  );
}

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
  await addStaff("off1", "สมชาย ซื่อตรง", "integrity", { position: "นิติกร" });
  await addStaff("off2", "วิภา ใจงาม", "integrity", { position: "นักวิชาการตรวจสอบภายใน" });
  await addStaff("offC", "นายธนากร ยิ่งใหญ่", "integrity", { nicknames: "โก้", position: "ผู้อำนวยการกองคลัง" });
  await addStaff("altA", "ประเสริฐ ตรวจสอบดี", "integrity", { position: "ประธานคณะกรรมการตรวจสอบ" });
  await addStaff("altB", "อรุณี ซื่อสัตย์", "integrity", { position: "รองประธานคณะกรรมการตรวจสอบ" });
  // An integrity account of C's, disabled before any report was filed (C knows its password).
  await addStaff("oldC", "ธนากร (บัญชีเก่า)", "integrity");
  await addStaff("admin", "แอดมิน ระบบ", "admin");
  await addStaff("exec", "มานพ ผู้นำ", "executive");
  await db
    .updateTable("integrity_settings")
    .set({ alternate_staff_id: staff.altA.id, alternate_label_th: "ประธานคณะกรรมการตรวจสอบ" })
    .where("id", "=", 1)
    .execute();
  // Every recipient has keys before the first report is filed.
  for (const who of ["off1", "off2", "offC", "altA", "altB", "oldC"]) as[who] = await unlock(who);
  await db.updateTable("staff").set({ active: 0 }).where("id", "=", staff.oldC.id).execute();
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// ---- the operator ----------------------------------------------------------------------------------------------------

const SECRET = {
  whatHappened: "ปลัดสั่งแบ่งเงินทอนจากโครงการขุดลอกคลอง-QUOKKA-3141",
  involved: "นายทองดี มีทรัพย์มาก",
  reporterName: "นางสาวพิมพ์ใจ ลับเฉพาะ",
  contact: "089-777-0123",
  whatHappened2: "เจ้าหน้าที่กองคลังรับเงินสดใต้โต๊ะ-NARWHAL-2718",
  officerMessage: "ขอให้ส่งภาพถ่ายใบเสร็จเพิ่ม-PANGOLIN-1618",
  reporterMessage: "ใบเสร็จอยู่ในแฟ้มสีฟ้าชั้นสอง-AXOLOTL-1414",
  note: "บันทึกการสอบข้อเท็จจริงลับ-TAPIR-1732",
  fileName: "สัญญาจ้างลับเฉพาะ-IBEX-0577.pdf",
  evidence: "EVIDENCE-BYTES-OKAPI-9265",
  evidence2: "EVIDENCE-BYTES-SERVAL-3589",
};

/** Every 32-byte value an operator could take from the files and the database, by where it came from. */
function operatorCandidateKeys(copy: string, dbValues: Buffer[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const add = (label: string, b: Buffer) => {
    if (b.length === 32) out.set(label, b);
  };
  const bases = new Map<string, Buffer>();
  const keysDir = path.join(copy, "keys");
  const keyFiles = filesUnder(keysDir);
  expect(keyFiles.map((f) => path.basename(f)).sort()).toEqual(["master.key", "report-secrets.json", "secrets.json", "signing.key"]);
  for (const f of keyFiles) {
    const bytes = fs.readFileSync(f);
    if (bytes.length === 32) bases.set(`file:${path.basename(f)}`, bytes);
    bases.set(`sha256:${path.basename(f)}`, crypto.createHash("sha256").update(bytes).digest());
  }
  const master = fs.readFileSync(path.join(keysDir, "master.key"));
  bases.set("master", master);
  const rs = JSON.parse(fs.readFileSync(path.join(keysDir, "report-secrets.json"), "utf8")) as {
    receiptPepper: string;
    installationSalt: string;
  };
  bases.set("pepper", Buffer.from(rs.receiptPepper, "base64"));
  bases.set("sha256:salt", crypto.createHash("sha256").update(Buffer.from(rs.installationSalt, "base64")).digest());
  bases.set(
    "pepper+salt",
    crypto.createHash("sha256").update(Buffer.from(rs.receiptPepper, "base64")).update(Buffer.from(rs.installationSalt, "base64")).digest(),
  );
  const s = JSON.parse(fs.readFileSync(path.join(keysDir, "secrets.json"), "utf8")) as Record<string, string>;
  for (const k of ["trackingPepper", "trackingDerivation", "outboxKey"]) bases.set(k, Buffer.from(s[k], "base64url"));
  const signing = crypto.createPrivateKey(fs.readFileSync(path.join(keysDir, "signing.key")));
  bases.set("signing.d", Buffer.from(signing.export({ format: "jwk" }).d!, "base64url"));
  const purposes = [
    "report-key-wrap",
    "audit-chain",
    "staff-totp-secret",
    "report-receipt-cookie",
    "report-inbox-cookie",
    "receipt-cookie",
    "outbox",
    "report-key",
    "staff-key-recovery",
    "audit-target",
  ];
  for (const [label, b] of bases) {
    add(label, b);
    if (b.length !== 32) continue;
    for (const p of purposes) add(`${label}/hkdf:${p}`, Buffer.from(deriveKey(b.toString("base64url"), p), "base64url"));
  }
  dbValues.forEach((b, i) => add(`db:${i}`, b));
  return out;
}

describe("the operator with a copy of DATA_DIR", () => {
  it("decrypts nothing from a copy of the whole DATA_DIR with the source's own functions; a recipient with their password reads it all", async () => {
    // ---- reports of every kind, with evidence and messages both ways ----
    const r1 = await file({
      mode: "confidential",
      fields: {
        whatHappened: SECRET.whatHappened,
        involvedName: SECRET.involved,
        involvedPosition: "ผู้รับเหมา",
        reporterName: SECRET.reporterName,
        reporterContact: SECRET.contact,
      },
      uploads: [{ bytes: PDF(SECRET.evidence), name: SECRET.fileName, mime: "application/pdf", keptOriginal: false }],
      keepFileNames: true,
    });
    const r2 = await file({ mode: "anonymous", excluded: [staff.offC.id], fields: { whatHappened: SECRET.whatHappened2 } });
    expect(r2.recipients.map((r) => r.name)).not.toContain(staff.offC.name);
    await casework.addOfficerMessage(db, as.off1, r2.id, SECRET.officerMessage);
    await casework.transitionReport(db, as.off1, r2.id, "start_review", { note: SECRET.note });
    await flushReportChannel(db);
    const reporter2 = await findReportByReceipt(db, r2.receipt);
    await addReporterMessage(db, { reportId: r2.id, key: reporter2!.key }, SECRET.reporterMessage, [
      { bytes: PDF(SECRET.evidence2), name: "more.pdf", mime: "application/pdf", keptOriginal: false },
    ]);
    // (the reporter's message stays in the queue of the next batch: the copy has pending entries too)
    expect(await count("report_activity_pending")).toBeGreaterThan(0);

    // The proof-of-filing signing key exists on a running installation: the operator has it too.
    expect(getSigningKeys().fingerprint).toMatch(/^[0-9a-f]{4} /);

    // ---- the copy: everything, while the server runs (the WAL is not checkpointed) ----
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-operator-copy-"));
    try {
      fs.cpSync(dataDir, copy, { recursive: true });
      expect(fs.statSync(path.join(copy, "sujarit.db-wal")).size).toBeGreaterThan(0);
      const needles = [
        SECRET.whatHappened,
        SECRET.involved,
        SECRET.reporterName,
        SECRET.contact,
        SECRET.whatHappened2,
        SECRET.officerMessage,
        SECRET.reporterMessage,
        SECRET.note,
        SECRET.fileName,
        SECRET.evidence,
        SECRET.evidence2,
        r1.receipt!,
        r2.receipt!,
      ];

      // 1. Nothing in clear anywhere in the copied bytes (database, WAL, evidence, key files), utf8 or utf16.
      const copiedFiles = filesUnder(copy);
      expect(copiedFiles.filter((f) => f.includes(`${path.sep}reports${path.sep}`)).length).toBe(2);
      const bytes = Buffer.concat(copiedFiles.map((f) => fs.readFileSync(f)));
      expect(bytes.includes(Buffer.from(staff.off2.name, "utf8")), "control: a staff name is stored in clear").toBe(true);
      for (const n of needles) {
        expect(bytes.includes(Buffer.from(n, "utf8")), `copy contains ${n}`).toBe(false);
        expect(bytes.includes(Buffer.from(n, "utf16le")), `copy contains ${n} (utf16)`).toBe(false);
      }
      expect(bytes.includes(PDF(SECRET.evidence).subarray(0, 40))).toBe(false);

      // 2. Every way to decrypt with the copy and the source code.
      const cdb = openDatabase(path.join(copy, "sujarit.db"));
      try {
        const reports = await cdb.selectFrom("reports").selectAll().execute();
        expect(reports).toHaveLength(2);
        const keyRows = await cdb.selectFrom("report_keys").selectAll().execute();
        const messages = await cdb.selectFrom("report_messages").selectAll().execute();
        const events = await cdb.selectFrom("report_events").selectAll().execute();
        const attachments = await cdb.selectFrom("report_attachments").selectAll().execute();
        const auditRows = await cdb.selectFrom("audit_log").selectAll().where("target_type", "=", "report").execute();
        const pending = await cdb.selectFrom("report_activity_pending").selectAll().execute();
        const staffKeys = await cdb.selectFrom("staff_keys").selectAll().execute();
        const people = await cdb.selectFrom("staff").select(["id", "email", "name"]).execute();
        expect(auditRows.length).toBeGreaterThan(0);
        expect(pending.length).toBeGreaterThan(0);

        // The master-key wrap of the first format: none is stored, and the master key opens nothing.
        const master = fs.readFileSync(path.join(copy, "keys", "master.key"));
        for (const r of reports) {
          expect(r.wrapped_key).toBe("");
          expect(() => rc.unwrapLegacyReportKey(r.wrapped_key, r.public_id, master)).toThrow();
        }

        const b64 = (s: string | null) => (s ? Buffer.from(s, "base64url") : Buffer.alloc(0));
        const dbValues: Buffer[] = [
          ...staffKeys.map((k) => b64(k.public_key)),
          ...staffKeys.map((k) => crypto.createHash("sha256").update(b64(k.kdf_salt)).digest()),
          ...reports.flatMap((r) => [b64(r.reporter_pub), Buffer.from(r.receipt_hash, "hex"), Buffer.from(r.submission_digest, "hex")]),
          ...keyRows.flatMap((k) => [b64(k.tag_pub), b64(k.enc)]),
          ...auditRows.map((a) => Buffer.from(a.target_id ?? "", "hex")),
        ];
        // Passwords an operator might try (the real ones are not among them), through each person's own salt.
        for (const k of staffKeys) {
          const who = people.find((p) => p.id === k.staff_id)!;
          for (const guess of ["", who.email]) dbValues.push((await deriveKeyEncryptionKey(guess, b64(k.kdf_salt))).key);
        }
        const candidates = operatorCandidateKeys(copy, dbValues);
        expect(candidates.size).toBeGreaterThan(100);

        let opened: string[] = [];
        let attempts = 0;
        const attempt = async (label: string, fn: () => unknown) => {
          attempts++;
          try {
            await fn();
            opened.push(label);
          } catch {
            // refused, as it must be
          }
        };
        const pidOf = new Map(reports.map((r) => [r.id, r.public_id]));
        /** `k` as a report's content key, on every ciphertext of every report. */
        const asContentKey = async (label: string, k: Buffer) => {
          for (const r of reports) {
            const pid = r.public_id;
            await attempt(`${label} envelope ${r.id}`, () => rc.openJson(k, r.envelope, reportAad.submission(pid)));
            await attempt(`${label} holders ${r.id}`, () => rc.openJson(k, r.holders, `report:${pid}:holders`));
            for (const a of auditRows)
              await attempt(`${label} audit ${a.id}`, () =>
                rc.openJson(k, (JSON.parse(a.details) as { sealed: string }).sealed, reportAad.audit(pid)),
              );
            for (const p of pending) await attempt(`${label} pending ${p.id}`, () => rc.openJson(k, p.sealed, reportAad.audit(pid)));
          }
          for (const m of messages)
            await attempt(`${label} message ${m.id}`, () => rc.openJson(k, m.envelope, reportAad.message(pidOf.get(m.report_id)!)));
          for (const e of events.filter((x) => x.note_envelope))
            await attempt(`${label} note ${e.id}`, () => rc.openJson(k, e.note_envelope!, reportAad.event(pidOf.get(e.report_id)!)));
          for (const f of attachments) {
            const pid = pidOf.get(f.report_id)!;
            await attempt(`${label} file-meta ${f.id}`, () => rc.openJson(k, f.meta_envelope, reportAad.fileMeta(pid, f.storage_id)));
            const stored = fs.readFileSync(path.join(copy, "reports", f.storage_id));
            await attempt(`${label} file ${f.id}`, () => rc.decryptFile(k, stored, reportAad.file(pid, f.storage_id)));
            await attempt(`${label} file ${f.id} (no aad)`, () => rc.decryptFile(k, stored));
          }
        };
        /** A private key, on every wrapped key and every reporter wrap. */
        const asPrivateKey = async (label: string, keys: Pick<import("~/models/report/crypto.server").PersonKeys, "hpkePrivate">) => {
          for (const row of keyRows)
            await attempt(`${label} wrap ${row.id}`, () => rc.unwrapReportKey(keys, row, pidOf.get(row.report_id)!));
          for (const r of reports)
            await attempt(`${label} reporter ${r.id}`, () =>
              rc.unwrapReportKey(keys, { enc: r.reporter_enc ?? "", wrapped: r.reporter_wrapped ?? "" }, r.public_id),
            );
        };
        const kem = new DhkemX25519HkdfSha256();
        for (const [label, k] of candidates) {
          await asContentKey(label, k);
          // As a key pair's seed (HPKE DeriveKeyPair) and as a raw X25519 private key.
          const fromSeed = await rc.personKeysFromSeed(k);
          for (const row of keyRows)
            expect(rc.viewTagMatches(fromSeed, { tagPub: row.tag_pub, viewTag: row.view_tag }), `${label} view tag`).toBe(false);
          await asPrivateKey(`${label} (seed)`, fromSeed);
          await asPrivateKey(`${label} (raw)`, { hpkePrivate: await kem.deserializePrivateKey(k) });
          // As the master key of the first format.
          for (const r of reports) await attempt(`${label} legacy ${r.id}`, () => rc.unwrapLegacyReportKey(r.wrapped_key, r.public_id, k));
          // As the key that seals a person's private key.
          for (const sk of staffKeys) {
            await attempt(`${label} staff key ${sk.staff_id}`, async () => {
              if (!(await openStaffKeys(cdb, sk.staff_id, { key: k, salt: b64(sk.kdf_salt), params: JSON.parse(sk.kdf) })))
                throw new Error("none");
            });
          }
        }
        expect(opened).toEqual([]);
        expect(attempts).toBeGreaterThan(10_000);
        // Control of the attempts themselves: the real keys (which the copy does not hold) open what they should.
        for (const r of reports) {
          const real = await findReportByReceipt(db, r.id === r1.id ? r1.receipt : r2.receipt);
          opened = [];
          await asContentKey("real", real!.key!);
          const mine = (ids: { id: number; report_id: number }[]) => ids.filter((x) => x.report_id === r.id).map((x) => x.id);
          expect(opened).toEqual(
            expect.arrayContaining([
              `real envelope ${r.id}`,
              `real holders ${r.id}`,
              ...mine(messages).map((id) => `real message ${id}`),
              ...mine(events.filter((e) => e.note_envelope)).map((id) => `real note ${id}`),
              ...mine(attachments).flatMap((id) => [`real file-meta ${id}`, `real file ${id}`]),
            ]),
          );
          expect(opened.some((o) => o.startsWith("real audit "))).toBe(true);
        }
        opened = [];
        await asPrivateKey("off1", (await unlockWithPassword(cdb, "copy-control-0", staff.off1.id, staff.off1.password)).keys);
        expect(opened.filter((o) => o.includes(" wrap "))).toHaveLength(2);

        // What the operator CAN decrypt (outbox e-mails) says nothing either.
        const outbox = await cdb.selectFrom("outbox").select("payload").execute();
        expect(outbox.length).toBeGreaterThan(0);
        const s = JSON.parse(fs.readFileSync(path.join(copy, "keys", "secrets.json"), "utf8")) as { outboxKey: string };
        const mail = outbox.map((o) => decryptText(o.payload!, s.outboxKey, "outbox")).join("\n");
        for (const n of [...needles, r1.publicId, r2.publicId]) expect(mail).not.toContain(n);

        // 3. Control: from the same copy, a recipient with their password reads every one of those phrases.
        const recovered: string[] = [];
        const off1 = await unlockWithPassword(cdb, "copy-control", staff.off1.id, staff.off1.password);
        const held = await refreshHeld(cdb, off1);
        expect([...held.keys()].sort()).toEqual(reports.map((r) => r.id).sort());
        for (const r of reports) {
          const k = await rc.unwrapReportKey(off1.keys, held.get(r.id)![0], r.public_id);
          recovered.push(JSON.stringify(rc.openJson(k, r.envelope, reportAad.submission(r.public_id))));
          for (const m of messages.filter((x) => x.report_id === r.id))
            recovered.push(JSON.stringify(rc.openJson(k, m.envelope, reportAad.message(r.public_id))));
          for (const e of events.filter((x) => x.report_id === r.id && x.note_envelope))
            recovered.push(JSON.stringify(rc.openJson(k, e.note_envelope!, reportAad.event(r.public_id))));
          for (const f of attachments.filter((x) => x.report_id === r.id)) {
            recovered.push(JSON.stringify(rc.openJson(k, f.meta_envelope, reportAad.fileMeta(r.public_id, f.storage_id))));
            recovered.push(
              rc
                .decryptFile(k, fs.readFileSync(path.join(copy, "reports", f.storage_id)), reportAad.file(r.public_id, f.storage_id))
                .toString("latin1"),
            );
          }
          for (const a of auditRows) {
            try {
              recovered.push(
                JSON.stringify(rc.openJson(k, (JSON.parse(a.details) as { sealed: string }).sealed, reportAad.audit(r.public_id))),
              );
            } catch {
              // another report's entry
            }
          }
        }
        const all = recovered.join("\n");
        for (const n of needles.filter((x) => x !== r1.receipt && x !== r2.receipt)) expect(all, `recipient recovers ${n}`).toContain(n);
        expect(all).toContain(r2.publicId);
        // …and the reporter, with the receipt, opens their copy of the key from the same copy.
        const secret = await hashReceipt(r1.receipt!);
        const row = reports.find((r) => r.receipt_hash === secret.lookup)!;
        expect(row.id).toBe(r1.id);
        const reporterKey = await rc.unwrapReportKey(
          await rc.personKeysFromSeed(secret.seed),
          { enc: row.reporter_enc!, wrapped: row.reporter_wrapped! },
          row.public_id,
        );
        expect(JSON.stringify(rc.openJson(reporterKey, row.envelope, reportAad.submission(row.public_id)))).toContain(SECRET.reporterName);
        // The excluded officer, with their password, still opens nothing of the report that excludes them.
        const offC = await unlockWithPassword(cdb, "copy-control-c", staff.offC.id, staff.offC.password);
        expect((await refreshHeld(cdb, offC)).has(r2.id)).toBe(false);
      } finally {
        await cdb.destroy();
      }
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
    await flushReportChannel(db);
  });
});

// ---- accounts and settings after the fact --------------------------------------------------------------------------

describe("access fixed at filing", () => {
  it("LATE ACCOUNT: an integrity account created afterwards (with keys) sees that reports exist and opens none", async () => {
    const existing = await db.selectFrom("reports").select(["id", "public_id"]).execute();
    expect(existing.length).toBeGreaterThan(0);
    const late = await createStaff(db, {
      email: "late@wangluek.go.th",
      name: "ผู้มาใหม่ ภายหลัง",
      role: "integrity",
      divisionId: null,
      password: "บัญชีที่สร้างทีหลัง 2569",
    });
    staff.late = { id: late.id, role: "integrity", name: late.name, email: late.email, password: "บัญชีที่สร้างทีหลัง 2569" };
    as.late = await unlock("late");
    expect(await db.selectFrom("staff_keys").select("staff_id").where("staff_id", "=", late.id).executeTakeFirst()).toBeDefined();

    const counts = await reportCounts(db);
    expect(counts.total).toBe(existing.length);
    expect(counts.open).toBe(existing.length);
    const list = await casework.listReportsFor(db, as.late, { status: "all" });
    expect(list.items).toEqual([]);
    expect(list.total).toBe(0);
    expect((await refreshHeld(db, as.late.keys)).size).toBe(0);
    for (const r of existing) {
      await expect(casework.openHeldReport(db, as.late, r.id)).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.openHeldReport(db, as.late, r.public_id)).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.decryptReport(db, as.late, r.id)).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.decryptReport(db, as.late, r.public_id)).rejects.toBeInstanceOf(ReportNotFoundError);
    }
    // Not even by trying every wrapped key.
    for (const row of await db.selectFrom("report_keys").selectAll().execute()) {
      const pid = existing.find((r) => r.id === row.report_id)!.public_id;
      await expect(rc.unwrapReportKey(as.late.keys.keys, row, pid)).rejects.toThrow();
    }
    // A report filed from now on does reach them.
    const next = await file();
    expect(next.recipients.map((r) => r.name)).toContain("ผู้มาใหม่ ภายหลัง");
    expect(await canOpen(as.late, next.id)).toBe(true);
  });

  it("EXCLUDED OFFICER WITH DB WRITE ACCESS: excluded by the reporter or named in the text, C never gets a key", async () => {
    const listAtFiling = (await recipientCandidates(db)).length;
    const byChoice = await file({
      excluded: [staff.offC.id],
      fields: { whatHappened: "ผอ.กองคลังสั่งให้แก้ใบตรวจรับงานย้อนหลัง", involvedPosition: "ผู้อำนวยการกองคลัง" },
    });
    const byName = await file({ fields: { whatHappened: "พี่โก้ที่กองคลังเรียกเงินสดจากผู้รับเหมาทุกงวดงาน" } });
    const byFullName = await file({ fields: { whatHappened: "ผู้รับเหมาโอนเงินเข้าบัญชีภรรยาของ นายธนากร  ยิ่งใหญ่ ทุกเดือน" } });
    const targets = [byChoice, byName, byFullName];
    for (const t of targets) expect(t.recipients.map((r) => r.name)).not.toContain(staff.offC.name);
    expect((await casework.decryptReport(db, as.off1, byChoice.id)).excluded).toEqual([
      { id: staff.offC.id, reason: "reporter", name: staff.offC.name },
    ]);
    expect((await casework.decryptReport(db, as.off1, byName.id)).excluded).toEqual([
      { id: staff.offC.id, reason: "named", name: staff.offC.name },
    ]);
    expect((await casework.decryptReport(db, as.off1, byFullName.id)).excluded).toEqual([
      { id: staff.offC.id, reason: "named", name: staff.offC.name },
    ]);

    // Nothing in the database names C in connection with these reports.
    const tables = await tablesOf();
    expect(tables).not.toContain("report_exclusions");
    expect(tables).not.toContain("report_sessions");
    expect(await columnsOf("report_messages")).not.toContain("staff_id");
    expect(await columnsOf("report_events")).not.toContain("staff_id");
    expect(await columnsOf("report_keys")).toEqual(["id", "report_id", "tag_pub", "view_tag", "enc", "wrapped"]);
    expect(await columnsOf("report_activity_pending")).toEqual(["id", "target", "sealed", "day"]);
    expect(await columnsOf("report_notices_pending")).toEqual(["staff_id", "kind"]);
    for (const t of tables) {
      const cols = await columnsOf(t);
      if (cols.includes("report_id"))
        expect(
          cols.filter((c) => /staff|actor|recipient|exclu|holder_id/.test(c)),
          t,
        ).toEqual([]);
    }
    for (const e of await db.selectFrom("audit_log").selectAll().where("target_type", "=", "report").execute())
      expect(e.actor_id).toBeNull();
    // One wrapped-key row per person on the list at filing: C's absence does not show.
    for (const t of targets)
      expect(await db.selectFrom("report_keys").select("id").where("report_id", "=", t.id).execute(), t.publicId).toHaveLength(
        listAtFiling,
      );

    const refused = async (label: string, a: OfficerAccess, { queue = true } = {}) => {
      for (const t of targets) {
        expect(await canOpen(a, t.id), `${label}: ${t.publicId}`).toBe(false);
        await expect(casework.decryptReport(db, a, t.publicId)).rejects.toBeInstanceOf(ReportNotFoundError);
        // Brute force over every row of the report, too.
        for (const row of await db.selectFrom("report_keys").selectAll().where("report_id", "=", t.id).execute()) {
          await expect(rc.unwrapReportKey(a.keys.keys, row, t.publicId), label).rejects.toThrow();
        }
      }
      // The queue (no content: number, status, dates, tags) — after rows were copied into these reports it may list
      // them by their view tags, which shows C nothing the database they can read does not show them anyway.
      if (queue) {
        const listed = (await casework.listReportsFor(db, a, { status: "all" })).items.map((i) => i.id);
        for (const t of targets) expect(listed, label).not.toContain(t.id);
      }
    };
    await refused("as filed", await unlock("offC"));

    // 1. Copies of the other officers' rows (C cannot tell whose is whose, so all of them).
    const mark = Number(
      (
        await db
          .selectFrom("report_keys")
          .select((eb) => eb.fn.max("id").as("id"))
          .executeTakeFirst()
      )?.id ?? 0,
    );
    for (const t of targets) {
      const rows = await db.selectFrom("report_keys").selectAll().where("report_id", "=", t.id).execute();
      for (const r of rows)
        await raw
          .insertInto("report_keys")
          .values({ report_id: t.id, tag_pub: r.tag_pub, view_tag: r.view_tag, enc: r.enc, wrapped: r.wrapped })
          .execute();
      // …and the rows of a report C does hold, pointed at these reports.
      const mine = await db
        .selectFrom("report_keys")
        .selectAll()
        .where("report_id", "=", (await file()).id)
        .execute();
      for (const r of mine)
        await raw
          .insertInto("report_keys")
          .values({ report_id: t.id, tag_pub: r.tag_pub, view_tag: r.view_tag, enc: r.enc, wrapped: r.wrapped })
          .execute();
    }
    await refused("rows copied", await unlock("offC"), { queue: false });
    await db
      .deleteFrom("report_keys")
      .where("id", ">", mark)
      .where(
        "report_id",
        "in",
        targets.map((t) => t.id),
      )
      .execute();

    // 2. C's own public key replaced by a recipient's: noticed at unlock; C's real keys still open nothing.
    const cRow = await db.selectFrom("staff_keys").selectAll().where("staff_id", "=", staff.offC.id).executeTakeFirstOrThrow();
    const o1Row = await db.selectFrom("staff_keys").selectAll().where("staff_id", "=", staff.off1.id).executeTakeFirstOrThrow();
    await db.updateTable("staff_keys").set({ public_key: o1Row.public_key }).where("staff_id", "=", staff.offC.id).execute();
    await expect(unlock("offC")).rejects.toBeInstanceOf(StaffKeyMismatchError);
    await refused("public key edited", as.offC);
    //    …or the whole sealed key of a recipient copied into C's row: C's password does not open it.
    await db
      .updateTable("staff_keys")
      .set({
        public_key: o1Row.public_key,
        sealed_seed: o1Row.sealed_seed,
        kdf_salt: o1Row.kdf_salt,
        recovery_sealed_seed: o1Row.recovery_sealed_seed,
      })
      .where("staff_id", "=", staff.offC.id)
      .execute();
    await expect(unlock("offC")).rejects.toBeInstanceOf(StaffKeyLockedError);
    await db.updateTable("staff_keys").set(cRow).where("staff_id", "=", staff.offC.id).execute();
    await refused("key restored", await unlock("offC"));

    // 3. C makes themselves the alternate recipient.
    await db.updateTable("integrity_settings").set({ alternate_staff_id: staff.offC.id }).where("id", "=", 1).execute();
    await refused("alternate changed", await unlock("offC"));
    expect((await finishKeyMigration(db)).wrapped).toBe(0);
    await refused("migration run", await unlock("offC"));
    await db.updateTable("integrity_settings").set({ alternate_staff_id: staff.altA.id }).where("id", "=", 1).execute();

    // 4. Staff rows altered: C's old disabled account reactivated; C takes a recipient's name and e-mail; the others disabled.
    await db.updateTable("staff").set({ active: 1 }).where("id", "=", staff.oldC.id).execute();
    await refused("old account reactivated", await unlock("oldC"));
    const before = await db.selectFrom("staff").selectAll().where("id", "in", [staff.off1.id, staff.offC.id]).execute();
    await db.updateTable("staff").set({ email: "moved@wangluek.go.th" }).where("id", "=", staff.off1.id).execute();
    await db
      .updateTable("staff")
      .set({ name: staff.off1.name, email: staff.off1.email, position: "นิติกร" })
      .where("id", "=", staff.offC.id)
      .execute();
    const others = (
      await db
        .selectFrom("staff")
        .select("id")
        .where("role", "=", "integrity")
        .where("active", "=", 1)
        .where("id", "!=", staff.offC.id)
        .execute()
    ).map((r) => r.id);
    await db.updateTable("staff").set({ active: 0 }).where("id", "in", others).execute();
    await refused("staff rows altered", await unlock("offC"));
    await db.updateTable("staff").set({ role: "admin" }).where("id", "=", staff.offC.id).execute();
    await db.updateTable("staff").set({ role: "integrity" }).where("id", "=", staff.offC.id).execute();
    await refused("role changed and back", await unlock("offC"));
    for (const b of before.sort((x, y) => (x.id === staff.offC.id ? -1 : y.id === staff.offC.id ? 1 : 0)))
      await db.updateTable("staff").set({ email: b.email, name: b.name, position: b.position }).where("id", "=", b.id).execute();
    await db.updateTable("staff").set({ active: 1 }).where("id", "in", others).execute();
    await db.updateTable("staff").set({ active: 0 }).where("id", "=", staff.oldC.id).execute();

    // 5. C puts their own public key in the reporter's place and waits for a recipient to open the report.
    const saved = await db
      .selectFrom("reports")
      .select(["reporter_pub", "reporter_enc", "reporter_wrapped"])
      .where("id", "=", byChoice.id)
      .executeTakeFirstOrThrow();
    await db
      .updateTable("reports")
      .set({ reporter_pub: as.offC.keys.keys.publicKey.toString("base64url"), reporter_enc: null, reporter_wrapped: null })
      .where("id", "=", byChoice.id)
      .execute();
    await casework.decryptReport(db, as.off1, byChoice.id);
    const after = await db
      .selectFrom("reports")
      .select(["reporter_enc", "reporter_wrapped"])
      .where("id", "=", byChoice.id)
      .executeTakeFirstOrThrow();
    if (after.reporter_enc && after.reporter_wrapped) {
      await expect(
        rc.unwrapReportKey(as.offC.keys.keys, { enc: after.reporter_enc, wrapped: after.reporter_wrapped }, byChoice.publicId),
      ).rejects.toThrow();
    }
    await db.updateTable("reports").set(saved).where("id", "=", byChoice.id).execute();
    await refused("reporter key replaced", await unlock("offC"));

    // The recipients still read them all.
    for (const t of targets) expect(await canOpen(await unlock("off1"), t.id)).toBe(true);
  });

  it("CHANGING THE ALTERNATE does not change access to past reports", async () => {
    const past = await file({ recipient: "alternate" });
    expect(past.recipients).toEqual([{ name: staff.altA.name, alternate: true }]);
    expect(await canOpen(as.altA, past.id)).toBe(true);
    expect(await canOpen(as.altB, past.id)).toBe(false);
    // A report with an exclusion, which the alternate also receives.
    const pastExcluded = await file({ excluded: [staff.off2.id] });
    expect(pastExcluded.recipients.map((r) => r.name)).toContain(staff.altA.name);

    await db.updateTable("integrity_settings").set({ alternate_staff_id: staff.altB.id }).where("id", "=", 1).execute();
    for (const a of [as.altA, await unlock("altA")]) {
      expect(await canOpen(a, past.id)).toBe(true);
      expect(await canOpen(a, pastExcluded.id)).toBe(true);
    }
    for (const b of [as.altB, await unlock("altB")]) {
      expect(await canOpen(b, past.id)).toBe(false);
      await expect(casework.decryptReport(db, b, past.publicId)).rejects.toBeInstanceOf(ReportNotFoundError);
    }

    const later = await file({ recipient: "alternate" });
    expect(later.recipients).toEqual([{ name: staff.altB.name, alternate: true }]);
    expect(await canOpen(as.altB, later.id)).toBe(true);
    expect(await canOpen(as.altA, later.id)).toBe(false);
    // The alternate pointed at nobody usable (a disabled account): the past reports still open for their holders.
    await db.updateTable("integrity_settings").set({ alternate_staff_id: staff.oldC.id }).where("id", "=", 1).execute();
    expect(await canOpen(as.altA, past.id)).toBe(true);
    expect(await canOpen(as.altB, later.id)).toBe(true);
    await db.updateTable("integrity_settings").set({ alternate_staff_id: staff.altA.id }).where("id", "=", 1).execute();
  });

  it("GRANT: a holder gives a colleague access (audited in the report's trail); refused for excluded people and non-recipients", async () => {
    const g = await file({ excluded: [staff.offC.id], fields: { whatHappened: "ขอให้ตรวจสอบการจัดซื้อครุภัณฑ์การเกษตรที่ราคาสูงผิดปกติ" } });
    const newcomer = await createStaff(db, {
      email: "newcomer@wangluek.go.th",
      name: "ผู้ช่วย มาใหม่",
      role: "integrity",
      divisionId: null,
      password: "ผู้ช่วยคนใหม่ของทีม 2569",
    });
    staff.newcomer = { id: newcomer.id, role: "integrity", name: newcomer.name, email: newcomer.email, password: "ผู้ช่วยคนใหม่ของทีม 2569" };
    const nc = await unlock("newcomer");
    expect(await canOpen(nc, g.id)).toBe(false);

    const candidates = (await grants.grantCandidates(db, as.off1, g.id)).map((c) => c.id);
    expect(candidates).toContain(newcomer.id);
    expect(candidates).not.toContain(staff.offC.id);
    expect(candidates).not.toContain(staff.off1.id);
    expect(candidates).not.toContain(staff.off2.id);

    await grants.grantReportAccess(db, as.off1, g.id, newcomer.id);
    expect(await canOpen(nc, g.id)).toBe(true);
    const d = await casework.decryptReport(db, nc, g.id);
    expect(d.fields.whatHappened).toContain("ครุภัณฑ์การเกษตร");
    expect(d.holders.find((h) => h.id === newcomer.id)).toMatchObject({ via: "grant", grantedBy: staff.off1.id });
    expect(d.audit.find((a) => a.action === "report.grant")).toMatchObject({
      staffName: staff.off1.name,
      details: { staffId: newcomer.id },
    });
    // The colleague is told in the next batch (without content).
    expect((await db.selectFrom("report_notices_pending").select("staff_id").execute()).map((r) => r.staff_id)).toContain(newcomer.id);

    const refusal = async (staffId: number) => {
      try {
        await grants.grantReportAccess(db, as.off1, g.id, staffId);
      } catch (e) {
        expect(e).toBeInstanceOf(GrantRefusedError);
        return (e as InstanceType<typeof GrantRefusedError>).reason;
      }
      return "granted";
    };
    expect(await refusal(staff.offC.id)).toBe("excluded");
    expect(await refusal(staff.admin.id)).toBe("not_recipient");
    expect(await refusal(staff.exec.id)).toBe("not_recipient");
    // An integrity account without keys, and a disabled one with keys.
    await addStaff("nokeys", "ยังไม่ เข้าระบบ", "integrity");
    expect(await refusal(staff.nokeys.id)).toBe("not_recipient");
    expect(await refusal(staff.oldC.id)).toBe("not_recipient");
    // Someone the report names is excluded too.
    const named = await file({ fields: { whatHappened: "พี่โก้สั่งให้เปลี่ยนผู้รับจ้างโดยไม่มีเหตุผล" } });
    await expect(grants.grantReportAccess(db, as.off1, named.id, staff.offC.id)).rejects.toMatchObject({ reason: "excluded" });
    // Only a holder can grant.
    await expect(grants.grantReportAccess(db, await unlock("offC"), g.id, staff.offC.id)).rejects.toBeInstanceOf(ReportNotFoundError);
    expect(await canOpen(await unlock("offC"), g.id)).toBe(false);
    expect(await canOpen(await unlock("oldC"), g.id)).toBe(false);
    await flushReportChannel(db);
  });

  it("NOBODY LEFT: excluding everyone throws NoRecipientError and stores nothing", async () => {
    await flushReportChannel(db);
    const everyone = (await recipientCandidates(db)).map((c) => c.id);
    expect(everyone.length).toBeGreaterThan(3);
    const tables = [
      "reports",
      "report_keys",
      "report_attachments",
      "report_messages",
      "report_events",
      "report_tags",
      "outbox",
      "audit_log",
      "report_activity_pending",
      "report_notices_pending",
    ];
    const snapshot = async () => ({
      rows: Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)] as const))),
      files: filesUnder(path.join(dataDir, "reports")).sort(),
    });
    const before = await snapshot();
    const upload = { bytes: PDF("NOBODY-LEFT"), name: "x.pdf", mime: "application/pdf", keptOriginal: false };
    await expect(file({ excluded: everyone, uploads: [upload] })).rejects.toBeInstanceOf(NoRecipientError);
    await expect(file({ recipient: "alternate", excluded: everyone, uploads: [upload] })).rejects.toBeInstanceOf(NoRecipientError);
    // Everyone but one excluded, and that one named in the text.
    await expect(
      file({
        excluded: everyone.filter((id) => id !== staff.off1.id),
        fields: { whatHappened: "สมชาย ซื่อตรง ปิดบังเรื่องการจัดซื้อ" },
        uploads: [upload],
      }),
    ).rejects.toBeInstanceOf(NoRecipientError);
    expect(await snapshot()).toEqual(before);
  });
});

// ---- the audit log ----------------------------------------------------------------------------------------------------

describe("the audit log", () => {
  it("AUDIT VISIBILITY: entries about a report say nothing in clear, open for a holder, count per day; refusals look the same", async () => {
    const v = await file({
      excluded: [staff.offC.id],
      fields: { whatHappened: "รองปลัดรับเงินเพื่อเลื่อนตำแหน่งพนักงานจ้าง", involvedName: "นายสมปอง เงินดี" },
    });
    await casework.transitionReport(db, as.off1, v.id, "start_review", { note: "สอบถามพยานแล้ว" });
    await casework.transitionReport(db, as.off1, v.id, "refer", { referredTo: "nacc" });
    await casework.setReportTags(db, as.off1, v.id, ["conflict_of_interest", "bribery", "personnel"]);
    await casework.addOfficerMessage(db, as.off2, v.id, "ส่งเรื่องต่อ ป.ป.ช. แล้ว");
    await grants.grantReportAccess(db, as.off1, v.id, staff.newcomer.id);
    await casework.exportReport(db, as.off2, v.id);
    await flushReportChannel(db);

    // Raw rows: nothing about any report in clear.
    const rows = await db.selectFrom("audit_log").selectAll().orderBy("id").execute();
    const about = rows.filter((r) => r.target_type === "report");
    expect(about.length).toBeGreaterThan(10);
    const forbidden = [
      v.publicId,
      "conflict",
      "recipient",
      "alternate",
      "bribery",
      "personnel",
      "nacc",
      "referred",
      "finding",
      "excluded",
      "holder",
      "staffId",
      "publicId",
      ...Object.values(staff).map((p) => p.name),
    ];
    for (const r of about) {
      expect(r.action).toBe(REPORT_ACTIVITY);
      expect(r.actor_id).toBeNull();
      expect(r.target_id).toMatch(/^[0-9a-f]{32}$/);
      const details = JSON.parse(r.details) as Record<string, unknown>;
      expect(Object.keys(details)).toEqual(["sealed"]);
      // The one value is an AES-GCM envelope (base64url): whatever the entry says is inside it.
      expect(details.sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
      const clear = JSON.stringify({ ...r, details: "", hash: "", prev_hash: "", target_id: "" });
      expect(clear).not.toMatch(/R\d{4}-\d{4}/);
      for (const s of forbidden) expect(clear, s).not.toContain(s);
    }
    // What admins and named officers are shown of the log: no entry about a report at all.
    expect((await listAudit(db, { limit: 1000, withoutReportEntries: true })).filter((r) => r.target_type === "report")).toEqual([]);

    // A holder opens the report's trail.
    const held = await casework.openHeldReport(db, as.off1, v.id);
    const trail = await reportAuditTrail(db, held);
    expect(new Set(trail.map((t) => t.publicId))).toEqual(new Set([v.publicId]));
    const byAction = (a: string) => trail.filter((t) => t.action === a);
    expect(byAction("report.create")).toHaveLength(1);
    expect(byAction("report.create")[0]).toMatchObject({
      role: "reporter",
      staffId: null,
      details: { excluded: [{ id: staff.offC.id, reason: "reporter" }] },
    });
    expect(byAction("report.create")[0].at).toMatch(DAY);
    expect(byAction("report.status").map((t) => t.details)).toEqual([
      expect.objectContaining({ action: "start_review", to: "preliminary_review", withNote: true }),
      expect.objectContaining({ action: "refer", to: "referred", referredTo: "nacc" }),
    ]);
    expect(byAction("report.status")[0].staffId).toBe(staff.off1.id);
    expect(byAction("report.tag")[0].details).toEqual({ tags: ["conflict_of_interest", "bribery", "personnel"] });
    expect(byAction("report.message")[0].staffId).toBe(staff.off2.id);
    expect(byAction("report.grant")[0].details).toMatchObject({ staffId: staff.newcomer.id });
    expect(byAction("report.export")).toHaveLength(1);
    // The trail holds exactly the rows with this report's target (and the still-queued ones: none after the batch).
    expect(trail.every((t) => t.id > 0)).toBe(true);
    expect(trail.map((t) => t.id)).toEqual(rows.filter((r) => r.target_id === auditTarget(held.key)).map((r) => r.id));
    // The alternate (a recipient here, since an officer was excluded) reads the same trail.
    const altTrail = await reportAuditTrail(db, await casework.openHeldReport(db, as.altA, v.id));
    expect(altTrail.map((t) => [t.id, t.action])).toEqual(trail.map((t) => [t.id, t.action]));
    // The excluded officer cannot open the trail (no key), and cannot compute its target.
    await expect(casework.openHeldReport(db, await unlock("offC"), v.id)).rejects.toBeInstanceOf(ReportNotFoundError);

    // Everyone else sees channel actions per day, and the counts are right.
    const perDay = new Map<string, number>();
    for (const r of about) {
      const day = r.at.length === 10 ? r.at : bangkokDateKey(new Date(r.at));
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const activity = await channelActivityByDay(db, { days: 60 });
    expect(new Map(activity.map((a) => [a.day, a.actions]))).toEqual(perDay);
    expect(activity.reduce((n, a) => n + a.actions, 0)).toBe(about.length);

    // A refusal is logged and answered the same whether or not the report exists.
    const c = await unlock("offC");
    const fy = v.publicId.slice(1, 5);
    const denied = async (ref: number | string) => {
      const last =
        (
          await db
            .selectFrom("audit_log")
            .select((eb) => eb.fn.max("id").as("id"))
            .executeTakeFirst()
        )?.id ?? 0;
      const error = await casework.openHeldReport(db, c, ref).then(
        () => null,
        (e) => e,
      );
      expect(error).toBeInstanceOf(ReportNotFoundError);
      expect((error as Error).message).toBe("Report not found");
      const added = await db.selectFrom("audit_log").selectAll().where("id", ">", Number(last)).execute();
      expect(added).toHaveLength(1);
      const { id: _id, at: _at, hash: _hash, prev_hash: _prev, ...rest } = added[0];
      return { ...rest, details: JSON.parse(rest.details) as Record<string, unknown> };
    };
    const missing = await denied(`R${fy}-9999`);
    const notHeld = await denied(v.publicId);
    expect(missing).toEqual({ ...notHeld, details: { requested: `R${fy}-9999` } });
    expect(notHeld).toMatchObject({
      action: "report.denied",
      actor_id: staff.offC.id,
      actor_role: "integrity",
      target_type: "report_request",
      target_id: null,
      details: { requested: v.publicId },
    });
    // By number: byte for byte the same entry.
    expect(await denied(999_999)).toEqual(await denied(v.id));
    // Through every route into a report the same.
    await expect(casework.decryptReport(db, c, `R${fy}-9999`)).rejects.toBeInstanceOf(ReportNotFoundError);
    await expect(casework.decryptReport(db, c, v.publicId)).rejects.toBeInstanceOf(ReportNotFoundError);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});

// ---- metadata ---------------------------------------------------------------------------------------------------------

describe("metadata", () => {
  it("METADATA: dates not times for reporters, seen not read_at, padded sizes, neutral names, reporter actions in batches by day", async () => {
    await flushReportChannel(db);
    const auditBefore = await count("audit_log");
    const evidence = PDF("METADATA-" + "x".repeat(20_000));
    const m = await file({ uploads: [{ bytes: evidence, name: "ใบเสร็จของนายก.pdf", mime: "application/pdf", keptOriginal: false }] });
    const kept = await file({
      uploads: [{ bytes: PDF("KEPT"), name: "ใบเสร็จของนายก.pdf", mime: "application/pdf", keptOriginal: false }],
      keepFileNames: true,
    });

    const row = await db.selectFrom("reports").selectAll().where("id", "=", m.id).executeTakeFirstOrThrow();
    expect(row.received_at).toMatch(DAY);
    expect(row.created_at).toMatch(DAY);
    expect(row.ack_due_at).toMatch(DAY);
    expect(row.received_at).toBe(m.receivedAt);
    expect(await db.selectFrom("report_events").select("created_at").where("report_id", "=", m.id).execute()).toEqual([
      { created_at: m.receivedAt },
    ]);

    // The reporter's actions have not reached the audit log: they wait, dated by day, for the batch.
    expect(await count("audit_log")).toBe(auditBefore);
    const waiting = await db.selectFrom("report_activity_pending").selectAll().execute();
    expect(waiting).toHaveLength(2);
    for (const w of waiting) expect(w.day).toMatch(DAY);

    const reporter = await findReportByReceipt(db, m.receipt);
    await addReporterMessage(db, { reportId: m.id, key: reporter!.key }, "ข้อมูลเพิ่มเติมจากผู้แจ้ง");
    await casework.addOfficerMessage(db, as.off1, m.id, "ได้รับแล้ว");
    const messages = await db.selectFrom("report_messages").selectAll().where("report_id", "=", m.id).orderBy("id").execute();
    expect(messages.map((x) => x.author)).toEqual(["reporter", "officer"]);
    expect(messages[0].created_at).toMatch(DAY);
    expect(messages[1].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const cols = await columnsOf("report_messages");
    expect(cols).toContain("seen");
    expect(cols).not.toContain("read_at");
    expect(messages.map((x) => x.seen)).toEqual([0, 0]);
    await casework.decryptReport(db, as.off1, m.id);
    await reporterView(db, m.id, reporter!.key);
    expect(
      (await db.selectFrom("report_messages").select("seen").where("report_id", "=", m.id).orderBy("id").execute()).map((x) => x.seen),
    ).toEqual([1, 1]);

    // Sizes: the class, on disk and in the database; the real size only inside.
    const [att] = await db.selectFrom("report_attachments").selectAll().where("report_id", "=", m.id).execute();
    expect(att.size).toBe(rc.paddedSize(evidence.length));
    expect(att.size).toBe(32 * 1024);
    expect(att.created_at).toMatch(DAY);
    expect(fs.statSync(storagePath(att.storage_id)).size).toBe(4 + 12 + 16 + att.size);
    const d = await casework.decryptReport(db, as.off1, m.id);
    expect(d.attachments[0]).toMatchObject({ name: "evidence-1.pdf", size: evidence.length });
    expect((await casework.decryptReport(db, as.off1, kept.id)).attachments[0].name).toBe("ใบเสร็จของนายก.pdf");
    const [small] = await db.selectFrom("report_attachments").select("size").where("report_id", "=", kept.id).execute();
    expect(small.size).toBe(16 * 1024);

    // The batch writes the reporter's actions to the audit log, dated by day only.
    expect(await count("audit_log")).toBe(auditBefore + 2 /* officer message, view */ + 1 /* second view */ + 1);
    const batch = await flushReportChannel(db);
    expect(batch.activity).toBe(3);
    expect(await count("report_activity_pending")).toBe(0);
    const written = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("actor_role", "=", "reporter")
      .orderBy("id", "desc")
      .limit(3)
      .execute();
    expect(written).toHaveLength(3);
    for (const w of written) {
      expect(w.at).toMatch(DAY);
      expect(w.action).toBe(REPORT_ACTIVITY);
      expect(w.actor_id).toBeNull();
    }
    const trail = await reportAuditTrail(db, await casework.openHeldReport(db, as.off1, m.id));
    expect(trail.filter((t) => t.role === "reporter").map((t) => t.action)).toEqual(["report.create", "reporter.message"]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});

// ---- migration from the first format --------------------------------------------------------------------------------

describe("migration from the first format", () => {
  it("MIGRATION FROM TODAY'S FORMAT: readable by exactly the officers the old rules entitled, master wraps gone, legacy receipts work", async () => {
    const ldb = openDatabase(path.join(dataDir, "legacy.db"));
    const lraw = ldb as unknown as Kysely<any>;
    try {
      const upTo = Object.fromEntries(Object.entries(migrations).filter(([n]) => n <= "2026-11-26T0700_statistics"));
      expect(Object.keys(upTo).at(-1)).toBe("2026-11-26T0700_statistics");
      expect((await new Migrator({ db: ldb, provider: { getMigrations: async () => upTo } }).migrateToLatest()).error).toBeUndefined();
      expect(await columnsOf("reports", lraw)).toContain("recipient");
      await seedOrganisation(ldb, seedBeforeMapColumns());

      const people: Record<string, { id: number; name: string; password: string }> = {};
      for (const [k, name, role] of [
        ["O1", "สมศักดิ์ เที่ยงธรรม", "integrity"],
        ["O2", "จันทร์เพ็ญ ใสสะอาด", "integrity"],
        ["O3", "บุญชัย ถูกกล่าวหา", "integrity"],
        ["O4", "ไม่เคย เข้าระบบ", "integrity"],
        ["ALT", "ประธาน ตรวจสอบ", "integrity"],
        ["EXEC", "นายก ใหญ่", "executive"],
      ] as const) {
        const r = await lraw
          .insertInto("staff")
          .values({ email: `${k.toLowerCase()}@legacy.go.th`, name, role, division_id: null, password_hash: "x", active: 1 })
          .returning("id")
          .executeTakeFirstOrThrow();
        people[k] = { id: r.id as number, name, password: `legacy password ${k}` };
      }
      await lraw.updateTable("integrity_settings").set({ alternate_staff_id: people.ALT.id }).where("id", "=", 1).execute();

      const master = getMasterKey();
      const at = "2026-11-20T03:14:15.926Z"; // 10:14 in Bangkok on 20 Nov 2026
      const later = "2026-11-21T08:00:00.000Z";
      const legacyKeys = new Map<string, Buffer>();
      const evidence = PDF("LEGACY-EVIDENCE-" + "y".repeat(3000));
      let storageL1 = "";
      const receipt = "4921507368214590";

      async function legacyReport(o: {
        seq: number;
        mode: "anonymous" | "confidential";
        recipient: "integrity" | "alternate";
        excluded: number[];
        fields: CreateReportInput["fields"];
        withEverything?: boolean;
      }) {
        const publicId = `R2570-${String(o.seq).padStart(4, "0")}`;
        const key = rc.newReportKey();
        legacyKeys.set(publicId, key);
        const storageId = crypto.randomBytes(16).toString("hex");
        const files = o.withEverything
          ? [{ storageId, bytes: evidence, sha: crypto.createHash("sha256").update(evidence).digest("hex") }]
          : [];
        const digest = computeSubmissionDigest({ receivedAt: at, mode: o.mode, fields: o.fields, fileSha256: files.map((f) => f.sha) });
        const r = await lraw
          .insertInto("reports")
          .values({
            public_id: publicId,
            receipt_hash: o.withEverything ? await hashReceiptLegacy(receipt) : crypto.randomBytes(32).toString("hex"),
            submission_key_hash: null,
            mode: o.mode,
            recipient: o.recipient,
            status: o.withEverything ? "preliminary_review" : "received",
            finding: null,
            referred_to: null,
            wrapped_key: rc.wrapLegacyReportKey(key, publicId, master),
            envelope: rc.sealJson(
              key,
              { v: 1, mode: o.mode, requestedRecipient: "integrity", fields: o.fields },
              reportAad.submission(publicId),
            ),
            submission_digest: digest,
            received_at: at,
            fiscal_year: 2570,
            seq: o.seq,
            ack_due_at: "2026-11-27T03:14:15.926Z",
            last_feedback_at: o.withEverything ? later : null,
            closed_at: null,
            purged_at: null,
            created_at: at,
            updated_at: at,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        const id = r.id as number;
        for (const s of o.excluded) await lraw.insertInto("report_exclusions").values({ report_id: id, staff_id: s }).execute();
        await lraw
          .insertInto("report_events")
          .values({ report_id: id, from_status: null, to_status: "received", staff_id: null, note_envelope: null, created_at: at })
          .execute();
        if (o.withEverything) {
          await lraw
            .insertInto("report_events")
            .values({
              report_id: id,
              from_status: "received",
              to_status: "preliminary_review",
              staff_id: people.O1.id,
              note_envelope: rc.sealJson(key, { note: "บันทึกเดิม LEGACY-NOTE" }, reportAad.event(publicId)),
              created_at: later,
            })
            .execute();
          await lraw
            .insertInto("report_messages")
            .values({
              report_id: id,
              author: "officer",
              staff_id: people.O1.id,
              envelope: rc.sealJson(key, { text: "คำถามจากเจ้าหน้าที่ LEGACY-Q" }, reportAad.message(publicId)),
              created_at: later,
              read_at: null,
            })
            .execute();
          await lraw
            .insertInto("report_messages")
            .values({
              report_id: id,
              author: "reporter",
              staff_id: null,
              envelope: rc.sealJson(key, { text: "คำตอบจากผู้แจ้ง LEGACY-A" }, reportAad.message(publicId)),
              created_at: "2026-11-21T09:30:12.345Z",
              read_at: "2026-11-21T10:00:00.000Z",
            })
            .execute();
          // The first file format: "SJR1" | iv | tag | ciphertext, unpadded.
          for (const f of files) {
            const iv = crypto.randomBytes(12);
            const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
            cipher.setAAD(Buffer.from(reportAad.file(publicId, f.storageId), "utf8"));
            const ct = Buffer.concat([cipher.update(f.bytes), cipher.final()]);
            fs.mkdirSync(path.dirname(storagePath(f.storageId)), { recursive: true });
            fs.writeFileSync(storagePath(f.storageId), Buffer.concat([Buffer.from("SJR1", "latin1"), iv, cipher.getAuthTag(), ct]), {
              mode: 0o600,
            });
            await lraw
              .insertInto("report_attachments")
              .values({
                report_id: id,
                message_id: null,
                storage_id: f.storageId,
                size: f.bytes.length,
                meta_envelope: rc.sealJson(
                  key,
                  { name: "สัญญาเดิม.pdf", mime: "application/pdf", keptOriginal: false, originalSha256: f.sha },
                  reportAad.fileMeta(publicId, f.storageId),
                ),
                created_at: at,
              })
              .execute();
            storageL1 = f.storageId;
          }
          await lraw
            .insertInto("report_sessions")
            .values({ id: "legacy-session", report_id: id, created_at: later, expires_at: later })
            .execute();
        }
        return { id, publicId };
      }

      // L1: to the integrity officers, naming O3 and O4 (excluded); everything: evidence, messages, a note, a receipt.
      const L1 = await legacyReport({
        seq: 1,
        mode: "confidential",
        recipient: "integrity",
        excluded: [people.O3.id, people.O4.id],
        fields: {
          whatHappened: "เรื่องเดิม LEGACY-ONE",
          involvedName: "บุญชัย ถูกกล่าวหา",
          reporterName: "ผู้แจ้ง เดิม",
          reporterContact: "080-000-0000",
        },
        withEverything: true,
      });
      // L2: routed to the alternate (it named O3).
      const L2 = await legacyReport({
        seq: 2,
        mode: "anonymous",
        recipient: "alternate",
        excluded: [people.O3.id],
        fields: { whatHappened: "เรื่องเดิม LEGACY-TWO" },
      });
      // L3: to the integrity officers, nobody named (O4 never signs in).
      const L3 = await legacyReport({
        seq: 3,
        mode: "anonymous",
        recipient: "integrity",
        excluded: [],
        fields: { whatHappened: "เรื่องเดิม LEGACY-THREE" },
      });

      // ---- to the latest format ----
      await migrateToLatest(ldb);
      expect(await columnsOf("reports", lraw)).not.toEqual(expect.arrayContaining(["mode"]));
      expect(await columnsOf("reports", lraw)).not.toContain("recipient");
      expect(await columnsOf("report_messages", lraw)).not.toContain("read_at");
      expect(await columnsOf("report_messages", lraw)).not.toContain("staff_id");
      expect(await columnsOf("report_events", lraw)).not.toContain("staff_id");
      const tables = await tablesOf(lraw);
      expect(tables).not.toContain("report_exclusions");
      expect(tables).not.toContain("report_sessions");
      const rows = await ldb.selectFrom("reports").selectAll().orderBy("id").execute();
      for (const r of rows) {
        expect(r.received_at).toBe("2026-11-20");
        expect(r.created_at).toBe("2026-11-20");
        expect(r.ack_due_at).toBe("2026-11-27");
        expect(r.wrapped_key).toMatch(/^mk1:/);
        expect(r.receipt_scheme).toBe(1);
      }
      const msgs = await ldb.selectFrom("report_messages").selectAll().orderBy("id").execute();
      expect(msgs.map((m) => [m.author, m.created_at, m.seen])).toEqual([
        ["officer", later, 0],
        ["reporter", "2026-11-21", 1],
      ]);
      // The evidence: padded, second format, same bytes.
      const k1 = rc.unwrapLegacyReportKey(rows[0].wrapped_key, L1.publicId, master);
      const stored = fs.readFileSync(storagePath(storageL1));
      expect(stored.subarray(0, 4).toString("latin1")).toBe("SJR2");
      expect(stored.length).toBe(32 + rc.paddedSize(evidence.length));
      expect(rc.decryptFile(k1, stored, reportAad.file(L1.publicId, storageL1)).equals(evidence)).toBe(true);
      const att = await ldb.selectFrom("report_attachments").selectAll().executeTakeFirstOrThrow();
      expect(att.size).toBe(rc.paddedSize(evidence.length));
      const sealed = rc.openJson<import("~/models/report/shared.server").SealedSubmission>(
        k1,
        rows[0].envelope,
        reportAad.submission(L1.publicId),
      );
      expect(sealed).toMatchObject({ v: 2, mode: "confidential", routedTo: "integrity", recipients: null, digestReceivedAt: at });
      expect(sealed.excluded).toEqual([
        { id: people.O3.id, reason: "named" },
        { id: people.O4.id, reason: "named" },
      ]);

      // ---- the reporter of L1 signs in with the old receipt: found, moved to scheme 2, no key yet ----
      const first = await findReportByReceipt(ldb, receipt);
      expect(first?.report.id).toBe(L1.id);
      expect(first?.key).toBeNull();
      const moved = await ldb.selectFrom("reports").selectAll().where("id", "=", L1.id).executeTakeFirstOrThrow();
      expect(moved.receipt_scheme).toBe(2);
      expect(moved.receipt_hash).not.toBe(await hashReceiptLegacy(receipt));
      expect(moved.reporter_pub).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(moved.reporter_wrapped).toBeNull();
      expect(await reporterView(ldb, L1.id, null)).toMatchObject({ readable: false, messages: [] });
      expect((await findReportByReceipt(ldb, receipt))?.key).toBeNull();

      // ---- officers sign in one by one ----
      const lunlock = async (k: string) => {
        const keys = await unlockWithPassword(ldb, `legacy-${k}-${++sessions}`, people[k].id, people[k].password);
        return { actor: { id: people[k].id, role: "integrity" as const }, keys };
      };
      const wrapOf = async (id: number) =>
        (await ldb.selectFrom("reports").select("wrapped_key").where("id", "=", id).executeTakeFirstOrThrow()).wrapped_key;
      const a: Record<string, OfficerAccess> = {};
      a.O1 = await lunlock("O1");
      expect(await wrapOf(L1.id)).not.toBe(""); // O2 still to come
      a.O2 = await lunlock("O2");
      expect(await wrapOf(L1.id)).toBe(""); // every entitled officer holds a copy
      a.O3 = await lunlock("O3");
      expect(await wrapOf(L3.id)).not.toBe(""); // O4 has never signed in
      expect(await wrapOf(L2.id)).not.toBe("");
      a.ALT = await lunlock("ALT");
      expect(await wrapOf(L2.id)).toBe("");
      expect(await legacyWrapsRemaining(ldb)).toBe(1);

      const fin = await finishKeyMigration(ldb);
      expect(fin).toEqual({ wrapped: 0, destroyed: 1, withoutCopy: [people.O4.name] });
      expect(await legacyWrapsRemaining(ldb)).toBe(0);
      for (const r of await ldb.selectFrom("reports").select("wrapped_key").execute()) expect(r.wrapped_key).toBe("");
      a.O4 = await lunlock("O4");

      // Exactly the officers the old rules entitled: excluded never; the alternate's report only the alternate.
      const expected: Record<string, string[]> = {
        [L1.publicId]: ["O1", "O2"],
        [L2.publicId]: ["ALT"],
        [L3.publicId]: ["O1", "O2", "O3"],
      };
      const idOf = new Map([L1, L2, L3].map((l) => [l.publicId, l.id]));
      for (const [pid, who] of Object.entries(expected)) {
        for (const k of ["O1", "O2", "O3", "O4", "ALT"]) expect(await canOpen(a[k], pid, ldb), `${k} → ${pid}`).toBe(who.includes(k));
        expect(await ldb.selectFrom("report_keys").select("id").where("report_id", "=", idOf.get(pid)!).execute()).toHaveLength(who.length);
      }

      const d = await casework.decryptReport(ldb, a.O1, L1.id);
      expect(d.fields.whatHappened).toBe("เรื่องเดิม LEGACY-ONE");
      expect(d.digestVerified).toBe(true);
      expect(d.receivedAt).toBe("2026-11-20");
      expect(d.messages.map((m) => [m.author, m.staffName, m.text])).toEqual([
        ["officer", people.O1.name, "คำถามจากเจ้าหน้าที่ LEGACY-Q"],
        ["reporter", null, "คำตอบจากผู้แจ้ง LEGACY-A"],
      ]);
      expect(d.events.map((e) => [e.to, e.staffName, e.note])).toEqual([
        ["received", null, ""],
        ["preliminary_review", people.O1.name, "บันทึกเดิม LEGACY-NOTE"],
      ]);
      expect(d.attachments).toEqual([expect.objectContaining({ name: "สัญญาเดิม.pdf", size: evidence.length })]);
      expect(d.holders.map((h) => [h.id, h.via]).sort()).toEqual(
        [
          [people.O1.id, "migration"],
          [people.O2.id, "migration"],
        ].sort(),
      );
      expect(d.audit.filter((t) => t.action === "report.key-migration").length).toBeGreaterThan(0);
      const file1 = await casework.readReportAttachment(ldb, a.O1, L1.id, att.id);
      expect(file1.bytes.equals(evidence)).toBe(true);

      // The recipient's open wrapped the key for the waiting reporter: the next sign-in reads the conversation.
      const again = await findReportByReceipt(ldb, receipt);
      expect(again?.key).toBeInstanceOf(Buffer);
      expect(again!.key!.equals(k1)).toBe(true);
      const view = await reporterView(ldb, L1.id, again!.key);
      expect(view.readable).toBe(true);
      expect(view.messages.map((m) => [m.author, m.text])).toEqual([
        ["officer", "คำถามจากเจ้าหน้าที่ LEGACY-Q"],
        ["reporter", "คำตอบจากผู้แจ้ง LEGACY-A"],
      ]);
      await addReporterMessage(ldb, { reportId: L1.id, key: again!.key }, "ข้อความใหม่หลังย้ายรูปแบบ");
      expect((await casework.decryptReport(ldb, a.O2, L1.id)).messages.at(-1)?.text).toBe("ข้อความใหม่หลังย้ายรูปแบบ");
      expect((await verifyAuditChain(ldb)).ok).toBe(true);
    } finally {
      await ldb.destroy();
    }
  });
});
