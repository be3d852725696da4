/**
 * Receipt guessing must be expensive for a guesser (argon2id, ~50–150 ms per receipt) without stalling the portal for
 * everyone else. This measures, against one running server and in the same run:
 *   1. home page (GET /) latency with no other load;
 *   2. home page latency while HAMMER clients (default 20) post wrong receipts to /report/inbox as fast as they are
 *      answered, each request from its own X-Forwarded-For address (the server must run with TRUSTED_PROXIES=127.0.0.1, so
 *      the per-client throttle does not stop them: only the global throttle and the argon2 semaphore do);
 * and prints both p95 figures and their ratio (target: at most 2×).
 *
 * Used by bench/run.ts (after its other measurements; `npm run bench -- --receipt-load` runs only this one), or on
 * its own against a fresh installation:
 *   BUILD_DIR=/tmp/build-x node --import tsx bench/receipt-load.ts [--duration 10] [--clients 20]
 * (starts build/server.js of BUILD_DIR, or of the project, with a temporary DATA_DIR).
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { asBrowser } from "./harness";

export interface LatencyFigures {
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
}

export interface ReceiptLoadResult {
  idle: LatencyFigures;
  loaded: LatencyFigures;
  /** loaded.p95 / idle.p95 */
  ratio: number;
  hammer: LatencyFigures & { clients: number; reqPerSec: number };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function run(opts: autocannon.Options): { instance: autocannon.Instance; figures: () => LatencyFigures } {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon(asBrowser(opts));
  instance.on("response", (_c: unknown, statusCode: number, _b: number, responseTime: number) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  return {
    instance,
    figures: () => {
      const s = [...latencies].sort((a, b) => a - b);
      return { requests: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), statuses: { ...statuses } };
    },
  };
}

/** A wrong receipt (random 16 digits; the chance of hitting a real one is negligible). */
function randomReceipt(): string {
  return Array.from(crypto.randomBytes(16), (b) => String(b % 10)).join("");
}

export async function measureReceiptLoad(
  url: string,
  opts: { durationSec?: number; hammerClients?: number; homeConnections?: number; log?: (s: string) => void } = {},
): Promise<ReceiptLoadResult> {
  const duration = opts.durationSec ?? 10;
  const clients = opts.hammerClients ?? 20;
  const homeConnections = opts.homeConnections ?? 1;
  const log = opts.log ?? console.log;

  // A visitor's CSRF cookie + token (the inbox form needs them, like a browser would send).
  const home = await fetch(`${url}/`);
  const csrf = /csrf=([A-Za-z0-9_-]{43})/.exec(home.headers.get("set-cookie") ?? "")?.[1];
  if (!csrf) throw new Error("no CSRF cookie from /");
  const cookie = `csrf=${csrf}`;
  const probe = (d: number) => run({ url, connections: homeConnections, duration: d, requests: [{ method: "GET", path: "/" }] });

  // Warm-up, then the home page alone.
  await probe(2).instance;
  log(`receipt load: home page alone, ${homeConnections} client(s), ${duration} s …`);
  const idleRun = probe(duration);
  await idleRun.instance;
  const idle = idleRun.figures();

  // The hammer: HAMMER clients posting wrong receipts, each request from a new address.
  let seq = 0;
  const address = () => {
    const n = seq++;
    return `100.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`;
  };
  log(`receipt load: home page while ${clients} clients post wrong receipts to /report/inbox, ${duration} s …`);
  const hammerRun = run({
    url,
    connections: clients,
    duration: duration + 4,
    requests: [
      {
        method: "POST",
        path: "/report/inbox",
        setupRequest: (req: any) => ({
          ...req,
          headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, "X-Forwarded-For": address() },
          body: new URLSearchParams({ csrf, intent: "open", receipt: randomReceipt() }).toString(),
        }),
      },
    ],
  });
  const hammerStarted = Date.now();
  // Let the hammer reach its steady state (argon2 busy, throttle counters growing) before probing.
  await new Promise((r) => setTimeout(r, 2000));
  const loadedRun = probe(duration);
  await loadedRun.instance;
  const loaded = loadedRun.figures();
  (hammerRun.instance as unknown as { stop(): void }).stop();
  await hammerRun.instance;
  const hammerFigures = hammerRun.figures();
  const hammerSeconds = (Date.now() - hammerStarted) / 1000;

  return {
    idle,
    loaded,
    ratio: loaded.p95 / idle.p95,
    hammer: { ...hammerFigures, clients, reqPerSec: hammerFigures.requests / hammerSeconds },
  };
}

/** Prints the figures (used by bench/run.ts and the stand-alone mode). */
export function printReceiptLoad(r: ReceiptLoadResult): void {
  const row = (name: string, f: LatencyFigures) => ({
    measure: name,
    requests: f.requests,
    "p50 ms": f.p50.toFixed(1),
    "p95 ms": f.p95.toFixed(1),
    "p99 ms": f.p99.toFixed(1),
    statuses: JSON.stringify(f.statuses),
  });
  console.log(`\nReceipt guessing vs. the home page — ${new Date().toISOString()}`);
  console.table([
    row("home page (GET /), no other load", r.idle),
    row(`home page (GET /), ${r.hammer.clients} clients guessing receipts`, r.loaded),
    row(`wrong receipts (POST /report/inbox), ${r.hammer.clients} clients`, r.hammer),
  ]);
  console.log(
    `  wrong-receipt answers per second during the run: ${r.hammer.reqPerSec.toFixed(1)} (404 = checked and wrong, 429 = refused by the throttle)`,
  );
  console.log(
    `  home page p95: ${r.idle.p95.toFixed(1)} ms alone, ${r.loaded.p95.toFixed(1)} ms under receipt guessing → ${r.ratio.toFixed(2)}× (target ≤ 2×: ${r.ratio <= 2 ? "met" : "NOT met"})`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Stand-alone mode.

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on("error", reject);
  });
}

async function waitHealthy(url: string, child: ChildProcess) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error("server exited during start-up");
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok || (r.status === 503 && ((await r.json()) as { checks?: { database?: { ok?: boolean } } }).checks?.database?.ok)) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("server did not become healthy");
}

async function standalone() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const buildRoot = process.env.BUILD_DIR ? path.resolve(process.env.BUILD_DIR) : root;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-receipt-bench-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const nodeFlags = pkg.scripts.serve
    .split(/\s+/)
    .slice(1)
    .filter((a) => a.startsWith("--"));
  const child = spawn(process.execPath, [...nodeFlags, path.join(buildRoot, "build", "server.js")], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      PUBLIC_URL: url,
      LOG_LEVEL: "warn",
      TRUSTED_PROXIES: "127.0.0.1",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitHealthy(url, child);
    printReceiptLoad(await measureReceiptLoad(url, { durationSec: arg("duration", 10), hammerClients: arg("clients", 20) }));
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void standalone().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
