/**
 * Report recipients' key pairs (GlobaLeaks' model, one step further):
 *
 * - Each person who can receive corruption reports has an X25519 key pair made from a random 32-byte seed.
 * - The seed is stored only encrypted (AES-256-GCM, bound to the staff id) under a key derived from their password
 *   with argon2id and a salt of its own (KEY_KDF), and a second time under a key derived from a recovery key that is
 *   shown to them once. Nobody else — not the operator with every file, not an administrator — can open it.
 * - The public key is stored in the clear: filing a report needs only public keys. Opening the seed re-derives the
 *   public key and compares it with the stored one, so a public key swapped in the database is noticed at sign-in.
 *
 * Unlocked keys live only in memory, for the life of one sign-in session (key-vault.server.ts).
 */
import crypto from "node:crypto";
import argon2 from "argon2";
import type { Executor } from "../../../db/connection";
import { bangkokDateKey } from "~/lib/thai-date";
import { DomainError } from "~/lib/domain-error";
import { now } from "~/utils/clock.server";
import { personKeysFromSeed, publicKeyFingerprint, type PersonKeys } from "./crypto.server";

/**
 * argon2id parameters of the key that protects a recipient's private key (stated in the README): the same cost as the
 * password hash itself (64 MiB, 3 passes, 4 lanes). Each key pair records the parameters it was sealed with.
 */
export const KEY_KDF = { memoryCost: 64 * 1024, timeCost: 3, parallelism: 4 } as const;
export type KdfParams = { memoryCost: number; timeCost: number; parallelism: number };

/** The public key stored for a staff member does not match their own private key (it was replaced). */
export class StaffKeyMismatchError extends DomainError {
  constructor() {
    super(409, "keys.errors.mismatch", { ns: "integrity" });
    this.message = "The stored public key does not belong to this person's private key";
    this.name = "StaffKeyMismatchError";
  }
}

/** The password (or recovery key) does not open the stored private key. */
export class StaffKeyLockedError extends DomainError {
  constructor() {
    super(422, "keys.errors.invalid", { ns: "integrity" });
    this.message = "The private key could not be opened";
    this.name = "StaffKeyLockedError";
  }
}

/** The key that opens a sealed seed: derived once per sign-in, kept only as long as needed. */
export interface KeyEncryptionKey {
  key: Buffer;
  salt: Buffer;
  params: KdfParams;
}

export async function deriveKeyEncryptionKey(
  password: string,
  salt: Buffer = crypto.randomBytes(16),
  params: KdfParams = KEY_KDF,
): Promise<KeyEncryptionKey> {
  const raw = await argon2.hash(password.normalize("NFC"), { type: argon2.argon2id, raw: true, salt, hashLength: 32, ...params });
  return { key: Buffer.from(raw), salt, params };
}

/** The key-encryption key for this person's password: with their stored salt and parameters, or new ones (no key pair yet). */
export async function keyEncryptionKeyFor(db: Executor, staffId: number, password: string): Promise<KeyEncryptionKey> {
  const row = await db.selectFrom("staff_keys").select(["kdf_salt", "kdf"]).where("staff_id", "=", staffId).executeTakeFirst();
  if (!row) return deriveKeyEncryptionKey(password);
  const stored = JSON.parse(row.kdf) as Partial<KdfParams>;
  const params: KdfParams = {
    memoryCost: Number(stored.memoryCost) || KEY_KDF.memoryCost,
    timeCost: Number(stored.timeCost) || KEY_KDF.timeCost,
    parallelism: Number(stored.parallelism) || KEY_KDF.parallelism,
  };
  return deriveKeyEncryptionKey(password, Buffer.from(row.kdf_salt, "base64url"), params);
}

const seedAad = (staffId: number, purpose: "password" | "recovery") => Buffer.from(`sujarit:staff-key:${staffId}:${purpose}`, "utf8");

function sealSeed(seed: Buffer, key: Buffer, aad: Buffer): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(seed), cipher.final()]);
  return "sk1." + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString("base64url");
}

function openSeed(sealed: string, key: Buffer, aad: Buffer): Buffer {
  if (!sealed.startsWith("sk1.")) throw new StaffKeyLockedError();
  const raw = Buffer.from(sealed.slice(4), "base64url");
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAAD(aad);
    decipher.setAuthTag(raw.subarray(12, 28));
    const seed = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    if (seed.length !== 32) throw new Error("bad seed");
    return seed;
  } catch {
    throw new StaffKeyLockedError();
  }
}

// ---- recovery keys -----------------------------------------------------------------------------------------------

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A new recovery key: 160 random bits as 32 Crockford base-32 characters in groups of four. */
export function generateRecoveryKey(): string {
  const bytes = crypto.randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out.match(/.{4}/g)!.join("-");
}

