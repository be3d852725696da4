/**
 * The report channel's domain layer (app/models/report/), in-process against a real SQLite file in a temporary data
 * directory: encryption at rest (bytes of the DB, WAL and files), receipts (the reporter's key from the receipt),
 * idempotency, recipients fixed at filing by the keys (exclusions by name and by the reporter's choice), visibility,
 * messages both ways, status changes, the sealed audit trail and an intact chain, content-free batched notifications,
 * purge (crypto-shredding).
 *
 * Every integrity officer has keys (unlocked with their password, as at sign-in) before the first report is filed.
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
const { decryptText, sha256Hex } = await import("~/utils/crypto.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const { verifyAuditChain } = await import("~/models/audit/audit.server");
const { formatReceipt } = await import("~/lib/report-receipt");
const { InvalidReportTransitionError } = await import("~/lib/report-status");
const { ReportNotFoundError, ReportForbiddenError, ReportInputError } = await import("~/models/report/shared.server");
const { createReport } = await import("~/models/report/filing.server");
const { findReportByReceipt, reporterView, addReporterMessage, reporterSubmissionText } = await import("~/models/report/inbox.server");
const casework = await import("~/models/report/casework.server");
const grants = await import("~/models/report/access-grants.server");
const { prepareReportUpload, UploadRejectedError } = await import("~/models/report/files.server");
const { purgeClosedReports, reportCounts } = await import("~/models/report/retention.server");
const { flushReportChannel } = await import("~/models/report/notifications.server");
const { REPORT_ACTIVITY } = await import("~/models/report/channel-audit.server");
const { unlockWithPassword, holdKeys } = await import("~/models/report/key-vault.server");
const { personKeysFromSeed } = await import("~/models/report/crypto.server");
const { fileStore, LocalDiskFileStore } = await import("~/utils/file-store.server");

type OfficerAccess = import("~/models/report/casework.server").OfficerAccess;
type CreateReportInput = import("~/models/report/filing.server").CreateReportInput;

const db = getDb();

const PHRASE = "งบซ่อมถนนหายไปครึ่งหนึ่ง-ZEBRA-7781";
const REPORTER = "นางสาวลับสุด ยอดปกปิด";
const CONTACT = "081-555-0199";
const MESSAGE_PHRASE = "ใบเสร็จปลอมอยู่ที่ลิ้นชัก-OKAPI-4412";
const OFFICER_PHRASE = "ขอสำเนาสัญญาเพิ่ม-LEMUR-9090";
const DAY = /^\d{4}-\d{2}-\d{2}$/;

type StaffRow = {
  id: number;
  role: "admin" | "supervisor" | "officer" | "intake" | "executive" | "integrity";
  name: string;
  email: string;
};
const staff: Record<string, StaffRow> = {};
/** Each staff member acting with keys unlocked for their session (integrity officers: their own key pairs). */
const as: Record<string, OfficerAccess> = {};

