import { describe, expect, it } from "vitest";
import { CSV_BOM, csvCell, csvRow, neutraliseFormula, parseCsv, toCsv } from "~/lib/csv";

describe("csvCell", () => {
  it("leaves plain text and Thai unquoted", () => {
    expect(csvCell("ถนน")).toBe("ถนน");
    expect(csvCell("road")).toBe("road");
    expect(csvCell("")).toBe("");
  });

  it("quotes fields with comma, quote, CR or LF and doubles quotes", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line1\nline2")).toBe('"line1\nline2"');
    expect(csvCell("a\rb")).toBe('"a\rb"');
    expect(csvCell("x\r\ny")).toBe('"x\r\ny"');
  });

  it("writes numbers as plain numbers, including negatives and decimals", () => {
    expect(csvCell(0)).toBe("0");
    expect(csvCell(-0)).toBe("0");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell(0.857)).toBe("0.857");
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe("");
  });

  it("writes null and undefined as empty cells, booleans as true/false", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(true)).toBe("true");
    expect(csvCell(false)).toBe("false");
  });

  it("neutralises formula injection in text cells only", () => {
    expect(csvCell("=SUM(A1:A9)")).toBe("'=SUM(A1:A9)");
    expect(csvCell("+66 81 234")).toBe("'+66 81 234");
    expect(csvCell("-3")).toBe("'-3");
    expect(csvCell("@cmd")).toBe("'@cmd");
    expect(csvCell("\tTAB")).toBe("'\tTAB");
    // Quoting still applies after the prefix.
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(neutraliseFormula("a=b")).toBe("a=b");
    expect(neutraliseFormula("ไม่มี")).toBe("ไม่มี");
  });
});

describe("toCsv", () => {
  it("starts with the BOM, ends every record with CRLF", () => {
    const doc = toCsv(
      ["เดือน (month)", "จำนวนเรื่องที่ได้รับ (received)"],
      [
        ["2025-10", 3],
        ["2025-11", 0],
      ],
    );
    expect(doc.startsWith(CSV_BOM)).toBe(true);
    expect(doc.charCodeAt(0)).toBe(0xfeff);
    expect(doc).toBe(`${CSV_BOM}เดือน (month),จำนวนเรื่องที่ได้รับ (received)\r\n2025-10,3\r\n2025-11,0\r\n`);
    // UTF-8 bytes begin with EF BB BF.
    expect([...Buffer.from(doc, "utf8").subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("can omit the BOM and the header", () => {
    expect(toCsv(null, [["a", 1]], { bom: false })).toBe("a,1\r\n");
    expect(toCsv(null, [], { bom: false })).toBe("");
  });

  it("round-trips through the parser (quotes, commas, newlines, Thai)", () => {
    const rows = [
      ["หมู่ที่ 1, บ้านวังลึก", 5, 'ชื่อ "เล่น"'],
      ["two\r\nlines", -1, null],
      ["", 0, "x"],
    ] as const;
    const doc = toCsv(["a", "b", "c"], rows);
    const parsed = parseCsv(doc);
    expect(parsed).toEqual([
      ["a", "b", "c"],
      ["หมู่ที่ 1, บ้านวังลึก", "5", 'ชื่อ "เล่น"'],
      ["two\r\nlines", "-1", ""],
      ["", "0", "x"],
    ]);
  });

  it("csvRow joins cells with commas", () => {
    expect(csvRow(["a", 1, null, "b,c"])).toBe('a,1,,"b,c"');
  });
});

describe("parseCsv", () => {
  it("handles LF-only files, a missing final line end and empty fields", () => {
    expect(parseCsv("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(parseCsv("a,,\r\n")).toEqual([["a", "", ""]]);
    expect(parseCsv("")).toEqual([]);
  });
});
