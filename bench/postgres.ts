/**
 * `npm run bench -- --postgres --single-org [--cases 100000] [--duration 10] [--connections 10]`
 *
 * The same work on the two databases, in one run and on the same seeded data:
 *   - SQLite: one app server on the seeded file (bench/seed.ts);
 *   - PostgreSQL: the seeded installation copied by `npm run migrate-to-postgres` (scripts/migrate-to-postgres.ts) into
 *     a private PostgreSQL server (initdb + postgres in a temporary folder, tests/helpers/postgres.ts), served first by
 *     one app server (as SQLite), then by TWO sharing nothing but the database (FILE_STORE=database); the load is split
 *     between them (half of the connections each) and every latency of both is kept, so the percentiles are over all
 *     requests.
 * For each: the bare form-action route (POST /language) as the baseline, complaint submission throughput, /track and the
 * staff queue with 1 and N clients, and the three statistics pages; each with its ratio to that setup's bare route.
 *
 * One organisation, no host routing: since the portal hosts several (ORG_ROUTING=host), `npm run bench -- --postgres`
 * runs bench/organisations.ts (1,000 organisations by default); this older comparison is `--postgres --single-org`.
 * `across` and `print` are shared with bench/organisations.ts.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type autocannon from "autocannon";
import { complaintSubmission, measure as measureWith, measureWithLatencies, percentile, startBenchServer, type Measure } from "./harness";
import { seedBenchDatabase, benchTrackingCode, BENCH_STAFF } from "./seed";
import { HttpClient } from "../tests/helpers/http";
import { startPostgres } from "../tests/helpers/postgres";
import { migrateToPostgres } from "../scripts/migrate-to-postgres";

export interface Setup {
  label: string;
  urls: string[];
}

interface Sessions {
  csrf: string;
  visitor: string;
  staff: string | undefined;
  category: string;
}

/** A visitor's CSRF cookie and a supervisor's session (sessions are rows of the database: valid on every server). */
async function sessionsFor(url: string): Promise<Sessions> {
  const home = await fetch(`${url}/`);
  const csrf = /csrf=([A-Za-z0-9_-]{43})/.exec(home.headers.get("set-cookie") ?? "")?.[1];
  if (!csrf) throw new Error("no CSRF cookie from /");
  const staffClient = new HttpClient(url);
  const login = await staffClient.login(BENCH_STAFF.email, BENCH_STAFF.password);
  const value = staffClient.cookies.get("sujarit_session");
  const form = await fetch(`${url}/complaints/new`, { headers: { Cookie: `csrf=${csrf}` } }).then((r) => r.text());
  return {
    csrf,
    visitor: `csrf=${csrf}`,
    staff: login.status === 302 && value ? `sujarit_session=${value}` : undefined,
    category: /<option value="([a-z_]+)"/.exec(form)?.[1] ?? "road",
  };
}

/** Runs the same request mix against every server of a setup at once (connections split evenly) and merges latencies. */
export async function across(
  setup: Setup,
  name: string,
  opts: Omit<autocannon.Options, "url">,
  expect: number[],
  d: { connections: number; duration: number },
): Promise<Measure> {
  const connections = opts.connections ?? d.connections;
  const share = (i: number) => Math.floor(connections / setup.urls.length) + (i < connections % setup.urls.length ? 1 : 0);
  const parts = await Promise.all(
    setup.urls
      .map((url, i) => ({ url, c: share(i) }))
      .filter((p) => p.c > 0)
      .map((p) => measureWithLatencies(name, { ...opts, url: p.url, connections: p.c }, expect, d)),
  );
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const p of parts) for (const [s, n] of Object.entries(p.measure.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  return {
    name,
    reqPerSec: parts.reduce((a, p) => a + p.measure.reqPerSec, 0),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    ok: parts.reduce((a, p) => a + p.measure.ok, 0),
    errors: parts.reduce((a, p) => a + p.measure.errors, 0),
    statuses,
  };
}

async function measureSetup(
  setup: Setup,
  references: string[],
  fy: number,
  d: { connections: number; duration: number },
): Promise<Measure[]> {
  const s = await sessionsFor(setup.urls[0]);
  let clientNo = 0;
  const fakeClient = () => `10.${(clientNo >> 16) & 255}.${(clientNo >> 8) & 255}.${clientNo++ & 255}`;
  const out: Measure[] = [];
  for (const url of setup.urls) await measureWith("warm-up", { url, duration: 2, requests: [{ method: "GET", path: "/" }] }, [200], d);
  out.push(
    await across(
      setup,
      "bare form action (POST /language)",
      {
        requests: [
          {
            method: "POST",
            path: "/language",
            headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: s.visitor },
            body: new URLSearchParams({ csrf: s.csrf, lng: "th", redirectTo: "/" }).toString(),
          },
        ],
      },
      [302],
      d,
    ),
  );
  const boundary = "----sujaritbench" + crypto.randomBytes(6).toString("hex");
  out.push(
    await across(
      setup,
      "complaint submission (POST /complaints/new)",
      {
        requests: [
          {
            method: "POST",
            path: "/complaints/new",
            setupRequest: (req: any) => ({
              ...req,
              headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, Cookie: s.visitor, "X-Forwarded-For": fakeClient() },
              body: complaintSubmission(s.csrf, s.category, boundary),
            }),
          },
        ],
      },
      [302],
      d,
    ),
  );
  let lookupNo = 0;
  for (const connections of [1, d.connections]) {
    out.push(
      await across(
        setup,
        `tracking lookup (POST /track), ${connections} client${connections > 1 ? "s" : ""}`,
        {
          connections,
          requests: [
            {
              method: "POST",
              path: "/track",
              setupRequest: (req: any) => {
                const i = 1 + ((lookupNo++ * 7919) % references.length);
                return {
                  ...req,
                  headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: s.visitor, "X-Forwarded-For": fakeClient() },
                  body: new URLSearchParams({ csrf: s.csrf, reference: references[i - 1], code: benchTrackingCode(i) }).toString(),
                };
              },
            },
          ],
        },
        [200],
        d,
      ),
    );
  }
  if (s.staff) {
    for (const connections of [1, d.connections]) {
      out.push(
        await across(
          setup,
          `staff queue, overdue, page 1 (GET /staff?deadline=overdue), ${connections} client${connections > 1 ? "s" : ""}`,
          { connections, requests: [{ method: "GET", path: "/staff?deadline=overdue", headers: { Cookie: `${s.visitor}; ${s.staff}` } }] },
          [200],
          d,
        ),
      );
    }
  } else console.warn(`${setup.label}: staff login failed; no queue figures`);
  for (const page of [`/stats?fy=${fy}`, `/stats/corruption?fy=${fy}`, `/stats/targets?fy=${fy}`]) {
    out.push(await across(setup, `statistics ${page.split("?")[0]}`, { requests: [{ method: "GET", path: page }] }, [200], d));
  }
  return out;
}

