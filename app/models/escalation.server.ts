/**
 * The escalation ladder (issue 4): due soon → the assignee (or the division's heads when nobody is assigned);
 * deadline passed → supervisors, and the case owes the complainant an explanation; overdue by N more days →
 * executives; unassigned N working days after receipt → the complaint centre's leads.
 *
 * Exactly once per level per period: the claim is a row in `escalations` (UNIQUE complaint_id, level, period_no)
 * inserted with ON CONFLICT DO NOTHING inside a write transaction. Only the transaction that inserted the row writes
 * the history row, sets "explanation owed" and records who is to be told (`notify_key`), so two tickers — two
 * processes, or two connections, or a cron job next to the server — never claim twice, and a crash rolls a batch's
 * claims back with the rest. The tick looks at the current state, not at what happened since the last run, so after
 * downtime (or a clock change) the next tick catches up: a case whose deadline passed while nothing was running
 * escalates once.
 *
 * Catching up never stops the portal (issue 11): candidates are read in pages and claimed in small batches (one
 * transaction of at most CLAIM_BATCH cases each), and the tick yields to the event loop between them, so requests are
 * served while 100,000 cases escalate. The e-mails follow the claims (notifyOwed): every claim with an id above the
 * mark in escalation_notify_state is owed its e-mails; one transaction queues them — one per case, or ONE digest per
 * recipient and level when more than DIGEST_THRESHOLD cases reached that recipient at once — and moves the mark
 * (compare-and-set) past them. A crash between the claims and that transaction leaves the claims owed, never lost: the
 * next tick (any process) queues them, once.
 */
import { ESCALATION_LEVELS } from "~/lib/escalation-levels";
import { getRules, type RuleRow } from "~/models/escalation-rules.server";
import crypto from "node:crypto";
import { sql, type Kysely, type RawBuilder, type Transaction } from "kysely";
import type { Complaint, Database, EscalationLevel } from "../../db/schema";
import { addDays, deadlineStatus, deadlineView, dueSoonCutoff, type DeadlineView, type DeadlineViewState, type SlaPolicy } from "~/lib/sla";
import { formatThaiDate } from "~/lib/thai-date";
import { tFor, type Lang } from "~/i18n";
import { renderBilingualEmail } from "../../emails/layout";
import { buildEscalationDigest } from "../../emails/escalation-digest";
import { enqueueEmail } from "./outbox.server";
import { markLateOutcomesBatch } from "./case-outcomes.server";
import { listCategories } from "./org.server";
import { policyResolver } from "./sla-policy.server";
import { now as clockNow } from "~/utils/clock.server";
import { getEnv } from "~/utils/env.server";
import { getDb } from "~/utils/db.server";
import { log, errorFields } from "~/utils/logger.server";
import { BatchAborted, throwIfAborted, yieldToEventLoop } from "~/utils/yield.server";
import { recordDeadlineTick } from "./health.server";

type Trx = Transaction<Database>;

export { ESCALATION_LEVELS };
/** Must match OPEN_CASE_SQL / the partial indexes of migration 0200 so SQLite walks those indexes. */
const OPEN = sql.raw<boolean>(`status in ('received','accepted','in_progress','waiting_info')`);
const OPEN_STATUSES = ["received", "accepted", "in_progress", "waiting_info"];
const DAY_MS = 24 * 3600 * 1000;
/** Candidate rows read per query (keyset pages over the partial indexes of open cases). */
const PAGE = 500;
/**
 * Cases claimed per transaction. One batch is one uninterrupted stretch of the event loop (better-sqlite3 is
 * synchronous), commit and fsync included: a few milliseconds, so a request waits at most about that long.
 */
