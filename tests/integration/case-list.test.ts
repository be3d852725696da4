/**
 * "Every number links to the list it counts": the public anonymised list /stats/cases and the staff queue
 * with the same parameters, against the production server.
 *
 * The cases are seeded in-process (createComplaint with past receipt dates, the real case actions, then the stored
 * outcomes set directly) in a data folder the server is then started on, so every figure below is known by hand.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-caselist-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3999";
// SQLite under DATA_DIR, or a fresh PostgreSQL database when the run is TEST_DATABASE=postgres.
const { testDatabaseUrl } = await import("../helpers/server");
const databaseUrl = await testDatabaseUrl();
if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
else delete process.env.DATABASE_URL;

const { getDb } = await import("~/utils/db.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const { createComplaint } = await import("~/models/complaints/filing.server");
const { applyCaseAction, assignCase } = await import("~/models/complaints/handling.server");
const { caseListHref } = await import("~/lib/complaint-list-filter");
const { createStaffUser, startServer } = await import("../helpers/server");
const { HttpClient } = await import("../helpers/http");
type TestServer = Awaited<ReturnType<typeof startServer>>;
type Client = InstanceType<typeof HttpClient>;

const db = getDb();
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
let server: TestServer;
let ipSeq = 0;
const client = () => new HttpClient(server.url, { ip: `10.61.0.${++ipSeq}` });

/** Every string a list must never show. */
const SECRETS: string[] = [];
const ref: Record<string, string> = {};
const ids: Record<string, number> = {};
const cat: Record<string, number> = {};
const div: Record<string, number> = {};
const village: Record<number, number> = {};
let admin = { id: 0, role: "admin" as const, division_id: null };
const users = {
  sup: { email: `sup-${tag}@wangluek.go.th`, role: "supervisor" as const, name: `หัวหน้า ${tag}` },
  works: { email: `works-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: `ช่าง ${tag}` },
  health: { email: `health-${tag}@wangluek.go.th`, role: "officer" as const, division: "health", name: `สาธารณสุข ${tag}` },
};

async function seedCase(
  key: string,
  o: { category: string; channel: "web" | "phone" | "letter" | "walk_in" | "line" | "facebook"; village?: number; receivedAt: string },
) {
  const subject = `หัวเรื่องลับ-${key}-${tag}`;
  const details = `รายละเอียดลับ-${key}-${tag}`;
  const landmark = `จุดสังเกตลับ-${key}-${tag}`;
  const name = `ผู้ร้อง-${key}-${tag}`;
  const email = `c-${key}-${tag}@example.th`;
  const phone = `08${String(10_000_000 + Object.keys(ref).length * 7919).slice(0, 8)}`;
  const created = await createComplaint(db, {
    category: o.category,
    subject,
    details,
    village: o.village,
    landmark,
    latitude: 14.123457,
    longitude: 100.987653,
    contactName: name,
    contactPhone: phone,
    contactEmail: email,
    contactAddress: `บ้านเลขที่ลับ-${key}-${tag}`,
    preferredContact: "email",
    channel: o.channel,
    lang: "th",
    submissionKey: crypto.randomBytes(32).toString("base64url"),
    recordedBy: null,
    uploadIds: [],
    receivedAt: new Date(o.receivedAt),
  } as any);
  SECRETS.push(subject, details, landmark, name, email, phone, "14.12345", "100.98765", `บ้านเลขที่ลับ-${key}-${tag}`);
  ref[key] = created.reference;
  ids[key] = created.id;
  return created.id;
}

const act = (key: string, action: string, extra: Record<string, string> = {}) =>
  applyCaseAction(db, { complaintId: ids[key]!, actor: admin, action: action as any, ...extra });

async function outcomes(key: string, sla: "resolved" | "explained" | "late" | null, ack: "on_time" | "late" | null) {
  await db.updateTable("complaints").set({ sla_outcome: sla, ack_outcome: ack }).where("id", "=", ids[key]!).execute();
}

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
  for (const c of await db.selectFrom("categories").select(["id", "code"]).execute()) cat[c.code] = c.id;
  for (const d of await db.selectFrom("divisions").select(["id", "code"]).execute()) div[d.code] = d.id;
  for (const v of await db.selectFrom("villages").select(["id", "number"]).execute()) village[v.number] = v.id;
  const a = await db
    .insertInto("staff")
    .values({
      email: `seed-${tag}@wangluek.go.th`,
      name: `ผู้ดูแล ${tag}`,
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
  const assignee = await db
    .insertInto("staff")
    .values({
      email: `assignee-${tag}@wangluek.go.th`,
      name: `เจ้าหน้าที่ผู้รับผิดชอบ-${tag}`,
      role: "officer",
      division_id: null,
      password_hash: "x",
      active: 1,
      locked_until: null,
      last_login_at: null,
      created_at: new Date().toISOString(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .updateTable("staff")
    .set({
      division_id: (await db.selectFrom("categories").select("division_id").where("code", "=", "road").executeTakeFirstOrThrow())
        .division_id,
    })
    .where("id", "=", assignee.id)
    .execute();
  SECRETS.push(`เจ้าหน้าที่ผู้รับผิดชอบ-${tag}`);

  // FY 2569 = 1 Oct 2025 – 30 Sep 2026 (Bangkok). Times are UTC; Bangkok is UTC+7.
  await seedCase("E", { category: "road", channel: "web", village: 3, receivedAt: "2025-09-30T17:30:00.000Z" }); // 1 Oct 2025 00:30 BKK
  await seedCase("B", { category: "road", channel: "phone", village: 2, receivedAt: "2025-12-31T16:30:00.000Z" }); // 31 Dec 2025 23:30 BKK
  await seedCase("A", { category: "road", channel: "web", village: 1, receivedAt: "2025-12-31T17:30:00.000Z" }); // 1 Jan 2026 00:30 BKK
  await seedCase("C", { category: "waste", channel: "web", village: 1, receivedAt: "2026-01-20T03:00:00.000Z" });
  await seedCase("G", { category: "road", channel: "web", village: 1, receivedAt: "2026-01-25T03:00:00.000Z" });
  await seedCase("D", { category: "road", channel: "letter", receivedAt: "2026-02-10T03:00:00.000Z" });
  // FY 2568, and 52 cases of one category to page through.
  await seedCase("F", { category: "road", channel: "web", village: 1, receivedAt: "2025-03-10T03:00:00.000Z" });
  for (let i = 0; i < 52; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    await seedCase(`T${i}`, {
      category: "trees",
      channel: "walk_in",
      village: 4,
      receivedAt: `2025-0${4 + Math.floor(i / 28)}-${day}T0${i % 10}:00:00.000Z`,
    });
  }

  await assignCase(db, { complaintId: ids.A!, actor: admin, assigneeId: assignee.id });
  await act("A", "accept");
  await act("A", "resolve", { resultSummary: `ผลลับ-${tag}` });
  await act("C", "forward", { forwardedTo: `หน่วยงานลับ-${tag}` });
  await act("D", "accept");
  await act("D", "request_info", { note: `ขอข้อมูลลับ-${tag}` });
  await act("E", "accept");
  await act("G", "accept");
  await act("G", "resolve", { resultSummary: "ok" });
  await act("G", "reopen");
  await act("F", "accept");
  await act("F", "resolve", { resultSummary: "ok" });
  SECRETS.push(`ผลลับ-${tag}`, `หน่วยงานลับ-${tag}`, `ขอข้อมูลลับ-${tag}`);

  await outcomes("A", "resolved", "on_time");
  await outcomes("B", "late", "late");
  await outcomes("C", "resolved", "on_time");
  await outcomes("D", null, "on_time");
  await outcomes("E", "late", "on_time");
  await outcomes("G", "explained", "on_time");
  await outcomes("F", "resolved", "on_time");
  await db
    .insertInto("complaint_topics")
    .values([
      { complaint_id: ids.A!, topic: "bribery" },
      { complaint_id: ids.D!, topic: "procurement" },
    ])
    .execute();
  const iso = new Date().toISOString();
  await db
    .insertInto("case_ratings")
    .values([
      { complaint_id: ids.A!, score: 5, comment: `ความเห็นลับ-${tag}`, created_at: iso, updated_at: iso },
      { complaint_id: ids.C!, score: 2, comment: "", created_at: iso, updated_at: iso },
    ])
    .execute();
  SECRETS.push(`ความเห็นลับ-${tag}`);
  await db.destroy(); // the server owns the file from here on

  server = await startServer({
    env: { DATA_DIR: dataDir, TRUSTED_PROXIES: "127.0.0.1", ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
  });
  for (const u of Object.values(users)) await createStaffUser(server, { ...u, password: PASSWORD });
}, 240_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Every reference of a public list (following its pages), and every page's text. */
async function publicList(search: string, c: Client = client()): Promise<{ refs: string[]; total: number; texts: string[] }> {
  const refs: string[] = [];
  const texts: string[] = [];
  let total = -1;
  let url: string | null = `/stats/cases${search}`;
  for (let i = 0; url && i < 10; i++) {
    const res = await c.get(url);
    expect(res.status, `${url}: ${res.$.text().slice(0, 300)}`).toBe(200);
    texts.push(res.text);
    total = Number(res.$.testIdAttr("caselist-total", "data-total"));
    for (const m of res.text.matchAll(/data-testid="caselist-row" data-reference="([^"]+)"/g)) refs.push(m[1]!);
    const next = /<a [^>]*rel="next"[^>]*href="([^"]+)"|<a [^>]*href="([^"]+)"[^>]*rel="next"/.exec(res.text);
    url = next ? (next[1] ?? next[2])!.replace(/&amp;/g, "&") : null;
  }
  return { refs, total, texts };
}

/** Every reference the staff queue lists for a URL (following its pages). */
async function queueRefs(c: Client, href: string): Promise<string[]> {
  const refs: string[] = [];
  for (let page = 1; page < 20; page++) {
    const res = await c.get(`${href}&page=${page}`);
    expect(res.status, `${href}: ${res.$.text().slice(0, 300)}`).toBe(200);
    const found = [...res.text.matchAll(/data-testid="queue-row"[\s\S]*?href="\/staff\/cases\/([^"]+)"/g)].map((m) => m[1]!);
    refs.push(...found);
    if (!/rel="next"|>ถัดไป →</.test(res.text)) break;
  }
  return refs;
}

async function staffClient(user: keyof typeof users): Promise<Client> {
  const c = client();
  const res = await c.login(users[user].email, PASSWORD);
  expect(res.status).toBeGreaterThanOrEqual(300);
  expect(res.status).toBeLessThan(400);
  return c;
}

const R = (...keys: string[]) => keys.map((k) => ref[k]!);

describe("public list /stats/cases", () => {
  it("lists a fiscal year's general complaints in receipt order, with the total", async () => {
    const y = await publicList("?fy=2569");
    expect(y.refs).toEqual(R("E", "B", "A", "C", "G", "D"));
    expect(y.total).toBe(6);
    const prev = await publicList("?fy=2568&category=" + cat.road);
    expect(prev.refs).toEqual(R("F"));
  });

  it("places cases by their Bangkok day of receipt (UTC+7)", async () => {
    expect((await publicList("?fy=2569&month=2026-01")).refs).toEqual(R("A", "C", "G"));
    expect((await publicList("?fy=2569&month=2025-12")).refs).toEqual(R("B"));
    expect((await publicList("?fy=2569&from=2025-10-01&to=2025-10-01")).refs).toEqual(R("E"));
    expect((await publicList("?fy=2569&from=2026-01-01&to=2026-01-20")).refs).toEqual(R("A", "C"));
  });

  it("narrows by category, channel, division, village, state, deadline and acknowledgement", async () => {
    const cases: [string, string[]][] = [
      [`category=${cat.road}`, R("E", "B", "A", "G", "D")],
      [`category=${cat.waste}`, R("C")],
      ["channel=phone", R("B")],
      ["channel=letter", R("D")],
      [`division=${div.health}`, R("C")],
      ["division=none", []],
      [`village=${village[1]}`, R("A", "C", "G")],
      ["village=none", R("D")],
      ["state=open", R("E", "B", "G", "D")],
      ["state=closed", R("A", "C")],
      ["state=resolved", R("A")],
      ["state=forwarded", R("C")],
      ["state=overdue", R("E", "B")], // D's clock is paused; G was reopened with a new deadline
      ["sla=resolved", R("A", "C")],
      ["sla=explained", R("G")],
      ["sla=late", R("E", "B")],
      ["sla=undecided", R("D")],
      ["ack=late", R("B")],
      ["ack=on_time", R("E", "A", "C", "G", "D")],
      [`month=2026-01&category=${cat.road}&state=closed`, R("A")],
    ];
    for (const [q, want] of cases) {
      const got = await publicList(`?fy=2569&${q}`);
      expect(got.refs, q).toEqual(want);
      expect(got.total, q).toBe(want.length);
      if (want.length === 0) expect(got.texts[0]).toContain('data-testid="caselist-empty"');
    }
  });

  it("never filters the public list by plan topic or by rating (internal classification, one person's answer)", async () => {
    const all = R("E", "B", "A", "C", "G", "D");
    for (const q of [
      "topic=bribery",
      "topic=procurement",
      "rated=any",
      "rated=satisfied",
      `topic=bribery&rated=satisfied&category=${cat.waste}`,
    ]) {
      const got = await publicList(`?fy=2569&${q}`);
      expect(got.refs, q).toEqual(q.includes("category") ? R("C") : all);
      for (const text of got.texts) expect(text, q).not.toMatch(/href="[^"]*(topic|rated)=/);
    }
  });

  it("ignores unknown or malformed parameters instead of failing", async () => {
    expect((await publicList("?fy=2569&category=abc&state=bogus&month=2026-13&channel=fax&topic=other&from=2024-01-01")).refs).toEqual(
      R("E", "B", "A", "C", "G", "D"),
    );
  });

  it("shows only anonymised columns: never subject, details, names, contacts, landmarks, coordinates or staff", async () => {
    const pages = [
      ...(await publicList("?fy=2569")).texts,
      ...(await publicList("?fy=2568")).texts,
      ...(await publicList(`?fy=2569&village=${village[1]}&rated=any`)).texts,
    ];
    expect(pages.length).toBeGreaterThanOrEqual(4);
    for (const text of pages) for (const s of SECRETS) expect(text, s).not.toContain(s);
    const page = await client().get("/stats/cases?fy=2569&month=2026-01");
    const row = /<tr data-testid="caselist-row" data-reference="([^"]+)" data-state="([^"]+)">([\s\S]*?)<\/tr>/.exec(page.text)!;
    expect(row[1]).toBe(ref.A);
    expect(row[2]).toBe("resolved");
    const cells = [...row[3]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ""));
    // reference, received (Buddhist calendar), closed, category, channel, village number, state
    expect(cells).toHaveLength(7);
    expect(cells[0]).toBe(ref.A);
    expect(cells[1]).toBe("1 ม.ค. 2569");
    expect(cells[2]).toMatch(/^\d{1,2} [ก-๙.]+ 25\d\d$/);
    expect(cells[3]).toBe("ถนน/ทางเท้า");
    expect(cells[4]).toBe("เว็บไซต์");
    expect(cells[5]).toBe("1");
    expect(cells[6]).toBe("ดำเนินการแล้วเสร็จ");
    expect(page.text).toContain("<caption>");
    expect(page.text).toContain('scope="col"');
    expect(page.text).not.toContain("บ้านวังลึก"); // the village's name: finer than หมู่ที่ is not shown
  });

  it("describes the filter in words, links back to the statistics and allows English", async () => {
    const page = await client().get(`/stats/cases?fy=2569&month=2026-01&category=${cat.road}&state=resolved`);
    expect(page.$.testId("caselist-filter")).toBe("เรื่องที่รับในเดือนมกราคม 2569 · หมวดถนน/ทางเท้า · ดำเนินการแล้วเสร็จ");
    expect(page.text).toContain('href="/stats?fy=2569"');
    expect(page.headers.get("cache-control")).toBe("private, no-cache");
    const en = client();
    en.cookies.set("lng", "en");
    const pageEn = await en.get(`/stats/cases?fy=2569&month=2026-01&category=${cat.road}&state=resolved`);
    expect(pageEn.$.testId("caselist-filter")).toBe("Received in January 2569 BE · Category: Roads and footpaths · Completed");
    expect(pageEn.text).toContain("1 Jan 2569 BE");
  });

  it("pages 50 rows at a time", async () => {
    const c = client();
    const first = await c.get(`/stats/cases?fy=2568&category=${cat.trees}`);
    expect(first.status).toBe(200);
    expect(first.$.testIdAttr("caselist-total", "data-total")).toBe("52");
    expect([...first.text.matchAll(/data-testid="caselist-row"/g)]).toHaveLength(50);
    const second = await c.get(`/stats/cases?fy=2568&category=${cat.trees}&page=2`);
    expect([...second.text.matchAll(/data-testid="caselist-row"/g)]).toHaveLength(2);
    const all = await publicList(`?fy=2568&category=${cat.trees}`);
    expect(all.refs).toHaveLength(52);
    expect(new Set(all.refs).size).toBe(52);
    const beyond = await c.get(`/stats/cases?fy=2568&category=${cat.trees}&page=3`);
    expect(beyond.status).toBe(404);
  });

  it("answers 400 with a clear message for a missing or invalid fiscal year", async () => {
    for (const q of ["", "?fy=", "?fy=abc", "?fy=2800", "?fy=69", "?month=2026-01", "?fy=2569x"]) {
      const res = await client().get(`/stats/cases${q}`);
      expect(res.status, q).toBe(400);
      expect(res.$.testIdAttr("caselist-error", "data-error"), q).toBe("fy");
      expect(res.$.text()).toContain("กรุณาระบุปีงบประมาณเป็นปี พ.ศ. 4 หลัก");
      expect(res.text).not.toContain('data-testid="caselist-row"');
    }
  });
});

describe("staff queue with the same parameters", () => {
  it("returns the same references as the public list, for supervisors", async () => {
    const sup = await staffClient("sup");
    const filters = [
      { fy: 2569 },
      { fy: 2569, from: "2026-01-01", to: "2026-01-31" },
      { fy: 2569, from: "2026-01-01", to: "2026-01-31", categoryId: cat.road, state: "closed" as const },
      { fy: 2569, categoryId: cat.road },
      { fy: 2569, state: "open" as const },
      { fy: 2569, state: "overdue" as const },
      { fy: 2569, sla: "late" as const },
      { fy: 2569, villageId: "none" as const },
      { fy: 2568, categoryId: cat.trees },
    ];
    for (const f of filters) {
      const pub = await publicList(caseListHref(f, "public").slice("/stats/cases".length));
      const staff = await queueRefs(sup, caseListHref(f, "staff"));
      expect(staff, JSON.stringify(f)).toEqual(pub.refs);
    }
    // topics and ratings narrow the staff queue only
    expect(await queueRefs(sup, caseListHref({ fy: 2569, topic: "bribery" }, "staff"))).toEqual(R("A"));
    expect(await queueRefs(sup, caseListHref({ fy: 2569, topic: "procurement" }, "staff"))).toEqual(R("D"));
    expect(await queueRefs(sup, caseListHref({ fy: 2569, topic: "personnel" }, "staff"))).toEqual([]);
    expect(await queueRefs(sup, caseListHref({ fy: 2569, rated: "any" }, "staff"))).toEqual(R("A", "C"));
    expect(await queueRefs(sup, caseListHref({ fy: 2569, rated: "satisfied" }, "staff"))).toEqual(R("A"));
    expect(caseListHref({ fy: 2569, topic: "bribery", rated: "any" }, "public")).toBe("/stats/cases?fy=2569");
    // month= shorthand works on the queue too
    expect(await queueRefs(sup, `/staff?status=all&fy=2569&month=2026-01&category=${cat.road}&state=closed`)).toEqual(R("A"));
  });

  it("shows the statistics filter as removable conditions", async () => {
    const sup = await staffClient("sup");
    const res = await sup.get(`/staff?status=all&fy=2569&month=2026-01&category=${cat.road}&state=closed`);
    const box = res.$.testId("statistics-filter")!;
    expect(box).toContain("เรื่องที่รับในเดือนมกราคม 2569");
    expect(box).toContain("หมวดถนน/ทางเท้า");
    expect(box).toContain("ดำเนินการแล้วเสร็จหรือส่งต่อ");
    // removing the state condition keeps the others
    const remove = /<span data-key="state" class="badge">[\s\S]*?<a href="([^"]+)"/.exec(res.text)![1]!.replace(/&amp;/g, "&");
    const params = new URL(remove, server.url).searchParams;
    expect(params.get("state")).toBeNull();
    expect(params.get("fy")).toBe("2569");
    expect(params.get("month")).toBe("2026-01");
    expect(await queueRefs(sup, remove)).toEqual(R("A", "G")); // road cases of January, open or closed
    // the filter form carries the criteria it has no field for
    expect(res.text).toMatch(/<input type="hidden" name="fy" value="2569"/);
    expect(res.text).toMatch(/<input type="hidden" name="month" value="2026-01"/);
    // the default queue is unchanged: open cases only, no statistics box
    const plain = await sup.get("/staff");
    expect(plain.status).toBe(200);
    expect(plain.text).not.toContain('data-testid="statistics-filter"');
    expect(await queueRefs(sup, `/staff?q=${ref.B}`)).toEqual(R("B"));
    expect(await queueRefs(sup, `/staff?q=${ref.A}`)).toEqual([]); // resolved: not in the open queue
    expect(await queueRefs(sup, `/staff?status=all&q=${ref.A}`)).toEqual(R("A"));
  });

  it("keeps officers to their own division", async () => {
    const works = await staffClient("works");
    const health = await staffClient("health");
    expect(await queueRefs(works, caseListHref({ fy: 2569 }, "staff"))).toEqual(R("E", "B", "A", "G", "D"));
    expect(await queueRefs(health, caseListHref({ fy: 2569 }, "staff"))).toEqual(R("C"));
    expect(await queueRefs(health, caseListHref({ fy: 2569, divisionId: div.works! }, "staff"))).toEqual([]);
    expect(await queueRefs(works, caseListHref({ fy: 2569, state: "closed" }, "staff"))).toEqual(R("A"));
  });
});
