/**
 * Who can reach corruption reports, black-box against the real server:
 * - integrity officers sign in with password + TOTP (driving the real first-login setup page) and can list, open,
 *   download, export and act on a report;
 * - admin, supervisor, officer, intake and executive accounts, and anonymous visitors, get 403/404 (anonymous: a
 *   redirect to the login page) on every /staff/integrity* page and action, except the settings page and the audit
 *   log for admins; no response to them carries report content, and nothing they post changes anything;
 * - a report naming an integrity officer goes to the alternate recipient too, never to the named officer, who cannot
 *   open it (no wrapped key) nor learn of it from the queue, the audit page or the database's links;
 * - `npm run audit -- verify` accepts the chain after the flow and refuses it after one row is edited in the file.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import SQLite from "better-sqlite3";
import { dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, makeJpeg, type HttpResult } from "../helpers/http";
import {
  createAnyStaff,
  fileReport,
  integrityLogin,
  runAuditCli,
  staffLogin,
  totpAccount,
  type AnyRole,
  type TotpAccount,
} from "../helpers/report";

let server: TestServer;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "access matrix password 2569";
const PHRASE1 = `ฮั้วประมูลรถขยะ-${tag}-MARMOSET`;
const PHRASE2 = `นายกสั่งแก้ทีโออาร์-${tag}-PANGOLIN`;
const REPORTER_NAME = `ผู้แจ้งลับ ${tag}`;
const REPORTER_CONTACT = `reporter-${tag}@example.th`;
const INVOLVED1 = `นายผู้ถูกร้อง ${tag}`;
const QUESTION = `ขอทราบวันที่จ่ายเงินโดยประมาณ ${tag}-QUESTION`;

type General = "admin" | "supervisor" | "officer" | "intake" | "executive";
const GENERAL: General[] = ["admin", "supervisor", "officer", "intake", "executive"];
const users: Record<General | "i1" | "i2", { email: string; name: string; role: AnyRole; division?: string }> = {
  admin: { email: `admin-${tag}@wangluek.go.th`, name: "ผู้ดูแลระบบ", role: "admin" },
  supervisor: { email: `sup-${tag}@wangluek.go.th`, name: "ปลัด อบต.", role: "supervisor" },
  officer: { email: `off-${tag}@wangluek.go.th`, name: "เจ้าหน้าที่กองช่าง", role: "officer", division: "works" },
  intake: { email: `intake-${tag}@wangluek.go.th`, name: "เจ้าหน้าที่รับเรื่อง", role: "intake" },
  executive: { email: `exec-${tag}@wangluek.go.th`, name: "นายก อบต.", role: "executive" },
  // i1: the integrity officer who will be named in a report; i2: the alternate recipient.
  i1: { email: `i1-${tag}@wangluek.go.th`, name: "สมหมาย ตรวจสอบ", role: "integrity" },
  i2: { email: `i2-${tag}@wangluek.go.th`, name: "ประธานกรรมการตรวจสอบ", role: "integrity" },
};
const ids = {} as Record<keyof typeof users, number>;
const clients = {} as Record<General | "i1" | "i2" | "anonymous", HttpClient>;
const totp = {} as Record<"i1" | "i2", TotpAccount>;
let ipSeq = 0;
const newClient = () => new HttpClient(server.url, { ip: `10.50.${(++ipSeq >> 8) & 255}.${ipSeq & 255}` });

let r1 = ""; // public id of the report with content PHRASE1 (recipient: integrity officers)
let r2 = ""; // public id of the report naming i1 (routed to the alternate)
let r1Attachment = 0;

/** Texts that must never reach anyone but an integrity officer who may see the report. */
const content = () => [PHRASE1, PHRASE2, REPORTER_NAME, REPORTER_CONTACT, INVOLVED1, QUESTION];
const leaked = (r: HttpResult) => content().filter((c) => r.text.includes(c));

