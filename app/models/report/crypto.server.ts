/**
 * Encryption of the report channel: the one place for its keys and ciphertexts (node:crypto and @hpke/core; no
 * home-made primitives).
 *
 * - Every report has its own random 256-bit content key. Everything about the report that is not needed in the clear
 *   for statistics (the submission, mode, exclusions, messages and who wrote them, notes, file names, the files) is
 *   AES-256-GCM-encrypted with it, with associated data naming the report and the record, so a ciphertext moved to
 *   another row or report fails to open.
 * - The content key is never stored in the clear. It is wrapped with HPKE (RFC 9180, base mode, DHKEM(X25519,
 *   HKDF-SHA256), HKDF-SHA256, AES-256-GCM) once for each recipient's X25519 public key and once for the reporter's
 *   key pair (derived from the receipt): filing needs only public keys.
 * - A wrapped key carries no name. Its row holds a second ephemeral public key (`tag_pub`) and a short view tag =
 *   SHA-256(label | X25519(tag secret, recipient public)), so a recipient finds their own wraps with one X25519 per
 *   row while a copy of the database does not say whom a wrap is for (nor, with the decoy rows, whom it is not for).
 * - People's private keys are 32-byte seeds (HPKE DeriveKeyPair input) stored only encrypted (staff-keys.server.ts).
 */
import crypto from "node:crypto";
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { decryptText, deriveKey, encryptText } from "~/utils/crypto.server";

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
const INFO = new TextEncoder().encode("sujarit report key v1");
const VIEW_TAG_LABEL = Buffer.from("sujarit view tag v1\0", "utf8");
const VIEW_TAG_BYTES = 12;

/** A fresh 32-byte report content key (or seed). */
export function newReportKey(): Buffer {
  return crypto.randomBytes(32);
}

// ---- people's key pairs ----------------------------------------------------------------------------------------

/** A person's key pair, ready to use: from a 32-byte seed (HPKE DeriveKeyPair, so the same seed gives the same keys). */
export interface PersonKeys {
  /** Raw X25519 public key (32 bytes). */
  publicKey: Buffer;
  /** For HPKE open. */
  hpkePrivate: CryptoKey;
  /** For the view-tag scan (node:crypto X25519). */
  scanPrivate: crypto.KeyObject;
}

const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

export async function personKeysFromSeed(seed: Buffer): Promise<PersonKeys> {
  if (seed.length !== 32) throw new Error("A key seed is 32 bytes");
  const pair = await suite.kem.deriveKeyPair(seed);
  const publicKey = Buffer.from(await suite.kem.serializePublicKey(pair.publicKey));
  const secret = Buffer.from(await suite.kem.serializePrivateKey(pair.privateKey));
  const scanPrivate = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, secret]), format: "der", type: "pkcs8" });
  secret.fill(0);
  return { publicKey, hpkePrivate: pair.privateKey, scanPrivate };
}

/**
 * The private half of an opened key pair (the serialized X25519 private key, 32 bytes), for sealing it to a session
 * (key-vault.server.ts). The caller wipes it after use.
 */
export function personSecret(keys: Pick<PersonKeys, "scanPrivate">): Buffer {
  const der = keys.scanPrivate.export({ format: "der", type: "pkcs8" });
  return Buffer.from(der.subarray(der.length - 32));
}

/** The key pair again from `personSecret`'s 32 bytes (the same keys as the seed they came from gave). */
export async function personKeysFromSecret(secret: Buffer): Promise<PersonKeys> {
  if (secret.length !== 32) throw new Error("An X25519 private key is 32 bytes");
  const hpkePrivate = await suite.kem.deserializePrivateKey(secret);
  const scanPrivate = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, secret]), format: "der", type: "pkcs8" });
  const publicKey = Buffer.from(crypto.createPublicKey(scanPrivate).export({ format: "jwk" }).x!, "base64url");
  return { publicKey, hpkePrivate, scanPrivate };
}

