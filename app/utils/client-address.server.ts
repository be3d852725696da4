/**
 * Who the client is, for rate limits only (the result is never stored or logged).
 *
 * - clientKey(): the ONE normalisation every limiter and the receipt throttle use. IPv4 addresses as they are; IPv4-mapped
 *   IPv6 (::ffff:203.0.113.5) as the IPv4 address; any other IPv6 address by its /64 ("2001:db8:1:2::/64"), since one
 *   subscriber or server gets a whole /64 and could otherwise be unlimited "clients". Idempotent.
 * - Trusted proxies (TRUSTED_PROXIES: addresses or CIDRs, IPv4 and IPv6): X-Forwarded-For is read only when the
 *   connecting peer is one of them. The chain is walked from the right (the entry the nearest proxy added), skipping
 *   trusted addresses; the first untrusted one is the client. An entry that is not an address ends the walk at the last
 *   trusted hop. Forwarded headers from anyone else are ignored: the socket address is the client.
 * - The warning: forwarded headers (X-Forwarded-For, Forwarded, X-Real-IP) arriving while no proxy is configured mean
 *   the server probably sits behind a proxy it does not know about, so every visitor shares the proxy's address and
 *   its limits. The server then says so: one log line per process, a field of /healthz, proxyWarning() for the admin
 *   page, and a file <DATA_DIR>/proxy-warning.json so the next start-up warns again (it holds the day it was first
 *   seen, nothing else; it is removed at a start with TRUSTED_PROXIES set). The log line and the file are written only
 *   on a request outside /report (never at the moment of a corruption-channel visit); the in-memory flag is set at once.
 *
 * Every piece of state is kept on globalThis: the server bundle (scripts/serve.ts) and the Remix build are separate
 * module instances in one process.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { log } from "./logger.server";

export interface Ip {
  v: 4 | 6;
  bytes: Uint8Array;
}

export interface Cidr extends Ip {
  prefix: number;
}

function parseV4(s: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(m[i + 1]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseV6(input: string): Uint8Array | null {
  if (!net.isIPv6(input)) return null;
  let s = input;
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseV4(tail);
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  let groups: string[];
  const dbl = s.indexOf("::");
  if (dbl >= 0) {
    const left = s.slice(0, dbl) ? s.slice(0, dbl).split(":") : [];
    const right = s.slice(dbl + 2) ? s.slice(dbl + 2).split(":") : [];
    const missing = 8 - left.length - right.length;
    if (missing < 0) return null;
    groups = [...left, ...Array<string>(missing).fill("0"), ...right];
  } else {
    groups = s.split(":");
  }
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i])) return null;
    const n = parseInt(groups[i], 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 255;
  }
  return out;
}

/**
 * Parses an address as it may come from a socket or a forwarded header: "203.0.113.5", "203.0.113.5:4711",
 * "2001:db8::1", "[2001:db8::1]:443", "fe80::1%eth0", "::ffff:203.0.113.5", or a key made by clientKey() ("…::/64").
 * IPv4-mapped IPv6 comes back as IPv4. Null when it is not an address.
 */
export function parseIp(raw: string | null | undefined): Ip | null {
  if (typeof raw !== "string") return null;
  let s = raw.trim();
  if (!s || s.length > 100) return null;
  const bracket = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s);
  if (bracket) s = bracket[1];
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(s);
  if (v4port) s = v4port[1];
  if (s.endsWith("/64") && s.includes(":")) s = s.slice(0, -3);
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const v4 = parseV4(s);
  if (v4) return { v: 4, bytes: v4 };
  const v6 = parseV6(s);
  if (!v6) return null;
  if (isV4Mapped(v6)) return { v: 4, bytes: v6.slice(12) };
  return { v: 6, bytes: v6 };
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * The rate-limit key of a client address (see the module comment): IPv4 dotted, IPv6 by its /64, "unknown" for
 * anything that is not an address. clientKey(clientKey(x)) === clientKey(x).
 */
