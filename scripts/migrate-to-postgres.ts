/**
 * `npm run migrate-to-postgres -- --from <SQLite data dir> --to <postgres://…> --data-dir <new data dir>
 *   [--file-store disk|database]`
 *
 * Copies a SQLite installation into a PostgreSQL installation and proves the copy:
 *
 * 1. The target database is migrated to the same schema and must hold no installation yet (no staff, complaints,
 *    reports or audit entries): the copy never merges two installations.
 * 2. Every table is copied row for row, in one transaction, parents before children, with the tables' own triggers
 *    switched off (`ALTER TABLE … DISABLE TRIGGER USER`, which the tables' owner may do): the statistics summaries and
 *    the audit log's id mark are copied as they are instead of being counted again. Identity sequences continue after
 *    the highest copied id.
 * 3. The keys (`keys/`: master key, tracking pepper, outbox key) go to the new data dir: without them no report,
 *    tracking code or queued e-mail of the old installation could be read. Files (complaint photos, encrypted evidence)
 *    go into the new installation's file store (FILE_STORE: the new data dir on disk, or the database itself).
 * 4. Verified before it ends: the row count of every table, the statistics (the copied summaries equal the source's,
 *    and recomputing them from the copied rows on PostgreSQL gives the same figures), the audit chain (verified on the
 *    copy, same length and head as the source), and every file (size and SHA-256 read back from the new store).
 *
 * With `--org <code> --host <name>` the copy goes into one organisation of an installation that serves several
 * (ORG_ROUTING=host, docs/decisions/0015): the schema org_<code>, its files under <data dir>/orgs/<code> (or the
 * database), and the source's own keys sealed in the platform database with the installation's master key (so its
 * receipts, tracking codes and reports still open). The organisation is listed, and so served, only once every check
 * passed.
 *
 * The source is only read (open it while the old portal is stopped, or from a backup). Exit 0 when everything matches,
 * 1 with the differences otherwise. Nothing of the case contents is printed.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { sql, type Kysely } from "kysely";
import { isPostgresUrl, migrateToLatest, openDatabase, openPostgresDatabase } from "../db/connection";
import type { Database } from "../db/schema";
import { rebuildStatistics } from "../db/statistics";
import { verifyAuditChain } from "../app/models/audit/audit.server";
import { getEnv } from "../app/utils/env.server";
import { createFileStore, FILE_NAMESPACES, LocalDiskFileStore, type FileStore, type FileStoreKind } from "../app/utils/file-store.server";
import {
  HOST_NAME,
  isOrgCode,
  listOrganisations,
  OrganisationExists,
  openOrganisationStorage,
  preparePlatform,
  recordOrganisation,
  schemaOf,
} from "../db/platform";
import { installationMasterKey } from "../app/utils/keys.server";
import { runForSite } from "../app/utils/site-context.server";
import { Site, sealImportedKeys, type ImportedKeys } from "../app/utils/sites.server";

/** Tables that are not the installation's data: the migrator's own, SQLite's own, and SQLite's full-text index. */
const NOT_COPIED = /^(sqlite_|kysely_migration|complaints_fts)/;
/** Summaries kept by triggers (0006): compared between source and copy, and recomputed on the copy. */
const STATISTICS_TABLES = ["complaint_stats", "complaint_resolve_days", "report_stats", "topic_stats", "rating_stats"];
/** A target holding any of these is an installation already: the copy refuses to merge. */
const INSTALLATION_TABLES = ["staff", "complaints", "reports", "audit_log"];
/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 30_000;

export interface MigrationOptions {
  /** The SQLite installation's data folder (its sujarit.db, keys/ and files). */
  fromDataDir: string;
  /** The SQLite file, when it is not <fromDataDir>/sujarit.db. */
  fromDatabaseFile?: string;
  /** postgres://… of the new installation's database. */
  toUrl: string;
  /** The new installation's data folder (keys, and files when its store is the disk). */
  toDataDir: string;
  /** The new installation's file store (FILE_STORE). */
  fileStore: FileStoreKind;
  /**
   * Copy into one organisation of an installation that serves several (ORG_ROUTING=host): its schema org_<code>, its
   * host names, and the source's own keys sealed in the platform database (docs/decisions/0015). Without it the copy
   * is a whole installation of one organisation, as before.
   */
  organisation?: { code: string; hosts: string[]; province?: string | null };
  log?: (line: string) => void;
}

export interface MigrationReport {
  tables: { name: string; source: number; copied: number }[];
  files: { count: number; bytes: number; mismatched: number };
  statistics: { copiedEqual: boolean; recomputedEqual: boolean; differing: string[] };
  audit: { sourceEntries: number; copyEntries: number; copyVerified: boolean; sameHead: boolean };
  ok: boolean;
  problems: string[];
}

