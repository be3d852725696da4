/**
 * Health, metrics and the small sharp edges, against the real production server:
 * - /healthz: all fine → 200; a stuck outbox (an old pending e-mail), a dead letter and a holiday table that ends within
 *   12 months → 503 naming each; the admin page shows the same warning in Thai, and in English with ?lang=en;
 * - /metrics: the text format (HELP/TYPE, parsable), route patterns only, one aggregated label for /report; loopback
 *   reads it, a remote client (TRUSTED_PROXIES + X-Forwarded-For) gets 404 without the token and 200 with it;
 * - CLOCK_OFFSET_MS refused with NODE_ENV=production (server and CLI) unless ALLOW_CLOCK_OFFSET=1;
 * - ?lang=en / ?lang=th on any page: that language and the cookie, the cookie choice kept otherwise.
 * (The stale deadline tick is in health-tick.test.ts: it needs a clock the test controls.)
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, createStaffUser, freePort, startServer, waitUntil, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf } from "../helpers/http";
import { staffLogin } from "../helpers/report";
import { parsePrometheus } from "../helpers/prometheus";

const TOKEN = "metrics-token-0123456789abcdef0123456789";
const ADMIN = {
  email: "admin.health@wangluek.go.th",
  name: "ผู้ดูแล ทดสอบสุขภาพ",
  role: "admin" as const,
  password: "health admin password 2569",
};

let a: TestServer; // no proxy configured
let b: TestServer; // behind a trusted proxy (the tests, on 127.0.0.1), with a metrics token

beforeAll(async () => {
  [a, b] = await Promise.all([startServer(), startServer({ env: { TRUSTED_PROXIES: "127.0.0.1", METRICS_TOKEN: TOKEN } })]);
  await createStaffUser(a, ADMIN);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

interface Health {
  status: string;
  problems: string[];
  checks: {
    database: { ok: boolean };
    outbox: { ok: boolean; pending: number; oldestPendingSeconds: number | null; deadLetters: number; deadLettersRecent: number };
    deadlineTick: { ok: boolean; secondsSinceLastTick: number | null };
    holidays: { ok: boolean; coveredUntil: string | null; neededUntil: string };
    disk: { ok: boolean; freeBytes: number | null };
  };
  proxyWarning: { seen: boolean; since: string | null };
}

async function health(server: TestServer): Promise<{ status: number; body: Health; text: string }> {
  const r = await fetch(`${server.url}/healthz`);
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) as Health, text };
}

/** /healthz once its figures (reused for 5 s) satisfy `ok`. */
function healthWhen(server: TestServer, what: string, ok: (h: { status: number; body: Health }) => boolean) {
  return waitUntil(
    async () => {
      const h = await health(server);
      return ok(h) ? h : null;
    },
    what,
    20_000,
    250,
  );
}

function writeDb(server: TestServer, fn: (db: SQLite.Database) => void) {
  const db = new SQLite(server.dbFile, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    fn(db);
  } finally {
    db.close();
  }
}

const bangkokYear = () => new Date(Date.now() + 7 * 3_600_000).getUTCFullYear();

/** Makes the holiday table cover this year and the next two (12 made-up days each where a year has too few). */
function topUpHolidays(server: TestServer) {
  writeDb(server, (db) => {
    const insert = db.prepare(
      "insert or ignore into holidays (date, name_th, name_en, kind, updated_at, updated_by) values (?, 'ทดสอบ', 'test', 'special', ?, null)",
    );
    for (let y = bangkokYear(); y <= bangkokYear() + 2; y++) {
      const n = (db.prepare("select count(*) as n from holidays where date like ?").get(`${y}-%`) as { n: number }).n;
      if (n >= 12) continue;
      for (let d = 1; d <= 12; d++) insert.run(`${y}-02-${String(d).padStart(2, "0")}`, new Date().toISOString());
    }
  });
}

