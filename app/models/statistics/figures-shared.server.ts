/**
 * Shared pieces of the statistics figures (app/models/statistics/figures.server.ts, plan-scorecard.server.ts): the
 * executor type, today's Bangkok day, rating counts, the cached "overdue now" count, the figure cache and the first
 * day the portal holds any record.
 */
import { VersionedCache } from "~/utils/version-cache.server";
import { openStatusSql } from "~/lib/complaint-status";
import { sql } from "kysely";
import { now } from "~/utils/clock.server";
import { fiscalYearOf } from "~/lib/fiscal-year";
import { bangkokDateKey } from "~/lib/thai-date";
import { satisfactionFrom } from "~/lib/stats";
import type { Executor } from "../../../db/connection";
import { dialectOf } from "../../../db/dialects";
import { siteMemo } from "~/utils/site-context.server";

export type { Executor };

const OVERDUE_CACHE_MS = 30_000;

/** The fiscal year (BE) running now (Bangkok). */
export function currentFiscalYear(): number {
  return fiscalYearOf(now());
}

/** Today's Bangkok day key. */
export function today(): string {
  return bangkokDateKey(now());
}

export async function ratingCounts(db: Executor, fy: number, source: "case" | "counter", from: string, to: string) {
  const rows = await db
    .selectFrom("rating_stats")
    .select(["score", (eb) => eb.fn.sum<number>("n").as("n")])
    .where("fiscal_year", "=", fy)
    .where("source", "=", source)
    .where("day", ">=", from)
    .where("day", "<=", to)
    .groupBy("score")
    .execute();
  return satisfactionFrom(rows.map((r) => ({ score: Number(r.score), n: Number(r.n ?? 0) })));
}

/** Open, running (not paused) cases received in [from, to] of `fy` whose deadline has passed — cached briefly. */
export async function overdueNow(db: Executor, fy: number, from: string, to: string): Promise<number> {
  const at = now();
  const key = `${fy}:${from}:${to}`;
  const overdueCache = siteMemo("figures:overdue", () => new Map<string, { at: number; value: Promise<number> }>());
  const hit = overdueCache.get(key);
  if (hit && Math.abs(at.getTime() - hit.at) < OVERDUE_CACHE_MS) return hit.value;
  const fromIso = new Date(`${from}T00:00:00+07:00`).toISOString();
  const toIso = new Date(new Date(`${to}T00:00:00+07:00`).getTime() + 86_400_000).toISOString();
  const value = sql<{ n: number }>`
    select count(*) as n from ${dialectOf(db).fromIndexed("complaints", "complaints", "complaints_open_running_fy_due")}
    where fiscal_year = ${fy} and ${openStatusSql()} and paused_at is null and due_at < ${at.toISOString()}
      and received_at >= ${fromIso} and received_at < ${toIso}`
    .execute(db)
    .then((r) => Number(r.rows[0]?.n ?? 0));
  overdueCache.set(key, { at: at.getTime(), value });
  value.catch(() => overdueCache.delete(key));
  return value;
}

/**
 * Computed figures are kept while the statistics version (bumped by every summary trigger, db/statistics.ts) is
 * unchanged — so a cached figure is never older than the last committed change — and for at most STATS_CACHE_MS
 * (the clock-dependent "overdue now" and the running year's comparison window move with time).
 */
const STATS_CACHE_MS = 30_000;
const figureCache = new VersionedCache<unknown>(STATS_CACHE_MS);

async function statsVersion(db: Executor): Promise<number> {
  const r = await db.selectFrom("stats_version").select("v").where("id", "=", 1).executeTakeFirst();
  return Number(r?.v ?? 0);
}

/**
 * Keeps `compute`'s result while no statistics trigger has fired (and at most STATS_CACHE_MS). `knownVersion`: the
 * version this request has already read (with its session, SessionState.statsVersion), so it is not read again.
 */
export async function memo<T>(db: Executor, key: string, compute: () => Promise<T>, knownVersion?: number): Promise<T> {
  const version = knownVersion ?? (await statsVersion(db));
  return figureCache.get(db, key, version, compute, now().getTime()) as Promise<T>;
}

/** Drops cached figures and "overdue now" counts (tests that move the clock). */
export function clearStatsCache(): void {
  siteMemo("figures:overdue", () => new Map<string, { at: number; value: Promise<number> }>()).clear();
  figureCache.clear();
}

/** The first Bangkok day the portal holds any record for (complaint, report or counter answer), or null. */
export async function firstRecordDay(db: Executor): Promise<string | null> {
  const r = await sql<{ d: string | null }>`
    select min(d) as d from (
      select min(day) as d from complaint_stats where dim = 'all' and key = '' and received > 0
        and fiscal_year = (select min(fiscal_year) from complaint_stats)
      union all select min(day) from report_stats where received > 0 and fiscal_year = (select min(fiscal_year) from report_stats)
      union all select min(day) from rating_stats where source = 'counter' and n > 0
        and fiscal_year = (select min(fiscal_year) from rating_stats where source = 'counter')
    ) as firsts`.execute(db);
  return r.rows[0]?.d ?? null;
}