interface Column {
  name: string;
}

function sourceTables(src: SQLite.Database): string[] {
  const rows = src.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[];
  return rows.map((r) => r.name).filter((n) => !NOT_COPIED.test(n));
}

/** Parents before children (SQLite's foreign keys), so every row's references exist when it is inserted. */
function inDependencyOrder(src: SQLite.Database, tables: string[]): string[] {
  const parents = new Map<string, Set<string>>();
  for (const t of tables) {
    const fks = src.prepare(`select "table" as parent from pragma_foreign_key_list(?)`).all(t) as { parent: string }[];
    parents.set(t, new Set(fks.map((f) => f.parent).filter((p) => p !== t && tables.includes(p))));
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter((t) => !placed.has(t) && [...parents.get(t)!].every((p) => placed.has(p)));
    if (ready.length === 0) throw new Error(`circular foreign keys between ${tables.filter((t) => !placed.has(t)).join(", ")}`);
    for (const t of ready) {
      ordered.push(t);
      placed.add(t);
    }
  }
  return ordered;
}

function columnsOf(src: SQLite.Database, table: string): Column[] {
  return src.prepare(`select name from pragma_table_info(?) order by cid`).all(table) as Column[];
}

async function targetColumns(db: Kysely<Database>, table: string): Promise<Set<string>> {
  const r = await sql<{ column_name: string }>`select column_name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table}`.execute(db);
  return new Set(r.rows.map((x) => x.column_name));
}

async function count(db: Kysely<Database>, table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Rows of a statistics table as sorted JSON lines, leaving out rows that sum to nothing (as stats:rebuild does). */
function statisticsSnapshot(rows: Record<string, unknown>[]): string {
  return rows
    .filter((r) => Object.entries(r).some(([k, v]) => typeof v === "number" && !["fiscal_year", "score", "days"].includes(k) && v !== 0))
    .map((r) =>
      JSON.stringify(
        Object.keys(r)
          .sort()
          .map((k) => [k, r[k]]),
      ),
    )
    .sort()
    .join("\n");
}

async function targetStatistics(db: Kysely<Database>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const t of STATISTICS_TABLES)
    out.set(t, statisticsSnapshot((await sql.raw<Record<string, unknown>>(`select * from ${t}`).execute(db)).rows));
  return out;
}

class Rollback extends Error {}

function copyKeys(fromDataDir: string, toDataDir: string): void {
  const from = path.join(fromDataDir, "keys");
  const to = path.join(toDataDir, "keys");
  if (path.resolve(from) === path.resolve(to)) return;
  fs.mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const name of fs.readdirSync(from)) {
    const source = fs.readFileSync(path.join(from, name));
    const target = path.join(to, name);
    if (fs.existsSync(target)) {
      if (!fs.readFileSync(target).equals(source))
        throw new Error(`${target} exists and differs from the source's key: refusing to replace it`);
      continue;
    }
    fs.writeFileSync(target, source, { mode: 0o600, flag: "wx" });
  }
}

/** Every file of the source installation's disk store (uploads/…, reports/…). */
async function sourceDiskFiles(store: LocalDiskFileStore): Promise<string[]> {
  const keys: string[] = [];
  for (const ns of FILE_NAMESPACES) for (const f of await store.list(`${ns}/`)) keys.push(f.key);
  return keys.sort();
}

/**
 * Runs `work` with the portal's key lookups (app/utils/keys.server.ts: the master key under <DATA_DIR>/keys, unless
 * MASTER_KEY is set) pointed at another installation's data folder.
 */
async function withInstallationDataDir<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  const saved = globalThis.__sujaritEnv;
  globalThis.__sujaritEnv = { ...getEnv(), DATA_DIR: path.resolve(dataDir) };
  try {
    return await work();
  } finally {
    globalThis.__sujaritEnv = saved;
  }
}

const sha256 = (b: Uint8Array) => crypto.createHash("sha256").update(b).digest("hex");

