/**
 * The whole journey in a real browser: a citizen files a complaint with a photo on a 360 px phone (in Thai), an
 * officer handles it in the back office, the citizen follows it on /track; and the form also works without JavaScript.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { test, expect, type Locator, type Page } from "@playwright/test";
import { account, base, dbGet, phone, watch } from "./support";

const officer = () => account("E2E_OFFICER");
import sharp from "sharp";

// Same tag in every worker of the run (set once in global setup), so texts written by one test are found by the next.
const tag = (process.env.E2E_TAG ??= crypto.randomBytes(3).toString("hex"));
const reply = `ทีมช่างจะเข้าซ่อมภายในสัปดาห์นี้ ${tag}`;
const internal = `บันทึกภายใน ห้ามเผยแพร่ ${tag}`;
const summary = `ซ่อมผิวถนนเรียบร้อยแล้ว ${tag}`;

/** Journey state, kept in a file next to the database: a failed test restarts the worker, losing module state. */
type Filed = { reference: string; code: string };
const stateFile = () => `${process.env.E2E_DB_FILE}.journey.json`;
const saveFiled = (f: Filed) => fs.writeFileSync(stateFile(), JSON.stringify(f));
const loadFiled = (): Filed | null => (fs.existsSync(stateFile()) ? (JSON.parse(fs.readFileSync(stateFile(), "utf8")) as Filed) : null);

async function photo(): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 90, b: 60 } } })
    .jpeg()
    .toBuffer();
}

async function fillComplaint(page: Page, subject: string) {
  await page.goto(`${base()}/complaints/new`);
  await expect(page.locator("html")).toHaveAttribute("lang", "th");
  await page.getByRole("combobox", { name: "ประเภทเรื่อง", exact: true }).selectOption("road");
  await page.getByRole("textbox", { name: "หัวข้อเรื่อง", exact: true }).fill(subject);
  await page.getByRole("textbox", { name: "รายละเอียด", exact: true }).fill("ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก น้ำขัง รถล้มบ่อย ขอให้ซ่อมด่วน");
  await page.getByRole("combobox", { name: "หมู่บ้าน", exact: true }).selectOption("1");
  await page.getByRole("textbox", { name: "จุดสังเกต/สถานที่ใกล้เคียง", exact: true }).fill("ปากซอยข้างศาลาประชาคม");
  await page.getByLabel(/^แนบไฟล์/).setInputFiles({ name: "หลุม.jpg", mimeType: "image/jpeg", buffer: await photo() });
  await page.getByRole("textbox", { name: "ชื่อ-นามสกุล", exact: true }).fill("สมหญิง ทดสอบ");
  await page.getByRole("textbox", { name: "อีเมล", exact: true }).fill(`citizen-${tag}@example.th`);
  await page.locator("input[name=preferredContact][value=email]").check();
}

async function submitComplaint(page: Page): Promise<{ reference: string; code: string }> {
  await page.locator("form.complaint-form button[type=submit], form:has([name=subject]) button[type=submit]").first().click();
  const ref = page.getByTestId("reference");
  await expect(ref).toHaveText(/^\s*\d{4}-\d{6}\s*$/);
  const code = page.getByTestId("tracking-code");
  await expect(code).toHaveText(/^\s*[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\s*$/);
  await expect(page.getByTestId("due-date")).not.toBeEmpty();
  return { reference: (await ref.textContent())!.trim(), code: (await code.textContent())!.trim() };
}

async function noHorizontalScroll(page: Page) {
  const { width, culprits } = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > vw + 0.5)
      .slice(0, 5)
      .map(
        (el) =>
          `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className ? `.${String(el.className).replace(/\s+/g, ".")}` : ""}> right=${Math.round(el.getBoundingClientRect().right)}`,
      );
    return { width: document.documentElement.scrollWidth, culprits };
  });
  expect.soft(width, `page wider than the 360 px screen; elements sticking out: ${culprits.join(", ")}`).toBeLessThanOrEqual(360);
}

