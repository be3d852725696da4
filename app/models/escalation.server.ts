/**
 * The escalation ladder (issue 4): due soon → the assignee (or the division's heads when nobody is assigned);
 * deadline passed → supervisors, and the case owes the complainant an explanation; overdue by N more days →
 * executives; unassigned N working days after receipt → the complaint centre's leads.
 *
 * Exactly once per level per period: the claim is a row in `escalations` (UNIQUE complaint_id, level, period_no)
 * inserted with ON CONFLICT DO NOTHING as the FIRST statement of a transaction. Only the transaction that inserted the
 * row writes the history row and queues the e-mails (outbox, same transaction), so two tickers — two processes, or two
 * connections, or a cron job next to the server — never send twice, and a crash rolls the claim back with the rest.
 * The tick looks at the current state, not at what happened since the last run, so after downtime (or a clock
 * change) the next tick catches up: a case whose deadline passed while nothing was running escalates once.
 */
import { ESCALATION_LEVELS } from "~/lib/escalation-levels";
import { markLateOutcomes } from "./case-outcomes.server";
import { getRules, type RuleRow } from "~/models/escalation-rules.server";
import crypto from "node:crypto";
import { sql, type Kysely, type RawBuilder, type Transaction } from "kysely";
import type { Complaint, Database, EscalationLevel } from "../../db/schema";
import { addDays, deadlineStatus, deadlineView, dueSoonCutoff, type DeadlineView, type DeadlineViewState, type SlaPolicy } from "~/lib/sla";
import { formatThaiDate } from "~/lib/thai-date";
import { tFor, type Lang } from "~/i18n";
import { renderBilingualEmail } from "../../emails/layout";
import { enqueueEmail } from "./outbox.server";
import { listCategories } from "./org.server";
import { policyResolver } from "./sla-policy.server";
import { now as clockNow } from "~/utils/clock.server";
import { getEnv } from "~/utils/env.server";
import { getDb } from "~/utils/db.server";
import { log, errorFields } from "~/utils/logger.server";

type Trx = Transaction<Database>;

export { ESCALATION_LEVELS };
/** Must match OPEN_CASE_SQL / the partial indexes of migration 0200 so SQLite walks those indexes. */
const OPEN = sql.raw<boolean>(`status in ('received','accepted','in_progress','waiting_info')`);
const OPEN_STATUSES = ["received", "accepted", "in_progress", "waiting_info"];
const DAY_MS = 24 * 3600 * 1000;
/** Upper bound of candidates per level and tick; the rest are handled by the next tick. */
const BATCH = 2000;

// ---------------------------------------------------------------------------------------------------------------
// Deadline of one case: the policy that applies to it and its state. One place, used by the tick, the case page,
// /track and the board.

export type CaseDeadlineState = DeadlineViewState;

type PolicyKey = { channel: string; categoryId: number };
type CaseClock = Pick<Complaint, "due_at" | "closed_at" | "paused_at" | "remaining_days">;

/** The deadline policy of a case (organisation, overridden per channel and category; with the holidays). */
export async function policyForCase(db: Kysely<Database> | Trx, c: { channel: string; category_id: number }): Promise<SlaPolicy> {
  return (await policyLoader(db))({ channel: c.channel, categoryId: c.category_id });
}

async function policyLoader(db: Kysely<Database> | Trx): Promise<(k: PolicyKey) => SlaPolicy> {
  const [resolvePolicy, categories] = await Promise.all([policyResolver(db), listCategories(db as Kysely<Database>, { activeOnly: false })]);
  const codes = new Map(categories.map((c) => [c.id, c.code]));
  return (k) => resolvePolicy({ channel: k.channel, categoryCode: codes.get(k.categoryId) ?? null });
}

/** The deadline state of a case at `at` ("paused" while it waits for the complainant) — deadlineView of lib/sla. */
export function caseDeadlineView(c: CaseClock, policy: SlaPolicy, at: Date): DeadlineView {
  return deadlineView({ dueAt: c.due_at, now: at, closedAt: c.closed_at, pausedAt: c.paused_at, remainingDays: c.remaining_days, policy });
}

// ---------------------------------------------------------------------------------------------------------------

export type EscalationRule = RuleRow;

type Candidate = Pick<
  Complaint,
  | "id"
  | "reference"
  | "status"
  | "period_no"
  | "due_at"
  | "received_at"
  | "period_started_at"
  | "paused_at"
  | "remaining_days"
  | "closed_at"
  | "division_id"
  | "assignee_id"
  | "channel"
  | "category_id"
>;