export function clientKey(address: string | null | undefined): string {
  const ip = parseIp(address);
  if (!ip) return "unknown";
  if (ip.v === 4) return Array.from(ip.bytes).join(".");
  const g: string[] = [];
  for (let i = 0; i < 4; i++) g.push(((ip.bytes[2 * i] << 8) | ip.bytes[2 * i + 1]).toString(16));
  return `${g.join(":")}::/64`;
}

/** Parses one TRUSTED_PROXIES entry: an address ("10.0.0.1", "::1") or a CIDR ("10.0.0.0/8", "2001:db8::/32"). */
export function parseCidr(entry: string): Cidr | null {
  const s = entry.trim();
  const slash = s.indexOf("/");
  const addr = slash >= 0 ? s.slice(0, slash) : s;
  const v4 = parseV4(addr);
  const v6 = v4 ? null : parseV6(addr);
  if (!v4 && !v6) return null;
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return null;
    prefix = Number(p);
  }
  // An IPv4-mapped IPv6 entry (::ffff:10.0.0.1, ::ffff:0:0/96 and longer) is its IPv4 range.
  if (v6 && isV4Mapped(v6) && prefix >= 96) return { v: 4, bytes: v6.slice(12), prefix: prefix - 96 };
  return { v: v4 ? 4 : 6, bytes: (v4 ?? v6)!, prefix };
}

/**
 * Parses the TRUSTED_PROXIES value (comma-separated; spaces allowed; empty = none). Throws an Error naming the first
 * entry that is neither an address nor a CIDR.
 */
export function parseTrustedProxies(spec: string | undefined | null): Cidr[] {
  if (!spec || !spec.trim()) return [];
  const out: Cidr[] = [];
  for (const entry of spec.split(",")) {
    if (!entry.trim()) continue;
    const c = parseCidr(entry);
    if (!c) throw new Error(`"${entry.trim()}" is not an IP address or CIDR (e.g. 10.0.0.1, 10.0.0.0/8, 2001:db8::/32)`);
    out.push(c);
  }
  return out;
}

export function inCidr(ip: Ip, c: Cidr): boolean {
  if (ip.v !== c.v) return false;
  let bits = c.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip.bytes[i] & mask) !== (c.bytes[i] & mask)) return false;
  }
  return true;
}

export function isTrusted(address: string | Ip | null | undefined, trusted: readonly Cidr[]): boolean {
  const ip = typeof address === "string" || address == null ? parseIp(address) : address;
  return !!ip && trusted.some((c) => inCidr(ip, c));
}

/**
 * The client's address: the socket peer, or — only when the peer is a trusted proxy — the first untrusted address of
 * X-Forwarded-For read from the right (see the module comment). Not yet normalised: pass it to clientKey().
 */
export function resolveClientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: readonly Cidr[],
): string {
  const socket = peer ?? "";
  if (trusted.length === 0 || forwardedFor === undefined || !isTrusted(socket, trusted)) return socket;
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  let current = socket;
  for (let i = chain.length - 1; i >= 0; i--) {
    const ip = parseIp(chain[i]);
    if (!ip) break; // not an address: the last trusted hop is all we know
    current = chain[i];
    if (!trusted.some((c) => inCidr(ip, c))) break;
  }
  return current;
}

