/**
 * Deadlines in a real browser, with the server's clock moved forward (CLOCK_OFFSET_MS): a citizen files a
 * complaint with an e-mail; "days later" the supervisor sees it due soon in the queue; after the deadline it is
 * overdue and owes the complainant an explanation; the supervisor sends the explanation from the pre-filled template
 * with a new expected date; the citizen sees the explanation and the new date on /track (and gets it by e-mail).
 *
 * This spec starts its OWN server and SMTP server (the restarts with another clock would disturb the shared one of
 * global-setup.ts); it runs on the default ./build, or TEST_BUILD_DIR like every other test.
 */
import crypto from "node:crypto";
import { test, expect, type Browser, type Page } from "@playwright/test";
import { nextTotpCode, passSecondFactorIfAsked, pickBuddhistDate, watch } from "./support";
import { createStaffUser, dbGet, startServer, waitUntil, type TestServer } from "../helpers/server";
import { HttpClient } from "../helpers/http";
import { totpAccount, totpLogin, type TotpAccount } from "../helpers/report";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { addBangkokDays, bangkokDateKey, formatThaiDate } from "../../app/lib/thai-date";

const DAY = 24 * 3600 * 1000;
const tag = crypto.randomBytes(3).toString("hex");
const citizenEmail = `late-${tag}@example.th`;
const SUPERVISOR = {
  email: `palad-${tag}@wangluek.go.th`,
  name: "ปลัด ทดสอบกำหนดเวลา",
  role: "supervisor" as const,
  password: "e2e supervisor password 2569",
};

/** Server env; CLOCK_OFFSET_MS is changed between restarts (startServer reads this object at every spawn). */
const serverEnv: Record<string, string> = {};
let server: TestServer;
let smtp: TestSmtp;
let filed: { reference: string; code: string };
/** The new expected date the supervisor picks (YYYY-MM-DD, Bangkok). */
let expectedKey = "";
/** The supervisor's authenticator app (set up over HTTP in beforeAll); codes follow the server's moved clock. */
let supervisorTotp: TotpAccount;

const complaint = () =>
  dbGet<{ id: number; due_at: string; explanation_owed: number; explained_at: string | null; expected_at: string | null; status: string }>(
    server,
    "select id, due_at, explanation_owed, explained_at, expected_at, status from complaints where reference = ?",
    filed.reference,
  );

/** Restarts the server with its clock at `dueAt + shiftMs` (so the case is in the wanted deadline state). */
async function restartAt(shiftMs: number) {
  const c = (await complaint())!;
  const target = new Date(c.due_at).getTime() + shiftMs;
  serverEnv.CLOCK_OFFSET_MS = String(Math.round(target - Date.now()));
  await server.restart();
  return new Date(target);
}

async function signIn(browser: Browser) {
  // A new context each time: the clock jump ends earlier sessions.
  const context = await browser.newContext({ locale: "th-TH" });
  const page = await context.newPage();
  await page.goto(`${server.url}/staff/login`);
  await page.locator("input[name=email]").fill(SUPERVISOR.email);
  await page.locator("input[name=password]").fill(SUPERVISOR.password);
  await page.locator("form:has(input[name=password]) button[type=submit]").click();
  // Supervisors sign in with a second factor: a code of the server's (moved) clock.
  await passSecondFactorIfAsked(page, SUPERVISOR, () => nextTotpCode(supervisorTotp, Number(serverEnv.CLOCK_OFFSET_MS ?? 0)));
  return { context, page };
}

const queueRow = (page: Page) => page.getByTestId("queue-row").filter({ hasText: filed.reference });

