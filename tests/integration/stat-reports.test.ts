/**
 * Half-year and annual reports, black-box against the built server: an officer writes the narrative and sends it for
 * approval; the officer cannot approve (403) and an executive cannot write (403); the public gets 404 until a
 * supervisor approves; the approved report shows the narrative, the figures frozen at approval (a complaint filed
 * later does not change them) and "approved by"; withdrawing hides it again; CSRF is required; stale forms are
 * refused; every transition is in the audit log.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, type HttpResult } from "../helpers/http";

let server: TestServer;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const users = {
  sup: { email: `sup-${tag}@wangluek.go.th`, role: "supervisor" as const, name: "ปลัด" },
  officer: { email: `off-${tag}@wangluek.go.th`, role: "officer" as const, division: "palad", name: "เจ้าหน้าที่" },
  exec: { email: `exec-${tag}@wangluek.go.th`, role: "executive" as const, name: "นายก" },
  integrity: { email: `int-${tag}@wangluek.go.th`, role: "integrity" as const, name: "ผู้รับผิดชอบ" },
};
let fy = 0;
let ip = 0;
const newClient = () => new HttpClient(server.url, { ip: `10.62.0.${++ip}` });
const clients: Partial<Record<keyof typeof users, HttpClient>> = {};

const narrative = {
  problems_th: `ปัญหา: เรื่องร้องเรียนถนนชำรุดมีจำนวนมาก ${tag}`,
  obstacles_th: "อุปสรรค: งบประมาณซ่อมแซมไม่เพียงพอ",
  solutions_th: "แนวทางแก้ไข: จัดลำดับความเร่งด่วนและประสานกรมทางหลวงชนบท",
  prevention_th: "มาตรการป้องกัน: ตรวจสภาพถนนทุกไตรมาส",
  problems_en: `Problems: many road complaints ${tag}`,
  obstacles_en: "",
  solutions_en: "",
  prevention_en: "",
};

async function as(user: keyof typeof users): Promise<HttpClient> {
  if (clients[user]) return clients[user]!;
  const c = newClient();
  const res = await c.login(users[user].email, PASSWORD);
  expect(res.status).toBe(302);
  clients[user] = c;
  return c;
}

const editorPath = (period = "year") => `/staff/reports/${fy}/${period}`;
const publicPath = (period = "year") => (period === "h1" ? `/stats/report/${fy}/h1` : `/stats/report/${fy}`);

/** Posts to the editor with the page's CSRF token and version. */
async function post(c: HttpClient, fields: Record<string, string>, period = "year"): Promise<HttpResult> {
  const page = await c.get(editorPath(period));
  expect(page.status).toBe(200);
  return c.postForm(editorPath(period), { csrf: csrfOf(page), version: page.$.inputValue("version") ?? "", ...fields });
}

async function row(period = "year") {
  return dbGet<{ status: string; snapshot: string | null; problems_th: string; approved_by: number | null; submitted_by: number | null }>(
    server,
    "select status, snapshot, problems_th, approved_by, submitted_by from stat_reports where fiscal_year = ? and period = ?",
    fy,
    period,
  );
}

async function auditActions(): Promise<string[]> {
  return (await dbAll<{ action: string }>(server, "select action from audit_log where target_type = 'stat_report' order by id")).map((r) => r.action);
}

beforeAll(async () => {
  server = await startServer({ env: { TRUST_PROXY_HOPS: "1" } });
  for (const u of Object.values(users)) await createStaffUser(server, { ...u, password: PASSWORD });
  const a = await fileComplaint(newClient(), { subject: `ถนนพัง ${tag}`, category: "road" });
  await fileComplaint(newClient(), { subject: `ไฟดับ ${tag}`, category: "streetlight" });
  fy = (await dbGet<{ fiscal_year: number }>(server, "select fiscal_year from complaints where reference = ?", a.reference))!.fiscal_year;
});

afterAll(async () => {
  await server?.stop();
});

