import { describe, expect, it } from "vitest";
import {
  allowedReportActions,
  applyReportTransition,
  InvalidReportTransitionError,
  publicReportStage,
  REPORT_ACTIONS,
  REPORT_STATUSES,
} from "~/lib/report-status";

describe("report status machine", () => {
  it("follows received -> preliminary review -> investigation -> concluded -> closed", () => {
    let s = applyReportTransition("received", "start_review");
    expect(s).toBe("preliminary_review");
    s = applyReportTransition(s, "start_investigation");
    expect(s).toBe("investigation");
    s = applyReportTransition(s, "conclude", { finding: "substantiated" });
    expect(s).toBe("concluded");
    expect(applyReportTransition(s, "close")).toBe("closed");
  });

  it("allows referral from the open states and closing after it", () => {
    for (const from of ["received", "preliminary_review", "investigation"] as const) {
      expect(applyReportTransition(from, "refer", { referredTo: "nacc" })).toBe("referred");
    }
    expect(applyReportTransition("referred", "close")).toBe("closed");
  });

  it("needs a finding to conclude and a destination to refer", () => {
    expect(() => applyReportTransition("investigation", "conclude", { finding: null })).toThrow(InvalidReportTransitionError);
    expect(() => applyReportTransition("investigation", "conclude", { finding: "maybe" })).toThrow(/finding_required/);
    expect(() => applyReportTransition("investigation", "refer", { referredTo: "court" })).toThrow(/referral_required/);
  });

  it("refuses every other change", () => {
    const valid: Record<string, string[]> = {
      received: ["start_review", "refer"],
      preliminary_review: ["start_investigation", "conclude", "refer"],
      investigation: ["conclude", "refer"],
      concluded: ["close"],
      referred: ["close"],
      closed: [],
    };
    for (const from of REPORT_STATUSES) {
      expect(allowedReportActions(from)).toEqual(valid[from]);
      for (const action of REPORT_ACTIONS) {
        if (valid[from].includes(action)) continue;
        expect(() => applyReportTransition(from, action)).toThrow(InvalidReportTransitionError);
      }
    }
    expect(() => applyReportTransition("received", "explode")).toThrow(InvalidReportTransitionError);
    expect(() => applyReportTransition("unknown", "close")).toThrow(InvalidReportTransitionError);
  });

  it("tells the reporter the stage in plain words", () => {
    expect(REPORT_STATUSES.map(publicReportStage)).toEqual([
      "received",
      "under_review",
      "investigation",
      "concluded",
      "referred",
      "closed",
    ]);
    expect(publicReportStage("garbage")).toBe("received");
  });
});
