/**
 * Keys of the corruption & misconduct report channel. They live OUTSIDE the database, so a copy of the database
 * file, its WAL or a backup of it reveals no report:
 *
 * - master key (32 bytes): env MASTER_KEY (base64) when set, otherwise <DATA_DIR>/keys/master.key (raw bytes,
 *   mode 0600, created once with flag "wx" so two processes starting together cannot both create one). It wraps
 *   each report's own key (app/models/report-crypto.server.ts) and, through HKDF, protects TOTP secrets.
 * - signing key (Ed25519): <DATA_DIR>/keys/signing.key (PKCS#8 PEM, 0600); signs proofs of filing.
 * - receipt pepper and installation salt (32 + 16 bytes): <DATA_DIR>/keys/report-secrets.json (0600); the inputs of
 *   the argon2id receipt hash (app/models/report/receipt-hash.server.ts).
 *
 * Losing these files makes every report unreadable and every receipt useless: back up <DATA_DIR>/keys separately
 * from the database (see README).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getEnv } from "./env.server";
import { activeSite, siteMemo } from "./site-context.server";

declare global {
  var __sujaritReportKeys:
    | {
        dir: string;
        master?: Buffer;
        signing?: SigningKeys;
        secrets?: { pepper: Buffer; salt: Buffer };
      }
    | undefined;
}

export interface SigningKeys {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  /** sha256 of the DER public key, hex, in groups of four (what a reporter can compare). */
  fingerprint: string;
  /** The public key as SPKI PEM (to publish, or to put in a receipt file). */
  publicKeyPem: string;
}

function cache() {
  const dir = path.join(getEnv().DATA_DIR, "keys");
  if (!globalThis.__sujaritReportKeys || globalThis.__sujaritReportKeys.dir !== dir) globalThis.__sujaritReportKeys = { dir };
  return globalThis.__sujaritReportKeys;
}

/** The keys folder, created 0700. */
export function keysDir(): string {
  const dir = cache().dir;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Reads a key file, creating it with `make()` (mode 0600, exclusive create) when absent. */
function readOrCreate(file: string, make: () => Buffer | string): Buffer {
  if (!fs.existsSync(file)) {
    try {
      fs.writeFileSync(file, make(), { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  return fs.readFileSync(file);
}

/**
 * The organisation's 32-byte master key: the installation's (below), or, when the installation serves several
 * organisations, the current one's, derived from the installation's (app/utils/sites.server.ts).
 */
export function getMasterKey(): Buffer {
  const site = activeSite();
  if (site) return site.reportKeys().master;
  return installationMasterKey();
}

/** The installation's 32-byte master key (env MASTER_KEY takes precedence over the key file). */
export function installationMasterKey(): Buffer {
  const c = cache();
  if (c.master) return c.master;
  const fromEnv = getEnv().MASTER_KEY;
  let key: Buffer;
  if (fromEnv) {
    key = Buffer.from(fromEnv, "base64");
  } else {
    key = readOrCreate(path.join(keysDir(), "master.key"), () => crypto.randomBytes(32));
  }
  if (key.length !== 32) throw new Error("The master key must be exactly 32 bytes; restore keys/master.key from backup.");
  c.master = key;
  return key;
}

/** The organisation's Ed25519 signing key pair (created on first use; derived for one of several organisations). */
export function getSigningKeys(): SigningKeys {
  const site = activeSite();
  if (site)
    return siteMemo("keys:signing", () =>
      signingKeysOf(crypto.createPrivateKey({ key: site.reportKeys().signingKeyDer, format: "der", type: "pkcs8" })),
    );
  const c = cache();
  if (c.signing) return c.signing;
  const pem = readOrCreate(path.join(keysDir(), "signing.key"), () => {
    const { privateKey } = crypto.generateKeyPairSync("ed25519");
    return privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  }).toString("utf8");
  c.signing = signingKeysOf(crypto.createPrivateKey(pem));
  return c.signing;
}

function signingKeysOf(privateKey: crypto.KeyObject): SigningKeys {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("keys/signing.key is not an Ed25519 key");
  const publicKey = crypto.createPublicKey(privateKey);
  const der = publicKey.export({ format: "der", type: "spki" }) as Buffer;
  const hex = crypto.createHash("sha256").update(der).digest("hex");
  return {
    privateKey,
    publicKey,
    fingerprint: hex.match(/.{4}/g)!.join(" "),
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }) as string,
  };
}

/** Signs bytes with the server's Ed25519 key; returns the signature as base64. */
export function signBytes(data: Buffer | string): string {
  return crypto.sign(null, Buffer.from(data), getSigningKeys().privateKey).toString("base64");
}

/** Verifies a signature made by signBytes (with this server's key, or a given public key). */
export function verifySignature(
  data: Buffer | string,
  signatureB64: string,
  publicKey: crypto.KeyObject = getSigningKeys().publicKey,
): boolean {
  try {
    return crypto.verify(null, Buffer.from(data), publicKey, Buffer.from(signatureB64, "base64"));
  } catch {
    return false;
  }
}

function reportSecrets(): { pepper: Buffer; salt: Buffer } {
  const site = activeSite();
  if (site) return { pepper: site.reportKeys().receiptPepper, salt: site.reportKeys().installationSalt };
  const c = cache();
  if (c.secrets) return c.secrets;
  const file = path.join(keysDir(), "report-secrets.json");
  const raw = readOrCreate(
    file,
    () =>
      JSON.stringify(
        {
          version: 1,
          receiptPepper: crypto.randomBytes(32).toString("base64"),
          installationSalt: crypto.randomBytes(16).toString("base64"),
        },
        null,
        2,
      ) + "\n",
  ).toString("utf8");
  let parsed: { receiptPepper?: unknown; installationSalt?: unknown };
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`The key file ${file} is damaged; restore it from backup.`);
  }
  const pepper = typeof parsed.receiptPepper === "string" ? Buffer.from(parsed.receiptPepper, "base64") : Buffer.alloc(0);
  const salt = typeof parsed.installationSalt === "string" ? Buffer.from(parsed.installationSalt, "base64") : Buffer.alloc(0);
  if (pepper.length !== 32 || salt.length !== 16) throw new Error(`The key file ${file} is damaged; restore it from backup.`);
  c.secrets = { pepper, salt };
  return c.secrets;
}

/** Server-side secret (argon2 "secret") of the receipt hash. */
export function getReceiptPepper(): Buffer {
  return reportSecrets().pepper;
}

/** Per-installation salt of the receipt hash (16 bytes). */
export function getInstallationSalt(): Buffer {
  return reportSecrets().salt;
}
