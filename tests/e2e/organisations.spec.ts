/**
 * Several organisations on one host name, each under /o/<code>/ (ORG_ROUTING=path), in Chromium on a 360 px phone: a
 * server of its own with วังลึก and หนองบัว added by `npm run org`. A citizen picks วังลึก from the list at the host's
 * root, moves through its pages by their
 * links (React Router's client navigation under the prefix), files a complaint, tracks it, switches to English, and
 * never leaves /o/wangluek; the cookies the browser keeps are scoped to that path. The same code at หนองบัว finds
 * nothing. The province page shows both, fits the phone, and works without JavaScript as the tracking form does.
 */
import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { addCouncil, startServer, type TestServer } from "../helpers/server";
import { noHorizontalScroll, phone, watch } from "./support";

const tag = crypto.randomBytes(3).toString("hex");
let server: TestServer;

test.beforeAll(async () => {
  server = await startServer({ env: { ORG_ROUTING: "path" } });
  await addCouncil(server, { code: "wangluek", th: "วังลึก", en: "Wang Luek", province: "40" });
  await addCouncil(server, { code: "nongbua", th: "หนองบัว", en: "Nong Bua", province: "40" });
});

test.afterAll(async () => {
  await server?.stop();
});

const A = "/o/wangluek";

async function track(page: Page, reference: string, code: string) {
  await page.getByRole("textbox", { name: "เลขที่เรื่อง", exact: false }).fill(reference);
  await page.getByRole("textbox", { name: "รหัสติดตาม", exact: false }).fill(code);
  await page.locator("form:has([name=code]) button[type=submit]").click();
}

test("a citizen stays within their organisation's /o/<code>/ from the home page to tracking, in Thai and English", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watch(page);
  // The host's root lists its organisations; วังลึก's link leads to its pages.
  await page.goto(`${server.url}/`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("หน่วยงานที่ให้บริการบนเว็บไซต์นี้");
  await noHorizontalScroll(page);
  await page.getByTestId("directory-wangluek").click();
  await expect(page).toHaveURL(`${server.url}${A}`);
  await expect(page.locator("html")).toHaveAttribute("data-base", A);
  await expect(page.getByRole("banner")).toContainText("วังลึก");

  // The home page's own link to the complaint form (client-side navigation under the prefix).
  await page.locator(`main a[href="${A}/complaints/new"]`).first().click();
  await expect(page).toHaveURL(`${server.url}${A}/complaints/new`);
  await page.getByRole("combobox", { name: "ประเภทเรื่อง", exact: true }).selectOption("streetlight");
  const subject = `ไฟถนนดับหน้าวัด ${tag}`;
  await page.getByRole("textbox", { name: "หัวข้อเรื่อง", exact: true }).fill(subject);
  await page.getByRole("textbox", { name: "รายละเอียด", exact: true }).fill("ไฟถนนหน้าวัดดับมาสามคืนแล้ว มืดมาก ขอให้ซ่อมด้วย");
  await page.getByRole("combobox", { name: "หมู่บ้าน", exact: true }).selectOption("1");
  await page.locator("form:has([name=subject]) button[type=submit]").first().click();
  const reference = (await page.getByTestId("reference").textContent())!.trim();
  const code = (await page.getByTestId("tracking-code").textContent())!.trim();
  expect(reference).toMatch(/^\d{4}-\d{6}$/);
  expect(new URL(page.url()).pathname.startsWith(`${A}/`)).toBe(true);

  // Every cookie the portal set is for this organisation's path only.
  const cookies = await context.cookies();
  expect(cookies.length).toBeGreaterThan(0);
  for (const c of cookies) expect(c.path === A || c.path.startsWith(`${A}/`), `${c.name}: Path=${c.path}`).toBe(true);

  // The header's tracking link, then the lookup.
  await page.locator(`a[href="${A}/track"]`).first().click();
  await expect(page).toHaveURL(`${server.url}${A}/track`);
  await track(page, reference, code);
  await expect(page.getByRole("heading", { name: `เลขที่เรื่อง ${reference}` })).toBeVisible();
  await expect(page.getByText(subject)).toBeVisible();

  // The language switch answers with the same page of the same organisation, in English.
  await page.locator("form.lang-switch button").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  expect(new URL(page.url()).pathname).toBe(`${A}/track`);
  await expect(page.getByRole("banner")).toContainText("Wang Luek");
  await noHorizontalScroll(page);

  // หนองบัว, on the same host: the same reference and code find nothing there.
  await page.goto(`${server.url}/o/nongbua/track?lang=th`);
  await expect(page.getByRole("banner")).toContainText("หนองบัว");
  await track(page, reference, code);
  await expect(page.getByRole("alert").first()).toBeVisible();
  await expect(page.getByText(subject)).toHaveCount(0);
  expect(problems).toEqual([]);
  await context.close();
});

test("without JavaScript: the province page of /o/<code>/ shows both members on a phone, and tracking works", async ({ browser }) => {
  const context = await phone(browser, false);
  const page = await context.newPage();
  const res = await page.goto(`${server.url}/o/nongbua/province`);
  expect(res?.status()).toBe(200);
  await expect(page.getByTestId("province-member-wangluek")).toContainText("วังลึก");
  await expect(page.getByTestId("province-member-nongbua")).toContainText("หนองบัว");
  await noHorizontalScroll(page);
  // Each member's name links to its own statistics, under its own path.
  await expect(page.getByTestId("province-member-wangluek").locator("a").first()).toHaveAttribute("href", new RegExp(`${A}/stats`));
  const download = page.getByTestId("province-download");
  await expect(download).toHaveAttribute("href", /^\/o\/nongbua\/province\/data\.csv/);

  // A plain form post under the prefix: a wrong code is refused with the form shown again, at the same address.
  await page.goto(`${server.url}${A}/track`);
  await track(page, "2569-000001", "AAAA-BBBB-CCCC");
  expect(new URL(page.url()).pathname).toBe(`${A}/track`);
  await expect(page.getByRole("textbox", { name: "รหัสติดตาม", exact: false })).toBeVisible();
  await context.close();
});
