/**
 * Open complaints near a point, for the public complaint form ("is it already reported?") and the officers' map.
 *
 * What the public gets of a nearby case: an opaque id, the category, a two-word state, the day it was received, the
 * number of "me too" marks and a position rounded to about 100 m (app/lib/map.ts). Never the subject, details,
 * landmark, village name, contact, reference number or tracking code: the reference is printed on letters and
 * notices, so a case on the map must not be matched to one; the opaque id (`nearbyCaseId`) is a keyed permutation of
 * the case's row id that only this server can turn back, and it opens nothing anywhere else.
 *
 * Which cases are "near" is decided on the ROUNDED positions only, so moving the pin about cannot find a case's exact
 * position at the edge of the circle. Only open general complaints (the complaints table; corruption reports live in
 * their own tables and never come here), at most NEARBY_MAX_ROWS, within NEARBY_MAX_RADIUS_M.
 */
import crypto from "node:crypto";
import { sql, type SqlBool } from "kysely";
import type { DB } from "../../../db/connection";
import type { Staff } from "../../../db/schema";
import { openStatusSqlText } from "../../../db/statuses";
import {
  boundingBox,
  distanceM,
  isPointInThailand,
  NEARBY_MAX_RADIUS_M,
  NEARBY_MAX_ROWS,
  roundPublicPosition,
  type NearbyCase,
} from "~/lib/map";
import { queueDivisionScope } from "~/lib/permissions";
import { formatThaiDate } from "~/lib/thai-date";
import type { Lang } from "~/i18n";
import { deriveKey } from "~/utils/crypto.server";
import { getSecrets } from "~/utils/db.server";

/** The one condition of the partial index complaints_open_position (migration 2026-12-20T0100_map). */
const OPEN_POSITIONED = sql.raw<SqlBool>(`${openStatusSqlText("c.status")} and c.latitude is not null`);

const ID_MAGIC = Buffer.from("sjnearby", "latin1");

function idKey(): Buffer {
  return Buffer.from(deriveKey(getSecrets().outboxKey, "nearby-case-id"), "base64url");
}

/** The public id of a case on the map: AES of (magic, row id) under a key of this installation; 22 characters. */
export function nearbyCaseId(complaintId: number): string {
  const block = Buffer.alloc(16);
  ID_MAGIC.copy(block, 0);
  block.writeBigUInt64BE(BigInt(complaintId), 8);
  const cipher = crypto.createCipheriv("aes-256-ecb", idKey(), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]).toString("base64url");
}

/** The row id behind a public id, or null for anything this server did not make. */
export function complaintIdFromNearbyId(id: unknown): number | null {
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{22}$/.test(id)) return null;
  const bytes = Buffer.from(id, "base64url");
  if (bytes.length !== 16) return null;
  const decipher = crypto.createDecipheriv("aes-256-ecb", idKey(), null);
  decipher.setAutoPadding(false);
  const block = Buffer.concat([decipher.update(bytes), decipher.final()]);
  if (!crypto.timingSafeEqual(block.subarray(0, 8), ID_MAGIC)) return null;
  const n = block.readBigUInt64BE(8);
  return n > 0n && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : null;
}

/** Candidate rows read from the index before the distance check (the box is a little larger than the circle). */
const CANDIDATE_ROWS = 500;

/**
 * Open general complaints within `radiusM` (at most NEARBY_MAX_RADIUS_M) of a point, nearest first, at most
 * NEARBY_MAX_ROWS, with rounded positions and nothing that identifies the complainant or the case's text.
 */
