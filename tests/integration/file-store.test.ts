/**
 * The file store (app/utils/file-store.server.ts), in-process against a real SQLite file in a temporary data folder:
 * - keys: only the portal's own relative names, never a path out of the store or into keys/ or the database;
 * - the same contract for LocalDiskFileStore and DatabaseFileStore: put, get, open, stat, exists, delete, list;
 * - atomicity: a write that fails (a stream broken half-way, fsync refused, a transaction rolled back) leaves nothing
 *   visible — on disk no half-written file and no temporary file — and a failed replacement keeps the old file;
 * - FILE_STORE in the environment, and the model code with each store: complaint uploads through erasure and
 *   retention, evidence kept across a rejected report form (ciphertext only in the store) and its clean-up.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-file-store-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3996";
delete process.env.DATABASE_URL;

const { getDb } = await import("~/utils/db.server");
const { parseEnv } = await import("~/utils/env.server");
const { setClockOffsetForTests } = await import("~/utils/clock.server");
const { migrateToLatest } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const fileStoreModule = await import("~/utils/file-store.server");
const {
  DatabaseFileStore,
  LocalDiskFileStore,
  InvalidFileKeyError,
  checkFileKey,
  createFileStore,
  fileKeys,
  fileRemoval,
  fileStore,
  setFileStoreForTests,
  storedDay,
  PENDING_EVIDENCE_PREFIX,
} = fileStoreModule;
type FileStore = import("~/utils/file-store.server").FileStore;
const complaints = await import("~/models/complaints/filing.server");
const uploads = await import("~/models/complaints/attachments.server");
const privacy = await import("~/models/complaints/privacy.server");
const pending = await import("~/models/report/pending-evidence.server");

const db = getDb();
const disk = new LocalDiskFileStore(dataDir);
const database = new DatabaseFileStore(() => db);
const stores: [string, FileStore][] = [
  ["disk", disk],
  ["database", database],
];

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
});

afterEach(() => {
  vi.restoreAllMocks();
  setFileStoreForTests(undefined);
  setClockOffsetForTests(0);
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const hex = (n: number) => crypto.randomBytes(n).toString("hex");
const evidenceKey = () => fileKeys.reportEvidence(hex(16));

/** Every file under DATA_DIR's store folders, temporary ones included (relative paths). */
function filesOnDisk(): string[] {
  const out: string[] = [];
  for (const top of ["uploads", "reports"]) {
    const dir = path.join(dataDir, top);
    if (!fs.existsSync(dir)) continue;
    for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true }))
      if (e.isFile()) out.push(path.relative(dataDir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

async function* brokenStream(first: Buffer): AsyncIterable<Uint8Array> {
  yield first;
  throw new Error("connection reset");
}

describe("keys", () => {
  it("accepts the portal's own names and refuses paths out of the store, hidden names and other folders", () => {
    for (const k of [`uploads/ab/${"ab".repeat(32)}`, `reports/${hex(16)}`, `reports/pending/${hex(16)}`, "reports/some_name-1.bin"])
      expect(() => checkFileKey(k), k).not.toThrow();
    for (const k of [
      "",
      "uploads",
      "/etc/passwd",
      "/uploads/x",
      "../x",
      "uploads/../keys/master.key",
      "uploads/./x",
      "uploads/.tmp-0123",
      "uploads//x",
      "uploads/x/",
      "uploads\\x",
      "keys/master.key",
      "sujarit.db",
      "outbox/x.eml",
      "uploads/ชื่อ.jpg",
      "uploads/a b",
      "uploads/x\u0000",
      `uploads/${"x".repeat(300)}`,
    ])
      expect(() => checkFileKey(k), JSON.stringify(k)).toThrow(InvalidFileKeyError);
  });

  it("builds keys only from ids the server made", () => {
    const sha = crypto.createHash("sha256").update("x").digest("hex");
    expect(fileKeys.complaintUpload(sha)).toBe(`uploads/${sha.slice(0, 2)}/${sha}`);
    const id = hex(16);
    expect(fileKeys.reportEvidence(id)).toBe(`reports/${id}`);
    expect(fileKeys.pendingEvidence(id)).toBe(`reports/pending/${id}`);
    expect(() => fileKeys.complaintUpload("../../keys/master.key")).toThrow(InvalidFileKeyError);
    expect(() => fileKeys.complaintUpload(sha.toUpperCase())).toThrow(InvalidFileKeyError);
    expect(() => fileKeys.reportEvidence("../sujarit.db")).toThrow(InvalidFileKeyError);
    expect(() => fileKeys.pendingEvidence(`${id}/x`)).toThrow(InvalidFileKeyError);
  });

  it.each(stores)("%s: every operation refuses a bad key, and nothing is written", async (_name, store) => {
    const before = filesOnDisk();
    const rows = await db.selectFrom("stored_file").select("key").execute();
    const outside = path.join(os.tmpdir(), `sujarit-escape-${hex(6)}`);
    for (const k of ["../escape", "keys/master.key", outside, `uploads/../../${path.basename(outside)}`]) {
      await expect(store.put(k, Buffer.from("x"))).rejects.toThrow(InvalidFileKeyError);
      await expect(store.get(k)).rejects.toThrow(InvalidFileKeyError);
      await expect(store.delete([k])).rejects.toThrow(InvalidFileKeyError);
      await expect(store.exists(k)).rejects.toThrow(InvalidFileKeyError);
    }
    await expect(store.list("../")).rejects.toThrow(InvalidFileKeyError);
    await expect(store.list("uploads")).rejects.toThrow(InvalidFileKeyError);
    expect(filesOnDisk()).toEqual(before);
    expect(await db.selectFrom("stored_file").select("key").execute()).toEqual(rows);
    expect(fs.existsSync(outside)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, "..", "escape"))).toBe(false);
  });
});

