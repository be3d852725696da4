/**
 * The corruption & misconduct channel in a real browser (issue 3): a whistleblower files anonymously with a photo on
 * a 360 px phone and keeps the receipt (on screen and as the signed receipt file); an integrity officer signs in with
 * password + TOTP (first-login setup: the secret is read from the page and the code computed with app/lib/totp.ts),
 * opens the report and asks a question; the whistleblower opens /report/inbox with the receipt, sees the question
 * and replies; the officer sees the reply. A general officer who tries the report URLs is refused.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { test, expect, type Page } from "@playwright/test";
import { account, base, dbGet, noHorizontalScroll, phone, watch } from "./support";

const integrity = () => account("E2E_INTEGRITY");
const officer = () => account("E2E_OFFICER");
import sharp from "sharp";
import { base32Decode, hotp, totpStep } from "../../app/lib/totp";

const tag = (process.env.E2E_TAG ??= crypto.randomBytes(3).toString("hex"));
const PHRASE = `มีการเรียกเงินค่าผ่านงานตรวจรับ ${tag}`;
const QUESTION = `ท่านเห็นการส่งเงินวันไหน ${tag}`;
const REPLY = `วันศุกร์ที่แล้วช่วงบ่าย ${tag}`;

/** Journey state, in a file next to the database (a failed test restarts the worker, losing module state). */
type Journey = { receipt?: string; publicId?: string; secret?: string; lastStep?: number; storage?: string };
const stateFile = () => `${process.env.E2E_DB_FILE}.corruption.json`;
const load = (): Journey => (fs.existsSync(stateFile()) ? (JSON.parse(fs.readFileSync(stateFile(), "utf8")) as Journey) : {});
const save = (patch: Journey) => fs.writeFileSync(stateFile(), JSON.stringify({ ...load(), ...patch }));

async function photo(): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 40, g: 90, b: 160 } } })
    .withMetadata({ exif: { IFD0: { Make: "SpyPhone" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "13/1 45/1 0/1" } } })
    .jpeg()
    .toBuffer();
}

/** Requests to other origins (the whistleblower's pages must load nothing from elsewhere). */
function foreignRequests(page: Page): string[] {
  const out: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(base()) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) out.push(r.url());
  });
  return out;
}