/** Whether a request carries any forwarded-client header. */
export function hasForwardedHeaders(headers: Record<string, string | string[] | undefined>): boolean {
  return headers["x-forwarded-for"] !== undefined || headers["forwarded"] !== undefined || headers["x-real-ip"] !== undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The "forwarded headers without a trusted proxy" warning.

export const PROXY_WARNING_FILE = "proxy-warning.json";

interface WarningState {
  /** Proxies configured at start (then forwarded headers are expected and no warning is given). */
  configured: boolean;
  dataDir: string | null;
  seen: boolean;
  /** Day (Bangkok, YYYY-MM-DD) it was first seen, possibly by an earlier run. */
  since: string | null;
  logged: boolean;
  persisted: boolean;
}

declare global {
  var __sujaritProxyWarning: WarningState | undefined;
}

function warningState(): WarningState {
  return (globalThis.__sujaritProxyWarning ??= {
    configured: false,
    dataDir: null,
    seen: false,
    since: null,
    logged: false,
    persisted: false,
  });
}

function bangkokDay(at = new Date()): string {
  return new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

const WARNING_TEXT =
  "forwarded headers (X-Forwarded-For) arrive but TRUSTED_PROXIES is not set: they are ignored and every visitor behind the proxy shares one address and its rate limits; set TRUSTED_PROXIES to the proxy's address";

/**
 * At start-up (scripts/serve.ts): with proxies configured, an earlier warning is cleared; without, a warning persisted
 * by an earlier run is logged again and shown on /healthz and the admin page.
 */
export function initProxyWarning(opts: { dataDir: string; trustedConfigured: boolean }): void {
  const s = warningState();
  s.configured = opts.trustedConfigured;
  s.dataDir = opts.dataDir;
  const file = path.join(opts.dataDir, PROXY_WARNING_FILE);
  if (opts.trustedConfigured) {
    s.seen = false;
    s.since = null;
    if (fs.existsSync(file)) {
      fs.rmSync(file, { force: true });
      log.info("TRUSTED_PROXIES is set: the earlier warning about forwarded headers is cleared");
    }
    return;
  }
  try {
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { since?: unknown };
    s.seen = true;
    s.persisted = true;
    s.since = typeof saved.since === "string" && /^\d{4}-\d{2}-\d{2}$/.test(saved.since) ? saved.since : null;
    s.logged = true;
    log.warn(`${WARNING_TEXT} (first seen by an earlier run)`, { since: s.since });
  } catch {
    /* no earlier warning */
  }
}

/**
 * Notes a request with forwarded headers while no proxy is configured. `path` decides only whether the log line and the
 * file may be written now (never during a /report request; the next other request does it).
 */
export function noteForwardedWithoutProxy(requestPath: string): void {
  const s = warningState();
  if (s.configured) return;
  if (!s.seen) {
    s.seen = true;
    s.since ??= bangkokDay();
  }
  if ((s.logged && s.persisted) || requestPath === "/report" || requestPath.startsWith("/report/")) return;
  if (!s.logged) {
    s.logged = true;
    log.warn(WARNING_TEXT, { since: s.since });
  }
  if (!s.persisted && s.dataDir) {
    s.persisted = true;
    try {
      fs.writeFileSync(
        path.join(s.dataDir, PROXY_WARNING_FILE),
        JSON.stringify({ forwardedHeadersWithoutTrustedProxy: true, since: s.since }) + "\n",
        { mode: 0o600 },
      );
    } catch (e) {
      log.warn("could not record the forwarded-header warning", { error: (e as Error).name });
    }
  }
}

/**
 * For /healthz and the admin page: whether forwarded headers were seen while no trusted proxy is configured (in this run
 * or an earlier one), and since which day (Bangkok, YYYY-MM-DD).
 */
export function proxyWarning(): { seen: boolean; since: string | null } {
  const s = warningState();
  return { seen: s.seen, since: s.seen ? s.since : null };
}

/** Test hook: forgets the warning state of this process. */
export function resetProxyWarning(): void {
  globalThis.__sujaritProxyWarning = undefined;
}

/**
 * The client key of one request (scripts/http.ts calls it for every request): resolves the address against the trusted
 * proxies, notes forwarded headers that nobody configured, and normalises.
 */
export function clientFromRequest(
  req: { peer: string | undefined; headers: Record<string, string | string[] | undefined>; path: string },
  trusted: readonly Cidr[],
): string {
  if (trusted.length === 0 && hasForwardedHeaders(req.headers)) noteForwardedWithoutProxy(req.path);
  return clientKey(resolveClientAddress(req.peer, req.headers["x-forwarded-for"], trusted));
}
