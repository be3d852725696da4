/**
 * Second factor (TOTP) for integrity officers.
 *
 * - The TOTP secret is stored encrypted (AES-256-GCM) with a key derived from the master key that lives outside the
 *   database (app/utils/keys.server.ts), bound to the staff id (AAD): a copy of the database alone cannot produce codes.
 * - Setup: a pending secret is stored (totp_enabled_at NULL) and shown as a QR code; the officer confirms with a code
 *   from the app; only then is TOTP enabled and 10 recovery codes issued — shown once, stored as sha256 hashes.
 * - Verification: a TOTP code (current step ±1) or an unused recovery code. The step of an accepted code is stored
 *   (totp_last_step) with a compare-and-set, so a code cannot be used twice, even by two requests at once; a recovery
 *   code is removed the same way.
 * - Throttling: at most 5 wrong second-factor codes per account in 15 minutes (in memory, so a password re-entry does
 *   not reset it); reaching the limit also locks the account's password login for 15 minutes (staff.locked_until).
 * - Audit: login.totp (success, with the method; failures counted only in memory) and totp.setup.
 * - Passkeys (app/models/staff/passkeys.server.ts) share the failure count and the recovery codes: someone whose first factor
 *   is a passkey gets recovery codes too (issueRecoveryCodesIfNone) and may use them on the same step.
 */
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, Staff } from "../../../db/schema";
import { generateTotpSecret, normalizeTotpInput, otpauthUri, verifyTotp } from "~/lib/totp";
import { appendAudit } from "~/models/audit/audit.server";
import { now } from "~/utils/clock.server";
import { decryptText, deriveKey, encryptText, sha256Hex } from "~/utils/crypto.server";
import { getMasterKey } from "~/utils/keys.server";
import { limiter } from "~/utils/rate-limit.server";
import { DomainError } from "~/lib/domain-error";
import { inTransaction, type Executor } from "../../../db/connection";
import { UNCHANGED, updateSessionSeal } from "~/utils/session-seal.server";

export const RECOVERY_CODE_COUNT = 10;
export const MFA_MAX_FAILURES = 5;
export const MFA_WINDOW_MS = 15 * 60_000;
export const TOTP_ISSUER = "Sujarit";

/** Wrong codes per account (keyed by staff id; memory only). */
const failures = () => limiter("mfa-fail-account", MFA_MAX_FAILURES, MFA_WINDOW_MS);

export type MfaProblem = "invalid" | "replayed" | "locked" | "not_pending" | "already_enabled" | "not_enabled";

const MFA_STATUS: Record<MfaProblem, 409 | 422 | 429> = {
  invalid: 422,
  replayed: 422,
  locked: 429,
  not_pending: 409,
  already_enabled: 409,
  not_enabled: 409,
};

/**
 * A refused second factor, as a DomainError (message key secondFactor.errors.<code> in the staff namespace). The class
 * stays because the sign-in pages act on `code` and `retryAfterSec` (throttling, lock-out minutes, redirects).
 */
export class MfaError extends DomainError {
  constructor(
    readonly code: MfaProblem,
    readonly retryAfterSec = 0,
  ) {
    super(MFA_STATUS[code], `secondFactor.errors.${code}`, {
      ns: "staff",
      params: code === "locked" ? { minutes: Math.max(1, Math.ceil(retryAfterSec / 60)) } : {},
    });
    this.name = "MfaError";
  }
}

function totpKey(): string {
  return deriveKey(Buffer.from(getMasterKey()).toString("base64url"), "staff-totp-secret");
}

function aadFor(staffId: number): string {
  return `staff:${staffId}:totp`;
}

export function sealSecret(staffId: number, secret: string): string {
  return encryptText(secret, totpKey(), aadFor(staffId));
}

export function openSecret(staffId: number, envelope: string): string {
  return decryptText(envelope, totpKey(), aadFor(staffId));
}

