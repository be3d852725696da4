/**
 * Black-box tests of the public statistics pages (/stats, /stats/corruption, /stats/targets) against the built
 * server: complaints and a corruption report are filed over HTTP (one complaint in the previous fiscal year, with the
 * server's clock moved back), two cases are handled by a supervisor, then the pages must show those numbers, switch
 * fiscal years with ?fy=, refuse a bad year with a 400 and a message, render in English, carry SVG charts without
 * scripts or inline styles under the unchanged CSP, and link each count to the list it counts.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definitionText } from "~/lib/stat-definitions";
import { createStaffUser, dbGet, startServer, waitUntil, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, decodeEntities, fileComplaint, type FiledComplaint, type HttpResult } from "../helpers/http";
import { enrolRecipient, fileReport } from "../helpers/report";
import { fiscalYearOf, fiscalYearRange } from "~/lib/fiscal-year";
import { bangkokDateKey } from "~/lib/thai-date";

const tag = crypto.randomBytes(3).toString("hex");

let server: TestServer;
const env: Record<string, string> = { TRUSTED_PROXIES: "127.0.0.1" };
let ipSeq = 0;
const client = () => new HttpClient(server.url, { ip: `10.77.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}` });

// Fiscal years (BE) as the server sees them (no clock offset after the set-up).
const fy = fiscalYearOf(new Date());
const prev = fy - 1;
const thisMonth = bangkokDateKey(new Date()).slice(0, 7);

let prevCase: FiledComplaint;
let a: FiledComplaint;
let b: FiledComplaint;
let _c: FiledComplaint;
const sup = { email: `sup-${tag}@wangluek.go.th`, password: `ปลัดตรวจงาน-${tag}-correct-horse`, role: "supervisor" as const };
let roadId: number;
let village1Id: number;

async function act(staff: HttpClient, reference: string, fields: Record<string, string>): Promise<void> {
  const page = await staff.get(`/staff/cases/${reference}`);
  expect(page.status, `case page ${reference}`).toBe(200);
  const res = await staff.postForm(`/staff/cases/${reference}`, { csrf: csrfOf(page), ...fields });
  expect([302, 303], `${fields.intent} on ${reference}: ${res.status} ${res.$.text().slice(0, 300)}`).toContain(res.status);
}

beforeAll(async () => {
  // 1. A complaint on 1 October of the previous fiscal year (noon Bangkok): the clock is moved back for it.
  const prevStart = fiscalYearRange(prev).start.getTime();
  env.CLOCK_OFFSET_MS = String(prevStart + 12 * 3600_000 - Date.now());
  server = await startServer({ env });
  prevCase = await fileComplaint(client(), { category: "water", village: "3", subject: `น้ำประปาไม่ไหล ${tag}` });
  // 2. Back to today: three complaints and one corruption report in the current fiscal year.
  env.CLOCK_OFFSET_MS = "0";
  await server.restart();
  a = await fileComplaint(client(), { category: "road", village: "1", subject: `ถนนเป็นหลุม ${tag}` });
  b = await fileComplaint(client(), { category: "road", village: "1", subject: `ถนนน้ำขัง ${tag}` });
  _c = await fileComplaint(client(), { category: "streetlight", village: "2", subject: `ไฟดับ ${tag}` });
  await enrolRecipient(server);
  await fileReport(client());
  // 3. A supervisor resolves A and forwards B.
  await createStaffUser(server, { ...sup, name: "ปลัด ทดสอบ" });
  const staff = client();
  const login = await staff.login(sup.email, sup.password);
  expect(login.status).toBe(302);
  await act(staff, a.reference, { intent: "accept" });
  await act(staff, a.reference, { intent: "start" });
  await act(staff, a.reference, { intent: "resolve", resultSummary: `ซ่อมแล้ว ${tag}` });
  await act(staff, b.reference, { intent: "forward", forwardedTo: "แขวงทางหลวงชนบท" });
  roadId = Number((await dbGet(server, "select id from categories where code = 'road'"))!.id);
  village1Id = Number((await dbGet(server, "select id from villages where number = 1"))!.id);
  // The summary tables are kept by triggers, so the figures are there as soon as the writes commit.
  await waitUntil(
    async () => (await dbGet(server, "select status from complaints where reference = ?", b.reference))?.status === "forwarded",
    "forwarded",
  );
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

/** All <svg>…</svg> elements of a page. */
function svgs(page: HttpResult): string[] {
  return page.text.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [];
}

