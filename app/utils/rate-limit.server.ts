/**
 * In-memory, short-lived counters (nothing is written to disk, so no client address is stored).
 * A fixed window per key; keys are client keys (clientKey() in client-address.server.ts: an IPv4 address, or an IPv6
 * /64) or account names, and are hashed before they are kept.
 *
 * Memory is capped per limiter: at most `maxKeys` keys (MAX_KEYS_PER_LIMITER by default) are remembered; past that the
 * least recently used key is forgotten first. Each key costs about 150 bytes, so a full limiter holds ~1.5 MB, whatever
 * number of addresses a flood comes from. (An attacker with that many addresses can push their own counter out; the
 * global delays and the receipt-hashing queue still hold them.)
 *
 * Rules of the portal:
 * - A per-client limit may refuse (429 with Retry-After) that client only.
 * - Limits across all clients only ever slow (a delay), never refuse someone else's correct attempt.
 * - A limit that guards expensive work is *reserved* before the work (reserve(): the attempt counts at once, so a burst
 *   of parallel requests cannot slip past it) and given back afterwards when it turns out not to count (release()).
 * - Refused answers are given slowly (slowRefusal()): a flooding client that waits for its answers gets about one a
 *   second per connection instead of thousands; at most TARPIT_MAX requests wait at a time, the rest are answered at once.
 */
import crypto from "node:crypto";
import { clientKey } from "./client-address.server";
import { activeSite } from "./site-context.server";

export { clientKey };

/** Keys remembered per limiter before the least recently used is forgotten. */
export const MAX_KEYS_PER_LIMITER = 10_000;

interface Bucket {
  /** This server's count in the window. */
  count: number;
  resetAt: number;
  /** The other servers' count for the key, as last read from the database (shared limits only; 0 otherwise). */
  remote: number;
  /** How much of `count` the database already holds. */
  pushed: number;
  /** When the key was last used here: a key in use is read again at every exchange (others may have counted since). */
  usedAt: number;
}

export interface Reservation {
  allowed: true;
  count: number;
  /** Gives the reserved attempt back (the attempt did not count after all). Idempotent. */
  release(): void;
}