const csrfFor = (c: HttpClient) => c.cookies.get("csrf") ?? "";

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  for (const [key, u] of Object.entries(users)) {
    await createAnyStaff(server, { ...u, password: PASSWORD });
    const row = await dbGet(server, "select id from staff where email = ?", u.email);
    if (!row) throw new Error(`staff ${u.email} was not created`);
    ids[key as keyof typeof users] = row.id;
  }
  for (const role of GENERAL) clients[role] = await staffLogin(newClient(), users[role].email, PASSWORD);
  clients.anonymous = newClient();
  await clients.anonymous.get("/"); // a CSRF cookie, so that refusals are about access, not about CSRF
  for (const k of ["i1", "i2"] as const) {
    totp[k] = totpAccount(users[k].email, PASSWORD);
    clients[k] = newClient();
    await integrityLogin(clients[k], totp[k]);
  }

  // The admin names i2 as the alternate recipient.
  const admin = clients.admin;
  const settings = await admin.get("/staff/integrity/settings");
  if (settings.status !== 200) throw new Error(`admin GET /staff/integrity/settings gave ${settings.status}`);
  const saved = await admin.postForm("/staff/integrity/settings", {
    csrf: csrfOf(settings),
    alternateStaffId: String(ids.i2),
    alternateLabelTh: "ประธานคณะกรรมการตรวจสอบของสภา",
    alternateLabelEn: "Chair of the council audit committee",
    retentionYears: "5",
    ackDays: "7",
    feedbackDays: "30",
  });
  if (saved.status !== 302) throw new Error(`saving the settings gave ${saved.status}: ${saved.$.text().slice(0, 400)}`);

  await fileReport(
    newClient(),
    {
      mode: "confidential",
      reporterName: REPORTER_NAME,
      reporterContact: REPORTER_CONTACT,
      involvedName: INVOLVED1,
      whatHappened: `มีการ${PHRASE1}ในโครงการจัดซื้อ`,
    },
    [{ filename: "evidence.jpg", type: "image/jpeg", data: await makeJpeg(7) }],
  );
  await fileReport(newClient(), { involvedName: users.i1.name, involvedPosition: "นิติกร", whatHappened: `รายงานเรื่อง ${PHRASE2}` });
  const rows = await dbAll<{ id: number; public_id: string }>(server, "select id, public_id from reports order by id");
  if (rows.length !== 2) throw new Error(`expected 2 reports, found ${rows.length}`);
  r1 = rows[0].public_id;
  r2 = rows[1].public_id;
  r1Attachment = (await dbGet(server, "select id from report_attachments where report_id = ?", rows[0].id))!.id;
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe("an integrity officer", () => {
  it("sees the report in the queue and opens it", async () => {
    const c = clients.i1;
    const queue = await c.get("/staff/integrity");
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(r1);
    expect(queue.text, "the queue shows no content").not.toContain(PHRASE1);
    const page = await c.get(`/staff/integrity/reports/${r1}`);
    expect(page.status).toBe(200);
    expect(page.$.text()).toContain(PHRASE1);
    expect(page.$.text()).toContain(REPORTER_NAME);
    expect(page.headers.get("cache-control") ?? "").toContain("no-store");
  });

  it("asks a question, tags the report, starts the review, downloads the evidence and exports the report", async () => {
    const c = clients.i1;
    const url = `/staff/integrity/reports/${r1}`;
    const page = await c.get(url);
    const csrf = csrfOf(page);
    const msg = await c.postForm(url, { csrf, intent: "message", message: QUESTION });
    expect(msg.status, msg.$.text().slice(0, 300)).toBe(302);
    const tags = await c.postForm(url, { csrf, intent: "tags", tags: ["procurement", "bribery"] });
    expect(tags.status, tags.$.text().slice(0, 300)).toBe(302);
    const st = await c.postForm(url, { csrf, intent: "status", action: "start_review", note: "ตรวจสอบเอกสารเบื้องต้น" });
    expect(st.status, st.$.text().slice(0, 300)).toBe(302);
    const after = await c.get(url);
    expect(after.$.text()).toContain(QUESTION);
    const file = await c.get(`${url}/attachments/${r1Attachment}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition") ?? "").toMatch(/^attachment/);
    // The export form (its own resource route …/export, or intent=export on the case page).
    const exportAction = /<form[^>]*action="([^"]*\/export)"/.exec(after.text)?.[1];
    const exp = exportAction ? await c.postForm(exportAction, { csrf }) : await c.postForm(url, { csrf, intent: "export" });
    expect(exp.status).toBe(200);
    expect(exp.text).toContain(PHRASE1);
    const row = await dbGet(server, "select status from reports where public_id = ?", r1);
    expect(row!.status).toBe("preliminary_review");
  });

  it("reads the audit log, but may not change the channel's settings", async () => {
    const c = clients.i1;
    const audit = await c.get("/staff/audit");
    expect(audit.status).toBe(200);
    expect(leaked(audit)).toEqual([]);
    expect([403, 404]).toContain((await c.get("/staff/integrity/settings")).status);
  });
});

describe("every other role and anonymous visitors", () => {
  let before: unknown;
  const snapshot = async () => ({
    report: await dbAll(server, "select id, status, finding, referred_to, holders, updated_at, closed_at from reports order by id"),
    keys: await dbAll(server, "select * from report_keys order by id"),
    messages: await dbAll(server, "select id, report_id, author from report_messages order by id"),
    tags: await dbAll(server, "select * from report_tags order by report_id, tag"),
    events: await dbAll(server, "select id, report_id, to_status from report_events order by id"),
    settings: await dbAll(server, "select * from integrity_settings"),
  });
  beforeAll(async () => {
    before = await snapshot();
  });

  const gets = () => [
    "/staff/integrity",
    "/staff/integrity?status=all",
    `/staff/integrity/reports/${r1}`,
    `/staff/integrity/reports/${r2}`,
    `/staff/integrity/reports/${r1}/attachments/${r1Attachment}`,
    `/staff/integrity/reports/${r1}?intent=export`,
    `/staff/integrity/reports/${r1}/export`,
    "/staff/integrity/settings",
    "/staff/audit",
    `/staff/cases/${r1}`,
  ];
  const posts = (): { path: string; fields: Record<string, string> }[] => [
    { path: `/staff/integrity/reports/${r1}`, fields: { intent: "message", message: `แทรกข้อความ ${tag}` } },
    { path: `/staff/integrity/reports/${r1}`, fields: { intent: "status", action: "close", note: "ปิด" } },
    { path: `/staff/integrity/reports/${r1}`, fields: { intent: "status", action: "conclude", finding: "unsubstantiated", note: "" } },
    { path: `/staff/integrity/reports/${r1}`, fields: { intent: "tags", tags: "other" } },
    { path: `/staff/integrity/reports/${r1}`, fields: { intent: "export" } },
    { path: `/staff/integrity/reports/${r2}`, fields: { intent: "export" } },
    { path: `/staff/integrity/reports/${r1}/export`, fields: {} },
    { path: `/staff/integrity/reports/${r2}/export`, fields: {} },
    {
      path: "/staff/integrity/settings",
      fields: { alternateStaffId: "", alternateLabelTh: "x", alternateLabelEn: "x", retentionYears: "1", ackDays: "1", feedbackDays: "1" },
    },
  ];

  /** admin may read the settings page and the audit log (no content); everything else is refused. */
  const allowed = (who: string, path: string) => who === "admin" && (path === "/staff/integrity/settings" || path === "/staff/audit");

  for (const who of [...GENERAL, "anonymous"] as const) {
    it(`${who}: every report page and action is refused, and no response carries report content`, async () => {
      const c = clients[who];
      const problems: string[] = [];
      const check = (method: string, path: string, r: HttpResult) => {
        const leak = leaked(r);
        if (leak.length) problems.push(`${method} ${path}: content in the response: ${leak.join(", ")}`);
        if (allowed(who, path) && method === "GET") {
          if (r.status !== 200) problems.push(`${method} ${path}: ${r.status}, expected 200`);
          return;
        }
        if (who === "anonymous") {
          const to = r.location ? new URL(r.location).pathname : "";
          if (!(r.status >= 300 && r.status < 400 && to === "/staff/login") && r.status !== 403 && r.status !== 404) {
            problems.push(`${method} ${path}: ${r.status} ${r.location ?? ""}, expected a redirect to /staff/login, 403 or 404`);
          }
        } else if (r.status !== 403 && r.status !== 404) {
          problems.push(`${method} ${path}: ${r.status} ${r.location ?? ""}, expected 403 or 404`);
        }
      };
      for (const p of gets()) check("GET", p, await c.get(p));
      for (const p of posts()) {
        if (allowed(who, p.path)) continue; // the admin's own settings form (used in the set-up above)
        check("POST", p.path, await c.postForm(p.path, { csrf: csrfFor(c), ...p.fields }));
      }
      // Their own pages show at most counts.
      if (who !== "anonymous")
        for (const p of ["/staff", "/staff/admin"]) {
          const r = await c.get(p);
          const leak = leaked(r);
          if (leak.length) problems.push(`GET ${p}: content in the response: ${leak.join(", ")}`);
        }
      expect(problems).toEqual([]);
    });
  }

  it("nothing they posted changed anything", async () => {
    expect(await snapshot()).toEqual(before);
  });
});

describe("conflict of interest", () => {
  it("a report naming an integrity officer goes to the alternate and not to them; the database says neither", async () => {
    const row = await dbGet<{ id: number }>(server, "select id from reports where public_id = ?", r2);
    // One wrapped-key row per person on the list at filing (i1, i2), nothing naming whom a row is for.
    const keys = await dbAll(server, "select * from report_keys where report_id = ?", row!.id);
    expect(keys.length).toBe(2);
    for (const k of keys) expect(Object.keys(k).sort()).toEqual(["enc", "id", "report_id", "tag_pub", "view_tag", "wrapped"]);
    const tables = (await dbAll<{ name: string }>(server, "select name from sqlite_master where type = 'table'")).map((t) => t.name);
    expect(tables).not.toContain("report_exclusions");
    // The alternate's page lists who can read it and who was excluded (sealed, only for them).
    const page = await clients.i2.get(`/staff/integrity/reports/${r2}`);
    expect(page.$.testId("excluded") ?? "").toContain(users.i1.name);
  });

  it("the named officer cannot list, open or act on it (404)", async () => {
    const c = clients.i1;
    const queue = await c.get("/staff/integrity?status=all");
    expect(queue.status).toBe(200);
    expect(queue.text).not.toContain(r2);
    expect(queue.text).not.toContain(PHRASE2);
    const page = await c.get(`/staff/integrity/reports/${r2}`);
    expect(page.status).toBe(404);
    expect(page.text).not.toContain(PHRASE2);
    const csrf = csrfFor(c);
    const attempts: [string, Record<string, string>][] = [
      ["", { intent: "message", message: "x" }],
      ["", { intent: "tags", tags: "other" }],
      ["", { intent: "status", action: "start_review", note: "" }],
      ["/export", {}],
    ];
    for (const [suffix, fields] of attempts) {
      const r = await c.postForm(`/staff/integrity/reports/${r2}${suffix}`, { csrf, ...fields });
      expect(r.status, `${suffix} ${JSON.stringify(fields)}`).toBe(404);
      expect(r.text).not.toContain(PHRASE2);
    }
    const msgs = await dbAll(server, "select id from report_messages where report_id = (select id from reports where public_id = ?)", r2);
    expect(msgs).toEqual([]);
  });

  it("the alternate recipient sees and opens it", async () => {
    const c = clients.i2;
    const queue = await c.get("/staff/integrity");
    expect(queue.text).toContain(r2);
    const page = await c.get(`/staff/integrity/reports/${r2}`);
    expect(page.status).toBe(200);
    expect(page.$.text()).toContain(PHRASE2);
  });
});

describe("audit log", () => {
  it("recorded every view, download, export, change and message — sealed, without content, readable on the report's page only", async () => {
    const rows = await dbAll<{ action: string; details: string; target_id: string | null; actor_id: number | null }>(
      server,
      "select action, target_id, details, actor_id from audit_log order by id",
    );
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ["report.activity", "settings.update", "totp.setup"]) expect(actions, `audit action ${a}`).toContain(a);
    const sealed = rows.filter((r) => r.action === "report.activity");
    for (const r of sealed) {
      expect(r.actor_id).toBeNull();
      expect(Object.keys(JSON.parse(r.details))).toEqual(["sealed"]);
    }
    const all = JSON.stringify(rows);
    expect(content().filter((c) => all.includes(c))).toEqual([]);
    // Report numbers appear only where someone asked for one and was refused (logged the same whether it exists or not).
    const others = JSON.stringify(rows.filter((r) => r.action !== "report.denied"));
    for (const id of [r1, r2]) expect(others).not.toContain(id);
    const denied = rows.filter((r) => r.action === "report.denied").map((r) => JSON.parse(r.details));
    expect(denied.length).toBeGreaterThan(0);
    for (const d of denied) expect(Object.keys(d)).toEqual(["requested"]);
    // The holder reads the trail on the report's page.
    const page = await clients.i1.get(`/staff/integrity/reports/${r1}`);
    const trail = page.$.testId("report-audit") ?? "";
    for (const what of ["ผู้แจ้งส่งเรื่อง", "เปิดอ่านเรื่อง", "ดาวน์โหลดไฟล์หลักฐาน", "ส่งออกเรื่อง", "เปลี่ยนสถานะ", "ส่งข้อความถึงผู้แจ้ง", "กำหนดประเภทเรื่อง"]) {
      expect(trail, what).toContain(what);
    }
  });

  it("the officer's question, like the report, is stored encrypted (not in the database file or its WAL)", () => {
    const found: string[] = [];
    for (const f of [server.dbFile, `${server.dbFile}-wal`]) {
      if (!fs.existsSync(f)) continue;
      const bytes = fs.readFileSync(f);
      for (const c of content()) if (bytes.includes(Buffer.from(c))) found.push(`${f}: ${c}`);
    }
    expect(found).toEqual([]);
  });

  it("`npm run audit -- verify` accepts the chain", async () => {
    const r = await runAuditCli(server, ["verify"]);
    expect(r.code, r.output).toBe(0);
  }, 60_000);

  it("…and refuses it once a single row was edited in the database file", async () => {
    const db = new SQLite(server.dbFile);
    try {
      db.pragma("busy_timeout = 5000");
      const row = db.prepare("select id, details from audit_log where action = 'report.activity' order by id limit 1").get() as {
        id: number;
        details: string;
      };
      expect(row).toBeTruthy();
      const trigger = (
        db.prepare("select sql from sqlite_master where type = 'trigger' and name = 'audit_log_no_update'").get() as
          { sql: string } | undefined
      )?.sql;
      db.exec("drop trigger if exists audit_log_no_update");
      db.prepare("update audit_log set actor_id = ? where id = ?").run(ids.admin, row.id);
      if (trigger) db.exec(trigger);
    } finally {
      db.close();
    }
    const r = await runAuditCli(server, ["verify"]);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/broken/i);
  }, 60_000);
});
