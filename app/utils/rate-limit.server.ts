/**
 * In-memory, short-lived counters (nothing is written to disk, so no client address is stored).
 * A fixed window per key; keys are hashed client addresses or account names.
 */
import crypto from "node:crypto";

interface Bucket {
  count: number;
  resetAt: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  constructor(
    readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts one hit; returns whether it is allowed and when the window resets. */
  hit(key: string, at = Date.now()): { allowed: boolean; retryAfterSec: number; count: number } {
    this.sweep(at);
    const k = hashKey(key);
    let b = this.buckets.get(k);
    if (!b || b.resetAt <= at) {
      b = { count: 0, resetAt: at + this.windowMs };
      this.buckets.set(k, b);
    }
    b.count++;
    return { allowed: b.count <= this.limit, retryAfterSec: Math.ceil((b.resetAt - at) / 1000), count: b.count };
  }

  /** Looks without counting. */
  peek(key: string, at = Date.now()): { blocked: boolean; count: number; retryAfterSec: number } {
    const b = this.buckets.get(hashKey(key));
    if (!b || b.resetAt <= at) return { blocked: false, count: 0, retryAfterSec: 0 };
    return { blocked: b.count >= this.limit, count: b.count, retryAfterSec: Math.ceil((b.resetAt - at) / 1000) };
  }

  reset(key: string) {
    this.buckets.delete(hashKey(key));
  }

  private lastSweep = 0;
  private sweep(at: number) {
    if (at - this.lastSweep < 30_000) return;
    this.lastSweep = at;
    for (const [k, b] of this.buckets) if (b.resetAt <= at) this.buckets.delete(k);
  }
}

function hashKey(key: string): string {
  return crypto.createHash("sha256").update(key).digest("base64url").slice(0, 22);
}

declare global {
  // eslint-disable-next-line no-var
  var __sujaritLimiters: Map<string, RateLimiter> | undefined;
}

/** One named limiter per process (shared by the server and the Remix build). */
export function limiter(name: string, limit: number, windowMs: number): RateLimiter {
  const all = (globalThis.__sujaritLimiters ??= new Map());
  let l = all.get(name);
  if (!l) {
    l = new RateLimiter(name, limit, windowMs);
    all.set(name, l);
  }
  return l;
}

/** Tiers used by the public and staff forms. */
export const limits = {
  /** Public form submissions per client. */
  publicForm: () => limiter("public-form", 10, 10 * 60_000),
  /** Failed tracking lookups per client. */
  trackFailuresClient: () => limiter("track-fail-client", 10, 15 * 60_000),
  /** Failed tracking lookups across all clients. */
  trackFailuresGlobal: () => limiter("track-fail-global", 300, 15 * 60_000),
  /** Counter-service satisfaction answers (/feedback) per client: a counter tablet serves a handful of people an hour,
   *  and the answers decide plan targets (measures 17 and 20), so one address cannot flood them. */
  counterFeedback: () => limiter("counter-feedback", 12, 60 * 60_000),
  /** Counter-service answers across all clients per day: far above what an office's counter sees, and a ceiling on how
   *  far a flood from many addresses can move the published satisfaction share. */
  counterFeedbackGlobal: () => limiter("counter-feedback-global", 500, 24 * 3600_000),
  /** Staff login attempts per client. */
  loginClient: () => limiter("login-client", 20, 15 * 60_000),
};
