/**
 * What `npm run backup` (scripts/backup.ts) and `npm run restore` (scripts/restore.ts) share: the archive format, the
 * passphrase encryption, the manifest and the rotation rule. See docs/operations.md for the operator's view.
 *
 * A backup is a folder DIR/sujarit-<UTC stamp>/ with
 *   data.tar.gz[.enc]   the database (a snapshot made with SQLite's backup API), uploads/ and reports/ (evidence, already
 *                       encrypted by the portal), and manifest.json last: the sha256 and size of every file, the sha256 of
 *                       each key file (to tell a keys archive of another installation), and an HMAC keyed from the
 *                       master key, so the manifest cannot be rewritten to match a changed file by someone without the keys
 *   keys.tar.gz[.enc]   DATA_DIR/keys/* and keys-manifest.json, a SEPARATE file (or elsewhere with --keys-to): data and
 *                       keys never travel in one archive
 *   backup.json         a summary without anything personal (sizes, counts, sha256 of the archives)
 *
 * Archives are ordinary gzip-compressed tar files (`tar tzf data.tar.gz` lists one). Tar headers are encoded and
 * parsed with the `tar` package (node-tar, npm's own, maintained by npm's author, no native code): a tested encoder and
 * a streaming parser that checks header checksums and knows the pax/GNU extensions an operator's GNU tar may add
 * when repacking; which files go in, and where extracted files may be written, is decided here. An archive given a
 * passphrase is framed as below (node:crypto only):
 *
 *   "SJBKENC1" | u32 header length | header JSON {alg, kdf: scrypt N r p salt, chunkBytes, noncePrefix, check}
 *   then chunks: u32 ciphertext length | ciphertext | 16-byte GCM tag
 *
 * AES-256-GCM per chunk of at most 1 MiB; key = first 32 bytes of scrypt(passphrase, salt, 64, N=2^17, r=8, p=1); the
 * other 32 make `check` (HMAC of a fixed text, 16 bytes) so a wrong passphrase is told from a damaged file. Nonce = an
 * 8-byte random prefix + the chunk's number (no reordering); additional data = the header bytes + a final-chunk flag
 * (no truncation, nothing appended after the final chunk).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform, Writable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Header, Parser, type ReadEntry } from "tar";

export const BACKUP_PREFIX = "sujarit-";
export const BACKUP_NAME_RE = /^sujarit-(\d{8}T\d{6}Z)$/;
export const KEYS_FILE_RE = /^sujarit-keys-(\d{8}T\d{6}Z)\.tar\.gz(\.enc)?$/;
export const MANIFEST = "manifest.json";
export const KEYS_MANIFEST = "keys-manifest.json";
export const DATABASE_ENTRY = "sujarit.db";
/** The list of organisations of an installation that serves several (its organisations' are orgs/<code>/sujarit.db). */
export const PLATFORM_ENTRY = "platform.db";
/** Folders of DATA_DIR that go into the data archive. */
export const DATA_FOLDERS = ["uploads", "reports"] as const;

// ---------------------------------------------------------------------------------------------------------------------
// Small helpers

export class BackupError extends Error {}

/** "20261203T101500Z" for a date (UTC). */
export function backupStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

/** The date of a stamp made by backupStamp. */
export function parseStamp(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) throw new BackupError(`not a backup stamp: ${stamp}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The passphrase: the file's first line (a trailing newline is not part of it). */
export function readPassphraseFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new BackupError(`cannot read the passphrase file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const first = text.split(/\r?\n/)[0];
  if (!first) throw new BackupError(`the passphrase file ${file} is empty`);
  return first;
}

