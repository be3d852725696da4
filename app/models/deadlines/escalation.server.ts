/**
 * The escalation ladder: due soon → the assignee (or the division's heads when nobody is assigned); deadline passed →
 * supervisors, and the case owes the complainant an explanation; overdue by N more days → executives; unassigned N
 * working days after receipt → the complaint centre's leads. Which cases each rung looks at is decided in
 * deadlines/candidates.server.ts; this file claims them and runs the tick.
 *
 * Exactly once per level per period: the claim is a row in `escalations` (UNIQUE complaint_id, level, period_no)
 * inserted with ON CONFLICT DO NOTHING inside a write transaction. Only the transaction that inserted the row writes
 * the history row, sets "explanation owed" and records who is to be told (`notify_key`), so two tickers — two
 * processes, or two connections, or a cron job next to the server — never claim twice, and a crash rolls a batch's
 * claims back with the rest. The tick looks at the current state, not at what happened since the last run, so after
 * downtime (or a clock change) the next tick catches up: a case whose deadline passed while nothing was running
 * escalates once.
 *
 * Catching up never stops the portal: the server runs the tick in a worker thread with its own database connection
 * (scripts/deadline-worker.ts, ticker-thread.server.ts; docs/decisions/0009), never on the thread that answers
 * requests. Every stretch of the tick is still bounded by time, not by a count: candidates are read in pages, claimed
 * in batches (one short write transaction each) and the "late" outcomes written in batches, each sized by
 * AdaptiveBatch (app/utils/yield.server.ts) to take about SLICE_TARGET_MS, and the tick gives way to requests in
 * flight between them, so a request that writes waits at most one batch for SQLite's write lock. The e-mails follow the claims
 * (notifyOwed, deadlines/escalation-digest.server.ts): every claim with an id above the mark in
 * escalation_notify_state is owed its e-mails; one transaction queues them — one per case, or ONE digest per
 * recipient and level when more than DIGEST_THRESHOLD cases reached that recipient at once — and moves the mark
 * (compare-and-set) past them. A crash between the claims and that transaction leaves the claims owed, never lost: the
 * next tick (any process) queues them, once.
 */
import { ESCALATION_LEVELS } from "~/lib/escalation-levels";
import { getRules, type RuleRow } from "~/models/deadlines/escalation-rules.server";
import crypto from "node:crypto";
import { threadId } from "node:worker_threads";
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database, EscalationLevel } from "../../../db/schema";
import { dialectOf, inTransaction } from "../../../db/connection";
import { casePolicies, markLateAcknowledgements, markLateDeadlines } from "./index";
import {
  CANDIDATE_COLUMNS,
  CANDIDATE_PAGE_MAX,
  candidatePages,
  changedCandidatePages,
  isDue,
  tickBounds,
  type Candidate,
  type PolicyOf,
  type Rung,
  type Scope,
} from "./candidates.server";
import { notifyOwed, serialised, type NotifyResult } from "./escalation-digest.server";
import { now as clockNow } from "~/utils/clock.server";
import { log, errorFields } from "~/utils/logger.server";
import { AdaptiveBatch, BatchAborted, throwIfAborted, yieldToEventLoop } from "~/utils/yield.server";

type Trx = Transaction<Database>;

export { ESCALATION_LEVELS };
export { DIGEST_LIST, DIGEST_THRESHOLD, digestQueuePath, notifyOwed, type NotifyResult } from "./escalation-digest.server";
/**
 * The most cases claimed in one transaction. The actual batch is sized by time (AdaptiveBatch): one batch holds
 * SQLite's write lock from its first statement to its commit (and, when the tick runs outside the server's worker
 * thread — `npm run sla:tick`, tests — the event loop too), so a request's write waits at most about SLICE_TARGET_MS
 * for it, however loaded the machine is.
 */
export const CLAIM_BATCH = 100;
/** The most dirty ids removed per statement on PostgreSQL (each is a bound parameter). */
const DIRTY_DELETE_CHUNK = 5000;
/** The most rows changed per statement when first deadlines and acknowledgements become "late" (statistics triggers fire). */
const LATE_BATCH = 100;

export type EscalationRule = RuleRow;

/**
 * Who is told about an escalation, decided when it is claimed: the assignee, else the division's heads (due soon);
 * every supervisor (overdue); every executive (overdue_executive); the centre's leads (unassigned). Null: nobody.
 */
