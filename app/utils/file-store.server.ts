/**
 * Every stored file — complaint photos and documents, encrypted report evidence, evidence kept across a rejected
 * report form — is read, written, listed and removed through ONE interface, FileStore, so that app servers can share
 * nothing but the database (docs/decisions/0013-file-store.md).
 *
 * - Keys are opaque relative names made by this module's `fileKeys` from ids the server chose (content hashes, random
 *   storage ids), never from user input: `uploads/<sha256[0..2]>/<sha256>`, `reports/<storage id>`,
 *   `reports/pending/<storage id>`. `checkFileKey` refuses anything else: absolute paths, `..`, `.`-names, empty
 *   segments, backslashes, other characters, and any first segment but `uploads` and `reports` (so no key can reach
 *   the keys, the database or anything else in DATA_DIR).
 * - `LocalDiskFileStore` (FILE_STORE=disk, the default): the key is the path under DATA_DIR — today's layout, so an
 *   existing installation keeps its files where they are. Writes go through a temporary file, fsync, rename and fsync
 *   of the folder (durable-file.server.ts): a reader sees the whole file or none.
 * - `DatabaseFileStore` (FILE_STORE=database): one row per file in `stored_file` (key, size, created_at — the Bangkok
 *   day only —, bytes) of the application's database (SQLite blob; bytea on PostgreSQL). Given the caller's transaction (`opts.db`), a write or a
 *   removal commits or rolls back with the rows that point at the file; SQLite's secure_delete overwrites removed bytes.
 * - An S3-compatible store fits the same interface (put = PutObject, get/open = GetObject, stat/exists = HeadObject,
 *   delete = DeleteObjects, list = ListObjectsV2 by prefix); it would ignore `opts.db` like the disk store.
 *
 * Encrypted evidence is encrypted BEFORE it reaches the store: no store ever sees plaintext of a report. Nothing here
 * logs file contents, and keys are logged nowhere (they are not user input, but they identify cases).
 */
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { Executor } from "../../db/connection";
import type { Database } from "../../db/schema";
import { bangkokDateKey } from "../lib/thai-date";
import { now } from "./clock.server";
import { getDb } from "./db.server";
import { TEMP_PREFIX, writeChunksDurably, writeFileDurably } from "./durable-file.server";
import { getEnv } from "./env.server";
import { activeSite } from "./site-context.server";
import { errorFields, log } from "./logger.server";

/** What a file is stored from: bytes, or chunks of a stream (nothing becomes visible until the last chunk arrived). */
export type FileBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface StoredFileInfo {
  key: string;
  size: number;
  /** When it was written (disk: the file's modification time; database: the start of that Bangkok day). */
  createdAt: Date;
}

export interface FileStoreOptions {
  /**
   * The caller's database handle or open transaction. A store inside the application's database uses it, so the write
   * or removal commits or rolls back with the caller's rows; stores elsewhere ignore it. Pass it whenever a transaction
   * is open: a SQLite connection serves one transaction at a time.
   */
  db?: Executor;
}

export interface FileStore {
  readonly kind: "disk" | "database";
  /** True when the bytes live in the application's database (writes and removals can join its transactions). */
  readonly inDatabase: boolean;
  /** Stores `body` under `key` (replacing a file there) atomically: readers see all of it or nothing. */
  put(key: string, body: FileBody, opts?: FileStoreOptions): Promise<{ size: number }>;
  /** The whole file, or null when there is none. */
  get(key: string, opts?: FileStoreOptions): Promise<Buffer | null>;
  /** The file as a stream with its size (for downloads), or null. */
  open(key: string, opts?: FileStoreOptions): Promise<{ size: number; stream: Readable } | null>;
  stat(key: string, opts?: FileStoreOptions): Promise<StoredFileInfo | null>;
  exists(key: string, opts?: FileStoreOptions): Promise<boolean>;
  /** Removes the files (missing ones are no error). */
  delete(keys: string | readonly string[], opts?: FileStoreOptions): Promise<void>;
  /** Files whose key starts with `prefix` (which ends with "/"), optionally only those written at or before a time. */
  list(prefix: string, opts?: FileStoreOptions & { createdAtOrBefore?: Date }): Promise<StoredFileInfo[]>;
}

// ---- keys -------------------------------------------------------------------------------------------------------------

/** The first segment of every key. */
export const FILE_NAMESPACES = ["uploads", "reports"] as const;

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export class InvalidFileKeyError extends Error {
  constructor() {
    super("invalid file key");
    this.name = "InvalidFileKeyError";
  }
}

/** Throws InvalidFileKeyError unless `key` is a relative name this store may hold (see the module comment). */
export function checkFileKey(key: string): void {
  if (typeof key !== "string" || key.length === 0 || key.length > 300) throw new InvalidFileKeyError();
  const parts = key.split("/");
  if (parts.length < 2 || !(FILE_NAMESPACES as readonly string[]).includes(parts[0]!)) throw new InvalidFileKeyError();
  for (const p of parts) if (!SEGMENT.test(p)) throw new InvalidFileKeyError();
}

