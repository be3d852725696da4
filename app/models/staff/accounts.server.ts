/**
 * The life of a staff account: an account is created without a password and the person sets their own
 * through a one-time enrolment link; they change it themselves (current password required); an administrator's reset
 * is a new link. No password is ever printed, shown to someone else or e-mailed.
 *
 * - Links: 32 random bytes in the URL, stored only as sha256, single use, valid ENROLMENT_HOURS; a new link for an
 *   account replaces its unused ones.
 * - A report recipient's private key is sealed under their password (app/models/report/staff-keys.server.ts): a change
 *   seals it again under the new one; after a reset, their recovery key opens it again (and a new recovery key is
 *   shown once), and without it a new key pair is made at their next sign-in — reports they held then need a colleague
 *   who holds them to give access again.
 * - Every step is in the audit log; a password change or reset ends the person's other sessions and forgets their
 *   recognised devices.
 */
import crypto from "node:crypto";
import argon2 from "argon2";
import type { Kysely } from "kysely";
import type { Database, Staff } from "../../../db/schema";
import { now } from "~/utils/clock.server";
import { DomainError } from "~/lib/domain-error";
import { canAdminister } from "~/lib/permissions";
import { inTransaction } from "../../../db/connection";
import { sha256Hex } from "~/utils/crypto.server";
import { appendAudit } from "../audit/audit.server";
import { passwordProblem, type PasswordProblem } from "./password-policy.server";
import { createStaff, hashPassword } from "./staff.server";
import { forgetStaff, stashRecoveryKey } from "../report/key-vault.server";
import {
  deriveKeyEncryptionKey,
  keyEncryptionKeyFor,
  recoverStaffKeys,
  resealStaffKeys,
  staffKeyInfo,
  StaffKeyLockedError,
} from "../report/staff-keys.server";
import { publicUrl } from "~/utils/public-url.server";
import { cutLinks, endSwitchedSessionsElsewhere } from "./links.server";

export const ENROLMENT_HOURS = 72;

/** Who acts: an administrator (staff id) or the staff CLI (operating-system user). */
export interface AccountActor {
  staffId: number | null;
  role: string | null;
  osUser?: string | null;
}

/** A password refused (too short, common, not confirmed, wrong current password): on the field to correct. */
function passwordRejected(problem: PasswordProblem | "mismatch" | "wrongCurrent"): DomainError {
  const field = problem === "wrongCurrent" ? "current" : problem === "mismatch" ? "confirm" : "password";
  return DomainError.invalid(field, `enrol.problems.${problem}`, { ns: "staff" });
}

/** The enrolment link is unknown, used or expired (no field: the whole page says so). */
function enrolmentInvalid(): DomainError {
  return DomainError.conflict("enrol.invalid", { ns: "staff" });
}

/** Administration of accounts: an administrator on the page, or the staff CLI (no staff id, an OS user). */
function assertMayAdminister(by: AccountActor): void {
  if (by.staffId !== null && !canAdminister({ role: (by.role ?? "") as Staff["role"] })) throw DomainError.forbidden();
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export function enrolmentUrl(token: string): string {
  return `${publicUrl()}/staff/enrol?t=${token}`;
}

/** A new one-time link for an account (its unused links are removed). The token is returned once and never stored. */
export async function createEnrolment(
  db: Kysely<Database>,
  staffId: number,
  purpose: "enrol" | "reset",
  by: AccountActor,
): Promise<{ token: string; url: string; expiresAt: string }> {
  const token = crypto.randomBytes(32).toString("base64url");
  const at = now();
  const expiresAt = new Date(at.getTime() + ENROLMENT_HOURS * 3600_000).toISOString();
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom("staff_enrolments").where("staff_id", "=", staffId).where("used_at", "is", null).execute();
    await trx
      .insertInto("staff_enrolments")
      .values({
        staff_id: staffId,
        token_hash: sha256Hex(token),
        purpose,
        created_at: at.toISOString(),
        expires_at: expiresAt,
        used_at: null,
        created_by: by.staffId,
        created_by_os_user: by.osUser ?? null,
      })
      .execute();
    await appendAudit(trx, {
      actorId: by.staffId,
      actorRole: by.role,
      action: purpose === "enrol" ? "staff.enrolment_link" : "staff.reset_link",
      targetType: "staff",
      targetId: staffId,
      details: { expiresAt, ...(by.osUser ? { osUser: by.osUser } : {}) },
    });
  });
  return { token, url: enrolmentUrl(token), expiresAt };
}

