/**
 * Plan topics of a general complaint: officers classify cases at triage with the topics the anti-corruption
 * plan's targets count (measures 13, 15, 16, 17, 19, 20). Stored in complaint_topics; topic_stats follows by trigger
 * (db/statistics.ts), so a change here moves the public figures in the same transaction.
 *
 * Who may set them: whoever may handle the case (the same rule as accepting/assigning it: canActOnCase "assign");
 * executives and other read-only roles may not. Each change writes an internal history row on the case.
 */
import type { PlanTopic } from "../../../db/schema";
import { inTransaction, type Executor } from "../../../db/connection";
import { DomainError } from "~/lib/domain-error";
import { PLAN_TOPIC_CODES } from "~/lib/complaint-list-filter";
import { isPlanTopic } from "~/lib/plan-targets";
import { canActOnCase, canViewCase, type Actor } from "~/lib/permissions";
import { tFor } from "~/i18n";
import { now } from "~/utils/clock.server";

export type { PlanTopic };

/** The plan topics, in the order they are shown (names also in the caselist locale: topics.<code>.name). */
export const PLAN_TOPICS: readonly { code: PlanTopic; nameTh: string; nameEn: string }[] = PLAN_TOPIC_CODES.map((code) => ({
  code,
  nameTh: tFor("th", "caselist")(`topics.${code}.name`),
  nameEn: tFor("en", "caselist")(`topics.${code}.name`),
}));

export { isPlanTopic };

/** The operation that guards topics: the same as accepting and assigning a case. */
export function canSetTopics(actor: Actor, c: { division_id: number | null }): boolean {
  return canActOnCase(actor, c, "assign");
}

/** A case's topics, in PLAN_TOPICS order. */
export async function getComplaintTopics(db: Executor, complaintId: number): Promise<PlanTopic[]> {
  const rows = await db.selectFrom("complaint_topics").select("topic").where("complaint_id", "=", complaintId).execute();
  const set = new Set(rows.map((r) => r.topic));
  return PLAN_TOPIC_CODES.filter((t) => set.has(t));
}

/**
 * Replaces the case's topics with `topics` (duplicates ignored) in one transaction, with an internal history row
 * naming the new set (in the organisation's language, Thai). Refusals: 404 (cannot see the case), 403 (may not set
 * topics), 422 (an unknown topic: nothing is written). Returns whether anything changed.
 */
export async function setComplaintTopics(
  db: Executor,
  input: { complaintId: number; topics: readonly string[]; actor: Actor },
): Promise<{ changed: boolean; topics: PlanTopic[] }> {
  const { topics, actor } = input;
  if (!topics.every(isPlanTopic)) throw DomainError.invalid("topics", "topicsForm.badTopic", { ns: "caselist" });
  const wanted = PLAN_TOPIC_CODES.filter((t) => topics.includes(t));
  return inTransaction(db, async (trx) => {
    const c = await trx
      .selectFrom("complaints")
      .select(["id", "division_id", "assignee_id", "status"])
      .where("id", "=", input.complaintId)
      .executeTakeFirst();
    if (!c || !canViewCase(actor, c)) throw DomainError.notFound("caseErrors.notFound", { ns: "staff" });
    if (!canSetTopics(actor, c)) throw DomainError.forbidden("caseErrors.forbidden", { ns: "staff" });
    const current = (await trx.selectFrom("complaint_topics").select("topic").where("complaint_id", "=", c.id).execute()).map(
      (r) => r.topic,
    );
    const removed = current.filter((t) => !wanted.includes(t));
    const added = wanted.filter((t) => !current.includes(t));
    if (removed.length === 0 && added.length === 0) return { changed: false, topics: wanted };
    if (removed.length) await trx.deleteFrom("complaint_topics").where("complaint_id", "=", c.id).where("topic", "in", removed).execute();
    if (added.length)
      await trx
        .insertInto("complaint_topics")
        .values(added.map((topic) => ({ complaint_id: c.id, topic })))
        .execute();
    const t = tFor("th", "caselist");
    const note = wanted.length
      ? t("topicsForm.history", { topics: wanted.map((x) => t(`topics.${x}.name`)).join(", ") })
      : t("topicsForm.historyNone");
    const iso = now().toISOString();
    await trx
      .insertInto("case_events")
      .values({
        complaint_id: c.id,
        kind: "note",
        from_status: c.status,
        to_status: c.status,
        actor_id: actor.id,
        note,
        is_public: 0,
        division_id: c.division_id,
        assignee_id: c.assignee_id,
        created_at: iso,
      })
      .execute();
    await trx.updateTable("complaints").set({ updated_at: iso }).where("id", "=", c.id).execute();
    return { changed: true, topics: wanted };
  });
}
