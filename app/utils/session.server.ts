/**
 * Staff sessions kept in the database. The cookie holds only a random 256-bit token; the table stores its sha256,
 * so a copy of the database cannot be used to sign in. Sessions end after 30 idle minutes or 12 hours in all.
 *
 * Second factor: every session starts with mfa_verified_at NULL. When the person needs a second factor — their role
 * requires one (admin, supervisor, integrity; officer, intake, executive when an administrator turned it on), or they
 * set one up anyway (app/models/staff/second-factor.server.ts, secondFactorNeeded) — it opens only the second-factor pages
 * (/staff/login/totp: passkey, authenticator code or recovery code; /staff/totp-setup: first-time set-up of either)
 * for MFA_PENDING_MS; requireStaff sends it there. After a valid factor the session is replaced by a new one (new
 * token) with mfa_verified_at set (markMfaVerified).
 */
import { compiledOnce } from "../../db/compiled-once";
import { json, redirect } from "@remix-run/node";
import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from "kysely";
import type { Database, Staff, StaffSessionTable } from "../../db/schema";
import { secondFactorNeededFrom } from "~/models/staff/second-factor.server";
import { stashRecoveryCodes } from "~/models/staff/mfa.server";
import { switchedSessionStillLinked } from "~/models/staff/links.server";
import { getDb } from "./db.server";
import { now } from "./clock.server";
import { randomToken, sha256Hex } from "./crypto.server";
import { appPathname, readCookie, safeRedirectPath, serializeCookie } from "./request.server";
import { requestMemo } from "./request-scope.server";
import {
  completeUnlock,
  forgetSession,
  hasNewRecoveryKey,
  keysOfSession,
  prepareUnlock,
  takePendingUnlock,
  type UnlockedKeys,
} from "~/models/report/key-vault.server";

type StaffSession = Omit<Selectable<StaffSessionTable>, "sealed_state" | "switched_from">;

export const SESSION_COOKIE = "sujarit_session";
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;
/** last_seen_at is written at most this often. */
const TOUCH_INTERVAL_MS = 60_000;

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
/** How long someone who passed the password has to pass (or set up) the second factor. */
export const MFA_PENDING_MS = 10 * 60_000;
/** The second-factor step (passkey, authenticator code, recovery code). The path predates passkeys. */
export const TOTP_LOGIN_PATH = "/staff/login/totp";
/** First-time set-up of a second factor (a passkey or an authenticator app). */
export const TOTP_SETUP_PATH = "/staff/totp-setup";
export const SECOND_FACTOR_PATH = TOTP_LOGIN_PATH;
export const SECOND_FACTOR_SETUP_PATH = TOTP_SETUP_PATH;

/** Creates a session row and returns the cookie token (never stored). */
export async function createSessionRecord(
  db: Kysely<Database> | Transaction<Database>,
  staffId: number,
  opts: { mfaVerifiedAt?: string | null; expiresAt?: string; switchedFrom?: string } = {},
): Promise<string> {
  const token = randomToken(32);
  const at = now();
  await db
    .insertInto("staff_sessions")
    .values({
      id: sha256Hex(token),
      staff_id: staffId,
      created_at: at.toISOString(),
      last_seen_at: at.toISOString(),
      expires_at: opts.expiresAt ?? new Date(at.getTime() + SESSION_ABSOLUTE_MS).toISOString(),
      mfa_verified_at: opts.mfaVerifiedAt ?? null,
      switched_from: opts.switchedFrom ?? null,
    })
    .execute();
  return token;
}

/** The active staff member for a token, or null (expired, idle, unknown, or disabled: the session is then deleted). */
export async function lookupSession(db: Kysely<Database>, token: string | undefined): Promise<Staff | null> {
  return (await lookupSessionState(db, token))?.staff ?? null;
}

const unverified = (q: RawBuilder<number>) => sql<number>`case when s.mfa_verified_at is null then ${q} else 0 end`;

/**
 * The session and its person in one query (one round trip to PostgreSQL on every back-office page); for a session that
 * has not passed a second factor, also what decides whether it needs one (its role's setting, its passkeys). Compiled
 * once per database (db/compiled-once.ts): it runs on every staff page.
 */
const sessionWithPerson = compiledOnce((db: Kysely<Database>, id: string) =>
  db
    .selectFrom("staff_sessions as s")
    .innerJoin("staff", "staff.id", "s.staff_id")
    .selectAll("staff")
    .select([
      "s.id as session_id",
      "s.staff_id as session_staff_id",
      "s.created_at as session_created_at",
      "s.last_seen_at as session_last_seen_at",
      "s.expires_at as session_expires_at",
      "s.mfa_verified_at as session_mfa_verified_at",
      "s.switched_from as session_switched_from",
      unverified(sql`(select count(*) from second_factor_roles r where r.role = staff.role)`).as("session_role_turned_on"),
      unverified(sql`(select count(*) from staff_passkeys p where p.staff_id = staff.id)`).as("session_passkeys"),
      // The statistics and staff directory versions with it: a page's cached counts and lists of colleagues are checked
      // against them without a query of their own.
      sql<number>`(select v from stats_version where id = 1)`.as("session_stats_version"),
      sql<number>`(select v from staff_directory_version where id = 1)`.as("session_directory_version"),
    ])
    .where("s.id", "=", id),
);

