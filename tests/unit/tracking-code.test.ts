import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  TRACKING_CODE_LENGTH,
  deriveTrackingCode,
  formatTrackingCode,
  generateTrackingCode,
  hashTrackingCode,
  normalizeTrackingCode,
  verifyTrackingCode,
} from "~/lib/tracking-code";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_RE = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{12}$/;

describe("generateTrackingCode", () => {
  it("produces 12 Crockford chars without dashes", () => {
    expect(TRACKING_CODE_LENGTH).toBe(12);
    for (let i = 0; i < 100; i++) expect(generateTrackingCode()).toMatch(CODE_RE);
  });

  it("is unique over 10k codes and uses the whole alphabet", () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const c = generateTrackingCode();
      seen.add(c);
      for (const ch of c) chars.add(ch);
    }
    expect(seen.size).toBe(10_000);
    expect([...chars].sort().join("")).toBe([...ALPHABET].sort().join(""));
  });
});

describe("deriveTrackingCode", () => {
  /** Independent reference: first 60 bits of the HMAC as a bit string, 5 bits per char. */
  function reference(key: string, secret: string): string {
    const digest = createHmac("sha256", secret)
      .update("tracking-code:" + key)
      .digest();
    const bits = [...digest]
      .map((b) => b.toString(2).padStart(8, "0"))
      .join("")
      .slice(0, 60);
    let out = "";
    for (let i = 0; i < 60; i += 5) out += ALPHABET[parseInt(bits.slice(i, i + 5), 2)];
    return out;
  }

  it("is deterministic and matches the spec", () => {
    const a = deriveTrackingCode("sub-123", "s3cret");
    expect(a).toMatch(CODE_RE);
    expect(deriveTrackingCode("sub-123", "s3cret")).toBe(a);
    expect(deriveTrackingCode("sub-123", Buffer.from("s3cret"))).toBe(a);
    expect(a).toBe(reference("sub-123", "s3cret"));
  });

  it("depends on key and secret", () => {
    const a = deriveTrackingCode("sub-123", "s3cret");
    expect(deriveTrackingCode("sub-124", "s3cret")).not.toBe(a);
    expect(deriveTrackingCode("sub-123", "other")).not.toBe(a);
  });
});

describe("formatTrackingCode", () => {
  it("groups by four", () => {
    expect(formatTrackingCode("K7QF2M9XPD4H")).toBe("K7QF-2M9X-PD4H");
  });
});

describe("normalizeTrackingCode", () => {
  it("accepts dashes, spaces, lowercase and look-alikes", () => {
    expect(normalizeTrackingCode("K7QF-2M9X-PD4H")).toBe("K7QF2M9XPD4H");
    expect(normalizeTrackingCode("  k7qf 2m9x pd4h ")).toBe("K7QF2M9XPD4H");
    expect(normalizeTrackingCode("k7qf\u20132m9x\u2013pd4h")).toBe("K7QF2M9XPD4H");
    expect(normalizeTrackingCode("OOOO-IIII-LLLL")).toBe("000011111111");
    expect(normalizeTrackingCode("ol1i-0000-0000")).toBe("011100000000");
    expect(normalizeTrackingCode("๑๒๓๔-ABCD-EFGH")).toBe("1234ABCDEFGH");
  });

  it("rejects wrong lengths and characters", () => {
    expect(normalizeTrackingCode("")).toBeNull();
    expect(normalizeTrackingCode("K7QF-2M9X-PD4")).toBeNull();
    expect(normalizeTrackingCode("K7QF-2M9X-PD4HH")).toBeNull();
    expect(normalizeTrackingCode("K7QF-2M9X-PD4U")).toBeNull();
    expect(normalizeTrackingCode("K7QF-2M9X-PD4!")).toBeNull();
    expect(normalizeTrackingCode("K7QF_2M9X_PD4H")).toBeNull();
  });
});

describe("hash and verify", () => {
  const pepper = "pepper-value";
  const code = "K7QF2M9XPD4H";

  it("hashes the normalised code with HMAC-SHA256", () => {
    const expected = createHmac("sha256", pepper).update(code).digest("hex");
    expect(hashTrackingCode(code, pepper)).toBe(expected);
    expect(hashTrackingCode("k7qf-2m9x-pd4h", pepper)).toBe(expected);
    expect(() => hashTrackingCode("nope", pepper)).toThrow();
  });

  it("verifies tolerant input and rejects tampering", () => {
    const stored = hashTrackingCode(code, pepper);
    expect(verifyTrackingCode(code, stored, pepper)).toBe(true);
    expect(verifyTrackingCode("k7qf 2m9x pd4h", stored, pepper)).toBe(true);
    expect(verifyTrackingCode("K7QF2M9XPD4J", stored, pepper)).toBe(false);
    expect(verifyTrackingCode(code, stored, "other-pepper")).toBe(false);
    const flipped = (stored[0] === "0" ? "1" : "0") + stored.slice(1);
    expect(verifyTrackingCode(code, flipped, pepper)).toBe(false);
    expect(verifyTrackingCode("garbage", stored, pepper)).toBe(false);
    expect(verifyTrackingCode(code, "abc", pepper)).toBe(false);
    expect(verifyTrackingCode(code, "", pepper)).toBe(false);
  });
});
