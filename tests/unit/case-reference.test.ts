import { describe, expect, it } from "vitest";
import { formatCaseReference, parseCaseReference } from "~/lib/complaint-reference";

describe("formatCaseReference", () => {
  it("pads the sequence to six digits", () => {
    expect(formatCaseReference(2569, 42)).toBe("2569-000042");
    expect(formatCaseReference(2569, 1)).toBe("2569-000001");
    expect(formatCaseReference(2569, 999999)).toBe("2569-999999");
  });

  it("allows longer sequences", () => {
    expect(formatCaseReference(2570, 1234567)).toBe("2570-1234567");
  });

  it("rejects nonsense", () => {
    expect(() => formatCaseReference(2569, 0)).toThrow();
    expect(() => formatCaseReference(2569, 1.5)).toThrow();
    expect(() => formatCaseReference(69, 1)).toThrow();
  });
});

describe("parseCaseReference", () => {
  it("parses the canonical form", () => {
    expect(parseCaseReference("2569-000042")).toEqual({ fiscalYear: 2569, seq: 42, reference: "2569-000042" });
  });

  it("tolerates whitespace, Thai digits and dash variants", () => {
    const expected = { fiscalYear: 2569, seq: 42, reference: "2569-000042" };
    expect(parseCaseReference("  2569-000042 ")).toEqual(expected);
    expect(parseCaseReference("๒๕๖๙-๐๐๐๐๔๒")).toEqual(expected);
    expect(parseCaseReference("2569 - 000042")).toEqual(expected);
    expect(parseCaseReference("2569\u2013000042")).toEqual(expected);
    expect(parseCaseReference("2569 \u2014 000042")).toEqual(expected);
    expect(parseCaseReference("2569-42")).toEqual(expected);
  });

  it("accepts the reference typed without its dash (a numeric keypad has none)", () => {
    const expected = { fiscalYear: 2569, seq: 42, reference: "2569-000042" };
    expect(parseCaseReference("2569000042")).toEqual(expected);
    expect(parseCaseReference(" 2569000042 ")).toEqual(expected);
    expect(parseCaseReference("2569 000042")).toEqual(expected);
    expect(parseCaseReference("๒๕๖๙๐๐๐๐๔๒")).toEqual(expected);
    expect(parseCaseReference("2569\u2212000042")).toEqual(expected);
    expect(parseCaseReference("25701234567")).toEqual({ fiscalYear: 2570, seq: 1234567, reference: "2570-1234567" });
  });

  it("refuses an undashed number too short to be a printed reference", () => {
    for (const bad of ["256942", "25690042", "256900042", "2569000000", "2569  000042"]) {
      expect(parseCaseReference(bad), bad).toBeNull();
    }
  });

  it("keeps longer sequences", () => {
    expect(parseCaseReference("2570-1234567")).toEqual({ fiscalYear: 2570, seq: 1234567, reference: "2570-1234567" });
  });

  it("rejects anything else", () => {
    for (const bad of [
      "",
      "2569",
      "2569--000042",
      "2569-",
      "-000042",
      "69-000042",
      "2569-000000",
      "2569-00004a",
      "x2569-000042",
      "2569/000042",
      "2569-000042-1",
      "2569 -                 000042",
      "25690-000042",
    ]) {
      expect(parseCaseReference(bad), bad).toBeNull();
    }
  });
});