/** Like lookupSession, with the session row (for the second-factor state). */
export async function lookupSessionState(db: Kysely<Database>, token: string | undefined): Promise<SessionState | null> {
  if (!token || !TOKEN_RE.test(token)) return null;
  const id = sha256Hex(token);
  const [row] = await sessionWithPerson(db, id);
  if (!row) return null;
  const {
    session_id,
    session_staff_id,
    session_created_at,
    session_last_seen_at,
    session_expires_at,
    session_mfa_verified_at,
    session_switched_from,
    session_role_turned_on,
    session_passkeys,
    session_stats_version,
    session_directory_version,
    ...staff
  } = row;
  const session: StaffSession = {
    id: session_id,
    staff_id: session_staff_id,
    created_at: session_created_at,
    last_seen_at: session_last_seen_at,
    expires_at: session_expires_at,
    mfa_verified_at: session_mfa_verified_at,
  };
  const at = now();
  const idleLimit = Date.parse(session.last_seen_at) + SESSION_IDLE_MS;
  if (at.getTime() >= Date.parse(session.expires_at) || at.getTime() >= idleLimit) {
    await db.deleteFrom("staff_sessions").where("id", "=", id).execute();
    return null;
  }
  if (staff.active !== 1) {
    await db.deleteFrom("staff_sessions").where("staff_id", "=", session.staff_id).execute();
    return null;
  }
  if (session_switched_from !== null && !(await switchedSessionStillLinked(session.staff_id, session_switched_from))) {
    await db.deleteFrom("staff_sessions").where("id", "=", id).execute();
    return null;
  }
  if (at.getTime() - Date.parse(session.last_seen_at) >= TOUCH_INTERVAL_MS) {
    await db.updateTable("staff_sessions").set({ last_seen_at: at.toISOString() }).where("id", "=", id).execute();
  }
  const fullySignedIn =
    session.mfa_verified_at !== null ||
    !secondFactorNeededFrom(staff, { roleTurnedOn: Number(session_role_turned_on) > 0, passkeys: Number(session_passkeys) });
  return {
    staff,
    session,
    fullySignedIn,
    switchedFrom: session_switched_from,
    statsVersion: Number(session_stats_version ?? 0),
    directoryVersion: Number(session_directory_version ?? 0),
  };
}

/** A live session, its person, and whether it has passed every factor the person needs (as of its lookup). */
export interface SessionState {
  staff: Staff;
  session: StaffSession;
  fullySignedIn: boolean;
  /** The organisation the session was switched in from (a linked account), or null. */
  switchedFrom: string | null;
  /**
   * The statistics version (db/statistics.ts) read with the session: figures cached while it is unchanged
   * (`cachedWhileStatsUnchanged`) are checked against it instead of reading it again.
   */
  statsVersion: number;
  /** The staff directory version read with the session: lists of colleagues are kept while it is unchanged. */
  directoryVersion: number;
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
      eb.or([eb("expires_at", "<=", at.toISOString()), eb("last_seen_at", "<=", new Date(at.getTime() - SESSION_IDLE_MS).toISOString())]),
    )
    .execute();
}

function sessionToken(request: Request): string | undefined {
  return readCookie(request, SESSION_COOKIE);
}

/** The request's session and person, looked up once per page request however many loaders ask (request-scope.server.ts). */
function sessionStateOf(request: Request, db: Kysely<Database>): Promise<SessionState | null> {
  const token = sessionToken(request);
  return requestMemo(request, `staff-session:${token ?? ""}`, () => lookupSessionState(db, token));
}

/**
 * Starts a session after a successful login. Any session the browser already had is ended first (rotation),
 * so a token planted before login is worthless afterwards. Returns the Set-Cookie header value.
 *
 * For someone who receives corruption reports, `password` turns into the key that opens their private key, held in
 * memory against this session until the second factor is passed (app/models/report/key-vault.server.ts).
 *
 * A switch from a linked account of another organisation (app/models/staff/links.server.ts) passes `switchedFrom` (that
 * organisation's code, so cutting the link ends this session) and `mfaVerified` when the session it came from had
 * passed its own second factor; it has no password here, so report keys stay locked until the unlock page.
 */
