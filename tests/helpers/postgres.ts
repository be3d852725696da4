/**
 * A private, real PostgreSQL server for a test file: `initdb` and `postgres` on a temporary folder and a free port,
 * listening on 127.0.0.1 only, with its unix socket inside that folder, fsync off (test data only). The server is a
 * child of the test process that dies with it (parent-death signal). As root (CI), it runs as the unprivileged user
 * `nobody` (PostgreSQL refuses to run as root), through `setpriv`.
 *
 *   const pg = await startPostgres();
 *   const url = await pg.createDatabase("migrations");   // postgres://postgres@127.0.0.1:<port>/migrations
 *   …
 *   await pg.stop();                                      // stops the server and removes its folder
 *
 * Missing PostgreSQL binaries make startPostgres throw (the test fails; it is never skipped): install the Debian
 * package `postgresql` (.ci/run does). Set KEEP_TEST_DATA=1 to keep the folder (the server is stopped all the same).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./server";

export interface TestPostgres {
  /** URL of the server's `postgres` database (superuser `postgres`, no password: trust on 127.0.0.1 only). */
  url: string;
  port: number;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

const RUN_AS = "nobody";

/** The folder with initdb and postgres: the newest /usr/lib/postgresql/<version>/bin, else the PATH. */
export function findPostgresBin(root = "/usr/lib/postgresql", searchPath = process.env.PATH ?? ""): string {
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const bin = path.join(root, v, "bin");
    if (["initdb", "postgres"].every((b) => fs.existsSync(path.join(bin, b)))) return bin;
  }
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir && ["initdb", "postgres"].every((b) => fs.existsSync(path.join(dir, b)))) return dir;
  }
  throw new Error(
    "PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or on PATH: " +
      "install them (Debian: apt-get install postgresql) to run the PostgreSQL tests",
  );
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
  return { uid, gid };
}

const CHILD_ENV: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C", LC_ALL: "C", TZ: "UTC" };

/**
 * The command that runs PostgreSQL program `program` as `nobody` when this process is root (PostgreSQL refuses to run
 * as root) and gets SIGQUIT (immediate shutdown) when this process dies, however it dies — even SIGKILL — so a test
 * worker that is killed never leaves a server behind. setpriv is part of util-linux (Debian: always installed).
 */
function command(bin: string, program: string, args: string[]): [string, string[]] {
  const user = process.getuid?.() === 0 ? userIds(RUN_AS) : null;
  const as = user ? ["--reuid", String(user.uid), "--regid", String(user.gid), "--clear-groups"] : [];
  return ["setpriv", [...as, "--pdeathsig", "QUIT", path.join(bin, program), ...args]];
}

/** Runs a PostgreSQL program to completion; throws with its output on failure. */
function run(bin: string, program: string, args: string[], cwd: string): string {
  const [cmd, argv] = command(bin, program, args);
  const r = spawnSync(cmd, argv, { cwd, env: CHILD_ENV as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw new Error(`${program} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${program} ${args.join(" ")} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Starts `postgres` on `port`; resolves once it accepts connections, rejects (with its log) when it exits first. */
async function startServerProcess(bin: string, data: string, socketDir: string, port: number, dir: string): Promise<ChildProcess> {
  const [cmd, argv] = command(bin, "postgres", [
    "-D",
    data,
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `unix_socket_directories=${socketDir}`,
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=50",
    "-c",
    "shared_buffers=32MB",
    "-c",
    "TimeZone=UTC",
  ]);
  const child = spawn(cmd, argv, { cwd: dir, env: CHILD_ENV as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGQUIT");
      reject(new Error(`postgres did not start within 60 s:\n${log}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      log += d.toString("utf8");
      if (/database system is ready to accept connections/.test(log)) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.stderr!.off("data", onData);
        child.stdout!.resume();
        child.stderr!.resume();
        child.off("exit", onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`postgres exited (${code ?? signal}) before it was ready:\n${log}`), { log }));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", onExit);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Starts a fresh PostgreSQL server; resolves once it accepts connections. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-pg-"));
  const data = path.join(dir, "data");
  const socketDir = path.join(dir, "socket");
  fs.mkdirSync(socketDir);
  if (process.getuid?.() === 0) {
    const { uid, gid } = userIds(RUN_AS);
    for (const p of [dir, socketDir]) fs.chownSync(p, uid, gid);
  }
  let server: ChildProcess | null = null;
  const removeFolder = () => {
    if (!process.env.KEEP_TEST_DATA) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  // The process is exiting (an uncaught error, the end of the run): stop at once. A killed process is covered by the
  // parent-death signal (see command()).
  const onProcessExit = () => {
    server?.kill("SIGQUIT");
    try {
      removeFolder();
    } catch {
      /* the server may still be writing; the folder is in the temporary directory */
    }
  };
  process.once("exit", onProcessExit);

  try {
    run(bin, "initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], dir);
    let port = 0;
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      try {
        server = await startServerProcess(bin, data, socketDir, port, dir);
        break;
      } catch (e) {
        // The port was free a moment ago; another process may have taken it.
        if (attempt < 2 && /could not bind|Address already in use/i.test(String((e as { log?: string }).log ?? ""))) continue;
        throw e;
      }
    }
    const base = `postgres://postgres@127.0.0.1:${port}`;
    return {
      url: `${base}/postgres`,
      port,
      async createDatabase(name: string) {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
        const { default: pg } = await import("pg");
        const client = new pg.Client({ connectionString: `${base}/postgres` });
        await client.connect();
        try {
          await client.query(`create database ${name} template template0 encoding 'UTF8' locale 'C'`);
        } finally {
          await client.end();
        }
        return `${base}/${name}`;
      },
      async stop() {
        const child = server;
        server = null;
        if (child && child.exitCode === null && child.signalCode === null) {
          // Fast shutdown (SIGINT): clients are disconnected, no checkpoint wait; SIGKILL if it hangs.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGINT");
          });
        }
        process.off("exit", onProcessExit);
        removeFolder();
      },
    };
  } catch (e) {
    onProcessExit();
    process.off("exit", onProcessExit);
    throw e;
  }
}
