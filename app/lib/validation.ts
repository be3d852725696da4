/**
 * Limits, cleaning and checks of what people type, shared by the forms and the server. The zod schemas built on them are in
 * validation.server.ts, so that zod never reaches the browser. Messages are i18n keys.
 */
import type { z } from "zod";
import { toArabicDigits } from "./thai-date";

/** Field length and upload limits. */
export const LIMITS = {
  subject: 200,
  details: 5000,
  landmark: 300,
  name: 200,
  phone: 20,
  email: 254,
  address: 500,
  maxFiles: 5,
  maxFileBytes: 10 * 1024 * 1024,
  maxTotalBytes: 25 * 1024 * 1024,
} as const;

/**
 * The files the server accepts as attachments (it checks the bytes: JPEG, PNG, WebP, PDF), for the file input's
 * `accept` (types and extensions: some phone browsers only match extensions).
 */
export const ATTACHMENT_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf";

/** A form's one-time random key (randomToken(32) gives 43 base64url characters; 20 to 64 are accepted). */
export const SUBMISSION_KEY_PATTERN = /^[A-Za-z0-9_-]{20,64}$/;

/** True for a well-formed submission key. */
export function isSubmissionKey(x: unknown): x is string {
  return typeof x === "string" && SUBMISSION_KEY_PATTERN.test(x);
}

/** Contact preferences a citizen may choose. */
export const PREFERRED_CONTACTS = ["none", "email", "phone", "post"] as const;

/** A contact preference. */
export type PreferredContact = (typeof PREFERRED_CONTACTS)[number];

/** Thailand bounding box for coordinates. */
export const THAILAND_BOUNDS = { minLat: 5.5, maxLat: 20.5, minLng: 97.3, maxLng: 105.7 } as const;

// C0 controls except \t (09) and \n (0A), plus DEL.
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/**
 * The one cleaning of text people type, on every form and in every model: NFC, CRLF/CR to LF, trimmed;
 * `singleLine` also folds every run of white space (newlines included) into one space.
 * Control characters are not stripped here: text that holds them is refused (`textProblem`), never silently changed.
 */
export function cleanText(s: string, opts: { singleLine?: boolean } = {}): string {
  const v = s.normalize("NFC").replace(/\r\n?/g, "\n");
  return (opts.singleLine ? v.replace(/\s+/g, " ") : v).trim();
}

/** Length in Unicode code points. */
export function charLength(s: string): number {
  return [...s].length;
}

/** True if the text contains U+FFFD (broken UTF-8) or forbidden control characters. */
function hasBadChars(s: string): boolean {
  return s.includes("\uFFFD") || FORBIDDEN_CHARS.test(s);
}

/** What is wrong with an already cleaned text, as an i18n key with its parameters; null when nothing is. */
export function textProblem(
  v: string,
  max: number,
  required: boolean,
): { key: "errors.required" | "errors.invalidText" | "errors.tooLong"; params?: { max: number } } | null {
  if (v === "") return required ? { key: "errors.required" } : null;
  if (hasBadChars(v)) return { key: "errors.invalidText" };
  if (charLength(v) > max) return { key: "errors.tooLong", params: { max } };
  return null;
}

/** Normalises a Thai phone number to "0XXXXXXXX(X)"; null if invalid. */
export function normalizeThaiPhone(input: string): string | null {
  let s = toArabicDigits(input.trim()).replace(/[\s\-\u2010-\u2015]/g, "");
  if (s.startsWith("+66")) {
    s = s.slice(3);
    if (s.startsWith("0")) return null;
    s = `0${s}`;
  }
  return /^0\d{8,9}$/.test(s) ? s : null;
}

/** Text fields of the complaint form, in the order they appear on the page. */
export const COMPLAINT_TEXT_FIELDS = [
  "category",
  "subject",
  "details",
  "village",
  "landmark",
  "latitude",
  "longitude",
  "contactName",
  "contactPhone",
  "contactEmail",
  "contactAddress",
  "preferredContact",
] as const;
export type ComplaintTextField = (typeof COMPLAINT_TEXT_FIELDS)[number];

/** The complaint form's text fields as posted (absent or a file = undefined), for complaintFormSchema. */
export function complaintFormInput(form: FormData): Record<ComplaintTextField, string | undefined> {
  const raw = {} as Record<ComplaintTextField, string | undefined>;
  for (const k of COMPLAINT_TEXT_FIELDS) {
    const v = form.get(k);
    raw[k] = typeof v === "string" ? v : undefined;
  }
  return raw;
}

/** First message (i18n key) per field path, paths joined with ".". */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
