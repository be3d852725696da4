/**
 * Satisfaction survey, black-box against the production server with a real SMTP server (plan measures 17 and 23):
 * rating a closed case on /track (re-verified reference + tracking code, one answer per case, changeable for 30 days),
 * the rating link in the result e-mail (/track/rate#t=…, only for that case, expires), the counter-service form
 * /feedback (CSRF, honeypot, 422 in Thai) and its printable poster with a QR code; rows and rating_stats checked.
 * The 30-day rule is checked by restarting the server with CLOCK_OFFSET_MS.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { HttpClient, csrfOf, fileComplaint, type FiledComplaint, type HttpResult } from "../helpers/http";

const DAY = 24 * 3600 * 1000;
let server: TestServer;
let smtp: TestSmtp;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const officer = { email: `works-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: "ช่างโยธา" };
const supervisor = { email: `sup-${tag}@wangluek.go.th`, role: "supervisor" as const, name: "ปลัด" };
const env: Record<string, string> = {};
let ipSeq = 0;
const newClient = () => new HttpClient(server.url, { ip: `10.57.0.${++ipSeq}` });

const emailA = `rate-a-${tag}@example.th`;
const emailB = `rate-b-${tag}@example.th`;
let caseA: FiledComplaint; // resolved
let caseB: FiledComplaint; // forwarded
let idA = 0;
let idB = 0;
let tokenA = "";
let tokenB = "";
let works: HttpClient;
let sup: HttpClient;

async function act(c: HttpClient, reference: string, fields: Record<string, string>): Promise<HttpResult> {
  const page = await c.get(`/staff/cases/${reference}`);
  expect(page.status).toBe(200);
  return c.postForm(`/staff/cases/${reference}`, { csrf: csrfOf(page), ...fields });
}

/** A fresh visitor: opens /track (for the CSRF cookie) and posts the given fields. */
async function trackPost(fields: Record<string, string>, client = newClient()): Promise<HttpResult> {
  const page = await client.get("/track");
  return client.postForm("/track", { csrf: csrfOf(page), ...fields });
}

async function ratingRow(id: number) {
  return dbGet(server, "select score, comment, created_at, updated_at from case_ratings where complaint_id = ?", id);
}

/** Case answers counted in rating_stats for the cases' fiscal year, by score (both test cases are in one year). */
async function caseRatingStats() {
  const fy = await dbAll(server, "select distinct fiscal_year from complaints where id in (?, ?)", idA, idB);
  expect(fy).toHaveLength(1);
  return dbAll(
    server,
    "select score, sum(n) as n from rating_stats where source = 'case' and fiscal_year = ? group by score having sum(n) <> 0 order by score",
    fy[0]!.fiscal_year,
  );
}

function tokenFrom(text: string): string {
  const m = /\/track\/rate#t=([A-Za-z0-9_-]{43})/.exec(text);
  if (!m) throw new Error(`no rating link in:\n${text.slice(0, 2000)}`);
  return m[1]!;
}

beforeAll(async () => {
  smtp = await startSmtp();
  Object.assign(env, { SMTP_URL: smtp.url, TRUSTED_PROXIES: "127.0.0.1" });
  server = await startServer({ env });
  await createStaffUser(server, { ...officer, password: PASSWORD });
  await createStaffUser(server, { ...supervisor, password: PASSWORD });
  caseA = await fileComplaint(newClient(), { subject: `ไฟถนนดับ ${tag}`, contactEmail: emailA, category: "road" });
  caseB = await fileComplaint(newClient(), { subject: `ถนนทางหลวงพัง ${tag}`, contactEmail: emailB, category: "road" });
  idA = (await dbGet(server, "select id from complaints where reference = ?", caseA.reference))!.id;
  idB = (await dbGet(server, "select id from complaints where reference = ?", caseB.reference))!.id;
  works = newClient();
  const login = await works.login(officer.email, PASSWORD);
  expect(login.status).toBe(302);
  sup = newClient();
  expect((await sup.login(supervisor.email, PASSWORD)).status).toBe(302);
});

afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

