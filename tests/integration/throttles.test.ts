/**
 * Throttles that slow attackers and never lock out the real user, black-box against the built server:
 *
 * Without TRUSTED_PROXIES (server A, the tests connect from 127.0.0.1):
 * - a forged X-Forwarded-For is ignored: requests with a new forwarded address each are limited as the real peer;
 * - the server warns: one log line, a field of /healthz (still 200), and the next start-up warns again (file in
 *   DATA_DIR); no address is written anywhere;
 * - junk posts (bad CSRF token, honeypot) never use up the filings of the shared address: afterwards a real reporter
 *   files and opens the inbox; the junk answers are proper pages, slowed once there are many.
 *
 * With TRUSTED_PROXIES=127.0.0.1 (server B, every visitor arriving through the "proxy" with its own X-Forwarded-For):
 * - start-up with proxies configured clears an earlier warning, and forwarded headers from the proxy raise none;
 * - the shared-proxy case: 10 junk POSTs to /report/new (bad CSRF included) and wrong receipts from others, then a
 *   real reporter files and opens the inbox; a reporter over their own filing limit gets a complete 429 page;
 * - 300 wrong /track lookups from 300 forwarded addresses, then a citizen's correct lookup succeeds (also after typos);
 * - IPv6 clients are grouped by /64 and IPv4-mapped addresses are their IPv4 address;
 * - a full receipt-hashing queue answers 503 with Retry-After and a readable page (Thai and English), never a 500;
 * - filing while wrong receipts saturate the lookup capacity still completes.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, formData, submissionKeyOf, type FiledComplaint, type HttpResult } from "../helpers/http";
import { createAnyStaff, fileReport, integrityLogin, openInbox, reportFields, totpAccount } from "../helpers/report";

const tag = crypto.randomBytes(3).toString("hex");
let a: TestServer; // no proxy configured
let b: TestServer; // TRUSTED_PROXIES=127.0.0.1
let bDataDir = "";

async function addRecipient(server: TestServer, n: string) {
  const email = `throttle-${n}-${tag}@wangluek.go.th`;
  const password = `throttle officer password ${n} 2569`;
  await createAnyStaff(server, { email, name: `ผู้รับเรื่อง ${n}`, role: "integrity", password });
  await integrityLogin(new HttpClient(server.url, { ip: "10.250.0.1" }), totpAccount(email, password));
}

beforeAll(async () => {
  a = await startServer({ env: { LOG_LEVEL: "info" } });
  // Server B starts on a data folder where an earlier run recorded the warning: with proxies configured it is cleared.
  bDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-throttle-b-"));
  fs.writeFileSync(
    path.join(bDataDir, "proxy-warning.json"),
    JSON.stringify({ forwardedHeadersWithoutTrustedProxy: true, since: "2026-01-02" }),
  );
  b = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1", DATA_DIR: bDataDir } });
  await Promise.all([addRecipient(a, "a"), addRecipient(b, "b")]);
}, 180_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  if (bDataDir && !process.env.KEEP_TEST_DATA) fs.rmSync(bDataDir, { recursive: true, force: true });
});

let seq = 0;
/** A visitor of server B with its own forwarded address (the proxy adds it). */
const visitor = (prefix = "198.18") => new HttpClient(b.url, { ip: `${prefix}.${(++seq >> 8) & 255}.${seq & 255}` });

function wrongReceipt(): string {
  return Array.from(crypto.randomBytes(16), (x) => String(x % 10)).join("");
}

async function healthz(server: TestServer) {
  const r = await fetch(`${server.url}/healthz`);
  return { status: r.status, body: (await r.json()) as { status: string; proxyWarning: { seen: boolean; since: string | null } } };
}

/** A junk post to /report/new: a bad CSRF token, or the honeypot filled. */
async function junkPost(c: HttpClient, kind: "csrf" | "honeypot"): Promise<HttpResult> {
  const page = await c.get("/report/new");
  const csrf = kind === "csrf" ? "x".repeat(43) : csrfOf(page);
  const fd = formData({
    csrf,
    submissionKey: submissionKeyOf(page),
    ...reportFields({ website: kind === "honeypot" ? "http://spam.example" : "" }),
  });
  return c.postMultipart("/report/new", fd);
}

