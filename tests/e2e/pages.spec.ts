/**
 * Every page opens in the browser without an error once its JavaScript runs. A page can render correctly on the
 * server and still break in the browser (e.g. a value imported from a *.server module, which the browser build
 * replaces with an empty one): the other specs follow journeys; this one visits every public page, and every back
 * office page as a supervisor and as an administrator, and fails on any page error, render error caught by the
 * router, hydration mismatch or CSP violation.
 */
import { test, expect, type Browser, type Page } from "@playwright/test";
import { account, base, noHorizontalScroll, phone, passSecondFactorIfAsked, watch, type Account } from "./support";
import { fiscalYearOf } from "../../app/lib/fiscal-year";

const fy = fiscalYearOf(new Date());

const PUBLIC_PAGES = [
  "/",
  "/complaints/new",
  "/track",
  "/track/rate",
  "/report",
  "/report/new",
  "/report/inbox",
  "/report/verify",
  "/stats",
  `/stats?fy=${fy}`,
  "/stats/corruption",
  "/stats/targets",
  "/stats/data",
  `/stats/cases?fy=${fy}`,
  "/stats/report",
  "/feedback",
  "/feedback/poster",
  "/staff/login",
];

const SUPERVISOR_PAGES = [
  "/staff",
  "/staff/passkeys",
  "/staff?status=all",
  `/staff?fy=${fy}&state=open`,
  "/staff/board",
  "/staff/feedback",
  "/staff/intake",
  "/staff/reports",
  `/staff/reports/${fy}/year`,
  `/staff/reports/${fy}/h1`,
  "/stats",
];

const ADMIN_PAGES = [
  "/staff/admin",
  "/staff/admin/security",
  "/staff/passkeys",
  "/staff/admin/sla",
  "/staff/admin/holidays",
  "/staff/admin/escalation",
  "/staff/admin/templates",
  "/staff/admin/outbox",
  "/staff/audit",
  "/staff/integrity/settings",
  "/staff/reports",
];

/** Opens a page, waits until the browser's scripts have run, and returns what went wrong. */
async function visit(page: Page, path: string, problems: string[]) {
  const before = problems.length;
  const res = await page.goto(`${base()}${path}`, { waitUntil: "networkidle" });
  expect.soft(res?.status(), `${path}: status`).toBeLessThan(400);
  await expect.soft(page.locator("h1").first(), `${path}: heading`).toBeVisible();
  // The router's error page ("เกิดข้อผิดพลาด") replaces the content when rendering fails in the browser.
  await expect.soft(page.locator("#error-title"), `${path}: error page`).toHaveCount(0);
  expect.soft(problems.slice(before), `${path}: browser errors`).toEqual([]);
}

async function signIn(browser: Browser, who: Account) {
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

test("every public page runs in the browser without errors", async ({ browser }) => {
  const context = await browser.newContext({ locale: "th-TH" });
  const page = await context.newPage();
  const problems = watch(page);
  for (const path of PUBLIC_PAGES) await visit(page, path, problems);
  await context.close();
});

test("every back-office page runs in the browser without errors (supervisor)", async ({ browser }) => {
  const { context, page, problems } = await signIn(browser, account("E2E_SUPERVISOR"));
  for (const path of SUPERVISOR_PAGES) await visit(page, path, problems);
  await context.close();
});

test("every administration page runs in the browser without errors (administrator)", async ({ browser }) => {
  if (process.env.E2E_ADMIN_ERROR) throw new Error(`administrator account not created: ${process.env.E2E_ADMIN_ERROR}`);
  const { context, page, problems } = await signIn(browser, account("E2E_ADMIN"));
  for (const path of ADMIN_PAGES) await visit(page, path, problems);
  await context.close();
});

test("the statistics and the counter form work without JavaScript on a phone", async ({ browser }) => {
  const context = await phone(browser, false);
  const page = await context.newPage();
  // Statistics: the year selector is a plain GET form.
  await page.goto(`${base()}/stats`);
  const form = page.getByTestId("fy-form");
  const options = await form.locator("select option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  const other = options.find((v) => v !== String(fy)) ?? String(fy);
  await form.locator("select").selectOption(other);
  await form.locator("button[type=submit]").click();
  await expect(page).toHaveURL(new RegExp(`/stats\\?fy=${other}$`));
  await expect(page.locator("h1")).toContainText(other);
  await noHorizontalScroll(page);
  // Counter-service form: a plain POST, answered with the thanks page.
  await page.goto(`${base()}/feedback`);
  const feedback = page.getByTestId("feedback-form");
  await feedback.locator("select[name=service]").selectOption({ index: 1 });
  await feedback.locator("input[name=score][value='4']").check();
  await feedback.locator("button[type=submit]").click();
  await expect(page).toHaveURL(/\/feedback\/thanks$/);
  await expect(page.getByTestId("feedback-thanks")).toBeVisible();
  // Bad input without JavaScript: no score → the form again with an error summary, in Thai.
  await page.goto(`${base()}/feedback`);
  await page.getByTestId("feedback-form").locator("select[name=service]").selectOption({ index: 1 });
  await page.evaluate(() => document.querySelectorAll("input[required], select[required]").forEach((el) => el.removeAttribute("required")));
  await page.getByTestId("feedback-form").locator("button[type=submit]").click();
  await expect(page.locator(".error-summary, [role=alert]").first()).toBeVisible();
  await context.close();
});