const CANDIDATE_COLUMNS = [
  "id",
  "reference",
  "status",
  "period_no",
  "due_at",
  "received_at",
  "period_started_at",
  "paused_at",
  "remaining_days",
  "closed_at",
  "division_id",
  "assignee_id",
  "channel",
  "category_id",
] as const;

/** Whether the level's condition holds for the case now (the SQL only pre-selects). */
function isDue(level: EscalationLevel, days: number, c: Candidate, policy: SlaPolicy, at: Date): boolean {
  if (c.closed_at || !OPEN_STATUSES.includes(c.status) || c.paused_at || c.status === "waiting_info") return false;
  const view = caseDeadlineView(c, policy, at);
  switch (level) {
    case "due_soon": {
      const p = days > 0 ? { ...policy, dueSoonDays: days } : policy;
      const v = deadlineStatus({ dueAt: new Date(c.due_at), now: at, policy: p });
      return v.state === "due_soon" || v.state === "due_today";
    }
    case "overdue":
      return view.state === "overdue" && (days <= 0 || at.getTime() > addDays(new Date(c.due_at), days, policy).getTime());
    case "overdue_executive":
      return view.state === "overdue" && at.getTime() > addDays(new Date(c.due_at), Math.max(days, 0), policy).getTime();
    case "unassigned":
      return c.assignee_id === null && at.getTime() > addDays(new Date(c.period_started_at ?? c.received_at), Math.max(days, 0), policy).getTime();
  }
}

/**
 * What one tick looks at. `full`: every open case that may have reached a level (first run, or after rules, SLA
 * policies or holidays changed). Otherwise only the cases whose threshold for the level was crossed in the window
 * (last, now] — the bounds below select a superset, isDue decides — plus the "dirty" cases (created or changed since
 * the last tick, see migration 0600), which are read by id.
 */
type Scope = { full: true } | { full: false; last: Date };

interface TickBounds {
  /** Smallest and largest due-soon threshold in days over all policies (or the rule's own `days`). */
  minDueSoonDays: number;
  maxDueSoonDays: number;
  /** Earliest start (due date, period start) whose `days`-day threshold can still be at or after `last`. */
  earliestStart: (last: Date, days: number) => Date;
}

/**
 * Keyset-paged pre-selection of one level over the partial indexes of open cases; yields every batch until the
 * selection is exhausted (the high-water mark moves past the window afterwards, so nothing may be left for "later").
 */
async function* candidateBatches(
  db: Kysely<Database>,
  level: EscalationLevel,
  days: number,
  at: Date,
  scope: Scope,
  bounds: TickBounds,
): AsyncGenerator<Candidate[]> {
  const nowIso = at.toISOString();
  const d = Math.max(days, 0);
  // Bounds on the index key: [lo, hi] inclusive.
  let key: "due_at" | "period_started_at" = "due_at";
  let index = "complaints_open_due";
  let lo: string | null = null;
  let hi: string;
  const extra: RawBuilder<unknown>[] = [];
  if (level === "due_soon") {
    const soonMax = days > 0 ? days : bounds.maxDueSoonDays;
    const soonMin = days > 0 ? days : bounds.minDueSoonDays;
    hi = dueSoonCutoff(at, { dueSoonDays: soonMax }).toISOString();
    lo = nowIso;
    if (!scope.full) {
      // Entered "due soon" after `last`: its due date is beyond the cut-off as seen at `last`.
      const prev = new Date(dueSoonCutoff(scope.last, { dueSoonDays: soonMin }).getTime() + 1).toISOString();
      if (prev > lo) lo = prev;
    }
  } else if (level === "overdue" || level === "overdue_executive") {
    // Working days are never fewer than calendar days, so the calendar bound selects a superset.
    hi = new Date(at.getTime() - (level === "overdue" && days <= 0 ? 0 : d) * DAY_MS - 1).toISOString();
    // Overdue at once: the threshold is the deadline itself.
    if (!scope.full) lo = (level === "overdue" && days <= 0 ? scope.last : bounds.earliestStart(scope.last, d)).toISOString();
  } else {
    key = "period_started_at";
    index = "complaints_open_unassigned_started";
    extra.push(sql`c.assignee_id is null`);
    hi = new Date(at.getTime() - d * DAY_MS - 1).toISOString();
    if (!scope.full) lo = bounds.earliestStart(scope.last, d).toISOString();
  }
  if (lo !== null && lo > hi) return;
  let after: { k: string; id: number } | null = null;
  for (;;) {
    const conds: RawBuilder<unknown>[] = [
      sql`c.status in ('received','accepted','in_progress','waiting_info')`,
      sql`c.status != 'waiting_info'`,
      sql`c.paused_at is null`,
      ...extra,
      sql`${sql.ref(`c.${key}`)} <= ${hi}`,
    ];
    if (lo !== null) conds.push(sql`${sql.ref(`c.${key}`)} >= ${lo}`);
    if (after) conds.push(sql`(${sql.ref(`c.${key}`)}, c.id) > (${after.k}, ${after.id})`);
    conds.push(sql`not exists (select 1 from escalations e where e.complaint_id = c.id and e.level = ${level} and e.period_no = c.period_no)`);
    const rows = (await sql<Candidate & { k: string }>`
      select ${sql.join(CANDIDATE_COLUMNS.map((col) => sql.ref(`c.${col}`)))}, ${sql.ref(`c.${key}`)} as k
      from complaints c indexed by ${sql.raw(index)}
      where ${sql.join(conds, sql` and `)}
      order by ${sql.ref(`c.${key}`)}, c.id
      limit ${BATCH}`.execute(db)).rows;
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < BATCH) return;
    const lastRow = rows[rows.length - 1]!;
    after = { k: lastRow.k, id: lastRow.id };
  }
}

