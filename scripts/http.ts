/** HTTP middleware for the production server: security headers, cross-site write refusal, request logs. */
import type { NextFunction, Request, Response } from "express";
import { log } from "../app/utils/logger.server";
import { observeRequest } from "../app/models/operations/metrics.server";
import { clientFromRequest, type Cidr } from "../app/utils/client-address.server";

/**
 * Sets res.locals.clientAddress: the client's rate-limit key (an IPv4 address or an IPv6 /64; X-Forwarded-For only from
 * a trusted proxy). Kept in memory for the request only: never logged or stored.
 */
export function clientAddress(trusted: readonly Cidr[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.clientAddress = clientFromRequest({ peer: req.socket.remoteAddress, headers: req.headers, path: req.path }, trusted);
    next();
  };
}
import { getEnv } from "../app/utils/env.server";
import { cspNonce } from "../app/utils/crypto.server";
import { isMapPage, tileCspSource } from "../app/lib/map";

let httpsOnly: boolean | null = null;
const hsts = () => (httpsOnly ??= getEnv().PUBLIC_URL.startsWith("https://"));
let onionBase: string | null | undefined;
const onionUrl = () => (onionBase === undefined ? (onionBase = getEnv().ONION_URL ?? null) : onionBase);
let tileSource: string | null | undefined;
/** The map tile host (MAP_TILE_URL) as a CSP source: allowed in img-src on pages with a map only (app/lib/map.ts). */
const mapTiles = () => (tileSource === undefined ? (tileSource = tileCspSource(getEnv().MAP_TILE_URL)) : tileSource);

/** Sets CSP with a per-request nonce and the other security headers on every response. */
export function applySecurityHeaders(req: Request, res: Response, next: NextFunction) {
  const nonce = cspNonce();
  res.locals.nonce = nonce;
  res.setHeader(
    "Content-Security-Policy",
    [
      "default-src 'self'",
      `script-src 'nonce-${nonce}' 'strict-dynamic'`,
      "style-src 'self'",
      `img-src 'self' data: blob:${isMapPage(req.path) && mapTiles() ? ` ${mapTiles()}` : ""}`,
      "font-src 'self'",
      "connect-src 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
      "manifest-src 'self'",
    ].join("; "),
  );
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", req.path.startsWith("/report") || req.path.startsWith("/staff/enrol") ? "no-referrer" : "same-origin");
  // ONION_URL: Tor Browser offers the corruption channel's onion address (not to those already on it).
  const onion = onionUrl();
  if (onion && (req.path === "/report" || req.path.startsWith("/report/")) && !/\.onion(:\d+)?$/i.test(req.headers.host ?? "")) {
    res.setHeader("Onion-Location", onion + req.originalUrl);
  }
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), interest-cohort=()");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  // Over https, browsers are told to use nothing else for a year (and the cookies carry __Host-/__Secure- names).
  if (hsts()) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
  if (
    req.path.startsWith("/report") ||
    req.path.startsWith("/staff") ||
    req.path.startsWith("/track") ||
    req.path.startsWith("/complaints")
  ) {
    res.setHeader("Cache-Control", "no-store");
  }
  next();
}

/**
 * Refuses state-changing requests that a browser marks as coming from another site (Origin or Sec-Fetch-Site).
 * Forms also carry a CSRF token checked in each action; this is the second layer that covers every route.
 */

/**
 * rejectCrossSiteWrites with one way through: `allowFrom(req, originHost)` may let a post from another site pass (the
 * switch to a linked account, posted from another organisation's page of the same installation: scripts/serve.ts). The
 * route still checks its one-time token and asks the person before anything changes.
 */
export function refuseCrossSiteWrites(allowFrom?: (req: Request, originHostname: string) => boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    const site = req.headers["sec-fetch-site"];
    const origin = req.headers.origin;
    const host = req.headers.host;
    let crossSite = site === "cross-site";
    let originHostname: string | null = null;
    if (origin && origin !== "null" && host) {
      try {
        const u = new URL(origin);
        originHostname = u.hostname;
        if (u.host !== host) crossSite = true;
      } catch {
        crossSite = true;
      }
    }
    if (crossSite && allowFrom && originHostname && allowFrom(req, originHostname)) {
      // Let through: Remix's own check would refuse an action whose Origin is not its Host, so the (vetted) Origin goes.
      crossSite = false;
      delete req.headers.origin;
    }
    refuseOrPass(req, res, next, crossSite, origin);
  };
}

