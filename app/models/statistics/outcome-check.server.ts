/**
 * Recomputes every complaint's first-period and acknowledgement outcome from its history (status events, notices and
 * timestamps: app/models/statistics/outcome-history.ts) and lists each case whose STORED outcome (complaints.sla_outcome /
 * ack_outcome, which the statistics sum) disagrees. Used by `npm run stats:rebuild -- --check`. Reads the cases in
 * id order in batches, so memory stays bounded at a million cases.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { caseCounting, casePolicies, computeDueAt, policyOfCase, type CountingMode } from "~/models/deadlines/index";
import { outcomeAgrees, replayAckOutcome, replaySlaOutcome, statusEventKind, type HistoryEvent } from "~/models/statistics/outcome-history";

export interface OutcomeDisagreement {
  reference: string;
  field: "sla_outcome" | "ack_outcome";
  stored: string | null;
  expected: string | null;
}

/** The ticker runs every minute: outcomes that became due within this margin may still be undecided. */
export const OUTCOME_GRACE_MS = 10 * 60_000;

interface CaseRow {
  id: number;
  reference: string;
  channel: string;
  category_id: number | null;
  deadline_mode: CountingMode | null;
  received_at: string;
  due_at: string;
  period_no: number;
  ack_due_at: string | null;
  acknowledged_at: string | null;
  sla_outcome: string | null;
  ack_outcome: string | null;
}

export async function findOutcomeDisagreements(
  db: Kysely<Database>,
  now: Date,
  opts: { batch?: number; limit?: number } = {},
): Promise<{ checked: number; disagreements: OutcomeDisagreement[] }> {
  const batch = opts.batch ?? 5000;
  const limit = opts.limit ?? Infinity;
  const policies = await casePolicies(db);
  const out: OutcomeDisagreement[] = [];
  let checked = 0;
  let after = 0;
  for (;;) {
    const cases = (
      await sql<CaseRow>`select c.id, c.reference, c.channel, c.category_id, c.deadline_mode, c.received_at, c.due_at, c.period_no, c.ack_due_at,
          c.acknowledged_at, c.sla_outcome, c.ack_outcome
        from complaints c
        where c.id > ${after} order by c.id limit ${batch}`.execute(db)
    ).rows;
    if (cases.length === 0) break;
    const lo = cases[0]!.id;
    const hi = cases[cases.length - 1]!.id;
    after = hi;
    const [events, notices] = await Promise.all([
      sql<{ complaint_id: number; from_status: string | null; to_status: string | null; created_at: string }>`
        select complaint_id, from_status, to_status, created_at from case_events
        where kind = 'status' and complaint_id between ${lo} and ${hi}`.execute(db),
      sql<{ complaint_id: number; kind: string; created_at: string }>`
        select complaint_id, kind, created_at from notices
        where kind in ('explanation', 'acknowledgement') and complaint_id between ${lo} and ${hi}`.execute(db),
    ]);
    const history = new Map<number, HistoryEvent[]>();
    const firstAck = new Map<number, string>();
    const push = (id: number, e: HistoryEvent) => {
      const list = history.get(id);
      if (list) list.push(e);
      else history.set(id, [e]);
    };
    for (const e of events.rows) {
      const kind = statusEventKind(e.from_status, e.to_status);
      if (kind) push(e.complaint_id, { at: e.created_at, kind });
    }
    for (const n of notices.rows) {
      if (n.kind === "explanation") push(n.complaint_id, { at: n.created_at, kind: "explain" });
      else {
        const prev = firstAck.get(n.complaint_id);
        if (!prev || n.created_at < prev) firstAck.set(n.complaint_id, n.created_at);
      }
    }
    for (const c of cases) {
      checked++;
      const evs = history.get(c.id) ?? [];
      const policy = policies.of({ channel: c.channel, category_id: c.category_id });
      const counting = caseCounting(c, policy);
      // The first deadline: the stored one while the case is in its first period and was never paused (it was set at
      // receipt with the policy of that day); otherwise recomputed from the date of receipt.
      const untouched = c.period_no === 1 && !evs.some((e) => e.kind === "pause");
      const firstDueAt = untouched ? c.due_at : computeDueAt(new Date(c.received_at), policyOfCase(c, policy)).toISOString();
      const noticeAck = firstAck.get(c.id) ?? null;
      const acknowledgedAt =
        c.acknowledged_at && noticeAck ? (c.acknowledged_at < noticeAck ? c.acknowledged_at : noticeAck) : (c.acknowledged_at ?? noticeAck);
      const h = {
        receivedAt: c.received_at,
        firstDueAt,
        deadlineMode: c.deadline_mode,
        events: evs,
        ackDueAt: c.ack_due_at,
        acknowledgedAt,
      };
      const sla = (at: Date) => replaySlaOutcome(h, counting, at);
      const ack = (at: Date) => replayAckOutcome(h, at);
      if (!outcomeAgrees(c.sla_outcome, sla, now, OUTCOME_GRACE_MS))
        out.push({ reference: c.reference, field: "sla_outcome", stored: c.sla_outcome, expected: sla(now) });
      if (!outcomeAgrees(c.ack_outcome, ack, now, OUTCOME_GRACE_MS))
        out.push({ reference: c.reference, field: "ack_outcome", stored: c.ack_outcome, expected: ack(now) });
      if (out.length >= limit) return { checked, disagreements: out };
    }
  }
  return { checked, disagreements: out };
}
