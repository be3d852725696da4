/**
 * a flood never makes the real user more than 2× slower. `npm run bench -- --abuse [--duration 10]`
 * (or, without building into ./build: `BUILD_DIR=/tmp/build-x node --import tsx bench/run.ts --abuse`).
 *
 * One run against the built server, on a fresh data folder, with TRUSTED_PROXIES=127.0.0.2:
 * - the real client connects FROM 127.0.0.2 (its sockets are bound there with `localAddress`), i.e. through the
 *   trusted proxy, and says who it is in X-Forwarded-For (public documentation addresses, a new one per request, as
 *   many reporters and citizens behind one proxy would);
 * - 30 attacker connections come from 127.0.0.1 — not a trusted proxy — with a new X-Forwarded-For on every request
 *   (which the server must ignore): 10 guess receipts on /report/inbox, 10 try wrong tracking codes on /track, 10 post
 *   junk to /report/new (a bad CSRF token or the honeypot filled);
 * - one client at a time (the latency a person sees), p50/p95 of: the bare route (POST /language), filing a report
 *   (POST /report/new, multipart), a correct inbox login (POST /report/inbox with a real receipt) and a correct /track
 *   lookup — first alone, then while the flood runs (after 2 s of flood, to its steady state).
 * Prints one table with the flood/alone ratio of p95 for each (target ≤ 2×) and what the attackers got.
 * A recipient is needed to file: an integrity officer created with the staff CLI signs in once (their key pair).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { asBrowser, multipart, percentile, rssOf, startBenchServer } from "./harness";
import { HttpClient, fileComplaint } from "../tests/helpers/http";
import { createAnyStaff, fileReport, integrityLogin, reportFields, totpAccount } from "../tests/helpers/report";

/** The trusted proxy the real client connects from. */
const PROXY_ADDRESS = "127.0.0.2";
const OFFICER = {
  email: "bench-abuse-integrity@wangluek.go.th",
  name: "ผู้รับเรื่อง ทดสอบการโจมตี",
  password: "bench abuse integrity password 2569",
};

export interface Probe {
  name: string;
  n: number;
  p50: number;
  p95: number;
  statuses: Record<string, number>;
}