/** Recovery codes: 10 characters from an unambiguous alphabet, shown as XXXXX-XXXXX (about 50 bits each). */
const RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export function generateRecoveryCode(): string {
  let out = "";
  for (let i = 0; i < 10; i++) out += RECOVERY_ALPHABET[crypto.randomInt(RECOVERY_ALPHABET.length)];
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

/** Upper-case, without spaces and dashes; null unless it looks like a recovery code. */
export function normalizeRecoveryCode(input: unknown): string | null {
  if (typeof input !== "string" || input.length > 40) return null;
  const s = input.toUpperCase().replace(/[\s-]/g, "");
  return /^[A-Z0-9]{10}$/.test(s) ? s : null;
}

export function hashRecoveryCode(code: string): string {
  return sha256Hex(`sujarit-recovery:${normalizeRecoveryCode(code) ?? ""}`);
}

async function loadStaff(db: Executor, staffId: number): Promise<Staff> {
  const s = await db.selectFrom("staff").selectAll().where("id", "=", staffId).executeTakeFirst();
  if (!s || s.active !== 1) throw new MfaError("invalid");
  return s;
}

export interface TotpSetup {
  secret: string;
  uri: string;
}

/**
 * The pending secret of an officer who has not enabled TOTP yet (created on first call, the same one on a reload,
 * so a QR code already scanned stays valid until confirmed).
 */
export async function beginTotpSetup(db: Kysely<Database>, staffId: number): Promise<TotpSetup> {
  const staff = await loadStaff(db, staffId);
  if (staff.totp_enabled_at) throw new MfaError("already_enabled");
  let secret: string | null = null;
  if (staff.totp_secret_enc) {
    try {
      secret = openSecret(staff.id, staff.totp_secret_enc);
    } catch {
      secret = null; // master key changed: start again
    }
  }
  if (!secret) {
    secret = generateTotpSecret();
    await db
      .updateTable("staff")
      .set({ totp_secret_enc: sealSecret(staff.id, secret), totp_last_step: null, recovery_codes: null })
      .where("id", "=", staff.id)
      .where("totp_enabled_at", "is", null)
      .execute();
  }
  return { secret, uri: otpauthUri({ secret, issuer: TOTP_ISSUER, account: staff.email }) };
}

function assertNotLocked(staffId: number, at: number) {
  const p = failures().peek(String(staffId), at);
  if (p.blocked) throw new MfaError("locked", p.retryAfterSec);
}

/** Throws MfaError("locked") while the account has had too many wrong second factors (any method, passkeys too). */
export function assertSecondFactorNotLocked(staffId: number): void {
  assertNotLocked(staffId, now().getTime());
}

/** Counts a wrong second factor of any method (a refused passkey too); throws MfaError("invalid" | "locked"). */
export async function countSecondFactorFailure(db: Executor, staffId: number): Promise<never> {
  return recordFailure(db, staffId, now());
}

/** Forgets the wrong second factors counted for the account (after a success). */
export function clearSecondFactorFailures(staffId: number): void {
  failures().reset(String(staffId));
}

/**
 * Gives the person recovery codes when they have none (their first second factor was a passkey): stores the hashes
 * and returns the plain codes for showing once; null when they already have some.
 */
export async function issueRecoveryCodesIfNone(db: Executor, staffId: number): Promise<string[] | null> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const r = await db
    .updateTable("staff")
    .set({ recovery_codes: JSON.stringify(codes.map(hashRecoveryCode)) })
    .where("id", "=", staffId)
    .where((eb) => eb.or([eb("recovery_codes", "is", null), eb("recovery_codes", "=", "[]")]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? codes : null;
}

/** How many unused recovery codes the person has. */
export function recoveryCodesLeft(staff: Pick<Staff, "recovery_codes">): number {
  if (!staff.recovery_codes) return 0;
  try {
    const v = JSON.parse(staff.recovery_codes) as unknown;
    return Array.isArray(v) ? v.length : 0;
  } catch {
    return 0;
  }
}

/** Counts a wrong code; at the limit the account's password login is locked too. */
async function recordFailure(db: Executor, staffId: number, at: Date): Promise<never> {
  const hit = failures().hit(String(staffId), at.getTime());
  if (!hit.allowed || hit.count >= MFA_MAX_FAILURES) {
    await db
      .updateTable("staff")
      .set({ locked_until: new Date(at.getTime() + MFA_WINDOW_MS).toISOString() })
      .where("id", "=", staffId)
      .execute();
    throw new MfaError("locked", Math.ceil(MFA_WINDOW_MS / 1000));
  }
  throw new MfaError("invalid");
}

/**
 * Confirms the pending secret with a code from the app: enables TOTP and returns 10 recovery codes (plain, for
 * showing once; only their hashes are stored).
 */
export async function confirmTotpSetup(db: Kysely<Database>, staffId: number, code: unknown): Promise<{ recoveryCodes: string[] }> {
  const at = now();
  assertNotLocked(staffId, at.getTime());
  const staff = await loadStaff(db, staffId);
  if (staff.totp_enabled_at) throw new MfaError("already_enabled");
  if (!staff.totp_secret_enc) throw new MfaError("not_pending");
  const secret = openSecret(staff.id, staff.totp_secret_enc);
  const check = verifyTotp(secret, code, { atMs: at.getTime(), lastStep: staff.totp_last_step });
  if (!check.ok) return recordFailure(db, staffId, at);
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const enabled = await inTransaction(db, async (trx) => {
    const r = await trx
      .updateTable("staff")
      .set({
        totp_enabled_at: at.toISOString(),
        totp_last_step: check.step,
        recovery_codes: JSON.stringify(recoveryCodes.map(hashRecoveryCode)),
      })
      .where("id", "=", staff.id)
      .where("totp_enabled_at", "is", null)
      .where("totp_secret_enc", "=", staff.totp_secret_enc)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await appendAudit(trx, {
      actorId: staff.id,
      actorRole: staff.role,
      action: "totp.setup",
      targetType: "staff",
      targetId: String(staff.id),
      details: { recoveryCodes: RECOVERY_CODE_COUNT },
    });
    return true;
  });
  if (!enabled) throw new MfaError("already_enabled");
  failures().reset(String(staffId));
  return { recoveryCodes };
}

export type SecondFactorMethod = "totp" | "recovery";

/**
 * Checks a TOTP code or a recovery code for an officer with TOTP enabled. Success is audited (login.totp).
 * Throws MfaError("invalid" | "replayed" | "locked" | "not_enabled").
 */
export async function verifySecondFactor(
  db: Kysely<Database>,
  staffId: number,
  input: unknown,
): Promise<{ method: SecondFactorMethod; recoveryCodesLeft: number }> {
  const at = now();
  assertNotLocked(staffId, at.getTime());
  const staff = await loadStaff(db, staffId);
  const totpOn = Boolean(staff.totp_enabled_at && staff.totp_secret_enc);
  // Someone whose only factor is a passkey can still use a recovery code here.
  if (!totpOn && recoveryCodesLeft(staff) === 0) throw new MfaError("not_enabled");
  const raw = typeof input === "string" ? input.trim() : "";
  const hashes: string[] = staff.recovery_codes ? (JSON.parse(staff.recovery_codes) as string[]) : [];

  let method: SecondFactorMethod;
  let left = hashes.length;
  // Six digits are a TOTP code; ten letters/digits a recovery code.
  const recovery = normalizeTotpInput(raw) ? null : normalizeRecoveryCode(raw);
  if (recovery) {
    const h = hashRecoveryCode(recovery);
    if (!hashes.includes(h)) return recordFailure(db, staffId, at);
    const remaining = hashes.filter((x) => x !== h);
    const used = await inTransaction(db, async (trx) => {
      const r = await trx
        .updateTable("staff")
        .set({ recovery_codes: JSON.stringify(remaining) })
        .where("id", "=", staff.id)
        .where("recovery_codes", "=", staff.recovery_codes)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await appendAudit(trx, {
        actorId: staff.id,
        actorRole: staff.role,
        action: "login.totp",
        targetType: "staff",
        targetId: String(staff.id),
        details: { method: "recovery", recoveryCodesLeft: remaining.length },
      });
      return true;
    });
    if (!used) return recordFailure(db, staffId, at); // used meanwhile by another request
    method = "recovery";
    left = remaining.length;
  } else {
    if (!totpOn || !staff.totp_secret_enc) return recordFailure(db, staffId, at);
    const secret = openSecret(staff.id, staff.totp_secret_enc);
    const check = verifyTotp(secret, raw, { atMs: at.getTime(), lastStep: staff.totp_last_step });
    if (!check.ok) {
      if (check.reason === "replayed") {
        failures().hit(String(staffId), at.getTime());
        throw new MfaError("replayed");
      }
      return recordFailure(db, staffId, at);
    }
    const ok = await inTransaction(db, async (trx) => {
      const r = await trx
        .updateTable("staff")
        .set({ totp_last_step: check.step })
        .where("id", "=", staff.id)
        .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", check.step)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await appendAudit(trx, {
        actorId: staff.id,
        actorRole: staff.role,
        action: "login.totp",
        targetType: "staff",
        targetId: String(staff.id),
        details: { method: "totp" },
      });
      return true;
    });
    if (!ok) throw new MfaError("replayed");
    method = "totp";
  }
  failures().reset(String(staffId));
  return { method, recoveryCodesLeft: left };
}

