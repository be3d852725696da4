/** Shared benchmark plumbing: ports, starting the built server the way `npm run serve` does, measuring a route. */
import crypto from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on("error", reject);
  });
}

/**
 * One request with a Host header of our choosing (fetch always sends the URL's): an installation with several
 * organisations (ORG_ROUTING=host) answers each host name for its organisation.
 */
export function requestWithHost(
  url: string,
  req: { host: string; method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(req.path, url);
    const r = http.request(
      {
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: req.method ?? "GET",
        headers: {
          ...req.headers,
          Host: req.host,
          ...(req.body !== undefined ? { "Content-Length": String(Buffer.byteLength(req.body)) } : {}),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}

/**
 * Waits for /healthz (asked for `opts.host` when given: an installation with several organisations answers only their
 * host names), at most `opts.timeoutMs` (60 s by default).
 */
export async function waitHealthy(url: string, child: ChildProcess, opts: { host?: string; timeoutMs?: number } = {}) {
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error("server exited during start-up");
    try {
      const r = opts.host
        ? await requestWithHost(url, { host: opts.host, path: "/healthz" })
        : await fetch(`${url}/healthz`).then(async (x) => ({ status: x.status, text: await x.text() }));
      // 503 with the database answering: up, with something for a person to look at (an old bench e-mail, the holidays).
      if (
        (r.status >= 200 && r.status < 300) ||
        (r.status === 503 && (JSON.parse(r.text) as { checks?: { database?: { ok?: boolean } } }).checks?.database?.ok)
      )
        return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("server did not become healthy");
}

export function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(/(\d+)/.exec(status.split("\n").find((l) => l.startsWith(k)) ?? "0")?.[1] ?? 0);
  return { rssMb: kb("VmRSS:") / 1024, peakMb: kb("VmHWM:") / 1024 };
}

export interface Measure {
  name: string;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * What a browser says it accepts (Chromium's header). Every load the bench generates carries it, so pages are
 * compressed as a browser receives them (brotli, scripts/serve.ts); a request's own Accept-Encoding wins.
 */
export const BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd";

/** autocannon's options with a browser's Accept-Encoding on every request. */
export function asBrowser(opts: autocannon.Options): autocannon.Options {
  return { ...opts, headers: { "Accept-Encoding": BROWSER_ACCEPT_ENCODING, ...opts.headers } };
}

/**
 * Runs autocannon and keeps every latency (the percentiles are exact, not autocannon's histogram buckets), as a
 * browser asks (asBrowser).
 */
export async function measure(
  name: string,
  opts: autocannon.Options,
  expectStatus: number[],
  defaults: { connections: number; duration: number },
): Promise<Measure> {
  return (await measureWithLatencies(name, opts, expectStatus, defaults)).measure;
}

/** measure(), also handing back every latency (sorted), to merge the shares of several servers (bench/postgres.ts). */
export async function measureWithLatencies(
  name: string,
  opts: autocannon.Options,
  expectStatus: number[],
  defaults: { connections: number; duration: number },
): Promise<{ measure: Measure; latencies: number[] }> {
  const CONNECTIONS = defaults.connections;
  const DURATION = defaults.duration;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon(asBrowser({ ...opts, connections: opts.connections ?? CONNECTIONS, duration: opts.duration ?? DURATION }));
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statuses)
    .filter(([s]) => expectStatus.includes(Number(s)))
    .reduce((a, [, n]) => a + n, 0);
  const total = latencies.length;
  return {
    measure: {
      name,
      reqPerSec: ok / (result.duration || DURATION),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      ok,
      errors: total - ok + result.errors + result.timeouts,
      statuses,
    },
    latencies,
  };
}

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Starts build/server.js with the same Node flags as `npm run serve`, on a free port, against `dataDir`. `health`: the
 * host name /healthz is asked for (several organisations) and how long the start may take.
 * BUILD_DIR (environment, as for the server itself) runs the build in that folder instead of ./build — for this project
 * only, never for an older checkout passed as `root` (bench/report-keys.ts --before-ref).
 */
export async function startBenchServer(
  root: string,
  dataDir: string,
  extraEnv: Record<string, string> = {},
  health: { host?: string; timeoutMs?: number } = {},
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load; BENCH_SERVER_STDOUT=1
  // shows its standard output (with BENCH_SERVER_NODE_ARGS=--trace-gc, its collections).
  const extraArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const buildDir = path.resolve(root) === PROJECT_ROOT && process.env.BUILD_DIR ? path.resolve(process.env.BUILD_DIR) : undefined;
  const serveArgs = pkg.scripts.serve
    .split(/\s+/)
    .slice(1) // drop "node"
    .map((a) => (buildDir && a === "build/server.js" ? path.join(buildDir, "build", "server.js") : a));
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  if (buildDir) inherited.BUILD_DIR = buildDir;
  else delete inherited.BUILD_DIR;
  const child = spawn(process.execPath, [...extraArgs, ...serveArgs], {
    cwd: root,
    env: {
      ...inherited,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      PUBLIC_URL: url,
      LOG_LEVEL: "warn",
      // The benchmark plays many citizens behind one reverse proxy (itself, on 127.0.0.1): each request carries its own
      // client address in X-Forwarded-For.
      TRUSTED_PROXIES: "127.0.0.1",
      ...extraEnv,
    },
    stdio: ["ignore", process.env.BENCH_SERVER_STDOUT ? "inherit" : "ignore", "inherit"],
  });
  try {
    await waitHealthy(url, child, health);
  } catch (e) {
    child.kill("SIGTERM");
    throw e;
  }
  return { url, child };
}

/** A multipart/form-data body of text fields. */
export function multipart(fields: Record<string, string>, boundary: string): string {
  return (
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join("") + `--${boundary}--\r\n`
  );
}

/** The body of one complaint submission (POST /complaints/new): the same complaint each time, with a new submission key. */
export function complaintSubmission(csrf: string, category: string, boundary: string): string {
  return multipart(
    {
      csrf,
      submissionKey: crypto.randomBytes(32).toString("base64url"),
      website: "",
      category,
      subject: "ไฟฟ้าดับหน้าบ้าน",
      details: "ไฟฟ้าสาธารณะดับมาสามคืนแล้ว บริเวณหน้าโรงเรียน",
      village: "1",
      landmark: "หน้าโรงเรียน",
      latitude: "",
      longitude: "",
      contactName: "",
      contactPhone: "",
      contactEmail: "",
      contactAddress: "",
      preferredContact: "none",
    },
    boundary,
  );
}
