import { beforeEach, describe, expect, it } from "vitest";
import {
  CLIENT_LIMIT,
  MAX_DELAY_MS,
  WINDOW_MS,
  delayFor,
  reserveReceiptAttempt,
  resetReceiptThrottle,
} from "~/utils/receipt-throttle.server";

// Clients are rate-limit keys (clientKey(): addresses; anything else is one "unknown" client).
const A = "192.0.2.1";
const B = "192.0.2.2";
const C = "2001:db8:c::1";

describe("receipt throttle", () => {
  beforeEach(() => resetReceiptThrottle());

  it("delays grow with recent failures and are capped; the first tries are free", () => {
    expect(delayFor(0, 0)).toBe(0);
    expect(delayFor(1, 0)).toBe(0);
    expect(delayFor(2, 0)).toBeGreaterThan(0);
    expect(delayFor(3, 0)).toBeGreaterThan(delayFor(2, 0));
    expect(delayFor(50, 10_000)).toBe(MAX_DELAY_MS);
    // Others' failures slow only a client that has failed itself.
    expect(delayFor(0, 500)).toBe(0);
    expect(delayFor(0, 100_000)).toBe(0);
    expect(delayFor(1, 500)).toBeGreaterThan(0);
  });

  it("a client without failures of its own is never slowed by others and its hash goes first", () => {
    for (let i = 0; i < 2_000; i++) {
      const d = reserveReceiptAttempt(`10.9.${(i >> 8) & 255}.${i & 255}`, 9_000);
      if (d.allowed) d.ticket.failed();
    }
    const fresh = reserveReceiptAttempt("203.0.113.77", 9_001);
    expect(fresh.allowed && fresh.delayMs).toBe(0);
    expect(fresh.allowed && fresh.priority).toBe("first");
    if (fresh.allowed) fresh.ticket.failed();
    const again = reserveReceiptAttempt("203.0.113.77", 9_002);
    expect(again.allowed && again.delayMs).toBeGreaterThan(0);
    expect(again.allowed && again.priority).toBe("normal");
  });

  it("keys clients by /64 (IPv6) and reads IPv4-mapped addresses as IPv4", () => {
    for (let i = 0; i < CLIENT_LIMIT; i++) {
      const d = reserveReceiptAttempt(`2001:db8:4:5::${(i + 1).toString(16)}`, 20_000);
      if (d.allowed) d.ticket.failed();
    }
    expect(reserveReceiptAttempt("2001:db8:4:5:ffff::1", 20_001).allowed).toBe(false);
    expect(reserveReceiptAttempt("2001:db8:4:6::1", 20_001).allowed).toBe(true);
    for (let i = 0; i < CLIENT_LIMIT; i++) {
      const d = reserveReceiptAttempt("::ffff:198.51.100.9", 20_000);
      if (d.allowed) d.ticket.failed();
    }
    expect(reserveReceiptAttempt("198.51.100.9", 20_001).allowed).toBe(false);
  });

  it("refuses a client past the limit, forgets after the window, and successes give their attempt back", () => {
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      const d = reserveReceiptAttempt(A, t0);
      if (!d.allowed) throw new Error("refused too early");
      d.ticket.succeeded();
    }
    for (let i = 0; i < CLIENT_LIMIT; i++) {
      const d = reserveReceiptAttempt(A, t0 + i);
      expect(d.allowed).toBe(true);
      if (d.allowed) d.ticket.failed();
    }
    const blocked = reserveReceiptAttempt(A, t0 + 100);
    expect(blocked.allowed).toBe(false);
    if (!blocked.allowed) expect(blocked.retryAfterSec).toBeGreaterThan(0);
    // Another client is not blocked (only slowed by the global count).
    expect(reserveReceiptAttempt(B, t0 + 100).allowed).toBe(true);
    // After the window the client may try again.
    expect(reserveReceiptAttempt(A, t0 + WINDOW_MS + CLIENT_LIMIT + 1).allowed).toBe(true);
  });

  it("parallel attempts count before they finish (a burst cannot slip past the limit)", () => {
    const tickets = [];
    for (let i = 0; i < CLIENT_LIMIT; i++) tickets.push(reserveReceiptAttempt(C, 5_000));
    expect(tickets.every((t) => t.allowed)).toBe(true);
    expect(reserveReceiptAttempt(C, 5_000).allowed).toBe(false);
  });
});
