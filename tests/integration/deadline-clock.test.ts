/**
 * The deadline clock against a real SQLite file: policy resolution (organisation / channel / category), holidays from
 * the seed, due and acknowledgement dates and the acknowledgement notice at creation, pause on request_info, resume on
 * info_received, stop on forward, a new period on reopen, and the queue's "paused" state. Time is fixed with the
 * clock offset so every date is known.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-deadline-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3998";
delete process.env.DATABASE_URL;

const { getDb } = await import("~/utils/db.server");
const { setClockOffsetForTests } = await import("~/utils/clock.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedOrganisation, seedHolidays } = await import("../../db/seed");
const complaints = await import("~/models/complaints/filing.server");
const handling = await import("~/models/complaints/handling.server");
const sla = await import("~/models/deadlines/policy-admin.server");
const { casePolicies } = await import("~/models/deadlines");
const policyOf = async (key: { channel: string; categoryCode: string }) => (await casePolicies(db)).of(key);
const queue = await import("~/models/complaints/queue.server");
const staffModel = await import("~/models/staff/staff.server");

const db = getDb();
const end = (day: string) => `${day}T16:59:59.999Z`;
/** Sets the portal clock to an instant. */
const setNow = (iso: string) => setClockOffsetForTests(new Date(iso).getTime() - Date.now());
/** The clock keeps running after setNow: compare instants to the second. */
const sec = (iso: string | null) => (iso ? iso.slice(0, 19) : iso);
let admin: Awaited<ReturnType<typeof staffModel.getStaffById>>;

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
  expect(await seedHolidays(db)).toBeGreaterThan(100);
  expect(await seedHolidays(db)).toBe(0); // idempotent
  const { id } = await staffModel.createStaff(db, {
    email: "adm@t.th",
    name: "Adm",
    role: "admin",
    divisionId: null,
    password: "correct-horse-battery",
  });
  admin = await staffModel.getStaffById(db, id);
});