async function addStaff(key: string, name: string, role: StaffRow["role"], divisionId: number | null = null) {
  const row = await db
    .insertInto("staff")
    .values({ email: `${key}@wangluek.go.th`, name, role, division_id: divisionId, password_hash: "x", active: 1 })
    .returning(["id", "role", "name", "email"])
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
    .set({
      alternate_staff_id: staff.alt.id,
      alternate_label_th: "ประธานคณะกรรมการตรวจสอบ",
      alternate_label_en: "Chair of the audit committee",
    })
    .where("id", "=", 1)
    .execute();
  // Integrity officers: key pairs made at their first unlock (before any report is filed).
  for (const who of ["integ1", "integ2", "alt"]) {
    as[who] = { actor: staff[who], keys: await unlockWithPassword(db, `session-${who}`, staff[who].id, `password of ${who}`) };
  }
  // Everyone else: some key pair of their own in their session (they are not on any list, so it opens nothing).
  for (const who of ["exec", "admin", "super", "officer", "intake"]) {
    as[who] = { actor: staff[who], keys: holdKeys(`session-${who}`, staff[who].id, await personKeysFromSeed(crypto.randomBytes(32))) };
  }
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
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

function allStoredBytes(): Buffer {
  const file = path.join(dataDir, "sujarit.db");
  const parts = [file, `${file}-wal`, ...filesUnder(path.join(dataDir, "reports")), ...filesUnder(path.join(dataDir, "uploads"))].filter(
    (f) => fs.existsSync(f),
  );
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

async function outboxMessages(kind: string): Promise<{ to: string; subject: string; text: string; html: string }[]> {
  const rows = await db.selectFrom("outbox").select("payload").where("kind", "=", kind).orderBy("id").execute();
  return rows.map((r) => JSON.parse(decryptText(r.payload!, getSecrets().outboxKey, "outbox")));
}

async function pendingNotices(): Promise<number[]> {
  return (await db.selectFrom("report_notices_pending").select("staff_id").orderBy("staff_id").execute()).map((r) => r.staff_id);
}

async function columnsOf(table: string): Promise<string[]> {
  return (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map((r) => r.name);
}

const fields = (over: Partial<CreateReportInput["fields"]> = {}): CreateReportInput["fields"] => ({
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

const sorted = (a: number[]) => [...a].sort((x, y) => x - y);

let first: Awaited<ReturnType<typeof createReport>>;
/** The report key as the reporter's receipt opens it. */
let firstKey: Buffer;
const firstSubmission = key();

describe("filing a report", () => {
  it("encrypts everything, fixes the recipients by their keys and returns a receipt once", async () => {
    const photo = await jpegWithGps();
    expect(photo.includes(Buffer.from("Spy"))).toBe(true);
    first = await createReport(db, {
      mode: "confidential",
      recipient: "integrity",
      fields: fields(),
      uploads: [
        { bytes: photo, name: "หลักฐาน.jpg", mime: "image/jpeg", keptOriginal: false },
        { bytes: PDF, name: "contract.pdf", mime: "application/pdf", keptOriginal: false },
      ],
      submissionKey: firstSubmission,
    });
    expect(first.duplicate).toBe(false);
    expect(first.receipt).toMatch(/^\d{16}$/);
    expect(first.publicId).toMatch(/^R\d{4}-0001$/);
    expect(first.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(first.receivedAt).toMatch(DAY);
    // An ordinary report goes to the integrity officers, not to the alternate recipient.
    expect(first.recipients).toEqual([
      { name: "วิภา ใจงาม", alternate: false },
      { name: "สมชาย ซื่อตรง", alternate: false },
    ]);

    const row = await db.selectFrom("reports").selectAll().where("id", "=", first.id).executeTakeFirstOrThrow();
    expect(row.status).toBe("received");
    expect(row).not.toHaveProperty("mode");
    expect(row).not.toHaveProperty("recipient");
    expect(row.wrapped_key).toBe("");
    expect(row.receipt_scheme).toBe(2);
    expect(row.receipt_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.receipt_hash).not.toContain(first.receipt!);
    expect(row.received_at).toBe(first.receivedAt);
    expect(row.reporter_pub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // One wrapped key per person on the list at filing (two officers and a decoy in the alternate's place).
    expect(await db.selectFrom("report_keys").select("id").where("report_id", "=", first.id).execute()).toHaveLength(3);
    expect(await db.selectFrom("report_attachments").select("id").where("report_id", "=", first.id).execute()).toHaveLength(2);
    // In the file store (FILE_STORE=disk: files under DATA_DIR/reports, owner-only; database: rows of stored_file).
    const stored = await fileStore().list("reports/");
    expect(stored).toHaveLength(2);
    const store = fileStore();
    if (store instanceof LocalDiskFileStore) for (const f of stored) expect(fs.statSync(store.pathOf(f.key)).mode & 0o777).toBe(0o600);

    await sql`pragma wal_checkpoint(passive)`.execute(db);
    expectAbsent([PHRASE, REPORTER, CONTACT, first.receipt!, formatReceipt(first.receipt!), "SecretCam", "หลักฐาน.jpg", "contract.pdf"]);
  });

  it("finds the report and its key by the receipt, and nothing for a wrong one", async () => {
    const t0 = performance.now();
    const found = await findReportByReceipt(db, formatReceipt(first.receipt!));
    const ms = performance.now() - t0;
    expect(found?.report.id).toBe(first.id);
    expect(found?.key).toBeInstanceOf(Buffer);
    expect(ms).toBeLessThan(1500);
    firstKey = found!.key!;
    // The key opens the submission: the reporter can recompute the digest of the proof of filing.
    const text = await reporterSubmissionText(db, first.id, firstKey);
    expect(text).toContain(PHRASE);
    expect(sha256Hex(text)).toBe(first.digest);
    expect((await findReportByReceipt(db, first.receipt!))?.report.id).toBe(first.id);
    const wrong = first.receipt!.slice(0, 15) + ((Number(first.receipt!.slice(15)) + 1) % 10);
    expect(await findReportByReceipt(db, wrong)).toBeNull();
    expect(await findReportByReceipt(db, "not a receipt")).toBeNull();
    expect(await findReportByReceipt(db, undefined)).toBeNull();
  });

  it("a re-post of the same form returns the same report without a receipt", async () => {
    const again = await createReport(db, {
      mode: "confidential",
      recipient: "integrity",
      fields: fields(),
      uploads: [],
      submissionKey: firstSubmission,
    });
    expect(again).toMatchObject({
      id: first.id,
      publicId: first.publicId,
      duplicate: true,
      receipt: null,
      digest: first.digest,
      recipients: [],
    });
    expect(await db.selectFrom("reports").select("id").execute()).toHaveLength(1);
    expect(await db.selectFrom("report_keys").select("id").execute()).toHaveLength(3);
  });

  it("drops identity fields in anonymous mode and refuses empty or oversized text", async () => {
    const anon = await createReport(db, {
      mode: "anonymous",
      recipient: "integrity",
      fields: fields({ whatHappened: "เรื่องที่สอง" }),
      uploads: [],
      submissionKey: key(),
    });
    const d = await casework.decryptReport(db, as.integ1, anon.id);
    expect(d.mode).toBe("anonymous");
    expect(d.fields.reporterName).toBeUndefined();
    expect(d.fields.reporterContact).toBeUndefined();
    expect(d.digestVerified).toBe(true);
    await expect(
      createReport(db, {
        mode: "anonymous",
        recipient: "integrity",
        fields: fields({ whatHappened: "   " }),
        uploads: [],
        submissionKey: key(),
      }),
    ).rejects.toBeInstanceOf(ReportInputError);
    await expect(
      createReport(db, {
        mode: "anonymous",
        recipient: "integrity",
        fields: fields({ whatHappened: "x".repeat(10_001) }),
        uploads: [],
        submissionKey: key(),
      }),
    ).rejects.toBeInstanceOf(ReportInputError);
    await expect(
      createReport(db, {
        mode: "anonymous",
        recipient: "integrity",
        fields: fields(),
        uploads: [{ bytes: Buffer.from("MZ not allowed"), name: "a.exe", mime: "x", keptOriginal: false }],
        submissionKey: key(),
      }),
    ).rejects.toBeInstanceOf(UploadRejectedError);
    expect(await db.selectFrom("reports").select("id").execute()).toHaveLength(2);
  });

  it("notifies the recipients in the next batch, without any content", async () => {
    // Filing only marks people to be told: no report, no time, no mail yet.
    expect(await outboxMessages("report.new")).toEqual([]);
    expect(await pendingNotices()).toEqual(sorted([staff.integ1.id, staff.integ2.id]));
    expect(await columnsOf("report_notices_pending")).toEqual(["staff_id", "kind"]);
    const batch = await flushReportChannel(db);
    expect(batch.notices).toBe(2);
    expect(await pendingNotices()).toEqual([]);
    const messages = await outboxMessages("report.new");
    // Two reports, one e-mail per person: to the integrity officers only, not to the alternate recipient.
    expect(messages.map((m) => m.to).sort()).toEqual(["integ1@wangluek.go.th", "integ2@wangluek.go.th"]);
    for (const m of messages) {
      const all = m.subject + m.text + m.html;
      for (const s of [PHRASE, REPORTER, CONTACT, first.receipt!, first.publicId, "ช่างรับเหมา"]) expect(all).not.toContain(s);
      expect(m.text).toContain("http://localhost:3998/staff/integrity");
    }
    for (const who of ["admin", "exec", "officer", "super", "intake", "alt"])
      expect(messages.some((m) => m.to.startsWith(who))).toBe(false);
    // The outbox rows say nothing about which report either.
    const rows = await db.selectFrom("outbox").select(["dedupe_key", "complaint_id"]).where("kind", "=", "report.new").execute();
    for (const r of rows) {
      expect(r.complaint_id).toBeNull();
      // A random key: nothing that points to a report.
      expect(r.dedupe_key).toMatch(/^report-notice:[0-9a-f]{24}$/);
    }
  });
});

describe("who sees a report", () => {
  it("its recipients open it; the alternate and every other role get not found / forbidden", async () => {
    for (const who of ["integ1", "integ2"]) {
      expect((await casework.openHeldReport(db, as[who], first.id)).id).toBe(first.id);
      expect((await casework.openHeldReport(db, as[who], first.publicId)).id).toBe(first.id);
    }
    // The alternate recipient is not a recipient of an ordinary report.
    await expect(casework.openHeldReport(db, as.alt, first.id)).rejects.toBeInstanceOf(ReportNotFoundError);
    await expect(casework.decryptReport(db, as.alt, first.publicId)).rejects.toBeInstanceOf(ReportNotFoundError);
    for (const who of ["admin", "super", "officer", "intake", "exec"]) {
      const a = as[who];
      await expect(casework.openHeldReport(db, a, first.id)).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.decryptReport(db, a, first.id)).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.readReportAttachment(db, a, first.id, 1)).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.addOfficerMessage(db, a, first.id, "x")).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.transitionReport(db, a, first.id, "start_review")).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.setReportTags(db, a, first.id, ["bribery"])).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.exportReport(db, a, first.id)).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(grants.grantReportAccess(db, a, first.id, a.actor.id)).rejects.toBeInstanceOf(ReportNotFoundError);
      await expect(casework.listReportsFor(db, a)).rejects.toBeInstanceOf(ReportForbiddenError);
      // Even with a recipient's unlocked keys in hand, another person is refused.
      await expect(casework.openHeldReport(db, { actor: a.actor, keys: as.integ1.keys }, first.id)).rejects.toBeInstanceOf(
        ReportNotFoundError,
      );
    }
    // A role claimed by the caller is re-checked against the database.
    await expect(
      casework.openHeldReport(db, { actor: { id: staff.admin.id, role: "integrity" }, keys: as.admin.keys }, first.id),
    ).rejects.toBeInstanceOf(ReportNotFoundError);
    await expect(casework.openHeldReport(db, as.integ1, 99999)).rejects.toBeInstanceOf(ReportNotFoundError);
    await expect(casework.openHeldReport(db, as.integ1, "../etc")).rejects.toBeInstanceOf(ReportNotFoundError);
    const counts = await reportCounts(db);
    expect(counts.total).toBe(2);
    expect(counts.byStatus.received).toBe(2);
  });

  it("a report naming an integrity officer goes to the others and the alternate, never to the named officer", async () => {
    await flushReportChannel(db);
    const before = (await outboxMessages("report.new")).length;
    const r = await createReport(db, {
      mode: "anonymous",
      recipient: "integrity",
      fields: fields({ involvedName: "นาย สมชาย  ซื่อตรง", whatHappened: "เรียกรับเงิน" }),
      uploads: [],
      submissionKey: key(),
    });
    expect(r.recipients.map((p) => p.name).sort()).toEqual(["ประเสริฐ ตรวจสอบดี", "วิภา ใจงาม"]);
    // Still one row per person on the list: the database does not say who is missing.
    expect(await db.selectFrom("report_keys").select("id").where("report_id", "=", r.id).execute()).toHaveLength(3);
    expect((await casework.openHeldReport(db, as.alt, r.id)).id).toBe(r.id);
    expect((await casework.openHeldReport(db, as.integ2, r.id)).id).toBe(r.id);
    await expect(casework.openHeldReport(db, as.integ1, r.id)).rejects.toBeInstanceOf(ReportNotFoundError);
    expect((await casework.listReportsFor(db, as.integ1)).items.map((i) => i.id)).not.toContain(r.id);
    expect((await casework.listReportsFor(db, as.alt)).items.map((i) => i.id)).toEqual([r.id]);
    const d = await casework.decryptReport(db, as.alt, r.id);
    expect(d.excluded).toEqual([{ id: staff.integ1.id, reason: "named", name: "สมชาย ซื่อตรง" }]);
    expect(d.holders.map((h) => [h.id, h.alternate, h.via])).toEqual(
      expect.arrayContaining([
        [staff.integ2.id, false, "filing"],
        [staff.alt.id, true, "filing"],
      ]),
    );
    expect(d.holders).toHaveLength(2);
    // Told in the next batch: the alternate and the other officer, not the named one.
    expect(await pendingNotices()).toEqual(sorted([staff.integ2.id, staff.alt.id]));
    await flushReportChannel(db);
    expect(
      (await outboxMessages("report.new"))
        .slice(before)
        .map((m) => m.to)
        .sort(),
    ).toEqual(["alt@wangluek.go.th", "integ2@wangluek.go.th"]);
  });

  it("follows the reporter's exclusions and choice of the alternate; naming someone who is not a recipient changes nothing", async () => {
    // The executive is not on the list of recipients: naming them changes nobody's access.
    const e = await createReport(db, {
      mode: "anonymous",
      recipient: "integrity",
      fields: fields({ involvedName: "มานพ ผู้นำ" }),
      uploads: [],
      submissionKey: key(),
    });
    expect(e.recipients.map((p) => p.name).sort()).toEqual(["วิภา ใจงาม", "สมชาย ซื่อตรง"]);
    expect((await casework.decryptReport(db, as.integ1, e.id)).excluded).toEqual([]);

    // Asking for the alternate while naming the alternate: the officers receive it instead.
    const a = await createReport(db, {
      mode: "anonymous",
      recipient: "alternate",
      fields: fields({ involvedName: "ประเสริฐ ตรวจสอบดี" }),
      uploads: [],
      submissionKey: key(),
    });
    expect(a.recipients.map((p) => p.name).sort()).toEqual(["วิภา ใจงาม", "สมชาย ซื่อตรง"]);
    await expect(casework.openHeldReport(db, as.alt, a.id)).rejects.toBeInstanceOf(ReportNotFoundError);
    expect((await casework.openHeldReport(db, as.integ1, a.id)).id).toBe(a.id);

    // Asking for the alternate: only the alternate.
    const chosen = await createReport(db, {
      mode: "anonymous",
      recipient: "alternate",
      fields: fields(),
      uploads: [],
      submissionKey: key(),
    });
    expect(chosen.recipients).toEqual([{ name: "ประเสริฐ ตรวจสอบดี", alternate: true }]);
    expect((await casework.decryptReport(db, as.alt, chosen.id)).requestedRecipient).toBe("alternate");
    await expect(casework.openHeldReport(db, as.integ2, chosen.id)).rejects.toBeInstanceOf(ReportNotFoundError);
    await expect(casework.openHeldReport(db, as.integ1, chosen.id)).rejects.toBeInstanceOf(ReportNotFoundError);

    // The reporter excludes an officer: the other officer and the alternate receive it.
    const x = await createReport(db, {
      mode: "anonymous",
      recipient: "integrity",
      excluded: [staff.integ2.id],
      fields: fields(),
      uploads: [],
      submissionKey: key(),
    });
    expect(x.recipients.map((p) => p.name).sort()).toEqual(["ประเสริฐ ตรวจสอบดี", "สมชาย ซื่อตรง"]);
    await expect(casework.openHeldReport(db, as.integ2, x.id)).rejects.toBeInstanceOf(ReportNotFoundError);
    expect((await casework.decryptReport(db, as.integ1, x.id)).excluded).toEqual([
      { id: staff.integ2.id, reason: "reporter", name: "วิภา ใจงาม" },
    ]);
    await flushReportChannel(db);
  });

  it("a disabled integrity officer sees nothing", async () => {
    await db.updateTable("staff").set({ active: 0 }).where("id", "=", staff.integ2.id).execute();
    await expect(casework.openHeldReport(db, as.integ2, first.id)).rejects.toBeInstanceOf(ReportNotFoundError);
    await expect(casework.listReportsFor(db, as.integ2)).rejects.toBeInstanceOf(ReportForbiddenError);
    await db.updateTable("staff").set({ active: 1 }).where("id", "=", staff.integ2.id).execute();
    expect((await casework.openHeldReport(db, as.integ2, first.id)).id).toBe(first.id);
  });
});

describe("working on a report", () => {
  it("opens the content, the photo without metadata and the PDF (neutral file names)", async () => {
    const d = await casework.decryptReport(db, as.integ1, first.publicId);
    expect(d.fields.whatHappened).toContain(PHRASE);
    expect(d.fields.reporterName).toBe(REPORTER);
    expect(d.mode).toBe("confidential");
    expect(d.digestVerified).toBe(true);
    expect(d.receivedAt).toBe(first.receivedAt);
    expect(d.attachments.map((a) => [a.name, a.mime, a.keptOriginal])).toEqual([
      ["evidence-1.jpg", "image/jpeg", false],
      ["evidence-2.pdf", "application/pdf", false],
    ]);
    expect(d.attachments[1].size).toBe(PDF.length);
    const photo = await casework.readReportAttachment(db, as.integ1, first.id, d.attachments[0].id);
    const meta = await sharp(photo.bytes).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.exif).toBeUndefined();
    expect(photo.bytes.includes(Buffer.from("Spy"))).toBe(false);
    const pdf = await casework.readReportAttachment(db, as.integ1, first.id, d.attachments[1].id);
    expect(pdf.bytes.equals(PDF)).toBe(true);
    expect(pdf.name).toBe("evidence-2.pdf");
    await expect(casework.readReportAttachment(db, as.integ1, first.id, 99999)).rejects.toBeInstanceOf(ReportNotFoundError);
  });

  it("keeps an original photo (and file names) only when the reporter chose to", async () => {
    const photo = await jpegWithGps();
    const upload = await prepareReportUpload(photo, "original.jpg", { keepOriginal: true });
    expect(upload.keptOriginal).toBe(true);
    const r = await createReport(db, {
      mode: "anonymous",
      recipient: "integrity",
      fields: fields({ whatHappened: "ภาพต้นฉบับ" }),
      uploads: [upload],
      keepFileNames: true,
      submissionKey: key(),
    });
    const d = await casework.decryptReport(db, as.integ1, r.id);
    expect(d.attachments[0]).toMatchObject({ keptOriginal: true, name: "original.jpg" });
    const back = await casework.readReportAttachment(db, as.integ1, r.id, d.attachments[0].id);
    expect(back.bytes.equals(photo)).toBe(true);
    await flushReportChannel(db);
  });

  it("carries messages both ways (officers named only inside the envelopes; reporter times by day)", async () => {
    expect(await columnsOf("report_messages")).not.toContain("staff_id");
    expect(await columnsOf("report_messages")).not.toContain("read_at");
    await casework.addOfficerMessage(db, as.integ2, first.id, `กรุณาส่งเอกสารเพิ่ม ${OFFICER_PHRASE}`);
    const view = await reporterView(db, first.id, firstKey);
    expect(view.publicStage).toBe("received");
    expect(view.readable).toBe(true);
    expect(view.messages).toEqual([
      { author: "officer", text: `กรุณาส่งเอกสารเพิ่ม ${OFFICER_PHRASE}`, at: expect.any(String), attachments: 0 },
    ]);
    expect(view.attachmentsCount).toBe(2);
    expect(JSON.stringify(view)).not.toContain("วิภา");
    // The reporter has seen it: read or not, never when.
    expect((await db.selectFrom("report_messages").select("seen").where("report_id", "=", first.id).execute()).map((m) => m.seen)).toEqual([
      1,
    ]);

    const photo = await jpegWithGps();
    await addReporterMessage(db, { reportId: first.id, key: firstKey }, `นี่คือข้อมูลเพิ่มเติม ${MESSAGE_PHRASE}`, [
      { bytes: photo, name: "more.jpg", mime: "image/jpeg", keptOriginal: false },
    ]);
    await expect(addReporterMessage(db, { reportId: first.id, key: firstKey }, "   ", [])).rejects.toBeInstanceOf(ReportInputError);
    await expect(addReporterMessage(db, { reportId: first.id, key: null }, "ไม่มีกุญแจ", [])).rejects.toBeInstanceOf(ReportInputError);
    const after = await reporterView(db, first.id, firstKey);
    expect(after.messages.map((m) => m.author)).toEqual(["officer", "reporter"]);
    expect(after.messages[1]).toMatchObject({ text: `นี่คือข้อมูลเพิ่มเติม ${MESSAGE_PHRASE}`, attachments: 1 });
    expect(after.messages[1].at).toMatch(DAY);
    expect(after.attachmentsCount).toBe(3);
    // Without the key (e.g. a wrong one) nothing opens.
    await expect(reporterView(db, first.id, crypto.randomBytes(32))).rejects.toThrow();

    const listBefore = await casework.listReportsFor(db, as.integ1, { status: "all" });
    expect(listBefore.items.find((i) => i.id === first.id)?.unread).toBe(1);
    const d = await casework.decryptReport(db, as.integ1, first.id);
    expect(d.messages.map((m) => [m.author, m.staffName])).toEqual([
      ["officer", "วิภา ใจงาม"],
      ["reporter", null],
    ]);
    expect(d.attachments).toHaveLength(3);
    expect(d.attachments[2].messageId).toBe(d.messages[1].id);
    expect(d.attachments[2].name).toBe("evidence-1.jpg");
    const listAfter = await casework.listReportsFor(db, as.integ1, { status: "all" });
    expect(listAfter.items.find((i) => i.id === first.id)?.unread).toBe(0);

    // The holders are told in the next batch; the e-mail says nothing.
    expect(await pendingNotices()).toEqual(sorted([staff.integ1.id, staff.integ2.id]));
    await flushReportChannel(db);
    const updates = await outboxMessages("report.update");
    expect(updates.map((u) => u.to).sort()).toEqual(["integ1@wangluek.go.th", "integ2@wangluek.go.th"]);
    for (const u of updates) expect(JSON.stringify(u)).not.toContain(MESSAGE_PHRASE);
  });

  it("changes status along the allowed paths only, with encrypted notes", async () => {
    expect(await columnsOf("report_events")).not.toContain("staff_id");
    await expect(casework.transitionReport(db, as.integ1, first.id, "close")).rejects.toBeInstanceOf(InvalidReportTransitionError);
    await expect(casework.transitionReport(db, as.integ1, first.id, "conclude", { finding: "substantiated" })).rejects.toBeInstanceOf(
      InvalidReportTransitionError,
    );
    expect(await casework.transitionReport(db, as.integ1, first.id, "start_review", { note: "ตรวจข้อเท็จจริง NOTE-SECRET-1" })).toEqual({
      status: "preliminary_review",
    });
    expect((await reporterView(db, first.id, firstKey)).publicStage).toBe("under_review");
    expect(await casework.transitionReport(db, as.integ2, first.id, "start_investigation")).toEqual({ status: "investigation" });
    await expect(casework.transitionReport(db, as.integ1, first.id, "conclude", {})).rejects.toBeInstanceOf(InvalidReportTransitionError);
    await expect(casework.transitionReport(db, as.integ1, first.id, "refer", { referredTo: "court" })).rejects.toBeInstanceOf(
      InvalidReportTransitionError,
    );
    expect(await casework.transitionReport(db, as.integ1, first.id, "conclude", { finding: "substantiated", note: "มีมูล" })).toEqual({
      status: "concluded",
    });
    expect(await casework.setReportTags(db, as.integ1, first.id, ["bribery", "procurement", "bribery"])).toEqual([
      "bribery",
      "procurement",
    ]);
    await expect(casework.setReportTags(db, as.integ1, first.id, ["gossip"])).rejects.toBeInstanceOf(ReportInputError);
    expect(await casework.transitionReport(db, as.integ1, first.id, "close")).toEqual({ status: "closed" });
    await expect(casework.transitionReport(db, as.integ1, first.id, "start_review")).rejects.toBeInstanceOf(InvalidReportTransitionError);
    await expect(addReporterMessage(db, { reportId: first.id, key: firstKey }, "ยังมีอีก", [])).rejects.toBeInstanceOf(ReportInputError);

    const d = await casework.decryptReport(db, as.integ1, first.id);
    expect(d.status).toBe("closed");
    expect(d.finding).toBe("substantiated");
    expect(d.tags).toEqual(["bribery", "procurement"]);
    expect(d.events.map((e) => e.to)).toEqual(["received", "preliminary_review", "investigation", "concluded", "closed"]);
    expect(d.events[0].staffName).toBeNull();
    expect(d.events[1]).toMatchObject({ note: "ตรวจข้อเท็จจริง NOTE-SECRET-1", staffName: "สมชาย ซื่อตรง" });
    expect(d.events[2].staffName).toBe("วิภา ใจงาม");
    expect(d.events[3]).toMatchObject({ note: "มีมูล", finding: "substantiated" });
    const view = await reporterView(db, first.id, firstKey);
    expect(view.publicStage).toBe("closed");

    const exported = await casework.exportReport(db, as.integ1, first.id);
    expect(exported.fileName).toBe(`${first.publicId}.json`);
    expect(exported.json).toContain(PHRASE);
  });

  it("audits every read and write inside the report's sealed trail; nothing about the report in clear; the chain verifies", async () => {
    await flushReportChannel(db);
    const d = await casework.decryptReport(db, as.integ2, first.id);
    const trail = new Set(d.audit.map((a) => a.action));
    for (const a of [
      "report.create",
      "report.view",
      "report.download",
      "report.export",
      "report.status",
      "report.message",
      "report.tag",
      "reporter.message",
    ]) {
      expect(trail, a).toContain(a);
    }
    expect(d.audit.find((a) => a.action === "report.create")).toMatchObject({ role: "reporter", staffName: null });
    expect(d.audit.find((a) => a.action === "report.create")!.at).toMatch(DAY);
    expect(d.audit.find((a) => a.action === "report.message")).toMatchObject({ role: "integrity", staffName: "วิภา ใจงาม" });

    const entries = await db.selectFrom("audit_log").selectAll().orderBy("id").execute();
    const actions = new Set(entries.map((e) => e.action));
    expect(actions).toContain(REPORT_ACTIVITY);
    expect(actions).toContain("report.denied");
    for (const a of ["report.create", "report.view", "report.status", "report.message", "reporter.message"])
      expect(actions, a).not.toContain(a);
    for (const e of entries.filter((x) => x.target_type === "report")) {
      expect(e.action).toBe(REPORT_ACTIVITY);
      expect(e.actor_id).toBeNull();
      expect(Object.keys(JSON.parse(e.details))).toEqual(["sealed"]);
      expect(JSON.stringify(e)).not.toContain(first.publicId);
    }
    const text = JSON.stringify(entries);
    for (const s of [
      PHRASE,
      REPORTER,
      CONTACT,
      MESSAGE_PHRASE,
      OFFICER_PHRASE,
      "NOTE-SECRET-1",
      "ช่างรับเหมา",
      "สมชาย",
      "substantiated",
      "procurement",
    ]) {
      expect(text).not.toContain(s);
    }
    const v = await verifyAuditChain(db);
    expect(v).toEqual({ ok: true, checked: entries.length });
  });

  it("still leaves no content in the database, WAL or files", async () => {
    await sql`pragma wal_checkpoint(passive)`.execute(db);
    expectAbsent([
      PHRASE,
      REPORTER,
      CONTACT,
      MESSAGE_PHRASE,
      OFFICER_PHRASE,
      "NOTE-SECRET-1",
      first.receipt!,
      formatReceipt(first.receipt!),
      "SecretCam",
      "ช่างรับเหมา ก",
      "original.jpg",
    ]);
    expect((await sql`pragma foreign_key_check`.execute(db)).rows).toEqual([]);
  });
});

