/**
 * Which cases the deadline tick looks at for each rung of the escalation ladder (escalation.server.ts claims them).
 *
 * The SQL only pre-selects, over the partial indexes of open cases: keyset pages of the cases whose threshold for the
 * level may have been crossed — every open case on a full scan, otherwise only those crossed in the window
 * (last tick, now] — plus the cases created or changed since the last tick (deadline_dirty), read by id. isDue then
 * decides with the case's own policy and counting mode. Pages are sized by time (AdaptiveBatch): one page's query and
 * the isDue pass over its rows are one synchronous slice of about SLICE_TARGET_MS.
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Complaint, Database, EscalationLevel } from "../../../db/schema";
import { dialectOf, type Executor } from "../../../db/connection";
import { OPEN_STATUSES, openStatusSql } from "~/lib/complaint-status";
import type { AdaptiveBatch } from "~/utils/yield.server";
import { addDays, deadlineStatus, dueSoonCutoff, type Counting, type SlaPolicy } from "./due-dates";
import { caseDeadlineView, policyOfCase } from "./pause";
import type { CasePolicies, CasePolicy } from "./policy.server";

const DAY_MS = 24 * 3600 * 1000;

/** The largest page of candidates (rows read by one query). */
export const CANDIDATE_PAGE_MAX = 500;

/** A case's policy from the cached policies (policy.server.ts). */
export type PolicyOf = (c: { channel: string; category_id: number }) => CasePolicy;

/** One rung of the ladder as the tick runs it: the level and its `days` (escalation_rules). */
export interface Rung {
  level: EscalationLevel;
  days: number;
}

export type Candidate = Pick<
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
  | "deadline_mode"
>;

export const CANDIDATE_COLUMNS = [
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
  "deadline_mode",
] as const;

/** Whether the level's condition holds for the case now (the SQL only pre-selects). */
export function isDue(level: EscalationLevel, days: number, c: Candidate, casePolicy: SlaPolicy, at: Date): boolean {
  if (c.closed_at || !(OPEN_STATUSES as readonly string[]).includes(c.status) || c.paused_at || c.status === "waiting_info") return false;
  const policy = policyOfCase(c, casePolicy);
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
      return (
        c.assignee_id === null &&
        at.getTime() > addDays(new Date(c.period_started_at ?? c.received_at), Math.max(days, 0), policy).getTime()
      );
  }
}

/**
 * What one tick looks at. `full`: every open case that may have reached a level (first run, or after rules, SLA
 * policies or holidays changed). Otherwise only the cases whose threshold for the level was crossed in the window
 * (last, now] — the bounds below select a superset, isDue decides — plus the "dirty" cases (created or changed since
 * the last tick, see migration 0600), which are read by id.
 */
export type Scope = { full: true } | { full: false; last: Date };