export async function migrateToPostgres(opts: MigrationOptions): Promise<MigrationReport> {
  const log = opts.log ?? (() => {});
  if (!isPostgresUrl(opts.toUrl)) throw new Error("--to must be a postgres:// or postgresql:// address");
  const sourceFile = opts.fromDatabaseFile ?? path.join(opts.fromDataDir, "sujarit.db");
  if (!fs.existsSync(sourceFile)) throw new Error(`no SQLite database at ${sourceFile}`);
  const problems: string[] = [];

  // The source through Kysely as well (the audit chain is verified by the portal's own function), and raw for speed.
  const src = new SQLite(sourceFile, { readonly: true, fileMustExist: true });
  const srcDb = openDatabase(sourceFile);
  const target = opts.organisation ? await organisationTarget(opts, opts.organisation, src) : null;
  const db = target ? target.site.db() : openPostgresDatabase(opts.toUrl, { max: 2 });
  try {
    await (target ? migrateToLatest(db, { schema: schemaOf(target.site.code) }) : migrateToLatest(db));
    for (const t of INSTALLATION_TABLES) {
      if ((await count(db, t)) > 0)
        throw new Error(`the target database already holds an installation (${t} is not empty): use an empty database`);
    }
    const tables = inDependencyOrder(src, sourceTables(src));
    const report: MigrationReport["tables"] = [];

    log(`copying ${tables.length} tables`);
    await db.transaction().execute(async (trx) => {
      for (const t of tables) {
        const cols = columnsOf(src, t);
        const onTarget = await targetColumns(trx, t);
        if (onTarget.size === 0) throw new Error(`table ${t} does not exist on the target (schemas differ)`);
        const missing = cols.filter((c) => !onTarget.has(c.name)).map((c) => c.name);
        if (missing.length) throw new Error(`table ${t}: columns ${missing.join(", ")} missing on the target`);
        await sql`alter table ${sql.table(t)} disable trigger user`.execute(trx);
        // Rows the migrations put in (default categories, settings…) give way to the installation's own.
        await sql`delete from ${sql.table(t)}`.execute(trx);
        const names = cols.map((c) => c.name);
        const batch = Math.max(1, Math.floor(MAX_PARAMETERS / names.length));
        const hasId = names.includes("id");
        const stmt = src.prepare(`select ${names.map((n) => `"${n}"`).join(", ")} from "${t}"${hasId ? ` order by "id"` : ""}`);
        let rows: Record<string, unknown>[] = [];
        let copied = 0;
        const flush = async () => {
          if (rows.length === 0) return;
          await trx
            .insertInto(t as keyof Database)
            .values(rows as never)
            .execute();
          copied += rows.length;
          rows = [];
        };
        for (const row of stmt.iterate() as Iterable<Record<string, unknown>>) {
          rows.push(row);
          if (rows.length >= batch) await flush();
        }
        await flush();
        if (hasId) {
          // Identity columns (generated by default) go on after the highest copied id.
          const seq = await sql<{ seq: string | null }>`select pg_get_serial_sequence(${t}, 'id') as seq`.execute(trx);
          if (seq.rows[0]?.seq) {
            await sql`select setval(${seq.rows[0].seq}::regclass, coalesce((select max(id) from ${sql.table(t)}), 0) + 1, false)`.execute(
              trx,
            );
          }
        }
        await sql`alter table ${sql.table(t)} enable trigger user`.execute(trx);
        const source = (src.prepare(`select count(*) as n from "${t}"`).get() as { n: number }).n;
        report.push({ name: t, source, copied });
        log(`  ${t}: ${copied.toLocaleString("en")} rows`);
      }
      // The audit log's mark of the highest id it ever had (SQLite: sqlite_sequence), so a removed newest entry shows.
      const seqs = src.prepare("select name, seq from sqlite_sequence").all() as { name: string; seq: number }[];
      const marks = await sql<{ exists: boolean }>`select to_regclass('id_marks') is not null as exists`.execute(trx);
      if (marks.rows[0]?.exists) {
        for (const s of seqs) await sql`update id_marks set seq = greatest(seq, ${s.seq}) where name = ${s.name}`.execute(trx);
      }
    });

    // Counts, now that the copy committed.
    for (const r of report) {
      const now = await count(db, r.name);
      if (now !== r.source || r.copied !== r.source) problems.push(`table ${r.name}: source ${r.source} rows, copy ${now}`);
    }

    // Keys (an organisation's are sealed in the platform database when it is recorded, below), then files.
    if (!target) copyKeys(opts.fromDataDir, opts.toDataDir);
    const fromStore = new LocalDiskFileStore(opts.fromDataDir);
    const toStore: FileStore = target
      ? target.site.fileStore()
      : createFileStore({ FILE_STORE: opts.fileStore, DATA_DIR: opts.toDataDir }, () => db);
    const files = { count: 0, bytes: 0, mismatched: 0 };
    const sameFolder = !target && opts.fileStore === "disk" && path.resolve(opts.fromDataDir) === path.resolve(opts.toDataDir);
    for (const key of await sourceDiskFiles(fromStore)) {
      const bytes = await fromStore.get(key);
      if (!bytes) continue;
      if (!sameFolder) await toStore.put(key, bytes);
      const back = await toStore.get(key);
      files.count++;
      files.bytes += bytes.length;
      if (!back || sha256(back) !== sha256(bytes)) {
        files.mismatched++;
        problems.push(`a file differs after the copy (${key.split("/")[0]})`);
      }
    }
    log(`files: ${files.count} (${(files.bytes / 1e6).toFixed(1)} MB)`);

    // Statistics: the copied summaries equal the source's, and recomputing them on PostgreSQL changes nothing.
    const sourceStats = new Map<string, string>();
    for (const t of STATISTICS_TABLES)
      sourceStats.set(t, statisticsSnapshot(src.prepare(`select * from "${t}"`).all() as Record<string, unknown>[]));
    const copiedStats = await targetStatistics(db);
    let recomputed = new Map<string, string>();
    await db
      .transaction()
      .execute(async (trx) => {
        await rebuildStatistics(trx);
        recomputed = await targetStatistics(trx);
        throw new Rollback();
      })
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e;
      });
    const differing = STATISTICS_TABLES.filter(
      (t) => sourceStats.get(t) !== copiedStats.get(t) || copiedStats.get(t) !== recomputed.get(t),
    );
    const statistics = {
      copiedEqual: STATISTICS_TABLES.every((t) => sourceStats.get(t) === copiedStats.get(t)),
      recomputedEqual: STATISTICS_TABLES.every((t) => copiedStats.get(t) === recomputed.get(t)),
      differing,
    };
    if (differing.length) problems.push(`statistics differ: ${differing.join(", ")}`);

    // The audit chain: verified on the copy, the same length and head as the source's.
    // The chain's HMAC key comes from the installation's master key: the source's (now also the copy's) keys folder.
    const sourceAudit = await withInstallationDataDir(opts.fromDataDir, () => verifyAuditChain(srcDb));
    const copyAudit = target
      ? await runForSite(target.site, () => verifyAuditChain(db))
      : await withInstallationDataDir(opts.toDataDir, () => verifyAuditChain(db));
    const headOf = async (x: Kysely<Database>) =>
      (await x.selectFrom("audit_log").select("hash").orderBy("id", "desc").limit(1).executeTakeFirst())?.hash ?? null;
    const audit = {
      sourceEntries: sourceAudit.checked,
      copyEntries: copyAudit.checked,
      copyVerified: copyAudit.ok,
      sameHead: (await headOf(srcDb)) === (await headOf(db)),
    };
    if (!copyAudit.ok) problems.push("the audit chain of the copy does not verify");
    if (audit.sourceEntries !== audit.copyEntries || !audit.sameHead)
      problems.push("the audit chain of the copy differs from the source's");

    // The organisation exists for the servers only once everything matched.
    if (target && problems.length === 0) await target.record();
    return { tables: report, files, statistics, audit, ok: problems.length === 0, problems };
  } finally {
    src.close();
    await srcDb.destroy();
    await (target ? target.storage.destroy() : db.destroy());
  }
}

