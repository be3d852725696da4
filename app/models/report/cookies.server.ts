/**
 * Cookies of the whistleblower channel. All of them: Path=/report (never sent to the rest of the site), HttpOnly,
 * SameSite=Strict, Secure over https, short-lived.
 *
 * - The one-time receipt cookie carries the receipt from the form's redirect to /report/receipt, encrypted and
 *   authenticated (AES-256-GCM, key derived from the installation secrets), and is cleared by the page that shows it:
 *   the receipt is shown once and the URL never contains it.
 * - The inbox session is the cookie itself: the report id and the report key opened with the receipt, sealed
 *   (AES-256-GCM) with the day's inbox key. Nothing about the session is stored on the server, so no time of the
 *   reporter's visit is either. Sessions last 30 minutes from the last request, two hours at most; signing out records
 *   the session's random id (hashed, with the day only) so no server opens a copy of the cookie again, and drops it.
 * - The day's inbox keys are random, shared by every app server through the database (`inbox_cookie_keys`, sealed under
 *   a key of the organisation's secrets), made ahead by housekeeping (ensureInboxKeys: a key's existence says nothing
 *   about a visit) and deleted two days later: a cookie copied today opens nothing once its day's key is gone. Any
 *   server, and the same one after a restart, opens a session another one started.
 * - The flash cookie carries one fixed word ("sent", …) across the redirect after a reply, so the inbox keeps one URL.
 */
import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../../db/schema";
import { getDb, getSecrets } from "~/utils/db.server";
import { decryptText, deriveKey, encryptText, sha256Hex } from "~/utils/crypto.server";
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

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

/** The day keys this server has read or made (a day's key never changes once stored). Per organisation. */
function knownKeys(): Map<number, string> {
  return siteMemo("report-cookies:inbox-keys", () => new Map<number, string>());
}

const keySealKey = () => siteMemo("report-cookies:inbox-key-seal", () => deriveKey(getSecrets().outboxKey, "report-inbox-day-keys"));
const keyAad = (day: number) => `sujarit:inbox-day-key:${day}`;

/** The inbox key of `day`: known, stored, or (create) made now. Null for a day without a key when not creating. */
async function dayKey(db: Kysely<Database>, day: number, create: boolean): Promise<string | null> {
  const known = knownKeys().get(day);
  if (known) return known;
  let row = await db.selectFrom("inbox_cookie_keys").select("sealed").where("day", "=", day).executeTakeFirst();
  if (!row && create) {
    // Two servers may make the same day's key at once: the first stored wins and both read it back.
    const sealed = encryptText(randomBytes(32).toString("base64url"), keySealKey(), keyAad(day));
    await db
      .insertInto("inbox_cookie_keys")
      .values({ day, sealed })
      .onConflict((oc) => oc.column("day").doNothing())
      .execute();
    row = await db.selectFrom("inbox_cookie_keys").select("sealed").where("day", "=", day).executeTakeFirst();
  }
  if (!row) return null;
  const key = decryptText(row.sealed, keySealKey(), keyAad(day));
  knownKeys().set(day, key);
  return key;
}

/**
 * Housekeeping (every few hours, for every organisation): today's and tomorrow's keys exist before anyone needs them,
 * and keys and sign-outs older than yesterday are deleted (no session lives that long).
 */
export async function ensureInboxKeys(db: Kysely<Database> = getDb(), nowMs = Date.now()): Promise<void> {
  const today = dayOf(nowMs);
  await dayKey(db, today, true);
  await dayKey(db, today + 1, true);
  await db
    .deleteFrom("inbox_cookie_keys")
    .where("day", "<", today - 1)
    .execute();
  await db
    .deleteFrom("inbox_signed_out")
    .where("day", "<", today - 1)
    .execute();
  for (const day of knownKeys().keys()) if (day < today - 1) knownKeys().delete(day);
}

async function sealInbox(db: Kysely<Database>, value: z.infer<typeof inboxSchema>, nowMs: number): Promise<string> {
  const day = dayOf(nowMs);
  const key = (await dayKey(db, day, true))!;
  return cookie(SESSION_COOKIE, `${day}.${encryptText(JSON.stringify(value), key, `${SESSION_COOKIE}:${day}`)}`, INBOX_SESSION_SECONDS);
}

