/**
 * The map of the complaint form, the case page and the queue: which pages may load map tiles (the Content Security
 * Policy allows the tile host on those pages only, never on the corruption channel), the tile URL template rules,
 * and the geometry of "open complaints nearby" (a bounded radius, positions rounded to about 100 m).
 */

/**
 * The box the complaint form accepts coordinates in (THAILAND_BOUNDS of app/lib/validation.ts, repeated here so that
 * browser code of the map does not pull the form's validation library; a unit test keeps the two equal).
 */
export const MAP_BOUNDS = { minLat: 5.5, maxLat: 20.5, minLng: 97.3, maxLng: 105.7 } as const;

/**
 * Pages that show a map: the public complaint form and the staff pages (the intake form, the case page, the queue and
 * the map settings; staff pages move between each other without reloading, so the whole staff area counts, except the
 * integrity officers' corruption-report pages). Never /report.
 */
export function isMapPage(pathname: string): boolean {
  const p = pathname.replace(/\/+$/, "") || "/";
  if (p === "/report" || p.startsWith("/report/")) return false;
  if (p === "/complaints/new") return true;
  if (p === "/staff/integrity" || p.startsWith("/staff/integrity/")) return false;
  return p === "/staff" || p.startsWith("/staff/");
}

/** A tile URL template: http(s), with {z}, {x} and {y}, optionally {s} (sub-domains) and {r} (retina suffix). */
export function isTileUrlTemplate(template: string): boolean {
  if (typeof template !== "string" || template.length > 300) return false;
  if (!template.includes("{z}") || !template.includes("{x}") || !template.includes("{y}")) return false;
  if (/\{(?![zxysr]\})[^}]*\}/.test(template)) return false;
  try {
    const u = new URL(template.replace(/\{[zxysr]\}/g, "0"));
    return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password && !u.hash;
  } catch {
    return false;
  }
}

/**
 * The CSP source of a tile URL template: its origin ("https://tile.openstreetmap.org"); a sub-domain placeholder
 * becomes a wildcard ("https://{s}.tile.example.org/…" → "https://*.tile.example.org"). Null for an invalid template.
 */
export function tileCspSource(template: string): string | null {
  if (!isTileUrlTemplate(template)) return null;
  const m = /^(https?):\/\/([^/?#]+)/i.exec(template);
  if (!m) return null;
  const host = m[2].toLowerCase();
  if (host.includes("{s}")) {
    if (!/^\{s\}\./.test(host)) return null;
    return `${m[1].toLowerCase()}://*${host.slice(3)}`;
  }
  if (/[{}]/.test(host)) return null;
  return `${m[1].toLowerCase()}://${host}`;
}

/** Search radius of "open complaints nearby", in metres (the default and the most a request may ask for). */
export const NEARBY_RADIUS_M = 300;
export const NEARBY_MAX_RADIUS_M = 1000;
/** Most nearby cases returned (nearest first). */
export const NEARBY_MAX_ROWS = 20;
/** Decimal places the public positions are rounded to: 0.001° ≈ 111 m north–south, ≈ 107 m east–west in Thailand. */
export const PUBLIC_POSITION_DECIMALS = 3;

/** A public position: rounded to PUBLIC_POSITION_DECIMALS (about 100 m). */
export function roundPublicPosition(value: number): number {
  const f = 10 ** PUBLIC_POSITION_DECIMALS;
  return Math.round(value * f) / f;
}

/** Whether lat/lng is a point the portal accepts (inside Thailand, as the complaint form). */
export function isPointInThailand(lat: number, lng: number): boolean {
  return (
    Number.isFinite(lat) &&
    Number.isFinite(lng) &&
    lat >= MAP_BOUNDS.minLat &&
    lat <= MAP_BOUNDS.maxLat &&
    lng >= MAP_BOUNDS.minLng &&
    lng <= MAP_BOUNDS.maxLng
  );
}

const EARTH_RADIUS_M = 6_371_000;

/** Great-circle distance between two points, in metres. */
export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The latitude/longitude box around a point that contains every point within `radiusM` (for an index range). */
export function boundingBox(lat: number, lng: number, radiusM: number) {
  const dLat = (radiusM / EARTH_RADIUS_M) * (180 / Math.PI);
  const dLng = dLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180));
  return { minLat: lat - dLat, maxLat: lat + dLat, minLng: lng - dLng, maxLng: lng + dLng };
}

/** A decimal coordinate typed in a form field ("14.75", "๑๔.๗๕" is not accepted here), or null. */
export function parseCoordinate(text: string | null | undefined): number | null {
  const s = (text ?? "").trim();
  if (!/^-?\d{1,3}(\.\d{1,12})?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** What the public sees of an open case near the pin. */
export interface NearbyCase {
  id: string;
  /** Rounded to about 100 m. */
  lat: number;
  lng: number;
  category: string;
  /** The citizen's wording: received, or being worked on. */
  state: "received" | "in_progress";
  receivedOn: string;
  meToo: number;
}
