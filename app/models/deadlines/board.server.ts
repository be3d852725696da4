/**
 * The supervisor's deadline board: open cases by deadline state (the same classification as the queue, the case page
 * and /track), overdue cases by division and by assignee, explanations owed and acknowledgements made late or still
 * missing, plus this fiscal year's closed cases met / missed.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { fiscalYearOf } from "~/lib/fiscal-year";
import { openStatusSql } from "~/lib/complaint-status";
import { BOARD_STATES, caseDeadlineView, casePolicies, type BoardState } from "./index";

const OPEN = openStatusSql();
const LIST_MAX = 100;

export { BOARD_STATES, type BoardState };

export async function deadlineBoard(db: Kysely<Database>, at: Date) {
  const policies = await casePolicies(db);
  const open = await db
    .selectFrom("complaints as c")
    .leftJoin("divisions as d", "d.id", "c.division_id")
    .leftJoin("staff as s", "s.id", "c.assignee_id")
    .select([
      "c.id",
      "c.reference",
      "c.status",
      "c.due_at",
      "c.closed_at",
      "c.paused_at",
      "c.remaining_days",
      "c.channel",
      "c.category_id",
      "c.deadline_mode",
      "c.division_id",
      "c.assignee_id",
      "c.explanation_owed",
      "c.ack_due_at",
      "c.acknowledged_at",
      "c.received_at",
      "d.name_th as division_th",
      "d.name_en as division_en",
      "s.name as assignee_name",
    ])
    .where(OPEN)
    .execute();
  const counts: Record<BoardState, number> = { overdue: 0, due_today: 0, due_soon: 0, on_track: 0, paused: 0 };
  const byDivision = new Map<string, { name_th: string; name_en: string; count: number }>();
  const byAssignee = new Map<string, { name: string; count: number }>();
  const owed: { reference: string; dueAt: string; daysOverdue: number; division_th: string; division_en: string; assignee: string }[] = [];
  let owedCount = 0;
  for (const c of open) {
    const v = caseDeadlineView(c, policies.of(c), at);
    const state = v.state as BoardState;
    if (state in counts) counts[state]++;
    if (state === "overdue") {
      const dk = String(c.division_id ?? "none");
      const d = byDivision.get(dk) ?? { name_th: c.division_th ?? "", name_en: c.division_en ?? "", count: 0 };
      d.count++;
      byDivision.set(dk, d);
      const ak = String(c.assignee_id ?? "none");
      const a = byAssignee.get(ak) ?? { name: c.assignee_name ?? "", count: 0 };
      a.count++;
      byAssignee.set(ak, a);
    }
    if (c.explanation_owed === 1) {
      owedCount++;
      if (owed.length < LIST_MAX) {
        owed.push({
          reference: c.reference,
          dueAt: c.due_at,
          daysOverdue: v.daysOverdue,
          division_th: c.division_th ?? "",
          division_en: c.division_en ?? "",
          assignee: c.assignee_name ?? "",
        });
      }
    }
  }
  owed.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const nowIso = at.toISOString();
  // Late acknowledgements: due and still missing (open cases), or made after their due time (any case, this year).
  const ackLate = await db
    .selectFrom("complaints")
    .select(["reference", "ack_due_at", "acknowledged_at"])
    .where("ack_due_at", "is not", null)
    .where((eb) =>
      eb.or([
        eb.and([eb("acknowledged_at", "is", null), eb("ack_due_at", "<", nowIso), OPEN]),
        eb("acknowledged_at", ">", eb.ref("ack_due_at")),
      ]),
    )
    .orderBy("ack_due_at", "desc")
    .limit(LIST_MAX)
    .execute();
  const ackLateCount = await db
    .selectFrom("complaints")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("ack_due_at", "is not", null)
    .where((eb) =>
      eb.or([
        eb.and([eb("acknowledged_at", "is", null), eb("ack_due_at", "<", nowIso), OPEN]),
        eb("acknowledged_at", ">", eb.ref("ack_due_at")),
      ]),
    )
    .executeTakeFirst();
  const fy = fiscalYearOf(at);
  const closed = await db
    .selectFrom("complaints")
    .select(["due_at", "closed_at", "channel", "category_id", "deadline_mode"])
    .where("fiscal_year", "=", fy)
    .where("closed_at", "is not", null)
    .execute();
  let met = 0;
  let missed = 0;
  for (const c of closed) {
    const v = caseDeadlineView({ ...c, paused_at: null, remaining_days: null }, policies.of(c), at);
    if (v.state === "met") met++;
    else if (v.state === "missed") missed++;
  }
  return {
    counts,
    byDivision: [...byDivision.values()].sort((a, b) => b.count - a.count),
    byAssignee: [...byAssignee.values()].sort((a, b) => b.count - a.count),
    owed,
    owedCount,
    ackLate,
    ackLateCount: Number(ackLateCount?.n ?? 0),
    fiscalYear: fy,
    met,
    missed,
  };
}
