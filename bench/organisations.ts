/**
 * `npm run bench -- --postgres [--orgs 1000] [--cases-per-org 1000] [--duration 10] [--connections 10]`
 *
 * Many organisations on one installation (ORG_ROUTING=host, docs/decisions/0015-one-database-per-organisation.md), the
 * same work on the two databases in one run:
 *   - SQLite: one app server; each organisation's SQLite file under <DATA_DIR>/orgs/<code>/;
 *   - PostgreSQL: a private server (tests/helpers/postgres.ts), one schema org_<code> per organisation on one database,
 *     served by TWO app servers sharing nothing but the database (FILE_STORE=database), the load split between them
 *     (bench/postgres.ts `across`: every latency of both kept).
 * Organisations o0001 … (hosts o0001.bench.test …) each hold `--cases-per-org` complaints: one template organisation is
 * seeded once (bench/seed.ts, in bench/.data/org-template-<cases>) and copied to every organisation, its tracking codes
 * hashed again with that organisation's own pepper (derived from the installation's master key and the organisation's
 * key id, app/utils/sites.server.ts), so /track works in each. Staff sessions (the template's supervisor) are written
 * straight into each organisation's staff_sessions as a completed sign-in (password and second factor) would leave
 * them: 1,000 sign-ins would be 1,000 argon2 hashes and passkey ceremonies for nothing the benchmark measures.
 *
 * Seeding: the SQLite installation (bench/.data/orgs-<N>-<cases>/sqlite) is kept and re-used by later runs (a marker
 * file says it is complete; an interrupted seeding goes on with the organisations not yet ready; a template seeded
 * again since makes it start over). Complaints filed by a run stay in it, as with bench/seed.ts. PostgreSQL's server
 * is private to the run and removed after it, so its installation is seeded every run: the template is copied once
 * with `npm run migrate-to-postgres` (scripts/migrate-to-postgres.ts) into a schema org_tpl, then each organisation is
 * recorded, migrated by prepareSite (as `npm run org -- add` does) and filled with INSERT … SELECT from org_tpl, table
 * by table with triggers off (session_replication_role = replica), so the statistics summaries are copied as they are
 * rather than counted again by the triggers; identity sequences go on after the copied ids. org_tpl is dropped at the
 * end, and the whole database is vacuumed and analysed (as autovacuum would have done it in service). Both seedings
 * print their time.
 *
 * Measured for each installation, every request naming its organisation in the Host header (round robin over the
 * organisations in use), with its own CSRF cookie and staff session:
 *   1. growth, on the freshly started servers (after 2 s of each route for one organisation): the bare route, /track
 *      and the staff queue (`--connections` clients) with the load spread over k = 1, 10, 100 and N organisations,
 *      and server RSS after each k (an organisation's home page is first asked for when it comes into use);
 *   2. the issue's table with the load over all N organisations: the bare form-action route (POST /language) as the
 *      baseline, submission throughput, /track and the staff queue with 1 and N clients, the three statistics pages,
 *      each with its ratio to the bare route;
 * plus the servers' start time (every organisation prepared; PostgreSQL's two servers start together), the wait until
 * they are quiet (the first deadline tick of every organisation done), and their CPU and RSS while idle
 * (per-organisation background work: outbox polls, deadline ticks) over `--idle-seconds` (60; 0 leaves it out).
 * Rough times at 1,000 × 1,000 on 2 cores: seeding ~1 min (SQLite, first run) and ~6–8 min (PostgreSQL, every run),
 * PostgreSQL servers' start ~5 min, measuring ~10 min.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import SQLite from "better-sqlite3";
import { sql, type Kysely } from "kysely";
import type autocannon from "autocannon";
import { complaintSubmission, measure as measureWith, requestWithHost, rssOf, startBenchServer, type Measure } from "./harness";
import { seedBenchDatabase, benchTrackingCode, BENCH_STAFF } from "./seed";
import { across, print, type Setup } from "./postgres";
import { startPostgres } from "../tests/helpers/postgres";
import { migrateToPostgres } from "../scripts/migrate-to-postgres";
import { prepareSite } from "../scripts/organisations";
import {
  listOrganisations,
  openOrganisationStorage,
  preparePlatform,
  recordOrganisation,
  schemaOf,
  type OrganisationRecord,
  type OrganisationStorage,
} from "../db/platform";
import { SiteDirectory, Site } from "../app/utils/sites.server";
import { deriveTrackingCode, hashTrackingCode } from "../app/lib/tracking-code";

export interface OrganisationsBenchOptions {
  root: string;
  orgs: number;
  casesPerOrg: number;
  duration: number;
  connections: number;
  idleSeconds: number;
}

type D = { connections: number; duration: number };

/** What a request of one organisation carries. */
interface OrgClient {
  code: string;
  host: string;
  csrf: string;
  /** Cookie header of a visitor (csrf) … */
  visitor: string;
  /** … and of the signed-in supervisor (csrf + session). */
  staff: string;
}

