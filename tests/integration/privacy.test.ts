/**
 * The privacy notice kept, in-process against a real SQLite file: the retention job with a moved clock
 * (nothing the statistics need is lost; nothing personal survives in the database, its WAL or the uploads), and a
 * person's request — find by phone or e-mail, export, correct, erase — each audited without the term searched for.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-privacy-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3997";
// SQLite under DATA_DIR, or a fresh PostgreSQL database when the run is TEST_DATABASE=postgres.
const { testDatabaseUrl } = await import("../helpers/server");
const databaseUrl = await testDatabaseUrl();
if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
else delete process.env.DATABASE_URL;

const { getDb } = await import("~/utils/db.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const complaints = await import("~/models/complaints/filing.server");
const uploads = await import("~/models/complaints/attachments.server");
const handling = await import("~/models/complaints/handling.server");
const privacy = await import("~/models/complaints/privacy.server");
const { fileStore } = await import("~/utils/file-store.server");
const { complaintStats } = await import("~/models/statistics/figures.server");
const { fiscalYearOf } = await import("~/lib/fiscal-year");

const db = getDb();
const tag = crypto.randomBytes(3).toString("hex");
const NAME = `นางสมศรี ผู้ร้อง${tag}`;
const PHONE = "081-234-5678";
const EMAIL = `somsri.${tag}@example.th`;
const ADDRESS = `99/9 หมู่ 4 บ้านลับ${tag}`;
const SUBJECT = `น้ำท่วมขังหน้าบ้านเลขที่ 99 ${tag}`;
const DETAILS = `ท่อระบายน้ำอุดตันมาสามเดือน ${tag}-DETAIL`;
const RESULT = `ล้างท่อแล้ว แจ้งคุณสมศรีทางโทรศัพท์ ${tag}-RESULT`;
const NOTE = `บันทึกภายใน เบอร์ ${PHONE} ${tag}-NOTE`;
let supervisor = { id: 0, role: "supervisor" as const, division_id: null as number | null };
let closedRef = "";
let openRef = "";

function storedBytes(): Buffer {
  const file = path.join(dataDir, "sujarit.db");
  const files = [file, `${file}-wal`].filter((f) => fs.existsSync(f));
  const walk = (d: string): string[] =>
    fs.existsSync(d)
      ? fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]))
      : [];
  return Buffer.concat([...files, ...walk(path.join(dataDir, "uploads"))].map((f) => fs.readFileSync(f)));
}

const secrets = () => [NAME, PHONE, EMAIL, ADDRESS, SUBJECT, DETAILS, RESULT, NOTE, `${tag}-COMMENT`];

async function file(overrides: Record<string, unknown> = {}) {
  const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#3366cc" } })
    .jpeg()
    .toBuffer();
  const uploadId = await uploads.storeUpload({ name: `บ้านของ${tag}.jpg`, data: photo }, db);
  return complaints.createComplaint(db, {
    category: "road",
    subject: SUBJECT,
    details: DETAILS,
    village: 4,
    landmark: `หน้าบ้าน ${tag}`,
    latitude: 14.1,
    longitude: 100.6,
    contactName: NAME,
    contactPhone: PHONE,
    contactEmail: EMAIL,
    contactAddress: ADDRESS,
    preferredContact: "phone",
    channel: "web",
    lang: "th",
    submissionKey: crypto.randomBytes(32).toString("base64url"),
    recordedBy: null,
    uploadIds: [uploadId],
    ...overrides,
  } as Parameters<typeof complaints.createComplaint>[1]);
}

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
  const s = await db
    .insertInto("staff")
    .values({ email: `sup-${tag}@wangluek.go.th`, name: "ปลัด ทดสอบ", role: "supervisor", division_id: null, password_hash: "", active: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  supervisor = { id: s.id, role: "supervisor", division_id: null };
  const closed = await file();
  closedRef = closed.reference;
  await handling.applyCaseAction(db, { complaintId: closed.id, actor: supervisor, action: "accept" });
  await handling.addInternalNote(db, { complaintId: closed.id, actor: supervisor, text: NOTE });
  await handling.applyCaseAction(db, { complaintId: closed.id, actor: supervisor, action: "resolve", resultSummary: RESULT });
  await db
    .insertInto("case_ratings")
    .values({
      complaint_id: closed.id,
      score: 5,
      comment: `ดีมาก ${tag}-COMMENT`,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    })
    .execute();
  openRef = (await file({ contactEmail: EMAIL.toUpperCase(), contactPhone: "+66 81 234 5678" })).reference;
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("a person's request (data subject)", () => {
  const actor = { staffId: 1, role: "admin" };
  it("finds their cases by phone (any spelling: dashes, +66) or e-mail (any case), and the audit keeps neither", async () => {
    const byPhone = await privacy.findCasesByContact(db, { phone: "๐๘๑ ๒๓๔ ๕๖๗๘" }, actor);
    expect(byPhone.map((c) => c.reference).sort()).toEqual([closedRef, openRef].sort());
    const byEmail = await privacy.findCasesByContact(db, { email: ` ${EMAIL.toUpperCase()} ` }, actor);
    expect(byEmail).toHaveLength(2);
    expect(await privacy.findCasesByContact(db, { phone: "0899999999" }, actor)).toEqual([]);
    expect(await privacy.findCasesByContact(db, { phone: "12" }, actor)).toEqual([]);
    const audit = JSON.stringify(await db.selectFrom("audit_log").selectAll().where("action", "=", "privacy.search").execute());
    expect(audit).not.toContain("5678");
    expect(audit).not.toContain(EMAIL);
  });

  it("exports everything held about a case (not internal notes)", async () => {
    const x = await privacy.exportCase(db, closedRef, actor);
    expect(x.contact).toMatchObject({ name: NAME, phone: PHONE, email: EMAIL, address: ADDRESS });
    expect(x.subject).toBe(SUBJECT);
    expect(x.result).toBe(RESULT);
    expect(x.attachments).toHaveLength(1);
    expect(JSON.stringify(x)).not.toContain(`${tag}-NOTE`);
    await expect(privacy.exportCase(db, "2570-999999", actor)).rejects.toMatchObject({ code: "not_found" });
  });

  it("corrects the contact details (only the fields given) and audits the field names", async () => {
    await privacy.correctContact(db, openRef, { name: "", phone: "02-111-2222", email: "", address: "" }, actor);
    const row = await db.selectFrom("complaints").selectAll().where("reference", "=", openRef).executeTakeFirstOrThrow();
    expect(row.contact_phone).toBe("02-111-2222");
    expect(row.contact_name).toBe(NAME);
    const audit = await db.selectFrom("audit_log").select("details").where("action", "=", "privacy.correct").executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details).fields).toEqual(["contact_phone"]);
    expect(audit.details).not.toContain("02-111-2222");
    await expect(
      privacy.correctContact(db, openRef, { name: "", phone: "", email: "not-an-email", address: "" }, actor),
    ).rejects.toMatchObject({ code: "bad_input" });
  });

  it("erases an open case only when the consequence is acknowledged; the statistics stay", async () => {
    const fy = fiscalYearOf(new Date());
    const before = await complaintStats(db, fy);
    await expect(privacy.eraseCase(db, openRef, actor)).rejects.toMatchObject({ code: "open_case" });
    await privacy.eraseCase(db, openRef, actor, { openCaseAcknowledged: true });
    const row = await db.selectFrom("complaints").selectAll().where("reference", "=", openRef).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      contact_name: "",
      contact_phone: "",
      contact_email: "",
      contact_address: "",
      subject: "",
      details: "",
      latitude: null,
    });
    expect(row.anonymised_at).toBeTruthy();
    expect(row.category_id).toBeGreaterThan(0);
    expect(row.village_id).not.toBeNull();
    expect(await db.selectFrom("attachments").select("id").where("complaint_id", "=", row.id).execute()).toEqual([]);
    expect(await complaintStats(db, fy)).toEqual(before);
  });
});

describe("the retention job", () => {
  it("does nothing before the period; with the clock moved past it, clears the closed case and keeps the statistics", async () => {
    expect(await privacy.runComplaintRetention(db, { dryRun: true })).toMatchObject({ due: 0 });
    const later = new Date(Date.now() + 6 * 365 * 86_400_000);
    expect(await privacy.runComplaintRetention(db, { at: later, dryRun: true })).toMatchObject({ due: 1 });
    const fy = fiscalYearOf(new Date());
    const before = await complaintStats(db, fy);
    const r = await privacy.runComplaintRetention(db, { at: later });
    expect(r.anonymised).toBe(1);
    expect(await privacy.runComplaintRetention(db, { at: later, dryRun: true })).toMatchObject({ due: 0 });
    const row = await db.selectFrom("complaints").selectAll().where("reference", "=", closedRef).executeTakeFirstOrThrow();
    expect(row.status).toBe("resolved");
    expect(row.sla_outcome).not.toBeNull();
    expect((await db.selectFrom("case_ratings").selectAll().where("complaint_id", "=", row.id).executeTakeFirstOrThrow()).score).toBe(5);
    expect(await complaintStats(db, fy)).toEqual(before);
    // Nothing personal survives anywhere: the database, its WAL, the uploads (and the search index inside the database).
    const bytes = storedBytes();
    const found = secrets().filter((s) => bytes.includes(Buffer.from(s, "utf8")));
    expect(found).toEqual([]);
    // No upload left in the file store (FILE_STORE=disk: under DATA_DIR/uploads; database: rows of stored_file).
    expect(await fileStore().list("uploads/")).toEqual([]);
    const onDisk = fs.existsSync(path.join(dataDir, "uploads")) ? fs.readdirSync(path.join(dataDir, "uploads"), { recursive: true }) : [];
    expect(onDisk.filter((f) => /^[0-9a-f]{64}$/.test(path.basename(String(f))))).toEqual([]);
  });
});
