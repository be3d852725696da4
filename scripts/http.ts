/** HTTP middleware for the production server: security headers, cross-site write refusal, request logs. */
import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { log } from "../app/utils/logger.server";

/** Largest request body accepted (5 files of 10 MB plus the form). */
export const MAX_BODY_BYTES = 60 * 1024 * 1024;

/** Sets CSP with a per-request nonce and the other security headers on every response. */
export function applySecurityHeaders(req: Request, res: Response, next: NextFunction) {
  const nonce = crypto.randomBytes(16).toString("base64");
  res.locals.nonce = nonce;
  res.setHeader(
    "Content-Security-Policy",
    [
      "default-src 'self'",
      `script-src 'nonce-${nonce}' 'strict-dynamic'`,
      "style-src 'self'",
      "img-src 'self' data: blob:",
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
  res.setHeader("Referrer-Policy", req.path.startsWith("/report") ? "no-referrer" : "same-origin");
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), interest-cohort=()");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
  if (req.path.startsWith("/report") || req.path.startsWith("/staff") || req.path.startsWith("/track") || req.path.startsWith("/complaints")) {
    res.setHeader("Cache-Control", "no-store");
  }
  next();
}

/**
 * Refuses state-changing requests that a browser marks as coming from another site (Origin or Sec-Fetch-Site).
 * Forms also carry a CSRF token checked in each action; this is the second layer that covers every route.
 */
export function rejectCrossSiteWrites(req: Request, res: Response, next: NextFunction) {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
  const site = req.headers["sec-fetch-site"];
  const origin = req.headers.origin;
  const host = req.headers.host;
  let crossSite = site === "cross-site";
  if (origin && origin !== "null" && host) {
    try {
      if (new URL(origin).host !== host) crossSite = true;
    } catch {
      crossSite = true;
    }
  }
  if (crossSite) {
    res.status(403).type("html").send(simplePage("403", "คำขอนี้ถูกปฏิเสธ (มาจากเว็บไซต์อื่น)", "This request was refused (it came from another site)."));
    req.resume();
    return;
  }
  // /report pages are no-referrer, so browsers send "Origin: null" on their same-site form posts. Cross-site posts
  // were refused above (Sec-Fetch-Site) and every form carries a CSRF token; drop the opaque value so Remix's own
  // origin check does not mistake it for a foreign host.
  if (origin === "null") delete req.headers.origin;
  next();
}

/** Logs method, path, status and duration only: no query string, IP address, user agent or body. */
export function requestLogger(req: Request, res: Response, next: NextFunction) {
  const start = process.hrtime.bigint();
  const requested = req.path; // before any mount point strips it
  res.on("finish", () => {
    if (requested.startsWith("/build/") || requested.startsWith("/styles/") || requested === "/healthz" || requested === "/favicon.svg") return;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const path = requested.startsWith("/report") ? "/report/*" : requested;
    log.info("request", { method: req.method, path, status: res.statusCode, ms: Math.round(ms) });
  });
  next();
}

export function payloadTooLargePage(): string {
  return simplePage(
    "413",
    "ข้อมูลหรือไฟล์มีขนาดใหญ่เกินกำหนด กรุณาย้อนกลับและเลือกไฟล์ที่เล็กลง",
    "The data or files are larger than allowed. Please go back and choose smaller files.",
  );
}

function simplePage(code: string, th: string, en: string): string {
  return `<!doctype html><html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${code}</title><link rel="stylesheet" href="/styles/app.css"></head><body><main class="container"><h1>${code}</h1><p>${th}</p><p lang="en">${en}</p><p><a href="/">หน้าแรก / Home</a></p></main></body></html>`;
}
