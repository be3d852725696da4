/**
 * Staff accounts: creation (argon2id), listing, disabling, and password checks with per-account throttling.
 * Login answers never say whether the e-mail or the password was wrong, and take about as long either way.
 *
 * Throttling never locks the real person out: wrong passwords make further attempts for that account from
 * UNFAMILIAR clients wait (30 s after the 5th failure, doubling with each further one, at most 15 minutes), while the
 * person's own recent client (a device cookie set at their last sign-in, app/utils/device.server.ts) is never refused
 * because of someone else's failures. Each attempt is counted before the argon2 check, so parallel guesses all count.
 */
import { VersionedCache } from "~/utils/version-cache.server";
import argon2 from "argon2";
import type { Kysely } from "kysely";
import type { Database, Staff, StaffRole } from "../../../db/schema";
import { now } from "~/utils/clock.server";
import { limiter } from "~/utils/rate-limit.server";
import { isStaffRole } from "~/lib/permissions";
import { DomainError } from "~/lib/domain-error";
import { inTransaction, type Executor } from "../../../db/connection";
import { PASSWORD_MIN_LENGTH, passwordProblem } from "./password-policy.server";

/** Failures after which unfamiliar clients wait before trying the account again, the first wait and the longest. */
export const LOGIN_FREE_FAILURES = 5;
export const LOGIN_FIRST_WAIT_MS = 30_000;
export const LOGIN_MAX_WAIT_MS = 15 * 60_000;

export { PASSWORD_MIN_LENGTH } from "./password-policy.server";

type StaffInputProblem =
  "email_taken" | "bad_role" | "division_required" | "unknown_division" | "weak_password" | "bad_email" | "bad_name" | "bad_position";

const PROBLEM_FIELD: Record<StaffInputProblem, string> = {
  email_taken: "email",
  bad_email: "email",
  bad_name: "name",
  bad_role: "role",
  division_required: "division",
  unknown_division: "division",
  bad_position: "position",
  weak_password: "email",
};

/**
 * Input a new account cannot be made from: a DomainError on the form field (key accounts.errors.<problem>), its
 * message a plain English sentence for the staff CLI.
 */