interface Installation extends Setup {
  children: ChildProcess[];
  /** code → session token of the bench supervisor, written into the organisation's database. */
  sessions: Map<string, string>;
  clients: OrgClient[];
  category: string;
}

interface GrowthRow {
  k: number;
  bare: Measure;
  track: Measure;
  queue: Measure;
  rssMb: number[];
  peakMb: number[];
}

const TEMPLATE_SCHEMA_CODE = "tpl";
/** PostgreSQL organisations seeded at once. */
const PG_SEED_PARALLEL = 2;

const codeOf = (i: number, n: number) => `o${String(i + 1).padStart(Math.max(4, String(n).length), "0")}`;
const hostOf = (code: string) => `${code}.bench.test`;
const secondsSince = (t: number) => ((Date.now() - t) / 1000).toFixed(1);

function readOrCreateMasterKey(dataDir: string): Buffer {
  const dir = path.join(dataDir, "keys");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "master.key");
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(32), { mode: 0o600, flag: "wx" });
  const key = fs.readFileSync(file);
  if (key.length !== 32) throw new Error(`${file} is not a 32-byte key`);
  return key;
}

/** The organisation's tracking pepper, derived as the portal derives it (Site.secrets()). */
function pepperOf(record: OrganisationRecord, storage: OrganisationStorage, master: Buffer): string {
  return new Site(record, storage, () => master, "disk").secrets().trackingPepper;
}

