/**
 * The citizen's receipt between "form accepted" and "confirmation shown". The submission answers with a redirect
 * (so a reload never re-posts the form) and the confirmation page reads the receipt from a short-lived cookie:
 * encrypted and authenticated, HttpOnly, only sent to /complaints, gone after 30 minutes or when the citizen clears
 * it. The tracking code is never put in a URL.
 */
import { z } from "zod";
import { getSecrets } from "~/utils/db.server";
import { decryptText, deriveKey, encryptText } from "~/utils/crypto.server";
import { cookiePath, isSecureDeployment, parseCookies } from "~/utils/request.server";
import { siteMemo } from "~/utils/site-context.server";

const COOKIE = "receipt";
const MAX_AGE_SECONDS = 30 * 60;

const receiptSchema = z.object({
  reference: z.string(),
  trackingCode: z.string(),
  receivedAt: z.string(),
  dueAt: z.string(),
  hasContact: z.boolean(),
  hasEmail: z.boolean(),
  issuedAt: z.number(),
});
export type Receipt = Omit<z.infer<typeof receiptSchema>, "issuedAt">;

function key(): string {
  return siteMemo("receipt-cookie:key", () => deriveKey(getSecrets().outboxKey, "receipt-cookie"));
}

/** Over https the name carries the `__Secure-` prefix (accepted by the browser only when Secure). */
const cookieNamed = () => (isSecureDeployment() ? `__Secure-${COOKIE}` : COOKIE);

function cookie(value: string, maxAge: number): string {
  const parts = [`${cookieNamed()}=${value}`, `Path=${cookiePath("/complaints")}`, "HttpOnly", "SameSite=Lax", `Max-Age=${maxAge}`];
  if (isSecureDeployment()) parts.push("Secure");
  return parts.join("; ");
}

/** Set-Cookie header value carrying the receipt. */
export function receiptCookie(receipt: Receipt, issuedAt = Date.now()): string {
  return cookie(encryptText(JSON.stringify({ ...receipt, issuedAt }), key(), COOKIE), MAX_AGE_SECONDS);
}

/** Set-Cookie header value that removes the receipt from this browser. */
export function clearReceiptCookie(): string {
  return cookie("", 0);
}

/** The receipt in the request, or null when absent, expired or tampered with. */
export function readReceipt(request: Request, nowMs = Date.now()): Receipt | null {
  const raw = parseCookies(request)[cookieNamed()];
  if (!raw) return null;
  try {
    const parsed = receiptSchema.parse(JSON.parse(decryptText(raw, key(), COOKIE)));
    if (nowMs - parsed.issuedAt > MAX_AGE_SECONDS * 1000) return null;
    const { issuedAt: _issued, ...receipt } = parsed;
    return receipt;
  } catch {
    return null;
  }
}
