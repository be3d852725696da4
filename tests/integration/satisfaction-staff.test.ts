/**
 * Satisfaction answers in the back office, black-box against the production server: the complainant's rating on the
 * staff case page (score, comment as plain text, Thai dates of the answer and of a change), the counter-service
 * answers at /staff/feedback (roles, fiscal-year filter, totals per score, 50 per page, bad parameters are 400 not 500),
 * and page titles that follow the visitor's language on the satisfaction, case-list and report pages.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, type FiledComplaint, type HttpResult } from "../helpers/http";
import { createAnyStaff, integrityLogin, totpAccount } from "../helpers/report";

let server: TestServer;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const users = {
  officer: { email: `works-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: "ช่างโยธา" },
  supervisor: { email: `sup-${tag}@wangluek.go.th`, role: "supervisor" as const, name: "ปลัด" },
  executive: { email: `exec-${tag}@wangluek.go.th`, role: "executive" as const, name: "นายก" },
  intake: { email: `desk-${tag}@wangluek.go.th`, role: "intake" as const, name: "ธุรการ" },
  admin: { email: `admin-${tag}@wangluek.go.th`, role: "admin" as const, name: "ผู้ดูแล" },
};
const integrityUser = { email: `int-${tag}@wangluek.go.th`, role: "integrity" as const, name: "ผู้รับผิดชอบ" };
let ipSeq = 0;
const newClient = () => new HttpClient(server.url, { ip: `10.61.0.${++ipSeq}` });
const clients: Record<keyof typeof users, HttpClient> = {} as Record<keyof typeof users, HttpClient>;
let caseA: FiledComplaint;
const COMMENT = `เจ้าหน้าที่มาเร็ว ${tag}\nแต่ควรแจ้งก่อนเข้ามาซ่อม <b>ขอบคุณ</b>`;

const THAI_MONTHS = [
  "มกราคม",
  "กุมภาพันธ์",
  "มีนาคม",
  "เมษายน",
  "พฤษภาคม",
  "มิถุนายน",
  "กรกฎาคม",
  "สิงหาคม",
  "กันยายน",
  "ตุลาคม",
  "พฤศจิกายน",
  "ธันวาคม",
];
/** "26 พฤศจิกายน 2569" for an ISO instant (Bangkok). */
function thaiDay(iso: string): string {
  const b = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  return `${b.getUTCDate()} ${THAI_MONTHS[b.getUTCMonth()]} ${b.getUTCFullYear() + 543}`;
}
const THAI_MONTHS_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];
/** "26 พ.ย. 2569" for an ISO instant (Bangkok). */
function thaiShortDay(iso: string): string {
  const b = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  return `${b.getUTCDate()} ${THAI_MONTHS_SHORT[b.getUTCMonth()]} ${b.getUTCFullYear() + 543}`;
}
/** Current fiscal year (BE) in Bangkok. */
function currentFy(): number {
  const b = new Date(Date.now() + 7 * 3600 * 1000);
  return (b.getUTCMonth() >= 9 ? b.getUTCFullYear() + 1 : b.getUTCFullYear()) + 543;
}

async function act(c: HttpClient, reference: string, fields: Record<string, string>): Promise<HttpResult> {
  const page = await c.get(`/staff/cases/${reference}`);
  expect(page.status).toBe(200);
  return c.postForm(`/staff/cases/${reference}`, { csrf: csrfOf(page), ...fields });
}

async function trackPost(fields: Record<string, string>): Promise<HttpResult> {
  const client = newClient();
  const page = await client.get("/track");
  return client.postForm("/track", { csrf: csrfOf(page), ...fields });
}

/** Posts counter answers through the real form, `perClient` per client address (the form is rate-limited per client). */
async function postCounterAnswers(answers: { service: string; score: string; comment: string }[], perClient = 10): Promise<void> {
  let c: HttpClient | null = null;
  let csrf = "";
  for (let i = 0; i < answers.length; i++) {
    if (i % perClient === 0) {
      c = newClient();
      csrf = csrfOf(await c.get("/feedback"));
    }
    const res = await c!.postForm("/feedback", { csrf, website: "", ...answers[i]! });
    expect(res.status, `answer ${i}`).toBe(302);
  }
}