/** Tracking hashes of the template's complaints 1 … cases (row id = i) with `pepper`. */
function trackingHashes(codes: string[], pepper: string): string[] {
  return codes.map((c) => hashTrackingCode(c, pepper));
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding

/**
 * The SQLite installation: registry, one copied file per organisation with its own tracking hashes. Re-used when
 * complete and made from the same template (`templateStamp`: when the template was seeded); otherwise seeded again.
 */
async function seedSqliteInstallation(
  dataDir: string,
  codes: string[],
  templateFile: string,
  templateStamp: string,
  trackingCodes: string[],
  log: (s: string) => void,
): Promise<{ master: Buffer; seconds: number; reused: boolean }> {
  const t0 = Date.now();
  const stampFile = path.join(dataDir, "template-seeded-at");
  if (fs.existsSync(dataDir) && (!fs.existsSync(stampFile) || fs.readFileSync(stampFile, "utf8") !== templateStamp)) {
    log(`SQLite: ${dataDir} was made from another template: seeding it again`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(stampFile, templateStamp);
  const master = readOrCreateMasterKey(dataDir);
  const marker = path.join(dataDir, `seeded-${codes.length}x${trackingCodes.length}`);
  const storage = openOrganisationStorage({ DATA_DIR: dataDir });
  try {
    await preparePlatform(storage);
    const known = new Map((await listOrganisations(storage.platform)).map((o) => [o.code, o]));
    if (fs.existsSync(marker) && codes.every((c) => known.has(c))) {
      log(`SQLite: re-using ${codes.length.toLocaleString("en")} seeded organisations in ${dataDir}`);
      return { master, seconds: 0, reused: true };
    }
    let done = 0;
    for (const code of codes) {
      const record =
        known.get(code) ??
        (await recordOrganisation(storage.platform, { code, nameTh: `อบต.ทดสอบ ${code}`, nameEn: `Bench ${code}`, hosts: [hostOf(code)] }));
      const dir = storage.organisationDir(code);
      const ready = path.join(dir, ".bench-ready");
      if (!fs.existsSync(ready)) {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const file = path.join(dir, "sujarit.db");
        for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
        fs.copyFileSync(templateFile, file);
        const hashes = trackingHashes(trackingCodes, pepperOf(record, storage, master));
        const db = new SQLite(file);
        db.pragma("journal_mode = WAL");
        const update = db.prepare("update complaints set tracking_hash = ? where id = ?");
        db.transaction(() => hashes.forEach((h, i) => update.run(h, i + 1)))();
        db.close();
        fs.writeFileSync(ready, new Date().toISOString());
      }
      if (++done % 100 === 0 || done === codes.length)
        log(`  SQLite: ${done.toLocaleString("en")} / ${codes.length.toLocaleString("en")} organisations`);
    }
    fs.writeFileSync(marker, new Date().toISOString());
    return { master, seconds: (Date.now() - t0) / 1000, reused: false };
  } finally {
    await storage.destroy();
  }
}

/** `url` with every connection's search_path set to `schema` first (for a tool that knows nothing of schemas). */
function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("options", `-c search_path=${schema},public`);
  return u.toString();
}

/**
 * The PostgreSQL installation on a fresh database: the template copied once by migrate-to-postgres into org_tpl, then
 * per organisation: recorded, its schema created and migrated (prepareSite), its rows copied from org_tpl.
 */
async function seedPostgresInstallation(
  url: string,
  dataDir: string,
  codes: string[],
  templateDir: string,
  trackingCodes: string[],
  log: (s: string) => void,
): Promise<{ master: Buffer; storage: OrganisationStorage; seconds: number }> {
  const t0 = Date.now();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const master = readOrCreateMasterKey(dataDir);
  const storage = openOrganisationStorage({ DATA_DIR: dataDir, DATABASE_URL: url }, { max: 4 });
  try {
    await preparePlatform(storage);
    const tpl = schemaOf(TEMPLATE_SCHEMA_CODE);
    await storage.createOrganisationStorage(TEMPLATE_SCHEMA_CODE);
    const scratch = path.join(dataDir, "template-copy");
    const copy = await migrateToPostgres({
      fromDataDir: templateDir,
      toUrl: withSearchPath(url, tpl),
      toDataDir: scratch,
      fileStore: "database",
    });
    fs.rmSync(scratch, { recursive: true, force: true });
    if (!copy.ok) throw new Error(`template copy into PostgreSQL not verified: ${copy.problems.join("; ")}`);
    const tTemplate = Date.now();
    log(`  PostgreSQL: template copied into ${tpl} in ${secondsSince(t0)} s (migrate-to-postgres, verified)`);

    // Tables in the copy's order (parents first), then those only PostgreSQL has (id_marks); the migrator's own stay.
    const db = storage.platform as Kysely<any>;
    const columns = new Map<string, string[]>();
    for (const r of (
      await sql<{ table_name: string; column_name: string }>`select table_name, column_name from information_schema.columns
        where table_schema = ${tpl} order by table_name, ordinal_position`.execute(db)
    ).rows) {
      if (/^kysely_migration/.test(r.table_name)) continue;
      columns.set(r.table_name, [...(columns.get(r.table_name) ?? []), r.column_name]);
    }
    const tables = [
      ...copy.tables.map((t) => t.name).filter((t) => columns.has(t)),
      ...[...columns.keys()].filter((t) => !copy.tables.some((c) => c.name === t)),
    ];
    const identity = new Set(
      (
        await sql<{ table_name: string }>`select table_name from information_schema.columns
          where table_schema = ${tpl} and column_name = 'id' and is_identity = 'YES'`.execute(db)
      ).rows.map((r) => r.table_name),
    );
    const quote = (n: string) => `"${n}"`;
    const statements = tables.map((t) => {
      const cols = columns.get(t)!;
      const list = cols.map(quote).join(", ");
      // The complaints with this organisation's tracking hashes (joined from two arrays: id, hash).
      const select =
        t === "complaints"
          ? `select ${cols.map((c) => (c === "tracking_hash" ? "h.hash" : `s.${quote(c)}`)).join(", ")} from ${tpl}.complaints s`
          : `select ${list} from ${tpl}.${quote(t)}`;
      return { table: t, text: `insert into ${quote(t)} (${list}) ${select}` };
    });
    const ids = trackingCodes.map((_, i) => i + 1);

    const directory = new SiteDirectory(storage, () => master, "database");
    let prepareMs = 0;
    let copyMs = 0;
    let done = 0;
    const seedOne = async (code: string) => {
      const record = await recordOrganisation(storage.platform, {
        code,
        nameTh: `อบต.ทดสอบ ${code}`,
        nameEn: `Bench ${code}`,
        hosts: [hostOf(code)],
      });
      await storage.createOrganisationStorage(code);
      // As the directory would make it (without reading the whole list again for each organisation).
      const site = new Site(record, storage, () => master, "database");
      const a = Date.now();
      await prepareSite(directory, site);
      const b = Date.now();
      const hashes = trackingHashes(trackingCodes, site.secrets().trackingPepper);
      await site
        .db()
        .transaction()
        .execute(async (trx) => {
          // Triggers off (statistics summaries, append-only guards, foreign-key checks): rows copied as they are.
          await sql`set local session_replication_role = replica`.execute(trx);
          for (const s of statements) {
            await sql.raw(`delete from ${quote(s.table)}`).execute(trx);
            if (s.table === "complaints")
              await sql`${sql.raw(s.text)} left join unnest(${ids}::integer[], ${hashes}::text[]) as h(id, hash) on h.id = s.id`.execute(
                trx,
              );
            else await sql.raw(s.text).execute(trx);
          }
          for (const t of tables.filter((x) => identity.has(x))) {
            await sql
              .raw(`select setval(pg_get_serial_sequence('${quote(t)}', 'id'), coalesce((select max(id) from ${quote(t)}), 0) + 1, false)`)
              .execute(trx);
          }
        });
      copyMs += Date.now() - b;
      prepareMs += b - a;
      const n = ++done;
      if (n % 100 === 0 || n === codes.length)
        log(
          `  PostgreSQL: ${n.toLocaleString("en")} / ${codes.length.toLocaleString("en")} organisations (${secondsSince(tTemplate)} s; each: prepareSite ${(prepareMs / n).toFixed(0)} ms, copy ${(copyMs / n).toFixed(0)} ms, ${PG_SEED_PARALLEL} at a time)`,
        );
    };
    // Two organisations at a time (one waits on the database while the other runs here); the pool has four connections.
    let next = 0;
    await Promise.all(
      Array.from({ length: PG_SEED_PARALLEL }, async () => {
        for (let i = next++; i < codes.length; i = next++) await seedOne(codes[i]!);
      }),
    );

    // The copies' statistics equal the template's (copied, not counted again), and count every copied complaint.
    for (const code of [...new Set([codes[0], codes[codes.length - 1]])]) {
      const s = schemaOf(code);
      const r = await sql<{ diff: number; received: number; complaints: number; tracked: number }>`select
          (select count(*) from (select * from ${sql.table(`${s}.complaint_stats`)} except all select * from ${sql.table(`${tpl}.complaint_stats`)}) a)
          + (select count(*) from (select * from ${sql.table(`${tpl}.complaint_stats`)} except all select * from ${sql.table(`${s}.complaint_stats`)}) b) as diff,
          (select coalesce(sum(received), 0) from ${sql.table(`${s}.complaint_stats`)} where dim = 'all') as received,
          (select count(*) from ${sql.table(`${s}.complaints`)}) as complaints,
          (select count(*) from ${sql.table(`${s}.complaints`)} where tracking_hash is not null) as tracked`.execute(db);
      const x = r.rows[0]!;
      if (Number(x.diff) !== 0 || Number(x.received) !== Number(x.complaints) || Number(x.tracked) < trackingCodes.length)
        throw new Error(`organisation ${code}: copied statistics wrong (${JSON.stringify(x)})`);
    }
    await sql.raw(`drop schema ${tpl} cascade`).execute(db);
    // A hosted installation in service has been vacuumed and analysed; freshly copied, autovacuum would do it for the
    // next minutes, during the measurements (on 2 cores that took half the first growth row's bare route).
    const tVacuum = Date.now();
    await sql`vacuum (analyze)`.execute(db);
    log(`  PostgreSQL: vacuum (analyze) of the whole database in ${secondsSince(tVacuum)} s`);
    return { master, storage, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    await storage.destroy();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sessions and clients

/** A completed sign-in of the bench supervisor in one organisation's database: returns the cookie's token. */
async function writeSession(db: Kysely<any>): Promise<string> {
  const staff = (await db.selectFrom("staff").select("id").where("email", "=", BENCH_STAFF.email).executeTakeFirstOrThrow()) as {
    id: number;
  };
  await db.deleteFrom("staff_sessions").where("staff_id", "=", staff.id).execute();
  const token = crypto.randomBytes(32).toString("base64url");
  const at = new Date();
  await db
    .insertInto("staff_sessions")
    .values({
      id: crypto.createHash("sha256").update(token).digest("hex"),
      staff_id: staff.id,
      created_at: at.toISOString(),
      last_seen_at: at.toISOString(),
      expires_at: new Date(at.getTime() + 12 * 3600_000).toISOString(),
      mfa_verified_at: at.toISOString(),
    })
    .execute();
  return token;
}

async function writeSqliteSessions(dataDir: string, codes: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const code of codes) {
    const db = new SQLite(path.join(dataDir, "orgs", code, "sujarit.db"));
    db.pragma("busy_timeout = 5000");
    const staff = db.prepare("select id from staff where email = ?").get(BENCH_STAFF.email) as { id: number };
    const token = crypto.randomBytes(32).toString("base64url");
    const at = new Date().toISOString();
    db.transaction(() => {
      db.prepare("delete from staff_sessions where staff_id = ?").run(staff.id);
      db.prepare(
        "insert into staff_sessions (id, staff_id, created_at, last_seen_at, expires_at, mfa_verified_at) values (?, ?, ?, ?, ?, ?)",
      ).run(
        crypto.createHash("sha256").update(token).digest("hex"),
        staff.id,
        at,
        at,
        new Date(Date.now() + 12 * 3600_000).toISOString(),
        at,
      );
    })();
    db.close();
    out.set(code, token);
  }
  return out;
}

/** The CSRF cookie of organisations [from, to): each one's home page asked for once (the organisation comes into use). */
async function addClients(inst: Installation, codes: string[], upTo: number): Promise<void> {
  const todo = codes.slice(inst.clients.length, upTo);
  const got: OrgClient[] = new Array(todo.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < todo.length; i = next++) {
      const code = todo[i]!;
      const host = hostOf(code);
      const home = await requestWithHost(inst.urls[i % inst.urls.length]!, { host, path: "/" });
      const setCookie = [home.headers["set-cookie"] ?? []].flat().join("; ");
      const csrf = /csrf=([A-Za-z0-9_-]{43})/.exec(setCookie)?.[1];
      if (home.status !== 200 || !csrf) throw new Error(`${host}: GET / answered ${home.status} without a CSRF cookie`);
      const visitor = `csrf=${csrf}`;
      got[i] = { code, host, csrf, visitor, staff: `${visitor}; sujarit_session=${inst.sessions.get(code)}` };
    }
  };
  await Promise.all([1, 2, 3, 4].map(worker));
  inst.clients.push(...got);
}

/** Round robin over the first k organisations. */
function rotation(clients: OrgClient[], k: number): () => OrgClient {
  let n = 0;
  return () => clients[n++ % k]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

let clientNo = 0;
const fakeClient = () => `10.${(clientNo >> 16) & 255}.${(clientNo >> 8) & 255}.${clientNo++ & 255}`;

function bareRequest(next: () => OrgClient): autocannon.Request {
  return {
    method: "POST",
    path: "/language",
    setupRequest: (req: any) => {
      const c = next();
      return {
        ...req,
        headers: { Host: c.host, "Content-Type": "application/x-www-form-urlencoded", Cookie: c.visitor },
        body: new URLSearchParams({ csrf: c.csrf, lng: "th", redirectTo: "/" }).toString(),
      };
    },
  };
}

/** A tracking lookup of the template's complaint i (1 …) at c's organisation, from a client address of its own. */
function trackLookup(c: OrgClient, i: number, references: string[]) {
  return {
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: c.visitor, "X-Forwarded-For": fakeClient() },
    body: new URLSearchParams({ csrf: c.csrf, reference: references[i - 1]!, code: benchTrackingCode(i) }).toString(),
  };
}

function trackRequest(next: () => OrgClient, references: string[]): autocannon.Request {
  let lookupNo = 0;
  return {
    method: "POST",
    path: "/track",
    setupRequest: (req: any) => {
      const c = next();
      const lookup = trackLookup(c, 1 + ((lookupNo++ * 7919) % references.length), references);
      return { ...req, headers: { Host: c.host, ...lookup.headers }, body: lookup.body };
    },
  };
}

function getRequest(next: () => OrgClient, pathname: string, staff: boolean): autocannon.Request {
  return {
    method: "GET",
    path: pathname,
    setupRequest: (req: any) => {
      const c = next();
      return { ...req, headers: { Host: c.host, Cookie: staff ? c.staff : c.visitor } };
    },
  };
}

const QUEUE = "/staff?deadline=overdue";
const plural = (n: number) => `${n} client${n > 1 ? "s" : ""}`;

/**
 * Before measuring with the load over k organisations: 2 s of home pages on each server, then each of the k
 * organisations once on each server for a tracking lookup and a queue page, so what is measured is a server that has
 * been serving them (its statements prepared, on PostgreSQL each connection's catalogue entries of the organisations
 * it serves) rather than each organisation's first request there — with 1,000 organisations an 8-second run reaches
 * most of them for the first time.
 */
async function warmUp(inst: Installation, k: number, d: D, references: string[]) {
  for (const url of inst.urls)
    await measureWith("warm-up", { url, duration: 2, requests: [getRequest(rotation(inst.clients, k), "/", false)] }, [200], d);
  if (k <= 1) return;
  const t0 = Date.now();
  const jobs = inst.clients.slice(0, k).flatMap((c, i) => inst.urls.map((url) => ({ c, url, i })));
  let next = 0;
  const worker = async () => {
    for (let j = next++; j < jobs.length; j = next++) {
      const { c, url, i } = jobs[j]!;
      await requestWithHost(url, {
        host: c.host,
        method: "POST",
        path: "/track",
        ...trackLookup(c, 1 + (i % references.length), references),
      });
      await requestWithHost(url, { host: c.host, path: QUEUE, headers: { Cookie: c.staff } });
    }
  };
  await Promise.all(Array.from({ length: d.connections }, worker));
  console.log(`  ${inst.label}: each of ${k} organisations warmed on ${inst.urls.length} server(s) in ${secondsSince(t0)} s`);
}

/** The issue's table, every request for one of the first k organisations in turn. */
async function measureInstallation(inst: Installation, k: number, references: string[], fy: number, d: D): Promise<Measure[]> {
  const out: Measure[] = [];
  await warmUp(inst, k, d, references);
  out.push(await across(inst, "bare form action (POST /language)", { requests: [bareRequest(rotation(inst.clients, k))] }, [302], d));
  const boundary = "----sujaritbench" + crypto.randomBytes(6).toString("hex");
  const nextSubmit = rotation(inst.clients, k);
  out.push(
    await across(
      inst,
      "complaint submission (POST /complaints/new)",
      {
        requests: [
          {
            method: "POST",
            path: "/complaints/new",
            setupRequest: (req: any) => {
              const c = nextSubmit();
              return {
                ...req,
                headers: {
                  Host: c.host,
                  "Content-Type": `multipart/form-data; boundary=${boundary}`,
                  Cookie: c.visitor,
                  "X-Forwarded-For": fakeClient(),
                },
                body: complaintSubmission(c.csrf, inst.category, boundary),
              };
            },
          },
        ],
      },
      [302],
      d,
    ),
  );
  for (const c of [1, d.connections])
    out.push(
      await across(
        inst,
        `tracking lookup (POST /track), ${plural(c)}`,
        { connections: c, requests: [trackRequest(rotation(inst.clients, k), references)] },
        [200],
        d,
      ),
    );
  for (const c of [1, d.connections])
    out.push(
      await across(
        inst,
        `staff queue, overdue, page 1 (GET /staff?deadline=overdue), ${plural(c)}`,
        { connections: c, requests: [getRequest(rotation(inst.clients, k), QUEUE, true)] },
        [200],
        d,
      ),
    );
  for (const page of [`/stats?fy=${fy}`, `/stats/corruption?fy=${fy}`, `/stats/targets?fy=${fy}`])
    out.push(
      await across(inst, `statistics ${page.split("?")[0]}`, { requests: [getRequest(rotation(inst.clients, k), page, false)] }, [200], d),
    );
  return out;
}

/** Bare route, /track and staff queue with the load over k = 1, 10, 100 … N organisations; RSS after each. */
async function measureGrowth(inst: Installation, codes: string[], references: string[], d: D): Promise<GrowthRow[]> {
  const ks = [...new Set([1, 10, 100, codes.length].filter((k) => k <= codes.length))].sort((a, b) => a - b);
  const rows: GrowthRow[] = [];
  // The three routes once before the first k (the code's first runs are not the first k's to pay).
  await addClients(inst, codes, 1);
  for (const r of [
    bareRequest(rotation(inst.clients, 1)),
    trackRequest(rotation(inst.clients, 1), references),
    getRequest(rotation(inst.clients, 1), QUEUE, true),
  ])
    await across(inst, "warm-up", { duration: 2, requests: [r] }, [200, 302], d);
  for (const k of ks) {
    await addClients(inst, codes, k);
    await warmUp(inst, k, d, references);
    const bare = await across(inst, `bare (k=${k})`, { requests: [bareRequest(rotation(inst.clients, k))] }, [302], d);
    const track = await across(inst, `/track (k=${k})`, { requests: [trackRequest(rotation(inst.clients, k), references)] }, [200], d);
    const queue = await across(inst, `staff queue (k=${k})`, { requests: [getRequest(rotation(inst.clients, k), QUEUE, true)] }, [200], d);
    const mem = inst.children.map((c) => rssOf(c.pid!));
    rows.push({ k, bare, track, queue, rssMb: mem.map((m) => m.rssMb), peakMb: mem.map((m) => m.peakMb) });
    for (const m of [bare, track, queue])
      if (m.errors > 0) console.log(`  ${inst.label}, ${m.name}: statuses ${JSON.stringify(m.statuses)}`);
  }
  return rows;
}

function printGrowth(label: string, rows: GrowthRow[], connections: number) {
  console.log(`\n${label}: load spread over k organisations (${connections} clients each; RSS per server after that k)`);
  console.table(
    rows.map((r) => ({
      "orgs in use": r.k,
      "bare p95 ms": r.bare.p95.toFixed(1),
      "bare req/s": r.bare.reqPerSec.toFixed(0),
      "/track p95 ms": r.track.p95.toFixed(1),
      "/track × bare p95": (r.track.p95 / r.bare.p95).toFixed(2),
      "queue p95 ms": r.queue.p95.toFixed(1),
      "queue × bare p95": (r.queue.p95 / r.bare.p95).toFixed(2),
      "RSS MB": r.rssMb.map((x) => x.toFixed(0)).join(" / "),
      "peak MB": r.peakMb.map((x) => x.toFixed(0)).join(" / "),
      errors: r.bare.errors + r.track.errors + r.queue.errors,
    })),
  );
}

/** CPU seconds (user + system, every thread) a process has used. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Waits until every server uses less than a quarter of a core for 4 s running (the first deadline ticks done), at most `maxMs`. */
async function waitQuiet(pids: number[], maxMs: number): Promise<number> {
  const t0 = Date.now();
  let quiet = 0;
  let last = pids.map(cpuSeconds);
  while (Date.now() - t0 < maxMs && quiet < 2) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = pids.map(cpuSeconds);
    quiet = now.every((c, i) => (c - last[i]!) / 2 < 0.25) ? quiet + 1 : 0;
    last = now;
  }
  return (Date.now() - t0) / 1000;
}

/** Share of a core each server uses with no request at all (its organisations' background work). */
async function idleCpu(pids: number[], seconds: number): Promise<number[]> {
  const before = pids.map(cpuSeconds);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return pids.map((p, i) => (cpuSeconds(p) - before[i]!) / seconds);
}

async function stopAll(children: ChildProcess[]) {
  await Promise.all(
    children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => (c.once("exit", r), c.kill("SIGTERM"))))),
  );
}

