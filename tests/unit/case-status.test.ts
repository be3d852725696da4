import { describe, expect, it } from "vitest";
import {
  CASE_ACTIONS,
  CASE_STATUSES,
  InvalidTransitionError,
  applyTransition,
  availableActions,
  isCaseAction,
  isCaseStatus,
  isOpenStatus,
  nextStatus,
  publicStage,
  type CaseAction,
  type CaseStatus,
} from "~/lib/complaint-status";

const ALLOWED: [CaseStatus, CaseAction, CaseStatus][] = [
  ["received", "accept", "accepted"],
  ["accepted", "start", "in_progress"],
  ["accepted", "request_info", "waiting_info"],
  ["in_progress", "request_info", "waiting_info"],
  ["waiting_info", "info_received", "in_progress"],
  ["accepted", "resolve", "resolved"],
  ["in_progress", "resolve", "resolved"],
  ["received", "forward", "forwarded"],
  ["accepted", "forward", "forwarded"],
  ["in_progress", "forward", "forwarded"],
  ["waiting_info", "forward", "forwarded"],
  ["resolved", "reopen", "in_progress"],
  ["forwarded", "reopen", "in_progress"],
];

describe("transitions", () => {
  it.each(ALLOWED)("%s --%s--> %s", (from, action, to) => {
    expect(nextStatus(from, action)).toBe(to);
    expect(applyTransition(from, action)).toBe(to);
  });

  it("forbids every other combination", () => {
    const allowed = new Set(ALLOWED.map(([f, a]) => `${f}:${a}`));
    let forbidden = 0;
    for (const from of CASE_STATUSES) {
      for (const action of CASE_ACTIONS) {
        if (allowed.has(`${from}:${action}`)) continue;
        forbidden++;
        expect(nextStatus(from, action), `${from}:${action}`).toBeNull();
        expect(() => applyTransition(from, action)).toThrow(InvalidTransitionError);
      }
    }
    expect(forbidden).toBe(6 * 7 - 13);
  });

  it.each([
    ["received", "resolve"],
    ["received", "start"],
    ["waiting_info", "resolve"],
    ["resolved", "resolve"],
    ["resolved", "forward"],
    ["forwarded", "accept"],
    ["in_progress", "accept"],
    ["in_progress", "reopen"],
    ["waiting_info", "start"],
  ] as [CaseStatus, CaseAction][])("forbids %s --%s", (from, action) => {
    expect(nextStatus(from, action)).toBeNull();
  });

  it("throws a typed error with an i18n key", () => {
    try {
      applyTransition("resolved", "resolve");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidTransitionError);
      expect(e).toBeInstanceOf(Error);
      const err = e as InvalidTransitionError;
      expect(err.from).toBe("resolved");
      expect(err.action).toBe("resolve");
      expect(err.messageKey).toBe("errors.invalidTransition");
    }
  });
});

describe("availableActions", () => {
  it("lists allowed actions per status", () => {
    expect(availableActions("received")).toEqual(["accept", "forward"]);
    expect(availableActions("accepted")).toEqual(["start", "request_info", "resolve", "forward"]);
    expect(availableActions("in_progress")).toEqual(["request_info", "resolve", "forward"]);
    expect(availableActions("waiting_info")).toEqual(["info_received", "forward"]);
    expect(availableActions("resolved")).toEqual(["reopen"]);
    expect(availableActions("forwarded")).toEqual(["reopen"]);
  });
});

describe("helpers", () => {
  it("isOpenStatus", () => {
    expect(CASE_STATUSES.filter(isOpenStatus)).toEqual(["received", "accepted", "in_progress", "waiting_info"]);
  });

  it("type guards", () => {
    expect(isCaseStatus("in_progress")).toBe(true);
    expect(isCaseStatus("closed")).toBe(false);
    expect(isCaseStatus(1)).toBe(false);
    expect(isCaseStatus(undefined)).toBe(false);
    expect(isCaseAction("reopen")).toBe(true);
    expect(isCaseAction("delete")).toBe(false);
    expect(isCaseAction(null)).toBe(false);
  });

  it("publicStage groups statuses", () => {
    expect(CASE_STATUSES.map(publicStage)).toEqual(["received", "in_progress", "in_progress", "in_progress", "done", "done"]);
  });
});