export interface TickBounds {
  /** Smallest and largest due-soon threshold in days over all policies (or the rule's own `days`). */
  minDueSoonDays: number;
  maxDueSoonDays: number;
  /** The widest counting in use (working days with the holidays): a due-soon window counted so bounds every policy. */
  widest: Counting;
  /** Earliest start (due date, period start) whose `days`-day threshold can still be at or after `last`. */
  earliestStart: (last: Date, days: number) => Date;
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

/** The bounds of one tick over every policy in use (the organisation's and every channel or category row). */
export async function tickBounds(db: Executor, policies: CasePolicies): Promise<TickBounds> {
  const orgPolicy = policies.of({ channel: "web", category_id: 0 });
  const soon = await db
    .selectFrom("sla_policies")
    .select((eb) => [eb.fn.max("due_soon_days").as("mx"), eb.fn.min("due_soon_days").as("mn")])
    .executeTakeFirst();
  return {
    maxDueSoonDays: Math.max(Number(soon?.mx ?? 0), orgPolicy.dueSoonDays),
    minDueSoonDays: Math.min(soon?.mn == null ? orgPolicy.dueSoonDays : Number(soon.mn), orgPolicy.dueSoonDays),
    widest: { mode: "working", holidays: orgPolicy.holidays },
    earliestStart: earliestStartFn({ ...orgPolicy, mode: "working" }),
  };
}

/** One page handed to the claims: how many rows were read, and those due at the rung. */
export interface CandidatePage {
  examined: number;
  due: Candidate[];
}

/**
 * Keyset-paged pre-selection of one rung over the partial indexes of open cases, each page filtered by isDue; yields
 * every page until the selection is exhausted (the high-water mark moves past the window afterwards, so nothing may
 * be left for "later"). Page sizes come from `pages`, which is told how long each query and its filtering took.
 */
export async function* candidatePages(
  db: Kysely<Database>,
  rung: Rung,
  at: Date,
  scope: Scope,
  bounds: TickBounds,
  policyOf: PolicyOf,
  pages: AdaptiveBatch,
): AsyncGenerator<CandidatePage> {
  const { level, days } = rung;
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
    hi = dueSoonCutoff(at, { dueSoonDays: soonMax, ...bounds.widest }).toISOString();
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
    const started = performance.now();
    const size = pages.size;
    const conds: RawBuilder<unknown>[] = [
      openStatusSql("c.status"),
      sql`c.status != 'waiting_info'`,
      sql`c.paused_at is null`,
      ...extra,
      sql`${sql.ref(`c.${key}`)} <= ${hi}`,
    ];
    if (lo !== null) conds.push(sql`${sql.ref(`c.${key}`)} >= ${lo}`);
    if (after) conds.push(sql`(${sql.ref(`c.${key}`)}, c.id) > (${after.k}, ${after.id})`);
    conds.push(
      sql`not exists (select 1 from escalations e where e.complaint_id = c.id and e.level = ${level} and e.period_no = c.period_no)`,
    );
    const rows = (
      await sql<Candidate & { k: string }>`
      select ${sql.join(CANDIDATE_COLUMNS.map((col) => sql.ref(`c.${col}`)))}, ${sql.ref(`c.${key}`)} as k
      from ${dialectOf(db).fromIndexed("complaints", "c", index)}
      where ${sql.join(conds, sql` and `)}
      order by ${sql.ref(`c.${key}`)}, c.id
      limit ${size}`.execute(db)
    ).rows;
    const due = rows.filter((c) => isDue(level, days, c, policyOf(c), at));
    pages.record(rows.length, performance.now() - started);
    if (rows.length === 0) return;
    yield { examined: rows.length, due };
    if (rows.length < size) return;
    const lastRow = rows[rows.length - 1]!;
    after = { k: lastRow.k, id: lastRow.id };
  }
}

/** One page of the changed ("dirty") cases: the open ones read, and per rung those due and not yet escalated. */
export interface ChangedPage {
  examined: number;
  due: { rung: Rung; cases: Candidate[] }[];
}

/**
 * The cases created or changed since the last tick (deadline_dirty rows up to `dirtyMax`), in pages sized by `pages`:
 * each page is read with the levels its cases were already escalated at in their period, and filtered by isDue for
 * every rung.
 */
export async function* changedCandidatePages(
  db: Kysely<Database>,
  dirtyMax: number,
  rungs: readonly Rung[],
  at: Date,
  policyOf: PolicyOf,
  pages: AdaptiveBatch,
): AsyncGenerator<ChangedPage> {
  for (let after = 0; ;) {
    const started = performance.now();
    const page = await db
      .selectFrom("deadline_dirty")
      .select(["id", "complaint_id"])
      .where("id", ">", after)
      .where("id", "<=", dirtyMax)
      .orderBy("id")
      .limit(pages.size)
      .execute();
    if (page.length === 0) return;
    after = page[page.length - 1]!.id;
    const ids = [...new Set(page.map((r) => r.complaint_id))];
    const rows = (await db
      .selectFrom("complaints as c")
      .select(CANDIDATE_COLUMNS.map((k) => `c.${k}` as const))
      .where("c.id", "in", ids)
      .where(openStatusSql("c.status"))
      .where("c.paused_at", "is", null)
      .execute()) as Candidate[];
    const done = new Set<string>();
    if (rows.length > 0) {
      const esc = await db
        .selectFrom("escalations")
        .select(["complaint_id", "level", "period_no"])
        .where(
          "complaint_id",
          "in",
          rows.map((c) => c.id),
        )
        .execute();
      for (const e of esc) done.add(`${e.complaint_id}:${e.level}:${e.period_no}`);
    }
    const due = rungs.map((rung) => ({
      rung,
      cases: rows.filter((c) => !done.has(`${c.id}:${rung.level}:${c.period_no}`) && isDue(rung.level, rung.days, c, policyOf(c), at)),
    }));
    pages.record(page.length, performance.now() - started);
    yield { examined: rows.length, due };
  }
}
