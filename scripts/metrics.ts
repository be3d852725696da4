/**
 * GET /metrics (Prometheus text format; app/models/operations/metrics.server.ts) and who may read it.
 *
 * Allowed: a request with `Authorization: Bearer <METRICS_TOKEN>` (when that variable is set), or a request from this
 * machine — the socket peer is a loopback address and either no forwarded-client header came with it, or the peer is
 * a trusted proxy (TRUSTED_PROXIES) and the client it names is itself a loopback address. A reverse proxy on the same
 * machine that is not in TRUSTED_PROXIES therefore never makes the public "local": its X-Forwarded-For refuses it.
 * Anyone else gets the portal's ordinary 404 page, as for any unknown address.
 */
import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import {
  hasForwardedHeaders,
  inCidr,
  parseCidr,
  parseIp,
  resolveClientAddress,
  isTrusted,
  type Cidr,
} from "../app/utils/client-address.server";
import { renderMetrics } from "../app/models/operations/metrics.server";
import { getDb } from "../app/utils/db.server";
import { PROMETHEUS_CONTENT_TYPE } from "../app/lib/prometheus";
import { log, errorFields } from "../app/utils/logger.server";

const LOOPBACK: Cidr[] = [parseCidr("127.0.0.0/8")!, parseCidr("::1/128")!];

export function isLoopback(address: string | undefined | null): boolean {
  const ip = parseIp(address);
  return !!ip && LOOPBACK.some((c) => inCidr(ip, c));
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  if (!m) return false;
  // Compare digests: equal length, constant time.
  const a = crypto.createHash("sha256").update(m[1]!).digest();
  const b = crypto.createHash("sha256").update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Whether a request may read /metrics (see the module comment). Pure. */
export function metricsAllowed(req: {
  peer: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  trusted: readonly Cidr[];
  token: string | undefined;
}): boolean {
  const auth = req.headers.authorization;
  if (req.token && typeof auth === "string" && tokenMatches(auth, req.token)) return true;
  if (!isLoopback(req.peer)) return false;
  if (!hasForwardedHeaders(req.headers)) return true;
  if (!isTrusted(req.peer, req.trusted) || req.headers["x-forwarded-for"] === undefined) return false;
  return isLoopback(resolveClientAddress(req.peer, req.headers["x-forwarded-for"], req.trusted));
}

/** The Express handler of GET /metrics. */
export function metricsEndpoint(opts: { trusted: readonly Cidr[]; token: string | undefined }) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!metricsAllowed({ peer: req.socket.remoteAddress, headers: req.headers, trusted: opts.trusted, token: opts.token })) return next();
    try {
      const body = await renderMetrics(getDb());
      res.status(200).setHeader("Content-Type", PROMETHEUS_CONTENT_TYPE);
      res.setHeader("Cache-Control", "no-store");
      res.send(Buffer.from(body, "utf8")); // a Buffer: Express keeps the Content-Type exactly as set
    } catch (e) {
      log.warn("metrics failed", errorFields(e));
      res.status(500).type("text").send("metrics unavailable\n");
    }
  };
}
