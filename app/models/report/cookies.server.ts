/**
 * Cookies of the whistleblower channel. All of them: Path=/report (never sent to the rest of the site), HttpOnly,
 * SameSite=Strict, Secure over https, short-lived.
 *
 * - The one-time receipt cookie carries the receipt from the form's redirect to /report/receipt, encrypted and
 *   authenticated (AES-256-GCM, key derived from the installation secrets), and is cleared by the page that shows it:
 *   the receipt is shown once and the URL never contains it.
 * - The inbox session is the cookie itself: the report id and the report key opened with the receipt, sealed
 *   (AES-256-GCM) with a key that exists only in the server process's memory. Nothing is stored on the server, so no
 *   time of the reporter's visit is either. Sessions last 30 minutes from the last request, two hours at most; signing
 *   out revokes the session (in memory) and drops the cookie; a restart of the server ends every session.
 * - The flash cookie carries one fixed word ("sent", …) across the redirect after a reply, so the inbox keeps one URL.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { getSecrets } from "~/utils/db.server";
import { decryptText, deriveKey, encryptText } from "~/utils/crypto.server";
import { cookiePath, isSecureDeployment, parseCookies } from "~/utils/request.server";
import { siteMemo } from "~/utils/site-context.server";

const RECEIPT_COOKIE = "report_receipt";
const SESSION_COOKIE = "report_inbox";
const FLASH_COOKIE = "report_flash";
/** How long the receipt may wait in the cookie for the page that shows it. */
const RECEIPT_MAX_AGE_SECONDS = 10 * 60;
/** Inbox sessions end after this much inactivity. */
export const INBOX_SESSION_SECONDS = 30 * 60;

/** Over https the names carry the `__Secure-` prefix (the browser then accepts them only when Secure). */
const named = (name: string) => (isSecureDeployment() ? `__Secure-${name}` : name);

function cookie(name: string, value: string, maxAge: number): string {
  const parts = [`${named(name)}=${value}`, `Path=${cookiePath("/report")}`, "HttpOnly", "SameSite=Strict", `Max-Age=${maxAge}`];
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
  /** Who received the report (names as at filing), shown on the receipt page. */
  recipients: z
    .array(z.object({ name: z.string().max(200), alternate: z.boolean() }))
    .max(20)
    .default([]),
  issuedAt: z.number(),
});
export type ReportReceiptCookie = Omit<z.infer<typeof receiptSchema>, "issuedAt">;

function receiptKey(): string {
  return siteMemo("report-cookies:receipt-key", () => deriveKey(getSecrets().outboxKey, "report-receipt-cookie"));
}

/** Set-Cookie value carrying a new report's receipt to /report/receipt. */
export function reportReceiptCookie(data: ReportReceiptCookie, issuedAt = Date.now()): string {
  const sealed = encryptText(JSON.stringify({ ...data, issuedAt }), receiptKey(), RECEIPT_COOKIE);
  return cookie(RECEIPT_COOKIE, sealed, RECEIPT_MAX_AGE_SECONDS);
}

/** Set-Cookie value that removes the receipt cookie. */
export function clearReportReceiptCookie(): string {
  return cookie(RECEIPT_COOKIE, "", 0);
}

/** The receipt waiting in this request's cookie, or null (absent, expired, tampered with). */
export function readReportReceipt(request: Request, nowMs = Date.now()): ReportReceiptCookie | null {
  const raw = parseCookies(request)[named(RECEIPT_COOKIE)];
  if (!raw) return null;
  try {
    const parsed = receiptSchema.parse(JSON.parse(decryptText(raw, receiptKey(), RECEIPT_COOKIE)));
    if (nowMs - parsed.issuedAt > RECEIPT_MAX_AGE_SECONDS * 1000 || parsed.issuedAt > nowMs + 60_000) return null;
    const { issuedAt: _issued, ...rest } = parsed;
    return rest;
  } catch {
    return null;
  }
}

// ---- inbox sessions --------------------------------------------------------------------------------------------

/** Inbox sessions end after this long in all, whatever the activity. */
const INBOX_SESSION_MAX_SECONDS = 2 * 3600;

