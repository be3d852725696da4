/**
 * The officer's case page (/staff/cases/:reference): everything it shows, read in one call and shaped for the page
 * (dates formatted in the reader's language, names picked in that language), and which actions the signed-in person
 * may take on the case in its current status.
 */
import type { Executor } from "../../../db/connection";
import type { DB } from "../../../db/connection";
import type { Lang } from "~/i18n";
import { DomainError } from "~/lib/domain-error";
import { caseOperations, planActionPanel } from "~/lib/case-action-panel";
import { isCaseAction, isCaseStatus, nextStatus, type CaseStatus } from "~/lib/complaint-status";
import { canChangeDivision, canViewCase, type Actor, type CaseOperation, type CaseScope } from "~/lib/permissions";
import { bangkokDateKey, formatThaiDate } from "~/lib/thai-date";
import { getCaseForStaff } from "./handling.server";
import { caseDeadlineView, casePolicies, defaultExpectedDate, policyOfCase } from "../deadlines/index";
import { listNoticesForStaff, prefillNotice, type NoticeMethod } from "../notices/notices.server";
import { listDivisions, nameIn } from "../organisation/profile.server";
import { getCaseRating } from "./satisfaction.server";
import { listAssignableStaff } from "../staff/staff.server";
import { canSetTopics, getComplaintTopics } from "./topics.server";
import { countMeToo } from "./me-too.server";

/** What an officer can do on the case page, one form each. */
export type CaseWorkAction = CaseOperation;

/** The operations the actor may take on the case in its current status, the usual next step first. */
export const availableActions: (c: CaseScope & { status: string }, actor: Actor) => CaseWorkAction[] = caseOperations;

/** The case's id and reference when the actor may see it; 404 otherwise. */
export async function findCaseFor(db: Executor, actor: Actor, reference: string): Promise<{ id: number; reference: string }> {
  const c = await db
    .selectFrom("complaints")
    .select(["id", "reference", "division_id"])
    .where("reference", "=", reference)
    .executeTakeFirst();
  if (!c || !canViewCase(actor, c)) throw DomainError.notFound("caseErrors.notFound");
  return { id: c.id, reference: c.reference };
}

/**
 * Everything the case page shows and offers, for `actor` reading in `lang` at `at`; 404 when they may not see it.
 * `directoryVersion`: the staff directory version read with the session (the assign list is kept while it holds).
 */
export async function caseWorkspace(
  db: DB,
  actor: Actor,
  reference: string,
  lang: Lang,
  at: Date,
  opts: { directoryVersion?: number } = {},
) {
  const { complaint: c, events, attachments } = await getCaseForStaff(db, reference, actor);
  const status: CaseStatus = isCaseStatus(c.status) ? c.status : "received";
  const policy = (await casePolicies(db)).of(c);
  const deadline = caseDeadlineView(c, policy, at);
  const panel = planActionPanel(
    { ...c, deadlineState: deadline.state, explanationOwed: c.explanation_owed === 1, explained: c.explained_at !== null },
    actor,
  );
  const actions = [...panel.main, ...panel.other];
  const canAssign = actions.includes("assign");
  const [notices, topics, rating, divisions, people, explanation, progress] = await Promise.all([
    listNoticesForStaff(db, c.id),
    getComplaintTopics(db, c.id),
    getCaseRating(db, c.id, at),
    canAssign ? listDivisions(db) : Promise.resolve([]),
    canAssign
      ? listAssignableStaff(db, actor.role === "officer" ? actor.division_id : undefined, { directoryVersion: opts.directoryVersion })
      : Promise.resolve([]),
    actions.includes("explanation") ? prefillNotice(db, c, "explanation") : Promise.resolve(null),
    actions.includes("progress") ? prefillNotice(db, c, "progress") : Promise.resolve(null),
  ]);
  const when = (iso: string | null) => (iso ? formatThaiDate(new Date(iso), lang, { withTime: true }) : "");
  const day = (iso: string | null) => (iso ? formatThaiDate(new Date(iso), lang) : "");
  const inLang = (th: string | null, en: string | null) => (lang === "en" ? en : th) ?? "";
  const meToo = await countMeToo(db, c.id);
  return {
    c: {
      id: c.id,
      reference: c.reference,
      status,
      channel: c.channel,
      subject: c.subject,
      details: c.details,
      category: inLang(c.category_th, c.category_en),
      village: c.village_number === null ? "" : `${c.village_number} ${inLang(c.village_th, c.village_en)}`.trim(),
      landmark: c.landmark,
      latitude: c.latitude,
      longitude: c.longitude,
      meToo,
      contactName: c.contact_name,
      contactPhone: c.contact_phone,
      contactEmail: c.contact_email,
      contactAddress: c.contact_address,
      preferredContact: c.preferred_contact,
      lang: c.lang,
      division: inLang(c.division_th, c.division_en),
      divisionId: c.division_id,
      assignee: c.assignee_name ?? "",
      assigneeId: c.assignee_id,
      receivedAt: when(c.received_at),
      dueAt: when(c.due_at),
      acceptedAt: when(c.accepted_at),
      closedAt: when(c.closed_at),
      resultSummary: c.result_summary,
      forwardedTo: c.forwarded_to,
      recordedBy: c.recorder_name ?? "",
      deadline,
      explanationOwed: c.explanation_owed === 1,
      explainedAt: when(c.explained_at),
      expectedAt: day(c.expected_at),
    },
    topics,
    canSetTopics: canSetTopics(actor, c),
    rating: rating
      ? {
          score: rating.score,
          comment: rating.comment,
          givenAt: when(rating.createdAt),
          changedAt: rating.updatedAt !== rating.createdAt ? when(rating.updatedAt) : null,
        }
      : null,
    notices: notices.map((n) => ({
      id: n.id,
      kind: n.kind,
      method: n.method,
      body: n.body,
      by: n.staff_name ?? "",
      at: when(n.created_at),
      expectedAt: day(n.expected_at),
    })),
    explanation: explanation
      ? { body: explanation.body, expectedDefault: defaultExpectedDate(at, policyOfCase(c, policy)), minDate: bangkokDateKey(at) }
      : null,
    progress: progress ? { body: progress.body } : null,
    defaultMethod: (c.contact_email ? "email" : c.contact_address ? "letter" : "track") as NoticeMethod,
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      from: e.from_status,
      to: e.to_status,
      note: e.note,
      isPublic: e.is_public === 1,
      actor: e.actor_name ?? "",
      division: inLang(e.division_th, e.division_en),
      assignee: e.assignee_name ?? "",
      at: when(e.created_at),
    })),
    attachments: attachments.map((a) => ({ id: a.id, mime: a.mime, size: a.size, name: a.original_name })),
    panel: {
      main: panel.main,
      other: panel.other,
      explanation: panel.explanation,
      /** The status each status-changing action leads to. */
      becomes: Object.fromEntries(actions.filter(isCaseAction).map((a) => [a, nextStatus(status, a)])) as Partial<
        Record<CaseOperation, CaseStatus | null>
      >,
    },
    canChangeDivision: canChangeDivision(actor),
    divisions: divisions.map((x) => ({ id: x.id, name: nameIn(lang, x) })),
    people: people.map((p) => ({ id: p.id, name: p.name, divisionId: p.division_id })),
  };
}

export type CaseWorkspace = Awaited<ReturnType<typeof caseWorkspace>>;
