/**
 * The portal's maps: the tiles (MAP_TILE_URL and its attribution, from the environment) and where the maps open (the
 * organisation's centre and zoom, in org_profile, set by the administrator on /staff/admin/map).
 */
import { z } from "zod";
import type { DB, Executor } from "../../../db/connection";
import type { Staff } from "../../../db/schema";
import { DomainError } from "~/lib/domain-error";
import { canAdminister } from "~/lib/permissions";
import { isPointInThailand } from "~/lib/map";
import { appendAudit } from "~/models/audit/audit.server";
import { getOrgProfile, invalidateOrgCache } from "~/models/organisation/profile.server";
import { getEnv } from "~/utils/env.server";
import { now } from "~/utils/clock.server";

/** Where a map opens when the organisation has not set its centre: the whole of Thailand. */
export const COUNTRY_VIEW = { lat: 13.0, lng: 101.0, zoom: 6 } as const;

export interface MapSettings {
  tileUrl: string;
  attribution: string;
  attributionUrl: string;
  centre: { lat: number; lng: number };
  zoom: number;
  /** False while the administrator has not set the organisation's centre (the map shows the whole country). */
  centreSet: boolean;
}

/** The tiles and the first view of every map of the portal. */
export async function mapSettings(db: DB): Promise<MapSettings> {
  const env = getEnv();
  const org = await getOrgProfile(db);
  const set = org.map_centre_lat !== null && org.map_centre_lng !== null;
  return {
    tileUrl: env.MAP_TILE_URL,
    attribution: env.MAP_TILE_ATTRIBUTION,
    attributionUrl: env.MAP_TILE_ATTRIBUTION_URL,
    centre: set ? { lat: org.map_centre_lat!, lng: org.map_centre_lng! } : { lat: COUNTRY_VIEW.lat, lng: COUNTRY_VIEW.lng },
    zoom: set ? org.map_zoom : COUNTRY_VIEW.zoom,
    centreSet: set,
  };
}

const coordinate = (min: number, max: number) =>
  z
    .string({ error: "errors.required" })
    .trim()
    .min(1, { error: "errors.required" })
    .regex(/^-?\d{1,3}(\.\d{1,8})?$/, { error: "errors.coordinates" })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: "errors.coordinates" });

/** The administrator's form: the centre (decimal degrees, inside Thailand) and the zoom of the first view. */
export const mapCentreSchema = z
  .object({
    lat: coordinate(-90, 90),
    lng: coordinate(-180, 180),
    zoom: z.coerce
      .number({ error: "errors.invalidChoice" })
      .int({ error: "errors.invalidChoice" })
      .min(5, { error: "errors.invalidChoice" })
      .max(18, { error: "errors.invalidChoice" }),
  })
  .superRefine((v, ctx) => {
    if (!isPointInThailand(v.lat, v.lng)) ctx.addIssue({ code: "custom", path: ["lat"], message: "errors.coordinates" });
  });
export type MapCentreInput = z.output<typeof mapCentreSchema>;

/** Sets where the maps open (administrators only; recorded in the audit log). */
export async function updateMapCentre(db: Executor, actor: Pick<Staff, "id" | "role">, input: MapCentreInput): Promise<void> {
  if (!canAdminister(actor)) throw DomainError.forbidden();
  await db
    .updateTable("org_profile")
    .set({ map_centre_lat: input.lat, map_centre_lng: input.lng, map_zoom: input.zoom, updated_at: now().toISOString() })
    .where("id", "=", 1)
    .execute();
  await appendAudit(db, {
    actorId: actor.id,
    actorRole: actor.role,
    action: "settings.update",
    targetType: "org_profile",
    targetId: 1,
    details: { setting: "map_centre", lat: input.lat, lng: input.lng, zoom: input.zoom },
  });
  invalidateOrgCache(db as DB);
}