describe("before approval", () => {
  it("the public gets 404 for missing or malformed reports", async () => {
    const c = newClient();
    for (const p of [publicPath(), publicPath("h1"), `/stats/report/${fy}/h2`, "/stats/report/abcd", "/stats/report/1999"]) {
      const res = await c.get(p);
      expect(res.status, p).toBe(404);
    }
    expect((await c.get(publicPath())).$.testId("report-error")).toContain("ยังไม่มีรายงานที่เผยแพร่");
    const list = await c.get("/stats/report");
    expect(list.status).toBe(200);
    expect(list.$.testId("reports-empty")).toBeTruthy();
  });

  it("the staff list shows both periods of the year; integrity officers have no access", async () => {
    const officer = await as("officer");
    const list = await officer.get("/staff/reports");
    expect(list.status).toBe(200);
    expect(list.$.testIdAttr(`stat-report-${fy}-year`, "data-status")).toBe("none");
    expect(list.$.testIdAttr(`stat-report-${fy}-h1`, "data-status")).toBe("none");
    const nav = await officer.get("/staff");
    expect(nav.text).toContain('href="/staff/reports"');
    const integrity = newClient();
    const login = await integrity.login(users.integrity.email, PASSWORD);
    expect(login.status).toBe(302);
    // Integrity officers must pass TOTP first; either way they never reach the report pages.
    const res = await integrity.get("/staff/reports");
    expect([302, 403]).toContain(res.status);
    expect(res.text).not.toContain('data-testid="stat-reports"');
  });

  it("a POST without the CSRF token is refused and writes nothing", async () => {
    const officer = await as("officer");
    await officer.get(editorPath());
    const res = await officer.postForm(editorPath(), { intent: "save", ...narrative });
    expect(res.status).toBe(403);
    expect(await row()).toBeUndefined();
    const bad = await officer.postForm(editorPath(), { csrf: "x".repeat(43), intent: "save", ...narrative });
    expect(bad.status).toBe(403);
    expect(await row()).toBeUndefined();
  });

  it("sending for approval needs the four Thai sections; sections are at most 10,000 characters", async () => {
    const officer = await as("officer");
    const res = await post(officer, { intent: "submit", ...narrative, obstacles_th: "", prevention_th: "   " });
    expect(res.status).toBe(422);
    expect(res.$.text()).toContain("กรุณากรอกหัวข้อนี้เป็นภาษาไทยก่อนส่งอนุมัติ");
    expect(res.text).toContain('href="#f-obstacles_th"');
    expect(res.text).toContain('href="#f-prevention_th"');
    // The text typed is kept in the form.
    expect(res.$.text()).toContain(narrative.problems_th);
    expect(await row()).toBeUndefined();
    const long = await post(officer, { intent: "save", ...narrative, solutions_en: "ก".repeat(10_001) });
    expect(long.status).toBe(422);
    expect(long.$.text()).toContain("ยาวเกิน 10000 ตัวอักษร");
    expect(await row()).toBeUndefined();
  });

  it("an officer saves a draft, then sends it for approval", async () => {
    const officer = await as("officer");
    const saved = await post(officer, { intent: "save", ...narrative, obstacles_th: "" });
    expect(saved.status).toBe(302);
    expect(saved.location).toContain(`${editorPath()}?done=saved`);
    expect(await row()).toMatchObject({ status: "draft", problems_th: narrative.problems_th, snapshot: null });
    const sent = await post(officer, { intent: "submit", ...narrative });
    expect(sent.status).toBe(302);
    expect(await row()).toMatchObject({ status: "submitted", snapshot: null });
    const page = await officer.get(editorPath());
    expect(page.$.testId("report-status")).toBe("รออนุมัติ");
    // Officers see no approval form.
    expect(page.text).not.toContain('data-testid="approval"');
  });

  it("a form built from an older version is refused (no silent overwrite)", async () => {
    const officer = await as("officer");
    const page = await officer.get(editorPath());
    const res = await officer.postForm(editorPath(), { csrf: csrfOf(page), version: "2000-01-01T00:00:00.000Z", intent: "save", ...narrative, problems_th: "ทับข้อความ" });
    expect(res.status).toBe(409);
    expect(res.$.text()).toContain("มีผู้อื่นแก้ไขรายงานนี้");
    expect((await row())!.problems_th).toBe(narrative.problems_th);
  });

  it("the officer cannot approve, the executive can only read", async () => {
    const officer = await as("officer");
    const res = await post(officer, { intent: "approve" });
    expect(res.status).toBe(403);
    expect(res.$.text()).toContain("บทบาทของท่านทำรายการนี้ไม่ได้");
    expect((await post(officer, { intent: "withdraw" })).status).toBe(403);
    const exec = await as("exec");
    const page = await exec.get(editorPath());
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="report-readonly"');
    expect(page.text).not.toContain('data-testid="report-form"');
    expect((await exec.postForm(editorPath(), { csrf: csrfOf(page), version: page.$.inputValue("version") ?? "", intent: "save", ...narrative })).status).toBe(403);
    expect((await exec.postForm(editorPath(), { csrf: csrfOf(page), intent: "approve" })).status).toBe(403);
    expect(await row()).toMatchObject({ status: "submitted", snapshot: null });
  });

  it("the public still gets 404; staff preview the draft under a DRAFT banner with live figures", async () => {
    expect((await newClient().get(publicPath())).status).toBe(404);
    const preview = await (await as("officer")).get(publicPath());
    expect(preview.status).toBe(200);
    expect(preview.headers.get("cache-control")).toBe("private, no-store");
    expect(preview.$.testId("draft-banner")).toContain("ร่าง");
    expect(preview.$.testId("fig-received")).toBe("2");
    expect(preview.$.testId("approved-by")).toBeNull();
  });
});