afterAll(async () => {
  setClockOffsetForTests(0);
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function input(o: { channel?: "web" | "phone"; category?: string; email?: string; lang?: "th" | "en" } = {}) {
  return {
    category: o.category ?? "road",
    subject: "ถนนเป็นหลุม",
    details: "หลุมลึกมาก",
    village: 3,
    landmark: "",
    latitude: undefined,
    longitude: undefined,
    contactName: undefined,
    contactPhone: undefined,
    contactEmail: o.email,
    contactAddress: undefined,
    preferredContact: "none" as const,
    channel: o.channel ?? ("web" as const),
    lang: o.lang ?? ("th" as const),
    submissionKey: crypto.randomBytes(32).toString("base64url"),
    recordedBy: null,
    uploadIds: [],
  };
}

const row = (id: number) => db.selectFrom("complaints").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const act = (complaintId: number, action: Parameters<typeof handling.applyCaseAction>[1]["action"], extra: Record<string, string> = {}) =>
  handling.applyCaseAction(db, { complaintId, actor: admin!, action, note: "n", ...extra });

describe("policies", () => {
  it("organisation policy from the org profile until an org row exists; category overrides channel", async () => {
    const p0 = await policyOf({ channel: "web", categoryCode: "road" });
    expect(p0).toMatchObject({ resolveDays: 15, ackDays: 1, dueSoonDays: 3 });
    expect(p0.holidays.has("2024-07-20")).toBe(true);

    await sla.setPolicy(db, { scope: "org", scopeKey: "", resolveDays: 15, ackDays: 1, dueSoonDays: 3, mode: "working" });
    await sla.setPolicy(db, { scope: "channel", scopeKey: "phone", resolveDays: 10, ackDays: 2, dueSoonDays: 2, mode: "calendar" });
    await sla.setPolicy(db, { scope: "category", scopeKey: "waste", resolveDays: 7, ackDays: 1, dueSoonDays: 1, mode: "calendar" });
    expect(await policyOf({ channel: "web", categoryCode: "road" })).toMatchObject({ resolveDays: 15, mode: "working" });
    expect(await policyOf({ channel: "phone", categoryCode: "road" })).toMatchObject({ resolveDays: 10, ackDays: 2, mode: "calendar" });
    expect(await policyOf({ channel: "phone", categoryCode: "waste" })).toMatchObject({ resolveDays: 7, mode: "calendar" });
    const profile = await db.selectFrom("org_profile").select(["counting_mode"]).executeTakeFirstOrThrow();
    expect(profile.counting_mode).toBe("working");
  });

  it("holidays: upsert and delete are seen at once (cache invalidated)", async () => {
    expect((await sla.holidaySet(db)).has("2024-07-24")).toBe(false);
    await sla.upsertHoliday(db, { date: "2024-07-24", nameTh: "ทดสอบ", nameEn: "Test", kind: "special" }, admin!.id);
    expect((await sla.holidaySet(db)).has("2024-07-24")).toBe(true);
    expect(await sla.deleteHoliday(db, "2024-07-24")).toBe(true);
    expect((await sla.holidaySet(db)).has("2024-07-24")).toBe(false);
    expect(await sla.deleteHoliday(db, "2024-07-24")).toBe(false);
  });
});

describe("the clock of a case", () => {
  it("creation: working-day due date, acknowledgement due date and the acknowledgement notice", async () => {
    setNow("2024-07-01T02:00:00Z"); // Mon 1 Jul 2024, 09:00 Bangkok
    const c = await complaints.createComplaint(db, input());
    expect(c.dueAt).toBe(end("2024-07-23")); // 15 working days, the Asalha Bucha weekend + Mon 22 substitution skipped
    const r = await row(c.id);
    expect(r.ack_due_at).toBe(end("2024-07-02"));
    expect(r.period_no).toBe(1);
    expect(sec(r.period_started_at)).toBe("2024-07-01T02:00:00");
    expect(r.acknowledged_at).not.toBeNull(); // filed on the website: the confirmation page is the acknowledgement
    const notices = await db.selectFrom("notices").selectAll().where("complaint_id", "=", c.id).execute();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: "acknowledgement", method: "track", lang: "th", expected_at: end("2024-07-23") });
    expect(notices[0].body).toContain(c.reference);
    expect(notices[0].body).toContain("23 กรกฎาคม 2567");
  });

  it("e-mail given: the notice is by e-mail, in the citizen's language; phone intake without e-mail is not yet acknowledged", async () => {
    setNow("2024-07-01T02:00:00Z");
    const c = await complaints.createComplaint(db, input({ email: "a@example.org", lang: "en" }));
    const n = await db.selectFrom("notices").selectAll().where("complaint_id", "=", c.id).executeTakeFirstOrThrow();
    expect(n).toMatchObject({ method: "email", lang: "en" });
    expect(n.body).toContain(c.reference);
    expect(n.body).toMatch(/23 July 2567/);

    const phone = await complaints.createComplaint(db, input({ channel: "phone" }));
    expect(phone.dueAt).toBe(end("2024-07-11")); // channel policy: 10 calendar days
    const pr = await row(phone.id);
    expect(pr.ack_due_at).toBe(end("2024-07-03")); // 2 working days
    expect(pr.acknowledged_at).toBeNull();
    const waste = await complaints.createComplaint(db, input({ channel: "phone", category: "waste" }));
    expect(waste.dueAt).toBe(end("2024-07-08")); // category policy wins: 7 calendar days
  });

  it("pause on request_info, resume on info_received, stop on forward, new period on reopen", async () => {
    setNow("2024-07-01T02:00:00Z");
    const c = await complaints.createComplaint(db, input());
    await act(c.id, "accept");
    await act(c.id, "start");

    setNow("2024-07-10T03:00:00Z"); // Wed 10 Jul
    await act(c.id, "request_info", { note: "ขอภาพถ่ายเพิ่มเติม" });
    let r = await row(c.id);
    expect(sec(r.paused_at)).toBe("2024-07-10T03:00:00");
    expect(r.remaining_days).toBe(8);
    expect(r.due_at).toBe(end("2024-07-23"));

    // The queue shows "paused" (not overdue) even after the old due date, and the overdue filter leaves it out.
    setNow("2024-07-30T03:00:00Z");
    const policies = await casePolicies(db);
    const orgPolicy = policies.org;
    const policyFor = policies.of;
    const q = await queue.listQueue(db, {
      actor: admin!,
      filters: {},
      now: new Date("2024-07-30T03:00:00Z"),
      policy: orgPolicy,
      policyFor,
    });
    expect(q.rows.find((x) => x.id === c.id)?.deadline).toEqual({ state: "paused", daysLeft: 8, daysOverdue: 0 });
    const overdue = await queue.listQueue(db, {
      actor: admin!,
      filters: { deadline: "overdue" },
      now: new Date("2024-07-30T03:00:00Z"),
      policy: orgPolicy,
      policyFor,
    });
    expect(overdue.rows.some((x) => x.id === c.id)).toBe(false);

    setNow("2024-07-22T03:00:00Z"); // Mon 22 Jul (substitution day)
    await act(c.id, "info_received");
    r = await row(c.id);
    expect(r.paused_at).toBeNull();
    expect(r.remaining_days).toBeNull();
    expect(r.due_at).toBe(end("2024-08-02")); // 8 working days from the 22nd; Mon 29 (substitution) skipped

    setNow("2024-08-01T03:00:00Z");
    await db.updateTable("complaints").set({ explanation_owed: 1 }).where("id", "=", c.id).execute();
    await act(c.id, "resolve", { resultSummary: "ซ่อมแล้ว" });
    r = await row(c.id);
    expect(sec(r.closed_at)).toBe("2024-08-01T03:00:00");
    expect(r.explanation_owed).toBe(0);

    setNow("2024-08-05T03:00:00Z"); // Mon 5 Aug
    await act(c.id, "reopen");
    r = await row(c.id);
    expect(r.period_no).toBe(2);
    expect(sec(r.period_started_at)).toBe("2024-08-05T03:00:00");
    expect(r.closed_at).toBeNull();
    expect(r.due_at).toBe(end("2024-08-27")); // Mon 12 Aug (the Queen Mother's birthday) skipped

    setNow("2024-08-06T03:00:00Z");
    await act(c.id, "request_info", { note: "ขอข้อมูล" });
    await act(c.id, "forward", { forwardedTo: "กรมทางหลวงชนบท" });
    r = await row(c.id);
    expect(sec(r.closed_at)).toBe("2024-08-06T03:00:00"); // forwarding stops the clock
    expect(r.paused_at).toBeNull();
  });
});