function expectProperPage(r: HttpResult, status: number) {
  expect(r.status, r.$.text().slice(0, 200)).toBe(status);
  expect(r.headers.get("content-type") ?? "").toMatch(/text\/html/);
  expect(r.text).toMatch(/<\/html>\s*$/);
}

describe("no trusted proxy configured: forwarded headers are ignored and reported", () => {
  it("a forged X-Forwarded-For on every request is limited as the real peer (429 with Retry-After)", async () => {
    const statuses: number[] = [];
    let last: HttpResult | undefined;
    for (let i = 0; i < 11; i++) {
      const c = new HttpClient(a.url, { ip: `203.0.113.${i + 1}` });
      const page = await c.get("/track");
      last = await c.postForm("/track", { csrf: csrfOf(page), reference: "CMP-2569-000001", code: "ABCD-EFGH-JKMN" });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(statuses[10]).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(last!.$.text()).toContain("มีการค้นหาที่ไม่สำเร็จมากเกินไป");
  }, 60_000);

  it("/healthz shows the warning (still 200), the log says it once, and no address is written anywhere", async () => {
    const h = await healthz(a);
    expect(h.status).toBe(200);
    expect(h.body.status).toBe("ok");
    expect(h.body.proxyWarning.seen).toBe(true);
    expect(h.body.proxyWarning.since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const lines = a
      .logs()
      .split("\n")
      .filter((l) => l.includes("TRUSTED_PROXIES is not set"));
    expect(lines).toHaveLength(1);
    const saved = JSON.parse(fs.readFileSync(path.join(a.dataDir, "proxy-warning.json"), "utf8"));
    expect(saved).toEqual({ forwardedHeadersWithoutTrustedProxy: true, since: h.body.proxyWarning.since });
    // (The server's own URL, http://127.0.0.1:<port>, is in the start-up line: not a client address.)
    expect(a.logs().replaceAll(a.url, "<url>")).not.toMatch(/203\.0\.113\.|127\.0\.0\.1|10\.250\.0\.1/);
  });

  it("the next start-up warns again (and /healthz says so before any forwarded request)", async () => {
    await a.restart();
    const after = a.logs().split("--- restart ---").pop()!;
    expect(after).toMatch(/TRUSTED_PROXIES is not set.*first seen by an earlier run/);
    const h = await healthz(a);
    expect(h.status).toBe(200);
    expect(h.body.proxyWarning.seen).toBe(true);
  }, 60_000);

  it("junk posts (bad CSRF, honeypot) from the shared address never use up its filings; a real reporter still files and opens the inbox", async () => {
    const c = new HttpClient(a.url, { ip: "192.0.2.10" });
    // The server's first answers of a route are slower (code loaded and compiled): warm it up from elsewhere.
    await new HttpClient(a.url, { ip: "192.0.2.11" }).get("/report/new");
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const r = await junkPost(c, i % 3 === 2 ? "honeypot" : "csrf");
      times.push(performance.now() - t0);
      expectProperPage(r, i % 3 === 2 ? 400 : 403);
      if (i % 3 !== 2) expect(r.$.text()).toContain("แบบฟอร์มหมดอายุหรือไม่ถูกต้อง");
    }
    // Many junk posts from one client: their answers are held back (a second each, at least), the first ones are not
    // (compared with each other rather than with a fixed time, so a busy machine does not fail it).
    const heldBack = Math.min(...times.slice(5));
    expect(heldBack, times.map(Math.round).join(" ")).toBeGreaterThanOrEqual(900);
    expect(Math.max(...times.slice(0, 3)), times.map(Math.round).join(" ")).toBeLessThan(heldBack - 500);
    // The same address (everyone behind the unconfigured proxy) files a real report and opens its inbox.
    const reporter = new HttpClient(a.url, { ip: "192.0.2.99" });
    const filed = await fileReport(reporter);
    const opened = await openInbox(reporter, filed.receipt);
    expect(opened.status, opened.$.text().slice(0, 300)).toBe(302);
    expect((await reporter.get("/report/inbox")).$.testIdAttr("report-stage", "data-stage")).toBeTruthy();
  }, 90_000);
});

describe("behind a configured trusted proxy", () => {
  it("start-up with TRUSTED_PROXIES clears an earlier warning; forwarded headers from the proxy raise none", async () => {
    expect(fs.existsSync(path.join(bDataDir, "proxy-warning.json"))).toBe(false);
    await visitor().get("/");
    const h = await healthz(b);
    expect(h.status).toBe(200);
    expect(h.body.proxyWarning).toEqual({ seen: false, since: null });
    expect(b.logs()).not.toContain("TRUSTED_PROXIES is not set");
  });

  it("the shared-proxy case: 10 junk POSTs (bad CSRF included) and wrong receipts from others, then a real reporter files and opens the inbox", async () => {
    const reporterIp = "198.51.100.23";
    const junk: number[] = [];
    for (let i = 0; i < 10; i++) {
      // Junk from other visitors, and some from the reporter's own address (a stale form, a double click…).
      const c = i < 3 ? new HttpClient(b.url, { ip: reporterIp }) : visitor("198.19");
      const r = await junkPost(c, i % 2 === 0 ? "csrf" : "honeypot");
      junk.push(r.status);
      expect(r.text.length).toBeGreaterThan(0);
    }
    expect(
      junk.every((s) => s === 403 || s === 400),
      junk.join(" "),
    ).toBe(true);
    for (let i = 0; i < 12; i++) expect((await openInbox(visitor("198.20"), wrongReceipt())).status).toBe(404);

    const reporter = new HttpClient(b.url, { ip: reporterIp });
    const filed = await fileReport(reporter);
    const opened = await openInbox(reporter, filed.receipt);
    expect(opened.status, opened.$.text().slice(0, 300)).toBe(302);
    const inbox = await reporter.get("/report/inbox");
    expect(inbox.status).toBe(200);
    expect(inbox.$.testIdAttr("report-stage", "data-stage")).toBeTruthy();
  }, 90_000);

  it("a reporter over their own filing limit gets a complete 429 page with Retry-After (never a reset connection); others still file", async () => {
    const ip = "198.51.100.77";
    for (let i = 0; i < 10; i++) await fileReport(new HttpClient(b.url, { ip }));
    const c = new HttpClient(b.url, { ip });
    const page = await c.get("/report/new");
    const big = crypto.randomBytes(2 * 1024 * 1024);
    const fd = formData({ csrf: csrfOf(page), submissionKey: submissionKeyOf(page), ...reportFields() }, [
      { name: "evidence", filename: "big.pdf", type: "application/pdf", data: big },
    ]);
    const refused = await c.postMultipart("/report/new", fd);
    expectProperPage(refused, 429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.$.text()).toContain("มีการส่งเรื่องจากอุปกรณ์นี้มากเกินไป");
    // Another visitor of the same proxy is not affected.
    await fileReport(visitor("198.21"));
  }, 120_000);

  let complaint: FiledComplaint;

  it("300 wrong /track lookups from 300 forwarded addresses, then a citizen's correct lookup succeeds from a fresh address", async () => {
    complaint = await fileComplaint(visitor("198.22"));
    const statuses: Record<number, number> = {};
    const clients = Array.from({ length: 300 }, () => visitor("100.64"));
    const page = await clients[0].get("/track");
    const csrf = csrfOf(page);
    for (const c of clients) c.cookies.set("csrf", clients[0].cookies.get("csrf")!);
    for (let i = 0; i < clients.length; i += 30) {
      const batch = await Promise.all(
        clients
          .slice(i, i + 30)
          .map((c, j) =>
            c.postForm("/track", { csrf, reference: complaint.reference, code: `WRNG-${String(i + j).padStart(4, "0")}-ZZZZ` }),
          ),
      );
      for (const r of batch) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
    expect(statuses).toEqual({ 404: 300 });
    const citizen = visitor("198.23");
    const form = await citizen.get("/track");
    const ok = await citizen.postForm("/track", { csrf: csrfOf(form), reference: complaint.reference, code: complaint.trackingCode });
    expect(ok.status, ok.$.text().slice(0, 300)).toBe(200);
    expect(ok.$.testIdAttr("case-status", "data-status")).toBeTruthy();
    // A citizen who mistyped twice is slowed a little by the others' failures, never refused.
    const typo = visitor("198.23");
    const f2 = await typo.get("/track");
    for (const code of ["AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF"])
      expect((await typo.postForm("/track", { csrf: csrfOf(f2), reference: complaint.reference, code })).status).toBe(404);
    const right = await typo.postForm("/track", { csrf: csrfOf(f2), reference: complaint.reference, code: complaint.trackingCode });
    expect(right.status).toBe(200);
  }, 120_000);

  it("IPv6 clients are limited by /64, IPv4-mapped addresses as their IPv4 address", async () => {
    const lookup = async (ip: string) => {
      const c = new HttpClient(b.url, { ip });
      const page = await c.get("/track");
      return (await c.postForm("/track", { csrf: csrfOf(page), reference: complaint.reference, code: "QQQQ-RRRR-SSSS" })).status;
    };
    for (let i = 1; i <= 10; i++) expect(await lookup(`2001:db8:77:1::${i.toString(16)}`)).toBe(404);
    // Any other address of the same /64 is the same client…
    expect(await lookup("2001:db8:77:1:ffff:ffff:ffff:1")).toBe(429);
    // …the next /64 is not.
    expect(await lookup("2001:db8:77:2::1")).toBe(404);
    for (let i = 0; i < 10; i++) expect(await lookup("::ffff:198.51.100.50")).toBe(404);
    expect(await lookup("198.51.100.50")).toBe(429);
  }, 120_000);

  it("a full receipt-hashing queue answers 503 with Retry-After and a readable page (Thai and English), never a 500", async () => {
    const first = visitor("198.24");
    const csrf = csrfOf(await first.get("/report/inbox"));
    const clients = Array.from({ length: 60 }, (_, i) => {
      const c = visitor("198.25");
      c.cookies.set("csrf", first.cookies.get("csrf")!);
      if (i % 2 === 1) c.cookies.set("lng", "en");
      return c;
    });
    const results = await Promise.all(clients.map((c) => c.postForm("/report/inbox", { csrf, intent: "open", receipt: wrongReceipt() })));
    const statuses = results.map((r) => r.status);
    expect(
      statuses.every((s) => s === 404 || s === 503),
      statuses.join(" "),
    ).toBe(true);
    const busy = results.filter((r) => r.status === 503);
    expect(busy.length, statuses.join(" ")).toBeGreaterThan(0);
    for (const r of busy) {
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(r.headers.get("content-type") ?? "").toMatch(/text\/html/);
      expect(r.$.testId("inbox-error")).toMatch(/ขณะนี้ระบบกำลังตรวจสอบเลขรับแจ้งจำนวนมาก|The system is checking many receipts right now/);
      expect(r.text).toContain('name="receipt"'); // the form is there to try again
    }
    expect(busy.some((r) => /ขณะนี้ระบบ/.test(r.$.testId("inbox-error") ?? ""))).toBe(true);
    expect(busy.some((r) => /The system is checking/.test(r.$.testId("inbox-error") ?? ""))).toBe(true);
  }, 60_000);

  it("filing while wrong receipts saturate the lookup capacity still completes, and the reporter's receipt still opens", async () => {
    const first = visitor("198.26");
    const csrf = csrfOf(await first.get("/report/inbox"));
    const statuses: Record<number, number> = {};
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const c = visitor("198.27");
        c.cookies.set("csrf", first.cookies.get("csrf")!);
        const r = await c.postForm("/report/inbox", { csrf, intent: "open", receipt: wrongReceipt() });
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
    };
    const flood = Array.from({ length: 40 }, worker);
    await new Promise((r) => setTimeout(r, 500));
    const reporter = new HttpClient(b.url, { ip: "198.51.100.88" });
    const t0 = performance.now();
    const filed = await fileReport(reporter);
    const ms = performance.now() - t0;
    stop = true;
    await Promise.all(flood);
    expect(filed.receipt).toMatch(/^\d{16}$/);
    expect(
      Object.keys(statuses)
        .map(Number)
        .every((s) => s === 404 || s === 503),
      JSON.stringify(statuses),
    ).toBe(true);
    expect(statuses[503] ?? 0, `lookups saturated: ${JSON.stringify(statuses)}`).toBeGreaterThan(0);
    expect(ms, `filing took ${Math.round(ms)} ms under the flood`).toBeLessThan(15_000);
    const opened = await openInbox(reporter, filed.receipt);
    expect(opened.status).toBe(302);
  }, 90_000);
});
