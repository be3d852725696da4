/**
 * The corruption & misconduct channel in a real browser: a whistleblower files anonymously with a
 * photo on a 360 px phone and keeps the receipt (on screen, with the proof of filing that does not contain it); an
 * integrity officer signs in with password + TOTP (first-login setup: the secret is read from the page and the code
 * computed with app/lib/totp.ts; then their report keys are made and the recovery key shown once), opens the report
 * and asks a question; the whistleblower opens /report/inbox with the receipt, sees the question and replies; the
 * officer sees the reply. A reporter on a phone excludes an integrity officer: the alternate reads and replies, and
 * the excluded officer finds nothing about it anywhere (queue, the report's URL, the audit page, the statistics by
 * kind). A general officer who tries the report URLs is refused.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { test, expect, type Page } from "@playwright/test";
import { account, base, dbGet, noHorizontalScroll, phone, watch } from "./support";

const integrity = () => account("E2E_INTEGRITY");
const officer = () => account("E2E_OFFICER");
const excludedOfficer = () => account("E2E_INTEGRITY2");
const alternate = () => account("E2E_ALTERNATE");
import sharp from "sharp";
import { base32Decode, hotp, totpStep } from "../../app/lib/totp";

const tag = (process.env.E2E_TAG ??= crypto.randomBytes(3).toString("hex"));
const PHRASE = `มีการเรียกเงินค่าผ่านงานตรวจรับ ${tag}`;
const QUESTION = `ท่านเห็นการส่งเงินวันไหน ${tag}`;
const REPLY = `วันศุกร์ที่แล้วช่วงบ่าย ${tag}`;

/** Journey state, in a file next to the database (a failed test restarts the worker, losing module state). */
type Journey = {
  receipt?: string;
  publicId?: string;
  secret?: string;
  lastStep?: number;
  storage?: string;
  excludedReport?: string;
  excludedReceipt?: string;
};
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

/** TOTP state of the officers who signed in during global setup (their secret and last step), by e-mail. */
const totpFile = () => `${process.env.E2E_DB_FILE}.totp.json`;
type TotpState = Record<string, { secret: string | null; lastStep: number }>;

