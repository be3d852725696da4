/**
 * Route patterns for request metrics: a request is counted under the pattern of the route that serves it
 * (`/staff/cases/:reference`, `/stats/report/:fy/:period?`), never under its concrete path, so no reference, code or
 * file name reaches the metrics and the number of series stays fixed.
 *
 * Everything under /report (the corruption channel) is counted under ONE label, "/report": per-page counts and
 * latencies of that channel, scraped every few seconds, would say when someone filed a report, opened the inbox or
 * sent a message — exactly the timing that the channel hides elsewhere (no request log lines, random-time notice
 * batches). One total of all its requests says only that the channel is used.
 */

export interface RouteEntry {
  id?: string;
  parentId?: string;
  path?: string;
  index?: boolean;
}

/** The single label of the corruption channel. */
export const REPORT_LABEL = "/report";
/** Browser assets (/build/…) and the static files of public/. */
export const STATIC_LABEL = "static";
/** Anything no route serves (404s): one label, whatever was asked. */
export const UNMATCHED_LABEL = "unmatched";

interface Candidate {
  pattern: string;
  segments: string[];
  score: number;
}

function segmentScore(seg: string): number {
  if (seg === "*") return -2;
  if (seg.startsWith(":")) return 3;
  return 10;
}

/** Every concrete variant of a pattern's segments (optional segments `x?` present or absent). */
function variants(segments: string[]): string[][] {
  let out: string[][] = [[]];
  for (const seg of segments) {
    if (seg.endsWith("?")) {
      const bare = seg.slice(0, -1);
      out = out.flatMap((v) => [v, [...v, bare]]);
    } else out = out.map((v) => [...v, seg]);
  }
  return out;
}

function splitPath(p: string): string[] {
  return p.split("/").filter((s) => s.length > 0);
}

/** Full patterns ("/staff/cases/:reference") of every route of a Remix build's `routes` table. */
export function routePatterns(routes: Readonly<Record<string, RouteEntry>>): string[] {
  const full = (id: string, seen = new Set<string>()): string[] => {
    const r = routes[id];
    if (!r || seen.has(id)) return [];
    seen.add(id);
    const own = r.path ? splitPath(r.path) : [];
    return [...(r.parentId ? full(r.parentId, seen) : []), ...own];
  };
  const out = new Set<string>();
  for (const id of Object.keys(routes)) out.add("/" + full(id).join("/"));
  return [...out];
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A function from a request path to its metrics label: the pattern of the most specific matching route (static
 * segments before parameters before splats, as the router ranks them), "/report" for the whole corruption channel,
 * "static" for assets, "unmatched" otherwise. `extra`: patterns served outside the Remix build (e.g. "/metrics").
 */
export function createRouteLabeler(
  routes: Readonly<Record<string, RouteEntry>>,
  extra: readonly string[] = [],
): (pathname: string) => string {
  const candidates: Candidate[] = [];
  for (const pattern of [...routePatterns(routes), ...extra]) {
    for (const segments of variants(splitPath(pattern))) {
      candidates.push({ pattern, segments, score: segments.length + segments.reduce((a, s) => a + segmentScore(s), 0) });
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  return (pathname: string) => {
    const segs = splitPath(pathname).map(decodeSegment);
    const lower = segs.map((s) => s.toLowerCase());
    // The router matches case-insensitively and on decoded segments: "/Report/new" and "/%72eport" are the channel too.
    if (lower[0] === "report") return REPORT_LABEL;
    for (const c of candidates) {
      if (matches(c.segments, lower)) return c.pattern;
    }
    if (lower[0] === "build" || /\.[a-z0-9]+$/i.test(lower[lower.length - 1] ?? "")) return STATIC_LABEL;
    return UNMATCHED_LABEL;
  };
}

function matches(pattern: string[], path: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === "*") return true;
    if (i >= path.length) return false;
    if (p.startsWith(":")) continue;
    if (p.toLowerCase() !== path[i]) return false;
  }
  return pattern.length === path.length;
}
