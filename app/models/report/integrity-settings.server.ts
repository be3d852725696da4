/**
 * Settings of the corruption report channel (single row integrity_settings id=1): the alternate recipient (a staff
 * account with role integrity, e.g. the chair of the council's audit committee, who receives reports that name an
 * integrity officer or the executive, or that the reporter sends to the alternate), its public label, the retention
 * period of closed reports and the acknowledgement / feedback deadlines. Admin only; every change is audited
 * (settings.update, with the names of the changed fields and the new alternate's staff id — no report content).
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database, IntegritySettings, Staff } from "../../../db/schema";
import { appendAudit } from "~/models/audit/audit.server";
import { nowIso } from "~/utils/clock.server";
import { DomainError } from "~/lib/domain-error";
import { canManageReportSettings } from "~/lib/permissions";
import { inTransaction, type Executor } from "../../../db/connection";

export const DEFAULT_INTEGRITY_SETTINGS: Omit<IntegritySettings, "updated_at"> = {
  id: 1,
  alternate_staff_id: null,
  alternate_label_th: "",
  alternate_label_en: "",
  retention_years: 5,
  ack_days: 7,
  feedback_days: 30,
};

/** The settings row (defaults when the row is missing, e.g. before migrations on an old database). */
export async function getIntegritySettings(db: Executor): Promise<IntegritySettings> {
  const row = await db.selectFrom("integrity_settings").selectAll().where("id", "=", 1).executeTakeFirst();
  return row ?? { ...DEFAULT_INTEGRITY_SETTINGS, updated_at: "" };
}

/** Active integrity officers (candidates for the alternate recipient). */
export async function listIntegrityOfficers(db: Executor): Promise<Pick<Staff, "id" | "name" | "email">[]> {
  return db
    .selectFrom("staff")
    .select(["id", "name", "email"])
    .where("role", "=", "integrity")
    .where("active", "=", 1)
    .orderBy("name")
    .execute();
}

const label = z
  .string({ error: "errors.invalidText" })
  .transform((s) => s.normalize("NFC").replace(/\s+/g, " ").trim())
  .pipe(z.string().max(200, { error: "errors.tooLong" }))
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: "errors.invalidText" });

const whole = (min: number, max: number, key: string) =>
  z
    .string({ error: key })
    .trim()
    .regex(/^\d{1,4}$/, { error: key })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: key }).max(max, { error: key }));

export const integritySettingsSchema = z.object({
  alternateStaffId: z
    .string({ error: "errors.invalidChoice" })
    .regex(/^\d{0,9}$/, { error: "errors.invalidChoice" })
    .transform((s) => (s ? Number(s) : null)),
  alternateLabelTh: label,
  alternateLabelEn: label,
  retentionYears: whole(1, 50, "integrity:settings.errors.retention"),
  ackDays: whole(1, 90, "integrity:settings.errors.ackDays"),
  feedbackDays: whole(1, 365, "integrity:settings.errors.feedbackDays"),
});
export type IntegritySettingsInput = z.output<typeof integritySettingsSchema>;
export type IntegritySettingsField = keyof IntegritySettingsInput;

/**
 * Saves the settings (one transaction with its audit entry); only those who manage the report channel may. Returns
 * the names of the fields that changed. An alternate recipient who is not an active integrity officer is refused
 * (DomainError on field alternateStaffId).
 */
export async function updateIntegritySettings(
  db: Kysely<Database>,
  actor: Pick<Staff, "id" | "role">,
  input: IntegritySettingsInput,
): Promise<string[]> {
  if (!canManageReportSettings(actor)) throw DomainError.forbidden();
  return inTransaction(db, async (trx) => {
    if (input.alternateStaffId !== null) {
      const s = await trx.selectFrom("staff").select(["id", "role", "active"]).where("id", "=", input.alternateStaffId).executeTakeFirst();
      if (!s || s.role !== "integrity" || s.active !== 1) {
        throw DomainError.invalid("alternateStaffId", "integrity:settings.errors.alternateRole");
      }
    }
    const before = await getIntegritySettings(trx);
    const next = {
      alternate_staff_id: input.alternateStaffId,
      alternate_label_th: input.alternateLabelTh,
      alternate_label_en: input.alternateLabelEn,
      retention_years: input.retentionYears,
      ack_days: input.ackDays,
      feedback_days: input.feedbackDays,
    };
    const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => before[k] !== next[k]);
    if (changed.length === 0) return [];
    await trx
      .insertInto("integrity_settings")
      .values({ id: 1, ...next, updated_at: nowIso() })
      .onConflict((oc) => oc.column("id").doUpdateSet({ ...next, updated_at: nowIso() }))
      .execute();
    await appendAudit(trx, {
      actorId: actor.id,
      actorRole: actor.role,
      action: "settings.update",
      targetType: "integrity_settings",
      targetId: "1",
      details: { changed, alternateStaffId: next.alternate_staff_id },
    });
    return changed;
  });
}
