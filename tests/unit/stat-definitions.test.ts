/**
 * Pure logic: the one source of definitions (the locale texts and the README block are generated from
 * app/lib/stat-definitions.ts and must not drift; every definition says what, over which cases, by which date, in
 * Thai and English; every definition a page or column refers to exists), the month status, and the measure-23
 * outcomes recomputed from a case's history.
 */
import { describe, expect, it } from "vitest";
import th from "~/locales/th/statreport.json";
import en from "~/locales/en/statreport.json";
import {
  COLUMN_DEFINITIONS,
  PAGE_DEFINITIONS,
  STAT_DEFINITIONS,
  STAT_DEFINITION_KEYS,
  TARGET_DEFINITIONS,
  definitionText,
} from "~/lib/stat-definitions";
import { TABLE_COLUMNS } from "~/models/statistics/open-data.server";
import { monthStatus, periodStatus, hasFigures } from "~/lib/stats";
import { TARGETS } from "~/lib/plan-targets";
import { replayAckOutcome, replaySlaOutcome, statusEventKind, outcomeAgrees, type HistoryEvent } from "~/models/statistics/outcome-history";
import { generatedFiles } from "../../scripts/stat-definitions";

describe("one source of definitions", () => {
  it("the locale texts and the README block are exactly what the module generates", () => {
    for (const f of generatedFiles()) expect(f.current, `${f.file} is stale: run npm run stats:definitions`).toBe(f.generated);
  });
  it("every definition says what, over which cases and by which date, in both languages", () => {
    for (const k of STAT_DEFINITION_KEYS) {
      for (const lang of ["th", "en"] as const) {
        const d = STAT_DEFINITIONS[k][lang];
        expect(d.counts.length, `${k} ${lang}`).toBeGreaterThan(5);
        expect(d.over.length, `${k} ${lang}`).toBeGreaterThan(5);
        expect(d.by.length, `${k} ${lang}`).toBeGreaterThan(3);
      }
      expect((th as { definitions: Record<string, string> }).definitions[k]).toBe(definitionText(k, "th"));
      expect((en as { definitions: Record<string, string> }).definitions[k]).toBe(definitionText(k, "en"));
      expect((th as { data: { definitionNames: Record<string, string> } }).data.definitionNames[k], k).toBeTruthy();
      expect((en as { data: { definitionNames: Record<string, string> } }).data.definitionNames[k], k).toBeTruthy();
    }
  });
  it("what the definitions say matches what the code does", () => {
    // Deadline share: over the cases whose outcome is known (resolved + explained + late), not "whose deadline passed".
    expect(STAT_DEFINITIONS.deadline_percent.en.counts).toContain("(resolved in time + explained in time + late)");
    expect(STAT_DEFINITIONS.deadline_percent.en.over).toContain("outcome is known");
    // Explained in time is not "not yet resolved": it may have been resolved later.
    expect(STAT_DEFINITIONS.deadline_explained.en.counts).toContain("may have been resolved later");
    // Satisfaction by answer date.
    expect(STAT_DEFINITIONS.answers.en.by).toContain("answer");
    // The small-cell rule: totals are published as they are, the breakdown by kind is all or nothing.
    expect(STAT_DEFINITIONS.small_cells.en.counts).toContain("1–4 included");
    // Provisional on every row while the year runs.
    expect(STAT_DEFINITIONS.provisional.en.counts).toContain("measures 13, 23 and 28 included");
  });
  it("every column, page and target definition refers to an existing definition and column", () => {
    for (const [table, cols] of Object.entries(COLUMN_DEFINITIONS.byTable)) {
      for (const [col, def] of Object.entries(cols)) {
        expect(STAT_DEFINITION_KEYS).toContain(def);
        expect(TABLE_COLUMNS[table as keyof typeof TABLE_COLUMNS].map((c) => c.key)).toContain(col);
      }
    }
    for (const def of Object.values(COLUMN_DEFINITIONS.byColumn)) expect(STAT_DEFINITION_KEYS).toContain(def);
    for (const keys of Object.values(PAGE_DEFINITIONS)) for (const k of keys) expect(STAT_DEFINITION_KEYS).toContain(k);
    for (const [target, def] of Object.entries(TARGET_DEFINITIONS)) {
      expect(TARGETS.map((t) => t.key)).toContain(target);
      expect(STAT_DEFINITION_KEYS).toContain(def);
    }
    // Every table's status column and the scorecard's window are defined.
    for (const [table, cols] of Object.entries(TABLE_COLUMNS)) {
      for (const c of cols)
        if (["status", "provisional", "previous_from", "previous_to"].includes(c.key))
          expect(COLUMN_DEFINITIONS.byColumn[c.key], `${table}.${c.key}`).toBeTruthy();
    }
  });
});

