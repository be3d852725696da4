/**
 * The keys several app servers share (tests that run two servers on one database): made once by the app's own code in
 * a folder of their own (MASTER_KEY in the environment; secrets.json, signing.key and report-secrets.json in keys/),
 * then copied into each server's new data folder. Call before the test imports any app module: it points this
 * process's DATA_DIR, PUBLIC_URL and MASTER_KEY at the shared keys.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface SharedKeys {
  /** The folder the keys were made in. */
  seed: string;
  MASTER_KEY: string;
  /** A new, empty data folder holding a copy of the keys (removed by removeAll). */
  dataFolder(): string;
  /** Removes the seed folder and every data folder made. */
  removeAll(): void;
}

export async function makeSharedKeys(prefix: string): Promise<SharedKeys> {
  const seed = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-keys-`));
  const MASTER_KEY = crypto.randomBytes(32).toString("base64");
  process.env.DATA_DIR = seed;
  process.env.PUBLIC_URL = "http://localhost:3999";
  process.env.MASTER_KEY = MASTER_KEY;
  delete process.env.DATABASE_URL;
  const { loadOrCreateSecrets } = await import("~/utils/secrets.server");
  const { getSigningKeys, getReceiptPepper } = await import("~/utils/keys.server");
  loadOrCreateSecrets(seed);
  getSigningKeys();
  getReceiptPepper();
  const folders = [seed];
  return {
    seed,
    MASTER_KEY,
    dataFolder() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-data-`));
      fs.cpSync(path.join(seed, "keys"), path.join(dir, "keys"), { recursive: true });
      folders.push(dir);
      return dir;
    },
    removeAll() {
      for (const f of folders) fs.rmSync(f, { recursive: true, force: true });
    },
  };
}