export type ReserveResult = Reservation | { allowed: false; retryAfterSec: number; count: number };

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  readonly maxKeys: number;
  /**
   * Counted in this process only, never shared through the database (the corruption channel's limits: nothing about a
   * reporter's address may be written anywhere, not even a keyed hash).
   */
  readonly memoryOnly: boolean;
  /** Keys reset here whose shared counts must be removed at the next exchange. */
  readonly resets = new Set<string>();
  constructor(
    readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
    opts: { maxKeys?: number; memoryOnly?: boolean } = {},
  ) {
    this.maxKeys = Math.max(1, opts.maxKeys ?? MAX_KEYS_PER_LIMITER);
    this.memoryOnly = opts.memoryOnly === true;
  }

  /** How many keys are remembered now (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  /** The live bucket of a key (moved to the most recently used end), or a new one. */
  private bucket(k: string, at: number, create: true): Bucket;
  private bucket(k: string, at: number, create: false): Bucket | undefined;
  private bucket(k: string, at: number, create: boolean): Bucket | undefined {
    let b = this.buckets.get(k);
    if (b) {
      this.buckets.delete(k);
      if (b.resetAt <= at) b = undefined;
      else this.buckets.set(k, b);
    }
    if (!b && create) {
      b = { count: 0, resetAt: at + this.windowMs, remote: 0, pushed: 0, usedAt: at };
      this.buckets.set(k, b);
      this.evict();
    }
    return b;
  }

  private evict() {
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
  }

  /** Counts one hit; returns whether it is allowed and when the window resets. */
  hit(key: string, at = Date.now()): { allowed: boolean; retryAfterSec: number; count: number } {
    this.sweep(at);
    const b = this.bucket(hashKey(key), at, true);
    b.count++;
    b.usedAt = at;
    const total = b.count + b.remote;
    return { allowed: total <= this.limit, retryAfterSec: Math.max(1, Math.ceil((b.resetAt - at) / 1000)), count: total };
  }

  /**
   * Reserves one attempt if the key is under its limit (counted at once; release() gives it back), or refuses without
   * counting.
   */
  reserve(key: string, at = Date.now()): ReserveResult {
    this.sweep(at);
    const k = hashKey(key);
    const b = this.bucket(k, at, true);
    b.usedAt = at;
    if (b.count + b.remote >= this.limit)
      return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((b.resetAt - at) / 1000)), count: b.count + b.remote };
    b.count++;
    let released = false;
    return {
      allowed: true,
      count: b.count + b.remote,
      release: () => {
        if (released) return;
        released = true;
        // Only while the same window lasts (a new window started without this attempt).
        if (this.buckets.get(k) === b && b.count > 0) b.count--;
      },
    };
  }

  /** Looks without counting (nor refreshing the key's place in the LRU order). */
  peek(key: string, at = Date.now()): { blocked: boolean; count: number; retryAfterSec: number } {
    const b = this.buckets.get(hashKey(key));
    if (!b || b.resetAt <= at) return { blocked: false, count: 0, retryAfterSec: 0 };
    b.usedAt = at;
    const total = b.count + b.remote;
    return { blocked: total >= this.limit, count: total, retryAfterSec: Math.max(1, Math.ceil((b.resetAt - at) / 1000)) };
  }

  reset(key: string) {
    const k = hashKey(key);
    this.buckets.delete(k);
    if (!this.memoryOnly && sharedLimitsActive()) this.resets.add(k);
  }

  /**
   * The buckets to exchange with the other servers (shared-limits.server.ts): those whose count changed since the last
   * exchange, and those used in the last `recentMs` (read again: the others may have counted since), with the count as
   * it is now; `settle` records what the database answered.
   */
  changedBuckets(
    at = Date.now(),
    recentMs = 0,
  ): { key: string; delta: number; count: number; resetAt: number; settle(total: number, resetAt: number): void }[] {
    const out = [];
    for (const [key, b] of this.buckets) {
      if (b.resetAt <= at || (b.count === b.pushed && at - b.usedAt >= recentMs)) continue;
      const count = b.count;
      out.push({
        key,
        delta: count - b.pushed,
        count,
        resetAt: b.resetAt,
        settle: (total: number, resetAt: number) => {
          if (this.buckets.get(key) !== b) return;
          b.pushed = count;
          b.remote = Math.max(0, total - count);
          // The window of whichever server counted the key first.
          if (resetAt < b.resetAt) b.resetAt = resetAt;
        },
      });
    }
    return out;
  }

  private lastSweep = 0;
  private sweep(at: number) {
    if (at - this.lastSweep < 30_000) return;
    this.lastSweep = at;
    for (const [k, b] of this.buckets) if (b.resetAt <= at) this.buckets.delete(k);
  }
}

/**
 * The stored form of a key. With several organisations (site-context.server.ts) every key is the organisation's own:
 * staff ids, case keys and "all" of one organisation never share a counter with another's, so nobody at one council can
 * lock out an officer of another, or slow its citizens.
 */
function hashKey(key: string): string {
  const site = activeSite();
  return crypto
    .createHash("sha256")
    .update(site ? `${site.code}\0${key}` : key)
    .digest("base64url")
    .slice(0, 22);
}

declare global {
  var __sujaritLimiters: Map<string, RateLimiter> | undefined;

  var __sujaritTarpit: { waiting: number } | undefined;
}

/**
 * One named limiter per process (shared by the server and the Remix build). On PostgreSQL its counts are also exchanged
 * with the other app servers through the database (shared-limits.server.ts), unless `memoryOnly`.
 */
export function limiter(name: string, limit: number, windowMs: number, opts: { memoryOnly?: boolean } = {}): RateLimiter {
  const all = (globalThis.__sujaritLimiters ??= new Map());
  let l = all.get(name);
  if (!l) {
    l = new RateLimiter(name, limit, windowMs, opts);
    all.set(name, l);
  }
  return l;
}

/** Every limiter of the process (for the exchange of shared counts). */
export function allLimiters(): RateLimiter[] {
  return [...(globalThis.__sujaritLimiters ?? new Map<string, RateLimiter>()).values()];
}

declare global {
  var __sujaritSharedLimits: boolean | undefined;
}

/** Whether this process exchanges its counts with other app servers (set by shared-limits.server.ts). */
export function sharedLimitsActive(): boolean {
  return globalThis.__sujaritSharedLimits === true;
}

