/**
 * The restore drill, black-box against the real server and the real commands:
 * - a server takes a stream of complaint submissions (and holds a corruption report with evidence for a recipient made
 *   with enrolRecipient); `npm run backup` runs while it serves; the server is then killed with SIGKILL;
 * - `npm run restore` unpacks the backup into a new, empty folder and checks it; a server started on that folder shows
 *   every complaint acknowledged before the backup began on /track with its code, the recipient signs in again (their
 *   key pair is sealed under their password, so the restored portal opens for them) and reads the report and its
 *   evidence, and the audit chain verifies;
 * - data and keys are never in one archive, and nothing personal is in the commands' output;
 * - refusals, each exit 1 with the reason: a folder that is not empty, a wrong passphrase, a file changed in the
 *   archive (named), a manifest changed to match it (its authentication code fails).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tar from "tar";
import { ROOT, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, makeJpeg } from "../helpers/http";
import { enrolRecipient, fileReport, integrityLogin, runAuditCli, type TotpAccount } from "../helpers/report";

const tag = crypto.randomBytes(4).toString("hex");
const PHRASE = `เงินทอนโครงการถนนลาดยาง-${tag}-OTTER`;
const CONTACT_EMAIL = `drill-${tag}@example.th`;
const CONTACT_PHONE = "089 765 4321";
const SUBJECT = `ไฟฟ้าส่องสว่างดับทั้งซอย ${tag}`;

let server: TestServer;
let restored: TestServer | null = null;
let recipient: TotpAccount;
let receipt = "";
let reportId = "";
let evidenceId = 0;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-drill-"));
const backups = path.join(scratch, "backups");
let backupDir = "";
const outputs: string[] = [];
let ipSeq = 0;
const client = (s: TestServer) => new HttpClient(s.url, { ip: `10.77.${(++ipSeq >> 8) & 255}.${ipSeq & 255 || 1}` });

/** `npm run <script> -- args` with the given environment (the server's, as an operator's shell would have). */
function npmRun(
  script: "backup" | "restore",
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["BUILD_DIR", "NODE_OPTIONS", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID", "TEST", "DATABASE_URL", "MASTER_KEY"])
    delete base[k];
  return new Promise((resolve, reject) => {
    const proc = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: ROOT,
      env: { ...base, NODE_ENV: "production", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    proc.stdout.on("data", (d) => (output += d));
    proc.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 170_000);
    proc.on("error", reject);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      outputs.push(output);
      resolve({ code, output });
    });
  });
}

async function entriesOf(archive: string): Promise<string[]> {
  const names: string[] = [];
  await tar.t({ file: archive, onReadEntry: (e) => void names.push(e.path) });
  return names;
}

async function track(s: TestServer, reference: string, code: string) {
  const c = client(s);
  const page = await c.get("/track");
  return c.postForm("/track", { csrf: csrfOf(page), reference, code });
}

/** A fresh, empty folder for a restore. */
const emptyDir = (name: string) => {
  const d = path.join(scratch, name);
  fs.mkdirSync(d);
  return d;
};

interface Acknowledged {
  reference: string;
  trackingCode: string;
  /** When the confirmation page with the code had been shown. */
  at: number;
}
const acknowledged: Acknowledged[] = [];
let backupStarted = 0;
let backupEnded = 0;

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  ({ acc: recipient } = await enrolRecipient(server, { email: `drill-${tag}@wangluek.go.th` }));
  const filed = await fileReport(client(server), { whatHappened: PHRASE }, [
    { filename: "หลักฐาน.jpg", type: "image/jpeg", data: await makeJpeg(11) },
  ]);
  receipt = filed.receipt;
  const row = await dbGet<{ id: number; public_id: string }>(server, "select id, public_id from reports order by id desc limit 1");
  reportId = row!.public_id;
  evidenceId = (await dbGet<{ id: number }>(server, "select id from report_attachments where report_id = ?", row!.id))!.id;
  // A complaint with a photo: uploads are part of the backup too.
  const withPhoto = await fileComplaint(client(server), { subject: SUBJECT, contactEmail: CONTACT_EMAIL, contactPhone: CONTACT_PHONE }, [
    { filename: "photo.jpg", type: "image/jpeg", data: await makeJpeg(12) },
  ]);
  acknowledged.push({ reference: withPhoto.reference, trackingCode: withPhoto.trackingCode, at: Date.now() });
}, 180_000);

