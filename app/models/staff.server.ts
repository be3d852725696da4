/**
 * Staff accounts: creation (argon2id), listing, disabling, and password checks with per-account throttling.
 * Login answers never say whether the e-mail or the password was wrong, and take about as long either way.
 */
import argon2 from "argon2";
import type { Kysely, Transaction } from "kysely";
import type { Database, Staff, StaffRole } from "../../db/schema";
import { now } from "~/utils/clock.server";
import { limiter } from "~/utils/rate-limit.server";
import { isStaffRole } from "~/lib/permissions";

type Executor = Kysely<Database> | Transaction<Database>;

/** Failures before an account is locked, and the first lock's length (doubling with each further series). */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_LOCK_MS = 15 * 60_000;
const LOGIN_LOCK_MAX_MS = 24 * 3600_000;

export const PASSWORD_MIN_LENGTH = 12;

export class StaffInputError extends Error {
  constructor(
    message: string,
    readonly code: "email_taken" | "bad_role" | "division_required" | "unknown_division" | "weak_password" | "bad_email" | "bad_name",
  ) {
    super(message);
    this.name = "StaffInputError";
  }
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
  password: string;
}

/** Creates a staff account; officers must belong to a division. */
export async function createStaff(db: Executor, input: NewStaffInput): Promise<Staff> {
  const email = normalizeEmail(input.email);
  const name = input.name.normalize("NFC").trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) throw new StaffInputError("Invalid e-mail address", "bad_email");
  if (!name || name.length > 200) throw new StaffInputError("Name is required (at most 200 characters)", "bad_name");
  if (!isStaffRole(input.role)) throw new StaffInputError(`Unknown role: ${String(input.role)}`, "bad_role");
  if (input.role === "officer" && input.divisionId === null) throw new StaffInputError("Officers need a division", "division_required");
  if (input.password.length < PASSWORD_MIN_LENGTH) {
    throw new StaffInputError(`Password must have at least ${PASSWORD_MIN_LENGTH} characters`, "weak_password");
  }
  if (input.divisionId !== null) {
    const d = await db.selectFrom("divisions").select("id").where("id", "=", input.divisionId).executeTakeFirst();
    if (!d) throw new StaffInputError("Unknown division", "unknown_division");
  }
  const existing = await db.selectFrom("staff").select("id").where("email", "=", email).executeTakeFirst();
  if (existing) throw new StaffInputError("A staff account with this e-mail already exists", "email_taken");
  const password_hash = await hashPassword(input.password);
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
      created_at: now().toISOString(),
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

/** Active staff who can be given cases of a division (or of every division when `divisionId` is undefined). */
export async function listAssignableStaff(db: Executor, divisionId?: number | null) {
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
  return db.transaction().execute(async (trx) => {
    const s = await trx.selectFrom("staff").select("id").where("email", "=", normalizeEmail(email)).executeTakeFirst();
    if (!s) return false;
    await trx.updateTable("staff").set({ active: 0 }).where("id", "=", s.id).execute();
    await trx.deleteFrom("staff_sessions").where("staff_id", "=", s.id).execute();
    return true;
  });
}

/** Lock length after `failures` failed logins (0 while below the threshold). */
export function lockDurationMs(failures: number): number {
  if (failures < LOGIN_MAX_FAILURES || failures % LOGIN_MAX_FAILURES !== 0) return 0;
  const series = failures / LOGIN_MAX_FAILURES; // 1, 2, 3 …
  return Math.min(LOGIN_LOCK_MS * 2 ** (series - 1), LOGIN_LOCK_MAX_MS);
}

export type LoginResult =
  | { ok: true; staff: Staff }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAfterSec: number };

/** Same threshold for addresses that have no account, so a lock does not reveal that an account exists. */
const unknownAccountLimiter = () => limiter("login-unknown-account", LOGIN_MAX_FAILURES - 1, LOGIN_LOCK_MS);

/**
 * Checks an e-mail and password. Verifies against a dummy hash when there is no such (active) account, so the
 * answer takes comparable time; after 5 failures the account is locked for 15 minutes, then 30, 60 … (max 24 h).
 */
export async function verifyLogin(db: Kysely<Database>, email: string, password: string): Promise<LoginResult> {
  const key = normalizeEmail(email);
  const at = now();
  const staff = await db.selectFrom("staff").selectAll().where("email", "=", key).executeTakeFirst();
  if (!staff) {
    await argon2.verify(await getDummyHash(), password).catch(() => false);
    const hit = unknownAccountLimiter().hit(key, at.getTime());
    if (!hit.allowed) return { ok: false, reason: "locked", retryAfterSec: hit.retryAfterSec };
    return { ok: false, reason: "invalid" };
  }
  if (staff.locked_until && staff.locked_until > at.toISOString()) {
    await argon2.verify(await getDummyHash(), password).catch(() => false);
    return { ok: false, reason: "locked", retryAfterSec: Math.ceil((Date.parse(staff.locked_until) - at.getTime()) / 1000) };
  }
  const matches = await argon2.verify(staff.password_hash, password).catch(() => false);
  if (matches && staff.active === 1) {
    const updated = await db
      .updateTable("staff")
      .set({ failed_logins: 0, locked_until: null, last_login_at: at.toISOString() })
      .where("id", "=", staff.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true, staff: updated };
  }
  // Count the failure atomically (two parallel guesses both count).
  const row = await db
    .updateTable("staff")
    .set((eb) => ({ failed_logins: eb("failed_logins", "+", 1) }))
    .where("id", "=", staff.id)
    .returning(["failed_logins"])
    .executeTakeFirstOrThrow();
  const lockMs = lockDurationMs(row.failed_logins);
  if (lockMs > 0) {
    await db
      .updateTable("staff")
      .set({ locked_until: new Date(at.getTime() + lockMs).toISOString() })
      .where("id", "=", staff.id)
      .execute();
    return { ok: false, reason: "locked", retryAfterSec: Math.ceil(lockMs / 1000) };
  }
  return { ok: false, reason: "invalid" };
}

/** A random password of `length` characters from an unambiguous alphabet. */
export function generatePassword(length = 24): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = new Uint32Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}
