/**
 * The complaints behind a statistics figure ("every number links to the list it counts").
 *
 * - `caseListConditions` turns a CaseListFilter (or the staff queue's criteria) into SQL conditions on `complaints as
 *   c`, with the same definitions as the summary tables (db/statistics.ts) and app/models/statistics/figures.server.ts: fy is the
 *   complaint's fiscal year, dates are Bangkok days of receipt, closed = resolved or forwarded, sla/ack are the stored
 *   outcomes, a case is "satisfied" when its rating is 4 or 5.
 * - `listPublicCases` pages the ANONYMISED rows for /stats/cases: reference, dates, category, channel, village number
 *   and a public state. It never selects the subject, details, names, contacts, landmark, coordinates or anyone's name.
 *   Only general complaints exist in `complaints`; corruption reports (table `reports`) have no list at all.
 *
 * Lists are not in the statistics performance target: the page counts its rows. Rows come in (received_at, id) order
 * from the index complaints_fy_received (fiscal_year, received_at, id), named with INDEXED BY so the planner never
 * sorts a whole year.
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import { dialectOf } from "../../../db/dialects";
import { pageWindowSql } from "../../../db/page-window";
import type { Database } from "../../../db/schema";
import { closedStatusSql, openStatusSql } from "~/lib/complaint-status";
import { dayRangeInstants, type CaseListCriteria, type CaseListFilter } from "~/lib/complaint-list-filter";

export const CASE_LIST_PAGE_SIZE = 50;
export const CASE_LIST_MAX_PAGE = 10_000;

/** Open statuses, written literally as in the partial indexes (see queue.server.ts). */
export const OPEN_STATUS_SQL = openStatusSql("c.status");
const CLOSED_STATUS_SQL = closedStatusSql("c.status");

/**
 * SQL conditions (on `complaints as c`) for the criteria. `now` decides "overdue" (open, clock running, past due).
 * Staff division scoping is NOT applied here: callers add it.
 */
export function caseListConditions(f: CaseListCriteria, now: Date): RawBuilder<unknown>[] {
  const conds: RawBuilder<unknown>[] = [];
  if (f.fy !== undefined) conds.push(sql`c.fiscal_year = ${f.fy}`);
  const { start, endExclusive } = dayRangeInstants(f.from, f.to);
  if (start) conds.push(sql`c.received_at >= ${start.toISOString()}`);
  if (endExclusive) conds.push(sql`c.received_at < ${endExclusive.toISOString()}`);
  if (f.categoryId !== undefined) conds.push(sql`c.category_id = ${f.categoryId}`);
  if (f.channel) conds.push(sql`c.channel = ${f.channel}`);
  if (f.divisionId === "none") conds.push(sql`c.division_id is null`);
  else if (f.divisionId !== undefined) conds.push(sql`c.division_id = ${f.divisionId}`);
  if (f.villageId === "none") conds.push(sql`c.village_id is null`);
  else if (f.villageId !== undefined) conds.push(sql`c.village_id = ${f.villageId}`);
  switch (f.state) {
    case "open":
      conds.push(OPEN_STATUS_SQL);
      break;
    case "closed":
      conds.push(CLOSED_STATUS_SQL);
      break;
    case "resolved":
      conds.push(sql`c.status = 'resolved'`);
      break;
    case "forwarded":
      conds.push(sql`c.status = 'forwarded'`);
      break;
    case "overdue":
      conds.push(OPEN_STATUS_SQL, sql`c.paused_at is null`, sql`c.due_at < ${now.toISOString()}`);
      break;
  }
  if (f.sla === "undecided") conds.push(sql`c.sla_outcome is null`);
  else if (f.sla) conds.push(sql`c.sla_outcome = ${f.sla}`);
  if (f.ack) conds.push(sql`c.ack_outcome = ${f.ack}`);
  if (f.topic) conds.push(sql`exists (select 1 from complaint_topics ct where ct.complaint_id = c.id and ct.topic = ${f.topic})`);
  if (f.rated === "any") conds.push(sql`exists (select 1 from case_ratings cr where cr.complaint_id = c.id)`);
  else if (f.rated === "satisfied") conds.push(sql`exists (select 1 from case_ratings cr where cr.complaint_id = c.id and cr.score >= 4)`);
  return conds;
}

/** What the public is told about a case's state. */
export type PublicRowState = "received" | "in_progress" | "resolved" | "forwarded";