describe("retention", () => {
  it("purges closed reports after the retention period (every key copy destroyed), keeping the statistics", async () => {
    const before = await reportCounts(db);
    expect((await purgeClosedReports(db)).purged).toBe(0);
    const fileCount = (await fileStore().list("reports/")).length;
    const later = new Date(Date.now() + 6 * 365.25 * 24 * 3600_000);
    expect(await purgeClosedReports(db, later)).toEqual({ purged: 1 });
    expect(await fileStore().list("reports/")).toHaveLength(fileCount - 3);

    const row = await db.selectFrom("reports").selectAll().where("id", "=", first.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: "closed",
      finding: "substantiated",
      envelope: "",
      wrapped_key: "",
      holders: "",
      reporter_pub: null,
      reporter_enc: null,
      reporter_wrapped: null,
      submission_key_hash: null,
    });
    expect(row.purged_at).not.toBeNull();
    expect(row.received_at).toBe(first.receivedAt);
    expect(await db.selectFrom("report_keys").select("id").where("report_id", "=", first.id).execute()).toEqual([]);
    expect(await db.selectFrom("report_messages").select("id").where("report_id", "=", first.id).execute()).toEqual([]);
    expect(await db.selectFrom("report_attachments").select("id").where("report_id", "=", first.id).execute()).toEqual([]);
    expect(await db.selectFrom("report_tags").select("tag").where("report_id", "=", first.id).orderBy("tag").execute()).toEqual([
      { tag: "bribery" },
      { tag: "procurement" },
    ]);
    const events = await db.selectFrom("report_events").select(["to_status", "note_envelope"]).where("report_id", "=", first.id).execute();
    expect(events.map((e) => e.to_status)).toEqual(["received", "preliminary_review", "investigation", "concluded", "closed"]);
    expect(events.every((e) => e.note_envelope === null)).toBe(true);

    expect(await findReportByReceipt(db, first.receipt!)).toBeNull();
    for (const who of ["integ1", "integ2"])
      await expect(casework.openHeldReport(db, as[who], first.id)).rejects.toBeInstanceOf(ReportNotFoundError);
    expect((await casework.listReportsFor(db, as.integ1, { status: "all" })).items.map((i) => i.id)).not.toContain(first.id);
    await expect(reporterView(db, first.id, firstKey)).rejects.toBeInstanceOf(ReportNotFoundError);
    expect(await reportCounts(db)).toEqual(before);
    expect((await purgeClosedReports(db, later)).purged).toBe(0);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
