/**
 * `sla:tick` over 1,000,000 OPEN cases of which ~1,000 (then ~10,000) cross a threshold.
 * Own data dir (bench/.data/sla-tick-<cases>), filled with direct SQLite inserts like bench/seed.ts. The open cases
 * are assigned and due 10–400 days after the start, far from every threshold, except two blocks due exactly on
 * Bangkok days X+4 (`first` cases) and X+5 (`second` cases). The first tick (at noon on day X) is the full scan that
 * sets the high-water mark; moving the clock past midnight into day X+1 brings block 1 within "due soon" (3 days),
 * past midnight into X+2 block 2. Each tick's time and rows examined per level are reported; target < 2 s with the
 * work proportional to the crossing cases.
 */
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { openDatabase, migrateToLatest } from "../db/connection";
import { seedOrganisation } from "../db/seed";
import { loadOrCreateSecrets } from "../app/utils/secrets.server";

export interface SlaTickRun {
  label: string;
  crossing: number;
  ms: number;
  examined: Record<string, number>;
  escalated: number;
  mode: string;
}

const DAY = 86400_000;
/** Noon in Bangkok (05:00 UTC) on day X. */
const T0 = new Date("2027-03-01T05:00:00.000Z");
/** End of the Bangkok day `n` days after day X. */
const endOfDay = (n: number) => new Date(Date.parse("2027-03-01T16:59:59.999Z") + n * DAY);

async function seed(dataDir: string, cases: number, first: number, second: number, log: (s: string) => void) {
  const file = path.join(dataDir, "sujarit.db");
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  loadOrCreateSecrets(dataDir);
  const db = openDatabase(file);
  await migrateToLatest(db);
  await seedOrganisation(db);
  await db.destroy();
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = OFF");
  const cat = sqlite.prepare("select id, division_id from categories order by id limit 1").get() as { id: number; division_id: number };
  const village = sqlite.prepare("select id from villages order by id limit 1").get() as { id: number };
  const staffId = Number(
    sqlite
      .prepare(
        `insert into staff (email, name, role, division_id, password_hash, active, created_at) values ('bench-officer@example.org', 'Bench Officer', 'officer', ?, 'x', 1, ?)`,
      )
      .run(cat.division_id, T0.toISOString()).lastInsertRowid,
  );
  const ins =
    sqlite.prepare(`insert into complaints (reference, fiscal_year, seq, submission_key_hash, tracking_hash, channel, category_id, subject, details, village_id, landmark, contact_name, contact_phone, contact_email, contact_address, preferred_contact, lang, status, division_id, assignee_id, received_at, period_started_at, due_at, created_at, updated_at)
    values (@reference, 2570, @seq, null, @tracking_hash, 'web', @category_id, 'ไฟฟ้าดับ', 'รายละเอียด', @village_id, '', '', '', '', '', 'none', 'th', 'in_progress', @division_id, @assignee_id, @received_at, @received_at, @due_at, @received_at, @received_at)`);
  const batch = 50_000;
  for (let start = 1; start <= cases; start += batch) {
    const end = Math.min(cases, start + batch - 1);
    sqlite.transaction(() => {
      for (let i = start; i <= end; i++) {
        let due: Date;
        if (i <= first) due = new Date(endOfDay(4).getTime() - (i % 3600) * 1000);
        else if (i <= first + second) due = new Date(endOfDay(5).getTime() - (i % 3600) * 1000);
        else due = new Date(endOfDay(10).getTime() + Math.floor(((i - first - second) * 390 * DAY) / (cases - first - second)));
        const received = new Date(due.getTime() - 15 * DAY);
        ins.run({
          reference: `2570-${String(i).padStart(7, "0")}`,
          seq: i,
          tracking_hash: `bench-${i}`,
          category_id: cat.id,
          village_id: village.id,
          division_id: cat.division_id,
          assignee_id: staffId,
          received_at: received.toISOString(),
          due_at: due.toISOString(),
        });
      }
    })();
    if (end % 200_000 === 0 || end === cases) log(`  seeded ${end.toLocaleString("en")} / ${cases.toLocaleString("en")}`);
  }
  // The seed is history, not "changes since the last tick" (the first tick is a full scan in any case).
  sqlite.exec("delete from deadline_dirty");
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.exec("analyze");
  sqlite.close();
  return file;
}

export async function measureSlaTick(opts: {
  root: string;
  cases?: number;
  first?: number;
  second?: number;
  log?: (s: string) => void;
}): Promise<SlaTickRun[]> {
  const cases = opts.cases ?? 1_000_000;
  const first = opts.first ?? 1_000;
  const second = opts.second ?? 10_000;
  const log = opts.log ?? console.log;
  const dataDir = path.join(opts.root, "bench", ".data", `sla-tick-${cases}`);
  const t0 = Date.now();
  log(`sla:tick — seeding ${cases.toLocaleString("en")} open cases in ${dataDir} …`);
  await seed(dataDir, cases, first, second, log);
  log(`  seed ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.env.DATA_DIR = dataDir;
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? "warn";
  const { getDb } = await import("../app/utils/db.server");
  const { runDeadlineTick } = await import("../app/models/deadlines/escalation.server");
  const db = getDb();
  const runs: SlaTickRun[] = [];
  const run = async (label: string, crossing: number, at: Date) => {
    const s = Date.now();
    const r = await runDeadlineTick(db, { now: at });
    runs.push({
      label,
      crossing,
      ms: Date.now() - s,
      examined: r.stats.examined,
      escalated: Object.values(r.escalated).reduce((a, b) => a + b, 0),
      mode: r.stats.mode,
    });
  };
  try {
    await run("first tick (full scan, sets the mark)", 0, T0);
    await run("clock +5 min, nothing crosses", 0, new Date(T0.getTime() + 5 * 60_000));
    await run(`clock to day X+1 00:30: ${first.toLocaleString("en")} cross`, first, new Date(endOfDay(0).getTime() + 30 * 60_000));
    await run(`clock to day X+2 00:30: ${second.toLocaleString("en")} cross`, second, new Date(endOfDay(1).getTime() + 30 * 60_000));
    await run("clock +5 min, nothing crosses", 0, new Date(endOfDay(1).getTime() + 35 * 60_000));
  } finally {
    await db.destroy();
  }
  return runs;
}

export function printSlaTick(runs: SlaTickRun[], cases = 1_000_000) {
  console.log(`\nsla:tick — ${cases.toLocaleString("en")} open cases`);
  console.table(
    runs.map((r) => ({
      tick: r.label,
      mode: r.mode,
      "time ms": r.ms,
      "rows examined": Object.values(r.examined).reduce((a, b) => a + b, 0),
      "due soon / overdue / exec / unassigned / changed": `${r.examined.due_soon} / ${r.examined.overdue} / ${r.examined.overdue_executive} / ${r.examined.unassigned} / ${r.examined.changed}`,
      escalated: r.escalated,
    })),
  );
  const k = runs.find((r) => r.crossing > 0 && r.crossing <= 1_000);
  if (k) console.log(`  target: ~1,000 crossing in < 2 s: ${k.ms} ms (${k.ms < 2000 ? "met" : "NOT met"})`);
}