export function publicRowState(status: string): PublicRowState {
  if (status === "received" || status === "resolved" || status === "forwarded") return status;
  return "in_progress";
}

/** One anonymised row. Nothing here identifies the complainant or says what the complaint is about. */
export interface PublicCaseRow {
  reference: string;
  receivedAt: string;
  /** When the case was resolved or forwarded; null while open (a reopened case is open again). */
  closedAt: string | null;
  categoryTh: string;
  categoryEn: string;
  channel: string;
  /** หมู่ที่ (village number) — never the village name or anything finer. */
  villageNumber: number | null;
  state: PublicRowState;
}

export interface PublicCaseList {
  rows: PublicCaseRow[];
  total: number;
  page: number;
  pageCount: number;
  pageSize: number;
}

/** One page (1-based) of the anonymised rows matching the filter, oldest receipt first, with the total count. */
export async function listPublicCases(
  db: Kysely<Database>,
  f: CaseListFilter,
  opts: { page?: number; now: Date; pageSize?: number },
): Promise<PublicCaseList> {
  const pageSize = opts.pageSize ?? CASE_LIST_PAGE_SIZE;
  const page = Math.max(1, Math.min(Math.floor(opts.page ?? 1), CASE_LIST_MAX_PAGE));
  const conds = caseListConditions(f, opts.now);
  const where = sql`where ${sql.join(conds, sql` and `)}`;
  const from = dialectOf(db).fromIndexed("complaints", "c", "complaints_fy_received");
  const [count, ids] = await Promise.all([
    sql<{ n: number }>`select count(*) as n from ${from} ${where}`.execute(db),
    sql<{
      id: number;
    }>`select c.id from ${from} ${where} order by c.received_at, c.id ${pageWindowSql(pageSize, (page - 1) * pageSize)}`.execute(db),
  ]);
  const total = Number(count.rows[0]?.n ?? 0);
  const idList = ids.rows.map((r) => r.id);
  const details =
    idList.length === 0
      ? []
      : await db
          .selectFrom("complaints as c")
          .innerJoin("categories as cat", "cat.id", "c.category_id")
          .leftJoin("villages as v", "v.id", "c.village_id")
          // The only columns read: nothing else of the case may reach the public page.
          .select([
            "c.id",
            "c.reference",
            "c.received_at",
            "c.closed_at",
            "c.status",
            "c.channel",
            "cat.name_th",
            "cat.name_en",
            "v.number as village_number",
          ])
          .where("c.id", "in", idList)
          .execute();
  const byId = new Map(details.map((r) => [r.id, r]));
  const rows: PublicCaseRow[] = [];
  for (const id of idList) {
    const r = byId.get(id);
    if (!r) continue;
    const state = publicRowState(r.status);
    rows.push({
      reference: r.reference,
      receivedAt: r.received_at,
      closedAt: state === "resolved" || state === "forwarded" ? r.closed_at : null,
      categoryTh: r.name_th,
      categoryEn: r.name_en,
      channel: r.channel,
      villageNumber: r.village_number ?? null,
      state,
    });
  }
  return { rows, total, page, pageCount: Math.max(1, Math.ceil(total / pageSize)), pageSize };
}

/** Names of the category, division and village a filter refers to by id (for the sentence describing it). */
export async function criteriaNames(
  db: Kysely<Database>,
  f: CaseListCriteria,
  lang: "th" | "en",
): Promise<{ category?: string; division?: string; village?: number }> {
  const out: { category?: string; division?: string; village?: number } = {};
  const pick = (r: { name_th: string; name_en: string }) => (lang === "en" ? r.name_en : r.name_th);
  if (typeof f.categoryId === "number") {
    const r = await db.selectFrom("categories").select(["name_th", "name_en"]).where("id", "=", f.categoryId).executeTakeFirst();
    if (r) out.category = pick(r);
  }
  if (typeof f.divisionId === "number") {
    const r = await db.selectFrom("divisions").select(["name_th", "name_en"]).where("id", "=", f.divisionId).executeTakeFirst();
    if (r) out.division = pick(r);
  }
  if (typeof f.villageId === "number") {
    const r = await db.selectFrom("villages").select(["number"]).where("id", "=", f.villageId).executeTakeFirst();
    if (r) out.village = r.number;
  }
  return out;
}
