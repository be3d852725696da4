/**
 * General complaints: creation (reference numbers, tracking codes, deadlines, attachments, acknowledgement e-mail)
 * and the citizen's view of a case (tracking lookup, public timeline).
 */
import type { CaseEvent, Complaint, ComplaintChannel } from "../../../db/schema";
import { inTransaction, type DB, type Executor } from "../../../db/connection";
import { isUniqueViolation } from "../../../db/dialects/errors";
import { DomainError } from "~/lib/domain-error";
import { getSecrets } from "~/utils/db.server";
import { sha256Hex } from "~/utils/crypto.server";
import { now } from "~/utils/clock.server";
import { safeEqual } from "~/utils/crypto.server";
import { log } from "~/utils/logger.server";
import { enqueueEmail } from "~/models/notices/outbox.server";
import { ackOutcome, casePolicies, computeAckDueAt, computeDueAt } from "~/models/deadlines/index";
import { formatThaiDate } from "~/lib/thai-date";
import { tFor } from "~/i18n";
import { fiscalYearOf } from "~/lib/fiscal-year";
import { formatCaseReference, parseCaseReference } from "~/lib/complaint-reference";
import { deriveTrackingCode, formatTrackingCode, hashTrackingCode, normalizeTrackingCode } from "~/lib/tracking-code";
import { isCaseStatus, publicStage, type CaseStatus } from "~/lib/complaint-status";
import { isSubmissionKey } from "~/lib/validation";
import { complaintFormSchema, type ComplaintInput } from "~/lib/validation.server";
import { listCategories, listVillages, referenceById } from "~/models/organisation/profile.server";
import { buildAcknowledgementEmail } from "../../../emails/acknowledgement";
import { publicUrl } from "~/utils/public-url.server";

export type CreateComplaintInput = ComplaintInput & {
  channel: ComplaintChannel;
  lang: "th" | "en";
  submissionKey: string;
  recordedBy: number | null;
  uploadIds: string[];
  /**
   * When the organisation received it, for staff recording a letter or call from an earlier day (fiscal year,
   * reference and due date follow it). Defaults to now; a time in the future is treated as now.
   */
  receivedAt?: Date;
};

export interface CreatedComplaint {
  id: number;
  reference: string;
  dueAt: string;
  /** Formatted tracking code (e.g. "K7QF-2M9X-PD4H"); never stored. */
  trackingCode: string;
  duplicate: boolean;
  receivedAt: string;
}

/**
 * A category, village or upload named by the input that does not exist (422 on that field). A DomainError; the
 * class stays so that callers and tests can recognise it.
 */
export class ComplaintInputError extends DomainError {
  constructor(field: "category" | "village" | "attachments", messageKey: string) {
    super(422, messageKey, { field });
    this.name = "ComplaintInputError";
  }
}

/**
 * The complaint form's schema (app/lib/validation.ts) for the categories and villages offered now: the public form and
 * the staff intake both check what was posted with it before createComplaint. Rebuilt only when the offered
 * categories or villages change (listCategories / listVillages return the same arrays until then).
 */
export async function complaintSchemaFor(db: DB) {
  const [categories, villages] = await Promise.all([listCategories(db), listVillages(db)]);
  if (!schemaCache || schemaCache.categories !== categories || schemaCache.villages !== villages) {
    schemaCache = {
      categories,
      villages,
      schema: complaintFormSchema({ categoryCodes: categories.map((c) => c.code), villageNumbers: villages.map((v) => v.number) }),
    };
  }
  return schemaCache.schema;
}
let schemaCache: { categories: unknown; villages: unknown; schema: ReturnType<typeof complaintFormSchema> } | null = null;

async function findBySubmissionKeyHash(db: Executor, hash: string) {
  return db
    .selectFrom("complaints")
    .select(["id", "reference", "due_at", "received_at"])
    .where("submission_key_hash", "=", hash)
    .executeTakeFirst();
}

