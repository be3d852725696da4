/**
 * The in-memory limiters: memory capped per limiter with least-recently-used eviction, reservations that
 * count before the work and can be given back, global delays that only ever slow.
 */
import { describe, expect, it } from "vitest";
import { MAX_KEYS_PER_LIMITER, RateLimiter, TARPIT_MAX, globalDelayMs, slowRefusal, TRACK_GLOBAL } from "~/utils/rate-limit.server";
import { MAX_CLIENTS, receiptThrottleClients, reserveReceiptAttempt, resetReceiptThrottle } from "~/utils/receipt-throttle.server";

describe("LRU cap", () => {
  it("a limiter never remembers more than its cap; the least recently used key goes first", () => {
    const l = new RateLimiter("t", 5, 60_000, { maxKeys: 3 });
    const at = 1_000_000;
    l.hit("a", at);
    l.hit("b", at);
    l.hit("c", at);
    l.hit("a", at + 1); // a is now the most recently used
    l.hit("d", at + 2); // b (least recently used) is forgotten
    expect(l.size).toBe(3);
    expect(l.peek("b", at + 3).count).toBe(0);
    expect(l.peek("a", at + 3).count).toBe(2);
    expect(l.peek("c", at + 3).count).toBe(1);
    expect(l.peek("d", at + 3).count).toBe(1);
    for (let i = 0; i < 1000; i++) l.hit(`flood-${i}`, at + 4);
    expect(l.size).toBe(3);
  });

  it("the default cap is documented and holds under a flood of distinct clients", () => {
    expect(MAX_KEYS_PER_LIMITER).toBe(10_000);
    const l = new RateLimiter("flood", 10, 60_000);
    for (let i = 0; i < MAX_KEYS_PER_LIMITER + 500; i++) l.hit(`2001:db8:${i.toString(16)}::/64`, 5_000);
    expect(l.size).toBe(MAX_KEYS_PER_LIMITER);
  });

  it("the receipt throttle is capped the same way", () => {
    resetReceiptThrottle();
    for (let i = 0; i < MAX_CLIENTS + 200; i++) {
      const d = reserveReceiptAttempt(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 7_000);
      if (d.allowed) d.ticket.failed();
    }
    expect(receiptThrottleClients()).toBe(MAX_CLIENTS);
    resetReceiptThrottle();
  });
});

describe("reservations", () => {
  it("count at once (a burst cannot slip past), refuse past the limit without counting, and can be given back", () => {
    const l = new RateLimiter("r", 3, 60_000);
    const at = 10_000;
    const r1 = l.reserve("x", at);
    const r2 = l.reserve("x", at);
    const r3 = l.reserve("x", at);
    expect([r1, r2, r3].every((r) => r.allowed)).toBe(true);
    const refused = l.reserve("x", at);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterSec).toBe(60);
    expect(l.peek("x", at).count).toBe(3);
    if (r2.allowed) {
      r2.release();
      r2.release(); // idempotent
    }
    expect(l.peek("x", at).count).toBe(2);
    expect(l.reserve("x", at).allowed).toBe(true);
    // Another client is untouched.
    expect(l.reserve("y", at).allowed).toBe(true);
    // A release after the window ended does not eat into the next window.
    const old = l.reserve("z", at);
    const fresh = l.reserve("z", at + 60_001);
    if (old.allowed) old.release();
    expect(fresh.allowed && l.peek("z", at + 60_002).count).toBe(1);
  });
});

describe("global delays only slow", () => {
  it("nothing below the threshold, then growing to the cap", () => {
    expect(globalDelayMs(0, TRACK_GLOBAL)).toBe(0);
    expect(globalDelayMs(TRACK_GLOBAL.from, TRACK_GLOBAL)).toBe(0);
    expect(globalDelayMs(TRACK_GLOBAL.from + 300, TRACK_GLOBAL)).toBeGreaterThan(0);
    expect(globalDelayMs(10 * TRACK_GLOBAL.full, TRACK_GLOBAL)).toBe(TRACK_GLOBAL.maxMs);
  });

  it("held-back refusals are bounded: past TARPIT_MAX waiting, refusals are answered at once", async () => {
    const waits = Array.from({ length: TARPIT_MAX }, () => slowRefusal(300));
    const t0 = performance.now();
    await slowRefusal(300);
    expect(performance.now() - t0).toBeLessThan(100);
    await Promise.all(waits);
    const t1 = performance.now();
    await slowRefusal(120);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(100);
  });
});

describe("limits shared by several app servers", () => {
  it("the corruption channel's limiters are memory-only; the others are shared", async () => {
    const { limits, CORRUPTION_CHANNEL_LIMITS } = await import("~/utils/rate-limit.server");
    for (const name of CORRUPTION_CHANNEL_LIMITS) expect(limits[name]().memoryOnly, name).toBe(true);
    for (const name of Object.keys(limits) as (keyof typeof limits)[]) {
      if (!(CORRUPTION_CHANNEL_LIMITS as readonly string[]).includes(name)) expect(limits[name]().memoryOnly, name).toBe(false);
    }
  });

  it("a bucket adds the other servers' count, learnt at an exchange, to its own", () => {
    const l = new RateLimiter("shared-t", 5, 60_000);
    const at = 1_000_000;
    l.hit("client", at);
    l.hit("client", at);
    const [changed] = l.changedBuckets(at);
    expect(changed).toMatchObject({ delta: 2, count: 2 });
    // The database answers: 4 in all (two from another server), window ending earlier (that server counted first).
    changed!.settle(4, at + 30_000);
    expect(l.peek("client", at)).toMatchObject({ count: 4, blocked: false });
    expect(l.changedBuckets(at)).toEqual([]);
    // Still in use: read again at the next exchange (delta 0), to learn what the others counted meanwhile.
    expect(l.changedBuckets(at + 1_000, 5_000)[0]).toMatchObject({ delta: 0, count: 2 });
    expect(l.changedBuckets(at + 10_000, 5_000)).toEqual([]);
    expect(l.hit("client", at)).toMatchObject({ allowed: true, count: 5, retryAfterSec: 30 });
    expect(l.hit("client", at).allowed).toBe(false);
    expect(l.changedBuckets(at)[0]).toMatchObject({ delta: 2, count: 4 });
  });
});