function nodePublicKey(raw: Buffer): crypto.KeyObject {
  if (raw.length !== 32) throw new Error("An X25519 public key is 32 bytes");
  return crypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: raw.toString("base64url") }, format: "jwk" });
}

/** sha256 of the raw public key, hex in groups of four (what an officer can compare). */
export function publicKeyFingerprint(raw: Buffer): string {
  return crypto.createHash("sha256").update(raw).digest("hex").match(/.{4}/g)!.slice(0, 8).join(" ");
}

// ---- wrapping a report key -------------------------------------------------------------------------------------------

/** One wrapped copy of a report key, as stored (every field base64url). */
export interface WrappedKey {
  tagPub: string;
  viewTag: string;
  enc: string;
  wrapped: string;
}

const wrapAad = (publicId: string) => new TextEncoder().encode(`sujarit:report-key:${publicId}`);

function viewTagOf(shared: Buffer): string {
  return crypto.createHash("sha256").update(VIEW_TAG_LABEL).update(shared).digest().subarray(0, VIEW_TAG_BYTES).toString("base64url");
}

/** Wraps `key` (32 bytes) for the holder of `recipientPublic`, bound to the report's public id. */
export async function wrapReportKeyFor(recipientPublic: Buffer, key: Buffer, publicId: string): Promise<WrappedKey> {
  if (key.length !== 32) throw new Error("Report key must be 32 bytes");
  const recipient = await suite.kem.deserializePublicKey(recipientPublic);
  const sealed = await suite.seal({ recipientPublicKey: recipient, info: INFO }, key, wrapAad(publicId));
  const tag = crypto.generateKeyPairSync("x25519");
  const shared = crypto.diffieHellman({ privateKey: tag.privateKey, publicKey: nodePublicKey(recipientPublic) });
  const tagPub = Buffer.from(tag.publicKey.export({ format: "jwk" }).x!, "base64url");
  return {
    tagPub: tagPub.toString("base64url"),
    viewTag: viewTagOf(shared),
    enc: Buffer.from(sealed.enc).toString("base64url"),
    wrapped: Buffer.from(sealed.ct).toString("base64url"),
  };
}

/**
 * A row that looks like a wrapped key and opens for nobody (for people who are not recipients), so the number of rows
 * is the number of people who were on the list when the report was filed.
 */
export function decoyWrappedKey(): WrappedKey {
  return {
    tagPub: crypto.generateKeyPairSync("x25519").publicKey.export({ format: "jwk" }).x!,
    viewTag: crypto.randomBytes(VIEW_TAG_BYTES).toString("base64url"),
    enc: crypto.generateKeyPairSync("x25519").publicKey.export({ format: "jwk" }).x!,
    wrapped: crypto.randomBytes(48).toString("base64url"),
  };
}

/** Whether this row is (probably) for this person: one X25519 and a hash; only a match is then opened. */
export function viewTagMatches(keys: Pick<PersonKeys, "scanPrivate">, row: Pick<WrappedKey, "tagPub" | "viewTag">): boolean {
  try {
    const shared = crypto.diffieHellman({ privateKey: keys.scanPrivate, publicKey: nodePublicKey(Buffer.from(row.tagPub, "base64url")) });
    const mine = Buffer.from(viewTagOf(shared));
    const theirs = Buffer.from(row.viewTag);
    return mine.length === theirs.length && crypto.timingSafeEqual(mine, theirs);
  } catch {
    return false;
  }
}

/** Opens a wrapped report key with a person's private key; throws when it is not theirs or was altered. */
export async function unwrapReportKey(
  keys: Pick<PersonKeys, "hpkePrivate">,
  row: Pick<WrappedKey, "enc" | "wrapped">,
  publicId: string,
): Promise<Buffer> {
  const pt = await suite.open(
    { recipientKey: keys.hpkePrivate, enc: Buffer.from(row.enc, "base64url"), info: INFO },
    Buffer.from(row.wrapped, "base64url"),
    wrapAad(publicId),
  );
  const key = Buffer.from(pt);
  if (key.length !== 32) throw new Error("Unwrapped key has the wrong length");
  return key;
}

