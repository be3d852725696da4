/** app/utils/crypto.server.ts cspNonce: 16 fresh random bytes per response, never repeated across pool refills. */
import { describe, expect, it } from "vitest";
import { cspNonce } from "~/utils/crypto.server";

describe("cspNonce", () => {
  it("gives 128-bit base64 nonces that do not repeat, across many refills of its pool", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const n = cspNonce();
      expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(n, "base64")).toHaveLength(16);
      seen.add(n);
    }
    expect(seen.size).toBe(5_000);
  });

  it("spreads its bytes evenly (no zero-filled or repeated stretches)", () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4_096; i++) for (const b of Buffer.from(cspNonce(), "base64")) counts[b]!++;
    // 65,536 bytes: each value expected 256 times; a stuck or zeroed pool would be far outside this band.
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(380);
  });
});
