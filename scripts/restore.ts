/**
 * `npm run restore -- --from DIR/sujarit-<time> [--keys FILE] [--passphrase-file F] [--to DATA_DIR]`
 *
 * Restores a backup made by `npm run backup` into an EMPTY data folder (DATA_DIR, or --to; a folder with anything in
 * it is refused, so a restore never mixes with or overwrites a live installation). Everything is unpacked into a
 * hidden folder inside it first and checked there:
 *   1. every key file against the keys archive's manifest, and the keys against the ones the data was backed up with;
 *   2. every file (database, uploads, evidence) against manifest.json's sha256, nothing missing and nothing extra,
 *      and the manifest's authentication code (keyed from the master key);
 *   3. `pragma integrity_check` of the database;
 *   4. the audit log's hash chain (verifyAuditChain, as `npm run audit-log -- verify`);
 *   5. the statistics summaries against a recount of the case rows (`npm run stats:rebuild -- --check`, run as it is);
 * (a backup of several organisations: every database in 3, each organisation's chain with its own keys in 4 and its
 * statistics in 5) and only then moved into place and "restored" printed. Any failure: exit 1 with the reason, and nothing is left in
 * the data folder. Run it as the portal's user (or as root on a folder that user owns: the files then get its owner).
 * Format: scripts/backup-lib.ts; the operator's guide: docs/operations.md.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import SQLite from "better-sqlite3";
import { parseEnv } from "../app/utils/env.server";
import { ORG_CODE } from "../db/platform";
import {
  BackupError,
  DATABASE_ENTRY,
  KEYS_MANIFEST,
  MANIFEST,
  PLATFORM_ENTRY,
  extractArchive,
  formatBytes,
  macMatches,
  readPassphraseFile,
  seconds,
  type DataManifest,
  type FileDigest,
  type KeysManifest,
} from "./backup-lib";

/** A file of one organisation in a backup of several: its database, uploads and evidence. */
const HOSTED_ENTRY = /^orgs\/[a-z][a-z0-9]{1,29}\/(sujarit\.db|(uploads|reports)\/.+)$/;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `Usage: npm run restore -- --from DIR/sujarit-<time> [--keys FILE] [--passphrase-file FILE] [--to DATA_DIR]
  --from       a backup folder made by npm run backup (or its data archive file)
  --keys       the keys archive, when it is not in the backup folder (--keys-to at backup time)
  --passphrase-file F   the passphrase the archives were encrypted with (first line of F)
  --to         the EMPTY folder to restore into (default: DATA_DIR; the database goes where DATABASE_URL says)`;

function firstExisting(dir: string, names: string[]): string | null {
  for (const n of names) if (fs.existsSync(path.join(dir, n))) return path.join(dir, n);
  return null;
}

/** Compares extracted files with a manifest: every listed file there with its sha256 and size, nothing else. */
function compare(label: string, got: Map<string, FileDigest>, want: Record<string, FileDigest>, skip: string[]): void {
  for (const [p, d] of Object.entries(want)) {
    const g = got.get(p);
    if (!g) throw new BackupError(`${p}: listed in ${label} but missing from the archive`);
    if (g.sha256 !== d.sha256 || g.bytes !== d.bytes)
      throw new BackupError(`${p}: sha256 does not match ${label} (the file was altered or damaged)`);
  }
  for (const p of got.keys()) {
    if (!skip.includes(p) && !(p in want)) throw new BackupError(`${p}: in the archive but not in ${label}`);
  }
}

function readJson<T>(file: string, label: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    throw new BackupError(`${label} is missing or unreadable`);
  }
}

function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Runs `scripts/stats-rebuild.ts --check` on the unpacked copy: the very check of `npm run stats:rebuild -- --check`. */
function statsCheck(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "scripts/stats-rebuild.ts", "--check"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    proc.stdout.on("data", (d) => (output += d));
    proc.stderr.on("data", (d) => (output += d));
    proc.on("error", reject);
    proc.on("exit", (code) => resolve({ code, output: output.trim() }));
  });
}

/**
 * `pragma integrity_check` of a staged database, and the files it points at (complaint attachments, report evidence)
 * present in the archive under `prefix` (null: a database without files of its own, the list of organisations) or
 * stored in it (FILE_STORE=database). Adds its lines; throws BackupError when it is damaged.
 */
