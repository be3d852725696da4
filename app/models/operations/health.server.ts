/**
 * The health of an installation, for /healthz, /metrics and the admin page: what an operator must look at, without
 * any personal data (counts, ages and dates only — no address, no case, no e-mail).
 *
 * Checks and their thresholds (named constants below; README "Health and metrics"):
 * - database: `select 1` answers.
 * - outbox_stuck: the oldest e-mail still waiting to be sent (pending or sending) was queued more than
 *   OUTBOX_PENDING_MAX_AGE_S ago (SMTP down or refusing; a normal e-mail leaves within seconds).
 * - outbox_dead_letters: an e-mail was given up (dead letter, after MAX_ATTEMPTS) within DEAD_LETTER_WINDOW_S; retry
 *   or read it at /staff/admin/outbox. Older dead letters are still counted but no longer raise the alarm.
 * - deadline_tick_stale: the server's deadline ticker (escalation.server.ts, every minute, in its worker thread) has not
 *   finished a pass for TICK_STALE_AFTER_S (counted from the start of the process until the first pass) — it fails, or
 *   its thread keeps crashing (ticker-thread.server.ts).
 * - holidays_ending: the holiday table does not cover the next HOLIDAY_HORIZON_DAYS days. A year counts as covered
 *   when it holds at least HOLIDAY_YEAR_MIN_DAYS days (a Thai year has about 19 government holidays), and coverage runs
 *   from the current year to the end of the last year without a gap. Add next year's days at /staff/admin/holidays.
 * - disk_low: less than DISK_MIN_FREE_BYTES free for DATA_DIR (database, WAL, uploads, backups).
 * Any of these makes /healthz answer 503 with the problems named; otherwise 200. The proxy warning of
 * client-address.server.ts is reported beside them and stays 200 (README "Behind a reverse proxy").
 *
 * Figures are computed at most once per HEALTH_CACHE_MS per process (a few small index look-ups and one statfs), so a
 * monitor polling /healthz costs almost nothing.
 */
import fs from "node:fs";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { bangkokDateKey } from "~/lib/thai-date";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { proxyWarning } from "~/utils/client-address.server";

/** How long computed figures are reused. */
export const HEALTH_CACHE_MS = 5_000;
/** Oldest e-mail still waiting: above this (1 hour), 503 "outbox_stuck". */
export const OUTBOX_PENDING_MAX_AGE_S = 3_600;
/** A dead letter within this window (7 days) → 503 "outbox_dead_letters". */
export const DEAD_LETTER_WINDOW_S = 7 * 86_400;
/** No finished deadline tick for this long (15 minutes; the ticker runs every minute) → 503 "deadline_tick_stale". */
export const TICK_STALE_AFTER_S = 15 * 60;
/** The holiday table must cover this many days ahead (12 months) → else 503 "holidays_ending". */
export const HOLIDAY_HORIZON_DAYS = 365;
/** A calendar year with fewer holidays than this counts as not entered. */
export const HOLIDAY_YEAR_MIN_DAYS = 10;
/** Free space for DATA_DIR below this (1 GiB) → 503 "disk_low". */
export const DISK_MIN_FREE_BYTES = 1024 ** 3;

export const HEALTH_PROBLEMS = [
  "database",
  "outbox_stuck",
  "outbox_dead_letters",
  "deadline_tick_stale",
  "holidays_ending",
  "disk_low",
] as const;
export type HealthProblem = (typeof HEALTH_PROBLEMS)[number];

// ---------------------------------------------------------------------------------------------------------------
// The deadline ticker's heartbeat. The ticker runs in a worker thread (scripts/deadline-worker.ts), which reports each
// finished pass by message; its supervisor in the request thread (ticker-thread.server.ts, in the server bundle) records
// it here. Kept on globalThis: /healthz and the admin page read it from the Remix build — two copies of this module,
// one thread.

interface TickState {
  lastFinishedAt: number | null;
  /** Escalations claimed by this process's ticks, per level (the /metrics counter). */
  escalated: Record<string, number>;
}

declare global {
  var __sujaritTicks: TickState | undefined;
}

function tickState(): TickState {
  return (globalThis.__sujaritTicks ??= { lastFinishedAt: null, escalated: {} });
}

/**
 * Called in the request thread each time the server's deadline ticker has finished a pass (not when it failed), with
 * the escalations it claimed per level. `at`: wall-clock milliseconds when the pass finished.
 */
export function recordDeadlineTick(result?: { escalated?: Partial<Record<string, number>> }, at: number = Date.now()): void {
  const s = tickState();
  s.lastFinishedAt = Math.max(s.lastFinishedAt ?? 0, at);
  for (const [level, n] of Object.entries(result?.escalated ?? {})) {
    if (typeof n === "number" && n > 0) s.escalated[level] = (s.escalated[level] ?? 0) + n;
  }
}

