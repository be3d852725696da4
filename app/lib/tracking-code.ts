/** Secret tracking codes (12 Crockford base32 chars = 60 bits) that let citizens follow a case. */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { toArabicDigits } from "./thai-date";

/** Number of characters in a tracking code (without dashes). */
export const TRACKING_CODE_LENGTH = 12;

/** Crockford base32 alphabet (no I, L, O, U). */
export const TRACKING_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const VALID_CODE = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{12}$/;

/** Generates a uniformly random tracking code (5 unbiased random bits per character). */
export function generateTrackingCode(): string {
  const bytes = randomBytes(TRACKING_CODE_LENGTH);
  let out = "";
  for (const b of bytes) out += TRACKING_CODE_ALPHABET[b & 0x1f];
  return out;
}

/** Encodes the top 60 bits of a buffer (big-endian) as 12 base32 characters. */
function encode60Bits(buf: Buffer): string {
  let value = buf.readBigUInt64BE(0) >> 4n;
  const chars: string[] = [];
  for (let i = 0; i < TRACKING_CODE_LENGTH; i++) {
    chars.push(TRACKING_CODE_ALPHABET[Number(value & 31n)]);
    value >>= 5n;
  }
  return chars.reverse().join("");
}

/** Deterministic code for a submission key: first 60 bits of HMAC-SHA256(secret, "tracking-code:" + key). */
export function deriveTrackingCode(submissionKey: string, secret: string | Buffer): string {
  const digest = createHmac("sha256", secret).update(`tracking-code:${submissionKey}`, "utf8").digest();
  return encode60Bits(digest);
}

/** Formats a code for display in groups of four: "K7QF-2M9X-PD4H". */
export function formatTrackingCode(code: string): string {
  const normalized = normalizeTrackingCode(code) ?? code;
  return normalized.match(/.{1,4}/g)?.join("-") ?? normalized;
}

/** Normalises user input (case, dashes, spaces, Thai digits, O/I/L look-alikes); null if invalid. */
export function normalizeTrackingCode(input: string): string | null {
  if (typeof input !== "string" || input.length > 64) return null;
  const cleaned = toArabicDigits(input.trim())
    .toUpperCase()
    .replace(/[\s\-\u2010-\u2015\u2212]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  return VALID_CODE.test(cleaned) ? cleaned : null;
}

/** HMAC-SHA256 (hex) of the normalised code with a server-side pepper; throws on malformed codes. */
export function hashTrackingCode(code: string, pepper: string | Buffer): string {
  const normalized = normalizeTrackingCode(code);
  if (normalized === null) throw new Error("Invalid tracking code");
  return createHmac("sha256", pepper).update(normalized, "utf8").digest("hex");
}

/** Timing-safe check of user input against a stored hash; false for malformed input or hash. */
export function verifyTrackingCode(input: string, storedHashHex: string, pepper: string | Buffer): boolean {
  const normalized = normalizeTrackingCode(input);
  if (normalized === null) return false;
  if (typeof storedHashHex !== "string" || !/^[0-9a-fA-F]{64}$/.test(storedHashHex)) return false;
  const expected = Buffer.from(hashTrackingCode(normalized, pepper), "hex");
  const stored = Buffer.from(storedHashHex, "hex");
  return timingSafeEqual(expected, stored);
}