describe("/healthz", () => {
  it("all fine: 200 with every check ok, the deadline ticker's heartbeat, no personal data", async () => {
    topUpHolidays(a);
    const h = await healthWhen(
      a,
      "a finished deadline tick and a healthy answer",
      (x) => x.status === 200 && x.body.checks.deadlineTick.secondsSinceLastTick !== null,
    );
    expect(h.body.status).toBe("ok");
    expect(h.body.problems).toEqual([]);
    expect(h.body.checks.database.ok).toBe(true);
    expect(h.body.checks.outbox).toMatchObject({ ok: true, pending: 0, oldestPendingSeconds: null, deadLetters: 0 });
    expect(h.body.checks.deadlineTick.secondsSinceLastTick).toBeLessThan(120);
    expect(h.body.checks.holidays.ok).toBe(true);
    expect(h.body.checks.holidays.coveredUntil! >= h.body.checks.holidays.neededUntil).toBe(true);
    expect(h.body.checks.disk.freeBytes).toBeGreaterThan(0);
    expect(h.body.proxyWarning).toEqual({ seen: false, since: null });
  });

  it("a stuck outbox: an e-mail pending for two hours → 503 naming outbox_stuck; once sent → 200", async () => {
    const at = Date.now();
    writeDb(a, (db) =>
      db
        .prepare(
          "insert into outbox (kind, status, attempts, next_attempt_at, created_at, last_error, dedupe_key) values ('test.stuck', 'pending', 3, ?, ?, 'Error: connect ECONNREFUSED', 'health-test-stuck')",
        )
        .run(new Date(at + 86_400_000).toISOString(), new Date(at - 2 * 3_600_000).toISOString()),
    );
    const h = await healthWhen(a, "503 outbox_stuck", (x) => x.status === 503);
    expect(h.body.status).toBe("needs attention");
    expect(h.body.problems).toEqual(["outbox_stuck"]);
    expect(h.body.checks.outbox.ok).toBe(false);
    expect(h.body.checks.outbox.pending).toBe(1);
    expect(h.body.checks.outbox.oldestPendingSeconds).toBeGreaterThan(7000);
    expect(h.body.checks.database.ok).toBe(true);
    writeDb(a, (db) =>
      db.prepare("update outbox set status = 'sent', sent_at = ? where dedupe_key = 'health-test-stuck'").run(new Date().toISOString()),
    );
    await healthWhen(a, "200 again", (x) => x.status === 200);
  });

  it("a dead letter given up yesterday → 503 outbox_dead_letters; one from last month no longer raises it", async () => {
    writeDb(a, (db) =>
      db
        .prepare(
          "insert into outbox (kind, status, attempts, next_attempt_at, created_at, last_error, dedupe_key) values ('test.dead', 'dead', 8, ?, ?, 'Error: 550 no such user', 'health-test-dead')",
        )
        .run(new Date(Date.now() - 86_400_000).toISOString(), new Date(Date.now() - 2 * 86_400_000).toISOString()),
    );
    const h = await healthWhen(a, "503 outbox_dead_letters", (x) => x.status === 503);
    expect(h.body.problems).toEqual(["outbox_dead_letters"]);
    expect(h.body.checks.outbox).toMatchObject({ deadLetters: 1, deadLettersRecent: 1 });
    writeDb(a, (db) =>
      db
        .prepare("update outbox set next_attempt_at = ? where dedupe_key = 'health-test-dead'")
        .run(new Date(Date.now() - 30 * 86_400_000).toISOString()),
    );
    const again = await healthWhen(a, "200 again", (x) => x.status === 200);
    expect(again.body.checks.outbox).toMatchObject({ deadLetters: 1, deadLettersRecent: 0 });
  });

  it("holidays running out (the table ends within 12 months) → 503 holidays_ending; the admin page warns in Thai and, with ?lang=en, in English", async () => {
    topUpHolidays(a);
    const nextYear = bangkokYear() + 1;
    writeDb(a, (db) => db.prepare("delete from holidays where date >= ?").run(`${nextYear}-01-01`));
    const h = await healthWhen(a, "503 holidays_ending", (x) => x.status === 503);
    expect(h.body.problems).toEqual(["holidays_ending"]);
    expect(h.body.checks.holidays).toMatchObject({ ok: false, coveredUntil: `${nextYear - 1}-12-31` });

    const admin = await staffLogin(new HttpClient(a.url), ADMIN.email, ADMIN.password);
    const th = await admin.get("/staff/admin");
    expect(th.status).toBe(200);
    expect(th.$.testIdAttr("health-warnings", "role")).toBe("alert");
    const box = th.text.slice(th.text.indexOf('data-testid="health-warnings"'));
    expect(box).toContain('data-problem="holidays_ending"');
    expect(th.$.text()).toContain("ตารางวันหยุดราชการมีถึง");
    expect(th.$.text()).toContain(`${nextYear - 1 + 543}`); // the Thai date: Buddhist year
    expect(box).toContain('href="/staff/admin/holidays"');
    const en = await admin.get("/staff/admin?lang=en");
    expect(en.$.text()).toContain("The holiday table ends on");
    expect(en.text).toMatch(/<html lang="en"/);

    topUpHolidays(a);
    await healthWhen(a, "200 again", (x) => x.status === 200);
    const fine = await admin.get("/staff/admin?lang=th");
    expect(fine.text).not.toContain('data-testid="health-warnings"');
  });
});

