/**
 * `npm run backup -- --to DIR [--passphrase-file F] [--keep-daily N --keep-monthly M] [--keys-to KDIR]`
 *
 * An online backup while the portal serves: the database is copied with SQLite's backup API (better-sqlite3's
 * db.backup(), all pages in one step, so the copy is one consistent snapshot — never a copy of the file, which could
 * catch a half-written page or miss the WAL); then the uploads and the encrypted evidence (files are written and
 * synced before the rows that point at them commit, so every file the snapshot refers to is already there), each with
 * its sha256 in manifest.json — with FILE_STORE=database the files are rows of the database (stored_file) and so are
 * in the snapshot itself, consistent with the rows that point at them; the keys go into a SEPARATE archive. Optionally both archives are encrypted with a
 * passphrase (AES-256-GCM, scrypt). Old backups in DIR are rotated (keep N daily and M monthly; nothing is removed
 * without --keep-*). Format: scripts/backup-lib.ts; the operator's guide: docs/operations.md.
 *
 * An installation with several organisations (ORG_ROUTING=host or path) is backed up whole: platform.db (the list of
 * organisations) and every organisation's database and folders under orgs/<code>/, each database snapshot on its own.
 * On PostgreSQL it refuses: pg_dump does that job (docs/operations.md).
 *
 * Run it as the portal's user (it reads DATA_DIR, keys included) with the portal's environment (DATA_DIR,
 * DATABASE_URL, MASTER_KEY). It writes nothing into DATA_DIR. Its output holds sizes, counts and paths only: no
 * case, name, address, code or key.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PassThrough, type Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { createGzip } from "node:zlib";
import SQLite from "better-sqlite3";
import { parseEnv } from "../app/utils/env.server";
import { getMasterKey } from "../app/utils/keys.server";
import { ORG_CODE } from "../db/platform";
import { severalOrganisations } from "./organisations";
import {
  BACKUP_NAME_RE,
  BACKUP_PREFIX,
  BackupError,
  DATABASE_ENTRY,
  DATA_FOLDERS,
  KEYS_FILE_RE,
  KEYS_MANIFEST,
  MANIFEST,
  PLATFORM_ENTRY,
  backupStamp,
  backupsToKeep,
  encryptStream,
  formatBytes,
  listFiles,
  manifestMac,
  readPassphraseFile,
  seconds,
  tarStream,
  type DataManifest,
  type DataManifestBody,
  type FileDigest,
  type KeysManifest,
  type TarSource,
} from "./backup-lib";

const USAGE = `Usage: npm run backup -- --to DIR [--passphrase-file FILE] [--keep-daily N] [--keep-monthly M] [--keys-to KDIR]
  --to DIR               where backups go: each one is a folder DIR/sujarit-<UTC time>/
  --passphrase-file F    encrypt both archives with the passphrase on F's first line (AES-256-GCM, scrypt; 12+ characters)
  --keep-daily N         rotation: keep the newest backup of each of the N most recent days …
  --keep-monthly M       … and of each of the M most recent months (Bangkok dates); without either, nothing is removed
  --keys-to KDIR         put the keys archive in KDIR (another disk, a mounted USB stick) instead of beside the data`;

const MIN_PASSPHRASE = 12;

function count(file: string, sqlText: string): number | null {
  try {
    const db = new SQLite(file, { readonly: true, fileMustExist: true });
    try {
      return Number((db.prepare(sqlText).pluck().get() as number) ?? 0);
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/** Writes a tar stream through gzip (and the passphrase) to `file`; returns its size and sha256. */
async function writeArchive(sources: TarSource[], file: string, passphrase: string | null): Promise<FileDigest> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  const tap = new PassThrough();
  tap.on("data", (c: Buffer) => {
    hash.update(c);
    bytes += c.length;
  });
  const stages: Transform[] = [createGzip({ level: 6 })];
  if (passphrase !== null) stages.push(encryptStream(passphrase));
  await pipeline([tarStream(sources), ...stages, tap, fs.createWriteStream(file, { mode: 0o600, flags: "wx" })]);
  fsyncFile(file);
  return { sha256: hash.digest("hex"), bytes };
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, "r");
  try {
    fs.fsyncSync(fd);
  } catch {
    /* not supported everywhere (folders) */
  } finally {
    fs.closeSync(fd);
  }
}

