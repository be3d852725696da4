/**
 * The recipients' side of a report: the queue, reading, status changes, messages to the reporter, tags, files,
 * export, and giving a colleague access.
 *
 * Access is the key itself: an officer can open a report only with a wrapped copy of its key that their private key
 * opens (unlocked in this session, key-vault.server.ts). There is no list of who may see what to get wrong or to edit:
 * an officer the reporter excluded never got a copy, and nothing done to the settings or the database later gives
 * them one. Everyone else — a report that does not exist, one that is not theirs, someone who is not an integrity
 * officer — gets the same "not found", logged the same way.
 */
import type { Kysely } from "kysely";
import type { Database, ReportFinding, ReportMode, ReportReferral, ReportStatus, ReportTag } from "../../../db/schema";
import { inTransaction } from "../../../db/connection";
import { dialectOf } from "../../../db/dialects";
import { InvalidReportTransitionError, isReportTag } from "~/lib/report-status";
import { refreshHeld } from "./key-vault.server";
import { openJson, wrapReportKeyFor } from "./crypto.server";
import { openHolders, type ReportHolder } from "./holders.server";
import { fileMetaOf } from "./files.server";
import { auditReportAction, reportAuditTrail } from "./channel-audit.server";
import { computeSubmissionDigest } from "./filing.server";
import { assertActiveIntegrity, endOfDayIso, openHeldReport, type HeldReport, type OfficerAccess } from "./held-report.server";
import {
  reportAad,
  type EventNote,
  type Executor,
  type MessageBody,
  type ReportFields,
  type SealedExclusion,
  type SealedSubmission,
} from "./shared.server";

export { InvalidReportTransitionError };
export { canUseReportChannel, openHeldReport, type HeldReport, type OfficerAccess } from "./held-report.server";
export { addOfficerMessage, readReportAttachment, setReportTags, transitionReport } from "./report-actions.server";

export interface ReportListFilters {
  status?: ReportStatus | "open" | "all";
  tag?: ReportTag;
  page?: number;
  pageSize?: number;
}

export interface ReportListItem {
  id: number;
  publicId: string;
  status: ReportStatus;
  finding: ReportFinding | null;
  referredTo: ReportReferral | null;
  /** Bangkok date. */
  receivedAt: string;
  /** End of the Bangkok day the acknowledgement is due (ISO). */
  ackDueAt: string;
  lastFeedbackAt: string | null;
  closedAt: string | null;
  tags: ReportTag[];
  /** Reporter messages not yet opened by an officer. */
  unread: number;
}

/** The queue of an integrity officer: the reports they hold (no content). */
export async function listReportsFor(
  db: Kysely<Database>,
  access: OfficerAccess,
  filters: ReportListFilters = {},
): Promise<{ items: ReportListItem[]; total: number; page: number; pageSize: number }> {
  await assertActiveIntegrity(db, access);
  const held = [...(await refreshHeld(db, access.keys)).keys()];
  const pageSize = Math.min(Math.max(filters.pageSize ?? 50, 1), 200);
  const page = Math.max(1, Math.floor(filters.page ?? 1));
  let q = db.selectFrom("reports").where("reports.purged_at", "is", null).where("reports.id", "in", dialectOf(db).integerList(held));
  const status = filters.status ?? "open";
  if (status === "open") q = q.where("reports.status", "!=", "closed");
  else if (status !== "all") q = q.where("reports.status", "=", status);
  if (filters.tag && isReportTag(filters.tag)) {
    const tag = filters.tag;
    q = q.where((eb) =>
      eb.exists(
        eb.selectFrom("report_tags").select("tag").whereRef("report_tags.report_id", "=", "reports.id").where("report_tags.tag", "=", tag),
      ),
    );
  }
  const total = Number((await q.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst())?.n ?? 0);
  const rows = await q
    .select([
      "reports.id",
      "reports.public_id",
      "reports.status",
      "reports.finding",
      "reports.referred_to",
      "reports.received_at",
      "reports.ack_due_at",
      "reports.last_feedback_at",
      "reports.closed_at",
    ])
    .select((eb) =>
      eb
        .selectFrom("report_messages")
        .select((e2) => e2.fn.countAll().as("n"))
        .whereRef("report_messages.report_id", "=", "reports.id")
        .where("report_messages.author", "=", "reporter")
        .where("report_messages.seen", "=", 0)
        .as("unread"),
    )
    .orderBy("reports.received_at", "desc")
    .orderBy("reports.id", "desc")
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  const tags = rows.length
    ? await db
        .selectFrom("report_tags")
        .select(["report_id", "tag"])
        .where(
          "report_id",
          "in",
          rows.map((r) => r.id),
        )
        .execute()
    : [];
  return {
    total,
    page,
    pageSize,
    items: rows.map((r) => ({
      id: r.id,
      publicId: r.public_id,
      status: r.status,
      finding: r.finding,
      referredTo: r.referred_to,
      receivedAt: r.received_at,
      ackDueAt: endOfDayIso(r.ack_due_at),
      lastFeedbackAt: r.last_feedback_at,
      closedAt: r.closed_at,
      tags: tags.filter((t) => t.report_id === r.id).map((t) => t.tag),
      unread: Number(r.unread ?? 0),
    })),
  };
}

