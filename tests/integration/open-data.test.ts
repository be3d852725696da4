/**
 * Open data, black-box against the built server: three complaints are filed on the web (two roads, one streetlight)
 * and a supervisor resolves one; then every table downloads as CSV (BOM, Thai headers "<Thai> (<key>)", CRLF) and
 * JSON with the same numbers, those numbers match what was filed and what the /stats page shows, the dictionary page
 * lists every table and column, and anything unknown is a short 404 in the visitor's language.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "~/lib/csv";
import { definitionText } from "~/lib/stat-definitions";
import { createStaffUser, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, type FiledComplaint } from "../helpers/http";

const TABLES = [
  "complaints-summary",
  "complaints-by-month",
  "complaints-by-category",
  "complaints-by-channel",
  "complaints-by-division",
  "complaints-by-village",
  "corruption-by-month",
  "corruption-outcomes",
  "corruption-by-kind",
  "targets",
  "satisfaction",
] as const;

let server: TestServer;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const sup = { email: `sup-${tag}@wangluek.go.th`, role: "supervisor" as const, name: "ปลัด" };
let fy = 0;
let month = "";
const filed: FiledComplaint[] = [];
let ip = 0;
const client = () => new HttpClient(server.url, { ip: `10.61.0.${++ip}` });

interface JsonTable {
  fiscalYear: number;
  table: string;
  generatedAt: string;
  columns: { key: string; type: string; th: string; en: string; descriptionTh: string; descriptionEn: string }[];
  rows: Record<string, string | number | boolean | null>[];
}

async function getCsv(table: string) {
  const res = await fetch(`${server.url}/stats/data/${fy}/${table}.csv`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { res, bytes, text: bytes.toString("utf8") };
}

async function getJson(table: string): Promise<{ res: Response; body: JsonTable }> {
  const res = await fetch(`${server.url}/stats/data/${fy}/${table}.json`);
  return { res, body: (await res.json()) as JsonTable };
}

/** CSV rows as objects keyed by the machine key in each header's last parentheses. */
function csvObjects(text: string): { header: string[]; keys: string[]; rows: Record<string, string>[] } {
  const [header, ...rows] = parseCsv(text);
  const keys = header!.map((h) => /\(([a-z0-9_]+)\)$/.exec(h)?.[1] ?? "");
  return { header: header!, keys, rows: rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i] ?? ""]))) };
}

/** A JSON cell as it must appear in the CSV. */
function asCsv(v: string | number | boolean | null): string {
  if (v === null) return "";
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(v)) return `'${v}`;
  return String(v);
}

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  await createStaffUser(server, { ...sup, password: PASSWORD });
  filed.push(await fileComplaint(client(), { subject: `ถนนพัง ${tag}`, category: "road", village: "1" }));
  filed.push(await fileComplaint(client(), { subject: `ถนนเป็นหลุม ${tag}`, category: "road", village: "2" }));
  filed.push(await fileComplaint(client(), { subject: `ไฟดับ ${tag}`, category: "streetlight", village: "1" }));
  const row = await dbGet<{ fiscal_year: number; received_at: string }>(
    server,
    "select fiscal_year, received_at from complaints where reference = ?",
    filed[0]!.reference,
  );
  fy = row!.fiscal_year;
  month = new Date(Date.parse(row!.received_at) + 7 * 3600_000).toISOString().slice(0, 7);
  // A supervisor accepts and resolves the streetlight complaint.
  const s = client();
  expect((await s.login(sup.email, PASSWORD)).status).toBe(302);
  const ref = filed[2]!.reference;
  const steps: Record<string, string>[] = [{ intent: "accept" }, { intent: "resolve", resultSummary: "เปลี่ยนหลอดไฟแล้ว" }];
  for (const fields of steps) {
    const page = await s.get(`/staff/cases/${ref}`);
    expect(page.status).toBe(200);
    expect((await s.postForm(`/staff/cases/${ref}`, { csrf: csrfOf(page), ...fields })).status).toBe(302);
  }
});

afterAll(async () => {
  await server?.stop();
});

