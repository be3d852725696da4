/**
 * `npm run bench [-- --cases 1000000 --duration 10 --connections 10]`
 * Seeds a large database, starts the built server and measures, in one run and against the same app:
 *   - a bare form-action route (POST /language: parse form, check CSRF, redirect) as the baseline,
 *   - complaint submission throughput (POST /complaints/new, multipart, a new submission key per request; it answers
 *     with a redirect to the receipt, like the bare route),
 *   - tracking lookup (POST /track with a valid reference + code) p50/p95,
 *   - staff queue, overdue filter, first page (GET /staff?deadline=overdue) p50/p95,
 *   - server RSS (current and peak),
 *   - then (bench/receipt-load.ts) home page p95 alone vs. while 20 clients guess receipts on /report/inbox.
 * Prints a table with ratios against the bare route. Not a test: nothing here fails the build.
 * `--receipt-load` runs only the receipt-guessing measurement; `--no-receipt-load` leaves it out.
 * Then (bench/sla-tick.ts) `sla:tick` over 1,000,000 open cases of which ~1,000 / ~10,000 cross a threshold
 * (its own data dir, in-process, no server). `--sla-tick` runs only that; `--no-sla-tick` leaves it out.
 * Then (bench/stats.ts) the statistics pages at 10,000 and 1,000,000 cases with the p95 ratio between them.
 * `--stats` runs only that; `--no-stats` leaves it out.
 * `--report-keys [--before-ref <git ref>]` (bench/report-keys.ts) runs only the cost of per-recipient keys:
 * filing, opening the inbox and an integrity officer's password step, for this build and (optionally) an older one.
 * Last (bench/abuse.ts): p95 of filing, a correct inbox login and a correct /track lookup for one real client
 * behind a trusted proxy, alone and while 30 attacker connections flood with forged X-Forwarded-For (its own server and
 * data dir). `--abuse` runs only that; `--no-abuse` leaves it out.
 * Then (bench/ops.ts) operations at 100,000 cases, each in its own temporary data dir and server: /healthz
 * p50/p95/max while the first tick catches up on ~200,000 escalations (clock moved 30 days) against the same server
 * idle, the catch-up's time and e-mails (digests vs per case); backup time and sizes with /healthz and /track p95
 * before vs during `npm run backup` (plain and with a passphrase), and `npm run restore` time. `--ops` runs only
 * that; `--no-ops` leaves it out; `--ops-catch-up` only its catch-up part; `--ops-cases N` another size than 100,000.
 * `--postgres [--orgs 1000] [--cases-per-org 1000] [--idle-seconds 60]` (bench/organisations.ts) runs only this: one
 * installation serving N organisations (ORG_ROUTING=host, each request's Host header naming its organisation), on
 * SQLite with one server and on PostgreSQL (one schema per organisation) with two servers, side by side: the bare route,
 * submission, /track, staff queue and statistics pages with the load over all N organisations, and /track and the
 * staff queue p95 with the load over 1, 10, 100 and N of them (with server RSS), to show how cost grows with the number
 * of organisations in use. `--postgres --single-org [--cases 100000]` (bench/postgres.ts) is the older comparison of one
 * organisation without host routing (the seeded installation copied by migrate-to-postgres; SQLite with one server,
 * PostgreSQL with one and then two).
 * BUILD_DIR=<folder> runs the build in that folder (bench/harness.ts) instead of ./build.
 */
import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type autocannon from "autocannon";
import { complaintSubmission, measure as measureWith, rssOf, startBenchServer, type Measure } from "./harness";
import { seedBenchDatabase, benchTrackingCode, BENCH_STAFF } from "./seed";
import { measureReceiptLoad, printReceiptLoad } from "./receipt-load";
import { measureSlaTick, printSlaTick } from "./sla-tick";
import { measureStatsPages, printStatsPages } from "./stats";
import { measureReportKeys, printReportKeys } from "./report-keys";
import { HttpClient } from "../tests/helpers/http";
import { measureAbuse, printAbuse } from "./abuse";
import { measureOps } from "./ops";
import { benchPostgres } from "./postgres";
import { benchOrganisations } from "./organisations";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const CASES = arg("cases", 100_000);
const DURATION = arg("duration", 10);
const CONNECTIONS = arg("connections", 10);
const ONLY_RECEIPT_LOAD = process.argv.includes("--receipt-load");
const SKIP_RECEIPT_LOAD = process.argv.includes("--no-receipt-load");
const ONLY_SLA_TICK = process.argv.includes("--sla-tick");
const SKIP_SLA_TICK = process.argv.includes("--no-sla-tick");
const ONLY_STATS = process.argv.includes("--stats");
const SKIP_STATS = process.argv.includes("--no-stats");
const ONLY_REPORT_KEYS = process.argv.includes("--report-keys");
const ONLY_ABUSE = process.argv.includes("--abuse");
const SKIP_ABUSE = process.argv.includes("--no-abuse");
const ONLY_OPS = process.argv.includes("--ops");
const SKIP_OPS = process.argv.includes("--no-ops");
const ONLY_OPS_CATCH_UP = process.argv.includes("--ops-catch-up");
const BEFORE_REF = (() => {
  const i = process.argv.indexOf("--before-ref");
  return i >= 0 ? process.argv[i + 1] : undefined;
})();

