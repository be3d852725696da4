/**
 * Prometheus metrics of the portal (GET /metrics, scripts/metrics.ts; access: loopback or METRICS_TOKEN). Counts and
 * ages only: no address, case reference, name or e-mail is ever a label.
 *
 *   sujarit_http_requests_total{route,method,status}            counter  requests by route PATTERN (route-pattern.ts)
 *   sujarit_http_request_duration_seconds{route,method}          histogram time to the last byte of the answer
 *   sujarit_outbox_messages{state}                               gauge    e-mails by state: pending, sending, sent, dead
 *   sujarit_outbox_oldest_pending_seconds                        gauge    age of the oldest e-mail still waiting
 *   sujarit_escalations_total{level}                             counter  escalations claimed by this process's ticker
 *   sujarit_deadline_tick_age_seconds                            gauge    since the last finished deadline tick
 *   sujarit_open_cases{deadline_state}                           gauge    open complaints: overdue, due_today, due_soon,
 *                                                                         on_track, paused (the board's classification)
 *   sujarit_health_ok{check}                                     gauge    0 while /healthz reports that problem, else 1
 *   sujarit_disk_free_bytes                                      gauge    free space for DATA_DIR
 *   sujarit_process_start_time_seconds                           gauge    start of this process (Unix time)
 *
 * The corruption channel is one route label ("/report") in the request counter and is left out of the latency
 * histogram altogether: see app/lib/route-pattern.ts. Database figures are reused for METRICS_DB_CACHE_MS.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { ESCALATION_LEVELS } from "~/lib/escalation-levels";
import { BOARD_STATES, casePolicies, deadlineStatus, dueSoonCutoff, type BoardState } from "../deadlines/index";
import { family, Histogram, histogramFamily, type Sample } from "~/lib/prometheus";
import { REPORT_LABEL } from "~/lib/route-pattern";
import { now } from "~/utils/clock.server";
import { deadlineTickState, getHealth, HEALTH_PROBLEMS } from "./health.server";
import { openStatusSql } from "~/lib/complaint-status";

/** How long the database figures (outbox states, open cases) are reused: a scrape every few seconds costs nothing. */
export const METRICS_DB_CACHE_MS = 10_000;

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

interface HttpRegistry {
  requests: Map<string, number>;
  durations: Map<string, Histogram>;
}

declare global {
  var __sujaritHttpMetrics: HttpRegistry | undefined;

  var __sujaritMetricsDbCache: { db: object; at: number; figures: Promise<DbFigures> } | undefined;
}

function registry(): HttpRegistry {
  return (globalThis.__sujaritHttpMetrics ??= { requests: new Map(), durations: new Map() });
}

/**
 * Counts one answered request under its route label. The corruption channel gets one counter and no latency: its
 * method and status would tell filings from page views.
 */
export function observeRequest(route: string, method: string, status: number, seconds: number): void {
  const r = registry();
  if (route === REPORT_LABEL) {
    const key = `${REPORT_LABEL}\t\t`;
    r.requests.set(key, (r.requests.get(key) ?? 0) + 1);
    return;
  }
  const m = METHODS.has(method) ? method : "OTHER";
  const key = `${route}\t${m}\t${status}`;
  r.requests.set(key, (r.requests.get(key) ?? 0) + 1);
  const hk = `${route}\t${m}`;
  let h = r.durations.get(hk);
  if (!h) r.durations.set(hk, (h = new Histogram()));
  h.observe(seconds);
}

/** Test hook. */
export function resetMetricsForTests(): void {
  globalThis.__sujaritHttpMetrics = undefined;
  globalThis.__sujaritMetricsDbCache = undefined;
}

interface DbFigures {
  outbox: Record<string, number>;
  openCases: Record<BoardState, number>;
}

/** Open complaints by deadline state, with index-friendly counts (the due-soon window is read per policy). */
export async function openCasesByDeadlineState(db: Kysely<Database>, at: Date): Promise<Record<BoardState, number>> {
  const nowIso = at.toISOString();
  // The WHERE texts match the partial indexes of open (and open, running) cases: these counts read only the indexes.
  const OPEN = openStatusSql();
  const open = Number((await sql<{ n: number }>`select count(*) as n from complaints where ${OPEN}`.execute(db)).rows[0]?.n ?? 0);
  const running = Number(
    (await sql<{ n: number }>`select count(*) as n from complaints where ${OPEN} and paused_at is null`.execute(db)).rows[0]?.n ?? 0,
  );
  const overdue = Number(
    (await sql<{ n: number }>`select count(*) as n from complaints where ${OPEN} and paused_at is null and due_at < ${nowIso}`.execute(db))
      .rows[0]?.n ?? 0,
  );
  // Due today or soon: only the cases due within the widest "due soon" window of any policy, grouped by what decides
  // their state (channel and category give the policy; the due instant gives the days left).
  const policies = await casePolicies(db);
  const widest = Number(
    (
      await db
        .selectFrom("sla_policies")
        .select((eb) => eb.fn.max("due_soon_days").as("m"))
        .executeTakeFirst()
    )?.m ?? 0,
  );
  const maxDays = Math.min(60, Math.max(widest, policies.org.dueSoonDays));
  // Counted in working days with the holidays (the widest counting), so it covers every policy's window.
  const horizon = dueSoonCutoff(at, { dueSoonDays: maxDays, mode: "working", holidays: policies.org.holidays }).toISOString();
  const soon = await sql<{ channel: string; category_id: number; due_at: string; n: number }>`
    select channel, category_id, due_at, count(*) as n from complaints
    where ${OPEN} and paused_at is null and due_at >= ${nowIso} and due_at <= ${horizon}
    group by channel, category_id, due_at`.execute(db);
  const counts: Record<BoardState, number> = { overdue, due_today: 0, due_soon: 0, on_track: 0, paused: open - running };
  for (const g of soon.rows) {
    const policy = policies.of(g);
    const state = deadlineStatus({ dueAt: new Date(g.due_at), now: at, policy }).state;
    if (state === "due_today" || state === "due_soon") counts[state] += Number(g.n);
  }
  counts.on_track = Math.max(0, running - overdue - counts.due_today - counts.due_soon);
  return counts;
}

