/**
 * What an officer does to a report they hold: status changes, messages to the reporter, tags, and downloading its
 * files. Each is audited in the report's sealed trail. Split out of casework.server.ts, which re-exports these names.
 */
import type { Kysely } from "kysely";
import type { Database, ReportFinding, ReportReferral, ReportStatus, ReportTag } from "../../../db/schema";
import { inTransaction } from "../../../db/connection";
import { now } from "~/utils/clock.server";
import { applyReportTransition, InvalidReportTransitionError, isReportTag, type ReportAction } from "~/lib/report-status";
import { sealJson } from "./crypto.server";
import { fileMetaOf, readStoredFile } from "./files.server";
import { auditReportAction } from "./channel-audit.server";
import { openHeldReport, type OfficerAccess } from "./held-report.server";
import { cleanMessage, ReportInputError, ReportNotFoundError, reportAad, type EventNote, type MessageBody } from "./shared.server";

/**
 * A status change (received -> preliminary_review -> investigation -> concluded (finding) | referred (where) ->
 * closed), with an optional note. Throws InvalidReportTransitionError for a change that is not allowed (also when
 * someone else changed the status meanwhile). Audited inside the report's sealed trail.
 */
export async function transitionReport(
  db: Kysely<Database>,
  access: OfficerAccess,
  ref: number | string,
  action: ReportAction | string,
  opts: { note?: string; finding?: string | null; referredTo?: string | null } = {},
): Promise<{ status: ReportStatus }> {
  const report = await openHeldReport(db, access, ref);
  const r = report.row;
  const to = applyReportTransition(r.status, action, { finding: opts.finding ?? null, referredTo: opts.referredTo ?? null });
  const note = cleanMessage(opts.note ?? "", "note", { required: false });
  const finding = action === "conclude" ? (opts.finding as ReportFinding) : null;
  const referredTo = action === "refer" ? (opts.referredTo as ReportReferral) : null;
  return inTransaction(db, async (trx) => {
    const at = now().toISOString();
    const updated = await trx
      .updateTable("reports")
      .set({
        status: to,
        ...(finding ? { finding } : {}),
        ...(referredTo ? { referred_to: referredTo } : {}),
        ...(to === "closed" ? { closed_at: at } : {}),
        last_feedback_at: at,
        updated_at: at,
      })
      .where("id", "=", r.id)
      .where("status", "=", r.status)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new InvalidReportTransitionError(r.status, String(action));
    await trx
      .insertInto("report_events")
      .values({
        report_id: r.id,
        from_status: r.status,
        to_status: to,
        note_envelope: sealJson(
          report.key,
          { note, finding, referredTo, staffId: access.actor.id } satisfies EventNote,
          reportAad.event(r.public_id),
        ),
        created_at: at,
      })
      .execute();
    await auditReportAction(trx, report, access.actor, "report.status", {
      action,
      from: r.status,
      to,
      finding,
      referredTo,
      withNote: note.length > 0,
    });
    return { status: to };
  });
}

/** An officer's message to the reporter (shown in the reporter's inbox without the officer's name). Audited. */
export async function addOfficerMessage(
  db: Kysely<Database>,
  access: OfficerAccess,
  ref: number | string,
  text: string,
): Promise<{ messageId: number }> {
  const report = await openHeldReport(db, access, ref);
  const clean = cleanMessage(text, "message", { required: true });
  return inTransaction(db, async (trx) => {
    const at = now().toISOString();
    const m = await trx
      .insertInto("report_messages")
      .values({
        report_id: report.id,
        author: "officer",
        envelope: sealJson(report.key, { text: clean, staffId: access.actor.id } satisfies MessageBody, reportAad.message(report.publicId)),
        created_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.updateTable("reports").set({ last_feedback_at: at, updated_at: at }).where("id", "=", report.id).execute();
    await auditReportAction(trx, report, access.actor, "report.message", { messageId: m.id });
    return { messageId: m.id };
  });
}

/** Replaces the report's tags (unknown tags are refused). Audited. */
export async function setReportTags(
  db: Kysely<Database>,
  access: OfficerAccess,
  ref: number | string,
  tags: readonly string[],
): Promise<ReportTag[]> {
  const report = await openHeldReport(db, access, ref);
  if (tags.some((t) => !isReportTag(t))) throw new ReportInputError("tags", "errors.invalidChoice");
  const unique = [...new Set(tags)] as ReportTag[];
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom("report_tags").where("report_id", "=", report.id).execute();
    for (const tag of unique) await trx.insertInto("report_tags").values({ report_id: report.id, tag }).execute();
    await trx.updateTable("reports").set({ updated_at: now().toISOString() }).where("id", "=", report.id).execute();
    await auditReportAction(trx, report, access.actor, "report.tag", { tags: unique });
  });
  return unique;
}

/** A decrypted attachment for download by an officer who holds the report. Audited. */
export async function readReportAttachment(
  db: Kysely<Database>,
  access: OfficerAccess,
  ref: number | string,
  attachmentId: number,
): Promise<{ bytes: Buffer; name: string; mime: string; keptOriginal: boolean }> {
  const report = await openHeldReport(db, access, ref);
  const a = await db
    .selectFrom("report_attachments")
    .selectAll()
    .where("id", "=", attachmentId)
    .where("report_id", "=", report.id)
    .executeTakeFirst();
  if (!a) throw new ReportNotFoundError();
  const meta = fileMetaOf(report.key, report.publicId, a);
  const bytes = await readStoredFile(report.key, report.publicId, a.storage_id, db);
  await auditReportAction(db, report, access.actor, "report.download", { attachmentId: a.id });
  return { bytes, name: meta.name, mime: meta.mime, keptOriginal: meta.keptOriginal };
}
