import crypto from "node:crypto";

/**
 * The one place that encrypts data at rest. Envelope: "v1." + base64url(iv | tag | ciphertext), AES-256-GCM.
 * `aad` binds a ciphertext to its row so it cannot be moved to another one.
 */
export function encryptText(plaintext: string, keyB64url: string, aad = ""): string {
  const key = decodeKey(keyB64url);
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return "v1." + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString("base64url");
}

/** Decrypts an envelope from `encryptText`; throws if it was tampered with or the key/aad is wrong. */
export function decryptText(envelope: string, keyB64url: string, aad = ""): string {
  if (!envelope.startsWith("v1.")) throw new Error("Unknown envelope version");
  const raw = Buffer.from(envelope.slice(3), "base64url");
  if (raw.length < 28) throw new Error("Envelope too short");
  const decipher = crypto.createDecipheriv("aes-256-gcm", decodeKey(keyB64url), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

function decodeKey(b64: string): Buffer {
  const key = Buffer.from(b64, "base64url");
  if (key.length !== 32) throw new Error("Key must be 32 bytes");
  return key;
}

/** sha256 hex of a string or buffer. */
export function sha256Hex(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** A random URL-safe token with `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

const NONCE_BYTES = 16;
const noncePool = Buffer.alloc(NONCE_BYTES * 256);
let nonceNext = noncePool.length;

/**
 * A CSP nonce (16 random bytes, base64), new for every response. Drawn from the same CSPRNG as every other secret,
 * 256 at a time (as Node does for randomUUID): one call into OpenSSL per 256 responses instead of one per response.
 * Each nonce's bytes are used once.
 */
export function cspNonce(): string {
  if (nonceNext === noncePool.length) {
    crypto.randomFillSync(noncePool);
    nonceNext = 0;
  }
  const nonce = noncePool.toString("base64", nonceNext, nonceNext + NONCE_BYTES);
  nonceNext += NONCE_BYTES;
  return nonce;
}

/**
 * A 32-byte token (base64url) as a page may carry it: 32 fresh random bytes, then the token's bytes XOR those, base64url
 * (86 characters), different every time it is called; unmaskToken gives the token back. For a secret repeated in
 * compressed responses (the CSRF token), so no two responses carry the same bytes.
 */
export function maskToken(token: string): string {
  const bytes = Buffer.from(token, "base64url");
  if (bytes.length !== 32) throw new Error("maskToken: not a 32-byte token");
  const pad = crypto.randomBytes(bytes.length);
  const masked = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) masked[i] = bytes[i]! ^ pad[i]!;
  return Buffer.concat([pad, masked]).toString("base64url");
}

/** The token inside maskToken's output; null when `masked` is not one (wrong length or alphabet). */
export function unmaskToken(masked: string): string | null {
  if (!/^[A-Za-z0-9_-]{86}$/.test(masked)) return null;
  const bytes = Buffer.from(masked, "base64url");
  if (bytes.length !== 64) return null;
  const token = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) token[i] = bytes[i]! ^ bytes[32 + i]!;
  return token.toString("base64url");
}

/** Constant-time string equality. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/** A 32-byte key for one purpose, derived (HKDF-SHA256) from a master key, as base64url. */
export function deriveKey(masterB64url: string, purpose: string): string {
  return Buffer.from(crypto.hkdfSync("sha256", decodeKey(masterB64url), Buffer.alloc(0), `sujarit:${purpose}`, 32)).toString("base64url");
}
