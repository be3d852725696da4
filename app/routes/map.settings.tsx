/**
 * GET /map/settings — what a map needs when someone opens it: the tile URL template and attribution (MAP_TILE_URL…)
 * and where it opens (the organisation's centre and zoom). JSON, fetched only when a map is opened.
 */
import { json } from "@remix-run/node";
import { mapSettings } from "~/models/organisation/map.server";
import { getDb } from "~/utils/db.server";

export async function loader() {
  const s = await mapSettings(getDb());
  return json(
    { tileUrl: s.tileUrl, attribution: s.attribution, attributionUrl: s.attributionUrl, centre: s.centre, zoom: s.zoom },
    { headers: { "Cache-Control": "no-cache" } },
  );
}
