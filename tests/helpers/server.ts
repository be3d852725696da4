/**
 * Spawns the real production server (build/server.js, bundled from scripts/serve.ts, on the default ./build) with its own temporary DATA_DIR and a
 * free port, for black-box tests (NODE_ENV=production; ALLOW_CLOCK_OFFSET=1 is added whenever the env sets CLOCK_OFFSET_MS). Every call gives an isolated installation (database, secrets, uploads).
 *
 *   const server = await startServer({ env: { SMTP_URL: smtp.url } });
 *   … fetch(`${server.url}/healthz`) …
 *   await server.stop();
 *
 * Set TEST_BUILD_DIR to run against another build folder (same meaning as BUILD_DIR for the server).
 * Set KEEP_TEST_DATA=1 to keep the data folders after the tests (for debugging).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Project root (two levels above tests/helpers). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  dbFile: string;
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

/** Starts a fresh server; resolves once /healthz answers 200. */
export async function startServer(opts: { env?: Record<string, string>; port?: number; dataDir?: string } = {}): Promise<TestServer> {
  // opts.dataDir: an existing data folder (a restored backup) instead of a new one; removed by stop() all the same.
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-test-"));
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

/** Runs a read-only query against the server's SQLite file (a new read-only connection each time). */
export async function dbAll<T = Record<string, any>>(server: Pick<TestServer, "dbFile">, sql: string, ...params: unknown[]): Promise<T[]> {
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
export async function dbGet<T = Record<string, any>>(
  server: Pick<TestServer, "dbFile">,
  sql: string,
  ...params: unknown[]
): Promise<T | undefined> {
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
