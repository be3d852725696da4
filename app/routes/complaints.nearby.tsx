/**
 * GET /complaints/nearby?lat=…&lng=… — the open general complaints near a point, as JSON, for the complaint form's
 * "already reported nearby?" list (app/models/complaints/nearby.server.ts: rounded positions, category, state, date,
 * "me too" count; never text, contact, reference or tracking code). Rate-limited per client; a bad point is a 400.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { NEARBY_MAX_RADIUS_M, NEARBY_RADIUS_M } from "~/lib/map";
import { findNearbyComplaints } from "~/models/complaints/nearby.server";
import { getDb } from "~/utils/db.server";
import { clientOf, limiter } from "~/utils/rate-limit.server";
import { getLang } from "~/utils/request.server";

/** Lookups per client: a citizen moving the pin about a few times a minute is far below this. */
const nearbyLimiter = () => limiter("nearby-lookup", 60, 10 * 60_000);

const coordinate = z
  .string()
  .trim()
  .regex(/^-?\d{1,3}(\.\d{1,12})?$/)
  .transform(Number);

const querySchema = z.object({
  lat: coordinate.refine((n) => n >= -90 && n <= 90),
  lng: coordinate.refine((n) => n >= -180 && n <= 180),
  r: z.coerce.number().int().min(50).max(NEARBY_MAX_RADIUS_M).default(NEARBY_RADIUS_M),
});

const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const hit = nearbyLimiter().hit(clientOf(context as { clientAddress?: string }));
  if (!hit.allowed) {
    return json({ error: "rateLimited", cases: [] }, { status: 429, headers: { ...NO_STORE, "Retry-After": String(hit.retryAfterSec) } });
  }
  const url = new URL(request.url);
  const parsed = querySchema.safeParse({
    lat: url.searchParams.get("lat") ?? "",
    lng: url.searchParams.get("lng") ?? "",
    r: url.searchParams.get("r") ?? undefined,
  });
  if (!parsed.success) return json({ error: "badPoint", cases: [] }, { status: 400, headers: NO_STORE });
  const { lat, lng, r } = parsed.data;
  const cases = await findNearbyComplaints(getDb(), { lat, lng, radiusM: r }, getLang(request));
  return json({ radiusM: r, cases }, { headers: NO_STORE });
}