test.describe("complaint journey", () => {
  test("a citizen files a complaint with a photo on a phone, in Thai", async ({ browser }) => {
    const context = await phone(browser);
    const page = await context.newPage();
    const problems = watch(page);
    await fillComplaint(page, `ถนนเป็นหลุม ${tag}`);
    await noHorizontalScroll(page);
    const filed = await submitComplaint(page);
    saveFiled(filed);
    await noHorizontalScroll(page);
    const row = dbGet(
      "select c.status, c.channel, (select count(*) from attachments a where a.complaint_id = c.id) as files from complaints c where reference = ?",
      filed.reference,
    );
    expect(row).toEqual({ status: "received", channel: "web", files: 1 });
    expect(problems).toEqual([]);
    await context.close();
  });

  test("an officer accepts, assigns, replies, notes and resolves the case", async ({ browser }) => {
    expect(process.env.E2E_STAFF_ERROR ?? "", "creating the staff account in global setup").toBe("");
    const filed = loadFiled();
    expect(filed, "the citizen's complaint from the first test").not.toBeNull();
    const { reference } = filed!;
    const context = await browser.newContext({ locale: "th-TH" });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${base()}/staff/login`);
    await page.locator("input[name=email]").fill(officer().email);
    await page.locator("input[name=password]").fill(officer().password);
    await page.locator("form:has(input[name=password]) button[type=submit]").click();
    await expect(page).toHaveURL(/\/staff\/?(\?.*)?$/);
    await expect(page.getByText(reference)).toBeVisible();

    await page.goto(`${base()}/staff/cases/${reference}`);
    const status = () =>
      dbGet<{ status: string; assignee_id: number | null }>("select status, assignee_id from complaints where reference = ?", reference);
    /**
     * Fills and sends the form of `intent`. Actions other than the usual next steps sit behind the "other actions"
     * disclosure, and the page may re-render after the previous action (a new panel, closed again) at any moment: the
     * disclosure is opened, the form filled and sent in one retried step, so a re-render in between only means another
     * try (a click that did not happen sends nothing).
     */
    const submitIntent = async (intent: string, fill: (form: Locator) => Promise<void> = async () => {}) => {
      const form = page.locator("form", { has: page.locator(`input[type=hidden][name=intent][value=${intent}]`) });
      await page.waitForLoadState("networkidle");
      await expect(async () => {
        const other = page.locator("details.other-actions", { has: form });
        if ((await other.count()) && !(await other.evaluate((d) => (d as HTMLDetailsElement).open))) await other.locator("summary").click();
        await expect(form.locator("button[type=submit]")).toBeVisible({ timeout: 1000 });
        await fill(form);
        await form.locator("button[type=submit]").click({ timeout: 1000 });
      }).toPass();
    };

    await submitIntent("accept");
    await expect.poll(() => status()?.status).toBe("accepted");

    const me = dbGet<{ id: number; division_id: number }>("select id, division_id from staff where email = ?", officer().email)!;
    await submitIntent("assign", async (assign) => {
      // An officer may only pick a person of their own division; supervisors also see a division choice.
      if (await assign.locator("select[name=divisionId]").count())
        await assign.locator("select[name=divisionId]").selectOption(String(me.division_id), { timeout: 1000 });
      await assign.locator("select[name=assigneeId]").selectOption(String(me.id), { timeout: 1000 });
    });
    await expect.poll(() => status()?.assignee_id).toBe(me.id);

    await submitIntent("reply", (form) => form.locator("[name=note]").fill(reply, { timeout: 1000 }));
    await expect(page.getByText(reply)).toBeVisible();

    await submitIntent("note", (form) => form.locator("[name=note]").fill(internal, { timeout: 1000 }));
    await expect(page.getByText(internal)).toBeVisible();

    await submitIntent("resolve", (form) => form.locator("[name=resultSummary]").fill(summary, { timeout: 1000 }));
    await expect.poll(() => status()?.status).toBe("resolved");
    expect(problems).toEqual([]);
    await context.close();
  });

  test("the citizen follows the case on /track and sees the reply and the result", async ({ browser }) => {
    const filed = loadFiled();
    expect(filed, "the citizen's complaint from the first test").not.toBeNull();
    const context = await phone(browser);
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${base()}/track`);
    await page.getByRole("textbox", { name: "เลขที่เรื่อง", exact: true }).fill(filed!.reference);
    await page.getByRole("textbox", { name: "รหัสติดตาม", exact: true }).fill(filed!.code.toLowerCase().replace(/-/g, " "));
    await page.locator("form:has([name=code]) button[type=submit]").click();
    await expect(page.getByTestId("case-status")).toHaveAttribute("data-status", "resolved");
    await expect(page.getByTestId("public-reply").filter({ hasText: reply })).toBeVisible();
    await expect(page.getByTestId("result-summary")).toContainText(summary);
    await expect(page.getByText(internal)).toHaveCount(0);
    await noHorizontalScroll(page);
    expect(problems).toEqual([]);
    await context.close();
  });

  test("filing works with JavaScript disabled", async ({ browser }) => {
    const context = await phone(browser, false);
    const page = await context.newPage();
    await fillComplaint(page, `ไฟฟ้าดับ ไม่มี JS ${tag}`);
    const { reference, code } = await submitComplaint(page);
    expect(reference).not.toBe(loadFiled()?.reference);
    const row = dbGet(
      "select c.subject, (select count(*) from attachments a where a.complaint_id = c.id) as files from complaints c where reference = ?",
      reference,
    );
    expect(row).toEqual({ subject: `ไฟฟ้าดับ ไม่มี JS ${tag}`, files: 1 });
    // …and tracking too.
    await page.goto(`${base()}/track`);
    await page.getByRole("textbox", { name: "เลขที่เรื่อง", exact: true }).fill(reference);
    await page.getByRole("textbox", { name: "รหัสติดตาม", exact: true }).fill(code);
    await page.locator("form:has([name=code]) button[type=submit]").click();
    await expect(page.getByTestId("case-status")).toHaveAttribute("data-status", "received");
    await context.close();
  });
});
