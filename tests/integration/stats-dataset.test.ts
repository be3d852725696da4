/**
 * The numbers are right: a known set of cases across fiscal years 2568 and 2569 — cases opened in one year
 * and closed in the next, paused, forwarded (also while paused), reopened, explained, acknowledged late, rated and
 * re-rated, corruption reports concluded / referred / in review, counter-service answers — built through the real
 * domain functions with the clock moved to each event, then every figure of the statistics model, the plan scorecard
 * and (against the built server on the same data) every page and download is checked against values worked out by
 * hand below.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";
import { HttpClient, html } from "../helpers/http";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-stats-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3999";
// SQLite under DATA_DIR, or a fresh PostgreSQL database when the run is TEST_DATABASE=postgres.
const { testDatabaseUrl } = await import("../helpers/server");
const databaseUrl = await testDatabaseUrl();
if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
else delete process.env.DATABASE_URL;

const { getDb } = await import("~/utils/db.server");
const { setClockOffsetForTests } = await import("~/utils/clock.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const { createComplaint } = await import("~/models/complaints/filing.server");
const { applyCaseAction } = await import("~/models/complaints/handling.server");
const { sendNotice } = await import("~/models/notices/notices.server");
const { createReport } = await import("~/models/report/filing.server");
const { transitionReport, setReportTags } = await import("~/models/report/casework.server");
const { unlockWithPassword } = await import("~/models/report/key-vault.server");
const { rateCase, submitCounterFeedback } = await import("~/models/complaints/satisfaction.server");
const { setComplaintTopics } = await import("~/models/complaints/topics.server");
const { runDeadlineTick } = await import("~/models/deadlines/escalation.server");
const { complaintStats, corruptionStats, planTargets, clearStatsCache, availableFiscalYears } =
  await import("~/models/statistics/figures.server");
const { rebuildStatistics } = await import("../../db/statistics");

const db = getDb();
/** "Today" for every figure below: 26 Nov 2026, 12:00 Bangkok (fiscal year 2570 is running). */
const NOW = "2026-11-26T12:00:00+07:00";

function at(iso: string) {
  setClockOffsetForTests(new Date(iso).getTime() - Date.now());
}

let supervisor: { id: number; role: "supervisor"; division_id: null };
/** The integrity officer with their unlocked keys (made before the first report, so every report is wrapped for them). */
let integrity: import("~/models/report/casework.server").OfficerAccess;
const ids: Record<string, number> = {};
const refs: Record<string, string> = {};