function notifyKeyOf(level: EscalationLevel, c: Candidate): string | null {
  switch (level) {
    case "due_soon":
      if (c.assignee_id !== null) return `assignee:${c.assignee_id}`;
      return c.division_id === null ? null : `division:${c.division_id}`;
    case "overdue":
      return "supervisors";
    case "overdue_executive":
      return "executives";
    case "unassigned":
      return "centre_leads";
  }
}

/**
 * The first statement of a claim transaction.
 *
 * SQLite: a write that changes nothing still opens a write transaction: taking SQLite's write lock first means no
 * read-then-upgrade conflict with another process (SQLITE_BUSY_SNAPSHOT), only a wait on the busy timeout.
 *
 * PostgreSQL: a share lock on the escalation_notify_state row, held to the commit. Identity values are taken at
 * insert, not at commit, so escalation ids do not grow in commit order there; notifyOwed's compare-and-set needs the
 * row's exclusive lock, so it waits for every claim transaction in flight and then sees every claim at or below the
 * ids it read (escalation-digest.server.ts). Claim transactions share the lock and do not wait for each other.
 */
async function takeWriteLock(trx: Trx): Promise<void> {
  if (dialectOf(trx).rowLocks) await trx.selectFrom("escalation_notify_state").select("id").where("id", "=", 1).forShare().execute();
  else await sql`update escalation_notify_state set notified_through = notified_through where id = 0`.execute(trx);
}

/**
 * One claim or "late" batch as a transaction whose commit does not wait for fsync (SQLite: synchronous = NORMAL for
 * this commit only, every other write keeps the connection's FULL; PostgreSQL: synchronous_commit = off for this
 * transaction only). A fsync holds the write lock (and the thread) for 4 ms at the median and 40 ms at worst on a
 * loaded machine — longer than a whole batch should take. Safe: such a commit is never torn, and a power cut can only
 * lose the last such batches, which the next tick claims again; their e-mails are queued only by notifyOwed, whose
 * commit is synced and makes every earlier commit durable with it.
 */
function unsyncedTransaction<T>(db: Kysely<Database>, work: (trx: Trx) => Promise<T>): Promise<T> {
  return dialectOf(db).unsyncedTransaction(db, work);
}

/**
 * Claims one level for a batch of cases in ONE transaction: for each case still due (re-read under the write lock —
 * it may have been resolved, reassigned, paused or reopened since it was pre-selected) the claim row, and only if this
 * transaction inserted it, the history row, "explanation owed" (overdue) and who is to be told. Returns how many were
 * claimed. The e-mails are queued by notifyOwed.
 *
 * On PostgreSQL (READ COMMITTED, no database-wide write lock) the re-read locks the batch's cases (`for update`, in id
 * order, so two tickers never deadlock): a request changing one of them waits for the claim, as on SQLite, and a second
 * ticker claiming the same cases waits, then reads them afresh and finds its insert a conflict — nothing twice.
 */