/** When the last deadline tick of this process finished (wall clock, ms) and the escalations counted so far. */
export function deadlineTickState(): { lastFinishedAt: number | null; escalated: Readonly<Record<string, number>> } {
  const s = tickState();
  return { lastFinishedAt: s.lastFinishedAt, escalated: { ...s.escalated } };
}

/** Start of this process (wall clock, ms): the tick's age is counted from here until the first tick. */
function processStartedAt(): number {
  return Math.round(performance.timeOrigin);
}

// ---------------------------------------------------------------------------------------------------------------

export interface HealthFigures {
  database: boolean;
  /** null when the database did not answer. */
  outbox: { pending: number; oldestPendingSeconds: number | null; deadLetters: number; recentDeadLetters: number } | null;
  /** Seconds since the last finished tick, or since the process started when none has finished yet. */
  tick: { secondsSinceLast: number | null; secondsSinceStart: number };
  holidays: { coveredUntil: string | null; neededUntil: string } | null;
  disk: { freeBytes: number | null };
}

/** The problems in a set of figures (pure; the thresholds above). */
export function evaluateHealth(f: HealthFigures): HealthProblem[] {
  const out: HealthProblem[] = [];
  if (!f.database) out.push("database");
  if (f.outbox && f.outbox.oldestPendingSeconds !== null && f.outbox.oldestPendingSeconds > OUTBOX_PENDING_MAX_AGE_S)
    out.push("outbox_stuck");
  if (f.outbox && f.outbox.recentDeadLetters > 0) out.push("outbox_dead_letters");
  if ((f.tick.secondsSinceLast ?? f.tick.secondsSinceStart) > TICK_STALE_AFTER_S) out.push("deadline_tick_stale");
  if (f.holidays && (f.holidays.coveredUntil === null || f.holidays.coveredUntil < f.holidays.neededUntil)) out.push("holidays_ending");
  if (f.disk.freeBytes !== null && f.disk.freeBytes < DISK_MIN_FREE_BYTES) out.push("disk_low");
  return out;
}

/**
 * Last day (YYYY-MM-DD) covered by the holiday table from `today` on: the end of the last of the consecutive years,
 * from today's, that hold at least HOLIDAY_YEAR_MIN_DAYS days; null when the current year itself is not entered.
 */
export function holidayCoverage(countsByYear: ReadonlyMap<number, number>, today: string): string | null {
  let year = Number(today.slice(0, 4));
  let covered: string | null = null;
  while ((countsByYear.get(year) ?? 0) >= HOLIDAY_YEAR_MIN_DAYS) {
    covered = `${year}-12-31`;
    year++;
  }
  return covered;
}

async function outboxFigures(db: Kysely<Database>, at: Date): Promise<NonNullable<HealthFigures["outbox"]>> {
  // Both use the (status, next_attempt_at) index: the queue and the dead letters are small ranges of it.
  const waiting = await sql<{
    n: number;
    m: number | null;
  }>`select count(*) as n, min(id) as m from outbox where status in ('pending', 'sending')`.execute(db);
  const { n: pending, m: oldestId } = waiting.rows[0] ?? { n: 0, m: null };
  let oldestPendingSeconds: number | null = null;
  if (oldestId !== null && oldestId !== undefined) {
    const row = await db.selectFrom("outbox").select("created_at").where("id", "=", oldestId).executeTakeFirst();
    if (row) oldestPendingSeconds = Math.max(0, Math.round((at.getTime() - new Date(row.created_at).getTime()) / 1000));
  }
  // A dead letter's next_attempt_at is set when it is given up (plus a backoff): "given up recently" without a column.
  const since = new Date(at.getTime() - DEAD_LETTER_WINDOW_S * 1000).toISOString();
  const dead = await sql<{
    n: number;
    recent: number;
  }>`select count(*) as n, coalesce(sum(case when next_attempt_at >= ${since} then 1 else 0 end), 0) as recent from outbox where status = 'dead'`.execute(
    db,
  );
  return {
    pending: Number(pending),
    oldestPendingSeconds,
    deadLetters: Number(dead.rows[0]?.n ?? 0),
    recentDeadLetters: Number(dead.rows[0]?.recent ?? 0),
  };
}

async function holidayFigures(db: Kysely<Database>, at: Date): Promise<NonNullable<HealthFigures["holidays"]>> {
  const today = bangkokDateKey(at);
  const rows = await sql<{
    y: string;
    n: number;
  }>`select substr(date, 1, 4) as y, count(*) as n from holidays where date >= ${`${today.slice(0, 4)}-01-01`} group by y`.execute(db);
  const counts = new Map(rows.rows.map((r) => [Number(r.y), Number(r.n)]));
  return {
    coveredUntil: holidayCoverage(counts, today),
    neededUntil: bangkokDateKey(new Date(at.getTime() + HOLIDAY_HORIZON_DAYS * 86_400_000)),
  };
}

