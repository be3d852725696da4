/**
 * Schemas of the deadline administration forms (holidays, escalation rules, deadline policies), kept on the server so
 * that zod never reaches the browser's scripts. Messages are i18n keys.
 */
import { z } from "zod";
import { cleanText } from "~/lib/validation";

function isRealDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && d.getUTCFullYear() >= 2000 && d.getUTCFullYear() <= 2100;
}

/** A holiday's date (YYYY-MM-DD, a real day between 2000 and 2100). */
export const holidayDateField = z.string().refine(isRealDate, "deadline:errors.invalidDate");

const holidayNameField = z
  .string()
  .transform((v) => cleanText(v))
  .pipe(z.string().min(1, "deadline:errors.required").max(200, "deadline:errors.tooLong"));

/** /staff/admin/holidays: one holiday. */
export function holidaySchema<K extends readonly [string, ...string[]]>(kinds: K) {
  return z.object({
    date: holidayDateField,
    nameTh: holidayNameField,
    nameEn: holidayNameField,
    kind: z.enum(kinds, { message: "deadline:errors.invalidChoice" }),
  });
}

/** /staff/admin/escalation: one rule (the days are checked against the level's limits by the route). */
export function escalationRuleSchema<L extends readonly [string, ...string[]]>(levels: L) {
  return z.object({
    level: z.enum(levels),
    days: z
      .string()
      .trim()
      .regex(/^-?\d{1,4}$/),
  });
}

const int = (min: number, max: number) =>
  z.coerce
    .number({ message: "deadline:errors.range" })
    .int("deadline:errors.range")
    .min(min, "deadline:errors.range")
    .max(max, "deadline:errors.range");

type Range = readonly [number, number];

/** /staff/admin/sla: one deadline policy. */
export function slaPolicySchema<M extends readonly [string, ...string[]]>(
  modes: M,
  limits: { resolveDays: Range; ackDays: Range; dueSoonDays: Range },
) {
  return z.object({
    scope: z.enum(["org", "channel", "category"]),
    scopeKey: z.string().max(40),
    resolveDays: int(...limits.resolveDays),
    ackDays: int(...limits.ackDays),
    dueSoonDays: int(...limits.dueSoonDays),
    mode: z.enum(modes, { message: "deadline:errors.invalidChoice" }),
  });
}