describe.each(stores)("%s store", (name, store) => {
  it("puts, gets, streams, stats, replaces and deletes", async () => {
    const key = evidenceKey();
    const bytes = crypto.randomBytes(70_000);
    expect(await store.get(key)).toBeNull();
    expect(await store.exists(key)).toBe(false);
    expect(await store.open(key)).toBeNull();
    expect(await store.stat(key)).toBeNull();

    expect(await store.put(key, bytes)).toEqual({ size: bytes.length });
    expect((await store.get(key))!.equals(bytes)).toBe(true);
    expect(await store.exists(key)).toBe(true);
    const st = await store.stat(key);
    expect(st).toMatchObject({ key, size: bytes.length });
    // Disk: the file's time; database: the start of the Bangkok day (no time of day is stored).
    expect(st!.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(st!.createdAt.getTime()).toBeGreaterThan(Date.now() - 86_400_000);
    const opened = await store.open(key);
    expect(opened!.size).toBe(bytes.length);
    const chunks: Buffer[] = [];
    for await (const c of opened!.stream) chunks.push(Buffer.from(c as Uint8Array));
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);

    const replacement = Buffer.from("a shorter replacement");
    await store.put(key, replacement);
    expect((await store.get(key))!.equals(replacement)).toBe(true);
    expect((await store.stat(key))!.size).toBe(replacement.length);

    await store.delete(key);
    expect(await store.get(key)).toBeNull();
    await store.delete([key, evidenceKey()]); // missing files are no error
    expect(await store.exists(key)).toBe(false);
  });

  it("stores a stream", async () => {
    const key = evidenceKey();
    const parts = [crypto.randomBytes(10), crypto.randomBytes(100_000), Buffer.alloc(0), crypto.randomBytes(3)];
    async function* chunks() {
      for (const p of parts) yield p;
    }
    expect(await store.put(key, chunks())).toEqual({ size: 100_013 });
    expect((await store.get(key))!.equals(Buffer.concat(parts))).toBe(true);
    await store.delete(key);
  });

  it("lists by prefix (an underscore is no wildcard) and by age", async () => {
    const a = `reports/pending/${hex(16)}`;
    const b = `reports/pending/${hex(16)}`;
    const other = evidenceKey();
    const underscore = "reports/p_nding_x";
    for (const k of [a, b, other, underscore]) await store.put(k, Buffer.from(k));
    const listed = await store.list(PENDING_EVIDENCE_PREFIX);
    expect(listed.map((f) => f.key)).toEqual([a, b].sort());
    expect(listed.every((f) => f.size === a.length)).toBe(true);
    expect(await store.list(PENDING_EVIDENCE_PREFIX, { createdAtOrBefore: new Date(Date.now() - 2 * 86_400_000) })).toEqual([]);
    expect((await store.list(PENDING_EVIDENCE_PREFIX, { createdAtOrBefore: new Date(Date.now() + 60_000) })).map((f) => f.key)).toEqual(
      [a, b].sort(),
    );
    expect((await store.list("reports/")).map((f) => f.key)).toEqual(expect.arrayContaining([a, b, other, underscore]));
    await store.delete([a, b, other, underscore]);
    expect(await store.list(PENDING_EVIDENCE_PREFIX)).toEqual([]);
  });

  it("a stream that breaks half-way stores nothing (and keeps the file it was to replace)", async () => {
    const key = evidenceKey();
    const before = filesOnDisk();
    await expect(store.put(key, brokenStream(crypto.randomBytes(50_000)))).rejects.toThrow("connection reset");
    expect(await store.get(key)).toBeNull();
    expect(await store.exists(key)).toBe(false);
    expect(filesOnDisk()).toEqual(before); // no half-written file, no temporary file

    const original = Buffer.from("the original evidence");
    await store.put(key, original);
    await expect(store.put(key, brokenStream(crypto.randomBytes(50_000)))).rejects.toThrow("connection reset");
    expect((await store.get(key))!.equals(original)).toBe(true);
    await store.delete(key);
    expect(filesOnDisk()).toEqual(before);
  });

  if (name === "disk") {
    it("keeps today's layout under DATA_DIR, owner-only, synced before it is renamed into place", async () => {
      const sha = crypto.createHash("sha256").update(hex(8)).digest("hex");
      const key = fileKeys.complaintUpload(sha);
      const fsync = vi.spyOn(fs, "fsyncSync");
      const rename = vi.spyOn(fs, "renameSync");
      await store.put(key, Buffer.from("photo"));
      const file = path.join(dataDir, "uploads", sha.slice(0, 2), sha);
      expect(fs.readFileSync(file, "utf8")).toBe("photo");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fsync.mock.invocationCallOrder[0]).toBeLessThan(rename.mock.invocationCallOrder[0]!);
      expect(path.basename(String(rename.mock.calls[0]![0]))).toMatch(/^\.tmp-/);
      await store.delete(key);
      expect(fs.existsSync(file)).toBe(false);
    });

    it("a write the disk refuses (fsync fails) leaves neither the file nor a temporary file, and the old file stays", async () => {
      const key = evidenceKey();
      const before = filesOnDisk();
      vi.spyOn(fs, "fsyncSync").mockImplementationOnce(() => {
        throw Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
      });
      await expect(store.put(key, crypto.randomBytes(1000))).rejects.toThrow("EIO");
      expect(await store.get(key)).toBeNull();
      expect(filesOnDisk()).toEqual(before);

      await store.put(key, Buffer.from("old"));
      vi.spyOn(fs, "writeSync").mockImplementationOnce(() => {
        throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
      });
      await expect(store.put(key, crypto.randomBytes(1000))).rejects.toThrow("ENOSPC");
      expect((await store.get(key))!.toString()).toBe("old");
      expect(filesOnDisk().filter((f) => path.basename(f).startsWith("."))).toEqual([]);
      await store.delete(key);
    });

    it("lists no temporary files", async () => {
      const dir = path.join(dataDir, "reports", "pending");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, ".tmp-0011223344556677"), "half");
      expect(await store.list(PENDING_EVIDENCE_PREFIX)).toEqual([]);
      fs.rmSync(path.join(dir, ".tmp-0011223344556677"));
    });
  } else {
    it("keeps the bytes in stored_file, nothing on disk", async () => {
      const key = evidenceKey();
      const bytes = crypto.randomBytes(2000);
      const before = filesOnDisk();
      await store.put(key, bytes);
      const row = await db.selectFrom("stored_file").selectAll().where("key", "=", key).executeTakeFirstOrThrow();
      expect(Buffer.from(row.bytes).equals(bytes)).toBe(true);
      expect(row.size).toBe(2000);
      // Only the Bangkok day it was written (midnight in Bangkok is 17:00 UTC), never the time of day.
      expect(row.created_at).toBe(storedDay(new Date()));
      expect(row.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T17:00:00\.000Z$/);
      expect(filesOnDisk()).toEqual(before);
      await store.delete(key);
      expect(await db.selectFrom("stored_file").select("key").where("key", "=", key).executeTakeFirst()).toBeUndefined();
    });

    it("joins the caller's transaction: a rolled-back write or removal leaves no trace", async () => {
      const key = evidenceKey();
      await expect(
        db.transaction().execute(async (trx) => {
          await store.put(key, Buffer.from("evidence"), { db: trx });
          expect((await store.get(key, { db: trx }))!.toString()).toBe("evidence");
          throw new Error("the row insert failed");
        }),
      ).rejects.toThrow("the row insert failed");
      expect(await store.get(key)).toBeNull();

      await db.transaction().execute(async (trx) => {
        await store.put(key, Buffer.from("evidence"), { db: trx });
      });
      expect((await store.get(key))!.toString()).toBe("evidence");

      setFileStoreForTests(store);
      await expect(
        db.transaction().execute(async (trx) => {
          await fileRemoval.inTransaction(trx, [key]);
          expect(await store.get(key, { db: trx })).toBeNull();
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      expect((await store.get(key))!.toString()).toBe("evidence");
      await db.transaction().execute((trx) => fileRemoval.inTransaction(trx, [key]));
      expect(await store.get(key)).toBeNull();
    });
  }
});

describe("configuration", () => {
  it("FILE_STORE is disk by default, database when asked, and nothing else", () => {
    expect(parseEnv({}).FILE_STORE).toBe("disk");
    expect(parseEnv({ FILE_STORE: "database" }).FILE_STORE).toBe("database");
    expect(() => parseEnv({ FILE_STORE: "s3" })).toThrow(/FILE_STORE: must be disk or database/);
    expect(createFileStore({ FILE_STORE: "disk", DATA_DIR: dataDir })).toBeInstanceOf(LocalDiskFileStore);
    expect(createFileStore({ FILE_STORE: "database", DATA_DIR: dataDir }, () => db)).toBeInstanceOf(DatabaseFileStore);
  });

  it("fileStore() is built once, and a test can put its own in", () => {
    const first = fileStore();
    expect(fileStore()).toBe(first);
    setFileStoreForTests(database);
    expect(fileStore()).toBe(database);
    setFileStoreForTests(undefined);
    expect(fileStore()).not.toBe(database);
  });

  it("the migration creates and drops stored_file with the schema builder", async () => {
    const migrations = await import("../../db/migrations");
    const storedFiles = migrations.migrations["2026-12-24T0100_stored_files"]!;
    expect(storedFiles).toBeDefined();
    const scratch = (await import("../../db/connection")).openDatabase(path.join(dataDir, "scratch.db"));
    try {
      await migrateToLatest(scratch);
      const cols = await scratch.introspection.getTables();
      const table = cols.find((t) => t.name === "stored_file")!;
      expect(table.columns.map((c) => [c.name, c.dataType.toLowerCase(), c.isNullable])).toEqual([
        ["key", "text", true],
        ["size", "integer", false],
        ["created_at", "text", false],
        ["bytes", "blob", false],
      ]);
      await storedFiles.down!(scratch);
      expect((await scratch.introspection.getTables()).some((t) => t.name === "stored_file")).toBe(false);
      await storedFiles.up(scratch);
      expect((await scratch.introspection.getTables()).some((t) => t.name === "stored_file")).toBe(true);
    } finally {
      await scratch.destroy();
    }
  });
});

// ---- the model code with each store -----------------------------------------------------------------------------------

let photoSeed = 0;
async function photo(): Promise<Buffer> {
  photoSeed++;
  return sharp({ create: { width: 30 + photoSeed, height: 20, channels: 3, background: { r: photoSeed * 40, g: 90, b: 160 } } })
    .jpeg()
    .toBuffer();
}

async function fileComplaintWithPhoto(data?: Buffer): Promise<{ id: number; reference: string; key: string }> {
  const uploadId = await uploads.storeUpload({ name: "หน้าบ้าน.jpg", data: data ?? (await photo()) }, db);
  const row = await db.selectFrom("pending_uploads").select("sha256").where("id", "=", uploadId).executeTakeFirstOrThrow();
  const c = await complaints.createComplaint(db, {
    category: "road",
    subject: "ถนนเป็นหลุม",
    details: "หลุมลึกหน้าวัด",
    village: 2,
    landmark: "",
    latitude: undefined,
    longitude: undefined,
    contactName: "สมชาย",
    contactPhone: "0812345678",
    contactEmail: undefined,
    contactAddress: undefined,
    preferredContact: "phone",
    channel: "web",
    lang: "th",
    submissionKey: crypto.randomBytes(32).toString("base64url"),
    recordedBy: null,
    uploadIds: [uploadId],
  } as Parameters<typeof complaints.createComplaint>[1]);
  return { id: c.id, reference: c.reference, key: uploads.attachmentKey(row.sha256) };
}

describe.each(stores)("with the %s store", (name, store) => {
  const storedKeys = async () =>
    name === "database"
      ? (await db.selectFrom("stored_file").select("key").execute()).map((r) => r.key)
      : (await store.list("uploads/")).concat(await store.list("reports/")).map((f) => f.key);

  it("a complaint's photo is stored, and erasure and retention remove it", async () => {
    setFileStoreForTests(store);
    const erased = await fileComplaintWithPhoto();
    const kept = await fileComplaintWithPhoto();
    expect(await store.exists(erased.key)).toBe(true);
    expect(await storedKeys()).toEqual(expect.arrayContaining([erased.key, kept.key]));

    await privacy.eraseCase(db, erased.reference, { staffId: null, role: "admin", osUser: "test" }, { openCaseAcknowledged: true });
    expect(await store.exists(erased.key)).toBe(false);
    expect(await storedKeys()).not.toContain(erased.key);
    expect(await store.exists(kept.key)).toBe(true);

    // Closed seven years ago: past the retention period.
    const closedAt = new Date(Date.now() - 7 * 365 * 86_400_000).toISOString();
    await db.updateTable("complaints").set({ status: "resolved", closed_at: closedAt }).where("id", "=", kept.id).execute();
    expect((await privacy.runComplaintRetention(db)).anonymised).toBeGreaterThanOrEqual(1);
    expect(await store.exists(kept.key)).toBe(false);
    expect(await storedKeys()).not.toContain(kept.key);
    expect(await db.selectFrom("attachments").select("id").where("complaint_id", "in", [erased.id, kept.id]).execute()).toEqual([]);
    if (name === "database") expect(filesOnDisk().filter((f) => f.includes(erased.key.slice(-64)))).toEqual([]);
  });

  it("erasure keeps a file an unexpired pending upload still refers to; its clean-up removes it later", async () => {
    setFileStoreForTests(store);
    const bytes = await photo();
    const c = await fileComplaintWithPhoto(bytes);
    await uploads.storeUpload({ name: "again.jpg", data: bytes }, db); // the same photo, on a form sent back
    await privacy.eraseCase(db, c.reference, { staffId: null, role: "admin", osUser: "test" }, { openCaseAcknowledged: true });
    expect(await store.exists(c.key)).toBe(true);
    setClockOffsetForTests(25 * 3600_000);
    expect(await uploads.cleanupPendingUploads(db)).toBeGreaterThanOrEqual(1);
    expect(await store.exists(c.key)).toBe(false);
    expect(await storedKeys()).not.toContain(c.key);
  });

  it("evidence kept across a rejected report form is ciphertext in the store, restored with the form's key, then removed", async () => {
    setFileStoreForTests(store);
    const bytes = await photo();
    const upload = { bytes, name: "หลักฐาน.jpg", mime: "image/jpeg", keptOriginal: false };
    const kept = await pending.keepEvidence(db, upload, crypto.createHash("sha256").update(bytes).digest("hex"));
    const row = await db.selectFrom("report_pending_uploads").selectAll().where("id", "=", kept.id).executeTakeFirstOrThrow();
    const key = fileKeys.pendingEvidence(row.storage_id);
    const sealed = (await store.get(key))!;
    expect(sealed).not.toBeNull();
    expect(sealed.includes(bytes.subarray(0, 64))).toBe(false);
    expect(sealed.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);

    const restored = await pending.restoreKeptEvidence(db, [kept.token]);
    expect(restored.missing).toBe(0);
    expect(restored.found[0]!.upload.bytes.equals(bytes)).toBe(true);
    // A wrong key opens nothing (and removes nothing).
    const wrong = `${kept.id}.${crypto.randomBytes(32).toString("base64url")}`;
    expect(await pending.restoreKeptEvidence(db, [wrong])).toMatchObject({ found: [], missing: 1 });

    expect(await pending.discardKeptEvidence(db, [kept.id])).toBe(1);
    expect(await store.exists(key)).toBe(false);
    expect(await pending.restoreKeptEvidence(db, [kept.token])).toMatchObject({ found: [], missing: 1 });
  });

  it("kept evidence older than a day, and stray files without a row, are cleaned up", async () => {
    setFileStoreForTests(store);
    const bytes = await photo();
    const kept = await pending.keepEvidence(db, { bytes, name: "x.jpg", mime: "image/jpeg", keptOriginal: false }, "0".repeat(64));
    const row = await db.selectFrom("report_pending_uploads").selectAll().where("id", "=", kept.id).executeTakeFirstOrThrow();
    const stray = fileKeys.pendingEvidence(hex(16));
    await store.put(stray, crypto.randomBytes(100));
    expect(await pending.cleanupReportPending(db)).toBe(0);
    expect(await store.exists(stray)).toBe(true);
    setClockOffsetForTests(25 * 3600_000);
    expect(await pending.cleanupReportPending(db)).toBe(1);
    expect(await store.exists(fileKeys.pendingEvidence(row.storage_id))).toBe(false);
    expect(await store.exists(stray)).toBe(false);
    expect(await store.list(PENDING_EVIDENCE_PREFIX)).toEqual([]);
  });
});
