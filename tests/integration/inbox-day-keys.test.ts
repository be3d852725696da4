/**
 * Reporters' inbox cookies and the day keys that seal them (app/models/report/cookies.server.ts), in-process on a real
 * SQLite file: a session renewed across midnight keeps working, a cookie whose day key was deleted opens nothing, keys
 * are made ahead and deleted after two days, a sign-out holds at every server (a second process's memory is played by
 * forgetting this one's), and two servers making the same day's key at once agree on one.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-inbox-keys-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3997";
delete process.env.DATABASE_URL;
delete process.env.MASTER_KEY;

const { getDb } = await import("~/utils/db.server");
const { migrateToLatest } = await import("../../db/connection");
const { createInboxSession, readInboxSession, endInboxSession, ensureInboxKeys } = await import("~/models/report/cookies.server");

const db = getDb();
const DAY = 86_400_000;
/** 23:50 UTC on some day. */
const T0 = Math.floor(Date.parse("2026-12-04T00:00:00Z") / DAY) * DAY + DAY - 10 * 60_000;
const KEY = Buffer.alloc(32, 7);

/** A request carrying the cookie of a Set-Cookie value. */
function withCookie(setCookie: string): Request {
  const pair = setCookie.split(";")[0]!;
  return new Request("http://localhost:3997/report/inbox", { headers: { Cookie: pair } });
}

/** This process forgets the day keys it has read (as another server, or this one after a restart, would not have them). */
function forgetKeysInMemory() {
  const memo = (globalThis as { __sujaritSingleSiteMemo?: Map<string, unknown> }).__sujaritSingleSiteMemo;
  (memo?.get("report-cookies:inbox-keys") as Map<number, string> | undefined)?.clear();
}

beforeAll(async () => {
  await migrateToLatest(db);
});
afterAll(async () => {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("inbox day keys", () => {
  it("housekeeping makes today's and tomorrow's keys ahead of any visit", async () => {
    await ensureInboxKeys(db, T0);
    const days = (await db.selectFrom("inbox_cookie_keys").select("day").orderBy("day").execute()).map((r) => r.day);
    expect(days).toEqual([Math.floor(T0 / DAY), Math.floor(T0 / DAY) + 1]);
  });

  it("a session renewed across midnight keeps working, at another server too", async () => {
    const first = await createInboxSession(42, KEY, T0, db);
    forgetKeysInMemory();
    const r1 = await readInboxSession(withCookie(first), T0 + 20 * 60_000, db); // 00:10, the next day
    expect(r1.reportId).toBe(42);
    expect(r1.key?.equals(KEY)).toBe(true);
    // Renewed with the new day's key.
    expect(r1.setCookie!.split("=")[1]!.split(".")[0]).toBe(String(Math.floor(T0 / DAY) + 1));
    forgetKeysInMemory();
    const r2 = await readInboxSession(withCookie(r1.setCookie!), T0 + 40 * 60_000, db);
    expect(r2.reportId).toBe(42);
  });

  it("limits hold: 30 idle minutes, two hours in all, an altered cookie, a cookie of a day too old", async () => {
    const c = await createInboxSession(7, KEY, T0, db);
    expect((await readInboxSession(withCookie(c), T0 + 31 * 60_000, db)).reportId).toBeNull();
    let cookie = c;
    let t = T0;
    for (let i = 0; i < 4; i++) {
      t += 25 * 60_000;
      const r = await readInboxSession(withCookie(cookie), t, db);
      expect(r.reportId, `renewal ${i}`).toBe(7);
      cookie = r.setCookie!;
    }
    t += 25 * 60_000; // 125 minutes after sign-in
    expect((await readInboxSession(withCookie(cookie), t, db)).reportId).toBeNull();
    const [name, value] = c.split(";")[0]!.split("=") as [string, string];
    const altered = `${name}=${value.slice(0, -2)}${value.endsWith("A") ? "B" : "A"}`;
    expect((await readInboxSession(withCookie(altered), T0 + 60_000, db)).reportId).toBeNull();
    const elsewhere = `${name}=${Number(value.split(".")[0]) - 1}.${value.split(".").slice(1).join(".")}`;
    expect((await readInboxSession(withCookie(elsewhere), T0 + 60_000, db)).reportId).toBeNull();
  });

  it("leaving ends the session everywhere: a copy of the cookie opens nothing, also for a server that never saw it", async () => {
    const c = await createInboxSession(9, KEY, T0, db);
    expect((await readInboxSession(withCookie(c), T0 + 60_000, db)).reportId).toBe(9);
    await endInboxSession(withCookie(c), T0 + 2 * 60_000, db);
    forgetKeysInMemory();
    expect((await readInboxSession(withCookie(c), T0 + 3 * 60_000, db)).reportId).toBeNull();
    const rows = await db.selectFrom("inbox_signed_out").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual(["day", "sid_hash"]);
  });

  it("two days on, the keys and sign-outs of the old days are deleted, and a copied cookie of that day opens nothing", async () => {
    const c = await createInboxSession(11, KEY, T0, db);
    const later = T0 + 2 * DAY + 60 * 60_000;
    await ensureInboxKeys(db, later);
    const days = (await db.selectFrom("inbox_cookie_keys").select("day").orderBy("day").execute()).map((r) => r.day);
    expect(days).not.toContain(Math.floor(T0 / DAY));
    expect(Math.min(...days)).toBeGreaterThanOrEqual(Math.floor(later / DAY) - 1);
    expect(days).toContain(Math.floor(later / DAY) + 1);
    expect(await db.selectFrom("inbox_signed_out").selectAll().execute()).toHaveLength(0);
    forgetKeysInMemory();
    // Even with the clock put back to within the session's life, the deleted key opens nothing.
    expect((await readInboxSession(withCookie(c), T0 + 60_000, db)).reportId).toBeNull();
  });

  it("two servers making the same day's key at once agree on one", async () => {
    const day = Math.floor(T0 / DAY) + 10;
    const at = day * DAY + 60_000;
    const made = await Promise.all(
      Array.from({ length: 4 }, async () => {
        forgetKeysInMemory();
        return createInboxSession(5, KEY, at, db);
      }),
    );
    forgetKeysInMemory();
    for (const c of made) expect((await readInboxSession(withCookie(c), at + 1000, db)).reportId).toBe(5);
    expect(await db.selectFrom("inbox_cookie_keys").select("day").where("day", "=", day).execute()).toHaveLength(1);
  });
});