/** Reads a key file of the source installation; `make` for one it never created (a channel it never used). */
function sourceKeyFile(fromDataDir: string, name: string, make?: () => Buffer | string): Buffer {
  const file = path.join(fromDataDir, "keys", name);
  if (fs.existsSync(file)) return fs.readFileSync(file);
  if (!make) throw new Error(`the source has no ${path.join("keys", name)} (if it ran with MASTER_KEY, write that key there first)`);
  return Buffer.from(make());
}

/** The source installation's keys, as an organisation keeps them (sealed in the platform database). */
function sourceKeys(fromDataDir: string): ImportedKeys {
  const master = sourceKeyFile(fromDataDir, "master.key");
  if (master.length !== 32) throw new Error("the source's keys/master.key is not 32 bytes");
  const secrets = JSON.parse(sourceKeyFile(fromDataDir, "secrets.json").toString("utf8")) as Record<string, string>;
  const report = JSON.parse(
    sourceKeyFile(fromDataDir, "report-secrets.json", () =>
      JSON.stringify({
        receiptPepper: crypto.randomBytes(32).toString("base64"),
        installationSalt: crypto.randomBytes(16).toString("base64"),
      }),
    ).toString("utf8"),
  ) as Record<string, string>;
  const signingKeyPem = sourceKeyFile(fromDataDir, "signing.key", () =>
    crypto.generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }),
  ).toString("utf8");
  const keys: ImportedKeys = {
    version: 1,
    master: master.toString("base64"),
    trackingPepper: String(secrets.trackingPepper ?? ""),
    trackingDerivation: String(secrets.trackingDerivation ?? ""),
    outboxKey: String(secrets.outboxKey ?? ""),
    receiptPepper: String(report.receiptPepper ?? ""),
    installationSalt: String(report.installationSalt ?? ""),
    signingKeyPem,
  };
  if (!keys.trackingPepper || !keys.trackingDerivation || !keys.outboxKey || !keys.receiptPepper || !keys.installationSalt)
    throw new Error("the source's keys folder is incomplete (secrets.json, report-secrets.json)");
  return keys;
}

