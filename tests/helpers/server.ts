/**
 * Spawns the real production server (build/server.js, bundled from scripts/serve.ts, on the default ./build) with its own temporary DATA_DIR and a
 * free port, for black-box tests (NODE_ENV=production; ALLOW_CLOCK_OFFSET=1 is added whenever the env sets CLOCK_OFFSET_MS). Every call gives an isolated installation (database, secrets, uploads).
 *
 *   const server = await startServer({ env: { SMTP_URL: smtp.url } });
 *   … fetch(`${server.url}/healthz`) …
 *   await server.stop();
 *
 * Set TEST_BUILD_DIR to run against another build folder (same meaning as BUILD_DIR for the server).
 * Set TEST_DATABASE=postgres to run every server on PostgreSQL: each startServer() gets a fresh database (DATABASE_URL) on
 * one private PostgreSQL server per test process (tests/helpers/postgres.ts); the data folder still holds keys and
 * uploads. Read (or write) a server's database with testDb(server) or dbAll/dbGet, which work on both databases.
 * Set KEEP_TEST_DATA=1 to keep the data folders after the tests (for debugging).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../../db/schema";
import type { TestPostgres } from "./postgres";

/** Project root (two levels above tests/helpers). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  /** The SQLite file (absent when the server runs on PostgreSQL: see databaseUrl). */
  dbFile: string;
  /** The server's PostgreSQL database (postgres://…), or null on SQLite. */
  databaseUrl: string | null;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its data folder. */
  stop(): Promise<void>;
  /** Stops and starts the server again on the same port with the same data folder. */
  restart(): Promise<void>;
  /** Kills the server at once (SIGKILL: no shutdown of any kind) and waits for it to exit; the data folder stays. */
  kill(): Promise<void>;
  /** The server process's id (for memory readings in /proc). */
  readonly pid: number;
  /** Everything the server wrote to stdout and stderr so far (all incarnations). */
  logs(): string;
  /** Environment the server runs with (without the inherited process environment). */
  env: Record<string, string>;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (!addr || typeof addr === "string") return reject(new Error("no port"));
      const port = addr.port;
      srv.close(() => resolve(port));
    });
  });
}

function baseProcessEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Never inherit installation settings from the developer's shell.
  for (const k of [
    "BUILD_DIR",
    "DATABASE_URL",
    "SMTP_URL",
    "PUBLIC_URL",
    "DATA_DIR",
    "PORT",
    "HOST",
    "TRUST_PROXY_HOPS",
    "TRUSTED_PROXIES",
    "NODE_OPTIONS",
    "VITEST",
    "VITEST_POOL_ID",
    "VITEST_WORKER_ID",
    "TEST",
  ]) {
    delete env[k];
  }
  if (process.env.TEST_BUILD_DIR) env.BUILD_DIR = path.resolve(process.env.TEST_BUILD_DIR);
  env.NODE_ENV = "production";
  return env;
}

/**
 * Whether a /healthz answer means "the server is up": 200, or 503 for something that needs a person but not for the
 * database (e.g. a clock moved past the end of the holiday table, an old e-mail a test left pending).
 */
