/** app/utils/crypto.server.ts maskToken / unmaskToken: the CSRF token as pages carry it (a fresh mask per response). */
import { describe, expect, it } from "vitest";
import { maskToken, randomToken, unmaskToken } from "~/utils/crypto.server";

describe("maskToken", () => {
  it("gives a different 86-character value each time, none containing the token, each unmasking to it", () => {
    const token = randomToken(32);
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const m = maskToken(token);
      expect(m).toMatch(/^[A-Za-z0-9_-]{86}$/);
      expect(m).not.toContain(token);
      expect(unmaskToken(m)).toBe(token);
      seen.add(m);
    }
    expect(seen.size).toBe(1_000);
  });

  it("two masks of one token share no run of 8 characters (nothing for compression to find twice)", () => {
    const token = randomToken(32);
    const a = maskToken(token);
    const b = maskToken(token);
    for (let i = 0; i + 8 <= a.length; i++) expect(b).not.toContain(a.slice(i, i + 8));
  });

  it("a changed character gives another token; anything not a mask gives null", () => {
    const token = randomToken(32);
    const m = maskToken(token);
    const flipped = m.slice(0, 10) + (m[10] === "A" ? "B" : "A") + m.slice(11);
    expect(unmaskToken(flipped)).not.toBe(token);
    for (const bad of ["", token, m.slice(1), `${m}A`, m.replace(/.$/, "+"), "=".repeat(86)]) expect(unmaskToken(bad)).toBeNull();
    expect(() => maskToken("short")).toThrow();
  });
});
