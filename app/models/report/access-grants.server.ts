/**
 * Giving a colleague access to a report, by someone who holds it: the report's key is wrapped for the colleague's
 * public key (an officer who joined later, or one who reset their password without their recovery key). Never for
 * anyone the reporter excluded or the report names; audited in the report's trail; the colleague is told in the next
 * batch.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { inTransaction } from "../../../db/connection";
import { DomainError } from "~/lib/domain-error";
import { openJson, wrapReportKeyFor } from "./crypto.server";
import { openHolders, sealHolders } from "./holders.server";
import { auditReportAction } from "./channel-audit.server";
import { queueRecipientNotices } from "./notifications.server";
import { publicKeysOf } from "./staff-keys.server";
import { openHeldReport, type OfficerAccess } from "./casework.server";
import { reportAad, type SealedSubmission } from "./shared.server";

/** Colleagues a holder may give access to: active integrity officers with a key pair, not holders, not excluded. */
export async function grantCandidates(
  db: Kysely<Database>,
  access: OfficerAccess,
  ref: number | string,
): Promise<{ id: number; name: string; position: string }[]> {
  const report = await openHeldReport(db, access, ref);
  const sealed = openJson<SealedSubmission>(report.key, report.row.envelope, reportAad.submission(report.publicId));
  const barred = new Set([
    ...sealed.excluded.map((x) => x.id),
    ...openHolders(report.key, report.publicId, report.row.holders).map((h) => h.id),
    access.actor.id,
  ]);
  const rows = await db
    .selectFrom("staff")
    .innerJoin("staff_keys", "staff_keys.staff_id", "staff.id")
    .select(["staff.id", "staff.name", "staff.position"])
    .where("staff.role", "=", "integrity")
    .where("staff.active", "=", 1)
    .orderBy("staff.name")
    .execute();
  return rows.filter((r) => !barred.has(r.id));
}

/** Refused: the reporter excluded this person (or the report names them), or they cannot receive reports. */
export class GrantRefusedError extends DomainError {
  constructor(readonly reason: "excluded" | "not_recipient" | "already") {
    super(reason === "excluded" ? 403 : 422, `case.errors.grant_${reason}`, { ns: "integrity", field: "staffId" });
    this.name = "GrantRefusedError";
  }
}

/**
 * A holder gives a colleague access to a report (e.g. an officer who joined later, or one who reset their password
 * without a recovery key): the key is wrapped for the colleague's public key. Refused for anyone the reporter
 * excluded or the report names. Audited in the report's trail; the colleague is told in the next batch.
 */
export async function grantReportAccess(db: Kysely<Database>, access: OfficerAccess, ref: number | string, staffId: number): Promise<void> {
  const report = await openHeldReport(db, access, ref);
  const sealed = openJson<SealedSubmission>(report.key, report.row.envelope, reportAad.submission(report.publicId));
  if (sealed.excluded.some((x) => x.id === staffId)) throw new GrantRefusedError("excluded");
  const holders = openHolders(report.key, report.publicId, report.row.holders);
  const grantee = await db.selectFrom("staff").select(["id", "name", "role", "active"]).where("id", "=", staffId).executeTakeFirst();
  const publicKey = (await publicKeysOf(db, [staffId])).get(staffId);
  if (!grantee || grantee.role !== "integrity" || grantee.active !== 1 || !publicKey) throw new GrantRefusedError("not_recipient");
  const wrap = await wrapReportKeyFor(publicKey, report.key, report.publicId);
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("report_keys")
      .values({ report_id: report.id, tag_pub: wrap.tagPub, view_tag: wrap.viewTag, enc: wrap.enc, wrapped: wrap.wrapped })
      .execute();
    const next = [
      ...holders.filter((h) => h.id !== staffId),
      { id: grantee.id, name: grantee.name, alternate: false, via: "grant" as const, grantedBy: access.actor.id },
    ];
    await trx
      .updateTable("reports")
      .set({ holders: sealHolders(report.key, report.publicId, next) })
      .where("id", "=", report.id)
      .execute();
    await auditReportAction(trx, report, access.actor, "report.grant", { staffId, already: holders.some((h) => h.id === staffId) });
    await queueRecipientNotices(trx, [staffId], "new");
  });
}