async function serving(res: Response): Promise<boolean> {
  if (res.status === 200) return true;
  if (res.status !== 503) return false;
  const body = (await res.json().catch(() => null)) as { checks?: { database?: { ok?: boolean } } } | null;
  return body?.checks?.database?.ok === true;
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  const onExit = (code: number | null) => {
    exited = code ?? -1;
  };
  child.once("exit", onExit);
  try {
    while (Date.now() < deadline) {
      if (exited !== null) throw new Error(`server exited with code ${exited} before it was ready:\n${output()}`);
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (await serving(res)) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server did not become healthy within ${timeoutMs} ms:\n${output()}`);
  } finally {
    child.off("exit", onExit);
  }
}

function killAndWait(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Whether this test run puts its servers on PostgreSQL (TEST_DATABASE=postgres; tests/vitest.postgres.config.ts). */
export const onPostgres = process.env.TEST_DATABASE === "postgres";

let sharedPostgres: Promise<TestPostgres> | null = null;
let databaseCount = 0;

/**
 * A fresh PostgreSQL database on this test process's private server (started on first use; it stops when the process
 * exits, see tests/helpers/postgres.ts).
 */
export async function freshPostgresDatabase(): Promise<string> {
  sharedPostgres ??= import("./postgres").then((m) => m.startPostgres());
  const pg = await sharedPostgres;
  databaseCount += 1;
  return pg.createDatabase(`portal_${process.pid}_${databaseCount}`);
}

/**
 * For tests that use the models in their own process (getDb()): a fresh PostgreSQL database's URL under
 * TEST_DATABASE=postgres, otherwise undefined (SQLite under DATA_DIR). Set DATABASE_URL to it before the first getDb().
 */
export async function testDatabaseUrl(): Promise<string | undefined> {
  return onPostgres ? freshPostgresDatabase() : undefined;
}

/** Starts a fresh server; resolves once /healthz answers 200. */
export async function startServer(opts: { env?: Record<string, string>; port?: number; dataDir?: string } = {}): Promise<TestServer> {
  // opts.dataDir: an existing data folder (a restored backup) instead of a new one; removed by stop() all the same.
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-test-"));
  // TEST_DATABASE=postgres: a database of its own, unless the test names one.
  const databaseUrl = opts.env?.DATABASE_URL ?? (onPostgres ? await freshPostgresDatabase() : null);
  let out = "";
  let child: ChildProcess | null = null;
  let port = opts.port ?? (await freePort());
  let url = `http://127.0.0.1:${port}`;
  const makeEnv = (): Record<string, string> => ({
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    PUBLIC_URL: url,
    OUTBOX_INTERVAL_MS: "200",
    // Report notices and reporters' audit entries in batches every few seconds instead of at random times.
    REPORT_NOTICE_WINDOW_MINUTES: "0",
    LOG_LEVEL: "info",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    // A production server refuses a clock offset unless told it is a test or demonstration (env.server.ts).
    ...(opts.env?.CLOCK_OFFSET_MS !== undefined ? { ALLOW_CLOCK_OFFSET: "1" } : {}),
    ...opts.env,
  });

  const spawnOnce = async () => {
    const env = makeEnv();
    const buildRoot = process.env.TEST_BUILD_DIR ? path.resolve(process.env.TEST_BUILD_DIR) : ROOT;
    const serverJs = path.join(buildRoot, "build", "server.js");
    const proc = spawn(process.execPath, [serverJs], {
      cwd: ROOT,
      env: { ...baseProcessEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout!.setEncoding("utf8");
    proc.stderr!.setEncoding("utf8");
    proc.stdout!.on("data", (d: string) => (out += d));
    proc.stderr!.on("data", (d: string) => (out += d));
    child = proc;
    await waitForHealth(url, proc, () => out, 45_000);
    if (env.DATABASE_URL && /^postgres(ql)?:/i.test(env.DATABASE_URL) && fs.existsSync(path.join(dataDir, "sujarit.db"))) {
      throw new Error(`the server was given ${env.DATABASE_URL} but wrote a SQLite file:\n${out}`);
    }
  };

  // The port was free a moment ago; if another process grabbed it, try another one (only when we chose it).
  for (let attempt = 0; ; attempt++) {
    try {
      await spawnOnce();
      break;
    } catch (e) {
      if (child) await killAndWait(child);
      if (attempt < 2 && opts.port === undefined && /EADDRINUSE/.test(out)) {
        port = await freePort();
        url = `http://127.0.0.1:${port}`;
        continue;
      }
      if (!process.env.KEEP_TEST_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
  }

  const server: TestServer = {
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    get pid() {
      return child?.pid ?? 0;
    },
    dataDir,
    dbFile: path.join(dataDir, "sujarit.db"),
    databaseUrl: databaseUrl && /^postgres(ql)?:/i.test(databaseUrl) ? databaseUrl : null,
    get env() {
      return makeEnv();
    },
    logs: () => out,
    async restart() {
      if (child) await killAndWait(child);
      out += "\n--- restart ---\n";
      await spawnOnce();
    },
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once("exit", () => resolve());
        c.kill("SIGKILL");
      });
    },
    async stop() {
      if (child) await killAndWait(child);
      child = null;
      await closeTestDb(server);
      if (!process.env.KEEP_TEST_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export interface StaffUserInput {
  email: string;
  role: "admin" | "supervisor" | "officer" | "intake" | "executive" | "integrity";
  password: string;
  name?: string;
  /** Division code, e.g. "works". */
  division?: string;
  /** The organisation (its code) of an installation with several (ORG_ROUTING=host). */
  org?: string;
}

/** Runs `npm run org -- <args>` (scripts/org.ts) with a test server's settings; its exit code and output. */
export function orgCommand(server: Pick<TestServer, "env">, args: string[]): Promise<{ code: number | null; out: string }> {
  return scriptCommand(server, "scripts/org.ts", args);
}

/** A council of the tests: its code (also its seed's), Thai and English place names, and optionally its host name. */
export interface Council {
  code: string;
  th: string;
  en: string;
  host?: string;
  province?: string;
}

/**
 * A seed file for `council`: db/seed/wangluek.json with Wang Luek's names (Thai, English, code) replaced by the
 * council's, written in `dir` (Wang Luek itself: the file as shipped). Returns its path.
 */
export function councilSeed(dir: string, council: Pick<Council, "code" | "th" | "en">): string {
  const shipped = path.join(ROOT, "db/seed/wangluek.json");
  if (council.code === "wangluek" && council.th === "วังลึก" && council.en === "Wang Luek") return shipped;
  const file = path.join(dir, `${council.code}.json`);
  const seed = fs.readFileSync(shipped, "utf8");
  fs.writeFileSync(file, seed.replaceAll("วังลึก", council.th).replaceAll("Wang Luek", council.en).replaceAll("wangluek", council.code));
  return file;
}

/** Adds a council to a running installation (`npm run org -- add` from its seed); throws with the command's output if it fails. */
export async function addCouncil(server: Pick<TestServer, "env" | "dataDir">, council: Council): Promise<void> {
  const args = ["add", councilSeed(server.dataDir, council), "--code", council.code];
  if (council.host) args.push("--host", council.host);
  if (council.province) args.push("--province", council.province);
  const added = await orgCommand(server, args);
  if (added.code !== 0) throw new Error(`npm run org -- add ${council.code} failed (${added.code}):\n${added.out}`);
}

/** Runs one of the portal's commands (`script`: scripts/<name>.ts) with a test server's settings; its exit code and output. */
export function scriptCommand(
  server: Pick<TestServer, "env">,
  script: string,
  args: string[],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: ROOT,
      env: { ...baseProcessEnv(), ...server.env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("error", reject);
    p.on("exit", (code) => resolve({ code, out }));
  });
}

/** Creates a staff account with the staff CLI (`scripts/staff.ts add …`), password on stdin. Returns the CLI output. */
export async function createStaffUser(server: Pick<TestServer, "env">, user: StaffUserInput): Promise<string> {
  const args = [
    "--import",
    "tsx",
    "scripts/staff.ts",
    "add",
    "--email",
    user.email,
    "--name",
    user.name ?? user.email.split("@")[0],
    "--role",
    user.role,
    "--password-stdin",
  ];
  if (user.division) args.push("--division", user.division);
  if (user.org) args.push("--org", user.org);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...baseProcessEnv(), ...server.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    proc.stdout.on("data", (d) => (output += d));
    proc.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    proc.on("error", reject);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`staff add ${user.email} failed (exit ${code}):\n${output}`));
    });
    proc.stdin.end(`${user.password}\n`);
  });
}

/** Where a server keeps its data: the SQLite file, or its PostgreSQL database when it has one. */
export type DatabaseOf = Pick<TestServer, "dbFile"> & { databaseUrl?: string | null };

const testDbs = new WeakMap<object, Kysely<Database>>();

/**
 * The server's database through Kysely, on SQLite or PostgreSQL alike (opened on first use, closed by server.stop() or
 * closeTestDb). For tests that read or change rows directly; write portable SQL (or use dialectOf(db)).
 */
export async function testDb(server: DatabaseOf): Promise<Kysely<Database>> {
  let db = testDbs.get(server);
  if (!db) {
    const { openDatabaseAt } = await import("../../db/dialects");
    db = openDatabaseAt<Database>({ postgresUrl: server.databaseUrl ?? null, sqliteFile: server.dbFile });
    testDbs.set(server, db);
  }
  return db;
}

/** Closes the connection testDb(server) opened, if any. */
export async function closeTestDb(server: object): Promise<void> {
  const db = testDbs.get(server);
  testDbs.delete(server);
  await db?.destroy();
}

/** SQLite's `?` placeholders as PostgreSQL's `$1, $2, …` (outside quoted text). */
function numberedPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (m) => (m === "?" ? `$${++n}` : m));
}

