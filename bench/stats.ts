/**
 * the public statistics pages must answer with p95 < 100 ms at 1,000,000 cases, and their cost must not grow
 * with the number of cases. For each size (10,000 and 1,000,000 general complaints, with 1 corruption report per 100
 * cases, plan topics on 1 case in 50, ratings on 1 closed case in 10 and counter answers), the built server is started
 * on that database and /stats, /stats/corruption and /stats/targets (the busiest full fiscal year) are measured beside
 * a bare route (GET /healthz) in the same run. Prints p95 per size and the ratio p95(1,000,000) / p95(10,000).
 */
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { measure, startBenchServer, type Measure } from "./harness";
import { seedBenchDatabase } from "./seed";

const ENRICH_MARK = "stats-enriched-v1";

/** Adds what the statistics read besides complaints. Runs with the triggers on, as the portal would. */
function enrich(dataDir: string, cases: number, log: (s: string) => void) {
  const marker = path.join(dataDir, ENRICH_MARK);
  if (fs.existsSync(marker)) return;
  const file = path.join(dataDir, "sujarit.db");
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = OFF");
  const migrated = sqlite.prepare("select 1 from sqlite_master where name = 'complaint_topics'").get();
  if (!migrated) throw new Error("database not migrated to the statistics schema; start the server once first");
  const topics = ["bribery", "procurement", "personnel", "unfair_service", "officer_conduct"];
  const tags = [
    "bribery",
    "procurement",
    "personnel",
    "abuse_of_position",
    "conflict_of_interest",
    "unfair_service",
    "officer_conduct",
    "other",
  ];
  const statuses = ["received", "preliminary_review", "investigation", "concluded", "referred", "closed"];
  const insertTopic = sqlite.prepare("insert or ignore into complaint_topics (complaint_id, topic) values (?, ?)");
  const insertRating = sqlite.prepare(
    "insert or ignore into case_ratings (complaint_id, score, comment, created_at, updated_at) values (?, ?, '', ?, ?)",
  );
  const insertReport = sqlite.prepare(`insert into reports (public_id, receipt_hash, submission_key_hash, status, finding, referred_to,
      wrapped_key, envelope, submission_digest, received_at, fiscal_year, seq, ack_due_at, created_at, updated_at)
    values (?, ?, null, ?, ?, ?, '', '', '', date(?, '+7 hours'), ?, ?, date(?, '+7 hours'), date(?, '+7 hours'), ?)`);
  const insertTag = sqlite.prepare("insert or ignore into report_tags (report_id, tag) values (?, ?)");
  const insertCounter = sqlite.prepare(
    "insert into counter_feedback (service, score, comment, fiscal_year, created_at) values ('tax', ?, '', ?, ?)",
  );
  const seq = new Map<number, number>();
  let i = 0;
  type Row = { id: number; fiscal_year: number; received_at: string; status: string };
  const flush = sqlite.transaction((batch: Row[]) => {
    for (const c of batch) {
      i++;
      if (i % 50 === 0) insertTopic.run(c.id, topics[i % topics.length]);
      if ((c.status === "resolved" || c.status === "forwarded") && i % 10 === 0)
        insertRating.run(c.id, 1 + (i % 5 === 0 ? 2 : (i * 7) % 5), c.received_at, c.received_at);
      if (i % 100 === 0) {
        const n = (seq.get(c.fiscal_year) ?? 0) + 1;
        seq.set(c.fiscal_year, n);
        const status = statuses[i % statuses.length]!;
        const finding = status === "concluded" || status === "closed" ? (i % 3 === 0 ? "substantiated" : "unsubstantiated") : null;
        const referred = status === "referred" ? "nacc" : null;
        const r = insertReport.run(
          `B${c.fiscal_year}-${n}`,
          `bench-${c.id}`,
          status,
          finding,
          referred,
          c.received_at,
          c.fiscal_year,
          n,
          c.received_at,
          c.received_at,
          c.received_at,
        );
        insertTag.run(Number(r.lastInsertRowid), tags[i % tags.length]);
      }
      if (i % 100 === 50) insertCounter.run(1 + ((i * 3) % 5), c.fiscal_year, c.received_at);
    }
  });
  const chunk = sqlite.prepare("select id, fiscal_year, received_at, status from complaints where id > ? order by id limit 20000");
  let last = 0;
  for (;;) {
    const batch = chunk.all(last) as Row[];
    if (batch.length === 0) break;
    flush(batch);
    last = batch[batch.length - 1]!.id;
    if (last % 200_000 < 20_000) log(`  statistics data: ${last.toLocaleString("en")} / ${cases.toLocaleString("en")}`);
  }
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.exec("analyze");
  sqlite.close();
  fs.writeFileSync(marker, new Date().toISOString());
}

