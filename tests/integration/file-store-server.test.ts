/**
 * FILE_STORE=database against the real server and the real commands: a complaint with a photo and a corruption report
 * with evidence are filed through the pages; staff and the recipient read them back; the bytes are rows of stored_file
 * (the evidence as ciphertext only) and nothing is written under DATA_DIR/uploads or DATA_DIR/reports; erasing the
 * complaint (`npm run privacy -- erase`) removes its row; `npm run backup` and `npm run restore` carry the files inside
 * the database, and a server on the restored folder serves them again.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tar from "tar";
import { ROOT, createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, fileComplaint, makeJpeg } from "../helpers/http";
import { enrolRecipient, fileReport, staffLogin } from "../helpers/report";

const ENV = { FILE_STORE: "database", TRUSTED_PROXIES: "127.0.0.1" };
const PASSWORD = "officer password 2569 works";
const tag = crypto.randomBytes(4).toString("hex");
const officerEmail = `works-${tag}@wangluek.go.th`;
const PHRASE = `ใบเสร็จปลอมโครงการ-${tag}`;

let server: TestServer;
let restored: TestServer | null = null;
let recipient: HttpClient;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-fs-server-"));
let ipSeq = 0;
const client = (s: TestServer) => new HttpClient(s.url, { ip: `10.91.${(++ipSeq >> 8) & 255}.${ipSeq & 255 || 1}` });

let erasedRef = "";
let erased = { id: 0, key: "" };
let keptRef = "";
let kept = { id: 0, key: "" };
let reportPublicId = "";
let evidence = { id: 0, key: "" };
let evidenceOriginal: Buffer = Buffer.alloc(0);

function npmRun(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
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
      resolve({ code, output });
    });
  });
}

/** Files (not folders) under the server's DATA_DIR/uploads and DATA_DIR/reports. */
function storeFoldersOnDisk(dataDir: string): string[] {
  return ["uploads", "reports"].flatMap((top) => {
    const dir = path.join(dataDir, top);
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => path.join(e.parentPath, e.name))
      : [];
  });
}

async function storedRow(s: TestServer, key: string) {
  return dbGet<{ key: string; size: number; bytes: Buffer }>(s, "select key, size, bytes from stored_file where key = ?", key);
}

async function complaintPhoto(s: TestServer, reference: string): Promise<{ id: number; key: string }> {
  const a = await dbGet<{ id: number; sha256: string }>(
    s,
    "select a.id, a.sha256 from attachments a join complaints c on c.id = a.complaint_id where c.reference = ?",
    reference,
  );
  return { id: a!.id, key: `uploads/${a!.sha256.slice(0, 2)}/${a!.sha256}` };
}

async function officer(s: TestServer): Promise<HttpClient> {
  return staffLogin(client(s), officerEmail, PASSWORD);
}

beforeAll(async () => {
  server = await startServer({ env: ENV });
  await createStaffUser(server, { email: officerEmail, role: "officer", division: "works", password: PASSWORD, name: "เจ้าหน้าที่กองช่าง" });
  ({ client: recipient } = await enrolRecipient(server, { email: `integrity-${tag}@wangluek.go.th` }));
  const a = await fileComplaint(client(server), { subject: `ถนนพัง ${tag} A` }, [
    { filename: "ถนน.jpg", type: "image/jpeg", data: await makeJpeg(31) },
  ]);
  const b = await fileComplaint(client(server), { subject: `ถนนพัง ${tag} B` }, [
    { filename: "ถนน2.jpg", type: "image/jpeg", data: await makeJpeg(32) },
  ]);
  erasedRef = a.reference;
  keptRef = b.reference;
  erased = await complaintPhoto(server, erasedRef);
  kept = await complaintPhoto(server, keptRef);
  evidenceOriginal = await makeJpeg(33, 80, 60);
  await fileReport(client(server), { whatHappened: PHRASE }, [{ filename: "หลักฐาน.jpg", type: "image/jpeg", data: evidenceOriginal }]);
  const r = await dbGet<{ id: number; public_id: string }>(server, "select id, public_id from reports order by id desc limit 1");
  reportPublicId = r!.public_id;
  const att = await dbGet<{ id: number; storage_id: string }>(
    server,
    "select id, storage_id from report_attachments where report_id = ?",
    r!.id,
  );
  evidence = { id: att!.id, key: `reports/${att!.storage_id}` };
}, 180_000);