describe("an open case cannot be rated", () => {
  it("shows no rating form and refuses a rating post with 409", async () => {
    const look = await trackPost({ reference: caseA.reference, code: caseA.trackingCode });
    expect(look.status).toBe(200);
    expect(look.$.testIdAttr("case-status", "data-status")).toBe("received");
    expect(look.text).not.toContain('data-testid="rating-form"');
    const res = await trackPost({ intent: "rate", reference: caseA.reference, code: caseA.trackingCode, score: "5", comment: "" });
    expect(res.status).toBe(409);
    expect(res.$.text()).toContain("เรื่องนี้ยังดำเนินการไม่เสร็จ");
    expect(await ratingRow(idA)).toBeUndefined();
    expect(await dbAll(server, "select * from rating_tokens where complaint_id in (?, ?)", idA, idB)).toEqual([]);
  });
});

describe("closing cases sends the rating link", () => {
  it("the result e-mail of a resolved case has a /track/rate# link whose hash is stored", async () => {
    expect((await act(works, caseA.reference, { intent: "accept" })).status).toBe(302);
    expect((await act(works, caseA.reference, { intent: "resolve", resultSummary: `ซ่อมไฟถนนแล้ว ${tag}` })).status).toBe(302);
    const mail = await smtp.waitFor(
      (m) => m.to.includes(emailA) && m.subject.includes(caseA.reference) && m.text.includes("/track/rate#t="),
    );
    tokenA = tokenFrom(mail.text);
    expect(mail.text).toContain(`${server.url}/track/rate#t=${tokenA}`);
    expect(mail.html).toContain(`${server.url}/track/rate#t=${tokenA}`);
    expect(mail.text).toContain("ประเมินความพึงพอใจ");
    expect(mail.text).toContain("Please rate");
    const rows = await dbAll(server, "select token_hash, created_at, expires_at from rating_tokens where complaint_id = ?", idA);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(crypto.createHash("sha256").update(tokenA).digest("hex"));
    expect(Date.parse(rows[0]!.expires_at) - Date.parse(rows[0]!.created_at)).toBe(60 * DAY);
    // The token itself is stored nowhere in the clear and never logged.
    expect(server.logs()).not.toContain(tokenA);
    const plain = await dbAll(server, "select count(*) as n from notices where body like ?", `%${tokenA}%`);
    expect(plain[0]!.n).toBe(0);
  });

  it("a forwarded case's e-mail has its own link", async () => {
    expect((await act(works, caseB.reference, { intent: "forward", forwardedTo: `แขวงทางหลวงชนบท ${tag}` })).status).toBe(302);
    const mail = await smtp.waitFor(
      (m) => m.to.includes(emailB) && m.subject.includes(caseB.reference) && m.text.includes("/track/rate#t="),
    );
    tokenB = tokenFrom(mail.text);
    expect(tokenB).not.toBe(tokenA);
    expect(
      await dbAll(server, "select complaint_id from rating_tokens where complaint_id in (?, ?) order by complaint_id", idA, idB),
    ).toEqual([{ complaint_id: idA }, { complaint_id: idB }]);
  });
});