/** Whether the officer still has to set up TOTP. */
export function needsTotpSetup(staff: Pick<Staff, "totp_enabled_at">): boolean {
  return !staff.totp_enabled_at;
}

/**
 * Recovery codes between the setup POST and the page that shows them (POST → redirect → GET): sealed into the
 * session's row under a key from its cookie (app/utils/session-seal.server.ts), so whichever app server answers the GET
 * shows them, and for at most 10 minutes; taking them removes them, so they are shown exactly once.
 */
const RECOVERY_STASH_MS = 10 * 60_000;

export async function stashRecoveryCodes(db: Kysely<Database>, sessionToken: string, staffId: number, codes: string[]): Promise<void> {
  const until = now().getTime() + RECOVERY_STASH_MS;
  await updateSessionSeal(db, sessionToken, staffId, (s) => ({ ...s, recoveryCodes: { codes, until } }));
}

export async function takeRecoveryCodes(db: Kysely<Database>, sessionToken: string | null, staffId: number): Promise<string[] | null> {
  if (!sessionToken) return null;
  const held = (
    await updateSessionSeal(db, sessionToken, staffId, (s) => (s.recoveryCodes ? { ...s, recoveryCodes: undefined } : UNCHANGED))
  ).recoveryCodes;
  return held && held.until > now().getTime() ? held.codes : null;
}