export interface DecryptedReport {
  id: number;
  publicId: string;
  status: ReportStatus;
  mode: ReportMode;
  requestedRecipient: "integrity" | "alternate";
  finding: ReportFinding | null;
  referredTo: ReportReferral | null;
  /** Bangkok date. */
  receivedAt: string;
  ackDueAt: string;
  lastFeedbackAt: string | null;
  closedAt: string | null;
  digest: string;
  /** Whether the digest recomputed from the decrypted content matches the stored one. */
  digestVerified: boolean;
  fields: ReportFields;
  tags: ReportTag[];
  /** Who holds the key (recipients at filing, later grants). */
  holders: ReportHolder[];
  /** Who the reporter excluded, or whose name the report contains (never given a key). */
  excluded: (SealedExclusion & { name: string })[];
  messages: { id: number; author: "reporter" | "officer"; staffName: string | null; text: string; at: string; seen: boolean }[];
  attachments: { id: number; messageId: number | null; name: string; mime: string; size: number; keptOriginal: boolean; at: string }[];
  events: {
    id: number;
    from: string | null;
    to: string;
    staffName: string | null;
    note: string;
    finding: ReportFinding | null;
    referredTo: ReportReferral | null;
    at: string;
  }[];
  /** The report's own audit trail (who did what), readable only here. */
  audit: { id: number; at: string; action: string; staffName: string | null; role: string; details: Record<string, unknown> }[];
}

async function staffNames(db: Executor, ids: Iterable<number>): Promise<Map<number, string>> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Map();
  const rows = await db.selectFrom("staff").select(["id", "name"]).where("id", "in", list).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A reporter who signed in since migration 0800 gets their copy of the key as soon as a recipient opens the report. */
async function wrapForWaitingReporter(db: Executor, report: HeldReport): Promise<void> {
  if (!report.row.reporter_pub || report.row.reporter_wrapped) return;
  const w = await wrapReportKeyFor(Buffer.from(report.row.reporter_pub, "base64url"), report.key, report.publicId);
  await db
    .updateTable("reports")
    .set({ reporter_enc: w.enc, reporter_wrapped: w.wrapped })
    .where("id", "=", report.id)
    .where("reporter_wrapped", "is", null)
    .execute();
}

/**
 * Opens a report for an officer who holds it: content, conversation, files, history, holders and its audit trail.
 * Audited (report.view); the reporter's messages are marked as seen.
 */