describe("rating on /track", () => {
  it("a closed case shows the rating form with the credentials as hidden fields", async () => {
    const res = await trackPost({ reference: caseA.reference, code: caseA.trackingCode });
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-testid="rating-form"');
    expect(res.$.inputValue("intent")).toBe("rate");
    expect(res.$.inputValue("reference")).toBe(caseA.reference);
    expect(res.$.inputValue("code")).toBe(caseA.trackingCode);
    expect(res.text).toMatch(/<fieldset[^>]*id="f-score"[\s\S]*?<legend>/);
    for (const s of ["1", "2", "3", "4", "5"]) expect(res.text).toMatch(new RegExp(`<input type="radio" name="score"[^>]* value="${s}"`));
    expect(res.text).not.toMatch(/name="score"[^>]*checked/);
    expect(res.$.text()).toContain("1 – ไม่พอใจมาก");
    expect(res.$.text()).toContain("5 – พอใจมาก");
  });

  it("saves the first answer, shows it with the date until which it can be changed, and counts it", async () => {
    const res = await trackPost({
      intent: "rate",
      reference: caseA.reference,
      code: caseA.trackingCode,
      score: "4",
      comment: "  เจ้าหน้าที่มาเร็ว  ",
    });
    expect(res.status).toBe(200);
    expect(res.$.testId("rating-saved")).toContain("บันทึกคำตอบของท่านแล้ว");
    expect(res.$.testIdAttr("rating-current", "data-score")).toBe("4");
    expect(res.$.testId("rating-comment")).toBe("เจ้าหน้าที่มาเร็ว");
    const row = await ratingRow(idA);
    expect(row).toMatchObject({ score: 4, comment: "เจ้าหน้าที่มาเร็ว" });
    expect(row!.created_at).toBe(row!.updated_at);
    // "until" = first answer + 30 days, as a Buddhist-calendar date.
    const until = new Date(Date.parse(row!.created_at) + 30 * DAY + 7 * 3600 * 1000);
    const thaiMonths = [
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
    const expected = `${until.getUTCDate()} ${thaiMonths[until.getUTCMonth()]} ${until.getUTCFullYear() + 543}`;
    expect(res.$.testId("rating-until")).toContain(`ท่านแก้ไขคำตอบได้จนถึง ${expected}`);
    // Prefilled form for a change.
    expect(res.text).toMatch(/<input type="radio" name="score"[^>]* checked=""[^>]* value="4"/);
    expect(await caseRatingStats()).toEqual([{ score: 4, n: 1 }]);
  });

  it("a later lookup shows the saved answer prefilled; changing it updates the row and the statistics", async () => {
    const look = await trackPost({ reference: caseA.reference, code: caseA.trackingCode });
    expect(look.$.testIdAttr("rating-current", "data-score")).toBe("4");
    expect(look.text).toMatch(/<input type="radio" name="score"[^>]* checked=""[^>]* value="4"/);
    const before = await ratingRow(idA);
    await new Promise((r) => setTimeout(r, 5));
    const res = await trackPost({ intent: "rate", reference: caseA.reference, code: caseA.trackingCode, score: "2", comment: "" });
    expect(res.status).toBe(200);
    expect(res.$.testIdAttr("rating-current", "data-score")).toBe("2");
    const after = await ratingRow(idA);
    expect(after).toMatchObject({ score: 2, comment: "", created_at: before!.created_at });
    expect(after!.updated_at > before!.updated_at).toBe(true);
    expect(await dbAll(server, "select count(*) as n from case_ratings where complaint_id = ?", idA)).toEqual([{ n: 1 }]);
    expect(await caseRatingStats()).toEqual([{ score: 2, n: 1 }]);
  });

  it("a wrong tracking code is refused (404) and counts as a failed lookup; nothing changes", async () => {
    const wrong = caseA.trackingCode.replace(/^./, (ch) => (ch === "A" ? "B" : "A"));
    const res = await trackPost({ intent: "rate", reference: caseA.reference, code: wrong, score: "5", comment: "" });
    expect(res.status).toBe(404);
    expect(res.$.text()).toContain("ไม่พบเรื่องที่ตรงกับเลขที่เรื่องและรหัสติดตามนี้");
    expect(res.text).not.toContain('data-testid="rating-form"');
    expect(await ratingRow(idA)).toMatchObject({ score: 2 });
  });

  it("the same throttle as lookups applies to rating posts", async () => {
    const c = newClient();
    const wrong = "ZZZZ-ZZZZ-ZZZZ";
    for (let i = 0; i < 10; i++) expect((await trackPost({ reference: caseA.reference, code: wrong }, c)).status).toBe(404);
    const res = await trackPost({ intent: "rate", reference: caseA.reference, code: caseA.trackingCode, score: "5", comment: "" }, c);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await ratingRow(idA)).toMatchObject({ score: 2 });
  });

  it("bad input is refused with 422 and a Thai error summary; nothing changes", async () => {
    for (const score of ["", "0", "6", "4.5", "สี่"]) {
      const res = await trackPost({ intent: "rate", reference: caseA.reference, code: caseA.trackingCode, score, comment: "" });
      expect(res.status, `score ${JSON.stringify(score)}`).toBe(422);
      expect(res.text).toContain('class="error-summary"');
      expect(res.$.text()).toContain("กรุณาเลือกระดับความพึงพอใจ 1 ถึง 5");
    }
    const long = await trackPost({
      intent: "rate",
      reference: caseA.reference,
      code: caseA.trackingCode,
      score: "5",
      comment: "ก".repeat(1001),
    });
    expect(long.status).toBe(422);
    expect(long.$.text()).toContain("ไม่เกิน 1000 ตัวอักษร");
    const okLen = await trackPost({
      intent: "rate",
      reference: caseA.reference,
      code: caseA.trackingCode,
      score: "2",
      comment: "ข".repeat(1000),
    });
    expect(okLen.status).toBe(200);
    expect((await ratingRow(idA))!.comment).toBe("ข".repeat(1000));
    const restore = await trackPost({ intent: "rate", reference: caseA.reference, code: caseA.trackingCode, score: "2", comment: "" });
    expect(restore.status).toBe(200);
    // English visitors get English messages.
    const en = newClient();
    en.cookies.set("lng", "en");
    const enRes = await trackPost({ intent: "rate", reference: caseA.reference, code: caseA.trackingCode, score: "9", comment: "" }, en);
    expect(enRes.status).toBe(422);
    expect(enRes.$.text()).toContain("Please choose a satisfaction level from 1 to 5");
  });

  it("a post without the CSRF token is refused", async () => {
    const c = newClient();
    await c.get("/track");
    const res = await c.postForm("/track", { intent: "rate", reference: caseA.reference, code: caseA.trackingCode, score: "5" });
    expect(res.status).toBe(403);
    expect(await ratingRow(idA)).toMatchObject({ score: 2 });
  });
});