interface InstallationResult {
  label: string;
  startSeconds: number;
  settleSeconds: number;
  idle: number[];
  /** RSS once started and quiet, before any request. */
  startRss: { rssMb: number; peakMb: number }[];
  growth: GrowthRow[];
  table: Measure[];
  rss: { rssMb: number; peakMb: number }[];
}

async function runInstallation(
  inst: Installation,
  codes: string[],
  references: string[],
  fy: number,
  d: D,
  idleSeconds: number,
  startSeconds: number,
  writeSessions: () => Promise<Map<string, string>>,
): Promise<InstallationResult> {
  const pids = inst.children.map((c) => c.pid!);
  const settleSeconds = await waitQuiet(pids, 300_000);
  console.log(`${inst.label}: started in ${startSeconds.toFixed(1)} s, quiet ${settleSeconds.toFixed(0)} s later`);
  const idle = idleSeconds > 0 ? await idleCpu(pids, idleSeconds) : [];
  const startRss = inst.children.map((c) => rssOf(c.pid!));
  if (idle.length)
    console.log(`${inst.label}: idle CPU over ${idleSeconds} s: ${idle.map((x) => `${(100 * x).toFixed(1)}%`).join(" / ")} of a core`);
  inst.sessions = await writeSessions();
  await addClients(inst, codes, 1);
  const form = await requestWithHost(inst.urls[0]!, {
    host: inst.clients[0]!.host,
    path: "/complaints/new",
    headers: { Cookie: inst.clients[0]!.visitor },
  });
  inst.category = /<option value="([a-z_]+)"/.exec(form.text)?.[1] ?? "road";
  const queue = await requestWithHost(inst.urls[0]!, {
    host: inst.clients[0]!.host,
    path: QUEUE,
    headers: { Cookie: inst.clients[0]!.staff },
  });
  if (queue.status !== 200) console.warn(`${inst.label}: the staff queue answered ${queue.status} (session not accepted?)`);
  const growth = await measureGrowth(inst, codes, references, d);
  const table = await measureInstallation(inst, codes.length, references, fy, d);
  const rss = inst.children.map((c) => rssOf(c.pid!));
  return { label: inst.label, startSeconds, settleSeconds, idle, startRss, growth, table, rss };
}