function checkDatabase(file: string, prefix: string | null, label: string, got: Map<string, FileDigest>, lines: string[]): void {
  const db = new SQLite(file, { fileMustExist: true });
  let missing: string[] = [];
  try {
    const rows = db.pragma("integrity_check") as { integrity_check: string }[];
    if (rows.length !== 1 || rows[0].integrity_check !== "ok") {
      throw new BackupError(
        `${label}: integrity_check fails: ${rows
          .slice(0, 3)
          .map((r) => r.integrity_check)
          .join("; ")
          .slice(0, 300)}`,
      );
    }
    if (prefix !== null) {
      const want: string[] = [];
      const tables = new Set(db.prepare("select name from sqlite_schema where type = 'table'").pluck().all() as string[]);
      if (tables.has("attachments"))
        for (const s of db.prepare("select distinct sha256 from attachments").pluck().all() as string[])
          want.push(`uploads/${s.slice(0, 2)}/${s}`);
      if (tables.has("report_attachments"))
        for (const s of db.prepare("select storage_id from report_attachments").pluck().all() as string[]) want.push(`reports/${s}`);
      // FILE_STORE=database: files are rows of stored_file (their key is the same relative name), inside the database.
      const inDatabase = new Set<string>();
      if (tables.has("stored_file")) {
        for (const k of db.prepare("select key from stored_file").pluck().all() as string[]) inDatabase.add(k);
        const damaged = Number(db.prepare("select count(*) from stored_file where length(bytes) <> size").pluck().get() ?? 0);
        if (damaged > 0) throw new BackupError(`${label}: ${damaged} stored file(s) do not have the size recorded with them`);
        if (inDatabase.size > 0)
          lines.push(`  ${label}: files stored in the database: ${inDatabase.size} (the portal reads them with FILE_STORE=database)`);
      }
      missing = want.filter((p) => !got.has(`${prefix}${p}`) && !inDatabase.has(p));
    }
  } finally {
    db.close();
  }
  lines.push(`  ${label}: integrity_check ok`);
  if (missing.length) {
    lines.push(
      `  warning: ${missing.length} file(s) the ${label} refers to are not in the backup (removed by housekeeping while it ran, or already lost): ${missing.slice(0, 5).join(", ")}`,
    );
  }
}

function moveInto(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    fs.cpSync(from, to, { recursive: true, errorOnExist: true, force: false });
    fs.rmSync(from, { recursive: true, force: true });
  }
}