afterAll(async () => {
  await restored?.stop();
  await server?.stop();
  if (!process.env.KEEP_TEST_DATA) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("the restore drill", () => {
  it("backs up while complaints stream in, survives SIGKILL, and restores every acknowledged complaint, the report and the audit chain", async () => {
    // A stream of submissions from three citizens at a time, each on its own address (the per-client form limit).
    let streaming = true;
    const streamErrors: string[] = [];
    const worker = async () => {
      while (streaming) {
        try {
          const f = await fileComplaint(client(server), { subject: SUBJECT, contactEmail: CONTACT_EMAIL, contactPhone: CONTACT_PHONE });
          acknowledged.push({ reference: f.reference, trackingCode: f.trackingCode, at: Date.now() });
        } catch (e) {
          if (streaming) streamErrors.push((e as Error).message.slice(0, 200));
          return;
        }
      }
    };
    const workers = [worker(), worker(), worker()];
    while (acknowledged.length < 12 && streamErrors.length === 0) await new Promise((r) => setTimeout(r, 100));

    backupStarted = Date.now();
    const backup = await npmRun("backup", ["--to", backups], server.env);
    backupEnded = Date.now();
    expect(backup.code, backup.output).toBe(0);
    expect(backup.output).toMatch(/SEPARATE archive: data and keys are never in one file/);
    expect(backup.output).toMatch(/SQLite's backup API while the portal serves/);
    await new Promise((r) => setTimeout(r, 500));
    streaming = false; // requests in flight now may fail: the server is about to die
    await server.kill(); // SIGKILL: no shutdown, no checkpoint
    await Promise.all(workers);
    expect(streamErrors, "the stream ran without errors until the kill").toEqual([]);

    const before = acknowledged.filter((a) => a.at < backupStarted);
    const during = acknowledged.filter((a) => a.at >= backupStarted && a.at <= backupEnded);
    expect(before.length).toBeGreaterThanOrEqual(12);
    expect(during.length, "submissions went on while the backup ran").toBeGreaterThan(0);

    const made = fs.readdirSync(backups).filter((f) => /^sujarit-\d{8}T\d{6}Z$/.test(f));
    expect(made).toHaveLength(1);
    backupDir = path.join(backups, made[0]);
    expect(fs.readdirSync(backupDir).sort()).toEqual(["backup.json", "data.tar.gz", "keys.tar.gz"]);
    // Data and keys never in one archive.
    const dataEntries = await entriesOf(path.join(backupDir, "data.tar.gz"));
    const keyEntries = await entriesOf(path.join(backupDir, "keys.tar.gz"));
    expect(dataEntries).toContain("sujarit.db");
    expect(dataEntries).toContain("manifest.json");
    expect(dataEntries.some((e) => e.startsWith("uploads/"))).toBe(true);
    expect(dataEntries.some((e) => e.startsWith("reports/"))).toBe(true);
    expect(dataEntries.filter((e) => e.startsWith("keys") || e.endsWith(".key"))).toEqual([]);
    expect(keyEntries.sort()).toEqual(
      expect.arrayContaining([
        "keys-manifest.json",
        "keys/master.key",
        "keys/secrets.json",
        "keys/report-secrets.json",
        "keys/signing.key",
      ]),
    );
    expect(keyEntries.filter((e) => !e.startsWith("keys"))).toEqual([]);

    // Restore into a new, empty folder; then serve it.
    const target = emptyDir("restored");
    const restore = await npmRun("restore", ["--from", backupDir], { DATA_DIR: target });
    expect(restore.code, restore.output).toBe(0);
    expect(restore.output).toMatch(/integrity_check ok/);
    expect(restore.output).toMatch(/audit log: intact/);
    expect(restore.output).toMatch(/statistics: summaries match the case rows/);
    expect(restore.output).toMatch(/^restored into /m);
    restored = await startServer({ dataDir: target, env: { TRUSTED_PROXIES: "127.0.0.1" } });

    // Every complaint acknowledged before the backup began is trackable with its code.
    for (const a of before) {
      const res = await track(restored, a.reference, a.trackingCode);
      expect(res.status, `${a.reference}: ${res.$.text().slice(0, 200)}`).toBe(200);
      expect(res.$.testId("case-status"), a.reference).toBeTruthy();
      expect(res.text).toContain(a.reference);
    }

    // The recipient signs in again (password + second factor): their sealed key opens, and so do the report and its evidence.
    const officer = new HttpClient(restored.url, { ip: "10.78.0.1" });
    await integrityLogin(officer, recipient);
    const page = await officer.get(`/staff/integrity/reports/${reportId}`);
    expect(page.status).toBe(200);
    expect(page.$.text()).toContain(PHRASE);
    const evidence = await officer.get(`/staff/integrity/reports/${reportId}/attachments/${evidenceId}`);
    expect(evidence.status).toBe(200);

    // The audit chain of the restored portal verifies.
    const audit = await runAuditCli(restored, ["verify"]);
    expect(audit.code, audit.output).toBe(0);
  }, 300_000);

  it("never prints anything personal", () => {
    const all = outputs.join("\n");
    const secrets = [
      PHRASE,
      CONTACT_EMAIL,
      CONTACT_PHONE,
      SUBJECT,
      receipt,
      ...acknowledged.map((a) => a.trackingCode),
      ...acknowledged.map((a) => a.trackingCode.replace(/-/g, "")),
    ];
    expect(secrets.filter((s) => s && all.includes(s))).toEqual([]);
    expect(all).not.toMatch(/10\.77\.\d+\.\d+/);
  });
});

describe("a portal nobody has signed in to yet", () => {
  it("has no master key until the backup makes one; that backup is authenticated and restores", async () => {
    const fresh = await startServer();
    try {
      const keyFile = path.join(fresh.dataDir, "keys", "master.key");
      expect(fs.existsSync(keyFile)).toBe(false);
      const to = path.join(scratch, "fresh-backups");
      const b = await npmRun("backup", ["--to", to], { DATA_DIR: fresh.dataDir });
      expect(b.code, b.output).toBe(0);
      expect(b.output).not.toMatch(/NOT authenticated/);
      expect(fs.existsSync(keyFile)).toBe(true);
      const dir = path.join(to, fs.readdirSync(to).filter((d) => !d.startsWith("."))[0]);
      const r = await npmRun("restore", ["--from", dir], { DATA_DIR: emptyDir("fresh-restored") });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/^restored into /m);
    } finally {
      await fresh.stop();
    }
  }, 180_000);
});

describe("a restore refuses", () => {
  it("a data folder that is not empty", async () => {
    const target = emptyDir("not-empty");
    fs.writeFileSync(path.join(target, "notes.txt"), "something\n");
    const r = await npmRun("restore", ["--from", backupDir], { DATA_DIR: target });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/is not empty/);
    expect(fs.readdirSync(target)).toEqual(["notes.txt"]);
  }, 60_000);

  it("a wrong passphrase (and restores with the right one)", async () => {
    const pass = path.join(scratch, "pass");
    const wrong = path.join(scratch, "wrong");
    fs.writeFileSync(pass, "ข้าวหอมมะลิ ทุ่งกุลา 2569\n", { mode: 0o600 });
    fs.writeFileSync(wrong, "ข้าวหอมมะลิ ทุ่งกุลา 2570\n", { mode: 0o600 });
    const encBackups = path.join(scratch, "encrypted");
    const keysElsewhere = path.join(scratch, "keys-elsewhere");
    const b = await npmRun("backup", ["--to", encBackups, "--passphrase-file", pass, "--keys-to", keysElsewhere], restored!.env);
    expect(b.code, b.output).toBe(0);
    const dir = path.join(encBackups, fs.readdirSync(encBackups)[0]);
    expect(fs.readdirSync(dir).sort()).toEqual(["backup.json", "data.tar.gz.enc"]);
    const keysFile = path.join(keysElsewhere, fs.readdirSync(keysElsewhere)[0]);
    expect(keysFile).toMatch(/sujarit-keys-\d{8}T\d{6}Z\.tar\.gz\.enc$/);
    // Nothing readable inside without the passphrase.
    const raw = fs.readFileSync(path.join(dir, "data.tar.gz.enc"));
    expect(raw.subarray(0, 8).toString("latin1")).toBe("SJBKENC1");
    expect(raw.includes(Buffer.from("sujarit.db"))).toBe(false);

    const bad = await npmRun("restore", ["--from", dir, "--keys", keysFile, "--passphrase-file", wrong], {
      DATA_DIR: emptyDir("wrong-pass"),
    });
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/wrong passphrase/);
    expect(fs.readdirSync(path.join(scratch, "wrong-pass"))).toEqual([]);
    const none = await npmRun("restore", ["--from", dir, "--keys", keysFile], { DATA_DIR: path.join(scratch, "wrong-pass") });
    expect(none.code).toBe(1);
    expect(none.output).toMatch(/encrypted: give --passphrase-file/);
    const good = await npmRun("restore", ["--from", dir, "--keys", keysFile, "--passphrase-file", pass], {
      DATA_DIR: emptyDir("right-pass"),
    });
    expect(good.code, good.output).toBe(0);
    expect(good.output).toMatch(/^restored into /m);
  }, 180_000);

  it("a file changed in the archive, naming it; and a manifest changed to match (its authentication code fails)", async () => {
    const unpacked = path.join(scratch, "unpacked");
    fs.mkdirSync(unpacked);
    const order = await entriesOf(path.join(backupDir, "data.tar.gz"));
    await tar.x({ file: path.join(backupDir, "data.tar.gz"), cwd: unpacked });
    const upload = order.find((e) => e.startsWith("uploads/"))!;
    const bytes = fs.readFileSync(path.join(unpacked, upload));
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(path.join(unpacked, upload), bytes);
    const tampered = path.join(scratch, "tampered");
    fs.mkdirSync(tampered);
    fs.copyFileSync(path.join(backupDir, "keys.tar.gz"), path.join(tampered, "keys.tar.gz"));
    await tar.c({ file: path.join(tampered, "data.tar.gz"), gzip: true, cwd: unpacked, portable: true }, order);
    const r = await npmRun("restore", ["--from", tampered], { DATA_DIR: emptyDir("tampered-target") });
    expect(r.code).toBe(1);
    expect(r.output).toContain(`${upload}: sha256 does not match manifest.json`);
    expect(fs.readdirSync(path.join(scratch, "tampered-target"))).toEqual([]);

    // Whoever also rewrites the manifest's digest lacks the key of its authentication code.
    const manifestFile = path.join(unpacked, "manifest.json");
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    manifest.body.files[upload].sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    fs.rmSync(path.join(tampered, "data.tar.gz"));
    await tar.c({ file: path.join(tampered, "data.tar.gz"), gzip: true, cwd: unpacked, portable: true }, order);
    const again = await npmRun("restore", ["--from", tampered], { DATA_DIR: path.join(scratch, "tampered-target") });
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/manifest\.json: its authentication code does not match/);
  }, 120_000);
});
