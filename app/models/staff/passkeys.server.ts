/**
 * Passkeys (WebAuthn, @simplewebauthn/server) as a second factor after the password.
 *
 * - Relying party: the host of PUBLIC_URL (rpID) and its origin; a response made for any other site is refused.
 * - Challenges: created when the browser asks for options (POST /staff/webauthn/options), kept server-side in
 *   staff_webauthn_challenges against the session row (one per session; a new request replaces it; deleted with the
 *   session), valid CHALLENGE_TTL_MS and consumed by the first answer, right or wrong.
 * - Registration: by a fully signed-in person (/staff/passkeys), or during the first-time set-up of a session that
 *   has passed the password only and whose person has no second factor yet — never otherwise, so a stolen password
 *   cannot add a passkey. Attestation "none" (no vendor data is asked for or kept); user verification preferred.
 * - Sign-in: only credentials of the session's own person are accepted (allowCredentials lists them); the signature
 *   counter must grow when the authenticator keeps one (a cloned authenticator shows up as a counter that goes back),
 *   and it is stored with a compare-and-set, so one answer cannot be used twice even by two requests at once.
 *   A refused answer counts as a wrong second factor (app/models/staff/mfa.server.ts: 5 in 15 minutes lock the account).
 * - Audit (no keys, ids of rows only): passkey.register, passkey.rename, passkey.remove, login.passkey.
 */
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { Database, Staff, StaffPasskey } from "../../../db/schema";
import { canRemovePasskey, isBase64Url, normalizePasskeyName, parseTransports, type PasskeyTransport } from "~/lib/second-factor";
import { appendAudit } from "~/models/audit/audit.server";
import { assertSecondFactorNotLocked, clearSecondFactorFailures, countSecondFactorFailure } from "~/models/staff/mfa.server";
import { roleRequiresSecondFactor, secondFactorState } from "~/models/staff/second-factor.server";
import { now } from "~/utils/clock.server";
import { deriveKey } from "~/utils/crypto.server";
import { getMasterKey } from "~/utils/keys.server";
import { log } from "~/utils/logger.server";
import { DomainError } from "~/lib/domain-error";
import { inTransaction, type Executor } from "../../../db/connection";
import { publicUrl } from "~/utils/public-url.server";

/** How long a challenge may be answered (also the browser's timeout). */
export const CHALLENGE_TTL_MS = 2 * 60_000;
export const MAX_PASSKEYS = 10;
const RP_NAME = "Sujarit";

/** Why a passkey step was refused: the code the sign-in pages act on, and the message shown for it. */
export type PasskeyProblem =
  | "no_challenge" // none, expired, already used, or for another purpose
  | "invalid" // the answer does not verify (wrong site, wrong challenge, bad signature, unknown credential)
  | "counter" // the counter went back: a cloned authenticator or a replay
  | "duplicate" // this credential is registered already
  | "bad_name"
  | "too_many"
  | "not_found"
  | "last_factor" // removing it would leave a role that needs a second factor without one
  | "not_allowed"; // registration from a session that may not add one

const PASSKEY_PROBLEM_KEY: Record<PasskeyProblem, string> = {
  no_challenge: "secondFactor.errors.expired",
  invalid: "secondFactor.errors.registerInvalid",
  counter: "secondFactor.errors.registerInvalid",
  duplicate: "secondFactor.errors.alreadyRegistered",
  bad_name: "secondFactor.errors.nameRequired",
  too_many: "secondFactor.errors.tooMany",
  not_found: "secondFactor.errors.failed",
  last_factor: "secondFactor.errors.lastFactor",
  not_allowed: "secondFactor.errors.forbidden",
};

/**
 * A refused passkey step, as a DomainError (message key in the staff namespace). The class stays because the
 * sign-in pages act on `code` (which refusals count as a wrong factor, which are logged) and not only show it.
 */
