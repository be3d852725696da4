/**
 * Configuration of the escalation ladder: the rows of `escalation_rules` (enabled, days) and who receives
 * the division ("due soon" when unassigned) and centre ("unassigned") reminders (staff.is_division_head,
 * staff.is_centre_lead). Read by the ticker in escalation.server.ts; edited on /staff/admin/escalation.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, EscalationLevel } from "../../../db/schema";
import { now } from "~/utils/clock.server";
import { ESCALATION_LEVELS, RULE_DAY_LIMITS } from "~/lib/escalation-levels";

type Db = Kysely<Database> | Transaction<Database>;

/** The ladder's rungs (one list, app/lib/escalation-levels.ts). */
export const RULE_LEVELS = ESCALATION_LEVELS;
export { RULE_DAY_LIMITS };

export interface RuleRow {
  level: EscalationLevel;
  enabled: boolean;
  days: number;
  updatedAt: string | null;
}

export class RuleError extends Error {
  constructor(
    public field: "level" | "days",
    public messageKey: string,
  ) {
    super(messageKey);
  }
}

export async function getRules(db: Db): Promise<RuleRow[]> {
  const rows = await db.selectFrom("escalation_rules").selectAll().execute();
  return RULE_LEVELS.map((level) => {
    const r = rows.find((x) => x.level === level);
    return { level, enabled: r ? r.enabled === 1 : false, days: r?.days ?? RULE_DAY_LIMITS[level][0], updatedAt: r?.updated_at ?? null };
  });
}

/** Saves one rung (upsert). Throws RuleError for an unknown level or days out of range. */
export async function updateRule(db: Db, input: { level: string; enabled: boolean; days: number }): Promise<void> {
  if (!(RULE_LEVELS as readonly string[]).includes(input.level)) throw new RuleError("level", "errors.level");
  const level = input.level as EscalationLevel;
  const [min, max] = RULE_DAY_LIMITS[level];
  if (!Number.isInteger(input.days) || input.days < min || input.days > max) throw new RuleError("days", "errors.days");
  const values = { level, enabled: input.enabled ? 1 : 0, days: input.days, updated_at: now().toISOString() };
  await db
    .insertInto("escalation_rules")
    .values(values)
    .onConflict((oc) => oc.column("level").doUpdateSet({ enabled: values.enabled, days: values.days, updated_at: values.updated_at }))
    .execute();
}

export interface StaffFlagsRow {
  id: number;
  name: string;
  email: string;
  role: string;
  divisionId: number | null;
  active: boolean;
  isDivisionHead: boolean;
  isCentreLead: boolean;
}

export async function listStaffEscalationFlags(db: Db): Promise<StaffFlagsRow[]> {
  const rows = await db
    .selectFrom("staff")
    .select(["id", "name", "email", "role", "division_id", "active", "is_division_head", "is_centre_lead"])
    .orderBy("active", "desc")
    .orderBy("name")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    divisionId: r.division_id,
    active: r.active === 1,
    isDivisionHead: r.is_division_head === 1,
    isCentreLead: r.is_centre_lead === 1,
  }));
}

/**
 * Sets the two flags of every listed account in one transaction: ids in `divisionHeads` / `centreLeads` get 1, the
 * other listed ids get 0. Unknown ids are ignored (returns how many rows changed).
 */
export async function setStaffEscalationFlags(
  db: Kysely<Database>,
  input: { staffIds: number[]; divisionHeads: number[]; centreLeads: number[] },
): Promise<number> {
  const heads = new Set(input.divisionHeads);
  const leads = new Set(input.centreLeads);
  const ids = [...new Set(input.staffIds)];
  return db.transaction().execute(async (trx) => {
    let changed = 0;
    for (const id of ids) {
      const r = await trx
        .updateTable("staff")
        .set({ is_division_head: heads.has(id) ? 1 : 0, is_centre_lead: leads.has(id) ? 1 : 0 })
        .where("id", "=", id)
        .executeTakeFirst();
      changed += Number(r.numUpdatedRows ?? 0);
    }
    return changed;
  });
}