/** A TOTP code the server accepts now and has not seen (replay guard): current step, or the next one. */
async function nextCode(): Promise<string> {
  const s = load();
  if (!s.secret) throw new Error("no TOTP secret saved by the officer's first sign-in");
  for (;;) {
    const cur = totpStep(Date.now());
    const step = Math.max(cur, (s.lastStep ?? -1) + 1);
    if (step <= cur + 1) {
      save({ lastStep: step });
      return hotp(base32Decode(s.secret), step);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Password, then TOTP setup (first time) or the TOTP step; ends in the integrity queue. */
async function integritySignIn(page: Page) {
  await page.goto(`${base()}/staff/login`);
  await page.locator("input[name=email]").fill(integrity().email);
  await page.locator("input[name=password]").fill(integrity().password);
  await page.locator("form:has(input[name=password]) button[type=submit]").click();
  await expect(page).toHaveURL(/\/staff\/(totp-setup|login\/totp)/);
  if (/totp-setup/.test(page.url())) {
    const secret = (await page.getByTestId("totp-secret").textContent())!.replace(/\s+/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    save({ secret, lastStep: -1 });
    await expect(page.locator("svg").first()).toBeVisible(); // the QR code
    await page.locator("#f-code").fill(await nextCode());
    await page.locator("form:has(#f-code) button[type=submit]").click();
    await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
    await page.getByTestId("continue").click();
  } else {
    await page.locator("#f-code").fill(await nextCode());
    await page.locator("form:has(#f-code) button[type=submit]").click();
  }
  await expect(page).toHaveURL(/\/staff\/integrity/);
}

test.describe("corruption report journey", () => {
  test("a whistleblower files anonymously with a photo on a phone and keeps the receipt", async ({ browser }) => {
    const context = await phone(browser);
    const page = await context.newPage();
    const problems = watch(page);
    const foreign = foreignRequests(page);
    await page.goto(`${base()}/report`);
    await expect(page.locator("html")).toHaveAttribute("lang", "th");
    await noHorizontalScroll(page);
    await page.goto(`${base()}/report/new`);
    await expect(page.locator("#mode-anonymous")).toBeChecked();
    await page.locator("textarea[name=whatHappened]").fill(PHRASE);
    await page.locator("input[name=where]").fill("ห้องพัสดุ");
    await page.locator("input[name=evidence]").setInputFiles({ name: "หลักฐาน.jpg", mimeType: "image/jpeg", buffer: await photo() });
    await noHorizontalScroll(page);
    await page.locator("form.report-form button[type=submit]").click();

    await expect(page).toHaveURL(/\/report\/receipt$/);
    const shown = page.getByTestId("receipt");
    await expect(shown).toHaveText(/^\s*\d{4}\s?\d{4}\s?\d{4}\s?\d{4}\s*$/);
    const receipt = (await shown.textContent())!.replace(/\D/g, "");
    await noHorizontalScroll(page);

    // The signed receipt file: the receipt and a proof of filing, never the report's text.
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("form.receipt-file-form button[type=submit]").click()]);
    const file = fs.readFileSync((await download.path())!, "utf8");
    expect(file.replace(/\D/g, "")).toContain(receipt);
    expect(file).not.toContain(PHRASE);

    const row = dbGet<{ public_id: string; mode: string; files: number }>(
      "select r.public_id, r.mode, (select count(*) from report_attachments a where a.report_id = r.id) as files from reports r order by r.id desc limit 1",
    );
    expect(row).toMatchObject({ mode: "anonymous", files: 1 });
    save({ receipt, publicId: row!.public_id });

    // Shown once: a reload no longer shows it.
    await page.reload();
    await expect(page.getByTestId("receipt-gone")).toBeVisible();
    await expect(page.getByText(receipt)).toHaveCount(0);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });

  test("an integrity officer signs in with TOTP, opens the report and asks a question", async ({ browser }) => {
    expect(process.env.E2E_INTEGRITY_ERROR ?? "", "creating the integrity officer in global setup").toBe("");
    const { publicId } = load();
    expect(publicId, "the report filed by the first test").toBeTruthy();
    const context = await browser.newContext({ locale: "th-TH" });
    const page = await context.newPage();
    const problems = watch(page);
    await integritySignIn(page);
    await page.getByRole("link", { name: publicId! }).click();
    await expect(page).toHaveURL(new RegExp(`/staff/integrity/reports/${publicId}`));
    await expect(page.getByText(PHRASE)).toBeVisible();
    await expect(page.locator(`a[href*="/staff/integrity/reports/${publicId}/attachments/"]`).first()).toBeVisible();

    const ask = page.locator("form", { has: page.locator("input[type=hidden][name=intent][value=message]") });
    await ask.locator("textarea[name=message]").fill(QUESTION);
    await ask.locator("button[type=submit]").click();
    await expect(page.getByText(QUESTION)).toBeVisible();
    const storage = `${process.env.E2E_DB_FILE}.integrity-state.json`;
    await context.storageState({ path: storage });
    save({ storage });
    expect(problems).toEqual([]);
    await context.close();
  });

  test("the whistleblower opens the inbox with the receipt, reads the question and replies", async ({ browser }) => {
    const { receipt } = load();
    expect(receipt, "the receipt from the first test").toBeTruthy();
    const context = await phone(browser);
    const page = await context.newPage();
    const problems = watch(page);
    const foreign = foreignRequests(page);
    await page.goto(`${base()}/report/inbox`);
    await page.locator("input[name=receipt]").fill(receipt!.replace(/(\d{4})(?=\d)/g, "$1 "));
    await page.locator("form.receipt-open-form button[type=submit]").click();
    await expect(page.getByTestId("report-messages")).toContainText(QUESTION);
    await expect(page).toHaveURL(/\/report\/inbox$/);
    await noHorizontalScroll(page);

    const form = page.locator("form.report-reply-form");
    await form.locator("textarea[name=message]").fill(REPLY);
    await form.locator("button[type=submit]").click();
    await expect(page.getByTestId("report-messages")).toContainText(REPLY);
    await expect(page).toHaveURL(/\/report\/inbox$/);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });

  test("the officer sees the reply", async ({ browser }) => {
    const { publicId, storage } = load();
    expect(publicId).toBeTruthy();
    const context = await browser.newContext({ locale: "th-TH", storageState: storage && fs.existsSync(storage) ? storage : undefined });
    const page = await context.newPage();
    await page.goto(`${base()}/staff/integrity/reports/${publicId}`);
    if (!/\/staff\/integrity\/reports\//.test(page.url())) {
      // The saved session is gone: sign in again (next TOTP step, the replay guard refuses the same one).
      await integritySignIn(page);
      await page.goto(`${base()}/staff/integrity/reports/${publicId}`);
    }
    await expect(page.getByText(REPLY)).toBeVisible();
    await expect(page.getByText(QUESTION)).toBeVisible();
    await context.close();
  });

  test("filing and the inbox work with JavaScript disabled", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, locale: "th-TH", javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base()}/report/new`);
    await page.locator("textarea[name=whatHappened]").fill(`ไม่มี JS ${PHRASE}`);
    await page.locator("input[name=evidence]").setInputFiles({ name: "nojs.jpg", mimeType: "image/jpeg", buffer: await photo() });
    await page.locator("form.report-form button[type=submit]").click();
    await expect(page).toHaveURL(/\/report\/receipt$/);
    const receipt = (await page.getByTestId("receipt").textContent())!.replace(/\D/g, "");
    expect(receipt).toMatch(/^\d{16}$/);
    expect(receipt).not.toBe(load().receipt);
    await page.goto(`${base()}/report/inbox`);
    await page.locator("input[name=receipt]").fill(receipt);
    await page.locator("form.receipt-open-form button[type=submit]").click();
    await expect(page.getByTestId("report-stage")).toBeVisible();
    await expect(page).toHaveURL(/\/report\/inbox$/);
    await context.close();
  });

  test("a general officer who tries the report URLs is refused", async ({ browser }) => {
    const { publicId } = load();
    expect(publicId).toBeTruthy();
    const att = dbGet<{ id: number }>("select a.id from report_attachments a join reports r on r.id = a.report_id where r.public_id = ?", publicId);
    const context = await browser.newContext({ locale: "th-TH" });
    const page = await context.newPage();
    await page.goto(`${base()}/staff/login`);
    await page.locator("input[name=email]").fill(officer().email);
    await page.locator("input[name=password]").fill(officer().password);
    await page.locator("form:has(input[name=password]) button[type=submit]").click();
    await expect(page).toHaveURL(/\/staff\/?(\?.*)?$/);
    await expect(page.locator("nav a[href='/staff/integrity']")).toHaveCount(0);
    for (const url of ["/staff/integrity", `/staff/integrity/reports/${publicId}`, `/staff/integrity/reports/${publicId}/attachments/${att?.id ?? 1}`]) {
      const res = await page.goto(`${base()}${url}`);
      expect([403, 404], url).toContain(res?.status());
      await expect(page.getByText(PHRASE)).toHaveCount(0);
      await expect(page.getByText(REPLY)).toHaveCount(0);
    }
    await context.close();
  });
});