export async function createSession(
  request: Request,
  staff: Pick<Staff, "id" | "role">,
  db: Kysely<Database> = getDb(),
  opts: { password?: string; switchedFrom?: string; mfaVerified?: boolean } = {},
): Promise<string> {
  const old = sessionToken(request);
  if (old && TOKEN_RE.test(old)) forgetSession(sha256Hex(old));
  await deleteSessionRecord(db, old);
  if (Math.random() < 0.05) await purgeExpiredSessions(db);
  const token = await createSessionRecord(db, staff.id, {
    switchedFrom: opts.switchedFrom,
    mfaVerifiedAt: opts.mfaVerified ? now().toISOString() : null,
  });
  if (opts.password !== undefined && holdsReportKeys(staff)) await prepareUnlock(db, { token }, staff.id, opts.password);
  return serializeCookie(SESSION_COOKIE, token, { maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000) });
}

/** Ends the browser's session (and forgets its unlocked keys); returns the Set-Cookie header value that clears the cookie. */
export async function destroySession(request: Request, db: Kysely<Database> = getDb()): Promise<string> {
  const token = sessionToken(request);
  if (token && TOKEN_RE.test(token)) forgetSession(sha256Hex(token));
  await deleteSessionRecord(db, token);
  return clearSessionCookie();
}

export function clearSessionCookie(): string {
  return serializeCookie(SESSION_COOKIE, "", { maxAge: 0 });
}

/** The signed-in staff member (with every factor their role needs), or null. */
export async function getStaff(request: Request, db: Kysely<Database> = getDb()): Promise<Staff | null> {
  const state = await sessionStateOf(request, db);
  return state && state.fullySignedIn ? state.staff : null;
}

function backPath(request: Request): string {
  const path = appPathname(request);
  return request.method === "GET" ? path + new URL(request.url).search : path;
}

/**
 * Where a session still waiting for its second factor must go: the step when the person has a factor (an
 * authenticator app or a passkey), the first-time set-up otherwise; then back to `redirectTo`. Async: passkeys are
 * looked up in the database.
 */
export async function secondFactorPath(
  staff: Pick<Staff, "id" | "totp_enabled_at">,
  redirectTo?: string,
  db: Kysely<Database> = getDb(),
): Promise<string> {
  const base = staff.totp_enabled_at || (await passkeyCount(db, staff.id)) > 0 ? SECOND_FACTOR_PATH : SECOND_FACTOR_SETUP_PATH;
  return redirectTo && redirectTo !== "/staff" ? `${base}?redirectTo=${encodeURIComponent(redirectTo)}` : base;
}

/**
 * Where to go after the second factor (or its set-up): a back-office path other than the sign-in pages themselves
 * (and the passkey endpoint); /staff otherwise, which sends integrity officers on to their queue.
 */
export function afterSecondFactorPath(raw: unknown): string {
  const p = safeRedirectPath(raw, "/staff");
  const blocked = ["/staff/login", "/staff/logout", "/staff/totp", "/staff/webauthn"];
  const inStaff = p === "/staff" || p.startsWith("/staff/") || p.startsWith("/staff?");
  return inStaff && !blocked.some((b) => p.startsWith(b)) ? p : "/staff";
}