/** The session in a cookie value, or null (malformed, a day without a key, altered). */
async function openInbox(db: Kysely<Database>, raw: string, nowMs: number): Promise<z.infer<typeof inboxSchema> | null> {
  const m = /^(\d{1,9})\.(v1\.[A-Za-z0-9_-]+)$/.exec(raw);
  if (!m) return null;
  const day = Number(m[1]);
  // Renewed at every request and idle for 30 minutes at most: sealed today or yesterday.
  const today = dayOf(nowMs);
  if (day !== today && day !== today - 1) return null;
  const key = await dayKey(db, day, false);
  if (!key) return null;
  try {
    return inboxSchema.parse(JSON.parse(decryptText(m[2]!, key, `${SESSION_COOKIE}:${day}`)));
  } catch {
    return null;
  }
}

const signedOutHash = (sid: string) => sha256Hex(`sujarit:inbox-signed-out:${sid}`);

async function isSignedOut(db: Kysely<Database>, sid: string): Promise<boolean> {
  return (
    (await db.selectFrom("inbox_signed_out").select("day").where("sid_hash", "=", signedOutHash(sid)).executeTakeFirst()) !== undefined
  );
}

/**
 * Opens an inbox session after a correct receipt; returns the Set-Cookie value. The session is the cookie itself,
 * sealed (AES-256-GCM) with the day's key: no row, no time is written anywhere on the server.
 */
export async function createInboxSession(
  reportId: number,
  key: Buffer | null,
  nowMs = Date.now(),
  db: Kysely<Database> = getDb(),
): Promise<string> {
  return sealInbox(
    db,
    {
      sid: randomBytes(16).toString("base64url"),
      rid: reportId,
      k: key ? key.toString("base64url") : null,
      iat: nowMs,
      seen: nowMs,
    },
    nowMs,
  );
}

/**
 * The report (and its key) of this request's inbox session, or null. A valid session slides (30 minutes from the last
 * request, two hours at most) and `setCookie` renews the cookie; an expired or altered one asks the browser to drop it.
 */
export async function readInboxSession(
  request: Request,
  nowMs = Date.now(),
  db: Kysely<Database> = getDb(),
): Promise<{ reportId: number | null; key: Buffer | null; setCookie: string | null }> {
  const raw = parseCookies(request)[named(SESSION_COOKIE)];
  if (!raw) return { reportId: null, key: null, setCookie: null };
  const s = await openInbox(db, raw, nowMs);
  const expired =
    !s ||
    nowMs - s.seen > INBOX_SESSION_SECONDS * 1000 ||
    nowMs - s.iat > INBOX_SESSION_MAX_SECONDS * 1000 ||
    s.iat > nowMs + 60_000 ||
    (await isSignedOut(db, s.sid));
  if (!s || expired) return { reportId: null, key: null, setCookie: clearInboxSessionCookie() };
  return { reportId: s.rid, key: s.k ? Buffer.from(s.k, "base64url") : null, setCookie: await sealInbox(db, { ...s, seen: nowMs }, nowMs) };
}

/** Ends this request's inbox session (a copy of the cookie opens it at no server); returns the Set-Cookie value that clears it. */
export async function endInboxSession(request: Request, nowMs = Date.now(), db: Kysely<Database> = getDb()): Promise<string> {
  const raw = parseCookies(request)[named(SESSION_COOKIE)];
  const s = raw ? await openInbox(db, raw, nowMs) : null;
  if (s)
    await db
      .insertInto("inbox_signed_out")
      .values({ sid_hash: signedOutHash(s.sid), day: dayOf(nowMs) })
      .onConflict((oc) => oc.column("sid_hash").doNothing())
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
export function readInboxFlash(request: Request): { flash: InboxFlash | null; setCookie: string } | null {
  const v = parseCookies(request)[named(FLASH_COOKIE)];
  if (v === undefined) return null;
  const flash = (FLASH_VALUES as readonly string[]).includes(v) ? (v as InboxFlash) : null;
  return { flash, setCookie: cookie(FLASH_COOKIE, "", 0) };
}
