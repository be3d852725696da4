/**
 * Seeds a large database for the benchmark: N general complaints spread over two fiscal years, with the history
 * rows and index entries a real installation would have: status events (accepted, in progress, waiting for
 * information and back, resolved or forwarded), written acknowledgements and explanations as notices, and the
 * measure-23 outcomes (first period, acknowledgement) worked out from that history by the same rules the portal
 * applies (app/models/statistics/outcome-history.ts over app/models/deadlines) — so `npm run stats:rebuild -- --check` passes on it and
 * no closed case lacks its first-period outcome. Tracking codes are derived from the row number so the
 * benchmark can look cases up; they are hashed with this data dir's pepper, as the portal does.
 */
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import argon2 from "argon2";
import { openDatabase, migrateToLatest } from "../db/connection";
import { seedOrganisation } from "../db/seed";
import { loadOrCreateSecrets } from "../app/utils/secrets.server";
import { deriveTrackingCode, hashTrackingCode, formatTrackingCode } from "../app/lib/tracking-code";
import { formatCaseReference } from "../app/lib/complaint-reference";
import { fiscalYearOf } from "../app/lib/fiscal-year";
import { computeAckDueAt, computeDueAt, DEFAULT_SLA_POLICY } from "../app/models/deadlines/due-dates";
import { replayAckOutcome, replaySlaOutcome, type HistoryEvent } from "../app/models/statistics/outcome-history";

export const BENCH_STAFF = { email: "bench-supervisor@example.org", password: "bench-password-not-secret-1" };

/** Tracking code of seeded row i (1-based), as the citizen would type it. */
export function benchTrackingCode(i: number): string {
  return formatTrackingCode(deriveTrackingCode(`bench-${i}`, "bench"));
}