/** The rate-limit key of a route's client (the normalised address from the load context). */
export function clientOf(context: { clientAddress?: string } | undefined): string {
  return clientKey(context?.clientAddress);
}

/** How long a refused answer (429) is held back. */
export const REFUSAL_DELAY_MS = 1_000;
/** Requests held back at a time; past this, refusals are answered at once (a flood cannot pile up sockets). */
export const TARPIT_MAX = 256;

/**
 * Waits `ms` before a refused answer is sent (a timer: no CPU is used while waiting), unless TARPIT_MAX requests are
 * already waiting. Only ever called on answers to a client that is itself over a limit or sent a broken form.
 */
export async function slowRefusal(ms = REFUSAL_DELAY_MS): Promise<void> {
  const t = (globalThis.__sujaritTarpit ??= { waiting: 0 });
  if (ms <= 0 || t.waiting >= TARPIT_MAX) return;
  t.waiting++;
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    t.waiting--;
  }
}

/**
 * Added delay from failures across all clients: nothing below `from` failures in the window, then growing linearly to
 * `maxMs` at `full`. Applied only to clients with failures of their own (see the routes): it slows guessers who come
 * back and never a first, correct attempt.
 */
export function globalDelayMs(globalFailures: number, opts: { from: number; full: number; maxMs: number }): number {
  if (globalFailures <= opts.from) return 0;
  const share = Math.min(1, (globalFailures - opts.from) / Math.max(1, opts.full - opts.from));
  return Math.round((share * opts.maxMs) / 50) * 50;
}

/** Tiers used by the public and staff forms. */
export const limits = {
  /** Public form submissions per client. */
  publicForm: () => limiter("public-form", 10, 10 * 60_000),
  /** Failed tracking lookups per client (reserved before the lookup; a correct one gives its attempt back). */
  trackFailuresClient: () => limiter("track-fail-client", 10, 15 * 60_000),
  /**
   * Failed tracking lookups across all clients: never refuses; past TRACK_GLOBAL.from failures a client that has
   * failed itself waits a little longer (trackGlobalDelayMs).
   */
  trackFailuresGlobal: () => limiter("track-fail-global", Number.MAX_SAFE_INTEGER, 15 * 60_000),
  /** Counter-service satisfaction answers (/feedback) per client: a counter tablet serves a handful of people an hour,
   *  and the answers decide plan targets (measures 17 and 20), so one address cannot flood them. */
  counterFeedback: () => limiter("counter-feedback", 12, 60 * 60_000),
  /** Counter-service answers across all clients per day: far above what an office's counter sees, and a ceiling on how
   *  far a flood from many addresses can move the published satisfaction share. */
  counterFeedbackGlobal: () => limiter("counter-feedback-global", 500, 24 * 3600_000),
  /** Staff login attempts per client. */
  loginClient: () => limiter("login-client", 20, 15 * 60_000),
  /** Reports filed per client (/report/new): only posts that are real filings count (see the route). */
  reportForm: () => limiter("report-form", 10, 10 * 60_000, { memoryOnly: true }),
  /** Broken posts to /report/new per client (bad CSRF token, honeypot, unreadable form): past this, their answers are slowed. */
  reportJunk: () => limiter("report-junk", 3, 10 * 60_000, { memoryOnly: true }),
  /** A reporter's replies in their inbox per client (/report/inbox). */
  reportReply: () => limiter("report-reply", 30, 10 * 60_000, { memoryOnly: true }),
  /** Proof-of-filing checks per client (/report/verify). */
  proofVerify: () => limiter("proof-verify", 30, 10 * 60_000, { memoryOnly: true }),
};

/**
 * The corruption channel's limiters: counted in memory only, never shared through the database (nothing about a
 * reporter's address may be written anywhere). tests/unit/rate-limit.test.ts checks each is memory-only.
 */
export const CORRUPTION_CHANNEL_LIMITS = ["reportForm", "reportJunk", "reportReply", "proofVerify"] as const;

/** The global tracking-failure delay: from 100 failures in 15 minutes up to 1 s at 1,000 (only for clients that failed). */
export const TRACK_GLOBAL = { from: 100, full: 1_000, maxMs: 1_000 } as const;

export function trackGlobalDelayMs(): number {
  return globalDelayMs(limits.trackFailuresGlobal().peek("all").count, TRACK_GLOBAL);
}

/** Waits `ms` milliseconds (a timer). */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}
