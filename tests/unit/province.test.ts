import { describe, expect, it } from "vitest";
import { provinceCsv, sumMembers, summariseMeasures, verdictCounts, type MemberFigures } from "~/lib/province";

function member(code: string, over: Partial<MemberFigures> = {}): MemberFigures {
  return {
    code,
    nameTh: `อบต.${code}`,
    nameEn: `${code} SAO`,
    url: `https://${code}.example/stats`,
    received: 10,
    closed: 8,
    resolved: 7,
    forwarded: 1,
    deadline: { resolvedInTime: 6, explainedInTime: 1, late: 1, share: 7 / 8 },
    acknowledgement: { onTime: 9, late: 1, share: 0.9 },
    overdueNow: 2,
    satisfaction: { answers: 4, satisfied: 4, share: 1 },
    corruption: { received: 3, completed: 1, inProgress: 2 },
    verdicts: { m23_deadline: "met", m28: "not_met", m13: "info" },
    ...over,
  };
}

describe("province totals", () => {
  it("sums counts and recomputes shares from the summed counts, never averaging shares", () => {
    const a = member("a");
    const b = member("b", {
      received: 100,
      deadline: { resolvedInTime: 10, explainedInTime: 0, late: 90, share: 0.1 },
      satisfaction: { answers: 96, satisfied: 0, share: 0 },
    });
    const t = sumMembers([a, b]);
    expect(t.members).toBe(2);
    expect(t.received).toBe(110);
    expect(t.corruption).toEqual({ received: 6, completed: 2, inProgress: 4 });
    // (7 + 10) / (8 + 100), not the mean of 87.5 % and 10 %.
    expect(t.deadline.share).toBeCloseTo(17 / 108, 10);
    expect(t.satisfaction.share).toBeCloseTo(4 / 100, 10);
    expect(t.acknowledgement.share).toBeCloseTo(18 / 20, 10);
  });

  it("no members: zero counts and no shares", () => {
    const t = sumMembers([]);
    expect(t.received).toBe(0);
    expect(t.deadline.share).toBeNull();
    expect(t.satisfaction.share).toBeNull();
  });

  it("counts, per measure, the members that met it, missed it or could not be judged", () => {
    const rows = summariseMeasures(
      [
        member("a"),
        member("b", { verdicts: { m23_deadline: "not_met", m28: "not_enough_data", m13: "info" } }),
        member("c", { verdicts: {} }),
      ],
      [
        { key: "m23_deadline", measure: 23 },
        { key: "m28", measure: 28 },
      ],
    );
    expect(rows).toEqual([
      { key: "m23_deadline", measure: 23, met: 1, notMet: 1, notEnoughData: 0, info: 0 },
      { key: "m28", measure: 28, met: 0, notMet: 1, notEnoughData: 1, info: 0 },
    ]);
    expect(verdictCounts({ x: "met", y: "met", z: "info" })).toEqual({ met: 2, not_met: 0, not_enough_data: 0, info: 1 });
  });
});

describe("province open data", () => {
  it("one row per member with the organisation's code and names; BOM, CRLF, percentages to one decimal; formulas defused", () => {
    const csv = provinceCsv(
      [member("a"), member("b", { nameTh: "=HYPERLINK(1)", deadline: { resolvedInTime: 0, explainedInTime: 0, late: 0, share: null } })],
      2569,
    );
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const lines = csv.slice(1).split("\r\n");
    expect(lines[0]).toMatch(/^organisation_code,organisation_name_th,organisation_name_en,fiscal_year,complaints_received,/);
    expect(lines[1]).toMatch(/^a,อบต\.a,a SAO,2569,10,8,7,1,6,1,1,87\.5,9,1,90,2,4,4,100,3,1,2,1,1,0$/);
    // An empty share stays empty; a cell that would start a formula is prefixed with an apostrophe.
    expect(lines[2]).toContain(",'=HYPERLINK(1),");
    expect(lines[2].split(",")[11]).toBe("");
    expect(lines[3]).toBe("");
  });
});