describe("/metrics", () => {
  it("answers loopback in the Prometheus text format: HELP and TYPE for every family, the portal's series", async () => {
    const r = await fetch(`${a.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const parsed = parsePrometheus(await r.text());
    for (const name of [
      "sujarit_http_requests_total",
      "sujarit_http_request_duration_seconds",
      "sujarit_outbox_messages",
      "sujarit_outbox_oldest_pending_seconds",
      "sujarit_escalations_total",
      "sujarit_deadline_tick_age_seconds",
      "sujarit_open_cases",
      "sujarit_health_ok",
      "sujarit_disk_free_bytes",
    ]) {
      expect(parsed.type.has(name), name).toBe(true);
      expect(parsed.help.get(name)?.length, name).toBeGreaterThan(10);
    }
    expect(parsed.type.get("sujarit_http_requests_total")).toBe("counter");
    expect(parsed.type.get("sujarit_http_request_duration_seconds")).toBe("histogram");
    const states = parsed.samples.filter((s) => s.name === "sujarit_open_cases").map((s) => s.labels.deadline_state);
    expect(states).toEqual(["overdue", "due_today", "due_soon", "on_track", "paused"]);
    expect(parsed.samples.filter((s) => s.name === "sujarit_outbox_messages").map((s) => s.labels.state)).toEqual([
      "pending",
      "sending",
      "sent",
      "dead",
    ]);
    expect(
      parsed.samples
        .filter((s) => s.name === "sujarit_escalations_total")
        .map((s) => s.labels.level)
        .sort(),
    ).toEqual(["due_soon", "overdue", "overdue_executive", "unassigned"]);
  });

  it("counts requests by route pattern only; the whole /report channel is one label, without method, status or latency", async () => {
    const c = new HttpClient(a.url);
    await c.get("/track");
    await c.get("/staff/cases/CMP-2569-000042");
    await c.get("/stats/report/2569");
    await c.get("/no-such-page-XYZ");
    const reportPage = await c.get("/report");
    await c.get("/report/new");
    await c.get("/report/inbox");
    await c.postForm("/report/inbox", { csrf: csrfOf(reportPage), receipt: "1234567812345678" });
    const text = await (await fetch(`${a.url}/metrics`)).text();
    const parsed = parsePrometheus(text);
    const requests = parsed.samples.filter((s) => s.name === "sujarit_http_requests_total");
    const routes = new Set(requests.map((s) => s.labels.route));
    for (const r of ["/track", "/staff/cases/:reference", "/stats/report/:fy/:period?", "unmatched", "/report", "/healthz"])
      expect(routes.has(r), r).toBe(true);
    // No concrete path anywhere: no reference, no page under /report, nothing asked for that does not exist.
    expect(text).not.toContain("CMP-2569");
    expect(text).not.toContain("XYZ");
    expect(text).not.toMatch(/"\/report\/|\/report\/(new|inbox)/);
    expect(parsed.samples.filter((s) => s.labels.route?.startsWith("/report/"))).toEqual([]);
    const report = requests.filter((s) => s.labels.route === "/report");
    expect(report).toHaveLength(1);
    expect(report[0]!.labels).toEqual({ route: "/report" });
    expect(report[0]!.value).toBeGreaterThanOrEqual(4);
    expect(parsed.samples.some((s) => s.name.startsWith("sujarit_http_request_duration_seconds") && s.labels.route === "/report")).toBe(
      false,
    );
    const track = requests.find((s) => s.labels.route === "/track" && s.labels.method === "GET");
    expect(track?.labels.status).toBe("200");
    const bucket = parsed.samples.find(
      (s) => s.name === "sujarit_http_request_duration_seconds_bucket" && s.labels.route === "/track" && s.labels.le === "+Inf",
    );
    expect(bucket!.value).toBeGreaterThanOrEqual(1);
  });

  it("a remote client (through the trusted proxy) gets 404 without the token, 200 with it; loopback always", async () => {
    const remote = { "X-Forwarded-For": "203.0.113.7" };
    const denied = await fetch(`${b.url}/metrics`, { headers: remote });
    expect(denied.status).toBe(404);
    const page = await denied.text();
    expect(page).toMatch(/<html/); // the ordinary not-found page, nothing that says metrics exist
    expect(page).not.toContain("sujarit_");
    expect((await fetch(`${b.url}/metrics`, { headers: { ...remote, Authorization: `Bearer ${TOKEN}x` } })).status).toBe(404);
    const allowed = await fetch(`${b.url}/metrics`, { headers: { ...remote, Authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("# TYPE sujarit_http_requests_total counter");
    expect((await fetch(`${b.url}/metrics`)).status).toBe(200);
  });

  it("a reverse proxy on this machine that is not trusted never makes the public local", async () => {
    expect((await fetch(`${a.url}/metrics`, { headers: { "X-Forwarded-For": "203.0.113.8" } })).status).toBe(404);
  });
});

describe("CLOCK_OFFSET_MS in production", () => {
  function runUntilExit(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const childEnv = { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), ...env };
      const proc = spawn(process.execPath, args, {
        cwd: ROOT,
        env: childEnv as unknown as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      proc.stdout.on("data", (d: Buffer) => (output += d));
      proc.stderr.on("data", (d: Buffer) => (output += d));
      const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
      proc.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  }

  it("the server refuses to start and names the variable; so does a CLI", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-clock-"));
    try {
      const buildRoot = process.env.TEST_BUILD_DIR ? path.resolve(process.env.TEST_BUILD_DIR) : ROOT;
      const env = {
        NODE_ENV: "production",
        CLOCK_OFFSET_MS: String(3 * 86_400_000),
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        HOST: "127.0.0.1",
      };
      const server = await runUntilExit([path.join(buildRoot, "build", "server.js")], env);
      expect(server.code).not.toBe(0);
      expect(server.code).not.toBeNull();
      expect(server.output).toMatch(/CLOCK_OFFSET_MS: .*ALLOW_CLOCK_OFFSET=1/);
      expect(fs.existsSync(path.join(dataDir, "sujarit.db"))).toBe(false);
      const cli = await runUntilExit(["--import", "tsx", "scripts/sla-tick.ts"], env);
      expect(cli.code).not.toBe(0);
      expect(cli.output).toContain("CLOCK_OFFSET_MS");
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("with ALLOW_CLOCK_OFFSET=1 it starts, with the clock moved", async () => {
    const moved = await startServer({ env: { CLOCK_OFFSET_MS: String(3 * 86_400_000) } });
    try {
      expect(moved.env.ALLOW_CLOCK_OFFSET).toBe("1");
      const h = await health(moved);
      expect(h.body.checks.database.ok).toBe(true);
      const checkedAt = new Date((JSON.parse(h.text) as { checkedAt: string }).checkedAt).getTime();
      expect(Math.abs(checkedAt - (Date.now() + 3 * 86_400_000))).toBeLessThan(60_000);
    } finally {
      await moved.stop();
    }
  }, 60_000);
});

describe("?lang= in the address", () => {
  it("?lang=en shows the page in English and keeps it in the cookie; the cookie choice stays otherwise", async () => {
    const c = new HttpClient(a.url);
    const th = await c.get("/track");
    expect(th.text).toMatch(/<html lang="th"/);
    const en = await c.get("/track?lang=en");
    expect(en.text).toMatch(/<html lang="en"/);
    expect(en.headers.getSetCookie().some((sc) => /^lng=en;.*Path=\//.test(sc))).toBe(true);
    expect(c.cookies.get("lng")).toBe("en");
    // Next pages, without the parameter: English, from the cookie (and no new cookie).
    const next = await c.get("/stats");
    expect(next.text).toMatch(/<html lang="en"/);
    expect(next.headers.getSetCookie().some((sc) => sc.startsWith("lng="))).toBe(false);
    // An unknown value is ignored.
    expect((await c.get("/?lang=fr")).text).toMatch(/<html lang="en"/);
    // Back to Thai by the address; the language switch drops ?lang= from where it returns to.
    expect((await c.get("/?lang=th")).text).toMatch(/<html lang="th"/);
    expect(c.cookies.get("lng")).toBe("th");
    const page = await c.get("/track?lang=en&x=1");
    const sw = await c.postForm("/language", { csrf: csrfOf(page), lng: "th", redirectTo: "/track?lang=en&x=1" });
    expect(sw.status).toBe(302);
    expect(new URL(sw.location!).pathname + new URL(sw.location!).search).toBe("/track?x=1");
    expect((await c.get("/track?x=1")).text).toMatch(/<html lang="th"/);
  });

  it("a shared English link works for a first-time visitor", async () => {
    const fresh = new HttpClient(a.url);
    const r = await fresh.get("/complaints/new?lang=en");
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/<html lang="en"/);
    expect(fresh.cookies.get("lng")).toBe("en");
  });
});
