/**
 * The deadline policy of a case. The organisation's policy (a `sla_policies` row with scope 'org', else the org
 * profile's SLA settings) is overridden by the case's channel row, which is overridden by its category row; the
 * holiday table comes with it. Policies and holidays are read on every page that shows a deadline, so each process
 * keeps them for a few seconds (like org.server.ts); changes made on the admin pages clear the cache at once
 * (sla-policy.server.ts), other processes see them within CACHE_MS.
 */
import type { Executor } from "../../../db/connection";
import type { SlaPolicyTable } from "../../../db/schema";
import { DEFAULT_ACK_DAYS, type CountingMode, type SlaPolicy } from "./due-dates";

const CACHE_MS = 5_000;

/** A complete policy, as used for a case. */
export type CasePolicy = SlaPolicy & { ackDays: number; holidays: ReadonlySet<string> };

/** What decides a case's policy: its channel and its category (by id, as stored, or by code). */
export interface PolicyKey {
  channel?: string | null;
  category_id?: number | null;
  categoryCode?: string | null;
}

/** Every policy at hand: the organisation's, and a lookup for any case (pure, no further reads). */
export interface CasePolicies {
  org: CasePolicy;
  of(key: PolicyKey): CasePolicy;
}

interface Snapshot {
  at: number;
  holidays: ReadonlySet<string>;
  policies: SlaPolicyTable[];
  org: { sla_days: number; due_soon_days: number; counting_mode: CountingMode } | undefined;
  categoryCodes: ReadonlyMap<number, string>;
  /** Policies already resolved from this snapshot, by channel and category (a page of cases asks for a handful). */
  resolved: Map<string, CasePolicy>;
}

/** Keyed by the Kysely instance; transactions are never cached. */
const snapshots = new WeakMap<object, Promise<Snapshot>>();

async function load(db: Executor): Promise<Snapshot> {
  const [holidays, policies, org, categories] = await Promise.all([
    db.selectFrom("holidays").select("date").execute(),
    db.selectFrom("sla_policies").selectAll().execute(),
    db.selectFrom("org_profile").select(["sla_days", "due_soon_days", "counting_mode"]).where("id", "=", 1).executeTakeFirst(),
    db.selectFrom("categories").select(["id", "code"]).execute(),
  ]);
  return {
    at: Date.now(),
    holidays: new Set(holidays.map((h) => h.date)),
    policies,
    org,
    categoryCodes: new Map(categories.map((c) => [c.id, c.code])),
    resolved: new Map(),
  };
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
export function invalidatePolicyCache(db: Executor): void {
  snapshots.delete(db);
}

/** The holiday dates as a set of "YYYY-MM-DD" keys. */
export async function holidaySet(db: Executor): Promise<ReadonlySet<string>> {
  return (await snapshot(db)).holidays;
}

function fromRow(r: SlaPolicyTable): Omit<CasePolicy, "holidays"> {
  return { resolveDays: r.resolve_days, dueSoonDays: r.due_soon_days, mode: r.mode, ackDays: r.ack_days };
}

/** The organisation's policy: its 'org' row, else the org profile's settings with 1 working day to acknowledge. */
function orgPolicy(snap: Snapshot): Omit<CasePolicy, "holidays"> {
  const orgRow = snap.policies.find((p) => p.scope === "org");
  if (orgRow) return fromRow(orgRow);
  return {
    resolveDays: snap.org?.sla_days ?? 15,
    dueSoonDays: snap.org?.due_soon_days ?? 3,
    mode: snap.org?.counting_mode ?? "calendar",
    ackDays: DEFAULT_ACK_DAYS,
  };
}

function resolve(snap: Snapshot, key: PolicyKey): CasePolicy {
  const code = key.categoryCode ?? (key.category_id == null ? null : (snap.categoryCodes.get(key.category_id) ?? null));
  const memoKey = `${key.channel ?? ""}\u0000${code ?? ""}`;
  let policy = snap.resolved.get(memoKey);
  if (!policy) snap.resolved.set(memoKey, (policy = Object.freeze(resolveUncached(snap, key.channel, code))));
  return policy;
}

function resolveUncached(snap: Snapshot, channel: string | null | undefined, code: string | null): CasePolicy {
  let p = orgPolicy(snap);
  const channelRow = channel ? snap.policies.find((r) => r.scope === "channel" && r.scope_key === channel) : undefined;
  if (channelRow) p = fromRow(channelRow);
  const categoryRow = code ? snap.policies.find((r) => r.scope === "category" && r.scope_key === code) : undefined;
  if (categoryRow) p = fromRow(categoryRow);
  return { ...p, holidays: snap.holidays };
}

/**
 * The deadline policies: `org` is the organisation's, `of(case)` a case's (category overrides channel overrides
 * organisation). One cached read, then pure lookups, so a page of a thousand cases reads the policies once.
 */
export async function casePolicies(db: Executor): Promise<CasePolicies> {
  const snap = await snapshot(db);
  return { org: resolve(snap, {}), of: (key) => resolve(snap, key) };
}