/**
 * Records a complaint in one transaction: next reference of the fiscal year, the complaint (status "received",
 * default division of its category, deadline from the organisation's SLA), a public "created" event, attachments
 * from pending uploads and, when an e-mail address was given, the acknowledgement e-mail in the outbox.
 * The same submission key twice returns the first case (duplicate=true) with the same tracking code.
 */
export async function createComplaint(db: Executor, input: CreateComplaintInput): Promise<CreatedComplaint> {
  if (!isSubmissionKey(input.submissionKey)) throw new Error("Invalid submission key");
  const secrets = getSecrets();
  const keyHash = sha256Hex(input.submissionKey);
  const code = deriveTrackingCode(input.submissionKey, secrets.trackingDerivation);
  const formatted = formatTrackingCode(code);

  const existing = await findBySubmissionKeyHash(db, keyHash);
  if (existing) {
    return {
      id: existing.id,
      reference: existing.reference,
      dueAt: existing.due_at,
      receivedAt: existing.received_at,
      trackingCode: formatted,
      duplicate: true,
    };
  }

  try {
    return await inTransaction(db, async (trx) => {
      const org = await trx.selectFrom("org_profile").selectAll().where("id", "=", 1).executeTakeFirstOrThrow();
      const category = await trx
        .selectFrom("categories")
        .select(["id", "division_id"])
        .where("code", "=", input.category)
        .executeTakeFirst();
      if (!category) throw new ComplaintInputError("category", "errors.invalidChoice");
      let villageId: number | null = null;
      if (input.village !== undefined && input.village !== null) {
        const village = await trx.selectFrom("villages").select("id").where("number", "=", input.village).executeTakeFirst();
        if (!village) throw new ComplaintInputError("village", "errors.invalidChoice");
        villageId = village.id;
      }

      const recordedAt = now();
      const receivedAt =
        input.receivedAt && !Number.isNaN(input.receivedAt.getTime()) && input.receivedAt.getTime() < recordedAt.getTime()
          ? input.receivedAt
          : recordedAt;
      const receivedIso = receivedAt.toISOString();
      const recordedIso = recordedAt.toISOString();
      // Deadline engine: the case's policy (organisation, overridden by channel, then by category) and holidays.
      const policy = (await casePolicies(trx)).of({ channel: input.channel, categoryCode: input.category });
      const dueAt = computeDueAt(receivedAt, policy).toISOString();
      const ackDueAt = computeAckDueAt(receivedAt, policy).toISOString();
      const fiscalYear = fiscalYearOf(receivedAt);
      const counter = await trx
        .insertInto("reference_counters")
        .values({ fiscal_year: fiscalYear, last_seq: 1 })
        .onConflict((oc) => oc.column("fiscal_year").doUpdateSet((eb) => ({ last_seq: eb("reference_counters.last_seq", "+", 1) })))
        .returning("last_seq")
        .executeTakeFirstOrThrow();
      const seq = counter.last_seq;
      const reference = formatCaseReference(fiscalYear, seq);

      const row = await trx
        .insertInto("complaints")
        .values({
          reference,
          fiscal_year: fiscalYear,
          seq,
          submission_key_hash: keyHash,
          tracking_hash: hashTrackingCode(code, secrets.trackingPepper),
          channel: input.channel,
          category_id: category.id,
          subject: input.subject,
          details: input.details,
          village_id: villageId,
          landmark: input.landmark ?? "",
          latitude: input.latitude ?? null,
          longitude: input.longitude ?? null,
          contact_name: input.contactName ?? "",
          contact_phone: input.contactPhone ?? "",
          contact_email: input.contactEmail ?? "",
          contact_address: input.contactAddress ?? "",
          preferred_contact: input.preferredContact ?? "none",
          lang: input.lang,
          status: "received",
          division_id: category.division_id,
          assignee_id: null,
          received_at: receivedIso,
          due_at: dueAt,
          deadline_mode: policy.mode,
          period_no: 1,
          period_started_at: receivedIso,
          ack_due_at: ackDueAt,
          // The written acknowledgement (notice below) reaches the citizen at once when it is e-mailed or when they
          // filed on the website themselves (confirmation page + /track); otherwise an officer still has to send a
          // letter, and acknowledged_at stays empty until then.
          acknowledged_at: input.contactEmail || input.channel === "web" ? recordedIso : null,
          ack_outcome: input.contactEmail || input.channel === "web" ? ackOutcome(ackDueAt, recordedAt) : null,
          accepted_at: null,
          closed_at: null,
          result_summary: "",
          forwarded_to: "",
          recorded_by: input.recordedBy,
          created_at: recordedIso,
          updated_at: recordedIso,
        })
        .returning("id")
        .executeTakeFirstOrThrow();

      await trx
        .insertInto("case_events")
        .values({
          complaint_id: row.id,
          kind: "created",
          from_status: null,
          to_status: "received",
          actor_id: input.recordedBy,
          note: "",
          is_public: 1,
          division_id: category.division_id,
          assignee_id: null,
          created_at: receivedIso,
        })
        .execute();

      const uploadIds = [...new Set(input.uploadIds)];
      for (const uploadId of uploadIds) {
        const pending = await trx.selectFrom("pending_uploads").selectAll().where("id", "=", uploadId).executeTakeFirst();
        if (!pending) throw new ComplaintInputError("attachments", "complaint:errors.uploadExpired");
        await trx
          .insertInto("attachments")
          .values({
            complaint_id: row.id,
            sha256: pending.sha256,
            mime: pending.mime,
            size: pending.size,
            original_name: pending.original_name,
            created_at: recordedIso,
          })
          .execute();
        await trx.deleteFrom("pending_uploads").where("id", "=", uploadId).execute();
      }

      if (input.contactEmail) {
        const message = buildAcknowledgementEmail({
          lang: input.lang,
          org,
          reference,
          trackingCode: code,
          receivedAt,
          dueAt,
          publicUrl: publicUrl(),
        });
        await enqueueEmail(trx, {
          kind: "acknowledgement",
          complaintId: row.id,
          message: { to: input.contactEmail, ...message },
          dedupeKey: `ack:${row.id}`,
        });
      }

      // Written acknowledgement of receipt (measure 3.2.3), recorded as a notice: e-mailed when an address was given,
      // always visible on /track.
      const noticeLang = input.lang === "en" ? "en" : "th";
      const td = tFor(noticeLang, "deadline");
      await trx
        .insertInto("notices")
        .values({
          complaint_id: row.id,
          kind: "acknowledgement",
          method: input.contactEmail ? "email" : "track",
          staff_id: input.recordedBy,
          lang: noticeLang,
          body: td("ack.body", {
            orgName: noticeLang === "en" ? org.name_en : org.name_th,
            reference,
            receivedDate: formatThaiDate(receivedAt, noticeLang),
            dueDate: formatThaiDate(new Date(dueAt), noticeLang),
          }),
          expected_at: dueAt,
          created_at: recordedIso,
        })
        .execute();

      log.info("complaint created", { complaintId: row.id, reference, channel: input.channel, attachments: uploadIds.length });
      return { id: row.id, reference, dueAt, receivedAt: receivedIso, trackingCode: formatted, duplicate: false };
    });
  } catch (e) {
    if (isUniqueViolation(e, "submission_key_hash")) {
      const again = await findBySubmissionKeyHash(db, keyHash);
      if (again) {
        return {
          id: again.id,
          reference: again.reference,
          dueAt: again.due_at,
          receivedAt: again.received_at,
          trackingCode: formatted,
          duplicate: true,
        };
      }
    }
    throw e;
  }
}