afterAll(async () => {
  await restored?.stop();
  await server?.stop();
  if (!process.env.KEEP_TEST_DATA) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("FILE_STORE=database with the real server", () => {
  it("keeps every upload and evidence file in the database and nothing under DATA_DIR/uploads or /reports", async () => {
    const rows = await dbAll<{ key: string; size: number }>(server, "select key, size from stored_file order by key");
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining([erased.key, kept.key, evidence.key]));
    expect(storeFoldersOnDisk(server.dataDir)).toEqual([]);
    for (const r of rows) expect(r.size).toBeGreaterThan(0);
  });

  it("staff read a complaint's photo from the database", async () => {
    const c = await officer(server);
    const res = await fetch(`${server.url}/staff/cases/${keptRef}/attachments/${kept.id}`, {
      headers: { Cookie: c.cookieHeader(), "X-Forwarded-For": c.opts.ip! },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^image\/jpeg/);
    const body = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(body.length);
    expect(body.equals((await storedRow(server, kept.key))!.bytes)).toBe(true);
  });

  it("the evidence is ciphertext in the database; the recipient downloads the photo", async () => {
    const row = (await storedRow(server, evidence.key))!;
    expect(row.bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    expect(row.bytes.includes(evidenceOriginal.subarray(0, 200))).toBe(false);
    const page = await recipient.get(`/staff/integrity/reports/${reportPublicId}`);
    expect(page.status).toBe(200);
    expect(page.$.text()).toContain(PHRASE);
    const res = await fetch(`${server.url}/staff/integrity/reports/${reportPublicId}/attachments/${evidence.id}`, {
      headers: { Cookie: recipient.cookieHeader(), "X-Forwarded-For": recipient.opts.ip! },
    });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
    expect(row.bytes.includes(body.subarray(0, 200))).toBe(false);
  });

  it("erasing a complaint removes its photo's row (the CLI runs with the same FILE_STORE)", async () => {
    const r = await npmRun("privacy", ["erase", "--reference", erasedRef, "--open-case"], server.env);
    expect(r.code, r.output).toBe(0);
    expect(await storedRow(server, erased.key)).toBeUndefined();
    expect(await dbGet(server, "select id from attachments where id = ?", erased.id)).toBeUndefined();
    expect(await storedRow(server, kept.key)).toBeDefined();
    const c = await officer(server);
    expect((await c.get(`/staff/cases/${erasedRef}/attachments/${erased.id}`)).status).toBe(404);
    expect(storeFoldersOnDisk(server.dataDir)).toEqual([]);
  });

  it("a backup holds the files inside the database snapshot, and a restored portal serves them", async () => {
    const backups = path.join(scratch, "backups");
    const b = await npmRun("backup", ["--to", backups], server.env);
    expect(b.code, b.output).toBe(0);
    expect(b.output).toMatch(/files stored in the database \(FILE_STORE=database\): 2 /);
    const dir = path.join(backups, fs.readdirSync(backups).filter((d) => /^sujarit-/.test(d))[0]!);
    const entries: string[] = [];
    await tar.t({ file: path.join(dir, "data.tar.gz"), onReadEntry: (e) => void entries.push(e.path) });
    expect(entries).toContain("sujarit.db");
    expect(entries.filter((e) => e.startsWith("uploads/") || e.startsWith("reports/"))).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "backup.json"), "utf8")).database.rows.storedFiles).toBe(2);

    const target = path.join(scratch, "restored");
    fs.mkdirSync(target);
    const r = await npmRun("restore", ["--from", dir], { DATA_DIR: target });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/files stored in the database: 2 \(the portal reads them with FILE_STORE=database\)/);
    expect(r.output).not.toMatch(/are not in the backup/);
    expect(r.output).toMatch(/^restored into /m);

    restored = await startServer({ dataDir: target, env: ENV });
    const c = await officer(restored);
    const res = await fetch(`${restored.url}/staff/cases/${keptRef}/attachments/${kept.id}`, {
      headers: { Cookie: c.cookieHeader(), "X-Forwarded-For": c.opts.ip! },
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals((await storedRow(server, kept.key))!.bytes)).toBe(true);
    expect(storeFoldersOnDisk(target)).toEqual([]);
  }, 300_000);
});

describe("moving an installation from disk to the database", () => {
  it("`npm run file-store -- copy --to database` copies every file; the portal then serves them from the database", async () => {
    const onDisk = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
    let moved: TestServer | null = null;
    try {
      await createStaffUser(onDisk, { email: officerEmail, role: "officer", division: "works", password: PASSWORD });
      const f = await fileComplaint(client(onDisk), { subject: `ไฟดับ ${tag}` }, [
        { filename: "ไฟ.jpg", type: "image/jpeg", data: await makeJpeg(41) },
      ]);
      const photo = await complaintPhoto(onDisk, f.reference);
      const bytes = fs.readFileSync(path.join(onDisk.dataDir, ...photo.key.split("/")));
      expect(await dbAll(onDisk, "select key from stored_file")).toEqual([]);

      const asDatabase = { ...onDisk.env, FILE_STORE: "database" };
      const before = await npmRun("file-store", ["check"], asDatabase);
      expect(before.code, before.output).toBe(1);
      expect(before.output).toMatch(/1 files referenced by the database, 1 missing/);
      const copied = await npmRun("file-store", ["copy", "--to", "database"], onDisk.env);
      expect(copied.code, copied.output).toBe(0);
      expect(copied.output).toMatch(/copied 1 files .* to the database store; 0 were there already/);
      expect(copied.output).toMatch(/next: set FILE_STORE=database/);
      expect(copied.output).not.toContain(photo.key.slice(-64));
      const again = await npmRun("file-store", ["copy", "--to", "database"], onDisk.env);
      expect(again.output).toMatch(/copied 0 files .*; 1 were there already/);
      const after = await npmRun("file-store", ["check"], asDatabase);
      expect(after.code, after.output).toBe(0);
      expect(after.output).toMatch(/1 files referenced by the database, 0 missing/);

      // Restart on the database store with the disk copies gone: the photo comes from stored_file.
      await onDisk.kill();
      fs.rmSync(path.join(onDisk.dataDir, "uploads"), { recursive: true, force: true });
      moved = await startServer({ dataDir: onDisk.dataDir, env: { FILE_STORE: "database", TRUSTED_PROXIES: "127.0.0.1" } });
      const c = await officer(moved);
      const res = await fetch(`${moved.url}/staff/cases/${f.reference}/attachments/${photo.id}`, {
        headers: { Cookie: c.cookieHeader(), "X-Forwarded-For": c.opts.ip! },
      });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      if (moved) await moved.stop();
      else await onDisk.stop();
    }
  }, 240_000);
});
