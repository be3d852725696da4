import { describe, expect, it } from "vitest";
import { formatReceipt, generateReceipt, normalizeReceipt } from "~/lib/report-receipt";

describe("receipts", () => {
  it("are 16 digits, different each time, with every digit used about equally", () => {
    const seen = new Set<string>();
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 2000; i++) {
      const r = generateReceipt();
      expect(r).toMatch(/^\d{16}$/);
      seen.add(r);
      for (const ch of r) counts[Number(ch)]++;
    }
    expect(seen.size).toBe(2000);
    // 32,000 digits: each digit ~3200; a biased generator would be far off.
    for (const c of counts) expect(Math.abs(c - 3200)).toBeLessThan(300);
  });

  it("are shown in four groups of four", () => {
    expect(formatReceipt("1234567890123456")).toBe("1234 5678 9012 3456");
    expect(formatReceipt("12345")).toBe("12345");
  });

  it("are read back from what people type", () => {
    expect(normalizeReceipt("1234 5678 9012 3456")).toBe("1234567890123456");
    expect(normalizeReceipt(" 1234-5678-9012-3456 ")).toBe("1234567890123456");
    expect(normalizeReceipt("1234\u00a05678.9012_3456")).toBe("1234567890123456");
    expect(normalizeReceipt("๑๒๓๔ ๕๖๗๘ ๙๐๑๒ ๓๔๕๖")).toBe("1234567890123456");
    expect(normalizeReceipt("１２３４５６７８９０１２３４５６")).toBe("1234567890123456");
    expect(normalizeReceipt(formatReceipt("0000000000000001"))).toBe("0000000000000001");
  });

  it("refuse anything that is not exactly 16 digits", () => {
    for (const bad of [
      "",
      "123456789012345",
      "12345678901234567",
      "1234 5678 9012 345a",
      "abcd",
      "1234567890123456\u0000",
      null,
      undefined,
      1234567890123456,
      "1".repeat(200),
    ]) {
      expect(normalizeReceipt(bad as unknown)).toBeNull();
    }
  });
});
