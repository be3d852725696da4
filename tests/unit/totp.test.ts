import { describe, expect, it } from "vitest";
import {
  base32Decode,
  base32Encode,
  formatSecretForDisplay,
  generateTotpSecret,
  hotp,
  normalizeTotpInput,
  otpauthUri,
  totpCode,
  totpStep,
  verifyTotp,
} from "~/lib/totp";

/** RFC 6238 appendix B: SHA1 key "12345678901234567890", 8 digits. */
const RFC_KEY = Buffer.from("12345678901234567890", "ascii");
const RFC_VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("HOTP / TOTP", () => {
  it("matches the RFC 4226 HOTP test values", () => {
    const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
    expected.forEach((code, counter) => expect(hotp(RFC_KEY, counter)).toBe(code));
  });

  it.each(RFC_VECTORS)("matches the RFC 6238 SHA1 vector at T=%i", (t, code) => {
    expect(totpCode(RFC_KEY, t * 1000, { digits: 8 })).toBe(code);
    // The same key given as base32 gives the same codes.
    expect(totpCode(base32Encode(RFC_KEY), t * 1000, { digits: 8 })).toBe(code);
    expect(verifyTotp(RFC_KEY, code, { atMs: t * 1000, digits: 8 })).toEqual({ ok: true, step: Math.floor(t / 30) });
  });

  it("round-trips base32 and generates 160-bit secrets", () => {
    expect(base32Encode(RFC_KEY)).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(base32Decode("gezd gnbv-gy3t qojq gezdgnbvgy3tqojq====").equals(RFC_KEY)).toBe(true);
    expect(() => base32Decode("ABC1")).toThrow();
    const s = generateTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(s).length).toBe(20);
    expect(generateTotpSecret()).not.toBe(s);
    expect(formatSecretForDisplay("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
  });

  it("accepts one step either side and returns the matched step", () => {
    const secret = generateTotpSecret();
    const at = 1_700_000_015_000;
    const step = totpStep(at);
    for (const d of [-1, 0, 1]) {
      const code = totpCode(secret, at + d * 30_000);
      expect(verifyTotp(secret, code, { atMs: at })).toEqual({ ok: true, step: step + d });
    }
    for (const d of [-3, -2, 2, 3]) {
      const code = totpCode(secret, at + d * 30_000);
      // (a collision with a neighbouring step's code is possible but 1 in 10^6 per comparison; ignore)
      expect(verifyTotp(secret, code, { atMs: at }).ok).toBe(false);
    }
  });

  it("refuses a code of an already used step (replay) and of earlier steps", () => {
    const secret = generateTotpSecret();
    const at = 1_700_000_000_000;
    const code = totpCode(secret, at);
    const first = verifyTotp(secret, code, { atMs: at, lastStep: null });
    expect(first.ok).toBe(true);
    const step = (first as { step: number }).step;
    expect(verifyTotp(secret, code, { atMs: at + 5_000, lastStep: step })).toEqual({ ok: false, reason: "replayed" });
    const previous = totpCode(secret, at - 30_000);
    expect(verifyTotp(secret, previous, { atMs: at, lastStep: step })).toEqual({ ok: false, reason: "replayed" });
    const next = totpCode(secret, at + 30_000);
    expect(verifyTotp(secret, next, { atMs: at + 30_000, lastStep: step })).toEqual({ ok: true, step: step + 1 });
  });

  it("normalises input: spaces, dashes, Thai digits; refuses anything else", () => {
    expect(normalizeTotpInput(" 123 456 ")).toBe("123456");
    expect(normalizeTotpInput("123-456")).toBe("123456");
    expect(normalizeTotpInput("๑๒๓๔๕๖")).toBe("123456");
    expect(normalizeTotpInput("12345")).toBeNull();
    expect(normalizeTotpInput("1234567")).toBeNull();
    expect(normalizeTotpInput("12a456")).toBeNull();
    expect(normalizeTotpInput(undefined)).toBeNull();
    expect(verifyTotp(generateTotpSecret(), "abcdef", { atMs: 0 })).toEqual({ ok: false, reason: "invalid" });
  });

  it("builds an otpauth URI that apps understand", () => {
    const uri = otpauthUri({ secret: "JBSWY3DPEHPK3PXP", issuer: "Sujarit อบต.วังลึก", account: "a@x.th" });
    expect(uri.startsWith("otpauth://totp/")).toBe(true);
    const u = new URL(uri);
    expect(u.searchParams.get("secret")).toBe("JBSWY3DPEHPK3PXP");
    expect(u.searchParams.get("issuer")).toBe("Sujarit อบต.วังลึก");
    expect(u.searchParams.get("digits")).toBe("6");
    expect(u.searchParams.get("period")).toBe("30");
    expect(u.searchParams.get("algorithm")).toBe("SHA1");
    expect(uri).not.toContain("+");
  });
});