/** Every regular file under `root` (relative paths with "/"), sorted; temporary files of writeFileDurably skipped. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const e of entries) {
      if (e.name.startsWith(".tmp-")) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk("");
  return out.sort();
}

// ---------------------------------------------------------------------------------------------------------------------
// Manifests

export interface FileDigest {
  sha256: string;
  bytes: number;
}

export interface DataManifestBody {
  format: "sujarit-backup-data";
  version: 1;
  id: string;
  created: string;
  /** sha256 of each key file at backup time (which keys archive belongs to this data). */
  keys: Record<string, string>;
  files: Record<string, FileDigest>;
  /** An installation with several organisations: their codes (each one's files under orgs/<code>/). */
  organisations?: string[];
}

export interface DataManifest {
  body: DataManifestBody;
  /** HMAC-SHA256 (hex) of JSON.stringify(body), keyed from the master key; null when there was no master key. */
  mac: string | null;
}

export interface KeysManifest {
  format: "sujarit-backup-keys";
  version: 1;
  id: string;
  created: string;
  files: Record<string, FileDigest>;
}

function manifestMacKey(masterKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", masterKey, Buffer.alloc(0), "sujarit backup manifest v1", 32));
}

export function manifestMac(body: DataManifestBody, masterKey: Buffer): string {
  return crypto.createHmac("sha256", manifestMacKey(masterKey)).update(JSON.stringify(body)).digest("hex");
}

export function macMatches(manifest: DataManifest, masterKey: Buffer): boolean {
  if (!manifest.mac || !/^[0-9a-f]{64}$/.test(manifest.mac)) return false;
  return crypto.timingSafeEqual(Buffer.from(manifest.mac, "hex"), Buffer.from(manifestMac(manifest.body, masterKey), "hex"));
}

// ---------------------------------------------------------------------------------------------------------------------
// Writing tar

export interface TarSource {
  /** Path inside the archive ("uploads/ab/…"). */
  name: string;
  /** A file on disk (read through one descriptor, size taken when opened) … */
  file?: string;
  /** … or bytes made on the fly (called when the entry is written, so it may use digests of earlier entries). */
  data?: () => Buffer;
  /** Told the sha256 and size of what was written. */
  onDigest?: (d: FileDigest) => void;
  /** A file that vanished before it was opened is skipped (housekeeping may remove files while a backup runs). */
  optional?: boolean;
}

const BLOCK = 512;
const READ_CHUNK = 1 << 20;

function header(name: string, size: number, mtime: Date): Buffer {
  const h = new Header({ path: name, mode: 0o600, size, mtime, type: "File", uid: 0, gid: 0, uname: "", gname: "" });
  const block = Buffer.alloc(BLOCK);
  const needPax = h.encode(block, 0);
  if (needPax) throw new BackupError(`archive entry name too long: ${name}`);
  return block;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** A tar stream (uncompressed) of the sources, in order, ending with the two zero blocks. */
export function tarStream(sources: Iterable<TarSource>): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    const mtime = new Date();
    for (const s of sources) {
      if (s.data) {
        const bytes = s.data();
        s.onDigest?.({ sha256: crypto.createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length });
        yield header(s.name, bytes.length, mtime);
        yield bytes;
        yield padding(bytes.length);
        continue;
      }
      let fh: fs.promises.FileHandle;
      try {
        fh = await fs.promises.open(s.file!, "r");
      } catch (e) {
        if (s.optional && (e as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw e;
      }
      try {
        const st = await fh.stat();
        const size = st.size;
        yield header(s.name, size, st.mtime);
        const hash = crypto.createHash("sha256");
        let done = 0;
        while (done < size) {
          const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - done));
          const { bytesRead } = await fh.read(buf, 0, buf.length, done);
          if (bytesRead === 0) throw new BackupError(`${s.name} became shorter while it was read`);
          const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
          hash.update(chunk);
          done += bytesRead;
          yield chunk;
        }
        s.onDigest?.({ sha256: hash.digest("hex"), bytes: size });
        yield padding(size);
      } finally {
        await fh.close();
      }
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(gen(), { objectMode: false });
}

// ---------------------------------------------------------------------------------------------------------------------
// Passphrase encryption

const ENC_MAGIC = Buffer.from("SJBKENC1", "latin1");
const CHUNK_BYTES = 1 << 20;
const TAG_BYTES = 16;
const SCRYPT = { N: 1 << 17, r: 8, p: 1 } as const;

interface EncHeader {
  alg: "AES-256-GCM";
  kdf: { name: "scrypt"; N: number; r: number; p: number; salt: string };
  chunkBytes: number;
  noncePrefix: string;
  check: string;
}

function deriveKeys(passphrase: string, kdf: EncHeader["kdf"]): { key: Buffer; check: Buffer } {
  if (kdf.name !== "scrypt" || kdf.N > 1 << 20 || kdf.r > 32 || kdf.p > 16)
    throw new BackupError("unsupported key derivation in the archive header");
  const out = crypto.scryptSync(passphrase.normalize("NFC"), Buffer.from(kdf.salt, "base64"), 64, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.N * kdf.r + (1 << 20),
  });
  const key = out.subarray(0, 32);
  const check = crypto.createHmac("sha256", out.subarray(32)).update("sujarit backup passphrase check").digest().subarray(0, 16);
  return { key, check };
}

