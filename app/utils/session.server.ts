/**
 * Staff sessions kept in the database. The cookie holds only a random 256-bit token; the table stores its sha256,
 * so a copy of the database cannot be used to sign in. Sessions end after 30 idle minutes or 12 hours in all.
 */
import { redirect } from "@remix-run/node";
import type { Kysely } from "kysely";
import type { Database, Staff } from "../../db/schema";
import { getDb } from "./db.server";
import { now } from "./clock.server";
import { randomToken, sha256Hex } from "./crypto.server";
import { parseCookies, serializeCookie } from "./request.server";

export const SESSION_COOKIE = "sujarit_session";
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;
/** last_seen_at is written at most this often. */
const TOUCH_INTERVAL_MS = 60_000;

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** Creates a session row and returns the cookie token (never stored). */
export async function createSessionRecord(db: Kysely<Database>, staffId: number): Promise<string> {
  const token = randomToken(32);
  const at = now();
  await db
    .insertInto("staff_sessions")
    .values({
      id: sha256Hex(token),
      staff_id: staffId,
      created_at: at.toISOString(),
      last_seen_at: at.toISOString(),
      expires_at: new Date(at.getTime() + SESSION_ABSOLUTE_MS).toISOString(),
    })
    .execute();
  return token;
}

/** The active staff member for a token, or null (expired, idle, unknown, or disabled: the session is then deleted). */
export async function lookupSession(db: Kysely<Database>, token: string | undefined): Promise<Staff | null> {
  if (!token || !TOKEN_RE.test(token)) return null;
  const id = sha256Hex(token);
  const session = await db.selectFrom("staff_sessions").selectAll().where("id", "=", id).executeTakeFirst();
  if (!session) return null;
  const at = now();
  const idleLimit = Date.parse(session.last_seen_at) + SESSION_IDLE_MS;
  if (at.getTime() >= Date.parse(session.expires_at) || at.getTime() >= idleLimit) {
    await db.deleteFrom("staff_sessions").where("id", "=", id).execute();
    return null;
  }
  const staff = await db.selectFrom("staff").selectAll().where("id", "=", session.staff_id).executeTakeFirst();
  if (!staff || staff.active !== 1) {
    await db.deleteFrom("staff_sessions").where("staff_id", "=", session.staff_id).execute();
    return null;
  }
  if (at.getTime() - Date.parse(session.last_seen_at) >= TOUCH_INTERVAL_MS) {
    await db.updateTable("staff_sessions").set({ last_seen_at: at.toISOString() }).where("id", "=", id).execute();
  }
  return staff;
}

/** Deletes the session of a token (if any). */
export async function deleteSessionRecord(db: Kysely<Database>, token: string | undefined): Promise<void> {
  if (!token || !TOKEN_RE.test(token)) return;
  await db.deleteFrom("staff_sessions").where("id", "=", sha256Hex(token)).execute();
}

/** Removes sessions past their idle or absolute limit (housekeeping; cheap). */
export async function purgeExpiredSessions(db: Kysely<Database>): Promise<void> {
  const at = now();
  await db
    .deleteFrom("staff_sessions")
    .where((eb) =>
      eb.or([
        eb("expires_at", "<=", at.toISOString()),
        eb("last_seen_at", "<=", new Date(at.getTime() - SESSION_IDLE_MS).toISOString()),
      ]),
    )
    .execute();
}

function sessionToken(request: Request): string | undefined {
  return parseCookies(request)[SESSION_COOKIE];
}

/**
 * Starts a session after a successful login. Any session the browser already had is ended first (rotation),
 * so a token planted before login is worthless afterwards. Returns the Set-Cookie header value.
 */
export async function createSession(request: Request, staffId: number, db: Kysely<Database> = getDb()): Promise<string> {
  await deleteSessionRecord(db, sessionToken(request));
  if (Math.random() < 0.05) await purgeExpiredSessions(db);
  const token = await createSessionRecord(db, staffId);
  return serializeCookie(SESSION_COOKIE, token, { maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000) });
}

/** Ends the browser's session; returns the Set-Cookie header value that clears the cookie. */
export async function destroySession(request: Request, db: Kysely<Database> = getDb()): Promise<string> {
  await deleteSessionRecord(db, sessionToken(request));
  return clearSessionCookie();
}

export function clearSessionCookie(): string {
  return serializeCookie(SESSION_COOKIE, "", { maxAge: 0 });
}

/** The signed-in staff member, or null. */
export async function getStaff(request: Request, db: Kysely<Database> = getDb()): Promise<Staff | null> {
  return lookupSession(db, sessionToken(request));
}

/** The signed-in staff member; otherwise redirects to the login page (and back here afterwards). */
export async function requireStaff(request: Request, db: Kysely<Database> = getDb()): Promise<Staff> {
  const token = sessionToken(request);
  const staff = await lookupSession(db, token);
  if (staff) return staff;
  const url = new URL(request.url);
  const back = request.method === "GET" ? url.pathname + url.search : url.pathname;
  const headers = new Headers();
  if (token) headers.append("Set-Cookie", clearSessionCookie());
  throw redirect(`/staff/login?redirectTo=${encodeURIComponent(back)}`, { headers });
}
