/**
 * The report channel's domain layer, in-process against a real SQLite file in a temporary data directory:
 * encryption at rest (bytes of the DB, WAL and files), receipts, idempotency, conflict-of-interest routing,
 * visibility, messages both ways, status changes, audit chain, content-free notifications, purge.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import sharp from "sharp";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-report-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3998";
delete process.env.DATABASE_URL;
delete process.env.MASTER_KEY;

const { getDb, getSecrets } = await import("~/utils/db.server");
const { decryptText } = await import("~/utils/crypto.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const reports = await import("~/models/report.server");
const { verifyAuditChain } = await import("~/models/audit.server");
const { formatReceipt } = await import("~/lib/receipt");
const { InvalidReportTransitionError } = await import("~/lib/report-status");

const db = getDb();

const PHRASE = "งบซ่อมถนนหายไปครึ่งหนึ่ง-ZEBRA-7781";
const REPORTER = "นางสาวลับสุด ยอดปกปิด";
const CONTACT = "081-555-0199";
const MESSAGE_PHRASE = "ใบเสร็จปลอมอยู่ที่ลิ้นชัก-OKAPI-4412";
const OFFICER_PHRASE = "ขอสำเนาสัญญาเพิ่ม-LEMUR-9090";

type StaffRow = { id: number; role: "admin" | "supervisor" | "officer" | "intake" | "executive" | "integrity"; name: string };
const staff: Record<string, StaffRow> = {};

async function addStaff(key: string, name: string, role: StaffRow["role"], divisionId: number | null = null) {
  const row = await db
    .insertInto("staff")
    .values({ email: `${key}@wangluek.go.th`, name, role, division_id: divisionId, password_hash: "x", active: 1 })
    .returning(["id", "role", "name"])
    .executeTakeFirstOrThrow();
  staff[key] = row as StaffRow;
}

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
  const division = await db.selectFrom("divisions").select("id").executeTakeFirstOrThrow();
  await addStaff("integ1", "สมชาย ซื่อตรง", "integrity");
  await addStaff("integ2", "วิภา ใจงาม", "integrity");
  await addStaff("alt", "ประเสริฐ ตรวจสอบดี", "integrity");
  await addStaff("exec", "มานพ ผู้นำ", "executive");
  await addStaff("admin", "แอดมิน ระบบ", "admin");
  await addStaff("super", "หัวหน้า งาน", "supervisor");
  await addStaff("officer", "เจ้าหน้าที่ หนึ่ง", "officer", division.id);
  await addStaff("intake", "รับเรื่อง สอง", "intake");
  await db
    .updateTable("integrity_settings")
    .set({ alternate_staff_id: staff.alt.id, alternate_label_th: "ประธานคณะกรรมการตรวจสอบ", alternate_label_en: "Chair of the audit committee" })
    .where("id", "=", 1)
    .execute();
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const key = () => crypto.randomBytes(32).toString("base64url");

function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } })
    .withMetadata({ exif: { IFD0: { Make: "Spy", Model: "SecretCam" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "13/1 45/1 0/1" } } })
    .jpeg()
    .toBuffer();
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "latin1");

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

function allStoredBytes(): Buffer {
  const file = path.join(dataDir, "sujarit.db");
  const parts = [file, `${file}-wal`, ...filesUnder(path.join(dataDir, "reports")), ...filesUnder(path.join(dataDir, "uploads"))].filter((f) => fs.existsSync(f));
  return Buffer.concat(parts.map((f) => fs.readFileSync(f)));
}

function expectAbsent(secrets: string[]) {
  const bytes = allStoredBytes();
  // Control: plain data that IS stored in clear (a staff name) is found by the same search.
  expect(bytes.includes(Buffer.from("วิภา ใจงาม", "utf8"))).toBe(true);
  for (const s of secrets) {
    expect(bytes.includes(Buffer.from(s, "utf8")), `stored bytes contain ${JSON.stringify(s)}`).toBe(false);
    expect(bytes.includes(Buffer.from(s, "utf16le")), `stored bytes contain ${JSON.stringify(s)} (utf16)`).toBe(false);
  }
}

const fields = (over: Partial<Parameters<typeof reports.createReport>[1]["fields"]> = {}) => ({
  involvedName: "ช่างรับเหมา ก",
  involvedPosition: "ผู้รับเหมา",
  involvedDivision: "กองช่าง",
  whatHappened: `ผู้รับเหมาจ่ายเงินให้กรรมการตรวจรับ ${PHRASE}`,
  when: "ตุลาคม 2569",
  where: "หมู่ 3",
  howKnown: "เห็นเอง",
  reportedElsewhere: "ไม่เคย",
  reporterName: REPORTER,
  reporterContact: CONTACT,
  ...over,
});

let first: Awaited<ReturnType<typeof reports.createReport>>;
const firstKey = key();

describe("filing a report", () => {
  it("encrypts everything and returns a receipt once", async () => {
    const photo = await jpegWithGps();
    expect(photo.includes(Buffer.from("Spy"))).toBe(true);
    first = await reports.createReport(db, {
      mode: "confidential",
      recipient: "integrity",
      fields: fields(),
      uploads: [
        { bytes: photo, name: "หลักฐาน.jpg", mime: "image/jpeg", keptOriginal: false },
        { bytes: PDF, name: "contract.pdf", mime: "application/pdf", keptOriginal: false },
      ],
      submissionKey: firstKey,
    });
    expect(first.duplicate).toBe(false);
    expect(first.receipt).toMatch(/^\d{16}$/);
    expect(first.publicId).toMatch(/^R\d{4}-0001$/);
    expect(first.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(first.recipient).toBe("integrity");

    const row = await db.selectFrom("reports").selectAll().where("id", "=", first.id).executeTakeFirstOrThrow();
    expect(row.status).toBe("received");
    expect(row.mode).toBe("confidential");
    expect(row.receipt_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.receipt_hash).not.toContain(first.receipt!);
    expect(await db.selectFrom("report_attachments").select("id").where("report_id", "=", first.id).execute()).toHaveLength(2);
    expect(filesUnder(path.join(dataDir, "reports"))).toHaveLength(2);
    for (const f of filesUnder(path.join(dataDir, "reports"))) expect(fs.statSync(f).mode & 0o777).toBe(0o600);

    await sql`pragma wal_checkpoint(passive)`.execute(db);
    expectAbsent([PHRASE, REPORTER, CONTACT, first.receipt!, formatReceipt(first.receipt!), "SecretCam"]);
  });

  it("finds the report by its receipt with one hash, and nothing for a wrong one", async () => {
    const t0 = performance.now();
    const found = await reports.findReportByReceipt(db, formatReceipt(first.receipt!));
    const ms = performance.now() - t0;
    expect(found?.id).toBe(first.id);
    expect(ms).toBeLessThan(1500);
    expect((await reports.findReportByReceipt(db, first.receipt!))?.id).toBe(first.id);
    const wrong = first.receipt!.slice(0, 15) + ((Number(first.receipt!.slice(15)) + 1) % 10);
    expect(await reports.findReportByReceipt(db, wrong)).toBeNull();
    expect(await reports.findReportByReceipt(db, "not a receipt")).toBeNull();
    expect(await reports.findReportByReceipt(db, undefined)).toBeNull();
  });

  it("a re-post of the same form returns the same report without a receipt", async () => {
    const again = await reports.createReport(db, { mode: "confidential", recipient: "integrity", fields: fields(), uploads: [], submissionKey: firstKey });
    expect(again).toMatchObject({ id: first.id, publicId: first.publicId, duplicate: true, receipt: null, digest: first.digest });
    expect(await db.selectFrom("reports").select("id").execute()).toHaveLength(1);
  });

  it("drops identity fields in anonymous mode and refuses empty or oversized text", async () => {
    const anon = await reports.createReport(db, {
      mode: "anonymous",
      recipient: "integrity",
      fields: fields({ whatHappened: "เรื่องที่สอง" }),
      uploads: [],
      submissionKey: key(),
    });
    const d = await reports.decryptReport(db, staff.integ1, anon.id);
    expect(d.fields.reporterName).toBeUndefined();
    expect(d.fields.reporterContact).toBeUndefined();
    expect(d.digestVerified).toBe(true);
    await expect(reports.createReport(db, { mode: "anonymous", recipient: "integrity", fields: fields({ whatHappened: "   " }), uploads: [], submissionKey: key() })).rejects.toBeInstanceOf(
      reports.ReportInputError,
    );
    await expect(
      reports.createReport(db, { mode: "anonymous", recipient: "integrity", fields: fields({ whatHappened: "x".repeat(10_001) }), uploads: [], submissionKey: key() }),
    ).rejects.toBeInstanceOf(reports.ReportInputError);
    await expect(
      reports.createReport(db, { mode: "anonymous", recipient: "integrity", fields: fields(), uploads: [{ bytes: Buffer.from("MZ not allowed"), name: "a.exe", mime: "x", keptOriginal: false }], submissionKey: key() }),
    ).rejects.toBeInstanceOf(reports.UploadRejectedError);
  });

  it("notifies the recipients without any content", async () => {
    const rows = await db.selectFrom("outbox").selectAll().where("kind", "=", "report.new").execute();
    const messages = rows.map((r) => JSON.parse(decryptText(r.payload!, getSecrets().outboxKey, "outbox")) as { to: string; subject: string; text: string; html: string });
    // An ordinary report goes to the integrity officers only, not to the alternate recipient.
    const firstOnes = messages.slice(0, 2);
    expect(firstOnes.map((m) => m.to).sort()).toEqual(["integ1@wangluek.go.th", "integ2@wangluek.go.th"]);
    for (const m of messages) {
      const all = m.subject + m.text + m.html;
      for (const s of [PHRASE, REPORTER, CONTACT, first.receipt!, first.publicId, "ช่างรับเหมา"]) expect(all).not.toContain(s);
      expect(m.text).toContain("http://localhost:3998/staff/integrity");
    }
    for (const who of ["admin", "exec", "officer", "super", "intake"]) expect(messages.some((m) => m.to.startsWith(who))).toBe(false);
  });
});

describe("who sees a report", () => {
  it("integrity officers see 'integrity' reports; the alternate and every other role get not found / forbidden", async () => {
    for (const who of ["integ1", "integ2"]) {
      expect((await reports.getReportForStaff(db, staff[who], first.id)).id).toBe(first.id);
      expect((await reports.getReportForStaff(db, staff[who], first.publicId)).id).toBe(first.id);
    }
    // The alternate recipient only sees reports routed to them.
    await expect(reports.getReportForStaff(db, staff.alt, first.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    for (const who of ["admin", "super", "officer", "intake", "exec"]) {
      await expect(reports.getReportForStaff(db, staff[who], first.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
      await expect(reports.decryptReport(db, staff[who], first.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
      await expect(reports.readReportAttachment(db, staff[who], first.id, 1)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
      await expect(reports.addOfficerMessage(db, staff[who], first.id, "x")).rejects.toBeInstanceOf(reports.ReportNotFoundError);
      await expect(reports.transitionReport(db, staff[who], first.id, "start_review")).rejects.toBeInstanceOf(reports.ReportNotFoundError);
      await expect(reports.setReportTags(db, staff[who], first.id, ["bribery"])).rejects.toBeInstanceOf(reports.ReportNotFoundError);
      await expect(reports.exportReport(db, staff[who], first.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
      await expect(reports.listReportsFor(db, staff[who])).rejects.toBeInstanceOf(reports.ReportForbiddenError);
    }
    // A role claimed by the caller is re-checked against the database.
    await expect(reports.getReportForStaff(db, { id: staff.admin.id, role: "integrity" }, first.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    await expect(reports.getReportForStaff(db, staff.integ1, 99999)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    await expect(reports.getReportForStaff(db, staff.integ1, "../etc")).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    const counts = await reports.reportCounts(db);
    expect(counts.total).toBe(2);
    expect(counts.byStatus.received).toBe(2);
  });

  it("routes a report naming an integrity officer to the alternate and hides it from the named officer", async () => {
    const r = await reports.createReport(db, {
      mode: "anonymous",
      recipient: "integrity",
      fields: fields({ involvedName: "นาย สมชาย  ซื่อตรง", whatHappened: "เรียกรับเงิน" }),
      uploads: [],
      submissionKey: key(),
    });
    expect(r.recipient).toBe("alternate");
    expect(await db.selectFrom("report_exclusions").select("staff_id").where("report_id", "=", r.id).execute()).toEqual([{ staff_id: staff.integ1.id }]);
    expect((await reports.getReportForStaff(db, staff.alt, r.id)).id).toBe(r.id);
    await expect(reports.getReportForStaff(db, staff.integ1, r.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    await expect(reports.getReportForStaff(db, staff.integ2, r.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    const listInteg1 = await reports.listReportsFor(db, staff.integ1);
    expect(listInteg1.items.map((i) => i.id)).not.toContain(r.id);
    expect((await reports.listReportsFor(db, staff.alt)).items.map((i) => i.id)).toContain(r.id);
    const mails = await db.selectFrom("outbox").select("payload").where("kind", "=", "report.new").where("dedupe_key", "like", `report-new:${r.id}:%`).execute();
    const to = mails.map((m) => JSON.parse(decryptText(m.payload!, getSecrets().outboxKey, "outbox")).to);
    expect(to).toEqual(["alt@wangluek.go.th"]);
  });

  it("routes a report naming the executive to the alternate; one naming the alternate to the officers", async () => {
    const e = await reports.createReport(db, { mode: "anonymous", recipient: "integrity", fields: fields({ involvedName: "มานพ ผู้นำ" }), uploads: [], submissionKey: key() });
    expect(e.recipient).toBe("alternate");
    expect(await db.selectFrom("report_exclusions").select("staff_id").where("report_id", "=", e.id).execute()).toEqual([{ staff_id: staff.exec.id }]);

    const a = await reports.createReport(db, { mode: "anonymous", recipient: "alternate", fields: fields({ involvedName: "ประเสริฐ ตรวจสอบดี" }), uploads: [], submissionKey: key() });
    expect(a.recipient).toBe("integrity");
    await expect(reports.getReportForStaff(db, staff.alt, a.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    expect((await reports.getReportForStaff(db, staff.integ1, a.id)).id).toBe(a.id);

    const chosen = await reports.createReport(db, { mode: "anonymous", recipient: "alternate", fields: fields(), uploads: [], submissionKey: key() });
    expect(chosen.recipient).toBe("alternate");
    await expect(reports.getReportForStaff(db, staff.integ2, chosen.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
  });

  it("a disabled integrity officer sees nothing", async () => {
    await db.updateTable("staff").set({ active: 0 }).where("id", "=", staff.integ2.id).execute();
    await expect(reports.getReportForStaff(db, staff.integ2, first.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    await expect(reports.listReportsFor(db, staff.integ2)).rejects.toBeInstanceOf(reports.ReportForbiddenError);
    await db.updateTable("staff").set({ active: 1 }).where("id", "=", staff.integ2.id).execute();
  });
});

describe("working on a report", () => {
  it("opens the content, the photo without metadata and the PDF", async () => {
    const d = await reports.decryptReport(db, staff.integ1, first.publicId);
    expect(d.fields.whatHappened).toContain(PHRASE);
    expect(d.fields.reporterName).toBe(REPORTER);
    expect(d.digestVerified).toBe(true);
    expect(d.attachments.map((a) => [a.name, a.mime, a.keptOriginal])).toEqual([
      ["หลักฐาน.jpg", "image/jpeg", false],
      ["contract.pdf", "application/pdf", false],
    ]);
    const photo = await reports.readReportAttachment(db, staff.integ1, first.id, d.attachments[0].id);
    const meta = await sharp(photo.bytes).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.exif).toBeUndefined();
    expect(photo.bytes.includes(Buffer.from("Spy"))).toBe(false);
    const pdf = await reports.readReportAttachment(db, staff.integ1, first.id, d.attachments[1].id);
    expect(pdf.bytes.equals(PDF)).toBe(true);
    await expect(reports.readReportAttachment(db, staff.integ1, first.id, 99999)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
  });

  it("keeps an original photo only when the reporter chose to", async () => {
    const photo = await jpegWithGps();
    const upload = await reports.prepareReportUpload(photo, "original.jpg", { keepOriginal: true });
    expect(upload.keptOriginal).toBe(true);
    const r = await reports.createReport(db, { mode: "anonymous", recipient: "integrity", fields: fields({ whatHappened: "ภาพต้นฉบับ" }), uploads: [upload], submissionKey: key() });
    const d = await reports.decryptReport(db, staff.integ1, r.id);
    expect(d.attachments[0].keptOriginal).toBe(true);
    const back = await reports.readReportAttachment(db, staff.integ1, r.id, d.attachments[0].id);
    expect(back.bytes.equals(photo)).toBe(true);
  });

  it("carries messages both ways", async () => {
    await reports.addOfficerMessage(db, staff.integ2, first.id, `กรุณาส่งเอกสารเพิ่ม ${OFFICER_PHRASE}`);
    const view = await reports.reporterView(db, first.id);
    expect(view.publicStage).toBe("received");
    expect(view.messages).toEqual([{ author: "officer", text: `กรุณาส่งเอกสารเพิ่ม ${OFFICER_PHRASE}`, at: expect.any(String), attachments: 0 }]);
    expect(view.attachmentsCount).toBe(2);
    expect(JSON.stringify(view)).not.toContain("วิภา");

    const photo = await jpegWithGps();
    await reports.addReporterMessage(db, first.id, `นี่คือข้อมูลเพิ่มเติม ${MESSAGE_PHRASE}`, [{ bytes: photo, name: "more.jpg", mime: "image/jpeg", keptOriginal: false }]);
    await expect(reports.addReporterMessage(db, first.id, "   ", [])).rejects.toBeInstanceOf(reports.ReportInputError);
    const after = await reports.reporterView(db, first.id);
    expect(after.messages.map((m) => m.author)).toEqual(["officer", "reporter"]);
    expect(after.messages[1]).toMatchObject({ text: `นี่คือข้อมูลเพิ่มเติม ${MESSAGE_PHRASE}`, attachments: 1 });
    expect(after.attachmentsCount).toBe(3);

    const listBefore = await reports.listReportsFor(db, staff.integ1, { status: "all" });
    expect(listBefore.items.find((i) => i.id === first.id)?.unread).toBe(1);
    const d = await reports.decryptReport(db, staff.integ1, first.id);
    expect(d.messages.map((m) => [m.author, m.staffName])).toEqual([
      ["officer", "วิภา ใจงาม"],
      ["reporter", null],
    ]);
    expect(d.attachments).toHaveLength(3);
    expect(d.attachments[2].messageId).toBe(d.messages[1].id);
    const listAfter = await reports.listReportsFor(db, staff.integ1, { status: "all" });
    expect(listAfter.items.find((i) => i.id === first.id)?.unread).toBe(0);
    const updates = await db.selectFrom("outbox").select("payload").where("kind", "=", "report.update").execute();
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) expect(decryptText(u.payload!, getSecrets().outboxKey, "outbox")).not.toContain(MESSAGE_PHRASE);
  });

  it("changes status along the allowed paths only, with encrypted notes", async () => {
    await expect(reports.transitionReport(db, staff.integ1, first.id, "close")).rejects.toBeInstanceOf(InvalidReportTransitionError);
    await expect(reports.transitionReport(db, staff.integ1, first.id, "conclude", { finding: "substantiated" })).rejects.toBeInstanceOf(InvalidReportTransitionError);
    expect(await reports.transitionReport(db, staff.integ1, first.id, "start_review", { note: "ตรวจข้อเท็จจริง NOTE-SECRET-1" })).toEqual({ status: "preliminary_review" });
    expect((await reports.reporterView(db, first.id)).publicStage).toBe("under_review");
    expect(await reports.transitionReport(db, staff.integ1, first.id, "start_investigation")).toEqual({ status: "investigation" });
    await expect(reports.transitionReport(db, staff.integ1, first.id, "conclude", {})).rejects.toBeInstanceOf(InvalidReportTransitionError);
    await expect(reports.transitionReport(db, staff.integ1, first.id, "refer", { referredTo: "court" })).rejects.toBeInstanceOf(InvalidReportTransitionError);
    expect(await reports.transitionReport(db, staff.integ1, first.id, "conclude", { finding: "substantiated", note: "มีมูล" })).toEqual({ status: "concluded" });
    expect(await reports.setReportTags(db, staff.integ1, first.id, ["bribery", "procurement", "bribery"])).toEqual(["bribery", "procurement"]);
    await expect(reports.setReportTags(db, staff.integ1, first.id, ["gossip"])).rejects.toBeInstanceOf(reports.ReportInputError);
    expect(await reports.transitionReport(db, staff.integ1, first.id, "close")).toEqual({ status: "closed" });
    await expect(reports.transitionReport(db, staff.integ1, first.id, "start_review")).rejects.toBeInstanceOf(InvalidReportTransitionError);
    await expect(reports.addReporterMessage(db, first.id, "ยังมีอีก", [])).rejects.toBeInstanceOf(reports.ReportInputError);

    const d = await reports.decryptReport(db, staff.integ1, first.id);
    expect(d.status).toBe("closed");
    expect(d.finding).toBe("substantiated");
    expect(d.tags).toEqual(["bribery", "procurement"]);
    expect(d.events.map((e) => e.to)).toEqual(["received", "preliminary_review", "investigation", "concluded", "closed"]);
    expect(d.events[1].note).toBe("ตรวจข้อเท็จจริง NOTE-SECRET-1");
    expect(d.events[3]).toMatchObject({ note: "มีมูล", finding: "substantiated" });
    const view = await reports.reporterView(db, first.id);
    expect(view.publicStage).toBe("closed");

    const exported = await reports.exportReport(db, staff.integ1, first.id);
    expect(exported.fileName).toBe(`${first.publicId}.json`);
    expect(exported.json).toContain(PHRASE);
  });

  it("audits every read and write without content, and the chain verifies", async () => {
    const entries = await db.selectFrom("audit_log").selectAll().orderBy("id").execute();
    const actions = new Set(entries.map((e) => e.action));
    for (const a of ["report.create", "report.view", "report.download", "report.export", "report.status", "report.message", "report.tag", "reporter.message", "report.list", "report.denied"]) {
      expect(actions, a).toContain(a);
    }
    const text = JSON.stringify(entries);
    for (const s of [PHRASE, REPORTER, CONTACT, MESSAGE_PHRASE, OFFICER_PHRASE, "NOTE-SECRET-1", "ช่างรับเหมา", "สมชาย"]) expect(text).not.toContain(s);
    const v = await verifyAuditChain(db);
    expect(v).toEqual({ ok: true, checked: entries.length });
  });

  it("still leaves no content in the database, WAL or files", async () => {
    await sql`pragma wal_checkpoint(passive)`.execute(db);
    expectAbsent([PHRASE, REPORTER, CONTACT, MESSAGE_PHRASE, OFFICER_PHRASE, "NOTE-SECRET-1", first.receipt!, formatReceipt(first.receipt!), "SecretCam", "ช่างรับเหมา ก"]);
    expect((await sql`pragma foreign_key_check`.execute(db)).rows).toEqual([]);
  });
});

describe("retention", () => {
  it("purges closed reports after the retention period, keeping the statistics", async () => {
    const before = await reports.reportCounts(db);
    expect((await reports.purgeClosedReports(db)).purged).toBe(0);
    const fileCount = filesUnder(path.join(dataDir, "reports")).length;
    const later = new Date(Date.now() + 6 * 365.25 * 24 * 3600_000);
    expect(await reports.purgeClosedReports(db, later)).toEqual({ purged: 1 });
    expect(filesUnder(path.join(dataDir, "reports"))).toHaveLength(fileCount - 3);

    const row = await db.selectFrom("reports").selectAll().where("id", "=", first.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "closed", finding: "substantiated", envelope: "", wrapped_key: "", submission_key_hash: null });
    expect(row.purged_at).not.toBeNull();
    expect(row.received_at).toBe(first.receivedAt);
    expect(await db.selectFrom("report_messages").select("id").where("report_id", "=", first.id).execute()).toEqual([]);
    expect(await db.selectFrom("report_attachments").select("id").where("report_id", "=", first.id).execute()).toEqual([]);
    expect(await db.selectFrom("report_tags").select("tag").where("report_id", "=", first.id).orderBy("tag").execute()).toEqual([{ tag: "bribery" }, { tag: "procurement" }]);
    const events = await db.selectFrom("report_events").select(["to_status", "note_envelope"]).where("report_id", "=", first.id).execute();
    expect(events.map((e) => e.to_status)).toEqual(["received", "preliminary_review", "investigation", "concluded", "closed"]);
    expect(events.every((e) => e.note_envelope === null)).toBe(true);

    expect(await reports.findReportByReceipt(db, first.receipt!)).toBeNull();
    await expect(reports.getReportForStaff(db, staff.integ1, first.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    await expect(reports.reporterView(db, first.id)).rejects.toBeInstanceOf(reports.ReportNotFoundError);
    expect(await reports.reportCounts(db)).toEqual(before);
    expect((await reports.purgeClosedReports(db, later)).purged).toBe(0);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
