import { describe, expect, it } from "vitest";
import { explanationState, planActionPanel, type ExplanationInput } from "~/lib/case-action-panel";
import type { Actor } from "~/lib/permissions";

const WORKS = 3;
const officer: Actor = { id: 2, role: "officer", division_id: WORKS };
const supervisor: Actor = { id: 6, role: "supervisor", division_id: null };
const intake: Actor = { id: 4, role: "intake", division_id: null };
const executive: Actor = { id: 5, role: "executive", division_id: null };

/** A case of the works division, deadline far off, nothing owed or explained, unless told otherwise. */
const kase = (status: string, more: Partial<ExplanationInput> = {}) => ({
  status,
  division_id: WORKS,
  deadlineState: "on_track",
  explanationOwed: false,
  explained: false,
  ...more,
});

describe("planActionPanel: what the action panel offers per status", () => {
  it("a new case: accept first, then assign; the rest behind 'other actions'; no explanation letter", () => {
    const p = planActionPanel(kase("received"), officer);
    expect(p.main).toEqual(["accept", "assign"]);
    expect(p.other).toEqual(["reply", "note", "forward", "progress"]);
    expect(p.explanation).toBe("none");
    expect([...p.main, ...p.other]).not.toContain("explanation");
  });

  it("an accepted case: start work, or close it at once with the result", () => {
    const p = planActionPanel(kase("accepted"), officer);
    expect(p.main).toEqual(["start", "resolve"]);
    expect(p.other).toEqual(["request_info", "assign", "reply", "note", "forward", "progress"]);
  });

  it("a case in progress: record progress, reply publicly, close with the result", () => {
    const p = planActionPanel(kase("in_progress"), officer);
    expect(p.main).toEqual(["note", "reply", "resolve"]);
    expect(p.other).toEqual(["request_info", "assign", "forward", "progress"]);
  });

  it("a paused case (waiting for the citizen): resume", () => {
    const p = planActionPanel(kase("waiting_info", { deadlineState: "paused" }), officer);
    expect(p.main).toEqual(["info_received"]);
    expect(p.other).not.toContain("request_info");
    expect(p.explanation).toBe("none");
  });

  it("a closed case: no next step; reopening (supervisors only), replies and notes under 'other actions'; no letters", () => {
    for (const status of ["resolved", "forwarded"]) {
      expect(planActionPanel(kase(status), supervisor)).toEqual({
        main: [],
        other: ["assign", "reply", "note", "reopen"],
        explanation: "none",
      });
      expect(planActionPanel(kase(status, { deadlineState: "missed" }), officer)).toEqual({
        main: [],
        other: ["assign", "reply", "note"],
        explanation: "none",
      });
    }
  });

  it("offers only what the role allows", () => {
    const accepted = planActionPanel(kase("accepted"), intake);
    expect(accepted.main).toEqual(["assign"]);
    expect(accepted.other).not.toContain("start");
    expect(accepted.other).not.toContain("resolve");
    expect(planActionPanel(kase("accepted"), executive)).toEqual({ main: [], other: [], explanation: "none" });
    const elsewhere: Actor = { id: 9, role: "officer", division_id: WORKS + 1 };
    expect(planActionPanel(kase("in_progress", { explanationOwed: true }), elsewhere)).toEqual({
      main: [],
      other: [],
      explanation: "none",
    });
  });

  it("never offers the same action twice", () => {
    for (const status of ["received", "accepted", "in_progress", "waiting_info", "resolved", "forwarded"]) {
      for (const deadlineState of ["on_track", "due_soon", "overdue"]) {
        const p = planActionPanel(kase(status, { deadlineState }), supervisor);
        const all = [...p.main, ...p.other];
        expect(new Set(all).size, `${status}/${deadlineState}`).toBe(all.length);
      }
    }
  });
});

describe("the delay-explanation letter", () => {
  it("is not offered on a brand-new case whose deadline is far off", () => {
    expect(explanationState(kase("received"))).toBe("none");
    expect(explanationState(kase("in_progress"))).toBe("none");
  });

  it("is offered first when owed: marked by the escalation, or the deadline passed with nothing explained", () => {
    const marked = planActionPanel(kase("received", { explanationOwed: true, deadlineState: "overdue" }), officer);
    expect(marked.explanation).toBe("owed");
    expect(marked.main[0]).toBe("explanation");
    const passed = planActionPanel(kase("in_progress", { deadlineState: "overdue" }), officer);
    expect(passed.main).toEqual(["explanation", "note", "reply", "resolve"]);
  });

  it("is offered with the next steps when due (deadline today or soon, nothing explained yet)", () => {
    for (const deadlineState of ["due_soon", "due_today"]) {
      const p = planActionPanel(kase("accepted", { deadlineState }), officer);
      expect(p.explanation).toBe("due");
      expect(p.main).toEqual(["start", "resolve", "explanation"]);
    }
    expect(explanationState(kase("accepted", { deadlineState: "due_soon", explained: true }))).toBe("none");
  });

  it("once explained, a further one is only among the other actions while the case stays overdue", () => {
    const p = planActionPanel(kase("in_progress", { deadlineState: "overdue", explained: true }), officer);
    expect(p.explanation).toBe("again");
    expect(p.main).not.toContain("explanation");
    expect(p.other).toContain("explanation");
  });

  it("is not offered while the clock is paused or once the case is closed", () => {
    expect(explanationState(kase("waiting_info", { deadlineState: "paused" }))).toBe("none");
    expect(explanationState(kase("resolved", { deadlineState: "missed", explanationOwed: true }))).toBe("none");
  });
});
