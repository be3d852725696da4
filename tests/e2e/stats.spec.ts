/**
 * Public statistics in a real browser, against the shared server of global-setup.ts:
 *
 * 1. A visitor on a 360 px phone, in Thai, opens /stats from the site menu, changes the fiscal year with the selector,
 *    downloads a CSV (UTF-8 with BOM, Thai headers, the same figure as the page), opens the plan targets and the ITA
 *    table of corruption reports. (Another fiscal year has figures only when a case was received in it: the
 *    supervisor first records a paper letter received on the last day of the previous fiscal year at the counter.)
 * 2. A complainant rates a closed case: files on a phone, the officer accepts and resolves it in the back office,
 *    the complainant rates it 5 on /track, and the answer counts in the satisfaction figures on /stats.
 * 3. The officer writes the annual report and sends it for approval, the supervisor approves it, and the report
 *    (narrative and frozen figures) appears publicly, on a phone, where there was a 404 before. A report can only be
 *    approved once its period has ended, so this is the previous fiscal year's report (the current year's says from
 *    when it can be approved); that year gets its figures from a paper letter the supervisor records first.
 *
 * The three journeys are independent of each other (each sets up what it needs), so none keeps state between tests.
 * Statistics pages may be kept by the browser for 30 s (Cache-Control: private, max-age=30): every "before / after"
 * look at a page uses a fresh browser context.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { test, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { account, base, dbGet, noHorizontalScroll, phone, passSecondFactorIfAsked, pickBuddhistDate, watch } from "./support";

const officer = () => account("E2E_OFFICER");
const supervisor = () => account("E2E_SUPERVISOR");
import { parseCsv } from "../../app/lib/csv";
import { fiscalYearOf } from "../../app/lib/fiscal-year";

type Staff = { email: string; password: string; name: string };

const tag = (process.env.E2E_TAG ??= crypto.randomBytes(3).toString("hex"));
/** The fiscal year (BE) of today, as the server counts it (Bangkok dates, 1 October – 30 September). */
const currentFy = () => fiscalYearOf(new Date());
/** "YYYY-MM" (CE) of the October that starts fiscal year `fy` (BE). */
const octoberOf = (fy: number) => `${fy - 543 - 1}-10`;

/** A whole number as shown on the pages (th-TH digits with thousands separators). */
const count = (text: string | null) => Number((text ?? "").replace(/[,\s]/g, ""));

/** Signs a staff member in (desktop context, Thai) and returns the page on the back office. */
async function signIn(browser: Browser, who: Staff): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale: "th-TH" });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${base()}/staff/login`);
  await page.getByRole("textbox", { name: "อีเมล", exact: true }).fill(who.email);
  await page.getByLabel(/^รหัสผ่าน/).fill(who.password);
  await page.getByRole("button", { name: "เข้าสู่ระบบ", exact: true }).click();
  // Supervisors and administrators: the second step, with a code from the authenticator app set up in global setup.
  await passSecondFactorIfAsked(page, who);
  return { context, page, problems };
}

/** The public /stats figures of one fiscal year, read in a fresh phone context (nothing cached). */
async function publicFigures(browser: Browser, fy?: number) {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${base()}/stats${fy ? `?fy=${fy}` : ""}`);
  await expect(page.getByTestId("total-received")).toBeVisible();
  const figures = {
    received: count(await page.getByTestId("total-received").textContent()),
    answers: count(await page.getByTestId("satisfaction-answers").textContent()),
    satisfied: count(await page.getByTestId("satisfaction-satisfied").textContent()),
  };
  expect(problems).toEqual([]);
  await context.close();
  return figures;
}