/** A TOTP code the server accepts now and has not seen (replay guard): current step, or the next one. */
async function nextCode(email = integrity().email): Promise<string> {
  const own = email === integrity().email;
  const all = own ? null : (JSON.parse(fs.readFileSync(totpFile(), "utf8")) as TotpState);
  const s = own ? load() : { secret: all![email]?.secret, lastStep: all![email]?.lastStep };
  if (!s.secret) throw new Error(`no TOTP secret known for ${email}`);
  for (;;) {
    const cur = totpStep(Date.now());
    const step = Math.max(cur, (s.lastStep ?? -1) + 1);
    if (step <= cur + 1) {
      if (own) save({ lastStep: step });
      else fs.writeFileSync(totpFile(), JSON.stringify({ ...all, [email]: { ...all![email], lastStep: step } }));
      return hotp(base32Decode(s.secret), step);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Password, then TOTP setup (first time) or the TOTP step; on the first sign-in the report keys are made and the
 * recovery key is shown once. Ends in the integrity queue.
 */
async function integritySignIn(page: Page, who = integrity()) {
  await page.goto(`${base()}/staff/login`);
  await page.locator("input[name=email]").fill(who.email);
  await page.locator("input[name=password]").fill(who.password);
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
    // The report keys were made with the password: the recovery key is shown once, before the queue.
    await expect(page).toHaveURL(/\/staff\/keys\/recovery/);
    await expect(page.getByTestId("recovery-key")).toHaveText(/^\s*([0-9A-Z]{4}-){7}[0-9A-Z]{4}\s*$/);
    await page.getByTestId("continue").click();
  } else {
    await page.locator("#f-code").fill(await nextCode(who.email));
    await page.locator("form:has(#f-code) button[type=submit]").click();
  }
  await expect(page).toHaveURL(/\/staff\/integrity/);
}

test.describe("corruption report journey", () => {
  test("an integrity officer's first sign-in sets up TOTP and makes their report keys (recovery key shown once)", async ({ browser }) => {
    expect(process.env.E2E_INTEGRITY_ERROR ?? "", "creating the integrity officer in global setup").toBe("");
    const context = await browser.newContext({ locale: "th-TH" });
    const page = await context.newPage();
    const problems = watch(page);
    await integritySignIn(page);
    // The recovery key was shown once: going back to its page now leads on to the queue.
    await page.goto(`${base()}/staff/keys/recovery`);
    await expect(page).toHaveURL(/\/staff\/integrity/);
    await expect(page.getByTestId("recovery-key")).toHaveCount(0);
    expect(
      dbGet("select k.staff_id from staff_keys k join staff s on s.id = k.staff_id where s.email = ?", integrity().email),
    ).toBeTruthy();
    expect(problems).toEqual([]);
    await context.close();
  });

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

    // The signed proof of filing: neither the receipt (it opens the inbox) nor the report's text.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("form.receipt-file-form button[type=submit]").click(),
    ]);
    const file = fs.readFileSync((await download.path())!, "utf8");
    expect(file.replace(/\D/g, "")).not.toContain(receipt);
    expect(file).toContain("sujarit-report-proof-v2");
    expect(file).not.toContain(PHRASE);

    const row = dbGet<{ public_id: string; files: number }>(
      "select r.public_id, (select count(*) from report_attachments a where a.report_id = r.id) as files from reports r order by r.id desc limit 1",
    );
    expect(row).toMatchObject({ files: 1 });
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

  test("a reporter on a phone excludes an integrity officer: the alternate reads and replies, the excluded officer finds nothing", async ({
    browser,
  }) => {
    expect(process.env.E2E_INTEGRITY_ERROR ?? "", "enrolling the officers in global setup").toBe("");
    const SECRET = `ปลัดสั่งให้ถอนเงินทอน ${tag} ผู้ตรวจที่สนิทกับปลัดไม่ควรเห็น`;
    const ANSWER = `ได้รับเรื่องแล้ว ขอหลักฐานเพิ่ม ${tag}`;
    // 1. The reporter, on a phone: the list of recipients, tick the one the report concerns.
    const rc = await phone(browser);
    const rp = await rc.newPage();
    const problems = watch(rp);
    await rp.goto(`${base()}/report/new`);
    const list = rp.getByTestId("recipient-list");
    await expect(list).toContainText(excludedOfficer().name);
    await expect(list).toContainText(alternate().name);
    const excludedId = dbGet<{ id: number }>("select id from staff where email = ?", excludedOfficer().email)!.id;
    await rp.getByTestId(`exclude-${excludedId}`).check();
    await rp.locator("textarea[name=whatHappened]").fill(SECRET);
    await noHorizontalScroll(rp);
    await rp.locator("form.report-form button[type=submit]").click();
    await expect(rp).toHaveURL(/\/report\/receipt$/);
    const got = rp.getByTestId("receipt-recipients");
    await expect(got).toContainText(alternate().name);
    await expect(got).not.toContainText(excludedOfficer().name);
    const receipt = (await rp.getByTestId("receipt").textContent())!.replace(/\D/g, "");
    const publicId = dbGet<{ public_id: string }>("select public_id from reports order by id desc limit 1")!.public_id;
    save({ excludedReport: publicId, excludedReceipt: receipt });
    expect(problems).toEqual([]);

    // 2. The alternate signs in, reads it and replies to the reporter; tags it (a kind for the statistics).
    const ac = await browser.newContext({ locale: "th-TH" });
    const ap = await ac.newPage();
    await integritySignIn(ap, alternate());
    await ap.getByRole("link", { name: publicId }).click();
    await expect(ap.getByText(SECRET)).toBeVisible();
    await expect(ap.getByTestId("excluded")).toContainText(excludedOfficer().name);
    const ask = ap.locator("form", { has: ap.locator("input[type=hidden][name=intent][value=message]") });
    await ask.locator("textarea[name=message]").fill(ANSWER);
    await ask.locator("button[type=submit]").click();
    await expect(ap.getByText(ANSWER)).toBeVisible();
    const tags = ap.locator("form", { has: ap.locator("input[type=hidden][name=intent][value=tags]") });
    await tags.locator("input[value=bribery]").check();
    await tags.locator("button[type=submit]").click();
    await expect(ap.getByTestId("done")).toBeVisible();
    await ac.close();

    // The reporter sees the answer in the inbox.
    await rp.goto(`${base()}/report/inbox`);
    await rp.locator("input[name=receipt]").fill(receipt);
    await rp.locator("form.receipt-open-form button[type=submit]").click();
    await expect(rp.getByTestId("report-messages")).toContainText(ANSWER);
    await rc.close();

    // 3. The excluded officer: nothing in the queue, 404 on the URL, only counts on the audit page, "fewer than 5".
    const xc = await browser.newContext({ locale: "th-TH" });
    const xp = await xc.newPage();
    const xproblems = watch(xp);
    await integritySignIn(xp, excludedOfficer());
    await xp.goto(`${base()}/staff/integrity?status=all`);
    await expect(xp.locator("main")).not.toContainText(publicId);
    await xp.goto(`${base()}/staff/audit`);
    await expect(xp.getByTestId("channel-activity")).toBeVisible();
    const auditText = (await xp.locator("main").textContent()) ?? "";
    expect(auditText).not.toContain(publicId);
    expect(auditText).not.toContain(SECRET);
    const direct = await xp.goto(`${base()}/staff/integrity/reports/${publicId}`);
    expect(direct?.status()).toBe(404);
    await expect(xp.getByText(SECRET)).toHaveCount(0);
    await xp.goto(`${base()}/stats/corruption`);
    await expect(xp.locator("main")).not.toContainText(publicId);
    await expect(xp.locator("main")).toContainText("น้อยกว่า 5");
    expect(xproblems).toEqual([]);
    await xc.close();
  });

  test("filing and the inbox work with JavaScript disabled", async ({ browser }) => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      locale: "th-TH",
      javaScriptEnabled: false,
    });
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
    const att = dbGet<{ id: number }>(
      "select a.id from report_attachments a join reports r on r.id = a.report_id where r.public_id = ?",
      publicId,
    );
    const context = await browser.newContext({ locale: "th-TH" });
    const page = await context.newPage();
    await page.goto(`${base()}/staff/login`);
    await page.locator("input[name=email]").fill(officer().email);
    await page.locator("input[name=password]").fill(officer().password);
    await page.locator("form:has(input[name=password]) button[type=submit]").click();
    await expect(page).toHaveURL(/\/staff\/?(\?.*)?$/);
    await expect(page.locator("nav a[href='/staff/integrity']")).toHaveCount(0);
    for (const url of [
      "/staff/integrity",
      `/staff/integrity/reports/${publicId}`,
      `/staff/integrity/reports/${publicId}/attachments/${att?.id ?? 1}`,
    ]) {
      const res = await page.goto(`${base()}${url}`);
      expect([403, 404], url).toContain(res?.status());
      await expect(page.getByText(PHRASE)).toHaveCount(0);
      await expect(page.getByText(REPLY)).toHaveCount(0);
    }
    await context.close();
  });
});