/** Compared against when the reference does not exist, so both failures take the same work. */
const DUMMY_HASH = sha256Hex("sujarit:no-such-case");
const PLACEHOLDER_CODE = "000000000000";

/**
 * The case for a reference + tracking code pair, or null. Always computes the HMAC of the code and compares it
 * in constant time, whether or not the reference exists or the code is well-formed.
 */
export async function findCaseForTracking(db: Executor, reference: unknown, code: unknown): Promise<Complaint | null> {
  const ref = typeof reference === "string" ? parseCaseReference(reference) : null;
  const normalized = typeof code === "string" ? normalizeTrackingCode(code) : null;
  const row = ref ? await db.selectFrom("complaints").selectAll().where("reference", "=", ref.reference).executeTakeFirst() : undefined;
  const candidate = hashTrackingCode(normalized ?? PLACEHOLDER_CODE, getSecrets().trackingPepper);
  const stored = row && /^[0-9a-f]{64}$/.test(row.tracking_hash) ? row.tracking_hash : DUMMY_HASH;
  const match = safeEqual(candidate, stored);
  return match && row && normalized !== null ? row : null;
}

export type PublicTimelineItem =
  | { id: number; at: string; kind: "created" }
  | { id: number; at: string; kind: "status"; status: CaseStatus; stage: "received" | "in_progress" | "done"; note: string }
  | { id: number; at: string; kind: "assign"; division: { name_th: string; name_en: string } }
  | { id: number; at: string; kind: "reply"; note: string };

