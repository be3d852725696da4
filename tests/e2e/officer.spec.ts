/**
 * The officer's case page on a 360 px phone, in Thai: a new case taken to closed using only the action panel — the
 * usual next step is the prominent button at each status, the rest sits behind "other actions", every button says
 * what it does, and no delay-explanation letter is offered on a case whose deadline is far off. The queue fits the
 * phone as cards and uses the whole width of a 1366 px office screen.
 */
import crypto from "node:crypto";
import { test, expect, type Page } from "@playwright/test";
import { HttpClient, fileComplaint } from "../helpers/http";
import { account, base, dbGet, noHorizontalScroll, phone, staffSignIn, watch } from "./support";

const officer = () => account("E2E_OFFICER");
const tag = crypto.randomBytes(3).toString("hex");
let reference = "";

const statusOf = () => dbGet<{ status: string }>("select status from complaints where reference = ?", reference)?.status;

/** The panel's prominent button (the usual next step) and every button's name in the panel. */
const panel = (page: Page) => page.getByTestId("action-panel");
const leadButton = (page: Page) => panel(page).locator(".card.lead button[type=submit]");

async function buttonNames(page: Page): Promise<string[]> {
  return panel(page)
    .locator("button[type=submit]")
    .evaluateAll((bs) => bs.map((b) => (b.textContent ?? "").trim()));
}

test.beforeAll(async () => {
  const filed = await fileComplaint(new HttpClient(base()), {
    subject: `ไฟกิ่งดับหน้าวัด ${tag}`,
    category: "road",
    contactEmail: `officer-journey-${tag}@example.th`,
  });
  reference = filed.reference;
  // A second case stays open, so the queue has a row on the office screen.
  await fileComplaint(new HttpClient(base()), { subject: `ท่อระบายน้ำอุดตัน ${tag}`, category: "road" });
});

test("an officer takes a new case to closed on a phone using only the action panel", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watch(page);
  await staffSignIn(page, base(), officer());

  // The queue is a list of cards on the phone, and the case is in it.
  const row = page.getByTestId("queue-row").filter({ hasText: reference });
  await expect(row).toBeVisible();
  expect((await row.boundingBox())!.width).toBeLessThanOrEqual(360);
  await noHorizontalScroll(page);
  await row.getByRole("link", { name: reference }).click();
  await expect(page).toHaveURL(new RegExp(`/staff/cases/${reference}$`));
  await noHorizontalScroll(page);

  // New: accept first and prominent; assigning also at hand; no delay-explanation letter on a brand-new case.
  await expect(leadButton(page)).toHaveText("ตอบรับเรื่องนี้");
  await expect(page.getByTestId("panel-main").getByRole("button", { name: "บันทึกการมอบหมาย" })).toBeVisible();
  await expect(page.getByTestId("form-explanation")).toHaveCount(0);
  await expect(page.getByTestId("other-actions").getByRole("button", { name: "ส่งคำตอบถึงผู้ร้อง" })).toBeHidden();
  const names = await buttonNames(page);
  expect(new Set(names).size).toBe(names.length);
  expect(names).not.toContain("บันทึก");
  // One status vocabulary: the staff page names the status as the citizen sees it.
  await expect(page.getByTestId("case-status")).toHaveText("รับเรื่องแล้ว รอตรวจสอบ");
  await leadButton(page).click();
  await expect.poll(statusOf).toBe("accepted");

  // Accepted: start work.
  await expect(page.getByTestId("case-status")).toHaveText("ตรวจสอบแล้ว รับไว้ดำเนินการ");
  await expect(leadButton(page)).toHaveText("เริ่มดำเนินการ");
  await leadButton(page).click();
  await expect.poll(statusOf).toBe("in_progress");

  // In progress: record progress, reply to the citizen, close with the result — all open.
  await expect(leadButton(page)).toHaveText("บันทึกความคืบหน้าภายใน");
  const progressNote = `ช่างตรวจสอบแล้ว ต้องเปลี่ยนหลอด ${tag}`;
  await page.getByTestId("form-note").getByRole("textbox").fill(progressNote);
  await leadButton(page).click();
  await expect(page.getByTestId("timeline")).toContainText(progressNote);

  // Asking the citizen for information is under "other actions"; it pauses the clock.
  const other = page.getByTestId("other-actions");
  await other.locator("summary").click();
  const ask = page.getByTestId("form-request_info");
  await ask.getByRole("textbox").fill(`ขอทราบเสาไฟต้นที่ดับ ${tag}`);
  await ask.getByRole("button", { name: "ส่งคำขอข้อมูลและหยุดนับเวลา" }).click();
  await expect.poll(statusOf).toBe("waiting_info");

  // Paused: resume is the one next step.
  await expect(page.getByTestId("deadline-badge").first()).toHaveAttribute("data-state", "paused");
  await expect(leadButton(page)).toHaveText("ได้รับข้อมูลแล้ว ดำเนินการต่อ");
  await leadButton(page).click();
  await expect.poll(statusOf).toBe("in_progress");

  // Close with the result.
  const resolve = page.getByTestId("form-resolve");
  await expect(resolve).toBeVisible();
  await resolve.getByRole("textbox").fill(`เปลี่ยนหลอดไฟกิ่งหน้าวัดแล้ว ${tag}`);
  await resolve.getByRole("button", { name: "ปิดเรื่องและแจ้งผลแก่ผู้ร้อง" }).click();
  await expect.poll(statusOf).toBe("resolved");
  await expect(page.getByTestId("case-status")).toHaveText("ดำเนินการเสร็จสิ้น");
  await expect(page.getByTestId("panel-main")).toHaveCount(0);
  await expect(panel(page)).toContainText("เรื่องนี้ปิดแล้ว");
  await noHorizontalScroll(page);
  expect(problems).toEqual([]);
  await context.close();
});

test("the queue uses the whole width of a 1366 px office screen", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "th-TH" });
  const page = await context.newPage();
  await staffSignIn(page, base(), officer());
  const table = page.getByTestId("queue-table");
  await expect(table).toBeVisible();
  expect((await table.boundingBox())!.width).toBeGreaterThanOrEqual(1366 - 64);
  await context.close();
});