/** What a person typed → the 32 canonical characters, or null. Accepts lower case, spaces, dashes, O/I/L look-alikes. */
export function normalizeRecoveryKey(input: unknown): string | null {
  if (typeof input !== "string" || input.length > 80) return null;
  const s = input
    .toUpperCase()
    .replace(/[\s\-_.]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  return /^[0-9A-HJKMNP-TV-Z]{32}$/.test(s) ? s : null;
}

function recoveryWrappingKey(normalized: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", Buffer.from(normalized, "utf8"), Buffer.alloc(0), "sujarit:staff-key-recovery", 32));
}

// ---- the stored key pair -------------------------------------------------------------------------------------------

export interface StaffKeyInfo {
  staffId: number;
  publicKey: Buffer;
  fingerprint: string;
  hasRecovery: boolean;
}

export async function staffKeyInfo(db: Executor, staffId: number): Promise<StaffKeyInfo | null> {
  const row = await db
    .selectFrom("staff_keys")
    .select(["staff_id", "public_key", "recovery_sealed_seed"])
    .where("staff_id", "=", staffId)
    .executeTakeFirst();
  if (!row) return null;
  const publicKey = Buffer.from(row.public_key, "base64url");
  return { staffId, publicKey, fingerprint: publicKeyFingerprint(publicKey), hasRecovery: !!row.recovery_sealed_seed };
}

/**
 * Creates a staff member's key pair, sealed under `kek` (derived from their password with their new salt) and under a
 * new recovery key, which is returned once and never stored. Replaces an earlier key pair (whose reports then need a
 * re-grant by another recipient).
 */
export async function createStaffKeys(
  db: Executor,
  staffId: number,
  kek: KeyEncryptionKey,
): Promise<{ keys: PersonKeys; recoveryKey: string }> {
  const seed = crypto.randomBytes(32);
  const keys = await personKeysFromSeed(seed);
  const recoveryKey = generateRecoveryKey();
  const values = {
    public_key: keys.publicKey.toString("base64url"),
    sealed_seed: sealSeed(seed, kek.key, seedAad(staffId, "password")),
    kdf_salt: kek.salt.toString("base64url"),
    kdf: JSON.stringify(kek.params),
    recovery_sealed_seed: sealSeed(seed, recoveryWrappingKey(normalizeRecoveryKey(recoveryKey)!), seedAad(staffId, "recovery")),
    created_on: bangkokDateKey(now()),
  };
  await db
    .insertInto("staff_keys")
    .values({ staff_id: staffId, ...values })
    .onConflict((oc) => oc.column("staff_id").doUpdateSet(values))
    .execute();
  seed.fill(0);
  return { keys, recoveryKey };
}

async function checked(seed: Buffer, storedPublic: string): Promise<PersonKeys> {
  const keys = await personKeysFromSeed(seed);
  const stored = Buffer.from(storedPublic, "base64url");
  if (stored.length !== keys.publicKey.length || !crypto.timingSafeEqual(stored, keys.publicKey)) throw new StaffKeyMismatchError();
  return keys;
}

/** Opens a staff member's key pair with the key derived from their password; null when they have none yet. */
export async function openStaffKeys(db: Executor, staffId: number, kek: KeyEncryptionKey): Promise<PersonKeys | null> {
  const row = await db.selectFrom("staff_keys").select(["public_key", "sealed_seed"]).where("staff_id", "=", staffId).executeTakeFirst();
  if (!row) return null;
  const seed = openSeed(row.sealed_seed, kek.key, seedAad(staffId, "password"));
  try {
    return await checked(seed, row.public_key);
  } finally {
    seed.fill(0);
  }
}

/** After a password change: the seed sealed again under the new password (the current password opens it first). */
export async function resealStaffKeys(db: Executor, staffId: number, current: KeyEncryptionKey, next: KeyEncryptionKey): Promise<boolean> {
  const row = await db.selectFrom("staff_keys").select(["public_key", "sealed_seed"]).where("staff_id", "=", staffId).executeTakeFirst();
  if (!row) return false;
  const seed = openSeed(row.sealed_seed, current.key, seedAad(staffId, "password"));
  try {
    await checked(seed, row.public_key);
    await db
      .updateTable("staff_keys")
      .set({
        sealed_seed: sealSeed(seed, next.key, seedAad(staffId, "password")),
        kdf_salt: next.salt.toString("base64url"),
        kdf: JSON.stringify(next.params),
      })
      .where("staff_id", "=", staffId)
      .execute();
    return true;
  } finally {
    seed.fill(0);
  }
}

/**
 * After a password reset: the recovery key opens the seed, which is sealed under the new password and under a NEW
 * recovery key (returned once; the old one no longer works). Throws StaffKeyLockedError for a wrong recovery key.
 */
export async function recoverStaffKeys(
  db: Executor,
  staffId: number,
  recoveryKey: string,
  next: KeyEncryptionKey,
): Promise<{ keys: PersonKeys; recoveryKey: string }> {
  const normalized = normalizeRecoveryKey(recoveryKey);
  const row = await db
    .selectFrom("staff_keys")
    .select(["public_key", "recovery_sealed_seed"])
    .where("staff_id", "=", staffId)
    .executeTakeFirst();
  if (!normalized || !row?.recovery_sealed_seed) throw new StaffKeyLockedError();
  const seed = openSeed(row.recovery_sealed_seed, recoveryWrappingKey(normalized), seedAad(staffId, "recovery"));
  try {
    const keys = await checked(seed, row.public_key);
    const fresh = generateRecoveryKey();
    await db
      .updateTable("staff_keys")
      .set({
        sealed_seed: sealSeed(seed, next.key, seedAad(staffId, "password")),
        kdf_salt: next.salt.toString("base64url"),
        kdf: JSON.stringify(next.params),
        recovery_sealed_seed: sealSeed(seed, recoveryWrappingKey(normalizeRecoveryKey(fresh)!), seedAad(staffId, "recovery")),
      })
      .where("staff_id", "=", staffId)
      .execute();
    return { keys, recoveryKey: fresh };
  } finally {
    seed.fill(0);
  }
}

/** Public keys of the given staff members who have a key pair. */
export async function publicKeysOf(db: Executor, staffIds: readonly number[]): Promise<Map<number, Buffer>> {
  if (staffIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("staff_keys")
    .select(["staff_id", "public_key"])
    .where("staff_id", "in", [...staffIds])
    .execute();
  return new Map(rows.map((r) => [r.staff_id, Buffer.from(r.public_key, "base64url")]));
}
