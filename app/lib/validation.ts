/** Zod schemas for the public complaint form and staff forms; messages are i18n keys. */
import { z } from "zod";
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
function charLength(s: string): number {
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

/** Form string (absent = ""), cleaned; reports errors.required / errors.invalidText / errors.tooLong ({ max }). */
export function safeText(max: number, required: boolean) {
  return z
    .string({ error: "errors.invalidText" })
    .optional()
    .transform((v) => cleanText(v ?? ""))
    .superRefine((v, ctx) => {
      const problem = textProblem(v, max, required);
      if (problem) ctx.addIssue({ code: "custom", message: problem.key, ...(problem.params ? { params: problem.params } : {}) });
    });
}

/** Optional cleaned text: empty becomes undefined. */
function optionalText(max: number) {
  return safeText(max, false).transform((v) => (v === "" ? undefined : v));
}

/** Raw trimmed form string with Thai digits converted (absent = ""). */
function rawField() {
  return z
    .string({ error: "errors.invalidText" })
    .optional()
    .transform((v) => toArabicDigits(cleanText(v ?? "")));
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

/** Parses a decimal coordinate string; NaN if malformed. */
function parseCoordinate(s: string): number {
  return /^-?\d{1,3}(\.\d+)?$/.test(s) ? Number(s) : Number.NaN;
}

/** Required choice among allowed string codes. */
function choiceField(codes: readonly string[]) {
  return rawField().transform((v, ctx) => {
    if (v === "") {
      ctx.addIssue({ code: "custom", message: "errors.required" });
      return z.NEVER;
    }
    if (!codes.includes(v)) {
      ctx.addIssue({ code: "custom", message: "errors.invalidChoice" });
      return z.NEVER;
    }
    return v;
  });
}

/** Required village number among the allowed ones. */
function villageField(villageNumbers: readonly number[]) {
  return rawField().transform((v, ctx) => {
    if (v === "") {
      ctx.addIssue({ code: "custom", message: "errors.required" });
      return z.NEVER;
    }
    const n = /^\d{1,4}$/.test(v) ? Number(v) : Number.NaN;
    if (!villageNumbers.includes(n)) {
      ctx.addIssue({ code: "custom", message: "errors.invalidChoice" });
      return z.NEVER;
    }
    return n;
  });
}

/** Optional coordinate (number) within [min, max]. */
function coordinateField(min: number, max: number) {
  return rawField().transform((v, ctx) => {
    if (v === "") return undefined;
    const n = parseCoordinate(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: "errors.coordinates" });
      return z.NEVER;
    }
    return n;
  });
}

/** Optional Thai phone number, normalised to 0XXXXXXXX(X). */
function phoneField() {
  return rawField().transform((v, ctx) => {
    if (v === "") return undefined;
    if (charLength(v) > LIMITS.phone) {
      ctx.addIssue({ code: "custom", message: "errors.tooLong", params: { max: LIMITS.phone } });
      return z.NEVER;
    }
    const phone = normalizeThaiPhone(v);
    if (phone === null) {
      ctx.addIssue({ code: "custom", message: "errors.invalidPhone" });
      return z.NEVER;
    }
    return phone;
  });
}

const emailFormat = z.email();

/** Email (trimmed, lowercased); required or optional. */
function emailField(required: true): z.ZodType<string, string | undefined>;
function emailField(required: false): z.ZodType<string | undefined, string | undefined>;
function emailField(required: boolean): z.ZodType<string | undefined, string | undefined> {
  return z
    .string({ error: "errors.invalidEmail" })
    .optional()
    .transform((raw, ctx) => {
      const v = cleanText(raw ?? "").toLowerCase();
      if (v === "") {
        if (required) {
          ctx.addIssue({ code: "custom", message: "errors.required" });
          return z.NEVER;
        }
        return undefined;
      }
      if (charLength(v) > LIMITS.email) {
        ctx.addIssue({ code: "custom", message: "errors.tooLong", params: { max: LIMITS.email } });
        return z.NEVER;
      }
      if (!emailFormat.safeParse(v).success) {
        ctx.addIssue({ code: "custom", message: "errors.invalidEmail" });
        return z.NEVER;
      }
      return v;
    });
}

/** Contact preference, defaulting to "none" when empty. */
function preferenceField() {
  return rawField().transform((v, ctx): PreferredContact => {
    if (v === "") return "none";
    if (!(PREFERRED_CONTACTS as readonly string[]).includes(v)) {
      ctx.addIssue({ code: "custom", message: "errors.invalidChoice" });
      return z.NEVER;
    }
    return v as PreferredContact;
  });
}

/** Field required by each contact preference. */
const PREFERENCE_FIELD = {
  email: "contactEmail",
  phone: "contactPhone",
  post: "contactAddress",
} as const;

/** Schema for the public complaint form, given the configured categories and villages. */
export function complaintFormSchema(opts: { categoryCodes: string[]; villageNumbers: number[] }) {
  return z
    .object({
      category: choiceField(opts.categoryCodes),
      subject: safeText(LIMITS.subject, true),
      details: safeText(LIMITS.details, true),
      village: villageField(opts.villageNumbers),
      landmark: optionalText(LIMITS.landmark),
      latitude: coordinateField(THAILAND_BOUNDS.minLat, THAILAND_BOUNDS.maxLat),
      longitude: coordinateField(THAILAND_BOUNDS.minLng, THAILAND_BOUNDS.maxLng),
      contactName: optionalText(LIMITS.name),
      contactPhone: phoneField(),
      contactEmail: emailField(false),
      contactAddress: optionalText(LIMITS.address),
      preferredContact: preferenceField(),
    })
    .superRefine((v, ctx) => {
      if ((v.latitude === undefined) !== (v.longitude === undefined)) {
        const missing = v.latitude === undefined ? "latitude" : "longitude";
        ctx.addIssue({ code: "custom", message: "errors.coordinates", path: [missing] });
      }
      if (v.preferredContact !== "none") {
        const field = PREFERENCE_FIELD[v.preferredContact];
        if (v[field] === undefined) {
          ctx.addIssue({ code: "custom", message: "errors.contactNeededForPreference", path: [field] });
        }
      }
    });
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

/** Validated complaint form values. */
export type ComplaintInput = z.output<ReturnType<typeof complaintFormSchema>>;

/** First message (i18n key) per field path, paths joined with ".". */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}

/** Staff login form. */
export const staffLoginSchema = z.object({
  email: emailField(true),
  password: z.string({ error: "errors.required" }).min(1, { error: "errors.required" }).max(200, { error: "errors.tooLong" }),
});

/** Staff case note form. */
export const caseNoteSchema = z.object({
  note: safeText(5000, true),
});