function freeBytes(dir: string): number | null {
  try {
    const s = fs.statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/** Gathers the figures now (no cache). `wallNow`: wall-clock ms for the tick's age (tests). */
export async function gatherHealthFigures(db: Kysely<Database> = getDb(), opts: { wallNow?: number } = {}): Promise<HealthFigures> {
  const at = now();
  const wall = opts.wallNow ?? Date.now();
  const tick = tickState();
  const figures: HealthFigures = {
    database: false,
    outbox: null,
    tick: {
      secondsSinceLast: tick.lastFinishedAt === null ? null : Math.max(0, Math.round((wall - tick.lastFinishedAt) / 1000)),
      secondsSinceStart: Math.max(0, Math.round((wall - processStartedAt()) / 1000)),
    },
    holidays: null,
    disk: { freeBytes: freeBytes(getEnv().DATA_DIR) },
  };
  try {
    await sql`select 1`.execute(db);
    figures.database = true;
  } catch {
    return figures;
  }
  try {
    figures.outbox = await outboxFigures(db, at);
    figures.holidays = await holidayFigures(db, at);
  } catch {
    // The database answers but a table is unreadable (e.g. during a migration): that needs a person too.
    figures.database = false;
  }
  return figures;
}

export interface HealthReport {
  /** "ok" (HTTP 200) or "needs attention" (HTTP 503, see `problems`). */
  status: "ok" | "needs attention";
  problems: HealthProblem[];
  checks: {
    database: { ok: boolean };
    outbox: {
      ok: boolean;
      pending: number | null;
      oldestPendingSeconds: number | null;
      maxPendingSeconds: number;
      deadLetters: number | null;
      deadLettersRecent: number | null;
      recentWindowSeconds: number;
    };
    deadlineTick: { ok: boolean; secondsSinceLastTick: number | null; staleAfterSeconds: number };
    holidays: { ok: boolean; coveredUntil: string | null; neededUntil: string | null };
    disk: { ok: boolean; freeBytes: number | null; minFreeBytes: number };
  };
  proxyWarning: { seen: boolean; since: string | null };
  checkedAt: string;
}

/** The report of a set of figures (pure but for the proxy warning). */
export function healthReport(f: HealthFigures, checkedAt: Date = now()): HealthReport {
  const problems = evaluateHealth(f);
  const has = (p: HealthProblem) => problems.includes(p);
  return {
    status: problems.length === 0 ? "ok" : "needs attention",
    problems,
    checks: {
      database: { ok: !has("database") },
      outbox: {
        ok: !has("outbox_stuck") && !has("outbox_dead_letters"),
        pending: f.outbox?.pending ?? null,
        oldestPendingSeconds: f.outbox?.oldestPendingSeconds ?? null,
        maxPendingSeconds: OUTBOX_PENDING_MAX_AGE_S,
        deadLetters: f.outbox?.deadLetters ?? null,
        deadLettersRecent: f.outbox?.recentDeadLetters ?? null,
        recentWindowSeconds: DEAD_LETTER_WINDOW_S,
      },
      deadlineTick: {
        ok: !has("deadline_tick_stale"),
        secondsSinceLastTick: f.tick.secondsSinceLast,
        staleAfterSeconds: TICK_STALE_AFTER_S,
      },
      holidays: {
        ok: !has("holidays_ending"),
        coveredUntil: f.holidays?.coveredUntil ?? null,
        neededUntil: f.holidays?.neededUntil ?? null,
      },
      disk: { ok: !has("disk_low"), freeBytes: f.disk.freeBytes, minFreeBytes: DISK_MIN_FREE_BYTES },
    },
    proxyWarning: proxyWarning(),
    checkedAt: checkedAt.toISOString(),
  };
}

declare global {
  var __sujaritHealthCache: { db: object; at: number; report: Promise<HealthReport> } | undefined;
}

/**
 * The health report, reused for HEALTH_CACHE_MS (concurrent callers share one computation). The proxy warning is
 * always current.
 */
export async function getHealth(db: Kysely<Database> = getDb()): Promise<HealthReport> {
  let entry = globalThis.__sujaritHealthCache;
  const t = Date.now();
  // Per database: with several organisations each one's /healthz reports its own figures.
  if (!entry || entry.db !== db || t - entry.at >= HEALTH_CACHE_MS || t < entry.at) {
    const fresh = { db, at: t, report: gatherHealthFigures(db).then((f) => healthReport(f)) };
    globalThis.__sujaritHealthCache = entry = fresh;
    fresh.report.catch(() => {
      if (globalThis.__sujaritHealthCache === fresh) globalThis.__sujaritHealthCache = undefined;
    });
  }
  const report = await entry.report;
  return { ...report, proxyWarning: proxyWarning() };
}

/** Test hook: forgets the cached report and the ticker's heartbeat. */
export function resetHealthForTests(): void {
  globalThis.__sujaritHealthCache = undefined;
  globalThis.__sujaritTicks = undefined;
}