/** statistics pages p95 at 10,000 and 1,000,000 cases (each with a bare route in the same run). */
async function statsSection() {
  const rows = await measureStatsPages({ root, sizes: [10_000, 1_000_000], duration: DURATION, connections: CONNECTIONS });
  printStatsPages(rows);
}

/** the real user's p95 alone and under a 30-connection flood with forged forwarded addresses. */
async function abuseSection() {
  printAbuse(await measureAbuse({ root, durationSec: DURATION, attackers: 30 }));
}

/** catch-up, backup and restore at 100,000 cases (tables printed as each part ends). */
async function opsSection() {
  await measureOps({
    root,
    duration: DURATION,
    connections: CONNECTIONS,
    cases: arg("ops-cases", 100_000),
    catchUpOnly: ONLY_OPS_CATCH_UP,
  });
}

/** home page p95 with and without 20 clients guessing receipts (same server, same run). */
async function receiptLoadSection(url: string) {
  const r = await measureReceiptLoad(url, { durationSec: DURATION, hammerClients: 20 });
  printReceiptLoad(r);
}

/** one deadline tick over 1,000,000 open cases with ~1,000 / ~10,000 crossing a threshold. */
async function slaTickSection() {
  const runs = await measureSlaTick({ root, cases: 1_000_000, first: 1_000, second: 10_000 });
  printSlaTick(runs, 1_000_000);
}

const measure = (name: string, opts: autocannon.Options, expectStatus: number[]) =>
  measureWith(name, opts, expectStatus, { connections: CONNECTIONS, duration: DURATION });