function nonceOf(prefix: Buffer, counter: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0, 0, 8);
  n.writeUInt32BE(counter, 8);
  return n;
}

function aadOf(headerBytes: Buffer, final: boolean): Buffer {
  return Buffer.concat([headerBytes, Buffer.from([final ? 1 : 0])]);
}

/** True when the file starts like an encrypted archive. */
export function isEncryptedArchive(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const b = Buffer.alloc(ENC_MAGIC.length);
    const n = fs.readSync(fd, b, 0, b.length, 0);
    return n === b.length && b.equals(ENC_MAGIC);
  } finally {
    fs.closeSync(fd);
  }
}

/** Encrypts a byte stream with the passphrase (format above). */
export function encryptStream(passphrase: string): Transform {
  const salt = crypto.randomBytes(16);
  const prefix = crypto.randomBytes(8);
  const { key, check } = deriveKeys(passphrase, { name: "scrypt", ...SCRYPT, salt: salt.toString("base64") });
  const head: EncHeader = {
    alg: "AES-256-GCM",
    kdf: { name: "scrypt", ...SCRYPT, salt: salt.toString("base64") },
    chunkBytes: CHUNK_BYTES,
    noncePrefix: prefix.toString("base64"),
    check: check.toString("base64"),
  };
  const headerBytes = Buffer.from(JSON.stringify(head), "utf8");
  let counter = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let started = false;
  const seal = (plain: Buffer, final: boolean): Buffer => {
    const c = crypto.createCipheriv("aes-256-gcm", key, nonceOf(prefix, counter++));
    c.setAAD(aadOf(headerBytes, final));
    const ct = Buffer.concat([c.update(plain), c.final()]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(ct.length);
    return Buffer.concat([len, ct, c.getAuthTag()]);
  };
  const start = (t: Transform) => {
    if (started) return;
    started = true;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(headerBytes.length);
    t.push(Buffer.concat([ENC_MAGIC, len, headerBytes]));
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      start(this);
      pending.push(chunk);
      pendingBytes += chunk.length;
      // Keep at least one byte back, so that the final chunk always carries the final flag.
      while (pendingBytes > CHUNK_BYTES) {
        const all = Buffer.concat(pending);
        this.push(seal(all.subarray(0, CHUNK_BYTES), false));
        const rest = all.subarray(CHUNK_BYTES);
        pending = [rest];
        pendingBytes = rest.length;
      }
      cb();
    },
    flush(cb: TransformCallback) {
      start(this);
      this.push(seal(Buffer.concat(pending), true));
      cb();
    },
  });
}

/**
 * Decrypts an encrypted archive stream; errors (BackupError) name the archive: wrong passphrase, damaged or altered,
 * cut short.
 */