export class PasskeyError extends DomainError {
  constructor(readonly code: PasskeyProblem) {
    super(code === "duplicate" ? 409 : code === "not_allowed" ? 403 : 422, PASSKEY_PROBLEM_KEY[code], { ns: "staff" });
    this.name = "PasskeyError";
  }
}

/** The relying party: PUBLIC_URL's host and origin. */
export function relyingParty(): { rpID: string; origin: string; name: string } {
  const url = new URL(publicUrl());
  return { rpID: url.hostname, origin: url.origin, name: RP_NAME };
}

/** A stable, opaque WebAuthn user handle for a staff member (nothing personal; the same for all their passkeys). */
function userHandle(staffId: number): Uint8Array<ArrayBuffer> {
  const key = Buffer.from(deriveKey(Buffer.from(getMasterKey()).toString("base64url"), "webauthn-user-handle"), "base64url");
  const out = new Uint8Array(new ArrayBuffer(16));
  out.set(crypto.createHmac("sha256", key).update(`staff:${staffId}`).digest().subarray(0, 16));
  return out;
}

function toArrayBufferView(b: Buffer): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(b.length));
  out.set(b);
  return out;
}

async function storeChallenge(db: Executor, sessionId: string, purpose: "register" | "authenticate", challenge: string): Promise<void> {
  const expires = new Date(now().getTime() + CHALLENGE_TTL_MS).toISOString();
  await db
    .insertInto("staff_webauthn_challenges")
    .values({ session_id: sessionId, purpose, challenge, expires_at: expires })
    .onConflict((oc) => oc.column("session_id").doUpdateSet({ purpose, challenge, expires_at: expires }))
    .execute();
}

/** Takes the session's challenge (deleting it, whatever happens next); null when none is valid for `purpose`. */
async function takeChallenge(db: Executor, sessionId: string, purpose: "register" | "authenticate"): Promise<string | null> {
  const row = await db
    .deleteFrom("staff_webauthn_challenges")
    .where("session_id", "=", sessionId)
    .returning(["purpose", "challenge", "expires_at"])
    .executeTakeFirst();
  if (!row || row.purpose !== purpose || row.expires_at <= now().toISOString()) return null;
  return row.challenge;
}

/** The person's passkeys, oldest first. */
export async function listPasskeys(db: Executor, staffId: number): Promise<StaffPasskey[]> {
  return db.selectFrom("staff_passkeys").selectAll().where("staff_id", "=", staffId).orderBy("id").execute();
}

function descriptors(rows: Pick<StaffPasskey, "credential_id" | "transports">[]): { id: string; transports?: PasskeyTransport[] }[] {
  return rows.map((r) => {
    const transports = parseTransports(r.transports);
    return transports.length ? { id: r.credential_id, transports } : { id: r.credential_id };
  });
}

/** Options for adding a passkey (the challenge is stored against the session). */
export async function passkeyRegistrationOptions(
  db: Kysely<Database>,
  staff: Pick<Staff, "id" | "email" | "name">,
  sessionId: string,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = relyingParty();
  const existing = await listPasskeys(db, staff.id);
  if (existing.length >= MAX_PASSKEYS) throw new PasskeyError("too_many");
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.rpID,
    userID: userHandle(staff.id),
    userName: staff.email,
    userDisplayName: staff.name,
    timeout: CHALLENGE_TTL_MS,
    attestationType: "none",
    excludeCredentials: descriptors(existing),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
    // Ed25519, P-256, RSA: what phones, computers and security keys make.
    supportedAlgorithmIDs: [-8, -7, -257],
  });
  await storeChallenge(db, sessionId, "register", options.challenge);
  return options;
}

function parseJson<T>(raw: unknown): T | null {
  if (typeof raw !== "string" || raw.length > 64 * 1024) return null;
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === "object" ? (v as T) : null;
  } catch {
    return null;
  }
}

/**
 * Checks the browser's answer to the session's registration challenge and stores the passkey (audited). The caller
 * decides whether this session may add one at all (see the module comment).
 */
