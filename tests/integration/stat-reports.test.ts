/**
 * Half-year and annual reports, black-box against the built server: an officer writes the narrative and sends it for
 * approval; the officer cannot approve (403) and an executive cannot write (403); the public gets 404 until a
 * supervisor approves; the approved report shows the narrative, the figures frozen at approval (a letter of that year
 * recorded later does not change them) and "approved by"; withdrawing hides it again; CSRF is required; stale forms
 * are refused; every transition is in the audit log.
 *
 * A report can only be approved once its period has ended, so the reports approved here are those of the previous
 * fiscal year (finished): its complaints and corruption reports are filed with the server's clock moved back
 * (CLOCK_OFFSET_MS; two complaints and a corruption report in November, another corruption report in May), then the
 * server runs on today's clock. The current year's annual report is refused with 409 and the day it can be approved,
 * on its last day too (clock moved to 30 September 23:58), and accepted from 1 October.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, complaintFields, csrfOf, fileComplaint, formData, submissionKeyOf, type HttpResult } from "../helpers/http";
import { enrolRecipient, fileReport } from "../helpers/report";
import { fiscalYearOf } from "~/lib/fiscal-year";
import { dateFromBangkokKey } from "~/lib/thai-date";

let server: TestServer;
/** Server env; CLOCK_OFFSET_MS is changed between restarts (startServer reads this object at every spawn). */
const env: Record<string, string> = { TRUSTED_PROXIES: "127.0.0.1" };
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const users = {
  sup: { email: `sup-${tag}@wangluek.go.th`, role: "supervisor" as const, name: "ปลัด" },
  officer: { email: `off-${tag}@wangluek.go.th`, role: "officer" as const, division: "palad", name: "เจ้าหน้าที่" },
  exec: { email: `exec-${tag}@wangluek.go.th`, role: "executive" as const, name: "นายก" },
  integrity: { email: `int-${tag}@wangluek.go.th`, role: "integrity" as const, name: "ผู้รับผิดชอบ" },
};
/** The fiscal year (BE) running today, and the previous one (finished), whose reports are approved here. */
const nowFy = fiscalYearOf(new Date());
const fy = nowFy - 1;
/** The CE year in which fiscal year `fy` ends (it starts in October of the year before). */
const ce = fy - 543;
/** An instant at `hour`:`minute` Bangkok time on a "YYYY-MM-DD" day. */
const bangkok = (day: string, hour = 12, minute = 0) => dateFromBangkokKey(day).getTime() + (hour * 60 + minute) * 60_000;
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

const editorPath = (period = "year", year = fy) => `/staff/reports/${year}/${period}`;
const publicPath = (period = "year", year = fy) => (period === "h1" ? `/stats/report/${year}/h1` : `/stats/report/${year}`);

/** Posts to the editor with the page's CSRF token and version. */
async function post(c: HttpClient, fields: Record<string, string>, period = "year", year = fy): Promise<HttpResult> {
  const page = await c.get(editorPath(period, year));
  expect(page.status).toBe(200);
  return c.postForm(editorPath(period, year), { csrf: csrfOf(page), version: page.$.inputValue("version") ?? "", ...fields });
}

async function row(period = "year", year = fy) {
  return dbGet<{ status: string; snapshot: string | null; problems_th: string; approved_by: number | null; submitted_by: number | null }>(
    server,
    "select status, snapshot, problems_th, approved_by, submitted_by from stat_reports where fiscal_year = ? and period = ?",
    year,
    period,
  );
}

async function auditActions(targetPrefix = `${fy}-`): Promise<string[]> {
  const rows = await dbAll<{ action: string }>(
    server,
    "select action from audit_log where target_type = 'stat_report' and target_id like ? order by id",
    `${targetPrefix}%`,
  );
  return rows.map((r) => r.action);
}

