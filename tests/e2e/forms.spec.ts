/**
 * Forms that help, in Chromium on a 360 px phone in Thai: an empty submit gets the portal's own error summary listing
 * every required field (no browser pop-up), a file too big is refused in the browser before anything is uploaded
 * and shown with its reason beside a preview of the good one, files kept after a refusal are said to be kept, the
 * receipt prints a short address, and the statistics pages fit the screen with their tables turned into cards.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, expect } from "@playwright/test";
import sharp from "sharp";
import { base, phone, watch } from "./support";
import { fiscalYearOf } from "../../app/lib/fiscal-year";

/** The page is no wider than the phone's 360 px: nothing sticks out sideways. */
async function fitsThePhone(page: import("@playwright/test").Page) {
  const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
  expect(width, `${page.url()} scrolls sideways`).toBeLessThanOrEqual(360);
}

test("an empty complaint shows the portal's summary of every required field, not the browser's pop-up", async ({ browser }) => {
  const ctx = await phone(browser);
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(`${base()}/complaints/new`);
  const form = page.locator("form.complaint-form");
  await expect(form).toHaveAttribute("novalidate", "");
  // The fields still say they are required (for screen readers and the browser's own hints).
  await expect(page.locator("#f-subject")).toHaveAttribute("required", "");
  const posted = page.waitForResponse((r) => new URL(r.url()).pathname === "/complaints/new" && r.request().method() === "POST");
  await page.getByRole("button", { name: "ส่งเรื่องร้องทุกข์" }).click();
  // The browser did not stop the post: the server answered, and its summary lists every required field at once.
  expect((await posted).status()).toBe(422);
  const summary = page.locator(".error-summary");
  await expect(summary).toBeVisible();
  await expect(summary).toBeFocused();
  await expect(summary.locator("h2")).toContainText("กรุณาแก้ไข");
  for (const field of ["category", "subject", "details", "village"]) {
    await expect(summary.locator(`a[href="#f-${field}"]`), field).toContainText("กรุณากรอกข้อมูลช่องนี้");
  }
  await summary.locator('a[href="#f-subject"]').click();
  await expect(page).toHaveURL(/#f-subject$/);
  await fitsThePhone(page);
  expect(problems).toEqual([]);
  await ctx.close();
});

test("a 30 MB file is refused in the browser before upload, the good photo is previewed, kept after a refusal and said so", async ({
  browser,
}) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-forms-"));
  const big = path.join(dir, "scan-30mb.pdf");
  fs.writeFileSync(big, "");
  fs.truncateSync(big, 30 * 1024 * 1024);
  const good = path.join(dir, "pothole.png");
  fs.writeFileSync(
    good,
    await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 120, g: 90, b: 40 } } })
      .png()
      .toBuffer(),
  );

  const ctx = await phone(browser);
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(`${base()}/complaints/new`);
  const input = page.locator("#f-attachments");
  await input.setInputFiles([good, big]);

  const chosen = page.getByTestId("chosen-attachments");
  await expect(chosen.getByTestId("chosen-summary")).toContainText("ไม่ได้แนบ 1 ไฟล์");
  const refused = chosen.locator('li[data-problem="files.tooLarge"]');
  await expect(refused).toContainText("scan-30mb.pdf");
  await expect(refused).toContainText("30.0 MB");
  await expect(refused).toContainText("เกินขนาดที่รับได้");
  const ok = chosen.locator("li.chosen-ok");
  await expect(ok).toContainText("pothole.png");
  await expect(ok.locator("img.chosen-thumb")).toHaveAttribute("src", /^blob:/);
  // Only the good file is left in the input: the 30 MB one is never sent.
  expect(await input.evaluate((el: HTMLInputElement) => [...(el.files ?? [])].map((f) => f.name))).toEqual(["pothole.png"]);

  // A post with a missing field: the request carries the photo only, and the answer keeps it and says so.
  await page.locator("#f-category").selectOption("road");
  await page.locator("#f-details").fill("ถนนเป็นหลุมลึกหน้าโรงเรียน");
  await page.locator("#f-village").selectOption("1");
  const request = page.waitForRequest((r) => new URL(r.url()).pathname === "/complaints/new" && r.method() === "POST");
  await page.getByRole("button", { name: "ส่งเรื่องร้องทุกข์" }).click();
  const sent = await request;
  expect((await sent.response())?.status()).toBe(422);
  expect((await sent.sizes()).requestBodySize).toBeLessThan(1024 * 1024);
  const summary = page.locator(".error-summary");
  await expect(summary.locator('a[href="#f-subject"]')).toBeVisible();
  await expect(summary.getByTestId("kept-note")).toContainText("ไม่ต้องเลือกใหม่");
  await expect(page.locator(".kept-files")).toContainText("pothole.png");
  await fitsThePhone(page);

  // Corrected, it is filed with the kept photo; the receipt prints the short address beside the QR code.
  await page.locator("#f-subject").fill("ถนนเป็นหลุมหน้าโรงเรียน");
  await page.getByRole("button", { name: "ส่งเรื่องร้องทุกข์" }).click();
  await expect(page).toHaveURL(/\/complaints\/done$/);
  const address = page.getByTestId("receipt-address");
  await expect(address).toContainText(`${new URL(base()).host}/track`);
  await fitsThePhone(page);
  expect(problems).toEqual([]);
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the statistics pages fit a 360 px phone, their tables as cards, the verdict first on /stats/targets", async ({ browser }) => {
  const ctx = await phone(browser);
  const page = await ctx.newPage();
  const problems = watch(page);
  const fy = fiscalYearOf(new Date());
  for (const p of ["/stats", "/stats/targets", `/stats/cases?fy=${fy}`, "/stats/corruption", "/stats/report", "/stats/data"]) {
    const res = await page.goto(`${base()}${p}`);
    expect(res?.status(), p).toBe(200);
    await fitsThePhone(page);
  }

  await page.goto(`${base()}/stats`);
  const row = page.locator("table.cards-on-phone tbody tr").first();
  await expect(row).toBeVisible();
  expect(await row.evaluate((el) => getComputedStyle(el).display)).toBe("flex");
  const cell = row.locator("td[data-label]").first();
  const label = await cell.getAttribute("data-label");
  expect(label).toBeTruthy();
  expect(await cell.evaluate((el) => getComputedStyle(el, "::before").content)).toBe(`"${label}"`);
  // Still a real table for screen readers.
  expect(
    await page
      .locator("table.cards-on-phone")
      .first()
      .evaluate((el) => el.tagName),
  ).toBe("TABLE");

  await page.goto(`${base()}/stats/targets`);
  const target = page.locator('[data-testid="targets-table"] tbody tr').first();
  const verdictTop = await target.locator("td.target-verdict").evaluate((el) => el.getBoundingClientRect().top);
  const textTop = await target.locator("td.target-text").evaluate((el) => el.getBoundingClientRect().top);
  expect(verdictTop).toBeLessThan(textTop);
  // …and on the screen, not beyond its right edge.
  const verdict = await target.locator("td.target-verdict").evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right };
  });
  expect(verdict.left).toBeGreaterThanOrEqual(0);
  expect(verdict.right).toBeLessThanOrEqual(360);
  expect(problems).toEqual([]);
  await ctx.close();
});