/** One database of the backup: its archive entry, its file, and the folder its uploads/ and reports/ are in (null: none). */
interface BackedUpDatabase {
  entry: string;
  file: string;
  root: string | null;
  prefix: string;
}

/** An installation with several organisations on SQLite: platform.db and each organisation's folder under orgs/. */
function hostedDatabases(dataDir: string): BackedUpDatabase[] {
  const orgsDir = path.join(dataDir, "orgs");
  const codes = fs.existsSync(orgsDir)
    ? fs
        .readdirSync(orgsDir)
        .filter((c) => ORG_CODE.test(c) && fs.existsSync(path.join(orgsDir, c, DATABASE_ENTRY)))
        .sort()
    : [];
  return [
    { entry: PLATFORM_ENTRY, file: path.join(dataDir, PLATFORM_ENTRY), root: null, prefix: "" },
    ...codes.map((c) => ({
      entry: `orgs/${c}/${DATABASE_ENTRY}`,
      file: path.join(orgsDir, c, DATABASE_ENTRY),
      root: path.join(orgsDir, c),
      prefix: `orgs/${c}/`,
    })),
  ];
}

/** Copies the live database with SQLite's backup API into `dest` (one step: one consistent snapshot). */
async function snapshotDatabase(source: string, dest: string): Promise<void> {
  let db: SQLite.Database;
  try {
    db = new SQLite(source, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 10000");
    db.prepare("select 1 from sqlite_schema limit 1").get();
  } catch {
    // A read-only connection cannot open a WAL database whose -shm it may not create; a normal one writes nothing here.
    db = new SQLite(source, { fileMustExist: true });
    db.pragma("busy_timeout = 10000");
  }
  try {
    // The first step only measures; returning the largest step from progress copies every remaining page in one step
    // (a change by the server in between restarts the copy from the start, within that same step).
    await db.backup(dest, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new SQLite(dest, { fileMustExist: true });
  try {
    // One self-contained file in the archive (the server turns WAL on again when it opens the restored copy).
    copy.pragma("journal_mode = DELETE");
    const check = copy.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new BackupError(`the database snapshot fails quick_check: ${String(check).slice(0, 200)}`);
  } finally {
    copy.close();
  }
}

async function main(): Promise<number> {
  let values: {
    to?: string;
    "passphrase-file"?: string;
    "keep-daily"?: string;
    "keep-monthly"?: string;
    "keys-to"?: string;
    help?: boolean;
  };
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        to: { type: "string" },
        "passphrase-file": { type: "string" },
        "keep-daily": { type: "string" },
        "keep-monthly": { type: "string" },
        "keys-to": { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.to) {
    console.error(`--to is required\n${USAGE}`);
    return 2;
  }
  const keepNumber = (name: "keep-daily" | "keep-monthly"): number | null => {
    const v = values[name];
    if (v === undefined) return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new BackupError(`--${name} must be a whole number from 0`);
    return n;
  };
  const started = Date.now();
  const keepDaily = keepNumber("keep-daily");
  const keepMonthly = keepNumber("keep-monthly");
  let env;
  try {
    env = parseEnv();
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const passphrase = values["passphrase-file"] ? readPassphraseFile(values["passphrase-file"]) : null;
  if (passphrase !== null && [...passphrase].length < MIN_PASSPHRASE) {
    throw new BackupError(`the passphrase must have at least ${MIN_PASSPHRASE} characters`);
  }

  const dataDir = env.DATA_DIR;
  const keysDir = path.join(dataDir, "keys");
  if (env.DATABASE_DIALECT === "postgres")
    throw new BackupError(
      "this installation's database is PostgreSQL: back it up with pg_dump and keep DATA_DIR/keys apart (docs/operations.md, " +
        '"PostgreSQL"); npm run backup copies installations on SQLite',
    );
  // One organisation: its database and folders. Several (ORG_ROUTING=host or path): the list of organisations
  // (platform.db) and every organisation's database and folders under orgs/<code>/, each snapshot on its own.
  const several = severalOrganisations(env);
  const databases = several ? hostedDatabases(dataDir) : [{ entry: DATABASE_ENTRY, file: env.DATABASE_FILE, root: dataDir, prefix: "" }];
  for (const d of databases)
    if (!fs.existsSync(d.file)) throw new BackupError(`no database at ${d.file}: is DATA_DIR (or DATABASE_URL) right?`);
  // A portal nobody has signed in to yet has no master key; make it now (as the server would on first use), so that
  // this backup's manifest is authenticated and restores like any other.
  if (!env.MASTER_KEY && fs.existsSync(keysDir)) getMasterKey();
  const keyFiles = listFiles(keysDir);
  if (keyFiles.length === 0) throw new BackupError(`no keys in ${keysDir}: is DATA_DIR right?`);
  // The keys are read once; the data manifest records their sha256 (which keys archive belongs to this data) and is
  // authenticated with the master key (whoever rewrites it to match a changed file needs the keys).
  const keyBytes = new Map(keyFiles.map((f) => [f, fs.readFileSync(path.join(keysDir, f))] as const));
  let masterKey: Buffer | null = null;
  if (env.MASTER_KEY) masterKey = Buffer.from(env.MASTER_KEY, "base64");
  else if (keyBytes.get("master.key")?.length === 32) masterKey = keyBytes.get("master.key")!;

  const root = path.resolve(values.to);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const stamp = backupStamp(new Date());
  const name = `${BACKUP_PREFIX}${stamp}`;
  const finalDir = path.join(root, name);
  if (fs.existsSync(finalDir)) throw new BackupError(`${finalDir} exists already (two backups in one second?)`);
  const partial = path.join(root, `.${name}.partial`);
  const keysRoot = values["keys-to"] ? path.resolve(values["keys-to"]) : null;
  const suffix = passphrase !== null ? ".tar.gz.enc" : ".tar.gz";
  const keysName = keysRoot ? `${BACKUP_PREFIX}keys-${stamp}${suffix}` : `keys${suffix}`;
  const keysPartial = keysRoot ? path.join(keysRoot, `.${keysName}.partial`) : null;
  fs.mkdirSync(partial, { mode: 0o700 });
  try {
    // 1. The databases, while the portal serves (each one consistent in itself).
    const t0 = Date.now();
    const files: Record<string, FileDigest> = {};
    const sources: TarSource[] = [];
    const snapshots: string[] = [];
    const sum = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));
    const rows = {
      complaints: null as number | null,
      reports: null as number | null,
      auditEntries: null as number | null,
      storedFiles: null as number | null,
    };
    let storedFileBytes = 0;
    for (const [i, d] of databases.entries()) {
      const snapshot = path.join(partial, `snapshot-${i}.db`);
      await snapshotDatabase(d.file, snapshot);
      snapshots.push(snapshot);
      sources.push({ name: d.entry, file: snapshot, onDigest: (digest) => (files[d.entry] = digest) });
      if (d.root === null) continue; // the list of organisations: no cases of its own
      rows.complaints = sum(rows.complaints, count(snapshot, "select count(*) from complaints"));
      rows.reports = sum(rows.reports, count(snapshot, "select count(*) from reports"));
      rows.auditEntries = sum(rows.auditEntries, count(snapshot, "select count(*) from audit_log"));
      // FILE_STORE=database: the uploads and evidence inside the snapshot (null before the table existed).
      rows.storedFiles = sum(rows.storedFiles, count(snapshot, "select count(*) from stored_file"));
      storedFileBytes += count(snapshot, "select coalesce(sum(size), 0) from stored_file") ?? 0;
    }
    const snapMs = Date.now() - t0;

    // 2. The data archive: databases, uploads, evidence, manifest (last, with every digest).
    const perFolder: Record<string, { n: number; bytes: number }> = {};
    for (const folder of DATA_FOLDERS) perFolder[folder] = { n: 0, bytes: 0 };
    for (const d of databases) {
      if (d.root === null) continue;
      for (const folder of DATA_FOLDERS) {
        for (const rel of listFiles(path.join(d.root, folder))) {
          const entry = `${d.prefix}${folder}/${rel}`;
          sources.push({
            name: entry,
            file: path.join(d.root, folder, ...rel.split("/")),
            optional: true,
            onDigest: (digest) => {
              files[entry] = digest;
              perFolder[folder].n++;
              perFolder[folder].bytes += digest.bytes;
            },
          });
        }
      }
    }
    const keyDigests: Record<string, string> = {};
    for (const [f, b] of keyBytes) keyDigests[f] = crypto.createHash("sha256").update(b).digest("hex");
    sources.push({
      name: MANIFEST,
      data: () => {
        const body: DataManifestBody = {
          format: "sujarit-backup-data",
          version: 1,
          id: stamp,
          created: new Date().toISOString(),
          keys: keyDigests,
          files,
          ...(several ? { organisations: databases.filter((d) => d.root !== null).map((d) => d.prefix.split("/")[1]!) } : {}),
        };
        const manifest: DataManifest = { body, mac: masterKey ? manifestMac(body, masterKey) : null };
        return Buffer.from(JSON.stringify(manifest, null, 1) + "\n");
      },
    });
    const dataName = `data${suffix}`;
    const t1 = Date.now();
    const dataArchive = await writeArchive(sources, path.join(partial, dataName), passphrase);
    const archiveMs = Date.now() - t1;
    const dbBytes = databases.reduce((a, d) => a + files[d.entry]!.bytes, 0);
    for (const snapshot of snapshots) fs.rmSync(snapshot);

    // 3. The keys, in their own archive.
    const keysManifest: KeysManifest = {
      format: "sujarit-backup-keys",
      version: 1,
      id: stamp,
      created: new Date().toISOString(),
      files: {},
    };
    const keySources: TarSource[] = [...keyBytes].map(([f, b]) => ({
      name: `keys/${f}`,
      data: () => b,
      onDigest: (d: FileDigest) => (keysManifest.files[`keys/${f}`] = d),
    }));
    keySources.push({ name: KEYS_MANIFEST, data: () => Buffer.from(JSON.stringify(keysManifest, null, 1) + "\n") });
    let keysPath: string;
    let keysArchive: FileDigest;
    if (keysRoot) {
      fs.mkdirSync(keysRoot, { recursive: true, mode: 0o700 });
      keysArchive = await writeArchive(keySources, keysPartial!, passphrase);
      keysPath = path.join(keysRoot, keysName);
    } else {
      keysArchive = await writeArchive(keySources, path.join(partial, keysName), passphrase);
      keysPath = path.join(finalDir, keysName);
    }

    // 4. The summary beside the archives (nothing personal: sizes, counts, digests).
    const summary = {
      format: "sujarit-backup",
      version: 1,
      id: stamp,
      created: new Date().toISOString(),
      encrypted: passphrase !== null ? "AES-256-GCM, key from scrypt (N=2^17, r=8, p=1) of the passphrase" : false,
      data: { file: dataName, ...dataArchive },
      keys: { file: keysRoot ? keysPath : keysName, ...keysArchive, separate: "keep the keys archive apart from the data" },
      database: { bytes: dbBytes, snapshot: "SQLite backup API", rows, ...(several ? { organisations: databases.length - 1 } : {}) },
      files: perFolder,
      manifestAuthenticated: masterKey !== null,
    };
    fs.writeFileSync(path.join(partial, "backup.json"), JSON.stringify(summary, null, 2) + "\n", { mode: 0o600 });

    // 5. Into place: the keys first (a data backup never appears without its keys).
    if (keysRoot) {
      fs.renameSync(keysPartial!, keysPath);
      fsyncFile(keysRoot);
    }
    fs.renameSync(partial, finalDir);
    fsyncFile(root);

    console.log(
      `backup ${name} (${passphrase !== null ? "encrypted with the passphrase: AES-256-GCM, scrypt" : "not encrypted: keep it where only the operator can read it"})`,
    );
    console.log(
      several
        ? `  databases: the list of organisations and ${databases.length - 1} organisations' (${formatBytes(dbBytes)}), each snapshot made with SQLite's backup API while the portal serves, in ${seconds(snapMs)}; quick_check ok`
        : `  database: ${formatBytes(dbBytes)} snapshot made with SQLite's backup API while the portal serves, in ${seconds(snapMs)}; quick_check ok`,
    );
    console.log(
      `  files: ${perFolder.uploads.n} uploads (${formatBytes(perFolder.uploads.bytes)}), ${perFolder.reports.n} encrypted evidence files (${formatBytes(perFolder.reports.bytes)}); sha256 of each in ${MANIFEST}` +
        (masterKey ? " (authenticated with a key derived from the master key)" : " (NOT authenticated: no master key yet)"),
    );
    if (rows.storedFiles)
      console.log(
        `  files stored in the database (FILE_STORE=database): ${rows.storedFiles} (${formatBytes(storedFileBytes)}), inside the database snapshot`,
      );
    console.log(`  data archive: ${path.join(finalDir, dataName)} (${formatBytes(dataArchive.bytes)}, written in ${seconds(archiveMs)})`);
    console.log(`  keys archive: ${keysPath} (${formatBytes(keysArchive.bytes)}, ${keyBytes.size} key files)`);
    console.log(
      `  The keys are in a SEPARATE archive: data and keys are never in one file. ` +
        (keysRoot
          ? "Keep the two apart (another medium, another place)."
          : "Move the keys archive (or use --keys-to) to another medium: whoever holds both holds everything the keys protect."),
    );
    if (env.MASTER_KEY)
      console.log("  MASTER_KEY is set in the environment: it is not in the keys archive; keep it with the keys archive.");

    // 6. Rotation.
    if (keepDaily !== null || keepMonthly !== null) {
      const stamps = fs
        .readdirSync(root)
        .map((f) => BACKUP_NAME_RE.exec(f)?.[1])
        .filter((s): s is string => !!s);
      const keep = backupsToKeep(stamps, keepDaily ?? 0, keepMonthly ?? 0);
      let removed = 0;
      for (const s of stamps) {
        if (keep.has(s)) continue;
        fs.rmSync(path.join(root, `${BACKUP_PREFIX}${s}`), { recursive: true, force: true });
        removed++;
      }
      if (keysRoot) {
        for (const f of fs.readdirSync(keysRoot)) {
          const m = KEYS_FILE_RE.exec(f);
          if (m && !keep.has(m[1])) fs.rmSync(path.join(keysRoot, f), { force: true });
        }
      }
      // Leftovers of backups that were interrupted (older than a day).
      for (const f of fs.readdirSync(root)) {
        if (/^\.sujarit-\d{8}T\d{6}Z\.partial$/.test(f) && Date.now() - fs.statSync(path.join(root, f)).mtimeMs > 86_400_000) {
          fs.rmSync(path.join(root, f), { recursive: true, force: true });
        }
      }
      console.log(
        `  rotation: ${keep.size} backups kept (newest of each of ${keepDaily ?? 0} days and ${keepMonthly ?? 0} months), ${removed} removed`,
      );
    }
    console.log(`done in ${seconds(Date.now() - started)}`);
    return 0;
  } catch (e) {
    fs.rmSync(partial, { recursive: true, force: true });
    if (keysPartial) fs.rmSync(keysPartial, { force: true });
    throw e;
  }
}

main()
  .then((code) => process.exit(code))
  .catch((e) => {
    console.error(`backup failed: ${e instanceof BackupError ? e.message : e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
