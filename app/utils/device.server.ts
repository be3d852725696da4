/**
 * Recognised devices: after a successful password step the browser gets a long-lived cookie that says "this account
 * signed in from here" — an HMAC (key derived from the installation's secrets) over the staff id, the time it was
 * issued and the account's password_changed_at, so it cannot be forged, and a password change forgets every device.
 * A recognised device is never made to wait because of other people's wrong passwords for the account
 * (app/models/staff/staff.server.ts verifyLogin). It is not a second factor and opens nothing by itself.
 */
import crypto from "node:crypto";
import type { Staff } from "../../db/schema";
import { deriveKey } from "./crypto.server";
import { getSecrets } from "./db.server";
import { readCookie, serializeCookie } from "./request.server";

const BASE_NAME = "sujarit_device";
/** How long a device stays recognised after its last sign-in. */
export const DEVICE_DAYS = 90;

function mac(staffId: number, issued: number, passwordChangedAt: string | null): string {
  const key = Buffer.from(deriveKey(getSecrets().outboxKey, "staff-device"), "base64url");
  return crypto
    .createHmac("sha256", key)
    .update(`${staffId}.${issued}.${passwordChangedAt ?? ""}`)
    .digest("base64url");
}

/** Set-Cookie value recognising this browser for `staff` (after a successful password step). */
export function deviceCookie(staff: Pick<Staff, "id" | "password_changed_at">, nowMs = Date.now()): string {
  return serializeCookie(BASE_NAME, `d1.${staff.id}.${nowMs}.${mac(staff.id, nowMs, staff.password_changed_at)}`, {
    maxAge: DEVICE_DAYS * 86_400,
  });
}

/** Whether this request comes from a browser recognised for `staff`. */
export function isKnownDevice(request: Request, staff: Pick<Staff, "id" | "password_changed_at">, nowMs = Date.now()): boolean {
  const raw = readCookie(request, BASE_NAME);
  const m = raw ? /^d1\.(\d{1,12})\.(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(raw) : null;
  if (!m || Number(m[1]) !== staff.id) return false;
  const issued = Number(m[2]);
  if (issued > nowMs + 60_000 || nowMs - issued > DEVICE_DAYS * 86_400_000) return false;
  const expected = Buffer.from(mac(staff.id, issued, staff.password_changed_at));
  const given = Buffer.from(m[3]);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