// ---- content ---------------------------------------------------------------------------------------------------------

/** Encrypts a JSON-serialisable value with the report key; `aad` names the record it belongs to. */
export function sealJson(key: Buffer, value: unknown, aad: string): string {
  return encryptText(JSON.stringify(value), key.toString("base64url"), aad);
}

/** Decrypts a sealJson envelope; throws if it was tampered with or the key/aad does not match. */
export function openJson<T = unknown>(key: Buffer, envelope: string, aad: string): T {
  return JSON.parse(decryptText(envelope, key.toString("base64url"), aad)) as T;
}

/** A per-report value derived from the report key (e.g. the tag that links its audit entries), hex. */
export function reportKeyTag(key: Buffer, purpose: string): string {
  return crypto.createHmac("sha256", key).update(`sujarit:${purpose}`).digest("hex").slice(0, 32);
}

const FILE_MAGIC_V1 = Buffer.from("SJR1", "latin1");
const FILE_MAGIC_V2 = Buffer.from("SJR2", "latin1");

/**
 * Size classes of stored evidence: the plaintext is padded to the next class before encryption, so neither the
 * database nor the file on disk tells a file's exact size (which could identify a known document): 16 KiB, then
 * doubling (at most twice the space).
 */
export function paddedSize(n: number): number {
  let size = 16 * 1024;
  while (size < n + 4) size *= 2;
  return size;
}

/** Encrypts file bytes with the report key, padded to its size class: "SJR2" | iv | tag | ciphertext(len32 | bytes | 0…). */
export function encryptFile(key: Buffer, bytes: Buffer, aad = ""): Buffer {
  const padded = Buffer.alloc(paddedSize(bytes.length));
  padded.writeUInt32BE(bytes.length, 0);
  bytes.copy(padded, 4);
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(padded), cipher.final()]);
  return Buffer.concat([FILE_MAGIC_V2, iv, cipher.getAuthTag(), ct]);
}

/** Decrypts encryptFile output (and files of the first, unpadded format); throws if tampered with or the key/aad differs. */
export function decryptFile(key: Buffer, data: Buffer, aad = ""): Buffer {
  const magic = data.subarray(0, 4);
  const v2 = magic.equals(FILE_MAGIC_V2);
  if (data.length < 32 || (!v2 && !magic.equals(FILE_MAGIC_V1))) throw new Error("Not an encrypted report file");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, data.subarray(4, 16));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(data.subarray(16, 32));
  const plain = Buffer.concat([decipher.update(data.subarray(32)), decipher.final()]);
  if (!v2) return plain;
  const length = plain.readUInt32BE(0);
  if (length > plain.length - 4) throw new Error("Damaged report file");
  return plain.subarray(4, 4 + length);
}

// ---- the first format: report keys wrapped by the master key (only for the one-way migration) ------------------------

/** Opens a report key wrapped by the master key (format "mk1:"), for migration to per-recipient wraps only. */
export function unwrapLegacyReportKey(wrapped: string, publicId: string, masterKey: Buffer): Buffer {
  if (!wrapped.startsWith("mk1:")) throw new Error("Not a master-wrapped report key");
  const wrapping = deriveKey(masterKey.toString("base64url"), "report-key-wrap");
  const key = Buffer.from(decryptText(wrapped.slice(4), wrapping, `sujarit:report-key:${publicId}`), "base64url");
  if (key.length !== 32) throw new Error("Unwrapped key has the wrong length");
  return key;
}

/** The master-key wrap of the first format (tests that build a database as it was before the migration). */
export function wrapLegacyReportKey(key: Buffer, publicId: string, masterKey: Buffer): string {
  const wrapping = deriveKey(masterKey.toString("base64url"), "report-key-wrap");
  return "mk1:" + encryptText(key.toString("base64url"), wrapping, `sujarit:report-key:${publicId}`);
}