describe("month status", () => {
  const first = "2025-12-03";
  it("before the first record, ended, running, not yet", () => {
    expect(monthStatus("2025-10", "2026-03-15", first)).toBe("no_records_yet");
    expect(monthStatus("2025-11", "2026-03-15", first)).toBe("no_records_yet");
    expect(monthStatus("2025-12", "2026-03-15", first)).toBe("ok"); // the month of the first record has figures
    expect(monthStatus("2026-02", "2026-03-15", first)).toBe("ok");
    expect(monthStatus("2026-03", "2026-03-15", first)).toBe("current");
    expect(monthStatus("2026-03", "2026-03-31", first)).toBe("current");
    expect(monthStatus("2026-03", "2026-04-01", first)).toBe("ok");
    expect(monthStatus("2026-04", "2026-03-15", first)).toBe("not_yet");
    expect(monthStatus("2026-02", "2026-03-15", null)).toBe("no_records_yet");
  });
  it("a period's status and whether it has figures", () => {
    expect(periodStatus(["no_records_yet", "no_records_yet", "ok"])).toBe("ok");
    expect(periodStatus(["ok", "current", "not_yet"])).toBe("current");
    expect(periodStatus(["not_yet", "not_yet", "not_yet"])).toBe("not_yet");
    expect(periodStatus(["no_records_yet", "no_records_yet"])).toBe("no_records_yet");
    expect(periodStatus(["no_records_yet", "current"])).toBe("current");
    expect([hasFigures("ok"), hasFigures("current"), hasFigures("not_yet"), hasFigures("no_records_yet")]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("outcomes recomputed from the history", () => {
  const calendar = { mode: "calendar" as const, holidays: new Set<string>() };
  const received = "2026-01-01T03:00:00.000Z";
  const due = "2026-01-16T16:59:59.999Z"; // end of 16 Jan, Bangkok
  const h = (events: HistoryEvent[]) => ({
    receivedAt: received,
    firstDueAt: due,
    events,
    ackDueAt: "2026-01-02T16:59:59.999Z",
    acknowledgedAt: null,
  });
  const now = new Date("2026-03-01T00:00:00Z");
  it("status changes map to events", () => {
    expect(statusEventKind("in_progress", "resolved")).toBe("close");
    expect(statusEventKind("waiting_info", "forwarded")).toBe("close");
    expect(statusEventKind("resolved", "in_progress")).toBe("reopen");
    expect(statusEventKind("in_progress", "waiting_info")).toBe("pause");
    expect(statusEventKind("waiting_info", "in_progress")).toBe("resume");
    expect(statusEventKind("received", "accepted")).toBeNull();
  });
  it("resolved in time, late, explained, explained then resolved in time", () => {
    expect(replaySlaOutcome(h([{ at: "2026-01-10T03:00:00Z", kind: "close" }]), calendar, now)).toBe("resolved");
    expect(replaySlaOutcome(h([{ at: "2026-01-20T03:00:00Z", kind: "close" }]), calendar, now)).toBe("late");
    expect(replaySlaOutcome(h([]), calendar, now)).toBe("late");
    expect(replaySlaOutcome(h([]), calendar, new Date("2026-01-05T00:00:00Z"))).toBeNull();
    expect(
      replaySlaOutcome(
        h([
          { at: "2026-01-15T03:00:00Z", kind: "explain" },
          { at: "2026-02-10T03:00:00Z", kind: "close" },
        ]),
        calendar,
        now,
      ),
    ).toBe("explained");
    expect(
      replaySlaOutcome(
        h([
          { at: "2026-01-12T03:00:00Z", kind: "explain" },
          { at: "2026-01-14T03:00:00Z", kind: "close" },
        ]),
        calendar,
        now,
      ),
    ).toBe("resolved");
  });
  it("a pause keeps the days left; a reopening never changes the first period", () => {
    const paused = h([
      { at: "2026-01-10T03:00:00Z", kind: "pause" },
      { at: "2026-02-10T03:00:00Z", kind: "resume" },
      { at: "2026-02-14T03:00:00Z", kind: "close" },
    ]);
    expect(replaySlaOutcome(paused, calendar, now)).toBe("resolved");
    const reopened = h([
      { at: "2026-01-10T03:00:00Z", kind: "close" },
      { at: "2026-01-11T03:00:00Z", kind: "reopen" },
      { at: "2026-02-20T03:00:00Z", kind: "close" },
    ]);
    expect(replaySlaOutcome(reopened, calendar, now)).toBe("resolved");
  });
  it("acknowledgement on time, late, undecided; the ticker's minute of grace", () => {
    expect(replayAckOutcome({ ackDueAt: "2026-01-02T16:59:59.999Z", acknowledgedAt: "2026-01-02T03:00:00Z" }, now)).toBe("on_time");
    expect(replayAckOutcome({ ackDueAt: "2026-01-02T16:59:59.999Z", acknowledgedAt: "2026-01-05T03:00:00Z" }, now)).toBe("late");
    expect(replayAckOutcome({ ackDueAt: "2026-01-02T16:59:59.999Z", acknowledgedAt: null }, now)).toBe("late");
    expect(replayAckOutcome({ ackDueAt: "2026-04-02T16:59:59.999Z", acknowledgedAt: null }, now)).toBeNull();
    const justDue = { ackDueAt: new Date(now.getTime() - 60_000).toISOString(), acknowledgedAt: null };
    expect(outcomeAgrees(null, (at) => replayAckOutcome(justDue, at), now, 10 * 60_000)).toBe(true);
    expect(outcomeAgrees("late", (at) => replayAckOutcome(justDue, at), now, 10 * 60_000)).toBe(true);
    expect(outcomeAgrees("on_time", (at) => replayAckOutcome(justDue, at), now, 10 * 60_000)).toBe(false);
  });
});