/**
 * Runs a query against the server's database: on SQLite a new read-only connection each time; on PostgreSQL the
 * testDb connection, with the `?` placeholders numbered. Write SQL both databases understand.
 */
export async function dbAll<T = Record<string, any>>(server: DatabaseOf, sql: string, ...params: unknown[]): Promise<T[]> {
  if (server.databaseUrl) {
    const db = await testDb(server);
    return (await db.executeQuery<T>(CompiledQuery.raw(numberedPlaceholders(sql), params))).rows;
  }
  const { default: SQLite } = await import("better-sqlite3");
  const db = new SQLite(server.dbFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** First row of a read-only query, or undefined. */
export async function dbGet<T = Record<string, any>>(server: DatabaseOf, sql: string, ...params: unknown[]): Promise<T | undefined> {
  return (await dbAll<T>(server, sql, ...params))[0];
}

/** Polls `fn` until it returns a truthy value (returned) or the timeout passes (throws with `what`). */
export async function waitUntil<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 15_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

/**
 * Rows of one database of an installation with several organisations: an organisation's (its SQLite file under
 * orgs/<code>/, or its schema org_<code> on PostgreSQL), or the platform's (`code` null: platform.db, or schema platform).
 * An insert, update or delete is run there instead (no rows back): a test's own change behind the server's back.
 */
export async function installationRows<T>(
  server: Pick<TestServer, "dataDir" | "databaseUrl">,
  code: string | null,
  query: string,
): Promise<T[]> {
  if (server.databaseUrl) {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      await client.query(`set search_path to "${code === null ? "platform" : `org_${code}`}"`);
      return (await client.query(query)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const { default: SQLite } = await import("better-sqlite3");
  const file = code === null ? path.join(server.dataDir, "platform.db") : path.join(server.dataDir, "orgs", code, "sujarit.db");
  const writes = /^\s*(insert|update|delete)\b/i.test(query);
  const db = new SQLite(file, { readonly: !writes });
  try {
    if (writes) {
      db.prepare(query).run();
      return [];
    }
    return db.prepare(query).all() as T[];
  } finally {
    db.close();
  }
}