export async function findNearbyComplaints(db: DB, at: { lat: number; lng: number; radiusM: number }, lang: Lang): Promise<NearbyCase[]> {
  if (!isPointInThailand(at.lat, at.lng)) return [];
  const radius = Math.max(50, Math.min(NEARBY_MAX_RADIUS_M, at.radiusM));
  // Rounding moves a position by at most ~80 m: the box is widened by that much so that every case whose ROUNDED
  // position is inside the circle is read.
  const box = boundingBox(at.lat, at.lng, radius + 120);
  const rows = await db
    .selectFrom("complaints as c")
    .innerJoin("categories as cat", "cat.id", "c.category_id")
    // The only columns read: nothing else of the case may reach the public.
    .select(["c.id", "c.latitude", "c.longitude", "c.status", "c.received_at", "cat.name_th", "cat.name_en"])
    .where(OPEN_POSITIONED)
    .where("c.latitude", ">=", box.minLat)
    .where("c.latitude", "<=", box.maxLat)
    .where("c.longitude", ">=", box.minLng)
    .where("c.longitude", "<=", box.maxLng)
    .limit(CANDIDATE_ROWS)
    .execute();
  const near = rows
    .map((r) => {
      const lat = roundPublicPosition(r.latitude!);
      const lng = roundPublicPosition(r.longitude!);
      return { r, lat, lng, d: distanceM(at, { lat, lng }) };
    })
    .filter((x) => x.d <= radius)
    .sort((a, b) => a.d - b.d || a.r.id - b.r.id)
    .slice(0, NEARBY_MAX_ROWS);
  const counts = await meTooCounts(
    db,
    near.map((x) => x.r.id),
  );
  return near.map(({ r, lat, lng }) => ({
    id: nearbyCaseId(r.id),
    lat,
    lng,
    category: lang === "en" ? r.name_en : r.name_th,
    state: r.status === "received" ? "received" : "in_progress",
    receivedOn: formatThaiDate(new Date(r.received_at), lang),
    meToo: counts.get(r.id) ?? 0,
  }));
}

/** "Me too" marks per case. */
export async function meTooCounts(db: DB, complaintIds: number[]): Promise<Map<number, number>> {
  if (complaintIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("complaint_me_too")
    .select(["complaint_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where("complaint_id", "in", complaintIds)
    .groupBy("complaint_id")
    .execute();
  return new Map(rows.map((r) => [r.complaint_id, Number(r.n)]));
}

/** An open case on the officers' map (exact position; officers see the case anyway). */
export interface StaffMapCase {
  reference: string;
  subject: string;
  category: string;
  status: string;
  lat: number;
  lng: number;
  meToo: number;
}

/** Most cases on the officers' map. */
export const STAFF_MAP_MAX_ROWS = 1000;

/**
 * The open cases with a position that `actor` may see in the queue (an officer: their division's; integrity officers:
 * none), earliest deadline first, at most STAFF_MAP_MAX_ROWS.
 */
export async function openCasesForMap(
  db: DB,
  actor: Pick<Staff, "id" | "role" | "division_id">,
  lang: Lang,
): Promise<{ cases: StaffMapCase[]; more: boolean }> {
  const scope = queueDivisionScope(actor);
  let q = db
    .selectFrom("complaints as c")
    .innerJoin("categories as cat", "cat.id", "c.category_id")
    .select(["c.id", "c.reference", "c.subject", "c.status", "c.latitude", "c.longitude", "cat.name_th", "cat.name_en"])
    .where(OPEN_POSITIONED)
    .orderBy("c.due_at")
    .orderBy("c.id")
    .limit(STAFF_MAP_MAX_ROWS + 1);
  if (scope !== undefined) q = q.where("c.division_id", "=", scope);
  const rows = await q.execute();
  const shown = rows.slice(0, STAFF_MAP_MAX_ROWS);
  const counts = await meTooCounts(
    db,
    shown.map((r) => r.id),
  );
  return {
    cases: shown.map((r) => ({
      reference: r.reference,
      subject: r.subject,
      category: lang === "en" ? r.name_en : r.name_th,
      status: r.status,
      lat: r.latitude!,
      lng: r.longitude!,
      meToo: counts.get(r.id) ?? 0,
    })),
    more: rows.length > STAFF_MAP_MAX_ROWS,
  };
}