const inboxSchema = z.object({
  /** A random id of this sign-in (signing out revokes it). */
  sid: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  rid: z.number().int().positive(),
  /** The report key (base64url), opened with the receipt at sign-in; absent while a recipient has to re-wrap it. */
  k: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/)
    .nullable(),
  /** Sign-in time and last use (ms). */
  iat: z.number(),
  seen: z.number(),
});

declare global {
  var __sujaritInbox: { key: string; revoked: Map<string, number> } | undefined;
}

/**
 * The key that seals inbox cookies is made when the process starts and lives only in its memory: a restart ends every
 * inbox session (the reporter types the receipt again), and nobody can open a cookie with anything found on disk.
 */
function inbox() {
  // Per organisation (site-context.server.ts): an inbox cookie of one organisation opens nothing at another's host.
  return siteMemo("report-cookies:inbox", () => ({ key: randomBytes(32).toString("base64url"), revoked: new Map<string, number>() }));
}
function inboxCookieKey(): string {
  return inbox().key;
}

/** Signed-out sessions, until they would have expired anyway (memory only). */
function isRevoked(sid: string, nowMs: number): boolean {
  const revoked = inbox().revoked;
  for (const [id, until] of revoked) if (until < nowMs) revoked.delete(id);
  return revoked.has(sid);
}

function sealInbox(value: z.infer<typeof inboxSchema>): string {
  return cookie(SESSION_COOKIE, encryptText(JSON.stringify(value), inboxCookieKey(), SESSION_COOKIE), INBOX_SESSION_SECONDS);
}

/**
 * Opens an inbox session after a correct receipt; returns the Set-Cookie value. The session is the cookie itself,
 * sealed (AES-256-GCM) with a key of the installation: no row, no time is written anywhere on the server.
 */
export function createInboxSession(reportId: number, key: Buffer | null, nowMs = Date.now()): string {
  return sealInbox({
    sid: randomBytes(16).toString("base64url"),
    rid: reportId,
    k: key ? key.toString("base64url") : null,
    iat: nowMs,
    seen: nowMs,
  });
}

/**
 * The report (and its key) of this request's inbox session, or null. A valid session slides (30 minutes from the last
 * request, two hours at most) and `setCookie` renews the cookie; an expired or altered one asks the browser to drop it.
 */
export function readInboxSession(
  request: Request,
  nowMs = Date.now(),
): { reportId: number | null; key: Buffer | null; setCookie: string | null } {
  const raw = parseCookies(request)[named(SESSION_COOKIE)];
  if (!raw) return { reportId: null, key: null, setCookie: null };
  try {
    const s = inboxSchema.parse(JSON.parse(decryptText(raw, inboxCookieKey(), SESSION_COOKIE)));
    const expired =
      nowMs - s.seen > INBOX_SESSION_SECONDS * 1000 ||
      nowMs - s.iat > INBOX_SESSION_MAX_SECONDS * 1000 ||
      s.iat > nowMs + 60_000 ||
      isRevoked(s.sid, nowMs);
    if (expired) return { reportId: null, key: null, setCookie: clearInboxSessionCookie() };
    return { reportId: s.rid, key: s.k ? Buffer.from(s.k, "base64url") : null, setCookie: sealInbox({ ...s, seen: nowMs }) };
  } catch {
    return { reportId: null, key: null, setCookie: clearInboxSessionCookie() };
  }
}

/** Ends this request's inbox session (a copy of the cookie no longer opens it); returns the Set-Cookie value that clears it. */
export function endInboxSession(request: Request): string {
  const raw = parseCookies(request)[named(SESSION_COOKIE)];
  if (raw) {
    try {
      const s = inboxSchema.parse(JSON.parse(decryptText(raw, inboxCookieKey(), SESSION_COOKIE)));
      inbox().revoked.set(s.sid, s.iat + INBOX_SESSION_MAX_SECONDS * 1000 + 60_000);
    } catch {
      /* not a session of this process: nothing to revoke */
    }
  }
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
export function readInboxFlash(request: Request): { flash: InboxFlash | null; setCookie: string } | null {
  const v = parseCookies(request)[named(FLASH_COOKIE)];
  if (v === undefined) return null;
  const flash = (FLASH_VALUES as readonly string[]).includes(v) ? (v as InboxFlash) : null;
  return { flash, setCookie: cookie(FLASH_COOKIE, "", 0) };
}