/** The open cases among `ids` (the dirty ones), with the levels they were already escalated at in their period. */
async function dirtyCandidates(db: Kysely<Database>, ids: number[]): Promise<{ rows: Candidate[]; done: Set<string> }> {
  const rows: Candidate[] = [];
  const done = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const part = (await db
      .selectFrom("complaints as c")
      .select(CANDIDATE_COLUMNS.map((k) => `c.${k}` as const))
      .where("c.id", "in", chunk)
      .where(OPEN)
      .where("c.paused_at", "is", null)
      .execute()) as Candidate[];
    rows.push(...part);
    if (part.length === 0) continue;
    const esc = await db
      .selectFrom("escalations")
      .select(["complaint_id", "level", "period_no"])
      .where("complaint_id", "in", part.map((c) => c.id))
      .execute();
    for (const e of esc) done.add(`${e.complaint_id}:${e.level}:${e.period_no}`);
  }
  return { rows, done };
}

/** Staff to tell at a level (active accounts only). */
async function recipients(trx: Trx, level: EscalationLevel, c: Candidate): Promise<{ id: number; email: string }[]> {
  const base = trx.selectFrom("staff").select(["id", "email"]).where("active", "=", 1);
  switch (level) {
    case "due_soon":
      if (c.assignee_id !== null) return base.where("id", "=", c.assignee_id).execute();
      if (c.division_id === null) return [];
      return base.where("is_division_head", "=", 1).where("division_id", "=", c.division_id).execute();
    case "overdue":
      return base.where("role", "=", "supervisor").execute();
    case "overdue_executive":
      return base.where("role", "=", "executive").execute();
    case "unassigned":
      return base.where("is_centre_lead", "=", 1).execute();
  }
}

function staffEmail(level: EscalationLevel, c: Candidate, days: number) {
  const url = `${getEnv().PUBLIC_URL}/staff/cases/${c.reference}`;
  const section = (lang: Lang) => {
    const t = tFor(lang, "notice");
    const vars = {
      reference: c.reference,
      dueDate: formatThaiDate(new Date(c.due_at), lang),
      receivedDate: formatThaiDate(new Date(c.received_at), lang),
      days: String(days),
    };
    return { heading: t(`escalation.${level}.subject`, vars), paragraphs: [t(`escalation.${level}.intro`, vars), t("escalation.open", { url })] };
  };
  const th = section("th");
  const en = section("en");
  const { text, html } = renderBilingualEmail([th, en], `${tFor("th", "notice")("escalation.footer")} · ${tFor("en", "notice")("escalation.footer")}`);
  return { subject: `${th.heading} / ${en.heading}`, text, html };
}

class NotEligible extends Error {}

/**
 * Claims one level for one case and, only if this call inserted the claim, writes the history row, sets
 * "explanation owed" (overdue) and queues the e-mails — all in one transaction.
 */