function checkPrefix(prefix: string): void {
  if (!prefix.endsWith("/")) throw new InvalidFileKeyError();
  checkFileKey(`${prefix}x`);
}

/** The keys of the portal's files (the same layout as the folders under DATA_DIR). */
export const fileKeys = {
  /** A complaint attachment or pending upload, content-addressed by the sha256 of its (cleaned) bytes. */
  complaintUpload(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new InvalidFileKeyError();
    return `uploads/${sha256.slice(0, 2)}/${sha256}`;
  },
  /** An encrypted evidence file of a report (random 128-bit storage id). */
  reportEvidence(storageId: string): string {
    if (!/^[0-9a-f]{32}$/.test(storageId)) throw new InvalidFileKeyError();
    return `reports/${storageId}`;
  },
  /** Evidence kept (encrypted with a key only the reporter's browser holds) across a rejected report form. */
  pendingEvidence(storageId: string): string {
    if (!/^[0-9a-f]{32}$/.test(storageId)) throw new InvalidFileKeyError();
    return `${PENDING_EVIDENCE_PREFIX}${storageId}`;
  },
} as const;

export const PENDING_EVIDENCE_PREFIX = "reports/pending/";

// ---- local disk -------------------------------------------------------------------------------------------------------

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Files under a root folder (DATA_DIR): the key is the relative path. */
export class LocalDiskFileStore implements FileStore {
  readonly kind = "disk" as const;
  readonly inDatabase = false;
  constructor(readonly root: string) {}

  /** Where the file of `key` lives (for this store's own use and for tests). */
  pathOf(key: string): string {
    checkFileKey(key);
    return path.join(this.root, ...key.split("/"));
  }