describe("approval", () => {
  it("a supervisor approves: the report is published with its figures frozen", async () => {
    const sup = await as("sup");
    const page = await sup.get(editorPath());
    expect(page.text).toContain('data-testid="approval"');
    const res = await post(sup, { intent: "approve" });
    expect(res.status).toBe(302);
    const r = await row();
    expect(r!.status).toBe("published");
    const snap = JSON.parse(r!.snapshot!);
    expect(snap.complaints.totals.received).toBe(2);
    expect(snap.approverRole).toBe("supervisor");
    expect(snap.corruption.months).toHaveLength(12);
    expect(Array.isArray(snap.targets)).toBe(true);
  });

  it("the public page shows the narrative, the figures and who approved it", async () => {
    // Filed after approval: must not change the published figures.
    await fileComplaint(newClient(), { subject: `หลังอนุมัติ ${tag}`, category: "road" });
    const c = newClient();
    const page = await c.get(publicPath());
    expect(page.status).toBe(200);
    expect(page.$.testId("draft-banner")).toBeNull();
    expect(page.$.testId("report-title")).toBe(`รายงานผลการดำเนินงานเรื่องร้องเรียน ประจำปีงบประมาณ พ.ศ. ${fy}`);
    expect(page.$.testId("text-problems")).toBe(narrative.problems_th);
    expect(page.$.testId("text-prevention")).toBe(narrative.prevention_th);
    expect(page.$.testId("fig-received")).toBe("2");
    expect(page.$.testId("approved-by")).toMatch(/^อนุมัติโดยหัวหน้างาน เมื่อวันที่ \d{1,2} \S+ \d{4}$/);
    expect(page.$.text()).toContain("องค์การบริหารส่วนตำบลวังลึก");
    expect(page.text).toContain('data-testid="corruption"');
    expect(page.text).toContain("<svg");
    // The corruption table of the annual report: 12 months, 4 quarters, 2 halves, the year.
    expect(page.text.match(/data-kind="month"/g)).toHaveLength(12);
    expect(page.text.match(/data-kind="quarter"/g)).toHaveLength(4);
    expect(page.text.match(/data-kind="half"/g)).toHaveLength(2);
    expect(page.text.match(/data-kind="year"/g)).toHaveLength(1);
    // The live statistics do count the later complaint.
    const live = await (await fetch(`${server.url}/stats/data/${fy}/complaints-summary.json`)).json();
    expect(live.rows[0].received).toBe(3);
    // Listed publicly.
    const list = await c.get("/stats/report");
    expect(list.text).toContain(`href="${publicPath()}"`);
  });

  it("in English the untranslated sections fall back to Thai with a note", async () => {
    const c = newClient();
    c.cookies.set("lng", "en");
    const page = await c.get(publicPath());
    expect(page.status).toBe(200);
    expect(page.$.testId("text-problems")).toBe(narrative.problems_en);
    expect(page.$.testId("fallback-problems")).toBeNull();
    expect(page.$.testId("text-obstacles")).toBe(narrative.obstacles_th);
    expect(page.$.testId("fallback-obstacles")).toContain("no English version");
    expect(page.$.testId("approved-by")).toContain("Approved by the Supervisor");
  });

  it("a published report cannot be edited until it is withdrawn", async () => {
    const officer = await as("officer");
    const page = await officer.get(editorPath());
    expect(page.text).not.toContain('data-testid="report-form"');
    const res = await officer.postForm(editorPath(), { csrf: csrfOf(page), version: page.$.inputValue("version") ?? "", intent: "save", ...narrative, problems_th: "แก้ไขหลังเผยแพร่" });
    expect(res.status).toBe(409);
    expect((await row())!.problems_th).toBe(narrative.problems_th);
  });
});

