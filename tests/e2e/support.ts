/**
 * Shared pieces of the browser specs: the server's address and accounts (published by global-setup.ts), read-only
 * database peeks, the 360 px phone context and the watchers every journey runs with.
 */
import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import SQLite from "better-sqlite3";

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
export function account(name: "E2E_OFFICER" | "E2E_SUPERVISOR" | "E2E_INTEGRITY" | "E2E_INTEGRITY2" | "E2E_ALTERNATE" | "E2E_ADMIN"): Account {
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
    if (m.type() === "error" && /Content Security Policy|Refused to|React Router caught|Minified React error|hydrat/i.test(m.text())) problems.push(m.text().slice(0, 300));
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
      .map((el) => `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className ? `.${String(el.className).replace(/\s+/g, ".")}` : ""}> right=${Math.round(el.getBoundingClientRect().right)}`);
    return { width: document.documentElement.scrollWidth, culprits };
  });
  expect.soft(width, `page wider than the 360 px screen; elements sticking out: ${culprits.join(", ")}`).toBeLessThanOrEqual(360);
}