  async put(key: string, body: FileBody): Promise<{ size: number }> {
    const file = this.pathOf(key);
    if (body instanceof Uint8Array) {
      writeFileDurably(file, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      return { size: body.byteLength };
    }
    return { size: await writeChunksDurably(file, body) };
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.promises.readFile(this.pathOf(key));
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async open(key: string): Promise<{ size: number; stream: Readable } | null> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.pathOf(key), "r");
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
    try {
      const st = await handle.stat();
      return { size: st.size, stream: handle.createReadStream({ autoClose: true }) };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async stat(key: string): Promise<StoredFileInfo | null> {
    try {
      const st = await fs.promises.stat(this.pathOf(key));
      return st.isFile() ? { key, size: st.size, createdAt: st.mtime } : null;
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(keys: string | readonly string[]): Promise<void> {
    const list = typeof keys === "string" ? [keys] : keys;
    const files = list.map((k) => this.pathOf(k));
    for (const f of files) await fs.promises.rm(f, { force: true });
  }

  async list(prefix: string, opts: { createdAtOrBefore?: Date } = {}): Promise<StoredFileInfo[]> {
    checkPrefix(prefix);
    const out: StoredFileInfo[] = [];
    const walk = async (rel: string) => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(path.join(this.root, ...rel.split("/")), { withFileTypes: true });
      } catch (e) {
        if (isMissing(e)) return;
        throw e;
      }
      for (const e of entries) {
        if (e.name.startsWith(TEMP_PREFIX) || !SEGMENT.test(e.name)) continue;
        const key = `${rel}${e.name}`;
        if (e.isDirectory()) await walk(`${key}/`);
        else if (e.isFile()) {
          const st = await fs.promises.stat(path.join(this.root, ...key.split("/")), { bigint: false }).catch(() => null);
          if (st && (!opts.createdAtOrBefore || st.mtime <= opts.createdAtOrBefore)) out.push({ key, size: st.size, createdAt: st.mtime });
        }
      }
    };
    await walk(prefix);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

// ---- database ---------------------------------------------------------------------------------------------------------

async function collect(body: FileBody): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/**
 * created_at of a stored row: the start of the Bangkok day it was written, never the time of day (the report channel
 * keeps only dates of what reporters did; a time beside an evidence file would help match a report to a visitor).
 */
export function storedDay(at: Date): string {
  return new Date(`${bangkokDateKey(at)}T00:00:00+07:00`).toISOString();
}

/** Rows removed per statement. */
const DELETE_BATCH = 500;

/** Files as rows of `stored_file` in the application's database. */
export class DatabaseFileStore implements FileStore {
  readonly kind = "database" as const;
  readonly inDatabase = true;
  /** `database`: the handle used when the caller passes none (default: the process's database). */
  constructor(private readonly database: () => Kysely<Database> = getDb) {}

  private ex(opts: FileStoreOptions | undefined): Executor {
    return opts?.db ?? this.database();
  }

  async put(key: string, body: FileBody, opts?: FileStoreOptions): Promise<{ size: number }> {
    checkFileKey(key);
    // The whole body is read first: a stream that fails half-way stores nothing. One statement: atomic.
    const bytes = await collect(body);
    const row = { size: bytes.length, created_at: storedDay(now()), bytes };
    await this.ex(opts)
      .insertInto("stored_file")
      .values({ key, ...row })
      .onConflict((oc) => oc.column("key").doUpdateSet(row))
      .execute();
    return { size: bytes.length };
  }

  async get(key: string, opts?: FileStoreOptions): Promise<Buffer | null> {
    checkFileKey(key);
    const row = await this.ex(opts).selectFrom("stored_file").select("bytes").where("key", "=", key).executeTakeFirst();
    return row ? Buffer.from(row.bytes) : null;
  }

  async open(key: string, opts?: FileStoreOptions): Promise<{ size: number; stream: Readable } | null> {
    const bytes = await this.get(key, opts);
    return bytes ? { size: bytes.length, stream: Readable.from([bytes]) } : null;
  }

  async stat(key: string, opts?: FileStoreOptions): Promise<StoredFileInfo | null> {
    checkFileKey(key);
    const row = await this.ex(opts)
      .selectFrom("stored_file")
      .select(["key", "size", "created_at"])
      .where("key", "=", key)
      .executeTakeFirst();
    return row ? { key: row.key, size: Number(row.size), createdAt: new Date(row.created_at) } : null;
  }

  async exists(key: string, opts?: FileStoreOptions): Promise<boolean> {
    return (await this.stat(key, opts)) !== null;
  }

  async delete(keys: string | readonly string[], opts?: FileStoreOptions): Promise<void> {
    const list = typeof keys === "string" ? [keys] : [...keys];
    for (const k of list) checkFileKey(k);
    for (let i = 0; i < list.length; i += DELETE_BATCH) {
      await this.ex(opts)
        .deleteFrom("stored_file")
        .where("key", "in", list.slice(i, i + DELETE_BATCH))
        .execute();
    }
  }

  async list(prefix: string, opts: FileStoreOptions & { createdAtOrBefore?: Date } = {}): Promise<StoredFileInfo[]> {
    checkPrefix(prefix);
    let q = this.ex(opts)
      .selectFrom("stored_file")
      .select(["key", "size", "created_at"])
      // substr, not LIKE: "_" in a key is not a wildcard, and the same on SQLite and PostgreSQL.
      .where((eb) => eb(eb.fn<string>("substr", ["key", eb.lit(1), eb.lit(prefix.length)]), "=", prefix));
    if (opts.createdAtOrBefore) q = q.where("created_at", "<=", opts.createdAtOrBefore.toISOString());
    const rows = await q.orderBy("key").execute();
    return rows.map((r) => ({ key: r.key, size: Number(r.size), createdAt: new Date(r.created_at) }));
  }
}

// ---- the process's store ----------------------------------------------------------------------------------------------

export type FileStoreKind = FileStore["kind"];

/** The store FILE_STORE names (disk: under DATA_DIR). */
export function createFileStore(env: { FILE_STORE: FileStoreKind; DATA_DIR: string }, database: () => Kysely<Database> = getDb): FileStore {
  return env.FILE_STORE === "database" ? new DatabaseFileStore(database) : new LocalDiskFileStore(env.DATA_DIR);
}

declare global {
  var __sujaritFileStore: FileStore | undefined;
}

/** The organisation's file store: the process's, built once from the environment (FILE_STORE, DATA_DIR), or the current organisation's. */
export function fileStore(): FileStore {
  const site = activeSite();
  if (site) return site.fileStore();
  globalThis.__sujaritFileStore ??= createFileStore(getEnv());
  return globalThis.__sujaritFileStore;
}

/** Tests: use this store from now on (undefined: build it from the environment again on next use). */
export function setFileStoreForTests(store: FileStore | undefined): void {
  globalThis.__sujaritFileStore = store;
}

/**
 * Removal of files whose rows a transaction deletes. Call `inTransaction` inside it (a store in the database removes
 * the bytes with the rows: both or neither) and `afterCommit` once it committed (any other store removes them then;
 * a file left behind by a crash in between is bytes no row refers to, never a row without its file).
 */
export const fileRemoval = {
  async inTransaction(trx: Executor, keys: readonly string[]): Promise<void> {
    const store = fileStore();
    if (store.inDatabase && keys.length > 0) await store.delete(keys, { db: trx });
  },
  async afterCommit(keys: readonly string[], db?: Executor): Promise<void> {
    if (keys.length === 0) return;
    try {
      await fileStore().delete(keys, db ? { db } : undefined);
    } catch (e) {
      log.warn("could not remove stored files", { count: keys.length, ...errorFields(e) });
    }
  },
};