export function decryptStream(passphrase: string, label: string): Transform {
  let buf: Buffer = Buffer.alloc(0);
  let headerBytes: Buffer | null = null;
  let head: EncHeader | null = null;
  let key: Buffer | null = null;
  let prefix: Buffer | null = null;
  let counter = 0;
  let finished = false;
  const fail = (msg: string) => new BackupError(`${label}: ${msg}`);
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        for (;;) {
          if (!head) {
            if (buf.length < ENC_MAGIC.length + 4) break;
            if (!buf.subarray(0, ENC_MAGIC.length).equals(ENC_MAGIC)) throw fail("not an encrypted backup archive");
            const len = buf.readUInt32BE(ENC_MAGIC.length);
            if (len > 4096) throw fail("damaged (encryption header)");
            if (buf.length < ENC_MAGIC.length + 4 + len) break;
            headerBytes = Buffer.from(buf.subarray(ENC_MAGIC.length + 4, ENC_MAGIC.length + 4 + len));
            try {
              head = JSON.parse(headerBytes.toString("utf8")) as EncHeader;
            } catch {
              throw fail("damaged (encryption header)");
            }
            if (head.alg !== "AES-256-GCM" || !head.kdf || typeof head.check !== "string") throw fail("unknown encryption");
            const derived = deriveKeys(passphrase, head.kdf);
            const check = Buffer.from(head.check, "base64");
            if (check.length !== 16 || !crypto.timingSafeEqual(check, derived.check)) throw fail("wrong passphrase");
            key = derived.key;
            prefix = Buffer.from(head.noncePrefix, "base64");
            buf = buf.subarray(ENC_MAGIC.length + 4 + len);
            continue;
          }
          if (buf.length < 4) break;
          const len = buf.readUInt32BE(0);
          if (len > head.chunkBytes) throw fail(`damaged (chunk ${counter + 1} has an impossible length)`);
          if (buf.length < 4 + len + TAG_BYTES) break;
          if (finished) throw fail("damaged or altered (data after the final chunk)");
          const ct = buf.subarray(4, 4 + len);
          const tag = buf.subarray(4 + len, 4 + len + TAG_BYTES);
          // A chunk is final exactly when nothing follows it; try the flag the position suggests, then the other.
          const open = (final: boolean): Buffer | null => {
            const d = crypto.createDecipheriv("aes-256-gcm", key!, nonceOf(prefix!, counter));
            d.setAAD(aadOf(headerBytes!, final));
            d.setAuthTag(tag);
            try {
              return Buffer.concat([d.update(ct), d.final()]);
            } catch {
              return null;
            }
          };
          let plain = open(false);
          if (!plain) {
            plain = open(true);
            if (!plain) throw fail(`damaged or altered (chunk ${counter + 1} fails authentication)`);
            finished = true;
          }
          counter++;
          buf = buf.subarray(4 + len + TAG_BYTES);
          this.push(plain);
        }
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb: TransformCallback) {
      if (!head) return cb(fail("cut short (no encryption header)"));
      if (buf.length > 0) return cb(fail("cut short (partial chunk at the end)"));
      if (!finished) return cb(fail("cut short (the final chunk is missing)"));
      cb();
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading tar

/** A path that may be written under the extraction folder: relative, plain names, nothing hidden or special. */
export function safeEntryPath(p: string): boolean {
  if (!p || p.length > 255 || p.startsWith("/") || p.includes("\\") || p.includes("\0")) return false;
  return p.split("/").every((part) => part !== "" && part !== "." && part !== ".." && /^[A-Za-z0-9._-]+$/.test(part));
}

/**
 * Extracts an archive file (decrypted with the passphrase when it is encrypted, then gunzipped) into `dest`: regular
 * files only, each path checked by `allowed` (and safeEntryPath), written 0600 in folders 0700 with their sha256
 * computed while writing. Folder entries are ignored (folders are made as needed); any other kind of entry, a path
 * twice or a path not allowed fails. Errors are BackupErrors that name the archive (`label`). Returns the digests of
 * the files written.
 */
export async function extractArchive(
  file: string,
  passphrase: string | null,
  dest: string,
  allowed: (p: string) => boolean,
  label: string,
): Promise<Map<string, FileDigest>> {
  const encrypted = isEncryptedArchive(file);
  if (encrypted && passphrase === null) throw new BackupError(`${label} is encrypted: give --passphrase-file`);
  const digests = new Map<string, FileDigest>();
  const writes: Promise<void>[] = [];
  let failure: Error | null = null;
  const refuse = (entry: ReadEntry, msg: string) => {
    failure ??= new BackupError(`${label}: ${msg}`);
    entry.resume();
  };
  const parser = new Parser({
    strict: true,
    noResume: true,
    onReadEntry: (entry: ReadEntry) => {
      const p = entry.path.replace(/\/+$/, "");
      if (failure || entry.type === "Directory") return void entry.resume();
      if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
        return refuse(entry, `unexpected ${entry.type} entry ${JSON.stringify(p.slice(0, 120))}`);
      }
      if (!safeEntryPath(p) || !allowed(p)) return refuse(entry, `unexpected entry ${JSON.stringify(p.slice(0, 120))}`);
      if (digests.has(p)) return refuse(entry, `${p} appears twice`);
      const target = path.join(dest, ...p.split("/"));
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      const hash = crypto.createHash("sha256");
      let bytes = 0;
      const out = fs.createWriteStream(target, { mode: 0o600, flags: "wx" });
      digests.set(p, { sha256: "", bytes: 0 });
      writes.push(
        new Promise<void>((resolve, reject) => {
          entry.on("data", (c: Buffer) => {
            hash.update(c);
            bytes += c.length;
            if (!out.write(c)) {
              entry.pause();
              out.once("drain", () => entry.resume());
            }
          });
          entry.on("end", () => {
            out.end(() => {
              digests.set(p, { sha256: hash.digest("hex"), bytes });
              resolve();
            });
          });
          entry.on("error", reject);
          out.on("error", reject);
        }),
      );
    },
  });
  // The parser is fed by hand: write() returns false while an entry's data waits to be written to disk.
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (parser.write(chunk)) cb();
      else parser.once("drain", () => cb());
    },
    final(cb) {
      parser.end(() => cb());
    },
  });
  parser.on("error", (e: Error) => sink.destroy(e));
  const stages: NodeJS.ReadWriteStream[] = encrypted ? [decryptStream(passphrase!, label)] : [];
  try {
    await pipeline([fs.createReadStream(file), ...stages, createGunzip(), sink]);
    await Promise.all(writes);
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw new BackupError(`${label}: damaged (${e instanceof Error ? e.message : String(e)})`);
  }
  if (failure) throw failure;
  return digests;
}

// ---------------------------------------------------------------------------------------------------------------------
// Rotation

/** The hours Bangkok is ahead of UTC (no daylight saving): days and months of backups are Bangkok's. */
const BANGKOK_MS = 7 * 3_600_000;

/**
 * Which backups to keep (restic's rule): for each of the `daily` most recent days that have a backup, its newest; the
 * same for the `monthly` most recent months; and always the newest of all. Stamps in, the kept stamps out.
 */
export function backupsToKeep(stamps: string[], daily: number, monthly: number): Set<string> {
  const sorted = [...stamps].sort().reverse();
  const keep = new Set<string>();
  if (sorted.length) keep.add(sorted[0]);
  const pick = (n: number, bucket: (d: Date) => string) => {
    const seen = new Set<string>();
    for (const s of sorted) {
      if (seen.size >= n) break;
      const b = bucket(new Date(parseStamp(s).getTime() + BANGKOK_MS));
      if (seen.has(b)) continue;
      seen.add(b);
      keep.add(s);
    }
  };
  pick(daily, (d) => d.toISOString().slice(0, 10));
  pick(monthly, (d) => d.toISOString().slice(0, 7));
  return keep;
}