/** The full fiscal year with the most complaints in the database. */
function busiestYear(dataDir: string): number {
  const sqlite = new SQLite(path.join(dataDir, "sujarit.db"), { readonly: true });
  const r = sqlite
    .prepare("select fiscal_year, sum(received) n from complaint_stats where dim = 'all' group by fiscal_year order by n desc limit 1")
    .get() as { fiscal_year: number };
  sqlite.close();
  return r.fiscal_year;
}

export interface StatsBenchRow {
  cases: number;
  fy: number;
  results: Measure[];
}

export async function measureStatsPages(opts: {
  root: string;
  sizes: number[];
  duration: number;
  connections: number;
}): Promise<StatsBenchRow[]> {
  const out: StatsBenchRow[] = [];
  for (const cases of opts.sizes) {
    const dataDir = path.join(opts.root, "bench", ".data", `cases-${cases}`);
    console.log(`\nStatistics: ${cases.toLocaleString("en")} cases in ${dataDir}`);
    await seedBenchDatabase(dataDir, cases, (s) => console.log(s));
    // Starting the server once applies pending migrations (the statistics backfill) before the data is enriched.
    if (!fs.existsSync(path.join(dataDir, ENRICH_MARK))) {
      const t0 = Date.now();
      const first = await startBenchServer(opts.root, dataDir);
      first.child.kill("SIGTERM");
      await new Promise((r) => first.child.once("exit", r));
      console.log(`  migrated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const t1 = Date.now();
      enrich(dataDir, cases, (s) => console.log(s));
      console.log(`  reports, topics, ratings and counter answers added in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    }
    const fy = busiestYear(dataDir);
    const { url, child } = await startBenchServer(opts.root, dataDir);
    try {
      const d = { connections: opts.connections, duration: opts.duration };
      const one = { connections: 1, duration: opts.duration };
      await measure("warm-up", { url, duration: 2, requests: [{ method: "GET", path: `/stats?fy=${fy}` }] }, [200], d);
      const results: Measure[] = [];
      for (const [name, p] of [
        ["bare route (GET /healthz)", "/healthz"],
        [`/stats?fy=${fy}`, `/stats?fy=${fy}`],
        [`/stats/corruption?fy=${fy}`, `/stats/corruption?fy=${fy}`],
        [`/stats/targets?fy=${fy}`, `/stats/targets?fy=${fy}`],
      ] as const) {
        // /healthz answers 503 when something needs a person (an old seeded e-mail, holidays): still the bare route.
        const ok = p === "/healthz" ? [200, 503] : [200];
        results.push(await measure(`${name}, 1 client`, { url, requests: [{ method: "GET", path: p }] }, ok, one));
        results.push(await measure(`${name}, ${opts.connections} clients`, { url, requests: [{ method: "GET", path: p }] }, ok, d));
      }
      out.push({ cases, fy, results });
    } finally {
      child.kill("SIGTERM");
    }
  }
  return out;
}

export function printStatsPages(rows: StatsBenchRow[]) {
  for (const r of rows) {
    const bare = r.results.filter((m) => m.name.startsWith("bare"));
    const bareFor = (m: Measure) => bare.find((b) => b.name.split(", ").pop() === m.name.split(", ").pop())!;
    console.log(`\nStatistics pages — ${r.cases.toLocaleString("en")} cases, fiscal year ${r.fy}`);
    console.table(
      r.results.map((m) => ({
        route: m.name,
        "req/s": m.reqPerSec.toFixed(1),
        "p50 ms": m.p50.toFixed(1),
        "p95 ms": m.p95.toFixed(1),
        "× bare p95": (m.p95 / bareFor(m).p95).toFixed(2),
        ok: m.ok,
        "other/errors": m.errors,
      })),
    );
  }
  if (rows.length >= 2) {
    const [small, large] = [rows[0]!, rows[rows.length - 1]!];
    console.log(`\nTarget: p95 < 100 ms at ${large.cases.toLocaleString("en")} cases; cost does not grow with the cases`);
    console.table(
      large.results
        .filter((m) => !m.name.startsWith("bare"))
        .map((m) => {
          const s = small.results.find((x) => x.name.replace(`fy=${small.fy}`, "") === m.name.replace(`fy=${large.fy}`, ""))!;
          return {
            page: m.name.replace(`?fy=${large.fy}`, ""),
            [`p95 ms @${small.cases}`]: s.p95.toFixed(1),
            [`p95 ms @${large.cases}`]: m.p95.toFixed(1),
            [`ratio`]: (m.p95 / s.p95).toFixed(2),
          };
        }),
    );
  }
}