async function passkeyCount(db: Kysely<Database>, staffId: number): Promise<number> {
  const row = await db
    .selectFrom("staff_passkeys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("staff_id", "=", staffId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * The signed-in staff member; otherwise redirects to the login page (and back here afterwards). Someone whose session
 * has not passed the second factor they need is sent to the second-factor step (or to its set-up the first time).
 */
export async function requireStaff(request: Request, db: Kysely<Database> = getDb()): Promise<Staff> {
  return (await requireStaffState(request, db)).staff;
}

/** Like requireStaff, with the rest of what the session's lookup read (SessionState). */
export async function requireStaffState(request: Request, db: Kysely<Database> = getDb()): Promise<SessionState> {
  const token = sessionToken(request);
  const state = await sessionStateOf(request, db);
  if (state && state.fullySignedIn) return state;
  if (state) throw redirect(await secondFactorPath(state.staff, backPath(request), db));
  const headers = new Headers();
  if (token) headers.append("Set-Cookie", clearSessionCookie());
  throw redirect(`/staff/login?redirectTo=${encodeURIComponent(backPath(request))}`, { headers });
}

/**
 * For the second-factor pages: a staff member who passed the password but not yet the second factor. Fully signed-in
 * staff go to /staff; no session, or a pending one older than MFA_PENDING_MS, goes back to the login page.
 */
export async function requirePendingMfaStaff(request: Request, db: Kysely<Database> = getDb()): Promise<Staff> {
  const token = sessionToken(request);
  const state = await sessionStateOf(request, db);
  if (state && state.fullySignedIn) throw redirect("/staff");
  if (state && now().getTime() - Date.parse(state.session.created_at) < MFA_PENDING_MS) return state.staff;
  const headers = new Headers();
  if (state) await deleteSessionRecord(db, token);
  if (token) headers.append("Set-Cookie", clearSessionCookie());
  throw redirect("/staff/login", { headers });
}

/**
 * After a valid second factor: replaces the pending session by a new one (new token) marked mfa_verified_at, so the
 * token seen before the second factor is worthless afterwards. Returns the Set-Cookie header value.
 */
export async function markMfaVerified(
  request: Request,
  staffId: number,
  db: Kysely<Database> = getDb(),
  opts: { recoveryCodes?: string[] | null } = {},
): Promise<string> {
  const token = sessionToken(request);
  const state = await lookupSessionState(db, token);
  if (!state || state.staff.id !== staffId) throw redirect("/staff/login");
  const at = now().toISOString();
  // The password's key, from this server's memory or the pending session's seal (read before the row goes).
  const kek = holdsReportKeys(state.staff) && token ? await takePendingUnlock(db, { token }, staffId) : null;
  const fresh = await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("staff_sessions").where("id", "=", state.session.id).execute();
    // A session switched in from a linked account stays marked as such: cutting the link must still end it.
    return createSessionRecord(trx, staffId, { mfaVerifiedAt: at, switchedFrom: state.switchedFrom ?? undefined });
  });
  // The key held since the password step opens (or, the first time, creates) the report keys for the new session.
  if (holdsReportKeys(state.staff)) await completeUnlock(db, kek, { token: fresh }, staffId);
  // Recovery codes issued by this step travel with the new session to the page that shows them once.
  if (opts.recoveryCodes?.length) await stashRecoveryCodes(db, fresh, staffId, opts.recoveryCodes);
  return serializeCookie(SESSION_COOKIE, fresh, { maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000) });
}

/** Whether this person receives corruption reports (and so has report keys). */
export function holdsReportKeys(staff: Pick<Staff, "role">): boolean {
  return staff.role === "integrity";
}

export const UNLOCK_PATH = "/staff/unlock";
export const RECOVERY_KEY_PATH = "/staff/keys/recovery";

/**
 * A signed-in integrity officer with their report keys unlocked in this session (at this server, or sealed in the
 * session's row by another). Without unlocked keys (a session older than its keys' seal, a seal that does not open)
 * they are sent to the unlock page; a recovery key made at their first sign-in is shown
 * before anything else.
 */
export async function requireReportKeys(request: Request, db: Kysely<Database> = getDb()): Promise<{ staff: Staff; keys: UnlockedKeys }> {
  const staff = await requireStaff(request, db);
  if (!holdsReportKeys(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  const back = backPath(request);
  const session = vaultSessionOf(request);
  // Keys unlocked at another server (or before a restart) come from the session's seal, with a recovery key still to show.
  const keys = session ? await keysOfSession(db, session, staff.id) : null;
  if (hasNewRecoveryKey(staff.id)) throw redirect(`${RECOVERY_KEY_PATH}?redirectTo=${encodeURIComponent(back)}`);
  if (!keys) throw redirect(`${UNLOCK_PATH}?redirectTo=${encodeURIComponent(back)}`);
  return { staff, keys };
}

/**
 * This request's session for the passkey endpoints: the person, the session row's id, whether it has passed every
 * factor (and whether a second factor was checked in it), and whether a pending one is still within MFA_PENDING_MS.
 * Null without a (live) session. Never redirects.
 */
export async function currentSession(
  request: Request,
  db: Kysely<Database> = getDb(),
): Promise<{ staff: Staff; sessionId: string; fullySignedIn: boolean; pendingOpen: boolean; mfaVerified: boolean } | null> {
  const state = await sessionStateOf(request, db);
  if (!state) return null;
  const fullySignedIn = state.fullySignedIn;
  const pendingOpen = !fullySignedIn && now().getTime() - Date.parse(state.session.created_at) < MFA_PENDING_MS;
  return {
    staff: state.staff,
    sessionId: state.session.id,
    fullySignedIn,
    pendingOpen,
    mfaVerified: state.session.mfa_verified_at !== null,
  };
}

/** The sha256 id of this request's staff session (for the key vault), or null. */
export function sessionIdOf(request: Request): string | null {
  const token = sessionTokenOf(request);
  return token ? sha256Hex(token) : null;
}

/** This request's session cookie token (well-formed), or null. */
export function sessionTokenOf(request: Request): string | null {
  const token = sessionToken(request);
  return token && TOKEN_RE.test(token) ? token : null;
}

/** This request's session as the key vault names it (by its cookie token, so keys are sealed to its row), or null. */
export function vaultSessionOf(request: Request): { token: string } | null {
  const token = sessionTokenOf(request);
  return token ? { token } : null;
}