describe("withdrawal and the six-month report", () => {
  it("withdrawing hides the report again and drops the frozen figures", async () => {
    const sup = await as("sup");
    expect((await post(sup, { intent: "withdraw" })).status).toBe(302);
    expect(await row()).toMatchObject({ status: "draft", snapshot: null, approved_by: null });
    expect((await newClient().get(publicPath())).status).toBe(404);
    expect((await (await as("officer")).get(publicPath())).$.testId("draft-banner")).toBeTruthy();
  });

  it("a supervisor writes and approves the six-month report directly; it shows the first half only", async () => {
    const sup = await as("sup");
    expect((await post(sup, { intent: "approve" }, "h1")).status).toBe(409); // nothing written yet
    expect((await post(sup, { intent: "save", ...narrative }, "h1")).status).toBe(302);
    expect((await post(sup, { intent: "approve" }, "h1")).status).toBe(302);
    const page = await newClient().get(publicPath("h1"));
    expect(page.status).toBe(200);
    expect(page.$.testId("report-title")).toBe(`รายงานผลการดำเนินงานเรื่องร้องเรียน รอบ 6 เดือน ปีงบประมาณ พ.ศ. ${fy}`);
    expect(page.text.match(/data-kind="month"/g)).toHaveLength(6);
    expect(page.text.match(/data-kind="quarter"/g)).toHaveLength(2);
    expect(page.text.match(/data-kind="half"/g)).toHaveLength(1);
    expect(page.text).not.toContain('data-kind="year"');
    expect((await row("h1"))!.status).toBe("published");
  });

  it("every transition is in the audit log, and the chain still verifies", async () => {
    expect(await auditActions()).toEqual([
      "stat_report.save",
      "stat_report.submit",
      "stat_report.approve",
      "stat_report.withdraw",
      "stat_report.save",
      "stat_report.approve",
    ]);
    const entries = await dbAll<{ actor_role: string; target_id: string; details: string }>(
      server,
      "select actor_role, target_id, details from audit_log where target_type = 'stat_report' order by id",
    );
    expect(entries.map((e) => e.actor_role)).toEqual(["officer", "officer", "supervisor", "supervisor", "supervisor", "supervisor"]);
    expect(entries.map((e) => e.target_id)).toEqual([`${fy}-year`, `${fy}-year`, `${fy}-year`, `${fy}-year`, `${fy}-h1`, `${fy}-h1`]);
    expect(JSON.parse(entries[2]!.details)).toEqual({ from: "submitted", to: "published" });
    // Narrative text never goes into the audit log.
    expect(entries.some((e) => e.details.includes(tag))).toBe(false);
  });
});