function hrefOf(page: HttpResult, testId: string): string | null {
  const tagRe = new RegExp(`<a\\b[^>]*data-testid="${testId}"[^>]*>`);
  const m = tagRe.exec(page.text);
  if (!m) return null;
  const h = /\shref="([^"]*)"/.exec(m[0]);
  return h ? decodeEntities(h[1]!) : null;
}

function expectChartsSafe(page: HttpResult, min: number) {
  const list = svgs(page);
  expect(list.length).toBeGreaterThanOrEqual(min);
  for (const svg of list) {
    expect(svg).toMatch(/^<svg[^>]*\brole="img"/);
    expect(svg).toMatch(/aria-labelledby="[^"]+-title [^"]+-desc"/);
    expect(svg).toMatch(/<title id="[^"]+">[^<]+<\/title>/);
    expect(svg).toMatch(/<desc id="[^"]+">[^<]+<\/desc>/);
    expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
    expect(svg).not.toMatch(/<script/i);
    expect(svg).not.toMatch(/\son[a-z]+=/i);
  }
  // The CSP forbids inline styles: none anywhere on the page.
  expect(page.text).not.toMatch(/<[a-z][^>]*\sstyle="/i);
  const csp = page.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("style-src 'self'");
  expect(csp).toMatch(/script-src 'nonce-[^']+' 'strict-dynamic'/);
}

describe("/stats in Thai", () => {
  let page: HttpResult;
  beforeAll(async () => {
    page = await client().get("/stats");
  });

  it("answers 200 with the current fiscal year and short-lived private caching", () => {
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<html lang="th"/);
    expect(page.$.text()).toContain(`สถิติเรื่องร้องทุกข์/ร้องเรียน ปีงบประมาณ ${fy}`);
    expect(page.headers.get("cache-control")).toBe("private, max-age=30");
    expect(page.headers.get("vary") ?? "").toMatch(/Cookie/);
    expect(page.$.testId("as-of")).toMatch(/^ข้อมูล ณ \d{1,2} \S+ \d{4} เวลา \d{2}:\d{2} น\.$/);
  });

  it("shows received, completed (resolved + forwarded) and in progress for the year", () => {
    expect(page.$.testId("total-received")).toBe("3");
    expect(page.$.testId("total-completed")).toBe("2");
    expect(page.$.testId("total-resolved")).toBe("1");
    expect(page.$.testId("total-forwarded")).toBe("1");
    expect(page.$.testId("total-inprogress")).toBe("1");
    expect(page.$.testId("overdue-now")).toBe("0");
    // each figure says what it counts
    expect(page.$.testId("section-summary")).toContain("ที่ดำเนินการแล้วเสร็จ (แก้ไขแล้วหรือส่งต่อหน่วยงานที่รับผิดชอบ) ณ วันนี้");
  });

  it("breaks the year down by month from October, by category, channel, division and village", () => {
    const monthTable = page.$.testId("month-table")!;
    expect(monthTable.indexOf("ตุลาคม")).toBeLessThan(monthTable.indexOf("กันยายน"));
    expect(page.$.testId(`month-${thisMonth}-received`)).toBe("3");
    expect(page.$.testId(`month-${thisMonth}-completed`)).toBe("2");
    expect(page.$.testId(`month-${thisMonth}-inprogress`)).toBe("1");
    expect(page.$.testId("month-total-received")).toBe("3");
    expect(page.$.testId("category-road-received")).toBe("2");
    expect(page.$.testId("category-road-completed")).toBe("2");
    expect(page.$.testId("category-streetlight-received")).toBe("1");
    expect(page.$.testId("category-water-received")).toBe("0");
    expect(page.$.testId("channel-web-received")).toBe("3");
    expect(page.$.testId("channel-phone-received")).toBe("0");
    expect(page.$.testId(`village-${village1Id}-received`)).toBe("2");
    expect(page.$.testId("village-table")).toContain("หมู่ที่ 1 บ้านวังลึก");
    expect(page.$.testId("division-total-received")).toBe("3");
    expect(page.$.testId("category-summary")).toBe("รวม 3 เรื่อง มากที่สุดคือ ถนน/ทางเท้า (2 เรื่อง หรือ 66.7%)");
  });

  it("shows the deadline, resolve-time, acknowledgement and satisfaction figures", () => {
    expect(page.$.testId("section-deadline")).toContain("ภายในกำหนด");
    expect(Number(page.$.testId("deadline-resolved"))).toBeGreaterThanOrEqual(1);
    expect(page.$.testId("days-closed")).toBe("2");
    expect(page.$.testId("days-median")).toBe("0 วัน");
    expect(page.$.testId("section-ack")).toContain("แจ้งตอบรับ");
    expect(page.$.testId("satisfaction-answers")).toBe("0");
    expect(page.$.testId("satisfaction-share")).toBe("ยังมีผู้ตอบไม่เพียงพอ");
    expect(page.$.testId("counter-share")).toBe("ยังมีผู้ตอบไม่เพียงพอ");
  });

  it("links every count to the public list it counts", () => {
    expect(hrefOf(page, "total-received")).toBe(`/stats/cases?fy=${fy}`);
    expect(hrefOf(page, "total-completed")).toBe(`/stats/cases?fy=${fy}&state=closed`);
    expect(hrefOf(page, "total-inprogress")).toBe(`/stats/cases?fy=${fy}&state=open`);
    expect(hrefOf(page, "overdue-now")).toBe(`/stats/cases?fy=${fy}&state=overdue`);
    expect(hrefOf(page, "category-road-received")).toBe(`/stats/cases?fy=${fy}&category=${roadId}`);
    expect(hrefOf(page, "channel-web-completed")).toBe(`/stats/cases?fy=${fy}&channel=web&state=closed`);
    expect(hrefOf(page, `village-${village1Id}-received`)).toBe(`/stats/cases?fy=${fy}&village=${village1Id}`);
    const month = hrefOf(page, `month-${thisMonth}-received`)!;
    expect(month).toMatch(new RegExp(`^/stats/cases\\?fy=${fy}&from=${thisMonth}-01&to=${thisMonth}-\\d{2}$`));
    expect(hrefOf(page, "deadline-late")).toBe(`/stats/cases?fy=${fy}&sla=late`);
    // One person's rating is never a public lookup: the satisfaction counts carry no link for the public.
    expect(hrefOf(page, "satisfaction-satisfied")).toBeNull();
  });

  it("has SVG charts beside their tables, without scripts or inline styles, under the CSP", () => {
    expectChartsSafe(page, 9);
    expect(page.text).toMatch(/<title id="month-chart-title">เรื่องร้องทุกข์ที่ได้รับรายเดือน ปีงบประมาณ \d{4}<\/title>/);
    // a one-line summary beside each chart
    expect(page.$.testId("month-summary")).toMatch(/^ปีงบประมาณ \d{4} รับเรื่องรวม 3 เรื่อง/);
  });

  it("has captioned tables that scroll inside a focusable, labelled region on a phone", () => {
    expect(page.text).toMatch(/<div class="table-wrap stats-table-wrap" tabindex="0" role="region" aria-labelledby="month-caption">/);
    expect(page.text).toMatch(/<caption id="month-caption">เรื่องร้องทุกข์รายเดือน ปีงบประมาณ \d{4}<\/caption>/);
    expect(page.text).toMatch(/<th scope="col"[^>]*>รับเรื่อง<\/th>/);
    expect(page.text).toMatch(/<th scope="row">ถนน\/ทางเท้า<\/th>/);
  });

  it("has the fiscal-year selector (GET, no JavaScript needed), sub-navigation and downloads", () => {
    expect(page.text).toMatch(/<form method="get" action="\/stats"/);
    expect(page.text).toContain(`<option value="${fy}" selected="">ปีงบประมาณ ${fy}</option>`);
    expect(page.text).toContain(`<option value="${prev}">ปีงบประมาณ ${prev}</option>`);
    expect(page.text).toMatch(/<button type="submit"[^>]*>แสดงสถิติ<\/button>/);
    for (const href of ["/stats/corruption", "/stats/targets", "/stats/report", "/feedback", "/stats/data"]) {
      expect(page.text).toContain(`href="${href}"`);
    }
    expect(page.text).toMatch(/<a [^>]*aria-current="page"[^>]*>สถิติเรื่องร้องทุกข์<\/a>/);
    for (const t of [
      "complaints-by-month",
      "complaints-by-category",
      "complaints-by-channel",
      "complaints-by-division",
      "complaints-by-village",
      "complaints-summary",
      "satisfaction",
    ]) {
      expect(page.text).toContain(`href="/stats/data/${fy}/${t}.csv"`);
      expect(page.text).toContain(`href="/stats/data/${fy}/${t}.json"`);
    }
  });

  it("is linked from the site navigation, the footer and the home page", async () => {
    const home = await client().get("/");
    expect(home.status).toBe(200);
    expect((home.text.match(/href="\/stats"/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it("the print stylesheet covers the statistics section", async () => {
    const css = await client().get("/styles/print.css");
    expect(css.status).toBe(200);
    expect(css.text).toContain(".stats-page");
    expect(page.text).toMatch(/<link rel="stylesheet" href="\/styles\/print.css" media="print"\/>/);
  });
});

describe("fiscal-year switching", () => {
  it("?fy= shows the previous year's figures", async () => {
    const page = await client().get(`/stats?fy=${prev}`);
    expect(page.status).toBe(200);
    expect(page.$.text()).toContain(`สถิติเรื่องร้องทุกข์/ร้องเรียน ปีงบประมาณ ${prev}`);
    expect(page.text).toContain(`<option value="${prev}" selected="">`);
    expect(page.$.testId("total-received")).toBe("1");
    expect(page.$.testId("total-inprogress")).toBe("1");
    expect(page.$.testId("total-completed")).toBe("0");
    expect(page.$.testId("category-water-received")).toBe("1");
    expect(page.$.testId(`month-${bangkokDateKey(fiscalYearRange(prev).start).slice(0, 7)}-received`)).toBe("1");
    expect(prevCase.reference).toMatch(new RegExp(`^${prev}-`));
    // open, past its deadline, not paused
    expect(page.$.testId("overdue-now")).toBe("1");
    expect(hrefOf(page, "total-received")).toBe(`/stats/cases?fy=${prev}`);
    // the sub-navigation keeps the selected year
    expect(page.text).toContain(`href="/stats/corruption?fy=${prev}"`);
    // …except the reports, which link to the index of published reports (a year's report is a 404 until approved).
    expect(page.text).toContain('href="/stats/report"');
    expect(page.text).not.toContain(`href="/stats/report/${prev}"`);
  });

  it("refuses a malformed or unavailable year with 400 and a message, never 500", async () => {
    for (const [q, message] of [
      ["abc", "ปีงบประมาณ «abc» ไม่ถูกต้อง"],
      ["2026", "ปีงบประมาณ «2026» ไม่ถูกต้อง"],
      ["25699", "ไม่ถูกต้อง"],
      [String(fy + 20), `ยังไม่มีสถิติของปีงบประมาณ ${fy + 20}`],
    ] as const) {
      for (const path of ["/stats", "/stats/corruption", "/stats/targets"]) {
        const res = await client().get(`${path}?fy=${encodeURIComponent(q)}`);
        expect(res.status, `${path}?fy=${q}`).toBe(400);
        expect(res.$.testId("stats-error")).toContain(message);
        expect(res.text).toContain(`href="/stats?fy=${fy}"`);
        expect(res.headers.get("cache-control")).toBe("no-store");
      }
    }
  });
});

describe("English", () => {
  it("/stats follows the language cookie", async () => {
    const en = client();
    en.cookies.set("lng", "en");
    const page = await en.get("/stats");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<html lang="en"/);
    expect(page.$.text()).toContain(`Complaint statistics, fiscal year ${fy}`);
    expect(page.$.testId("total-received")).toBe("3");
    expect(page.$.testId("category-summary")).toBe("3 complaints in all; the largest is Roads and footpaths (2, 66.7%).");
    expect(page.$.testId("as-of")).toMatch(/^Figures as of \d{1,2} [A-Z][a-z]+ \d{4} BE, \d{2}:\d{2}$/);
    expect(page.$.testId("satisfaction-share")).toBe("Not enough answers");
    expectChartsSafe(page, 9);
    const bad = await en.get("/stats?fy=abc");
    expect(bad.status).toBe(400);
    expect(bad.$.testId("stats-error")).toContain("The fiscal year “abc” is not valid");
  });

  it("/stats/corruption and /stats/targets in English", async () => {
    const en = client();
    en.cookies.set("lng", "en");
    const corruption = await en.get(`/stats/corruption?fy=${prev}`);
    expect(corruption.status).toBe(200);
    expect(corruption.$.testId("ita-year-remark")).toBe("No complaints");
    const targets = await en.get("/stats/targets");
    expect(targets.status).toBe(200);
    expect(targets.$.testId("target-m13")).toContain("No. 13");
    // the Thai original is quoted beside the translation
    expect(targets.$.testId("target-m13-published")).toBe(
      "ผู้บริหารท้องถิ่น สมาชิกสภาท้องถิ่น และบุคลากรขององค์การบริหารส่วนตำบลวังลึก ไม่มีเรื่องร้องเรียนเรื่องสินบน",
    );
    expect(targets.text).toMatch(/<q lang="th"/);
    expect(targets.$.testId("target-m13-verdict")).toMatch(/Met$/);
  });
});

describe("staff see the same figures linked to the staff queue", () => {
  it("a signed-in supervisor gets staff links and a page that is not cached", async () => {
    const staff = client();
    expect((await staff.login(sup.email, sup.password)).status).toBe(302);
    const page = await staff.get("/stats");
    expect(page.status).toBe(200);
    expect(page.$.testId("total-received")).toBe("3");
    expect(hrefOf(page, "total-received")).toBe(`/staff?status=all&fy=${fy}`);
    expect(hrefOf(page, "category-road-completed")).toBe(`/staff?status=all&fy=${fy}&category=${roadId}&state=closed`);
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    const targets = await staff.get("/stats/targets");
    expect(targets.headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("/stats/corruption", () => {
  it("shows the ITA table: months from October, quarters, the six-month round, the year; counts only", async () => {
    const page = await client().get("/stats/corruption");
    expect(page.status).toBe(200);
    expect(page.$.text()).toContain(`สถิติเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ ปีงบประมาณ ${fy}`);
    const table = page.$.testId("ita-table")!;
    const order = [
      "ตุลาคม",
      "พฤศจิกายน",
      "ธันวาคม",
      "รวมไตรมาสที่ 1",
      "มกราคม",
      "กุมภาพันธ์",
      "มีนาคม",
      "รวมไตรมาสที่ 2",
      "รวมรอบ 6 เดือน",
      "เมษายน",
      "รวมไตรมาสที่ 3",
      "กันยายน",
      "รวมไตรมาสที่ 4",
      `รวมทั้งปีงบประมาณ ${fy}`,
    ];
    let at = -1;
    for (const label of order) {
      const i = table.indexOf(label, at + 1);
      expect(i, label).toBeGreaterThan(at);
      at = i;
    }
    // The report filed today: received 1, in progress 1, in this month, its quarter and the year.
    expect(page.$.testId(`ita-${thisMonth}-received`)).toBe("1");
    expect(page.$.testId(`ita-${thisMonth}-inprogress`)).toBe("1");
    expect(page.$.testId(`ita-${thisMonth}-completed`)).toBe("0");
    // This month and the year are still running: their figures are so far, and the remark says so.
    expect(page.$.testId(`ita-${thisMonth}-remark`)).toBe("เดือน/ช่วงนี้ยังไม่สิ้นสุด (ตัวเลขถึงวันนี้)");
    expect(page.$.testId("ita-year-received")).toBe("1");
    expect(page.$.testId("ita-year-remark")).toBe("เดือน/ช่วงนี้ยังไม่สิ้นสุด (ตัวเลขถึงวันนี้)");
    // Months before this one had none (the portal holds records from the previous year, so they count as ended).
    const firstMonth = bangkokDateKey(fiscalYearRange(fy).start).slice(0, 7);
    if (firstMonth !== thisMonth) expect(page.$.testId(`ita-${firstMonth}-remark`)).toBe("ไม่มีเรื่องร้องเรียน");
    // September, when it has not come yet, shows dashes and says so.
    const lastMonth = `${String(Number(firstMonth.slice(0, 4)) + 1)}-09`;
    if (lastMonth !== thisMonth) {
      expect(page.$.testId(`ita-${lastMonth}-received`)).toBe("–");
      expect(page.$.testId(`ita-${lastMonth}-remark`)).toBe("ยังไม่ถึงช่วงเวลานี้");
    }
    // No list links for this channel, and the explanation of the columns.
    expect(table).toBeTruthy();
    const tableHtml = /<table[^>]*data-testid="ita-table"[\s\S]*?<\/table>/.exec(page.text)![0];
    expect(tableHtml).not.toContain("<a ");
    expect(page.text).not.toContain("/stats/cases");
    // What each column counts: the definitions of app/lib/stat-definitions.ts.
    expect(page.$.text()).toContain(definitionText("corruption_completed", "th"));
    expect(page.$.testId("outcome-substantiated")).toBe("0");
    expect(page.$.testId("outcome-referred")).toBe("0");
    // 1 report with no kind recorded yet: every kind cell is 0, which the small-cell rule allows.
    expect(page.$.testId("kinds-table")).toBeTruthy();
    expect(page.$.testId("kinds-withheld")).toBeNull();
    expect(page.text).toContain(`href="/stats/data/${fy}/corruption-by-month.csv"`);
    expectChartsSafe(page, 1);
  });

  it("says ไม่มีเรื่องร้องเรียน for every period of a year without reports", async () => {
    const page = await client().get(`/stats/corruption?fy=${prev}`);
    expect(page.status).toBe(200);
    const remarks = [...page.text.matchAll(/data-testid="ita-[^"]+-remark">([^<]*)</g)].map((m) => m[1]);
    expect(remarks).toHaveLength(12 + 4 + 1 + 1);
    expect(new Set(remarks)).toEqual(new Set(["ไม่มีเรื่องร้องเรียน"]));
    expect(page.$.testId("ita-h1-received")).toBe("0");
    expect(page.$.testId("ita-summary")).toBe(`ปีงบประมาณ ${prev} ไม่มีเรื่องร้องเรียนการทุจริต`);
  });
});

describe("/stats/targets", () => {
  let page: HttpResult;
  // A running year is compared over its whole months that have ended: look from the first day of next month, so the
  // month of today's filings has ended (on a date still inside the year, unless today is in September).
  const bkk = new Date(Date.now() + 7 * 3600_000);
  const nextMonth = new Date(Date.UTC(bkk.getUTCFullYear(), bkk.getUTCMonth() + 1, 1, 5, 0, 0)); // 12:00 Bangkok
  const stillRunning = fiscalYearOf(nextMonth) === fy;
  beforeAll(async () => {
    env.CLOCK_OFFSET_MS = String(nextMonth.getTime() - Date.now());
    await server.restart();
    page = await client().get(`/stats/targets?fy=${fy}`);
  });

  it("lists every measure with its published target, ลำดับที่ 13 to 28", () => {
    expect(page.status).toBe(200);
    const text = page.$.testId("targets-table")!;
    let at = -1;
    for (const n of [13, 15, 16, 17, 19, 20, 23, 24, 25, 28]) {
      const i = text.indexOf(`ลำดับที่ ${n}`, at + 1);
      expect(i, `ลำดับที่ ${n}`).toBeGreaterThan(at);
      at = i;
    }
    // quoted exactly as published, typos included
    expect(page.$.testId("target-m17_unfair-published")).toBe("จำนวนข้อร้องเรียนการให้บริการสาธารณะที่ไม่เป็นธรรม เลือกลงปฏิบัติลดลง");
    expect(page.$.testId("target-m25-published")).toBe("เรื่องร้องเรียนการทุจริต/คดีการทุจริตประพตติมิชอบขององค์การบริหารส่วนตำบลวังลึกลดลง");
    expect(page.$.testId("target-m24-published")).toBe("การทุจริตในองค์การบริหารส่วนตำบลวังลึกลดลงไม่ต่ำกว่าร้อยละ 10");
    expect(page.$.testId("target-m23_satisfaction-published")).toBe(
      "ประชาชนเกิดความพึงพอใจต่อการดำเนินการเรื่องร้องทุกข์/ร้องเรียนขององค์การบริหารส่วนตำบลวังลึก ไม่ต่ำกว่าร้อยละ 80",
    );
  });

  it("computes the indicators beside the previous year, with verdicts as text and symbol", () => {
    // General complaints received: 3 this year, 1 in the same stretch of the previous year (1 October).
    expect(page.$.testId("target-m20_service-current")).toBe("3");
    expect(page.$.testId("target-m20_service-previous")).toBe("1");
    expect(page.$.testId("target-m20_service-verdict")).toBe("✘ ไม่บรรลุเป้าหมาย");
    // Corruption reports: 1 against 0.
    expect(page.$.testId("target-m25-current")).toBe("1");
    expect(page.$.testId("target-m25-previous")).toBe("0");
    // Measure 28: complaints + tips, with the parts.
    expect(page.$.testId("target-m28-current")).toBe("4");
    expect(page.$.testId("target-m28-current-parts")).toBe("เรื่องร้องทุกข์ทั่วไป 3 · ช่องทางแจ้งเบาะแสการทุจริต 1");
    expect(page.$.testId("target-m28-verdict")).toBe("ℹ แสดงเพื่อทราบ");
    // No bribery cases: met, but provisional while the year runs.
    expect(page.$.testId("target-m13-current")).toBe("0");
    expect(page.$.testId("target-m13-verdict")).toBe("✔ บรรลุเป้าหมาย");
    if (stillRunning) expect(page.$.testId("target-m13-provisional")).toBe("ผลเบื้องต้น — ปีงบประมาณยังไม่สิ้นสุด");
    else expect(page.$.testId("target-m13-provisional")).toBeNull();
    // No satisfaction answers yet.
    expect(page.$.testId("target-m23_satisfaction-current")).toBe("ยังมีผู้ตอบไม่เพียงพอ");
    expect(page.$.testId("target-m23_satisfaction-verdict")).toBe("? ข้อมูลไม่เพียงพอ");
    // The symbol is decorative; the text carries the verdict.
    expect(page.text).toMatch(/<span aria-hidden="true">✘<\/span> (<!-- -->)?ไม่บรรลุเป้าหมาย/);
    if (stillRunning) expect(page.$.testId("targets-window")).toContain("เทียบเฉพาะเดือนที่ครบแล้ว");
    expect(page.$.text()).toContain("วิธีคำนวณ:");
  });

  it("links general-complaint counts to their list and carries no inline styles", () => {
    // Received complaints link to their list; counts by plan topic never do for the public (internal classification).
    expect(page.text).toMatch(new RegExp(`href="/stats/cases\\?fy=${fy}&amp;from=\\d{4}-10-01&amp;to=\\d{4}-\\d{2}-\\d{2}"`));
    expect(page.text).not.toMatch(/href="[^"]*topic=/);
    expect(page.text).not.toMatch(/<[a-z][^>]*\sstyle="/i);
    expect(page.headers.get("content-security-policy")).toContain("style-src 'self'");
    expect(page.text).toContain(`href="/stats/data/${fy}/targets.csv"`);
  });

  it("shows the previous year's scorecard with ?fy=", async () => {
    const old = await client().get(`/stats/targets?fy=${prev}`);
    expect(old.status).toBe(200);
    expect(old.$.testId("target-m20_service-current")).toBe("1");
    expect(old.$.testId("targets-window")).toBeNull();
    expect(old.$.testId("target-m20_service-provisional")).toBeNull();
  });
});