export const rejectCrossSiteWrites = refuseCrossSiteWrites();

function refuseOrPass(req: Request, res: Response, next: NextFunction, crossSite: boolean, origin: string | undefined) {
  if (crossSite) {
    closeAfterResponse(req, res);
    res
      .status(403)
      .type("html")
      .send(simplePage("403", "คำขอนี้ถูกปฏิเสธ (มาจากเว็บไซต์อื่น)", "This request was refused (it came from another site)."));
    return;
  }
  // /report pages are no-referrer, so browsers send "Origin: null" on their same-site form posts. Cross-site posts
  // were refused above (Sec-Fetch-Site) and every form carries a CSRF token; drop the opaque value so Remix's own
  // origin check does not mistake it for a foreign host.
  if (origin === "null") delete req.headers.origin;
  next();
}

/** How long a connection that answered before its body was read keeps reading (and dropping) the rest. */
const LINGER_MS = 5_000;

/**
 * Marks the response `Connection: close` and closes the connection gently once it is sent: our side is shut first
 * (the client sees the whole answer), the rest of the body is read and dropped for up to LINGER_MS, then the socket
 * goes. Closing at once would reset the connection under a client that is still sending, and it might never read
 * the answer (the "lingering close" of web servers).
 */
export function closeAfterResponse(req: Request, res: Response): void {
  res.setHeader("Connection", "close");
  const socket = req.socket as typeof req.socket & { destroySoon?: () => void };
  let timer: NodeJS.Timeout | undefined;
  socket.destroySoon = () => {
    socket.end();
    timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
  };
  socket.once("end", () => socket.destroy());
  socket.once("close", () => timer && clearTimeout(timer));
  req.resume();
}

/** Logs method, path, status and duration only: no query string, IP address, user agent or body. */
export function requestLogger(req: Request, res: Response, next: NextFunction) {
  const start = process.hrtime.bigint();
  const requested = req.path; // before any mount point strips it
  // Nothing at all for the corruption channel: a line with a time would let a proxy's access log be matched to a report.
  if (requested === "/report" || requested.startsWith("/report/")) return next();
  res.on("finish", () => {
    if (
      requested.startsWith("/build/") ||
      requested.startsWith("/locales/") || // page strings: their namespace would tell which pages (e.g. /report) were read
      requested.startsWith("/styles/") ||
      requested === "/healthz" ||
      requested === "/metrics" ||
      requested === "/favicon.svg"
    )
      return;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    log.info("request", { method: req.method, path: requested, status: res.statusCode, ms: Math.round(ms) });
  });
  next();
}

/**
 * Request metrics (app/models/operations/metrics.server.ts): each answered request is counted, with its duration, under the route
 * PATTERN `labelOf` gives (never the concrete path; the whole /report channel under one label, without timings).
 */
export function requestMetrics(labelOf: (path: string) => string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    const requested = req.path; // before any mount point strips it
    res.once("finish", () => observeRequest(labelOf(requested), req.method, res.statusCode, Number(process.hrtime.bigint() - start) / 1e9));
    next();
  };
}

const ERROR_TEXT: Record<number, [th: string, en: string]> = {
  408: ["ส่งข้อมูลช้าเกินไปจนหมดเวลา กรุณาลองส่งใหม่อีกครั้ง", "Sending took too long and timed out. Please try again."],
  413: [
    "ข้อมูลหรือไฟล์มีขนาดใหญ่เกินกำหนด กรุณาย้อนกลับและเลือกไฟล์ที่เล็กลง",
    "The data or files are larger than allowed. Please go back and choose smaller files.",
  ],
};

/** A small bilingual page for answers given before Remix runs (body too large, too slow). */
export function httpErrorPage(status: 408 | 413): string {
  const [th, en] = ERROR_TEXT[status];
  return simplePage(String(status), th, en);
}

function simplePage(code: string, th: string, en: string): string {
  return `<!doctype html><html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${code}</title><link rel="stylesheet" href="/styles/app.css"></head><body><main class="container"><h1>${code}</h1><p>${th}</p><p lang="en">${en}</p><p><a href="/">หน้าแรก / Home</a></p></main></body></html>`;
}
