/**
 * Every public page, on a 360 px phone in Thai, checked with axe (WCAG 2.0 and 2.1, levels A and AA): zero
 * violations. Pages that only exist after something happens are reached the way a person reaches them: the complaint
 * form's error state after an empty submit, the receipt after filing, a tracked case, the corruption channel's
 * receipt after a report. The officer's queue and case page are checked too.
 */
import crypto from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { test, expect, type Page } from "@playwright/test";
import { fiscalYearOf } from "../../app/lib/fiscal-year";
import { account, base, phone, staffSignIn } from "./support";

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const fy = fiscalYearOf(new Date());
const tag = crypto.randomBytes(3).toString("hex");

/** The pages a visitor opens directly. */
const PUBLIC_PAGES = [
  "/",
  "/complaints/new",
  "/track",
  "/track/rate",
  "/feedback",
  "/feedback/poster",
  "/report",
  "/report/new",
  "/report/inbox",
  "/report/verify",
  "/stats",
  `/stats?fy=${fy}`,
  `/stats/cases?fy=${fy}`,
  "/stats/corruption",
  "/stats/targets",
  "/stats/report",
  "/stats/data",
  `/stats/data?fy=${fy}`,
];

/** axe's violations on the page as one line each (rule, impact, help and the first offending elements). */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .slice(0, 4)
        .map((n) => n.target.join(" "))
        .join(" | ")}`,
  );
}

/** Checks the page as it is now; a failure names the page and every violation, and the test goes on to the next page. */
async function check(page: Page, label: string): Promise<void> {
  await expect(page.locator("html")).toHaveAttribute("lang", "th");
  expect.soft(await violations(page), `axe on ${label}`).toEqual([]);
}

test("the check itself finds a violation when there is one", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${base()}/track`, { waitUntil: "networkidle" });
  await page.evaluate(() => {
    const input = document.createElement("input");
    input.type = "text";
    input.name = "unlabelled";
    document.querySelector("main")!.append(input);
  });
  expect((await violations(page)).join("\n")).toMatch(/^label /m);
  await context.close();
});

test("every public page has no WCAG 2.1 AA violation on a phone in Thai", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  for (const path of PUBLIC_PAGES) {
    const res = await page.goto(`${base()}${path}`, { waitUntil: "networkidle" });
    expect.soft(res?.status(), path).toBe(200);
    await check(page, path);
  }
  // A published report, when there is one.
  await page.goto(`${base()}/stats/report`);
  const report = page.locator(`a[href^="/stats/report/"]`).first();
  if (await report.count()) {
    await report.click();
    await page.waitForLoadState("networkidle");
    await check(page, page.url());
  }
  await context.close();
});

test("the complaint form's error state, the receipt and the tracked case", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${base()}/complaints/new`, { waitUntil: "networkidle" });
  const submit = page.locator("form:has([name=subject]) button[type=submit]").first();
  // An empty submit: the portal's own error summary (the browser's pop-ups are not part of the page).
  await submit.click();
  await expect(page.locator(".error-summary").first()).toBeVisible();
  await check(page, "/complaints/new after an empty submit");

  await page.locator("select[name=category]").selectOption("road");
  await page.locator("input[name=subject]").fill(`ทางเท้าชำรุด ${tag}`);
  await page.locator("textarea[name=details]").fill("ทางเท้าหน้าตลาดแผ่นปูนแตก ผู้สูงอายุสะดุดล้มบ่อย ขอให้ซ่อมแซม");
  const village = page.locator("select[name=village]");
  if (await village.count()) await village.selectOption("1");
  await page.locator("input[name=contactName]").fill("สมใจ ทดสอบ");
  await page.locator("input[name=contactEmail]").fill(`a11y-${tag}@example.th`);
  await page.locator("input[name=preferredContact][value=email]").check();
  await submit.click();
  await expect(page).toHaveURL(/\/complaints\/done$/);
  const reference = (await page.getByTestId("reference").textContent())!.trim();
  const code = (await page.getByTestId("tracking-code").textContent())!.trim();
  await check(page, "/complaints/done (the receipt)");

  await page.goto(`${base()}/track`, { waitUntil: "networkidle" });
  await page.locator("input[name=reference]").fill(reference);
  await page.locator("input[name=code]").fill(code);
  await page.locator("form:has([name=code]) button[type=submit]").click();
  await expect(page.getByTestId("case-status")).toBeVisible();
  await check(page, "/track with a tracked case");
  await context.close();
});

test("the counter-service form's thanks page", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${base()}/feedback`, { waitUntil: "networkidle" });
  const feedback = page.getByTestId("feedback-form");
  await feedback.locator("select[name=service]").selectOption({ index: 1 });
  await feedback.locator("input[name=score][value='4']").check();
  await feedback.locator("button[type=submit]").click();
  await expect(page.getByTestId("feedback-thanks")).toBeVisible();
  await check(page, "/feedback/thanks");
  await context.close();
});

test("the corruption channel's receipt", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${base()}/report/new`, { waitUntil: "networkidle" });
  await page.locator("textarea[name=whatHappened]").fill(`เจ้าหน้าที่เรียกรับเงินเพื่อเร่งออกใบอนุญาต ${tag}`);
  await page.locator("input[name=where]").fill("ห้องงานทะเบียน");
  await page.locator("form.report-form button[type=submit]").click();
  await expect(page).toHaveURL(/\/report\/receipt$/);
  await expect(page.getByTestId("receipt")).toBeVisible();
  await check(page, "/report/receipt");
  await context.close();
});

test("the officer's queue and case page", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await staffSignIn(page, base(), account("E2E_OFFICER"));
  await page.waitForLoadState("networkidle");
  await check(page, "/staff (the queue)");
  // The complaint filed above (a road: the officer's division) is in the queue.
  const first = page.getByTestId("queue-row").first().getByRole("link").first();
  await expect(first).toBeVisible();
  await first.click();
  await expect(page.getByTestId("case-reference")).toBeVisible();
  await page.waitForLoadState("networkidle");
  await check(page, "/staff/cases/… (the case page)");
  await page.getByTestId("other-actions").locator("summary").click();
  await check(page, "/staff/cases/… with the other actions open");
  await context.close();
});