describe("the rating link page /track/rate", () => {
  it("moves the fragment token into the form with a nonce'd script and explains the no-JavaScript way", async () => {
    const c = newClient();
    const page = await c.get("/track/rate");
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    // The page's own script (the first nonce'd one in <head> starts fetching the page's strings: root.tsx).
    const script = [
      ...page.text.matchAll(new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, (ch) => "\\" + ch)}">([\\s\\S]*?)</script>`, "g")),
    ].find((m) => m[1].includes("rate-token"));
    expect(script, "inline script with the request's nonce").toBeTruthy();
    expect(script![1]).toContain("rate-token");
    expect(script![1]).toContain("replaceState");
    expect(page.text).toMatch(/<input type="hidden" name="t" id="rate-token"\/?>/);
    expect(page.text).toContain("<noscript>");
    expect(page.text).toContain('href="/track"');
    expect(page.$.text()).toContain("ติดตามเรื่อง");
    expect(page.text).toMatch(/<fieldset[^>]*id="f-score"/);
  });

  it("a valid token rates exactly its own case", async () => {
    const c = newClient();
    const page = await c.get("/track/rate");
    const res = await c.postForm("/track/rate", { csrf: csrfOf(page), t: tokenB, score: "5", comment: "ส่งต่อได้ถูกหน่วยงาน" });
    expect(res.status).toBe(200);
    expect(res.$.testId("rated-reference")).toBe(caseB.reference);
    expect(res.$.testIdAttr("rating-current", "data-score")).toBe("5");
    expect(await ratingRow(idB)).toMatchObject({ score: 5, comment: "ส่งต่อได้ถูกหน่วยงาน" });
    expect(await ratingRow(idA)).toMatchObject({ score: 2 }); // the other case is untouched
    expect(await caseRatingStats()).toEqual([
      { score: 2, n: 1 },
      { score: 5, n: 1 },
    ]);
    // Token A changes case A only.
    const resA = await c.postForm("/track/rate", { csrf: csrfOf(page), t: tokenA, score: "3", comment: "" });
    expect(resA.status).toBe(200);
    expect(resA.$.testId("rated-reference")).toBe(caseA.reference);
    expect(await ratingRow(idA)).toMatchObject({ score: 3 });
    expect(await ratingRow(idB)).toMatchObject({ score: 5 });
    expect(await caseRatingStats()).toEqual([
      { score: 3, n: 1 },
      { score: 5, n: 1 },
    ]);
    expect(server.logs()).not.toContain(tokenA);
    expect(server.logs()).not.toContain(tokenB);
  });

  it("unknown or missing tokens get a friendly 4xx page; bad input is 422 and keeps the token", async () => {
    const c = newClient();
    const page = await c.get("/track/rate");
    const unknown = await c.postForm("/track/rate", { csrf: csrfOf(page), t: crypto.randomBytes(32).toString("base64url"), score: "5" });
    expect(unknown.status).toBe(404);
    expect(unknown.$.testId("bad-link")).toContain("ลิงก์ประเมินนี้ไม่ถูกต้องหรือหมดอายุแล้ว");
    expect(unknown.text).toContain('href="/track"');
    const missing = await c.postForm("/track/rate", { csrf: csrfOf(page), t: "", score: "5" });
    expect(missing.status).toBe(400);
    expect(missing.$.testId("bad-link")).toBeTruthy();
    const bad = await c.postForm("/track/rate", { csrf: csrfOf(page), t: tokenB, score: "" });
    expect(bad.status).toBe(422);
    expect(bad.$.text()).toContain("กรุณาเลือกระดับความพึงพอใจ 1 ถึง 5");
    expect(bad.$.inputValue("t")).toBe(tokenB);
    const noCsrf = await c.postForm("/track/rate", { t: tokenB, score: "1" });
    expect(noCsrf.status).toBe(403);
    expect(await ratingRow(idB)).toMatchObject({ score: 5 });
  });

  it("a reopened case cannot be rated until it is closed again (409)", async () => {
    expect((await act(sup, caseA.reference, { intent: "reopen" })).status).toBe(302);
    const c = newClient();
    const page = await c.get("/track/rate");
    const res = await c.postForm("/track/rate", { csrf: csrfOf(page), t: tokenA, score: "5" });
    expect(res.status).toBe(409);
    expect(res.$.text()).toContain("เรื่องนี้ยังดำเนินการไม่เสร็จ");
    expect(await ratingRow(idA)).toMatchObject({ score: 3 });
    const look = await trackPost({ reference: caseA.reference, code: caseA.trackingCode });
    expect(look.text).not.toContain('data-testid="rating-section"');
    expect((await act(works, caseA.reference, { intent: "resolve", resultSummary: `ซ่อมซ้ำแล้ว ${tag}` })).status).toBe(302);
    // Closing again sends a new link; the rating itself stays one row.
    await smtp.waitFor((m) => m.to.includes(emailA) && m.text.includes("/track/rate#t=") && !m.text.includes(tokenA));
    expect(await dbAll(server, "select count(*) as n from rating_tokens where complaint_id = ?", idA)).toEqual([{ n: 2 }]);
  });
});

