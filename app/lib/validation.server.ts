/**
 * Zod schemas for the public complaint form and staff forms (server only: zod stays out of the browser's scripts);
 * limits and the checks they use are in validation.ts. Messages are i18n keys.
 */
import { z } from "zod";
import { toArabicDigits } from "./thai-date";
import {
  charLength,
  cleanText,
  LIMITS,
  normalizeThaiPhone,
  PREFERRED_CONTACTS,
  textProblem,
  THAILAND_BOUNDS,
  type PreferredContact,
} from "./validation";

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
    .superRefine(
      (v, ctx) => {
        // Runs even when other fields are wrong (`when` below), so one post reports every error at once; a field
        // that already has its own error is left alone.
        const failed = new Set(ctx.issues.map((i) => String(i.path?.[0])));
        const ok = (field: string) => !failed.has(field);
        if (ok("latitude") && ok("longitude") && (v.latitude === undefined) !== (v.longitude === undefined)) {
          const missing = v.latitude === undefined ? "latitude" : "longitude";
          ctx.addIssue({ code: "custom", message: "errors.coordinates", path: [missing] });
        }
        if (ok("preferredContact") && v.preferredContact !== "none") {
          const field = PREFERENCE_FIELD[v.preferredContact];
          if (ok(field) && v[field] === undefined) {
            ctx.addIssue({ code: "custom", message: "errors.contactNeededForPreference", path: [field] });
          }
        }
      },
      { when: () => true },
    );
}

/** Validated complaint form values. */
export type ComplaintInput = z.output<ReturnType<typeof complaintFormSchema>>;

/** Staff login form. */
export const staffLoginSchema = z.object({
  email: emailField(true),
  password: z.string({ error: "errors.required" }).min(1, { error: "errors.required" }).max(200, { error: "errors.tooLong" }),
});

/** Staff case note form. */
export const caseNoteSchema = z.object({
  note: safeText(5000, true),
});
