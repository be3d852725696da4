/**
 * Administration of the organisation: profile, divisions, villages and categories. Rows are never deleted
 * (cases refer to them); they are renamed or switched on and off.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database, Staff } from "../../../db/schema";
import { now } from "~/utils/clock.server";
import { safeText } from "~/lib/validation.server";
import { DomainError } from "~/lib/domain-error";
import { canAdminister } from "~/lib/permissions";
import { invalidateOrgCache } from "~/models/organisation/profile.server";

export const orgProfileSchema = z.object({
  name_th: safeText(200, true),
  name_en: safeText(200, true),
  address_th: safeText(500, false),
  address_en: safeText(500, false),
  phone: safeText(50, false),
  email: safeText(254, false),
  website: safeText(300, false),
  privacy_contact_th: safeText(500, false),
  privacy_contact_en: safeText(500, false),
  sla_days: z.coerce
    .number({ error: "errors.invalidChoice" })
    .int({ error: "errors.invalidChoice" })
    .min(1, { error: "errors.invalidChoice" })
    .max(90, { error: "errors.invalidChoice" }),
  due_soon_days: z.coerce
    .number({ error: "errors.invalidChoice" })
    .int({ error: "errors.invalidChoice" })
    .min(0, { error: "errors.invalidChoice" })
    .max(30, { error: "errors.invalidChoice" }),
});
export type OrgProfileInput = z.output<typeof orgProfileSchema>;

export async function updateOrgProfile(db: Kysely<Database>, actor: OrgAdminActor, input: OrgProfileInput): Promise<void> {
  assertAdmin(actor);
  await db
    .updateTable("org_profile")
    .set({ ...input, updated_at: now().toISOString() })
    .where("id", "=", 1)
    .execute();
  invalidateOrgCache(db);
}

export const namedRowSchema = z.object({ name_th: safeText(200, true), name_en: safeText(200, true) });

/** A row id posted by the settings forms (a whole number from 1). */
export const rowIdField = z.coerce.number().int().min(1);

export type RefTable = "divisions" | "villages" | "categories";

/** Who changes the organisation's settings (administrators only). */
export type OrgAdminActor = Pick<Staff, "id" | "role">;

function assertAdmin(actor: OrgAdminActor): void {
  if (!canAdminister(actor)) throw DomainError.forbidden();
}

/** A value the administration page must correct (key in the staff namespace, on the form field). */
function adminInput(field: string, messageKey: string): DomainError {
  return DomainError.invalid(field, messageKey, { ns: "staff" });
}

export async function addDivision(db: Kysely<Database>, actor: OrgAdminActor, input: { code: string; name_th: string; name_en: string }) {
  assertAdmin(actor);
  const code = input.code.trim().toLowerCase();
  if (!/^[a-z0-9_-]{1,20}$/.test(code)) throw adminInput("code", "admin.badCode");
  if (await db.selectFrom("divisions").select("id").where("code", "=", code).executeTakeFirst())
    throw adminInput("code", "admin.codeTaken");
  const max = await db
    .selectFrom("divisions")
    .select((eb) => eb.fn.max("sort_order").as("m"))
    .executeTakeFirst();
  await db
    .insertInto("divisions")
    .values({ code, name_th: input.name_th, name_en: input.name_en, sort_order: Number(max?.m ?? 0) + 1, active: 1 })
    .execute();
  invalidateOrgCache(db);
}

export async function addVillage(db: Kysely<Database>, actor: OrgAdminActor, input: { number: number; name_th: string; name_en: string }) {
  assertAdmin(actor);
  if (!Number.isInteger(input.number) || input.number < 1 || input.number > 999) throw adminInput("number", "admin.badNumber");
  if (await db.selectFrom("villages").select("id").where("number", "=", input.number).executeTakeFirst())
    throw adminInput("number", "admin.codeTaken");
  await db.insertInto("villages").values({ number: input.number, name_th: input.name_th, name_en: input.name_en, active: 1 }).execute();
  invalidateOrgCache(db);
}

export async function addCategory(
  db: Kysely<Database>,
  actor: OrgAdminActor,
  input: { code: string; name_th: string; name_en: string; divisionId: number },
) {
  assertAdmin(actor);
  const code = input.code.trim().toLowerCase();
  if (!/^[a-z0-9_-]{1,40}$/.test(code)) throw adminInput("code", "admin.badCode");
  if (await db.selectFrom("categories").select("id").where("code", "=", code).executeTakeFirst())
    throw adminInput("code", "admin.codeTaken");
  const d = await db.selectFrom("divisions").select("id").where("id", "=", input.divisionId).executeTakeFirst();
  if (!d) throw adminInput("divisionId", "admin.badDivision");
  const max = await db
    .selectFrom("categories")
    .select((eb) => eb.fn.max("sort_order").as("m"))
    .executeTakeFirst();
  await db
    .insertInto("categories")
    .values({
      code,
      name_th: input.name_th,
      name_en: input.name_en,
      division_id: input.divisionId,
      sort_order: Number(max?.m ?? 0) + 1,
      active: 1,
    })
    .execute();
  invalidateOrgCache(db);
}

/** Renames a division, village or category and sets whether it is offered (categories may also move division). */
export async function updateRefRow(
  db: Kysely<Database>,
  actor: OrgAdminActor,
  table: RefTable,
  id: number,
  input: { name_th: string; name_en: string; active: boolean; divisionId?: number },
): Promise<boolean> {
  assertAdmin(actor);
  const set: Record<string, unknown> = { name_th: input.name_th, name_en: input.name_en, active: input.active ? 1 : 0 };
  if (table === "categories" && input.divisionId !== undefined) {
    const d = await db.selectFrom("divisions").select("id").where("id", "=", input.divisionId).executeTakeFirst();
    if (!d) throw adminInput("divisionId", "admin.badDivision");
    set.division_id = input.divisionId;
  }
  const res = await db
    .updateTable(table)
    .set(set as never)
    .where("id", "=", id)
    .executeTakeFirst();
  invalidateOrgCache(db);
  return Number(res.numUpdatedRows) === 1;
}