export interface AbuseResult {
  alone: Probe[];
  flood: Probe[];
  attackers: { name: string; requests: number; perSec: number; statuses: Record<string, number> }[];
  attackerConnections: number;
  durationSec: number;
  rss: { rssMb: number; peakMb: number };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The real client: keep-alive sockets bound to the proxy's address. */
function realClient(url: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: PROXY_ADDRESS } as http.AgentOptions);
  const base = new URL(url);
  let n = 0;
  // A new public (documentation) address per request: 198.51.100.0/24 and 203.0.113.0/24.
  const nextAddress = () => {
    const i = n++ % 508;
    return i < 254 ? `198.51.100.${i + 1}` : `203.0.113.${i - 253}`;
  };
  const request = (method: string, p: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          method,
          path: p,
          agent,
          localAddress: PROXY_ADDRESS,
          headers: {
            "X-Forwarded-For": nextAddress(),
            ...(body !== undefined ? { "Content-Length": String(Buffer.byteLength(body)) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  return { request, close: () => agent.destroy() };
}

function randomReceipt(): string {
  return Array.from(crypto.randomBytes(16), (b) => String(b % 10)).join("");
}

/** One client, one request at a time, for `durationSec`: every latency kept (exact percentiles). */
async function probe(name: string, durationSec: number, once: () => Promise<Answer>, ok: number[]): Promise<Probe> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const until = Date.now() + durationSec * 1000;
  while (Date.now() < until) {
    const t0 = performance.now();
    const r = await once();
    const ms = performance.now() - t0;
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (ok.includes(r.status)) latencies.push(ms);
  }
  latencies.sort((a, b) => a - b);
  return { name, n: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), statuses };
}

export async function measureAbuse(opts: {
  root: string;
  durationSec: number;
  attackers?: number;
  log?: (s: string) => void;
}): Promise<AbuseResult> {
  const log = opts.log ?? console.log;
  const duration = opts.durationSec;
  const perKind = Math.max(1, Math.round((opts.attackers ?? 30) / 3));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-bench-abuse-"));
  const { url, child } = await startBenchServer(opts.root, dataDir, { TRUSTED_PROXIES: PROXY_ADDRESS });
  const real = realClient(url);
  const attacks: { instance: autocannon.Instance; name: string; statuses: Record<string, number>; count: () => number }[] = [];
  try {
    // Set-up (from 127.0.0.1, before any attack): a recipient, reports to open inboxes with, a complaint to track.
    log("abuse: setting up (integrity officer, 8 reports, 1 complaint) …");
    await createAnyStaff({ env: { DATA_DIR: dataDir, PUBLIC_URL: url } }, { ...OFFICER, role: "integrity" });
    await integrityLogin(new HttpClient(url), totpAccount(OFFICER.email, OFFICER.password));
    const receipts: string[] = [];
    for (let i = 0; i < 8; i++) receipts.push((await fileReport(new HttpClient(url))).receipt);
    const complaint = await fileComplaint(new HttpClient(url));

    // The real client's CSRF cookie (as a browser behind the proxy would have it).
    const first = await real.request("GET", "/report/new");
    const csrf = /csrf=([A-Za-z0-9_-]{43})/.exec(String(first.headers["set-cookie"] ?? ""))?.[1];
    if (!csrf) throw new Error("no CSRF cookie from /report/new");
    const cookie = `csrf=${csrf}`;
    const form = "application/x-www-form-urlencoded";
    const boundary = "----sujaritabuse" + crypto.randomBytes(6).toString("hex");
    let r = 0;
    const probes = async (label: string): Promise<Probe[]> => {
      log(`abuse: probes ${label}, one client, ${duration} s each …`);
      return [
        await probe(
          "bare form action (POST /language)",
          duration,
          () =>
            real.request(
              "POST",
              "/language",
              { "Content-Type": form, Cookie: cookie },
              new URLSearchParams({ csrf, lng: "th", redirectTo: "/" }).toString(),
            ),
          [302],
        ),
        await probe(
          "filing a report (POST /report/new)",
          duration,
          () =>
            real.request(
              "POST",
              "/report/new",
              { "Content-Type": `multipart/form-data; boundary=${boundary}`, Cookie: cookie },
              multipart({ csrf, submissionKey: crypto.randomBytes(32).toString("base64url"), ...reportFields() }, boundary),
            ),
          [302],
        ),
        await probe(
          "correct inbox login (POST /report/inbox)",
          duration,
          () =>
            real.request(
              "POST",
              "/report/inbox",
              { "Content-Type": form, Cookie: cookie },
              new URLSearchParams({ csrf, intent: "open", receipt: receipts[r++ % receipts.length] }).toString(),
            ),
          [302],
        ),
        await probe(
          "correct tracking lookup (POST /track)",
          duration,
          () =>
            real.request(
              "POST",
              "/track",
              { "Content-Type": form, Cookie: cookie },
              new URLSearchParams({ csrf, reference: complaint.reference, code: complaint.trackingCode }).toString(),
            ),
          [200],
        ),
      ];
    };

    await probe("warm-up", 2, () => real.request("GET", "/report"), [200]);
    const alone = await probes("alone");

    // The flood: from 127.0.0.1 (not trusted), a new X-Forwarded-For on every request.
    const home = await fetch(`${url}/`);
    const attackerCsrf = /csrf=([A-Za-z0-9_-]{43})/.exec(home.headers.get("set-cookie") ?? "")?.[1];
    if (!attackerCsrf) throw new Error("no CSRF cookie from /");
    let x = 0;
    const forged = () => {
      const i = x++;
      return `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
    };
    const attack = (name: string, request: autocannon.Request) => {
      const statuses: Record<string, number> = {};
      let count = 0;
      const instance = autocannon(asBrowser({ url, connections: perKind, duration: 3600, requests: [request] }));
      instance.on("response", (_c: unknown, status: number) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        count++;
      });
      attacks.push({ instance, name, statuses, count: () => count });
    };
    const aCookie = `csrf=${attackerCsrf}`;
    attack("receipt guesses (POST /report/inbox)", {
      method: "POST",
      path: "/report/inbox",
      setupRequest: (req: any) => ({
        ...req,
        headers: { "Content-Type": form, Cookie: aCookie, "X-Forwarded-For": forged() },
        body: new URLSearchParams({ csrf: attackerCsrf, intent: "open", receipt: randomReceipt() }).toString(),
      }),
    });
    attack("wrong tracking codes (POST /track)", {
      method: "POST",
      path: "/track",
      setupRequest: (req: any) => ({
        ...req,
        headers: { "Content-Type": form, Cookie: aCookie, "X-Forwarded-For": forged() },
        body: new URLSearchParams({
          csrf: attackerCsrf,
          reference: complaint.reference,
          code: crypto.randomBytes(8).toString("hex").slice(0, 12).toUpperCase(),
        }).toString(),
      }),
    });
    let j = 0;
    attack("junk report posts (POST /report/new)", {
      method: "POST",
      path: "/report/new",
      setupRequest: (req: any) => {
        const honeypot = j++ % 2 === 1;
        return {
          ...req,
          headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, Cookie: aCookie, "X-Forwarded-For": forged() },
          body: multipart(
            {
              csrf: honeypot ? attackerCsrf : crypto.randomBytes(32).toString("base64url").slice(0, 43),
              submissionKey: crypto.randomBytes(32).toString("base64url"),
              ...reportFields({ website: honeypot ? "http://spam.example" : "" }),
            },
            boundary,
          ),
        };
      },
    });
    const floodStarted = Date.now();
    await new Promise((res) => setTimeout(res, 2000));
    const flood = await probes(`while ${perKind * 3} attacker connections flood`);
    const floodSeconds = (Date.now() - floodStarted) / 1000;
    for (const a of attacks) (a.instance as unknown as { stop(): void }).stop();
    await Promise.all(attacks.map((a) => a.instance));
    const rss = rssOf(child.pid!);
    return {
      alone,
      flood,
      attackers: attacks.map((a) => ({ name: a.name, requests: a.count(), perSec: a.count() / floodSeconds, statuses: { ...a.statuses } })),
      attackerConnections: perKind * 3,
      durationSec: duration,
      rss,
    };
  } finally {
    for (const a of attacks) (a.instance as unknown as { stop(): void }).stop();
    real.close();
    child.kill("SIGTERM");
    await new Promise((res) => (child.exitCode !== null ? res(null) : child.once("exit", res)));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printAbuse(r: AbuseResult): void {
  console.log(
    `\nFloods vs. the real user — one client at a time through the trusted proxy ${PROXY_ADDRESS}, ${r.attackerConnections} attacker connections from 127.0.0.1 with a forged X-Forwarded-For per request, ${r.durationSec} s per probe, ${new Date().toISOString()}`,
  );
  const bare = r.alone[0];
  console.table(
    r.alone.map((a, i) => {
      const f = r.flood[i];
      const ratio = f.p95 / a.p95;
      return {
        route: a.name,
        "alone p50 ms": a.p50.toFixed(1),
        "alone p95 ms": a.p95.toFixed(1),
        "flood p50 ms": f.p50.toFixed(1),
        "flood p95 ms": f.p95.toFixed(1),
        "flood/alone p95": ratio.toFixed(2),
        "× bare p95 (alone)": (a.p95 / bare.p95).toFixed(2),
        "n alone/flood": `${a.n}/${f.n}`,
        "target ≤ 2×": i === 0 ? "(baseline)" : ratio <= 2 ? "met" : "NOT met",
      };
    }),
  );
  for (const [i, a] of r.alone.entries()) {
    const f = r.flood[i];
    const bad = (p: Probe) => Object.entries(p.statuses).filter(([s]) => !["200", "302"].includes(s));
    if (bad(a).length || bad(f).length)
      console.log(`  ${a.name}: statuses alone ${JSON.stringify(a.statuses)}, flood ${JSON.stringify(f.statuses)}`);
  }
  console.table(
    r.attackers.map((a) => ({ attack: a.name, answers: a.requests, "per s": a.perSec.toFixed(1), statuses: JSON.stringify(a.statuses) })),
  );
  console.log(`  Server RSS ${r.rss.rssMb.toFixed(0)} MB, peak ${r.rss.peakMb.toFixed(0)} MB`);
}
