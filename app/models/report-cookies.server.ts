/**
 * Cookies of the whistleblower channel. All of them: Path=/report (never sent to the rest of the site), HttpOnly,
 * SameSite=Strict, Secure over https, short-lived.
 *
 * - The one-time receipt cookie carries the receipt from the form's redirect to /report/receipt, encrypted and
 *   authenticated (AES-256-GCM, key derived from the installation secrets), and is cleared by the page that shows it:
 *   the receipt is shown once and the URL never contains it.
 * - The inbox session cookie holds a random 256-bit token; the database keeps only its sha256 (report_sessions), so a
 *   copy of the database cannot be used to open an inbox. Sessions last 30 minutes from the last request.
 * - The flash cookie carries one fixed word ("sent", …) across the redirect after a reply, so the inbox keeps one URL.
 */
import { z } from "zod";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { getSecrets } from "~/utils/db.server";
import {
  decryptText,
  deriveKey,
  encryptText,
  randomToken,
  sha256Hex,
} from "~/utils/crypto.server";
import { now } from "~/utils/clock.server";
import { isSecureDeployment, parseCookies } from "~/utils/request.server";

type Executor = Kysely<Database> | Transaction<Database>;

const RECEIPT_COOKIE = "report_receipt";
const SESSION_COOKIE = "report_inbox";
const FLASH_COOKIE = "report_flash";
/** How long the receipt may wait in the cookie for the page that shows it. */
const RECEIPT_MAX_AGE_SECONDS = 10 * 60;
/** Inbox sessions end after this much inactivity. */
export const INBOX_SESSION_SECONDS = 30 * 60;

function cookie(name: string, value: string, maxAge: number): string {
  const parts = [
    `${name}=${value}`,
    "Path=/report",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${maxAge}`,
  ];
  if (isSecureDeployment()) parts.push("Secure");
  return parts.join("; ");
}

// ---- one-time receipt ------------------------------------------------------------------------------------------

const receiptSchema = z.object({
  /** 16 digits, or "" for a duplicate post (the receipt existed only in the first answer). */
  receipt: z.string().regex(/^(\d{16})?$/),
  receivedAt: z.string(),
  digest: z.string(),
  duplicate: z.boolean(),
  issuedAt: z.number(),
});
export type ReportReceiptCookie = Omit<
  z.infer<typeof receiptSchema>,
  "issuedAt"
>;

let cachedKey: string | null = null;
function receiptKey(): string {
  cachedKey ??= deriveKey(getSecrets().outboxKey, "report-receipt-cookie");
  return cachedKey;
}

/** Set-Cookie value carrying a new report's receipt to /report/receipt. */
export function reportReceiptCookie(
  data: ReportReceiptCookie,
  issuedAt = Date.now()
): string {
  const sealed = encryptText(
    JSON.stringify({ ...data, issuedAt }),
    receiptKey(),
    RECEIPT_COOKIE
  );
  return cookie(RECEIPT_COOKIE, sealed, RECEIPT_MAX_AGE_SECONDS);
}

/** Set-Cookie value that removes the receipt cookie. */
export function clearReportReceiptCookie(): string {
  return cookie(RECEIPT_COOKIE, "", 0);
}

/** The receipt waiting in this request's cookie, or null (absent, expired, tampered with). */
export function readReportReceipt(
  request: Request,
  nowMs = Date.now()
): ReportReceiptCookie | null {
  const raw = parseCookies(request)[RECEIPT_COOKIE];
  if (!raw) return null;
  try {
    const parsed = receiptSchema.parse(
      JSON.parse(decryptText(raw, receiptKey(), RECEIPT_COOKIE))
    );
    if (
      nowMs - parsed.issuedAt > RECEIPT_MAX_AGE_SECONDS * 1000 ||
      parsed.issuedAt > nowMs + 60_000
    )
      return null;
    const { issuedAt: _issued, ...rest } = parsed;
    return rest;
  } catch {
    return null;
  }
}

// ---- inbox sessions --------------------------------------------------------------------------------------------

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

function expiryFrom(at: Date): string {
  return new Date(at.getTime() + INBOX_SESSION_SECONDS * 1000).toISOString();
}

/** Opens an inbox session for a report (after a correct receipt); returns the Set-Cookie value. */
export async function createInboxSession(
  db: Executor,
  reportId: number
): Promise<string> {
  const token = randomToken(32);
  const at = now();
  // Expired sessions are useless; remove them while we are here (cheap: indexed by nothing but tiny).
  await db
    .deleteFrom("report_sessions")
    .where("expires_at", "<=", at.toISOString())
    .execute();
  await db
    .insertInto("report_sessions")
    .values({
      id: sha256Hex(token),
      report_id: reportId,
      created_at: at.toISOString(),
      expires_at: expiryFrom(at),
    })
    .execute();
  return cookie(SESSION_COOKIE, token, INBOX_SESSION_SECONDS);
}

/**
 * The report of this request's inbox session, or null. A valid session is extended (sliding 30 minutes) and
 * `setCookie` refreshes the cookie's lifetime; an unknown or expired one asks the browser to drop its cookie.
 */
export async function readInboxSession(
  db: Executor,
  request: Request
): Promise<{ reportId: number | null; setCookie: string | null }> {
  const token = parseCookies(request)[SESSION_COOKIE];
  if (!token) return { reportId: null, setCookie: null };
  if (!TOKEN_RE.test(token))
    return { reportId: null, setCookie: clearInboxSessionCookie() };
  const at = now();
  const id = sha256Hex(token);
  const row = await db
    .selectFrom("report_sessions")
    .select(["report_id", "expires_at"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row || row.expires_at <= at.toISOString()) {
    if (row)
      await db.deleteFrom("report_sessions").where("id", "=", id).execute();
    return { reportId: null, setCookie: clearInboxSessionCookie() };
  }
  await db
    .updateTable("report_sessions")
    .set({ expires_at: expiryFrom(at) })
    .where("id", "=", id)
    .execute();
  return {
    reportId: row.report_id,
    setCookie: cookie(SESSION_COOKIE, token, INBOX_SESSION_SECONDS),
  };
}

/** Ends this request's inbox session (the row is deleted); returns the Set-Cookie value that clears the cookie. */
export async function endInboxSession(
  db: Executor,
  request: Request
): Promise<string> {
  const token = parseCookies(request)[SESSION_COOKIE];
  if (token && TOKEN_RE.test(token))
    await db
      .deleteFrom("report_sessions")
      .where("id", "=", sha256Hex(token))
      .execute();
  return clearInboxSessionCookie();
}

export function clearInboxSessionCookie(): string {
  return cookie(SESSION_COOKIE, "", 0);
}

// ---- flash -----------------------------------------------------------------------------------------------------

export const FLASH_VALUES = ["sent", "left", "expired"] as const;
export type InboxFlash = (typeof FLASH_VALUES)[number];

/** Set-Cookie value for a one-word message shown once by the next page. */
export function inboxFlashCookie(value: InboxFlash): string {
  return cookie(FLASH_COOKIE, value, 120);
}

/** The flash message in this request (and the Set-Cookie value that clears it), or null. */
export function readInboxFlash(
  request: Request
): { flash: InboxFlash | null; setCookie: string } | null {
  const v = parseCookies(request)[FLASH_COOKIE];
  if (v === undefined) return null;
  const flash = (FLASH_VALUES as readonly string[]).includes(v)
    ? (v as InboxFlash)
    : null;
  return { flash, setCookie: cookie(FLASH_COOKIE, "", 0) };
}
