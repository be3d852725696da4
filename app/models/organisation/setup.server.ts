/**
 * The organisation's own details, asked of the first administrator to sign in before anything else (/staff/setup)
 * and editable later from the administration page: phone, e-mail, LINE ID, address, office hours, and the name of
 * every หมู่. Checked in one pass (every error at once), written in one transaction with its audit entry.
 */
import { z } from "zod";
import type { DB } from "../../../db/connection";
import { inTransaction } from "../../../db/connection";
import type { Staff } from "../../../db/schema";
import { DomainError } from "~/lib/domain-error";
import { canAdminister } from "~/lib/permissions";
import { normaliseLineId, placeholderVillageName } from "~/lib/org-contact";
import { cleanText, normalizeThaiPhone, textProblem } from "~/lib/validation";
import { appendAudit } from "~/models/audit/audit.server";
import { invalidateOrgCache } from "~/models/organisation/profile.server";
import { now } from "~/utils/clock.server";

/** Longest values of the setup form (characters). */
export const ORG_SETUP_LIMITS = { address: 500, hours: 200, email: 254, villageName: 200 } as const;

export interface OrgSetupInput {
  phone: string;
  email: string;
  lineId: string;
  addressTh: string;
  addressEn: string;
  officeHoursTh: string;
  officeHoursEn: string;
  villages: { number: number; nameTh: string; nameEn: string }[];
}

/** The form's field name of a village's Thai / English name. */
export const villageFieldName = (n: number, lang: "th" | "en") => `village_${n}_${lang}`;

const emailFormat = z.email();

/**
 * Reads and checks the posted form for the given village numbers. Every field is checked, so `errors` lists all that
 * is wrong (field name → i18n key, common namespace unless prefixed); `input` is set only when nothing is.
 */
export function readOrgSetupForm(
  form: FormData,
  villageNumbers: readonly number[],
): { input: OrgSetupInput | null; errors: Record<string, string>; values: Record<string, string> } {
  const values: Record<string, string> = {};
  const get = (k: string) => {
    const v = form.get(k);
    const s = typeof v === "string" ? v.slice(0, 2000) : "";
    values[k] = s;
    return s;
  };
  const errors: Record<string, string> = {};
  const text = (field: string, max: number, required: boolean, singleLine = true) => {
    const v = cleanText(get(field), { singleLine });
    const problem = textProblem(v, max, required);
    if (problem) errors[field] = problem.key;
    return v;
  };

  const rawPhone = text("phone", 50, true);
  const phone = rawPhone ? normalizeThaiPhone(rawPhone) : null;
  if (rawPhone && !errors.phone && phone === null) errors.phone = "errors.invalidPhone";

  const email = text("email", ORG_SETUP_LIMITS.email, false).toLowerCase();
  if (email && !errors.email && !emailFormat.safeParse(email).success) errors.email = "errors.invalidEmail";

  const rawLine = text("lineId", 40, false);
  const lineId = rawLine ? normaliseLineId(rawLine) : "";
  if (rawLine && !errors.lineId && lineId === null) errors.lineId = "orgsetup:errors.lineId";

  const addressTh = text("addressTh", ORG_SETUP_LIMITS.address, true, false);
  const addressEn = text("addressEn", ORG_SETUP_LIMITS.address, false, false);
  const officeHoursTh = text("officeHoursTh", ORG_SETUP_LIMITS.hours, true);
  const officeHoursEn = text("officeHoursEn", ORG_SETUP_LIMITS.hours, false);

  const villages: OrgSetupInput["villages"] = [];
  for (const n of villageNumbers) {
    const thField = villageFieldName(n, "th");
    const nameTh = text(thField, ORG_SETUP_LIMITS.villageName, true);
    // "หมู่ที่ 3" is the name a village has before the organisation gives it its own.
    if (nameTh && !errors[thField] && nameTh === placeholderVillageName(n, "th")) errors[thField] = "orgsetup:errors.villageName";
    const nameEn = text(villageFieldName(n, "en"), ORG_SETUP_LIMITS.villageName, false);
    villages.push({ number: n, nameTh, nameEn: nameEn || placeholderVillageName(n, "en") });
  }

  if (Object.keys(errors).length > 0) return { input: null, errors, values };
  return {
    input: {
      phone: phone ?? "",
      email,
      lineId: lineId ?? "",
      addressTh,
      addressEn,
      officeHoursTh,
      officeHoursEn,
      villages,
    },
    errors,
    values,
  };
}

/** Saves the organisation's details and village names, marks the setup done and audits it (administrators only). */
export async function saveOrgSetup(db: DB, actor: Pick<Staff, "id" | "role">, input: OrgSetupInput): Promise<void> {
  if (!canAdminister(actor)) throw DomainError.forbidden();
  const at = now().toISOString();
  await inTransaction(db, async (trx) => {
    const before = await trx.selectFrom("org_profile").select("setup_completed_at").where("id", "=", 1).executeTakeFirstOrThrow();
    await trx
      .updateTable("org_profile")
      .set({
        phone: input.phone,
        email: input.email,
        line_id: input.lineId,
        address_th: input.addressTh,
        address_en: input.addressEn,
        office_hours_th: input.officeHoursTh,
        office_hours_en: input.officeHoursEn,
        setup_completed_at: before.setup_completed_at ?? at,
        updated_at: at,
      })
      .where("id", "=", 1)
      .execute();
    for (const v of input.villages) {
      await trx.updateTable("villages").set({ name_th: v.nameTh, name_en: v.nameEn }).where("number", "=", v.number).execute();
    }
    // The audit entry says what was set, not the values (the organisation's own, public details, but kept short).
    await appendAudit(trx, {
      actorId: actor.id,
      actorRole: actor.role,
      action: "settings.update",
      targetType: "org_profile",
      targetId: 1,
      details: {
        setting: before.setup_completed_at ? "org_contact" : "org_setup",
        channels: [input.phone && "phone", input.email && "email", input.lineId && "line"].filter(Boolean),
        villages: input.villages.length,
      },
    });
  });
  invalidateOrgCache(db);
}