export function print(label: string, results: Measure[]) {
  const bare = results[0];
  console.log(`\n${label}`);
  console.table(
    results.map((r) => ({
      route: r.name,
      "req/s": r.reqPerSec.toFixed(1),
      "× bare req/s": (r.reqPerSec / bare.reqPerSec).toFixed(2),
      "p50 ms": r.p50.toFixed(1),
      "p95 ms": r.p95.toFixed(1),
      "× bare p95": (r.p95 / bare.p95).toFixed(2),
      ok: r.ok,
      "other/errors": r.errors,
    })),
  );
  for (const r of results) if (r.errors > 0) console.log(`  ${r.name}: statuses ${JSON.stringify(r.statuses)}`);
}

export async function benchPostgres(opts: { root: string; cases: number; duration: number; connections: number }) {
  const d = { duration: opts.duration, connections: opts.connections };
  const dataDir = path.join(opts.root, "bench", ".data", `cases-${opts.cases}`);
  console.log(`Seeding ${opts.cases.toLocaleString("en")} cases in ${dataDir} …`);
  const { references, file } = await seedBenchDatabase(dataDir, opts.cases, (l) => console.log(l));
  const SQLite = (await import("better-sqlite3")).default;
  const src = new SQLite(file, { readonly: true });
  const fy = (
    src
      .prepare("select fiscal_year from complaint_stats where dim = 'all' group by fiscal_year order by sum(received) desc limit 1")
      .get() as { fiscal_year: number }
  ).fiscal_year;
  src.close();

  const pg = await startPostgres();
  const pgDataDir = path.join(opts.root, "bench", ".data", `pg-cases-${opts.cases}`);
  fs.rmSync(pgDataDir, { recursive: true, force: true });
  const children: import("node:child_process").ChildProcess[] = [];
  // Servers first (their pools end cleanly), then the database server.
  const stopServers = () =>
    Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => (c.once("exit", r), c.kill("SIGTERM"))),
      ),
    );
  try {
    const url = await pg.createDatabase("bench");
    const t0 = Date.now();
    const copy = await migrateToPostgres({ fromDataDir: dataDir, toUrl: url, toDataDir: pgDataDir, fileStore: "database" });
    console.log(
      `copied into PostgreSQL in ${((Date.now() - t0) / 1000).toFixed(1)} s (${copy.tables.reduce((a, t) => a + t.copied, 0).toLocaleString("en")} rows, ${copy.ok ? "verified" : "NOT verified: " + copy.problems.join("; ")})`,
    );

    const sqlite = await startBenchServer(opts.root, dataDir);
    children.push(sqlite.child);
    const sqliteResults = await measureSetup({ label: "SQLite, one server", urls: [sqlite.url] }, references, fy, d);
    await stopServers();

    const env = { DATABASE_URL: url, FILE_STORE: "database" };
    const a = await startBenchServer(opts.root, pgDataDir, env);
    children.push(a.child);
    // One app server first (the same setup as SQLite's), then two splitting the load.
    const pgOneResults = await measureSetup({ label: "PostgreSQL, one server", urls: [a.url] }, references, fy, d);
    const b = await startBenchServer(opts.root, pgDataDir, env);
    children.push(b.child);
    const pgResults = await measureSetup({ label: "PostgreSQL, two servers", urls: [a.url, b.url] }, references, fy, d);

    console.log(
      `\nSujarit on two databases — ${opts.cases.toLocaleString("en")} cases, one organisation, ${opts.connections} connections, ${opts.duration} s per route, ${new Date().toISOString()}`,
    );
    print("SQLite, one app server", sqliteResults);
    print("PostgreSQL, one app server", pgOneResults);
    print("PostgreSQL, two app servers (load split between them)", pgResults);
    console.log("\nPostgreSQL ÷ SQLite (p95; req/s), with one and two app servers");
    console.table(
      sqliteResults.map((r, i) => ({
        route: r.name,
        "p95 ratio, one": (pgOneResults[i]!.p95 / r.p95).toFixed(2),
        "req/s ratio, one": (pgOneResults[i]!.reqPerSec / r.reqPerSec).toFixed(2),
        "p95 ratio, two": (pgResults[i]!.p95 / r.p95).toFixed(2),
        "req/s ratio, two": (pgResults[i]!.reqPerSec / r.reqPerSec).toFixed(2),
      })),
    );
  } finally {
    await stopServers();
    await pg.stop();
  }
}
