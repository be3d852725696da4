/**
 * Time-based one-time passwords (RFC 6238 on top of RFC 4226 HOTP), HMAC-SHA1, 30-second steps, 6 digits — what
 * every authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP, Aegis…) understands by default.
 *
 * Server-only (node:crypto): import it from *.server.ts modules, never from browser code.
 *
 * verifyTotp accepts the current step and one step either side (clock drift) and returns the step that matched,
 * so that the caller can store it and refuse any code of that step or an earlier one (replay guard).
 */
import crypto from "node:crypto";

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32 (case-insensitive; spaces, dashes and "=" padding ignored). Throws on other characters. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, "");
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = B32.indexOf(ch);
    if (i < 0) throw new Error("Invalid base32 character");
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new random secret (160 bits, as RFC 4226 recommends), base32. */
export function generateTotpSecret(bytes = 20): string {
  return base32Encode(crypto.randomBytes(bytes));
}

/** RFC 4226 HOTP value of `counter` for a raw key. */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError("Invalid counter");
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac("sha1", key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(bin % 10 ** digits).padStart(digits, "0");
}

/** The time step of an instant (milliseconds since the epoch). */
export function totpStep(atMs: number, stepSeconds = TOTP_STEP_SECONDS): number {
  return Math.floor(atMs / 1000 / stepSeconds);
}

/** The code for the step containing `atMs`; `secret` is base32 or a raw key. */
export function totpCode(secret: string | Uint8Array, atMs: number, opts: { digits?: number; stepSeconds?: number } = {}): string {
  const key = typeof secret === "string" ? base32Decode(secret) : secret;
  return hotp(key, totpStep(atMs, opts.stepSeconds), opts.digits ?? TOTP_DIGITS);
}

/** Removes spaces and dashes, turns Thai digits into ASCII; null unless exactly `digits` digits remain. */
export function normalizeTotpInput(input: unknown, digits = TOTP_DIGITS): string | null {
  if (typeof input !== "string" || input.length > 32) return null;
  const ascii = input.replace(/[\u0E50-\u0E59]/g, (d) => String(d.charCodeAt(0) - 0x0e50)).replace(/[\s-]/g, "");
  return new RegExp(`^\\d{${digits}}$`).test(ascii) ? ascii : null;
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: "invalid" | "replayed" };

/**
 * Checks a code against the steps around `atMs` (±`window`). A code whose step is not later than `lastStep`
 * (the last step accepted for this account) is refused as "replayed", even when it is otherwise right.
 * Every candidate is compared in constant time, and all of them are computed, so timing does not reveal which matched.
 */
export function verifyTotp(
  secret: string | Uint8Array,
  input: unknown,
  opts: { atMs: number; lastStep?: number | null; window?: number; digits?: number; stepSeconds?: number },
): TotpCheck {
  const digits = opts.digits ?? TOTP_DIGITS;
  const code = normalizeTotpInput(input, digits);
  if (!code) return { ok: false, reason: "invalid" };
  const key = typeof secret === "string" ? base32Decode(secret) : secret;
  const current = totpStep(opts.atMs, opts.stepSeconds);
  const window = opts.window ?? TOTP_WINDOW;
  let matched: number | null = null;
  for (let s = current - window; s <= current + window; s++) {
    if (s < 0) continue;
    const candidate = Buffer.from(hotp(key, s, digits));
    if (crypto.timingSafeEqual(candidate, Buffer.from(code)) && matched === null) matched = s;
  }
  if (matched === null) return { ok: false, reason: "invalid" };
  if (opts.lastStep !== null && opts.lastStep !== undefined && matched <= opts.lastStep) return { ok: false, reason: "replayed" };
  return { ok: true, step: matched };
}

/** The otpauth:// URI that authenticator apps read from a QR code (Key Uri Format). */
export function otpauthUri(input: { secret: string; issuer: string; account: string }): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`;
  const params = new URLSearchParams({
    secret: input.secret,
    issuer: input.issuer,
    algorithm: "SHA1",
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString().replace(/\+/g, "%20")}`;
}

/** A secret grouped in fours for typing by hand ("ABCD EFGH …"). */
export function formatSecretForDisplay(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}