test.describe.serial("deadlines: due soon, overdue, explanation", () => {
  test.beforeAll(async () => {
    smtp = await startSmtp();
    serverEnv.SMTP_URL = smtp.url;
    server = await startServer({ env: serverEnv });
    await createStaffUser(server, SUPERVISOR);
    supervisorTotp = totpAccount(SUPERVISOR.email, SUPERVISOR.password);
    await totpLogin(new HttpClient(server.url), supervisorTotp, "/staff");
  });

  test.afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  test("a citizen files a complaint with an e-mail address", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, locale: "th-TH" });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${server.url}/complaints/new`);
    await page.getByRole("combobox", { name: "ประเภทเรื่อง", exact: true }).selectOption("road");
    await page.getByRole("textbox", { name: "หัวข้อเรื่อง", exact: true }).fill(`ท่อระบายน้ำอุดตัน ${tag}`);
    await page.getByRole("textbox", { name: "รายละเอียด", exact: true }).fill("ท่อระบายน้ำหน้าตลาดอุดตัน น้ำท่วมขังทุกครั้งที่ฝนตก ขอให้มาลอกท่อ");
    await page.getByRole("combobox", { name: "หมู่บ้าน", exact: true }).selectOption("2");
    await page.getByRole("textbox", { name: "ชื่อ-นามสกุล", exact: true }).fill("สมชาย รอนาน");
    await page.getByRole("textbox", { name: "อีเมล", exact: true }).fill(citizenEmail);
    await page.locator("input[name=preferredContact][value=email]").check();
    await page.locator("form:has([name=subject]) button[type=submit]").first().click();
    const ref = page.getByTestId("reference");
    await expect(ref).toHaveText(/^\s*\d{4}-\d{6}\s*$/);
    filed = { reference: (await ref.textContent())!.trim(), code: (await page.getByTestId("tracking-code").textContent())!.trim() };
    expect((await complaint())!.status).toBe("received");
    expect(problems).toEqual([]);
    await context.close();
  });

  test("two days before the deadline the supervisor sees it due soon in the queue", async ({ browser }) => {
    await restartAt(-2 * DAY);
    const { context, page } = await signIn(browser);
    const problems = watch(page);
    const badge = queueRow(page).getByTestId("deadline-badge");
    await expect(badge).toHaveAttribute("data-state", "due_soon");
    await expect(badge).toBeVisible();
    await expect(queueRow(page).getByTestId("explanation-owed")).toHaveCount(0);
    // The "due soon" filter finds it too.
    await page.goto(`${server.url}/staff?deadline=due_soon`);
    await expect(queueRow(page).getByTestId("deadline-badge")).toHaveAttribute("data-state", "due_soon");
    // The ticker (at start, then every minute) recorded the "due soon" rung once.
    await waitUntil(
      async () =>
        (await dbGet(
          server,
          "select 1 from escalations e join complaints c on c.id = e.complaint_id where c.reference = ? and e.level = 'due_soon'",
          filed.reference,
        )) ?? null,
      "the due-soon escalation",
    );
    expect((await complaint())!.explanation_owed).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  test("after the deadline the case is overdue and owes an explanation; the supervisor sends it from the template", async ({ browser }) => {
    const at = await restartAt(2 * DAY);
    // The ticker runs shortly after start: the deadline passed "while the server was off" → escalates once.
    await waitUntil(async () => (await complaint())!.explanation_owed === 1, "explanation owed after the overdue tick", 20_000);
    const { context, page } = await signIn(browser);
    const problems = watch(page);
    const row = queueRow(page);
    await expect(row.getByTestId("deadline-badge")).toHaveAttribute("data-state", "overdue");
    await expect(row.getByTestId("explanation-owed")).toBeVisible();

    await page.goto(`${server.url}/staff/cases/${filed.reference}`);
    await expect(page.getByTestId("deadline-badge").first()).toHaveAttribute("data-state", "overdue");
    await expect(page.getByTestId("explanation-owed")).toBeVisible();
    const form = page.getByTestId("form-explanation");
    const text = form.locator("textarea[name=text]");
    // Pre-filled from the template, with the reference filled in.
    await expect(text).toHaveValue(new RegExp(filed.reference));
    expectedKey = bangkokDateKey(addBangkokDays(at, 10));
    await pickBuddhistDate(form, "expectedAt", expectedKey);
    await form.locator("button[type=submit]").click();
    await expect(page.getByTestId("action-done")).toBeVisible();
    await expect(page.getByTestId("explanation-owed")).toHaveCount(0);

    const c = (await complaint())!;
    expect(c.explanation_owed).toBe(0);
    expect(c.explained_at).not.toBeNull();
    expect(bangkokDateKey(new Date(c.expected_at!))).toBe(expectedKey);
    const notice = await dbGet<{ method: string; expected_at: string }>(
      server,
      "select method, expected_at from notices where complaint_id = ? and kind = 'explanation'",
      c.id,
    );
    expect(notice?.method).toBe("email");
    // …and the complainant gets it by e-mail.
    await smtp.waitFor(
      (m) =>
        m.rcptTo.includes(citizenEmail) &&
        m.text.includes(filed.reference) &&
        m.text.includes(formatThaiDate(new Date(c.expected_at!), "th")),
      20_000,
    );

    // The queue no longer shows "explanation owed" (it is still overdue).
    await page.goto(`${server.url}/staff`);
    await expect(queueRow(page).getByTestId("deadline-badge")).toHaveAttribute("data-state", "overdue");
    await expect(queueRow(page).getByTestId("explanation-owed")).toHaveCount(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  test("the citizen sees the explanation and the new expected date on /track", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, locale: "th-TH" });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${server.url}/track`);
    await page.getByRole("textbox", { name: "เลขที่เรื่อง", exact: true }).fill(filed.reference);
    await page.getByRole("textbox", { name: "รหัสติดตาม", exact: true }).fill(filed.code);
    await page.locator("form:has([name=code]) button[type=submit]").click();
    await expect(page.getByTestId("case-status")).toBeVisible();
    const c = (await complaint())!;
    const expectedThai = formatThaiDate(new Date(c.expected_at!), "th");
    await expect(page.getByTestId("deadline-state")).toHaveAttribute("data-state", "overdue");
    await expect(page.getByTestId("expected-date")).toHaveText(expectedThai);
    const explanation = page.getByTestId("notice-explanation");
    await expect(explanation).toBeVisible();
    await expect(explanation).toContainText(expectedThai);
    expect(problems).toEqual([]);
    await context.close();
  });
});