// ---------------------------------------------------------------------------------------------------------------

export async function benchOrganisations(opts: OrganisationsBenchOptions) {
  const d: D = { duration: opts.duration, connections: opts.connections };
  const n = opts.orgs;
  const codes = Array.from({ length: n }, (_, i) => codeOf(i, n));
  const base = path.join(opts.root, "bench", ".data");
  const log = (l: string) => console.log(l);

  // The template organisation (bench/seed.ts), its file complete (no WAL beside it) so it can be copied.
  const templateDir = path.join(base, `org-template-${opts.casesPerOrg}`);
  console.log(`Template organisation: ${opts.casesPerOrg.toLocaleString("en")} cases in ${templateDir} …`);
  const tSeed = Date.now();
  const { references, file: templateFile } = await seedBenchDatabase(templateDir, opts.casesPerOrg, log);
  const tpl = new SQLite(templateFile);
  tpl.pragma("wal_checkpoint(TRUNCATE)");
  const fy = (
    tpl
      .prepare("select fiscal_year from complaint_stats where dim = 'all' group by fiscal_year order by sum(received) desc limit 1")
      .get() as { fiscal_year: number }
  ).fiscal_year;
  const maxId = (tpl.prepare("select max(id) as m from complaints").get() as { m: number }).m;
  tpl.close();
  if (maxId !== opts.casesPerOrg)
    throw new Error(`${templateFile} holds complaints up to id ${maxId}, not ${opts.casesPerOrg}: remove ${templateDir}`);
  console.log(`template ready in ${secondsSince(tSeed)} s`);
  const trackingCodes = references.map((_, i) => deriveTrackingCode(`bench-${i + 1}`, "bench"));

  const installDir = path.join(base, `orgs-${n}-${opts.casesPerOrg}`);
  const sqliteDir = path.join(installDir, "sqlite");
  console.log(`SQLite installation: ${n.toLocaleString("en")} organisations in ${sqliteDir} …`);
  const templateStamp = fs.readFileSync(path.join(templateDir, `seeded-${opts.casesPerOrg}`), "utf8");
  const sqliteSeed = await seedSqliteInstallation(sqliteDir, codes, templateFile, templateStamp, trackingCodes, log);
  if (!sqliteSeed.reused) console.log(`SQLite installation seeded in ${sqliteSeed.seconds.toFixed(1)} s`);

  const children: ChildProcess[] = [];
  const results: InstallationResult[] = [];
  const health = { host: hostOf(codes[0]!), timeoutMs: 3_600_000 };
  {
    const env = { ORG_ROUTING: "host", MASTER_KEY: sqliteSeed.master.toString("base64") };
    const t0 = Date.now();
    const s = await startBenchServer(opts.root, sqliteDir, env, health);
    children.push(s.child);
    const inst: Installation = {
      label: "SQLite, one server",
      urls: [s.url],
      children: [s.child],
      sessions: new Map(),
      clients: [],
      category: "road",
    };
    try {
      results.push(
        await runInstallation(inst, codes, references, fy, d, opts.idleSeconds, (Date.now() - t0) / 1000, () =>
          writeSqliteSessions(sqliteDir, codes),
        ),
      );
    } finally {
      await stopAll(children.splice(0));
    }
  }

  const pg = await startPostgres();
  let storage: OrganisationStorage | undefined;
  let pgSeconds = 0;
  try {
    const url = await pg.createDatabase("bench");
    const pgDir = path.join(installDir, "pg");
    console.log(`PostgreSQL installation: ${n.toLocaleString("en")} organisations (schemas) …`);
    const seeded = await seedPostgresInstallation(url, pgDir, codes, templateDir, trackingCodes, log);
    storage = seeded.storage;
    pgSeconds = seeded.seconds;
    console.log(`PostgreSQL installation seeded in ${pgSeconds.toFixed(1)} s`);
    const env = { ORG_ROUTING: "host", DATABASE_URL: url, FILE_STORE: "database", MASTER_KEY: seeded.master.toString("base64") };
    const t0 = Date.now();
    // Both at once, as several app servers of one installation start (each prepares every organisation).
    const started = await Promise.allSettled([0, 1].map(() => startBenchServer(opts.root, pgDir, env, health)));
    for (const s of started) if (s.status === "fulfilled") children.push(s.value.child);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    const [a, b] = started.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof startBenchServer>>>).value) as [
      Awaited<ReturnType<typeof startBenchServer>>,
      Awaited<ReturnType<typeof startBenchServer>>,
    ];
    const inst: Installation = {
      label: "PostgreSQL, two servers",
      urls: [a.url, b.url],
      children: [a.child, b.child],
      sessions: new Map(),
      clients: [],
      category: "road",
    };
    const st = storage;
    results.push(
      await runInstallation(inst, codes, references, fy, d, opts.idleSeconds, (Date.now() - t0) / 1000, async () => {
        const out = new Map<string, string>();
        for (const code of codes) out.set(code, await writeSession(st.organisationDb(code)));
        return out;
      }),
    );
  } finally {
    await stopAll(children);
    await storage?.destroy();
    await pg.stop();
  }

  const [lite, post] = results as [InstallationResult, InstallationResult];
  console.log(
    `\nSujarit, several organisations on one installation — ${n.toLocaleString("en")} organisations × ${opts.casesPerOrg.toLocaleString("en")} cases = ${(n * opts.casesPerOrg).toLocaleString("en")} complaints, ${opts.connections} connections, ${opts.duration} s per route, ${new Date().toISOString()}`,
  );
  console.log(
    `Seeding: template ${opts.casesPerOrg.toLocaleString("en")} cases; SQLite ${sqliteSeed.reused ? "re-used" : `${sqliteSeed.seconds.toFixed(1)} s`}; PostgreSQL ${pgSeconds.toFixed(1)} s`,
  );
  for (const r of results)
    console.log(
      `${r.label}: start ${r.startSeconds.toFixed(1)} s (every organisation prepared), quiet after ${r.settleSeconds.toFixed(0)} s more; idle: CPU ${r.idle.map((x) => `${(100 * x).toFixed(1)}%`).join(" / ") || "n/a"} of a core, RSS ${r.startRss.map((m) => `${m.rssMb.toFixed(0)} MB`).join(" / ")}; RSS at the end ${r.rss.map((m) => `${m.rssMb.toFixed(0)} MB (peak ${m.peakMb.toFixed(0)})`).join(" / ")}`,
    );
  print(`SQLite, one app server — load over all ${n.toLocaleString("en")} organisations`, lite.table);
  print(`PostgreSQL, two app servers (load split between them) — load over all ${n.toLocaleString("en")} organisations`, post.table);
  console.log("\nPostgreSQL ÷ SQLite (p95; req/s)");
  console.table(
    lite.table.map((r, i) => ({
      route: r.name,
      "p95 ratio": (post.table[i]!.p95 / r.p95).toFixed(2),
      "req/s ratio": (post.table[i]!.reqPerSec / r.reqPerSec).toFixed(2),
    })),
  );
  printGrowth("SQLite, one app server", lite.growth, opts.connections);
  printGrowth("PostgreSQL, two app servers", post.growth, opts.connections);
}