function staffInputError(sentence: string, problem: StaffInputProblem): DomainError {
  const e = DomainError.invalid(PROBLEM_FIELD[problem], `accounts.errors.${problem}`, { ns: "staff" });
  e.message = sentence;
  return e;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

let dummyHash: Promise<string> | null = null;
/** A hash of a random password with the same parameters, verified when the account does not exist. */
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`);
  return dummyHash;
}

export function normalizeEmail(email: string): string {
  return email.normalize("NFC").trim().toLowerCase();
}

export interface NewStaffInput {
  email: string;
  name: string;
  role: StaffRole;
  divisionId: number | null;
  /** Set by the person through their enrolment link when omitted (the account cannot sign in until then). */
  password?: string;
  position?: string;
  nicknames?: string;
}

/** Creates a staff account; officers must belong to a division. */
export async function createStaff(db: Executor, input: NewStaffInput): Promise<Staff> {
  const email = normalizeEmail(input.email);
  const name = input.name.normalize("NFC").trim();
  const position = (input.position ?? "").normalize("NFC").trim();
  const nicknames = (input.nicknames ?? "").normalize("NFC").trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) throw staffInputError("Invalid e-mail address", "bad_email");
  if (!name || name.length > 200) throw staffInputError("Name is required (at most 200 characters)", "bad_name");
  if (position.length > 200 || nicknames.length > 200)
    throw staffInputError("Position and nicknames: at most 200 characters", "bad_position");
  if (!isStaffRole(input.role)) throw staffInputError(`Unknown role: ${String(input.role)}`, "bad_role");
  if (input.role === "officer" && input.divisionId === null) throw staffInputError("Officers need a division", "division_required");
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, { email });
    if (problem)
      throw staffInputError(
        `The password is not allowed (${problem}): at least ${PASSWORD_MIN_LENGTH} characters, not a common password`,
        "weak_password",
      );
  }
  if (input.divisionId !== null) {
    const d = await db.selectFrom("divisions").select("id").where("id", "=", input.divisionId).executeTakeFirst();
    if (!d) throw staffInputError("Unknown division", "unknown_division");
  }
  const existing = await db.selectFrom("staff").select("id").where("email", "=", email).executeTakeFirst();
  if (existing) throw staffInputError("A staff account with this e-mail already exists", "email_taken");
  const password_hash = input.password === undefined ? "" : await hashPassword(input.password);
  const at = now().toISOString();
  return db
    .insertInto("staff")
    .values({
      email,
      name,
      role: input.role,
      division_id: input.divisionId,
      password_hash,
      active: 1,
      locked_until: null,
      last_login_at: null,
      created_at: at,
      password_changed_at: input.password === undefined ? null : at,
      position,
      nicknames,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type StaffListRow = Pick<Staff, "id" | "email" | "name" | "role" | "division_id" | "active" | "last_login_at" | "created_at"> & {
  division_code: string | null;
  division_name_th: string | null;
  division_name_en: string | null;
};

/** All staff accounts with their division (no password hashes). */
export async function listStaff(db: Executor): Promise<StaffListRow[]> {
  return db
    .selectFrom("staff")
    .leftJoin("divisions", "divisions.id", "staff.division_id")
    .select([
      "staff.id",
      "staff.email",
      "staff.name",
      "staff.role",
      "staff.division_id",
      "staff.active",
      "staff.last_login_at",
      "staff.created_at",
      "divisions.code as division_code",
      "divisions.name_th as division_name_th",
      "divisions.name_en as division_name_en",
    ])
    .orderBy("staff.active", "desc")
    .orderBy("staff.name")
    .execute();
}

type AssignablePerson = Pick<Staff, "id" | "name" | "role" | "division_id">;
/** Lists kept per database and division while its staff directory version (read with the session) is unchanged. */
const assignableCache = new VersionedCache<AssignablePerson[]>();

/**
 * Active staff who can be given cases (in a division, not an executive), by name: of every division when `divisionId`
 * is undefined, only its people when given (null: nobody). `directoryVersion`: the staff directory version this
 * request read with its session (SessionState.directoryVersion): the list is kept while that is unchanged.
 */
export async function listAssignableStaff(
  db: Executor,
  divisionId?: number | null,
  opts: { directoryVersion?: number } = {},
): Promise<AssignablePerson[]> {
  const version = opts.directoryVersion;
  if (version === undefined) return readAssignableStaff(db, divisionId);
  return assignableCache.get(db, String(divisionId), version, () => readAssignableStaff(db, divisionId));
}

async function readAssignableStaff(db: Executor, divisionId?: number | null): Promise<AssignablePerson[]> {
  let q = db
    .selectFrom("staff")
    .select(["id", "name", "role", "division_id"])
    .where("active", "=", 1)
    .where("role", "!=", "executive")
    .where("division_id", "is not", null)
    .orderBy("name");
  if (divisionId !== undefined) q = divisionId === null ? q.where("id", "=", -1) : q.where("division_id", "=", divisionId);
  return q.execute();
}

export async function getStaffById(db: Executor, id: number): Promise<Staff | undefined> {
  return db.selectFrom("staff").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function getStaffByEmail(db: Executor, email: string): Promise<Staff | undefined> {
  return db.selectFrom("staff").selectAll().where("email", "=", normalizeEmail(email)).executeTakeFirst();
}

/** Disables an account and ends all of its sessions (one transaction). Returns false if there is no such account. */
export async function disableStaff(db: Kysely<Database>, email: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const s = await trx.selectFrom("staff").select("id").where("email", "=", normalizeEmail(email)).executeTakeFirst();
    if (!s) return false;
    await trx.updateTable("staff").set({ active: 0 }).where("id", "=", s.id).execute();
    await trx.deleteFrom("staff_sessions").where("staff_id", "=", s.id).execute();
    return true;
  });
}

/** How long unfamiliar clients wait after `failures` failed logins (0 below the threshold; doubling, capped). */
export function loginWaitMs(failures: number): number {
  if (failures < LOGIN_FREE_FAILURES) return 0;
  return Math.min(LOGIN_FIRST_WAIT_MS * 2 ** (failures - LOGIN_FREE_FAILURES), LOGIN_MAX_WAIT_MS);
}

export type LoginResult =
  { ok: true; staff: Staff } | { ok: false; reason: "invalid" } | { ok: false; reason: "locked"; retryAfterSec: number };

/** Unknown addresses wait the same way, so a wait does not reveal that an account exists. */
const unknownAccountLimiter = () => limiter("login-unknown-account", LOGIN_FREE_FAILURES, LOGIN_MAX_WAIT_MS);

/**
 * Checks an e-mail and password. `knownDevice`: the request comes from a client this account signed in from recently
 * (device cookie) — never made to wait for other people's failures. Verifies against a dummy hash when there is no
 * such (active, enrolled) account, so the answer takes comparable time.
 */
export async function verifyLogin(
  db: Kysely<Database>,
  email: string,
  password: string,
  opts: { knownDevice?: boolean } = {},
): Promise<LoginResult> {
  const key = normalizeEmail(email);
  const at = now();
  const staff = await db.selectFrom("staff").selectAll().where("email", "=", key).executeTakeFirst();
  if (!staff || staff.active !== 1 || staff.password_hash === "") {
    const peek = unknownAccountLimiter().peek(key, at.getTime());
    if (peek.blocked && !opts.knownDevice) return { ok: false, reason: "locked", retryAfterSec: peek.retryAfterSec };
    unknownAccountLimiter().hit(key, at.getTime());
    await argon2.verify(await getDummyHash(), password).catch(() => false);
    return { ok: false, reason: "invalid" };
  }
  if (!opts.knownDevice && staff.locked_until && staff.locked_until > at.toISOString()) {
    return { ok: false, reason: "locked", retryAfterSec: Math.ceil((Date.parse(staff.locked_until) - at.getTime()) / 1000) };
  }
  // Counted before the check, so parallel guesses all count; a success clears it.
  const counted = await db
    .updateTable("staff")
    .set((eb) => ({ failed_logins: eb("failed_logins", "+", 1) }))
    .where("id", "=", staff.id)
    .returning(["failed_logins"])
    .executeTakeFirstOrThrow();
  const matches = await argon2.verify(staff.password_hash, password).catch(() => false);
  if (matches) {
    const updated = await db
      .updateTable("staff")
      .set({ failed_logins: 0, locked_until: null, last_login_at: at.toISOString() })
      .where("id", "=", staff.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true, staff: updated };
  }
  const wait = loginWaitMs(counted.failed_logins);
  if (wait > 0) {
    await db
      .updateTable("staff")
      .set({ locked_until: new Date(at.getTime() + wait).toISOString() })
      .where("id", "=", staff.id)
      .execute();
  }
  return { ok: false, reason: "invalid" };
}

/** Clears the failures and the wait of an account (the staff CLI's `unlock`). Returns false if there is no such account. */
export async function clearLoginFailures(db: Executor, email: string): Promise<Staff | null> {
  const row = await db
    .updateTable("staff")
    .set({ failed_logins: 0, locked_until: null })
    .where("email", "=", normalizeEmail(email))
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/** A random password of `length` characters from an unambiguous alphabet. */
export function generatePassword(length = 24): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = new Uint32Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}
