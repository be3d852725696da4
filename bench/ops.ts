/**
 * Benchmark figures, against the built server (bench/harness.ts startBenchServer; BUILD_DIR honoured):
 *
 * `--ops-cases N` sizes both parts (default 100,000); `--ops-catch-up` runs only the first (bench/run.ts).
 *
 * 1. Catching up never stops the portal (the server runs its deadline ticks in a worker thread). A data dir is prepared as tests/integration/catch-up.test.ts does: the server
 *    starts once on an empty dir (migrates, seeds the organisation, its first tick looks at nothing), is stopped, and
 *    tests/helpers/catch-up.ts `seedCatchUp` adds 100,000 open cases that are overdue and long overdue at a clock moved
 *    30 days ahead (CLOCK_OFFSET_MS, with ALLOW_CLOCK_OFFSET=1), with the tick state cleared — ~200,000 escalations
 *    for the server's first tick (1 s after the start). The prepared dir is copied, and for each copy the server is
 *    started and GET /healthz is measured with autocannon (1 client on the first copy, `connections` clients on the
 *    second) from the moment the server answers until that tick has finished (deadline_tick_state written again,
 *    polled in the database); then, on the same server now idle, /healthz again for `duration` s (the bare row).
 *    Reported: /healthz p50/p95/p99/max during the catch-up and × idle (the bare row) p50 and p95; how long the catch-up took (server start →
 *    tick done, and first claim → tick done, polled every 100 ms); the escalations claimed and the e-mails queued
 *    (digests vs per case) against what the seed expects. E-mails stay queued (OUTBOX_INTERVAL_MS = 1 hour), as in
 *    the test.
 * 2. Backup and restore at 100,000 cases. A data dir seeded by bench/seed.ts `seedBenchDatabase(dir, 100000)`; the
 *    server is started and its first tick (which escalates the seed's overdue cases) is let finish. Then /healthz
 *    (1 client) and POST /track (1 client, a valid reference + code) are measured together, without and then during
 *    `npm run backup -- --to DIR` (until it exits) — once plain, once with `--passphrase-file`. Reported: backup wall
 *    time, the database snapshot time and size, archive sizes, the DB file size, and each route's p95 × its p95
 *    before. Then `npm run restore -- --from DIR/sujarit-<time>` into an empty DATA_DIR (each backup), timed; its
 *    checks are integrity_check, the audit chain, `stats:rebuild --check` and the files' sha256.
 *
 * Everything lives in temporary folders under os.tmpdir(), removed at the end; servers are stopped in `finally`.
 * `node --import tsx bench/run.ts --ops` runs only this (bench/run.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import SQLite from "better-sqlite3";
import { asBrowser, percentile, startBenchServer } from "./harness";
import { seedBenchDatabase, benchTrackingCode, BENCH_STAFF } from "./seed";
import { HttpClient } from "../tests/helpers/http";
import { seedCatchUp, type CatchUpSeed } from "../tests/helpers/catch-up";

const DAY = 24 * 3600 * 1000;
/** As in tests/integration/catch-up.test.ts: the server's clock 30 days ahead. */
const OFFSET_MS = 30 * DAY;
const MB = 1024 * 1024;

export interface OpsMeasure {
  name: string;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  /** 1-minute load average of the machine at the end (the server, autocannon and anything else running). */
  load: number;
}

/**
 * autocannon with every latency kept (exact percentiles and max, like harness.ts measure), either for `duration` s or
 * until `stop` resolves (open-ended: the catch-up, a backup).
 */
async function load(name: string, opts: autocannon.Options, expectStatus: number[], stop?: Promise<unknown>): Promise<OpsMeasure> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const instance = autocannon(asBrowser({ ...opts, duration: stop ? 3600 : opts.duration }));
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  if (stop) void stop.finally(() => instance.stop());
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statuses)
    .filter(([s]) => expectStatus.includes(Number(s)))
    .reduce((a, [, n]) => a + n, 0);
  return {
    name,
    reqPerSec: ok / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1]! : NaN,
    ok,
    errors: latencies.length - ok + result.errors + result.timeouts,
    statuses,
    seconds,
    load: os.loadavg()[0]!,
  };
}

/** The problems a 503 from /healthz names (a person should look: with a moved clock, the holiday table ends). */
async function healthProblems(url: string): Promise<string> {
  try {
    const r = await fetch(`${url}/healthz`);
    const body = (await r.json()) as { problems?: string[] };
    return `${r.status} ${JSON.stringify(body.problems ?? [])}`;
  } catch (e) {
    return String(e);
  }
}