export async function decryptReport(db: Kysely<Database>, access: OfficerAccess, ref: number | string): Promise<DecryptedReport> {
  const report = await openHeldReport(db, access, ref);
  const { row: r, key } = report;
  const sealed = openJson<SealedSubmission>(key, r.envelope, reportAad.submission(r.public_id));
  const [messages, files, events, tags] = await Promise.all([
    db.selectFrom("report_messages").selectAll().where("report_id", "=", r.id).orderBy("id").execute(),
    db.selectFrom("report_attachments").selectAll().where("report_id", "=", r.id).orderBy("id").execute(),
    db.selectFrom("report_events").selectAll().where("report_id", "=", r.id).orderBy("id").execute(),
    db.selectFrom("report_tags").select("tag").where("report_id", "=", r.id).execute(),
  ]);
  const bodies = messages.map((m) => ({ m, body: openJson<MessageBody>(key, m.envelope, reportAad.message(r.public_id)) }));
  const notes = events.map((e) => ({
    e,
    note: e.note_envelope ? openJson<EventNote>(key, e.note_envelope, reportAad.event(r.public_id)) : null,
  }));
  const attachments = files.map((f) => {
    const meta = fileMetaOf(key, r.public_id, f);
    return {
      id: f.id,
      messageId: f.message_id,
      name: meta.name,
      mime: meta.mime,
      size: meta.size,
      keptOriginal: meta.keptOriginal,
      at: f.created_at,
      originalSha256: meta.originalSha256,
    };
  });
  const digestVerified =
    computeSubmissionDigest({
      receivedAt: sealed.digestReceivedAt ?? r.received_at,
      mode: sealed.mode,
      fields: sealed.fields,
      fileSha256: attachments.filter((a) => a.messageId === null).map((a) => a.originalSha256 ?? ""),
    }) === r.submission_digest;
  const trail = await reportAuditTrail(db, report);
  const names = await staffNames(db, [
    ...bodies.flatMap(({ body }) => (body.staffId ? [body.staffId] : [])),
    ...notes.flatMap(({ note }) => (note?.staffId ? [note.staffId] : [])),
    ...sealed.excluded.map((x) => x.id),
    ...trail.flatMap((t) => (t.staffId ? [t.staffId] : [])),
  ]);

  await inTransaction(db, async (trx) => {
    await trx
      .updateTable("report_messages")
      .set({ seen: 1 })
      .where("report_id", "=", r.id)
      .where("author", "=", "reporter")
      .where("seen", "=", 0)
      .execute();
    // Only reports filed before per-recipient keys wait for a wrap: for any other, a reporter key found in the row
    // was put there by someone with write access to the database, not by the reporter.
    if (sealed.recipients === null) await wrapForWaitingReporter(trx, report);
    await auditReportAction(trx, report, access.actor, "report.view");
  });

  return {
    id: r.id,
    publicId: r.public_id,
    status: r.status,
    mode: sealed.mode,
    requestedRecipient: sealed.requestedRecipient,
    finding: r.finding,
    referredTo: r.referred_to,
    receivedAt: r.received_at,
    ackDueAt: endOfDayIso(r.ack_due_at),
    lastFeedbackAt: r.last_feedback_at,
    closedAt: r.closed_at,
    digest: r.submission_digest,
    digestVerified,
    fields: sealed.fields,
    tags: tags.map((t) => t.tag),
    holders: openHolders(key, r.public_id, r.holders),
    excluded: sealed.excluded.map((x) => ({ ...x, name: names.get(x.id) ?? `#${x.id}` })),
    messages: bodies.map(({ m, body }) => ({
      id: m.id,
      author: m.author,
      staffName: body.staffId ? (names.get(body.staffId) ?? null) : null,
      text: body.text,
      at: m.created_at,
      seen: m.seen === 1,
    })),
    attachments: attachments.map(({ originalSha256: _omit, ...a }) => a),
    events: notes.map(({ e, note }) => ({
      id: e.id,
      from: e.from_status,
      to: e.to_status,
      staffName: note?.staffId ? (names.get(note.staffId) ?? null) : null,
      note: note?.note ?? "",
      finding: note?.finding ?? null,
      referredTo: note?.referredTo ?? null,
      at: e.created_at,
    })),
    audit: trail.map((t) => ({
      id: t.id,
      at: t.at,
      action: t.action,
      staffName: t.staffId ? (names.get(t.staffId) ?? null) : null,
      role: t.role,
      details: t.details,
    })),
  };
}

/** The whole report as JSON (content, conversation, history, file list; no file bytes). Audited. */
export async function exportReport(
  db: Kysely<Database>,
  access: OfficerAccess,
  ref: number | string,
): Promise<{ fileName: string; json: string }> {
  const d = await decryptReport(db, access, ref);
  const report = await openHeldReport(db, access, d.id);
  await auditReportAction(db, report, access.actor, "report.export", { format: "json" });
  return { fileName: `${d.publicId}.json`, json: JSON.stringify(d, null, 2) };
}
