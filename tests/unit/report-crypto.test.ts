/** The report envelope: per-report keys wrapped by the master key; any tampering is refused. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-rcrypto-"));
process.env.DATA_DIR = dataDir;
delete process.env.MASTER_KEY;

const rc = await import("~/models/report-crypto.server");
const keys = await import("~/utils/keys.server");

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function flip(s: string, at: number): string {
  const raw = Buffer.from(s.slice(3), "base64url");
  raw[at % raw.length] ^= 0x01;
  return "v1." + raw.toString("base64url");
}

describe("keys", () => {
  it("creates the master key file once, 32 bytes, mode 0600", () => {
    const k = keys.getMasterKey();
    expect(k.length).toBe(32);
    const file = path.join(dataDir, "keys", "master.key");
    expect(fs.readFileSync(file).equals(k)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(keys.getMasterKey().equals(k)).toBe(true);
  });

  it("has an Ed25519 signing key whose signatures verify", () => {
    const s = keys.getSigningKeys();
    expect(s.privateKey.asymmetricKeyType).toBe("ed25519");
    expect(s.fingerprint).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    expect(fs.statSync(path.join(dataDir, "keys", "signing.key")).mode & 0o777).toBe(0o600);
    const sig = keys.signBytes("proof");
    expect(keys.verifySignature("proof", sig)).toBe(true);
    expect(keys.verifySignature("proof!", sig)).toBe(false);
  });

  it("has a pepper and an installation salt", () => {
    expect(keys.getReceiptPepper().length).toBe(32);
    expect(keys.getInstallationSalt().length).toBe(16);
  });
});

describe("report envelope", () => {
  const key = rc.newReportKey();
  const value = { whatHappened: "เงินใต้โต๊ะ 50,000 บาท", reporterName: "ผู้แจ้ง" };

  it("round-trips JSON, files and the wrapped key", () => {
    const env = rc.sealJson(key, value, "report:R2570-0001:submission");
    expect(env).not.toContain("เงิน");
    expect(rc.openJson(key, env, "report:R2570-0001:submission")).toEqual(value);
    const bytes = crypto.randomBytes(5000);
    const enc = rc.encryptFile(key, bytes, "f1");
    expect(enc.includes(bytes.subarray(0, 64))).toBe(false);
    expect(rc.decryptFile(key, enc, "f1").equals(bytes)).toBe(true);
    const wrapped = rc.wrapReportKey(key, "R2570-0001");
    expect(wrapped).not.toContain(key.toString("base64url"));
    expect(rc.unwrapReportKey(wrapped, "R2570-0001").equals(key)).toBe(true);
  });

  it("uses a fresh key and IV every time", () => {
    expect(rc.newReportKey().equals(rc.newReportKey())).toBe(false);
    expect(rc.sealJson(key, value, "a")).not.toBe(rc.sealJson(key, value, "a"));
  });

  it("refuses tampered ciphertext, a wrong aad or a wrong key", () => {
    const env = rc.sealJson(key, value, "aad");
    for (const at of [0, 5, 13, 20, 30, 40]) expect(() => rc.openJson(key, flip(env, at), "aad")).toThrow();
    expect(() => rc.openJson(key, env, "aad2")).toThrow();
    expect(() => rc.openJson(rc.newReportKey(), env, "aad")).toThrow();
    expect(() => rc.openJson(key, env.slice(0, -4), "aad")).toThrow();

    const enc = rc.encryptFile(key, Buffer.from("evidence"), "file");
    const bad = Buffer.from(enc);
    bad[bad.length - 1] ^= 0x80;
    expect(() => rc.decryptFile(key, bad, "file")).toThrow();
    expect(() => rc.decryptFile(key, enc, "other-file")).toThrow();
    const badTag = Buffer.from(enc);
    badTag[20] ^= 1;
    expect(() => rc.decryptFile(key, badTag, "file")).toThrow();
  });

  it("refuses a tampered wrapped key or one moved to another report", () => {
    const wrapped = rc.wrapReportKey(key, "R2570-0001");
    const inner = wrapped.slice(4);
    for (const at of [1, 12, 30, 50]) expect(() => rc.unwrapReportKey("mk1:" + flip(inner, at), "R2570-0001")).toThrow();
    expect(() => rc.unwrapReportKey(wrapped, "R2570-0002")).toThrow();
    expect(() => rc.unwrapReportKey(inner, "R2570-0001")).toThrow();
  });
});
