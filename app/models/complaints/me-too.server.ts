/**
 * "Me too" (ฉันก็พบปัญหานี้): a citizen who finds their problem already reported nearby marks that case instead of
 * filing it again. The officer sees how many people did (the case page, the map of open cases).
 *
 * One mark per device per case: the browser carries a random device cookie, and the row keeps only an HMAC of (case,
 * cookie) — the same device cannot mark a case twice, and the marks one device left on different cases cannot be
 * linked to each other. The route adds a per-address limit (rate-limit.server.ts). Nothing else about the citizen is
 * stored: no address, no time finer than the row's creation.
 */
import crypto from "node:crypto";
import type { DB } from "../../../db/connection";
import { openStatusSqlText } from "../../../db/statuses";
import { DomainError } from "~/lib/domain-error";
import { deriveKey } from "~/utils/crypto.server";
import { getSecrets } from "~/utils/db.server";
import { complaintIdFromNearbyId } from "./nearby.server";
import { sql } from "kysely";

/** The device cookie's value: 24 URL-safe characters (18 random bytes). */
export const DEVICE_TOKEN_RE = /^[A-Za-z0-9_-]{24}$/;

function deviceHash(complaintId: number, deviceToken: string): string {
  const key = Buffer.from(deriveKey(getSecrets().outboxKey, "me-too-device"), "base64url");
  return crypto.createHmac("sha256", key).update(`${complaintId}.${deviceToken}`).digest("base64url");
}

/**
 * The open case with a position behind a public nearby id. Refuses (DomainError) an id this server did not make (400)
 * and a case that is closed or not on the map (409: it may have been closed since the list was shown).
 */
export async function meTooTarget(db: DB, nearbyId: unknown): Promise<number> {
  const id = complaintIdFromNearbyId(nearbyId);
  if (id === null) throw new DomainError(400, "map:meToo.notFound");
  const row = await db
    .selectFrom("complaints as c")
    .select("c.id")
    .where("c.id", "=", id)
    .where(sql<boolean>`${sql.raw(openStatusSqlText("c.status"))} and c.latitude is not null`)
    .executeTakeFirst();
  if (!row) throw DomainError.conflict("map:meToo.notOpen");
  return row.id;
}

/**
 * Records a "me too" of this device on a case (meTooTarget checked it is open); a 409 DomainError when this device
 * already marked it. Returns the case's number of marks.
 */
export async function addMeToo(db: DB, input: { complaintId: number; deviceToken: string; at: Date }): Promise<{ count: number }> {
  if (!DEVICE_TOKEN_RE.test(input.deviceToken)) throw new DomainError(400, "errors.badRequest");
  const inserted = await db
    .insertInto("complaint_me_too")
    .values({
      complaint_id: input.complaintId,
      device_hash: deviceHash(input.complaintId, input.deviceToken),
      created_at: input.at.toISOString(),
    })
    .onConflict((oc) => oc.columns(["complaint_id", "device_hash"]).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw DomainError.conflict("map:meToo.already");
  return { count: await countMeToo(db, input.complaintId) };
}

/** Whether this device already marked the case. */
export async function hasMeToo(db: DB, complaintId: number, deviceToken: string): Promise<boolean> {
  if (!DEVICE_TOKEN_RE.test(deviceToken)) return false;
  const row = await db
    .selectFrom("complaint_me_too")
    .select("id")
    .where("complaint_id", "=", complaintId)
    .where("device_hash", "=", deviceHash(complaintId, deviceToken))
    .executeTakeFirst();
  return row !== undefined;
}

/** How many people said "me too" on a case. */
export async function countMeToo(db: DB, complaintId: number): Promise<number> {
  const row = await db
    .selectFrom("complaint_me_too")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("complaint_id", "=", complaintId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
