/**
 * AdaptiveBatch: housekeeping batches sized by time. Sizes shrink at once when a batch ran long, grow at most
 * twofold when it ran short, stay between min and max, and settle where a batch with a fixed cost (begin, commit)
 * takes the target.
 */
import { describe, expect, it } from "vitest";
import { AdaptiveBatch, SLICE_TARGET_MS } from "~/utils/yield.server";

describe("AdaptiveBatch", () => {
  it("starts at `start` (or the minimum) and targets SLICE_TARGET_MS by default", () => {
    expect(new AdaptiveBatch({ min: 5, max: 100 }).size).toBe(5);
    expect(new AdaptiveBatch({ min: 5, max: 100, start: 40 }).size).toBe(40);
    expect(new AdaptiveBatch({ min: 5, max: 100, start: 400 }).size).toBe(100);
    expect(new AdaptiveBatch({ min: 5, max: 100 }).targetMs).toBe(SLICE_TARGET_MS);
  });

  it("shrinks at once in proportion when a batch ran over the target", () => {
    const b = new AdaptiveBatch({ min: 1, max: 100, start: 100, targetMs: 4 });
    b.record(100, 27); // 100 claims in 27 ms under load
    expect(b.size).toBe(14); // 100 × 4 / 27
    b.record(14, 56); // a very slow moment
    expect(b.size).toBe(1);
    expect(b.longestMs).toBe(56);
    expect(b.batches).toBe(2);
  });

  it("grows at most twofold per batch, and never past the maximum", () => {
    const b = new AdaptiveBatch({ min: 2, max: 100, start: 2, targetMs: 4 });
    const sizes: number[] = [];
    for (let i = 0; i < 8; i++) {
      b.record(b.size, 0.04 * b.size); // 0.04 ms per item: 100 items would fit in the target
      sizes.push(b.size);
    }
    expect(sizes).toEqual([4, 8, 16, 32, 64, 100, 100, 100]);
    b.record(50, 0); // too fast to measure
    expect(b.size).toBe(100);
  });

  it("never goes below the minimum, and a batch of no items changes nothing", () => {
    const b = new AdaptiveBatch({ min: 10, max: 500, start: 100, targetMs: 4 });
    b.record(100, 1000);
    expect(b.size).toBe(10);
    b.record(0, 3);
    expect(b.size).toBe(10);
  });

  it("settles where a batch with a fixed cost takes the target", () => {
    const b = new AdaptiveBatch({ min: 1, max: 1000, start: 1, targetMs: 4 });
    const cost = (n: number) => 1 + 0.1 * n; // 1 ms begin/commit, 0.1 ms a row → 30 rows in 4 ms
    for (let i = 0; i < 40; i++) b.record(b.size, cost(b.size));
    expect(b.size).toBeGreaterThanOrEqual(29);
    expect(b.size).toBeLessThanOrEqual(30);
    expect(cost(b.size)).toBeLessThanOrEqual(4);
  });

  it("timed() measures the work and records it", async () => {
    const b = new AdaptiveBatch({ min: 1, max: 1000, start: 100, targetMs: 4 });
    const out = await b.timed(100, async () => {
      const until = performance.now() + 20;
      while (performance.now() < until); // 20 ms of synchronous work
      return "done";
    });
    expect(out).toBe("done");
    expect(b.longestMs).toBeGreaterThanOrEqual(20);
    expect(b.size).toBeLessThanOrEqual(20); // 100 × 4 / ≥20
  });
});
