/**
 * Deadline policies and the holiday table. The policy of a case is the organisation's (a `sla_policies` row with scope
 * 'org', else the org profile's SLA settings), overridden by its channel's row, overridden by its category's row.
 * Holidays and policies are read on every page that shows a deadline, so each process keeps them for a few seconds
 * (like org.server.ts); changes made here clear the cache at once, other processes see them within CACHE_MS.
 */
import type { Kysely, Transaction } from "kysely";
import type { ComplaintChannel, Database, HolidayTable, SlaPolicyTable } from "../../db/schema";
import { DEFAULT_ACK_DAYS, type CountingMode, type SlaPolicy } from "~/lib/sla";
import { now } from "~/utils/clock.server";
import { invalidateOrgCache } from "./org.server";

type Executor = Kysely<Database> | Transaction<Database>;

const CACHE_MS = 5_000;

/** A complete policy, as used for a case. */
export type CasePolicy = SlaPolicy & { ackDays: number; holidays: ReadonlySet<string> };

export type PolicyScope = "org" | "channel" | "category";

interface Snapshot {
  at: number;
  holidays: ReadonlySet<string>;
  policies: SlaPolicyTable[];
  org: { sla_days: number; due_soon_days: number; counting_mode: CountingMode } | undefined;
}

/** Keyed by the Kysely instance; transactions are never cached. */
const snapshots = new WeakMap<object, Promise<Snapshot>>();

async function load(db: Executor): Promise<Snapshot> {
  const [holidays, policies, org] = await Promise.all([
    db.selectFrom("holidays").select("date").execute(),
    db.selectFrom("sla_policies").selectAll().execute(),
    db.selectFrom("org_profile").select(["sla_days", "due_soon_days", "counting_mode"]).where("id", "=", 1).executeTakeFirst(),
  ]);
  return { at: Date.now(), holidays: new Set(holidays.map((h) => h.date)), policies, org };
}

async function snapshot(db: Executor): Promise<Snapshot> {
  // Inside a transaction, read fresh (it may see its own uncommitted changes) and do not cache.
  if (db.isTransaction) return load(db);
  const cached = snapshots.get(db);
  if (cached) {
    const snap = await cached;
    if (Date.now() - snap.at < CACHE_MS) return snap;
  }
  const fresh = load(db);
  snapshots.set(db, fresh);
  fresh.catch(() => snapshots.delete(db));
  return fresh;
}

/** Forget cached holidays and policies (after a change). */
export function invalidateSlaCache(db: Executor): void {
  snapshots.delete(db);
}

/** The organisation's default policy when no 'org' row exists (org profile settings, 1 working day to acknowledge). */
function basePolicy(snap: Snapshot): Omit<CasePolicy, "holidays"> {
  const orgRow = snap.policies.find((p) => p.scope === "org");
  if (orgRow) return fromRow(orgRow);
  return {
    resolveDays: snap.org?.sla_days ?? 15,
    dueSoonDays: snap.org?.due_soon_days ?? 3,
    mode: snap.org?.counting_mode ?? "calendar",
    ackDays: DEFAULT_ACK_DAYS,
  };
}

function fromRow(r: SlaPolicyTable): Omit<CasePolicy, "holidays"> {
  return { resolveDays: r.resolve_days, dueSoonDays: r.due_soon_days, mode: r.mode, ackDays: r.ack_days };
}

function resolve(snap: Snapshot, key: { channel?: string | null; categoryCode?: string | null }): CasePolicy {
  let p = basePolicy(snap);
  const channelRow = key.channel ? snap.policies.find((r) => r.scope === "channel" && r.scope_key === key.channel) : undefined;
  if (channelRow) p = fromRow(channelRow);
  const categoryRow = key.categoryCode
    ? snap.policies.find((r) => r.scope === "category" && r.scope_key === key.categoryCode)
    : undefined;
  if (categoryRow) p = fromRow(categoryRow);
  return { ...p, holidays: snap.holidays };
}

/** The policy of a case from its channel and category (category overrides channel overrides organisation). */
export async function getPolicyFor(
  db: Executor,
  key: { channel?: ComplaintChannel | string | null; categoryCode?: string | null } = {},
): Promise<CasePolicy> {
  return resolve(await snapshot(db), key);
}

/** A resolver for many cases at once (the queue): one cache read, then pure lookups. */
export async function policyResolver(
  db: Executor,
): Promise<(key: { channel?: string | null; categoryCode?: string | null }) => CasePolicy> {
  const snap = await snapshot(db);
  return (key) => resolve(snap, key);
}

/** The holiday dates as a set of "YYYY-MM-DD" keys. */
export async function holidaySet(db: Executor): Promise<ReadonlySet<string>> {
  return (await snapshot(db)).holidays;
}

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
      oc.column("date").doUpdateSet({ name_th: input.nameTh, name_en: input.nameEn, kind: input.kind, updated_at: at, updated_by: staffId }),
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
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("sla_policies")
      .values({ scope: input.scope, scope_key: scopeKey, ...values })
      .onConflict((oc) => oc.columns(["scope", "scope_key"]).doUpdateSet(values))
      .execute();
    if (input.scope === "org") {
      // Keep the org profile's SLA settings (shown on /staff/admin, used by older code) in step with the org policy.
      await trx
        .updateTable("org_profile")
        .set({ sla_days: Math.min(input.resolveDays, 90), due_soon_days: Math.min(input.dueSoonDays, 30), counting_mode: input.mode, updated_at: at })
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
