/**
 * The catch-up scenario, seeded straight into a server's SQLite file with SQL (like bench/sla-tick.ts) while
 * that server is stopped: `cases` open, assigned cases whose deadlines lie a few days after the real "now", so a
 * server started with CLOCK_OFFSET_MS = offsetMs (30 days) finds every one of them overdue and more than 7 working days
 * overdue — 2 × `cases` escalations at once — plus two small due-soon groups (one officer with more cases than the
 * digest threshold, one with fewer). The tick state is cleared, so the first tick after the start looks at every open
 * case (the first start of a new version, or a server that was off for a while).
 *
 * Used by tests/integration/catch-up.test.ts and bench/ops.ts.
 */
import SQLite from "better-sqlite3";
import { formatCaseReference } from "../../app/lib/complaint-reference";
import { fiscalYearOf } from "../../app/lib/fiscal-year";

const DAY = 24 * 3600 * 1000;

export interface CatchUpSeed {
  /** Open cases that escalate at both overdue levels. */
  cases: number;
  supervisors: number;
  executives: number;
  /** Due-soon cases of the officer above the digest threshold, and of the one below it. */
  soonMany: number;
  soonFew: number;
  /** Escalations the catch-up claims (each exactly once). */
  expectedEscalations: number;
  /** E-mails it queues: one digest per supervisor (overdue), per executive, and for the busy officer; one per case for the other. */
  expectedDigests: number;
  expectedPerCase: number;
}

export function seedCatchUp(dbFile: string, opts: { cases: number; offsetMs: number; realNow?: number }): CatchUpSeed {
  const realNow = opts.realNow ?? Date.now();
  const serverNow = realNow + opts.offsetMs;
  const seed: CatchUpSeed = {
    cases: opts.cases,
    supervisors: 2,
    executives: 1,
    soonMany: 10,
    soonFew: 2,
    expectedEscalations: 0,
    expectedDigests: 0,
    expectedPerCase: 0,
  };
  seed.expectedEscalations = 2 * seed.cases + seed.soonMany + seed.soonFew;
  seed.expectedDigests = seed.supervisors + seed.executives + 1;
  seed.expectedPerCase = seed.soonFew;

  const sqlite = new SQLite(dbFile);
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = OFF");
    sqlite.pragma("busy_timeout = 5000");
    const cat = sqlite.prepare("select id, division_id from categories order by id limit 1").get() as { id: number; division_id: number };
    const village = sqlite.prepare("select id from villages order by id limit 1").get() as { id: number };
    const at = new Date(realNow).toISOString();
    const addStaff = sqlite.prepare(
      `insert into staff (email, name, role, division_id, password_hash, active, created_at) values (?, ?, ?, ?, 'x', 1, ?)`,
    );
    const staffId = (email: string, role: string, division: number | null) =>
      Number(addStaff.run(email, email.split("@")[0], role, division, at).lastInsertRowid);
    for (let i = 1; i <= seed.supervisors; i++) staffId(`catchup-supervisor-${i}@example.org`, "supervisor", null);
    for (let i = 1; i <= seed.executives; i++) staffId(`catchup-executive-${i}@example.org`, "executive", null);
    const officers = Array.from({ length: 10 }, (_, i) => staffId(`catchup-officer-${i + 1}@example.org`, "officer", cat.division_id));
    const busy = staffId("catchup-busy@example.org", "officer", cat.division_id);
    const quiet = staffId("catchup-quiet@example.org", "officer", cat.division_id);

    const ins =
      sqlite.prepare(`insert into complaints (reference, fiscal_year, seq, submission_key_hash, tracking_hash, channel, category_id, subject, details, village_id, landmark, contact_name, contact_phone, contact_email, contact_address, preferred_contact, lang, status, division_id, assignee_id, received_at, period_started_at, due_at, created_at, updated_at)
      values (@reference, @fy, @seq, null, @tracking_hash, 'web', @category_id, 'ไฟฟ้าดับ', 'รายละเอียด', @village_id, '', '', '', '', '', 'none', 'th', 'in_progress', @division_id, @assignee_id, @received_at, @received_at, @due_at, @received_at, @received_at)`);
    const seqs = new Map<number, number>();
    const add = (i: number, due: number, assignee: number) => {
      const received = new Date(due - 15 * DAY);
      const fy = fiscalYearOf(received);
      const last =
        seqs.get(fy) ??
        Math.max(
          Number((sqlite.prepare("select coalesce(max(seq), 0) as m from complaints where fiscal_year = ?").get(fy) as { m: number }).m),
          Number(
            (
              sqlite.prepare("select coalesce(max(last_seq), 0) as m from reference_counters where fiscal_year = ?").get(fy) as {
                m: number;
              }
            ).m,
          ),
        );
      const next = last + 1;
      seqs.set(fy, next);
      ins.run({
        reference: formatCaseReference(fy, next),
        fy,
        seq: next,
        tracking_hash: `catchup-${i}`,
        category_id: cat.id,
        village_id: village.id,
        division_id: cat.division_id,
        assignee_id: assignee,
        received_at: received.toISOString(),
        due_at: new Date(due).toISOString(),
      });
    };
    const batch = 20_000;
    for (let start = 1; start <= seed.cases; start += batch) {
      const end = Math.min(seed.cases, start + batch - 1);
      sqlite.transaction(() => {
        // Due 1–5 days after the real now (on track today), so 25–29 days overdue at the moved clock.
        for (let i = start; i <= end; i++) add(i, realNow + DAY + ((i * 7919) % (4 * DAY)), officers[i % officers.length]!);
      })();
    }
    sqlite.transaction(() => {
      // Due a day after the moved clock: due soon when the server starts.
      for (let i = 0; i < seed.soonMany; i++) add(seed.cases + 1 + i, serverNow + DAY + i * 60_000, busy);
      for (let i = 0; i < seed.soonFew; i++) add(seed.cases + seed.soonMany + 1 + i, serverNow + DAY + i * 60_000, quiet);
    })();
    for (const [fy, last] of seqs) {
      sqlite
        .prepare(
          `insert into reference_counters (fiscal_year, last_seq) values (?, ?) on conflict (fiscal_year) do update set last_seq = max(last_seq, excluded.last_seq)`,
        )
        .run(fy, last);
    }
    // The seed is history, not "changes since the last tick"; no tick state → the first tick looks at every open case.
    sqlite.exec("delete from deadline_dirty; delete from deadline_tick_state;");
    sqlite.exec("analyze");
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    sqlite.close();
  }
  return seed;
}
