/**
 * createComplaint, tracking look-ups, the public timeline and uploads, in-process against a real SQLite file in a
 * temporary data directory.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-complaint-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3999";
// SQLite under DATA_DIR, or a fresh PostgreSQL database when the run is TEST_DATABASE=postgres.
const { testDatabaseUrl } = await import("../helpers/server");
const databaseUrl = await testDatabaseUrl();
if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
else delete process.env.DATABASE_URL;

// App modules read DATA_DIR when first used, so they are imported after it is set.
const { getDb, getSecrets } = await import("~/utils/db.server");
const { decryptText } = await import("~/utils/crypto.server");
const { setClockOffsetForTests, now } = await import("~/utils/clock.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const complaints = await import("~/models/complaints/filing.server");
const uploads = await import("~/models/complaints/attachments.server");
const { fileStore } = await import("~/utils/file-store.server");
const { fiscalYearOf } = await import("~/lib/fiscal-year");
const { parseCaseReference } = await import("~/lib/complaint-reference");

const db = getDb();

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
});

afterAll(async () => {
  setClockOffsetForTests(0);
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const newKey = () => crypto.randomBytes(32).toString("base64url");

function input(overrides: Partial<Parameters<typeof complaints.createComplaint>[1]> = {}) {
  return {
    category: "road",
    subject: "ถนนเป็นหลุมหน้าวัด",
    details: "หลุมลึกมาก รถจักรยานยนต์ล้มแล้วสองคัน",
    village: 3,
    landmark: "หน้าวัด",
    latitude: undefined,
    longitude: undefined,
    contactName: undefined,
    contactPhone: undefined,
    contactEmail: undefined,
    contactAddress: undefined,
    preferredContact: "none" as const,
    channel: "web" as const,
    lang: "th" as const,
    submissionKey: newKey(),
    recordedBy: null,
    uploadIds: [] as string[],
    ...overrides,
  };
}

function dbBytes(): Buffer {
  const file = path.join(dataDir, "sujarit.db");
  const parts = [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f));
  return Buffer.concat(parts);
}

async function jpegWithExif(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: "#cc3333" } })
    .withMetadata({ exif: { IFD0: { Make: "Spy", Model: "SecretCam" } } })
    .jpeg()
    .toBuffer();
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "latin1");

describe("createComplaint", () => {
  it("creates the complaint, its public 'created' event and an encrypted acknowledgement e-mail", async () => {
    const email = "somchai.citizen@example.com";
    const created = await complaints.createComplaint(db, input({ contactEmail: email, preferredContact: "email", contactName: "สมชาย" }));
    expect(created.duplicate).toBe(false);
    expect(created.reference).toMatch(/^\d{4}-\d{6}$/);
    expect(parseCaseReference(created.reference)?.fiscalYear).toBe(fiscalYearOf(now()));
    expect(created.trackingCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    const row = await db.selectFrom("complaints").selectAll().where("id", "=", created.id).executeTakeFirstOrThrow();
    expect(row.status).toBe("received");
    expect(row.channel).toBe("web");
    const category = await db.selectFrom("categories").select("division_id").where("code", "=", "road").executeTakeFirstOrThrow();
    expect(row.division_id).toBe(category.division_id);
    expect(row.due_at).toBe(created.dueAt);
    expect(new Date(row.due_at).getTime()).toBeGreaterThan(new Date(row.received_at).getTime());
    expect(row.tracking_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.submission_key_hash).toMatch(/^[0-9a-f]{64}$/);

    const events = await db.selectFrom("case_events").selectAll().where("complaint_id", "=", created.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: "created", to_status: "received", is_public: 1 });

    const outbox = await db.selectFrom("outbox").selectAll().where("complaint_id", "=", created.id).execute();
    expect(outbox).toHaveLength(1);
    expect(outbox[0].status).toBe("pending");
    expect(outbox[0].payload).not.toContain(email);
    const message = JSON.parse(decryptText(outbox[0].payload!, getSecrets().outboxKey, "outbox"));
    expect(message.to).toBe(email);
    expect(message.subject).toContain(created.reference);
    expect(message.text).toContain(created.trackingCode);
    expect(message.text.indexOf("หนังสือแจ้งการรับเรื่องร้องทุกข์")).toBeLessThan(message.text.indexOf("Notice of receipt"));

    // Neither the e-mail (subject line, body) nor the tracking code is readable in the database file.
    const bytes = dbBytes();
    expect(bytes.includes(Buffer.from(message.subject, "utf8"))).toBe(false);
    expect(bytes.includes(Buffer.from(created.trackingCode, "utf8"))).toBe(false);
    expect(bytes.includes(Buffer.from(created.trackingCode.replace(/-/g, ""), "utf8"))).toBe(false);
    expect(bytes.includes(Buffer.from("Notice of receipt", "utf8"))).toBe(false);
  });

  it("numbers references in sequence within the fiscal year", async () => {
    const a = await complaints.createComplaint(db, input());
    const b = await complaints.createComplaint(db, input({ category: "waste" }));
    const pa = parseCaseReference(a.reference)!;
    const pb = parseCaseReference(b.reference)!;
    expect(pb.fiscalYear).toBe(pa.fiscalYear);
    expect(pb.seq).toBe(pa.seq + 1);
    const counter = await db
      .selectFrom("reference_counters")
      .selectAll()
      .where("fiscal_year", "=", pa.fiscalYear)
      .executeTakeFirstOrThrow();
    expect(counter.last_seq).toBe(pb.seq);
  });

  it("returns the same case and code when the same form is posted twice", async () => {
    const key = newKey();
    const first = await complaints.createComplaint(db, input({ submissionKey: key, contactEmail: "twice@example.com" }));
    const before = await db
      .selectFrom("complaints")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const again = await complaints.createComplaint(db, input({ submissionKey: key, contactEmail: "twice@example.com" }));
    const after = await db
      .selectFrom("complaints")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(again).toMatchObject({ id: first.id, reference: first.reference, trackingCode: first.trackingCode, duplicate: true });
    expect(Number(after.n)).toBe(Number(before.n));
    const outbox = await db.selectFrom("outbox").select("id").where("complaint_id", "=", first.id).execute();
    expect(outbox).toHaveLength(1);
  });

  it("dates a complaint recorded later by staff from when it was received", async () => {
    const receivedAt = new Date(now().getTime() - 70 * 24 * 3600 * 1000);
    const created = await complaints.createComplaint(db, input({ channel: "letter", receivedAt }));
    expect(parseCaseReference(created.reference)?.fiscalYear).toBe(fiscalYearOf(receivedAt));
    expect(created.receivedAt).toBe(receivedAt.toISOString());
    const { computeDueAt } = await import("~/models/deadlines");
    expect(created.dueAt).toBe(computeDueAt(receivedAt, { resolveDays: 15, dueSoonDays: 3, mode: "calendar" }).toISOString());
    const future = await complaints.createComplaint(db, input({ receivedAt: new Date(now().getTime() + 86_400_000) }));
    expect(new Date(future.receivedAt).getTime()).toBeLessThanOrEqual(now().getTime());
  });

  it("refuses an unknown category without writing anything", async () => {
    const before = await db.selectFrom("reference_counters").selectAll().execute();
    await expect(complaints.createComplaint(db, input({ category: "nope" }))).rejects.toBeInstanceOf(complaints.ComplaintInputError);
    expect(await db.selectFrom("reference_counters").selectAll().execute()).toEqual(before);
  });
});

describe("findCaseForTracking", () => {
  it("accepts the right code (in any spelling) and rejects wrong codes and unknown references", async () => {
    const created = await complaints.createComplaint(db, input());
    const found = await complaints.findCaseForTracking(db, created.reference, created.trackingCode);
    expect(found?.id).toBe(created.id);
    const sloppy = created.trackingCode.toLowerCase().replace(/-/g, " ");
    expect((await complaints.findCaseForTracking(db, ` ${created.reference} `, sloppy))?.id).toBe(created.id);

    const wrong = created.trackingCode.startsWith("A") ? "B" + created.trackingCode.slice(1) : "A" + created.trackingCode.slice(1);
    expect(await complaints.findCaseForTracking(db, created.reference, wrong)).toBeNull();
    const { fiscalYear } = parseCaseReference(created.reference)!;
    expect(await complaints.findCaseForTracking(db, `${fiscalYear}-999999`, created.trackingCode)).toBeNull();
    expect(await complaints.findCaseForTracking(db, created.reference, "")).toBeNull();
    expect(await complaints.findCaseForTracking(db, "garbage", "garbage")).toBeNull();
    expect(await complaints.findCaseForTracking(db, undefined, null)).toBeNull();
  });
});

describe("publicTimeline", () => {
  it("shows creation, status stages, division hand-overs and public replies, never internal notes or staff", async () => {
    const created = await complaints.createComplaint(db, input());
    const palad = await db.selectFrom("divisions").select(["id", "name_th"]).where("code", "=", "palad").executeTakeFirstOrThrow();
    const staff = await db
      .insertInto("staff")
      .values({
        email: "officer@example.org",
        name: "Officer Secretname",
        role: "officer",
        division_id: palad.id,
        password_hash: "x",
        active: 1,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const at = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
    await db
      .insertInto("case_events")
      .values([
        {
          complaint_id: created.id,
          kind: "status",
          from_status: "received",
          to_status: "accepted",
          actor_id: staff.id,
          note: "",
          is_public: 1,
          division_id: null,
          assignee_id: null,
          created_at: at(1),
        },
        {
          complaint_id: created.id,
          kind: "note",
          from_status: null,
          to_status: null,
          actor_id: staff.id,
          note: "INTERNAL: neighbour dispute",
          is_public: 0,
          division_id: null,
          assignee_id: null,
          created_at: at(2),
        },
        {
          complaint_id: created.id,
          kind: "assign",
          from_status: null,
          to_status: null,
          actor_id: staff.id,
          note: "",
          is_public: 0,
          division_id: palad.id,
          assignee_id: staff.id,
          created_at: at(3),
        },
        {
          complaint_id: created.id,
          kind: "assign",
          from_status: null,
          to_status: null,
          actor_id: staff.id,
          note: "",
          is_public: 0,
          division_id: null,
          assignee_id: staff.id,
          created_at: at(4),
        },
        {
          complaint_id: created.id,
          kind: "reply",
          from_status: null,
          to_status: null,
          actor_id: staff.id,
          note: "We will fix it on Monday.",
          is_public: 1,
          division_id: null,
          assignee_id: null,
          created_at: at(5),
        },
        {
          complaint_id: created.id,
          kind: "status",
          from_status: "accepted",
          to_status: "resolved",
          actor_id: staff.id,
          note: "internal closing remark",
          is_public: 0,
          division_id: null,
          assignee_id: null,
          created_at: at(6),
        },
      ])
      .execute();
    const timeline = await complaints.publicTimeline(db, created.id);
    expect(timeline.map((e) => e.kind)).toEqual(["created", "status", "assign", "reply", "status"]);
    expect(timeline[1]).toMatchObject({ status: "accepted", stage: "in_progress" });
    expect(timeline[2]).toMatchObject({ division: { name_th: palad.name_th } });
    expect(timeline[3]).toMatchObject({ note: "We will fix it on Monday." });
    expect(timeline[4]).toMatchObject({ status: "resolved", stage: "done", note: "" });
    const text = JSON.stringify(timeline);
    expect(text).not.toContain("INTERNAL");
    expect(text).not.toContain("Secretname");
    expect(text).not.toContain("internal closing remark");
  });
});

describe("uploads", () => {
  it("re-encodes a photo without its EXIF data and attaches it to the complaint", async () => {
    const original = await jpegWithExif();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    expect(original.includes(Buffer.from("SecretCam"))).toBe(true);

    const id = await uploads.storeUpload({ name: "IMG_0001.JPG", data: original }, db);
    expect(uploads.isPendingUploadId(id)).toBe(true);
    const pending = await db.selectFrom("pending_uploads").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(pending.mime).toBe("image/jpeg");
    const stored = (await fileStore().get(uploads.attachmentKey(pending.sha256)))!;
    const meta = await sharp(stored).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.exif).toBeUndefined();
    expect(stored.includes(Buffer.from("SecretCam"))).toBe(false);
    expect(stored.includes(Buffer.from("Exif"))).toBe(false);
    expect(crypto.createHash("sha256").update(stored).digest("hex")).toBe(pending.sha256);

    const created = await complaints.createComplaint(db, input({ uploadIds: [id] }));
    const attachments = await db.selectFrom("attachments").selectAll().where("complaint_id", "=", created.id).execute();
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ sha256: pending.sha256, mime: "image/jpeg", original_name: "IMG_0001.jpg" });
    expect(await db.selectFrom("pending_uploads").select("id").where("id", "=", id).executeTakeFirst()).toBeUndefined();
  });

  it("refuses a text file named .jpg and a broken image with a real signature", async () => {
    await expect(uploads.storeUpload({ name: "x.jpg", data: Buffer.from("just some text, not a photo\n") }, db)).rejects.toMatchObject({
      messageKey: "complaint:errors.fileType",
    });
    const fakePng = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from("<script>alert(1)</script>"),
    ]);
    await expect(uploads.storeUpload({ name: "y.png", data: fakePng }, db)).rejects.toMatchObject({
      messageKey: "complaint:errors.fileBroken",
    });
    await expect(uploads.storeUpload({ name: "z.html", data: Buffer.from("<html><body>hi</body></html>") }, db)).rejects.toBeInstanceOf(
      uploads.UploadRejectedError,
    );
    await expect(uploads.storeUpload({ name: "empty.pdf", data: Buffer.alloc(0) }, db)).rejects.toBeInstanceOf(uploads.UploadRejectedError);
  });

  it("keeps a PDF byte for byte", async () => {
    const id = await uploads.storeUpload({ name: "letter.pdf", data: PDF }, db);
    const pending = await db.selectFrom("pending_uploads").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(pending.mime).toBe("application/pdf");
    expect((await fileStore().get(uploads.attachmentKey(pending.sha256)))?.equals(PDF)).toBe(true);
  });

  it("resolves kept upload ids and cleans up old pending uploads", async () => {
    const id = await uploads.storeUpload({ name: "kept.pdf", data: Buffer.concat([PDF, Buffer.from("% kept\n%%EOF\n")]) }, db);
    const kept = await uploads.resolveKeptUploads(db, [id, id, "not-an-id", "A".repeat(22)]);
    expect(kept.found.map((f) => f.id)).toEqual([id]);
    expect(kept.missing).toBe(2);

    const pending = await db.selectFrom("pending_uploads").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const file = uploads.attachmentKey(pending.sha256);
    expect(await fileStore().exists(file)).toBe(true);
    setClockOffsetForTests(25 * 3600 * 1000);
    try {
      expect((await uploads.resolveKeptUploads(db, [id])).found).toHaveLength(0);
      expect(await uploads.cleanupPendingUploads(db)).toBeGreaterThanOrEqual(1);
    } finally {
      setClockOffsetForTests(0);
    }
    expect(await db.selectFrom("pending_uploads").select("id").where("id", "=", id).executeTakeFirst()).toBeUndefined();
    expect(await fileStore().exists(file)).toBe(false);
    // Files that belong to a complaint stay.
    const attached = await db.selectFrom("attachments").select("sha256").executeTakeFirstOrThrow();
    expect(await fileStore().exists(uploads.attachmentKey(attached.sha256))).toBe(true);
  });
});
