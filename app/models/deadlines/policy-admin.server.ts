/**
 * The admin side of deadlines: the holiday table and the policies per organisation, channel and category. How a
 * case's policy is resolved from them is app/models/deadlines/policy.server.ts (casePolicies); every change here clears
 * its cache at once.
 */
import type { Kysely } from "kysely";
import { inTransaction, type Executor } from "../../../db/connection";
import type { Database, HolidayTable, SlaPolicyTable } from "../../../db/schema";
import type { CountingMode } from "~/models/deadlines/due-dates";
import { holidaySet, invalidatePolicyCache } from "~/models/deadlines/policy.server";
import { now } from "~/utils/clock.server";
import { invalidateOrgCache } from "../organisation/profile.server";

export { holidaySet };

export type PolicyScope = "org" | "channel" | "category";

/** Forget cached holidays and policies (after a change). */
export const invalidateSlaCache = invalidatePolicyCache;

// ---- Holidays (admin) ----

export type Holiday = HolidayTable;

export async function listHolidays(db: Executor, opts: { year?: number } = {}): Promise<Holiday[]> {
  let q = db.selectFrom("holidays").selectAll().orderBy("date");
  if (opts.year) q = q.where("date", ">=", `${opts.year}-01-01`).where("date", "<=", `${opts.year}-12-31`);
  return q.execute();
}

/** Years that have at least one holiday, newest first. */
export async function holidayYears(db: Executor): Promise<number[]> {
  const rows = await db.selectFrom("holidays").select("date").execute();
  return [...new Set(rows.map((r) => Number(r.date.slice(0, 4))))].sort((a, b) => b - a);
}

export interface HolidayInput {
  date: string;
  nameTh: string;
  nameEn: string;
  kind: HolidayTable["kind"];
}

/** Adds a holiday or replaces the one on that date. */
export async function upsertHoliday(db: Kysely<Database>, input: HolidayInput, staffId: number | null): Promise<void> {
  const at = now().toISOString();
  await db
    .insertInto("holidays")
    .values({ date: input.date, name_th: input.nameTh, name_en: input.nameEn, kind: input.kind, updated_at: at, updated_by: staffId })
    .onConflict((oc) =>
      oc
        .column("date")
        .doUpdateSet({ name_th: input.nameTh, name_en: input.nameEn, kind: input.kind, updated_at: at, updated_by: staffId }),
    )
    .execute();
  invalidateSlaCache(db);
}

/** Removes the holiday on a date; false when there was none. */
export async function deleteHoliday(db: Kysely<Database>, date: string): Promise<boolean> {
  const res = await db.deleteFrom("holidays").where("date", "=", date).executeTakeFirst();
  invalidateSlaCache(db);
  return Number(res.numDeletedRows) > 0;
}

// ---- Policies (admin) ----

export interface PolicyInput {
  scope: PolicyScope;
  /** '' for org; a channel name; a category code. */
  scopeKey: string;
  resolveDays: number;
  ackDays: number;
  dueSoonDays: number;
  mode: CountingMode;
}

export async function listPolicies(db: Executor): Promise<SlaPolicyTable[]> {
  return db.selectFrom("sla_policies").selectAll().orderBy("scope").orderBy("scope_key").execute();
}

/** Sets the policy of a scope (insert or replace). New deadlines use it; existing deadlines are not recomputed. */
export async function setPolicy(db: Kysely<Database>, input: PolicyInput): Promise<void> {
  const scopeKey = input.scope === "org" ? "" : input.scopeKey;
  const at = now().toISOString();
  const values = {
    resolve_days: input.resolveDays,
    ack_days: input.ackDays,
    due_soon_days: input.dueSoonDays,
    mode: input.mode,
    updated_at: at,
  };
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("sla_policies")
      .values({ scope: input.scope, scope_key: scopeKey, ...values })
      .onConflict((oc) => oc.columns(["scope", "scope_key"]).doUpdateSet(values))
      .execute();
    if (input.scope === "org") {
      // Keep the org profile's SLA settings (shown on /staff/admin, used by older code) in step with the org policy.
      await trx
        .updateTable("org_profile")
        .set({
          sla_days: Math.min(input.resolveDays, 90),
          due_soon_days: Math.min(input.dueSoonDays, 30),
          counting_mode: input.mode,
          updated_at: at,
        })
        .where("id", "=", 1)
        .execute();
    }
  });
  if (input.scope === "org") invalidateOrgCache(db);
  invalidateSlaCache(db);
}

/** Removes a channel or category override (the organisation's policy then applies). */
export async function deletePolicy(db: Kysely<Database>, scope: Exclude<PolicyScope, "org">, scopeKey: string): Promise<boolean> {
  const res = await db.deleteFrom("sla_policies").where("scope", "=", scope).where("scope_key", "=", scopeKey).executeTakeFirst();
  invalidateSlaCache(db);
  return Number(res.numDeletedRows) > 0;
}
