/**
 * One sign-in for a person who works for two councils (docs/decisions/0016-one-sign-in-across-organisations.md), in
 * Chromium against a server of its own with วังลึก and หนองบัว by host name (ORG_ROUTING=host; Chromium sends
 * *.localhost to this machine). The person gets a code at หนองบัว, types it at วังลึก, then switches: วังลึก's page posts
 * the one-time token to หนองบัว's address (the browser's own CSP and cross-site rules apply: nothing may be refused), and
 * หนองบัว asks once more before its back office opens. With JavaScript, and again without it.
 */
import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { addCouncil, startServer, type TestServer } from "../helpers/server";
import { HttpClient } from "../helpers/http";
import { createAnyStaff, staffLogin } from "../helpers/report";
import { phone, staffSignIn, watch } from "./support";

const tag = crypto.randomBytes(3).toString("hex");
const PASSWORD = "two councils in a browser 2569";
let server: TestServer;
const origin = (code: string) => `http://${code}.localhost:${server.port}`;
const person = {
  a: { email: `kanda-${tag}@wangluek.go.th`, password: PASSWORD, name: "กานดา วังลึก" },
  b: { email: `kanda-${tag}@nongbua.go.th`, password: PASSWORD, name: "กานดา หนองบัว" },
};

test.beforeAll(async () => {
  server = await startServer({ env: { ORG_ROUTING: "host" } });
  for (const [code, th, en] of [
    ["wangluek", "วังลึก", "Wang Luek"],
    ["nongbua", "หนองบัว", "Nong Bua"],
  ]) {
    await addCouncil(server, { code, th, en, host: `${code}.localhost` });
    // Each council's first administrator fills in its details.
    const admin = { email: `admin-${tag}@${code}.go.th`, name: "ผู้ดูแล", role: "admin" as const, password: PASSWORD, org: code };
    await createAnyStaff(server, admin);
    await staffLogin(new HttpClient(server.url, { host: `${code}.localhost` }), admin.email, PASSWORD);
  }
  await createAnyStaff(server, { ...person.a, role: "officer", division: "works", org: "wangluek" });
  await createAnyStaff(server, { ...person.b, role: "officer", division: "works", org: "nongbua" });
});

test.afterAll(async () => {
  await server?.stop();
});

/** From วังลึก's account page to หนองบัว's back office: the switch button, the page that carries the token, the question. */
async function switchToNongbua(page: Page): Promise<void> {
  await page.goto(`${origin("wangluek")}/staff/account`);
  await page.getByRole("button", { name: "สลับไป องค์การบริหารส่วนตำบลหนองบัว" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("ไปยัง องค์การบริหารส่วนตำบลหนองบัว");
  expect(page.url()).toBe(`${origin("wangluek")}/staff/switch`);
  await page.getByRole("button", { name: "ไปยัง องค์การบริหารส่วนตำบลหนองบัว" }).click();
  await expect(page).toHaveURL(`${origin("nongbua")}/staff/switch`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`ใช้งานต่อในชื่อ ${person.b.email} หรือไม่`);
  await expect(page.getByText("คุณมาจาก องค์การบริหารส่วนตำบลวังลึก")).toBeVisible();
  await page.getByRole("button", { name: "ใช้งานต่อ" }).click();
  await expect(page).toHaveURL(`${origin("nongbua")}/staff`);
  await expect(page.getByRole("banner")).toContainText("หนองบัว");
  await expect(page.getByText(person.b.name).first()).toBeVisible();
}

test("a person links their two councils' accounts and switches between them, with and without JavaScript", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watch(page);

  // At หนองบัว: the code, after the password again.
  await staffSignIn(page, origin("nongbua"), person.b);
  await page.goto(`${origin("nongbua")}/staff/account`);
  await page.locator("input[name=codePassword]").fill(PASSWORD);
  await page.getByRole("button", { name: "ขอรหัสเชื่อมบัญชี" }).click();
  const code = (await page.getByTestId("link-code").textContent())!.trim();
  expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

  // At วังลึก: a wrong code first (the form says so and keeps the council), then the right one; the page says whose
  // account it is and asks for วังลึก's password before linking.
  await staffSignIn(page, origin("wangluek"), person.a);
  await page.goto(`${origin("wangluek")}/staff/account`);
  const form = page.locator("form:has(select[name=fromOrg])");
  await form.locator("select[name=fromOrg]").selectOption("nongbua");
  await form.locator("input[name=code]").fill("AAAA-BBBB-CCCC");
  await form.getByRole("button", { name: "ตรวจสอบรหัส" }).click();
  await expect(page.getByText("รหัสไม่ถูกต้องหรือหมดอายุแล้ว").first()).toBeVisible();
  await expect(form.locator("select[name=fromOrg]")).toHaveValue("nongbua");
  await form.locator("input[name=code]").fill(code.toLowerCase());
  await form.getByRole("button", { name: "ตรวจสอบรหัส" }).click();
  await expect(page.getByTestId("link-preview")).toContainText(person.b.email);
  await page.locator("input[name=linkPassword]").fill(PASSWORD);
  await page.getByRole("button", { name: "เชื่อมบัญชี", exact: true }).click();
  await expect(page.getByTestId("links-done")).toContainText("หนองบัว");
  await expect(page.getByTestId("links-list")).toContainText(person.b.email);

  await switchToNongbua(page);
  expect(problems).toEqual([]);
  await context.close();

  // The same switch in a browser without JavaScript: every step is a plain form.
  const plain = await phone(browser, false);
  const page2 = await plain.newPage();
  await staffSignIn(page2, origin("wangluek"), person.a);
  await switchToNongbua(page2);
  // Its own account page names the council it came from.
  await page2.goto(`${origin("nongbua")}/staff/account`);
  await expect(page2.getByTestId("links-list")).toContainText(person.a.email);
  await plain.close();
});