/** /healthz answers 503 when something needs a person (with the clock moved, the holiday table ends): still served. */
const HEALTH_OK = [200, 503];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, SIGKILL after 10 s; resolves when the process is gone. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** A connection to the server's database for polling (reads only; opened while the server has it open). */
function openForPolling(dbFile: string) {
  const db = new SQLite(dbFile, { fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  const tickDone = db.prepare("select last_tick_at from deadline_tick_state where id = 1").pluck();
  const lastClaim = db.prepare("select coalesce(max(id), 0) from escalations").pluck();
  return {
    db,
    tickDone: () => tickDone.get() as string | undefined,
    lastClaim: () => Number(lastClaim.get() ?? 0),
  };
}

/** Resolves when the server's deadline tick has finished a pass (deadline_tick_state written). */
async function waitForTick(dbFile: string, timeoutMs: number, onClaim?: (at: number) => void, pollMs = 100): Promise<number> {
  const poll = openForPolling(dbFile);
  try {
    const deadline = Date.now() + timeoutMs;
    let claimed = false;
    for (;;) {
      if (!claimed && onClaim && poll.lastClaim() > 0) {
        claimed = true;
        onClaim(Date.now());
      }
      if (poll.tickDone()) return Date.now();
      if (Date.now() > deadline) throw new Error(`the deadline tick did not finish within ${timeoutMs / 1000} s`);
      await sleep(pollMs);
    }
  } finally {
    poll.db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Catch-up

export interface CatchUpRun {
  connections: number;
  during: OpsMeasure;
  idle: OpsMeasure;
  /** Server spawned → first tick finished, and first claim seen → tick finished (ms; polled every 100 ms). */
  startToDoneMs: number;
  claimToDoneMs: number | null;
  /** Healthy (measurement started) → tick finished. */
  measuredMs: number;
  escalations: number;
  escalationsByLevel: Record<string, number>;
  mailsByKind: Record<string, number>;
  digests: number;
  perCase: number;
  /** /healthz status and problems once idle. */
  health: string;
}

export interface CatchUpBench {
  cases: number;
  seed: CatchUpSeed;
  seedMs: number;
  dbBytes: number;
  runs: CatchUpRun[];
}

export async function measureCatchUp(opts: {
  root: string;
  cases: number;
  duration: number;
  connections: number;
  tmp: string;
}): Promise<CatchUpBench> {
  const env = {
    // Tests and benchmarks only: the clock 30 days ahead (refused in production without ALLOW_CLOCK_OFFSET=1).
    CLOCK_OFFSET_MS: String(OFFSET_MS),
    ALLOW_CLOCK_OFFSET: "1",
    // E-mails stay queued so they can be counted (and the outbox worker does not compete with the tick).
    OUTBOX_INTERVAL_MS: "3600000",
  };
  const base = path.join(opts.tmp, "catch-up-base");
  fs.mkdirSync(base, { recursive: true });
  const baseDb = path.join(base, "sujarit.db");
  console.log(`\nCatch-up: preparing ${base} (first start: migrations, organisation, an empty tick) …`);
  {
    const { child } = await startBenchServer(opts.root, base, env);
    try {
      await waitForTick(baseDb, 60_000);
    } finally {
      await stopServer(child);
    }
  }
  const t0 = Date.now();
  const seed = seedCatchUp(baseDb, { cases: opts.cases, offsetMs: OFFSET_MS });
  const seedMs = Date.now() - t0;
  const dbBytes = fs.statSync(baseDb).size;
  console.log(
    `  seeded ${opts.cases.toLocaleString("en")} open cases in ${(seedMs / 1000).toFixed(1)} s (database ${(dbBytes / MB).toFixed(0)} MB); ${seed.expectedEscalations.toLocaleString("en")} escalations expected`,
  );

  const runs: CatchUpRun[] = [];
  for (const connections of [...new Set([1, opts.connections])]) {
    const dir = path.join(opts.tmp, `catch-up-${connections}`);
    fs.cpSync(base, dir, { recursive: true });
    const dbFile = path.join(dir, "sujarit.db");
    console.log(`  catch-up with /healthz measured by ${connections} client${connections > 1 ? "s" : ""} (${dir}) …`);
    const spawned = Date.now();
    const { url, child } = await startBenchServer(opts.root, dir, env);
    try {
      const healthy = Date.now();
      let firstClaim: number | null = null;
      const done = waitForTick(dbFile, 30 * 60_000, (at) => (firstClaim = at));
      const during = await load(
        `/healthz during the catch-up, ${connections} client${connections > 1 ? "s" : ""}`,
        { url, connections, requests: [{ method: "GET", path: "/healthz" }] },
        HEALTH_OK,
        done,
      );
      const doneAt = await done;
      if (firstClaim === null) firstClaim = doneAt; // finished before the first poll saw a claim
      const health = await healthProblems(url);
      const idle = await load(
        `/healthz idle (bare), ${connections} client${connections > 1 ? "s" : ""}`,
        { url, connections, duration: opts.duration, requests: [{ method: "GET", path: "/healthz" }] },
        HEALTH_OK,
      );
      const db = new SQLite(dbFile, { fileMustExist: true });
      let escalations = 0;
      const escalationsByLevel: Record<string, number> = {};
      const mailsByKind: Record<string, number> = {};
      try {
        db.pragma("busy_timeout = 5000");
        for (const r of db.prepare("select level, count(*) as n from escalations group by level").all() as { level: string; n: number }[]) {
          escalationsByLevel[r.level] = r.n;
          escalations += r.n;
        }
        for (const r of db
          .prepare("select kind, count(*) as n from outbox where kind like 'escalation.%' group by kind order by kind")
          .all() as { kind: string; n: number }[]) {
          mailsByKind[r.kind] = r.n;
        }
      } finally {
        db.close();
      }
      const digests = Object.entries(mailsByKind)
        .filter(([k]) => k.endsWith(".digest"))
        .reduce((a, [, n]) => a + n, 0);
      const perCase = Object.entries(mailsByKind)
        .filter(([k]) => !k.endsWith(".digest"))
        .reduce((a, [, n]) => a + n, 0);
      runs.push({
        connections,
        during,
        idle,
        startToDoneMs: doneAt - spawned,
        claimToDoneMs: doneAt - firstClaim,
        measuredMs: doneAt - healthy,
        escalations,
        escalationsByLevel,
        mailsByKind,
        digests,
        perCase,
        health,
      });
    } finally {
      await stopServer(child);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  fs.rmSync(base, { recursive: true, force: true });
  return { cases: opts.cases, seed, seedMs, dbBytes, runs };
}

export function printCatchUp(b: CatchUpBench) {
  const s = (ms: number | null) => (ms === null ? "n/a" : (ms / 1000).toFixed(1));
  console.log(
    `\nCatch-up — ${b.cases.toLocaleString("en")} open cases overdue and long overdue at a clock moved 30 days ahead ` +
      `(${b.seed.expectedEscalations.toLocaleString("en")} escalations expected), database ${(b.dbBytes / MB).toFixed(0)} MB, ${new Date().toISOString()}`,
  );
  console.table(
    b.runs.flatMap((r) =>
      [r.during, r.idle].map((m) => ({
        route: m.name,
        "measured s": m.seconds.toFixed(1),
        "req/s": m.reqPerSec.toFixed(1),
        "p50 ms": m.p50.toFixed(1),
        "p95 ms": m.p95.toFixed(1),
        "p99 ms": m.p99.toFixed(1),
        "max ms": m.max.toFixed(1),
        "× idle p50": (m.p50 / r.idle.p50).toFixed(2),
        "× idle p95": (m.p95 / r.idle.p95).toFixed(2),
        ok: m.ok,
        "other/errors": m.errors,
        "load 1m": m.load.toFixed(1),
      })),
    ),
  );
  for (const r of b.runs) for (const m of [r.during, r.idle]) console.log(`  ${m.name}: statuses ${JSON.stringify(m.statuses)}`);
  for (const r of b.runs) console.log(`  /healthz once idle (${r.connections}-client run): ${r.health}`);
  console.table(
    b.runs.map((r) => ({
      "measured with": `${r.connections} client${r.connections > 1 ? "s" : ""}`,
      "start → tick done s": s(r.startToDoneMs),
      "first claim → done s": s(r.claimToDoneMs),
      [`escalations (expected ${b.seed.expectedEscalations})`]: r.escalations,
      "overdue / executive / due soon": `${r.escalationsByLevel.overdue ?? 0} / ${r.escalationsByLevel.overdue_executive ?? 0} / ${r.escalationsByLevel.due_soon ?? 0}`,
      [`digests (expected ${b.seed.expectedDigests})`]: r.digests,
      [`per-case e-mails (expected ${b.seed.expectedPerCase})`]: r.perCase,
    })),
  );
  for (const r of b.runs)
    console.log(`  e-mails queued (${r.connections} client${r.connections > 1 ? "s" : ""}): ${JSON.stringify(r.mailsByKind)}`);
  console.log(`  seed: ${(b.seedMs / 1000).toFixed(1)} s for ${b.cases.toLocaleString("en")} cases`);
  console.log(
    `\nTarget: /healthz p95 < 50 ms while 100,000 cases escalate at once (this run: ${b.cases.toLocaleString("en")} cases; ` +
      `the ticks run in the server's deadline worker thread)`,
  );
  for (const r of b.runs)
    console.log(
      `  ${r.during.name}: p50 ${r.during.p50.toFixed(1)} ms, p95 ${r.during.p95.toFixed(1)} ms, max ${r.during.max.toFixed(1)} ms ` +
        `vs idle (bare) p50 ${r.idle.p50.toFixed(1)} ms, p95 ${r.idle.p95.toFixed(1)} ms: p95 × ${(r.during.p95 / r.idle.p95).toFixed(2)} ` +
        `(${r.during.p95 < 50 ? "met" : "NOT met"}; load 1m ${r.during.load.toFixed(1)})`,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Backup and restore

interface CliRun {
  code: number | null;
  ms: number;
  output: string;
}

/** `npm run <script> -- <args>` from the project root with the portal's environment (DATA_DIR, NODE_ENV=production). */
function npmRun(root: string, script: string, args: string[], env: Record<string, string>): { done: Promise<CliRun>; child: ChildProcess } {
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["DATABASE_URL", "DATA_DIR", "MASTER_KEY", "CLOCK_OFFSET_MS", "ALLOW_CLOCK_OFFSET", "BUILD_DIR"]) delete inherited[k];
  const started = Date.now();
  const child = spawn("npm", ["run", script, "--", ...args], {
    cwd: root,
    env: { ...inherited, NODE_ENV: "production", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, ms: Date.now() - started, output }));
  });
  return { done, child };
}

export interface BackupRun {
  variant: string;
  wallMs: number;
  /** From the script's own output: the snapshot time and the whole run ("done in"). */
  snapshot: string;
  scriptTotal: string;
  folder: string;
  authenticated: boolean;
  dataBytes: number;
  keysBytes: number;
  snapshotBytes: number;
  healthz: OpsMeasure;
  track: OpsMeasure;
  output: string;
}

export interface RestoreRun {
  variant: string;
  wallMs: number;
  ok: boolean;
  output: string;
}

export interface BackupBench {
  cases: number;
  seedMs: number;
  dbFileBytes: number;
  walBytes: number;
  /** A staff sign-in happened (audit entries; the master key created on first use, as on a real installation). */
  signIn: string;
  masterKey: boolean;
  health: string;
  bare: OpsMeasure;
  before: { healthz: OpsMeasure; track: OpsMeasure };
  backups: BackupRun[];
  restores: RestoreRun[];
}

export async function measureBackupRestore(opts: { root: string; cases: number; duration: number; tmp: string }): Promise<BackupBench> {
  const dataDir = path.join(opts.tmp, "backup-data");
  const backupsDir = path.join(opts.tmp, "backups");
  console.log(`\nBackup and restore: seeding ${opts.cases.toLocaleString("en")} cases in ${dataDir} …`);
  const t0 = Date.now();
  const { references } = await seedBenchDatabase(dataDir, opts.cases, (s) => console.log(s));
  const seedMs = Date.now() - t0;
  const dbFile = path.join(dataDir, "sujarit.db");
  const passFile = path.join(opts.tmp, "passphrase.txt");
  fs.writeFileSync(passFile, "bench passphrase, not a secret\n", { mode: 0o600 });

  const { url, child } = await startBenchServer(opts.root, dataDir);
  const backups: BackupRun[] = [];
  let bare: OpsMeasure;
  let before: BackupBench["before"];
  let dbFileBytes = 0;
  let walBytes = 0;
  let signIn = "none";
  let masterKey = false;
  let health = "";
  try {
    // The first tick escalates the seed's overdue cases: let it finish so it does not weigh on "before" or "during".
    const t1 = Date.now();
    await waitForTick(dbFile, 10 * 60_000);
    console.log(`  server's first deadline tick done ${((Date.now() - t1) / 1000).toFixed(1)} s after it answered`);
    // As on a real installation, staff have signed in (audit entries: the audit chain is part of the restore check,
    // and the master key, created on first use, authenticates the backup's manifest).
    const staff = new HttpClient(url);
    const login = await staff.login(BENCH_STAFF.email, BENCH_STAFF.password);
    signIn = `supervisor sign-in: HTTP ${login.status}`;
    masterKey = fs.existsSync(path.join(dataDir, "keys", "master.key"));
    await sleep(3000);
    health = await healthProblems(url);

    const home = await fetch(`${url}/`);
    const csrf = /csrf=([A-Za-z0-9_-]{43})/.exec(home.headers.get("set-cookie") ?? "")?.[1];
    if (!csrf) throw new Error("no CSRF cookie from /");
    const cookie = `csrf=${csrf}`;
    let clientNo = 0;
    let lookupNo = 0;
    const fakeClient = () => `10.${(clientNo >> 16) & 255}.${(clientNo >> 8) & 255}.${clientNo++ & 255}`;
    const healthz = (name: string, stop?: Promise<unknown>) =>
      load(name, { url, connections: 1, duration: opts.duration, requests: [{ method: "GET", path: "/healthz" }] }, HEALTH_OK, stop);
    const track = (name: string, stop?: Promise<unknown>) =>
      load(
        name,
        {
          url,
          connections: 1,
          duration: opts.duration,
          requests: [
            {
              method: "POST",
              path: "/track",
              setupRequest: (req: any) => {
                const i = 1 + ((lookupNo++ * 7919) % references.length);
                return {
                  ...req,
                  headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, "X-Forwarded-For": fakeClient() },
                  body: new URLSearchParams({ csrf, reference: references[i - 1]!, code: benchTrackingCode(i) }).toString(),
                };
              },
            },
          ],
        },
        [200],
        stop,
      );

    await load("warm-up", { url, connections: 1, duration: 2, requests: [{ method: "GET", path: "/healthz" }] }, HEALTH_OK);
    bare = await healthz("/healthz alone (bare), 1 client");
    const [h0, tr0] = await Promise.all([
      healthz("/healthz before the backup, 1 client (+ /track)"),
      track("POST /track before the backup, 1 client (+ /healthz)"),
    ]);
    before = { healthz: h0, track: tr0 };

    for (const variant of ["plain", "passphrase"] as const) {
      dbFileBytes = fs.statSync(dbFile).size;
      walBytes = fs.existsSync(`${dbFile}-wal`) ? fs.statSync(`${dbFile}-wal`).size : 0;
      const to = path.join(backupsDir, variant);
      const args = ["--to", to, ...(variant === "passphrase" ? ["--passphrase-file", passFile] : [])];
      console.log(`  npm run backup -- ${args.join(" ")}`);
      const run = npmRun(opts.root, "backup", args, { DATA_DIR: dataDir });
      let cli: CliRun;
      let h: OpsMeasure;
      let tr: OpsMeasure;
      try {
        [h, tr, cli] = await Promise.all([
          healthz(`/healthz during the backup (${variant}), 1 client (+ /track)`, run.done),
          track(`POST /track during the backup (${variant}), 1 client (+ /healthz)`, run.done),
          run.done,
        ]);
      } catch (e) {
        run.child.kill("SIGTERM");
        throw e;
      }
      if (cli.code !== 0) throw new Error(`npm run backup exited with ${cli.code}:\n${cli.output}`);
      const folder = fs.readdirSync(to).find((f) => /^sujarit-\d{8}T\d{6}Z$/.test(f));
      if (!folder) throw new Error(`no backup folder in ${to}:\n${cli.output}`);
      const summary = JSON.parse(fs.readFileSync(path.join(to, folder, "backup.json"), "utf8")) as {
        data: { bytes: number };
        keys: { bytes: number };
        database: { bytes: number };
        manifestAuthenticated: boolean;
      };
      backups.push({
        variant,
        wallMs: cli.ms,
        snapshot: /snapshot made .* in ([\d.]+ ?\w+)/.exec(cli.output)?.[1] ?? "?",
        scriptTotal: /done in ([\d.]+ ?\w+)/.exec(cli.output)?.[1] ?? "?",
        folder: path.join(to, folder),
        authenticated: summary.manifestAuthenticated,
        dataBytes: summary.data.bytes,
        keysBytes: summary.keys.bytes,
        snapshotBytes: summary.database.bytes,
        healthz: h,
        track: tr,
        output: cli.output.trim(),
      });
    }
  } finally {
    await stopServer(child);
  }

  const restores: RestoreRun[] = [];
  for (const b of backups) {
    const target = path.join(opts.tmp, `restored-${b.variant}`);
    fs.mkdirSync(target, { recursive: true });
    const args = ["--from", b.folder, ...(b.variant === "passphrase" ? ["--passphrase-file", passFile] : [])];
    console.log(`  npm run restore -- ${args.join(" ")} (DATA_DIR=${target})`);
    const cli = await npmRun(opts.root, "restore", args, { DATA_DIR: target }).done;
    restores.push({
      variant: b.variant,
      wallMs: cli.ms,
      ok: cli.code === 0 && /restored into/.test(cli.output),
      output: cli.output.trim(),
    });
    fs.rmSync(target, { recursive: true, force: true });
  }
  return { cases: opts.cases, seedMs, dbFileBytes, walBytes, signIn, masterKey, health, bare: bare!, before: before!, backups, restores };
}

export function printBackupRestore(b: BackupBench) {
  const mb = (n: number) => (n / MB).toFixed(1);
  console.log(`\nBackup and restore — ${b.cases.toLocaleString("en")} cases (bench/seed.ts), ${new Date().toISOString()}`);
  console.log(
    `  seed ${(b.seedMs / 1000).toFixed(1)} s; ${b.signIn}; keys/master.key ${b.masterKey ? "present" : "ABSENT"}; /healthz before: ${b.health}`,
  );
  for (const r of b.backups) console.log(`\n$ npm run backup (${r.variant})\n${r.output}`);
  for (const r of b.restores) console.log(`\n$ npm run restore (${r.variant})\n${r.output}`);
  const row = (m: OpsMeasure, ref: OpsMeasure) => ({
    route: m.name,
    "measured s": m.seconds.toFixed(1),
    "req/s": m.reqPerSec.toFixed(1),
    "p50 ms": m.p50.toFixed(1),
    "p95 ms": m.p95.toFixed(1),
    "p99 ms": m.p99.toFixed(1),
    "max ms": m.max.toFixed(1),
    "× bare p95": (m.p95 / b.bare.p95).toFixed(2),
    "× before p95": (m.p95 / ref.p95).toFixed(2),
    ok: m.ok,
    "other/errors": m.errors,
    "load 1m": m.load.toFixed(1),
  });
  console.log("");
  console.table([
    row(b.bare, b.before.healthz),
    row(b.before.healthz, b.before.healthz),
    row(b.before.track, b.before.track),
    ...b.backups.flatMap((r) => [row(r.healthz, b.before.healthz), row(r.track, b.before.track)]),
  ]);
  for (const m of [b.bare, b.before.healthz, b.before.track, ...b.backups.flatMap((r) => [r.healthz, r.track])]) {
    if (m.errors > 0) console.log(`  ${m.name}: statuses ${JSON.stringify(m.statuses)}`);
  }
  console.table(
    b.backups.map((r) => ({
      backup: r.variant,
      "wall s (npm run)": (r.wallMs / 1000).toFixed(1),
      "script total": r.scriptTotal,
      "DB snapshot": r.snapshot,
      "DB file MB": `${mb(b.dbFileBytes)}${b.walBytes ? ` + WAL ${mb(b.walBytes)}` : ""}`,
      "snapshot MB": mb(r.snapshotBytes),
      "data archive MB": mb(r.dataBytes),
      "keys archive KB": (r.keysBytes / 1024).toFixed(1),
      "manifest authenticated": r.authenticated ? "yes" : "NO",
    })),
  );
  console.table(
    b.restores.map((r) => ({ restore: r.variant, "wall s (npm run)": (r.wallMs / 1000).toFixed(1), result: r.ok ? "restored" : "FAILED" })),
  );
}

/**
 * Both parts, in their own temporary folder (removed at the end). `cases` (default 100,000) sizes both; `catchUpOnly`
 * leaves out the backup and restore (a quick check of the catch-up row).
 */
export async function measureOps(opts: { root: string; duration: number; connections: number; cases?: number; catchUpOnly?: boolean }) {
  const cases = opts.cases ?? 100_000;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-bench-ops-"));
  try {
    const catchUp = await measureCatchUp({ root: opts.root, cases, duration: opts.duration, connections: opts.connections, tmp });
    printCatchUp(catchUp);
    if (opts.catchUpOnly) return { catchUp, backup: null };
    const backup = await measureBackupRestore({ root: opts.root, cases, duration: opts.duration, tmp });
    printBackupRestore(backup);
    return { catchUp, backup };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
