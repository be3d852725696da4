/**
 * Written notices: template placeholders are checked before saving; a notice is recorded (when, how, by whom),
 * e-mailed in the same transaction when there is an address, and part of the public data /track shows.
 */
import fs from "node:fs";
import type { Actor } from "~/lib/permissions";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-notices-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3999";
// SQLite under DATA_DIR, or a fresh PostgreSQL database when the run is TEST_DATABASE=postgres.
const { testDatabaseUrl } = await import("../helpers/server");
const databaseUrl = await testDatabaseUrl();
if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
else delete process.env.DATABASE_URL;

const { getDb, getSecrets } = await import("~/utils/db.server");
const { decryptText } = await import("~/utils/crypto.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const { createComplaint } = await import("~/models/complaints/filing.server");
const notices = await import("~/models/notices/notices.server");

const db = getDb();
let officerId = 0;
/** The officer of the division that handles road complaints (the cases below), and an administrator for templates. */
let officer: Actor;
let admin: Actor;

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
  const works = (await db.selectFrom("categories").select("division_id").where("code", "=", "road").executeTakeFirstOrThrow()).division_id;
  const row = await db
    .insertInto("staff")
    .values({
      email: "o@wangluek.go.th",
      name: "Officer",
      role: "officer",
      division_id: works,
      password_hash: "x",
      active: 1,
      locked_until: null,
      last_login_at: null,
      created_at: new Date().toISOString(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  officerId = row.id;
  officer = { id: officerId, role: "officer", division_id: works };
  const a = await db
    .insertInto("staff")
    .values({
      email: "a@wangluek.go.th",
      name: "Admin",
      role: "admin",
      division_id: null,
      password_hash: "x",
      active: 1,
      locked_until: null,
      last_login_at: null,
      created_at: new Date().toISOString(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  admin = { id: a.id, role: "admin", division_id: null };
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function newCase(email?: string, lang: "th" | "en" = "th") {
  return createComplaint(db, {
    category: "road",
    subject: "ไฟถนนดับ",
    details: "ไฟถนนดับทั้งซอย",
    village: 2,
    landmark: "",
    contactName: "สมหญิง",
    contactEmail: email,
    preferredContact: email ? "email" : "none",
    channel: "web",
    lang,
    submissionKey: crypto.randomBytes(32).toString("base64url"),
    recordedBy: null,
    uploadIds: [],
  } as any);
}

describe("template placeholders", () => {
  it("accepts the known placeholders and rejects unknown or malformed ones", () => {
    expect(notices.validatePlaceholders("เรื่อง {{reference}} กำหนด {{dueDate}} {{ expectedDate }} {{trackUrl}}")).toEqual([]);
    expect(notices.validatePlaceholders("Hello {{name}}")).toEqual([{ token: "{{name}}", problem: "unknown" }]);
    expect(notices.validatePlaceholders("Due {{dueDate")).toEqual([{ token: "{{", problem: "malformed" }]);
    expect(notices.validatePlaceholders("Due dueDate}}")).toEqual([{ token: "}}", problem: "malformed" }]);
    expect(notices.validatePlaceholders("Ref {reference}")).toEqual([{ token: "{reference}", problem: "malformed" }]);
    expect(notices.validatePlaceholders("{{due-date}}")[0]?.problem).toBe("malformed");
    expect(notices.validatePlaceholders("a set {x} of braces")).toEqual([]);
  });

  it("every default template is valid in both languages", async () => {
    for (const t of await notices.listTemplates(db)) {
      expect(notices.validatePlaceholders(t.subject), `${t.kind}/${t.lang}`).toEqual([]);
      expect(notices.validatePlaceholders(t.body), `${t.kind}/${t.lang}`).toEqual([]);
    }
  });

  it("refuses to save a template with a bad placeholder and saves a good one", async () => {
    await expect(
      notices.saveTemplate(db, { kind: "progress", lang: "th", subject: "เรื่อง {{reference}}", body: "สถานะ {{state}}", actor: admin }),
    ).rejects.toMatchObject({ status: 422, messageKey: "placeholders.unknown", field: "body" });
    expect((await notices.getTemplate(db, "progress", "th")).custom).toBe(false);
    await notices.saveTemplate(db, {
      kind: "progress",
      lang: "th",
      subject: "ความคืบหน้า {{reference}}",
      body: "เรื่อง {{reference}} สถานะ {{status}}",
      actor: admin,
    });
    const t = await notices.getTemplate(db, "progress", "th");
    expect(t).toMatchObject({ custom: true, subject: "ความคืบหน้า {{reference}}" });
    await notices.resetTemplate(db, { kind: "progress", lang: "th", actor: admin });
    expect((await notices.getTemplate(db, "progress", "th")).custom).toBe(false);
  });
});

describe("sending notices", () => {
  it("records the notice, e-mails it in the same transaction and shows it publicly", async () => {
    const c = await newCase("citizen@example.com");
    const before = await db
      .selectFrom("outbox")
      .select("id")
      .where("complaint_id", "=", c.id)
      .where("kind", "=", "notice.progress")
      .execute();
    expect(before).toHaveLength(0);
    const sent = await notices.sendNotice(db, { complaintId: c.id, kind: "progress", actor: officer });
    expect(sent).toMatchObject({ emailed: true, method: "email" });
    const row = await db.selectFrom("notices").selectAll().where("id", "=", sent.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: "progress", method: "email", staff_id: officerId, lang: "th" });
    expect(row.body).toContain(c.reference);
    expect(row.body).not.toMatch(/\{\{/);
    const mail = await db.selectFrom("outbox").selectAll().where("complaint_id", "=", c.id).where("kind", "=", "notice.progress").execute();
    expect(mail).toHaveLength(1);
    const message = JSON.parse(decryptText(mail[0]!.payload!, getSecrets().outboxKey, "outbox"));
    expect(message.to).toBe("citizen@example.com");
    expect(message.subject).toContain(c.reference);
    expect(message.text).toContain(c.reference);
    const pub = await notices.listPublicNotices(db, c.id);
    expect(pub.some((n) => n.id === sent.id && n.kind === "progress" && n.body === row.body)).toBe(true);
    expect(Object.keys(pub[0]!)).not.toContain("staff_id");
  });

  it("without an e-mail address the notice is recorded for /track (or a posted letter) and nothing is queued", async () => {
    const c = await newCase(undefined);
    const a = await notices.sendNotice(db, { complaintId: c.id, kind: "progress", actor: officer, text: "ขณะนี้อยู่ระหว่างซ่อม {{reference}}" });
    expect(a).toMatchObject({ emailed: false, method: "track" });
    const b = await notices.sendNotice(db, {
      complaintId: c.id,
      kind: "progress",
      actor: officer,
      method: "letter",
      text: "จะส่งหนังสือทางไปรษณีย์",
    });
    expect(b).toMatchObject({ emailed: false, method: "letter" });
    expect(
      await db.selectFrom("outbox").select("id").where("complaint_id", "=", c.id).where("kind", "like", "notice.%").execute(),
    ).toHaveLength(0);
    const pub = await notices.listPublicNotices(db, c.id);
    expect(pub.find((n) => n.id === a.id)?.body).toBe(`ขณะนี้อยู่ระหว่างซ่อม ${c.reference}`);
  });

  it("an explanation needs a future expected date, fills {{expectedDate}} and clears explanation owed", async () => {
    const c = await newCase("late@example.com", "en");
    await db.updateTable("complaints").set({ explanation_owed: 1 }).where("id", "=", c.id).execute();
    await expect(notices.sendNotice(db, { complaintId: c.id, kind: "explanation", actor: officer })).rejects.toMatchObject({
      status: 422,
      field: "expectedAt",
    });
    await expect(
      notices.sendNotice(db, { complaintId: c.id, kind: "explanation", actor: officer, expectedAt: new Date(Date.now() - 86_400_000) }),
    ).rejects.toMatchObject({ status: 422, messageKey: "errors.expectedPast" });
    await expect(
      notices.sendNotice(db, {
        complaintId: c.id,
        kind: "explanation",
        actor: officer,
        expectedAt: new Date(Date.now() + 86_400_000),
        text: "By {{when}}",
      }),
    ).rejects.toMatchObject({ status: 422, messageKey: "placeholders.unknown" });
    expect(
      (await db.selectFrom("complaints").select("explanation_owed").where("id", "=", c.id).executeTakeFirstOrThrow()).explanation_owed,
    ).toBe(1);

    const cc = await db.selectFrom("complaints").selectAll().where("id", "=", c.id).executeTakeFirstOrThrow();
    const pre = await notices.prefillNotice(db, cc, "explanation");
    expect(pre.lang).toBe("en");
    expect(pre.body).toContain("{{expectedDate}}");
    expect(pre.body).toContain(c.reference);
    const expected = notices.parseExpectedDate(new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10))!;
    const sent = await notices.sendNotice(db, {
      complaintId: c.id,
      kind: "explanation",
      actor: officer,
      expectedAt: expected,
      text: pre.body,
    });
    expect(sent.emailed).toBe(true);
    const after = await db.selectFrom("complaints").selectAll().where("id", "=", c.id).executeTakeFirstOrThrow();
    expect(after.explanation_owed).toBe(0);
    expect(after.expected_at).toBe(expected.toISOString());
    const pub = await notices.listPublicNotices(db, c.id);
    const n = pub.find((x) => x.id === sent.id)!;
    expect(n.kind).toBe("explanation");
    expect(n.expectedAt).toBe(expected.toISOString());
    expect(n.body).not.toContain("{{");
    expect(n.body).toMatch(/\d{4}/); // the date was filled in
  });

  it("parses expected dates strictly", () => {
    expect(notices.parseExpectedDate("2026-02-30")).toBeNull();
    expect(notices.parseExpectedDate("tomorrow")).toBeNull();
    expect(notices.parseExpectedDate("2026-02-28")!.toISOString()).toBe("2026-02-28T16:59:59.999Z");
  });
});