test.describe("public statistics, satisfaction and the annual report", () => {
  test("a visitor views the statistics on a phone in Thai, changes the fiscal year, downloads a CSV, opens the targets and the ITA table", async ({
    browser,
  }) => {
    expect(process.env.E2E_SUPERVISOR_ERROR ?? "", "creating the supervisor in global setup").toBe("");
    const fy = currentFy();
    const prev = fy - 1;
    // The last day of the previous fiscal year (30 September), as the counter form's date field wants it.
    const lastDayOfPrev = `${prev - 543}-09-30`;

    await test.step("the supervisor records a letter received on the last day of the previous fiscal year", async () => {
      const { context, page, problems } = await signIn(browser, supervisor());
      await page.getByRole("link", { name: "บันทึกรับเรื่อง", exact: true }).click();
      await expect(page.getByRole("heading", { level: 1, name: "บันทึกรับเรื่องร้องทุกข์" })).toBeVisible();
      await page.getByRole("combobox", { name: "ช่องทาง", exact: true }).selectOption("letter");
      await pickBuddhistDate(page, "receivedDate", lastDayOfPrev);
      await page.getByRole("combobox", { name: "ประเภทเรื่อง", exact: true }).selectOption("road");
      await page.getByRole("textbox", { name: "หัวข้อเรื่อง", exact: true }).fill(`หนังสือร้องเรียนถนนชำรุด ปีก่อน ${tag}`);
      await page
        .getByRole("textbox", { name: "รายละเอียด", exact: true })
        .fill("ถนนสายหลักหมู่ 3 ชำรุดเป็นหลุมหลายจุด ขอให้ซ่อมแซม (หนังสือลงวันที่สิ้นปีงบประมาณ)");
      await page.getByRole("combobox", { name: "หมู่บ้าน", exact: true }).selectOption("3");
      await page.getByRole("button", { name: "บันทึกรับเรื่อง", exact: true }).click();
      await expect(page.getByTestId("reference")).toHaveText(/^\s*\d{4}-\d{6}\s*$/);
      const reference = (await page.getByTestId("reference").textContent())!.trim();
      const row = dbGet<{ channel: string; received_at: string }>(
        "select channel, received_at from complaints where reference = ?",
        reference,
      );
      expect(row?.channel).toBe("letter");
      expect(fiscalYearOf(new Date(row!.received_at))).toBe(prev);
      expect(problems).toEqual([]);
      await context.close();
    });

    const context = await phone(browser);
    const page = await context.newPage();
    const problems = watch(page);

    await test.step("from the home page to /stats (current fiscal year by default)", async () => {
      await page.goto(`${base()}/`);
      await expect(page.locator("html")).toHaveAttribute("lang", "th");
      await expect(page.getByRole("link", { name: "ดูสถิติเรื่องร้องทุกข์และเรื่องร้องเรียนการทุจริตรายปีงบประมาณ" })).toBeVisible();
      await page.getByRole("navigation", { name: "เมนูหลัก" }).getByRole("link", { name: "สถิติ", exact: true }).click();
      await expect(page).toHaveURL(/\/stats\/?$/);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(`สถิติเรื่องร้องทุกข์/ร้องเรียน ปีงบประมาณ ${fy}`);
      await expect(page.getByRole("heading", { level: 2, name: "ภาพรวม" })).toBeVisible();
      await expect(page.getByRole("heading", { level: 2, name: "ความพึงพอใจของผู้ร้องเรียน" })).toBeVisible();
      await expect(page.getByTestId("total-received")).toHaveText(/^\d[\d,]*$/);
      await expect(page.getByTestId("as-of")).toContainText("ข้อมูล ณ");
      await noHorizontalScroll(page);
    });

    let received = 0;
    await test.step("changing the fiscal year with the selector", async () => {
      const select = page.getByLabel("ปีงบประมาณ", { exact: true });
      await expect(select).toHaveValue(String(fy));
      await expect(select.locator("option")).toContainText([`ปีงบประมาณ ${fy}`, `ปีงบประมาณ ${prev}`]);
      await select.selectOption(String(prev));
      await page.getByRole("button", { name: "แสดงสถิติ", exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/stats\\?fy=${prev}$`));
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(`สถิติเรื่องร้องทุกข์/ร้องเรียน ปีงบประมาณ ${prev}`);
      await expect(page.getByLabel("ปีงบประมาณ", { exact: true })).toHaveValue(String(prev));
      await expect(page.locator("#month-caption")).toHaveText(`เรื่องร้องทุกข์รายเดือน ปีงบประมาณ ${prev}`);
      await expect(page.getByTestId("month-summary")).toContainText(`ปีงบประมาณ ${prev} รับเรื่องรวม`);
      // The letter of 30 September counts in that year, in September, through the letter channel.
      received = count(await page.getByTestId("total-received").textContent());
      expect(received).toBeGreaterThanOrEqual(1);
      await expect(page.getByTestId("month-total-received")).toHaveText(String(received));
      await expect(page.getByTestId(`month-${prev - 543}-09-received`)).not.toHaveText("0");
      await expect(page.getByTestId("channel-letter-received")).not.toHaveText("0");
      await noHorizontalScroll(page);
    });

    await test.step("downloading the summary as CSV: BOM, Thai headers, the page's figure", async () => {
      const item = page.getByTestId("section-downloads").getByRole("listitem").filter({ hasText: "สรุปเรื่องร้องทุกข์" });
      const [download] = await Promise.all([page.waitForEvent("download"), item.getByRole("link", { name: "CSV", exact: true }).click()]);
      expect(download.url()).toBe(`${base()}/stats/data/${prev}/complaints-summary.csv`);
      expect(download.suggestedFilename()).toMatch(/\.csv$/);
      const bytes = fs.readFileSync((await download.path())!);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString("utf8");
      expect(text).toContain("จำนวนเรื่องที่ได้รับ (received)");
      const [header, ...rows] = parseCsv(text);
      const col = (key: string) => header!.findIndex((h) => h.endsWith(`(${key})`));
      expect(col("received")).toBeGreaterThanOrEqual(0);
      const year = rows.find((r) => r[col("period")] === "year");
      expect(year, `a "year" row in ${JSON.stringify(rows)}`).toBeTruthy();
      expect(Number(year![col("received")])).toBe(received);
      expect(year![col("from")]).toBe(`${prev - 543 - 1}-10-01`);
      expect(year![col("to")]).toBe(`${prev - 543}-09-30`);
      // The half years and quarters add up to the year.
      const of = (period: string) => Number(rows.find((r) => r[col("period")] === period)![col("received")]);
      expect(of("h1") + of("h2")).toBe(received);
      expect(of("q1") + of("q2") + of("q3") + of("q4")).toBe(received);
    });

    await test.step("the plan targets: ลำดับที่ 13 … 28 with verdicts, for the chosen year", async () => {
      await page.getByRole("navigation", { name: "เมนูสถิติ" }).getByRole("link", { name: "ผลตามเป้าหมายของแผน", exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/stats/targets\\?fy=${prev}$`));
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(
        `ผลการดำเนินงานตามเป้าหมายของแผนปฏิบัติการป้องกันการทุจริต ปีงบประมาณ ${prev}`,
      );
      const table = page.getByTestId("targets-table");
      await expect(table.locator("caption")).toHaveText(`ผลตามเป้าหมายของแผน ปีงบประมาณ ${prev} เทียบกับปีงบประมาณ ${prev - 1}`);
      const measures = (await table.locator("tbody th[scope=row]").allTextContents()).map((s) => s.trim());
      expect([...new Set(measures)]).toEqual([13, 15, 16, 17, 19, 20, 23, 24, 25, 28].map((n) => `ลำดับที่ ${n}`));
      const verdicts = (await table.locator("[data-testid$='-verdict']").allTextContents()).map((s) => s.replace(/^\S+\s+/, "").trim());
      expect(verdicts.length).toBe(measures.length);
      for (const v of verdicts) expect(["บรรลุเป้าหมาย", "ไม่บรรลุเป้าหมาย", "ข้อมูลไม่เพียงพอ", "แสดงเพื่อทราบ"]).toContain(v);
      // Measure 13 (no bribery complaints) quotes the plan and is met with 0 bribery cases.
      await expect(page.getByTestId("target-m13-published")).toContainText("ไม่มีเรื่องร้องเรียนเรื่องสินบน");
      await expect(page.getByTestId("target-m13-current")).toHaveText("0");
      await expect(page.getByTestId("target-m13-verdict")).toHaveText(/บรรลุเป้าหมาย$/);
      await expect(page.getByTestId("target-m13-verdict")).not.toHaveText(/ไม่บรรลุ/);
      await noHorizontalScroll(page);
    });

    await test.step("the ITA table of corruption reports: 'ไม่มีเรื่องร้องเรียน' for a month with none, no figure before the first record", async () => {
      await page.getByRole("navigation", { name: "เมนูสถิติ" }).getByRole("link", { name: "สถิติเรื่องร้องเรียนการทุจริต", exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/stats/corruption\\?fy=${prev}$`));
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(`สถิติเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ ปีงบประมาณ ${prev}`);
      const october = octoberOf(prev);
      // The portal's first record is the letter of 30 September: October to August came before it (no figure, not 0),
      // September ended with records and no corruption report.
      await expect(page.getByTestId(`ita-${october}-received`)).toHaveText("–");
      await expect(page.getByTestId(`ita-${october}-remark`)).toHaveText("ก่อนระบบมีข้อมูล (ยังไม่มีข้อมูลในระบบ)");
      const september = `${prev - 543}-09`;
      await expect(page.getByTestId(`ita-${september}-received`)).toHaveText("0");
      await expect(page.getByTestId(`ita-${september}-remark`)).toHaveText("ไม่มีเรื่องร้องเรียน");
      await expect(page.getByTestId("ita-year-remark")).toHaveText("ไม่มีเรื่องร้องเรียน");
      await expect(page.getByTestId("ita-table").locator("tr.ita-quarter")).toHaveCount(4);
      await expect(page.getByTestId("ita-table").locator("tr.ita-half")).toHaveCount(1);
      // Counts only: nothing on this page links to a list of corruption reports.
      await expect(page.getByTestId("ita-table").getByRole("link")).toHaveCount(0);
      await noHorizontalScroll(page);
    });

    expect(problems).toEqual([]);
    await context.close();
  });

  test("a complainant rates a closed case on /track and the answer counts in the satisfaction figures", async ({ browser }) => {
    expect(process.env.E2E_STAFF_ERROR ?? "", "creating the officer in global setup").toBe("");
    const subject = `ไฟกิ่งดับหน้าโรงเรียน ${tag}`;
    const comment = `เจ้าหน้าที่มาซ่อมเร็วมาก ขอบคุณครับ ${tag}`;
    const before = await publicFigures(browser);

    const citizen = await phone(browser);
    const page = await citizen.newPage();
    const problems = watch(page);
    let filed = { reference: "", code: "" };

    await test.step("the citizen files a complaint on a phone", async () => {
      await page.goto(`${base()}/complaints/new`);
      await page.getByRole("combobox", { name: "ประเภทเรื่อง", exact: true }).selectOption("road");
      await page.getByRole("textbox", { name: "หัวข้อเรื่อง", exact: true }).fill(subject);
      await page.getByRole("textbox", { name: "รายละเอียด", exact: true }).fill("ไฟกิ่งหน้าโรงเรียนบ้านวังลึกดับมาหนึ่งสัปดาห์ กลางคืนมืดมาก เด็กเดินลำบาก");
      await page.getByRole("combobox", { name: "หมู่บ้าน", exact: true }).selectOption("2");
      await page.getByRole("textbox", { name: "ชื่อ-นามสกุล", exact: true }).fill("สมปอง ประเมินผล");
      await page.getByRole("textbox", { name: "อีเมล", exact: true }).fill(`rater-${tag}@example.th`);
      await page.locator("input[name=preferredContact][value=email]").check();
      await page.locator("form:has([name=subject]) button[type=submit]").first().click();
      const ref = page.getByTestId("reference");
      await expect(ref).toHaveText(/^\s*\d{4}-\d{6}\s*$/);
      filed = { reference: (await ref.textContent())!.trim(), code: (await page.getByTestId("tracking-code").textContent())!.trim() };
    });

    await test.step("the officer accepts and resolves it in the back office", async () => {
      const { context, page: staffPage, problems: staffProblems } = await signIn(browser, officer());
      await staffPage.getByRole("link", { name: filed.reference }).first().click();
      await expect(staffPage).toHaveURL(new RegExp(`/staff/cases/${filed.reference}$`));
      await staffPage.getByTestId("form-accept").getByRole("button").click();
      const resolve = staffPage.getByTestId("form-resolve");
      await expect(resolve).toBeVisible();
      await resolve.locator("[name=resultSummary]").fill(`เปลี่ยนหลอดไฟกิ่งหน้าโรงเรียนแล้ว ${tag}`);
      await resolve.getByRole("button").click();
      await expect(staffPage.getByTestId("form-resolve")).toHaveCount(0);
      await expect
        .poll(() => dbGet<{ status: string }>("select status from complaints where reference = ?", filed.reference)?.status)
        .toBe("resolved");
      expect(staffProblems).toEqual([]);
      await context.close();
    });

    await test.step("the citizen rates the case 5 with a comment on /track", async () => {
      await page.goto(`${base()}/track`);
      await page.getByRole("textbox", { name: "เลขที่เรื่อง", exact: true }).fill(filed.reference);
      await page.getByRole("textbox", { name: "รหัสติดตาม", exact: true }).fill(filed.code);
      await page.locator("form:has([name=code]) button[type=submit]").click();
      await expect(page.getByTestId("case-status")).toHaveAttribute("data-status", "resolved");
      const form = page.getByTestId("rating-form");
      await expect(form).toBeVisible();
      await expect(page.getByTestId("rating-current")).toHaveCount(0);
      await expect(form.getByRole("radio")).toHaveCount(5);
      await form.getByRole("radio", { name: "5 – พอใจมาก", exact: true }).check();
      await form.getByRole("textbox", { name: "ข้อเสนอแนะเพิ่มเติม (ไม่บังคับ)" }).fill(comment);
      await noHorizontalScroll(page);
      await form.getByRole("button", { name: "ส่งแบบประเมิน", exact: true }).click();
      await expect(page.getByTestId("rating-saved")).toBeVisible();
      await expect(page.getByTestId("rating-current")).toHaveAttribute("data-score", "5");
      await expect(page.getByTestId("rating-current")).toContainText("5 – พอใจมาก");
      await expect(page.getByTestId("rating-comment")).toHaveText(comment);
      await expect(page.getByTestId("rating-until")).toContainText("ท่านแก้ไขคำตอบได้จนถึง");
      // Still changeable for 30 days: the form stays, now to change the answer.
      await expect(page.getByTestId("rating-form").getByRole("button", { name: "บันทึกการแก้ไขคำตอบ", exact: true })).toBeVisible();
      const saved = dbGet<{ score: number }>(
        "select r.score from case_ratings r join complaints c on c.id = r.complaint_id where c.reference = ?",
        filed.reference,
      );
      expect(saved?.score).toBe(5);
    });
    expect(problems).toEqual([]);
    await citizen.close();

    await test.step("/stats for the current fiscal year counts the answer", async () => {
      const after = await publicFigures(browser);
      expect(after.answers).toBe(before.answers + 1);
      expect(after.satisfied).toBe(before.satisfied + 1);
      const context = await phone(browser);
      const statsPage = await context.newPage();
      const statsProblems = watch(statsPage);
      await statsPage.goto(`${base()}/stats`);
      const section = statsPage.getByTestId("section-satisfaction");
      await expect(section.getByRole("heading", { level: 2 })).toHaveText("ความพึงพอใจของผู้ร้องเรียน");
      await expect(section.getByTestId("satisfaction-answers")).toHaveText(String(after.answers));
      const five = section.getByTestId("satisfaction-table").getByRole("row").filter({ hasText: "ระดับ 5 · พอใจมาก" });
      expect(count(await five.locator("td").textContent())).toBeGreaterThanOrEqual(1);
      await expect(section.getByTestId("satisfaction-summary")).toContainText(`จาก ${after.answers} คำตอบ`);
      await expect(section.getByTestId("satisfaction-share")).toHaveText(/%|ร้อยละ/);
      expect(statsProblems).toEqual([]);
      await context.close();
    });
  });

  test("the officer writes the annual report, the supervisor approves it, and it appears publicly on a phone", async ({ browser }) => {
    expect(process.env.E2E_STAFF_ERROR ?? "", "creating the officer in global setup").toBe("");
    expect(process.env.E2E_SUPERVISOR_ERROR ?? "", "creating the supervisor in global setup").toBe("");
    // Only a finished period can be approved: the annual report of the previous fiscal year (ended 30 September).
    const current = currentFy();
    const fy = current - 1;
    const reportUrl = `${base()}/stats/report/${fy}`;
    const text = {
      problems: `ผู้ร้องเรียนส่วนใหญ่แจ้งเรื่องถนนและไฟฟ้าสาธารณะ บางเรื่องข้อมูลสถานที่ไม่ครบ ${tag}`,
      obstacles: `งบประมาณซ่อมแซมถนนมีจำกัดและช่างมีไม่เพียงพอในช่วงฤดูฝน ${tag}`,
      solutions: `จัดลำดับความเร่งด่วนของงานซ่อมและประสานหน่วยงานอื่นเมื่อเกินอำนาจหน้าที่ ${tag}`,
      prevention: `ตรวจถนนและไฟกิ่งประจำเดือนในทุกหมู่บ้านก่อนเกิดเรื่องร้องเรียน ${tag}`,
    };

    await test.step("the supervisor records a letter received in that year, so the year has figures", async () => {
      const { context, page, problems } = await signIn(browser, supervisor());
      await page.getByRole("link", { name: "บันทึกรับเรื่อง", exact: true }).click();
      await page.getByRole("combobox", { name: "ช่องทาง", exact: true }).selectOption("letter");
      await pickBuddhistDate(page, "receivedDate", `${fy - 543}-09-30`);
      await page.getByRole("combobox", { name: "ประเภทเรื่อง", exact: true }).selectOption("streetlight");
      await page.getByRole("textbox", { name: "หัวข้อเรื่อง", exact: true }).fill(`หนังสือแจ้งไฟกิ่งดับ ปีก่อน ${tag}`);
      await page.getByRole("textbox", { name: "รายละเอียด", exact: true }).fill("ไฟกิ่งริมถนนหมู่ 2 ดับหลายต้น ขอให้ซ่อมแซม (หนังสือลงวันที่สิ้นปีงบประมาณ)");
      await page.getByRole("combobox", { name: "หมู่บ้าน", exact: true }).selectOption("2");
      await page.getByRole("button", { name: "บันทึกรับเรื่อง", exact: true }).click();
      await expect(page.getByTestId("reference")).toHaveText(/^\s*\d{4}-\d{6}\s*$/);
      const reference = (await page.getByTestId("reference").textContent())!.trim();
      const row = dbGet<{ received_at: string }>("select received_at from complaints where reference = ?", reference);
      expect(fiscalYearOf(new Date(row!.received_at))).toBe(fy);
      expect(problems).toEqual([]);
      await context.close();
    });

    await test.step("before approval the public report is not found", async () => {
      const context = await phone(browser);
      const page = await context.newPage();
      const problems = watch(page);
      const res = await page.goto(reportUrl);
      expect(res?.status()).toBe(404);
      await expect(page.getByTestId("report-error")).toHaveText("ยังไม่มีรายงานที่เผยแพร่สำหรับปีงบประมาณและรอบนี้");
      expect(problems).toEqual([]);
      await context.close();
    });

    await test.step("the officer writes the four Thai sections and sends the report for approval", async () => {
      const { context, page, problems } = await signIn(browser, officer());
      await page.getByRole("link", { name: "รายงานผลการดำเนินงาน", exact: true }).click();
      await expect(page).toHaveURL(/\/staff\/reports$/);
      // The current year's annual report can be written now but approved only once the year has ended.
      await expect(page.getByTestId(`approvable-${current}-year`)).toHaveText(`อนุมัติได้ตั้งแต่ 1 ตุลาคม ${current}`);
      await expect(page.getByTestId(`approvable-${fy}-year`)).toHaveCount(0);
      const row = page.getByTestId(`stat-report-${fy}-year`);
      await expect(row).toHaveAttribute("data-status", "none");
      await row.getByRole("link", { name: "แก้ไข", exact: true }).click();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(`รายงานประจำปี ปีงบประมาณ พ.ศ. ${fy}`);
      const form = page.getByTestId("report-form");
      for (const [section, value] of Object.entries(text)) await form.locator(`textarea[name=${section}_th]`).fill(value);
      // An officer writes and sends; only supervisors and admins approve.
      await expect(page.getByTestId("approval")).toHaveCount(0);
      await form.getByRole("button", { name: "ส่งให้หัวหน้างานอนุมัติ", exact: true }).click();
      await expect(page.getByTestId("done")).toHaveText("ส่งให้หัวหน้างานอนุมัติแล้ว");
      await expect(page.getByTestId("report-status")).toHaveText("รออนุมัติ");
      expect(problems).toEqual([]);
      await context.close();
      // Sent, not yet approved: still not public.
      expect((await fetch(reportUrl, { headers: { "Accept-Language": "th" } })).status).toBe(404);
    });

    await test.step("the supervisor approves and publishes it", async () => {
      const { context, page, problems } = await signIn(browser, supervisor());
      await page.getByRole("link", { name: "รายงานผลการดำเนินงาน", exact: true }).click();
      const row = page.getByTestId(`stat-report-${fy}-year`);
      await expect(row).toHaveAttribute("data-status", "submitted");
      await row.getByRole("link", { name: "แก้ไข", exact: true }).click();
      await expect(page.getByTestId("report-status")).toHaveText("รออนุมัติ");
      await expect(page.locator("textarea[name=problems_th]")).toHaveValue(text.problems);
      await expect(page.getByTestId("approvable-from")).toHaveCount(0);
      const approve = page.getByTestId("approval").getByRole("button", { name: "อนุมัติและเผยแพร่", exact: true });
      await expect(approve).toHaveAttribute("value", "approve");
      await approve.click();
      await expect(page.getByTestId("done")).toHaveText("อนุมัติและเผยแพร่รายงานแล้ว");
      await expect(page.getByTestId("report-status")).toHaveText("เผยแพร่แล้ว");
      await expect(page.getByTestId("report-form")).toHaveCount(0);
      expect(problems).toEqual([]);
      await context.close();
    });

    await test.step("the public sees the report with its narrative and figures on a phone", async () => {
      const { received } = await publicFigures(browser, fy);
      expect(received).toBeGreaterThanOrEqual(1);
      const context = await phone(browser);
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${base()}/stats`);
      // The statistics menu leads to the list of published reports, and from there to this one.
      await page.getByRole("navigation", { name: "เมนูสถิติ" }).getByRole("link", { name: "รายงานผลการดำเนินงาน", exact: true }).click();
      await expect(page).toHaveURL(/\/stats\/report$/);
      await page
        .getByTestId("reports-list")
        .getByRole("link", { name: `รายงานผลการดำเนินงานเรื่องร้องเรียน ประจำปีงบประมาณ พ.ศ. ${fy}` })
        .click();
      await expect(page).toHaveURL(new RegExp(`/stats/report/${fy}$`));
      await expect(page.getByTestId("report-title")).toHaveText(`รายงานผลการดำเนินงานเรื่องร้องเรียน ประจำปีงบประมาณ พ.ศ. ${fy}`);
      await expect(page.getByTestId("draft-banner")).toHaveCount(0);
      await expect(page.getByTestId("approved-by")).toContainText("อนุมัติโดยหัวหน้างาน");
      for (const [section, value] of Object.entries(text)) await expect(page.getByTestId(`text-${section}`)).toHaveText(value);
      await expect(page.getByRole("heading", { level: 3, name: "1. ปัญหา" })).toBeVisible();
      await expect(page.getByRole("heading", { level: 3, name: "4. มาตรการป้องกันไม่ให้เกิดซ้ำ" })).toBeVisible();
      const summary = page.getByTestId("summary");
      await expect(summary).toBeVisible();
      await expect(summary.getByRole("row").filter({ hasText: "เรื่องที่ได้รับ" })).toBeVisible();
      await expect(page.getByTestId("fig-received")).toHaveText(String(received));
      await expect(page.getByTestId("by-month")).toBeVisible();
      await expect(page.getByTestId("corruption")).toBeVisible();
      await noHorizontalScroll(page);
      // The current year's report is not published (and could not be yet).
      await page.goto(`${base()}/stats/report`);
      await expect(
        page.getByTestId("reports-list").getByRole("link", { name: `รายงานผลการดำเนินงานเรื่องร้องเรียน ประจำปีงบประมาณ พ.ศ. ${current}` }),
      ).toHaveCount(0);
      expect(problems).toEqual([]);
      await context.close();
    });
  });
});