async function outboxStates(db: Kysely<Database>): Promise<Record<string, number>> {
  const out: Record<string, number> = { pending: 0, sending: 0, sent: 0, dead: 0 };
  // One count per state over the (status, next_attempt_at) index.
  for (const state of Object.keys(out)) {
    out[state] = Number((await sql<{ n: number }>`select count(*) as n from outbox where status = ${state}`.execute(db)).rows[0]?.n ?? 0);
  }
  return out;
}

async function dbFigures(db: Kysely<Database>): Promise<DbFigures> {
  let entry = globalThis.__sujaritMetricsDbCache;
  const t = Date.now();
  // Per database: with several organisations each one's /metrics counts its own cases and e-mails.
  if (!entry || entry.db !== db || t - entry.at >= METRICS_DB_CACHE_MS || t < entry.at) {
    const fresh = {
      db,
      at: t,
      figures: (async () => ({ outbox: await outboxStates(db), openCases: await openCasesByDeadlineState(db, now()) }))(),
    };
    globalThis.__sujaritMetricsDbCache = entry = fresh;
    fresh.figures.catch(() => {
      if (globalThis.__sujaritMetricsDbCache === fresh) globalThis.__sujaritMetricsDbCache = undefined;
    });
  }
  return entry.figures;
}

/** The whole exposition (text format 0.0.4). */
export async function renderMetrics(db: Kysely<Database>): Promise<string> {
  const r = registry();
  const parts: string[] = [];
  const requests: Sample[] = [...r.requests.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => {
      const [route, method, status] = key.split("\t");
      const labels: Record<string, string> = route === REPORT_LABEL ? { route } : { route: route!, method: method!, status: status! };
      return { labels, value };
    });
  parts.push(
    family(
      "sujarit_http_requests_total",
      "counter",
      "HTTP requests answered, by route pattern, method and status (the /report channel: one total, no method or status).",
      requests,
    ),
  );
  const durations = [...r.durations.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, histogram]) => {
      const [route, method] = key.split("\t");
      return { labels: { route: route!, method: method! }, histogram };
    });
  parts.push(
    histogramFamily(
      "sujarit_http_request_duration_seconds",
      "Time to answer a request, by route pattern and method (not recorded for the /report channel).",
      durations,
    ),
  );

  const health = await getHealth(db);
  let figures: DbFigures | null = null;
  try {
    figures = await dbFigures(db);
  } catch {
    figures = null; // the database is down: /healthz and sujarit_health_ok{check="database"} say so
  }
  parts.push(
    family(
      "sujarit_outbox_messages",
      "gauge",
      "E-mails in the outbox by state (pending: waiting or retrying; sending: claimed by a worker; sent; dead: given up).",
      figures ? Object.entries(figures.outbox).map(([state, value]) => ({ labels: { state }, value })) : [],
    ),
  );
  const oldest = health.checks.outbox.oldestPendingSeconds;
  parts.push(
    family(
      "sujarit_outbox_oldest_pending_seconds",
      "gauge",
      "Age of the oldest e-mail still waiting to be sent (0 when none).",
      health.checks.database.ok ? [{ labels: {}, value: oldest ?? 0 }] : [],
    ),
  );
  const escalated = deadlineTickState().escalated;
  parts.push(
    family(
      "sujarit_escalations_total",
      "counter",
      "Escalations claimed (and e-mails queued) by this server process's deadline ticker since it started, by level.",
      ESCALATION_LEVELS.map((level) => ({ labels: { level }, value: escalated[level] ?? 0 })),
    ),
  );
  const tick = health.checks.deadlineTick.secondsSinceLastTick;
  parts.push(
    family(
      "sujarit_deadline_tick_age_seconds",
      "gauge",
      "Seconds since the last deadline tick of this process finished (absent before the first).",
      tick === null ? [] : [{ labels: {}, value: tick }],
    ),
  );
  parts.push(
    family(
      "sujarit_open_cases",
      "gauge",
      "Open complaints by deadline state (overdue, due_today, due_soon, on_track, paused).",
      figures ? BOARD_STATES.map((s) => ({ labels: { deadline_state: s }, value: figures!.openCases[s] })) : [],
    ),
  );
  parts.push(
    family(
      "sujarit_health_ok",
      "gauge",
      "1 when the /healthz check passes, 0 when it needs a person; check: the problem name /healthz would report.",
      HEALTH_PROBLEMS.map((p) => ({ labels: { check: p }, value: health.problems.includes(p) ? 0 : 1 })),
    ),
  );
  const free = health.checks.disk.freeBytes;
  parts.push(
    family("sujarit_disk_free_bytes", "gauge", "Free space for DATA_DIR, in bytes.", free === null ? [] : [{ labels: {}, value: free }]),
  );
  parts.push(
    family("sujarit_process_start_time_seconds", "gauge", "Start of this server process (Unix time, seconds).", [
      { labels: {}, value: Math.round(performance.timeOrigin / 1000) },
    ]),
  );
  return parts.join("");
}
