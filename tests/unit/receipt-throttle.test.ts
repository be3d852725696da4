import { beforeEach, describe, expect, it } from "vitest";
import { CLIENT_LIMIT, MAX_DELAY_MS, WINDOW_MS, delayFor, reserveReceiptAttempt, resetReceiptThrottle } from "~/utils/receipt-throttle.server";

describe("receipt throttle", () => {
  beforeEach(() => resetReceiptThrottle());

  it("delays grow with recent failures and are capped; the first tries are free", () => {
    expect(delayFor(0, 0)).toBe(0);
    expect(delayFor(1, 0)).toBe(0);
    expect(delayFor(2, 0)).toBeGreaterThan(0);
    expect(delayFor(3, 0)).toBeGreaterThan(delayFor(2, 0));
    expect(delayFor(50, 10_000)).toBe(MAX_DELAY_MS);
    expect(delayFor(0, 500)).toBeGreaterThan(0);
  });

  it("refuses a client past the limit, forgets after the window, and successes give their attempt back", () => {
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      const d = reserveReceiptAttempt("a", t0);
      if (!d.allowed) throw new Error("refused too early");
      d.ticket.succeeded();
    }
    for (let i = 0; i < CLIENT_LIMIT; i++) {
      const d = reserveReceiptAttempt("a", t0 + i);
      expect(d.allowed).toBe(true);
      if (d.allowed) d.ticket.failed();
    }
    const blocked = reserveReceiptAttempt("a", t0 + 100);
    expect(blocked.allowed).toBe(false);
    if (!blocked.allowed) expect(blocked.retryAfterSec).toBeGreaterThan(0);
    // Another client is not blocked (only slowed by the global count).
    expect(reserveReceiptAttempt("b", t0 + 100).allowed).toBe(true);
    // After the window the client may try again.
    expect(reserveReceiptAttempt("a", t0 + WINDOW_MS + CLIENT_LIMIT + 1).allowed).toBe(true);
  });

  it("parallel attempts count before they finish (a burst cannot slip past the limit)", () => {
    const tickets = [];
    for (let i = 0; i < CLIENT_LIMIT; i++) tickets.push(reserveReceiptAttempt("c", 5_000));
    expect(tickets.every((t) => t.allowed)).toBe(true);
    expect(reserveReceiptAttempt("c", 5_000).allowed).toBe(false);
  });
});