export interface OpenEnrolment {
  id: number;
  purpose: "enrol" | "reset";
  staff: Staff;
  expiresAt: string;
  /** A report recipient who has a key pair: a recovery key can open it again. */
  holdsReportKeys: boolean;
}

/** The enrolment a token belongs to, if it is unused, unexpired and its account active; otherwise null. */
export async function findEnrolment(db: Kysely<Database>, token: unknown): Promise<OpenEnrolment | null> {
  if (typeof token !== "string" || !TOKEN_RE.test(token)) return null;
  const row = await db.selectFrom("staff_enrolments").selectAll().where("token_hash", "=", sha256Hex(token)).executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now().toISOString()) return null;
  const staff = await db.selectFrom("staff").selectAll().where("id", "=", row.staff_id).executeTakeFirst();
  if (!staff || staff.active !== 1) return null;
  return { id: row.id, purpose: row.purpose, staff, expiresAt: row.expires_at, holdsReportKeys: !!(await staffKeyInfo(db, staff.id)) };
}

/**
 * Sets the password through a link (single use). For a reset of a report recipient: with `recoveryKey` their key pair
 * is opened and sealed under the new password (a new recovery key waits to be shown once); without it their key pair
 * is removed and a new one is made at their next sign-in. Refusals are DomainErrors: the link (409, no field), the
 * password (field password/confirm) or the recovery key (field recoveryKey); nothing changes then, and the link
 * stays usable.
 */