export const CLAIM_BATCH = 100;
/** Rows changed per statement when first deadlines and acknowledgements become "late" (statistics triggers fire). */
const LATE_BATCH = 100;
/** More cases than this for one recipient at one level at once → one digest instead of one e-mail per case. */
export const DIGEST_THRESHOLD = 3;
/** References listed in a digest (the link to the queue shows them all). */
export const DIGEST_LIST = 20;
/** Escalation rows read per query when the owed e-mails are gathered. */
const NOTIFY_PAGE = 2000;

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
      limit ${PAGE}`.execute(db)).rows;
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < PAGE) return;
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

/** Staff behind a notify key (active accounts only). */
async function recipientsOf(trx: Trx, key: string): Promise<{ id: number; email: string }[]> {
  const base = trx.selectFrom("staff").select(["id", "email"]).where("active", "=", 1);
  const [kind, arg] = key.split(":");
  switch (kind) {
    case "assignee":
      return base.where("id", "=", Number(arg)).execute();
    case "division":
      return base.where("is_division_head", "=", 1).where("division_id", "=", Number(arg)).execute();
    case "supervisors":
      return base.where("role", "=", "supervisor").execute();
    case "executives":
      return base.where("role", "=", "executive").execute();
    case "centre_leads":
      return base.where("is_centre_lead", "=", 1).execute();
    default:
      return [];
  }
}

type CaseFacts = Pick<Complaint, "id" | "reference" | "due_at" | "received_at">;

function staffEmail(level: EscalationLevel, c: CaseFacts, days: number) {
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

/**
 * The staff queue filtered to a digest's cases (parameters of parseQueueFilters, app/models/queue.server.ts; the
 * queue is sorted by deadline, oldest first): due soon (own cases only when every case is the recipient's own),
 * overdue (both overdue levels), or unassigned.
 */
export function digestQueuePath(level: EscalationLevel, ownCasesOnly: boolean): string {
  switch (level) {
    case "due_soon":
      return ownCasesOnly ? "/staff?deadline=due_soon&assignee=me" : "/staff?deadline=due_soon";
    case "overdue":
    case "overdue_executive":
      return "/staff?deadline=overdue";
    case "unassigned":
      return "/staff?assignee=none";
  }
}

/**
 * A write that changes nothing still opens a write transaction: taking SQLite's write lock first means no
 * read-then-upgrade conflict with another process (SQLITE_BUSY_SNAPSHOT), only a wait on the busy timeout.
 */
async function takeWriteLock(trx: Trx): Promise<void> {
  await sql`update escalation_notify_state set notified_through = notified_through where id = 0`.execute(trx);
}

/**
 * Claims one level for a batch of cases in ONE transaction: for each case still due (re-read under the write lock —
 * it may have been resolved, reassigned, paused or reopened since it was pre-selected) the claim row, and only if this
 * transaction inserted it, the history row, "explanation owed" (overdue) and who is to be told. Returns how many were
 * claimed. The e-mails are queued by notifyOwed.
 */
async function claimBatch(
  db: Kysely<Database>,
  level: EscalationLevel,
  days: number,
  batch: Candidate[],
  at: Date,
  policyOf: (k: PolicyKey) => SlaPolicy,
): Promise<number> {
  const iso = at.toISOString();
  return db.transaction().execute(async (trx) => {
    await takeWriteLock(trx);
    const rows = (await trx
      .selectFrom("complaints")
      .select(CANDIDATE_COLUMNS)
      .where("id", "in", batch.map((c) => c.id))
      .execute()) as Candidate[];
    const fresh = new Map(rows.map((r) => [r.id, r]));
    let claimed = 0;
    for (const c of batch) {
      const f = fresh.get(c.id);
      if (!f || f.period_no !== c.period_no) continue;
      if (!isDue(level, days, f, policyOf({ channel: f.channel, categoryId: f.category_id }), at)) continue;
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

// ---------------------------------------------------------------------------------------------------------------
// E-mails owed for claims: per case, or one digest per recipient and level.

interface OwedGroup {
  level: EscalationLevel;
  key: string;
  /** Claims in the range with this level and key. */
  count: number;
  /** The first DIGEST_LIST of them (lowest ids first: claim order, oldest deadline first within a level). */
  first: { escalationId: number; complaintId: number }[];
}

export interface NotifyResult {
  /** E-mails about one case each. */
  perCase: number;
  /** Digest e-mails (each about more than DIGEST_THRESHOLD cases). */
  digests: number;
  /** Claims whose e-mails were queued (per level; a claim with several recipients counts once). */
  claims: number;
}

/**
 * Queues the e-mails every claim above the mark is owed, and moves the mark past them, in one transaction.
 *
 * The claims are read first, in pages with yields and without a lock (escalation rows never change once written, and
 * ids grow in commit order, so the rows in (mark, top] are final). The transaction then moves the mark from `mark` to
 * `top` only if it is still at `mark` (compare-and-set, the first statement, so it holds the write lock): whoever wins
 * queues the e-mails of exactly that range; a loser reads again from the new mark. A crash before the commit leaves the
 * mark where it was — the next call queues the same range, once. Per recipient and level: more than DIGEST_THRESHOLD
 * cases → one digest (dedupe key per level, recipient and `top`); otherwise one e-mail per case (dedupe key per claim
 * and recipient, as before digests existed).
 */
export async function notifyOwed(db: Kysely<Database>, opts: { signal?: AbortSignal } = {}): Promise<NotifyResult> {
  const total: NotifyResult = { perCase: 0, digests: 0, claims: 0 };
  for (let round = 0; round < 5; round++) {
    const mark = Number((await db.selectFrom("escalation_notify_state").select("notified_through").where("id", "=", 1).executeTakeFirst())?.notified_through ?? 0);
    const top = Number((await db.selectFrom("escalations").select((eb) => eb.fn.max("id").as("m")).executeTakeFirst())?.m ?? 0);
    if (top <= mark) break;
    const groups = new Map<string, OwedGroup>();
    for (let after = mark; after < top; ) {
      throwIfAborted(opts.signal);
      const rows = await db
        .selectFrom("escalations")
        .select(["id", "level", "notify_key", "complaint_id"])
        .where("id", ">", after)
        .where("id", "<=", top)
        .orderBy("id")
        .limit(NOTIFY_PAGE)
        .execute();
      if (rows.length === 0) break;
      for (const r of rows) {
        if (r.notify_key === null) continue;
        const k = `${r.level}|${r.notify_key}`;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { level: r.level, key: r.notify_key, count: 0, first: [] }));
        g.count++;
        if (g.first.length < DIGEST_LIST) g.first.push({ escalationId: r.id, complaintId: r.complaint_id });
      }
      after = rows[rows.length - 1]!.id;
      await yieldToEventLoop();
    }
    const queued = await serialised(() =>
      db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable("escalation_notify_state")
          .set({ notified_through: top })
          .where("id", "=", 1)
          .where("notified_through", "=", mark)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows ?? 0) === 0) return null; // another ticker queued this range
        return queueOwed(trx, [...groups.values()], mark, top);
      }),
    );
    if (queued) {
      total.perCase += queued.perCase;
      total.digests += queued.digests;
      total.claims += queued.claims;
    }
  }
  return total;
}

async function queueOwed(trx: Trx, groups: OwedGroup[], from: number, through: number): Promise<NotifyResult> {
  const out: NotifyResult = { perCase: 0, digests: 0, claims: 0 };
  if (groups.length === 0) return out;
  const days = new Map((await getRules(trx)).map((r) => [r.level, r.days]));
  const people = new Map<string, { id: number; email: string }[]>();
  // Per level, per recipient: the groups that reach them.
  const plan = new Map<EscalationLevel, Map<number, { email: string; groups: OwedGroup[] }>>();
  for (const g of groups) {
    out.claims += g.count;
    let who = people.get(g.key);
    if (!who) people.set(g.key, (who = await recipientsOf(trx, g.key)));
    let byStaff = plan.get(g.level);
    if (!byStaff) plan.set(g.level, (byStaff = new Map()));
    for (const p of who) {
      const entry = byStaff.get(p.id) ?? { email: p.email, groups: [] };
      entry.groups.push(g);
      byStaff.set(p.id, entry);
    }
  }
  // The cases the e-mails name (at most DIGEST_LIST per digest, at most DIGEST_THRESHOLD per recipient otherwise).
  const needed = new Set<number>();
  for (const byStaff of plan.values())
    for (const { groups: gs } of byStaff.values()) for (const g of gs) for (const f of g.first.slice(0, DIGEST_LIST)) needed.add(f.complaintId);
  const facts = new Map<number, CaseFacts>();
  const ids = [...needed];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await trx
      .selectFrom("complaints")
      .select(["id", "reference", "due_at", "received_at"])
      .where("id", "in", ids.slice(i, i + 500))
      .execute();
    for (const r of rows) facts.set(r.id, r);
  }
  const base = getEnv().PUBLIC_URL;
  const iso = clockNow().toISOString();
  for (const [level, byStaff] of plan) {
    const levelDays = days.get(level) ?? 0;
    for (const [staffId, { email, groups: gs }] of byStaff) {
      const count = gs.reduce((a, g) => a + g.count, 0);
      const claims = gs.flatMap((g) => g.first).sort((a, b) => a.escalationId - b.escalationId);
      if (count > DIGEST_THRESHOLD) {
        const items = claims
          .slice(0, DIGEST_LIST)
          .map((c) => facts.get(c.complaintId))
          .filter((c): c is CaseFacts => c !== undefined)
          .map((c) => ({ reference: c.reference, dueAt: c.due_at }));
        const own = gs.every((g) => g.key === `assignee:${staffId}`);
        const message = buildEscalationDigest({ level, count, items, queueUrl: `${base}${digestQueuePath(level, own)}`, days: levelDays });
        await enqueueEmail(trx, { kind: `escalation.${level}.digest`, complaintId: null, message: { to: email, ...message }, dedupeKey: `escdigest:${level}:${staffId}:${through}` });
        await trx
          .insertInto("escalation_digests")
          .values({ level, staff_id: staffId, from_id: from, through_id: through, cases: count, created_at: iso })
          .onConflict((oc) => oc.doNothing())
          .execute();
        out.digests++;
      } else {
        for (const c of claims) {
          const f = facts.get(c.complaintId);
          if (!f) continue; // the case was deleted since
          await enqueueEmail(trx, {
            kind: `escalation.${level}`,
            complaintId: f.id,
            message: { to: email, ...staffEmail(level, f, levelDays) },
            dedupeKey: `esc:${c.escalationId}:${staffId}`,
          });
          out.perCase++;
        }
      }
    }
  }
  if (out.perCase + out.digests > 0) log.info("escalation e-mails queued", { claims: out.claims, perCase: out.perCase, digests: out.digests, through });
  return out;
}

export interface TickResult {
  /** Candidate rows examined (all levels, plus the dirty cases). */
  examined: number;
  escalated: Record<EscalationLevel, number>;
  /** E-mails queued for claims (this tick's, and any a crashed or stopped tick left owed). */
  notified: NotifyResult;
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
 * holidays changed, looks at every open case once. A clock set back (now < mark) reads nothing (but still queues
 * e-mails a stopped tick left owed). The exactly-once guarantee is still the UNIQUE claim; the mark only decides what
 * is read. It moves forward only (max), together with the removal of the dirty rows that were read, in one
 * transaction after the claims — a crash before that just makes the next tick read the same window again, and the
 * claims make that harmless.
 *
 * Bounded: pages of PAGE candidates, claims in transactions of CLAIM_BATCH cases, "late" outcomes LATE_BATCH rows at a
 * time, a yield to the event loop after each. `signal` stops the tick between batches (shutdown): the claims made so
 * far stay committed and owed their e-mails, and the mark does not move, so the next tick goes on where this one
 * stopped.
 */
export async function runDeadlineTick(db: Kysely<Database>, opts: { now?: Date; signal?: AbortSignal } = {}): Promise<TickResult> {
  const at = opts.now ?? clockNow();
  const atIso = at.toISOString();
  const signal = opts.signal;
  const result: TickResult = {
    examined: 0,
    escalated: { due_soon: 0, overdue: 0, overdue_executive: 0, unassigned: 0 },
    notified: { perCase: 0, digests: 0, claims: 0 },
    stats: { mode: "full", window: { from: null, to: atIso }, examined: { due_soon: 0, overdue: 0, overdue_executive: 0, unassigned: 0, changed: 0 } },
  };
  const state = await db.selectFrom("deadline_tick_state").select(["last_tick_at", "full_scan"]).where("id", "=", 1).executeTakeFirst();
  const dirtyMax = Number((await db.selectFrom("deadline_dirty").select((eb) => eb.fn.max("id").as("m")).executeTakeFirst())?.m ?? 0);
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

  /** Claims the candidates that are due, CLAIM_BATCH per transaction, yielding after each. */
  const claimAll = async (rule: EscalationRule, list: Candidate[]) => {
    const due = list.filter((c) => isDue(rule.level, rule.days, c, policyOf({ channel: c.channel, categoryId: c.category_id }), at));
    for (let i = 0; i < due.length; i += CLAIM_BATCH) {
      throwIfAborted(signal);
      const batch = due.slice(i, i + CLAIM_BATCH);
      result.escalated[rule.level] += await serialised(() => claimBatch(db, rule.level, rule.days, batch, at, policyOf));
      await yieldToEventLoop();
    }
  };

  for (const rule of rules) {
    for await (const list of candidateBatches(db, rule.level, rule.days, at, scope, bounds)) {
      result.examined += list.length;
      result.stats.examined[rule.level] += list.length;
      await claimAll(rule, list);
      throwIfAborted(signal);
      await yieldToEventLoop();
    }
  }

  // Cases created or changed since the last tick (backdated intake, resumed, reopened, unassigned again…): their
  // thresholds may lie before the window. A full scan has already seen them. Read in pages of the dirty list.
  if (!scope.full && dirtyMax > 0) {
    for (let after = 0; ; ) {
      throwIfAborted(signal);
      const page = await db
        .selectFrom("deadline_dirty")
        .select(["id", "complaint_id"])
        .where("id", ">", after)
        .where("id", "<=", dirtyMax)
        .orderBy("id")
        .limit(PAGE)
        .execute();
      if (page.length === 0) break;
      after = page[page.length - 1]!.id;
      const { rows, done } = await dirtyCandidates(db, [...new Set(page.map((r) => r.complaint_id))]);
      result.examined += rows.length;
      result.stats.examined.changed += rows.length;
      for (const rule of rules) await claimAll(rule, rows.filter((c) => !done.has(`${c.id}:${rule.level}:${c.period_no}`)));
      await yieldToEventLoop();
    }
  }

  // Statistics: first deadlines and acknowledgements that passed undecided become "late" (measure 23 figures).
  for (;;) {
    throwIfAborted(signal);
    const n = await serialised(() => markLateOutcomesBatch(db, at, LATE_BATCH));
    if (n.deadline < LATE_BATCH && n.acknowledgement < LATE_BATCH) break;
    await yieldToEventLoop();
  }

  // The e-mails of this tick's claims (and of any a stopped or crashed tick left owed): per case, or digests.
  result.notified = await notifyOwed(db, { signal });

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

/**
 * The in-server scheduler: a tick shortly after start (catch-up after downtime), then every `intervalMs` (a tick still
 * running is not started again). `stop()` stops the running tick between two batches and waits for it.
 */
export function startDeadlineTicker({ intervalMs = 60_000, db = getDb() }: { intervalMs?: number; db?: Kysely<Database> } = {}) {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const abort = new AbortController();
  const tick = () => {
    if (running || stopped) return;
    const id = crypto.randomBytes(3).toString("hex");
    const started = Date.now();
    running = runDeadlineTick(db, { signal: abort.signal })
      .then((r) => {
        recordDeadlineTick(r); // heartbeat for /healthz and /metrics (health.server.ts)
        const total = Object.values(r.escalated).reduce((a, b) => a + b, 0);
        if (total > 0 || r.notified.perCase + r.notified.digests > 0) {
          log.info("deadline tick", { tick: id, ms: Date.now() - started, examined: r.examined, ...r.escalated, emails: r.notified.perCase, digests: r.notified.digests });
        }
      })
      .catch((e) => {
        if (e instanceof BatchAborted) log.info("deadline tick stopped; the next tick goes on from here", { tick: id, ms: Date.now() - started });
        else log.error("deadline tick failed", errorFields(e));
      })
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
      abort.abort();
      if (running) await running;
    },
  };
}