/**
 * What the citizen may see of a case's history: creation, status changes (with their public stage; a note only if
 * it was marked public), hand-over to a division (the division's name, never a person) and public replies.
 * Internal notes and person-to-person assignments are never included.
 */
export async function publicTimeline(db: Executor, complaintId: number): Promise<PublicTimelineItem[]> {
  const events = await db
    .selectFrom("case_events")
    .leftJoin("divisions", "divisions.id", "case_events.division_id")
    .select([
      "case_events.id",
      "case_events.kind",
      "case_events.to_status",
      "case_events.note",
      "case_events.is_public",
      "case_events.division_id",
      "case_events.created_at",
      "divisions.name_th as division_name_th",
      "divisions.name_en as division_name_en",
    ])
    .where("case_events.complaint_id", "=", complaintId)
    .where("case_events.kind", "in", ["created", "status", "assign", "reply"])
    .orderBy("case_events.created_at")
    .orderBy("case_events.id")
    .execute();
  const out: PublicTimelineItem[] = [];
  let lastDivision: number | null = null;
  for (const e of events as (Pick<CaseEvent, "id" | "kind" | "to_status" | "note" | "is_public" | "division_id" | "created_at"> & {
    division_name_th: string | null;
    division_name_en: string | null;
  })[]) {
    const at = e.created_at;
    if (e.kind === "created") {
      out.push({ id: e.id, at, kind: "created" });
      lastDivision = e.division_id;
    } else if (e.kind === "status") {
      if (!isCaseStatus(e.to_status)) continue;
      out.push({ id: e.id, at, kind: "status", status: e.to_status, stage: publicStage(e.to_status), note: e.is_public ? e.note : "" });
    } else if (e.kind === "assign") {
      // Only hand-overs to another division are public; a change of the person in charge is not.
      if (e.division_id === null || e.division_id === lastDivision || e.division_name_th === null) continue;
      lastDivision = e.division_id;
      out.push({ id: e.id, at, kind: "assign", division: { name_th: e.division_name_th, name_en: e.division_name_en ?? "" } });
    } else if (e.kind === "reply" && e.is_public) {
      out.push({ id: e.id, at, kind: "reply", note: e.note });
    }
  }
  return out;
}

/** The citizen's summary of a case: status, dates, division and category names, result or forwarding. */
export async function publicCaseSummary(db: DB, c: Complaint) {
  // The names from the organisation's kept reference data (no query on most lookups).
  const names = await referenceById(db, { categories: [c.category_id], divisions: [c.division_id] });
  const division = c.division_id === null ? undefined : names.divisions.get(c.division_id);
  const category = names.categories.get(c.category_id);
  const status: CaseStatus = isCaseStatus(c.status) ? c.status : "received";
  return {
    reference: c.reference,
    status,
    stage: publicStage(status),
    subject: c.subject,
    receivedAt: c.received_at,
    dueAt: c.due_at,
    closedAt: c.closed_at,
    division: division ?? null,
    category: category ?? null,
    resultSummary: status === "resolved" ? c.result_summary : "",
    forwardedTo: status === "forwarded" ? c.forwarded_to : "",
  };
}
