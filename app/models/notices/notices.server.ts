/**
 * Written notices to complainants (measure 3.2.3): acknowledgement, progress, explanation of a delay, result.
 * Each notice is a row (when, how, by whom, in which language, the exact text), e-mailed in the same transaction when
 * the complainant gave an address, always shown on /track, and printable as a letter for posting.
 * Texts come from editable templates (notice_templates; defaults in app/locales/<lang>/notice.json "templates") with
 * a fixed set of placeholders that are checked before a template is saved.
 */
import type { Kysely } from "kysely";
import type { Complaint, Database, NoticeKind, NoticeTable } from "../../../db/schema";
import { inTransaction, type Executor } from "../../../db/connection";
import { DomainError } from "~/lib/domain-error";
import { canActOnCase, canViewCase, type Actor } from "~/lib/permissions";
import { tFor, type Lang } from "~/i18n";
import { formatThaiDate, dateFromBangkokKey, endOfBangkokDay, bangkokDateKey } from "~/lib/thai-date";
import { cleanText } from "~/lib/validation";
import { ackOutcome, outcomeOnExplanation } from "../deadlines/index";
import { isCaseStatus, isOpenStatus } from "~/lib/complaint-status";
import { renderBilingualEmail } from "../../../emails/layout";
import { enqueueEmail } from "./outbox.server";
import { queueLineUpdate } from "../line/updates.server";
import { getOrgProfile } from "../organisation/profile.server";
import { now } from "~/utils/clock.server";
import {
  getTemplate,
  isNoticeKind,
  NOTICE_TEXT_MAX,
  renderTemplate,
  validatePlaceholders,
  type Placeholder,
} from "./notice-templates.server";
import { publicUrl } from "~/utils/public-url.server";

export {
  getTemplate,
  isNoticeKind,
  listTemplates,
  NOTICE_KINDS,
  NOTICE_SUBJECT_MAX,
  NOTICE_TEXT_MAX,
  PLACEHOLDERS,
  renderTemplate,
  resetTemplate,
  saveTemplate,
  templateErrors,
  validatePlaceholders,
  type NoticeTemplate,
  type Placeholder,
  type PlaceholderProblem,
} from "./notice-templates.server";

export const NOTICE_METHODS = ["email", "letter", "track"] as const;
export type NoticeMethod = (typeof NOTICE_METHODS)[number];

/** Refusals of this module carry i18n keys of the "notice" namespace. */
const NS = "notice";

type CaseForNotice = Pick<
  Complaint,
  "id" | "reference" | "received_at" | "due_at" | "expected_at" | "status" | "result_summary" | "forwarded_to" | "lang" | "contact_email"
>;

/** The placeholder values for a case, in the notice's language. */
export async function placeholderValues(
  db: Executor,
  c: CaseForNotice,
  lang: Lang,
  expectedAt?: string | null,
): Promise<Record<Placeholder, string>> {
  const org = await getOrgProfile(db as Kysely<Database>);
  const date = (iso: string | null | undefined) => (iso ? formatThaiDate(new Date(iso), lang) : "");
  const exp = expectedAt ?? c.expected_at;
  return {
    reference: c.reference,
    receivedDate: date(c.received_at),
    dueDate: date(c.due_at),
    expectedDate: date(exp),
    orgName: lang === "en" ? org.name_en : org.name_th,
    status: tFor(lang, "track")(`status.${c.status}`),
    result: c.status === "forwarded" ? c.forwarded_to : c.result_summary,
    trackUrl: `${publicUrl()}/track`,
  };
}

/**
 * The text an officer starts from: the template with the case's details filled in. `{{expectedDate}}` is left in
 * the explanation so the date chosen in the form replaces it when the notice is sent.
 */