describe("CSV downloads", () => {
  it("start with the BOM, use CRLF, and carry download headers", async () => {
    const { res, bytes, text } = await getCsv("complaints-by-channel");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="sujarit-${fy}-complaints-by-channel.csv"`);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  });

  it("have the Thai headers with the machine key in parentheses", async () => {
    const { text } = await getCsv("complaints-by-channel");
    const first = text.slice(1).split("\r\n")[0]!;
    expect(first).toBe(
      "รหัสช่องทาง (channel),ช่องทางที่รับเรื่อง (channel_th),ช่องทาง (อังกฤษ) (channel_en),จำนวนเรื่องที่ได้รับ (received),ดำเนินการแล้วเสร็จ (completed),อยู่ระหว่างดำเนินการ (in_progress)",
    );
    const month = await getCsv("complaints-by-month");
    expect(month.text.slice(1).split("\r\n")[0]).toBe(
      "เดือน (month),เดือน (พ.ศ.) (month_th),สถานะ (status),จำนวนเรื่องที่ได้รับ (received),ดำเนินการแล้วเสร็จ (completed),อยู่ระหว่างดำเนินการ (in_progress)",
    );
  });

  it("count the filed complaints: by channel, category, village, month and in the summary", async () => {
    const ch = csvObjects((await getCsv("complaints-by-channel")).text);
    expect(ch.rows.map((r) => r.channel)).toEqual(["web", "walk_in", "phone", "letter", "line", "facebook"]);
    const web = ch.rows.find((r) => r.channel === "web")!;
    expect(web).toMatchObject({ channel_th: "เว็บไซต์", received: "3", completed: "1", in_progress: "2" });
    expect(ch.rows.filter((r) => r.channel !== "web").every((r) => r.received === "0")).toBe(true);

    const cat = csvObjects((await getCsv("complaints-by-category")).text);
    expect(cat.rows.find((r) => r.category_code === "road")).toMatchObject({
      category_th: "ถนน/ทางเท้า",
      received: "2",
      completed: "0",
      in_progress: "2",
    });
    expect(cat.rows.find((r) => r.category_code === "streetlight")).toMatchObject({ received: "1", completed: "1", in_progress: "0" });
    expect(cat.rows.find((r) => r.category_code === "water")).toMatchObject({ received: "0" });

    const vil = csvObjects((await getCsv("complaints-by-village")).text);
    expect(vil.rows.find((r) => r.village_number === "1")).toMatchObject({ received: "2", completed: "1" });
    expect(vil.rows.find((r) => r.village_number === "2")).toMatchObject({ received: "1", completed: "0" });

    const mon = csvObjects((await getCsv("complaints-by-month")).text);
    expect(mon.rows).toHaveLength(12);
    expect(mon.rows[0]!.month.endsWith("-10")).toBe(true);
    expect(mon.rows.find((r) => r.month === month)).toMatchObject({ received: "3", completed: "1", in_progress: "2" });
    // Months that have ended with records show 0; months not reached yet or before the first record have no figure.
    expect(
      mon.rows
        .filter((r) => r.month !== month)
        .every((r) => (r.status === "ok" ? r.received === "0" : r.received === "" && ["not_yet", "no_records_yet"].includes(r.status!))),
    ).toBe(true);

    const sum = csvObjects((await getCsv("complaints-summary")).text);
    expect(sum.rows.map((r) => r.period)).toEqual(["year", "h1", "h2", "q1", "q2", "q3", "q4"]);
    expect(sum.rows[0]).toMatchObject({ period: "year", received: "3", completed: "1", in_progress: "2", resolved: "1", forwarded: "0" });
    const halves = sum.rows.filter((r) => r.period === "h1" || r.period === "h2").map((r) => Number(r.received));
    expect(halves.reduce((a, b) => a + b, 0)).toBe(3);
    const quarters = sum.rows.filter((r) => r.period.startsWith("q")).map((r) => Number(r.received));
    expect(quarters.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("give the ITA corruption table with quarter, half and year rows and 'ไม่มีเรื่องร้องเรียน'", async () => {
    const c = csvObjects((await getCsv("corruption-by-month")).text);
    expect(c.rows.map((r) => r.period)).toEqual([
      "month",
      "month",
      "month",
      "quarter",
      "month",
      "month",
      "month",
      "quarter",
      "half",
      "month",
      "month",
      "month",
      "quarter",
      "month",
      "month",
      "month",
      "quarter",
      "half",
      "year",
    ]);
    // "ไม่มีเรื่องร้องเรียน" only for periods that have ended with records; the others give their status, no 0.
    expect(
      c.rows.every((r) => (r.status === "ok" ? r.received === "0" && r.remark_th === "ไม่มีเรื่องร้องเรียน" : r.remark_th !== "ไม่มีเรื่องร้องเรียน")),
    ).toBe(true);
    expect(
      c.rows
        .filter((r) => r.status === "not_yet" || r.status === "no_records_yet")
        .every((r) => r.received === "" && r.cumulative_received === ""),
    ).toBe(true);
    expect(c.rows[3]).toMatchObject({ label_th: "ไตรมาส 1", quarter: "1", half: "1", month: "" });
    expect(c.rows[18]).toMatchObject({ label_th: "รวมทั้งปี", quarter: "", half: "" });
    expect(c.header).toContain("ได้รับสะสม (cumulative_received)");
    const out = csvObjects((await getCsv("corruption-outcomes")).text);
    expect(out.rows.map((r) => [r.outcome, r.outcome_th, r.cases])).toEqual([
      ["substantiated", "มีมูล", "0"],
      ["unsubstantiated", "ไม่มีมูล", "0"],
      ["referred", "ส่งต่อหน่วยงานที่มีอำนาจ", "0"],
    ]);
  });
});

describe("JSON downloads", () => {
  it("parse, describe their columns, and hold exactly the CSV's values for every table", async () => {
    for (const table of TABLES) {
      const { res, body } = await getJson(table);
      expect(res.status, table).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="sujarit-${fy}-${table}.json"`);
      expect(body.fiscalYear).toBe(fy);
      expect(body.table).toBe(table);
      expect(Number.isNaN(Date.parse(body.generatedAt))).toBe(false);
      expect(body.columns.length).toBeGreaterThan(0);
      for (const col of body.columns) {
        expect(col.th && col.en && col.descriptionTh && col.descriptionEn, `${table}.${col.key}`).toBeTruthy();
        expect(col.th).not.toContain("data.columns");
        expect(col.descriptionTh).not.toContain("data.");
      }
      const csv = csvObjects((await getCsv(table)).text);
      expect(csv.keys).toEqual(body.columns.map((c) => c.key));
      expect(csv.header).toEqual(body.columns.map((c) => `${c.th} (${c.key})`));
      expect(csv.rows).toHaveLength(body.rows.length);
      body.rows.forEach((row, i) => {
        expect(Object.keys(row)).toEqual(csv.keys);
        for (const k of csv.keys) expect(csv.rows[i]![k], `${table} row ${i} ${k}`).toBe(asCsv(row[k]!));
      });
    }
  });

  it("keeps numbers numeric and shares as percent", async () => {
    const { body } = await getJson("complaints-summary");
    const year = body.rows[0]!;
    expect(year.received).toBe(3);
    expect(year.completed).toBe(1);
    expect(typeof year.deadline_percent === "number" || year.deadline_percent === null).toBe(true);
    const sat = (await getJson("satisfaction")).body;
    expect(sat.rows.map((r) => `${r.source}:${r.period}`)).toEqual([
      "cases:year",
      "cases:h1",
      "cases:h2",
      "counter:year",
      "counter:h1",
      "counter:h2",
    ]);
    expect(sat.rows[0]).toMatchObject({ answers: 0, satisfied: 0, percent: null });
    const targets = (await getJson("targets")).body;
    expect(targets.rows.length).toBeGreaterThan(5);
    expect(targets.rows.every((r) => typeof r.measure === "number" && typeof r.verdict === "string")).toBe(true);
  });
});