function chownTree(p: string, uid: number, gid: number): void {
  fs.lchownSync(p, uid, gid);
  if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

async function main(): Promise<number> {
  let values: { from?: string; keys?: string; "passphrase-file"?: string; to?: string; help?: boolean };
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        from: { type: "string" },
        keys: { type: "string" },
        "passphrase-file": { type: "string" },
        to: { type: "string" },
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
  if (!values.from) {
    console.error(`--from is required\n${USAGE}`);
    return 2;
  }
  const started = Date.now();
  let env;
  try {
    env = parseEnv(values.to ? { ...process.env, DATA_DIR: values.to, DATABASE_URL: undefined } : process.env);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const passphrase = values["passphrase-file"] ? readPassphraseFile(values["passphrase-file"]) : null;

  // What to restore.
  const from = path.resolve(values.from);
  if (!fs.existsSync(from)) throw new BackupError(`${from} does not exist`);
  const fromDir = fs.statSync(from).isDirectory();
  const dataArchive = fromDir ? firstExisting(from, ["data.tar.gz.enc", "data.tar.gz"]) : from;
  if (!dataArchive) throw new BackupError(`${from} holds no data.tar.gz[.enc]: is it a backup folder made by npm run backup?`);
  const keysArchive = values.keys ? path.resolve(values.keys) : fromDir ? firstExisting(from, ["keys.tar.gz.enc", "keys.tar.gz"]) : null;
  if (!keysArchive || !fs.existsSync(keysArchive)) {
    throw new BackupError(
      `no keys archive${values.keys ? ` at ${values.keys}` : " in the backup folder"}: give --keys FILE (the keys are kept apart from the data)`,
    );
  }

  // Where to: an empty folder only.
  const target = env.DATA_DIR;
  const dbFinal = env.DATABASE_FILE;
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isDirectory()) throw new BackupError(`${target} is not a folder`);
    const present = fs.readdirSync(target).filter((f) => f !== "lost+found");
    if (present.length > 0)
      throw new BackupError(`${target} is not empty (${present.length} entries): restore only into an empty data folder`);
  } else {
    fs.mkdirSync(target, { recursive: true, mode: 0o700 });
  }
  if (fs.existsSync(dbFinal)) throw new BackupError(`a database exists already at ${dbFinal}: restore only where there is none`);

  const staging = path.join(target, `.restore-${crypto.randomBytes(6).toString("hex")}`);
  fs.mkdirSync(staging, { mode: 0o700 });
  const lines: string[] = [];
  try {
    // 1. Keys.
    const keysLabel = path.basename(keysArchive);
    const gotKeys = await extractArchive(
      keysArchive,
      passphrase,
      staging,
      (p) => p === KEYS_MANIFEST || /^keys\/[^/]+$/.test(p),
      keysLabel,
    );
    const km = readJson<KeysManifest>(path.join(staging, KEYS_MANIFEST), `${keysLabel}: ${KEYS_MANIFEST}`);
    if (km.format !== "sujarit-backup-keys" || km.version !== 1 || typeof km.files !== "object")
      throw new BackupError(`${keysLabel} is not a keys archive of npm run backup`);
    compare(`${keysLabel}'s ${KEYS_MANIFEST}`, gotKeys, km.files, [KEYS_MANIFEST]);
    fs.rmSync(path.join(staging, KEYS_MANIFEST));
    lines.push(`  keys: ${Object.keys(km.files).length} files from ${keysLabel} (backup ${km.id}), sha256 as in its manifest`);

    // 2. Data.
    const dataLabel = path.basename(dataArchive);
    const got = await extractArchive(
      dataArchive,
      passphrase,
      staging,
      (p) => p === MANIFEST || p === DATABASE_ENTRY || /^(uploads|reports)\//.test(p) || p === PLATFORM_ENTRY || HOSTED_ENTRY.test(p),
      dataLabel,
    );
    const manifest = readJson<DataManifest>(path.join(staging, MANIFEST), `${dataLabel}: ${MANIFEST}`);
    const body = manifest.body;
    if (!body || body.format !== "sujarit-backup-data" || body.version !== 1 || typeof body.files !== "object") {
      throw new BackupError(`${dataLabel} is not a data archive of npm run backup`);
    }
    // One organisation's installation, or one with several (the list of organisations and each one's folder).
    const organisations = body.organisations ?? null;
    if (organisations !== null) {
      if (!Array.isArray(organisations) || organisations.some((c) => typeof c !== "string" || !ORG_CODE.test(c)))
        throw new BackupError(`${dataLabel}: its list of organisations is not valid`);
      if (!body.files[PLATFORM_ENTRY]) throw new BackupError(`${dataLabel} holds no list of organisations (${PLATFORM_ENTRY})`);
      for (const c of organisations)
        if (!body.files[`orgs/${c}/${DATABASE_ENTRY}`]) throw new BackupError(`${dataLabel} holds no database for ${c}`);
    } else if (!body.files[DATABASE_ENTRY]) throw new BackupError(`${dataLabel} holds no database`);
    if (organisations !== null && fs.existsSync(env.DATABASE_FILE) && path.dirname(env.DATABASE_FILE) !== target)
      throw new BackupError("a backup of several organisations restores into DATA_DIR only: unset DATABASE_URL");
    const masterFile = path.join(staging, "keys", "master.key");
    const masterKey = env.MASTER_KEY
      ? Buffer.from(env.MASTER_KEY, "base64")
      : fs.existsSync(masterFile)
        ? fs.readFileSync(masterFile)
        : null;
    if (!masterKey || masterKey.length !== 32)
      throw new BackupError("no master key: the keys archive has no keys/master.key and MASTER_KEY is not set");
    if (!macMatches(manifest, masterKey)) {
      throw new BackupError(
        manifest.mac
          ? `${MANIFEST}: its authentication code does not match (the manifest was altered, or the keys are of another installation)`
          : `${MANIFEST} is not authenticated although there is a master key`,
      );
    }
    for (const [f, digest] of Object.entries(body.keys ?? {})) {
      const p = path.join(staging, "keys", f);
      if (!fs.existsSync(p) || sha256File(p) !== digest)
        throw new BackupError(`the keys archive does not belong to this backup: keys/${f} differs from the one backed up with the data`);
    }
    compare(MANIFEST, got, body.files, [MANIFEST]);
    fs.rmSync(path.join(staging, MANIFEST));
    const n = (re: RegExp) => Object.keys(body.files).filter((p) => re.test(p)).length;
    lines.push(
      organisations !== null
        ? `  files: the list of organisations and ${organisations.length} organisations' databases, ${n(/^orgs\/[^/]+\/uploads\//)} uploads, ${n(/^orgs\/[^/]+\/reports\//)} evidence files from ${dataLabel} (backup ${body.id}): sha256 as in ${MANIFEST}, which is authenticated`
        : `  files: the database (${formatBytes(body.files[DATABASE_ENTRY].bytes)}), ${n(/^uploads\//)} uploads, ${n(/^reports\//)} evidence files from ${dataLabel} (backup ${body.id}): sha256 as in ${MANIFEST}, which is authenticated`,
    );

    // 3. The database files themselves.
    const stagedDb = path.join(staging, DATABASE_ENTRY);
    if (organisations === null) checkDatabase(stagedDb, "", "database", got, lines);
    else {
      checkDatabase(path.join(staging, PLATFORM_ENTRY), null, "list of organisations", got, lines);
      for (const c of organisations) checkDatabase(path.join(staging, "orgs", c, DATABASE_ENTRY), `orgs/${c}/`, c, got, lines);
    }

    // 4. The audit chain, with the restored keys (the chain is keyed from the master key; with several organisations,
    // from each one's own keys).
    process.env.DATA_DIR = staging;
    globalThis.__sujaritEnv = undefined;
    const { verifyAuditChain } = await import("../app/models/audit/audit.server");
    if (organisations === null) {
      process.env.DATABASE_URL = stagedDb;
      const { getDb } = await import("../app/utils/db.server");
      const kdb = getDb();
      try {
        const r = await verifyAuditChain(kdb);
        if (!r.ok)
          throw new BackupError(`audit log: broken at entry ${r.firstBadId} (${r.reason}); ${r.checked} entries before it are intact`);
        lines.push(`  audit log: intact, ${r.checked} entries checked`);
      } finally {
        await kdb.destroy();
        globalThis.__sujaritDb = undefined;
      }
    } else {
      delete process.env.DATABASE_URL;
      const { openSiteDirectory } = await import("./organisations");
      const { runForSite } = await import("../app/utils/site-context.server");
      const stagedEnv = parseEnv({ ...process.env, DATA_DIR: staging, DATABASE_URL: undefined, ORG_ROUTING: "host" });
      const directory = await openSiteDirectory(stagedEnv);
      try {
        let checked = 0;
        for (const c of organisations) {
          const site = directory.byOrganisationCode(c);
          if (!site) throw new BackupError(`${c}: not in the backup's list of organisations`);
          const r = await runForSite(site, () => verifyAuditChain(site.db()));
          if (!r.ok)
            throw new BackupError(
              `${c}: audit log broken at entry ${r.firstBadId} (${r.reason}); ${r.checked} entries before it are intact`,
            );
          checked += r.checked;
        }
        lines.push(`  audit logs: ${organisations.length} intact, ${checked} entries checked`);
      } finally {
        await directory.storage.destroy();
      }
    }

    // 5. Statistics: the summaries equal a recount of the case rows (each organisation's).
    for (const c of organisations ?? [null]) {
      const file = c === null ? stagedDb : path.join(staging, "orgs", c, DATABASE_ENTRY);
      const stats = await statsCheck({
        ...process.env,
        DATA_DIR: staging,
        DATABASE_URL: file,
        ORG_ROUTING: "single",
        NODE_ENV: "production",
      });
      // One line for the summaries, one for the stored outcomes against the case histories.
      const statsLines = stats.output
        .split("\n")
        .filter((l) => l.startsWith("stats:rebuild --check: "))
        .map((l) => l.replace(/^stats:rebuild --check: /, ""));
      const who = c === null ? "" : `${c}: `;
      if (stats.code !== 0)
        throw new BackupError(
          `${who}statistics: ${statsLines.join("; ") || stats.output.split("\n").filter(Boolean).pop() || `the check exited with ${stats.code}`}`,
        );
      if (c === null) for (const l of statsLines) lines.push(`  statistics: ${l}`);
    }
    if (organisations !== null) lines.push(`  statistics: ${organisations.length} organisations' summaries equal their recounts`);
    if (organisations !== null && parseEnv(process.env).ORG_ROUTING === "single")
      lines.push("  note: a backup of several organisations: serve it with ORG_ROUTING=host or path");

    // Into place.
    if (organisations === null)
      for (const suffix of ["", "-wal", "-shm"]) {
        if (fs.existsSync(stagedDb + suffix)) moveInto(stagedDb + suffix, dbFinal + suffix);
      }
    for (const e of fs.readdirSync(staging)) moveInto(path.join(staging, e), path.join(target, e));
    fs.rmdirSync(staging);
    if (typeof process.getuid === "function" && process.getuid() === 0) {
      const owner = fs.statSync(target);
      if (owner.uid !== 0) {
        for (const e of fs.readdirSync(target)) chownTree(path.join(target, e), owner.uid, owner.gid);
        if (path.dirname(dbFinal) !== target && fs.existsSync(dbFinal)) chownTree(dbFinal, owner.uid, owner.gid);
        lines.push(`  owner: the restored files belong to the data folder's owner (uid ${owner.uid})`);
      } else {
        lines.push("  note: restored as root into a folder root owns; give it to the portal's user (chown -R) before starting the service");
      }
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  console.log(`restore of ${fromDir ? from : dataArchive}`);
  for (const l of lines) console.log(l);
  console.log(
    `restored into ${target}${path.dirname(dbFinal) !== target ? ` (database ${dbFinal})` : ""} in ${seconds(Date.now() - started)}`,
  );
  return 0;
}

main()
  .then((code) => process.exit(code))
  .catch((e) => {
    console.error(`restore failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
