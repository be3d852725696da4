/**
 * Staff-side domain functions against a real SQLite file (or PostgreSQL database, TEST_DATABASE=postgres): case actions and their history, outbox notices,
 * internal notes, the queue's filters, login throttling and session expiry.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCaseReference } from "~/lib/complaint-reference";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-staff-"));
process.env.DATA_DIR = dataDir;
// SQLite under DATA_DIR, or a fresh PostgreSQL database when the run is TEST_DATABASE=postgres.
const { testDatabaseUrl } = await import("../helpers/server");
const databaseUrl = await testDatabaseUrl();
if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
else delete process.env.DATABASE_URL;

type Mods = {
  db: import("../../db/connection").DB;
  handling: typeof import("~/models/complaints/handling.server");
  queue: typeof import("~/models/complaints/queue.server");
  staff: typeof import("~/models/staff/staff.server");
  session: typeof import("~/utils/session.server");
  clock: typeof import("~/utils/clock.server");
  complaint: typeof import("~/models/complaints/filing.server");
};
let m: Mods;
let ids: { admin: number; works1: number; works2: number; health: number; intake: number; exec: number };
let div: { works: number; health: number };
let catId: number;

async function insertCase(o: { subject: string; division: number | null; due: Date; email?: string; status?: string }) {
  const at = m.clock.now().toISOString();
  const seq = Math.floor(Math.random() * 1e9) + 1;
  const row = await m.db
    .insertInto("complaints")
    .values({
      // The canonical form the portal writes (a search by reference normalises to it).
      reference: formatCaseReference(2570, seq),
      fiscal_year: 2570,
      seq,
      submission_key_hash: null,
      tracking_hash: "0".repeat(64),
      channel: "web",
      category_id: catId,
      subject: o.subject,
      details: "details",
      village_id: null,
      landmark: "",
      latitude: null,
      longitude: null,
      contact_name: "",
      contact_phone: "",
      contact_email: o.email ?? "",
      contact_address: "",
      preferred_contact: o.email ? "email" : "none",
      lang: "th",
      status: o.status ?? "received",
      division_id: o.division,
      assignee_id: null,
      received_at: at,
      due_at: o.due.toISOString(),
      accepted_at: null,
      closed_at: null,
      result_summary: "",
      forwarded_to: "",
      recorded_by: null,
      created_at: at,
      updated_at: at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

const actorOf = async (id: number) => (await m.staff.getStaffById(m.db, id))!;
const DAY = 24 * 3600_000;

beforeAll(async () => {
  const { migrateToLatest } = await import("../../db/connection");
  const { seedOrganisation } = await import("../../db/seed");
  const { getDb } = await import("~/utils/db.server");
  m = {
    db: getDb(),
    handling: await import("~/models/complaints/handling.server"),
    queue: await import("~/models/complaints/queue.server"),
    staff: await import("~/models/staff/staff.server"),
    session: await import("~/utils/session.server"),
    clock: await import("~/utils/clock.server"),
    complaint: await import("~/models/complaints/filing.server"),
  };
  await migrateToLatest(m.db);
  await seedOrganisation(m.db);
  const divs = await m.db.selectFrom("divisions").select(["id", "code"]).execute();
  div = { works: divs.find((d) => d.code === "works")!.id, health: divs.find((d) => d.code === "health")!.id };
  catId = (await m.db.selectFrom("categories").select("id").executeTakeFirstOrThrow()).id;
  const mk = (email: string, role: "admin" | "officer" | "intake" | "executive", divisionId: number | null) =>
    m.staff.createStaff(m.db, { email, name: email, role, divisionId, password: "correct-horse-battery" }).then((s) => s.id);
  ids = {
    admin: await mk("admin@t.th", "admin", null),
    works1: await mk("w1@t.th", "officer", div.works),
    works2: await mk("w2@t.th", "officer", div.works),
    health: await mk("h1@t.th", "officer", div.health),
    intake: await mk("in@t.th", "intake", null),
    exec: await mk("ex@t.th", "executive", null),
  };
});

afterAll(async () => {
  m?.clock.setClockOffsetForTests(0);
  await m?.db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("case actions", () => {
  it("walks the state machine, writing a history row per change, and refuses invalid transitions", async () => {
    const officer = await actorOf(ids.works1);
    const id = await insertCase({ subject: "pothole", division: div.works, due: new Date(Date.now() + 10 * DAY) });
    await expect(
      m.handling.applyCaseAction(m.db, { complaintId: id, actor: officer, action: "resolve", resultSummary: "x" }),
    ).rejects.toMatchObject({
      status: 409,
      messageKey: "caseErrors.invalidTransition",
    });
    const r1 = await m.handling.applyCaseAction(m.db, { complaintId: id, actor: officer, action: "accept" });
    expect(r1).toMatchObject({ from: "received", to: "accepted" });
    await m.handling.applyCaseAction(m.db, { complaintId: id, actor: officer, action: "start", note: "on our way" });
    await expect(m.handling.applyCaseAction(m.db, { complaintId: id, actor: officer, action: "resolve" })).rejects.toMatchObject({
      status: 422,
    });
    await m.handling.applyCaseAction(m.db, { complaintId: id, actor: officer, action: "resolve", resultSummary: "fixed" });
    const c = await m.db.selectFrom("complaints").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(c.status).toBe("resolved");
    expect(c.accepted_at).not.toBeNull();
    expect(c.closed_at).not.toBeNull();
    expect(c.result_summary).toBe("fixed");
    const events = await m.db.selectFrom("case_events").selectAll().where("complaint_id", "=", id).orderBy("id").execute();
    expect(events.map((e) => [e.kind, e.from_status, e.to_status, e.actor_id])).toEqual([
      ["status", "received", "accepted", ids.works1],
      ["status", "accepted", "in_progress", ids.works1],
      ["status", "in_progress", "resolved", ids.works1],
    ]);
    // Officers may not reopen; admins may, which clears closed_at and sets a new due date.
    await expect(m.handling.applyCaseAction(m.db, { complaintId: id, actor: officer, action: "reopen" })).rejects.toMatchObject({
      status: 403,
    });
    await m.handling.applyCaseAction(m.db, { complaintId: id, actor: await actorOf(ids.admin), action: "reopen", note: "again" });
    const reopened = await m.db.selectFrom("complaints").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(reopened.status).toBe("in_progress");
    expect(reopened.closed_at).toBeNull();
    expect(reopened.due_at > c.due_at || reopened.due_at !== c.due_at).toBe(true);
  });

  it("hides other divisions' cases from officers and refuses executives", async () => {
    const id = await insertCase({ subject: "clinic", division: div.health, due: new Date(Date.now() + 10 * DAY) });
    await expect(m.handling.addInternalNote(m.db, { complaintId: id, actor: await actorOf(ids.works1), text: "x" })).rejects.toMatchObject({
      status: 404,
    });
    await expect(m.handling.addInternalNote(m.db, { complaintId: id, actor: await actorOf(ids.exec), text: "x" })).rejects.toMatchObject({
      status: 403,
    });
    await expect(
      m.handling.applyCaseAction(m.db, { complaintId: id, actor: await actorOf(ids.intake), action: "accept" }),
    ).resolves.toMatchObject({ to: "accepted" });
    await expect(
      m.handling.applyCaseAction(m.db, { complaintId: id, actor: await actorOf(ids.intake), action: "start" }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("assigns only to active staff of the division; officers only within theirs", async () => {
    const id = await insertCase({ subject: "assign me", division: div.works, due: new Date(Date.now() + 10 * DAY) });
    const officer = await actorOf(ids.works1);
    await m.handling.assignCase(m.db, { complaintId: id, actor: officer, assigneeId: ids.works2 });
    expect((await m.db.selectFrom("complaints").select("assignee_id").where("id", "=", id).executeTakeFirstOrThrow()).assignee_id).toBe(
      ids.works2,
    );
    await expect(m.handling.assignCase(m.db, { complaintId: id, actor: officer, assigneeId: ids.health })).rejects.toMatchObject({
      status: 422,
    });
    await expect(
      m.handling.assignCase(m.db, { complaintId: id, actor: officer, divisionId: div.health, assigneeId: ids.health }),
    ).rejects.toMatchObject({ status: 403 });
    await m.handling.assignCase(m.db, {
      complaintId: id,
      actor: await actorOf(ids.intake),
      divisionId: div.health,
      assigneeId: ids.health,
    });
    const c = await m.db.selectFrom("complaints").select(["division_id", "assignee_id"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(c).toEqual({ division_id: div.health, assignee_id: ids.health });
    const ev = await m.db.selectFrom("case_events").selectAll().where("complaint_id", "=", id).where("kind", "=", "assign").execute();
    expect(ev).toHaveLength(2);
    expect(ev.every((e) => e.is_public === 0)).toBe(true);
  });

  it("enqueues a notice e-mail for replies only when the citizen gave an e-mail address; notes stay internal", async () => {
    const admin = await actorOf(ids.admin);
    const withEmail = await insertCase({
      subject: "with email",
      division: div.works,
      due: new Date(Date.now() + 10 * DAY),
      email: "c@example.com",
    });
    const without = await insertCase({ subject: "no email", division: div.works, due: new Date(Date.now() + 10 * DAY) });
    const r1 = await m.handling.addReply(m.db, { complaintId: withEmail, actor: admin, text: "We fix it <tomorrow> & more" });
    const r2 = await m.handling.addReply(m.db, { complaintId: without, actor: admin, text: "We fix it tomorrow" });
    expect(r1.emailed).toBe(true);
    expect(r2.emailed).toBe(false);
    const out1 = await m.db.selectFrom("outbox").selectAll().where("complaint_id", "=", withEmail).execute();
    const out2 = await m.db.selectFrom("outbox").selectAll().where("complaint_id", "=", without).execute();
    expect(out1).toHaveLength(1);
    expect(out1[0].kind).toBe("notice.reply");
    expect(out2).toHaveLength(0);
    // The payload is encrypted at rest; decrypt it to check the officer's words are escaped in HTML.
    const { decryptText } = await import("~/utils/crypto.server");
    const { getSecrets } = await import("~/utils/db.server");
    const msg = JSON.parse(decryptText(out1[0].payload!, getSecrets().outboxKey, "outbox"));
    expect(msg.to).toBe("c@example.com");
    expect(msg.text).toContain("We fix it <tomorrow> & more");
    expect(msg.html).toContain("We fix it &lt;tomorrow&gt; &amp; more");
    expect(msg.html).not.toContain("<tomorrow>");

    await m.handling.addInternalNote(m.db, { complaintId: withEmail, actor: admin, text: "secret staff note" });
    expect(await m.db.selectFrom("outbox").selectAll().where("complaint_id", "=", withEmail).execute()).toHaveLength(1);
    const timeline = await m.complaint.publicTimeline(m.db, withEmail);
    expect(JSON.stringify(timeline)).not.toContain("secret staff note");
    expect(JSON.stringify(timeline)).toContain("We fix it");
    const resolved = await m.handling.applyCaseAction(m.db, {
      complaintId: withEmail,
      actor: admin,
      action: "forward",
      forwardedTo: "Provincial Highways",
    });
    expect(resolved.emailed).toBe(true);
  });
});

describe("queue", () => {
  it("filters by deadline state, restricts officers to their division, and searches", async () => {
    await m.db.deleteFrom("complaints").execute();
    const now = new Date();
    const overdue = await insertCase({
      subject: "broken street light overdue",
      division: div.works,
      due: new Date(now.getTime() - 2 * DAY),
    });
    const soon = await insertCase({ subject: "garbage pickup soon", division: div.works, due: new Date(now.getTime() + 1 * DAY) });
    const later = await insertCase({ subject: "road paint later", division: div.works, due: new Date(now.getTime() + 20 * DAY) });
    const healthCase = await insertCase({ subject: "clinic queue overdue", division: div.health, due: new Date(now.getTime() - 1 * DAY) });
    const closed = await insertCase({
      subject: "done overdue",
      division: div.works,
      due: new Date(now.getTime() - 5 * DAY),
      status: "resolved",
    });
    const admin = await actorOf(ids.admin);
    const officer = await actorOf(ids.works1);
    const policy = { dueSoonDays: 3 };
    const list = async (actor: typeof admin, filters: import("~/models/complaints/queue.server").QueueFilters) =>
      (await m.queue.listQueue(m.db, { actor, filters, now, policy })).rows.map((r) => r.id);

    expect(await list(admin, {})).toEqual([closed, overdue, healthCase, soon, later].filter((x) => x !== closed));
    expect(await list(admin, { deadline: "overdue" })).toEqual([overdue, healthCase]);
    expect(await list(admin, { deadline: "due_soon" })).toEqual([soon]);
    expect(await list(admin, { deadline: "on_track" })).toEqual([later]);
    expect(await list(officer, { deadline: "overdue" })).toEqual([overdue]);
    expect(await list(officer, { status: "all" })).toEqual([closed, overdue, soon, later]);
    expect(await list(officer, { divisionId: div.health })).toEqual([]);
    expect(await list(admin, { q: "street light" })).toEqual([overdue]);
    expect(await list(admin, { q: "pa" })).toEqual([later]);
    const ref = (await m.db.selectFrom("complaints").select("reference").where("id", "=", soon).executeTakeFirstOrThrow()).reference;
    expect(await list(admin, { q: ref })).toEqual([soon]);
    const rows = (await m.queue.listQueue(m.db, { actor: admin, filters: {}, now, policy })).rows;
    expect(rows.find((r) => r.id === overdue)!.deadline.state).toBe("overdue");
    expect(rows.find((r) => r.id === later)!.deadline.state).toBe("on_track");
    // Pagination: LIMIT pageSize+1 tells whether there is a next page.
    const p1 = await m.queue.listQueue(m.db, { actor: admin, filters: { page: 1 }, now, policy, pageSize: 2 });
    const p2 = await m.queue.listQueue(m.db, { actor: admin, filters: { page: 2 }, now, policy, pageSize: 2 });
    expect([p1.hasNext, p2.hasNext, p2.hasPrev]).toEqual([true, false, true]);
    expect([...p1.rows, ...p2.rows].map((r) => r.id)).toEqual([overdue, healthCase, soon, later]);
    await m.db.updateTable("complaints").set({ assignee_id: ids.works1 }).where("id", "=", later).execute();
    expect(await list(officer, { assignee: "me" })).toEqual([later]);
    expect(await list(officer, { assignee: "none" })).toEqual([overdue, soon]);
  });

  it("names each row's category, village and division, including ones another app server added a moment ago", async () => {
    await m.db.deleteFrom("complaints").execute();
    const now = new Date();
    const admin = await actorOf(ids.admin);
    const policy = { dueSoonDays: 3 };
    const village = await m.db.selectFrom("villages").select(["id", "number", "name_th", "name_en"]).executeTakeFirstOrThrow();
    const seeded = await insertCase({ subject: "seeded names", division: div.works, due: new Date(now.getTime() + DAY) });
    await m.db.updateTable("complaints").set({ village_id: village.id }).where("id", "=", seeded).execute();
    const first = (await m.queue.listQueue(m.db, { actor: admin, filters: {}, now, policy })).rows;
    const cat = await m.db
      .selectFrom("categories")
      .select(["code", "name_th", "name_en"])
      .where("id", "=", catId)
      .executeTakeFirstOrThrow();
    expect(first[0]).toMatchObject({
      category_code: cat.code,
      category_th: cat.name_th,
      category_en: cat.name_en,
      village_number: village.number,
      village_th: village.name_th,
      village_en: village.name_en,
    });
    expect(first[0]!.division_en).toBeTruthy();

    // Another app server (its own connection, so this process's cached names are not told) adds a division and a
    // category, with a deadline policy of its own, and a case is filed in them.
    const { openConfiguredDatabase } = await import("../../db/connection");
    const { getEnv } = await import("~/utils/env.server");
    const other = openConfiguredDatabase(getEnv());
    try {
      const division = await other
        .insertInto("divisions")
        .values({ code: "parks", name_th: "กองสวน", name_en: "Parks", sort_order: 99, active: 1 })
        .returning("id")
        .executeTakeFirstOrThrow();
      const category = await other
        .insertInto("categories")
        .values({
          code: "park_bench",
          name_th: "ม้านั่งสวนสาธารณะ",
          name_en: "Park bench",
          division_id: division.id,
          sort_order: 99,
          active: 1,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const fresh = await insertCase({ subject: "new category", division: division.id, due: new Date(now.getTime() + 2 * DAY) });
      await m.db.updateTable("complaints").set({ category_id: category.id }).where("id", "=", fresh).execute();
      // The citizen's tracking page names them too (its summary reads the same kept names).
      const freshRow = await m.db.selectFrom("complaints").selectAll().where("id", "=", fresh).executeTakeFirstOrThrow();
      expect(await m.complaint.publicCaseSummary(m.db, freshRow)).toMatchObject({
        category: { name_th: "ม้านั่งสวนสาธารณะ", name_en: "Park bench" },
        division: { name_th: "กองสวน", name_en: "Parks" },
      });
      // And the queue, for a category added after that.
      const other2 = await other
        .insertInto("categories")
        .values({ code: "park_lamp", name_th: "ไฟสวน", name_en: "Park lamp", division_id: division.id, sort_order: 98, active: 1 })
        .returning("id")
        .executeTakeFirstOrThrow();
      const lamp = await insertCase({ subject: "new lamp", division: division.id, due: new Date(now.getTime() + 3 * DAY) });
      await m.db.updateTable("complaints").set({ category_id: other2.id }).where("id", "=", lamp).execute();
      expect((await m.queue.listQueue(m.db, { actor: admin, filters: {}, now, policy })).rows.find((r) => r.id === lamp)).toMatchObject({
        category_code: "park_lamp",
        category_en: "Park lamp",
        division_en: "Parks",
      });
      const rows = (await m.queue.listQueue(m.db, { actor: admin, filters: {}, now, policy })).rows;
      expect(rows.find((r) => r.id === fresh)).toMatchObject({
        category_code: "park_bench",
        category_th: "ม้านั่งสวนสาธารณะ",
        category_en: "Park bench",
        division_th: "กองสวน",
        division_en: "Parks",
        village_number: null,
      });
      // A case not yet given to a division has no division name.
      await m.db.updateTable("complaints").set({ division_id: null }).where("id", "=", fresh).execute();
      expect((await m.queue.listQueue(m.db, { actor: admin, filters: {}, now, policy })).rows.find((r) => r.id === fresh)).toMatchObject({
        category_code: "park_bench",
        division_th: null,
        division_en: null,
      });
    } finally {
      await other.destroy();
    }
  });
});

describe("login and sessions", () => {
  it("after 5 failures unfamiliar clients wait (growing, capped), a recognised device does not; never tells which part was wrong", async () => {
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await m.staff.verifyLogin(m.db, "w2@t.th", "wrong-password"));
    expect(results.slice(0, 5).every((r) => !r.ok && r.reason === "invalid")).toBe(true);
    expect(results[5]).toMatchObject({ ok: false, reason: "locked" });
    expect((results[5] as { retryAfterSec: number }).retryAfterSec).toBeLessThanOrEqual(30);
    // Even the right password waits from an unfamiliar client…
    expect(await m.staff.verifyLogin(m.db, "w2@t.th", "correct-horse-battery")).toMatchObject({ ok: false, reason: "locked" });
    // …but not from the person's own recognised device.
    expect((await m.staff.verifyLogin(m.db, "w2@t.th", "correct-horse-battery", { knownDevice: true })).ok).toBe(true);
    // The waits grow and are capped.
    expect([4, 5, 6, 7, 30].map((n) => m.staff.loginWaitMs(n))).toEqual([0, 30_000, 60_000, 120_000, 15 * 60_000]);
    for (let i = 0; i < 5; i++) await m.staff.verifyLogin(m.db, "w2@t.th", "wrong-password", { knownDevice: true });
    // Unknown addresses look the same: invalid, then a wait after the same number of tries.
    const unknown = [];
    for (let i = 0; i < 6; i++) unknown.push(await m.staff.verifyLogin(m.db, "nobody@t.th", "x"));
    expect(unknown[0]).toEqual({ ok: false, reason: "invalid" });
    expect(unknown[5]).toMatchObject({ ok: false, reason: "locked" });
    // After the wait the right password works and resets the counter.
    m.clock.setClockOffsetForTests(16 * 60_000);
    const ok = await m.staff.verifyLogin(m.db, "w2@t.th", "correct-horse-battery");
    m.clock.setClockOffsetForTests(0);
    expect(ok.ok).toBe(true);
    expect((await actorOf(ids.works2)).failed_logins).toBe(0);
  });

  it("sessions expire after 30 idle minutes and end when the account is disabled", async () => {
    const token = await m.session.createSessionRecord(m.db, ids.works1);
    const stored = await m.db.selectFrom("staff_sessions").select("id").execute();
    expect(stored.some((s) => s.id === token)).toBe(false); // only the hash is stored
    expect((await m.session.lookupSession(m.db, token))?.id).toBe(ids.works1);
    m.clock.setClockOffsetForTests(20 * 60_000);
    expect((await m.session.lookupSession(m.db, token))?.id).toBe(ids.works1); // refreshes last_seen_at
    m.clock.setClockOffsetForTests(45 * 60_000);
    expect((await m.session.lookupSession(m.db, token))?.id).toBe(ids.works1); // 25 idle minutes
    m.clock.setClockOffsetForTests(80 * 60_000);
    expect(await m.session.lookupSession(m.db, token)).toBeNull(); // 35 idle minutes
    m.clock.setClockOffsetForTests(0);

    const t2 = await m.session.createSessionRecord(m.db, ids.works1);
    expect(await m.staff.disableStaff(m.db, "w1@t.th")).toBe(true);
    expect(await m.session.lookupSession(m.db, t2)).toBeNull();
    expect(await m.db.selectFrom("staff_sessions").selectAll().where("staff_id", "=", ids.works1).execute()).toHaveLength(0);
  });

  it("sessions end 12 hours after login even when active", async () => {
    const token = await m.session.createSessionRecord(m.db, ids.admin);
    for (let minutes = 25; minutes < 12 * 60; minutes += 25) {
      m.clock.setClockOffsetForTests(minutes * 60_000);
      expect(await m.session.lookupSession(m.db, token)).not.toBeNull();
    }
    m.clock.setClockOffsetForTests(12 * 60 * 60_000 + 60_000);
    expect(await m.session.lookupSession(m.db, token)).toBeNull();
    m.clock.setClockOffsetForTests(0);
  });
});

describe("lists of colleagues", () => {
  it("are kept while the staff directory version read with the session is unchanged; every change to who works here bumps it, a sign-in does not", async () => {
    const token = await m.session.createSessionRecord(m.db, ids.admin);
    const version = async () => (await m.session.lookupSessionState(m.db, token))!.directoryVersion;
    const names = async (directoryVersion: number) =>
      (await m.staff.listAssignableStaff(m.db, div.health, { directoryVersion })).map((p) => p.name);
    const v0 = await version();
    const first = await names(v0);
    expect(first).toContain("h1@t.th");

    const added = await m.staff.createStaff(m.db, {
      email: "h2@t.th",
      name: "ประเสริฐ ใจดี",
      role: "officer",
      divisionId: div.health,
      password: "correct-horse-battery",
    });
    const v1 = await version();
    expect(v1).toBeGreaterThan(v0);
    expect(await names(v0)).toEqual(first); // the page that read v0 keeps what it had
    expect(await names(v1)).toContain("ประเสริฐ ใจดี");
    expect(await m.staff.listAssignableStaff(m.db, div.health)).toHaveLength(first.length + 1); // no version: read now

    // A sign-in writes the account's row but changes nobody's name, role, division or standing.
    await m.db.updateTable("staff").set({ last_login_at: new Date().toISOString(), failed_logins: 0 }).where("id", "=", added.id).execute();
    expect(await version()).toBe(v1);

    const changes: [string, () => Promise<unknown>][] = [
      ["name", () => m.db.updateTable("staff").set({ name: "ประเสริฐ ใจงาม" }).where("id", "=", added.id).execute()],
      ["division", () => m.db.updateTable("staff").set({ division_id: div.works }).where("id", "=", added.id).execute()],
      ["role", () => m.db.updateTable("staff").set({ role: "supervisor" }).where("id", "=", added.id).execute()],
      ["standing", () => m.staff.disableStaff(m.db, "h2@t.th")],
      ["removal", () => m.db.deleteFrom("staff").where("id", "=", added.id).execute()],
    ];
    let before = v1;
    for (const [what, change] of changes) {
      await change();
      const after = await version();
      expect(after, what).toBeGreaterThan(before);
      before = after;
    }
    expect(await names(before)).toEqual(first);
  });
});
