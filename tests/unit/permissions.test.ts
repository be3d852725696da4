import { describe, expect, it } from "vitest";
import {
  allowedOperations,
  canActOnCase,
  canAdminister,
  canAssign,
  canRecordIntake,
  canViewCase,
  queueDivisionScope,
  canAccessReports,
  canManageReportSettings,
  canReadAuditLog,
  canSeeReportCounts,
  isStaffRole,
  requiresSecondFactor,
  CASE_OPERATIONS,
  STAFF_ROLES,
  type Actor,
} from "~/lib/permissions";

const own = { division_id: 1 };
const other = { division_id: 2 };
const none = { division_id: null };
const actor = (role: Actor["role"], division_id: number | null = null): Actor => ({ id: 9, role, division_id });

describe("permissions", () => {
  it("admin may see and do everything, including reopen and administration", () => {
    const a = actor("admin");
    for (const c of [own, other, none]) {
      expect(canViewCase(a, c)).toBe(true);
      for (const op of CASE_OPERATIONS) expect(canActOnCase(a, c, op)).toBe(true);
    }
    expect(canAdminister(a)).toBe(true);
    expect(canRecordIntake(a)).toBe(true);
    expect(canAssign(a, own, { divisionId: 2, assigneeDivisionId: 2, hasAssignee: true })).toBe(true);
    expect(queueDivisionScope(a)).toBeUndefined();
  });

  it("supervisor may do everything on cases (incl. reopen) but not administer", () => {
    const s = actor("supervisor", 1);
    for (const c of [own, other, none]) {
      expect(canViewCase(s, c)).toBe(true);
      for (const op of CASE_OPERATIONS) expect(canActOnCase(s, c, op)).toBe(true);
    }
    expect(canAdminister(s)).toBe(false);
    expect(canRecordIntake(s)).toBe(true);
    expect(queueDivisionScope(s)).toBeUndefined();
  });

  it("officer works only on their own division's cases, never reopens, assigns only within the division", () => {
    const o = actor("officer", 1);
    expect(canViewCase(o, own)).toBe(true);
    expect(canViewCase(o, other)).toBe(false);
    expect(canViewCase(o, none)).toBe(false);
    for (const op of ["accept", "start", "request_info", "info_received", "resolve", "forward", "reply", "note", "assign"] as const) {
      expect(canActOnCase(o, own, op)).toBe(true);
      expect(canActOnCase(o, other, op)).toBe(false);
    }
    expect(canActOnCase(o, own, "reopen")).toBe(false);
    expect(canAssign(o, own, { divisionId: 1, assigneeDivisionId: 1, hasAssignee: true })).toBe(true);
    expect(canAssign(o, own, { divisionId: 1, hasAssignee: false })).toBe(true);
    expect(canAssign(o, own, { divisionId: 2, assigneeDivisionId: 2, hasAssignee: true })).toBe(false);
    expect(canAssign(o, own, { divisionId: 1, assigneeDivisionId: 2, hasAssignee: true })).toBe(false);
    expect(canAssign(o, other, { divisionId: 2, hasAssignee: false })).toBe(false);
    expect(canAdminister(o)).toBe(false);
    expect(canRecordIntake(o)).toBe(false);
    expect(queueDivisionScope(o)).toBe(1);
    expect(queueDivisionScope(actor("officer", null))).toBe(-1);
    expect(canViewCase(actor("officer", null), none)).toBe(false);
  });

  it("intake accepts, assigns, replies, notes, forwards and records complaints, but does not resolve or reopen", () => {
    const i = actor("intake");
    for (const c of [own, other, none]) {
      expect(canViewCase(i, c)).toBe(true);
      expect(allowedOperations(i, c).sort()).toEqual(["accept", "assign", "forward", "note", "reply"]);
    }
    expect(canAssign(i, none, { divisionId: 2, assigneeDivisionId: 2, hasAssignee: true })).toBe(true);
    expect(canRecordIntake(i)).toBe(true);
    expect(canAdminister(i)).toBe(false);
  });

  it("executive reads everything and changes nothing", () => {
    const e = actor("executive", 1);
    for (const c of [own, other, none]) {
      expect(canViewCase(e, c)).toBe(true);
      expect(allowedOperations(e, c)).toEqual([]);
    }
    expect(canAssign(e, own, { divisionId: 1, hasAssignee: false })).toBe(false);
    expect(canRecordIntake(e)).toBe(false);
    expect(canAdminister(e)).toBe(false);
    expect(queueDivisionScope(e)).toBeUndefined();
  });

  it("integrity officer: corruption reports only — no general complaints, no intake, no administration", () => {
    const g = actor("integrity");
    expect(isStaffRole("integrity")).toBe(true);
    for (const c of [own, other, none]) {
      expect(canViewCase(g, c)).toBe(false);
      expect(allowedOperations(g, c)).toEqual([]);
    }
    expect(queueDivisionScope(g)).toBe(-1);
    expect(canRecordIntake(g)).toBe(false);
    expect(canAdminister(g)).toBe(false);
    expect(canAccessReports(g)).toBe(true);
    expect(canReadAuditLog(g)).toBe(true);
    expect(canManageReportSettings(g)).toBe(false);
    expect(canSeeReportCounts(g)).toBe(false);
    expect(requiresSecondFactor(g, { optionalRoles: [] })).toBe(true);
  });

  it("no other role can access corruption reports or skips the second-factor rule by accident", () => {
    for (const role of STAFF_ROLES) {
      const a = actor(role, 1);
      expect(canAccessReports(a)).toBe(role === "integrity");
      expect(requiresSecondFactor(a, { optionalRoles: [] })).toBe(role === "integrity" || role === "admin" || role === "supervisor");
      // Turning it on for every optional role leaves no role without it; the fixed roles cannot be listed away.
      expect(requiresSecondFactor(a, { optionalRoles: ["officer", "intake", "executive"] })).toBe(true);
      expect(requiresSecondFactor(a, { optionalRoles: [role] })).toBe(true);
      expect(canReadAuditLog(a)).toBe(role === "integrity" || role === "admin");
      expect(canManageReportSettings(a)).toBe(role === "admin");
    }
    expect(canAccessReports({ role: "nobody" as never })).toBe(false);
  });
});