describe("counter feedback /feedback", () => {
  it("stores an answer and redirects to the thanks page (PRG); the statistics count it", async () => {
    const c = newClient();
    const page = await c.get("/feedback");
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="service"');
    expect(page.text).toContain('value="welfare"');
    expect(page.$.text()).toContain("เบี้ยยังชีพ");
    expect(page.$.inputValue("website")).toBe("");
    const before = await dbAll(server, "select coalesce(sum(n), 0) as n from rating_stats where source = 'counter' and score = 5");
    const res = await c.postForm("/feedback", { csrf: csrfOf(page), website: "", service: "welfare", score: "5", comment: "บริการรวดเร็ว" });
    expect(res.status).toBe(302);
    expect(new URL(res.location!).pathname).toBe("/feedback/thanks");
    const thanks = await c.get("/feedback/thanks");
    expect(thanks.status).toBe(200);
    expect(thanks.$.testId("feedback-thanks")).toContain("บันทึกคำตอบของท่านแล้ว");
    const rows = await dbAll(server, "select service, score, comment, fiscal_year, created_at from counter_feedback");
    expect(rows).toHaveLength(1);
    const created = new Date(rows[0]!.created_at);
    const bkk = new Date(created.getTime() + 7 * 3600 * 1000);
    const fy = (bkk.getUTCMonth() >= 9 ? bkk.getUTCFullYear() + 1 : bkk.getUTCFullYear()) + 543;
    expect(rows[0]).toMatchObject({ service: "welfare", score: 5, comment: "บริการรวดเร็ว", fiscal_year: fy });
    const after = await dbAll(
      server,
      "select coalesce(sum(n), 0) as n from rating_stats where source = 'counter' and score = 5 and fiscal_year = ?",
      fy,
    );
    expect(after[0]!.n - before[0]!.n).toBe(1);
  });

  it("bad input returns 422 with the Thai error summary and keeps the choices; nothing stored", async () => {
    const c = newClient();
    const page = await c.get("/feedback");
    const res = await c.postForm("/feedback", {
      csrf: csrfOf(page),
      website: "",
      service: "lottery",
      score: "9",
      comment: "ค".repeat(1001),
    });
    expect(res.status).toBe(422);
    const text = res.$.text();
    expect(text).toContain("กรุณาแก้ไขข้อมูล 3 รายการ");
    expect(text).toContain("กรุณาเลือกบริการจากรายการ");
    expect(text).toContain("กรุณาเลือกระดับความพึงพอใจ 1 ถึง 5");
    expect(text).toContain("ไม่เกิน 1000 ตัวอักษร");
    const res2 = await c.postForm("/feedback", { csrf: csrfOf(page), website: "", service: "tax", comment: "ดี" });
    expect(res2.status).toBe(422);
    expect(res2.text).toMatch(/<option value="tax" selected="">/);
    expect(await dbAll(server, "select count(*) as n from counter_feedback")).toEqual([{ n: 1 }]);
  });

  it("the honeypot and a missing CSRF token are refused; nothing stored", async () => {
    const c = newClient();
    const page = await c.get("/feedback");
    const bot = await c.postForm("/feedback", { csrf: csrfOf(page), website: "http://spam.example", service: "tax", score: "5" });
    expect(bot.status).toBe(400);
    const noCsrf = await c.postForm("/feedback", { website: "", service: "tax", score: "5" });
    expect(noCsrf.status).toBe(403);
    const wrongCsrf = await c.postForm("/feedback", { csrf: "x".repeat(43), website: "", service: "tax", score: "5" });
    expect(wrongCsrf.status).toBe(403);
    expect(await dbAll(server, "select count(*) as n from counter_feedback")).toEqual([{ n: 1 }]);
  });

  it("limits answers per client (429 with Retry-After)", async () => {
    const c = newClient();
    const page = await c.get("/feedback");
    // 12 answers an hour per address (the earlier tests of this file used some of them from the same address).
    let last: HttpResult | undefined;
    let saved = 0;
    for (let i = 0; i < 20; i++) {
      last = await c.postForm("/feedback", { csrf: csrfOf(page), website: "", service: "other", score: "3" });
      if (last.status !== 302) break;
      saved++;
    }
    expect(last!.status).toBe(429);
    expect(last!.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(saved).toBeGreaterThan(0);
    expect(saved).toBeLessThanOrEqual(12);
    expect(await dbAll(server, "select count(*) as n from counter_feedback where service = 'other'")).toEqual([{ n: saved }]);
  });

  it("the poster has the organisation, a server-side SVG QR code and the address in text", async () => {
    const res = await newClient().get("/feedback/poster");
    expect(res.status).toBe(200);
    expect(res.$.testId("poster-url")).toBe(`${server.url}/feedback`);
    expect(res.text).toMatch(/data-testid="poster-qr"[^>]*><svg[^>]*viewBox/);
    expect(res.text).toContain("<path");
    expect(res.$.text()).toContain("องค์การบริหารส่วนตำบลวังลึก");
    expect(res.$.text()).toContain("สแกนคิวอาร์โค้ด");
    expect(res.$.text()).toContain("Scan the QR code");
    expect(res.text).toContain('href="/styles/feedback-poster.css"');
    const css = await newClient().get("/styles/feedback-poster.css");
    expect(css.status).toBe(200);
    expect(css.text).toContain("@media print");
  });
});

describe("30 days after the first answer", () => {
  it("the answer can no longer be changed (409), on /track or with the link; /track shows it locked", async () => {
    env.CLOCK_OFFSET_MS = String(31 * DAY);
    await server.restart();
    const res = await trackPost({ intent: "rate", reference: caseB.reference, code: caseB.trackingCode, score: "1", comment: "" });
    expect(res.status).toBe(409);
    expect(res.$.text()).toContain("แก้ไขคำตอบไม่ได้แล้ว");
    expect(res.$.testIdAttr("rating-current", "data-score")).toBe("5");
    expect(res.$.testId("rating-locked")).toBeTruthy();
    expect(res.text).not.toContain('data-testid="rating-form"');
    const c = newClient();
    const page = await c.get("/track/rate");
    const viaLink = await c.postForm("/track/rate", { csrf: csrfOf(page), t: tokenB, score: "1" });
    expect(viaLink.status).toBe(409);
    expect(viaLink.$.text()).toContain("แก้ไขคำตอบไม่ได้แล้ว");
    expect(await ratingRow(idB)).toMatchObject({ score: 5 });
    expect(await caseRatingStats()).toEqual([
      { score: 3, n: 1 },
      { score: 5, n: 1 },
    ]);
  });

  it("after 60 days the e-mail link has expired (404)", async () => {
    env.CLOCK_OFFSET_MS = String(61 * DAY);
    await server.restart();
    const c = newClient();
    const page = await c.get("/track/rate");
    const res = await c.postForm("/track/rate", { csrf: csrfOf(page), t: tokenB, score: "1" });
    expect(res.status).toBe(404);
    expect(res.$.testId("bad-link")).toContain("หมดอายุ");
  });
});
