/**
 * An integrity officer behind a load balancer that sends each request to either of two app servers on one PostgreSQL
 * database (issue 15: "app servers share nothing but the database"). The officer's report keys are opened at one
 * server and must work at the other without a second password: the password's key while the second factor is pending,
 * the unlocked key pair and the recovery key still to be shown are sealed into the session's row under a key from its
 * cookie (app/models/report/key-vault.server.ts).
 *
 * The balancer is a few lines of node:http on loopback that forwards each request to the server the test names
 * before each step, so every step is known to land where it is meant to. Checked:
 * - a first sign-in: password at A, authenticator set-up at B; the second factor's recovery codes and the report
 *   recovery key made at B are shown by A, once (not again at B);
 * - a report filed through the balancer opens at both servers, as do its pages after both servers restart;
 * - the reporter's inbox session (a cookie sealed with the day's key, shared through the database) opened at one
 *   server is open at the other and after restarts; leaving it at one ends it at the other;
 * - sign-out at B: A refuses the old cookie at once, and the database holds no seal any more;
 * - a second sign-in: password at B, code at A, report open at both; the seal in the database opens nothing without
 *   the cookie (the row's value is not the key, and another session's cookie does not open it).
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../helpers/postgres";
import { startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, formData, pageRedirectTo } from "../helpers/http";
import { makeSharedKeys } from "../helpers/shared-keys";
import { createAnyStaff, fileReport, nextTotpCode, openInbox, totpAccount, type FiledReport, type TotpAccount } from "../helpers/report";

// The keys both servers share (made once by the app's own code), as in two-servers-postgres.test.ts.
const keys = await makeSharedKeys("sujarit-keys2");
const MASTER_KEY = keys.MASTER_KEY;
const { openPostgresDatabase } = await import("../../db/connection");

const PASSWORD = "กุญแจเดียวกันทุกเครื่อง 2569";
const EMAIL = "integrity-lb@wangluek.go.th";
const PHRASE = `ค่าซ่อมถนนเบิกสองครั้ง ${crypto.randomBytes(3).toString("hex")}`;

let pg: TestPostgres;
let databaseUrl = "";
const servers: TestServer[] = [];
/** Which server the balancer sends the next requests to. */
let target = 0;
let balancer: http.Server;
let lbUrl = "";
let acc: TotpAccount;
let officer: HttpClient;
let publicId = "";
let reporter: HttpClient;
let filed: FiledReport;
const REPLY = `ข้อมูลเพิ่มเติมจากผู้แจ้ง ${crypto.randomBytes(3).toString("hex")}`;

const A = 0;
const B = 1;
const at = (i: number) => {
  target = i;
};
const where = (u: string | null) => (u ? new URL(u).pathname : "");

beforeAll(async () => {
  pg = await startPostgres();
  databaseUrl = await pg.createDatabase("portal");
  balancer = http.createServer((req, res) => {
    const upstream = new URL(servers[target]!.url);
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => balancer.listen(0, "127.0.0.1", resolve));
  lbUrl = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
  for (let i = 0; i < 2; i++)
    servers.push(
      await startServer({
        dataDir: keys.dataFolder(),
        env: { DATABASE_URL: databaseUrl, MASTER_KEY, FILE_STORE: "database", TRUSTED_PROXIES: "127.0.0.1", PUBLIC_URL: lbUrl },
      }),
    );
  await createAnyStaff(servers[A]!, { email: EMAIL, name: "ผู้รับเรื่องทุจริต", role: "integrity", password: PASSWORD });
  acc = totpAccount(EMAIL, PASSWORD);
  officer = new HttpClient(lbUrl, { ip: "10.77.0.2" });
}, 180_000);

afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  await new Promise((r) => balancer?.close(r));
  await pg?.stop();
  keys.removeAll();
});

/** The sealed_state of every session row. */
async function seals(): Promise<(string | null)[]> {
  const db = openPostgresDatabase(databaseUrl, { max: 1 });
  try {
    return (await db.selectFrom("staff_sessions").select("sealed_state").execute()).map((r) => r.sealed_state);
  } finally {
    await db.destroy();
  }
}