export async function prefillNotice(
  db: Executor,
  c: CaseForNotice,
  kind: NoticeKind,
): Promise<{ lang: Lang; subject: string; body: string }> {
  const lang: Lang = c.lang === "en" ? "en" : "th";
  const tpl = await getTemplate(db, kind, lang);
  const values: Partial<Record<Placeholder, string>> = await placeholderValues(db, c, lang);
  if (kind === "explanation") delete values.expectedDate;
  const keep = (s: string) =>
    s.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) => (name in values ? values[name as Placeholder]! : whole));
  return { lang, subject: keep(tpl.subject), body: keep(tpl.body) };
}

/** "YYYY-MM-DD" (a date input) → the end of that Bangkok day; null when not a real date. */
export function parseExpectedDate(v: string | undefined | null): Date | null {
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  try {
    const start = dateFromBangkokKey(v);
    if (Number.isNaN(start.getTime()) || bangkokDateKey(start) !== v) return null;
    return endOfBangkokDay(start);
  } catch {
    return null;
  }
}

export interface RecordNoticeInput {
  complaintId: number;
  kind: NoticeKind;
  method: NoticeMethod;
  staffId: number | null;
  lang: Lang;
  body: string;
  expectedAt?: string | null;
}

/** Writes the notice row only (the caller sends any e-mail itself, in the same transaction). */
export async function recordNotice(trx: Executor, input: RecordNoticeInput): Promise<number> {
  const row = await trx
    .insertInto("notices")
    .values({
      complaint_id: input.complaintId,
      kind: input.kind,
      method: input.method,
      staff_id: input.staffId,
      lang: input.lang,
      body: input.body,
      expected_at: input.expectedAt ?? null,
      created_at: now().toISOString(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface SendNoticeInput {
  complaintId: number;
  kind: NoticeKind;
  /** The officer sending it: they must be allowed to reply on the case. */
  actor: Actor;
  /** The officer's text (may still contain placeholders); defaults to the template. */
  text?: string;
  /** Explanations: the new expected completion date (required, today or later). */
  expectedAt?: Date | null;
  /** "letter" when the officer will post a printed letter; otherwise e-mail when there is an address, else /track only. */
  method?: NoticeMethod;
}

/**
 * Records a notice and, when the complainant gave an e-mail address and it is not sent by post, queues the e-mail
 * in the same transaction. An explanation also clears "explanation owed" and records the new expected date.
 */
export async function sendNotice(db: Executor, input: SendNoticeInput): Promise<{ id: number; emailed: boolean; method: NoticeMethod }> {
  if (!isNoticeKind(input.kind)) throw new DomainError(422, "errors.badKind", { ns: NS });
  const at = now();
  if (input.kind === "explanation") {
    if (!input.expectedAt || Number.isNaN(input.expectedAt.getTime()))
      throw DomainError.invalid("expectedAt", "errors.expectedRequired", { ns: NS });
    if (input.expectedAt.getTime() < at.getTime()) throw DomainError.invalid("expectedAt", "errors.expectedPast", { ns: NS });
  }
  return inTransaction(db, async (trx) => {
    const c = await trx.selectFrom("complaints").selectAll().where("id", "=", input.complaintId).executeTakeFirst();
    if (!c || !canViewCase(input.actor, c)) throw DomainError.notFound("errors.notFound", { ns: NS });
    if (!canActOnCase(input.actor, c, "reply")) throw DomainError.forbidden("caseErrors.forbidden", { ns: "staff" });
    if (input.kind === "explanation" && !(isCaseStatus(c.status) && isOpenStatus(c.status)))
      throw DomainError.conflict("errors.closed", { ns: NS });
    const lang: Lang = c.lang === "en" ? "en" : "th";
    const tpl = await getTemplate(trx, input.kind, lang);
    const raw = cleanText(input.text ?? tpl.body);
    if (!raw) throw DomainError.invalid("text", "errors.textRequired", { ns: NS });
    if ([...raw].length > NOTICE_TEXT_MAX)
      throw DomainError.invalid("text", "errors.textTooLong", { ns: NS, params: { max: String(NOTICE_TEXT_MAX) } });
    const bad = validatePlaceholders(raw)[0];
    if (bad) throw DomainError.invalid("text", `placeholders.${bad.problem}`, { ns: NS, params: { token: bad.token } });
    const expectedIso = input.kind === "explanation" && input.expectedAt ? input.expectedAt.toISOString() : null;
    const values = await placeholderValues(trx, c, lang, expectedIso);
    const body = renderTemplate(raw, values);
    const subject = renderTemplate(tpl.subject, values);
    const method: NoticeMethod = input.method === "letter" ? "letter" : c.contact_email ? "email" : "track";
    const id = await recordNotice(trx, {
      complaintId: c.id,
      kind: input.kind,
      method,
      staffId: input.actor.id,
      lang,
      body,
      expectedAt: expectedIso,
    });
    let emailed = false;
    if (method === "email" && c.contact_email) {
      const org = await getOrgProfile(trx as unknown as Kysely<Database>);
      const t = tFor(lang, "notice");
      const { text, html } = renderBilingualEmail(
        [
          {
            heading: t(`kinds.${input.kind}`),
            paragraphs: [body, t("keepCode")],
            facts: [
              { label: t("reference"), value: c.reference },
              { label: t("date"), value: formatThaiDate(at, lang, { withTime: true }) },
            ],
          },
        ],
        `${lang === "en" ? org.name_en : org.name_th} — ${t("footer")}`,
      );
      await enqueueEmail(trx, {
        kind: `notice.${input.kind}`,
        complaintId: c.id,
        message: { to: c.contact_email, subject, text, html },
        dedupeKey: `notice-row:${id}`,
      });
      emailed = true;
    }
    if (input.kind === "explanation" || input.kind === "progress" || input.kind === "result")
      await queueLineUpdate(trx, c, { kind: input.kind === "result" ? "progress" : input.kind, text: body }, `notice:${id}`);
    const iso = at.toISOString();
    if (input.kind === "explanation") {
      await trx
        .updateTable("complaints")
        .set({
          explanation_owed: 0,
          explained_at: iso,
          expected_at: expectedIso,
          updated_at: iso,
          sla_outcome: outcomeOnExplanation(c, at) ?? c.sla_outcome,
        })
        .where("id", "=", c.id)
        .execute();
    } else if (input.kind === "acknowledgement" && !c.acknowledged_at) {
      await trx
        .updateTable("complaints")
        .set({ acknowledged_at: iso, ack_outcome: c.ack_outcome ?? ackOutcome(c.ack_due_at, at) })
        .where("id", "=", c.id)
        .execute();
    }
    return { id, emailed, method };
  });
}

export type NoticeRow = Pick<NoticeTable, "kind" | "method" | "lang" | "body" | "expected_at" | "created_at"> & {
  id: number;
  staff_id: number | null;
};

/** Notices of a case for staff (with who sent them). */
export async function listNoticesForStaff(db: Executor, complaintId: number) {
  return db
    .selectFrom("notices")
    .leftJoin("staff", "staff.id", "notices.staff_id")
    .select([
      "notices.id",
      "notices.kind",
      "notices.method",
      "notices.lang",
      "notices.body",
      "notices.expected_at",
      "notices.created_at",
      "notices.staff_id",
      "staff.name as staff_name",
    ])
    .where("notices.complaint_id", "=", complaintId)
    .orderBy("notices.id")
    .execute();
}

export interface PublicNotice {
  id: number;
  kind: NoticeKind;
  at: string;
  body: string;
  expectedAt: string | null;
}

/** What /track shows of the notices: kind, date, text and expected date (never who sent it). */
export async function listPublicNotices(db: Executor, complaintId: number): Promise<PublicNotice[]> {
  const rows = await db
    .selectFrom("notices")
    .select(["id", "kind", "body", "expected_at", "created_at"])
    .where("complaint_id", "=", complaintId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, at: r.created_at, body: r.body, expectedAt: r.expected_at }));
}

/** One notice of a case (for the printable letter). */
export async function getNotice(db: Executor, complaintId: number, noticeId: number) {
  return db.selectFrom("notices").selectAll().where("complaint_id", "=", complaintId).where("id", "=", noticeId).executeTakeFirst();
}
