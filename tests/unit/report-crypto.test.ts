/**
 * The report channel's ciphers (app/models/report/crypto.server.ts): per-report envelopes and files (any tampering is
 * refused), the master-key wrap of the first format (kept only for the migration), HPKE wraps for recipients (checked
 * against RFC 9180's own test vector through @hpke/core), view tags, decoys, padded files, key pairs from seeds.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-rcrypto-"));
process.env.DATA_DIR = dataDir;
delete process.env.MASTER_KEY;

const rc = await import("~/models/report/crypto.server");
const keys = await import("~/utils/keys.server");

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function flip(s: string, at: number): string {
  const raw = Buffer.from(s.slice(3), "base64url");
  raw[at % raw.length] ^= 0x01;
  return "v1." + raw.toString("base64url");
}

const hex = (h: string) => Buffer.from(h, "hex");
const toHex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString("hex");

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

  it("round-trips JSON, files and the (first-format) master-wrapped key", () => {
    const env = rc.sealJson(key, value, "report:R2570-0001:submission");
    expect(env).not.toContain("เงิน");
    expect(rc.openJson(key, env, "report:R2570-0001:submission")).toEqual(value);
    const bytes = crypto.randomBytes(5000);
    const enc = rc.encryptFile(key, bytes, "f1");
    expect(enc.includes(bytes.subarray(0, 64))).toBe(false);
    expect(rc.decryptFile(key, enc, "f1").equals(bytes)).toBe(true);
    const wrapped = rc.wrapLegacyReportKey(key, "R2570-0001", keys.getMasterKey());
    expect(wrapped).not.toContain(key.toString("base64url"));
    expect(rc.unwrapLegacyReportKey(wrapped, "R2570-0001", keys.getMasterKey()).equals(key)).toBe(true);
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

  it("refuses a tampered master-wrapped key, one moved to another report, or the wrong master key", () => {
    const master = keys.getMasterKey();
    const wrapped = rc.wrapLegacyReportKey(key, "R2570-0001", master);
    const inner = wrapped.slice(4);
    for (const at of [1, 12, 30, 50]) expect(() => rc.unwrapLegacyReportKey("mk1:" + flip(inner, at), "R2570-0001", master)).toThrow();
    expect(() => rc.unwrapLegacyReportKey(wrapped, "R2570-0002", master)).toThrow();
    expect(() => rc.unwrapLegacyReportKey(inner, "R2570-0001", master)).toThrow();
    expect(() => rc.unwrapLegacyReportKey(wrapped, "R2570-0001", crypto.randomBytes(32))).toThrow();
  });
});

describe("HPKE (RFC 9180)", () => {
  // RFC 9180 Appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode.
  const V = {
    ikmR: "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
    pkRm: "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    skRm: "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
    ikmE: "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
    enc: "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    info: "4f6465206f6e2061204772656369616e2055726e",
    aad: "436f756e742d30",
    pt: "4265617574792069732074727574682c20747275746820626561757479",
    ct: "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
  };

  it("@hpke/core reproduces Appendix A.1.1 (DeriveKeyPair, enc, sequence 0 seal and open)", async () => {
    const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
    const recipient = await suite.kem.deriveKeyPair(hex(V.ikmR));
    expect(toHex(await suite.kem.serializePublicKey(recipient.publicKey))).toBe(V.pkRm);
    expect(toHex(await suite.kem.serializePrivateKey(recipient.privateKey))).toBe(V.skRm);

    const sender = await suite.createSenderContext({ recipientPublicKey: recipient.publicKey, info: hex(V.info), ekm: hex(V.ikmE) });
    expect(toHex(sender.enc)).toBe(V.enc);
    const ct = await sender.seal(hex(V.pt), hex(V.aad));
    expect(toHex(ct)).toBe(V.ct);

    const opener = await suite.createRecipientContext({ recipientKey: recipient, enc: hex(V.enc), info: hex(V.info) });
    expect(toHex(await opener.open(hex(V.ct), hex(V.aad)))).toBe(V.pt);
    // Any change to the ciphertext, the aad or the info is refused.
    const bad = hex(V.ct);
    bad[3] ^= 1;
    const opener2 = await suite.createRecipientContext({ recipientKey: recipient, enc: hex(V.enc), info: hex(V.info) });
    await expect(opener2.open(bad, hex(V.aad))).rejects.toThrow();
    const opener3 = await suite.createRecipientContext({ recipientKey: recipient, enc: hex(V.enc), info: hex("00") });
    await expect(opener3.open(hex(V.ct), hex(V.aad))).rejects.toThrow();
  });

  it("the channel's key pairs are the RFC's DeriveKeyPair (same seed, same public key as the vector)", async () => {
    const k = await rc.personKeysFromSeed(hex(V.ikmR));
    expect(k.publicKey.toString("hex")).toBe(V.pkRm);
    // The node:crypto private key used for the view-tag scan is the same X25519 secret.
    const jwk = k.scanPrivate.export({ format: "jwk" });
    expect(Buffer.from(jwk.d!, "base64url").toString("hex")).toBe(V.skRm);
    expect(Buffer.from(jwk.x!, "base64url").toString("hex")).toBe(V.pkRm);
  });
});

describe("wrapped report keys", () => {
  const seeds = [crypto.randomBytes(32), crypto.randomBytes(32), crypto.randomBytes(32)];

  it("personKeysFromSeed is deterministic and refuses a seed of the wrong length", async () => {
    const a = await rc.personKeysFromSeed(seeds[0]);
    const b = await rc.personKeysFromSeed(Buffer.from(seeds[0]));
    const c = await rc.personKeysFromSeed(seeds[1]);
    expect(a.publicKey.equals(b.publicKey)).toBe(true);
    expect(a.publicKey.length).toBe(32);
    expect(a.publicKey.equals(c.publicKey)).toBe(false);
    // The same seed opens what was wrapped for the other instance.
    const key = rc.newReportKey();
    const w = await rc.wrapReportKeyFor(a.publicKey, key, "R2570-0009");
    expect((await rc.unwrapReportKey(b, w, "R2570-0009")).equals(key)).toBe(true);
    await expect(rc.personKeysFromSeed(crypto.randomBytes(31))).rejects.toThrow();
    await expect(rc.personKeysFromSeed(crypto.randomBytes(33))).rejects.toThrow();
    expect(rc.publicKeyFingerprint(a.publicKey)).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
  });

  it("round-trips wrapReportKeyFor / unwrapReportKey for the recipient only", async () => {
    const [alice, bob] = await Promise.all(seeds.slice(0, 2).map((s) => rc.personKeysFromSeed(s)));
    const key = rc.newReportKey();
    const w = await rc.wrapReportKeyFor(alice.publicKey, key, "R2570-0001");
    for (const v of Object.values(w)) expect(v).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.stringify(w)).not.toContain(key.toString("base64url"));
    expect((await rc.unwrapReportKey(alice, w, "R2570-0001")).equals(key)).toBe(true);
    await expect(rc.unwrapReportKey(bob, w, "R2570-0001")).rejects.toThrow();
    // Every wrap is fresh (new ephemeral keys), and opens all the same.
    const w2 = await rc.wrapReportKeyFor(alice.publicKey, key, "R2570-0001");
    expect(w2.enc).not.toBe(w.enc);
    expect(w2.tagPub).not.toBe(w.tagPub);
    expect((await rc.unwrapReportKey(alice, w2, "R2570-0001")).equals(key)).toBe(true);
    await expect(rc.wrapReportKeyFor(alice.publicKey, crypto.randomBytes(16), "R2570-0001")).rejects.toThrow();
  });

  it("a wrap moved to another report (wrong publicId) or altered does not open", async () => {
    const alice = await rc.personKeysFromSeed(seeds[0]);
    const key = rc.newReportKey();
    const w = await rc.wrapReportKeyFor(alice.publicKey, key, "R2570-0001");
    await expect(rc.unwrapReportKey(alice, w, "R2570-0002")).rejects.toThrow();
    const raw = Buffer.from(w.wrapped, "base64url");
    for (const at of [0, 10, raw.length - 1]) {
      const bad = Buffer.from(raw);
      bad[at] ^= 1;
      await expect(rc.unwrapReportKey(alice, { enc: w.enc, wrapped: bad.toString("base64url") }, "R2570-0001")).rejects.toThrow();
    }
    const enc = Buffer.from(w.enc, "base64url");
    enc[5] ^= 1;
    await expect(rc.unwrapReportKey(alice, { enc: enc.toString("base64url"), wrapped: w.wrapped }, "R2570-0001")).rejects.toThrow();
  });

  it("view tags match the recipient only; decoys match nobody", async () => {
    const people = await Promise.all(seeds.map((s) => rc.personKeysFromSeed(s)));
    const key = rc.newReportKey();
    for (const [i, p] of people.entries()) {
      const w = await rc.wrapReportKeyFor(p.publicKey, key, "R2570-0003");
      for (const [j, q] of people.entries()) expect(rc.viewTagMatches(q, w), `wrap for ${i} seen by ${j}`).toBe(i === j);
    }
    for (let n = 0; n < 20; n++) {
      const decoy = rc.decoyWrappedKey();
      for (const p of people) {
        expect(rc.viewTagMatches(p, decoy)).toBe(false);
        await expect(rc.unwrapReportKey(p, decoy, "R2570-0003")).rejects.toThrow();
      }
      // A decoy has the shape of a real wrap (same field lengths).
      const real = await rc.wrapReportKeyFor(people[0].publicKey, key, "R2570-0003");
      for (const f of ["tagPub", "viewTag", "enc", "wrapped"] as const) expect(decoy[f].length, f).toBe(real[f].length);
    }
    // A damaged row never matches (and never throws).
    expect(rc.viewTagMatches(people[0], { tagPub: "AAAA", viewTag: "x" })).toBe(false);
  });
});

describe("padded evidence files", () => {
  const key = rc.newReportKey();

  it("pads to size classes of 16 KiB, doubling", () => {
    expect(rc.paddedSize(0)).toBe(16 * 1024);
    expect(rc.paddedSize(1)).toBe(16 * 1024);
    expect(rc.paddedSize(16 * 1024 - 4)).toBe(16 * 1024);
    expect(rc.paddedSize(16 * 1024 - 3)).toBe(32 * 1024);
    expect(rc.paddedSize(100_000)).toBe(128 * 1024);
    expect(rc.paddedSize(10 * 1024 * 1024)).toBe(16 * 1024 * 1024);
    for (const n of [0, 5, 777, 20_000, 65_532, 65_533, 300_000]) {
      const s = rc.paddedSize(n);
      expect(s).toBeGreaterThanOrEqual(n + 4);
      expect(s & (s - 1)).toBe(0);
      expect(s === 16 * 1024 || s < 2 * (n + 4)).toBe(true);
    }
  });

  it("a stored file is its class in size and decrypts to the exact bytes", () => {
    for (const n of [0, 1, 1000, 16 * 1024 - 4, 16 * 1024 - 3, 50_000]) {
      const bytes = crypto.randomBytes(n);
      const enc = rc.encryptFile(key, bytes, `file:${n}`);
      expect(enc.subarray(0, 4).toString("latin1")).toBe("SJR2");
      expect(enc.length).toBe(4 + 12 + 16 + rc.paddedSize(n));
      expect(rc.decryptFile(key, enc, `file:${n}`).equals(bytes)).toBe(true);
    }
    // Two files in one class cannot be told apart by size.
    expect(rc.encryptFile(key, crypto.randomBytes(10), "a").length).toBe(rc.encryptFile(key, crypto.randomBytes(9000), "a").length);
  });

  it("still decrypts files of the first, unpadded format (SJR1)", () => {
    const bytes = Buffer.from("%PDF-1.4 old evidence");
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from("old", "utf8"));
    const ct = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const v1 = Buffer.concat([Buffer.from("SJR1", "latin1"), iv, cipher.getAuthTag(), ct]);
    expect(rc.decryptFile(key, v1, "old").equals(bytes)).toBe(true);
    expect(() => rc.decryptFile(key, v1, "other")).toThrow();
    expect(() => rc.decryptFile(key, Buffer.concat([Buffer.from("XXXX"), v1.subarray(4)]), "old")).toThrow();
  });
});