/** Restarts the server with its clock at `instant` (ms; null = today). Sessions made on another clock are dropped. */
async function moveClock(instant: number | null): Promise<void> {
  env.CLOCK_OFFSET_MS = instant === null ? "0" : String(Math.round(instant - Date.now()));
  await server.restart();
  for (const k of Object.keys(clients) as Array<keyof typeof users>) delete clients[k];
}

/** The rows of the ITA corruption table of a report page: kind and cell texts (label, received, completed, …). */
function itaRows(page: HttpResult): Array<{ kind: string; cells: string[] }> {
  const table = /<table[^>]*data-testid="corruption"[^>]*>([\s\S]*?)<\/table>/.exec(page.text)?.[1] ?? "";
  return [...table.matchAll(/<tr data-kind="(\w+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({
    kind: m[1]!,
    cells: [...m[2]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, "").trim()),
  }));
}
const received = (rows: Array<{ cells: string[] }>) => rows.map((r) => Number(r.cells[1]));

beforeAll(async () => {
  // 15 November of the previous fiscal year: two complaints and a corruption report (first half, first quarter).
  // A report recipient signs in first, on today's clock (their second factor follows the real time).
  server = await startServer({ env });
  await enrolRecipient(server);
  env.CLOCK_OFFSET_MS = String(Math.round(bangkok(`${ce - 1}-11-15`) - Date.now()));
  await server.restart();
  for (const u of Object.values(users)) await createStaffUser(server, { ...u, password: PASSWORD });
  const a = await fileComplaint(newClient(), { subject: `ถนนพัง ${tag}`, category: "road" });
  await fileComplaint(newClient(), { subject: `ไฟดับ ${tag}`, category: "streetlight" });
  await fileReport(newClient());
  expect(
    (await dbGet<{ fiscal_year: number }>(server, "select fiscal_year from complaints where reference = ?", a.reference))!.fiscal_year,
  ).toBe(fy);
  // 15 May of that year: another corruption report (second half: not in the six-month report).
  await moveClock(bangkok(`${ce}-05-15`));
  await fileReport(newClient());
  // Today: that fiscal year has ended.
  await moveClock(null);
}, 240_000);

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
    // The previous year has ended: both reports can be approved. The current year's annual report only from 1 October;
    // no year that has not started is offered.
    expect(list.$.testId(`approvable-${fy}-year`)).toBeNull();
    expect(list.$.testId(`approvable-${fy}-h1`)).toBeNull();
    expect(list.$.testIdAttr(`stat-report-${nowFy}-year`, "data-status")).toBe("none");
    expect(list.$.testId(`approvable-${nowFy}-year`)).toBe(`อนุมัติได้ตั้งแต่ 1 ตุลาคม ${nowFy}`);
    expect(list.$.testIdAttr(`stat-report-${nowFy + 1}-year`, "data-status")).toBeNull();
    expect((await officer.get(editorPath("year", nowFy + 1))).status).toBe(404);
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
    const res = await officer.postForm(editorPath(), {
      csrf: csrfOf(page),
      version: "2000-01-01T00:00:00.000Z",
      intent: "save",
      ...narrative,
      problems_th: "ทับข้อความ",
    });
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
    expect(
      (await exec.postForm(editorPath(), { csrf: csrfOf(page), version: page.$.inputValue("version") ?? "", intent: "save", ...narrative }))
        .status,
    ).toBe(403);
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
    expect(snap.corruption.total.received).toBe(2);
    expect(snap.corruption.halves.map((h: { received: number }) => h.received)).toEqual([1, 1]);
    expect(Array.isArray(snap.targets)).toBe(true);
    // The year has ended: the plan targets compare the whole year, and no verdict is provisional.
    expect(snap.targets[0].window.current).toEqual({ from: `${ce - 1}-10-01`, to: `${ce}-09-30` });
    expect(snap.targets.some((t: { provisional: boolean }) => t.provisional)).toBe(false);
  });

  it("the public page shows the narrative, the figures and who approved it", async () => {
    // A paper letter of that year (received on its last day), recorded after approval: must not change the published
    // figures.
    const sup = await as("sup");
    const intake = await sup.get("/staff/intake");
    expect(intake.status).toBe(200);
    const fields = complaintFields({
      subject: `หลังอนุมัติ ${tag}`,
      category: "road",
      channel: "letter",
      citizenLang: "th",
      receivedDate: `${ce}-09-30`,
    });
    const recorded = await sup.postMultipart(
      "/staff/intake",
      formData({ csrf: csrfOf(intake), submissionKey: submissionKeyOf(intake), ...fields }),
    );
    expect(recorded.status, recorded.$.text().slice(0, 400)).toBe(200);
    const late = await dbGet<{ fiscal_year: number }>(
      server,
      "select fiscal_year from complaints where reference = ?",
      recorded.$.testId("reference"),
    );
    expect(late?.fiscal_year).toBe(fy);
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
    const ita = itaRows(page);
    expect(received(ita.filter((r) => r.kind === "half"))).toEqual([1, 1]);
    expect(received(ita.filter((r) => r.kind === "year"))).toEqual([2]);
    // The live statistics do count the later letter.
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
    const res = await officer.postForm(editorPath(), {
      csrf: csrfOf(page),
      version: page.$.inputValue("version") ?? "",
      intent: "save",
      ...narrative,
      problems_th: "แก้ไขหลังเผยแพร่",
    });
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
    // Only October–March: the November corruption report, not the May one; quarters 1 and 2 and the first half.
    const ita = itaRows(page);
    const months = ita.filter((r) => r.kind === "month");
    expect(months.map((r) => r.cells[0])).toEqual(
      ["ตุลาคม", "พฤศจิกายน", "ธันวาคม"].map((m) => `${m} ${fy - 1}`).concat(["มกราคม", "กุมภาพันธ์", "มีนาคม"].map((m) => `${m} ${fy}`)),
    );
    // The portal's first record is the November report: October is "before the portal held records" (a dash, not 0).
    expect(received(months)).toEqual([NaN, 1, 0, 0, 0, 0]);
    expect(months[0]!.cells[1]).toBe("–");
    expect(page.text).toContain("ก่อนระบบมีข้อมูล (ยังไม่มีข้อมูลในระบบ)");
    expect(ita.filter((r) => r.kind === "quarter").map((r) => r.cells[0])).toEqual(["รวมไตรมาส 1", "รวมไตรมาส 2"]);
    expect(received(ita.filter((r) => r.kind === "quarter"))).toEqual([1, 0]);
    expect(received(ita.filter((r) => r.kind === "half"))).toEqual([1]);
    // Complaints of the first half only (the letter of 30 September is in the second half).
    expect(page.$.testId("fig-received")).toBe("2");
    const snap = JSON.parse((await row("h1"))!.snapshot!);
    expect(snap.corruption.months).toHaveLength(6);
    expect(snap.corruption.quarters.map((q: { quarter: number }) => q.quarter)).toEqual([1, 2]);
    expect(snap.corruption.halves.map((h: { half: number; received: number }) => [h.half, h.received])).toEqual([[1, 1]]);
    expect(snap.corruption.total.received).toBe(1);
    expect(snap.targets[0].window.current).toEqual({ from: `${ce - 1}-10-01`, to: `${ce}-03-31` });
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
      "select actor_role, target_id, details from audit_log where target_type = 'stat_report' and target_id like ? order by id",
      `${fy}-%`,
    );
    expect(entries.map((e) => e.actor_role)).toEqual(["officer", "officer", "supervisor", "supervisor", "supervisor", "supervisor"]);
    expect(entries.map((e) => e.target_id)).toEqual([`${fy}-year`, `${fy}-year`, `${fy}-year`, `${fy}-year`, `${fy}-h1`, `${fy}-h1`]);
    expect(JSON.parse(entries[2]!.details)).toEqual({ from: "submitted", to: "published" });
    // Narrative text never goes into the audit log.
    expect(entries.some((e) => e.details.includes(tag))).toBe(false);
  });
});

