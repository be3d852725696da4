/**
 * Opening a map, for every map of the portal (the complaint form's pin, the case page, the queue, the settings):
 * Leaflet (components/location-map-leaflet.client.tsx, a chunk of its own), its stylesheet, the map settings and the
 * tiles are fetched only when someone asks for a map.
 */
import { isMapPage } from "~/lib/map";
import type { MapConfig } from "~/components/location-map-leaflet.client";
import { appPath } from "~/lib/app-path";

/** Whether this document was served as a page with a map (its Content Security Policy allows the tile host). */
function documentAllowsTiles(): boolean {
  try {
    const nav = performance.getEntriesByType?.("navigation")[0] as PerformanceNavigationTiming | undefined;
    return isMapPage(new URL(nav?.name || window.location.href).pathname);
  } catch {
    return isMapPage(window.location.pathname);
  }
}

/** Opens the map of this page again after a full load (a page reached without reloading keeps the old page's policy). */
const OPEN_PARAM = "map";

export async function loadMapConfig(): Promise<MapConfig> {
  const res = await fetch(appPath("/map/settings"), { headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(`map settings: ${res.status}`);
  return (await res.json()) as MapConfig;
}

/** Leaflet's part of the map (a chunk of its own). */
export function loadMapEngine() {
  return import("~/components/location-map-leaflet.client");
}

/**
 * The map opens here only when this document's policy allows the tiles; otherwise the page is loaded again (a page
 * reached from another one without reloading) and the map opens by itself. Returns false in that case.
 */
export function mapCanOpenHere(): boolean {
  if (documentAllowsTiles()) return true;
  const url = new URL(window.location.href);
  url.searchParams.set(OPEN_PARAM, "1");
  window.location.assign(url.toString());
  return false;
}

/** Whether the page was (re)loaded to open its map at once (and may: its policy allows the tiles). */
export function mapRequestedInUrl(): boolean {
  return new URL(window.location.href).searchParams.get(OPEN_PARAM) === "1" && documentAllowsTiles();
}
