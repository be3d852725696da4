/**
 * Encryption of the report channel (AES-256-GCM from node:crypto; no home-made primitives).
 *
 * Every report has its own random 256-bit key. Everything the reporter submits (the form's fields, messages,
 * attachments and their names) and the officers' notes and messages are encrypted with that key; the report key is
 * stored only wrapped (encrypted) by the master key, which lives outside the database (app/utils/keys.server.ts).
 * Every ciphertext carries associated data naming the report and the kind of record, so a ciphertext moved to
 * another row or report fails to open.
 *
 * Envelopes are text "v1." + base64url(iv | tag | ciphertext) (see app/utils/crypto.server.ts); files are binary
 * "SJR1" | iv(12) | tag(16) | ciphertext.
 *
 * DESIGN NOTE (next step, GlobaLeaks model): add a table report_keys(report_id, holder, wrapped_key) where `holder`
 * is "master" or "staff:<id>", and wrap each new report key to every recipient officer's X25519 public key
 * (crypto.diffieHellman + HKDF -> AES-256-GCM, officers' private keys encrypted under a key derived from their
 * password). Then reports.wrapped_key (today: the "master" holder) can be dropped and not even the server operator
 * can read reports. Everything else in this module — per-report keys, sealJson/openJson, encryptFile/decryptFile —
 * stays as it is; only wrapReportKey/unwrapReportKey gain a holder argument.
 */
import crypto from "node:crypto";
import { decryptText, deriveKey, encryptText } from "~/utils/crypto.server";
import { getMasterKey } from "~/utils/keys.server";

/** A fresh 32-byte report key. */
export function newReportKey(): Buffer {
  return crypto.randomBytes(32);
}

function wrappingKey(): string {
  return deriveKey(getMasterKey().toString("base64url"), "report-key-wrap");
}

const wrapAad = (reportRef: string | number) => `sujarit:report-key:${reportRef}`;

/**
 * The report key wrapped by (a key derived from) the master key, bound to the report's public id (or any stable
 * identifier the caller uses consistently). Text, "mk1:" + envelope.
 */
export function wrapReportKey(key: Buffer, reportRef: string | number): string {
  if (key.length !== 32) throw new Error("Report key must be 32 bytes");
  return "mk1:" + encryptText(key.toString("base64url"), wrappingKey(), wrapAad(reportRef));
}

/** Inverse of wrapReportKey; throws if the wrapped key was altered or belongs to another report. */
export function unwrapReportKey(wrapped: string, reportRef: string | number): Buffer {
  if (!wrapped.startsWith("mk1:")) throw new Error("Unknown key wrapping");
  const key = Buffer.from(decryptText(wrapped.slice(4), wrappingKey(), wrapAad(reportRef)), "base64url");
  if (key.length !== 32) throw new Error("Unwrapped key has the wrong length");
  return key;
}

/** Encrypts a JSON-serialisable value with the report key; `aad` names the record it belongs to. */
export function sealJson(key: Buffer, value: unknown, aad: string): string {
  return encryptText(JSON.stringify(value), key.toString("base64url"), aad);
}

/** Decrypts a sealJson envelope; throws if it was tampered with or the key/aad does not match. */
export function openJson<T = unknown>(key: Buffer, envelope: string, aad: string): T {
  return JSON.parse(decryptText(envelope, key.toString("base64url"), aad)) as T;
}

const FILE_MAGIC = Buffer.from("SJR1", "latin1");

/** Encrypts file bytes with the report key: "SJR1" | iv | tag | ciphertext. */
export function encryptFile(key: Buffer, bytes: Buffer, aad = ""): Buffer {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(bytes), cipher.final()]);
  return Buffer.concat([FILE_MAGIC, iv, cipher.getAuthTag(), ct]);
}

/** Decrypts encryptFile output; throws if it was tampered with or the key/aad does not match. */
export function decryptFile(key: Buffer, data: Buffer, aad = ""): Buffer {
  if (data.length < 32 || !data.subarray(0, 4).equals(FILE_MAGIC)) throw new Error("Not an encrypted report file");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, data.subarray(4, 16));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(data.subarray(16, 32));
  return Buffer.concat([decipher.update(data.subarray(32)), decipher.final()]);
}