async function claimBatch(db: Kysely<Database>, { level, days }: Rung, batch: Candidate[], at: Date, policyOf: PolicyOf): Promise<number> {
  const iso = at.toISOString();
  return unsyncedTransaction(db, async (trx) => {
    await takeWriteLock(trx);
    const rows = (await trx
      .selectFrom("complaints")
      .select(CANDIDATE_COLUMNS)
      .where(
        "id",
        "in",
        batch.map((c) => c.id),
      )
      .$if(dialectOf(trx).rowLocks, (q) => q.orderBy("id").forUpdate())
      .execute()) as Candidate[];
    const fresh = new Map(rows.map((r) => [r.id, r]));
    let claimed = 0;
    for (const c of batch) {
      const f = fresh.get(c.id);
      if (!f || f.period_no !== c.period_no) continue;
      if (!isDue(level, days, f, policyOf(f), at)) continue;
      const inserted = await trx
        .insertInto("escalations")
        .values({ complaint_id: f.id, level, period_no: f.period_no, created_at: iso, notify_key: notifyKeyOf(level, f) })
        .onConflict((oc) => oc.columns(["complaint_id", "level", "period_no"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!inserted) continue;
      await trx
        .insertInto("case_events")
        .values({
          complaint_id: f.id,
          kind: "note",
          from_status: f.status,
          to_status: f.status,
          actor_id: null,
          note: `escalation: ${level}`,
          is_public: 0,
          division_id: f.division_id,
          assignee_id: f.assignee_id,
          created_at: iso,
        })
        .execute();
      if (level === "overdue") {
        await trx.updateTable("complaints").set({ explanation_owed: 1 }).where("id", "=", f.id).execute();
      }
      claimed++;
    }
    if (claimed > 0) log.debug("cases escalated", { rung: level, cases: claimed });
    return claimed;
  });
}

export interface TickResult {
  /** Candidate rows examined (all levels, plus the dirty cases). */
  examined: number;
  escalated: Record<EscalationLevel, number>;
  /** E-mails queued for claims (this tick's, and any a crashed or stopped tick left owed). */
  notified: NotifyResult;
  /** Rows examined per level and for the changed ("dirty") cases; `mode` says what the tick looked at. */
  stats: {
    mode: "full" | "incremental" | "clock_behind" | "skipped";
    window: { from: string | null; to: string };
    examined: Record<EscalationLevel | "changed", number>;
  };
}

/**
 * One pass of the ladder over every enabled level. Safe to run at any time, from any number of processes.
 *
 * Incremental: only cases whose threshold was crossed since the last tick's `now` (the high-water mark in
 * deadline_tick_state) and cases created or changed since (deadline_dirty) are read, so the work follows the cases
 * that change, not the number of open cases. The first tick (no mark), or the first after rules / SLA policies /
 * holidays changed, looks at every open case once. A clock set back (now < mark) reads nothing (but still queues
 * e-mails a stopped tick left owed). The exactly-once guarantee is still the UNIQUE claim; the mark only decides what
 * is read. It moves forward only (max), together with the removal of the dirty rows that were read, in one
 * transaction after the claims — a crash before that just makes the next tick read the same window again, and the
 * claims make that harmless.
 *
 * Bounded by time: candidate pages (at most CANDIDATE_PAGE_MAX rows), claim transactions (at most CLAIM_BATCH cases)
 * and "late" statements (at most LATE_BATCH rows) are each sized to take about SLICE_TARGET_MS, with a yield to the
 * event loop after each. `signal` stops the tick between batches (shutdown): the claims made so far stay committed
 * and owed their e-mails, and the mark does not move, so the next tick goes on where this one stopped.
 */
export async function runDeadlineTick(
  db: Kysely<Database>,
  opts: { now?: Date; signal?: AbortSignal; skipIfTickedWithinMs?: number } = {},
): Promise<TickResult> {
  const at = opts.now ?? clockNow();
  const atIso = at.toISOString();
  const signal = opts.signal;
  const result: TickResult = {
    examined: 0,
    escalated: { due_soon: 0, overdue: 0, overdue_executive: 0, unassigned: 0 },
    notified: { perCase: 0, digests: 0, claims: 0 },
    stats: {
      mode: "full",
      window: { from: null, to: atIso },
      examined: { due_soon: 0, overdue: 0, overdue_executive: 0, unassigned: 0, changed: 0 },
    },
  };
  const state = await db.selectFrom("deadline_tick_state").select(["last_tick_at", "full_scan"]).where("id", "=", 1).executeTakeFirst();
  // Another app server (or this one) ticked the organisation a moment ago: nothing is read or claimed now; the next
  // tick of either goes on from that tick's mark (see skipIfTickedWithinMs on startDeadlineTicker).
  const skipMs = opts.skipIfTickedWithinMs ?? 0;
  if (
    skipMs > 0 &&
    state &&
    state.full_scan !== 1 &&
    state.last_tick_at <= atIso &&
    Date.parse(state.last_tick_at) > at.getTime() - skipMs
  ) {
    result.stats.mode = "skipped";
    result.stats.window.from = state.last_tick_at;
    return result;
  }
  const dirtyMax = Number(
    (
      await db
        .selectFrom("deadline_dirty")
        .select((eb) => eb.fn.max("id").as("m"))
        .executeTakeFirst()
    )?.m ?? 0,
  );
  // PostgreSQL: an id is taken at insert, not at commit, so a change not yet committed may hold a dirty id below
  // dirtyMax and commit while this tick runs, after its case was read. Only the rows visible now — changes committed
  // before any case is read below — are removed at the end; a later one stays for the next tick. (SQLite has one
  // writer: its ids grow in commit order, and every row up to dirtyMax is visible now.)
  const dirtySeen =
    dialectOf(db).rowLocks && dirtyMax > 0
      ? (await db.selectFrom("deadline_dirty").select("id").where("id", "<=", dirtyMax).execute()).map((r) => r.id)
      : null;
  let scope: Scope;
  if (!state || state.full_scan === 1) scope = { full: true };
  else if (state.last_tick_at > atIso) {
    result.stats.mode = "clock_behind";
    result.stats.window.from = state.last_tick_at;
    result.notified = await notifyOwed(db, { signal });
    return result;
  } else scope = { full: false, last: new Date(state.last_tick_at) };
  if (!scope.full) {
    result.stats.mode = "incremental";
    result.stats.window.from = scope.last.toISOString();
  }

  const rungs: Rung[] = (await getRules(db)).filter((r) => r.enabled).map((r) => ({ level: r.level, days: r.days }));
  const policies = await casePolicies(db);
  const policyOf: PolicyOf = (c) => policies.of(c);
  const bounds = await tickBounds(db, policies);
  const pages = new AdaptiveBatch({ min: 20, max: CANDIDATE_PAGE_MAX, start: 100 });
  const claims = new AdaptiveBatch({ min: 1, max: CLAIM_BATCH, start: 10 });

  /** Claims the cases that are due, in batches sized by time, yielding after each. */
  const claimAll = async (rung: Rung, due: Candidate[]) => {
    for (let i = 0; i < due.length;) {
      throwIfAborted(signal);
      const batch = due.slice(i, i + claims.size);
      i += batch.length;
      result.escalated[rung.level] += await serialised(() => claims.timed(batch.length, () => claimBatch(db, rung, batch, at, policyOf)));
      await yieldToEventLoop();
    }
  };

  for (const rung of rungs) {
    for await (const page of candidatePages(db, rung, at, scope, bounds, policyOf, pages)) {
      result.examined += page.examined;
      result.stats.examined[rung.level] += page.examined;
      await yieldToEventLoop(); // the page's query and isDue were one slice, the claims are the next
      await claimAll(rung, page.due);
      throwIfAborted(signal);
    }
  }

  // Cases created or changed since the last tick (backdated intake, resumed, reopened, unassigned again…): their
  // thresholds may lie before the window. A full scan has already seen them. Read in pages of the dirty list.
  if (!scope.full && dirtyMax > 0) {
    for await (const page of changedCandidatePages(db, dirtyMax, rungs, at, policyOf, pages)) {
      result.examined += page.examined;
      result.stats.examined.changed += page.examined;
      await yieldToEventLoop(); // the page's query and isDue were one slice, the claims are the next
      for (const { rung, cases } of page.due) await claimAll(rung, cases);
      throwIfAborted(signal);
    }
  }

  // Statistics: first deadlines and acknowledgements that passed undecided become "late" (measure 23 figures).
  for (const mark of [markLateDeadlines, markLateAcknowledgements]) {
    const late = new AdaptiveBatch({ min: 5, max: LATE_BATCH, start: 20 });
    for (;;) {
      throwIfAborted(signal);
      const size = late.size;
      const started = performance.now();
      const n = await serialised(() => unsyncedTransaction(db, (trx) => mark(trx, at, size)));
      late.record(n, performance.now() - started);
      if (n < size) break;
      await yieldToEventLoop();
    }
  }

  // The e-mails of this tick's claims (and of any a stopped or crashed tick left owed): per case, or digests.
  result.notified = await notifyOwed(db, { signal });

  await serialised(() =>
    inTransaction(db, async (trx) => {
      if (dirtySeen) {
        for (let i = 0; i < dirtySeen.length; i += DIRTY_DELETE_CHUNK)
          await trx
            .deleteFrom("deadline_dirty")
            .where("id", "in", dirtySeen.slice(i, i + DIRTY_DELETE_CHUNK))
            .execute();
      } else if (dirtyMax > 0) await trx.deleteFrom("deadline_dirty").where("id", "<=", dirtyMax).execute();
      // The mark only moves forward (two tickers may finish in either order); the upsert locks the row on PostgreSQL.
      const d = dialectOf(trx);
      const last = d.existing("deadline_tick_state", "last_tick_at");
      await sql`insert into deadline_tick_state (id, last_tick_at, full_scan) values (1, ${atIso}, 0)
        on conflict (id) do update set last_tick_at = ${sql.raw(d.greatest(last, "excluded.last_tick_at"))},
          full_scan = case when ${scope.full ? 1 : 0} = 1 and excluded.last_tick_at >= deadline_tick_state.last_tick_at then 0 else deadline_tick_state.full_scan end`.execute(
        trx,
      );
    }),
  );
  if (claims.batches > 0 || pages.batches > 0) {
    log.debug("deadline tick slices", {
      pages: pages.batches,
      longestPageMs: Math.round(pages.longestMs),
      claimBatches: claims.batches,
      longestClaimMs: Math.round(claims.longestMs),
    });
  }
  return result;
}

/** The least time between two organisations' ticks in one process (several organisations: see organisationTickInterval). */
export const TICK_SPACING_MS = 150;

/**
 * How often each organisation is ticked when one process ticks `organisations` of them: every `intervalMs` (a minute)
 * while they are few, then spaced so the process starts at most one tick every TICK_SPACING_MS (1,000 organisations:
 * every 150 s). Thresholds fall at the end of a Bangkok day (addDays), so an escalation comes a minute or two after
 * midnight instead of within the minute; the cost of ticking stays flat as organisations are added.
 */
export function organisationTickInterval(intervalMs: number, organisations: number): number {
  return Math.max(intervalMs, Math.max(1, organisations) * TICK_SPACING_MS);
}

/**
 * The scheduler: a tick shortly after start (catch-up after downtime), then every `intervalMs` (a tick still running is
 * not started again). The server runs it in its deadline worker thread (scripts/deadline-worker.ts, supervised by
 * ticker-thread.server.ts), so the claims never run on the thread that answers requests. `onFinished` is called after
 * each pass that finished (not one that failed or was stopped): the heartbeat for /healthz and /metrics. `stop()` stops
 * the running tick between two batches and waits for it (the batch under way commits first).
 *
 * A tick that finds the organisation ticked less than `skipIfTickedWithinMs` ago (half the interval unless given) by
 * any process reads nothing else and returns as "skipped" (still reported to `onFinished`: this thread is alive and the
 * organisation was ticked). So several app servers on one database tick each organisation about once per interval
 * between them, not once each; one that stops leaves the ticks to the others without any hand-over.
 */
export function startDeadlineTicker({
  intervalMs,
  db,
  firstTickMs = 1_000,
  periodOffsetMs = 0,
  skipIfTickedWithinMs = Math.floor(intervalMs / 2),
  onFinished,
}: {
  intervalMs: number;
  db: Kysely<Database>;
  firstTickMs?: number;
  /** When the regular ticks start (then every intervalMs): many organisations' ticks are spread by it. */
  periodOffsetMs?: number;
  skipIfTickedWithinMs?: number;
  onFinished: (result: TickResult, finishedAt: number) => void;
}) {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const abort = new AbortController();
  const tick = () => {
    if (running || stopped) return;
    const id = crypto.randomBytes(3).toString("hex");
    const started = Date.now();
    running = runDeadlineTick(db, { signal: abort.signal, skipIfTickedWithinMs })
      .then((r) => {
        onFinished(r, Date.now());
        const total = Object.values(r.escalated).reduce((a, b) => a + b, 0);
        if (total > 0 || r.notified.perCase + r.notified.digests > 0) {
          log.info("deadline tick", {
            tick: id,
            thread: threadId,
            ms: Date.now() - started,
            examined: r.examined,
            ...r.escalated,
            emails: r.notified.perCase,
            digests: r.notified.digests,
          });
        }
      })
      .catch((e) => {
        if (e instanceof BatchAborted)
          log.info("deadline tick stopped; the next tick goes on from here", { tick: id, ms: Date.now() - started });
        else log.error("deadline tick failed", errorFields(e));
      })
      .finally(() => {
        running = null;
      });
  };
  let timer: NodeJS.Timeout | undefined;
  const phase = setTimeout(() => {
    if (stopped) return;
    timer = setInterval(tick, intervalMs);
    timer.unref();
  }, periodOffsetMs);
  phase.unref();
  const first = setTimeout(tick, firstTickMs);
  first.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(phase);
      clearTimeout(first);
      clearInterval(timer);
      abort.abort();
      if (running) await running;
    },
  };
}
