/**
 * The dead-letter view of the outbox for administrators: messages that failed (still being retried) or were given up
 * ("dead" after MAX_ATTEMPTS). Only kind, case, attempts, times and the last error are shown — never the payload
 * (recipient and text are personal data). Retrying puts a message back in the queue with a fresh attempt count.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { now } from "~/utils/clock.server";

export async function listUndelivered(db: Kysely<Database>, limit = 200) {
  const rows = await db
    .selectFrom("outbox")
    .leftJoin("complaints", "complaints.id", "outbox.complaint_id")
    .select([
      "outbox.id",
      "outbox.kind",
      "outbox.status",
      "outbox.attempts",
      "outbox.last_error",
      "outbox.created_at",
      "outbox.next_attempt_at",
      "complaints.reference",
    ])
    .select((eb) => eb("outbox.payload", "is not", null).as("has_payload"))
    .where((eb) =>
      eb.or([eb("outbox.status", "=", "dead"), eb.and([eb("outbox.status", "in", ["pending", "sending"]), eb("outbox.attempts", ">", 0)])]),
    )
    .orderBy("outbox.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, has_payload: Boolean(r.has_payload) }));
}

/** Puts dead (or failing) messages back in the queue; returns how many. `ids` undefined = every dead message. */
export async function retryMessages(db: Kysely<Database>, ids?: number[]): Promise<number> {
  let q = db
    .updateTable("outbox")
    .set({ status: "pending", attempts: 0, next_attempt_at: now().toISOString(), claimed_by: null, claimed_until: null })
    .where("payload", "is not", null);
  if (ids) {
    if (ids.length === 0) return 0;
    q = q
      .where("id", "in", ids)
      .where((eb) => eb.or([eb("status", "=", "dead"), eb.and([eb("status", "=", "pending"), eb("attempts", ">", 0)])]));
  } else {
    q = q.where("status", "=", "dead");
  }
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}