export async function registerPasskey(
  db: Kysely<Database>,
  staff: Pick<Staff, "id" | "role">,
  sessionId: string,
  input: { response: unknown; name: unknown },
): Promise<StaffPasskey> {
  const name = normalizePasskeyName(input.name);
  if (!name) throw new PasskeyError("bad_name");
  const challenge = await takeChallenge(db, sessionId, "register");
  if (!challenge) throw new PasskeyError("no_challenge");
  const response = parseJson<RegistrationResponseJSON>(input.response);
  if (!response || !isBase64Url(response.id)) throw new PasskeyError("invalid");
  const rp = relyingParty();
  let info: Extract<Awaited<ReturnType<typeof verifyRegistrationResponse>>, { verified: true }>["registrationInfo"];
  try {
    const v = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: false,
    });
    if (!v.verified) throw new Error("not verified");
    info = v.registrationInfo;
  } catch (e) {
    log.info("passkey registration refused", { staffId: staff.id, reason: (e as Error).message.slice(0, 200) });
    throw new PasskeyError("invalid");
  }
  const credentialId = info.credential.id;
  const transports = parseTransports(response.response?.transports ?? info.credential.transports ?? []);
  const at = now().toISOString();
  return inTransaction(db, async (trx) => {
    const count = await trx
      .selectFrom("staff_passkeys")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("staff_id", "=", staff.id)
      .executeTakeFirst();
    if (Number(count?.n ?? 0) >= MAX_PASSKEYS) throw new PasskeyError("too_many");
    const taken = await trx.selectFrom("staff_passkeys").select("id").where("credential_id", "=", credentialId).executeTakeFirst();
    if (taken) throw new PasskeyError("duplicate");
    const row = await trx
      .insertInto("staff_passkeys")
      .values({
        staff_id: staff.id,
        credential_id: credentialId,
        public_key: Buffer.from(info.credential.publicKey).toString("base64url"),
        counter: info.credential.counter,
        transports: JSON.stringify(transports),
        name,
        backed_up: info.credentialBackedUp ? 1 : 0,
        created_at: at,
        last_used_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      actorId: staff.id,
      actorRole: staff.role,
      action: "passkey.register",
      targetType: "staff",
      targetId: String(staff.id),
      details: {
        passkeyId: row.id,
        backedUp: info.credentialBackedUp,
        deviceType: info.credentialDeviceType,
        userVerified: info.userVerified,
      },
    });
    return row;
  });
}

/** Options for signing in with one of the person's passkeys (the challenge is stored against the session). */
export async function passkeyAuthenticationOptions(
  db: Kysely<Database>,
  staffId: number,
  sessionId: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rows = await listPasskeys(db, staffId);
  if (rows.length === 0) throw new PasskeyError("not_found");
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().rpID,
    allowCredentials: descriptors(rows),
    userVerification: "preferred",
    timeout: CHALLENGE_TTL_MS,
  });
  await storeChallenge(db, sessionId, "authenticate", options.challenge);
  return options;
}

/**
 * Checks the browser's answer to the session's sign-in challenge against the person's own passkeys; on success the
 * counter and last use are stored and login.passkey audited. Throws PasskeyError("no_challenge") (not counted as a
 * wrong factor: the page just asks again) or MfaError("invalid" | "locked") for a refused answer.
 */
