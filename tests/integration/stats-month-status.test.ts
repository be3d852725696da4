/**
 * Month statuses and definitions against a real SQLite file and the built server: the portal started part-way through fiscal year 2569
 * (first record 3 December 2025) and the year is running (today: 15 March 2026). October and November are "no records
 * yet", December–February have ended, March is running and April–September are "not yet" — on /stats,
 * /stats/corruption, and in the CSV and JSON files, never 0 and never "ไม่มีเรื่องร้องเรียน"; running totals stop at
 * February. The running year's scorecard files carry the compared window and are provisional on every row (13, 23
 * and 28 included). Satisfaction counts by the answer's date. The pages and the data dictionary say exactly what
 * app/lib/stat-definitions.ts says. `stats:rebuild --check` passes, then fails on a case whose stored outcome
 * contradicts its history.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "~/lib/csv";
import { ROOT, closeTestDb, startServer, testDb, type TestServer } from "../helpers/server";
import { HttpClient, html } from "../helpers/http";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-status-"));
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
const { rateCase } = await import("~/models/complaints/satisfaction.server");
const { complaintStats, corruptionStats, clearStatsCache } = await import("~/models/statistics/figures.server");
const { definitionText, PAGE_DEFINITIONS, columnDefinition } = await import("~/lib/stat-definitions");

const db = getDb();
const NOW = "2026-03-15T12:00:00+07:00";
const FY = 2569;
const at = (iso: string) => setClockOffsetForTests(new Date(iso).getTime() - Date.now());
let supervisor: { id: number; role: "supervisor"; division_id: null };
const refs: Record<string, string> = {};
const ids: Record<string, number> = {};

async function complaint(name: string, when: string) {
  at(when);
  const c = await createComplaint(db, {
    category: "road",
    subject: `เรื่อง ${name}`,
    details: `รายละเอียดของ ${name}`,
    village: 1,
    landmark: "",
    latitude: undefined,
    longitude: undefined,
    contactName: undefined,
    contactPhone: undefined,
    contactEmail: undefined,
    contactAddress: undefined,
    preferredContact: "none",
    channel: "web",
    lang: "th",
    submissionKey: crypto.randomBytes(32).toString("base64url"),
    recordedBy: null,
    uploadIds: [],
  } as Parameters<typeof createComplaint>[1]);
  ids[name] = c.id;
  refs[name] = c.reference;
}

async function act(name: string, when: string, action: string, extra: Record<string, string> = {}) {
  at(when);
  await applyCaseAction(db, { complaintId: ids[name]!, actor: supervisor, action: action as "accept", note: "บันทึก", ...extra });
}

const expectedMonths: Record<string, string> = {
  "2025-10": "no_records_yet",
  "2025-11": "no_records_yet",
  "2025-12": "ok",
  "2026-01": "ok",
  "2026-02": "ok",
  "2026-03": "current",
  "2026-04": "not_yet",
  "2026-09": "not_yet",
};

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
  const s = await db
    .insertInto("staff")
    .values({ email: "sup@example.test", name: "sup", role: "supervisor", division_id: null, password_hash: "x", active: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  supervisor = { id: s.id, role: "supervisor", division_id: null };
  await complaint("A", "2025-12-03T10:00:00+07:00"); // the portal's first record
  await complaint("B", "2026-01-10T10:00:00+07:00");
  await complaint("C", "2026-03-02T10:00:00+07:00");
  await act("A", "2025-12-04T09:00:00+07:00", "accept");
  await act("A", "2025-12-10T09:00:00+07:00", "resolve", { resultSummary: "ซ่อมแล้ว" });
  await act("B", "2026-01-11T09:00:00+07:00", "accept");
  await act("B", "2026-01-12T09:00:00+07:00", "resolve", { resultSummary: "ซ่อมแล้ว" });
  // B is rated in February: counted on the answer's date, not in B's month of receipt.
  at("2026-02-02T09:00:00+07:00");
  await rateCase(db, { via: "tracking-code", complaintId: ids.B! }, { score: 5 });
  at(NOW);
  clearStatsCache();
}, 60_000);

afterAll(() => {
  setClockOffsetForTests(0);
});

describe("the statistics model (today 15 March 2026)", () => {
  it("marks each month: before the first record, ended, running, not yet", async () => {
    const s = await complaintStats(db, FY);
    const status = Object.fromEntries(s.byMonth.map((m) => [m.month, m.status]));
    for (const [m, st] of Object.entries(expectedMonths)) expect(status[m], m).toBe(st);
    expect(s.firstRecordDay).toBe("2025-12-03");
    expect(s.status).toBe("current");
    const q3 = await complaintStats(db, FY, "q3");
    expect(q3.status).toBe("not_yet");
    const q1 = await complaintStats(db, FY, "q1");
    expect(q1.status).toBe("ok");
  });

  it("stops the corruption table's running totals at the last month that has ended", async () => {
    const c = await corruptionStats(db, FY);
    const byMonth = Object.fromEntries(c.months.map((m) => [m.month, m]));
    expect(byMonth["2025-10"]!.status).toBe("no_records_yet");
    expect(byMonth["2025-10"]!.cumulative).toBeNull();
    expect(byMonth["2026-02"]!.cumulative).toEqual({ received: 0, completed: 0, inProgress: 0 });
    expect(byMonth["2026-03"]!.cumulative).toBeNull();
    expect(byMonth["2026-04"]!.cumulative).toBeNull();
    expect(c.quarters.map((q) => q.status)).toEqual(["ok", "current", "not_yet", "not_yet"]);
    expect(c.totalStatus).toBe("current");
  });

  it("counts a complainant's answer on the day it was given", async () => {
    const rows = await db.selectFrom("rating_stats").selectAll().where("source", "=", "case").where("n", ">", 0).execute();
    expect(rows.map((r) => [r.fiscal_year, r.day, r.score, r.n])).toEqual([[FY, "2026-02-02", 5, 1]]);
  });
});

describe("pages, files and definitions (built server)", () => {
  let server: TestServer;
  let client: HttpClient;
  const getJson = async (table: string) => {
    const res = await client.get(`/stats/data/${FY}/${table}.json`);
    expect(res.status, table).toBe(200);
    return JSON.parse(res.text) as {
      columns: { key: string; descriptionTh: string; descriptionEn: string }[];
      rows: Record<string, string | number | boolean | null>[];
    };
  };
  const getCsv = async (table: string) => {
    const res = await client.get(`/stats/data/${FY}/${table}.csv`);
    expect(res.status, table).toBe(200);
    const [header, ...rows] = parseCsv(res.text.replace(/^\uFEFF/, ""));
    const keys = header!.map((h) => /\(([a-z0-9_]+)\)$/.exec(h)?.[1] ?? "");
    return rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i] ?? ""])));
  };

  beforeAll(async () => {
    setClockOffsetForTests(0);
    await db.destroy();
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

  it("/stats shows no 0 for months before the first record or not reached, and says which", async () => {
    const res = await client.get(`/stats?fy=${FY}`);
    expect(res.status).toBe(200);
    const page = html(res.text);
    expect(page.testId("month-2025-10-received")).toBe("–");
    expect(page.testId("month-2025-10-status")).toContain("ก่อนระบบมีข้อมูล");
    expect(page.testId("month-2026-04-received")).toBe("–");
    expect(page.testId("month-2026-04-status")).toContain("ยังไม่ถึงช่วงเวลานี้");
    expect(page.testId("month-2026-03-status")).toContain("ยังไม่สิ้นสุด");
    expect(page.testId("month-2026-01-received")?.trim()).toBe("1");
    expect(page.testId("month-2026-02-received")?.trim()).toBe("0");
  });

  it("/stats/corruption: no-records, none, running and not-yet rows, running totals to February only", async () => {
    const res = await client.get(`/stats/corruption?fy=${FY}`);
    expect(res.status).toBe(200);
    const page = html(res.text);
    expect(page.testId("ita-2025-10-remark")).toBe("ก่อนระบบมีข้อมูล (ยังไม่มีข้อมูลในระบบ)");
    expect(page.testId("ita-2025-10-received")).toBe("–");
    expect(page.testId("ita-2026-02-remark")).toBe("ไม่มีเรื่องร้องเรียน");
    expect(page.testId("ita-2026-02-cumreceived")).toBe("0");
    expect(page.testId("ita-2026-03-cumreceived")).toBe("–");
    expect(page.testId("ita-2026-04-remark")).toBe("ยังไม่ถึงช่วงเวลานี้");
    expect(page.testId("ita-2026-04-received")).toBe("–");
  });

  it("CSV and JSON of the ITA table and the monthly complaints carry the status, empty counts, no 'no complaints'", async () => {
    for (const rows of [(await getJson("corruption-by-month")).rows, await getCsv("corruption-by-month")]) {
      const month = (m: string) => rows.find((r) => r.period === "month" && r.month === m)!;
      const empty = (v: unknown) => v === null || v === "";
      for (const [m, st] of Object.entries(expectedMonths)) expect(month(m).status, m).toBe(st);
      for (const m of ["2025-10", "2025-11", "2026-04", "2026-09"]) {
        expect(empty(month(m).received), m).toBe(true);
        expect(empty(month(m).cumulative_received), m).toBe(true);
        expect(month(m).remark_th, m).not.toBe("ไม่มีเรื่องร้องเรียน");
      }
      expect(month("2026-02").remark_th).toBe("ไม่มีเรื่องร้องเรียน");
      expect(String(month("2026-02").cumulative_received)).toBe("0");
      expect(empty(month("2026-03").cumulative_received)).toBe(true);
      const year = rows.find((r) => r.period === "year")!;
      expect(year.status).toBe("current");
      expect(empty(year.cumulative_received)).toBe(true);
    }
    for (const rows of [(await getJson("complaints-by-month")).rows, await getCsv("complaints-by-month")]) {
      const month = (m: string) => rows.find((r) => r.month === m)!;
      expect(month("2025-11").status).toBe("no_records_yet");
      expect([null, ""]).toContain(month("2025-11").received);
      expect(month("2026-05").status).toBe("not_yet");
      expect([null, ""]).toContain(month("2026-05").received);
      expect(String(month("2025-12").received)).toBe("1");
    }
    const summary = (await getJson("complaints-summary")).rows;
    expect(summary.find((r) => r.period === "q4")!.status).toBe("not_yet");
    expect(summary.find((r) => r.period === "q4")!.received).toBeNull();
    const sat = (await getJson("satisfaction")).rows.find((r) => r.source === "cases" && r.period === "h1")!;
    expect(sat.answers).toBe(1);
  });

  it("the running year's scorecard files carry the window and are provisional on every row", async () => {
    for (const rows of [(await getJson("targets")).rows, await getCsv("targets")]) {
      for (const r of rows) {
        expect(String(r.provisional), String(r.indicator)).toBe("true");
        expect(r.from).toBe("2025-10-01");
        expect(r.to).toBe("2026-02-28");
        expect(r.previous_from).toBe("2024-10-01");
        expect(r.previous_to).toBe("2025-02-28");
      }
      expect(rows.filter((r) => ["m13", "m23_deadline", "m23_ack", "m23_satisfaction", "m28"].includes(String(r.indicator)))).toHaveLength(
        5,
      );
    }
  });

  it("the breakdown by kind is downloadable (every kind 0 here, so shown)", async () => {
    const json = await getJson("corruption-by-kind");
    expect(json.rows.length).toBe(8);
    expect(json.rows.every((r) => r.received === 0 && r.withheld === false)).toBe(true);
    const csv = await getCsv("corruption-by-kind");
    expect(csv.map((r) => r.kind)).toEqual(json.rows.map((r) => r.kind));
  });

  it("pages and the data dictionary say what app/lib/stat-definitions.ts says (Thai and English)", async () => {
    for (const [route, keys] of Object.entries(PAGE_DEFINITIONS)) {
      for (const lang of ["th", "en"] as const) {
        const c = new HttpClient(server.url);
        if (lang === "en") c.cookies.set("lng", "en");
        const res = await c.get(`${route}?fy=${FY}`);
        expect(res.status).toBe(200);
        const text = html(res.text).text();
        for (const k of keys) expect(text, `${route} ${lang} ${k}`).toContain(definitionText(k, lang));
      }
    }
    const dict = await getJson("complaints-summary");
    for (const col of dict.columns) {
      const def = columnDefinition("complaints-summary", col.key);
      if (!def) continue;
      expect(col.descriptionTh, col.key).toBe(definitionText(def, "th"));
      expect(col.descriptionEn, col.key).toBe(definitionText(def, "en"));
    }
    const page = await client.get(`/stats/data?fy=${FY}`);
    expect(html(page.text).text()).toContain(definitionText("small_cells", "th"));
  });
});

describe("stats:rebuild --check recomputes outcomes from the case history", () => {
  const run = () =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/stats-rebuild.ts", "--check"], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, CLOCK_OFFSET_MS: String(new Date(NOW).getTime() - Date.now()), NODE_ENV: "test" },
      encoding: "utf8",
    });

  it("passes on consistent data, fails and names the case whose stored outcome contradicts its history", async () => {
    const ok = run();
    expect(ok.stdout + ok.stderr).toContain("stored outcomes match the case histories");
    expect(ok.status).toBe(0);
    const target = { dbFile: path.join(dataDir, "sujarit.db"), databaseUrl: databaseUrl ?? null };
    const raw = await testDb(target);
    // A resolved-in-time case stored as late; a closed case with no first-period outcome at all.
    await raw.updateTable("complaints").set({ sla_outcome: "late" }).where("reference", "=", refs.A!).execute();
    await raw.updateTable("complaints").set({ sla_outcome: null }).where("reference", "=", refs.B!).execute();
    await closeTestDb(target);
    const bad = run();
    const out = bad.stdout + bad.stderr;
    expect(bad.status).toBe(1);
    expect(out).toContain(`${refs.A}: stored sla_outcome = late, its history gives resolved`);
    expect(out).toContain(`${refs.B}: stored sla_outcome = (none), its history gives resolved`);
    expect(out).toContain("2 stored outcome(s) disagree");
  }, 60_000);
});

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});