async function main() {
  if (process.argv.includes("--postgres")) {
    if (process.argv.includes("--single-org")) await benchPostgres({ root, cases: CASES, duration: DURATION, connections: CONNECTIONS });
    else
      await benchOrganisations({
        root,
        orgs: arg("orgs", 1000),
        casesPerOrg: arg("cases-per-org", 1000),
        duration: DURATION,
        connections: CONNECTIONS,
        idleSeconds: arg("idle-seconds", 60),
      });
    return;
  }
  if (ONLY_OPS || ONLY_OPS_CATCH_UP) {
    await opsSection();
    return;
  }
  if (ONLY_ABUSE) {
    await abuseSection();
    return;
  }
  if (ONLY_REPORT_KEYS) {
    printReportKeys(await measureReportKeys({ root, beforeRef: BEFORE_REF, duration: DURATION }));
    return;
  }
  if (ONLY_SLA_TICK) {
    await slaTickSection();
    return;
  }
  if (ONLY_STATS) {
    await statsSection();
    return;
  }
  const dataDir = path.join(root, "bench", ".data", `cases-${CASES}`);
  console.log(`Seeding ${CASES.toLocaleString("en")} cases in ${dataDir} …`);
  const t0 = Date.now();
  const { references } = await seedBenchDatabase(dataDir, CASES, (s) => console.log(s));
  console.log(`seed ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const { url, child } = await startBenchServer(root, dataDir);
  try {
    if (ONLY_RECEIPT_LOAD) {
      await receiptLoadSection(url);
      return;
    }
    // A visitor's CSRF cookie + token, and a staff session.
    const home = await fetch(`${url}/`);
    const csrf = /csrf=([A-Za-z0-9_-]{43})/.exec(home.headers.get("set-cookie") ?? "")?.[1];
    if (!csrf) throw new Error("no CSRF cookie from /");
    const visitorCookie = `csrf=${csrf}`;
    // The supervisor signs in with the password and a second factor (a passkey of the test helpers' own, set up at
    // this first sign-in), as a supervisor must.
    const staffClient = new HttpClient(url);
    const login = await staffClient.login(BENCH_STAFF.email, BENCH_STAFF.password);
    const sessionValue = staffClient.cookies.get("sujarit_session");
    const session = login.status === 302 && sessionValue ? `sujarit_session=${sessionValue}` : undefined;
    if (!session) console.warn(`staff login failed (status ${login.status}); the queue figure will be missing`);
    const form = await fetch(`${url}/complaints/new`, { headers: { Cookie: visitorCookie } }).then((r) => r.text());
    const category = /<option value="([a-z_]+)"/.exec(form)?.[1] ?? "road";
    let clientNo = 0;
    const fakeClient = () => `10.${(clientNo >> 16) & 255}.${(clientNo >> 8) & 255}.${clientNo++ & 255}`;

    const results: Measure[] = [];
    // Warm-up.
    await measure("warm-up", { url, duration: 2, requests: [{ method: "GET", path: "/" }] }, [200]);

    results.push(
      await measure(
        "bare form action (POST /language)",
        {
          url,
          requests: [
            {
              method: "POST",
              path: "/language",
              headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: visitorCookie },
              body: new URLSearchParams({ csrf, lng: "th", redirectTo: "/" }).toString(),
            },
          ],
        },
        [302],
      ),
    );

    const boundary = "----sujaritbench" + crypto.randomBytes(6).toString("hex");
    results.push(
      await measure(
        "complaint submission (POST /complaints/new)",
        {
          url,
          requests: [
            {
              method: "POST",
              path: "/complaints/new",
              setupRequest: (req: any) => {
                const body = complaintSubmission(csrf, category, boundary);
                return {
                  ...req,
                  headers: {
                    "Content-Type": `multipart/form-data; boundary=${boundary}`,
                    Cookie: visitorCookie,
                    "X-Forwarded-For": fakeClient(),
                  },
                  body,
                };
              },
            },
          ],
        },
        [302],
      ),
    );

    // Lookup and queue are latency measures: once with one client at a time (the service time a citizen or an
    // officer sees) and once with CONNECTIONS clients at once (queueing on this 2-core machine included).
    let lookupNo = 0;
    const lookup = (connections: number) =>
      measure(
        `tracking lookup (POST /track), ${connections} client${connections > 1 ? "s" : ""}`,
        {
          url,
          connections,
          requests: [
            {
              method: "POST",
              path: "/track",
              setupRequest: (req: any) => {
                const i = 1 + ((lookupNo++ * 7919) % references.length);
                return {
                  ...req,
                  headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: visitorCookie, "X-Forwarded-For": fakeClient() },
                  body: new URLSearchParams({ csrf, reference: references[i - 1], code: benchTrackingCode(i) }).toString(),
                };
              },
            },
          ],
        },
        [200],
      );
    results.push(await lookup(1), await lookup(CONNECTIONS));

    if (session) {
      const queue = (connections: number) =>
        measure(
          `staff queue, overdue, page 1 (GET /staff?deadline=overdue), ${connections} client${connections > 1 ? "s" : ""}`,
          {
            url,
            connections,
            requests: [{ method: "GET", path: "/staff?deadline=overdue", headers: { Cookie: `${visitorCookie}; ${session}` } }],
          },
          [200],
        );
      results.push(await queue(1), await queue(CONNECTIONS));
    }
    const mem = rssOf(child.pid!);

    const bare = results[0];
    const rows = results.map((r) => ({
      route: r.name,
      "req/s": r.reqPerSec.toFixed(1),
      "× bare req/s": (r.reqPerSec / bare.reqPerSec).toFixed(2),
      "p50 ms": r.p50.toFixed(1),
      "p95 ms": r.p95.toFixed(1),
      "p99 ms": r.p99.toFixed(1),
      "× bare p95": (r.p95 / bare.p95).toFixed(2),
      ok: r.ok,
      "other/errors": r.errors,
    }));
    console.log(
      `\nSujarit benchmark — ${CASES.toLocaleString("en")} cases, ${CONNECTIONS} connections, ${DURATION} s per route, ${new Date().toISOString()}`,
    );
    console.table(rows);
    for (const r of results) if (r.errors > 0) console.log(`  ${r.name}: statuses ${JSON.stringify(r.statuses)}`);
    console.log(`Server RSS now ${mem.rssMb.toFixed(0)} MB, peak ${mem.peakMb.toFixed(0)} MB`);
    const sub = results.find((r) => r.name.startsWith("complaint"));
    const fig = (prefix: string) =>
      results
        .filter((r) => r.name.startsWith(prefix))
        .map((r) => `${r.p95.toFixed(1)} ms (${r.name.split(", ").pop()})`)
        .join(", ") || "n/a";
    console.log("\nTargets (issue: foundation):");
    console.log(`  submission ≥ 50% of bare route throughput: ${sub ? ((100 * sub.reqPerSec) / bare.reqPerSec).toFixed(0) + "%" : "n/a"}`);
    console.log(`  tracking lookup p95 < 50 ms: ${fig("tracking")}`);
    console.log(`  staff queue p95 < 50 ms: ${fig("staff queue")}`);
    console.log(`  RSS < 300 MB: peak ${mem.peakMb.toFixed(0)} MB`);
    if (!SKIP_RECEIPT_LOAD) await receiptLoadSection(url);
  } finally {
    child.kill("SIGTERM");
  }
  if (!SKIP_SLA_TICK) await slaTickSection();
  if (!SKIP_STATS) await statsSection();
  if (!SKIP_ABUSE) await abuseSection();
  if (!SKIP_OPS) await opsSection();
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
