/**
 * Unlocked report keys belong to one session: kept in the server's memory and sealed into the session's own row under
 * a key derived from its cookie, so a restart (or another app server) opens them again for that cookie and for nothing
 * else. A seal moved to another session's row opens nothing and that session is asked for the password
 * (/staff/unlock); a wrong password opens nothing; sign-out takes the seal with the session; a public key swapped in the
 * database is noticed at unlock and nothing is unlocked.
 */
import crypto from "node:crypto";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf } from "../helpers/http";
import { enrolRecipient, fileReport, integrityLogin, type TotpAccount } from "../helpers/report";

let server: TestServer;
let officer: HttpClient;
let acc: TotpAccount;
let locked: HttpClient;
let publicId = "";
const PASSWORD = "ปลดล็อกกุญแจหลังเปิดเครื่องใหม่ 2569";
const EMAIL = "unlock@wangluek.go.th";
const PHRASE = `ค่าน้ำมันรถขยะเบิกซ้ำ ${crypto.randomBytes(3).toString("hex")}`;
const path = (u: string | null) => (u ? new URL(u).pathname : "");
const sha256 = (token: string) => crypto.createHash("sha256").update(token).digest("hex");
/** The sealed keys in the row of the session whose cookie token this is. */
function sealOf(token: string): string | null {
  const db = new SQLite(server.dbFile, { readonly: true });
  try {
    return (
      (db.prepare("select sealed_state from staff_sessions where id = ?").get(sha256(token)) as { sealed_state: string | null } | undefined)
        ?.sealed_state ?? null
    );
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  ({ client: officer, acc } = await enrolRecipient(server, { email: EMAIL, password: PASSWORD }));
  await fileReport(new HttpClient(server.url, { ip: "10.90.0.2" }), { whatHappened: PHRASE });
  publicId = (await dbGet<{ public_id: string }>(server, "select public_id from reports"))!.public_id;
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe("report keys are unlocked for the session only, at every server", () => {
  it("a restart keeps a live session's keys: they are sealed in its row, under its cookie", async () => {
    expect((await officer.get(`/staff/integrity/reports/${publicId}`)).$.text()).toContain(PHRASE);
    const seal = sealOf(officer.cookies.get("sujarit_session")!);
    expect(seal).toMatch(/^v1\.[A-Za-z0-9_-]{100,}$/);
    await server.restart();
    const r = await officer.get(`/staff/integrity/reports/${publicId}`);
    expect(r.status, r.location ?? "").toBe(200);
    expect(r.$.text()).toContain(PHRASE);
    // Nobody else's session row carries a seal (only integrity officers have report keys).
    expect((await dbGet<{ n: number }>(server, "select count(*) as n from staff_sessions where sealed_state is not null"))!.n).toBe(1);
  }, 60_000);

  it("a seal copied into another session's row opens nothing there: that session is asked for the password", async () => {
    locked = new HttpClient(server.url, { ip: "10.90.0.11" });
    await integrityLogin(locked, acc);
    expect((await locked.get(`/staff/integrity/reports/${publicId}`)).$.text()).toContain(PHRASE);
    // Someone with write access to the database puts the first session's seal in place of the second's.
    const db = new SQLite(server.dbFile);
    try {
      db.pragma("busy_timeout = 5000");
      db.prepare("update staff_sessions set sealed_state = ? where id = ?").run(
        sealOf(officer.cookies.get("sujarit_session")!),
        sha256(locked.cookies.get("sujarit_session")!),
      );
    } finally {
      db.close();
    }
    await server.restart();
    const r = await locked.get(`/staff/integrity/reports/${publicId}`);
    expect(r.status).toBe(302);
    expect(path(r.location)).toBe("/staff/unlock");
    expect(r.text).not.toContain(PHRASE);
    expect(server.logs()).toContain("a session's sealed state did not open");
    // The first session's own seal still opens its keys.
    expect((await officer.get(`/staff/integrity/reports/${publicId}`)).$.text()).toContain(PHRASE);
  }, 60_000);

  it("a wrong password opens nothing (401) and says so in Thai", async () => {
    const page = await locked.get(`/staff/unlock?redirectTo=${encodeURIComponent(`/staff/integrity/reports/${publicId}`)}`);
    expect(page.status).toBe(200);
    expect(page.$.testId("key-fingerprint")).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){7}$/);
    const wrong = await locked.postForm("/staff/unlock", {
      csrf: csrfOf(page),
      password: "not the password 123",
      redirectTo: `/staff/integrity/reports/${publicId}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.$.testId("unlock-error")).toContain("รหัสผ่านไม่ถูกต้อง");
    expect((await locked.get(`/staff/integrity/reports/${publicId}`)).status).toBe(302);
  });

  it("the right password unlocks and goes back to the report", async () => {
    const page = await locked.get("/staff/unlock");
    const ok = await locked.postForm("/staff/unlock", {
      csrf: csrfOf(page),
      password: PASSWORD,
      redirectTo: `/staff/integrity/reports/${publicId}`,
    });
    expect(ok.status).toBe(302);
    expect(path(ok.location)).toBe(`/staff/integrity/reports/${publicId}`);
    expect((await locked.get(`/staff/integrity/reports/${publicId}`)).$.text()).toContain(PHRASE);
  });

  it("signing out forgets the keys: an old copy of the session cookie opens nothing", async () => {
    const token = officer.cookies.get("sujarit_session")!;
    const page = await officer.get("/staff/integrity");
    expect((await officer.postForm("/staff/logout", { csrf: csrfOf(page) })).status).toBe(302);
    const copy = new HttpClient(server.url, { ip: "10.90.0.9" });
    copy.cookies.set("sujarit_session", token);
    const r = await copy.get(`/staff/integrity/reports/${publicId}`);
    expect(r.status).toBe(302);
    expect(path(r.location)).toBe("/staff/login");
    // The seal went with the session's row.
    expect(sealOf(token)).toBeNull();
    expect((await dbGet<{ n: number }>(server, "select count(*) as n from staff_sessions where id = ?", sha256(token)))!.n).toBe(0);
  });

  it("a public key replaced in the database is noticed at unlock, and nothing is unlocked (409)", async () => {
    // Someone with write access to the database puts another key in place of the officer's public key.
    const db = new SQLite(server.dbFile);
    try {
      db.pragma("busy_timeout = 5000");
      const other = crypto.generateKeyPairSync("x25519").publicKey.export({ format: "jwk" }).x!;
      db.prepare("update staff_keys set public_key = ? where staff_id = (select id from staff where email = ?)").run(other, EMAIL);
    } finally {
      db.close();
    }
    // Signing in still works (password, second factor), but the keys stay locked, and the unlock page says why.
    const fresh = new HttpClient(server.url, { ip: "10.90.0.10" });
    await integrityLogin(fresh, acc);
    const r = await fresh.get(`/staff/integrity/reports/${publicId}`);
    expect(path(r.location)).toBe("/staff/unlock");
    const page = await fresh.get("/staff/unlock");
    const tried = await fresh.postForm("/staff/unlock", { csrf: csrfOf(page), password: PASSWORD, redirectTo: "/staff/integrity" });
    expect(tried.status).toBe(409);
    expect(tried.$.testId("unlock-error")).toContain("ไม่ตรงกับกุญแจส่วนตัว");
    expect((await fresh.get(`/staff/integrity/reports/${publicId}`)).status).toBe(302);
    expect(server.logs()).toContain("does not match their private key");
  }, 60_000);
});
