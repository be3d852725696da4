/**
 * The staff work queue. Every filter is answered from an index ordered by (due_at, id); pages are fetched with
 * LIMIT pageSize+1 (to know whether there is a next page) and never COUNT the whole table, so the queue stays fast
 * with a million cases. Officers only ever see their own division.
 *
 * Statistics links add the criteria of app/lib/complaint-list-filter.ts (`list`); with a fiscal year the page
 * is walked on complaints_fy_received in receipt order instead. The default open-cases queue is unchanged.
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Database } from "../../../db/schema";
import { CASE_STATUSES, isCaseStatus, openStatusSql, type CaseStatus } from "~/lib/complaint-status";
import { parseCaseReference } from "~/lib/complaint-reference";
import { caseDeadlineView, dueSoonCutoff, type CountingMode, type DeadlineView, type StatePolicy } from "../deadlines/index";
import { queueDivisionScope, type Actor } from "~/lib/permissions";
import { hasCriteria, parseCaseListCriteria, type CaseListCriteria } from "~/lib/complaint-list-filter";
import { caseListConditions } from "./list.server";
import { dialectOf } from "../../../db/dialects";
import { referenceById } from "../organisation/profile.server";
import { compiledAroundSlot } from "../../../db/compiled-once";
import { pageWindowSql } from "../../../db/page-window";

/** The open-case condition written exactly as in the partial indexes of open cases (app/lib/complaint-status.ts). */
const OPEN_CASE_SQL = openStatusSql("c.status");
export const DEADLINE_FILTERS = ["overdue", "due_soon", "on_track"] as const;
export type DeadlineFilter = (typeof DEADLINE_FILTERS)[number];
export const QUEUE_PAGE_SIZE = 25;
export const MAX_PAGE = 2000;
/** Searches shorter than a trigram only look at this many of the newest cases. */
export const SHORT_SEARCH_WINDOW = 20_000;

export interface QueueFilters {
  /** A status, "open" (default: not resolved/forwarded) or "all". */
  status?: CaseStatus | "open" | "all";
  categoryId?: number;
  divisionId?: number;
  /** A staff id, "me", or "none" (unassigned). */
  assignee?: number | "me" | "none";
  deadline?: DeadlineFilter;
  q?: string;
  page?: number;
  /**
   * Statistics criteria (fy, from/to/month, channel, village, state, sla, ack, topic, rated; division "none"), the
   * same parameters as the public /stats/cases list (app/lib/complaint-list-filter.ts). Present only when at least one
   * of them is set. Its division and category are also copied to divisionId / categoryId when they are ids.
   */
  list?: CaseListCriteria;
}

/** Reads queue filters from URL search params; unknown values are ignored. */
export function parseQueueFilters(params: URLSearchParams): QueueFilters {
  const f: QueueFilters = {};
  const status = params.get("status") ?? "";
  if (status === "all" || status === "open" || isCaseStatus(status)) f.status = status;
  const int = (name: string) => {
    const v = params.get(name) ?? "";
    return /^\d{1,9}$/.test(v) ? Number(v) : undefined;
  };
  f.categoryId = int("category");
  f.divisionId = int("division");
  const assignee = params.get("assignee") ?? "";
  if (assignee === "me" || assignee === "none") f.assignee = assignee;
  else if (/^\d{1,9}$/.test(assignee)) f.assignee = Number(assignee);
  const deadline = params.get("deadline") ?? "";
  if ((DEADLINE_FILTERS as readonly string[]).includes(deadline)) f.deadline = deadline as DeadlineFilter;
  const q = (params.get("q") ?? "").normalize("NFC").trim().slice(0, 100);
  if (q) f.q = q;
  const page = int("page");
  f.page = page && page >= 1 ? Math.min(page, MAX_PAGE) : 1;
  // Statistics links: the category and a numeric division stay in categoryId / divisionId (existing filters and
  // indexes); everything else goes to `list`. Statistics count every case, so they imply status=all unless given.
  const list = parseCaseListCriteria(params);
  delete list.categoryId;
  if (typeof list.divisionId === "number") delete list.divisionId;
  if (list.fy !== undefined || hasCriteria(list)) {
    f.list = list;
    if (!params.has("status")) f.status = "all";
  }
  return f;
}