export async function verifyPasskeySignIn(
  db: Kysely<Database>,
  staff: Pick<Staff, "id" | "role">,
  sessionId: string,
  rawResponse: unknown,
): Promise<{ passkeyId: number }> {
  assertSecondFactorNotLocked(staff.id);
  const challenge = await takeChallenge(db, sessionId, "authenticate");
  if (!challenge) throw new PasskeyError("no_challenge");
  const response = parseJson<AuthenticationResponseJSON>(rawResponse);
  const row =
    response && isBase64Url(response.id)
      ? await db
          .selectFrom("staff_passkeys")
          .selectAll()
          .where("credential_id", "=", response.id)
          .where("staff_id", "=", staff.id)
          .executeTakeFirst()
      : undefined;
  if (!response || !row) {
    log.info("passkey sign-in refused", { staffId: staff.id, reason: response ? "unknown credential" : "unreadable" });
    return countSecondFactorFailure(db, staff.id);
  }
  const rp = relyingParty();
  let newCounter: number;
  try {
    const v = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      credential: {
        id: row.credential_id,
        publicKey: toArrayBufferView(Buffer.from(row.public_key, "base64url")),
        counter: row.counter,
        transports: parseTransports(row.transports),
      },
      requireUserVerification: false,
    });
    if (!v.verified) throw new Error("not verified");
    newCounter = v.authenticationInfo.newCounter;
  } catch (e) {
    log.info("passkey sign-in refused", { staffId: staff.id, passkeyId: row.id, reason: (e as Error).message.slice(0, 200) });
    return countSecondFactorFailure(db, staff.id);
  }
  const at = now().toISOString();
  const ok = await inTransaction(db, async (trx) => {
    const r = await trx
      .updateTable("staff_passkeys")
      .set({ counter: newCounter, last_used_at: at })
      .where("id", "=", row.id)
      .where("counter", "=", row.counter)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await appendAudit(trx, {
      actorId: staff.id,
      actorRole: staff.role,
      action: "login.passkey",
      targetType: "staff",
      targetId: String(staff.id),
      details: { method: "passkey", passkeyId: row.id },
    });
    return true;
  });
  if (!ok) {
    // Another request used the same counter value meanwhile: one of the two is a replay.
    log.info("passkey sign-in refused", { staffId: staff.id, passkeyId: row.id, reason: "counter raced" });
    return countSecondFactorFailure(db, staff.id);
  }
  clearSecondFactorFailures(staff.id);
  return { passkeyId: row.id };
}

/** Renames one of the person's passkeys (audited without the name). */
export async function renamePasskey(
  db: Kysely<Database>,
  staff: Pick<Staff, "id" | "role">,
  passkeyId: number,
  rawName: unknown,
): Promise<void> {
  const name = normalizePasskeyName(rawName);
  if (!name) throw new PasskeyError("bad_name");
  await inTransaction(db, async (trx) => {
    const r = await trx
      .updateTable("staff_passkeys")
      .set({ name })
      .where("id", "=", passkeyId)
      .where("staff_id", "=", staff.id)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new PasskeyError("not_found");
    await appendAudit(trx, {
      actorId: staff.id,
      actorRole: staff.role,
      action: "passkey.rename",
      targetType: "staff",
      targetId: String(staff.id),
      details: { passkeyId },
    });
  });
}

/**
 * Removes one of the person's passkeys (audited). Refused with PasskeyError("last_factor") when their role needs a
 * second factor and this is their last one (no other passkey, no authenticator app).
 */
export async function removePasskey(db: Kysely<Database>, staff: Pick<Staff, "id" | "role">, passkeyId: number): Promise<void> {
  await inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("staff_passkeys")
      .select("id")
      .where("id", "=", passkeyId)
      .where("staff_id", "=", staff.id)
      .executeTakeFirst();
    if (!row) throw new PasskeyError("not_found");
    const fresh = await trx
      .selectFrom("staff")
      .select(["id", "role", "totp_enabled_at", "recovery_codes"])
      .where("id", "=", staff.id)
      .executeTakeFirstOrThrow();
    const state = await secondFactorState(trx, fresh);
    if (!canRemovePasskey(await roleRequiresSecondFactor(trx, fresh), state)) throw new PasskeyError("last_factor");
    await trx.deleteFrom("staff_passkeys").where("id", "=", passkeyId).execute();
    await appendAudit(trx, {
      actorId: staff.id,
      actorRole: staff.role,
      action: "passkey.remove",
      targetType: "staff",
      targetId: String(staff.id),
      details: { passkeyId, passkeysLeft: state.passkeys - 1, totp: state.totp },
    });
  });
}
