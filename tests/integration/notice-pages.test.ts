/**
 * Black-box, against the production server with a real SMTP server and a controllable clock (CLOCK_OFFSET_MS on
 * restart): a case passes its deadline while the server is stopped, the in-server ticker escalates it once after the
 * restart (supervisor e-mailed, explanation owed), the officer sends the explanation from the template with a new
 * expected date, the citizen gets it by e-mail and sees it on /track; the board, letter, templates and outbox pages.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, waitUntil, type TestServer } from "../helpers/server";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { HttpClient, csrfOf, fileComplaint, type FiledComplaint } from "../helpers/http";
import { fiscalYearOf } from "~/lib/fiscal-year";

const DAY = 24 * 3600 * 1000;
let server: TestServer;
let smtp: TestSmtp;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const users = {
  admin: { email: `admin-${tag}@wangluek.go.th`, role: "admin" as const, name: "Admin" },
  sup: { email: `sup-${tag}@wangluek.go.th`, role: "supervisor" as const, name: "ปลัด" },
  works: { email: `works-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: "ช่าง" },
};
const env: Record<string, string> = {};
let ipSeq = 0;
let filed: FiledComplaint;
const citizen = `late-${tag}@example.th`;

async function loggedIn(user: keyof typeof users) {
  const c = new HttpClient(server.url, { ip: `10.44.0.${++ipSeq}` });
  const res = await c.login(users[user].email, PASSWORD);
  expect(res.status).toBeLessThan(400);
  return c;
}

beforeAll(async () => {
  smtp = await startSmtp();
  Object.assign(env, { SMTP_URL: smtp.url, TRUSTED_PROXIES: "127.0.0.1" });
  server = await startServer({ env });
  for (const u of Object.values(users)) await createStaffUser(server, { ...u, password: PASSWORD });
  filed = await fileComplaint(new HttpClient(server.url, { ip: "10.44.1.1" }), {
    subject: `ท่อแตก ${tag}`,
    contactEmail: citizen,
    category: "road",
  });
});

afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

describe("the action panel before the deadline", () => {
  it("a brand-new case leads with accepting it and offers no delay-explanation letter", async () => {
    const works = await loggedIn("works");
    const page = await works.get(`/staff/cases/${filed.reference}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('data-testid="form-explanation"');
    expect(page.text).not.toContain('id="f-expl-text"');
    const main = page.text.slice(page.text.indexOf('data-testid="panel-main"'), page.text.indexOf('data-testid="other-actions"'));
    expect(main.indexOf('data-testid="form-accept"')).toBeGreaterThan(0);
    expect(main).not.toContain('data-testid="form-reply"');
    // Every button says what it does: no two alike.
    const buttons = [...page.text.matchAll(/<button type="submit"[^>]*>([^<]*)<\/button>/g)].map((b) => b[1]);
    expect(buttons.length).toBeGreaterThan(3);
    expect(new Set(buttons).size).toBe(buttons.length);
  });
});

describe("deadline passes while the server is down", () => {
  it("escalates once after the restart and marks the explanation owed", async () => {
    env.CLOCK_OFFSET_MS = String(40 * DAY);
    await server.restart();
    const row = await waitUntil(
      async () =>
        (await dbGet(
          server,
          "select id, explanation_owed from complaints where reference = ? and explanation_owed = 1",
          filed.reference,
        )) ?? null,
      "explanation owed",
    );
    await smtp.waitFor((m) => m.to.includes(users.sup.email) && m.subject.includes(filed.reference));
    // Restarting again (same clock) does not escalate again.
    await server.restart();
    await new Promise((r) => setTimeout(r, 2500));
    const esc = await dbAll(server, "select level from escalations where complaint_id = ? order by level", row.id);
    expect(esc.map((e) => e.level)).toEqual(["overdue", "overdue_executive", "unassigned"]);
    const notes = await dbAll(server, "select note from case_events where complaint_id = ? and note like 'escalation:%'", row.id);
    expect(notes).toHaveLength(3);
    expect(smtp.messages.filter((m) => m.to.includes(users.sup.email) && m.subject.includes(filed.reference))).toHaveLength(1);
  });

  it("the officer sends the explanation from the template; the citizen gets it by e-mail and on /track", async () => {
    const works = await loggedIn("works");
    const page = await works.get(`/staff/cases/${filed.reference}`);
    expect(page.status).toBe(200);
    expect(page.$.testId("explanation-owed")).toBeTruthy();
    expect(page.text).toContain('data-testid="form-explanation"');
    const m = page.text.match(/<textarea id="f-expl-text"[^>]*>([\s\S]*?)<\/textarea>/);
    expect(m).toBeTruthy();
    const prefilled = m![1]!
      .replace(/&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&");
    expect(prefilled).toContain(filed.reference);
    expect(prefilled).toContain("{{expectedDate}}");
    const expected = new Date(Date.now() + 50 * DAY + 7 * 3600 * 1000).toISOString().slice(0, 10);
    // A date in the (server's) past is refused.
    const past = await works.postForm(`/staff/cases/${filed.reference}`, {
      csrf: csrfOf(page),
      intent: "explanation",
      text: prefilled,
      expectedAt: "2020-01-01",
      method: "email",
    });
    expect(past.status).toBe(422);
    // The Buddhist-calendar picker: 31 กุมภาพันธ์ does not exist, and a Western year is not a พ.ศ. year.
    const feb31 = await works.postForm(`/staff/cases/${filed.reference}`, {
      csrf: csrfOf(page),
      intent: "explanation",
      text: prefilled,
      expectedAtDay: "31",
      expectedAtMonth: "2",
      expectedAtYear: "2571",
      method: "email",
    });
    expect(feb31.status).toBe(422);
    expect(feb31.$.testId("action-error")).toContain("ไม่มีวันที่นี้ในปฏิทิน");
    const western = await works.postForm(`/staff/cases/${filed.reference}`, {
      csrf: csrfOf(page),
      intent: "explanation",
      text: prefilled,
      expectedAt: "15/01/2028",
      method: "email",
    });
    expect(western.status).toBe(422);
    expect(western.$.testId("action-error")).toContain("พ.ศ.");
    expect(
      await dbGet(
        server,
        "select count(*) as n from notices n join complaints c on c.id = n.complaint_id where c.reference = ? and n.kind = 'explanation'",
        filed.reference,
      ),
    ).toEqual({ n: 0 });
    const res = await works.postForm(`/staff/cases/${filed.reference}`, {
      csrf: csrfOf(page),
      intent: "explanation",
      text: prefilled,
      expectedAt: expected,
      method: "email",
    });
    expect(res.status).toBe(302);
    const c = await dbGet(server, "select id, explanation_owed, expected_at from complaints where reference = ?", filed.reference);
    expect(c!.explanation_owed).toBe(0);
    expect(c!.expected_at).toBe(`${expected}T16:59:59.999Z`);
    const n = await dbAll(
      server,
      "select kind, method, staff_id, body from notices where complaint_id = ? and kind = 'explanation'",
      c!.id,
    );
    expect(n).toHaveLength(1);
    expect(n[0]!.method).toBe("email");
    expect(n[0]!.body).not.toContain("{{");
    const mail = await smtp.waitFor((x) => x.to.includes(citizen) && x.text.includes(n[0]!.body.slice(0, 20)));
    expect(mail.subject).toContain(filed.reference);

    const after = await works.get(`/staff/cases/${filed.reference}`);
    expect(after.$.testId("explanation-owed")).toBeNull();
    expect(after.$.testId("explained")).toBeTruthy();

    const tc = new HttpClient(server.url, { ip: "10.44.2.1" });
    const tp = await tc.get("/track");
    const tr = await tc.postForm("/track", { csrf: csrfOf(tp), reference: filed.reference, code: filed.trackingCode });
    expect(tr.status).toBe(200);
    expect(tr.$.testId("notice-explanation")).toContain(filed.reference);
    expect(tr.$.testId("expected-date")).toBeTruthy();

    // The printable letter of that notice.
    const noticeId = (await dbGet(server, "select id from notices where complaint_id = ? and kind = 'explanation'", c!.id))!.id;
    const letter = await works.get(`/staff/cases/${filed.reference}/letter/${noticeId}`);
    expect(letter.status).toBe(200);
    expect(letter.$.testId("letter-body")).toBe(n[0]!.body);
    expect((await works.get(`/staff/cases/${filed.reference}/letter/999999`)).status).toBe(404);
  });
});

describe("supervisor and admin pages", () => {
  it("the board shows overdue cases to supervisors but not to officers", async () => {
    const sup = await loggedIn("sup");
    const b = await sup.get("/staff/board");
    expect(b.status).toBe(200);
    expect(b.text).toContain('data-testid="board-states"');
    expect(b.text).toContain('data-testid="board-by-division"');
    const works = await loggedIn("works");
    expect((await works.get("/staff/board")).status).toBe(403);
  });

  it("the board names the current fiscal year in the Buddhist Era, converted once", async () => {
    const sup = await loggedIn("sup");
    const offset = Number(env.CLOCK_OFFSET_MS ?? 0);
    const fy = fiscalYearOf(new Date(Date.now() + offset));
    const th = await sup.get("/staff/board");
    expect(th.$.testId("board-closed-year")).toContain(`ปีงบประมาณ ${fy}:`);
    expect(th.$.testId("board-closed-year")).not.toContain(String(fy + 543));
    const en = await sup.get("/staff/board?lang=en");
    expect(en.$.testId("board-closed-year")).toContain(`fiscal year ${fy} BE:`);
  });

  it("holidays are picked in the Buddhist calendar: day, month, พ.ศ. year; an impossible date is refused", async () => {
    const admin = await loggedIn("admin");
    const page = await admin.get("/staff/admin/holidays");
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="dateYear"');
    expect(page.text).not.toContain('type="date"');
    const holiday = { csrf: csrfOf(page), intent: "save", nameTh: `วันทดสอบ ${tag}`, nameEn: `Test day ${tag}`, kind: "special" };
    const feb30 = await admin.postForm("/staff/admin/holidays", { ...holiday, dateDay: "30", dateMonth: "2", dateYear: "2571" });
    expect(feb30.status).toBe(422);
    expect(feb30.$.text()).toContain("ไม่มีวันที่นี้ในปฏิทิน");
    const ok = await admin.postForm("/staff/admin/holidays", { ...holiday, dateDay: "14", dateMonth: "12", dateYear: "2571" });
    expect(ok.status).toBe(302);
    expect(await dbGet(server, "select date from holidays where name_en = ?", `Test day ${tag}`)).toEqual({ date: "2028-12-14" });
  });

  it("templates: a bad placeholder is refused, a good one saved", async () => {
    const admin = await loggedIn("admin");
    const page = await admin.get("/staff/admin/templates");
    expect(page.status).toBe(200);
    const bad = await admin.postForm("/staff/admin/templates", {
      csrf: csrfOf(page),
      kind: "progress",
      lang: "th",
      intent: "save",
      subject: "เรื่อง {{reference}}",
      body: "สถานะ {{nope}}",
    });
    expect(bad.status).toBe(422);
    expect(bad.$.text()).toContain("{{nope}}");
    const good = await admin.postForm("/staff/admin/templates", {
      csrf: csrfOf(page),
      kind: "progress",
      lang: "th",
      intent: "save",
      subject: "เรื่อง {{reference}}",
      body: "สถานะ {{status}}",
    });
    expect(good.status).toBe(302);
    expect(await dbGet(server, "select body from notice_templates where kind = 'progress' and lang = 'th'")).toEqual({
      body: "สถานะ {{status}}",
    });
    const works = await loggedIn("works");
    expect((await works.get("/staff/admin/templates")).status).toBe(403);
  });

  it("the outbox page lists undelivered mail for admins only", async () => {
    const admin = await loggedIn("admin");
    const page = await admin.get("/staff/admin/outbox");
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(citizen);
    const r = await admin.postForm("/staff/admin/outbox", { csrf: csrfOf(page), intent: "retry", id: "999999" });
    expect(r.status).toBe(200);
    const sup = await loggedIn("sup");
    expect((await sup.get("/staff/admin/outbox")).status).toBe(403);
  });
});