export async function seedBenchDatabase(dataDir: string, cases: number, log: (s: string) => void = console.log) {
  const file = path.join(dataDir, "sujarit.db");
  const marker = path.join(dataDir, `seeded-${cases}`);
  if (fs.existsSync(marker) && fs.existsSync(file)) {
    log(`re-using seeded database ${file} (${cases} cases)`);
    resetBenchStaffSecondFactor(file);
    return { file, references: readReferences(file, cases) };
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const secrets = loadOrCreateSecrets(dataDir);
  const db = openDatabase(file);
  await migrateToLatest(db);
  await seedOrganisation(db);
  const passwordHash = await argon2.hash(BENCH_STAFF.password, { type: argon2.argon2id });
  await db
    .insertInto("staff")
    .values({
      email: BENCH_STAFF.email,
      name: "Bench Supervisor",
      role: "supervisor",
      division_id: null,
      password_hash: passwordHash,
      active: 1,
      locked_until: null,
      last_login_at: null,
    })
    .execute();
  await db.destroy();

  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = OFF");
  const categories = sqlite.prepare("select id, division_id from categories").all() as { id: number; division_id: number }[];
  const villages = sqlite.prepare("select id from villages").all() as { id: number }[];
  const insertCase =
    sqlite.prepare(`insert into complaints (reference, fiscal_year, seq, submission_key_hash, tracking_hash, channel, category_id, subject, details, village_id, landmark, contact_name, contact_phone, contact_email, contact_address, preferred_contact, lang, status, division_id, received_at, due_at, accepted_at, closed_at, result_summary, created_at, updated_at,
      period_no, period_started_at, ack_due_at, acknowledged_at, paused_at, remaining_days, explained_at, sla_outcome, ack_outcome)
    values (@reference, @fy, @seq, null, @tracking_hash, @channel, @category_id, @subject, @details, @village_id, '', '', '', '', '', 'none', 'th', @status, @division_id, @received_at, @due_at, @accepted_at, @closed_at, @result_summary, @received_at, @received_at,
      1, @received_at, @ack_due_at, @acknowledged_at, @paused_at, @remaining_days, @explained_at, @sla_outcome, @ack_outcome)`);
  const insertEvent = sqlite.prepare(
    `insert into case_events (complaint_id, kind, from_status, to_status, actor_id, note, is_public, created_at) values (?, 'created', null, 'received', null, '', 1, ?)`,
  );
  const insertStatus = sqlite.prepare(
    `insert into case_events (complaint_id, kind, from_status, to_status, actor_id, note, is_public, created_at) values (?, 'status', ?, ?, null, '', 1, ?)`,
  );
  const insertNotice = sqlite.prepare(
    `insert into notices (complaint_id, kind, method, staff_id, lang, body, expected_at, created_at) values (?, ?, ?, null, 'th', ?, ?, ?)`,
  );
  const setCounter = sqlite.prepare(
    `insert into reference_counters (fiscal_year, last_seq) values (?, ?) on conflict(fiscal_year) do update set last_seq = excluded.last_seq`,
  );
  const channels = ["web", "web", "web", "walk_in", "phone", "letter", "line", "facebook"];
  const subjects = [
    "ไฟฟ้าดับบริเวณถนนสายหลัก",
    "ถนนเป็นหลุมเป็นบ่อ",
    "น้ำประปาไม่ไหล",
    "ขยะไม่ได้รับการจัดเก็บ",
    "ท่อระบายน้ำอุดตัน",
    "เสียงดังรบกวนยามวิกาล",
    "กิ่งไม้หักขวางทาง",
    "สุนัขจรจัดจำนวนมาก",
  ];
  const now = Date.now();
  const span = 730 * 24 * 3600 * 1000;
  const seqs = new Map<number, number>();
  const references: string[] = [];
  const batch = 20_000;
  let rng = 42;
  const rand = () => (rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let start = 1; start <= cases; start += batch) {
    const end = Math.min(cases, start + batch - 1);
    sqlite.transaction(() => {
      for (let i = start; i <= end; i++) {
        const receivedAt = new Date(now - span + Math.floor((span * i) / cases) - Math.floor(rand() * 3600_000));
        const fy = fiscalYearOf(receivedAt);
        const seq = (seqs.get(fy) ?? 0) + 1;
        seqs.set(fy, seq);
        const reference = formatCaseReference(fy, seq);
        references.push(reference);
        const cat = categories[i % categories.length];
        const dueAt = computeDueAt(receivedAt);
        const ackDueAt = computeAckDueAt(receivedAt, DEFAULT_SLA_POLICY);
        const age = now - receivedAt.getTime();
        const r = rand();
        // Older cases are mostly closed; the last months hold the open ones (some overdue).
        const open = age < 40 * 86400_000 ? r < 0.8 : r < 0.01;
        const status = open ? (r < 0.3 ? "received" : r < 0.5 ? "accepted" : "in_progress") : r < 0.9 ? "resolved" : "forwarded";
        const closedMs = open ? null : Math.min(now, receivedAt.getTime() + Math.floor(rand() * 20 * 86400_000));
        const closedAt = closedMs === null ? null : new Date(closedMs).toISOString();
        // History: accepted after a few hours, in progress, closed (or still open); a written acknowledgement (at once
        // for web filings, by letter within 0–3 days otherwise); an explanation before the deadline for about half of
        // the cases that were going to be late.
        const t = (ms: number) => new Date(Math.min(now, ms)).toISOString();
        const acceptedMs = status === "received" ? null : receivedAt.getTime() + Math.floor(rand() * 8 * 3600_000);
        const statusEvents: Array<[string, string, string]> = [];
        if (acceptedMs !== null) {
          statusEvents.push(["received", "accepted", t(acceptedMs)]);
          if (status !== "accepted") statusEvents.push(["accepted", "in_progress", t(acceptedMs + 3600_000)]);
        }
        if (closedAt) statusEvents.push(["in_progress", status, closedAt]);
        const history: HistoryEvent[] = closedAt ? [{ at: closedAt, kind: "close" }] : [];
        let explainedAt: string | null = null;
        const goingLate = closedMs === null ? now > dueAt.getTime() : closedMs > dueAt.getTime();
        if (goingLate && rand() < 0.5) {
          explainedAt = t(dueAt.getTime() - Math.floor(rand() * 2 * 86400_000));
          if (explainedAt > receivedAt.toISOString()) history.push({ at: explainedAt, kind: "explain" });
          else explainedAt = null;
        }
        const web = channels[i % channels.length] === "web";
        const ackMs = web ? receivedAt.getTime() : receivedAt.getTime() + Math.floor(rand() * 3 * 86400_000);
        const acknowledgedAt = ackMs <= now ? new Date(ackMs).toISOString() : null;
        const slaOutcome = replaySlaOutcome(
          {
            receivedAt: receivedAt.toISOString(),
            firstDueAt: dueAt.toISOString(),
            events: history,
            ackDueAt: ackDueAt.toISOString(),
            acknowledgedAt,
          },
          DEFAULT_SLA_POLICY,
          new Date(now),
        );
        const ackOutcomeNow = replayAckOutcome({ ackDueAt: ackDueAt.toISOString(), acknowledgedAt }, new Date(now));
        const info = insertCase.run({
          reference,
          fy,
          seq,
          tracking_hash: hashTrackingCode(deriveTrackingCode(`bench-${i}`, "bench"), secrets.trackingPepper),
          channel: channels[i % channels.length],
          category_id: cat.id,
          subject: `${subjects[i % subjects.length]} จุดที่ ${i}`,
          details: "รายละเอียดเรื่องร้องทุกข์สำหรับการทดสอบประสิทธิภาพ ".repeat(4),
          village_id: villages[i % villages.length].id,
          status,
          division_id: cat.division_id,
          received_at: receivedAt.toISOString(),
          due_at: dueAt.toISOString(),
          accepted_at: acceptedMs === null ? null : t(acceptedMs),
          closed_at: closedAt,
          result_summary: closedAt ? "ดำเนินการแก้ไขเรียบร้อย" : "",
          ack_due_at: ackDueAt.toISOString(),
          acknowledged_at: acknowledgedAt,
          paused_at: null,
          remaining_days: null,
          explained_at: explainedAt,
          sla_outcome: slaOutcome,
          ack_outcome: ackOutcomeNow,
        });
        const id = Number(info.lastInsertRowid);
        for (const [from, to, at] of statusEvents) insertStatus.run(id, from, to, at);
        if (acknowledgedAt)
          insertNotice.run(id, "acknowledgement", web ? "track" : "letter", "ได้รับเรื่องร้องทุกข์ของท่านแล้ว", null, acknowledgedAt);
        if (explainedAt)
          insertNotice.run(id, "explanation", "letter", "ขอชี้แจงเหตุที่ยังดำเนินการไม่แล้วเสร็จ", t(dueAt.getTime() + 7 * 86400_000), explainedAt);
        if (closedAt) insertNotice.run(id, "result", "track", "ดำเนินการแก้ไขเรียบร้อย", null, closedAt);
        insertEvent.run(Number(info.lastInsertRowid), receivedAt.toISOString());
      }
      for (const [fy, seq] of seqs) setCounter.run(fy, seq);
    })();
    log(`  seeded ${end.toLocaleString("en")} / ${cases.toLocaleString("en")}`);
  }
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.exec("analyze");
  sqlite.close();
  fs.writeFileSync(marker, new Date().toISOString());
  return { file, references };
}

/**
 * The benchmark's supervisor enrols a passkey at its first sign-in, held only by that run's process: a database seeded
 * by an earlier run gets its second factor cleared so this run's sign-in enrols again.
 */
function resetBenchStaffSecondFactor(file: string): void {
  const sqlite = new SQLite(file);
  const staff = sqlite.prepare("select id from staff where email = ?").get(BENCH_STAFF.email) as { id: number } | undefined;
  if (staff) {
    sqlite.prepare("delete from staff_passkeys where staff_id = ?").run(staff.id);
    sqlite
      .prepare(
        "update staff set totp_secret_enc = null, totp_enabled_at = null, totp_last_step = null, recovery_codes = null, failed_logins = 0, locked_until = null where id = ?",
      )
      .run(staff.id);
  }
  sqlite.close();
}

function readReferences(file: string, cases: number): string[] {
  const sqlite = new SQLite(file, { readonly: true });
  const rows = sqlite.prepare("select reference from complaints where id <= ? order by id").all(cases) as { reference: string }[];
  sqlite.close();
  return rows.map((r) => r.reference);
}