async function reportAt(i: number) {
  at(i);
  return officer.get(`/staff/integrity/reports/${publicId}`);
}

describe("the report channel's sessions at two app servers behind one balancer", () => {
  it("first sign-in: password at A, set-up at B; recovery codes and recovery key shown once, by A, not again at B", async () => {
    at(A);
    const login = await officer.passwordStep(EMAIL, PASSWORD, "/staff/integrity");
    expect(login.status).toBe(302);
    expect(where(login.location)).toBe("/staff/totp-setup");
    at(B);
    const setup = await officer.get(new URL(login.location!).pathname + new URL(login.location!).search);
    acc.secret = setup.$.testId("totp-secret")!.replace(/\s+/g, "");
    const confirm = await officer.postForm(new URL(login.location!).pathname, {
      csrf: csrfOf(setup),
      code: await nextTotpCode(acc),
      redirectTo: pageRedirectTo(setup) ?? "/staff/integrity",
    });
    expect(confirm.status, confirm.$.text().slice(0, 300)).toBe(302);
    // The second factor's recovery codes, issued at B, are shown by A (once: not again at B).
    at(A);
    const codes = await officer.get(new URL(confirm.location!).pathname + new URL(confirm.location!).search);
    expect(codes.status, codes.location ?? "").toBe(200);
    expect([...codes.text.matchAll(/<code>([^<]+)<\/code>/g)].length).toBeGreaterThanOrEqual(8);
    at(B);
    const codesAgain = await officer.get(new URL(confirm.location!).pathname + new URL(confirm.location!).search);
    expect(codesAgain.status).toBe(302);
    // The recovery key made at B (with the key pair) is shown by A, which never saw it made.
    at(A);
    const probe = await officer.get("/staff/integrity");
    expect(where(probe.location)).toBe("/staff/keys/recovery");
    const shown = await officer.get(new URL(probe.location!).pathname + new URL(probe.location!).search);
    expect(shown.status).toBe(200);
    expect(shown.$.testId("recovery-key")).toMatch(/\S{20,}/);
    // …once: B, which made it, does not show it again.
    at(B);
    const again = await officer.get("/staff/keys/recovery?redirectTo=/staff/integrity");
    expect(again.status).toBe(302);
    expect(where(again.location)).toBe("/staff/integrity");
    expect((await officer.get("/staff/integrity")).status).toBe(200);
  }, 60_000);

  it("a report filed through the balancer opens at both servers without a second password, and again after both restart", async () => {
    // The channel opens once a recipient has keys (made at the first sign-in above).
    at(B);
    reporter = new HttpClient(lbUrl, { ip: "10.77.0.9" });
    filed = await fileReport(reporter, { whatHappened: PHRASE });
    const db = openPostgresDatabase(databaseUrl, { max: 1 });
    try {
      publicId = (await db.selectFrom("reports").select("public_id").executeTakeFirstOrThrow()).public_id;
    } finally {
      await db.destroy();
    }
    for (const i of [A, B]) {
      const r = await reportAt(i);
      expect(r.status, `${i}: ${r.location}`).toBe(200);
      expect(r.$.text()).toContain(PHRASE);
    }
    for (const s of servers) await s.restart();
    for (const i of [B, A]) {
      const r = await reportAt(i);
      expect(r.status, `${i}: ${r.location}`).toBe(200);
      expect(r.$.text()).toContain(PHRASE);
    }
  }, 90_000);

  it("the reporter's inbox opened at A is open at B and after restarts; a reply sent at B reaches the officer; leaving at A ends it at B", async () => {
    at(A);
    const opened = await openInbox(reporter, filed.shown);
    expect(opened.status, opened.$.text().slice(0, 300)).toBe(302);
    at(B);
    const inbox = await reporter.get("/report/inbox");
    expect(inbox.$.testIdAttr("report-stage", "data-stage")).toBeTruthy();
    const sent = await reporter.postMultipart("/report/inbox", formData({ csrf: csrfOf(inbox), intent: "reply", message: REPLY }));
    expect(sent.status, sent.$.text().slice(0, 300)).toBe(302);
    for (const s of servers) await s.restart();
    at(A);
    const after = await reporter.get("/report/inbox");
    expect(after.$.testId("report-messages")).toContain(REPLY);
    expect((await reportAt(B)).$.text()).toContain(REPLY);
    // Leaving at A: a copy of the cookie taken before opens nothing at B.
    const copy = new HttpClient(lbUrl, { ip: "10.77.0.10" });
    for (const [k, v] of reporter.cookies) copy.cookies.set(k, v);
    at(A);
    const leave = await reporter.postForm("/report/inbox", { csrf: csrfOf(after), intent: "leave" });
    expect(leave.status).toBe(302);
    at(B);
    const stale = await copy.get("/report/inbox");
    expect(stale.status).toBe(200);
    expect(stale.$.testIdAttr("report-stage", "data-stage")).toBeFalsy();
    expect(stale.text).not.toContain(REPLY);
    expect(stale.text).not.toContain(PHRASE);
  }, 90_000);

  it("sign-out at B: A refuses the old cookie at once and no seal is left in the database", async () => {
    const token = officer.cookies.get("sujarit_session")!;
    at(B);
    const page = await officer.get("/staff/integrity");
    expect((await officer.postForm("/staff/logout", { csrf: csrfOf(page) })).status).toBe(302);
    const copy = new HttpClient(lbUrl, { ip: "10.77.0.3" });
    copy.cookies.set("sujarit_session", token);
    at(A);
    const r = await copy.get(`/staff/integrity/reports/${publicId}`);
    expect(r.status).toBe(302);
    expect(where(r.location)).toBe("/staff/login");
    expect((await seals()).filter(Boolean)).toEqual([]);
  });

  it("second sign-in: password at B, code at A; the seal opens nothing without the cookie", async () => {
    at(B);
    const login = await officer.passwordStep(EMAIL, PASSWORD, "/staff/integrity");
    expect(where(login.location)).toBe("/staff/login/totp");
    at(A);
    const step = await officer.get(new URL(login.location!).pathname + new URL(login.location!).search);
    const done = await officer.postForm(new URL(login.location!).pathname, {
      csrf: csrfOf(step),
      code: await nextTotpCode(acc),
      redirectTo: pageRedirectTo(step) ?? "/staff/integrity",
    });
    expect(done.status, done.$.text().slice(0, 300)).toBe(302);
    for (const i of [B, A]) expect((await reportAt(i)).$.text()).toContain(PHRASE);
    // One seal, of this session; the pending one of the password step went with its row.
    const left = (await seals()).filter((s): s is string => s !== null);
    expect(left).toHaveLength(1);
    // It does not open with another cookie's key: a second session of the same officer, given this seal, is locked.
    const other = new HttpClient(lbUrl, { ip: "10.77.0.4" });
    at(A);
    const l2 = await other.passwordStep(EMAIL, PASSWORD, "/staff/integrity");
    const s2 = await other.get(new URL(l2.location!).pathname + new URL(l2.location!).search);
    await other.postForm(new URL(l2.location!).pathname, {
      csrf: csrfOf(s2),
      code: await nextTotpCode(acc),
      redirectTo: "/staff/integrity",
    });
    const db = openPostgresDatabase(databaseUrl, { max: 1 });
    try {
      const id = crypto.createHash("sha256").update(other.cookies.get("sujarit_session")!).digest("hex");
      await db.updateTable("staff_sessions").set({ sealed_state: left[0] }).where("id", "=", id).execute();
    } finally {
      await db.destroy();
    }
    at(B); // B has never held the second session's keys in memory: it reads the (swapped) seal
    const r = await other.get(`/staff/integrity/reports/${publicId}`);
    expect(where(r.location)).toBe("/staff/unlock");
    expect(r.text).not.toContain(PHRASE);
    expect(servers[B]!.logs()).toContain("a session's sealed state did not open");
    // The officer's own session is untouched.
    expect((await reportAt(B)).$.text()).toContain(PHRASE);
  }, 90_000);
});