async function claim(db: Kysely<Database>, level: EscalationLevel, days: number, c: Candidate, at: Date, policyOf?: (k: PolicyKey) => SlaPolicy): Promise<boolean> {
  const iso = at.toISOString();
  try {
    return await db.transaction().execute(async (trx) => {
      // Write first: the transaction takes the write lock at once (no read-then-upgrade conflicts between processes).
      const inserted = await trx
        .insertInto("escalations")
        .values({ complaint_id: c.id, level, period_no: c.period_no, created_at: iso })
        .onConflict((oc) => oc.columns(["complaint_id", "level", "period_no"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!inserted) return false;
      // The case may have changed since it was pre-selected (resolved, reassigned, paused, reopened).
      const fresh = (await trx.selectFrom("complaints").select(CANDIDATE_COLUMNS).where("id", "=", c.id).executeTakeFirst()) as Candidate | undefined;
      if (!fresh || fresh.period_no !== c.period_no) throw new NotEligible();
      const policy = policyOf ? policyOf({ channel: fresh.channel, categoryId: fresh.category_id }) : await policyForCase(trx, fresh);
      if (!isDue(level, days, fresh, policy, at)) throw new NotEligible();
      await trx
        .insertInto("case_events")
        .values({
          complaint_id: fresh.id,
          kind: "note",
          from_status: fresh.status,
          to_status: fresh.status,
          actor_id: null,
          note: `escalation: ${level}`,
          is_public: 0,
          division_id: fresh.division_id,
          assignee_id: fresh.assignee_id,
          created_at: iso,
        })
        .execute();
      if (level === "overdue") {
        await trx.updateTable("complaints").set({ explanation_owed: 1 }).where("id", "=", fresh.id).execute();
      }
      const people = await recipients(trx, level, fresh);
      if (people.length > 0) {
        const message = staffEmail(level, fresh, days);
        for (const p of people) {
          await enqueueEmail(trx, {
            kind: `escalation.${level}`,
            complaintId: fresh.id,
            message: { to: p.email, ...message },
            dedupeKey: `esc:${inserted.id}:${p.id}`,
          });
        }
      }
      log.info("case escalated", { complaintId: fresh.id, rung: level, period: fresh.period_no, recipients: people.length });
      return true;
    });
  } catch (e) {
    if (e instanceof NotEligible) return false;
    throw e;
  }
}

/**
 * Claim transactions of one process run one at a time. Across processes SQLite's write lock and busy timeout order
 * them; inside one process a second connection waiting synchronously on the lock would stall the event loop that
 * the first one needs to finish, so they queue here instead.
 */
let claimChain: Promise<unknown> = Promise.resolve();
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = claimChain.then(fn, fn);
  claimChain = run.catch(() => undefined);
  return run;
}

export interface TickResult {
  /** Candidate rows examined (all levels, plus the dirty cases). */
  examined: number;
  escalated: Record<EscalationLevel, number>;
  /** Rows examined per level and for the changed ("dirty") cases; `mode` says what the tick looked at. */
  stats: {
    mode: "full" | "incremental" | "clock_behind";
    window: { from: string | null; to: string };
    examined: Record<EscalationLevel | "changed", number>;
  };
}

/**
 * Earliest start instant whose `days`-day threshold (addDays, end of a Bangkok day) is at or after `last`: stepped
 * back day by day with the widest counting in use (working days with the holidays, if any policy counts working
 * days), so it bounds every policy.
 */
function earliestStartFn(policy: SlaPolicy) {
  const cache = new Map<string, Date>();
  return (last: Date, days: number): Date => {
    const k = `${last.toISOString()}|${days}`;
    const hit = cache.get(k);
    if (hit) return hit;
    let x = new Date(last.getTime() - days * DAY_MS);
    for (let i = 0; i < 400; i++) {
      const prev = new Date(x.getTime() - DAY_MS);
      if (addDays(prev, days, policy).getTime() < last.getTime()) break;
      x = prev;
    }
    const r = new Date(x.getTime() - DAY_MS); // the whole Bangkok day of x (addDays only looks at the date)
    cache.set(k, r);
    return r;
  };
}

/**
 * One pass of the ladder over every enabled level. Safe to run at any time, from any number of processes.
 *
 * Incremental: only cases whose threshold was crossed since the last tick's `now` (the high-water mark in
 * deadline_tick_state) and cases created or changed since (deadline_dirty) are read, so the work follows the cases
 * that change, not the number of open cases. The first tick (no mark), or the first after rules / SLA policies /
 * holidays changed, looks at every open case once. A clock set back (now < mark) reads and sends nothing. The
 * exactly-once guarantee is still the UNIQUE claim; the mark only decides what is read. It moves forward only
 * (max), together with the removal of the dirty rows that were read, in one transaction after the claims — a crash
 * before that just makes the next tick read the same window again, and the claims make that harmless.
 */
export async function runDeadlineTick(db: Kysely<Database>, opts: { now?: Date } = {}): Promise<TickResult> {
  const at = opts.now ?? clockNow();
  const atIso = at.toISOString();
  const result: TickResult = {
    examined: 0,
    escalated: { due_soon: 0, overdue: 0, overdue_executive: 0, unassigned: 0 },
    stats: { mode: "full", window: { from: null, to: atIso }, examined: { due_soon: 0, overdue: 0, overdue_executive: 0, unassigned: 0, changed: 0 } },
  };
  const state = await db.selectFrom("deadline_tick_state").select(["last_tick_at", "full_scan"]).where("id", "=", 1).executeTakeFirst();
  const dirtyMax = Number((await db.selectFrom("deadline_dirty").select((eb) => eb.fn.max("id").as("m")).executeTakeFirst())?.m ?? 0);
  let scope: Scope;
  if (!state || state.full_scan === 1) scope = { full: true };
  else if (state.last_tick_at > atIso) {
    result.stats.mode = "clock_behind";
    result.stats.window.from = state.last_tick_at;
    return result;
  } else scope = { full: false, last: new Date(state.last_tick_at) };
  if (!scope.full) {
    result.stats.mode = "incremental";
    result.stats.window.from = scope.last.toISOString();
  }

  const rules = (await getRules(db)).filter((r) => r.enabled);
  const policyOf = await policyLoader(db);
  const orgPolicy = await policyForCase(db, { channel: "web", category_id: 0 });
  const soon = await db
    .selectFrom("sla_policies")
    .select((eb) => [eb.fn.max("due_soon_days").as("mx"), eb.fn.min("due_soon_days").as("mn")])
    .executeTakeFirst();
  const bounds: TickBounds = {
    maxDueSoonDays: Math.max(Number(soon?.mx ?? 0), orgPolicy.dueSoonDays),
    minDueSoonDays: Math.min(soon?.mn == null ? orgPolicy.dueSoonDays : Number(soon.mn), orgPolicy.dueSoonDays),
    earliestStart: earliestStartFn({ ...orgPolicy, mode: "working" }),
  };

  const tryClaim = async (rule: EscalationRule, c: Candidate) => {
    const policy = policyOf({ channel: c.channel, categoryId: c.category_id });
    if (!isDue(rule.level, rule.days, c, policy, at)) return;
    if (await serialised(() => claim(db, rule.level, rule.days, c, at, policyOf))) result.escalated[rule.level]++;
  };

  for (const rule of rules) {
    for await (const list of candidateBatches(db, rule.level, rule.days, at, scope, bounds)) {
      result.examined += list.length;
      result.stats.examined[rule.level] += list.length;
      for (const c of list) await tryClaim(rule, c);
    }
  }

  // Cases created or changed since the last tick (backdated intake, resumed, reopened, unassigned again…): their
  // thresholds may lie before the window. A full scan has already seen them.
  if (!scope.full && dirtyMax > 0) {
    const ids = (await db.selectFrom("deadline_dirty").select("complaint_id").distinct().where("id", "<=", dirtyMax).execute()).map((r) => r.complaint_id);
    const { rows, done } = await dirtyCandidates(db, ids);
    result.examined += rows.length;
    result.stats.examined.changed += rows.length;
    for (const c of rows) {
      for (const rule of rules) {
        if (done.has(`${c.id}:${rule.level}:${c.period_no}`)) continue;
        await tryClaim(rule, c);
      }
    }
  }

  // Statistics: first deadlines and acknowledgements that passed undecided become "late" (measure 23 figures).
  await serialised(() => markLateOutcomes(db, at));

  await serialised(() =>
    db.transaction().execute(async (trx) => {
      if (dirtyMax > 0) await trx.deleteFrom("deadline_dirty").where("id", "<=", dirtyMax).execute();
      await sql`insert into deadline_tick_state (id, last_tick_at, full_scan) values (1, ${atIso}, 0)
        on conflict (id) do update set last_tick_at = max(last_tick_at, excluded.last_tick_at),
          full_scan = case when ${scope.full ? 1 : 0} = 1 and excluded.last_tick_at >= deadline_tick_state.last_tick_at then 0 else deadline_tick_state.full_scan end`.execute(trx);
    }),
  );
  return result;
}

/** The in-server scheduler: a tick shortly after start (catch-up after downtime), then every `intervalMs`. */
export function startDeadlineTicker({ intervalMs = 60_000, db = getDb() }: { intervalMs?: number; db?: Kysely<Database> } = {}) {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    const id = crypto.randomBytes(3).toString("hex");
    running = runDeadlineTick(db)
      .then((r) => {
        const total = Object.values(r.escalated).reduce((a, b) => a + b, 0);
        if (total > 0) log.info("deadline tick", { tick: id, examined: r.examined, ...r.escalated });
      })
      .catch((e) => log.error("deadline tick failed", errorFields(e)))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  setTimeout(tick, 1_000).unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
    },
  };
}