function title(res: HttpResult): string {
  const m = /<title>([^<]*)<\/title>/.exec(res.text);
  return m ? m[1]! : "";
}

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  for (const [k, u] of Object.entries(users)) {
    await createStaffUser(server, { ...u, password: PASSWORD });
    const c = newClient();
    const login = await c.login(u.email, PASSWORD);
    expect(login.status, `login ${k}`).toBe(302);
    clients[k as keyof typeof users] = c;
  }
  await createAnyStaff(server, { ...integrityUser, password: PASSWORD });
  caseA = await fileComplaint(newClient(), { subject: `ไฟถนนดับ ${tag}`, category: "road" });
});

afterAll(async () => {
  await server?.stop();
});

describe("the complainant's rating on the staff case page", () => {
  it("shows nothing before the case is rated", async () => {
    const page = await clients.officer.get(`/staff/cases/${caseA.reference}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('data-testid="case-rating"');
  });

  it("shows the score, the comment as plain text and the Thai date of the answer", async () => {
    expect((await act(clients.officer, caseA.reference, { intent: "accept" })).status).toBe(302);
    expect((await act(clients.officer, caseA.reference, { intent: "resolve", resultSummary: `ซ่อมไฟถนนแล้ว ${tag}` })).status).toBe(302);
    const rated = await trackPost({ intent: "rate", reference: caseA.reference, code: caseA.trackingCode, score: "4", comment: COMMENT });
    expect(rated.status).toBe(200);
    const row = (await dbGet(
      server,
      "select r.comment, r.created_at, r.updated_at from case_ratings r join complaints c on c.id = r.complaint_id where c.reference = ?",
      caseA.reference,
    ))!;
    expect(row.comment).toBe(COMMENT);

    const page = await clients.officer.get(`/staff/cases/${caseA.reference}`);
    expect(page.status).toBe(200);
    expect(page.$.testIdAttr("case-rating", "data-score")).toBe("4");
    expect(page.$.testId("case-rating-score")).toBe("4 จาก 5 – พอใจ");
    // Plain text (escaped), line breaks kept by the pre-line style.
    expect(page.text).toMatch(
      /<dd class="pre-line" data-testid="case-rating-comment">เจ้าหน้าที่มาเร็ว [0-9a-f]{8}\nแต่ควรแจ้งก่อนเข้ามาซ่อม &lt;b&gt;ขอบคุณ&lt;\/b&gt;<\/dd>/,
    );
    expect(page.text).not.toContain("<b>ขอบคุณ</b>");
    expect(page.$.testId("case-rating-given")).toContain(thaiDay(row.created_at));
    expect(page.$.testId("case-rating-given")).toMatch(/เวลา \d{2}:\d{2} น\.$/);
    expect(page.text).not.toContain('data-testid="case-rating-changed"');
    expect(page.$.text()).toContain("ความพึงพอใจของผู้ร้อง");
  });

  it("a changed answer shows the new score and when it was changed; every role that can open the case sees it", async () => {
    await new Promise((r) => setTimeout(r, 5));
    const changed = await trackPost({ intent: "rate", reference: caseA.reference, code: caseA.trackingCode, score: "2", comment: "" });
    expect(changed.status).toBe(200);
    const row = (await dbGet(
      server,
      "select r.updated_at from case_ratings r join complaints c on c.id = r.complaint_id where c.reference = ?",
      caseA.reference,
    ))!;
    for (const k of ["officer", "supervisor", "executive", "intake", "admin"] as const) {
      const page = await clients[k].get(`/staff/cases/${caseA.reference}`);
      expect(page.status, k).toBe(200);
      expect(page.$.testId("case-rating-score"), k).toBe("2 จาก 5 – ไม่พอใจ");
      expect(page.text, k).not.toContain('data-testid="case-rating-comment"');
      expect(page.$.testId("case-rating-changed"), k).toContain(thaiDay(row.updated_at));
    }
  });

  it("is shown in English for English-speaking staff", async () => {
    const c = clients.supervisor;
    c.cookies.set("lng", "en");
    try {
      const page = await c.get(`/staff/cases/${caseA.reference}`);
      expect(page.$.testId("case-rating-score")).toBe("2 out of 5 – Dissatisfied");
      expect(page.$.text()).toContain("Complainant's satisfaction");
      expect(page.$.testId("case-rating-given")).toMatch(/ \d{4} BE, \d{2}:\d{2}$/);
    } finally {
      c.cookies.delete("lng");
    }
  });
});

describe("/staff/feedback", () => {
  const fy = currentFy();
  const answers = [
    ...Array.from({ length: 52 }, (_, i) => ({ service: i % 2 ? "tax" : "water", score: String((i % 5) + 1), comment: "" })),
    { service: "welfare", score: "5", comment: `บริการรวดเร็วมาก ${tag}\nขอบคุณ <i>ครับ</i>` },
  ];

  beforeAll(async () => {
    await postCounterAnswers(answers);
    const rows = await dbAll(server, "select count(*) as n from counter_feedback where fiscal_year = ?", fy);
    expect(rows[0]!.n).toBe(answers.length);
  });

  it("lists the newest answers first with date, service name, score and comment, and the year's totals per score", async () => {
    const res = await clients.supervisor.get("/staff/feedback");
    expect(res.status).toBe(200);
    expect(title(res)).toBe("ผลประเมินความพึงพอใจการให้บริการ · Sujarit");
    expect(res.text).toMatch(/<select id="f-fy" name="fy">[\s\S]*?<option value="\d{4}" selected="">/);
    expect(res.text).toContain(`<option value="${fy}" selected="">ปีงบประมาณ ${fy}</option>`);
    const rows = [...res.text.matchAll(/<tr data-testid="feedback-row"[^>]*>([\s\S]*?)<\/tr>/g)];
    expect(rows).toHaveLength(50);
    // Newest first: the commented answer was the last one posted.
    const firstRow = rows[0]![0];
    expect(firstRow).toContain('data-service="welfare"');
    expect(firstRow).toContain("สวัสดิการ เบี้ยยังชีพผู้สูงอายุ ผู้พิการ ผู้ป่วยเอดส์");
    expect(firstRow).toContain("5 – พอใจมาก");
    expect(firstRow).toContain(`<td class="pre-line">บริการรวดเร็วมาก ${tag}\nขอบคุณ &lt;i&gt;ครับ&lt;/i&gt;</td>`);
    const created = (await dbGet(server, "select created_at from counter_feedback where service = 'welfare'"))!.created_at;
    expect(firstRow).toContain(`<td>${thaiShortDay(created)} เวลา `);
    expect(res.$.text()).toContain("น้ำประปาและสาธารณสุข");
    // Totals of the year: 52 answers cycling 1..5 plus one 5.
    const expected: Record<string, number> = { "1": 11, "2": 11, "3": 10, "4": 10, "5": 11 };
    for (const s of ["1", "2", "3", "4", "5"]) expect(res.$.testId(`feedback-total-${s}`), `score ${s}`).toBe(String(expected[s]));
    expect(res.$.testId("feedback-total")).toBe("53");
    expect(res.$.testId("feedback-satisfied")).toContain("21 จาก 53");
    expect(res.$.testId("feedback-showing")).toContain("1–50");
    expect(res.$.testId("feedback-pager")).toContain("หน้า 1 จาก 2");
    expect(res.text).toContain(`href="/staff/feedback?fy=${fy}&amp;page=2"`);
  });

  it("the second page has the oldest answers and a link back", async () => {
    const res = await clients.supervisor.get(`/staff/feedback?fy=${fy}&page=2`);
    expect(res.status).toBe(200);
    const rows = [...res.text.matchAll(/<tr data-testid="feedback-row"/g)];
    expect(rows).toHaveLength(3);
    expect(res.$.testId("feedback-showing")).toContain("51–53");
    expect(res.text).toContain(`href="/staff/feedback?fy=${fy}"`);
    // A page after the last one shows the last page.
    const beyond = await clients.supervisor.get(`/staff/feedback?fy=${fy}&page=999`);
    expect(beyond.status).toBe(200);
    expect(beyond.$.testId("feedback-showing")).toContain("51–53");
  });

  it("another fiscal year has its own (empty) totals", async () => {
    const res = await clients.supervisor.get(`/staff/feedback?fy=${fy - 1}`);
    expect(res.status).toBe(200);
    expect(res.$.testId("feedback-total")).toBe("0");
    expect(res.$.testId("feedback-empty")).toContain("ยังไม่มีผู้ตอบแบบประเมิน");
    expect(res.text).toContain(`<option value="${fy - 1}" selected="">`);
  });

  it("bad paging or year parameters are a 400 with a Thai explanation, never a 500", async () => {
    for (const q of [
      "page=abc",
      "page=0",
      "page=-1",
      "page=1.5",
      "page=99999999999",
      "page=%00",
      "page=x&page=1",
      "fy=abc",
      "fy=25691",
      "fy=1999",
      "fy=9999",
      `fy=${fy}&page=`,
    ]) {
      const res = await clients.supervisor.get(`/staff/feedback?${q}`);
      if (q.endsWith("page=")) {
        expect(res.status, q).toBe(200);
        continue;
      }
      expect(res.status, q).toBeGreaterThanOrEqual(400);
      expect(res.status, q).toBeLessThan(500);
      expect(res.$.text(), q).toMatch(/เลขหน้าไม่ถูกต้อง|ปีงบประมาณไม่ถูกต้อง/);
    }
  });

  it("admins, executives and intake staff may read it; officers and integrity officers may not", async () => {
    for (const k of ["admin", "executive", "intake"] as const) {
      const res = await clients[k].get("/staff/feedback");
      expect(res.status, k).toBe(200);
      expect(res.text, k).toContain('data-testid="feedback-list"');
    }
    const officer = await clients.officer.get("/staff/feedback");
    expect(officer.status).toBe(403);
    expect(officer.text).not.toContain('data-testid="feedback-list"');
    expect(officer.text).not.toContain(tag);

    const integrity = newClient();
    await integrityLogin(integrity, totpAccount(integrityUser.email, PASSWORD));
    const res = await integrity.get("/staff/feedback");
    expect(res.status).toBe(403);
    expect(res.text).not.toContain(tag);

    const anonymous = await newClient().get("/staff/feedback");
    expect(anonymous.status).toBe(302);
    expect(new URL(anonymous.location!).pathname).toBe("/staff/login");
  });

  it("the staff menu links to it for the same roles only", async () => {
    for (const k of ["admin", "supervisor", "executive", "intake"] as const) {
      const res = await clients[k].get("/staff/reports");
      expect(res.text, k).toMatch(/<a[^>]*href="\/staff\/feedback"[^>]*>ผลประเมินความพึงพอใจ<\/a>/);
    }
    const officer = await clients.officer.get("/staff/reports");
    expect(officer.status).toBe(200);
    expect(officer.text).not.toContain('href="/staff/feedback"');
  });

  it("is in English for English-speaking staff", async () => {
    const c = clients.executive;
    c.cookies.set("lng", "en");
    try {
      const res = await c.get("/staff/feedback");
      expect(title(res)).toBe("Service satisfaction answers · Sujarit");
      expect(res.$.text()).toContain("Water supply and public health");
      expect(res.$.text()).toContain("5 – Very satisfied");
      expect(res.text).toContain(`Fiscal year ${fy} BE`);
    } finally {
      c.cookies.delete("lng");
    }
  });
});

describe("page titles follow the visitor's language", () => {
  const fy = currentFy();
  const pages: { path: string; client: () => HttpClient; th: string; en: string }[] = [
    {
      path: "/feedback",
      client: () => newClient(),
      th: "ประเมินความพึงพอใจการให้บริการ · Sujarit",
      en: "Service satisfaction survey · Sujarit",
    },
    { path: "/feedback/thanks", client: () => newClient(), th: "ขอบคุณ · Sujarit", en: "Thank you · Sujarit" },
    {
      path: "/feedback/poster",
      client: () => newClient(),
      th: "โปสเตอร์แบบประเมินความพึงพอใจ · Sujarit",
      en: "Satisfaction survey poster · Sujarit",
    },
    { path: "/track/rate", client: () => newClient(), th: "ประเมินความพึงพอใจ · Sujarit", en: "Rate our service · Sujarit" },
    {
      path: `/stats/cases?fy=${fy}`,
      client: () => newClient(),
      th: "รายการเรื่องตามสถิติ · Sujarit",
      en: "Cases behind the statistics · Sujarit",
    },
    { path: "/stats/cases", client: () => newClient(), th: "รายการเรื่องตามสถิติ · Sujarit", en: "Cases behind the statistics · Sujarit" },
    {
      path: "/staff/reports",
      client: () => clients.intake,
      th: "รายงานผลการดำเนินงาน · Sujarit",
      en: "Complaint handling reports · Sujarit",
    },
    {
      path: `/staff/reports/${fy}/h1`,
      client: () => clients.intake,
      th: `รายงานรอบ 6 เดือน (ตุลาคม – มีนาคม) ปีงบประมาณ ${fy} · Sujarit`,
      en: `Report (six-month round (October – March)), fiscal year ${fy} BE · Sujarit`,
    },
  ];
  for (const p of pages) {
    it(p.path, async () => {
      const c = p.client();
      c.cookies.delete("lng");
      const th = await c.get(p.path);
      expect(th.status, p.path).toBeLessThan(500);
      expect(title(th)).toBe(p.th);
      c.cookies.set("lng", "en");
      try {
        const en = await c.get(p.path);
        expect(title(en)).toBe(p.en);
      } finally {
        c.cookies.delete("lng");
      }
    });
  }
});
