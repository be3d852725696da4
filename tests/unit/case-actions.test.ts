import { describe, expect, it } from "vitest";
import type { Actor } from "~/lib/permissions";
import { availableActions } from "~/models/complaints/workspace.server";

const WORKS = 3;
const admin: Actor = { id: 1, role: "admin", division_id: null };
const officer: Actor = { id: 2, role: "officer", division_id: WORKS };
const otherOfficer: Actor = { id: 3, role: "officer", division_id: WORKS + 1 };
const intake: Actor = { id: 4, role: "intake", division_id: null };
const executive: Actor = { id: 5, role: "executive", division_id: null };
const inWorks = (status: string) => ({ status, division_id: WORKS });

describe("availableActions (the case page's action forms)", () => {
  it("puts the usual next step first, then day-to-day work, closing actions last", () => {
    expect(availableActions(inWorks("received"), officer)).toEqual(["accept", "assign", "reply", "note", "forward"]);
    expect(availableActions(inWorks("accepted"), officer)).toEqual([
      "start",
      "resolve",
      "request_info",
      "assign",
      "reply",
      "note",
      "forward",
    ]);
    expect(availableActions(inWorks("in_progress"), officer)).toEqual(["resolve", "request_info", "assign", "reply", "note", "forward"]);
    expect(availableActions(inWorks("waiting_info"), officer)).toEqual(["info_received", "assign", "reply", "note", "forward"]);
  });

  it("offers only what the status allows", () => {
    for (const status of ["resolved", "forwarded"]) {
      expect(availableActions(inWorks(status), admin)).toEqual(["assign", "reply", "note", "reopen"]);
      expect(availableActions(inWorks(status), officer)).toEqual(["assign", "reply", "note"]);
    }
    expect(availableActions(inWorks("received"), admin)).not.toContain("resolve");
    expect(availableActions(inWorks("waiting_info"), admin)).not.toContain("request_info");
  });

  it("offers only what the role allows", () => {
    expect(availableActions(inWorks("received"), intake)).toEqual(["accept", "assign", "reply", "note", "forward"]);
    expect(availableActions(inWorks("accepted"), intake)).toEqual(["assign", "reply", "note", "forward"]);
    expect(availableActions(inWorks("accepted"), executive)).toEqual([]);
    expect(availableActions(inWorks("accepted"), otherOfficer)).toEqual([]);
  });

  it("treats an unknown status as newly received", () => {
    expect(availableActions(inWorks("archived"), officer)[0]).toBe("accept");
  });
});
