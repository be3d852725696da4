/**
 * Opening a report as a recipient: an officer acting with their unlocked keys gets a report only through a wrapped copy
 * of its key that their private key opens (key-vault.server.ts). A report that does not exist, one that is not theirs,
 * or someone who is not an integrity officer all get the same "not found", logged the same way. Split out of
 * casework.server.ts, which re-exports these names.
 */
import type { Kysely } from "kysely";
import type { Database, Report } from "../../../db/schema";
import { dateFromBangkokKey, endOfBangkokDay } from "~/lib/thai-date";
import { refreshHeld, type UnlockedKeys } from "./key-vault.server";
import { unwrapReportKey } from "./crypto.server";
import { logDeniedReportAccess, type OpenReport } from "./channel-audit.server";
import { REPORT_PUBLIC_ID_RE, ReportForbiddenError, ReportNotFoundError, type Executor, type ReportActor } from "./shared.server";

/** An officer acting with their unlocked keys. */
export interface OfficerAccess {
  actor: ReportActor;
  keys: UnlockedKeys;
}

/** Whether this person may use the report channel at all (role integrity). */
export function canUseReportChannel(actor: ReportActor | null | undefined): boolean {
  return !!actor && actor.role === "integrity";
}

export async function assertActiveIntegrity(db: Executor, access: OfficerAccess): Promise<void> {
  if (!canUseReportChannel(access.actor) || access.keys.staffId !== access.actor.id) throw new ReportForbiddenError();
  const row = await db.selectFrom("staff").select(["role", "active"]).where("id", "=", access.actor.id).executeTakeFirst();
  if (!row || row.role !== "integrity" || row.active !== 1) throw new ReportForbiddenError();
}

/** A report this officer holds, opened. */
export interface HeldReport extends OpenReport {
  row: Report;
}

/**
 * The report (by id or public id) with its key, if this officer holds it; otherwise ReportNotFoundError, logged the
 * same way whether or not the report exists.
 */
export async function openHeldReport(db: Kysely<Database>, access: OfficerAccess, ref: number | string): Promise<HeldReport> {
  const requested = typeof ref === "number" ? String(ref) : ref;
  try {
    await assertActiveIntegrity(db, access);
    const row =
      typeof ref === "number"
        ? await db.selectFrom("reports").selectAll().where("id", "=", ref).executeTakeFirst()
        : REPORT_PUBLIC_ID_RE.test(ref)
          ? await db.selectFrom("reports").selectAll().where("public_id", "=", ref).executeTakeFirst()
          : undefined;
    if (row && !row.purged_at) {
      // A row whose view tag matches but which does not open (altered, or copied from another report) is not a key.
      for (const held of (await refreshHeld(db, access.keys)).get(row.id) ?? []) {
        const key = await unwrapReportKey(access.keys.keys, held, row.public_id).catch(() => null);
        if (key) return { row, key, id: row.id, publicId: row.public_id };
      }
    }
  } catch (e) {
    if (!(e instanceof ReportForbiddenError)) throw e;
  }
  await logDeniedReportAccess(db, access.actor, row_ref(requested));
  throw new ReportNotFoundError();
}

const row_ref = (requested: string) => (/^\d+$/.test(requested) ? `#${requested}` : requested);

export const endOfDayIso = (key: string) => endOfBangkokDay(dateFromBangkokKey(key.slice(0, 10))).toISOString();