export interface QueueRow {
  id: number;
  reference: string;
  subject: string;
  status: string;
  channel: string;
  due_at: string;
  closed_at: string | null;
  received_at: string;
  category_th: string | null;
  category_en: string | null;
  village_number: number | null;
  village_th: string | null;
  village_en: string | null;
  division_th: string | null;
  division_en: string | null;
  assignee_id: number | null;
  assignee_name: string | null;
  category_code: string | null;
  paused_at: string | null;
  remaining_days: number | null;
  explanation_owed: number;
  /** The counting mode the case's deadline was set under (null: older cases, the policy's). */
  deadline_mode: CountingMode | null;
  /**
   * From caseDeadlineView (app/models/deadlines/pause.ts): the same state as the case page and /track, including
   * "paused", with days counted in the case's own mode.
   */
  deadline: DeadlineView;
}

export interface QueueResult {
  rows: QueueRow[];
  page: number;
  hasNext: boolean;
  hasPrev: boolean;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The queue's rows around its page of ids (the ids a subquery of their own: its LIMIT keeps it out of the join). */
function rowsOfPage(db: Kysely<Database>, page: RawBuilder<unknown>, byReceipt: boolean) {
  return db
    .with("page(id)", () => sql<{ id: number }>`(${page})`)
    .selectFrom("page")
    .innerJoin("complaints as c", "c.id", "page.id")
    .leftJoin("staff as s", "s.id", "c.assignee_id")
    .select([
      "c.id",
      "c.reference",
      "c.subject",
      "c.status",
      "c.channel",
      "c.due_at",
      "c.closed_at",
      "c.received_at",
      "c.assignee_id",
      "c.paused_at",
      "c.remaining_days",
      "c.explanation_owed",
      "c.deadline_mode",
      "c.category_id",
      "c.village_id",
      "c.division_id",
      "s.name as assignee_name",
    ])
    .orderBy(byReceipt ? "c.received_at" : "c.due_at")
    .orderBy("c.id");
}

/**
 * One statement (one round trip on PostgreSQL) in each order: the page's ids, then their rows sorted again the same
 * way. Compiled once per database around the ids (Kysely's build and compile of the whole select cost ~70 µs a page);
 * only the ids subquery is compiled per page.
 */
const rowsByDue = compiledAroundSlot((db: Kysely<Database>, page) => rowsOfPage(db, page, false));
const rowsByReceipt = compiledAroundSlot((db: Kysely<Database>, page) => rowsOfPage(db, page, true));

/** One page of the queue for this actor, sorted by due date then id. */
export async function listQueue(
  db: Kysely<Database>,
  opts: {
    actor: Actor;
    filters: QueueFilters;
    now: Date;
    /** The organisation's policy: its due-soon threshold drives the deadline filters. */
    policy: StatePolicy;
    /** Each row's own policy (channel / category overrides, see deadlines/policy.server.ts); defaults to `policy`. */
    policyFor?: (key: { channel: string; categoryCode: string | null }) => StatePolicy;
    pageSize?: number;
  },
): Promise<QueueResult> {
  const { actor, filters: f } = opts;
  const pageSize = opts.pageSize ?? QUEUE_PAGE_SIZE;
  const page = Math.max(1, Math.min(f.page ?? 1, MAX_PAGE));
  const nowIso = opts.now.toISOString();
  const cutoffIso = dueSoonCutoff(opts.now, opts.policy).toISOString();

  // 1. The page's ids, from one index walked in (due_at, id) order. The index is named (INDEXED BY) rather than left
  //    to the planner, whose choice depends on statistics a fresh or sampled database does not have.
  const conds: RawBuilder<unknown>[] = [];
  const status = f.deadline ? "open" : (f.status ?? "open");
  const scope = queueDivisionScope(actor);
  const divisionId = scope ?? f.divisionId;
  const assigneeId = f.assignee === "me" ? actor.id : typeof f.assignee === "number" ? f.assignee : undefined;
  let index: string | null;
  if (status === "open") {
    conds.push(OPEN_CASE_SQL);
    index =
      divisionId !== undefined
        ? "complaints_open_division_due"
        : assigneeId !== undefined || f.assignee === "none"
          ? "complaints_open_assignee_due"
          : f.categoryId !== undefined
            ? "complaints_open_category_due"
            : "complaints_open_due";
  } else if (status !== "all") {
    conds.push(sql`c.status = ${status}`);
    index = divisionId !== undefined ? "complaints_division_status_due" : "complaints_status_due";
  } else {
    index = divisionId !== undefined ? "complaints_division_status_due" : "complaints_due";
  }
  if (scope !== undefined) conds.push(sql`c.division_id = ${scope}`);
  if (f.divisionId !== undefined) conds.push(sql`c.division_id = ${f.divisionId}`);
  if (f.categoryId !== undefined) conds.push(sql`c.category_id = ${f.categoryId}`);
  if (assigneeId !== undefined) conds.push(sql`c.assignee_id = ${assigneeId}`);
  else if (f.assignee === "none") conds.push(sql`c.assignee_id is null`);

  // A paused clock (waiting for the complainant) is neither overdue nor due soon.
  if (f.deadline === "overdue") conds.push(sql`c.due_at < ${nowIso} and c.paused_at is null`);
  else if (f.deadline === "due_soon") conds.push(sql`c.due_at >= ${nowIso} and c.due_at <= ${cutoffIso} and c.paused_at is null`);
  else if (f.deadline === "on_track") conds.push(sql`c.due_at > ${cutoffIso}`);

  // Statistics criteria. A fiscal year is walked in receipt order on complaints_fy_received (fiscal_year,
  // received_at, id), the same order as the public list; without one the status indexes above still apply.
  const byReceipt = f.list?.fy !== undefined;
  const order = byReceipt ? sql`order by c.received_at, c.id` : sql`order by c.due_at, c.id`;
  if (f.list) {
    conds.push(...caseListConditions(f.list, opts.now));
    if (byReceipt) index = "complaints_fy_received";
  }

  if (f.q) {
    index = null; // the search decides which rows; they are few, so sorting them is cheap
    const ref = parseCaseReference(f.q);
    if (ref) {
      conds.push(sql`c.reference = ${ref.reference}`);
    } else if ([...f.q].length >= 3) {
      conds.push(dialectOf(db).complaintTextMatch("c", f.q));
    } else {
      // Too short for the trigram index: a bounded scan of the newest cases only.
      conds.push(sql`c.id > (select coalesce(max(id), 0) from complaints) - ${SHORT_SEARCH_WINDOW}`);
      conds.push(dialectOf(db).likeInsensitive(sql`c.subject`, `%${escapeLike(f.q)}%`));
    }
  }
  // "all" with a division uses (division_id, status, due_at): order by due_at needs the status fixed, so sort instead.
  if (status === "all" && divisionId !== undefined && index !== "complaints_fy_received") index = null;

  const from = index ? dialectOf(db).fromIndexed("complaints", "c", index) : sql`complaints as c`;
  const where = conds.length ? sql`where ${sql.join(conds, sql` and `)}` : sql``;

  // 2. The rows of that page, in the same statement (one round trip on PostgreSQL): the page's ids are a subquery of
  //    their own (its LIMIT keeps it from being merged into the join), then sorted again the same way. The names of
  //    their categories, villages and divisions come from the organisation's cached reference data, not three joins.
  const idsOfPage = sql`select c.id from ${from} ${where} ${order} ${pageWindowSql(pageSize + 1, (page - 1) * pageSize)}`;
  const [raw] = await Promise.all([(byReceipt ? rowsByReceipt : rowsByDue)(db, idsOfPage), referenceById(db)]);
  const names = await referenceById(db, {
    categories: raw.map((r) => r.category_id),
    villages: raw.map((r) => r.village_id),
    divisions: raw.map((r) => r.division_id),
  });
  const hasNext = raw.length > pageSize;
  // Each row written out field by field: one object shape for every row (a rest/spread copy here made a page 15% slower).
  const rows = raw.slice(0, pageSize).map((r): QueueRow => {
    const category = names.categories.get(r.category_id);
    const village = r.village_id === null ? undefined : names.villages.get(r.village_id);
    const division = r.division_id === null ? undefined : names.divisions.get(r.division_id);
    const categoryCode = category?.code ?? null;
    const policy = opts.policyFor ? opts.policyFor({ channel: r.channel, categoryCode }) : opts.policy;
    const deadline = caseDeadlineView(r, policy, opts.now);
    return {
      id: r.id,
      reference: r.reference,
      subject: r.subject,
      status: r.status,
      channel: r.channel,
      due_at: r.due_at,
      closed_at: r.closed_at,
      received_at: r.received_at,
      category_code: categoryCode,
      category_th: category?.name_th ?? null,
      category_en: category?.name_en ?? null,
      village_number: village?.number ?? null,
      village_th: village?.name_th ?? null,
      village_en: village?.name_en ?? null,
      division_th: division?.name_th ?? null,
      division_en: division?.name_en ?? null,
      assignee_id: r.assignee_id,
      assignee_name: r.assignee_name,
      paused_at: r.paused_at,
      remaining_days: r.remaining_days,
      explanation_owed: r.explanation_owed,
      deadline_mode: r.deadline_mode,
      deadline,
    };
  });
  return { rows, page, hasNext, hasPrev: page > 1 };
}

export { CASE_STATUSES };