describe("not before the period has ended", () => {
  const nowCe = nowFy - 543;
  const thaiRefusal = `ยังอนุมัติรายงานนี้ไม่ได้ เพราะรอบรายงานยังไม่สิ้นสุด (สิ้นสุดวันที่ 30 กันยายน ${nowFy}) อนุมัติและเผยแพร่ได้ตั้งแต่วันที่ 1 ตุลาคม ${nowFy}`;

  it("the current year's annual report is written and sent, but approving it is refused with 409: nothing published, nothing audited", async () => {
    const officer = await as("officer");
    expect((await post(officer, { intent: "submit", ...narrative }, "year", nowFy)).status).toBe(302);
    expect(await row("year", nowFy)).toMatchObject({ status: "submitted", snapshot: null });
    // The editor says from when it can be approved, and offers no approve button (only "return to draft").
    const sup = await as("sup");
    const page = await sup.get(editorPath("year", nowFy));
    expect(page.$.testId("approvable-from")).toBe(
      `รอบรายงานนี้สิ้นสุดวันที่ 30 กันยายน ${nowFy} จึงอนุมัติและเผยแพร่ได้ตั้งแต่วันที่ 1 ตุลาคม ${nowFy} ระหว่างนี้เขียนร่างและส่งให้หัวหน้างานอนุมัติได้ตามปกติ`,
    );
    expect(page.$.testId("approve-from")).toBe(`อนุมัติได้ตั้งแต่ 1 ตุลาคม ${nowFy}`);
    expect(page.text).not.toContain('value="approve"');
    expect(page.text).toContain('value="withdraw"');
    // A forged approval is refused all the same.
    const res = await post(sup, { intent: "approve" }, "year", nowFy);
    expect(res.status).toBe(409);
    expect(res.$.text()).toContain(thaiRefusal);
    expect(await row("year", nowFy)).toMatchObject({ status: "submitted", snapshot: null, approved_by: null });
    expect((await newClient().get(publicPath("year", nowFy))).status).toBe(404);
    expect((await newClient().get("/stats/report")).text).not.toContain(`href="${publicPath("year", nowFy)}"`);
    expect(await auditActions(`${nowFy}-`)).toEqual(["stat_report.submit"]);
  });

  it("the refusal is in English too", async () => {
    const c = newClient();
    c.cookies.set("lng", "en");
    expect((await c.login(users.sup.email, PASSWORD)).status).toBe(302);
    const res = await post(c, { intent: "approve" }, "year", nowFy);
    expect(res.status).toBe(409);
    expect(res.$.text()).toContain(
      `This report cannot be approved yet: its period ends on 30 September ${nowFy} BE. It can be approved and published from 1 October ${nowFy} BE.`,
    );
  });

  it("on the period's last day (23:58 Bangkok) it is still refused; on the next day it is approved", async () => {
    await moveClock(bangkok(`${nowCe}-09-30`, 23, 58));
    const res = await post(await as("sup"), { intent: "approve" }, "year", nowFy);
    expect(res.status).toBe(409);
    expect(res.$.text()).toContain(thaiRefusal);
    expect((await row("year", nowFy))!.status).toBe("submitted");
    await moveClock(bangkok(`${nowCe}-10-01`, 0, 5));
    const page = await (await as("sup")).get(editorPath("year", nowFy));
    expect(page.$.testId("approvable-from")).toBeNull();
    expect(page.text).toContain('value="approve"');
    expect((await post(await as("sup"), { intent: "approve" }, "year", nowFy)).status).toBe(302);
    const r = await row("year", nowFy);
    expect(r!.status).toBe("published");
    expect(JSON.parse(r!.snapshot!).targets[0].window.current).toEqual({ from: `${nowCe - 1}-10-01`, to: `${nowCe}-09-30` });
    expect(await auditActions(`${nowFy}-`)).toEqual(["stat_report.submit", "stat_report.approve"]);
  }, 120_000);
});