describe("figures agree with the pages", () => {
  it("the /stats page shows the same totals as the downloads", async () => {
    const page = await client().get(`/stats?fy=${fy}`);
    expect(page.status).toBe(200);
    expect(page.$.testId("total-received")).toBe("3");
    expect(page.$.testId("total-completed")).toBe("1");
    expect(page.$.testId("total-inprogress")).toBe("2");
  });
});

describe("dictionary page", () => {
  it("lists every table with download links and every column with its type and meaning", async () => {
    const page = await client().get("/stats/data");
    expect(page.status).toBe(200);
    for (const table of TABLES) {
      expect(page.$.testIdAttr(`download-${table}-csv`, "href")).toBe(`/stats/data/${fy}/${table}.csv`);
      expect(page.$.testIdAttr(`download-${table}-json`, "href")).toBe(`/stats/data/${fy}/${table}.json`);
      expect(page.text).toContain(`data-testid="dict-${table}"`);
    }
    expect(page.$.testId("col-complaints-by-month-received")).toContain("จำนวนเรื่องที่ได้รับ");
    expect(page.$.testId("col-complaints-by-month-received")).toContain("Received");
    expect(page.$.testId("col-complaints-by-month-received")).toContain("จำนวนเต็ม");
    expect(page.$.testId("col-corruption-by-month-completed")).toContain(definitionText("corruption_completed", "th"));
    expect(page.$.text()).toContain("RFC 4180");
    expect(page.$.text()).toContain("CC BY 4.0");
    expect(page.$.testId("od-licence")).toContain("องค์การบริหารส่วนตำบลวังลึก");
  });

  it("is in English for an English visitor", async () => {
    const c = client();
    c.cookies.set("lng", "en");
    const page = await c.get("/stats/data");
    expect(page.status).toBe(200);
    expect(page.$.text()).toContain("Open data and data dictionary");
    expect(page.$.testId("col-complaints-by-month-received")).toContain(definitionText("received", "en"));
  });
});

describe("unknown files", () => {
  it("are a 404 with a short message in the visitor's language, never a 500", async () => {
    for (const path of [
      `/stats/data/${fy}/no-such-table.csv`,
      `/stats/data/${fy}/complaints-by-month.xlsx`,
      `/stats/data/${fy}/complaints-by-month`,
      `/stats/data/2400/complaints-by-month.csv`,
      `/stats/data/9999/complaints-by-month.json`,
      `/stats/data/abcd/complaints-by-month.csv`,
      `/stats/data/${fy}/..%2Fetc.csv`,
    ]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await res.text()).toContain("ไม่พบไฟล์ข้อมูลนี้");
    }
    const en = await fetch(`${server.url}/stats/data/${fy}/nothing.csv`, { headers: { Cookie: "lng=en" } });
    expect(en.status).toBe(404);
    expect(await en.text()).toContain("There is no such data file");
  });
});