export async function completeEnrolment(
  db: Kysely<Database>,
  token: unknown,
  input: { password: string; confirm: string; recoveryKey?: string },
): Promise<{ staff: Staff; keys: "kept" | "replaced" | "none" }> {
  const open = await findEnrolment(db, token);
  if (!open) throw enrolmentInvalid();
  if (input.password !== input.confirm) throw passwordRejected("mismatch");
  const problem = passwordProblem(input.password, { email: open.staff.email });
  if (problem) throw passwordRejected(problem);
  let keys: "kept" | "replaced" | "none" = open.holdsReportKeys ? "replaced" : "none";
  let newRecoveryKey: string | null = null;
  if (open.holdsReportKeys && input.recoveryKey && input.recoveryKey.trim() !== "") {
    try {
      newRecoveryKey = (await recoverStaffKeys(db, open.staff.id, input.recoveryKey, await deriveKeyEncryptionKey(input.password)))
        .recoveryKey;
      keys = "kept";
    } catch (e) {
      if (e instanceof StaffKeyLockedError) throw DomainError.invalid("recoveryKey", "enrol.problems.recoveryKey", { ns: "staff" });
      throw e;
    }
  }
  const hash = await hashPassword(input.password);
  const at = now().toISOString();
  // Whoever sets a password through a reset link (the administrator made it) must prove every other organisation again:
  // the account's links to them are cut first (docs/decisions/0016-one-sign-in-across-organisations.md).
  if (open.purpose === "reset") await cutLinks(db, open.staff.id, { actorId: null, actorRole: null, reason: "password_reset" });
  const staff = await inTransaction(db, async (trx) => {
    const used = await trx
      .updateTable("staff_enrolments")
      .set({ used_at: at })
      .where("id", "=", open.id)
      .where("used_at", "is", null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw enrolmentInvalid();
    if (keys === "replaced") await trx.deleteFrom("staff_keys").where("staff_id", "=", open.staff.id).execute();
    const updated = await trx
      .updateTable("staff")
      .set({ password_hash: hash, password_changed_at: at, failed_logins: 0, locked_until: null })
      .where("id", "=", open.staff.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.deleteFrom("staff_sessions").where("staff_id", "=", open.staff.id).execute();
    await appendAudit(trx, {
      actorId: open.staff.id,
      actorRole: open.staff.role,
      action: open.purpose === "enrol" ? "staff.enrolled" : "staff.password_reset",
      targetType: "staff",
      targetId: open.staff.id,
      details: { reportKeys: keys },
    });
    return updated;
  });
  // Unlocked keys of old sessions are forgotten; the new recovery key waits for the page that shows it once.
  forgetStaff(open.staff.id);
  if (newRecoveryKey) stashRecoveryKey(open.staff.id, newRecoveryKey);
  return { staff, keys };
}

/**
 * Changes one's own password (the current one is required). A report recipient's private key is sealed again under
 * the new password. The person's other sessions end (`keepSessionId` stays) and their devices are forgotten.
 */
export async function changePassword(
  db: Kysely<Database>,
  staff: Staff,
  input: { current: string; password: string; confirm: string },
  keepSessionId: string | null,
): Promise<Staff> {
  const ok = staff.password_hash !== "" && (await argon2.verify(staff.password_hash, input.current).catch(() => false));
  if (!ok) throw passwordRejected("wrongCurrent");
  if (input.password !== input.confirm) throw passwordRejected("mismatch");
  const problem = passwordProblem(input.password, { email: staff.email });
  if (problem) throw passwordRejected(problem);
  if (await staffKeyInfo(db, staff.id)) {
    await resealStaffKeys(
      db,
      staff.id,
      await keyEncryptionKeyFor(db, staff.id, input.current),
      await deriveKeyEncryptionKey(input.password),
    );
  }
  const hash = await hashPassword(input.password);
  const at = now().toISOString();
  // Whoever switched to a linked account with the old password is out there too (the links stay; ADR 0016).
  await endSwitchedSessionsElsewhere(staff.id);
  return inTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable("staff")
      .set({ password_hash: hash, password_changed_at: at })
      .where("id", "=", staff.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    let others = trx.deleteFrom("staff_sessions").where("staff_id", "=", staff.id);
    if (keepSessionId) others = others.where("id", "!=", keepSessionId);
    await others.execute();
    await appendAudit(trx, {
      actorId: staff.id,
      actorRole: staff.role,
      action: "staff.password_change",
      targetType: "staff",
      targetId: staff.id,
      details: {},
    });
    return updated;
  });
}

// ---- administration (the admin page and the staff CLI) -----------------------------------------------------------

export interface AccountRow {
  id: number;
  email: string;
  name: string;
  role: Staff["role"];
  divisionId: number | null;
  position: string;
  nicknames: string;
  active: boolean;
  /** No password set yet (enrolment pending). */
  pending: boolean;
  /** Unfamiliar clients wait until then (ISO), or null. */
  waitUntil: string | null;
  failedLogins: number;
  /** An unused link's expiry, or null. */
  linkExpiresAt: string | null;
  lastLoginAt: string | null;
}

export async function listAccounts(db: Kysely<Database>): Promise<AccountRow[]> {
  const at = now().toISOString();
  const rows = await db.selectFrom("staff").selectAll().orderBy("active", "desc").orderBy("name").execute();
  const links = await db
    .selectFrom("staff_enrolments")
    .select(["staff_id", "expires_at"])
    .where("used_at", "is", null)
    .where("expires_at", ">", at)
    .execute();
  const linkOf = new Map(links.map((l) => [l.staff_id, l.expires_at]));
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    divisionId: r.division_id,
    position: r.position,
    nicknames: r.nicknames,
    active: r.active === 1,
    pending: r.password_hash === "",
    waitUntil: r.locked_until && r.locked_until > at ? r.locked_until : null,
    failedLogins: r.failed_logins,
    linkExpiresAt: linkOf.get(r.id) ?? null,
    lastLoginAt: r.last_login_at,
  }));
}

