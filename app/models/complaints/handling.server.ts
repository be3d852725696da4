/**
 * What staff do to a case: status actions, assignment, public replies and internal notes. Each change is one
 * transaction that writes the case and its history row (and, when the citizen gave an e-mail address, the notice
 * in the outbox), so the record is never half-written.
 */
import type { Transaction } from "kysely";
import type { CaseEvent, Complaint, Database } from "../../../db/schema";
import { inTransaction, type Executor } from "../../../db/connection";
import { DomainError } from "~/lib/domain-error";
import {
  ACTION_REQUIRED_FIELD,
  applyTransition,
  InvalidTransitionError,
  isCaseStatus,
  type CaseAction,
  type CaseStatus,
} from "~/lib/complaint-status";
import { casePolicies, computeDueAt, daysAtPause, dueAtOnResume, outcomeOnClose, outcomeOnPause } from "../deadlines/index";
import { canActOnCase, canAssign, canViewCase, type Actor, type CaseOperation } from "~/lib/permissions";
import { cleanText } from "~/lib/validation";
import { getOrgProfile } from "../organisation/profile.server";
import { enqueueEmail } from "../notices/outbox.server";
import { recordNotice } from "../notices/notices.server";
import { createRatingToken } from "./satisfaction.server";
import { now } from "~/utils/clock.server";
import { buildCaseNotice, type CaseNoticeKind } from "../../../emails/case-notice";
import { queueLineUpdate } from "../line/updates.server";
import { publicUrl } from "~/utils/public-url.server";

type Trx = Transaction<Database>;

export const NOTE_MAX = 5000;
export const FORWARDED_TO_MAX = 300;

function text(v: string | undefined | null, max: number, field: string): string {
  const s = cleanText(v ?? "");
  if ([...s].length > max) throw DomainError.invalid(field, "caseErrors.tooLong", { params: { max: String(max) } });
  if (/[\u0000-\u0008\u000B-\u001F\u007F\uFFFD]/.test(s)) throw DomainError.invalid(field, "caseErrors.invalidText");
  return s;
}

async function loadCase(trx: Trx, complaintId: number, actor: Actor, op: CaseOperation): Promise<Complaint> {
  const c = await trx.selectFrom("complaints").selectAll().where("id", "=", complaintId).executeTakeFirst();
  if (!c || !canViewCase(actor, c)) throw DomainError.notFound("caseErrors.notFound");
  if (!canActOnCase(actor, c, op)) throw DomainError.forbidden("caseErrors.forbidden");
  return c;
}