/**
 * The organisation the copy goes into: its schema on the installation's PostgreSQL database, a Site with the source's
 * keys (sealed with the installation's master key) for the copy and its checks, and `record()`, which lists it in the
 * platform database once the copy is proven.
 */
async function organisationTarget(opts: MigrationOptions, org: NonNullable<MigrationOptions["organisation"]>, src: SQLite.Database) {
  if (!isOrgCode(org.code)) throw new Error("--org: 2–30 lower-case letters and digits, a letter first");
  if (org.hosts.length === 0) throw new Error("--host: at least one host name for the organisation");
  for (const h of org.hosts) if (!HOST_NAME.test(h)) throw new Error(`--host ${h}: not a host name`);
  const installationMaster = await withInstallationDataDir(opts.toDataDir, async () => installationMasterKey());
  const storage = openOrganisationStorage({ DATABASE_URL: opts.toUrl, DATA_DIR: opts.toDataDir }, { max: 2 });
  try {
    await preparePlatform(storage);
    const taken = await listOrganisations(storage.platform);
    if (taken.some((o) => o.code === org.code)) throw new OrganisationExists("code");
    if (taken.some((o) => o.hosts.some((h) => org.hosts.includes(h)))) throw new OrganisationExists("host");
    const profile = src.prepare("select name_th, name_en from org_profile order by id limit 1").get() as
      { name_th: string; name_en: string } | undefined;
    const keyId = crypto.randomBytes(16).toString("hex");
    const importedKeys = sealImportedKeys(installationMaster, keyId, sourceKeys(opts.fromDataDir));
    const record = {
      code: org.code,
      nameTh: profile?.name_th ?? org.code,
      nameEn: profile?.name_en ?? org.code,
      province: org.province ?? null,
      hosts: org.hosts,
    };
    await storage.createOrganisationStorage(org.code);
    const site = new Site({ ...record, keyId, importedKeys, lineSettings: null }, storage, () => installationMaster, opts.fileStore);
    return {
      site,
      storage,
      record: () => recordOrganisation(storage.platform, record, { keyId, importedKeys }),
    };
  } catch (e) {
    await storage.destroy();
    throw e;
  }
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const fromDataDir = path.resolve(argValue("from") ?? process.env.DATA_DIR ?? "./data");
  const toUrl = argValue("to") ?? process.env.DATABASE_URL ?? "";
  const toDataDir = argValue("data-dir");
  const store = (argValue("file-store") ?? process.env.FILE_STORE ?? "disk") as FileStoreKind;
  if (!toUrl || !toDataDir || !["disk", "database"].includes(store)) {
    console.error(
      "usage: npm run migrate-to-postgres -- --from <SQLite data dir> --to <postgres://…> --data-dir <new data dir> [--file-store disk|database]\n" +
        "       [--org <code> --host <host name> [--host …] [--province <code>]]   (into one organisation of an installation with several)",
    );
    process.exit(2);
  }
  const org = argValue("org");
  const hosts = process.argv.flatMap((a, i) => (a === "--host" && process.argv[i + 1] ? [process.argv[i + 1]!.toLowerCase()] : []));
  const started = Date.now();
  const r = await migrateToPostgres({
    fromDataDir,
    toUrl,
    toDataDir: path.resolve(toDataDir),
    fileStore: store,
    organisation: org ? { code: org, hosts, province: argValue("province") ?? null } : undefined,
    log: (l) => console.log(l),
  });
  console.log(`rows: ${r.tables.reduce((a, t) => a + t.copied, 0).toLocaleString("en")} in ${r.tables.length} tables`);
  console.log(
    `statistics: copied ${r.statistics.copiedEqual ? "equal" : "DIFFERENT"}, recomputed ${r.statistics.recomputedEqual ? "equal" : "DIFFERENT"}`,
  );
  console.log(
    `audit chain: ${r.audit.copyEntries} entries, ${r.audit.copyVerified ? "verified" : "NOT VERIFIED"}, head ${r.audit.sameHead ? "same" : "DIFFERENT"}`,
  );
  console.log(`${r.ok ? "done" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const p of r.problems) console.error(`  ${p}`);
  process.exit(r.ok ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
