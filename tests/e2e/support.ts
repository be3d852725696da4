/**
 * Shared pieces of the browser specs: the server's address and accounts (published by global-setup.ts), read-only
 * database peeks, the 360 px phone context and the watchers every journey runs with.
 */
import fs from "node:fs";
import { expect, type Browser, type BrowserContext, type Locator, type Page } from "@playwright/test";
import SQLite from "better-sqlite3";
import { base32Decode, hotp, totpStep } from "../../app/lib/totp";

export interface Account {
  email: string;
  password: string;
  name: string;
}

export function base(): string {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error("E2E_BASE_URL is not set: run with -c tests/e2e/playwright.config.ts (global setup)");
  return url;
}

/** An account created by global-setup.ts (E2E_OFFICER, E2E_SUPERVISOR, E2E_ADMIN, E2E_INTEGRITY). */
export function account(
  name: "E2E_OFFICER" | "E2E_SUPERVISOR" | "E2E_INTEGRITY" | "E2E_INTEGRITY2" | "E2E_ALTERNATE" | "E2E_ADMIN",
): Account {
  return JSON.parse(process.env[name] ?? "{}") as Account;
}

/** One row from the server's database, opened read-only. */
export function dbGet<T = Record<string, any>>(sql: string, ...params: unknown[]): T | undefined {
  const db = new SQLite(process.env.E2E_DB_FILE!, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    return db.prepare(sql).get(...params) as T | undefined;
  } finally {
    db.close();
  }
}

export async function phone(browser: Browser, javaScriptEnabled = true): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: "th-TH", javaScriptEnabled });
}

/**
 * Collects CSP violations, page errors and render errors React Router catches and shows as the error page (console
 * errors, not page errors: a page that renders on the server but throws in the browser would otherwise pass every
 * check made before hydration). The list must stay empty.
 */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to|React Router caught|Minified React error|hydrat/i.test(m.text()))
      problems.push(m.text().slice(0, 300));
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** The page fits the 360 px phone screen (tables and charts scroll inside their own frames). */
export async function noHorizontalScroll(page: Page): Promise<void> {
  const { width, culprits } = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > vw + 0.5 && !el.closest(".table-wrap, .chart-scroll"))
      .slice(0, 5)
      .map(
        (el) =>
          `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className ? `.${String(el.className).replace(/\s+/g, ".")}` : ""}> right=${Math.round(el.getBoundingClientRect().right)}`,
      );
    return { width: document.documentElement.scrollWidth, culprits };
  });
  expect.soft(width, `page wider than the 360 px screen; elements sticking out: ${culprits.join(", ")}`).toBeLessThanOrEqual(360);
}

// ---------------------------------------------------------------------------------------------------------------
// Second factor. Administrators and supervisors (and integrity officers) sign in with one: global-setup.ts sets up
// an authenticator app (TOTP) for E2E_ADMIN and E2E_SUPERVISOR and keeps their secret, last used step and recovery
// codes in `${E2E_DB_FILE}.totp.json` (the same file corruption.spec.ts keeps its officers' state in).

export interface TotpState {
  secret: string | null;
  lastStep: number;
  recoveryCodes?: string[];
}

export const totpFile = () => `${process.env.E2E_DB_FILE}.totp.json`;

/**
 * A TOTP code the server accepts now (its clock may be `offsetMs` ahead) and has not seen yet: the current step, or
 * the next one when the current one was used; waits for the clock when both were. Updates `state.lastStep`.
 */
export async function nextTotpCode(state: TotpState, offsetMs = 0): Promise<string> {
  if (!state.secret) throw new Error("no TOTP secret known");
  for (;;) {
    const cur = totpStep(Date.now() + offsetMs);
    const step = Math.max(cur, state.lastStep + 1);
    if (step <= cur + 1) {
      state.lastStep = step;
      return hotp(base32Decode(state.secret), step);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The next TOTP code of an account whose state global-setup.ts saved (the file is updated). */
export async function savedTotpCode(email: string): Promise<string> {
  const all = JSON.parse(fs.readFileSync(totpFile(), "utf8")) as Record<string, TotpState>;
  const state = all[email];
  if (!state?.secret) throw new Error(`no TOTP state saved for ${email} (global setup)`);
  const code = await nextTotpCode(state);
  fs.writeFileSync(totpFile(), JSON.stringify({ ...all, [email]: state }));
  return code;
}

/**
 * Password, then the second-factor step with `code()` (by default the saved TOTP state of the account); ends on the
 * back office (`/staff…`). For accounts that need no second factor the step is skipped.
 */
export async function staffSignIn(
  page: Page,
  origin: string,
  who: Account,
  code: () => Promise<string> = () => savedTotpCode(who.email),
): Promise<void> {
  await page.goto(`${origin}/staff/login`);
  await page.locator("input[name=email]").fill(who.email);
  await page.locator("input[name=password]").fill(who.password);
  await page.locator("form:has(input[name=password]) button[type=submit]").click();
  await passSecondFactorIfAsked(page, who, code);
}

/**
 * Right after the password: when the browser was sent to the second-factor step, types `code()` (by default the saved
 * TOTP state of the account); ends on the back office (`/staff…`) either way.
 */
export async function passSecondFactorIfAsked(
  page: Page,
  who: Account,
  code: () => Promise<string> = () => savedTotpCode(who.email),
): Promise<void> {
  await expect(page).toHaveURL(/\/staff(\/login\/totp)?\/?(\?.*)?$/);
  if (/\/staff\/login\/totp/.test(page.url())) {
    await page.locator("#f-code").fill(await code());
    await page.locator("form:has(#f-code) button[type=submit]").click();
  }
  await expect(page).toHaveURL(/\/staff\/?(\?.*)?$/);
}

/**
 * Picks a date ("YYYY-MM-DD", CE) in a Buddhist-calendar date picker (app/components/date-picker.tsx) named `name`
 * inside `scope`: its day, month and พ.ศ. year selects.
 */
export async function pickBuddhistDate(scope: Page | Locator, name: string, key: string): Promise<void> {
  const [year, month, day] = key.split("-").map(Number) as [number, number, number];
  await scope.locator(`select[name=${name}Day]`).selectOption(String(day));
  await scope.locator(`select[name=${name}Month]`).selectOption(String(month));
  await scope.locator(`select[name=${name}Year]`).selectOption(String(year + 543));
}