async function staff(role: string, email: string): Promise<number> {
  const r = await db
    .insertInto("staff")
    .values({ email, name: email, role: role as "supervisor", division_id: null, password_hash: "x", active: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

async function complaint(
  name: string,
  when: string,
  o: { channel: "web" | "walk_in" | "phone" | "line"; category: string; village?: number; email?: boolean },
) {
  at(when);
  const c = await createComplaint(db, {
    category: o.category,
    subject: `เรื่อง ${name}`,
    details: `รายละเอียดของ ${name}`,
    village: o.village,
    landmark: "",
    latitude: undefined,
    longitude: undefined,
    contactName: undefined,
    contactPhone: undefined,
    contactEmail: o.email ? `${name.toLowerCase()}@example.test` : undefined,
    contactAddress: undefined,
    preferredContact: o.email ? "email" : "none",
    channel: o.channel,
    lang: "th",
    submissionKey: crypto.randomBytes(32).toString("base64url"),
    recordedBy: o.channel === "web" ? null : supervisor.id,
    uploadIds: [],
  } as Parameters<typeof createComplaint>[1]);
  ids[name] = c.id;
  refs[name] = c.reference;
}

async function act(name: string, when: string, action: string, extra: { resultSummary?: string; forwardedTo?: string } = {}) {
  at(when);
  await applyCaseAction(db, { complaintId: ids[name]!, actor: supervisor, action: action as "accept", note: "บันทึก", ...extra });
}
const resolve = (name: string, when: string) => act(name, when, "resolve", { resultSummary: "ซ่อมเรียบร้อย" });
const forward = (name: string, when: string) => act(name, when, "forward", { forwardedTo: "การประปาส่วนภูมิภาค" });

async function notice(name: string, when: string, kind: "acknowledgement" | "explanation") {
  at(when);
  const expectedAt = kind === "explanation" ? new Date(new Date(when).getTime() + 20 * 86_400_000) : null;
  await sendNotice(db, { complaintId: ids[name]!, kind, actor: supervisor, expectedAt });
}

async function topics(name: string, when: string, list: string[]) {
  at(when);
  await setComplaintTopics(db, { complaintId: ids[name]!, topics: list, actor: supervisor });
}

async function rate(name: string, when: string, score: number) {
  at(when);
  await rateCase(db, { via: "tracking-code", complaintId: ids[name]! }, { score });
}

async function report(name: string, when: string, tags: string[]) {
  at(when);
  const r = await createReport(db, {
    mode: "anonymous",
    recipient: "integrity",
    fields: { whatHappened: `เหตุการณ์ ${name}` },
    uploads: [],
    submissionKey: crypto.randomBytes(32).toString("base64url"),
  });
  ids[name] = r.id;
  await setReportTags(db, integrity, r.id, tags);
}

async function reportAction(name: string, when: string, action: string, opts: { finding?: string; referredTo?: string } = {}) {
  at(when);
  await transitionReport(db, integrity, ids[name]!, action, opts);
}

async function counter(when: string, scores: number[]) {
  at(when);
  for (const score of scores) await submitCounterFeedback(db, { service: "tax" as never, score });
}

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
  supervisor = { id: await staff("supervisor", "sup@example.test"), role: "supervisor", division_id: null };
  const integrityId = await staff("integrity", "int@example.test");
  integrity = {
    actor: { id: integrityId, role: "integrity" },
    keys: await unlockWithPassword(db, "stats-dataset-integrity", integrityId, "integrity password"),
  };

  // ---- Events in time order (Bangkok times) ----
  await complaint("A1", "2024-10-05T10:00:00+07:00", { channel: "web", category: "road", village: 1, email: true });
  await act("A1", "2024-10-06T09:00:00+07:00", "accept");
  await resolve("A1", "2024-10-10T10:00:00+07:00"); // in time, 5 days
  await rate("A1", "2024-10-12T10:00:00+07:00", 5);
  await complaint("A2", "2024-11-20T10:00:00+07:00", { channel: "web", category: "water", village: 2 });
  await topics("A2", "2024-11-21T10:00:00+07:00", ["procurement"]);
  await report("R1", "2024-12-10T10:00:00+07:00", ["bribery"]);
  await reportAction("R1", "2024-12-11T10:00:00+07:00", "start_review");
  await reportAction("R1", "2025-01-10T10:00:00+07:00", "conclude", { finding: "substantiated" });
  await reportAction("R1", "2025-01-15T10:00:00+07:00", "close");
  await counter("2025-01-20T10:00:00+07:00", [5, 5, 5, 4, 1]);
  await report("R2", "2025-02-01T10:00:00+07:00", ["procurement"]);
  await reportAction("R2", "2025-02-02T10:00:00+07:00", "start_review");
  await reportAction("R2", "2025-03-01T10:00:00+07:00", "conclude", { finding: "substantiated" });
  // 02:00 Bangkok on 1 April is still 31 March in UTC: counted in April (second half of the year).
  await complaint("A3", "2025-04-01T02:00:00+07:00", { channel: "phone", category: "road" });
  await notice("A3", "2025-04-02T10:00:00+07:00", "acknowledgement"); // due end of 2 Apr: on time
  await forward("A3", "2025-04-05T10:00:00+07:00"); // in time, 4 days
  await complaint("A5", "2025-06-10T10:00:00+07:00", { channel: "web", category: "water", village: 1 });
  await topics("A5", "2025-06-10T11:00:00+07:00", ["personnel"]);
  await act("A5", "2025-06-11T10:00:00+07:00", "accept");
  await act("A5", "2025-06-12T10:00:00+07:00", "request_info"); // paused ever since: undecided, not overdue
  await complaint("A4", "2025-09-30T16:00:00+07:00", { channel: "walk_in", category: "road" }); // never acknowledged: late
  // 06:00 Bangkok on 1 October is 30 September in UTC: fiscal year 2569.
  await complaint("B1", "2025-10-01T06:00:00+07:00", { channel: "web", category: "road", village: 2, email: true });
  await act("B1", "2025-10-08T10:00:00+07:00", "accept");
  await resolve("B1", "2025-10-08T11:00:00+07:00"); // in time
  await act("A4", "2025-10-10T10:00:00+07:00", "accept");
  await notice("A4", "2025-10-10T11:00:00+07:00", "explanation"); // due 15 Oct: explained in time
  await act("A2", "2025-10-15T10:00:00+07:00", "accept");
  await resolve("A2", "2025-10-15T11:00:00+07:00"); // opened in FY 2568, closed in FY 2569, late: 329 days
  await resolve("A4", "2025-10-20T10:00:00+07:00"); // after its deadline but explained in time: 20 days
  await act("B1", "2025-10-20T10:00:00+07:00", "reopen"); // a new period; the first period's outcome stays
  await report("R3", "2025-10-20T11:00:00+07:00", ["procurement"]);
  await reportAction("R3", "2025-10-21T10:00:00+07:00", "start_review");
  await reportAction("R3", "2025-11-15T10:00:00+07:00", "conclude", { finding: "unsubstantiated" });
  await resolve("B1", "2025-11-30T10:00:00+07:00"); // 60 days from receipt
  await rate("B1", "2025-12-01T10:00:00+07:00", 2);
  await complaint("B2", "2025-12-01T10:00:00+07:00", { channel: "line", category: "water" });
  await topics("B2", "2025-12-01T11:00:00+07:00", ["procurement"]);
  await notice("B2", "2025-12-03T10:00:00+07:00", "acknowledgement"); // due end of 2 Dec: late
  await act("B2", "2025-12-03T11:00:00+07:00", "accept"); // never resolved: late, overdue now
  await rate("B1", "2025-12-05T10:00:00+07:00", 4); // changed within 30 days: counts once, as 4
  await complaint("B3", "2026-01-15T10:00:00+07:00", { channel: "web", category: "road", village: 3 });
  await forward("B3", "2026-01-20T10:00:00+07:00"); // in time, 5 days
  await counter("2026-01-20T12:00:00+07:00", [5, 5, 4, 3, 2, 5]);
  await rate("B3", "2026-01-25T10:00:00+07:00", 5);
  await report("R4", "2026-02-14T10:00:00+07:00", ["bribery"]);
  await reportAction("R4", "2026-02-15T10:00:00+07:00", "start_review"); // still in review
  await report("R5", "2026-02-20T10:00:00+07:00", []);
  await reportAction("R5", "2026-02-25T10:00:00+07:00", "refer", { referredTo: "nacc" });
  await complaint("B4", "2026-03-31T20:00:00+07:00", { channel: "web", category: "road", village: 1 });
  await act("B4", "2026-04-01T10:00:00+07:00", "accept");
  await topics("B4", "2026-04-01T11:00:00+07:00", ["personnel", "officer_conduct"]);
  await notice("B4", "2026-04-10T10:00:00+07:00", "explanation"); // explained in time, still open: overdue now
  await act("B4", "2026-04-11T10:00:00+07:00", "start");
  await complaint("B6", "2026-05-01T10:00:00+07:00", { channel: "web", category: "water", village: 2 });
  await act("B6", "2026-05-02T10:00:00+07:00", "accept");
  await act("B6", "2026-05-05T10:00:00+07:00", "request_info");
  await forward("B6", "2026-05-20T10:00:00+07:00"); // forwarded while paused: in time, 19 days
  await complaint("B5", "2026-09-30T10:00:00+07:00", { channel: "walk_in", category: "water" });
  await act("B5", "2026-10-01T10:00:00+07:00", "accept"); // never acknowledged, never resolved: late
  // The minute ticker settles what the clock decided (late first periods, late acknowledgements).
  at(NOW);
  await runDeadlineTick(db);
  clearStatsCache();
}, 120_000);

let dbClosed = false;
afterAll(async () => {
  setClockOffsetForTests(0);
  if (!dbClosed) await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// ---- Worked out by hand ----
const flow = (received: number, completed: number) => ({ received, completed, inProgress: received - completed });
const zero = flow(0, 0);
const months2569 = [
  "2025-10",
  "2025-11",
  "2025-12",
  "2026-01",
  "2026-02",
  "2026-03",
  "2026-04",
  "2026-05",
  "2026-06",
  "2026-07",
  "2026-08",
  "2026-09",
];
const expected2569 = {
  totals: { ...flow(6, 3), resolved: 1, forwarded: 2 },
  byMonth: {
    "2025-10": flow(1, 1), // B1
    "2025-12": flow(1, 0), // B2
    "2026-01": flow(1, 1), // B3
    "2026-03": flow(1, 0), // B4
    "2026-05": flow(1, 1), // B6
    "2026-09": flow(1, 0), // B5
  } as Record<string, ReturnType<typeof flow>>,
  byCategory: { road: flow(3, 2), water: flow(3, 1) } as Record<string, ReturnType<typeof flow>>,
  byChannel: { web: flow(4, 3), line: flow(1, 0), walk_in: flow(1, 0), phone: zero, letter: zero, facebook: zero } as Record<
    string,
    ReturnType<typeof flow>
  >,
  byVillage: { "1": flow(1, 0), "2": flow(2, 2), "3": flow(1, 1), none: flow(2, 0) } as Record<string, ReturnType<typeof flow>>,
  deadline: { resolvedInTime: 3, explainedInTime: 1, late: 2, undecided: 0, share: 4 / 6 },
  acknowledgement: { onTime: 4, late: 2, undecided: 0, share: 4 / 6 },
  resolveDays: { closed: 3, median: 19, p90: 60 }, // 5, 19, 60
  overdueNow: 3, // B2, B4, B5
  satisfaction: { answers: 2, satisfied: 2, share: 1, byScore: [0, 0, 0, 1, 1] },
  counterSatisfaction: { answers: 6, satisfied: 4, share: 4 / 6, byScore: [0, 1, 1, 1, 3] },
};

describe("general complaints, fiscal year 2569", () => {
  it("every figure of the year", async () => {
    const s = await complaintStats(db, 2569);
    expect(s.from).toBe("2025-10-01");
    expect(s.to).toBe("2026-09-30");
    expect(s.totals).toEqual(expected2569.totals);
    expect(s.byMonth.map((m) => m.month)).toEqual(months2569);
    // Every month of 2569 has ended and the portal held records (from 2568): all "ok".
    for (const { status, ...m } of s.byMonth) {
      expect(status, m.month).toBe("ok");
      expect(m).toEqual({ ...(expected2569.byMonth[m.month] ?? zero), month: m.month });
    }
    const cats = Object.fromEntries(
      s.byCategory.map((c) => [c.code, { received: c.received, completed: c.completed, inProgress: c.inProgress }]),
    );
    for (const [code, f] of Object.entries(cats)) expect(f, code).toEqual(expected2569.byCategory[code] ?? zero);
    const chans = Object.fromEntries(
      s.byChannel.map((c) => [c.channel, { received: c.received, completed: c.completed, inProgress: c.inProgress }]),
    );
    expect(chans).toEqual(expected2569.byChannel);
    const works = s.byDivision.find((d) => d.nameEn.startsWith("Public Works"))!;
    expect({ received: works.received, completed: works.completed, inProgress: works.inProgress }).toEqual(flow(6, 3));
    expect(s.byDivision.filter((d) => d !== works).every((d) => d.received === 0)).toBe(true);
    const villages = Object.fromEntries(
      s.byVillage
        .filter((v) => v.received > 0)
        .map((v) => [
          v.number === null ? "none" : String(v.number),
          { received: v.received, completed: v.completed, inProgress: v.inProgress },
        ]),
    );
    expect(villages).toEqual(expected2569.byVillage);
    expect(s.deadline).toEqual(expected2569.deadline);
    expect(s.acknowledgement).toEqual(expected2569.acknowledgement);
    expect(s.resolveDays).toEqual(expected2569.resolveDays);
    expect(s.overdueNow).toBe(expected2569.overdueNow);
    expect(s.satisfaction).toEqual(expected2569.satisfaction);
    expect(s.counterSatisfaction).toEqual(expected2569.counterSatisfaction);
  });

  it("the six-month round (October–March)", async () => {
    const s = await complaintStats(db, 2569, "h1");
    expect([s.from, s.to]).toEqual(["2025-10-01", "2026-03-31"]);
    expect(s.byMonth.map((m) => m.month)).toEqual(months2569.slice(0, 6));
    expect(s.totals).toEqual({ ...flow(4, 2), resolved: 1, forwarded: 1 }); // B1 B2 B3 B4
    expect(s.deadline).toEqual({ resolvedInTime: 2, explainedInTime: 1, late: 1, undecided: 0, share: 3 / 4 });
    expect(s.resolveDays).toEqual({ closed: 2, median: 5, p90: 60 });
    expect(s.overdueNow).toBe(2); // B2, B4
    expect(s.satisfaction.answers).toBe(2);
    expect(s.counterSatisfaction.answers).toBe(6);
  });
});

describe("general complaints, fiscal year 2568", () => {
  it("every figure of the year, including the case closed in the next year", async () => {
    const s = await complaintStats(db, 2568);
    expect(s.totals).toEqual({ ...flow(5, 4), resolved: 3, forwarded: 1 });
    const nonZero = Object.fromEntries(
      s.byMonth
        .filter((m) => m.received > 0)
        .map((m) => [m.month, { received: m.received, completed: m.completed, inProgress: m.inProgress }]),
    );
    expect(nonZero).toEqual({
      "2024-10": flow(1, 1),
      "2024-11": flow(1, 1),
      "2025-04": flow(1, 1),
      "2025-06": flow(1, 0),
      "2025-09": flow(1, 1),
    });
    expect(s.byMonth.find((m) => m.month === "2025-03")!.received).toBe(0);
    const chans = Object.fromEntries(
      s.byChannel
        .filter((c) => c.received > 0)
        .map((c) => [c.channel, { received: c.received, completed: c.completed, inProgress: c.inProgress }]),
    );
    expect(chans).toEqual({ web: flow(3, 2), phone: flow(1, 1), walk_in: flow(1, 1) });
    const cats = Object.fromEntries(
      s.byCategory
        .filter((c) => c.received > 0)
        .map((c) => [c.code, { received: c.received, completed: c.completed, inProgress: c.inProgress }]),
    );
    expect(cats).toEqual({ road: flow(3, 3), water: flow(2, 1) });
    expect(s.deadline).toEqual({ resolvedInTime: 2, explainedInTime: 1, late: 1, undecided: 1, share: 3 / 4 });
    expect(s.acknowledgement).toEqual({ onTime: 4, late: 1, undecided: 0, share: 4 / 5 });
    expect(s.resolveDays).toEqual({ closed: 4, median: 5, p90: 329 }); // 4, 5, 20, 329
    expect(s.overdueNow).toBe(0); // A5 is paused
    expect(s.satisfaction).toEqual({ answers: 1, satisfied: 1, share: 1, byScore: [0, 0, 0, 0, 1] });
    expect(s.counterSatisfaction).toEqual({ answers: 5, satisfied: 4, share: 0.8, byScore: [1, 0, 0, 1, 3] });
  });
});

describe("corruption and misconduct reports (ITA table)", () => {
  it("fiscal year 2569 by month, cumulative, quarters, half and total", async () => {
    const s = await corruptionStats(db, 2569);
    const byMonth = Object.fromEntries(
      s.months.map((m) => [
        m.month,
        [
          m.received,
          m.completed,
          m.inProgress,
          m.cumulative?.received ?? null,
          m.cumulative?.completed ?? null,
          m.cumulative?.inProgress ?? null,
        ],
      ]),
    );
    expect(byMonth).toEqual({
      "2025-10": [1, 1, 0, 1, 1, 0], // R3 concluded
      "2025-11": [0, 0, 0, 1, 1, 0],
      "2025-12": [0, 0, 0, 1, 1, 0],
      "2026-01": [0, 0, 0, 1, 1, 0],
      "2026-02": [2, 1, 1, 3, 2, 1], // R4 in review, R5 referred
      "2026-03": [0, 0, 0, 3, 2, 1],
      "2026-04": [0, 0, 0, 3, 2, 1],
      "2026-05": [0, 0, 0, 3, 2, 1],
      "2026-06": [0, 0, 0, 3, 2, 1],
      "2026-07": [0, 0, 0, 3, 2, 1],
      "2026-08": [0, 0, 0, 3, 2, 1],
      "2026-09": [0, 0, 0, 3, 2, 1],
    });
    expect(s.quarters).toEqual([
      { quarter: 1, status: "ok", ...flow(1, 1) },
      { quarter: 2, status: "ok", ...flow(2, 1) },
      { quarter: 3, status: "ok", ...zero },
      { quarter: 4, status: "ok", ...zero },
    ]);
    expect(s.halves).toEqual([
      { half: 1, status: "ok", ...flow(3, 2) },
      { half: 2, status: "ok", ...zero },
    ]);
    expect(s.total).toEqual(flow(3, 2));
    expect(s.outcomes).toEqual({ substantiated: 0, unsubstantiated: 1, referred: 1 });
    // bribery 1, procurement 1: cells under 5, so no breakdown by kind.
    expect(s.byKind).toEqual({ shown: false, rows: [] });
  });

  it("fiscal year 2568", async () => {
    const s = await corruptionStats(db, 2568);
    expect(s.total).toEqual(flow(2, 2));
    expect(s.outcomes).toEqual({ substantiated: 2, unsubstantiated: 0, referred: 0 });
    expect(s.months.find((m) => m.month === "2024-12")).toMatchObject({ received: 1, completed: 1 });
    expect(s.months.find((m) => m.month === "2025-02")).toMatchObject({ received: 1, completed: 1, cumulative: flow(2, 2) });
  });
});

describe("plan scorecard", () => {
  const row = (rows: Awaited<ReturnType<typeof planTargets>>, key: string) => rows.find((r) => r.key === key)!;

  it("fiscal year 2569 against 2568 (a finished year)", async () => {
    const t = await planTargets(db, 2569);
    expect(t.map((r) => r.key)).toEqual([
      "m13",
      "m15",
      "m16",
      "m17_channel",
      "m17_unfair",
      "m19",
      "m20_satisfaction",
      "m20_service",
      "m20_corruption",
      "m23_satisfaction",
      "m23_deadline",
      "m23_ack",
      "m24",
      "m25",
      "m28",
    ]);
    expect(t.every((r) => r.provisional === false)).toBe(true);
    // 13: one bribery report (R4), shown as "fewer than 5", not met.
    expect(row(t, "m13")).toMatchObject({
      verdict: "not_met",
      current: { value: null, suppressed: true, parts: { general: 0, corruption: null, corruptionSuppressed: true } },
    });
    expect(row(t, "m15")).toMatchObject({ verdict: "not_met", current: { value: 1 }, previous: { value: 1 } });
    expect(row(t, "m16")).toMatchObject({
      verdict: "not_met",
      current: { value: null, suppressed: true, parts: { general: 1 } },
      previous: { suppressed: true, parts: { general: 1 } },
    });
    expect(row(t, "m17_channel")).toMatchObject({ verdict: "met", current: { value: 6 }, previous: { value: 5 } });
    expect(row(t, "m17_unfair")).toMatchObject({ verdict: "met", current: { value: 0 }, previous: { value: 0 } });
    expect(row(t, "m19")).toMatchObject({ verdict: "not_met", current: { value: 1 }, previous: { value: 0 } });
    expect(row(t, "m20_satisfaction")).toMatchObject({
      verdict: "not_met",
      current: { value: 4 / 6, answers: 6 },
      previous: { value: 0.8, answers: 5 },
    });
    expect(row(t, "m20_service")).toMatchObject({ verdict: "not_met", current: { value: 6 }, previous: { value: 5 } });
    expect(row(t, "m20_corruption")).toMatchObject({ verdict: "not_met", current: { value: 3 }, previous: { value: 2 } });
    expect(row(t, "m23_satisfaction")).toMatchObject({ verdict: "not_enough_data", current: { value: 1, answers: 2 } });
    expect(row(t, "m23_deadline")).toMatchObject({ verdict: "info", current: { value: 4 / 6 }, previous: { value: 3 / 4 } });
    expect(row(t, "m23_ack")).toMatchObject({ verdict: "info", current: { value: 4 / 6 }, previous: { value: 4 / 5 } });
    expect(row(t, "m24")).toMatchObject({ verdict: "met", current: { value: 0 }, previous: { value: 2 } });
    expect(row(t, "m25")).toMatchObject({ verdict: "not_met", current: { value: 3 }, previous: { value: 2 } });
    expect(row(t, "m28")).toMatchObject({
      verdict: "info",
      current: { value: 9, parts: { general: 6, corruption: 3 } },
      previous: { value: 7 },
    });
    expect(row(t, "m15").list).toEqual({ fy: 2569, from: "2025-10-01", to: "2026-09-30", topic: "personnel" });
  });

  it("fiscal year 2568: no records from 2567, so no decrease can be judged", async () => {
    const t = await planTargets(db, 2568);
    for (const key of ["m15", "m16", "m17_unfair", "m19", "m20_service", "m20_corruption", "m24", "m25"])
      expect(row(t, key).verdict, key).toBe("not_enough_data");
    expect(row(t, "m13").verdict).toBe("not_met"); // R1
    expect(row(t, "m20_satisfaction")).toMatchObject({ verdict: "met", current: { value: 0.8, answers: 5 } });
  });

  it("fiscal year 2570 (running): its whole months so far against the same months of 2569, provisional", async () => {
    const t = await planTargets(db, 2570);
    expect(row(t, "m20_service")).toMatchObject({
      verdict: "met",
      provisional: true,
      current: { value: 0 },
      previous: { value: 1 }, // October 2025: B1 only
      window: { current: { from: "2026-10-01", to: "2026-10-31" }, previous: { from: "2025-10-01", to: "2025-10-31" } },
    });
    expect(row(t, "m25")).toMatchObject({ verdict: "met", provisional: true, current: { value: 0 }, previous: { value: 1 } }); // R3, 20 Oct 2025
    expect(row(t, "m13")).toMatchObject({ verdict: "met", provisional: true });
  });

  it("the six-month round of 2569 against that of 2568", async () => {
    const t = await planTargets(db, 2569, "h1");
    expect(row(t, "m20_service")).toMatchObject({
      verdict: "not_met",
      current: { value: 4 },
      previous: { value: 2 },
      window: { current: { from: "2025-10-01", to: "2026-03-31" } },
    }); // B1–B4 vs A1, A2
    expect(row(t, "m25")).toMatchObject({ verdict: "not_met", current: { value: 3 }, previous: { value: 2 } }); // R3–R5 vs R1, R2
    const c = await corruptionStats(db, 2569, "h1");
    expect(c.months.map((m) => m.month)).toEqual(months2569.slice(0, 6));
    expect(c.quarters.map((q) => q.quarter)).toEqual([1, 2]);
    expect(c.halves).toEqual([{ half: 1, status: "ok", ...flow(3, 2) }]);
    expect(c.total).toEqual(flow(3, 2));
  });

  it("lists the years with data", async () => {
    expect(await availableFiscalYears(db)).toEqual([2570, 2569, 2568]);
  });
});

describe("summaries", () => {
  it("a full rebuild from the rows gives exactly what the triggers kept", async () => {
    const tables = ["complaint_stats", "complaint_resolve_days", "report_stats", "topic_stats", "rating_stats"] as const;
    const dump = async () => {
      const out: Record<string, unknown[]> = {};
      for (const t of tables) {
        const rows = (await db.selectFrom(t).selectAll().execute()) as Record<string, unknown>[];
        // Triggers may leave zero rows behind where a case moved away; the rebuild does not create them.
        out[t] = rows
          .filter((r) =>
            Object.entries(r).some(([k, v]) => typeof v === "number" && !["fiscal_year", "score", "days"].includes(k) && v !== 0),
          )
          .map((r) => JSON.stringify(r))
          .sort();
      }
      return out;
    };
    const before = await dump();
    await db.transaction().execute((trx) => rebuildStatistics(trx));
    expect(await dump()).toEqual(before);
  });
});

// ---- The same figures through the built server: pages and downloads ----
describe("pages and downloads show the same figures", () => {
  let server: TestServer;
  let client: HttpClient;
  type Row = Record<string, string | number | boolean | null>;
  const download = async (table: string): Promise<Row[]> => {
    const res = await client.get(`/stats/data/2569/${table}.json`);
    expect(res.status, table).toBe(200);
    return (JSON.parse(res.text) as { rows: Row[] }).rows;
  };
  const flowOf = (r: Row | undefined) => (r ? [r.received, r.completed, r.in_progress] : undefined);

  beforeAll(async () => {
    setClockOffsetForTests(0);
    await db.destroy();
    dbClosed = true;
    // The server reads the same data folder (database and keys), with its clock at NOW.
    server = await startServer({
      env: {
        DATA_DIR: dataDir,
        CLOCK_OFFSET_MS: String(new Date(NOW).getTime() - Date.now()),
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
    });
    client = new HttpClient(server.url);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("/stats for 2569", async () => {
    const res = await client.get("/stats?fy=2569");
    expect(res.status).toBe(200);
    const page = html(res.text);
    const fig = (id: string) => page.testId(id)?.trim();
    expect([fig("total-received"), fig("total-completed"), fig("total-inprogress"), fig("total-resolved"), fig("total-forwarded")]).toEqual(
      ["6", "3", "3", "1", "2"],
    );
    expect(fig("overdue-now")).toBe("3");
    expect(fig("days-median")).toMatch(/^19\b/);
    expect(fig("days-p90")).toMatch(/^60\b/);
    expect(page.text()).toContain("66.7%"); // resolved or explained within the deadline, and acknowledgements
  });

  it("/stats for the six-month round figures and 2568 through the year selector", async () => {
    const res = await client.get("/stats?fy=2568");
    const page = html(res.text);
    expect(["total-received", "total-completed", "overdue-now"].map((id) => page.testId(id)?.trim())).toEqual(["5", "4", "0"]);
    expect(page.testId("days-p90")?.trim()).toMatch(/^329\b/);
  });

  it("/stats/corruption: the ITA table", async () => {
    const res = await client.get("/stats/corruption?fy=2569");
    expect(res.status).toBe(200);
    const page = html(res.text);
    const text = (id: string) => page.testId(id)?.trim();
    expect(res.text).toContain("ไม่มีเรื่องร้องเรียน");
    expect(res.text).not.toMatch(/data-testid="kind-/); // small cells: no breakdown by kind
    expect(page.testId("kinds-withheld")).toBeTruthy();
    expect([text("outcome-substantiated"), text("outcome-unsubstantiated"), text("outcome-referred")]).toEqual(["0", "1", "1"]);
  });

  it("/stats/targets: verdicts", async () => {
    const res = await client.get("/stats/targets?fy=2569");
    expect(res.status).toBe(200);
    const page = html(res.text);
    const verdict = (k: string) => page.testIdAttr(`target-${k}-verdict`, "class")?.match(/verdict-(\w+)/)?.[1];
    const expected: Record<string, string> = {
      m13: "not_met",
      m15: "not_met",
      m16: "not_met",
      m17_channel: "met",
      m17_unfair: "met",
      m19: "not_met",
      m20_satisfaction: "not_met",
      m20_service: "not_met",
      m20_corruption: "not_met",
      m23_satisfaction: "not_enough_data",
      m23_deadline: "info",
      m23_ack: "info",
      m24: "met",
      m25: "not_met",
      m28: "info",
    };
    expect(Object.fromEntries(Object.keys(expected).map((k) => [k, verdict(k)]))).toEqual(expected);
    expect(page.testId("target-m13-current")).toMatch(/น้อยกว่า 5/);
    expect(page.testId("target-m24-current")?.trim()).toMatch(/^0\b/);
    expect(res.text).not.toMatch(/data-testid="target-[a-z0-9_]+-provisional"/);
  });

  it("downloads: general complaints", async () => {
    const summary = await download("complaints-summary");
    const year = summary.find((r) => r.period === "year")!;
    expect(year).toMatchObject({
      received: 6,
      completed: 3,
      in_progress: 3,
      resolved: 1,
      forwarded: 2,
      deadline_resolved: 3,
      deadline_explained: 1,
      deadline_late: 2,
      deadline_undecided: 0,
      deadline_percent: 66.7,
      ack_on_time: 4,
      ack_late: 2,
      ack_undecided: 0,
      ack_percent: 66.7,
      closed_cases: 3,
      median_days: 19,
      p90_days: 60,
      overdue_now: 3,
    });
    expect(summary.find((r) => r.period === "h1")).toMatchObject({
      received: 4,
      completed: 2,
      deadline_percent: 75,
      median_days: 5,
      p90_days: 60,
      overdue_now: 2,
    });
    const months = await download("complaints-by-month");
    expect(months.map((m) => m.month)).toEqual(months2569);
    for (const m of months) expect(flowOf(m), String(m.month)).toEqual(Object.values(expected2569.byMonth[String(m.month)] ?? zero));
    const channels = Object.fromEntries((await download("complaints-by-channel")).map((r) => [r.channel, flowOf(r)]));
    expect(channels).toEqual(Object.fromEntries(Object.entries(expected2569.byChannel).map(([k, v]) => [k, Object.values(v)])));
    const cats = Object.fromEntries(
      (await download("complaints-by-category")).filter((r) => Number(r.received) > 0).map((r) => [r.category_code, flowOf(r)]),
    );
    expect(cats).toEqual({ road: [3, 2, 1], water: [3, 1, 2] });
    const villages = Object.fromEntries(
      (await download("complaints-by-village")).filter((r) => Number(r.received) > 0).map((r) => [r.village_number ?? "none", flowOf(r)]),
    );
    expect(villages).toEqual({ 1: [1, 0, 1], 2: [2, 2, 0], 3: [1, 1, 0], none: [2, 0, 2] });
    const divisions = (await download("complaints-by-division")).filter((r) => Number(r.received) > 0);
    expect(divisions.map((r) => [r.division_en, ...flowOf(r)!])).toEqual([["Public Works Division", 6, 3, 3]]);
  });

  it("downloads: corruption table, outcomes, satisfaction and targets", async () => {
    const ita = await download("corruption-by-month");
    const month = (m: string) => ita.find((r) => r.period === "month" && r.month === m);
    expect(flowOf(month("2025-10"))).toEqual([1, 1, 0]);
    expect(flowOf(month("2026-02"))).toEqual([2, 1, 1]);
    expect(month("2026-02")).toMatchObject({ cumulative_received: 3, cumulative_completed: 2, cumulative_in_progress: 1 });
    expect(month("2025-11")).toMatchObject({ received: 0, remark_th: "ไม่มีเรื่องร้องเรียน" });
    expect(ita.filter((r) => r.period === "quarter").map(flowOf)).toEqual([
      [1, 1, 0],
      [2, 1, 1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(ita.filter((r) => r.period === "half").map(flowOf)).toEqual([
      [3, 2, 1],
      [0, 0, 0],
    ]);
    expect(flowOf(ita.find((r) => r.period === "year"))).toEqual([3, 2, 1]);
    const outcomes = Object.fromEntries((await download("corruption-outcomes")).map((r) => [r.outcome, r.cases]));
    expect(outcomes).toMatchObject({ substantiated: 0, unsubstantiated: 1, referred: 1 });
    const sat = await download("satisfaction");
    expect(sat.find((r) => r.source === "cases" && r.period === "year")).toMatchObject({
      answers: 2,
      satisfied: 2,
      percent: 100,
      score_4: 1,
      score_5: 1,
    });
    expect(sat.find((r) => r.source === "counter" && r.period === "year")).toMatchObject({
      answers: 6,
      satisfied: 4,
      percent: 66.7,
      score_2: 1,
      score_3: 1,
      score_4: 1,
      score_5: 3,
    });
    const targets = Object.fromEntries((await download("targets")).map((r) => [r.indicator, r]));
    expect(targets.m13).toMatchObject({ verdict: "not_met", suppressed: true, value: null });
    expect(targets.m16).toMatchObject({ verdict: "not_met", suppressed: true, general_value: 1, corruption_suppressed: true });
    expect(targets.m20_satisfaction).toMatchObject({ verdict: "not_met", value: 66.7, previous_value: 80, answers: 6 });
    expect(targets.m24).toMatchObject({ verdict: "met", value: 0, previous_value: 2 });
    expect(targets.m28).toMatchObject({ verdict: "info", value: 9, previous_value: 7 });
  });

  it("every CSV carries the same numbers as its JSON", async () => {
    for (const table of [
      "complaints-summary",
      "complaints-by-month",
      "complaints-by-channel",
      "corruption-by-month",
      "satisfaction",
      "targets",
    ]) {
      const rows = await download(table);
      const res = await fetch(`${server.url}/stats/data/2569/${table}.csv`);
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)], table).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM: Excel reads Thai correctly
      const lines = bytes.subarray(3).toString("utf8").trimEnd().split("\r\n");
      expect(lines[0], table).toMatch(/[\u0E00-\u0E7F]/); // Thai headers
      expect(lines.length - 1, table).toBe(rows.length);
      const received = lines[0]!.split(",").findIndex((h) => /\(received\)/.test(h));
      if (received >= 0) {
        const csvReceived = lines.slice(1).map((l) => Number(l.split(",")[received]));
        expect(csvReceived, table).toEqual(rows.map((r) => Number(r.received)));
      }
    }
  });
});