/** Creates an account without a password and its enrolment link (returned once). Audited. */
export async function createAccount(
  db: Kysely<Database>,
  input: { email: string; name: string; role: Staff["role"]; divisionId: number | null; position?: string; nicknames?: string },
  by: AccountActor,
): Promise<{ staff: Staff; url: string; expiresAt: string }> {
  assertMayAdminister(by);
  const staff = await inTransaction(db, async (trx) => {
    const created = await createStaff(trx, input);
    await appendAudit(trx, {
      actorId: by.staffId,
      actorRole: by.role,
      action: "staff.create",
      targetType: "staff",
      targetId: created.id,
      details: { role: created.role, ...(by.osUser ? { osUser: by.osUser } : {}) },
    });
    return created;
  });
  const link = await createEnrolment(db, staff.id, "enrol", by);
  return { staff, url: link.url, expiresAt: link.expiresAt };
}

/** A password reset: a new link (the current password keeps working until the link is used). Audited. */
export async function resetPassword(
  db: Kysely<Database>,
  staffId: number,
  by: AccountActor,
): Promise<{ url: string; expiresAt: string; holdsReportKeys: boolean }> {
  assertMayAdminister(by);
  const staff = await db.selectFrom("staff").select(["id", "active"]).where("id", "=", staffId).executeTakeFirst();
  if (!staff) throw enrolmentInvalid();
  const link = await createEnrolment(db, staffId, "reset", by);
  return { ...link, holdsReportKeys: !!(await staffKeyInfo(db, staffId)) };
}

/** Ends the wait unfamiliar clients have after failed logins. Audited. */
export async function unlockAccount(db: Kysely<Database>, staffId: number, by: AccountActor): Promise<void> {
  assertMayAdminister(by);
  await inTransaction(db, async (trx) => {
    await trx.updateTable("staff").set({ failed_logins: 0, locked_until: null }).where("id", "=", staffId).execute();
    await appendAudit(trx, {
      actorId: by.staffId,
      actorRole: by.role,
      action: "staff.unlock",
      targetType: "staff",
      targetId: staffId,
      details: by.osUser ? { osUser: by.osUser } : {},
    });
  });
}

/**
 * Disables (ending every session, forgetting unlocked keys) or enables an account. Audited. An administrator cannot
 * change their own account this way (field staffId, accounts.errors.self).
 */
export async function setAccountActive(db: Kysely<Database>, staffId: number, active: boolean, by: AccountActor): Promise<void> {
  assertMayAdminister(by);
  if (by.staffId === staffId) throw DomainError.invalid("staffId", "accounts.errors.self", { ns: "staff" });
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable("staff")
      .set({ active: active ? 1 : 0 })
      .where("id", "=", staffId)
      .execute();
    if (!active) await trx.deleteFrom("staff_sessions").where("staff_id", "=", staffId).execute();
    await appendAudit(trx, {
      actorId: by.staffId,
      actorRole: by.role,
      action: active ? "staff.enable" : "staff.disable",
      targetType: "staff",
      targetId: staffId,
      details: by.osUser ? { osUser: by.osUser } : {},
    });
  });
  if (!active) forgetStaff(staffId);
}

/** Position and nicknames (shown to reporters and matched in report texts). Audited. */
export async function updateAccountProfile(
  db: Kysely<Database>,
  staffId: number,
  input: { position: string; nicknames: string },
  by: AccountActor,
): Promise<void> {
  const position = input.position.normalize("NFC").trim().slice(0, 200);
  const nicknames = input.nicknames
    .normalize("NFC")
    .split(/[,،、]/)
    .map((n) => n.trim())
    .filter(Boolean)
    .join(", ")
    .slice(0, 200);
  assertMayAdminister(by);
  await inTransaction(db, async (trx) => {
    await trx.updateTable("staff").set({ position, nicknames }).where("id", "=", staffId).execute();
    await appendAudit(trx, {
      actorId: by.staffId,
      actorRole: by.role,
      action: "staff.profile",
      targetType: "staff",
      targetId: staffId,
      details: {},
    });
  });
}