async function writeEvent(trx: Trx, e: Omit<CaseEvent, "id" | "created_at"> & { created_at?: string }): Promise<number> {
  const row = await trx
    .insertInto("case_events")
    .values({ ...e, created_at: e.created_at ?? now().toISOString() })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function notifyCitizen(
  trx: Trx,
  c: Complaint,
  eventId: number,
  kind: CaseNoticeKind,
  body: string,
  extra?: string,
): Promise<boolean> {
  if (!c.contact_email) return false;
  const org = await getOrgProfile(trx);
  // The result e-mail carries a one-purpose link to rate the handling; the token sits in the fragment so it never
  // reaches a server log, and it is never logged here.
  const rateUrl =
    kind === "resolved" || kind === "forwarded" ? `${publicUrl()}/track/rate#t=${await createRatingToken(trx, c.id)}` : undefined;
  const message = buildCaseNotice({
    kind,
    reference: c.reference,
    text: body,
    extra,
    lang: c.lang === "en" ? "en" : "th",
    at: now(),
    trackUrl: `${publicUrl()}/track`,
    rateUrl,
    org,
  });
  await enqueueEmail(trx, {
    kind: `notice.${kind}`,
    complaintId: c.id,
    message: { to: c.contact_email, ...message },
    dedupeKey: `notice:${eventId}`,
  });
  return true;
}

export interface CaseActionInput {
  complaintId: number;
  actor: Actor;
  action: CaseAction;
  note?: string;
  resultSummary?: string;
  forwardedTo?: string;
}

export interface CaseActionResult {
  from: CaseStatus;
  to: CaseStatus;
  eventId: number;
  emailed: boolean;
}

/**
 * Applies a status action. Refusals: 404 (cannot see the case), 403 (role may not), 409 (not possible from the
 * current status, or the case changed meanwhile), 422 (required result summary / receiving agency missing).
 */
export async function applyCaseAction(db: Executor, input: CaseActionInput): Promise<CaseActionResult> {
  const note = text(input.note, NOTE_MAX, "note");
  const resultSummary = text(input.resultSummary, NOTE_MAX, "resultSummary");
  const forwardedTo = text(input.forwardedTo, FORWARDED_TO_MAX, "forwardedTo");
  const required = ACTION_REQUIRED_FIELD[input.action];
  if (required === "resultSummary" && !resultSummary) throw DomainError.invalid("resultSummary", "caseErrors.resultSummaryRequired");
  if (required === "forwardedTo" && !forwardedTo) throw DomainError.invalid("forwardedTo", "caseErrors.forwardedToRequired");
  if (input.action === "request_info" && !note) throw DomainError.invalid("note", "caseErrors.noteRequired");

  return inTransaction(db, async (trx) => {
    const c = await loadCase(trx, input.complaintId, input.actor, input.action);
    if (!isCaseStatus(c.status)) throw DomainError.conflict("caseErrors.unknownStatus");
    const from = c.status;
    let to: CaseStatus;
    try {
      to = applyTransition(from, input.action);
    } catch (e) {
      if (e instanceof InvalidTransitionError)
        throw DomainError.conflict("caseErrors.invalidTransition", { params: { from, action: input.action } });
      throw e;
    }
    const at = now();
    const iso = at.toISOString();
    const set: Partial<Complaint> = { status: to, updated_at: iso };
    if (input.action === "accept" && !c.accepted_at) set.accepted_at = iso;
    if (input.action === "resolve") {
      set.closed_at = iso;
      set.result_summary = resultSummary;
    }
    if (input.action === "forward") {
      set.closed_at = iso;
      set.forwarded_to = forwardedTo;
    }
    // Measure 23 statistics: resolving or forwarding settles the first period's outcome if still open (deadlines/outcomes.ts).
    if (input.action === "resolve" || input.action === "forward") {
      const outcome = outcomeOnClose(c, at);
      if (outcome) set.sla_outcome = outcome;
    }
    // Deadline clock: request_info pauses it keeping the days left, info_received resumes it, forward stops
    // it (closed_at), reopen starts a new period with a new deadline, a result clears "explanation owed".
    if (input.action === "request_info" || input.action === "info_received" || input.action === "reopen") {
      const policy = (await casePolicies(trx)).of(c);
      if (input.action === "request_info") {
        // Paused after the deadline: the days overdue are kept (negative) and the first period is late.
        set.paused_at = iso;
        set.remaining_days = daysAtPause(c, at, policy);
        const outcome = outcomeOnPause(c, at);
        if (outcome) set.sla_outcome = outcome;
      } else if (input.action === "info_received") {
        // A case paused before the clock existed (no remaining_days) keeps its deadline.
        const dueAt = dueAtOnResume(c, at, policy);
        if (dueAt) set.due_at = dueAt.toISOString();
        set.paused_at = null;
        set.remaining_days = null;
      } else {
        set.closed_at = null;
        set.period_no = c.period_no + 1;
        set.period_started_at = iso;
        set.due_at = computeDueAt(at, policy).toISOString();
        set.deadline_mode = policy.mode;
        set.paused_at = null;
        set.remaining_days = null;
        set.explanation_owed = 0;
        set.expected_at = null;
      }
    }
    if (input.action === "resolve") set.explanation_owed = 0;
    if (input.action === "forward") {
      set.paused_at = null;
      set.remaining_days = null;
    }
    const res = await trx.updateTable("complaints").set(set).where("id", "=", c.id).where("status", "=", from).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw DomainError.conflict("caseErrors.changedMeanwhile");

    // Status changes are shown to the citizen with their note; resolve/forward carry the result or agency.
    const publicNote =
      input.action === "resolve"
        ? [resultSummary, note].filter(Boolean).join("\n\n")
        : input.action === "forward"
          ? [forwardedTo, note].filter(Boolean).join("\n\n")
          : note;
    const eventId = await writeEvent(trx, {
      complaint_id: c.id,
      kind: "status",
      from_status: from,
      to_status: to,
      actor_id: input.actor.id,
      note: publicNote,
      is_public: 1,
      division_id: c.division_id,
      assignee_id: c.assignee_id,
      created_at: iso,
    });
    let emailed = false;
    if (input.action === "resolve") emailed = await notifyCitizen(trx, c, eventId, "resolved", resultSummary, note || undefined);
    else if (input.action === "forward") emailed = await notifyCitizen(trx, c, eventId, "forwarded", forwardedTo, note || undefined);
    else if (input.action === "request_info") emailed = await notifyCitizen(trx, c, eventId, "info_requested", note);
    // Chats following the case on LINE: the result (with the rating asked) or the new status, with the public note.
    if (input.action === "resolve" || input.action === "forward")
      await queueLineUpdate(
        trx,
        c,
        { kind: "result", outcome: to === "forwarded" ? "forwarded" : "resolved", text: publicNote },
        `event:${eventId}`,
      );
    else await queueLineUpdate(trx, c, { kind: "status", status: to, note: publicNote }, `event:${eventId}`);
    // Written notice of the result: the result / forwarding is recorded as a 'result' notice (when, how, by whom)
    // for /track and the printable letter; the e-mail itself was queued above.
    if (input.action === "resolve" || input.action === "forward") {
      await recordNotice(trx, {
        complaintId: c.id,
        kind: "result",
        method: emailed ? "email" : "track",
        staffId: input.actor.id,
        lang: c.lang === "en" ? "en" : "th",
        body: publicNote,
      });
    }
    return { from, to, eventId, emailed };
  });
}

export interface AssignInput {
  complaintId: number;
  actor: Actor;
  /** New division; undefined keeps the current one (or, with followAssignee, takes the chosen person's). */
  divisionId?: number | null;
  /** "Keep / follow the person": with no division chosen, the case goes to the chosen person's division. */
  followAssignee?: boolean;
  /** New person; null removes the assignee; undefined keeps the person if they belong to the (new) division. */
  assigneeId?: number | null;
  note?: string;
}

/** Gives a case to a division and/or a person (who must be active staff of that division). Internal history. */
export async function assignCase(db: Executor, input: AssignInput): Promise<{ eventId: number }> {
  const note = text(input.note, NOTE_MAX, "note");
  return inTransaction(db, async (trx) => {
    const c = await loadCase(trx, input.complaintId, input.actor, "assign");
    let divisionId = input.divisionId === undefined ? c.division_id : input.divisionId;
    if (input.followAssignee && input.divisionId === undefined && typeof input.assigneeId === "number") {
      const person = await trx.selectFrom("staff").select("division_id").where("id", "=", input.assigneeId).executeTakeFirst();
      if (person?.division_id != null) divisionId = person.division_id;
    }
    if (divisionId !== null && divisionId !== c.division_id) {
      const d = await trx.selectFrom("divisions").select(["id", "active"]).where("id", "=", divisionId).executeTakeFirst();
      if (!d || d.active !== 1) throw DomainError.invalid("divisionId", "caseErrors.unknownDivision");
    }
    let assigneeId: number | null;
    if (input.assigneeId === undefined) assigneeId = divisionId === c.division_id ? c.assignee_id : null;
    else assigneeId = input.assigneeId;
    let assigneeDivisionId: number | null = null;
    if (assigneeId !== null) {
      const s = await trx
        .selectFrom("staff")
        .select(["id", "active", "division_id", "role"])
        .where("id", "=", assigneeId)
        .executeTakeFirst();
      if (!s || s.active !== 1 || s.role === "executive" || divisionId === null || s.division_id !== divisionId) {
        throw DomainError.invalid("assigneeId", "caseErrors.assigneeNotInDivision");
      }
      assigneeDivisionId = s.division_id;
    }
    if (!canAssign(input.actor, c, { divisionId, assigneeDivisionId, hasAssignee: assigneeId !== null })) {
      throw DomainError.forbidden("caseErrors.forbidden");
    }
    if (divisionId === c.division_id && assigneeId === c.assignee_id) throw new DomainError(422, "caseErrors.nothingChanged");
    const iso = now().toISOString();
    await trx
      .updateTable("complaints")
      .set({ division_id: divisionId, assignee_id: assigneeId, updated_at: iso })
      .where("id", "=", c.id)
      .execute();
    const eventId = await writeEvent(trx, {
      complaint_id: c.id,
      kind: "assign",
      from_status: c.status,
      to_status: c.status,
      actor_id: input.actor.id,
      note,
      is_public: 0,
      division_id: divisionId,
      assignee_id: assigneeId,
      created_at: iso,
    });
    return { eventId };
  });
}

/** A public reply to the citizen (shown on /track; e-mailed when they gave an address). */
export async function addReply(
  db: Executor,
  input: { complaintId: number; actor: Actor; text: string },
): Promise<{ eventId: number; emailed: boolean }> {
  const body = text(input.text, NOTE_MAX, "note");
  if (!body) throw DomainError.invalid("note", "caseErrors.noteRequired");
  return inTransaction(db, async (trx) => {
    const c = await loadCase(trx, input.complaintId, input.actor, "reply");
    const iso = now().toISOString();
    await trx.updateTable("complaints").set({ updated_at: iso }).where("id", "=", c.id).execute();
    const eventId = await writeEvent(trx, {
      complaint_id: c.id,
      kind: "reply",
      from_status: c.status,
      to_status: c.status,
      actor_id: input.actor.id,
      note: body,
      is_public: 1,
      division_id: c.division_id,
      assignee_id: c.assignee_id,
      created_at: iso,
    });
    const emailed = await notifyCitizen(trx, c, eventId, "reply", body);
    await queueLineUpdate(trx, c, { kind: "reply", text: body }, `event:${eventId}`);
    return { eventId, emailed };
  });
}

/** An internal note: staff only, never shown to the citizen or e-mailed. */
export async function addInternalNote(
  db: Executor,
  input: { complaintId: number; actor: Actor; text: string },
): Promise<{ eventId: number }> {
  const body = text(input.text, NOTE_MAX, "note");
  if (!body) throw DomainError.invalid("note", "caseErrors.noteRequired");
  return inTransaction(db, async (trx) => {
    const c = await loadCase(trx, input.complaintId, input.actor, "note");
    const eventId = await writeEvent(trx, {
      complaint_id: c.id,
      kind: "note",
      from_status: c.status,
      to_status: c.status,
      actor_id: input.actor.id,
      note: body,
      is_public: 0,
      division_id: c.division_id,
      assignee_id: c.assignee_id,
    });
    return { eventId };
  });
}

/** Everything the case page shows; 404 when the case does not exist or the actor may not see it. */
export async function getCaseForStaff(db: Executor, reference: string, actor: Actor) {
  const c = await db
    .selectFrom("complaints")
    .leftJoin("categories", "categories.id", "complaints.category_id")
    .leftJoin("villages", "villages.id", "complaints.village_id")
    .leftJoin("divisions", "divisions.id", "complaints.division_id")
    .leftJoin("staff as assignee", "assignee.id", "complaints.assignee_id")
    .leftJoin("staff as recorder", "recorder.id", "complaints.recorded_by")
    .selectAll("complaints")
    .select([
      "categories.name_th as category_th",
      "categories.name_en as category_en",
      "villages.number as village_number",
      "villages.name_th as village_th",
      "villages.name_en as village_en",
      "divisions.name_th as division_th",
      "divisions.name_en as division_en",
      "assignee.name as assignee_name",
      "recorder.name as recorder_name",
    ])
    .where("complaints.reference", "=", reference)
    .executeTakeFirst();
  if (!c || !canViewCase(actor, c)) throw DomainError.notFound("caseErrors.notFound");
  const events = await db
    .selectFrom("case_events")
    .leftJoin("staff", "staff.id", "case_events.actor_id")
    .leftJoin("divisions", "divisions.id", "case_events.division_id")
    .leftJoin("staff as assignee", "assignee.id", "case_events.assignee_id")
    .selectAll("case_events")
    .select([
      "staff.name as actor_name",
      "divisions.name_th as division_th",
      "divisions.name_en as division_en",
      "assignee.name as assignee_name",
    ])
    .where("case_events.complaint_id", "=", c.id)
    .orderBy("case_events.id")
    .execute();
  const attachments = await db
    .selectFrom("attachments")
    .select(["id", "mime", "size", "original_name", "created_at"])
    .where("complaint_id", "=", c.id)
    .orderBy("id")
    .execute();
  return { complaint: c, events, attachments };
}
